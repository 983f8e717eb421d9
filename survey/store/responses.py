"""Responses and their answers: one response per centre per round, answers in long format.

Reading them (as the instrument core holds them, or as numbers for scoring),
how an answer is stored, and the audit rows every change leaves. An onsite
clause's rating is an answer too, keyed by the clause id (the loader keeps
clause ids apart from item ids): the centre's self-rating as the value, the
evaluator's rating as the verified value, so every reading here — and every
score — carries the clause levels with the items. Writing answers is
`editing`'s, writing ratings `ratings`'; moving a response through review is
`lifecycle`'s.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlite_utils import Database

from instruments import Instrument, Item, level_number
from instruments.item_types import ITEM_TYPES

from . import NotFoundError, StoreError, now
from .rounds import Round


@dataclass(frozen=True)
class Response:
    """One centre's response to one round: its state in review and its version counter."""

    id: int
    round_id: int
    org_code: str
    status: str
    review_level: int
    version: int
    updated_at: str
    submitted_at: str | None

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> Response:
        """The response in a `responses` row."""
        return cls(**{k: row[k] for k in cls.__dataclass_fields__})


def from_db(item: Item, raw: Any) -> Any:
    """A stored answer back as the value the instrument core expects (the item type's own reading)."""
    return ITEM_TYPES[item.type].from_stored(raw, item)


def get_response(db: Database, round_id: int, org_code: str) -> Response | None:
    """The centre's response to a round, or None before anything is saved."""
    rows = list(db.query("SELECT * FROM responses WHERE round_id = ? AND org_code = ?", [round_id, org_code]))
    return Response.of(rows[0]) if rows else None


def ensure_response(db: Database, round_id: int, org_code: str) -> Response:
    """The centre's response to the round, created (empty, a draft) when there is none yet."""
    existing = get_response(db, round_id, org_code)
    if existing is not None:
        return existing
    stamp = now()
    db.execute(
        "INSERT INTO responses (round_id, org_code, created_at, updated_at) VALUES (?, ?, ?, ?)",
        [round_id, org_code, stamp, stamp],
    )
    return get_response(db, round_id, org_code)


def response_by_id(db: Database, response_id: int) -> Response:
    """The response with this id; NotFoundError when there is none."""
    rows = list(db.query("SELECT * FROM responses WHERE id = ?", [response_id]))
    if not rows:
        raise NotFoundError("no_response", response=response_id)
    return Response.of(rows[0])


def responses_by_id(db: Database, ids: list[int]) -> list[Response]:
    """The responses with these ids (those that exist)."""
    out = []
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        rows = db.query(f"SELECT * FROM responses WHERE id IN ({', '.join('?' * len(part))})", part)
        out += [Response.of(row) for row in rows]
    return out


def answers(db: Database, instrument: Instrument, response_id: int, verified: bool = False) -> dict[str, Any]:
    """A response's answers by item id, and its onsite clauses' ratings by clause id; with `verified`,
    a verified value or level replaces the reported one."""
    rows = db.query("SELECT item_id, value, verified FROM answers WHERE response_id = ?", [response_id])
    return _answers(instrument, ((row["item_id"], row["value"], row["verified"]) for row in rows), verified)


def round_answers(db: Database, instrument: Instrument, round_id: int) -> dict[int, dict[str, Any]]:
    """The reported answers of every response of a round, by response id (one query for all)."""
    cursor = db.conn.execute(
        """SELECT a.response_id, a.item_id, a.value, a.verified FROM answers a
           JOIN responses r ON r.id = a.response_id WHERE r.round_id = ? ORDER BY a.response_id""",
        [round_id],
    )
    return {
        response_id: _answers(instrument, ((item_id, value, verified) for _, item_id, value, verified in group), False)
        for response_id, group in itertools.groupby(cursor, key=lambda row: row[0])
    }


def _answers(instrument: Instrument, rows: Iterable[tuple[str, Any, Any]], verified: bool) -> dict[str, Any]:
    out = {}
    for item_id, value, checked in rows:
        item = instrument.item.get(item_id)
        chosen = checked if verified and checked is not None else value
        if item is not None:
            out[item.id] = from_db(item, chosen)
        elif item_id in instrument.clause and not instrument.clause[item_id].auto:
            out[item_id] = chosen  # a level id, `below` or `not_applicable`, stored as written
    return out


def attached(db: Database, response_ids: Iterable[int]) -> dict[int, set[str]]:
    """For each response, the items and clauses that have at least one evidence file."""
    ids = list(response_ids)
    out: dict[int, set[str]] = {response_id: set() for response_id in ids}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        for response_id, item_id in db.execute(
            f"SELECT DISTINCT response_id, item_id FROM evidence WHERE response_id IN ({marks})", chunk
        ):
            out[response_id].add(item_id)
    return out


def stored_values(instrument: Instrument, values: Mapping[str, Any]) -> dict[str, Any]:
    """Answers as stored, by item id; an id the instrument does not have is refused."""
    out = {}
    for item_id, value in values.items():
        item = instrument.item.get(item_id)
        if item is None:
            raise StoreError("not_an_item", item=item_id, instrument=instrument.id)
        out[item_id] = ITEM_TYPES[item.type].to_stored(value, item)
    return out


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


FEW = 5_000  # centres read by their codes; more than this, and the whole round is read


def round_columns(
    db: Database, round_: Round, instrument: Instrument, codes: list[str], verified: bool = True
) -> dict[str, np.ndarray]:
    """One float column per item and per onsite clause over `codes` (NaN where unanswered or unrated), for scoring."""
    index = {code: row for row, code in enumerate(codes)}
    columns = {item.id: np.full(len(codes), np.nan) for item in instrument.items}
    clauses = {clause.id: clause for clause in instrument.onsite_clauses}
    columns.update({clause_id: np.full(len(codes), np.nan) for clause_id in clauses})
    items = instrument.item
    value = "coalesce(a.verified, a.value)" if verified else "a.value"
    sql = f"""SELECT r.org_code, a.item_id, {value} FROM answers a
              JOIN responses r ON r.id = a.response_id WHERE r.round_id = ?"""
    if len(codes) > FEW:  # most of the round: one pass over all its answers
        cursor = db.conn.execute(sql, [round_.id])
    else:  # a few centres (a save, a county): only theirs
        cursor = itertools.chain.from_iterable(
            db.conn.execute(f"{sql} AND r.org_code IN ({', '.join('?' * len(part))})", [round_.id, *part])
            for part in (codes[start : start + 500] for start in range(0, len(codes), 500))
        )
    kinds = {item.id: ITEM_TYPES[item.type] for item in instrument.items}
    for org_code, item_id, raw in cursor:
        row = index.get(org_code)
        if row is None:
            continue
        if item_id in kinds:
            columns[item_id][row] = kinds[item_id].stored_number(raw, items[item_id])
        elif item_id in clauses:
            columns[item_id][row] = level_number(clauses[item_id], raw)
    return columns


def statuses(db: Database, round_: Round) -> dict[str, Response]:
    """Every response of a round by org code."""
    return {
        row["org_code"]: Response.of(row) for row in db.query("SELECT * FROM responses WHERE round_id = ?", [round_.id])
    }
