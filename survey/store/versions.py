"""Instrument versions: the source text of each (id, version), compiled once per process.

Each stored version carries the digest of its source; a lookup reads only that
digest and finds the compiled instrument in the process's cache, so a request
neither reads nor parses the source again.
"""

from __future__ import annotations

from functools import lru_cache

from sqlite_utils import Database

import instruments
from instruments import Instrument

from ..db import source_digest, writing
from . import NotFoundError, StoreError, now


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
            ],  # fmt: skip
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
