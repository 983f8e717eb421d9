"""Data quality of a round: every failed check and every outlier, worked out over columns.

Four kinds of flag, each found for all centres in scope at once (numpy over the
round's columns, one boolean per centre and item or indicator):

    constraint  an answered item breaks its constraint
    required    a required item that is asked is unanswered on a submitted or approved response
    median      a value far from its county's median in the same round
    change      a value that moved a lot since the centre's previous round on the same instrument

Values are those scored: a verified value replaces the reported one. Failed
targets are not data problems and are counted apart (`failed_targets`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from sqlite_utils import Database

from instruments import Instrument, broken_constraints, evaluate, unanswered_required
from instruments.expressions import NUMBER, OK, plain
from instruments.item_types import ITEM_TYPES
from instruments.regions import group_medians

from .lifecycle import LOCKED
from .orgs import all_units, ancestor_at
from .responses import round_columns
from .rounds import Round, previous_round, round_instrument
from .scores import RoundScores, round_scores

KINDS = ("constraint", "required", "median", "change")

# Far from the county median: more than MEDIAN_FACTOR times it, or less than
# 1/MEDIAN_FACTOR of it, where at least MEDIAN_MIN_REPORTING centres of the
# county report the value (a median of two says little) and the median is
# above zero (a ratio to zero means nothing).
MEDIAN_FACTOR = 3.0
MEDIAN_MIN_REPORTING = 3

# A large change from the previous round: by more than CHANGE_SHARE of the
# previous value AND by more than a small absolute amount, so that a count of 1
# becoming 2 (+100%) is not flagged while 10 staff becoming 4 is. The amount is
# in the value's own unit: 2 of a counted item (persons, beds, visits), 5
# percentage points of a percent indicator, 0.5 of a ratio such as GPs per
# 10,000 residents or nurses per physician.
CHANGE_SHARE = 0.30
CHANGE_FLOOR = {"item": 2.0, "percent": 0.05, "integer": 2.0, "number": 0.5}


@dataclass(frozen=True)
class Flag:
    """One problem of one centre's item or indicator (`name`)."""

    org_code: str
    name: str
    kind: str  # one of KINDS
    value: float | None  # the value checked (None for a required item left empty)
    reference: float | None  # the county median, or the previous round's value


@dataclass
class Quality:
    """The flags of a round's centres in scope, with their scores (row i of `scores` is centre i)."""

    scores: RoundScores
    counties: list[str]  # each row's county code ('' when it has none)
    flags: list[Flag]  # by centre, then kind, then instrument order
    previous: Round | None

    @cached_property
    def by_centre(self) -> dict[str, list[Flag]]:
        """Each flagged centre's flags."""
        out: dict[str, list[Flag]] = {}
        for flag in self.flags:
            out.setdefault(flag.org_code, []).append(flag)
        return out

    @cached_property
    def totals(self) -> Counter:
        """How many flags of each kind."""
        return Counter(flag.kind for flag in self.flags)

    @cached_property
    def failed_targets(self) -> np.ndarray:
        """For each row, how many scored indicators were computed and fall short of their target."""
        met = self.scores.scores.met
        if not met:
            return np.zeros(len(self.scores.centres), dtype=int)
        return np.sum([column == 0 for column in met.values()], axis=0)

    def count_by(self, key: str) -> list[tuple[str, Counter]]:
        """Flag counts by kind for each org code or name (`key`), most flagged first."""
        counts: dict[str, Counter] = {}
        for flag in self.flags:
            counts.setdefault(getattr(flag, key), Counter())[flag.kind] += 1
        return sorted(counts.items(), key=lambda pair: (-pair[1].total(), pair[0]))


def numeric_names(instrument: Instrument) -> list[str]:
    """The items and indicators whose values are quantities: counts, areas, shares, ratios."""
    items = [item.id for item in instrument.items if ITEM_TYPES[item.type].quantity]
    return items + [ind.id for ind in instrument.indicators if ind.kind == NUMBER]


def check_round(db: Database, round_: Round, scope_code: str | None = None) -> Quality:
    """Every failed check and outlier of the round's responses within `scope_code` (the round's scope by default)."""
    result = round_scores(db, round_, scope_code)
    instrument, env = result.instrument, result.scores.env
    units = all_units(db)
    counties = [_county(units, centre["code"]) for centre in result.centres]
    submitted = np.array([r.status in LOCKED for r in result.responses], dtype=bool)  # a draft may be incomplete
    values = {name: _values(env, name) for name in numeric_names(instrument)}
    previous = previous_round(db, round_)
    before = _before(db, previous, [c["code"] for c in result.centres], values) if previous else {}
    found: dict[str, dict[str, tuple[np.ndarray, np.ndarray | None, np.ndarray | None]]] = {
        "constraint": {
            name: (mask, env[name].value, None) for name, mask in broken_constraints(instrument, env).items()
        },
        "required": {
            name: (mask & submitted, None, None) for name, mask in unanswered_required(instrument, env).items()
        },
        "median": _far_from_median(values, counties),
        "change": _changed(instrument, values, before),
    }
    order = {name: index for index, name in enumerate(instrument.order)}
    cells = []  # (row, kind, name order, flag)
    for k, kind in enumerate(KINDS):
        for name, (mask, value, reference) in found[kind].items():
            for row in np.flatnonzero(mask):
                flag = Flag(result.centres[row]["code"], name, kind, _number(value, row), _number(reference, row))
                cells.append((row, k, order.get(name, 0), flag))
    cells.sort(key=lambda cell: cell[:3])
    return Quality(result, counties, [cell[3] for cell in cells], previous)


def _county(units: dict, code: str) -> str:
    """The code of a centre's county, or of its parent when it has no county above it."""
    county = ancestor_at(units, code, "county")
    if county is not None:
        return county.code
    return units[code].parent_code or ""


def _values(env: dict, name: str) -> np.ndarray:
    """A name's computed values, NaN wherever it has none."""
    column = env[name]
    return np.where(column.status == OK, column.value, np.nan).astype(float)


def _far_from_median(values: dict[str, np.ndarray], counties: list[str]) -> dict:
    """For each name, where a value is far from its county's median, the value and that median."""
    labels, group = np.unique(np.asarray(counties, dtype=object).astype(str), return_inverse=True)
    group = group.astype(int).reshape(-1)
    out = {}
    for name, value in values.items():
        ok = ~np.isnan(value)
        counts = np.bincount(group[ok], minlength=len(labels))
        medians = group_medians(group[ok], value[ok], counts)
        median, reporting = medians[group], counts[group]
        with np.errstate(invalid="ignore"):
            far = (value > MEDIAN_FACTOR * median) | (value < median / MEDIAN_FACTOR)
        mask = ok & (reporting >= MEDIAN_MIN_REPORTING) & (median > 0) & far
        out[name] = (mask, value, median)
    return out


def _before(db: Database, previous: Round, codes: list[str], names) -> dict[str, np.ndarray]:
    """The same centres' values of the same items and indicators in the previous round."""
    instrument = round_instrument(db, previous)
    env = evaluate(instrument, round_columns(db, previous, instrument, codes))
    kept = set(numeric_names(instrument))
    return {name: _values(env, name) for name in names if name in kept}


def _changed(instrument: Instrument, values: dict[str, np.ndarray], before: dict[str, np.ndarray]) -> dict:
    """For each name, where it moved by more than CHANGE_SHARE and its floor since the previous round."""
    out = {}
    for name, value in values.items():
        if name not in before:
            continue
        previous = before[name]
        floor = CHANGE_FLOOR["item"] if name in instrument.item else CHANGE_FLOOR[instrument.indicator[name].format]
        with np.errstate(invalid="ignore"):
            moved = np.abs(value - previous)
            mask = np.isfinite(moved) & (moved > floor) & (moved > CHANGE_SHARE * np.abs(previous))
        out[name] = (mask, value, previous)
    return out


def _number(column: np.ndarray | None, row: int) -> float | None:
    return None if column is None else plain(column[row])
