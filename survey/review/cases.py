"""What an evaluator reviews: the rounds they reach, the queue of a round, one response as a case.

No Flask here: the views pass in the request's database and the signed-in user.
A user reaches a round whose scope meets their org unit, and a response of a
centre under their unit (everything for an administrator); anything else is
NotFoundError, so nobody can tell that data outside their jurisdiction exists.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from instruments import Instrument

from ..store import NotFoundError
from ..store.orgs import Unit, all_units, ancestor_at, get_unit, is_under
from ..store.quality import Flag, Quality, check_round
from ..store.responses import Response, answers, get_response
from ..store.reviews import approval_problems, awaits, history, reviewer_level
from ..store.rounds import Round, answers_round, get_round, jurisdiction, list_rounds, round_instrument
from ..store.users import User
from ..store.verification import verified_values


def visible_rounds(db: Database, user: User) -> list[Round]:
    """The rounds whose scope meets the user's unit: open ones first, newest first."""
    out = []
    for round_ in list_rounds(db):
        try:
            jurisdiction(db, round_, user.org_code)
        except NotFoundError:
            continue
        out.append(round_)
    return sorted(out, key=lambda r: (r.status != "open", -r.id))


def open_round(db: Database, round_id: int, user: User) -> tuple[Round, str | None]:
    """A round the user reaches and the part of its scope that is theirs; NotFoundError otherwise."""
    round_ = get_round(db, round_id)
    return round_, jurisdiction(db, round_, user.org_code)


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
        total = float(result.scores.total[row])
        rows.append(
            Row(centre["code"], centre["name"], centre["county"], quality.counties[row], response,
                None if math.isnan(total) else total, int(quality.failed_targets[row]),
                len(quality.by_centre.get(centre["code"], ())), awaits(round_, response, level))
        )  # fmt: skip
    return rows, quality


def names(db: Database, user: User, codes: Iterable[str]) -> dict[str, str]:
    """The names of those of `codes` that are units under the user's own (others stay unnamed)."""
    units = all_units(db)
    return {
        code: units[code].name
        for code in codes
        if code in units and (user.org_code is None or is_under(db, code, user.org_code))
    }


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
    round_ = get_round(db, round_id)
    if not answers_round(db, round_, org_code):
        raise NotFoundError(f"{org_code} does not answer round {round_.id}")
    if user.org_code is not None and not is_under(db, org_code, user.org_code):
        raise NotFoundError(f"{org_code} is outside {user.org_code}")
    response = get_response(db, round_.id, org_code)
    if response is None:
        raise NotFoundError(f"{org_code} has no response in round {round_.id}")
    units = all_units(db)
    return Case(round_, round_instrument(db, round_), get_unit(db, org_code),
                ancestor_at(units, org_code, "county"), response, reviewer_level(db, user))  # fmt: skip


@dataclass(frozen=True)
class Details:
    """What the review page shows beside the answers."""

    reported: dict[str, Any]
    verified: dict[str, Any]
    effective: dict[str, Any]  # verified first: what is scored
    flags: list[Flag]
    problems: list[str]  # what keeps it from approval
    history: list[dict]


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
    )
