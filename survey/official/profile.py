"""One centre as an official sees it: total, grade, ranks in its county and jurisdiction, group scores, indicators.

Its standing and group scores are the stored results (ranks by SQL window
functions over the stored totals; the jurisdiction's mean of each group score
in one pass over the stored scores). Its indicators are worded by the same
scorecard the centre itself sees (value, target, status, the gap in a
sentence), from the values the league uses (a verified value before the
reported one). No Flask here.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from instruments.checks import Check

from ..scorecard import Card, card
from ..store import standings
from ..store.access import find_centre
from ..store.responses import answers
from ..store.standings import GroupSet, Place
from .reports import League


@dataclass(frozen=True)
class DimensionLine:
    id: str
    title: str
    value: float | None
    mean: float | None  # over the league's centres


@dataclass(frozen=True)
class Profile:
    """A centre of the league; `place` and `card` are None when it has no response in the data shown."""

    league: League
    code: str
    name: str
    county: str
    city: str
    place: Place | None
    groups: GroupSet | None
    dimensions: list[DimensionLine]
    card: Card | None

    @property
    def row(self) -> standings.Standing | None:
        return self.place.standing if self.place else None


def profile(db: Database, league: League, code: str, lang: str = "zh", groups: GroupSet | None = None) -> Profile:
    """The profile of centre `code`; NotFoundError when it is not a centre of the round within the league's scope."""
    centre = find_centre(db, league.round, league.scope, code)
    place = standings.place_of(db, league.round, league.scope, league.approved_only, code)
    groups = groups or (league.group_sets[0] if league.group_sets else None)
    scored = None
    if place is not None:
        values = answers(db, league.instrument, place.standing.response_id, verified=True)
        scored = card(Check(league.instrument, values), lang)
    lines = []
    if groups is not None:
        means = standings.group_means(db, league.round, league.scope, league.approved_only, groups)
        for group_id, title in groups.groups:
            value = place.standing.score(groups.id, group_id) if place else None
            lines.append(DimensionLine(group_id, title.get(lang), value, means.get(group_id)))
    return Profile(league, code, centre["name"], centre["county"], centre["city"], place, groups, lines, scored)
