"""League-table ranking: highest total first, equal totals share a rank (1, 2, 2, 4)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike


def rank(totals: ArrayLike) -> np.ndarray:
    """Competition rank of each total; 0 where there is no total (NaN)."""
    totals = np.asarray(totals, dtype=float)
    present = ~np.isnan(totals)
    ordered = np.sort(totals[present])
    higher = len(ordered) - np.searchsorted(ordered, totals, side="right")
    return np.where(present, higher + 1, 0)


def rank_within(totals: Sequence[float] | np.ndarray, groups: Sequence[str]) -> np.ndarray:
    """Competition rank of each total among the totals of its own group (a county, say); 0 where there is none."""
    totals = np.asarray(totals, dtype=float)
    names, group_of = np.unique(np.asarray(groups, dtype=object).astype(str), return_inverse=True)
    ranks = np.zeros(len(totals), dtype=int)
    for group in range(len(names)):
        rows = np.flatnonzero(group_of == group)
        ranks[rows] = rank(totals[rows])
    return ranks
