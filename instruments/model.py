"""The instrument model: frozen dataclasses built by the loader, read by everyone else."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TypeVar

import numpy as np

from .expressions import BOOLEAN, NUMBER, Expression, compare

T = TypeVar("T")

LANGUAGES = ("zh", "en")
PLANS_KEPT = 1024  # evaluation plans remembered per instrument


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
    groups: dict[str, str] = field(default_factory=dict, hash=False)  # framework id -> group id
    unit: Text | None = None  # of its value and target, derived from its formula's items (`units.derived_unit`)

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
class Chapter:
    """A chapter of a standard (第一章 …), grouping its clauses."""

    id: str
    title: Text
    number: str | None = None


@dataclass(frozen=True)
class Group:
    id: str
    title: Text


@dataclass(frozen=True)
class Framework:
    """One more way to group indicators and clauses (e.g. the Yan'an four dimensions)."""

    id: str
    title: Text
    groups: tuple[Group, ...]


@dataclass(frozen=True)
class Level:
    """One level of a clause (C, B, A …): `when` for an auto clause, `text` for people rating it."""

    id: str
    when: Expression | None = None
    text: Text | None = None


@dataclass(frozen=True)
class Clause:
    """A clause (条款) of a standard, rated at one of its levels, lowest first."""

    id: str
    text: Text
    standard: str  # basic | recommended
    rated: str  # auto | onsite
    levels: tuple[Level, ...]
    number: str | None = None
    chapter: str | None = None
    core: bool = False
    evidence: str = "optional"  # required | optional | none
    weight: float | None = None  # None: counts in grades only
    credit: tuple[float, ...] = ()  # share of the weight earned at each level, lowest first
    standard_ref: Standard | None = None
    groups: dict[str, str] = field(default_factory=dict, hash=False)

    @property
    def auto(self) -> bool:
        return self.rated == "auto"

    @cached_property
    def level_ids(self) -> tuple[str, ...]:
        return tuple(level.id for level in self.levels)

    def rank(self, level_id: str) -> int:
        """1 for the first (lowest) level, up to the number of levels."""
        return self.level_ids.index(level_id) + 1

    @property
    def credits(self) -> tuple[float, ...]:
        """The credit earned at each level, lowest first: as given, else 1 at the top and proportional below."""
        if self.credit:
            return self.credit
        count = len(self.levels)
        return tuple((rank + 1) / count for rank in range(count))


@dataclass(frozen=True)
class Selector:
    """Which clauses a grade requirement counts: every key given must match."""

    core: bool | None = None
    standard: str | None = None
    chapter: str | None = None
    ids: tuple[str, ...] = ()

    def matches(self, clause: Clause) -> bool:
        return (
            (self.core is None or clause.core == self.core)
            and (self.standard is None or clause.standard == self.standard)
            and (self.chapter is None or clause.chapter == self.chapter)
            and (not self.ids or clause.id in self.ids)
        )


@dataclass(frozen=True)
class Requirement:
    """Of the selected clauses that apply, at least `share` are rated at `level` or above."""

    clauses: Selector
    level: str
    share: float


@dataclass(frozen=True)
class Grade:
    id: str
    label: Text
    min_score: float | None = None
    must_meet: tuple[str, ...] = ()
    when: Expression | None = None
    requires: tuple[Requirement, ...] = ()


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
    chapters: tuple[Chapter, ...] = ()
    clauses: tuple[Clause, ...] = ()
    frameworks: tuple[Framework, ...] = ()
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
    def clause(self) -> dict[str, Clause]:
        return {clause.id: clause for clause in self.clauses}

    @cached_property
    def onsite_clauses(self) -> tuple[Clause, ...]:
        return tuple(clause for clause in self.clauses if not clause.auto)

    def selected(self, selector: Selector) -> tuple[Clause, ...]:
        """The clauses a requirement counts, in the instrument's order (worked out once per selector)."""
        return self.kept(("selected", selector), lambda: tuple(c for c in self.clauses if selector.matches(c)))

    def kept(self, key: Hashable, make: Callable[[], T]) -> T:
        """`make()`, worked out once and kept with the instrument under `key` (figures derived from it alone, such
        as a store's layout or the names of its items in one language)."""
        derived = self._derived
        if key not in derived:
            derived[key] = make()
        return derived[key]

    @cached_property
    def _derived(self) -> dict:
        return {}

    @cached_property
    def constraints_on(self) -> dict[str, tuple[str, ...]]:
        """For each item, the items whose constraint involves it (its own, or one naming it), in order."""
        found: dict[str, list[str]] = {item.id: [] for item in self.items}
        for other in self.items:
            if other.constraint is not None:
                for name in (other.id, *other.constraint.names):
                    if name in found and other.id not in found[name]:
                        found[name].append(other.id)
        return {name: tuple(others) for name, others in found.items()}

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

    def closure(self, names: Iterable[str]) -> set[str]:
        """`names` with everything they depend on."""
        seen: set[str] = set()
        stack = list(names)
        while stack:
            name = stack.pop()
            if name not in seen:
                seen.add(name)
                stack.extend(self.dependencies(name))
        return seen

    @cached_property
    def _position(self) -> dict[str, int]:
        return {name: place for place, name in enumerate(self.order)}

    @cached_property
    def _plans(self) -> dict[tuple[str, ...], tuple[str, ...]]:
        return {}

    def plan(self, names: Iterable[str]) -> tuple[str, ...]:
        """`names` and everything they depend on, each after its dependencies.

        Remembered per list of names, so evaluating a few names many times (as the gap
        search does) costs what those names need, not a walk over the whole instrument.
        """
        key = tuple(names)
        plan = self._plans.get(key)
        if plan is None:
            if len(self._plans) >= PLANS_KEPT:
                self._plans.clear()
            plan = tuple(sorted(self.closure(key), key=self._position.__getitem__))
            self._plans[key] = plan
        return plan

    @cached_property
    def _items_behind(self) -> dict[str, tuple[str, ...]]:
        """For every indicator, the items it reaches, built once in dependency order."""
        out: dict[str, tuple[str, ...]] = {}
        for name in self.order:
            if name in self.indicator:
                reached: dict[str, None] = {}
                for dep in self.indicator[name].formula.names:
                    reached.update(dict.fromkeys(out[dep] if dep in out else (dep,)))
                out[name] = tuple(reached)
        return out

    def items_behind(self, indicator_id: str) -> tuple[str, ...]:
        """The items an indicator's formula reaches, through other indicators, in order."""
        return self._items_behind[indicator_id]

    def is_numeric(self, indicator: Indicator) -> bool:
        return indicator.kind in (NUMBER, BOOLEAN)
