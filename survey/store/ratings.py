"""Clause ratings: a centre's self-rating (自评) and an evaluator's rating of each onsite clause, with their words.

A rating is stored as an answer keyed by the clause id (see `responses`): the
self-rating is the reported value, the evaluator's rating the verified value,
so scoring reads the evaluator's level first, as it reads verified values. The
note beside a self-rating, the evaluator's comment (the reason, when a clause
is rated not applicable) and the review level that recorded the evaluator's
rating live in `answer_notes`.

Every write of a rating — a centre's, an evaluator's, an accepted appeal's —
goes through `write_ratings`: it reads what people wrote with the core's
`rating` (a level the clause has, 未达到, 不适用), refuses a rating for an auto
clause, an unknown clause and 不适用 without a reason before anything is
written, writes only what changed, audits each change (who, when, old → new)
and bumps the response's version. `self_rate` and `rate` decide first who may
write: the centre while its answers may change, the evaluator at the level the
response awaits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from instruments import NOT_APPLICABLE, AnswerError, Instrument, rating

from ..db import writing
from . import ConflictError, StoreError, now
from .lifecycle import check_editable
from .responses import Response, ensure_response, record, response_by_id
from .results import refresh
from .reviews import MAX_COMMENT, check_reviewer
from .rounds import Round
from .users import User

# Audit actions: the level itself, then the words beside it.
ACTIONS = {False: ("self_rating", "self_rating_note"), True: ("rating", "rating_comment")}


class RatingError(StoreError):
    """A rating that does not fit clause `clause_id`: its code says how (an unknown clause, a level it lacks, …)."""

    def __init__(self, clause_id: str, code: str, /, **params: Any):
        self.clause_id = clause_id
        super().__init__(code, **params)


@dataclass(frozen=True)
class ClauseRating:
    """An onsite clause of one response: the centre's level and note, the evaluator's level and comment."""

    reported: str | None = None
    note: str = ""
    verified: str | None = None
    comment: str = ""
    verified_level: int | None = None  # the review level that recorded `verified`

    @property
    def effective(self) -> str | None:
        """The level that scores: the evaluator's where there is one."""
        return self.verified if self.verified is not None else self.reported


def clause_ratings(db: Database, instrument: Instrument, response_id: int) -> dict[str, ClauseRating]:
    """Every onsite clause of a response that has a rating or words beside it, by clause id."""
    found: dict[str, dict[str, Any]] = {}
    for row in db.query("SELECT item_id, value, verified FROM answers WHERE response_id = ?", [response_id]):
        found.setdefault(row["item_id"], {}).update(reported=row["value"], verified=row["verified"])
    for row in db.query(
        "SELECT item_id, note, comment, verified_level FROM answer_notes WHERE response_id = ?", [response_id]
    ):
        found.setdefault(row["item_id"], {}).update(
            note=row["note"], comment=row["comment"], verified_level=row["verified_level"]
        )
    onsite = {clause.id for clause in instrument.onsite_clauses}
    return {clause_id: ClauseRating(**fields) for clause_id, fields in found.items() if clause_id in onsite}


def parse_ratings(instrument: Instrument, given: Mapping[str, tuple[Any, str]]) -> dict[str, tuple[str | None, str]]:
    """What people wrote per clause (a level as written, the words beside it), read; RatingError on a misfit."""
    out = {}
    for clause_id, (raw, text) in given.items():
        clause = instrument.clause.get(clause_id)
        if clause is None:
            raise RatingError(clause_id, "rating_unknown_clause")
        try:
            value = rating(clause, raw)
        except AnswerError as error:
            raise RatingError(clause_id, error.code, **error.params) from None
        text = (text or "").strip()
        if len(text) > MAX_COMMENT:
            raise RatingError(clause_id, "rating_note_too_long", limit=MAX_COMMENT)
        if value == NOT_APPLICABLE and not text:
            raise RatingError(clause_id, "rating_needs_reason")
        out[clause_id] = (value, text)
    return out


def write_ratings(
    db: Database,
    instrument: Instrument,
    response: Response,
    given: Mapping[str, tuple[Any, str]],
    *,
    verified: bool,
    username: str,
    source: str,
    level: int | None = None,
    rescore: bool = True,
) -> int:
    """The one write of clause ratings: the centre's (`verified` false) or an evaluator's at review `level`.

    `given` maps clause ids to (level as people wrote it, the words beside it); None or
    blank clears a rating. Returns how many values changed; nothing is written when
    any rating does not fit its clause. Who may write is the caller's to check. The
    response's stored results follow in the same transaction, unless `rescore` is
    false because the caller scores many responses together (an import).
    """
    wanted = parse_ratings(instrument, given)
    level_column, text_column = ("verified", "comment") if verified else ("value", "note")
    rating_action, text_action = ACTIONS[verified]
    with writing(db):
        stored = {
            row[0]: row[1]
            for row in db.execute(f"SELECT item_id, {level_column} FROM answers WHERE response_id = ?", [response.id])
        }
        notes = db.execute(f"SELECT item_id, {text_column} FROM answer_notes WHERE response_id = ?", [response.id])
        texts = {row[0]: row[1] for row in notes}
        audit, stamp = [], now()
        for clause_id, (value, text) in wanted.items():
            old, old_text = stored.get(clause_id), texts.get(clause_id, "")
            if value != old:
                _put_level(db, response.id, clause_id, level_column, value)
                audit.append((stamp, username, response.id, rating_action, clause_id, old, value, source))
            if text != old_text:
                audit.append(
                    (stamp, username, response.id, text_action, clause_id, old_text or None, text or None, source)
                )
            if value != old or text != old_text:
                recorded_at = level if verified and value else None
                _put_words(db, response.id, clause_id, text_column, text, recorded_at, verified)
        if audit:
            record(db, audit)
            db.execute("UPDATE responses SET version = version + 1, updated_at = ? WHERE id = ?", [stamp, response.id])
            if rescore:
                refresh(db, instrument, [response.id])
    return len(audit)


def _put_level(db: Database, response_id: int, clause_id: str, column: str, value: str | None) -> None:
    db.execute(
        f"""INSERT INTO answers (response_id, item_id, {column}) VALUES (?, ?, ?)
            ON CONFLICT (response_id, item_id) DO UPDATE SET {column} = excluded.{column}""",
        [response_id, clause_id, value],
    )
    db.execute(
        "DELETE FROM answers WHERE response_id = ? AND item_id = ? AND value IS NULL AND verified IS NULL",
        [response_id, clause_id],
    )


def _put_words(
    db: Database, response_id: int, clause_id: str, column: str, text: str, level: int | None, verified: bool
) -> None:
    """The words beside a rating, and (for an evaluator's) the review level that recorded it."""
    level_set = ", verified_level = excluded.verified_level" if verified else ""
    db.execute(
        f"""INSERT INTO answer_notes (response_id, item_id, {column}, verified_level) VALUES (?, ?, ?, ?)
            ON CONFLICT (response_id, item_id) DO UPDATE SET {column} = excluded.{column}{level_set}""",
        [response_id, clause_id, text, level],
    )
    db.execute(
        """DELETE FROM answer_notes WHERE response_id = ? AND item_id = ?
           AND note = '' AND comment = '' AND verified_level IS NULL""",
        [response_id, clause_id],
    )


def self_rate(
    db: Database,
    round_: Round,
    instrument: Instrument,
    org_code: str,
    given: Mapping[str, tuple[Any, str]],
    *,
    username: str,
    source: str = "web",
    expected_version: int | None = None,
) -> tuple[Response, int]:
    """A centre's self-ratings with their notes, while its answers may change; based on the response's version."""
    parse_ratings(instrument, given)  # a misfit is refused before a response is created for it
    with writing(db):
        response = ensure_response(db, round_.id, org_code)
        if expected_version is not None and response.version != expected_version:
            raise ConflictError("changed_since_opened", version=response.version, yours=expected_version)
        check_editable(round_, response)
        changed = write_ratings(db, instrument, response, given, verified=False, username=username, source=source)
    return response_by_id(db, response.id), changed


def rate(
    db: Database,
    round_: Round,
    instrument: Instrument,
    response: Response,
    given: Mapping[str, tuple[Any, str]],
    user: User,
    *,
    expected_version: int | None = None,
) -> tuple[Response, int]:
    """An evaluator's ratings with comments, at the level the response awaits, recorded as verified levels."""
    with writing(db):
        current = response_by_id(db, response.id)
        level = check_reviewer(db, round_, current, user, expected_version)
        changed = write_ratings(
            db, instrument, current, given, verified=True, username=user.username, source="review", level=level
        )
    return response_by_id(db, current.id), changed
