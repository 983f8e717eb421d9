"""Scoring: answers in, indicator values, credit, dimension scores, totals and grades out.

Everything is computed over columns (one numpy array per item, one element per
centre), so scoring one centre and scoring fifty thousand are the same code.

Semantics (the contract's): an indicator touching an unanswered item is
missing, one dividing by zero is not computable — both earn nothing but keep
their weight in the denominator; one touching an item that was not relevant is
not applicable and leaves the denominator. Total and dimension scores are
100 × credit / applicable weight, rounded to one decimal before grading and
ranking, so that the figure shown is the figure used.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .evaluation import columns, evaluate, met_target
from .expressions import (
    BOOLEAN,
    CHOICE,
    NOT_APPLICABLE,
    OK,
    STATUS_NAMES,
    TOLERANCE,
    round_half_up,
)
from .gaps import find_gaps
from .item_types import ITEM_TYPES
from .model import Instrument


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
class Scorecard:
    instrument: str
    version: str
    indicators: dict[str, IndicatorResult]
    dimensions: dict[str, float | None]
    total: float | None
    grade: str | None


class Scores:
    """The scores of many centres, column by column."""

    def __init__(self, instrument: Instrument, data: Mapping[str, np.ndarray]):
        self.instrument = instrument
        self.data = data
        self.env = evaluate(instrument, data)
        self.n = len(next(iter(self.env.values())).value) if self.env else 0
        self.met: dict[str, np.ndarray] = {}  # int8: 1 met, 0 not met, -1 no value
        self.points: dict[str, np.ndarray] = {}  # NaN where not applicable
        earned: dict[str | None, np.ndarray] = {}
        possible: dict[str | None, np.ndarray] = {}
        for ind in instrument.scored_indicators:
            column = self.env[ind.id]
            computed = column.status == OK
            met = met_target(instrument, ind.id, column)
            applicable = column.status != NOT_APPLICABLE
            with np.errstate(all="ignore"):
                credit = np.where(computed, ind.credit(column.value, met), 0.0)
            self.met[ind.id] = np.where(computed, met, -1).astype(np.int8)
            self.points[ind.id] = np.where(applicable, credit * ind.weight, np.nan)
            for key in {None, ind.dimension}:
                earned[key] = earned.get(key, 0.0) + np.where(applicable, credit * ind.weight, 0.0)
                possible[key] = possible.get(key, 0.0) + np.where(applicable, ind.weight, 0.0)
        raw = {d.id: _percent(earned.get(d.id), possible.get(d.id), self.n) for d in instrument.dimensions}
        if instrument.total == "mean_of_dimensions":
            total = _mean_of(list(raw.values()), self.n)
        else:
            total = _percent(earned.get(None), possible.get(None), self.n)
        self.dimensions = {d: round_half_up(v, 1) for d, v in raw.items()}
        self.total = round_half_up(total, 1)
        self.grade = self._grades()

    def _grades(self) -> np.ndarray:
        """Index into instrument.grades of the first grade each centre matches, else -1."""
        grade = np.full(self.n, -1, dtype=np.int16)
        for index, rule in enumerate(self.instrument.grades):
            matches = np.ones(self.n, dtype=bool)
            if rule.min_score is not None:
                matches &= self.total >= rule.min_score - TOLERANCE
            for name in rule.must_meet:
                matches &= self.met[name] == 1
            grade = np.where((grade < 0) & matches, index, grade)
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

    def card(self, row: int, gaps: bool = True) -> Scorecard:
        """One centre's scorecard, with the gap for each indicator it does not meet."""
        results = {}
        for ind in self.instrument.indicators:
            met = points = gap = None
            if ind.scored:
                met = {1: True, 0: False}.get(int(self.met[ind.id][row]))
                points = _number(self.points[ind.id][row])
                if met is False and gaps:
                    gap = find_gaps(self.instrument, self.data, ind.id, [row])[0]
            results[ind.id] = IndicatorResult(
                ind.id, self.value(ind.id, row), self.status(ind.id, row), met, points, ind.weight, gap
            )
        return Scorecard(
            self.instrument.id,
            self.instrument.version,
            results,
            {d: _number(v[row]) for d, v in self.dimensions.items()},
            _number(self.total[row]),
            self.grade_id(row),
        )


def _percent(earned, possible, n: int) -> np.ndarray:
    if possible is None:
        return np.full(n, np.nan)
    with np.errstate(all="ignore"):
        return np.where(possible > 0, 100.0 * earned / possible, np.nan)


def _mean_of(scores: list[np.ndarray], n: int) -> np.ndarray:
    if not scores:
        return np.full(n, np.nan)
    stacked = np.vstack(scores)
    present = ~np.isnan(stacked)
    count = present.sum(axis=0)
    with np.errstate(all="ignore"):
        return np.where(count > 0, np.where(present, stacked, 0.0).sum(axis=0) / count, np.nan)


def _number(value) -> float | None:
    value = float(value)
    return None if math.isnan(value) else value


def score_columns(instrument: Instrument, data: Mapping[str, np.ndarray]) -> Scores:
    """Score many centres given one float column per item (NaN where unanswered)."""
    return Scores(instrument, data)


def score_many(instrument: Instrument, answers: Sequence[Mapping[str, Any]]) -> Scores:
    """Score many centres given one answer dict per centre."""
    return Scores(instrument, columns(instrument, answers))


def score(instrument: Instrument, answers: Mapping[str, Any]) -> Scorecard:
    """Score one centre's answers."""
    return score_many(instrument, [answers]).card(0)
