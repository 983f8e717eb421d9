"""What an official sees of a round: the part inside their jurisdiction, ranked, sorted, filtered and paged.

No Flask here: the views pass in the request's database and the signed-in
user; which rounds and which part of each they reach is `store.access`'s.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

from sqlite_utils import Database

from instruments import Instrument

from ..store import standings
from ..store.access import visible_rounds
from ..store.appeals import pending as pending_appeals
from ..store.lifecycle import status_counts
from ..store.orgs import get_unit
from ..store.rounds import Round, round_instrument
from ..store.standings import FIXED_SORTS, NO_GRADE, GroupSet, group_sets
from ..store.users import User

DESCENDING_FIRST = {"total"}  # keys whose first click shows the highest first (and every group score)
PAGE_SIZE = 100
MAX_PAGE = 1_000_000  # a page number past any league (and within SQLite's integers)


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


@dataclass
class League:
    """A round within a jurisdiction as an official sees it: what the league and the other report pages share."""

    round: Round
    instrument: Instrument
    scope: str | None
    scope_name: str
    approved_only: bool

    @cached_property
    def group_sets(self) -> list[GroupSet]:
        """The sets of group scores on offer: dimensions, chapters, each framework."""
        return group_sets(self.instrument)

    def group_set(self, set_id: str) -> GroupSet | None:
        return next((g for g in self.group_sets if g.id == set_id), None)

    def sort_keys(self, groups: GroupSet | None) -> tuple[str, ...]:
        """The keys the league may be sorted by: the fixed ones, then each group shown."""
        return FIXED_SORTS + tuple(g for g, _ in (groups.groups if groups else ()) if g not in FIXED_SORTS)

    def grade_keys(self) -> tuple[str, ...]:
        """The grade ids a filter may ask for, and `none` for centres without one."""
        return tuple(g.id for g in self.instrument.grades) + (NO_GRADE,)

    def grade_label(self, grade_id: str | None, lang: str = "zh") -> str:
        """A grade's label in `lang` ('' for none)."""
        return next((g.label.get(lang) for g in self.instrument.grades if g.id == grade_id), "")


def league(db: Database, round_: Round, scope: str | None, approved_only: bool) -> League:
    """The round within `scope` (approved responses only if asked), for the report pages."""
    return League(round_, round_instrument(db, round_), scope, scope_name(db, scope), approved_only)


def counties(db: Database, table: League) -> list[tuple[str, str]]:
    """(code, name) of every county with a centre in the league, in code order."""
    return standings.counties(db, table.round, table.scope, table.approved_only)


def default_descending(key: str) -> bool:
    """Whether a first click on `key` shows the largest first: totals and group scores do."""
    return key in DESCENDING_FIRST or key not in FIXED_SORTS


@dataclass(frozen=True)
class Page:
    """One page of rows: `number` of `pages` (1-based), the position of its first row, the jurisdiction's size."""

    rows: list[standings.Standing]
    number: int
    pages: int
    total: int  # rows matching
    first: int
    everyone: int  # centres in the jurisdiction


def page(
    db: Database,
    table: League,
    chosen: standings.Filter,
    sort: str,
    descending: bool,
    number: int,
    groups: GroupSet | None = None,
    size: int | None = None,
) -> Page:
    """Page `number` of the league's rows that match `chosen` (clamped to the pages there are)."""
    size = size or PAGE_SIZE
    number = min(max(number, 1), MAX_PAGE)
    first = standings.league_page(
        db,
        table.round,
        table.scope,
        table.approved_only,
        chosen=chosen,
        sort=sort,
        descending=descending,
        groups=groups,
        offset=(max(number, 1) - 1) * size,
        limit=size,
    )
    pages = max(1, math.ceil(first.shown / size))
    if number > pages:
        return page(db, table, chosen, sort, descending, pages, groups, size)
    number = max(number, 1)
    return Page(first.rows, number, pages, first.shown, (number - 1) * size + 1, first.total)
