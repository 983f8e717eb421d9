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

import collections
import functools
import itertools
import operator
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlite_utils import Database

from instruments import Instrument, Item, level_number
from instruments.item_types import ITEM_TYPES, IntegerType, ItemType, numbers_of

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
    for part in parts(ids):
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
    for part in parts(ids):
        marks = ", ".join("?" * len(part))
        for response_id, item_id in db.execute(
            f"SELECT DISTINCT response_id, item_id FROM evidence WHERE response_id IN ({marks})", part
        ):
            out[response_id].add(item_id)
    return out


def parts(values: list, size: int = 500) -> Iterator[list]:
    """`values` in parts of `size` (ids or codes for one `IN (...)` each)."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def stored_values(
    instrument: Instrument, values: Mapping[str, Any], storing: Mapping[str, Callable[[Any], Any] | None] | None = None
) -> dict[str, Any]:
    """Answers as stored, by item id; an id the instrument does not have is refused.

    `storing` is `storers(instrument)`, worked out once when many responses are stored.
    """
    storing = storers(instrument) if storing is None else storing
    out = {}
    for item_id, value in values.items():
        store = storing.get(item_id, stored_values)
        if store is None:  # stored as it is
            out[item_id] = value
        elif store is stored_values:
            raise StoreError("not_an_item", item=item_id, instrument=instrument.id)
        else:
            out[item_id] = store(value)
    return out


def storers(instrument: Instrument) -> dict[str, Callable[[Any], Any] | None]:
    """For each item id, how its answer is stored (its type's `to_stored`), None where stored as it is."""
    out: dict[str, Callable[[Any], Any] | None] = {}
    for item in instrument.items:
        kind = ITEM_TYPES[item.type]
        plain = type(kind).to_stored is ItemType.to_stored
        out[item.id] = None if plain else _remembered(functools.partial(kind.to_stored, item=item))
    return out


def _remembered(store: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`store`, worked out once per distinct answer (a column holds few: yes/no, choices)."""
    known: dict[Any, Any] = {}

    def stored(value: Any) -> Any:
        key = (value.__class__, tuple(value) if isinstance(value, list) else value)
        try:
            found = known.get(key, known)
        except TypeError:  # an answer that cannot be a key (a set of choices)
            return store(value)
        if found is known:
            found = store(value)
            if len(known) < 10_000:
                known[key] = found
        return found

    return stored


def differences(stored: Mapping[str, Any], wanted: Mapping[str, Any]) -> list[tuple[str, Any, Any]]:
    """(item id, old, new) for each wanted value that differs from the stored one."""
    changes = []
    for item_id, new in wanted.items():
        old = stored.get(item_id)
        if new != old or (new is None) != (old is None):
            changes.append((item_id, old, new))
    return changes


def record(db: Database, rows: list[tuple]) -> None:
    """Audit rows: (at, username, response_id, action, item_id, old, new, source)."""
    db.conn.executemany(
        """INSERT INTO audit (at, username, response_id, action, item_id, old, new, source)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
        rows,
    )


FEW = 5_000  # centres read by their codes; more than this, and the whole round is read
FETCH = 200_000  # answers turned into numbers at a time


class Held:
    """The number columns of responses whose answers or ratings as stored are at hand, by org code.

    An import fills it as it writes: the answers of the responses it creates (`add`;
    they have no verified values), and the clause levels that score of the responses
    it rates (`rate`), so scoring them needs no reading back: `round_columns` takes
    their columns from here.
    """

    def __init__(self, instrument: Instrument) -> None:
        numbers = _numbers(instrument)
        self.answered = _Columns({name: number for name, number in numbers.items() if name in instrument.item})
        self.rated = _Columns({name: number for name, number in numbers.items() if name not in instrument.item})

    def add(self, stored: Mapping[str, Mapping[str, Any]]) -> None:
        """The answers of these new responses as stored, by org code, then item id."""
        self.answered.add(stored)

    def rate(self, levels: Mapping[str, Mapping[str, str | None]]) -> None:
        """The clause levels that score of these responses, by org code, then clause id."""
        self.rated.add(levels)

    def fill(self, codes: list[str], columns: dict[str, np.ndarray]) -> dict[str, int]:
        """What is held of `codes` put in their rows of `columns`; the codes whose answers are not held, by row.

        A response whose answers are held and its ratings not has none (its clauses stay unrated).
        """
        self.answered.fill(codes, columns)
        self.rated.fill(codes, columns)
        return {code: row for row, code in enumerate(codes) if code not in self.answered.row}

    def unread(self, codes: Iterable[str], names: Collection[str]) -> set[str]:
        """Of `names`, those to read for `codes`: the clauses only when some of them are not rated here."""
        if all(code in self.rated.row for code in codes):
            return {name for name in names if name not in self.rated.names}
        return set(names)


class _Columns:
    """Number columns of some answers or ratings, appended by org code."""

    def __init__(self, numbers: Mapping[str, Callable[[list], np.ndarray]]) -> None:
        self._numbers = numbers
        self.names = frozenset(numbers)
        self.row: dict[str, int] = {}
        self._parts: list[dict[str, np.ndarray]] = []
        self._columns: dict[str, np.ndarray] | None = None

    def add(self, values: Mapping[str, Mapping[str, Any]]) -> None:
        if not values:
            return
        first = len(self.row)
        self.row.update((code, first + k) for k, code in enumerate(values))
        given = list(values.values())
        self._parts.append({name: number([one.get(name) for one in given]) for name, number in self._numbers.items()})
        self._columns = None

    def fill(self, codes: list[str], columns: dict[str, np.ndarray]) -> None:
        taken = [(row, self.row[code]) for row, code in enumerate(codes) if code in self.row]
        if not taken:
            return
        if self._columns is None:
            self._columns = {name: np.concatenate([part[name] for part in self._parts]) for name in self._numbers}
            self._parts = [self._columns]
        here, there = (np.array(side, dtype=np.int64) for side in zip(*taken, strict=True))
        for name, column in self._columns.items():
            columns[name][here] = column[there]


def scored_names(instrument: Instrument) -> list[str]:
    """The answers scoring reads: every item, then every onsite clause (its rating)."""
    return [item.id for item in instrument.items] + [clause.id for clause in instrument.onsite_clauses]


def round_columns(
    db: Database,
    round_: Round,
    instrument: Instrument,
    codes: list[str],
    verified: bool = True,
    held: Held | None = None,
    only: Collection[str] | None = None,
) -> dict[str, np.ndarray]:
    """One float column per item and per onsite clause over `codes` (NaN where unanswered or unrated), for scoring.

    What `held` holds is taken from it; the rest is read from the database, with `only`
    those items and clauses (the other columns left NaN).
    """
    names = scored_names(instrument)
    columns = {name: np.full(len(codes), np.nan) for name in names}
    wanted = set(names) if only is None else set(names) & set(only)
    if held is not None:
        index = held.fill(codes, columns)
        wanted = held.unread(index, wanted)
    else:
        index = {code: row for row, code in enumerate(codes)}
    wanted = [name for name in names if name in wanted]
    if not index or not wanted:
        return columns
    value = "coalesce(a.verified, a.value)" if verified else "a.value"
    keys = [] if len(wanted) == len(names) else wanted  # read by item id only when some are left out
    of_these = f" AND a.item_id IN ({', '.join('?' * len(keys))})" if keys else ""
    if len(index) > FEW:  # most of the round: one pass over all its answers
        members = db.conn.execute("SELECT id, org_code FROM responses WHERE round_id = ?", [round_.id]).fetchall()
        cursors = [
            db.conn.execute(
                f"""SELECT a.response_id, a.item_id, {value} FROM answers a JOIN responses r ON r.id = a.response_id
                    WHERE r.round_id = ? AND {value} IS NOT NULL{of_these}""",
                [round_.id, *keys],
            )
        ]
    else:  # a few centres (a save, a county): only theirs
        members = []
        for part in parts(list(index)):
            marks = ", ".join("?" * len(part))
            sql = f"SELECT id, org_code FROM responses WHERE round_id = ? AND org_code IN ({marks})"
            members += db.conn.execute(sql, [round_.id, *part]).fetchall()
        ids = [response_id for response_id, code in members]
        cursors = (
            db.conn.execute(
                f"""SELECT a.response_id, a.item_id, {value} FROM answers a
                    WHERE a.response_id IN ({", ".join("?" * len(part))}) AND {value} IS NOT NULL{of_these}""",
                [*part, *keys],
            )
            for part in parts(ids)
        )
    members = [(response_id, index[code]) for response_id, code in members if code in index]
    if not members:
        return columns
    row_of = np.full(max(response_id for response_id, _ in members) + 1, -1, dtype=np.int64)
    for response_id, row in members:
        row_of[response_id] = row
    numbers = _numbers(instrument)
    place = collections.defaultdict(lambda: -1, {name: k for k, name in enumerate(names)})  # -1: not scored
    targets = [columns[name] for name in names]
    first, second, third = (operator.itemgetter(k) for k in range(3))
    for cursor in cursors:
        for chunk in iter(lambda cursor=cursor: cursor.fetchmany(FETCH), []):
            # each field by itemgetter, mapped in C: zip(*chunk) takes as long as the fetch here
            of = np.fromiter(map(first, chunk), np.int64, len(chunk))
            rows = np.where(of < len(row_of), row_of[np.minimum(of, len(row_of) - 1)], -1)
            cols = np.fromiter(map(place.__getitem__, map(second, chunk)), np.int64, len(chunk))
            raw = np.empty(len(chunk), dtype=object)
            raw[:] = list(map(third, chunk))
            keep = (rows >= 0) & (cols >= 0)
            order = np.flatnonzero(keep)[np.argsort(cols[keep], kind="stable")]
            sorted_cols = cols[order]
            edges = np.searchsorted(sorted_cols, np.arange(len(names) + 1))
            for k in np.flatnonzero(np.diff(edges)).tolist():
                taken = order[edges[k] : edges[k + 1]]
                targets[k][rows[taken]] = numbers[names[k]](raw[taken].tolist())
    return columns


def _numbers(instrument: Instrument) -> dict[str, Callable[[list], np.ndarray]]:
    """For each item and onsite clause: stored values to their numbers for scoring, many at a time."""
    out: dict[str, Callable[[list], np.ndarray]] = {}
    for item in instrument.items:
        kind = ITEM_TYPES[item.type]
        if type(kind).stored_number is IntegerType.stored_number:  # stored as the number itself
            out[item.id] = _as_floats
        else:
            out[item.id] = functools.partial(numbers_of, functools.partial(kind.stored_number, item=item))
    for clause in instrument.onsite_clauses:
        out[clause.id] = functools.partial(numbers_of, functools.partial(level_number, clause))
    return out


def _as_floats(raws: list) -> np.ndarray:
    return np.array(raws, dtype=float)  # None (not answered) becomes NaN


def statuses(db: Database, round_: Round) -> dict[str, Response]:
    """Every response of a round by org code."""
    return {
        row["org_code"]: Response.of(row) for row in db.query("SELECT * FROM responses WHERE round_id = ?", [round_.id])
    }
