"""Score 50,000 synthetic township health centres with the township instrument.

Prints the time of column-wise scoring (best of a few runs) and its ratio
against a straightforward per-centre loop — the same engine called once per
centre, as a server scoring each response on its own would — measured in the
same run on a sample and scaled to the full count. Also times the regional
figures for a province → city → county hierarchy and the ranking.

    .venv/bin/python bench/score.py [--centres 50000] [--loop-sample 1000]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import instruments
from instruments.library import bundled
from instruments.synthetic import township_columns


def timed(fn, repeat: int = 1) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--centres", type=int, default=50_000)
    parser.add_argument("--loop-sample", type=int, default=1_000)
    args = parser.parse_args()

    instrument = bundled()["township-health-centre"]
    data = township_columns(args.centres, seed=2025)
    print(
        f"instrument {instrument.id} {instrument.version}: {len(instrument.items)} items, "
        f"{len(instrument.indicators)} indicators ({len(instrument.scored_indicators)} scored)"
    )

    column_time, scores = timed(lambda: instruments.score_columns(instrument, data), repeat=5)

    sample = min(args.loop_sample, args.centres)

    def loop():
        for row in range(sample):
            instruments.score_columns(instrument, {k: v[row : row + 1] for k, v in data.items()})

    loop_time, _ = timed(loop)
    loop_full = loop_time / sample * args.centres

    codes = [f"c{i}" for i in range(args.centres)]
    parents = {code: f"county{i % 2_800}" for i, code in enumerate(codes)}
    parents.update({f"county{k}": f"city{k % 330}" for k in range(2_800)})
    parents.update({f"city{k}": f"province{k % 31}" for k in range(330)})
    regions = instruments.membership(codes, parents)
    region_time, figures = timed(lambda: instruments.regional(scores, regions))
    rank_time, ranks = timed(lambda: instruments.rank(scores.total), repeat=5)

    grades = {g.id: int((scores.grade == i).sum()) for i, g in enumerate(instrument.grades)}
    print(f"centres: {args.centres:,}; total score median {statistics.median(scores.total):.1f}; "
          f"grades {grades}")  # fmt: skip
    rate = args.centres / column_time
    print(f"score by columns:        {column_time:8.3f} s  ({rate:,.0f} centres/s)")
    print(f"per-centre loop:         {loop_full:8.3f} s  (timed on {sample:,} centres, scaled)")
    print(f"ratio loop / columns:    {loop_full / column_time:8.1f} x")
    print(f"regional figures:        {region_time:8.3f} s  ({len(regions):,} regions, "
          f"{len(figures):,} region x indicator rows)")  # fmt: skip
    print(f"ranking:                 {rank_time:8.3f} s  (top total {np.nanmax(scores.total)}, "
          f"{int((ranks == 1).sum())} centre(s) ranked 1)")  # fmt: skip


if __name__ == "__main__":
    main()
