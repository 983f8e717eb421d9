"""One centre as an official sees it: total, grade, rank in its county and in the jurisdiction, dimensions, indicators.

Its indicators are worded by the same scorecard the centre itself sees
(value, target, status, the gap in a sentence), computed from the values the
league uses (a verified value before the reported one). No Flask here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlite_utils import Database

from instruments.ranking import rank_within

from ..scorecard import Card, card
from ..store.access import find_centre
from ..store.responses import answers
from .reports import League, LeagueRow


@dataclass(frozen=True)
class DimensionLine:
    id: str
    title: str
    value: float | None
    mean: float | None  # over the league's centres


@dataclass(frozen=True)
class Profile:
    """A centre of the league; `row` and `card` are None when it has no response in the data shown."""

    league: League
    code: str
    name: str
    county: str
    city: str
    row: LeagueRow | None
    county_rank: int  # 0: unranked
    county_size: int
    dimensions: list[DimensionLine]
    card: Card | None


def profile(db: Database, league: League, code: str, lang: str = "zh") -> Profile:
    """The profile of centre `code`; NotFoundError when it is not a centre of the round within the league's scope."""
    centre = find_centre(db, league.round, league.scope, code)
    row = league.row_of(code)
    neighbours = [r for r in league.rows if row is not None and r.county_code == row.county_code]
    county_rank = 0
    if row is not None:
        counties = [""] * league.result.scores.n
        for other in league.rows:
            counties[other.row] = other.county_code
        county_rank = int(rank_within(league.result.scores.total, counties)[row.row])
    scored = None
    if row is not None:
        response = league.result.responses[row.row]
        values = answers(db, league.instrument, response.id, verified=True)
        scored = card(league.instrument, values, lang)
    return Profile(
        league,
        code,
        centre["name"],
        centre["county"],
        centre["city"],
        row,
        county_rank,
        len(neighbours),
        _dimensions(league, row, lang),
        scored,
    )


def _dimensions(league: League, row: LeagueRow | None, lang: str) -> list[DimensionLine]:
    scores = league.result.scores
    out = []
    for dim in league.instrument.dimensions:
        column = scores.dimensions[dim.id]
        present = column[~np.isnan(column)]
        mean = round(float(present.mean()), 1) if len(present) else None
        out.append(DimensionLine(dim.id, dim.title.get(lang), row.dimensions.get(dim.id) if row else None, mean))
    return out
