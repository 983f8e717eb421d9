"""Instrument versions: the source text of each (id, version), compiled once per process.

Each stored version carries the digest of its source; a lookup reads only that
digest and finds the compiled instrument in the process's cache, so a request
neither reads nor parses the source again.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlite_utils import Database

import instruments
from instruments import Instrument

from ..db import source_digest, writing
from . import NotFoundError, StoreError, now
from .users import audit


def save_instrument(db: Database, instrument: Instrument) -> bool:
    """Store an instrument version; False when that exact version is already stored."""
    rows = list(
        db.query(
            "SELECT source FROM instruments WHERE instrument_id = ? AND version = ?",
            [instrument.id, instrument.version],
        )
    )
    if rows:
        if _parse(rows[0]["source"]) == instrument:
            return False
        raise StoreError("version_differs", instrument=instrument.id, version=instrument.version)
    with writing(db):
        db.execute(
            """INSERT INTO instruments (instrument_id, version, title, source, loaded_at, digest)
               VALUES (?, ?, ?, ?, ?, ?)""",
            [
                instrument.id,
                instrument.version,
                instrument.title.zh,
                instrument.source,
                now(),
                source_digest(instrument.source),
            ],
        )
    return True


def get_instrument(db: Database, instrument_id: str, version: str | None = None) -> Instrument:
    """An instrument version (the latest loaded when `version` is None)."""
    sql = "SELECT id, digest FROM instruments WHERE instrument_id = ?"
    params = [instrument_id]
    if version is not None:
        sql += " AND version = ?"
        params.append(version)
    rows = list(db.query(sql + " ORDER BY id DESC LIMIT 1", params))
    if not rows:
        if version:
            raise NotFoundError("no_instrument_version", instrument=instrument_id, version=version)
        raise NotFoundError("no_instrument", instrument=instrument_id)
    return _compiled(db, rows[0]["id"], rows[0]["digest"])


def list_instruments(db: Database) -> list[tuple[Instrument, str]]:
    """Every stored version with when it was loaded, oldest first."""
    return [
        (_parse(row["source"]), row["loaded_at"])
        for row in db.query("SELECT source, loaded_at FROM instruments ORDER BY instrument_id, id")
    ]


@dataclass(frozen=True)
class Retirement:
    """When and by whom a version was retired."""

    at: str
    by: str


def retirements(db: Database) -> dict[tuple[str, str], Retirement]:
    """The retired versions by (instrument id, version), with when and by whom."""
    return {
        (row["instrument_id"], row["version"]): Retirement(row["retired_at"], row["retired_by"])
        for row in db.query(
            "SELECT instrument_id, version, retired_at, retired_by FROM instruments WHERE retired_at IS NOT NULL"
        )
    }


def usable_instrument(db: Database, instrument_id: str, version: str | None = None) -> Instrument:
    """The version a new round may be opened on: the latest loaded that is not retired when `version` is None;
    a retired version is refused."""
    if version is not None:
        found = get_instrument(db, instrument_id, version)
        if (instrument_id, version) in retirements(db):
            raise StoreError("version_retired", instrument=instrument_id, version=version)
        return found
    rows = list(
        db.query(
            """SELECT id, digest FROM instruments WHERE instrument_id = ? AND retired_at IS NULL
               ORDER BY id DESC LIMIT 1""",
            [instrument_id],
        )
    )
    if not rows:
        raise NotFoundError("no_instrument", instrument=instrument_id)
    return _compiled(db, rows[0]["id"], rows[0]["digest"])


def retire_version(db: Database, instrument_id: str, version: str, *, username: str) -> None:
    """Retire a version so that no new round is opened on it, recorded in the audit trail; rounds already on it
    keep it. The last version of an instrument that is not retired is refused."""
    get_instrument(db, instrument_id, version)
    with writing(db):
        if (instrument_id, version) in retirements(db):
            return
        others = db.execute(
            """SELECT count(*) FROM instruments
               WHERE instrument_id = ? AND version != ? AND retired_at IS NULL""",
            [instrument_id, version],
        ).fetchone()[0]
        if not others:
            raise StoreError("version_last_usable", instrument=instrument_id, version=version)
        _set_retired(db, instrument_id, version, now(), username)


def restore_version(db: Database, instrument_id: str, version: str, *, username: str) -> None:
    """Bring a retired version back into use for new rounds, recorded in the audit trail."""
    get_instrument(db, instrument_id, version)
    with writing(db):
        if (instrument_id, version) in retirements(db):
            _set_retired(db, instrument_id, version, None, username)


def _set_retired(db: Database, instrument_id: str, version: str, at: str | None, username: str) -> None:
    """Mark a version retired at `at` by `username` (or in use again when `at` is None) and audit the change."""
    db.execute(
        "UPDATE instruments SET retired_at = ?, retired_by = ? WHERE instrument_id = ? AND version = ?",
        [at, username if at else None, instrument_id, version],
    )
    retired = int(at is not None)
    audit(db, username, "instrument.retired", f"{instrument_id} {version}", 1 - retired, retired)


_COMPILED: dict[str, Instrument] = {}  # by source digest
MAX_COMPILED = 64


def _compiled(db: Database, row_id: int, digest: str | None) -> Instrument:
    """The instrument stored in row `row_id`, compiled once per process."""
    found = _COMPILED.get(digest) if digest else None
    if found is None:
        source = db.execute("SELECT source FROM instruments WHERE id = ?", [row_id]).fetchone()[0]
        found = _parse(source)
        if len(_COMPILED) >= MAX_COMPILED:
            _COMPILED.pop(next(iter(_COMPILED)))
        _COMPILED[source_digest(source)] = found
    return found


@lru_cache(maxsize=64)
def _parse(source: str) -> Instrument:
    return instruments.load_text(source)
