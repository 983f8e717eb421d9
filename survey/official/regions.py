"""The regional summary an official sees: their scope and each unit below it at one level, per indicator.

The figures are the instrument core's (`instruments.membership` and
`instruments.regional`): centres reporting, meeting the target, the share
meeting, mean, median and the pooled value with whether it meets the target.
Here they are only chosen (which regions) and worded (84.9%, 3.3, —). No
Flask here.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

import instruments
from instruments import RegionFigure, formatting
from instruments.expressions import BOOLEAN
from instruments.model import Indicator

from ..store.orgs import all_units
from ..store.scores import regions_of
from .reports import League

LEVELS = ("province", "city", "county")
EVERYWHERE = ""  # the region code of "all regions" when the scope is everything


@dataclass(frozen=True)
class Region:
    code: str  # EVERYWHERE for all regions
    name: str
    level: str


@dataclass(frozen=True)
class Line:
    """One region's figures for one indicator, and the same as people read them."""

    region: Region
    figure: RegionFigure
    share: str
    mean: str
    median: str
    pooled: str


@dataclass(frozen=True)
class IndicatorLines:
    indicator: Indicator
    target: str
    lines: list[Line]


@dataclass(frozen=True)
class Summary:
    """The scope's own region first, then the regions at `level` below it; `levels` are the levels on offer."""

    league: League
    levels: tuple[str, ...]
    level: str | None
    scope: Region
    regions: list[Region]
    indicators: list[IndicatorLines]

    def lines_of(self, indicator_id: str) -> list[Line]:
        return next((i.lines for i in self.indicators if i.indicator.id == indicator_id), [])


def levels_below(db: Database, scope: str | None) -> tuple[str, ...]:
    """The region levels strictly below the scope's own (all of them for everything)."""
    if scope is None:
        return LEVELS
    level = all_units(db)[scope].level
    return LEVELS[LEVELS.index(level) + 1 :] if level in LEVELS else ()


def default_level(levels: tuple[str, ...]) -> str | None:
    """County when on offer (the level officials compare most), else the deepest offered."""
    return "county" if "county" in levels else (levels[-1] if levels else None)


def summary(db: Database, league: League, level: str | None, lang: str = "zh") -> Summary:
    """The figures of every indicator for the league's scope and its regions at `level`."""
    units = all_units(db)
    scope = league.scope
    members = regions_of(db, league.result, scope)
    if scope is None:
        top = Region(EVERYWHERE, "", "")
        members[EVERYWHERE] = list(range(len(league.result.centres)))
    else:
        top = Region(scope, units[scope].name, units[scope].level)
    chosen = sorted(code for code in members if code not in (scope, EVERYWHERE) and units[code].level == level)
    regions = [Region(code, units[code].name, units[code].level) for code in chosen]
    wanted = {r.code: members.get(r.code, []) for r in [top, *regions]}
    figures = instruments.regional(league.result.scores, wanted)
    by_region = {r.code: r for r in [top, *regions]}
    grouped: dict[str, list[Line]] = {}
    instrument = league.instrument
    for figure in figures:
        ind = instrument.indicator[figure.indicator]
        grouped.setdefault(ind.id, []).append(_line(ind, by_region[figure.region], figure))
    lines = [IndicatorLines(ind, formatting.target(ind, lang), grouped[ind.id]) for ind in instrument.indicators
             if ind.id in grouped]  # fmt: skip
    return Summary(league, levels_below(db, scope), level, top, regions, lines)


def _line(ind: Indicator, region: Region, figure: RegionFigure) -> Line:
    return Line(
        region,
        figure,
        _percent(figure.share),
        shown(ind, figure.mean),
        shown(ind, figure.median),
        shown(ind, figure.pooled),
    )


def _percent(share: float | None) -> str:
    return "" if share is None else formatting.number(share * 100, 1) + "%"


def shown(ind: Indicator, value: float | None) -> str:
    """A regional figure as read: a share for yes/no and percent indicators, else a number (a mean is not whole)."""
    if value is None:
        return ""
    if ind.kind == BOOLEAN or ind.format == "percent":
        return _percent(value)
    return formatting.number(value, 1 if ind.format == "integer" else 2)
