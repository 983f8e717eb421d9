"""Words shown to people for the platform's codes, in one table: statuses, review levels and actions,
round statuses, roles, unit levels, flags, audit rows; and how values and audit rows read.

Codes are stored and compared; these words are only ever shown. Every page and
message takes its words from here, so one code always reads the same way. The
words the store's and the command line's messages also say (statuses, review
levels, roles, unit levels) are the message catalogue's (`instruments.messages`),
said once there and put into the reader's language here.
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import escape

from exports.orgs import LEVELS
from instruments import Clause, Instrument, Item, formatting
from instruments.item_types import ITEM_TYPES, answer_words
from instruments.messages import LANGUAGES, render

from .store.lifecycle import LOCKED, SHOWN
from .store.quality import Flag
from .store.responses import from_db
from .store.users import ROLES


class _Word:
    """A word of the message catalogue (a status, a review level, a role, a unit level), in the reader's language."""

    def __init__(self, code: str) -> None:
        self.code = code

    def __str__(self) -> str:
        locale = get_locale()
        return render(self.code, {}, locale.language if locale and locale.language in LANGUAGES else LANGUAGES[0])

    def __html__(self) -> str:
        return str(escape(str(self)))

    def __repr__(self) -> str:
        return f"_Word({self.code!r})"


STATUS_WORDS = {status: _Word("status_" + status) for status in SHOWN}
LEVEL_WORDS = {level: _Word(f"review_level_{level}") for level in range(5)}  # 自评, then the four review levels
ACTION_WORDS = {"submit": _l("提交"), "return": _l("退回"), "approve": _l("通过"), "reopen": _l("重新打开")}
ROUND_WORDS = {"open": _l("进行中"), "closed": _l("已结束")}
JOB_WORDS = {
    "league": _l("排名表"),
    "cards": _l("全部报告卡"),
    "import": _l("导入填报"),
    "score": _l("重新评分"),
    "approve": _l("批量通过"),
}
JOB_STATES = {"waiting": _l("排队中"), "running": _l("进行中"), "done": _l("已完成"), "failed": _l("未完成")}
ROLE_WORDS = {role: _Word("role_" + role) for role in ROLES}
UNIT_LEVEL_WORDS = {level: _Word("level_" + level) for level in LEVELS}
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
IMPORTED = re.compile(r"(\d+) answers")
SELF_RATED = re.compile(r"(\d+) self-ratings, (\d+) notes")  # a response's first self-ratings, imported
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
        return _("%(label)s（填报项）", label=text) if text in _shared_labels(instrument, lang) else text
    if name in instrument.indicator:
        text = instrument.indicator[name].label.get(lang)
        return _("%(label)s（指标）", label=text) if text in _shared_labels(instrument, lang) else text
    if name in instrument.clause:
        return clause_name(instrument.clause[name], lang)
    return name


def _shared_labels(instrument: Instrument, lang: str) -> set[str]:
    """The labels an item and an indicator of the instrument both have (worked out once per language)."""

    def shared() -> set[str]:
        items = {formatting.item_name(instrument, item, lang) for item in instrument.items}
        return items & {ind.label.get(lang) for ind in instrument.indicators}

    return instrument.kept(("shared_labels", lang), shared)


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
        if found := IMPORTED.fullmatch(str(raw)):
            return _("%(n)s 项答案", n=found.group(1))
        if found := SELF_RATED.fullmatch(str(raw)):
            return _("%(n)s 项条款自评，%(notes)s 条自评说明", n=found.group(1), notes=found.group(2))
        return str(raw)
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
