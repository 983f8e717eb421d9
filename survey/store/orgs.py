"""Organisation units: the hierarchy province → city → county → township/community."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlite_utils import Database

from ..db import writing
from . import NotFoundError

LEVELS = ("province", "city", "county", "township", "community", "village")


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    level: str
    parent_code: str | None
    kind: str
    population: int | None


def save_units(db: Database, units: Iterable) -> tuple[int, int]:
    """Insert or update units given parents first; returns (added, updated)."""
    units = list(units)
    existing = {row["code"] for row in db.query("SELECT code FROM org_units")}
    with writing(db):
        for unit in units:
            db.execute(
                """INSERT INTO org_units (code, name, level, parent_code, kind, population)
                   VALUES (?, ?, ?, ?, ?, ?)
                   ON CONFLICT (code) DO UPDATE SET name = excluded.name, level = excluded.level,
                     parent_code = excluded.parent_code, kind = excluded.kind,
                     population = excluded.population""",
                [unit.code, unit.name, unit.level, unit.parent_code, unit.kind, unit.population],
            )
    added = sum(1 for u in units if u.code not in existing)
    return added, len(units) - added


def get_unit(db: Database, code: str) -> Unit:
    rows = list(db.query("SELECT * FROM org_units WHERE code = ?", [code]))
    if not rows:
        raise NotFoundError(f"no organisation unit '{code}'")
    return Unit(**rows[0])


def parents(db: Database) -> dict[str, str | None]:
    """Every unit's parent code."""
    return {row["code"]: row["parent_code"] for row in db.query("SELECT code, parent_code FROM org_units")}


def all_units(db: Database) -> dict[str, Unit]:
    return {row["code"]: Unit(**row) for row in db.query("SELECT * FROM org_units")}


def under(db: Database, code: str | None) -> list[str]:
    """Codes of `code` and every unit below it (everything when code is None)."""
    if code is None:
        return [row["code"] for row in db.query("SELECT code FROM org_units")]
    get_unit(db, code)
    return [
        row["code"]
        for row in db.query(
            """WITH RECURSIVE tree(code) AS (
                 SELECT ? UNION ALL
                 SELECT o.code FROM org_units o JOIN tree t ON o.parent_code = t.code)
               SELECT code FROM tree""",
            [code],
        )
    ]


def is_under(db: Database, code: str, ancestor: str) -> bool:
    """Whether unit `code` is `ancestor` or lies below it."""
    row = next(
        db.query(
            """WITH RECURSIVE up(code, parent_code) AS (
                 SELECT code, parent_code FROM org_units WHERE code = ? UNION ALL
                 SELECT o.code, o.parent_code FROM org_units o JOIN up ON o.code = up.parent_code)
               SELECT count(*) AS n FROM up WHERE code = ?""",
            [code, ancestor],
        )
    )
    return row["n"] > 0


def ancestor_at(units: dict[str, Unit], code: str, level: str) -> Unit | None:
    """The unit at `level` above `code` (e.g. its county), if any."""
    seen = set()
    unit = units.get(code)
    while unit is not None and unit.code not in seen:
        if unit.level == level:
            return unit
        seen.add(unit.code)
        unit = units.get(unit.parent_code) if unit.parent_code else None
    return None


CENTRE_KINDS = ("township_health_centre", "community_health_centre")


def children(db: Database, code: str | None) -> list[Unit]:
    """The units directly below `code` (the top-level units when None), by code."""
    if code is None:
        rows = db.query("SELECT * FROM org_units WHERE parent_code IS NULL ORDER BY code")
    else:
        rows = db.query("SELECT * FROM org_units WHERE parent_code = ? ORDER BY code", [code])
    return [Unit(**row) for row in rows]


def ancestors(db: Database, code: str) -> list[Unit]:
    """The units above `code`, from the top down to its parent."""
    rows = db.query(
        """WITH RECURSIVE up(code, parent_code, depth) AS (
             SELECT code, parent_code, 0 FROM org_units WHERE code = ? UNION ALL
             SELECT o.code, o.parent_code, up.depth + 1 FROM org_units o JOIN up ON o.code = up.parent_code
             WHERE up.depth < 50)
           SELECT o.* FROM up JOIN org_units o ON o.code = up.code WHERE up.depth > 0 ORDER BY up.depth DESC""",
        [code],
    )
    return [Unit(**row) for row in rows]


def centre_counts(db: Database) -> dict[str, int]:
    """For every unit with health centres at or below it, how many there are."""
    parent = parents(db)
    counts: dict[str, int] = {}
    kinds = ", ".join("?" * len(CENTRE_KINDS))
    for row in db.query(f"SELECT code FROM org_units WHERE kind IN ({kinds})", list(CENTRE_KINDS)):
        code, steps = row["code"], 0
        while code is not None and steps <= len(parent):  # bounded: a loop in the data cannot hang a page
            counts[code] = counts.get(code, 0) + 1
            code, steps = parent.get(code), steps + 1
    return counts


def names(db: Database, codes: Iterable[str | None]) -> dict[str, str]:
    """The names of the units with these codes (those that exist)."""
    wanted = sorted({code for code in codes if code})
    out: dict[str, str] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        sql = f"SELECT code, name FROM org_units WHERE code IN ({', '.join('?' * len(chunk))})"
        out.update({row["code"]: row["name"] for row in db.query(sql, chunk)})
    return out
