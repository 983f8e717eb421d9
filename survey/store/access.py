"""Who reaches what: a user's scope, the rounds they see, and a round, centre or response within it.

A centre user reaches its own unit's response, in the rounds its unit answers
(in the round's scope, of a kind the instrument applies to). An evaluator or an
official reaches the units at and below their org unit; an administrator
reaches everything. A round is theirs when its scope and their unit meet, and
they see the smaller of the two. Anything else is NotFoundError, so a page
answers 404 without telling whether the thing exists. Roles (403) are checked
by the web before any of this; jurisdiction is decided only here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlite_utils import Database

from . import NotFoundError
from .orgs import Unit, above, get_unit, is_under, names
from .responses import Response, get_response
from .rounds import Round, answers_round, centre_of, get_round, jurisdiction, list_rounds
from .users import User

REVIEW_LEVEL = {"county": 1, "city": 2, "province": 3}  # the level an evaluator of such a unit reviews at


def scope_of(user: User) -> str | None:
    """The unit a user's jurisdiction starts from (None: everything, for an administrator)."""
    if user.role == "admin":
        return None
    if not user.org_code:
        raise NotFoundError("no_unit_of_user", user=user.username)
    return user.org_code


def reaches(db: Database, user: User, org_code: str) -> bool:
    """Whether unit `org_code` lies within the user's jurisdiction."""
    scope = scope_of(user)
    return scope is None or is_under(db, org_code, scope)


def reviewer_level(db: Database, user: User) -> int | None:
    """The level an evaluator reviews at, from their org unit (county 1, city 2, province 3); None for others."""
    if user.role != "evaluator" or not user.org_code:
        return None
    return REVIEW_LEVEL.get(get_unit(db, user.org_code).level)


def open_round(db: Database, round_id: int | str, user: User) -> tuple[Round, str | None]:
    """A round the user reaches and the part of its scope that is theirs; NotFoundError otherwise."""
    if user.role == "centre":
        return own_round(db, round_id, user), user.org_code
    round_ = get_round(db, round_id)
    return round_, jurisdiction(db, round_, scope_of(user))


def own_round(db: Database, round_id: int | str, user: User) -> Round:
    """A round a centre user's unit answers; NotFoundError for any other round or user."""
    round_ = get_round(db, round_id)
    if user.role != "centre" or not user.org_code or not answers_round(db, round_, user.org_code):
        raise NotFoundError("no_round", round=round_id)
    return round_


def visible_rounds(db: Database, user: User) -> list[tuple[Round, str | None]]:
    """Every round the user reaches with their part of its scope: open ones first, newest first."""
    out = []
    for round_ in list_rounds(db):
        try:
            out.append(open_round(db, round_.id, user))
        except NotFoundError:
            continue
    return sorted(out, key=lambda pair: (pair[0].status != "open", -pair[0].id))


def find_centre(db: Database, round_: Round, scope: str | None, code: str) -> dict:
    """The centre `code` (code, name, county, city) if it answers the round within `scope`; NotFoundError otherwise."""
    found = centre_of(db, round_, scope, code)
    if found is None:
        raise NotFoundError("no_centre_here", code=code, round=round_.id)
    return found


@dataclass(frozen=True)
class Reached:
    """A centre's response to a round, reached by a user of its jurisdiction."""

    round: Round
    centre: Unit
    county: Unit | None
    response: Response


def open_response(db: Database, round_id: int | str, org_code: str, user: User) -> Reached:
    """The response of `org_code` in a round, when both are in the user's jurisdiction; NotFoundError otherwise."""
    round_, _scope = open_round(db, round_id, user)
    if not answers_round(db, round_, org_code) or not reaches(db, user, org_code):
        raise NotFoundError("not_answering_here", code=org_code, round=round_.id)
    response = get_response(db, round_.id, org_code)
    if response is None:
        raise NotFoundError("no_response_of", code=org_code, round=round_.id)
    return Reached(round_, get_unit(db, org_code), above(db, org_code).get("county"), response)


def names_within(db: Database, user: User, codes: Iterable[str]) -> dict[str, str]:
    """The names of those of `codes` that are units within the user's jurisdiction (others stay unnamed)."""
    return {code: name for code, name in names(db, codes).items() if reaches(db, user, code)}
