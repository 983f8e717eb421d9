"""Reviewing as a signed-in evaluator, and the history of a response's review.

The moves themselves are the lifecycle's (`lifecycle.approve`, `lifecycle.send_back`);
the functions here work out the evaluator's level from their org unit and refuse
a response outside that unit, one that is not awaiting that level, one changed
since the evaluator's page was opened, and (for approval) one whose scored
answers would not pass the submission checks.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlite_utils import Database

from instruments import Instrument
from instruments.messages import Message

from ..db import writing
from . import ConflictError, NotFoundError, StoreError
from .access import reaches, reviewer_level
from .lifecycle import approve, awaits, check_reviewable, problems_before_submit, send_back
from .responses import Response, answers, attached, get_response, response_by_id
from .rounds import Round
from .users import User


def history(db: Database, response_id: int) -> list[dict]:
    """Every review step of a response, oldest first."""
    return [
        {**row, "item_comments": json.loads(row["item_comments"])}
        for row in db.query(
            """SELECT r.*, u.username FROM reviews r LEFT JOIN users u ON u.id = r.user_id
               WHERE r.response_id = ? ORDER BY r.id""",
            [response_id],
        )
    ]


MAX_COMMENT = 2000  # characters in one comment, overall or on an item


class NotCleanError(StoreError):
    """The response still has required items unanswered or broken constraints: `problems` names them."""

    def __init__(self, problems: list[Message]):
        self.problems = problems
        super().__init__("not_approved", problems=list(problems))


@dataclass(frozen=True)
class Refusal:
    """A response a bulk approval left alone: `reason` is outside, stale, not_awaiting or not_clean."""

    org_code: str
    reason: str
    problems: tuple[str, ...] = ()


@dataclass
class BulkApproval:
    """What a bulk approval did: the responses approved, and those refused with why."""

    approved: list[str] = field(default_factory=list)  # org codes
    refused: list[Refusal] = field(default_factory=list)


def approval_problems(db: Database, instrument: Instrument, response: Response) -> list[Message]:
    """What keeps a response from approval: the submission checks, on verified values where there are any."""
    files = attached(db, [response.id])[response.id]
    return problems_before_submit(instrument, answers(db, instrument, response.id, verified=True), files)


def check_reviewer(
    db: Database, round_: Round, response: Response, user: User, expected_version: int | None = None
) -> int:
    """The level at which `user` may act on `response` now; NotFoundError outside their unit, else StoreError."""
    level = reviewer_level(db, user)
    if level is None:
        raise StoreError("not_an_evaluator", user=user.username)
    if response.round_id != round_.id or not reaches(db, user, response.org_code):
        raise NotFoundError("no_response_for", code=response.org_code, user=user.username)
    if round_.status != "open":
        raise StoreError("round_closed", round=round_.id)
    if expected_version is not None and response.version != expected_version:
        raise ConflictError("changed_since_opened", version=response.version, yours=expected_version)
    check_reviewable(round_, response, level)
    return level


def approve_by(
    db: Database,
    round_: Round,
    instrument: Instrument,
    response: Response,
    user: User,
    *,
    comment: str = "",
    expected_version: int | None = None,
) -> Response:
    """`user` approves at their own level, when the response awaits it, is theirs, unchanged and clean."""
    with writing(db):
        current = response_by_id(db, response.id)
        level = check_reviewer(db, round_, current, user, expected_version)
        problems = approval_problems(db, instrument, current)
        if problems:
            raise NotCleanError(problems)
        return approve(
            db, round_, current, level=level, username=user.username, user_id=user.id, comment=_comment(comment)
        )


def return_by(
    db: Database,
    round_: Round,
    instrument: Instrument,
    response: Response,
    user: User,
    *,
    comment: str = "",
    item_comments: Mapping[str, str] | None = None,
    expected_version: int | None = None,
) -> Response:
    """`user` returns the response to the centre at their own level, with an overall comment and item comments."""
    notes = {item_id: _comment(text) for item_id, text in (item_comments or {}).items() if (text or "").strip()}
    unknown = [item_id for item_id in notes if item_id not in instrument.item]
    if unknown:
        raise StoreError("not_items", instrument=instrument.id, items=", ".join(unknown))
    with writing(db):
        current = response_by_id(db, response.id)
        level = check_reviewer(db, round_, current, user, expected_version)
        return send_back(
            db,
            round_,
            current,
            level=level,
            username=user.username,
            user_id=user.id,
            comment=_comment(comment),
            item_comments=notes,
        )


def approve_many(
    db: Database, round_: Round, instrument: Instrument, picks: Mapping[str, int], user: User, comment: str = ""
) -> BulkApproval:
    """Approve each picked response (org code: version seen) that is clean; report the others and why."""
    level = reviewer_level(db, user)
    if level is None:
        raise StoreError("not_an_evaluator", user=user.username)
    if round_.status != "open":
        raise StoreError("round_closed", round=round_.id)
    result = BulkApproval()
    with writing(db):
        for code, version in picks.items():
            response = get_response(db, round_.id, code)
            if response is None or not reaches(db, user, code):
                result.refused.append(Refusal(code, "outside"))
            elif response.version != version:
                result.refused.append(Refusal(code, "stale"))
            elif not awaits(round_, response, level):
                result.refused.append(Refusal(code, "not_awaiting"))
            elif problems := approval_problems(db, instrument, response):
                result.refused.append(Refusal(code, "not_clean", tuple(problems)))
            else:
                approve(
                    db,
                    round_,
                    response,
                    level=level,
                    username=user.username,
                    user_id=user.id,
                    comment=_comment(comment),
                )
                result.approved.append(code)
    return result


def _comment(text: str | None) -> str:
    text = (text or "").strip()
    if len(text) > MAX_COMMENT:
        raise StoreError("comment_too_long", limit=MAX_COMMENT)
    return text


def audit_trail(db: Database, response_id: int) -> list[dict]:
    """Every audit row of a response, oldest first: when, who, what, item, old, new, from where."""
    return list(db.query("SELECT * FROM audit WHERE response_id = ? ORDER BY id", [response_id]))
