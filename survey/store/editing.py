"""Editing a response's answers: a centre's saves on the web and workbook imports.

Every write compares against what is stored, writes only what changed, records
each change in the audit trail (who, when, old → new) and bumps the response's
version counter, so a save based on an old version is refused instead of
silently overwriting someone else's work. The lifecycle decides whether answers
may change at all, and an import that submits runs the same submission checks
as the web, on the answers as they will stand. An import's onsite clause ratings
are the centres' self-ratings, written through `ratings.write_ratings` like
every rating, in the same transaction as the answers. Every write stores the
results of the responses it touched in the same transaction (`results.refresh`;
an import scores all of them together by columns).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from instruments import Instrument
from instruments.messages import Message

from ..db import writing
from . import ConflictError, StoreError, now
from .lifecycle import LOCKED, check_editable, submission_problems, submit_many
from .ratings import ClauseRating, RatingError, clause_ratings, parse_ratings, write_ratings
from .responses import (
    Response,
    attached,
    differences,
    ensure_response,
    get_response,
    record,
    response_by_id,
    round_answers,
    stored_values,
)
from .results import refresh
from .rounds import Round

FLUSH = 100_000  # answers an import holds before writing them, to bound its memory


class NotRatableError(StoreError):
    """An import's ratings that do not fit their clauses (不适用 without a reason, a note too long): by org code."""

    def __init__(self, problems: Mapping[str, list[RatingError]]):
        self.problems = dict(problems)
        super().__init__("ratings_refused", centres=", ".join(self.problems))


class NotSubmittableError(StoreError):
    """An import asked to submit responses whose answers would not pass the checks: `problems` by org code."""

    def __init__(self, problems: Mapping[str, list[Message]]):
        self.problems = dict(problems)
        super().__init__("not_submittable", centres=", ".join(self.problems))


def save_answers(
    db: Database,
    round_: Round,
    instrument: Instrument,
    org_code: str,
    values: Mapping[str, Any],
    *,
    username: str,
    source: str,
    expected_version: int | None = None,
    replace: bool = False,
) -> tuple[Response, int]:
    """Write the answers given (None clears one); returns the response and how many changed.

    With `replace`, items not given are cleared too. Refuses approved or submitted
    responses, a closed round, and a save based on an older version.
    """
    with writing(db):
        created = get_response(db, round_.id, org_code) is None
        response = ensure_response(db, round_.id, org_code)
        if expected_version is not None and response.version != expected_version:
            raise ConflictError("changed_since_opened", version=response.version, yours=expected_version)
        check_editable(round_, response)
        changed = _write(db, instrument, response, values, username, source, replace)
        if changed:
            db.execute(
                "UPDATE responses SET version = version + 1, updated_at = ? WHERE id = ?",
                [now(), response.id],
            )
        if changed or created:
            refresh(db, instrument, [response.id])
    return response_by_id(db, response.id), changed


def _write(
    db: Database,
    instrument: Instrument,
    response: Response,
    values: Mapping[str, Any],
    username: str,
    source: str,
    replace: bool,
) -> int:
    """Write the answers that differ from the stored ones, each audited; returns how many."""
    stored = {
        row["item_id"]: row["value"]
        for row in db.query("SELECT item_id, value FROM answers WHERE response_id = ?", [response.id])
        if row["item_id"] in instrument.item  # clause ratings are written by `ratings` alone
    }
    wanted = stored_values(instrument, values)
    if replace:
        wanted.update({item_id: None for item_id in stored if item_id not in wanted})
    changes = differences(stored, wanted)
    _put(db, [(response.id, item_id, new) for item_id, _, new in changes if new is not None])
    cleared = [(response.id, item_id) for item_id, _, new in changes if new is None]
    # a cleared answer keeps its row while an evaluator's verified value stands beside it
    db.conn.executemany("UPDATE answers SET value = NULL WHERE response_id = ? AND item_id = ?", cleared)
    db.conn.executemany("DELETE FROM answers WHERE response_id = ? AND item_id = ? AND verified IS NULL", cleared)
    stamp = now()
    record(db, [(stamp, username, response.id, "answer", item_id, old, new, source) for item_id, old, new in changes])
    return len(changes)


def _put(db: Database, rows: list[tuple]) -> None:
    """Insert or replace answers: (response_id, item_id, value)."""
    db.conn.executemany(
        """INSERT INTO answers (response_id, item_id, value) VALUES (?, ?, ?)
           ON CONFLICT (response_id, item_id) DO UPDATE SET value = excluded.value""",
        rows,
    )


@dataclass
class ImportSummary:
    """What an import did: responses created, updated and unchanged, answers changed, submitted, and skipped."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    changes: int = 0
    submitted: int = 0
    skipped: list[str] = field(default_factory=list)  # org codes of responses awaiting review or approved


def import_answers(
    db: Database,
    round_: Round,
    instrument: Instrument,
    rows: Iterable[tuple[str, Mapping[str, Any]]],
    *,
    username: str,
    submit: bool = False,
    notes: Mapping[str, Mapping[str, str]] | None = None,
) -> ImportSummary:
    """Write many centres' answers in one transaction: all of them, or none.

    A response the import creates is audited once (who, when, how many answers);
    each answer an import changes in an existing response is audited on its own.
    Values keyed by an onsite clause's id are the centre's self-ratings, and `notes`
    (by org code, then clause id) the words beside them; each is written and audited
    by `write_ratings`, a rating or note not given keeping the stored one. Ratings
    that do not fit (不适用 without a reason) raise NotRatableError, naming them all,
    and nothing is written. With `submit`, every imported response is submitted, and
    NotSubmittableError (nothing written) names those whose answers would not pass
    the web's checks.
    """
    notes = notes or {}
    check_editable(round_, None)
    summary = ImportSummary()
    with writing(db):
        existing = {
            row["org_code"]: Response.of(row)
            for row in db.query("SELECT * FROM responses WHERE round_id = ?", [round_.id])
        }
        rows = list(rows)
        stamp = now()
        db.conn.executemany(
            "INSERT INTO responses (round_id, org_code, created_at, updated_at) VALUES (?, ?, ?, ?)",
            [(round_.id, code, stamp, stamp) for code, _ in rows if code not in existing],
        )
        ids = {
            row["org_code"]: row["id"]
            for row in db.query("SELECT id, org_code FROM responses WHERE round_id = ?", [round_.id])
        }
        new_answers, audit, touched = [], [], []
        refused: dict[str, list[RatingError]] = {}
        for code, given in rows:
            response = existing.get(code)
            if response is not None and response.status in LOCKED:
                summary.skipped.append(code)
                continue
            values = {key: value for key, value in given.items() if key not in instrument.clause}
            ratings = {key: value for key, value in given.items() if key in instrument.clause}
            rated = 0
            if ratings or notes.get(code):
                stored = clause_ratings(db, instrument, ids[code]) if response is not None else {}
                wanted = _self_ratings(stored, ratings, notes.get(code, {}))
                try:
                    if refused:  # once one is refused nothing will stand: the rest are only checked
                        parse_ratings(instrument, wanted)
                    else:
                        target = response or response_by_id(db, ids[code])
                        rated = write_ratings(
                            db,
                            instrument,
                            target,
                            wanted,
                            verified=False,
                            username=username,
                            source="import",
                            rescore=False,  # the import scores every response it touched together, below
                        )
                except RatingError:
                    refused[code] = _misfits(instrument, wanted)
            summary.changes += rated
            if response is None:
                stored = stored_values(instrument, values).items()
                answered = [(ids[code], item_id, value) for item_id, value in stored if value is not None]
                new_answers += answered
                if len(new_answers) >= FLUSH:
                    _put(db, new_answers)
                    new_answers = []
                audit.append((stamp, username, ids[code], "import", None, None, f"{len(answered)} answers", "import"))
                summary.created += 1
                summary.changes += len(answered)
            else:
                changed = _write(db, instrument, response, values, username, "import", replace=False)
                summary.changes += changed
                summary.updated += bool(changed or rated)
                summary.unchanged += not (changed or rated)
            touched.append(code)
        if refused:
            raise NotRatableError(refused)
        _put(db, new_answers)
        record(db, audit)
        if submit:
            _submit_imported(db, round_, instrument, [ids[code] for code in touched], username)
            summary.submitted = len(touched)
        db.conn.executemany(
            "UPDATE responses SET version = version + 1, updated_at = ? WHERE id = ?",
            [(stamp, ids[code]) for code in touched],
        )
        refresh(db, instrument, [ids[code] for code in touched])
    return summary


def _self_ratings(
    stored: Mapping[str, ClauseRating], ratings: Mapping[str, Any], said: Mapping[str, str]
) -> dict[str, tuple[Any, str]]:
    """What an import writes as a response's self-ratings: a rating or note not given keeps the stored one."""
    wanted: dict[str, tuple[Any, str]] = {}
    for clause_id in {**ratings, **said}:
        before = stored.get(clause_id)
        level = ratings.get(clause_id, before.reported if before else None)
        wanted[clause_id] = (level, said.get(clause_id, before.note if before else ""))
    return wanted


def _misfits(instrument: Instrument, wanted: Mapping[str, tuple[Any, str]]) -> list[RatingError]:
    """Every rating of `wanted` that does not fit its clause."""
    found = []
    for clause_id, pair in wanted.items():
        try:
            parse_ratings(instrument, {clause_id: pair})
        except RatingError as error:
            found.append(error)
    return found


def _submit_imported(db: Database, round_: Round, instrument: Instrument, ids: list[int], username: str) -> None:
    """Submit the imported responses, checked on their answers as now written, or refuse them all."""
    responses = [response_by_id(db, response_id) for response_id in ids]
    stored = round_answers(db, instrument, round_.id)
    files = attached(db, ids)
    found = submission_problems(
        instrument, [stored.get(response.id, {}) for response in responses], [files[r.id] for r in responses]
    )
    refused = {response.org_code: problems for response, problems in zip(responses, found, strict=True) if problems}
    if refused:
        raise NotSubmittableError(refused)
    submit_many(db, round_, responses, username=username, source="import")
