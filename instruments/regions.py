"""Regional figures for every indicator and clause at every level of the hierarchy.

For each region and indicator: centres reporting a value, centres meeting the
target, the share meeting it, mean and median of the values, and — for pooled
indicators — the formula evaluated over the region's summed items (Xixian's 18
centres, 1,116 professional-technical staff of 1,371, give 81.4%). The items
are summed over the centres whose indicator could be evaluated from answered
items (computed or not computable). For each region and clause: centres rated,
the number and share of them at each level and below the first (未达到), and
the centres where it is unrated or not applicable. All regions are computed at
once over (centre, region) pairs, so the work grows with centres × depth, not
regions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .evaluation import evaluate
from .expressions import MISSING, NOT_APPLICABLE, NOT_COMPUTABLE, OK, plain
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
                region, clause.id, centres[g], total, dict(zip(keys, count, strict=True)), share, unrated[g],
                not_applicable[g],
            )  # fmt: skip
            out.append(figure)
    return out


def regional(scores: Scores, regions: Mapping[str, Sequence[int]]) -> list[RegionFigure]:
    """Figures for every region × indicator, regions in the order given."""
    names, group, rows = _pairs(regions)
    size = len(names)
    out: list[RegionFigure] = []
    instrument = scores.instrument
    for ind in instrument.indicators:
        if ind.formula.choices:  # a text indicator has no figures
            continue
        column = scores.env[ind.id]
        status = column.status[rows]
        ok = status == OK
        reporting = np.bincount(group[ok], minlength=size)
        values = column.value[rows][ok]
        with np.errstate(all="ignore"):
            mean = np.bincount(group[ok], weights=values, minlength=size) / reporting
        median = group_medians(group[ok], values, reporting)
        meeting = share = None
        if ind.scored:
            met = scores.met[ind.id][rows] == 1
            meeting = np.bincount(group[met], minlength=size)
            with np.errstate(all="ignore"):
                share = meeting / reporting
        pooled = _pooled(scores, ind.id, group, rows, status, size) if ind.pooled else None
        for g, region in enumerate(names):
            has = reporting[g] > 0
            pooled_value = plain(pooled[g]) if pooled is not None else None
            out.append(
                RegionFigure(
                    region,
                    ind.id,
                    int(reporting[g]),
                    None if meeting is None else int(meeting[g]),
                    float(share[g]) if share is not None and has else None,
                    float(mean[g]) if has else None,
                    float(median[g]) if has else None,
                    pooled_value,
                    None if pooled_value is None or ind.target is None else bool(ind.target.met(pooled_value)),
                )
            )
    return out


def group_medians(group: np.ndarray, values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The median of `values` in each group (`counts[g]` values carry label g; NaN for an empty group)."""
    order = np.lexsort((values, group))
    ordered = values[order]
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(int)
    low = starts + np.maximum(counts - 1, 0) // 2
    high = starts + counts // 2
    if len(ordered) == 0:
        return np.full(len(counts), np.nan)
    low, high = np.minimum(low, len(ordered) - 1), np.minimum(high, len(ordered) - 1)
    return np.where(counts > 0, (ordered[low] + ordered[high]) / 2, np.nan)


def _pooled(
    scores: Scores, indicator_id: str, group: np.ndarray, rows: np.ndarray, status: np.ndarray, size: int
) -> np.ndarray:
    instrument = scores.instrument
    basis = (status == OK) | (status == NOT_COMPUTABLE)
    sums = {}
    for item_id in instrument.items_behind(indicator_id):
        values = np.nan_to_num(scores.env[item_id].value[rows][basis])
        sums[item_id] = np.bincount(group[basis], weights=values, minlength=size)
    column = evaluate(instrument, sums, [indicator_id], relevance=False)[indicator_id]
    counted = np.bincount(group[basis], minlength=size) > 0
    return np.where(counted & (column.status == OK), column.value, np.nan)
