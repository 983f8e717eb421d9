"""What an evaluator reviews: the queue of a round, one response as a case, its details.

No Flask here: the views pass in the request's database and the signed-in user;
what the user reaches is decided by `store.access`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from instruments import Instrument
from instruments.expressions import plain

from ..store import appeals as appeal_store
from ..store.access import open_response, reviewer_level
from ..store.evidence import Evidence, evidence_of
from ..store.lifecycle import awaits
from ..store.orgs import Unit, all_units
from ..store.quality import Flag, Quality, check_round
from ..store.ratings import ClauseRating, clause_ratings
from ..store.responses import Response, answers
from ..store.reviews import approval_problems, history
from ..store.rounds import Round, jurisdiction, round_instrument
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


def queue(db: Database, round_: Round, scope: str | None, user: User) -> tuple[list[Row], Quality]:
    """Every response of the round in scope, with its score, failed targets and flags."""
    quality = check_round(db, round_, scope)
    level = reviewer_level(db, user)
    result, rows = quality.scores, []
    for row, centre in enumerate(result.centres):
        response = result.responses[row]
        rows.append(
            Row(centre["code"], centre["name"], centre["county"], quality.counties[row], response,
                plain(result.scores.total[row]), int(quality.failed_targets[row]),
                len(quality.by_centre.get(centre["code"], ())), awaits(round_, response, level))
        )  # fmt: skip
    return rows, quality


def counties(rows: list[Row]) -> list[tuple[str, str]]:
    """The counties of the rows, by code: (code, name)."""
    return sorted({(row.county_code, row.county) for row in rows if row.county_code})


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
    problems: list[str]  # what keeps it from approval
    history: list[dict]
    ratings: dict[str, ClauseRating]  # onsite clauses: self-rating and note, the evaluator's level and comment
    files: dict[str, list[Evidence]]  # evidence by item or clause
    appeals: list[appeal_store.Appeal]


def details(db: Database, case: Case) -> Details:
    """The case's answers, verified values, flags (computed over its county), problems and review history."""
    scope = case.county.code if case.county else case.centre.parent_code
    quality = check_round(db, case.round, jurisdiction(db, case.round, scope))
    response_id = case.response.id
    return Details(
        answers(db, case.instrument, response_id),
        verified_values(db, case.instrument, response_id),
        answers(db, case.instrument, response_id, verified=True),
        quality.by_centre.get(case.centre.code, []),
        approval_problems(db, case.instrument, case.response),
        history(db, response_id),
        clause_ratings(db, case.instrument, response_id),
        evidence_of(db, response_id),
        appeal_store.appeals_of(db, response_id),
    )


def appeals_waiting(db: Database, round_: Round, user: User) -> list[tuple[dict, str]]:
    """The pending appeals the evaluator decides in this round, each with the name of its item or clause's centre."""
    units = all_units(db)
    return [(row, units[row["org_code"]].name) for row in appeal_store.for_evaluator(db, round_, user)]
