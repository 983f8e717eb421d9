"""Words shown to people for the platform's codes, in one table: statuses, review levels and actions,
round statuses, roles, unit levels, flags, audit rows; and how values and audit rows read.

Codes are stored and compared; these words are only ever shown. Every page and
message takes its words from here, so one code always reads the same way.
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from instruments import Clause, Instrument, Item, formatting
from instruments.item_types import ITEM_TYPES, answer_words

from .store.lifecycle import LOCKED
from .store.quality import Flag
from .store.responses import from_db

STATUS_WORDS = {
    "new": _l("未开始"),
    "draft": _l("草稿"),
    "submitted": _l("已提交"),
    "returned": _l("已退回"),
    "approved": _l("已通过"),
}
LEVEL_WORDS = {0: _l("自评"), 1: _l("县级评审"), 2: _l("市级复核"), 3: _l("省级抽查"), 4: _l("国家抽查")}
ACTION_WORDS = {"submit": _l("提交"), "return": _l("退回"), "approve": _l("通过"), "reopen": _l("重新打开")}
ROUND_WORDS = {"open": _l("进行中"), "closed": _l("已结束")}
JOB_WORDS = {"league": _l("排名表"), "cards": _l("全部报告卡"), "import": _l("导入填报"), "score": _l("重新评分"),
             "approve": _l("批量通过")}  # fmt: skip
JOB_STATES = {"waiting": _l("排队中"), "running": _l("进行中"), "done": _l("已完成"), "failed": _l("未完成")}
ROLE_WORDS = {
    "centre": _l("基层医疗卫生机构"),
    "evaluator": _l("评审员"),
    "official": _l("卫生健康行政部门"),
    "admin": _l("管理员"),
}
UNIT_LEVEL_WORDS = {
    "province": _l("省"),
    "city": _l("市"),
    "county": _l("县（区）"),
    "township": _l("乡镇（街道）"),
    "community": _l("社区"),
    "village": _l("村"),
}
FLAG_WORDS = {
    "target": _l("未达标"),
    "constraint": _l("校验未通过"),
    "required": _l("必填未填报"),
    "median": _l("远离县（区）中位数"),
    "change": _l("较上一轮变化大"),
}
VERDICT_WORDS = {"met": _l("达标"), "not_met": _l("未达标"), "reported": _l("不计分")}
AUDIT_WORDS = {
    "answer": _l("修改答案"),
    "import": _l("导入"),
    "status": _l("状态变更"),
    "verify": _l("核实"),
    "self_rating": _l("自评"),
    "self_rating_note": _l("自评说明"),
    "rating": _l("评审评级"),
    "rating_comment": _l("评审意见"),
    "evidence_add": _l("上传佐证材料"),
    "evidence_remove": _l("删除佐证材料"),
    "appeal": _l("提出申诉"),
    "appeal_accept": _l("采纳申诉"),
    "appeal_reject": _l("不予采纳申诉"),
}
TEXT_ACTIONS = frozenset(  # audit rows whose old and new values are words or file names, shown as they are
    {"self_rating_note", "rating_comment", "evidence_add", "evidence_remove"}
    | {"appeal", "appeal_accept", "appeal_reject"}
)
RATING_ACTIONS = frozenset({"self_rating", "rating"})
SOURCE_WORDS = {
    "web": _l("网页填报"),
    "import": _l("Excel 导入"),
    "review": _l("审核"),
    "demo": _l("演示数据"),
    "appeal": _l("申诉"),
}
APPEAL_WORDS = {"pending": _l("待处理"), "accepted": _l("已采纳"), "rejected": _l("不予采纳")}
EVIDENCE_REFUSALS = {  # why a file was not stored (store.evidence.EvidenceError codes)
    "type": _l("只接受 PDF、JPEG、PNG、XLSX、DOCX 文件（按文件内容识别，与扩展名无关）"),
    "empty": _l("文件是空的"),
    "size": _l("单个文件不能超过 10 MB"),
    "total": _l("每份填报的佐证材料合计不能超过 200 MB"),
    "other_centre": _l("只能为本机构的填报上传佐证材料"),
    "locked": _l("填报已提交、已通过或轮次已结束，不能再添加或删除佐证材料"),
    "target": _l("此项不接受佐证材料"),
    "appeal": _l("此项没有待处理的申诉"),
}
RATING_REFUSALS = {  # why a rating was not saved (store.ratings.RatingError codes)
    "unknown": _l("不是本问卷的条款"),
    "auto": _l("此条款按填报数据自动评级，不能手工评级"),
    "level": _l("此条款没有这一级；可选 C、B、A 等本条款的级别、未达到或不适用"),
    "reason": _l("选择“不适用”时请写明理由"),
    "long": _l("说明不能超过 2000 字"),
}
APPEAL_REFUSALS = {  # why an appeal or a decision was refused (store.appeals.AppealError codes)
    "other_centre": _l("只能对本机构的填报提出申诉"),
    "closed": _l("轮次已结束，不能再申诉或处理申诉"),
    "unknown": _l("没有这一项，或它按填报数据自动评级"),
    "not_disputed": _l("核实结果与上报一致，无需申诉"),
    "reason": _l("请写明申诉理由"),
    "decision": _l("不予采纳时请写明理由"),
    "long": _l("理由不能超过 2000 字"),
    "pending": _l("此项已有一项申诉在等待处理"),
    "not_yours": _l("此申诉应由核实该值的那一级评审处理"),
    "decided": _l("此申诉已处理过"),
}
IMPORTED = re.compile(r"(\d+) answers")
PUNCTUATION = {"：": ": ", "；": "; ", "，": ", ", "、": ", ", "（": " (", "）": ")"}  # Chinese mark → English


def mark(char: str, lang: str) -> str:
    """A punctuation mark as `lang` writes it: “：” in Chinese, ": " in English."""
    return char if lang == "zh" else PUNCTUATION.get(char, char)


def joined(parts: Any, lang: str, separator: str = "；") -> str:
    """Parts in one line, separated as `lang` separates them: 甲；乙 or "a; b"."""
    return mark(separator, lang).join(str(part) for part in parts)


def item_label(item: Item, lang: str) -> str:
    """The item's label in `lang`, with its unit."""
    text = item.label.get(lang)
    if item.unit is None:
        return text
    return f"{text}（{item.unit.get(lang)}）" if lang == "zh" else f"{text} ({item.unit.get(lang)})"


def label(instrument: Instrument, name: str, lang: str) -> str:
    """An item's, indicator's or clause's label (the id itself when the instrument no longer has it), as it reads
    out of its place: a part names its whole (管理的2型糖尿病患者人数中的规范管理人数), and an item and an indicator
    of one label say which is which (可诊治病种数（填报项）, 可诊治病种数（指标）)."""
    if name in instrument.item:
        text = formatting.item_name(instrument, instrument.item[name], lang)
        shared = any(ind.label.get(lang) == text for ind in instrument.indicators)
        return _("%(label)s（填报项）", label=text) if shared else text
    if name in instrument.indicator:
        text = instrument.indicator[name].label.get(lang)
        shared = any(formatting.item_name(instrument, item, lang) == text for item in instrument.items)
        return _("%(label)s（指标）", label=text) if shared else text
    if name in instrument.clause:
        return clause_name(instrument.clause[name], lang)
    return name


CLAUSE_NAME_LENGTH = 24  # characters of a clause's text that name it in a list or a message


def clause_name(clause: Clause, lang: str) -> str:
    """A clause as a message names it: 条款 3.4.1「建立医院感染管理制度…」."""
    text = clause.text.get(lang)
    short = text if len(text) <= CLAUSE_NAME_LENGTH else text[:CLAUSE_NAME_LENGTH] + "…"
    number = clause.number or clause.id
    return _("条款 %(number)s「%(text)s」", number=number, text=short)


def rating_words(value: Any, lang: str) -> str:
    """A stored rating as people read it: the level (B), 未达到, 不适用; — when unrated."""
    if value is None:
        return "—"
    if value in ("below", "not_applicable"):
        return formatting.CLAUSE_STATUS_WORDS[value][lang]
    return str(value)


def thing_name(instrument: Instrument, item_id: str, lang: str) -> str:
    """An item (by its label) or a clause (by number and text), for a located message."""
    if item_id in instrument.clause:
        return clause_name(instrument.clause[item_id], lang)
    return f"“{label(instrument, item_id, lang)}”"


def disputed_value(instrument: Instrument, item_id: str, raw: Any, lang: str) -> str:
    """A stored value of an item or a clause rating as people read it."""
    if item_id in instrument.clause:
        return rating_words(raw, lang)
    item = instrument.item.get(item_id)
    return shown(instrument, item_id, from_db(item, raw), lang) if item is not None else str(raw)


def shown(instrument: Instrument, name: str, value: Any, lang: str) -> str:
    """A value of an item (with its unit) or of an indicator (as a percent where it is one)."""
    if value is None:
        return "—"
    if name in instrument.indicator:
        return formatting.value(instrument.indicator[name], value, lang)
    item = instrument.item.get(name)
    if item is not None:
        return answer_words(item, value, lang) or "—"
    return str(value)


def level_reached(status: str, level: int) -> str:
    """A status with the review level reached: 已提交（县级评审）; a draft or a returned one reached none."""
    if status not in LOCKED:
        return str(STATUS_WORDS.get(status, status))
    return _("%(status)s（%(level)s）", status=STATUS_WORDS.get(status, status), level=LEVEL_WORDS.get(level, level))


def flag_detail(instrument: Instrument, flag: Flag, lang: str) -> str:
    """What a flag found, in a sentence."""
    if flag.kind == "constraint":
        item = instrument.item[flag.name]
        rule = item.constraint_message.get(lang) if item.constraint_message else str(item.constraint)
        return _("%(value)s：%(rule)s", value=shown(instrument, flag.name, _answer(instrument, flag), lang), rule=rule)
    if flag.kind == "required":
        return _("提交时必填，但未填报")
    value, reference = (
        shown(instrument, flag.name, flag.value, lang),
        shown(instrument, flag.name, flag.reference, lang),
    )
    if flag.kind == "median":
        return _("%(value)s，县（区）中位数为 %(median)s", value=value, median=reference)
    return _("上一轮 %(before)s → 本轮 %(after)s", before=reference, after=value)


def _answer(instrument: Instrument, flag: Flag) -> Any:
    """A flagged item's value as the item holds it (a number back to yes/no or a choice)."""
    item = instrument.item[flag.name]
    return None if flag.value is None else ITEM_TYPES[item.type].value_of(flag.value, item)


def audit_value(instrument: Instrument, row: dict, raw: Any, lang: str) -> str:
    """An audit row's old or new value as people read it."""
    if raw is None:
        return "—"
    if row["action"] == "status":
        status, _sep, level = str(raw).partition("/")
        return level_reached(status, int(level)) if level.isdigit() else str(STATUS_WORDS.get(status, status))
    if row["action"] == "import":
        found = IMPORTED.fullmatch(str(raw))
        return _("%(n)s 项答案", n=found.group(1)) if found else str(raw)
    if row["action"] in TEXT_ACTIONS:
        return str(raw)
    if row["action"] in RATING_ACTIONS or row["item_id"] in instrument.clause:
        return rating_words(raw, lang)
    item = instrument.item.get(row["item_id"] or "")
    if item is None:
        return str(raw)
    try:
        return shown(instrument, item.id, from_db(item, raw), lang)
    except (ValueError, TypeError):
        return str(raw)
