"""What an evaluator reviews: the queue of a round (paged and filtered in SQL), one response as a case, its details.

No Flask here: the views pass in the request's database and the signed-in user;
what the user reaches is decided by `store.access`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from instruments import Instrument
from instruments.messages import Message

from ..store import appeals as appeal_store
from ..store import standings
from ..store.access import open_response, reviewer_level
from ..store.evidence import Evidence, evidence_of
from ..store.lifecycle import awaits
from ..store.orgs import Unit, names
from ..store.quality import Flag, flag_numbers, response_flags
from ..store.ratings import ClauseRating, clause_ratings
from ..store.responses import Response, answers, responses_by_id
from ..store.reviews import approval_problems, history
from ..store.rounds import Round, not_started, round_instrument
from ..store.users import User
from ..store.verification import verified_values


@dataclass(frozen=True)
class Row:
    """One response in the queue."""

    code: str
    name: str
    county: str
    county_code: str
    response: Response
    total: float | None
    failed: int  # targets not met
    flags: int  # failed checks and outliers
    awaiting: bool  # awaits the signed-in evaluator's level


PAGE_SIZE = 100


@dataclass(frozen=True)
class QueuePage:
    rows: list
    shown: int  # responses matching
    total: int  # responses in the jurisdiction
    page: int
    pages: int


def queue(
    db: Database,
    round_: Round,
    scope: str | None,
    user: User,
    chosen: standings.Filter,
    page: int = 1,
    size: int | None = None,
) -> QueuePage:
    """One page of the round's responses in scope that match `chosen`, each with its score, failed targets, flags."""
    size = size or PAGE_SIZE
    page = min(max(page, 1), 1_000_000)
    level = reviewer_level(db, user)
    found = standings.league_page(
        db, round_, scope, False, chosen=chosen, sort="name", offset=(page - 1) * size, limit=size
    )
    pages = max(1, math.ceil(found.shown / size))
    if page > pages:
        return queue(db, round_, scope, user, chosen, pages, size)
    responses = {r.id: r for r in responses_by_id(db, [s.response_id for s in found.rows])}
    flags = flag_numbers(db, [s.response_id for s in found.rows])
    rows = [
        Row(
            s.code,
            s.name,
            s.county,
            s.county_code,
            responses[s.response_id],
            s.total,
            s.failed,
            flags.get(s.response_id, 0),
            awaits(round_, responses[s.response_id], level),
        )
        for s in found.rows
    ]
    return QueuePage(rows, found.shown, found.total, page, pages)


def waiting_counts(db: Database, visible: list[tuple[Round, str | None]], user: User) -> dict[int, int]:
    """How many responses of each open round in the user's part of its scope await the user's review level."""
    level = reviewer_level(db, user)
    if not level:
        return {round_.id: 0 for round_, _scope in visible}
    out = {}
    for round_, scope in visible:
        if round_.status != "open":
            out[round_.id] = 0
            continue
        source, params = standings.scoped(db, round_, scope, False, responses=True)
        where, more = standings.Filter(awaiting_level=level).sql()
        sql = f"SELECT count(*) FROM (SELECT p.status, p.review_level FROM {source}) k WHERE {where}"
        out[round_.id] = db.execute(sql, [*params, *more]).fetchone()[0]
    return out


def landing(visible: list[tuple[Round, str | None]], waiting: dict[int, int]) -> tuple[Round, str | None] | None:
    """The round an evaluator lands on: the first (open, newest) with responses awaiting them, else the first."""
    return next((pair for pair in visible if waiting.get(pair[0].id)), visible[0] if visible else None)


def not_started_page(
    db: Database, round_: Round, scope: str | None, region: str, search: str, page: int = 1, size: int | None = None
) -> QueuePage:
    """One page of the centres in the jurisdiction that have not started the round (rows: code, name, county)."""
    size = size or PAGE_SIZE
    page = min(max(page, 1), 1_000_000)
    rows, found = not_started(db, round_, scope, region, search, (page - 1) * size, size)
    pages = max(1, math.ceil(found / size))
    if page > pages:
        return not_started_page(db, round_, scope, region, search, pages, size)
    return QueuePage(rows, found, found, page, pages)


def counties(db: Database, round_: Round, scope: str | None) -> list[tuple[str, str]]:
    """The counties with a response in the jurisdiction, by code: (code, name)."""
    return standings.counties(db, round_, scope, False)


@dataclass(frozen=True)
class Case:
    """One centre's response to a round, as a user of its jurisdiction sees it."""

    round: Round
    instrument: Instrument
    centre: Unit
    county: Unit | None
    response: Response
    level: int | None  # the signed-in evaluator's review level (None: not an evaluator)

    @property
    def awaiting_me(self) -> bool:
        """Whether the signed-in evaluator may act on it now."""
        return awaits(self.round, self.response, self.level)


def open_case(db: Database, round_id: int, org_code: str, user: User) -> Case:
    """The response of `org_code` in a round, when both are in the user's jurisdiction; NotFoundError otherwise."""
    found = open_response(db, round_id, org_code, user)
    instrument = round_instrument(db, found.round)
    return Case(found.round, instrument, found.centre, found.county, found.response, reviewer_level(db, user))


@dataclass(frozen=True)
class Details:
    """What the review page shows beside the answers."""

    reported: dict[str, Any]
    verified: dict[str, Any]
    effective: dict[str, Any]  # verified first: what is scored
    flags: list[Flag]
    problems: list[Message]  # what keeps it from approval, put into words on the page
    history: list[dict]
    ratings: dict[str, ClauseRating]  # onsite clauses: self-rating and note, the evaluator's level and comment
    files: dict[str, list[Evidence]]  # evidence by item or clause
    appeals: list[appeal_store.Appeal]


def details(db: Database, case: Case) -> Details:
    """The case's answers, verified values, stored flags, problems and review history."""
    response_id = case.response.id
    return Details(
        answers(db, case.instrument, response_id),
        verified_values(db, case.instrument, response_id),
        answers(db, case.instrument, response_id, verified=True),
        response_flags(db, response_id),
        approval_problems(db, case.instrument, case.response),
        history(db, response_id),
        clause_ratings(db, case.instrument, response_id),
        evidence_of(db, response_id),
        appeal_store.appeals_of(db, response_id),
    )


def appeals_waiting(db: Database, round_: Round, user: User) -> list[tuple[dict, str]]:
    """The pending appeals the evaluator decides in this round, each with the name of its item or clause's centre."""
    waiting = appeal_store.for_evaluator(db, round_, user)
    found = names(db, (row["org_code"] for row in waiting))
    return [(row, found.get(row["org_code"], row["org_code"])) for row in waiting]
