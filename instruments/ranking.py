"""League-table ranking: highest total first, equal totals share a rank (1, 2, 2, 4)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def rank(totals: ArrayLike) -> np.ndarray:
    """Competition rank of each total; 0 where there is no total (NaN)."""
    totals = np.asarray(totals, dtype=float)
    present = ~np.isnan(totals)
    ordered = np.sort(totals[present])
    higher = len(ordered) - np.searchsorted(ordered, totals, side="right")
    return np.where(present, higher + 1, 0)
