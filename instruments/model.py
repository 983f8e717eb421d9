"""The instrument model: frozen dataclasses built by the loader, read by everyone else."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from .expressions import BOOLEAN, NUMBER, Expression, compare

LANGUAGES = ("zh", "en")


@dataclass(frozen=True)
class Text:
    """A label in Chinese, with English where the author gave it."""

    zh: str
    en: str | None = None

    def get(self, lang: str = "zh") -> str:
        return (self.en or self.zh) if lang == "en" else self.zh

    def __str__(self) -> str:
        return self.zh


@dataclass(frozen=True)
class Choice:
    value: str
    label: Text


@dataclass(frozen=True)
class Item:
    id: str
    type: str
    label: Text
    section: str
    unit: Text | None = None
    hint: Text | None = None
    required: bool = False
    min: float | None = None
    max: float | None = None
    constraint: Expression | None = None
    constraint_message: Text | None = None
    relevant: Expression | None = None
    choices: tuple[Choice, ...] = ()

    @property
    def choice_values(self) -> tuple[str, ...]:
        return tuple(c.value for c in self.choices)


@dataclass(frozen=True)
class Section:
    id: str
    title: Text
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Dimension:
    id: str
    title: Text


@dataclass(frozen=True)
class Standard:
    source: str
    text: str
    note: str | None = None


@dataclass(frozen=True)
class Target:
    """A quantified standard: `op` and `value`, as in ">= 0.90" or "== true"."""

    op: str
    value: float
    source: str
    boolean: bool = False

    def met(self, values: np.ndarray) -> np.ndarray:
        return compare(self.op, values, self.value)

    def __str__(self) -> str:
        return self.source


@dataclass(frozen=True)
class Indicator:
    id: str
    label: Text
    formula: Expression
    dimension: str | None = None
    format: str = "number"
    target: Target | None = None
    weight: float = 1.0
    scoring: str = "threshold"
    floor: float | None = None
    pooled: bool = False
    standard: Standard | None = None

    @property
    def scored(self) -> bool:
        return self.target is not None

    @property
    def kind(self) -> str:
        return self.formula.kind

    def credit(self, values: np.ndarray, met: np.ndarray) -> np.ndarray:
        """Share of the weight earned (0-1) by computed values."""
        if self.scoring == "linear" and self.floor is not None and self.target is not None:
            span = self.target.value - self.floor
            return np.where(met, 1.0, np.clip((values - self.floor) / span, 0.0, 1.0))
        return met.astype(float)


@dataclass(frozen=True)
class Grade:
    id: str
    label: Text
    min_score: float | None = None
    must_meet: tuple[str, ...] = ()


@dataclass(frozen=True)
class Instrument:
    id: str
    version: str
    title: Text
    applies_to: tuple[str, ...]
    sections: tuple[Section, ...]
    indicators: tuple[Indicator, ...]
    dimensions: tuple[Dimension, ...] = ()
    grades: tuple[Grade, ...] = ()
    total: str = "weighted"
    source: str = field(default="", compare=False, repr=False)

    @cached_property
    def items(self) -> tuple[Item, ...]:
        return tuple(item for section in self.sections for item in section.items)

    @cached_property
    def item(self) -> dict[str, Item]:
        return {item.id: item for item in self.items}

    @cached_property
    def indicator(self) -> dict[str, Indicator]:
        return {ind.id: ind for ind in self.indicators}

    @cached_property
    def scored_indicators(self) -> tuple[Indicator, ...]:
        return tuple(ind for ind in self.indicators if ind.scored)

    @cached_property
    def order(self) -> tuple[str, ...]:
        """Every item and indicator id, each after everything it depends on."""
        done: dict[str, None] = {}

        def visit(name: str) -> None:
            if name in done:
                return
            for dep in self.dependencies(name):
                visit(dep)
            done[name] = None

        for name in [*self.item, *self.indicator]:
            visit(name)
        return tuple(done)

    def dependencies(self, name: str) -> tuple[str, ...]:
        """What the value or status of `name` is computed from."""
        if name in self.indicator:
            return self.indicator[name].formula.names
        relevant = self.item[name].relevant
        return relevant.names if relevant else ()

    def closure(self, names) -> set[str]:
        """`names` with everything they depend on."""
        seen: set[str] = set()
        stack = list(names)
        while stack:
            name = stack.pop()
            if name not in seen:
                seen.add(name)
                stack.extend(self.dependencies(name))
        return seen

    def items_behind(self, indicator_id: str) -> tuple[str, ...]:
        """The items an indicator's formula reaches, through other indicators, in order."""
        out: dict[str, None] = {}

        def walk(name: str) -> None:
            if name in self.indicator:
                for dep in self.indicator[name].formula.names:
                    walk(dep)
            else:
                out[name] = None

        walk(indicator_id)
        return tuple(out)

    def is_numeric(self, indicator: Indicator) -> bool:
        return indicator.kind in (NUMBER, BOOLEAN)
