"""Responses and their answers: one response per centre per round, answers in long format.

Every write goes through `save_answers`, which compares against what is stored,
writes only what changed, records each change in the audit trail (who, when,
old → new) and bumps the response's version counter — so a save based on an
old version is refused instead of silently overwriting someone else's work.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlite_utils import Database

from instruments import Instrument, Item

from ..db import writing
from . import ConflictError, NotFoundError, StoreError, now
from .rounds import Round

STATUSES = ("draft", "submitted", "returned", "approved")
FLUSH = 100_000  # answers an import holds before writing them, to bound its memory


@dataclass(frozen=True)
class Response:
    id: int
    round_id: int
    org_code: str
    status: str
    review_level: int
    version: int
    updated_at: str
    submitted_at: str | None


def to_db(item: Item, value: Any):
    """An answer as stored: numbers and text as they are, yes/no as 1/0, picks as JSON."""
    if value is None:
        return None
    if item.type == "boolean":
        return int(bool(value))
    if item.type == "multi_choice":
        return json.dumps(list(value), ensure_ascii=False)
    return value


def from_db(item: Item, raw):
    """A stored answer back as the value the instrument core expects."""
    if raw is None:
        return None
    if item.type == "boolean":
        return bool(raw)
    if item.type == "multi_choice":
        return tuple(json.loads(raw))
    return raw


def get_response(db: Database, round_id: int, org_code: str) -> Response | None:
    rows = list(db.query("SELECT * FROM responses WHERE round_id = ? AND org_code = ?", [round_id, org_code]))
    return _response(rows[0]) if rows else None


def response_by_id(db: Database, response_id: int) -> Response:
    rows = list(db.query("SELECT * FROM responses WHERE id = ?", [response_id]))
    if not rows:
        raise NotFoundError(f"no response {response_id}")
    return _response(rows[0])


def _response(row: dict) -> Response:
    return Response(**{k: row[k] for k in Response.__dataclass_fields__})


def answers(db: Database, instrument: Instrument, response_id: int, verified: bool = False) -> dict:
    """A response's answers by item id; with `verified`, a verified value replaces the reported one."""
    out = {}
    for row in db.query("SELECT item_id, value, verified FROM answers WHERE response_id = ?", [response_id]):
        item = instrument.item.get(row["item_id"])
        if item is None:
            continue
        raw = row["verified"] if verified and row["verified"] is not None else row["value"]
        out[item.id] = from_db(item, raw)
    return out


def _ensure_response(db: Database, round_id: int, org_code: str) -> Response:
    existing = get_response(db, round_id, org_code)
    if existing is not None:
        return existing
    stamp = now()
    db.execute(
        "INSERT INTO responses (round_id, org_code, created_at, updated_at) VALUES (?, ?, ?, ?)",
        [round_id, org_code, stamp, stamp],
    )
    return get_response(db, round_id, org_code)


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
        response = _ensure_response(db, round_.id, org_code)
        if expected_version is not None and response.version != expected_version:
            raise ConflictError(
                "this response was changed elsewhere since you opened it "
                f"(version {response.version}, yours {expected_version}); reload to see the changes"
            )
        _check_writable(round_, response)
        changed = _write(db, instrument, response, values, username, source, replace)
        if changed:
            db.execute(
                "UPDATE responses SET version = version + 1, updated_at = ? WHERE id = ?",
                [now(), response.id],
            )
    return response_by_id(db, response.id), changed


def _check_writable(round_: Round, response: Response) -> None:
    if round_.status != "open":
        raise StoreError(f"round {round_.id} is closed")
    if response.status in ("submitted", "approved"):
        state = {"submitted": "submitted and awaits review", "approved": "approved"}[response.status]
        raise StoreError(f"the response of {response.org_code} is {state}; it cannot be changed")


def stored_values(instrument: Instrument, values: Mapping[str, Any]) -> dict[str, Any]:
    """Answers as stored, by item id; an id the instrument does not have is refused."""
    out = {}
    for item_id, value in values.items():
        item = instrument.item.get(item_id)
        if item is None:
            raise StoreError(f"'{item_id}' is not an item of {instrument.id}")
        out[item_id] = to_db(item, value)
    return out


def _write(db, instrument, response, values, username, source, replace) -> int:
    stored = {
        row["item_id"]: row["value"]
        for row in db.query("SELECT item_id, value FROM answers WHERE response_id = ?", [response.id])
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


def differences(stored: Mapping[str, Any], wanted: Mapping[str, Any]) -> list[tuple[str, Any, Any]]:
    """(item id, old, new) for each wanted value that differs from the stored one."""
    changes = []
    for item_id, new in wanted.items():
        old = stored.get(item_id)
        if new != old or (new is None) != (old is None):
            changes.append((item_id, old, new))
    return changes


def _put(db: Database, rows: list[tuple]) -> None:
    """Insert or replace answers: (response_id, item_id, value)."""
    db.conn.executemany(
        """INSERT INTO answers (response_id, item_id, value) VALUES (?, ?, ?)
           ON CONFLICT (response_id, item_id) DO UPDATE SET value = excluded.value""",
        rows,
    )


def record(db: Database, rows: list[tuple]) -> None:
    """Audit rows: (at, username, response_id, action, item_id, old, new, source)."""
    db.conn.executemany(
        """INSERT INTO audit (at, username, response_id, action, item_id, old, new, source)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
        rows,
    )


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    changes: int = 0
    submitted: int = 0
    skipped: list[str] = field(default_factory=list)  # org codes of approved responses


def import_answers(
    db: Database,
    round_: Round,
    instrument: Instrument,
    rows: Iterable[tuple[str, Mapping[str, Any]]],
    *,
    username: str,
    submit: bool = False,
) -> ImportSummary:
    """Write many centres' answers in one transaction: all of them, or none.

    A response the import creates is audited once (who, when, how many answers);
    each answer an import changes in an existing response is audited on its own.
    """
    if round_.status != "open":
        raise StoreError(f"round {round_.id} is closed")
    summary = ImportSummary()
    with writing(db):
        existing = {
            row["org_code"]: _response(row)
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
        for code, values in rows:
            response = existing.get(code)
            if response is not None and response.status in ("approved", "submitted"):
                summary.skipped.append(code)
                continue
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
                summary.updated += bool(changed)
                summary.unchanged += not changed
            touched.append((code, response))
        _put(db, new_answers)
        record(db, audit)
        if submit:
            _submit_imported(db, round_, [(ids[code], response) for code, response in touched], username, stamp)
            summary.submitted = len(touched)
        db.conn.executemany(
            "UPDATE responses SET version = version + 1, updated_at = ? WHERE id = ?",
            [(stamp, ids[code]) for code, _ in touched],
        )
    return summary


def _submit_imported(db: Database, round_: Round, responses: list[tuple[int, Response | None]], username, stamp):
    """Mark imported responses submitted (approved when the round has no review levels)."""
    status = "approved" if round_.review_levels == 0 else "submitted"
    db.conn.executemany(
        "UPDATE responses SET status = ?, review_level = 0, submitted_at = ? WHERE id = ?",
        [(status, stamp, response_id) for response_id, _ in responses],
    )
    db.conn.executemany(
        """INSERT INTO reviews (response_id, user_id, level, action, comment, created_at)
           VALUES (?, NULL, 0, 'submit', '', ?)""",
        [(response_id, stamp) for response_id, _ in responses],
    )
    record(
        db,
        [
            (stamp, username, response_id, "status", None, response.status if response else "draft", status, "import")
            for response_id, response in responses
        ],
    )


def round_columns(
    db: Database, round_: Round, instrument: Instrument, codes: list[str], verified: bool = True
) -> dict[str, np.ndarray]:
    """One float column per item over `codes` (NaN where unanswered), for scoring."""
    index = {code: row for row, code in enumerate(codes)}
    columns = {item.id: np.full(len(codes), np.nan) for item in instrument.items}
    numbers = {item.id: _numberer(item) for item in instrument.items}
    value = "coalesce(a.verified, a.value)" if verified else "a.value"
    cursor = db.conn.execute(
        f"""SELECT r.org_code, a.item_id, {value} FROM answers a
            JOIN responses r ON r.id = a.response_id WHERE r.round_id = ?""",
        [round_.id],
    )
    for org_code, item_id, raw in cursor:
        row = index.get(org_code)
        number = numbers.get(item_id)
        if row is not None and number is not None and raw is not None:
            columns[item_id][row] = number(raw)
    return columns


def _numberer(item: Item):
    if item.type in ("integer", "number", "boolean"):
        return float
    if item.type == "choice":
        codes = {value: float(i) for i, value in enumerate(item.choice_values)}
        return lambda raw: codes.get(raw, np.nan)
    if item.type == "multi_choice":
        return lambda raw: float(len(json.loads(raw)))
    return lambda raw: np.nan


def statuses(db: Database, round_: Round) -> dict[str, Response]:
    """Every response of a round by org code."""
    return {
        row["org_code"]: _response(row) for row in db.query("SELECT * FROM responses WHERE round_id = ?", [round_.id])
    }


def check_status(status: str) -> None:
    if status not in STATUSES:
        raise StoreError(f"unknown status '{status}'")
