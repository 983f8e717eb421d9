"""Item types: everything that depends on what kind of answer an item takes.

Each type reads a reported value (`parse`), says what it is inside a formula
(`number`) and back (`value_of`), how it is stored (`to_stored`, `from_stored`),
how it reads to people (`words`) and as typed text (`typed`), what the offline
template accepts (`rule`, `validation`), which changes the gap search tries
(`step` or `options`) and how such a change is worded (`change_words`), and
what synthetic centres answer (`synthetic`, `answer_of`). A new type is one
class and one entry in ITEM_TYPES; nothing else branches on a type.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from . import formatting
from .errors import AnswerError
from .expressions import BOOLEAN, CHOICE, NUMBER, TEXT

if TYPE_CHECKING:
    from .model import Item

TRUE_WORDS = frozenset({"是", "有", "yes", "y", "true", "t", "1", "√", "✓"})
FALSE_WORDS = frozenset({"否", "无", "no", "n", "false", "f", "0", "×"})
NONE_PICKED = frozenset({"无", "none", "（无）", "(无)"})
NONE_CHOICE = "（无）"  # a form's option that answers a multiple choice with none of its options
DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
MAX_TEXT = 32_767  # what one Excel cell holds
UNBOUNDED = 999_999_999_999  # a template cell's limit where the item sets none
LARGEST = 10**15  # beyond any count or measure reported, and within what SQLite and a float hold exactly
GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")  # 1,234,567.5: commas that only group thousands
SYNTHETIC_SPAN = 100  # synthetic counts and measures without a maximum are drawn this far above their minimum
SYNTHETIC_YES = 0.7  # the share of synthetic centres answering yes where nothing more is known


def _shown(number: float) -> str:
    return f"{number:,.6f}".rstrip("0").rstrip(".")


def _ungrouped(raw: Any) -> str:
    """Typed digits without the commas that group thousands; other commas are kept (1,5 is not 15)."""
    text = str(raw).strip()
    return text.replace(",", "") if GROUPED.fullmatch(text) else text


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _bounds(item: Item) -> str:
    """An item's limits as the template's hint shows them: ≥ 0, 0–100, ≤ 24."""
    low, high = (None if v is None else formatting.number(v) for v in (item.min, item.max))
    if low is not None and high is not None:
        return f"{low}～{high}"
    if low is not None:
        return f"≥ {low}"
    return f"≤ {high}" if high is not None else ""


@dataclass(frozen=True)
class Validation:
    """What a template's input cell accepts: `kind` is whole, decimal, list, date or any."""

    kind: str
    minimum: float | None = None
    maximum: float | None = None
    options: tuple[str, ...] = ()


class ItemType:
    """The base type: free text."""

    name = "text"
    kind = TEXT  # what the item is inside an expression
    bounded = False  # takes min and max
    has_choices = False
    quantity = False  # a count or a measure: compared with medians and with last round's value
    step: float | None = None  # the gap search moves the item by this much at a time
    cell = "text"  # the template cell's format: text, number or date
    hint = "文字"  # what the template says to type

    def parse(self, raw: Any, item: Item | None) -> Any:
        """The reported value as stored, or None when blank; AnswerError when it does not fit (None: no item limits)."""
        if _blank(raw):
            return None
        value = self.read(raw, item)
        if self.bounded and abs(value) > LARGEST:
            raise AnswerError("number_too_large", raw=raw, limit=LARGEST)
        low, high = (item.min, item.max) if self.bounded and item is not None else (None, None)
        if low is not None and value < low:
            raise AnswerError("below_minimum", value=_shown(value), low=_shown(low))
        if high is not None and value > high:
            raise AnswerError("above_maximum", value=_shown(value), high=_shown(high))
        return value

    def read(self, raw: Any, item: Item) -> Any:
        text = str(raw).strip()
        if len(text) > MAX_TEXT:
            raise AnswerError("longer_than", limit=MAX_TEXT)
        return text

    def number(self, value: Any, item: Item) -> float:
        """The value inside a formula (NaN when there is none)."""
        return math.nan

    def value_of(self, number: float, item: Item) -> Any:
        """A formula's number back to the value the item holds."""
        return number

    def to_stored(self, value: Any, item: Item) -> Any:
        """The value as the database keeps it (numbers and text as they are)."""
        return value

    def from_stored(self, raw: Any, item: Item) -> Any:
        """A stored value back as the value the instrument core expects."""
        return raw

    def stored_number(self, raw: Any, item: Item) -> float:
        """A stored value inside a formula: the one conversion every scoring path uses."""
        return math.nan if raw is None else self.number(self.from_stored(raw, item), item)

    def words(self, value: Any, item: Item, lang: str = "zh") -> str:
        """The value as people read it, with the item's unit."""
        if value is None:
            return ""
        unit = item.unit.get(lang) if item.unit else ""
        shown = formatting.number(value) if isinstance(value, int | float) else str(value)
        return f"{shown} {unit}".strip()

    def typed(self, value: Any, item: Item, lang: str = "zh") -> str:
        """The value as text that `parse` reads back to the same value."""
        return "" if value is None else str(value)

    def rule(self, item: Item) -> str:
        """The template's short hint under the label: what to type, and the item's own check."""
        rule = self.what_to_type(item)
        if item.constraint_message is not None:
            rule += f"；{item.constraint_message.zh}"
        return rule

    def what_to_type(self, item: Item) -> str:
        return self.hint

    def validation(self, item: Item) -> Validation:
        """What the template's input cells accept."""
        return Validation("any")

    def limits(self, item: Item) -> tuple[float | None, float | None]:
        """The lowest and highest number the item can take inside a formula (None: no limit)."""
        return (item.min, item.max) if self.bounded else (None, None)

    def options(self, item: Item) -> np.ndarray | None:
        """The numbers the gap search tries when the type does not `step` (None: no change is tried)."""
        return None

    def synthetic(self, item: Item, rng: np.random.Generator, n: int) -> np.ndarray:
        """Plausible numbers (inside a formula) for `n` synthetic centres; NaN where the type has none to give."""
        return np.full(n, np.nan)

    def answer_of(self, number: float, item: Item) -> Any:
        """A formula's number as the answer a centre would give (for synthetic answers)."""
        return self.value_of(number, item)

    def change_words(self, item: Item, current: Any, proposed: Any, change: float | None, lang: str) -> str:
        """A change to the item in words: 专业技术人员数再增加 3 人（45 → 48）, 服务方式改为“上门”."""
        label = item.label.get(lang)
        if change is None:
            shown = self.words(proposed, item, lang)
            return f"Changing {label} to '{shown}'" if lang == "en" else f"{label}改为“{shown}”"
        unit = item.unit.get(lang) if item.unit else ""
        before, after = formatting.number(current), formatting.number(proposed)
        if lang == "en":
            way = "more" if change > 0 else "fewer"
            return f"{label}: {formatting.number(abs(change))} {way} ({before} → {after})"
        amount = f"{formatting.number(abs(change))} {unit}".strip()
        return f"{label}{'再增加' if change > 0 else '减少'} {amount}（{before} → {after}）"


class IntegerType(ItemType):
    name = "integer"
    kind = NUMBER
    bounded = True
    quantity = True
    step = 1.0
    cell = "number"

    def read(self, raw: Any, item: Item) -> int:
        if isinstance(raw, bool):
            raise AnswerError("not_whole_number", raw=raw)
        if isinstance(raw, int):
            return raw
        if isinstance(raw, float) and raw.is_integer():
            return int(raw)
        text = _ungrouped(raw)
        if re.fullmatch(r"[+-]?\d+(\.0*)?", text):
            return int(text.split(".")[0])
        raise AnswerError("not_whole_number", raw=raw)

    def number(self, value: Any, item: Item) -> float:
        return float(value)

    def stored_number(self, raw: Any, item: Item) -> float:
        return math.nan if raw is None else float(raw)  # stored as it is: the hot path of scoring a round

    def what_to_type(self, item: Item) -> str:
        return f"整数 {_bounds(item)}".strip()

    def synthetic(self, item: Item, rng: np.random.Generator, n: int) -> np.ndarray:
        low, high = self._span(item)
        return np.floor(rng.uniform(low, high + 1, n)).clip(low, high)

    def _span(self, item: Item) -> tuple[float, float]:
        """The range synthetic answers are drawn from: the item's limits, else SYNTHETIC_SPAN above its minimum."""
        low = 0.0 if item.min is None else float(item.min)
        high = low + SYNTHETIC_SPAN if item.max is None else min(float(item.max), low + SYNTHETIC_SPAN)
        return low, high

    def answer_of(self, number: float, item: Item) -> Any:
        return int(number)

    def validation(self, item: Item) -> Validation:
        low = -UNBOUNDED if item.min is None else math.ceil(item.min)
        high = UNBOUNDED if item.max is None else math.floor(item.max)
        return Validation("whole", low, high)


class NumberType(IntegerType):
    name = "number"
    step = 0.01

    def read(self, raw: Any, item: Item) -> float:
        if isinstance(raw, bool):
            raise AnswerError("not_a_number", raw=raw)
        if isinstance(raw, int | float):
            value = float(raw)
        else:
            text = _ungrouped(raw)
            try:
                value = float(text)
            except ValueError:
                raise AnswerError("not_a_number", raw=raw) from None
        if not math.isfinite(value):
            raise AnswerError("not_a_number", raw=raw)
        return value

    def what_to_type(self, item: Item) -> str:
        return f"数值 {_bounds(item)}".strip()

    def synthetic(self, item: Item, rng: np.random.Generator, n: int) -> np.ndarray:
        low, high = self._span(item)
        return np.round(rng.uniform(low, high, n), 2)

    def answer_of(self, number: float, item: Item) -> Any:
        return number

    def validation(self, item: Item) -> Validation:
        low = -UNBOUNDED if item.min is None else item.min
        high = UNBOUNDED if item.max is None else item.max
        return Validation("decimal", low, high)


class BooleanType(ItemType):
    name = "boolean"
    kind = BOOLEAN
    hint = "选择 是/否"

    def read(self, raw: Any, item: Item) -> bool:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, int | float) and raw in (0, 1):
            return bool(raw)
        word = str(raw).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise AnswerError("not_yes_no", raw=raw)

    def number(self, value: Any, item: Item) -> float:
        return 1.0 if value else 0.0

    def value_of(self, number: float, item: Item) -> bool:
        return bool(number)

    def to_stored(self, value: Any, item: Item) -> Any:
        return None if value is None else int(bool(value))

    def from_stored(self, raw: Any, item: Item) -> Any:
        return None if raw is None else bool(raw)

    def words(self, value: Any, item: Item, lang: str = "zh") -> str:
        return "" if value is None else formatting.YES_NO[bool(value)][lang]

    def typed(self, value: Any, item: Item, lang: str = "zh") -> str:
        return self.words(value, item, lang)

    def validation(self, item: Item) -> Validation:
        return Validation("list", options=(formatting.YES_NO[True]["zh"], formatting.YES_NO[False]["zh"]))

    def options(self, item: Item) -> np.ndarray:
        return np.array([0.0, 1.0])

    def synthetic(self, item: Item, rng: np.random.Generator, n: int) -> np.ndarray:
        return (rng.random(n) < SYNTHETIC_YES).astype(float)

    def change_words(self, item: Item, current: Any, proposed: Any, change: float | None, lang: str) -> str:
        """What to do, not what to answer: 是否提供在线预约 → 提供在线预约; CT → 具备CT; to "no": 不再…."""
        label = item.label.get(lang)
        if lang == "en":
            return label if proposed else f"no longer: {label}"
        for question, yes, no in (("是否", "", "不再"), ("能否", "能", "不能")):
            if question in label:
                return label.replace(question, yes if proposed else no, 1)
        return f"具备{label}" if proposed else f"不再具备{label}"


class ChoiceType(ItemType):
    name = "choice"
    kind = CHOICE
    has_choices = True
    hint = "下拉选择一项"

    def read(self, raw: Any, item: Item) -> str:
        return self.pick(raw, item)

    @staticmethod
    def pick(raw: Any, item: Item) -> str:
        """A choice's value from its value or either of its labels."""
        word = str(raw).strip()
        if isinstance(raw, float) and raw.is_integer():
            word = str(int(raw))
        for choice in item.choices:
            if word in (choice.value, choice.label.zh, choice.label.en):
                return choice.value
        allowed = "、".join(c.label.zh for c in item.choices)
        raise AnswerError("not_a_choice", raw=raw, allowed=allowed)

    def number(self, value: Any, item: Item) -> float:
        values = item.choice_values
        return float(values.index(value)) if value in values else math.nan  # a choice the version no longer has

    def value_of(self, number: float, item: Item) -> str:
        return item.choice_values[int(number)]

    def words(self, value: Any, item: Item, lang: str = "zh") -> str:
        if value is None:
            return ""
        labels = {c.value: c.label.get(lang) for c in item.choices}
        return labels.get(value, str(value))

    def typed(self, value: Any, item: Item, lang: str = "zh") -> str:
        return self.words(value, item, lang)

    def validation(self, item: Item) -> Validation:
        return Validation("list", options=tuple(c.label.zh for c in item.choices))

    def options(self, item: Item) -> np.ndarray:
        return np.arange(len(item.choices), dtype=float)

    def synthetic(self, item: Item, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.integers(0, len(item.choices), n).astype(float)


SEPARATORS = re.compile(r"[,，;；、\n]+")  # between the options of a multiple choice written out


def _separated_words(item: Item) -> list[tuple[str, str]]:
    """(choice value, word) for each way of naming a choice that holds a separator, longest first."""
    words = [
        (choice.value, word)
        for choice in item.choices
        for word in (choice.value, choice.label.zh, choice.label.en)
        if word and SEPARATORS.search(word)
    ]
    return sorted(words, key=lambda pair: -len(pair[1]))


class MultiChoiceType(ChoiceType):
    name = "multi_choice"
    kind = NUMBER  # in a formula: how many options were picked
    step = 1.0
    hint = "多选，用、或逗号分隔"

    def read(self, raw: Any, item: Item) -> tuple[str, ...]:
        if isinstance(raw, str) and raw.strip().lower() in NONE_PICKED:
            return ()
        if isinstance(raw, list | tuple):
            parts, picked = list(raw), set()
            if NONE_CHOICE in parts:  # none of the options: exclusive of every one of them
                if any(not _blank(part) for part in parts if part != NONE_CHOICE):
                    raise AnswerError("none_with_others")
                return ()
        else:
            text, picked = str(raw), set()
            for choice, word in _separated_words(item):  # a label holding a separator is taken whole first
                if word in text:
                    text = text.replace(word, "、")
                    picked.add(choice)
            parts = SEPARATORS.split(text)
        picked |= {self.pick(part, item) for part in parts if not _blank(part)}
        return tuple(v for v in item.choice_values if v in picked)

    def number(self, value: Any, item: Item) -> float:
        return float(len(value))

    def value_of(self, number: float, item: Item) -> float:
        return number

    def limits(self, item: Item) -> tuple[float | None, float | None]:
        return 0.0, float(len(item.choices))

    def synthetic(self, item: Item, rng: np.random.Generator, n: int) -> np.ndarray:
        count = len(item.choices)
        return rng.integers(count // 2, count + 1, n).astype(float)  # most centres offer at least half the list

    def answer_of(self, number: float, item: Item) -> Any:
        return list(item.choice_values[: int(number)])

    def to_stored(self, value: Any, item: Item) -> Any:
        return None if value is None else json.dumps(list(value), ensure_ascii=False)

    def from_stored(self, raw: Any, item: Item) -> Any:
        return None if raw is None else tuple(json.loads(raw))

    def words(self, value: Any, item: Item, lang: str = "zh") -> str:
        if value is None:
            return ""
        labels = {c.value: c.label.get(lang) for c in item.choices}
        none = {"zh": "（无）", "en": "(none)"}[lang]
        return ("、" if lang == "zh" else ", ").join(labels.get(v, v) for v in value) or none

    def typed(self, value: Any, item: Item, lang: str = "zh") -> str:
        if value is None:
            return ""
        labels = {c.value: c.label.get(lang) for c in item.choices}
        return "、".join(labels.get(v, v) for v in value) or "无"

    def validation(self, item: Item) -> Validation:
        return Validation("any")

    @staticmethod
    def checked(value: Any) -> list[str]:
        """The options a form ticks for a stored value: NONE_CHOICE alone for none of them."""
        return list(value) or [NONE_CHOICE]


class DateType(ItemType):
    name = "date"
    cell = "date"
    hint = "日期 YYYY-MM-DD"

    def read(self, raw: Any, item: Item) -> str:
        if isinstance(raw, dt.datetime):
            return raw.date().isoformat()
        if isinstance(raw, dt.date):
            return raw.isoformat()
        match = DATE.fullmatch(str(raw).strip())
        try:
            return dt.date(*(int(part) for part in match.groups())).isoformat()
        except (AttributeError, ValueError):
            raise AnswerError("not_a_date", raw=raw) from None

    def validation(self, item: Item) -> Validation:
        return Validation("date")


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


def numbers_of(number: Callable[[Any], float], values: Sequence[Any]) -> np.ndarray:
    """Each value's number, worked out once per distinct value (a column of answers holds few)."""
    try:
        known = {value: number(value) for value in set(values)}
    except TypeError:  # a value that cannot be a key
        return np.fromiter(map(number, values), float, len(values))
    return np.fromiter(map(known.__getitem__, values), float, len(values))


def answer_words(item: Item, value: Any, lang: str = "zh") -> str:
    """A reported value of `item` as people read it."""
    return ITEM_TYPES[item.type].words(value, item, lang)
