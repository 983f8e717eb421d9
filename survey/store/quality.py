"""Data quality of a round: every failed check and every outlier, found when results are stored, read in SQL.

Four kinds of flag, each found for many centres at once (numpy over columns, one
boolean per centre and item or indicator) whenever `results.refresh` stores a
response's results, and kept in `flags`:

    constraint  an answered item breaks its constraint
    required    a required item that is asked is unanswered on a submitted or approved response
    median      a value far from its county's median in the same round
    change      a value that moved a lot since the centre's previous round on the same instrument

Values are those scored: a verified value replaces the reported one. A stored
response's median flags are found again whenever a centre of its county is
stored; its change flags when it is (`survey score` redoes a round after last
year's answers or the units changed). Failed targets are not data problems and
are counted apart (`results.failed`). Readers count and list flags in SQL over a
jurisdiction. Required flags are stored only for submitted or approved responses
(a draft may still be incomplete: a national import of drafts would otherwise
store millions), and a submission stores its response's flags; readers still
count a required flag only on such a response (one returned keeps its flags
until it is next saved).
"""

from __future__ import annotations

import heapq
import itertools
import warnings
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from sqlite_utils import Database

from instruments import Instrument, broken_constraints, unanswered_required
from instruments.expressions import NUMBER, OK
from instruments.item_types import ITEM_TYPES

from .lifecycle import LOCKED
from .responses import parts
from .results import StoredScores, figures_where, stored_for
from .rounds import Round, previous_round, round_instrument

KINDS = ("constraint", "required", "median", "change")

# Far from the county median: more than MEDIAN_FACTOR times it, or less than
# 1/MEDIAN_FACTOR of it, where at least MEDIAN_MIN_REPORTING centres of the
# county report the value (a median of two says little) and the median is
# above zero (a ratio to zero means nothing).
MEDIAN_FACTOR = 3.0
MEDIAN_MIN_REPORTING = 3

# A large change from the previous round: by more than CHANGE_SHARE of the
# previous value AND by more than a small absolute amount, so that a count of 1
# becoming 2 (+100%) is not flagged while 10 staff becoming 4 is. The amount is
# in the value's own unit: 2 of a counted item (persons, beds, visits), 5
# percentage points of a percent indicator, 0.5 of a ratio such as GPs per
# 10,000 residents or nurses per physician.
CHANGE_SHARE = 0.30
CHANGE_FLOOR = {"item": 2.0, "percent": 0.05, "integer": 2.0, "number": 0.5}


@dataclass(frozen=True)
class Flag:
    """One problem of one centre's item or indicator (`name`)."""

    org_code: str
    name: str
    kind: str  # one of KINDS
    value: float | None  # the value checked (None for a required item left empty)
    reference: float | None  # the county median, or the previous round's value


def numeric_names(instrument: Instrument) -> list[str]:
    """The items and indicators whose values are quantities: counts, areas, shares, ratios."""
    items = [item.id for item in instrument.items if ITEM_TYPES[item.type].quantity]
    return items + [ind.id for ind in instrument.indicators if ind.kind == NUMBER]


# ---------------------------------------------------------------- finding and storing


def store_flags(
    db: Database, round_: Round, instrument: Instrument, response_ids: Sequence[int], codes: Sequence[str], scores
) -> None:
    """Find and store the flags of responses just scored together (row i of `scores` is `response_ids[i]`).

    Their constraint, required and change flags are found from `scores`; the median
    flags of every stored response in their counties are found again.
    """
    env = scores.env
    values = {name: _values(env, name) for name in numeric_names(instrument)}
    previous = previous_round(db, round_)
    before = _before(db, previous, list(codes), values) if previous else {}
    ids = list(response_ids)
    locked = _locked(db, ids)
    found = {
        "constraint": {
            name: (mask, env[name].value, None) for name, mask in broken_constraints(instrument, env).items()
        },  # noqa: E501
        "required": {name: (mask & locked, None, None) for name, mask in unanswered_required(instrument, env).items()},
        "change": _changed(instrument, values, before),
    }
    _replace(db, instrument, ids, ("constraint", "required", "change"), found)
    counties: set[str] = set()
    for part in parts(ids):
        marks = ", ".join("?" * len(part))
        found = db.execute(f"SELECT county FROM results WHERE response_id IN ({marks})", part)
        counties.update(row[0] for row in found)
    counties = sorted(counties)
    for part in parts(counties):
        _median_flags(db, round_, instrument, part)


def _locked(db: Database, ids: list[int]) -> np.ndarray:
    """Which of these responses are submitted or approved: only theirs count a required item left empty (a draft
    may still be incomplete), so only theirs are stored. A submission stores its flags (`lifecycle.submit`)."""
    statuses: dict[int, str] = {}
    for part in parts(ids):
        rows = db.execute(f"SELECT id, status FROM responses WHERE id IN ({', '.join('?' * len(part))})", part)
        statuses.update(rows)
    return np.array([statuses.get(response_id) in LOCKED for response_id in ids], dtype=bool)


def _median_flags(db: Database, round_: Round, instrument: Instrument, counties: list[str]) -> None:
    """Find again the median flags of every stored response of the round in these counties."""
    members = figures_where(db, round_.id, instrument, f"r.county IN ({', '.join('?' * len(counties))})", counties)
    if not members:
        return
    stored = StoredScores(instrument, np.array([m[3] for m in members]))
    values = {name: _values(stored.env, name) for name in numeric_names(instrument)}
    found = {"median": _far_from_median(values, [m[2] for m in members])}
    _replace(db, instrument, [m[0] for m in members], ("median",), found)


def _replace(db: Database, instrument: Instrument, ids: list[int], kinds: tuple[str, ...], found: dict) -> None:
    """Replace the flags of these kinds of these responses (row i of each mask is `ids[i]`).

    Only what changed is written: a flag no longer found goes, a new or changed one is put.
    """
    n = len(ids)
    names = sorted({name for kind in kinds for name in found[kind]})
    name_rank = {name: k for k, name in enumerate(names)}  # the flags' key order: response, kind, name
    kinds_sorted = sorted(kinds)
    kind_rank = {kind: k for k, kind in enumerate(kinds_sorted)}
    at, kind_of, name_of, values, references = [np.zeros(0, dtype=np.int64)], [], [], [], []
    for kind in kinds:
        for name, (mask, value, reference) in found[kind].items():
            hits = np.flatnonzero(mask)
            if not len(hits):
                continue
            at.append(hits)
            kind_of.append(np.full(len(hits), kind_rank[kind]))
            name_of.append(np.full(len(hits), name_rank[name]))
            values.append(_column(value, n)[hits])
            references.append(_column(reference, n)[hits])
    rows = np.concatenate(at)
    response_of = np.asarray(ids, dtype=np.int64)[rows]
    kind_of = np.concatenate([np.zeros(0, dtype=np.int64), *kind_of])
    name_of = np.concatenate([np.zeros(0, dtype=np.int64), *name_of])
    order = np.lexsort((name_of, kind_of, response_of))
    response_of = response_of[order]
    place = {name: index for index, name in enumerate(instrument.order)}
    positions = [place.get(name, 0) for name in names]
    found_rows = zip(
        response_of.tolist(),
        (kinds_sorted[k] for k in kind_of[order].tolist()),
        (names[k] for k in name_of[order].tolist()),
        (positions[k] for k in name_of[order].tolist()),
        _plain(np.concatenate([np.zeros(0), *values])[order]),
        _plain(np.concatenate([np.zeros(0), *references])[order]),
        strict=True,
    )
    marks = ", ".join("?" * len(kinds))
    for part in parts(sorted(set(ids))):
        count = int(np.searchsorted(response_of, part[-1], side="right") - np.searchsorted(response_of, part[0]))
        found_here = list(itertools.islice(found_rows, count))
        stored_here = db.execute(
            f"""SELECT response_id, kind, name, position, value, reference FROM flags
                WHERE kind IN ({marks}) AND response_id IN ({", ".join("?" * len(part))})
                ORDER BY response_id, kind, name""",
            [*kinds, *part],
        ).fetchall()
        if stored_here == found_here:  # in the same key order: nothing changed (a round scored again)
            continue
        if not stored_here:  # none yet (a new response): all go in, in key order
            db.conn.executemany(
                "INSERT INTO flags (response_id, kind, name, position, value, reference) VALUES (?, ?, ?, ?, ?, ?)",
                found_here,
            )
            continue
        wanted = {row[:3]: row[3:] for row in found_here}
        stored = {row[:3]: row[3:] for row in stored_here}
        gone = [key for key in stored if key not in wanted]
        db.conn.executemany("DELETE FROM flags WHERE response_id = ? AND kind = ? AND name = ?", gone)
        db.conn.executemany(
            """INSERT INTO flags (response_id, kind, name, position, value, reference) VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT (response_id, kind, name) DO UPDATE SET
               position = excluded.position, value = excluded.value, reference = excluded.reference""",
            [(*key, *rest) for key, rest in wanted.items() if stored.get(key) != rest],
        )


def _column(values: np.ndarray | None, n: int) -> np.ndarray:
    """A flag's values (or references) for every row, NaN for none."""
    return np.full(n, np.nan) if values is None else np.broadcast_to(np.asarray(values, dtype=float), (n,))


def _plain(values: np.ndarray) -> list[float | None]:
    return [None if v != v else v for v in values.tolist()]


def _values(env: dict, name: str) -> np.ndarray:
    """A name's computed values, NaN wherever it has none."""
    column = env[name]
    return np.where(column.status == OK, column.value, np.nan).astype(float)


def _far_from_median(values: dict[str, np.ndarray], counties: list[str]) -> dict:
    """For each name, where a value is far from its county's median, the value and that median.

    All names at once: one block of the values per county (a save touches one county, an import many).
    """
    names = list(values)
    if not names:
        return {}
    matrix = np.column_stack([values[name] for name in names])  # a row per centre, a column per name
    labels, group = np.unique(np.asarray(counties, dtype=object).astype(str), return_inverse=True)
    order = np.argsort(group.reshape(-1), kind="stable")
    bounds = np.searchsorted(group.reshape(-1)[order], np.arange(len(labels) + 1))
    median = np.full(matrix.shape, np.nan)
    reporting = np.zeros(matrix.shape, dtype=int)
    for start, end in zip(bounds[:-1], bounds[1:], strict=True):
        rows = order[start:end]
        block = matrix[rows]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a name no centre of the county reports: NaN
            median[rows] = np.nanmedian(block, axis=0)
        reporting[rows] = (~np.isnan(block)).sum(axis=0)
    with np.errstate(invalid="ignore"):
        far = (matrix > MEDIAN_FACTOR * median) | (matrix < median / MEDIAN_FACTOR)
        mask = ~np.isnan(matrix) & (reporting >= MEDIAN_MIN_REPORTING) & (median > 0) & far
    return {name: (mask[:, k], matrix[:, k], median[:, k]) for k, name in enumerate(names)}


def _before(db: Database, previous: Round, codes: list[str], names) -> dict[str, np.ndarray]:
    """The same centres' stored values of the same items and indicators in the previous round."""
    instrument = round_instrument(db, previous)
    stored = stored_for(db, previous, instrument, codes)
    kept = set(numeric_names(instrument))
    return {name: _values(stored.env, name) for name in names if name in kept}


def _changed(instrument: Instrument, values: dict[str, np.ndarray], before: dict[str, np.ndarray]) -> dict:
    """For each name, where it moved by more than CHANGE_SHARE and its floor since the previous round."""
    out = {}
    for name, value in values.items():
        if name not in before:
            continue
        previous = before[name]
        floor = CHANGE_FLOOR["item"] if name in instrument.item else CHANGE_FLOOR[instrument.indicator[name].format]
        with np.errstate(invalid="ignore"):
            moved = np.abs(value - previous)
            mask = np.isfinite(moved) & (moved > floor) & (moved > CHANGE_SHARE * np.abs(previous))
        out[name] = (mask, value, previous)
    return out


# ---------------------------------------------------------------- reading


LOCKED_SQL = ", ".join(f"'{status}'" for status in sorted(LOCKED))
COUNTED = f"(f.kind != 'required' OR p.status IN ({LOCKED_SQL}))"  # a draft may still be incomplete
KIND_ORDER = "CASE f.kind " + " ".join(f"WHEN '{kind}' THEN {k}" for k, kind in enumerate(KINDS)) + " END"


def _scoped(round_: Round, scope: str | None) -> tuple[str, list]:
    """The FROM of the round's counted flags within `scope`, and its parameters."""
    if not scope:
        return f"flags f JOIN responses p ON p.id = f.response_id WHERE p.round_id = ? AND {COUNTED}", [round_.id]
    sql = f"""org_paths s CROSS JOIN responses p CROSS JOIN flags f WHERE s.ancestor = ? AND p.round_id = ?
              AND p.org_code = s.org_code AND f.response_id = p.id AND {COUNTED}"""  # the scope's own, first
    return sql, [scope, round_.id]


@dataclass
class Counts:
    """How many flags of each kind a jurisdiction has, by item and by centre."""

    totals: Counter
    by_name: list[tuple[str, Counter]]  # most flagged first
    by_centre: list[tuple[str, Counter]]  # org codes, most flagged first (the first `top`)
    centres: int  # flagged centres in all
    previous: Round | None = None

    @property
    def flagged(self) -> int:
        return sum(self.totals.values())


def counts(db: Database, round_: Round, scope: str | None, top: int = 50) -> Counts:
    """The flag counts of the round within `scope`: by kind, by item or indicator, and the most flagged centres."""
    source, params = _scoped(round_, scope)
    by_name: dict[str, Counter] = {}
    for name, kind, n in db.execute(f"SELECT f.name, f.kind, count(*) FROM {source} GROUP BY f.name, f.kind", params):
        by_name.setdefault(name, Counter())[kind] = n
    totals: Counter = Counter()
    for found in by_name.values():
        totals.update(found)
    rows = db.execute(f"SELECT p.org_code, f.kind, count(*) FROM {source} GROUP BY 1, 2", params).fetchall()
    flags_of: dict[str, int] = defaultdict(int)
    for code, _, n in rows:
        flags_of[code] += n
    busiest = {code: Counter() for code in heapq.nsmallest(top, flags_of, key=lambda c: (-flags_of[c], c))}
    for code, kind, n in rows:
        if code in busiest:
            busiest[code][kind] = n
    return Counts(totals, _most_first(by_name), list(busiest.items()), len(flags_of), previous_round(db, round_))


def _most_first(counts: dict[str, Counter]) -> list[tuple[str, Counter]]:
    return sorted(counts.items(), key=lambda pair: (-pair[1].total(), pair[0]))


@dataclass(frozen=True)
class FlagFilter:
    """Which flags to list: of one kind, item or indicator, centre; any when empty."""

    kind: str = ""
    name: str = ""
    org_code: str = ""


def listed(
    db: Database, round_: Round, scope: str | None, chosen: FlagFilter, offset: int = 0, limit: int | None = None
) -> tuple[list[Flag], int]:
    """The flags of the round within `scope` that match, by centre, kind and place in the instrument; and how many."""
    source, params = _scoped(round_, scope)
    for column, value in (("f.kind", chosen.kind), ("f.name", chosen.name), ("p.org_code", chosen.org_code)):
        if value:
            source += f" AND {column} = ?"
            params.append(value)
    total = db.execute(f"SELECT count(*) FROM {source}", params).fetchone()[0]
    page = f" LIMIT {int(limit)} OFFSET {int(offset)}" if limit is not None else ""
    rows = db.execute(
        f"""SELECT p.org_code, f.name, f.kind, f.value, f.reference FROM {source}
            ORDER BY p.org_code, {KIND_ORDER}, f.position{page}""",
        params,
    )
    return [Flag(*row) for row in rows], total


def response_flags(db: Database, response_id: int) -> list[Flag]:
    """One response's counted flags, by kind and place in the instrument."""
    rows = db.execute(
        f"""SELECT p.org_code, f.name, f.kind, f.value, f.reference
            FROM flags f JOIN responses p ON p.id = f.response_id
            WHERE f.response_id = ? AND {COUNTED} ORDER BY {KIND_ORDER}, f.position""",
        [response_id],
    )
    return [Flag(*row) for row in rows]


def flag_numbers(db: Database, response_ids: Sequence[int]) -> dict[int, int]:
    """How many counted flags each of these responses has (those without any are left out)."""
    out: dict[int, int] = {}
    for part in parts(list(response_ids)):
        out.update(
            db.execute(
                f"""SELECT f.response_id, count(*) FROM flags f JOIN responses p ON p.id = f.response_id
                    WHERE f.response_id IN ({", ".join("?" * len(part))}) AND {COUNTED} GROUP BY f.response_id""",
                part,
            ).fetchall()
        )
    return out


@dataclass
class Quality:
    """Every counted flag of a round within a scope (for small scopes: tests, one county), with its counts."""

    flags: list[Flag]
    previous: Round | None
    by_centre: dict[str, list[Flag]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for flag in self.flags:
            self.by_centre.setdefault(flag.org_code, []).append(flag)

    @property
    def totals(self) -> Counter:
        return Counter(flag.kind for flag in self.flags)

    def count_by(self, key: str) -> list[tuple[str, Counter]]:
        """Flag counts by kind for each org code or name (`key`), most flagged first."""
        found: dict[str, Counter] = {}
        for flag in self.flags:
            found.setdefault(getattr(flag, key), Counter())[flag.kind] += 1
        return _most_first(found)


def check_round(db: Database, round_: Round, scope_code: str | None = None) -> Quality:
    """Every counted flag of the round's responses within `scope_code` (the round's scope by default)."""
    flags, _ = listed(db, round_, scope_code or round_.scope_code, FlagFilter())
    return Quality(flags, previous_round(db, round_))
