"""Appeals (申诉): a centre disputes an evaluator's verified value or clause level; that level's evaluator decides.

Where an evaluator's verified value (or level) differs from what the centre
reported, the centre may appeal while the round is open, with a reason and
optionally a file (`evidence.add_evidence` with the appeal's id). One appeal at
a time waits on each item or clause. The evaluator of the review level that
recorded the verified value decides it: accepting makes the centre's value the
verified one (through `verification.write_verified` or `ratings.write_ratings`,
audited, the response's version bumped), rejecting needs a reason. Pending
appeals wait in the evaluator's queue and keep their round from closing
(`check_closable`). Every refusal is an AppealError with a `code` the web words
for people, and nothing is written then.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlite_utils import Database

from instruments import Instrument

from ..db import writing
from . import NotFoundError, StoreError, now
from .access import reaches, reviewer_level
from .evidence import add_evidence
from .orgs import is_under
from .ratings import write_ratings
from .responses import Response, from_db, get_response, record, response_by_id
from .reviews import MAX_COMMENT
from .users import User
from .verification import write_verified

if TYPE_CHECKING:
    from .rounds import Round

PENDING, ACCEPTED, REJECTED = "pending", "accepted", "rejected"
UNKNOWN_LEVEL = 1  # a verified value recorded before levels were kept is taken as the county's


class AppealError(StoreError):
    """An appeal or a decision refused: `code` says why; `item_id` names the item or clause."""

    def __init__(self, code: str, item_id: str = "", /, **params: Any):
        self.item_id = item_id
        super().__init__(code, **params)


class AppealsPendingError(StoreError):
    """A round with appeals still waiting cannot close: `pending` names them (org code, item or clause id)."""

    def __init__(self, pending: Sequence[tuple[str, str]]):
        self.pending = list(pending)
        super().__init__("appeals_pending", pending=", ".join(f"{code} {item}" for code, item in self.pending))


@dataclass(frozen=True)
class Appeal:
    id: int
    response_id: int
    item_id: str
    level: int
    reported: Any
    verified: Any
    reason: str
    status: str
    decision: str
    username: str
    created_at: str
    decided_by: str | None
    decided_at: str | None

    @classmethod
    def of(cls, row: dict) -> Appeal:
        return cls(**{key: row[key] for key in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Dispute:
    """An item or onsite clause whose verified value differs from the reported one (values as stored)."""

    item_id: str
    reported: Any
    verified: Any
    level: int  # the review level that recorded the verified value, which decides an appeal
    comment: str  # the evaluator's words beside it


def disputes(db: Database, instrument: Instrument, response_id: int) -> dict[str, Dispute]:
    """Every item and onsite clause of a response whose verified value differs from what the centre reported."""
    out = {}
    for row in db.query(
        """SELECT a.item_id, a.value, a.verified, n.verified_level, coalesce(n.comment, '') AS comment
           FROM answers a LEFT JOIN answer_notes n ON n.response_id = a.response_id AND n.item_id = a.item_id
           WHERE a.response_id = ? AND a.verified IS NOT NULL AND a.value IS NOT NULL AND a.verified != a.value""",
        [response_id],
    ):
        if _appealable(instrument, row["item_id"]):
            level = row["verified_level"] or UNKNOWN_LEVEL
            out[row["item_id"]] = Dispute(row["item_id"], row["value"], row["verified"], level, row["comment"])
    return out


def _appealable(instrument: Instrument, item_id: str) -> bool:
    clause = instrument.clause.get(item_id)
    return item_id in instrument.item or (clause is not None and not clause.auto)


def appeals_of(db: Database, response_id: int) -> list[Appeal]:
    """Every appeal of a response, oldest first."""
    rows = db.query("SELECT * FROM appeals WHERE response_id = ? ORDER BY id", [response_id])
    return [Appeal.of(row) for row in rows]


def get_appeal(db: Database, appeal_id: int) -> Appeal:
    rows = list(db.query("SELECT * FROM appeals WHERE id = ?", [appeal_id]))
    if not rows:
        raise NotFoundError("no_appeal", appeal=appeal_id)
    return Appeal.of(rows[0])


def lodge(
    db: Database,
    round_: Round,
    instrument: Instrument,
    org_code: str,
    item_id: str,
    reason: str,
    user: User,
    *,
    response_id: int | None = None,
    file: tuple[str, bytes] | None = None,
) -> Appeal:
    """A centre appeals the verified value of `item_id` in its own response, with a reason and optionally a file.

    `response_id` is the response the page showed: one not the centre's own is refused.
    """
    if user.role != "centre" or user.org_code != org_code:
        raise AppealError("appeal_other_centre", item_id)
    response = get_response(db, round_.id, org_code)
    if response is None or (response_id is not None and response_id != response.id):
        raise AppealError("appeal_other_centre", item_id)
    if round_.status != "open":
        raise AppealError("appeal_closed", item_id)
    if not _appealable(instrument, item_id):
        raise AppealError("appeal_unknown", item_id)
    reason = _words(reason, item_id, "appeal_reason")
    with writing(db):
        dispute = disputes(db, instrument, response.id).get(item_id)
        if dispute is None:
            raise AppealError("appeal_not_disputed", item_id)
        waiting = db.execute(
            "SELECT 1 FROM appeals WHERE response_id = ? AND item_id = ? AND status = ?",
            [response.id, item_id, PENDING],
        )
        if waiting.fetchone():
            raise AppealError("appeal_pending", item_id)
        stamp = now()
        cursor = db.execute(
            """INSERT INTO appeals (response_id, item_id, level, reported, verified, reason, username, created_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            [response.id, item_id, dispute.level, dispute.reported, dispute.verified, reason, user.username, stamp],
        )
        record(db, [(stamp, user.username, response.id, "appeal", item_id, None, reason, "appeal")])
        if file is not None:
            add_evidence(
                db,
                round_,
                instrument,
                org_code,
                item_id,
                file[0],
                file[1],
                user,
                appeal_id=cursor.lastrowid,
                source="appeal",
            )
    return get_appeal(db, cursor.lastrowid)


def decide(
    db: Database, round_: Round, instrument: Instrument, appeal_id: int, accept: bool, reason: str, user: User
) -> Appeal:
    """The evaluator of the appeal's level accepts it (the centre's value becomes the verified one) or rejects it."""
    appeal = get_appeal(db, appeal_id)
    response = response_by_id(db, appeal.response_id)
    if response.round_id != round_.id or not reaches(db, user, response.org_code) or user.role != "evaluator":
        raise NotFoundError("no_appeal", appeal=appeal_id)
    if reviewer_level(db, user) != appeal.level:
        raise AppealError("appeal_not_yours", appeal.item_id)
    if round_.status != "open":
        raise AppealError("appeal_closed", appeal.item_id)
    reason = (reason or "").strip()
    if not accept:
        reason = _words(reason, appeal.item_id, "appeal_decision")
    elif len(reason) > MAX_COMMENT:
        raise AppealError("appeal_too_long", appeal.item_id, limit=MAX_COMMENT)
    with writing(db):
        current = get_appeal(db, appeal_id)
        if current.status != PENDING:
            raise AppealError("appeal_decided", appeal.item_id)
        if accept:
            _accept(db, instrument, response, current, reason, user)
        stamp = now()
        db.execute(
            "UPDATE appeals SET status = ?, decision = ?, decided_by = ?, decided_at = ? WHERE id = ?",
            [ACCEPTED if accept else REJECTED, reason, user.username, stamp, appeal_id],
        )
        action = "appeal_accept" if accept else "appeal_reject"
        record(db, [(stamp, user.username, response.id, action, current.item_id, None, reason or None, "appeal")])
    return get_appeal(db, appeal_id)


def _accept(db: Database, instrument: Instrument, response: Response, appeal: Appeal, reason: str, user: User) -> None:
    """The centre's value as appealed becomes the verified one, at the appeal's level."""
    if appeal.item_id in instrument.item:
        value = from_db(instrument.item[appeal.item_id], appeal.reported)
        write_verified(
            db,
            instrument,
            response,
            {appeal.item_id: value},
            username=user.username,
            source="appeal",
            level=appeal.level,
        )
    else:
        write_ratings(
            db,
            instrument,
            response,
            {appeal.item_id: (appeal.reported, reason or appeal.reason)},
            verified=True,
            username=user.username,
            source="appeal",
            level=appeal.level,
        )


def _words(text: str, item_id: str, code: str) -> str:
    text = (text or "").strip()
    if not text:
        raise AppealError(code, item_id)
    if len(text) > MAX_COMMENT:
        raise AppealError("appeal_too_long", item_id, limit=MAX_COMMENT)
    return text


def pending(db: Database, round_id: int, scope_code: str | None = None, level: int | None = None) -> list[dict]:
    """The round's pending appeals (within `scope_code`, at review `level` when given), with the centre's code."""
    rows = db.query(
        """SELECT p.*, r.org_code FROM appeals p JOIN responses r ON r.id = p.response_id
           WHERE r.round_id = ? AND p.status = ? ORDER BY p.id""",
        [round_id, PENDING],
    )
    found = [row for row in rows if level is None or row["level"] == level]
    if scope_code is None:
        return found
    return [row for row in found if is_under(db, row["org_code"], scope_code)]


def for_evaluator(db: Database, round_: Round, user: User) -> list[dict]:
    """The pending appeals the evaluator decides: at their level, within their unit."""
    level = reviewer_level(db, user)
    if level is None:
        return []
    return [row for row in pending(db, round_.id, level=level) if reaches(db, user, row["org_code"])]


def check_closable(db: Database, round_: Round) -> None:
    """Refuse to close a round while appeals wait, naming them."""
    waiting = pending(db, round_.id)
    if waiting:
        raise AppealsPendingError([(row["org_code"], row["item_id"]) for row in waiting])
