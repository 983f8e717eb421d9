"""What an official sees of a round: the part inside their jurisdiction, ranked, sorted, filtered and paged.

No Flask here: the views pass in the request's database and the signed-in
user; which rounds and which part of each they reach is `store.access`'s.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from sqlite_utils import Database

import instruments
from instruments import Instrument
from instruments.expressions import plain

from ..store.access import visible_rounds
from ..store.appeals import pending as pending_appeals
from ..store.lifecycle import status_counts
from ..store.orgs import all_units, ancestor_at, get_unit
from ..store.rounds import Round
from ..store.scores import RoundScores, round_scores
from ..store.users import User

FIXED_SORTS = ("rank", "total", "name", "county")
DESCENDING_FIRST = {"total"}  # keys whose first click shows the highest first (and every dimension)
NO_GRADE = "none"
PAGE_SIZE = 100


def scope_name(db: Database, scope: str | None) -> str:
    """The scope's unit name ('' for everywhere)."""
    return get_unit(db, scope).name if scope else ""


@dataclass(frozen=True)
class RoundSummary:
    """A round as listed for an official: how many centres in their part of it, and how many in each state."""

    round: Round
    scope: str | None
    scope_name: str
    centres: int
    counts: dict[str, int]
    appeals: int = 0  # appeals waiting for a decision


def my_rounds(db: Database, user: User) -> list[RoundSummary]:
    """Every round that overlaps the user's jurisdiction, open ones first, newest first."""
    out = []
    for round_, scope in visible_rounds(db, user):
        counts = status_counts(db, round_, scope)
        waiting = len(pending_appeals(db, round_.id, scope))
        out.append(RoundSummary(round_, scope, scope_name(db, scope), sum(counts.values()), counts, waiting))
    return out


@dataclass(frozen=True)
class LeagueRow:
    """One centre in the league: `row` is its row in the round's Scores; rank 0 when it has no total."""

    row: int
    rank: int
    code: str
    name: str
    county: str
    county_code: str
    city: str
    status: str
    total: float | None
    grade: str | None
    dimensions: dict[str, float | None]


@dataclass
class League:
    """The centres of a round within a scope, scored, in rank order (unranked last)."""

    result: RoundScores
    scope: str | None
    scope_name: str
    approved_only: bool
    rows: list[LeagueRow] = field(default_factory=list)

    @property
    def round(self) -> Round:
        return self.result.round

    @property
    def instrument(self) -> Instrument:
        return self.result.instrument

    @cached_property
    def counties(self) -> list[tuple[str, str]]:
        """(code, name) of every county with a centre in the league, in code order."""
        return sorted({(r.county_code, r.county) for r in self.rows if r.county_code})

    def sort_keys(self) -> tuple[str, ...]:
        """The keys the league may be sorted by: the fixed ones, then each dimension."""
        return FIXED_SORTS + tuple(d.id for d in self.instrument.dimensions if d.id not in FIXED_SORTS)

    def grade_keys(self) -> tuple[str, ...]:
        """The grade ids a filter may ask for, and `none` for centres without one."""
        return tuple(g.id for g in self.instrument.grades) + (NO_GRADE,)

    def grade_label(self, grade_id: str | None, lang: str = "zh") -> str:
        """A grade's label in `lang` ('' for none)."""
        return next((g.label.get(lang) for g in self.instrument.grades if g.id == grade_id), "")

    def row_of(self, code: str) -> LeagueRow | None:
        return next((r for r in self.rows if r.code == code), None)


def league(db: Database, round_: Round, scope: str | None, approved_only: bool) -> League:
    """Score the centres of `round_` within `scope` (approved responses only if asked) and rank them."""
    result = round_scores(db, round_, scope, approved_only)
    units = all_units(db)
    scores = result.scores
    ranks = instruments.rank(scores.total)
    rows = []
    for row, (centre, response) in enumerate(zip(result.centres, result.responses, strict=True)):
        county = ancestor_at(units, centre["code"], "county")
        rows.append(
            LeagueRow(
                row=row,
                rank=int(ranks[row]),
                code=centre["code"],
                name=centre["name"],
                county=centre["county"],
                county_code=county.code if county else "",
                city=centre["city"],
                status=response.status,
                total=plain(scores.total[row]),
                grade=scores.grade_id(row),
                dimensions={d: plain(v[row]) for d, v in scores.dimensions.items()},
            )
        )
    rows = sort_rows(rows, "rank", descending=False)
    return League(result, scope, scope_name(db, scope), approved_only, rows)


def default_descending(key: str) -> bool:
    """Whether a first click on `key` shows the largest first: totals and dimension scores do."""
    return key in DESCENDING_FIRST or key not in FIXED_SORTS


def _value(key: str) -> Callable[[LeagueRow], object]:
    if key == "rank":
        return lambda r: r.rank or None
    if key == "total":
        return lambda r: r.total
    if key in ("name", "county"):
        return lambda r: getattr(r, key) or None
    return lambda r: r.dimensions.get(key)


def sort_rows(rows: Sequence[LeagueRow], key: str, descending: bool) -> list[LeagueRow]:
    """Rows by `key` (rank, total, name, county or a dimension id); ties by rank, centres without a value last."""
    value = _value(key)
    ordered = sorted(rows, key=lambda r: (r.rank == 0, r.rank, r.code))
    present = sorted((r for r in ordered if value(r) is not None), key=value, reverse=descending)
    return present + [r for r in ordered if value(r) is None]


def filter_rows(rows: Sequence[LeagueRow], county: str = "", grade: str = "") -> list[LeagueRow]:
    """The rows in county `county` (a code) and of grade `grade` (`none`: without one); '' keeps all."""
    return [
        r for r in rows if (not county or r.county_code == county) and (not grade or (r.grade or NO_GRADE) == grade)
    ]


@dataclass(frozen=True)
class Page:
    """One page of rows: `number` of `pages` (1-based), and the position of its first row among all."""

    rows: list[LeagueRow]
    number: int
    pages: int
    total: int
    first: int


def page_of(rows: Sequence[LeagueRow], number: int, size: int | None = None) -> Page:
    """Page `number` of `rows`, PAGE_SIZE rows a page unless `size` is given (clamped to the pages there are)."""
    size = size or PAGE_SIZE
    pages = max(1, math.ceil(len(rows) / size))
    number = min(max(number, 1), pages)
    start = (number - 1) * size
    return Page(list(rows[start : start + size]), number, pages, len(rows), start + 1)
