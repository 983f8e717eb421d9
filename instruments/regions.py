"""Regional figures for every indicator and clause at every level of the hierarchy.

For each region and indicator: centres reporting a value, centres meeting the
target, the share meeting it, mean and median of the values, and — for pooled
indicators — the formula evaluated over the region's summed items (Xixian's 18
centres, 1,116 professional-technical staff of 1,371, give 81.4%). The items
are summed over the centres whose indicator could be evaluated from answered
items (computed or not computable). For each region and clause: centres rated,
the number and share of them at each level and below the first (未达到), and
the centres where it is unrated or not applicable. Indicator figures are taken
region by region (a page shows a region and a page of regions below it), a
region holding every row reading the columns without a copy, and medians by
selection rather than sorting; clause counts are computed for all regions at
once over (centre, region) pairs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .evaluation import evaluate
from .expressions import MISSING, NOT_APPLICABLE, NOT_COMPUTABLE, OK, plain
from .model import Instrument
from .ratings import BELOW
from .scoring import Scores


@dataclass(frozen=True)
class RegionFigure:
    region: str
    indicator: str
    reporting: int
    meeting: int | None  # None: the indicator has no target
    share: float | None  # meeting / reporting
    mean: float | None
    median: float | None
    pooled: float | None  # None unless the indicator is pooled
    pooled_met: bool | None  # whether the pooled value meets the target


def membership(codes: Sequence[str], parent_of: Mapping[str, str | None]) -> dict[str, list[int]]:
    """Rows of the centres under each region, given each row's centre code and the tree."""
    out: dict[str, list[int]] = {}
    for row, code in enumerate(codes):
        seen = {code}
        parent = parent_of.get(code)
        while parent is not None and parent not in seen:
            seen.add(parent)
            out.setdefault(parent, []).append(row)
            parent = parent_of.get(parent)
    return out


@dataclass(frozen=True)
class ClauseFigure:
    region: str
    clause: str
    centres: int  # centres of the region
    rated: int  # rated at a level or below the first (未达到)
    levels: dict[str, int]  # centres at each level, lowest first, "below" first of all
    shares: dict[str, float | None]  # the same as shares of the centres rated
    unrated: int
    not_applicable: int


def _pairs(regions: Mapping[str, Sequence[int]]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Region names, and for every (centre, region) pair its region's place and its centre's row."""
    names = list(regions)
    group = np.concatenate([np.full(len(rows), g) for g, rows in enumerate(regions.values())] or [[]]).astype(int)
    rows = np.concatenate([np.asarray(r, dtype=int) for r in regions.values()] or [[]]).astype(int)
    return names, group, rows


def clause_regional(scores: Scores, regions: Mapping[str, Sequence[int]]) -> list[ClauseFigure]:
    """Figures for every region × clause, regions in the order given."""
    names, group, rows = _pairs(regions)
    size = len(names)
    centres = np.bincount(group, minlength=size).tolist()
    out: list[ClauseFigure] = []
    for clause in scores.instrument.clauses:
        column = scores.levels[clause.id]
        status, rank = column.status[rows], column.value[rows]
        rated = status == OK
        keys = (BELOW, *clause.level_ids)
        places = group[rated] * len(keys) + rank[rated].astype(int)
        counts = np.bincount(places, minlength=size * len(keys)).reshape(size, len(keys))
        rated_count = counts.sum(axis=1)
        with np.errstate(all="ignore"):
            shares = (counts / rated_count[:, None]).tolist()
        unrated = np.bincount(group[status == MISSING], minlength=size).tolist()
        not_applicable = np.bincount(group[status == NOT_APPLICABLE], minlength=size).tolist()
        for g, (region, count, total) in enumerate(zip(names, counts.tolist(), rated_count.tolist(), strict=True)):
            share = dict(zip(keys, shares[g], strict=True)) if total else dict.fromkeys(keys)
            figure = ClauseFigure(
                region,
                clause.id,
                centres[g],
                total,
                dict(zip(keys, count, strict=True)),
                share,
                unrated[g],
                not_applicable[g],
            )
            out.append(figure)
    return out


def regional(scores: Scores, regions: Mapping[str, Sequence[int]]) -> list[RegionFigure]:
    """Figures for every region × indicator, regions in the order given."""
    names = list(regions)
    parts = [_Rows(rows, scores.n) for rows in regions.values()]
    out: list[RegionFigure] = []
    instrument = scores.instrument
    for ind in instrument.indicators:
        if ind.formula.choices:  # a text indicator has no figures
            continue
        column = scores.env[ind.id]
        met = scores.met[ind.id] if ind.scored else None
        behind = instrument.items_behind(ind.id) if ind.pooled else ()
        sums = {item_id: np.zeros(len(parts)) for item_id in behind}
        counted = np.zeros(len(parts), dtype=bool)
        lines = []
        for g, part in enumerate(parts):
            status = part.take(column.status)
            ok = status == OK
            values = part.take(column.value)[ok]
            reporting = len(values)
            meeting = None if met is None else int(np.count_nonzero(part.take(met) == 1))
            if reporting:
                mean, middle = float(values.sum() / reporting), median(values)
                share = None if meeting is None else meeting / reporting
            else:
                mean = middle = share = None
            lines.append((reporting, meeting, share, mean, middle))
            if behind:  # the items summed over the centres whose indicator could be evaluated
                basis = ok | (status == NOT_COMPUTABLE)
                counted[g] = basis.any()
                for item_id in behind:
                    sums[item_id][g] = np.nansum(part.take(scores.env[item_id].value)[basis])
        pooled = _pooled(instrument, ind.id, sums, counted) if behind else None
        for g, (region, line) in enumerate(zip(names, lines, strict=True)):
            pooled_value = plain(pooled[g]) if pooled is not None else None
            met_pooled = None if pooled_value is None or ind.target is None else bool(ind.target.met(pooled_value))
            out.append(RegionFigure(region, ind.id, *line, pooled_value, met_pooled))
    return out


class _Rows:
    """A region's rows, taken from a column (the column itself when they are all its rows, in order)."""

    def __init__(self, rows: Sequence[int], n: int) -> None:
        self.rows = np.asarray(rows, dtype=int)
        self.every = len(self.rows) == n and (n == 0 or bool(np.all(self.rows == np.arange(n))))

    def take(self, column: np.ndarray) -> np.ndarray:
        return column if self.every else column[self.rows]


def group_medians(group: np.ndarray, values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The median of `values` in each group (`counts[g]` values carry label g; NaN for an empty group)."""
    ordered = values if _ascending(group) else values[np.argsort(group, kind="stable")]
    out = np.full(len(counts), np.nan)
    start = 0
    for g, count in enumerate(np.asarray(counts, dtype=int).tolist()):
        if count:
            out[g] = median(ordered[start : start + count])
        start += count
    return out


def median(values: np.ndarray) -> float:
    """The median of some values (none NaN): the middle one, or the mean of the middle two; by selection, not sort."""
    count = len(values)
    high = count // 2
    chosen = np.partition(values, high)
    if count % 2:
        return float(chosen[high])
    return float((chosen[:high].max() + chosen[high]) / 2)


def _ascending(labels: np.ndarray) -> bool:
    return bool(len(labels) < 2 or np.all(labels[1:] >= labels[:-1]))


def _pooled(instrument: Instrument, indicator_id: str, sums: dict[str, np.ndarray], counted: np.ndarray) -> np.ndarray:
    """A pooled indicator's formula over each region's summed items (NaN where none counted or not computable)."""
    column = evaluate(instrument, sums, [indicator_id], relevance=False)[indicator_id]
    return np.where(counted & (column.status == OK), column.value, np.nan)
