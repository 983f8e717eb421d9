"""Organisation units: the hierarchy province → city → county → township/community.

A unit may carry attributes (`隶属关系`: 省属/市属/县属, `举办主体`, …), kept as
name → text in `org_attributes`, by which centres can be grouped. Every unit's
place in the tree is kept in `org_paths` (each unit with every unit above it),
worked out again whenever units are saved, so "under", "is under" and "its
county" are one indexed lookup however many units there are.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from sqlite_utils import Database

from exports.names import name_key

from ..db import rebuild_paths, writing
from . import NotFoundError

CHUNK = 500  # codes per IN (...) query


@dataclass(frozen=True)
class Unit:
    """An organisation unit: a region at some level, or a health centre."""

    code: str
    name: str
    level: str
    parent_code: str | None
    kind: str
    population: int | None
    attributes: dict[str, str] = field(default_factory=dict)


class UnitRecord(Protocol):
    """What `save_units` needs of a unit (a Unit, or an `exports.OrgUnit` as read from a file)."""

    code: str
    name: str
    level: str
    parent_code: str | None
    kind: str
    population: int | None

    @property
    def attributes(self) -> Mapping[str, str | None]: ...


def save_units(db: Database, units: Iterable[UnitRecord]) -> tuple[int, int]:
    """Insert or update units given parents first; returns (added, updated).

    Each attribute a unit names is set to its value, or unset when the value is None;
    attributes it does not name are left as they are.
    """
    units = list(units)
    existing = {row["code"] for row in db.query("SELECT code FROM org_units")}
    setting = [(u.code, k, v) for u in units for k, v in u.attributes.items() if v is not None]
    unsetting = [(u.code, k) for u in units for k, v in u.attributes.items() if v is None]
    with writing(db):
        db.conn.executemany(
            """INSERT INTO org_units (code, name, level, parent_code, kind, population, name_key)
               VALUES (?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (code) DO UPDATE SET name = excluded.name, level = excluded.level,
                 parent_code = excluded.parent_code, kind = excluded.kind,
                 population = excluded.population, name_key = excluded.name_key""",
            [(u.code, u.name, u.level, u.parent_code, u.kind, u.population, name_key(u.name)) for u in units],
        )
        db.conn.executemany(
            """INSERT INTO org_attributes (org_code, name, value) VALUES (?, ?, ?)
               ON CONFLICT (org_code, name) DO UPDATE SET value = excluded.value""",
            setting,
        )
        db.conn.executemany("DELETE FROM org_attributes WHERE org_code = ? AND name = ?", unsetting)
        rebuild_paths(db)
    added = sum(1 for u in units if u.code not in existing)
    return added, len(units) - added


def _attributes(db: Database, codes: Sequence[str] | None = None) -> dict[str, dict[str, str]]:
    """The attributes of the units with these codes (of every unit when None)."""
    out: dict[str, dict[str, str]] = {}
    if codes is None:
        chunks: Iterable = [db.query("SELECT org_code, name, value FROM org_attributes ORDER BY rowid")]
    else:
        chunks = (
            db.query(
                f"SELECT org_code, name, value FROM org_attributes WHERE org_code IN ({', '.join('?' * len(part))})",
                part,
            )
            for part in (list(codes[i : i + CHUNK]) for i in range(0, len(codes), CHUNK))
        )
    for rows in chunks:
        for row in rows:
            out.setdefault(row["org_code"], {})[row["name"]] = row["value"]
    return out


def _units(db: Database, rows: Iterable[dict]) -> list[Unit]:
    """Units of rows of org_units, each with its attributes."""
    rows = list(rows)
    attributes = _attributes(db, [row["code"] for row in rows])
    return [_unit(row, attributes) for row in rows]


def _unit(row: dict, attributes: Mapping[str, dict[str, str]]) -> Unit:
    """A row of org_units as a Unit (its sort key stays in SQL)."""
    fields = {key: value for key, value in row.items() if key != "name_key"}
    return Unit(**fields, attributes=attributes.get(row["code"], {}))


def get_unit(db: Database, code: str) -> Unit:
    """The unit with this code; NotFoundError when there is none."""
    units = _units(db, db.query("SELECT * FROM org_units WHERE code = ?", [code]))
    if not units:
        raise NotFoundError("no_unit", code=code)
    return units[0]


def attribute_names(db: Database) -> list[tuple[str, int]]:
    """Every attribute name in use, with how many units carry it, by name in pinyin order."""
    rows = db.query("SELECT name, count(*) AS n FROM org_attributes GROUP BY name")
    return sorted(((row["name"], row["n"]) for row in rows), key=lambda pair: (name_key(pair[0]), pair[0]))


def attribute_groups(db: Database, name: str, codes: Sequence[str]) -> dict[str, list[int]]:
    """The positions in `codes` of the units carrying each value of attribute `name`, by value in pinyin order.

    Units without the attribute are in no group. The result feeds `instruments.regional`
    as regions do, so league tables and summaries can be grouped by any attribute.
    """
    value_of: dict[str, str] = {}
    for start in range(0, len(codes), CHUNK):
        part = list(codes[start : start + CHUNK])
        sql = (
            f"SELECT org_code, value FROM org_attributes WHERE name = ? AND org_code IN ({', '.join('?' * len(part))})"
        )
        value_of.update({row["org_code"]: row["value"] for row in db.query(sql, [name, *part])})
    groups: dict[str, list[int]] = {}
    for position, code in enumerate(codes):
        value = value_of.get(code)
        if value is not None:
            groups.setdefault(value, []).append(position)
    return dict(sorted(groups.items(), key=lambda pair: (name_key(pair[0]), pair[0])))


def parents(db: Database) -> dict[str, str | None]:
    """Every unit's parent code."""
    return {row["code"]: row["parent_code"] for row in db.query("SELECT code, parent_code FROM org_units")}


def all_units(db: Database) -> dict[str, Unit]:
    """Every unit by code."""
    attributes = _attributes(db)
    return {row["code"]: _unit(row, attributes) for row in db.query("SELECT * FROM org_units")}


def under(db: Database, code: str | None) -> list[str]:
    """Codes of `code` and every unit below it (everything when code is None)."""
    if code is None:
        return [row["code"] for row in db.query("SELECT code FROM org_units")]
    get_unit(db, code)
    return [row["org_code"] for row in db.query("SELECT org_code FROM org_paths WHERE ancestor = ?", [code])]


def is_under(db: Database, code: str, ancestor: str) -> bool:
    """Whether unit `code` is `ancestor` or lies below it."""
    found = db.execute("SELECT 1 FROM org_paths WHERE ancestor = ? AND org_code = ?", [ancestor, code]).fetchone()
    return found is not None


def above(db: Database, code: str) -> dict[str, Unit]:
    """The units above `code` (and itself) by level: its county, city, province."""
    rows = db.query(
        """SELECT o.* FROM org_paths p JOIN org_units o ON o.code = p.ancestor
           WHERE p.org_code = ? ORDER BY p.depth DESC""",
        [code],
    )
    return {unit.level: unit for unit in _units(db, rows)}


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
    """The units directly below `code` (the top-level units when None), by name in pinyin order."""
    if code is None:
        rows = db.query("SELECT * FROM org_units WHERE parent_code IS NULL ORDER BY name_key, code")
    else:
        rows = db.query("SELECT * FROM org_units WHERE parent_code = ? ORDER BY name_key, code", [code])
    return _units(db, rows)


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
    return _units(db, rows)


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


def by_name(db: Database, codes: Iterable[str | None]) -> list[tuple[str, str]]:
    """The code and name of the units with these codes (those that exist), by name in pinyin order."""
    wanted = sorted({code for code in codes if code})
    rows: list[tuple[str, str, str]] = []
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        sql = f"SELECT name_key, code, name FROM org_units WHERE code IN ({', '.join('?' * len(chunk))})"
        rows += db.execute(sql, chunk).fetchall()
    return [(code, name) for _key, code, name in sorted(rows)]


def names_and_levels(db: Database, codes: Iterable[str | None]) -> dict[str, tuple[str, str]]:
    """The name and level of the units with these codes (those that exist)."""
    wanted = sorted({code for code in codes if code})
    out: dict[str, tuple[str, str]] = {}
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        sql = f"SELECT code, name, level FROM org_units WHERE code IN ({', '.join('?' * len(chunk))})"
        out.update({row["code"]: (row["name"], row["level"]) for row in db.query(sql, chunk)})
    return out
