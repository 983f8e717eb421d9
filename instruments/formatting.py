"""How values, targets, statuses, levels and clauses read in Chinese and English."""

from __future__ import annotations

import re

from .model import Clause, Indicator, Instrument, Item, Target

STATUS_WORDS = {
    "missing": {"zh": "未填报", "en": "not reported"},
    "not_computable": {"zh": "无法计算", "en": "not computable"},
    "not_applicable": {"zh": "不适用", "en": "not applicable"},
}
# A clause's status: reached one of its levels (shown by the level's id), or one of these.
CLAUSE_STATUS_WORDS = {
    "below": {"zh": "未达到", "en": "below"},
    "unrated": {"zh": "未评级", "en": "not rated"},
    "not_applicable": {"zh": "不适用", "en": "not applicable"},
}
STANDARD_WORDS = {
    "basic": {"zh": "基本标准", "en": "basic standard"},
    "recommended": {"zh": "推荐标准", "en": "recommended standard"},
}
CORE_MARK = "★"
CORE_WORDS = {"zh": "核心", "en": "core"}
YES_NO = {True: {"zh": "是", "en": "yes"}, False: {"zh": "否", "en": "no"}}
OF_WHICH = {"zh": ("其中：", "其中:"), "en": ("Of which: ", "Of which:")}  # a part of the item above it
OPERATORS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "==": "=", "!=": "≠"}


def number(value: float, digits: int = 2) -> str:
    """A number without needless decimals: 48, 0.75, 3.33."""
    text = f"{value:,.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def value(indicator: Indicator, value: float | bool | str | None, lang: str = "zh") -> str:
    """An indicator's value as shown: 84.9%, 3.33, 是."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES_NO[value][lang]
    if isinstance(value, str):
        return value
    if indicator.format == "percent":
        return number(value * 100, 1) + "%"
    if indicator.format == "integer":
        return number(round(value), 0)
    return number(value)


def target(indicator: Indicator, lang: str = "zh") -> str:
    """The target as shown, with the indicator's unit: ≥ 90%, ≥ 3 人/万人, ≥ 60 种, = 是."""
    goal: Target | None = indicator.target
    if goal is None:
        return ""
    if goal.boolean:
        return f"{OPERATORS[goal.op]} {YES_NO[bool(goal.value)][lang]}"
    unit = f" {indicator.unit.get(lang)}" if indicator.unit is not None and indicator.format != "percent" else ""
    if lang == "en" and goal.value == 1:
        unit = re.sub(r"^ (\w+)s\b", r" \1", unit)  # ≥ 1 person
    return f"{OPERATORS[goal.op]} {value(indicator, goal.value, lang)}{unit}"


def status(name: str, lang: str = "zh") -> str:
    """An indicator's status in words: 未填报, 无法计算, 不适用 (nothing for ok)."""
    return STATUS_WORDS.get(name, {}).get(lang, "")


def level(level_id: str, lang: str = "zh") -> str:
    """A level as a sentence names it: B 级, level B."""
    return f"{level_id} 级" if lang == "zh" else f"level {level_id}"


def clause_rating(level_id: str | None, status: str, lang: str = "zh") -> str:
    """A clause's rating as shown: the level reached (C, B, A), else 未达到, 未评级 or 不适用."""
    if status == "reached" and level_id is not None:
        return level_id
    return CLAUSE_STATUS_WORDS.get(status, {}).get(lang, "")


def clause_kind(clause: Clause, lang: str = "zh") -> str:
    """Which standard a clause belongs to, ★ marking a core clause: 基本标准 ★."""
    words = STANDARD_WORDS[clause.standard][lang]
    return f"{words} {CORE_MARK}" if clause.core else words


def share(value: float) -> str:
    """A share as a percentage with at most one decimal: 55%, 66.7%."""
    return number(value * 100, 1) + "%"


def item_name(instrument: Instrument, item: Item, lang: str = "zh") -> str:
    """An item's label where it stands alone (a checklist, a list of problems): a part names its whole,
    其中：规范管理人数 → 管理的2型糖尿病患者人数中的规范管理人数."""
    names = instrument.kept(
        ("item_names", lang), lambda: {each.id: _item_name(instrument, each, lang) for each in instrument.items}
    )
    return names[item.id] if instrument.item.get(item.id) is item else _item_name(instrument, item, lang)


def _item_name(instrument: Instrument, item: Item, lang: str) -> str:
    text = item.label.get(lang)
    prefix = next((p for p in OF_WHICH.get(lang, ()) if text.startswith(p)), None)
    if prefix is None:
        return text
    whole = _whole(instrument, item)
    if whole is None:
        return text
    part, whole_text = text[len(prefix) :].strip(), whole.label.get(lang)
    return f"{whole_text}中的{part}" if lang == "zh" else f"{whole_text}: of which {part}"


def _whole(instrument: Instrument, part: Item) -> Item | None:
    """The item a part belongs to: the nearest item above it in its section that is no part itself."""
    section = next(s for s in instrument.sections if s.id == part.section)
    above = section.items[: section.items.index(part)]
    parts = tuple(p for prefixes in OF_WHICH.values() for p in prefixes)
    return next((i for i in reversed(above) if not i.label.get("zh").startswith(parts)), None)
