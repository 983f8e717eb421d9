"""Item types: how each reads a reported value and what it is in a formula.

A new type is one class and one entry in ITEM_TYPES.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from .errors import AnswerError
from .expressions import BOOLEAN, CHOICE, NUMBER, TEXT

TRUE_WORDS = frozenset({"是", "有", "yes", "y", "true", "t", "1", "√", "✓"})
FALSE_WORDS = frozenset({"否", "无", "no", "n", "false", "f", "0", "×"})
NONE_PICKED = frozenset({"无", "none", "（无）", "(无)"})
DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
MAX_TEXT = 32_767  # what one Excel cell holds


def _shown(number: float) -> str:
    return f"{number:,.6f}".rstrip("0").rstrip(".")


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


class ItemType:
    """The base type: free text."""

    name = "text"
    kind = TEXT  # what the item is inside an expression
    bounded = False  # takes min and max
    has_choices = False

    def parse(self, raw: Any, item) -> Any:
        """The reported value as stored, or None when blank; AnswerError when it does not fit."""
        if _blank(raw):
            return None
        value = self.read(raw, item)
        low, high = (getattr(item, "min", None), getattr(item, "max", None)) if self.bounded else (None, None)
        if low is not None and value < low:
            raise AnswerError(f"{_shown(value)} is below the minimum {_shown(low)}")
        if high is not None and value > high:
            raise AnswerError(f"{_shown(value)} is above the maximum {_shown(high)}")
        return value

    def read(self, raw: Any, item) -> Any:
        text = str(raw).strip()
        if len(text) > MAX_TEXT:
            raise AnswerError(f"longer than {MAX_TEXT} characters")
        return text

    def number(self, value: Any, item) -> float:
        """The value inside a formula (NaN when there is none)."""
        return math.nan


class IntegerType(ItemType):
    name = "integer"
    kind = NUMBER
    bounded = True

    def read(self, raw: Any, item) -> int:
        if isinstance(raw, bool):
            raise AnswerError(f"'{raw}' is not a whole number")
        if isinstance(raw, int):
            return raw
        if isinstance(raw, float) and raw.is_integer():
            return int(raw)
        text = str(raw).strip().replace(",", "")
        if re.fullmatch(r"[+-]?\d+(\.0*)?", text):
            return int(text.split(".")[0])
        raise AnswerError(f"'{raw}' is not a whole number")

    def number(self, value: Any, item) -> float:
        return float(value)


class NumberType(IntegerType):
    name = "number"

    def read(self, raw: Any, item) -> float:
        if isinstance(raw, bool):
            raise AnswerError(f"'{raw}' is not a number")
        if isinstance(raw, int | float):
            value = float(raw)
        else:
            text = str(raw).strip().replace(",", "")
            try:
                value = float(text)
            except ValueError:
                raise AnswerError(f"'{raw}' is not a number") from None
        if not math.isfinite(value):
            raise AnswerError(f"'{raw}' is not a number")
        return value


class BooleanType(ItemType):
    name = "boolean"
    kind = BOOLEAN

    def read(self, raw: Any, item) -> bool:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, int | float) and raw in (0, 1):
            return bool(raw)
        word = str(raw).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise AnswerError(f"'{raw}' is not yes or no (是/否)")

    def number(self, value: Any, item) -> float:
        return 1.0 if value else 0.0


class ChoiceType(ItemType):
    name = "choice"
    kind = CHOICE
    has_choices = True

    def read(self, raw: Any, item) -> str:
        return self.pick(raw, item)

    @staticmethod
    def pick(raw: Any, item) -> str:
        """A choice's value from its value or either of its labels."""
        word = str(raw).strip()
        if isinstance(raw, float) and raw.is_integer():
            word = str(int(raw))
        for choice in item.choices:
            if word in (choice.value, choice.label.zh, choice.label.en):
                return choice.value
        allowed = "、".join(c.label.zh for c in item.choices)
        raise AnswerError(f"'{raw}' is not one of the choices ({allowed})")

    def number(self, value: Any, item) -> float:
        return float(item.choice_values.index(value))


class MultiChoiceType(ChoiceType):
    name = "multi_choice"
    kind = NUMBER  # in a formula: how many options were picked

    def read(self, raw: Any, item) -> tuple[str, ...]:
        if isinstance(raw, str) and raw.strip().lower() in NONE_PICKED:
            return ()
        parts = raw if isinstance(raw, list | tuple) else re.split(r"[,，;；、\n]+", str(raw))
        picked = {self.pick(part, item) for part in parts if not _blank(part)}
        return tuple(v for v in item.choice_values if v in picked)

    def number(self, value: Any, item) -> float:
        return float(len(value))


class DateType(ItemType):
    name = "date"

    def read(self, raw: Any, item) -> str:
        if isinstance(raw, dt.datetime):
            return raw.date().isoformat()
        if isinstance(raw, dt.date):
            return raw.isoformat()
        match = DATE.fullmatch(str(raw).strip())
        try:
            return dt.date(*(int(part) for part in match.groups())).isoformat()
        except (AttributeError, ValueError):
            raise AnswerError(f"'{raw}' is not a date (YYYY-MM-DD)") from None


ITEM_TYPES: dict[str, ItemType] = {
    t.name: t
    for t in (
        IntegerType(),
        NumberType(),
        BooleanType(),
        ChoiceType(),
        MultiChoiceType(),
        ItemType(),
        DateType(),
    )
}
