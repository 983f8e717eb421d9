"""Survey rounds: an instrument version, a period, a scope of org units, review levels, a deadline."""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from exports.names import name_problem
from instruments import Instrument
from instruments.messages import Message

from ..db import writing
from . import NotFoundError, StoreError, now
from .orgs import get_unit, is_under
from .users import audit
from .versions import get_instrument, usable_instrument


@dataclass(frozen=True)
class Round:
    """A survey round: an instrument version, a period, a scope, review levels, a deadline, open or closed."""

    id: int
    instrument_id: str
    version: str
    period: str
    title: str
    scope_code: str | None
    review_levels: int
    deadline: str | None
    status: str


def create_round(
    db: Database,
    instrument_id: str,
    period: str,
    title: str,
    *,
    version: str | None = None,
    scope_code: str | None = None,
    review_levels: int = 2,
    deadline: str | None = None,
) -> Round:
    """Open a round on an instrument version (the latest not retired when none is given); a retired one is refused."""
    with writing(db):  # the version is read under the write lock: one retired meanwhile opens no round
        instrument = usable_instrument(db, instrument_id, version)
        if scope_code is not None:
            get_unit(db, scope_code)
        if not 0 <= review_levels <= 4:
            raise StoreError("review_levels_range")
        if not period.strip() or not title.strip():
            raise StoreError("round_needs_period_title")
        for what, text in ((Message("round_title"), title.strip()), (Message("round_period"), period.strip())):
            if (problem := name_problem(text)) is not None:
                raise StoreError("round_name_bad", what=what, problem=problem)
        cursor = db.execute(
            """INSERT INTO rounds (instrument_id, version, period, title, scope_code, review_levels,
               deadline, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                instrument.id,
                instrument.version,
                period.strip(),
                title.strip(),
                scope_code,
                review_levels,
                deadline,
                now(),
            ],
        )
    return get_round(db, cursor.lastrowid)


def get_round(db: Database, round_id: int | str) -> Round:
    """The round with this number; NotFoundError when there is none or the number is not one."""
    try:
        number = int(round_id)
    except (TypeError, ValueError):
        raise NotFoundError("not_round_number", value=round_id) from None
    if not 0 < number < 2**63:
        raise NotFoundError("no_round", round=number)
    rows = list(db.query("SELECT * FROM rounds WHERE id = ?", [number]))
    if not rows:
        raise NotFoundError("no_round", round=number)
    row = rows[0]
    return Round(**{k: row[k] for k in Round.__dataclass_fields__})


def round_instrument(db: Database, round_: Round) -> Instrument:
    """The instrument version a round was opened on."""
    return get_instrument(db, round_.instrument_id, round_.version)


def previous_round(db: Database, round_: Round) -> Round | None:
    """The latest earlier round on the same instrument, if any (last year's, to compare with)."""
    rows = list(
        db.query(
            "SELECT id FROM rounds WHERE instrument_id = ? AND id < ? ORDER BY id DESC LIMIT 1",
            [round_.instrument_id, round_.id],
        )
    )
    return get_round(db, rows[0]["id"]) if rows else None


def list_rounds(db: Database) -> list[Round]:
    """Every round, oldest first."""
    return [get_round(db, row["id"]) for row in db.query("SELECT id FROM rounds ORDER BY id")]


def set_status(db: Database, round_: Round, status: str) -> None:
    """Open or close a round (unaudited: `change_status` records who did it)."""
    with writing(db):
        db.execute("UPDATE rounds SET status = ? WHERE id = ?", [status, round_.id])


def jurisdiction(db: Database, round_: Round, org_code: str | None) -> str | None:
    """The part of a round's scope inside `org_code` (None: everything); NotFoundError when they do not meet."""
    if org_code is None:
        return round_.scope_code
    if round_.scope_code is None or is_under(db, org_code, round_.scope_code):
        return org_code
    if is_under(db, round_.scope_code, org_code):
        return round_.scope_code
    raise NotFoundError("round_does_not_reach", round=round_.id, code=org_code)


def answers_round(db: Database, round_: Round, org_code: str) -> bool:
    """Whether a unit is one of the centres that answer the round (in scope, of a kind it applies to)."""
    try:
        unit = get_unit(db, org_code)
    except NotFoundError:
        return False
    applies_to = round_instrument(db, round_).applies_to
    if applies_to and unit.kind not in applies_to:
        return False
    return round_.scope_code is None or is_under(db, org_code, round_.scope_code)


def in_round(db: Database, round_: Round, scope_code: str | None) -> tuple[str, str, list]:
    """The SQL of the centres that answer a round within `scope_code`: units `o` (and `scope_`, their paths).

    Returns tables and a condition on them with its parameters, to place as
    `FROM {tables} WHERE {condition}`: in the scope (the round's, narrowed to `scope_code`),
    of a kind the instrument applies to. The one home of "the centres of a round" in SQL;
    a scope is read from its own units down (CROSS JOIN fixes that order), so a county
    costs what a county has, whatever the country has.
    """
    applies_to = sorted(round_instrument(db, round_).applies_to)
    top = scope_code or round_.scope_code
    kinds = f"o.kind IN ({', '.join('?' * len(applies_to))})" if applies_to else "1"
    if not top:
        return "org_units o", kinds, applies_to
    return (
        "org_paths scope_ CROSS JOIN org_units o",
        f"scope_.ancestor = ? AND o.code = scope_.org_code AND {kinds}",
        [top, *applies_to],
    )


def centres(db: Database, round_: Round, scope_code: str | None = None) -> list[dict]:
    """The centres that answer a round within `scope_code` (the round's scope by default).

    Each: code, name, county and city names, in code order.
    """
    check_scope(db, round_, scope_code)
    tables, condition, params = in_round(db, round_, scope_code)
    sql = f"SELECT o.code, o.name, {place_names('o')} FROM {tables} WHERE {condition} ORDER BY o.code"
    return [dict(row) for row in db.query(sql, params)]


def outside_round(db: Database, round_: Round, codes: list[str]) -> list[str]:
    """Those of `codes` that are not centres of the round (in its scope, of a kind its instrument applies to)."""
    tables, condition, params = in_round(db, round_, None)
    found: set[str] = set()
    for start in range(0, len(codes), 500):
        part = codes[start : start + 500]
        sql = f"SELECT o.code FROM {tables} WHERE {condition} AND o.code IN ({', '.join('?' * len(part))})"
        found.update(code for (code,) in db.execute(sql, params + part))
    return [code for code in codes if code not in found]


def centre_of(db: Database, round_: Round, scope_code: str | None, code: str) -> dict | None:
    """The centre `code` (code, name, county, city) if it answers the round within `scope_code`."""
    check_scope(db, round_, scope_code)
    tables, condition, params = in_round(db, round_, scope_code)
    sql = f"SELECT o.code, o.name, {place_names('o')} FROM {tables} WHERE {condition} AND o.code = ?"
    rows = list(db.query(sql, params + [code]))
    return dict(rows[0]) if rows else None


def centres_named(db: Database, round_: Round, scope_code: str | None, codes: list[str]) -> dict[str, dict]:
    """Those of `codes` that are centres of the round within `scope_code`, by code (code, name, county, city)."""
    tables, condition, params = in_round(db, round_, scope_code)
    out = {}
    for start in range(0, len(codes), 500):
        part = codes[start : start + 500]
        sql = f"""SELECT o.code, o.name, {place_names("o")} FROM {tables}
                  WHERE {condition} AND o.code IN ({", ".join("?" * len(part))})"""
        out.update({row["code"]: dict(row) for row in db.query(sql, params + part)})
    return out


def not_started(
    db: Database,
    round_: Round,
    scope_code: str | None,
    region: str = "",
    search: str = "",
    offset: int = 0,
    limit: int = 100,
) -> tuple[list[dict], int]:
    """The round's centres within `scope_code` that have saved nothing (under `region`, with `search` in the name
    or code): a page of them in code order (code, name, county, city) and how many there are."""
    tables, condition, params = in_round(db, round_, scope_code)
    where = [condition, "NOT EXISTS (SELECT 1 FROM responses r WHERE r.round_id = ? AND r.org_code = o.code)"]
    params = [*params, round_.id]
    if region:
        where.append("EXISTS (SELECT 1 FROM org_paths x WHERE x.org_code = o.code AND x.ancestor = ?)")
        params.append(region)
    if search.strip():
        where.append("(instr(o.name, ?) > 0 OR instr(o.code, ?) > 0)")
        params += [search.strip(), search.strip()]
    rows = [
        dict(row)
        for row in db.query(
            f"""SELECT o.code, o.name, {place_names("o")}, count(*) OVER () AS found FROM {tables}
            WHERE {" AND ".join(where)} ORDER BY o.code LIMIT ? OFFSET ?""",
            [*params, max(int(limit), 1), max(int(offset), 0)],
        )
    ]
    if rows or not offset:
        return rows, rows[0]["found"] if rows else 0
    return rows, not_started(db, round_, scope_code, region, search, 0, 1)[1]


def check_scope(db: Database, round_: Round, scope_code: str | None) -> None:
    """Refuse a scope that is no unit, or lies outside the round's scope."""
    if scope_code is None:
        return
    get_unit(db, scope_code)
    if round_.scope_code is not None and not is_under(db, scope_code, round_.scope_code):
        raise StoreError("outside_round_scope", scope=scope_code, round=round_.id)


def place_names(unit: str) -> str:
    """SQL columns `county` and `city`: the names of the county and city above the unit aliased `unit`."""
    return ", ".join(
        f"""coalesce((SELECT a.name FROM org_paths p JOIN org_units a ON a.code = p.ancestor
                      WHERE p.org_code = {unit}.code AND p.level = '{level}'
                      ORDER BY p.depth LIMIT 1), '') AS {level}"""
        for level in ("county", "city")
    )


ROUND_STATUSES = ("open", "closed")


def change_status(db: Database, round_: Round, status: str, *, username: str) -> Round:
    """Close or reopen a round, recorded in the audit trail; a closed round takes no answers."""
    if status not in ROUND_STATUSES:
        raise StoreError("round_status", statuses=" / ".join(ROUND_STATUSES), status=status)
    if status != round_.status:
        with writing(db):
            set_status(db, round_, status)
            audit(db, username, "round.status", f"round {round_.id}", round_.status, status)
    return get_round(db, round_.id)
