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

import itertools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from instruments import Instrument
from instruments.messages import Message

from ..db import bulk, writing
from . import ConflictError, StoreError, now
from .lifecycle import LOCKED, check_editable, submission_problems, submit_many
from .ratings import ClauseRating, RatingError, clause_ratings_of, parse_ratings, standing, write_many_ratings
from .responses import (
    Held,
    Response,
    attached,
    differences,
    ensure_response,
    get_response,
    parts,
    record,
    response_by_id,
    round_answers,
    stored_values,
    storers,
)
from .results import refresh
from .rounds import Round, outside_round

IMPORT_CHUNK = 2_000  # rows an import checks and writes at a time


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
        changed = _write(db, instrument, {response.id: values}, username, source, replace)[response.id]
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
    values: Mapping[int, Mapping[str, Any]],
    username: str,
    source: str,
    replace: bool,
) -> dict[int, int]:
    """Write the answers (by response id) that differ from the stored ones, each audited; how many, by response id."""
    storing = storers(instrument)
    changed = dict.fromkeys(values, 0)
    for part in parts(list(values)):
        stored: dict[int, dict[str, Any]] = {response_id: {} for response_id in part}
        marks = ", ".join("?" * len(part))
        items = instrument.item  # clause ratings are written by `ratings` alone
        for response_id, item_id, value in db.execute(
            f"SELECT response_id, item_id, value FROM answers WHERE response_id IN ({marks})", part
        ):
            if item_id in items:
                stored[response_id][item_id] = value
        put, cleared, audit, stamp = [], [], [], now()
        for response_id in part:
            wanted = stored_values(instrument, values[response_id], storing)
            if replace:
                wanted.update({item_id: None for item_id in stored[response_id] if item_id not in wanted})
            changes = differences(stored[response_id], wanted)
            put += [(response_id, item_id, new) for item_id, _, new in sorted(changes) if new is not None]
            cleared += [(response_id, item_id) for item_id, _, new in changes if new is None]
            audit += [
                (stamp, username, response_id, "answer", item_id, old, new, source) for item_id, old, new in changes
            ]
            changed[response_id] = len(changes)
        _put(db, put)
        # a cleared answer keeps its row while an evaluator's verified value stands beside it
        db.conn.executemany("UPDATE answers SET value = NULL WHERE response_id = ? AND item_id = ?", cleared)
        db.conn.executemany("DELETE FROM answers WHERE response_id = ? AND item_id = ? AND verified IS NULL", cleared)
        record(db, audit)
    return changed


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
    """Write many centres' answers in one transaction: all of them, or none (a unit that is no centre of
    the round refused by name).

    A response the import creates is audited once (who, when, how many answers);
    each answer an import changes in an existing response is audited on its own.
    Values keyed by an onsite clause's id are the centre's self-ratings, and `notes`
    (by org code, then clause id) the words beside them, written by `write_ratings`:
    a response's first ones audited once (how many), a change to stored ones each on
    its own, a rating or note not given keeping the stored one. Ratings that do not
    fit (不适用 without a reason) raise NotRatableError, naming them all, and nothing
    is written. With `submit`, every imported response is submitted, and
    NotSubmittableError (nothing written) names those whose answers would not pass
    the web's checks.
    """
    notes = notes or {}
    check_editable(round_, None)
    summary = ImportSummary()
    storing = storers(instrument)
    with bulk(db):
        existing = {
            row["org_code"]: Response.of(row)
            for row in db.query("SELECT * FROM responses WHERE round_id = ?", [round_.id])
        }
        ids = {code: response.id for code, response in existing.items()}
        stamp = now()
        touched: list[str] = []
        refused: dict[str, list[RatingError]] = {}
        known: dict = {}  # ratings as read, for `parse_ratings`
        clauses = instrument.clause
        held = Held(instrument)  # new answers and ratings as numbers: scored without reading them back
        answered_again = False  # an item's answer changed in a response there was
        rows = iter(rows)  # taken a chunk at a time: a chunk's answers can go once written
        while chunk := list(itertools.islice(rows, IMPORT_CHUNK)):
            outside = outside_round(db, round_, [code for code, _ in chunk if code not in existing])
            if outside:
                shown = ", ".join(outside[:10]) + (f" … ({len(outside)})" if len(outside) > 10 else "")
                raise StoreError("not_in_round", round=round_.id, codes=shown)
            last = db.execute("SELECT coalesce(max(id), 0) FROM responses").fetchone()[0]
            db.conn.executemany(
                "INSERT INTO responses (round_id, org_code, created_at, updated_at) VALUES (?, ?, ?, ?)",
                [(round_.id, code, stamp, stamp) for code, _ in chunk if code not in existing],
            )
            sql = "SELECT id, org_code FROM responses WHERE round_id = ? AND id > ?"
            ids.update((code, response_id) for response_id, code in db.execute(sql, [round_.id, last]))
            part: list[tuple[str, Response | None, dict[str, Any], dict[str, Any]]] = []
            for code, given in chunk:
                response = existing.get(code)
                if response is not None and response.status in LOCKED:
                    summary.skipped.append(code)
                    continue
                if clauses.keys() & given.keys():
                    values = {key: value for key, value in given.items() if key not in clauses}
                    ratings = {key: value for key, value in given.items() if key in clauses}
                else:
                    values, ratings = dict(given), {}
                part.append((code, response, values, ratings))
                touched.append(code)
            rated = _import_ratings(db, instrument, part, ids, notes, refused, known, username, held)
            new_answers, audit, updates, fresh = [], [], {}, {}
            for code, response, values, _ in part:
                summary.changes += rated.get(code, 0)
                if response is None:
                    answered = {
                        item_id: value
                        for item_id, value in stored_values(instrument, values, storing).items()
                        if value is not None
                    }
                    new_answers.append((ids[code], json.dumps(answered, sort_keys=True, allow_nan=False)))
                    fresh[code] = answered
                    audit.append(
                        (stamp, username, ids[code], "import", None, None, f"{len(answered)} answers", "import")
                    )
                    summary.created += 1
                    summary.changes += len(answered)
                elif values:
                    updates[response.id] = values
            # a new response's answers go in as one JSON object each, unpacked by SQLite in key order
            db.conn.executemany(
                "INSERT INTO answers (response_id, item_id, value) SELECT ?, key, value FROM json_each(?)", new_answers
            )
            record(db, audit)
            held.add(fresh)
            changed = _write(db, instrument, updates, username, "import", replace=False)
            answered_again = answered_again or any(changed.values())
            for code, response, _, _ in part:
                if response is not None:
                    count = changed.get(response.id, 0)
                    summary.changes += count
                    summary.updated += bool(count or rated.get(code))
                    summary.unchanged += not (count or rated.get(code))
        if refused:
            raise NotRatableError(refused)
        if submit:
            _submit_imported(db, round_, instrument, [ids[code] for code in touched], username)
            summary.submitted = len(touched)
        db.conn.executemany(
            "UPDATE responses SET version = version + 1, updated_at = ? WHERE id = ?",
            [(stamp, ids[code]) for code in touched],
        )
        # ratings alone, of responses there were: their items' rows stand as committed
        committed = () if summary.created or answered_again else [item.id for item in instrument.items]
        refresh(db, instrument, [ids[code] for code in touched], held, committed)
    return summary


def _import_ratings(
    db: Database,
    instrument: Instrument,
    part: list[tuple[str, Response | None, dict[str, Any], dict[str, Any]]],
    ids: Mapping[str, int],
    notes: Mapping[str, Mapping[str, str]],
    refused: dict[str, list[RatingError]],
    known: dict,
    username: str,
    held: Held,
) -> dict[str, int]:
    """The self-ratings of some imported rows, written by `write_many_ratings`; how many changed, by org code.

    Ratings that do not fit go to `refused`; once one is refused nothing will stand,
    so the rest are only checked. The levels that score once they are written go to `held`.
    """
    rated = [(code, response, ratings) for code, response, _, ratings in part if ratings or notes.get(code)]
    old = [ids[code] for code, response, _ in rated if response is not None]
    stored = clause_ratings_of(db, instrument, old) if old else {}
    kept = {ids[code]: stored.get(ids[code], {}) for code, _, _ in rated}
    read = {}
    for code, _, ratings in rated:
        wanted = _self_ratings(kept[ids[code]], ratings, notes.get(code, {}))
        try:
            read[ids[code]] = parse_ratings(instrument, wanted, known)
        except RatingError:
            refused[code] = _misfits(instrument, wanted)
    if refused or not read:
        return {}
    changed = write_many_ratings(
        db,
        instrument,
        read,
        verified=False,
        username=username,
        source="import",
        rescore=False,  # the import scores every response it touched together
        first_once=True,
        stored=kept,
    )
    held.rate({code: standing(kept[ids[code]], read[ids[code]]) for code, _, _ in rated})
    return {code: changed[ids[code]] for code, _, _ in rated}


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
