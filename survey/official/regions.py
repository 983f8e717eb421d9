"""The regional summary and the clause view an official sees: one region and the regions one level below it.

The figures are the instrument core's (`instruments.regional`,
`instruments.clause_regional`) over the stored figures of the jurisdiction's
centres: centres reporting, meeting the target, the share meeting, mean,
median and the pooled value with whether it meets the target; per clause, the
centres rated and at each level. One region is shown at a time with the
regions at one level below it (a page of them at a time), each a link to drill
down into; or the region's centres grouped by a unit attribute (隶属关系, …).
Here the figures are only chosen (which regions) and worded (84.9%, 3.3, —).
No Flask here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from sqlite_utils import Database

import instruments
from instruments import ClauseFigure, RegionFigure, formatting
from instruments.expressions import BOOLEAN
from instruments.model import Indicator

from ..store import NotFoundError
from ..store.orgs import attribute_groups, by_name, get_unit, is_under
from ..store.results import RoundFigures, StoredScores
from ..store.standings import held_in
from .reports import League

LEVELS = ("province", "city", "county")
EVERYWHERE = ""  # the region code of "all regions" when the scope is everything
REGIONS_PER_PAGE = 15


@dataclass(frozen=True)
class Region:
    code: str  # EVERYWHERE for all regions; an attribute's value when grouped by one
    name: str
    level: str  # '' for a group of an attribute


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
class Parts:
    """The region shown, the regions below it on this page, and the rows of the stored figures of each."""

    league: League
    levels: tuple[str, ...]
    level: str | None
    by: str  # a unit attribute the regions are its values of ('' for regions)
    top: Region
    path: list[Region]  # from the scope down to `top`
    regions: list[Region]
    members: dict[str, np.ndarray]
    scores: StoredScores  # the round's held figures; `members` are rows of them
    kept: dict  # regional figures of regions kept with the held figures (empty: none kept)
    page: int
    pages: int
    centres: int  # in `top`


@dataclass(frozen=True)
class Summary:
    """The region's own figures first, then the regions below it; `levels` are the levels on offer."""

    parts: Parts
    indicators: list[IndicatorLines]

    def __getattr__(self, name: str):
        return getattr(self.parts, name)

    @property
    def scope(self) -> Region:
        return self.parts.top

    def lines_of(self, indicator_id: str) -> list[Line]:
        return next((i.lines for i in self.indicators if i.indicator.id == indicator_id), [])


def levels_below(db: Database, scope: str | None) -> tuple[str, ...]:
    """The region levels strictly below the scope's own (all of them for everything)."""
    if scope is None:
        return LEVELS
    level = get_unit(db, scope).level
    return LEVELS[LEVELS.index(level) + 1 :] if level in LEVELS else ()


def default_level(levels: tuple[str, ...]) -> str | None:
    """County when on offer (the level officials compare most; a page of them at a time), else the deepest offered."""
    return "county" if "county" in levels else (levels[-1] if levels else None)


def parts(
    db: Database, league: League, level: str | None, region: str | None = None, by: str = "", page: int = 1
) -> Parts:
    """The region `region` (the scope by default; NotFoundError outside it) and its regions at `level` or groups."""
    scope = league.scope
    top_code = region or scope
    if top_code and top_code != scope and not _inside(db, top_code, scope):
        raise NotFoundError("outside_jurisdiction", code=top_code)
    levels = levels_below(db, top_code)
    level = level if level in levels else default_level(levels)
    top = _region(db, top_code)
    path = [_region(db, code) for code in _path(db, scope, top_code)]
    held, under = held_in(db, league.round, top_code, league.approved_only)
    if by:
        groups = attribute_groups(db, by, [held.codes[row] for row in under])
        below = {value: under[rows] for value, rows in groups.items()}
        everyone = [Region(value, value, "") for value in below]
    else:
        below = _below(db, held, level, under) if level else {}
        everyone = [Region(code, name, level or "") for code, name in by_name(db, below)]
    pages = max(1, math.ceil(len(everyone) / REGIONS_PER_PAGE))
    page = min(max(page, 1), pages)
    shown = everyone[(page - 1) * REGIONS_PER_PAGE : page * REGIONS_PER_PAGE]
    members = {top.code: under, **{r.code: below[r.code] for r in shown}}
    # a region's figures are kept while the figures are held; not for approved data only (approvals change it)
    kept = {} if league.approved_only else held.rollups(db)
    return Parts(league, levels, level, by, top, path, shown, members, held.scores, kept, page, pages, len(under))


def _inside(db: Database, code: str, scope: str | None) -> bool:
    if scope is None:
        return db.execute("SELECT 1 FROM org_units WHERE code = ?", [code]).fetchone() is not None
    return is_under(db, code, scope)


def _region(db: Database, code: str | None) -> Region:
    if not code:
        return Region(EVERYWHERE, "", "")
    unit = get_unit(db, code)
    return Region(unit.code, unit.name, unit.level)


def _path(db: Database, scope: str | None, code: str | None) -> list[str]:
    """The codes from the scope down to `code` (the regions drilled through)."""
    if not code or code == scope:
        return []
    rows = db.execute(
        """SELECT p.ancestor FROM org_paths p WHERE p.org_code = ? AND p.depth > 0
           AND (? IS NULL OR EXISTS (SELECT 1 FROM org_paths s WHERE s.org_code = p.ancestor AND s.ancestor = ?))
           ORDER BY p.depth DESC""",
        [code, scope, scope],
    )
    return [row[0] for row in rows if row[0] != scope]


def _below(db: Database, held: RoundFigures, level: str, under: np.ndarray) -> dict[str, np.ndarray]:
    """The rows of `under` in each unit at `level` holding any of them, in code order."""
    codes, labels = held.regions_at(db, level)
    if not len(under):
        return {}
    placed = labels[under]
    order = np.argsort(placed, kind="stable")
    found, starts = np.unique(placed[order], return_index=True)
    parts = np.split(under[order], starts[1:])
    return {codes[k]: rows for k, rows in zip(found.tolist(), parts, strict=True) if k >= 0}


def summary(
    db: Database,
    league: League,
    level: str | None,
    lang: str = "zh",
    region: str | None = None,
    by: str = "",
    page: int = 1,
) -> Summary:
    """The figures of every indicator for a region of the league's scope and the regions (or groups) below it."""
    found = parts(db, league, level, region, by, page)
    by_region = {r.code: r for r in [found.top, *found.regions]}
    grouped: dict[str, list[Line]] = {}
    instrument = league.instrument
    for figure in _figures(found):
        ind = instrument.indicator[figure.indicator]
        grouped.setdefault(ind.id, []).append(_line(ind, by_region[figure.region], figure))
    lines = [
        IndicatorLines(ind, formatting.target(ind, lang), grouped[ind.id])
        for ind in instrument.indicators
        if ind.id in grouped
    ]
    return Summary(found, lines)


def _figures(found: Parts) -> list[RegionFigure]:
    """Every indicator's figures in each region shown, indicators first; a region's are kept once worked out."""
    keep = {found.top.code} | ({r.code for r in found.regions} if not found.by else set())
    kept = {code: found.kept[("regional", code)] for code in keep if ("regional", code) in found.kept}
    missing = {code: rows for code, rows in found.members.items() if code not in kept}
    for figure in instruments.regional(found.scores, missing) if missing else []:
        kept.setdefault(figure.region, []).append(figure)
    for code in keep & missing.keys():
        found.kept[("regional", code)] = kept[code]
    by_region = [kept[code] for code in found.members]
    return [figures[i] for i in range(len(by_region[0])) for figures in by_region] if by_region else []


@dataclass(frozen=True)
class ClauseLines:
    """One clause's figures: in the region shown, then in each region below it."""

    clause: object  # instruments.Clause
    levels: tuple[str, ...]  # "below" first, then the clause's levels lowest first
    lines: list[tuple[Region, ClauseFigure]]


def clause_view(
    db: Database,
    league: League,
    level: str | None,
    region: str | None = None,
    by: str = "",
    page: int = 1,
    clause_id: str = "",
) -> tuple[Parts, list[ClauseLines], ClauseLines | None]:
    """Every clause's figures in the region shown, and one clause's (`clause_id`) in each region below it."""
    found = parts(db, league, level, region, by, page)
    if not league.instrument.clauses:
        return found, [], None
    scores = found.scores
    overview = instruments.clause_regional(scores, {found.top.code: found.members[found.top.code]})
    clauses = league.instrument.clause
    every = [
        ClauseLines(clauses[f.clause], ("below", *clauses[f.clause].level_ids), [(found.top, f)]) for f in overview
    ]
    chosen = None
    if clause_id in clauses:
        figures = [f for f in instruments.clause_regional(scores, found.members) if f.clause == clause_id]
        by_region = {r.code: r for r in [found.top, *found.regions]}
        clause = clauses[clause_id]
        chosen = ClauseLines(clause, ("below", *clause.level_ids), [(by_region[f.region], f) for f in figures])
    return found, every, chosen


def _line(ind: Indicator, region: Region, figure: RegionFigure) -> Line:
    return Line(
        region,
        figure,
        percent(figure.share),
        shown(ind, figure.mean),
        shown(ind, figure.median),
        shown(ind, figure.pooled),
    )


def percent(share: float | None) -> str:
    """A share as read (84.9%)."""
    return "" if share is None else formatting.number(share * 100, 1) + "%"


def shown(ind: Indicator, value: float | None) -> str:
    """A regional figure as read: a share for yes/no and percent indicators, else a number (a mean is not whole)."""
    if value is None:
        return ""
    if ind.kind == BOOLEAN or ind.format == "percent":
        return percent(value)
    return formatting.number(value, 1 if ind.format == "integer" else 2)
