"""Clauses by columns: each clause's level for many centres, the points of weighted ones, and the shares grades require.

A clause's column is an expressions.Column: `value` is the rank of the level
reached (1 for the first level up to the number of levels, 0 below the first
level, 未达到) where `status` is OK; `status` is MISSING where the clause is
unrated (未评级) and NOT_APPLICABLE where it does not apply (不适用).

- An auto clause walks up its levels, lowest first: it reaches a level while
  that level's `when` holds, and stops at the first that does not (so a level
  counts only together with every level below it). The first `when` that cannot
  be decided decides instead: one touching an unanswered item leaves the clause
  unrated, one touching a non-relevant item makes it not applicable. A `when`
  that is not computable (a division by zero) does not hold.
- An onsite clause takes its column from the answers (see `ratings`: the rank,
  0 below, NaN unrated, -1 not applicable).
- A requirement counts, per centre, the selected clauses that apply and, of
  those, the ones rated at or above its level (each clause's own rank of that
  level); unrated counts as not reached. With none applying, it holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .expressions import MISSING, NOT_APPLICABLE, OK, TOLERANCE, Column
from .model import Clause, Instrument, Requirement
from .ratings import NOT_APPLICABLE_NUMBER

STATUSES = ("reached", "below", "unrated", "not_applicable")  # a clause's status for one centre


def clause_levels(
    instrument: Instrument, env: Mapping[str, Column], data: Mapping[str, np.ndarray], n: int
) -> dict[str, Column]:
    """Every clause's column, from the evaluated answers (auto) or the ratings in `data` (onsite)."""
    return {
        clause.id: _auto(clause, env, n) if clause.auto else _onsite(data.get(clause.id), n)
        for clause in instrument.clauses
    }


def _auto(clause: Clause, env: Mapping[str, Column], n: int) -> Column:
    rank = np.zeros(n)
    status = np.full(n, OK, dtype=np.uint8)
    open_ = np.ones(n, dtype=bool)  # still walking up
    with np.errstate(all="ignore"):
        for number, level in enumerate(clause.levels, start=1):
            value, state = level.when.evaluate(env)
            value, state = np.broadcast_to(value, (n,)), np.broadcast_to(state, (n,))
            undecided = open_ & ((state == MISSING) | (state == NOT_APPLICABLE))
            if undecided.any():
                status[undecided] = state[undecided]
            open_ &= (state == OK) & (value != 0)
            rank[open_] = number
            if not open_.any():
                break
    rank[status != OK] = np.nan
    return Column(rank, status)


def _onsite(ratings: np.ndarray | None, n: int) -> Column:
    if ratings is None:
        return Column(np.full(n, np.nan), np.full(n, MISSING, dtype=np.uint8))
    ratings = np.broadcast_to(np.asarray(ratings, dtype=float), (n,))
    status = np.full(n, OK, dtype=np.uint8)
    status[np.isnan(ratings)] = MISSING
    not_applicable = ratings == NOT_APPLICABLE_NUMBER
    status[not_applicable] = NOT_APPLICABLE
    return Column(np.where(not_applicable, np.nan, ratings), status)


def clause_status(column: Column, row: int) -> str:
    """reached, below, unrated or not_applicable."""
    state = int(column.status[row])
    if state == MISSING:
        return "unrated"
    if state == NOT_APPLICABLE:
        return "not_applicable"
    return "reached" if column.value[row] >= 1 else "below"


def clause_credit(clause: Clause, column: Column) -> np.ndarray:
    """The share of the clause's weight earned (0 below its first level or unrated; NaN where not applicable)."""
    table = np.array([0.0, *clause.credits])
    rank = np.where(column.status == OK, column.value, 0.0).astype(int)
    return np.where(column.status == NOT_APPLICABLE, np.nan, table[rank])


@dataclass(frozen=True)
class RequirementColumns:
    """A grade requirement for many centres: clauses that apply, clauses reaching the level, the share, whether met."""

    requirement: Requirement
    counted: np.ndarray  # selected clauses that apply
    reached: np.ndarray  # of those, rated at or above the level
    share: np.ndarray  # reached / counted (NaN when none apply)
    met: np.ndarray


def requirements_by_grade(
    instrument: Instrument, levels: Mapping[str, Column], n: int
) -> dict[str, list[RequirementColumns]]:
    """Every grade's requirements counted per centre, from one matrix of the clauses' levels."""
    table = _LevelTable(instrument, levels, n)
    return {grade.id: [table.count(requirement) for requirement in grade.requires] for grade in instrument.grades}


class _LevelTable:
    """The clauses' levels side by side (a row per centre, a column per clause in the instrument's order)."""

    def __init__(self, instrument: Instrument, levels: Mapping[str, Column], n: int) -> None:
        self.instrument = instrument
        self.place = {clause.id: k for k, clause in enumerate(instrument.clauses)}
        clauses = instrument.clauses
        self.value = np.empty((n, len(clauses)))
        self.status = np.empty((n, len(clauses)), dtype=np.uint8)
        for k, clause in enumerate(clauses):
            self.value[:, k] = levels[clause.id].value
            self.status[:, k] = levels[clause.id].status

    def count(self, requirement: Requirement) -> RequirementColumns:
        chosen = self.instrument.selected(requirement.clauses)
        columns = [self.place[clause.id] for clause in chosen]
        lowest = np.array([clause.rank(requirement.level) for clause in chosen], dtype=float)
        status, value = self.status[:, columns], self.value[:, columns]
        counted = (status != NOT_APPLICABLE).sum(axis=1, dtype=np.int32)
        with np.errstate(invalid="ignore"):
            reached = ((status == OK) & (value >= lowest)).sum(axis=1, dtype=np.int32)
            share = np.where(counted > 0, reached / np.maximum(counted, 1), np.nan)
        met = (counted == 0) | (share >= requirement.share - TOLERANCE)
        return RequirementColumns(requirement, counted, reached, share, met)


def needed(requirement: Requirement, reached: int, counted: int) -> int:
    """The fewest more clauses that must reach the level for the requirement to hold."""
    wanted = int(np.ceil(requirement.share * counted - TOLERANCE * max(1, counted)))
    return max(0, wanted - reached)
