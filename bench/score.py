"""Score 50,000 synthetic township health centres with the township instrument.

Prints the time of column-wise scoring (best of a few runs) and its ratio
against a straightforward per-centre loop — the same engine called once per
centre, as a server scoring each response on its own would — measured in the
same run on a sample and scaled to the full count. Also times the regional
figures for a province → city → county hierarchy and the ranking.

Then the same centres are scored with the township instrument grown into a
clause-based standard (150 clauses, 40% rated from the answers, the rest rated
on site, with chapters, a framework and grades by shares of clauses), and the
time is set against the indicator-only scoring of the same run; the regional
clause figures and one scorecard with its gap to the next grade are timed too.

    .venv/bin/python bench/score.py [--centres 50000] [--loop-sample 1000] [--clauses 150]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import instruments
from instruments.library import bundled, paths
from instruments.loader import parse
from instruments.synthetic import clause_ratings, township_columns, with_clauses


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
    parser.add_argument("--clauses", type=int, default=150)
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
    print(f"centres: {args.centres:,}; total score median {statistics.median(scores.total):.1f}; grades {grades}")
    rate = args.centres / column_time
    print(f"score by columns:        {column_time:8.3f} s  ({rate:,.0f} centres/s)")
    print(f"per-centre loop:         {loop_full:8.3f} s  (timed on {sample:,} centres, scaled)")
    print(f"ratio loop / columns:    {loop_full / column_time:8.1f} x")
    print(
        f"regional figures:        {region_time:8.3f} s  ({len(regions):,} regions, "
        f"{len(figures):,} region x indicator rows)"
    )
    print(
        f"ranking:                 {rank_time:8.3f} s  (top total {np.nanmax(scores.total)}, "
        f"{int((ranks == 1).sum())} centre(s) ranked 1)"
    )
    clauses(args, instrument, data, column_time, regions)


def clauses(args: argparse.Namespace, township: instruments.Instrument, data: dict, baseline: float, regions) -> None:
    """The same centres scored with clauses as well as indicators."""
    document = with_clauses(parse(paths()[township.id].read_text(encoding="utf-8")), args.clauses)
    instrument = instruments.load_data(document)
    rated = {**data, **clause_ratings(instrument, args.centres, seed=2025)}
    auto = sum(clause.auto for clause in instrument.clauses)
    weighted = sum(clause.weight is not None for clause in instrument.clauses)
    print(
        f"\nwith clauses: {len(instrument.clauses)} clauses ({auto} auto, {len(instrument.clauses) - auto} onsite, "
        f"{weighted} weighted), {len(instrument.scored_indicators)} scored indicators, "
        f"{sum(len(g.requires) for g in instrument.grades)} grade requirements"
    )
    clause_time, scores = timed(lambda: instruments.score_columns(instrument, rated), repeat=5)
    figure_time, figures = timed(lambda: instruments.clause_regional(scores, regions))
    card_time, card = timed(lambda: scores.card(0), repeat=3)
    grades = {g.id: int((scores.grade == i).sum()) for i, g in enumerate(instrument.grades)}
    print(f"centres: {args.centres:,}; total score median {statistics.median(scores.total):.1f}; grades {grades}")
    print(f"score by columns:        {clause_time:8.3f} s  ({args.centres / clause_time:,.0f} centres/s)")
    print(f"ratio to indicators only:{clause_time / baseline:8.1f} x  (indicator-only scoring above: {baseline:.3f} s)")
    print(f"regional clause figures: {figure_time:8.3f} s  ({len(figures):,} region x clause rows)")
    gap = card.next_grade
    words = instruments.describe_grade_gap(instrument, gap) if gap else "at the top grade"
    print(f"one scorecard with gaps: {card_time:8.3f} s  (centre 0: {card.grade}; {words[:60]}…)")


if __name__ == "__main__":
    main()
