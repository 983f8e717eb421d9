"""How values, targets and statuses read in Chinese and English."""

from __future__ import annotations

from .model import Indicator, Target

STATUS_WORDS = {
    "missing": {"zh": "未填报", "en": "not reported"},
    "not_computable": {"zh": "无法计算", "en": "not computable"},
    "not_applicable": {"zh": "不适用", "en": "not applicable"},
}
YES_NO = {True: {"zh": "是", "en": "yes"}, False: {"zh": "否", "en": "no"}}
OPERATORS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "==": "=", "!=": "≠"}


def number(value: float, digits: int = 2) -> str:
    """A number without needless decimals: 48, 0.75, 3.33."""
    text = f"{value:,.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def value(indicator: Indicator, value, lang: str = "zh") -> str:
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
    """The target as shown: ≥ 90%, ≤ 30, = 是."""
    goal: Target | None = indicator.target
    if goal is None:
        return ""
    if goal.boolean:
        return f"{OPERATORS[goal.op]} {YES_NO[bool(goal.value)][lang]}"
    return f"{OPERATORS[goal.op]} {value(indicator, goal.value, lang)}"


def status(name: str, lang: str = "zh") -> str:
    return STATUS_WORDS.get(name, {}).get(lang, "")
