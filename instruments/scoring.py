"""Scoring: answers in; indicator values, clause levels, credit, scores by group, totals and grades out.

Everything is computed over columns (one numpy array per item or clause, one
element per centre), so scoring one centre and scoring fifty thousand are the
same code.

Semantics (the contract's): an indicator touching an unanswered item is
missing, one dividing by zero is not computable — both earn nothing but keep
their weight in the denominator; one touching an item that was not relevant is
not applicable and leaves the denominator. A weighted clause earns its credit
at the level reached the same way (unrated earns nothing, not applicable
leaves). Total, dimension, chapter and framework group scores are each 100 ×
credit / applicable weight of their members, rounded to one decimal before
grading and ranking, so that the figure shown is the figure used. A grade
matches when its `when` holds, the total reaches its min_score, its must_meet
indicators meet their targets and its clause requirements hold (`clauses`);
the first match from the top wins.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from .clauses import RequirementColumns, clause_credit, clause_levels, clause_status, requirements_by_grade
from .evaluation import columns, evaluate, met_target
from .expressions import (
    BOOLEAN,
    CHOICE,
    NOT_APPLICABLE,
    OK,
    STATUS_NAMES,
    TOLERANCE,
    Column,
    plain,
    round_half_up,
)
from .gaps import find_gaps
from .grade_gaps import GradeGap, next_grade
from .item_types import ITEM_TYPES
from .model import Instrument

TOTAL = "total"  # the tally key of the total; other keys are (kind, id) or ("group", framework, group)


@dataclass(frozen=True)
class IndicatorResult:
    id: str
    value: float | bool | str | None
    status: str  # ok | missing | not_computable | not_applicable
    met: bool | None  # None: not scored, or no value to judge
    points: float | None  # None: not scored or not applicable
    weight: float
    gap: Any = None  # gaps.Gap for a scored indicator that was computed and not met


@dataclass(frozen=True)
class ClauseResult:
    id: str
    level: str | None  # the level reached; None when below, unrated or not applicable
    status: str  # reached | below | unrated | not_applicable
    points: float | None  # None: not weighted, or not applicable
    weight: float | None


@dataclass(frozen=True)
class RequirementResult:
    """One requirement of a grade for one centre: of `counted` applicable clauses, `reached` reach the level."""

    grade: str
    level: str
    needed: float  # the share required
    counted: int
    reached: int
    share: float | None  # None when no selected clause applies
    met: bool


@dataclass(frozen=True)
class Scorecard:
    instrument: str
    version: str
    indicators: dict[str, IndicatorResult]
    dimensions: dict[str, float | None]
    total: float | None
    grade: str | None
    clauses: dict[str, ClauseResult] = field(default_factory=dict)
    chapters: dict[str, float | None] = field(default_factory=dict)
    frameworks: dict[str, dict[str, float | None]] = field(default_factory=dict)  # framework -> group -> score
    requirements: dict[str, tuple[RequirementResult, ...]] = field(default_factory=dict)  # by grade id
    next_grade: GradeGap | None = None  # what the next grade up still needs


class Scores:
    """The scores of many centres, column by column."""

    def __init__(
        self, instrument: Instrument, data: Mapping[str, np.ndarray], env: Mapping[str, Column] | None = None
    ) -> None:
        """Score the columns `data`; `env` is their evaluation when the caller has it already."""
        self.instrument = instrument
        self.data = data
        self.env = dict(env) if env is not None else evaluate(instrument, data)
        self.n = len(next(iter(self.env.values())).value) if self.env else 0
        self.met: dict[str, np.ndarray] = {}  # int8: 1 met, 0 not met, -1 no value
        self.points: dict[str, np.ndarray] = {}  # NaN where not applicable
        tally = _Tally()
        for ind in instrument.scored_indicators:
            column = self.env[ind.id]
            computed = column.status == OK
            met = met_target(instrument, ind.id, column)
            applicable = column.status != NOT_APPLICABLE
            with np.errstate(all="ignore"):
                credit = np.where(computed, ind.credit(column.value, met), 0.0)
            self.met[ind.id] = np.where(computed, met, -1).astype(np.int8)
            self.points[ind.id] = np.where(applicable, credit * ind.weight, np.nan)
            keys = [TOTAL, *([("dimension", ind.dimension)] if ind.dimension else []), *_group_keys(ind.groups)]
            tally.add(keys, credit * ind.weight, ind.weight, applicable)
        self.levels: dict[str, Column] = clause_levels(instrument, self.env, data, self.n)
        self.clause_points: dict[str, np.ndarray] = {}  # weighted clauses only; NaN where not applicable
        for clause in instrument.clauses:
            if clause.weight is None:
                continue
            points = clause_credit(clause, self.levels[clause.id]) * clause.weight
            self.clause_points[clause.id] = points
            keys = [TOTAL, *([("chapter", clause.chapter)] if clause.chapter else []), *_group_keys(clause.groups)]
            tally.add(keys, points, clause.weight, ~np.isnan(points))
        raw = {d.id: tally.percent(("dimension", d.id), self.n) for d in instrument.dimensions}
        if instrument.total == "mean_of_dimensions":
            total = _mean_of(list(raw.values()), self.n)
        else:
            total = tally.percent(TOTAL, self.n)
        self.dimensions = {d: round_half_up(v, 1) for d, v in raw.items()}
        self.chapters = {c.id: round_half_up(tally.percent(("chapter", c.id), self.n), 1) for c in instrument.chapters}
        self.frameworks = {
            f.id: {g.id: round_half_up(tally.percent(("group", f.id, g.id), self.n), 1) for g in f.groups}
            for f in instrument.frameworks
        }
        self.total = round_half_up(total, 1)
        self.requirements: dict[str, list[RequirementColumns]] = requirements_by_grade(instrument, self.levels, self.n)
        self.grade = self._grades()

    def grade_matches(self, index: int) -> np.ndarray:
        """Where the grade at `index` matches, whether or not a grade above it matches too."""
        rule = self.instrument.grades[index]
        matches = self.when(index).copy()
        if rule.min_score is not None:
            matches &= self.total >= rule.min_score - TOLERANCE
        for name in rule.must_meet:
            matches &= self.met[name] == 1
        for requirement in self.requirements[rule.id]:
            matches &= requirement.met
        return matches

    def when(self, index: int) -> np.ndarray:
        """Where the `when` of the grade at `index` holds (everywhere when it has none)."""
        return self._whens[index]

    @cached_property
    def _whens(self) -> list[np.ndarray]:
        out = []
        for rule in self.instrument.grades:
            if rule.when is None:
                out.append(np.ones(self.n, dtype=bool))
                continue
            with np.errstate(all="ignore"):
                column = rule.when.evaluate(self.env)
            out.append(np.broadcast_to((column.status == OK) & (column.value != 0), (self.n,)).copy())
        return out

    def _grades(self) -> np.ndarray:
        """Index into instrument.grades of the first grade each centre matches, else -1."""
        grade = np.full(self.n, -1, dtype=np.int16)
        for index in range(len(self.instrument.grades)):
            grade = np.where((grade < 0) & self.grade_matches(index), index, grade)
        return grade

    def grade_id(self, row: int) -> str | None:
        index = int(self.grade[row])
        return self.instrument.grades[index].id if index >= 0 else None

    def status(self, name: str, row: int) -> str:
        """ok, missing, not_computable or not_applicable."""
        return STATUS_NAMES[int(self.env[name].status[row])]

    def value(self, name: str, row: int) -> float | bool | str | None:
        """The value of an item or indicator for one centre, as a person reads it."""
        column = self.env[name]
        if column.status[row] != OK:
            return None
        number = float(column.value[row])
        kind = (
            self.instrument.indicator[name].kind
            if name in self.instrument.indicator
            else ITEM_TYPES[self.instrument.item[name].type].kind
        )
        if kind == BOOLEAN:
            return number != 0
        if kind == CHOICE:
            choices = (
                self.instrument.indicator[name].formula.choices
                if name in self.instrument.indicator
                else self.instrument.item[name].choice_values
            )
            return choices[int(number)]
        return number

    def clause(self, clause_id: str, row: int) -> ClauseResult:
        """One clause's level, status and points for one centre."""
        clause = self.instrument.clause[clause_id]
        column = self.levels[clause_id]
        status = clause_status(column, row)
        level = clause.level_ids[int(column.value[row]) - 1] if status == "reached" else None
        points = plain(self.clause_points[clause_id][row]) if clause_id in self.clause_points else None
        return ClauseResult(clause_id, level, status, points, clause.weight)

    def requirement_results(self, row: int) -> dict[str, tuple[RequirementResult, ...]]:
        """Each grade's requirements for one centre."""
        return {
            grade: tuple(
                RequirementResult(
                    grade,
                    r.requirement.level,
                    r.requirement.share,
                    int(r.counted[row]),
                    int(r.reached[row]),
                    plain(r.share[row]),
                    bool(r.met[row]),
                )
                for r in requirements
            )
            for grade, requirements in self.requirements.items()
        }

    def card(self, row: int, gaps: bool = True) -> Scorecard:
        """One centre's scorecard, with the gap for each indicator it does not meet and to the next grade."""
        results = {}
        for ind in self.instrument.indicators:
            met = points = gap = None
            if ind.scored:
                met = {1: True, 0: False}.get(int(self.met[ind.id][row]))
                points = plain(self.points[ind.id][row])
                if met is False and gaps:
                    gap = find_gaps(self.instrument, self.data, ind.id, [row])[0]
            results[ind.id] = IndicatorResult(
                ind.id, self.value(ind.id, row), self.status(ind.id, row), met, points, ind.weight, gap
            )
        return Scorecard(
            self.instrument.id,
            self.instrument.version,
            results,
            {d: plain(v[row]) for d, v in self.dimensions.items()},
            plain(self.total[row]),
            self.grade_id(row),
            {clause.id: self.clause(clause.id, row) for clause in self.instrument.clauses},
            {c: plain(v[row]) for c, v in self.chapters.items()},
            {f: {g: plain(v[row]) for g, v in groups.items()} for f, groups in self.frameworks.items()},
            self.requirement_results(row),
            next_grade(self, row) if gaps else None,
        )


class _Tally:
    """Credit earned and weight possible, summed per key (the total, a dimension, a chapter, a group)."""

    def __init__(self) -> None:
        self.earned: dict[Any, np.ndarray] = {}
        self.possible: dict[Any, np.ndarray] = {}

    def add(self, keys: list[Any], points: np.ndarray, weight: float, applicable: np.ndarray) -> None:
        """Add one member's points and weight where it applies under each of `keys`."""
        earned, possible = np.where(applicable, points, 0.0), applicable * float(weight)
        for key in keys:
            if key in self.earned:
                self.earned[key] += earned
                self.possible[key] += possible
            else:
                self.earned[key], self.possible[key] = earned.copy(), possible.copy()

    def percent(self, key: Any, n: int) -> np.ndarray:
        """100 × earned / possible for `key` (NaN where nothing applies)."""
        if key not in self.possible:
            return np.full(n, np.nan)
        earned, possible = self.earned[key], self.possible[key]
        with np.errstate(all="ignore"):
            return np.where(possible > 0, 100.0 * earned / possible, np.nan)


def _group_keys(groups: Mapping[str, str]) -> list[tuple[str, str, str]]:
    return [("group", framework, group) for framework, group in groups.items()]


def _mean_of(scores: list[np.ndarray], n: int) -> np.ndarray:
    if not scores:
        return np.full(n, np.nan)
    stacked = np.vstack(scores)
    present = ~np.isnan(stacked)
    count = present.sum(axis=0)
    with np.errstate(all="ignore"):
        return np.where(count > 0, np.where(present, stacked, 0.0).sum(axis=0) / count, np.nan)


def score_columns(instrument: Instrument, data: Mapping[str, np.ndarray]) -> Scores:
    """Score many centres given one float column per item (NaN where unanswered)."""
    return Scores(instrument, data)


def score_many(instrument: Instrument, answers: Sequence[Mapping[str, Any]]) -> Scores:
    """Score many centres given one answer dict per centre."""
    return Scores(instrument, columns(instrument, answers))


def score(instrument: Instrument, answers: Mapping[str, Any]) -> Scorecard:
    """Score one centre's answers."""
    return score_many(instrument, [answers]).card(0)
