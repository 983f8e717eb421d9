"""Stored results: every response scored when its answers, verified values or ratings change, and kept.

Every write of answers (`editing`), verified values (`verification`) and clause
ratings calls `refresh(db, instrument, response_ids)` inside its own transaction:
the responses are scored together by columns — the core's `score_columns` on
the answers as `responses.round_columns` reads them, verified values first — and
each one's results are stored in `results`:

- total, grade, group scores (dimensions, chapters, frameworks' groups: JSON)
  and the number of targets not met as columns,
  so that pages sort, filter and page in SQL (ranks counted on the held totals);
- every figure packed in `figures` by the instrument's `Layout`: indicator
  values, statuses, met and points, the quantity items and the items pooled
  indicators sum, clause levels, total, dimension, chapter and framework scores,
  the grade;
- and its flags (`quality.store_flags`).

Readers get a round's figures back as an `instruments.Scores` (`StoredScores`)
— regional figures, clause figures and the league workbook come from those
stored columns — or query the columns in SQL. `rescore` does a whole round
again (`survey score`: after an instrument fix, or when units moved), its batches
read by forked processes while this one scores and writes. `seq`
grows with every write of a round, so a process holding a round's figures
(`round_figures`) catches up by reading only the rows written since.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from sqlite_utils import Database

import instruments
from exports import forking
from instruments import Instrument, Scores
from instruments.clauses import RequirementColumns, clause_credit, requirements_by_grade
from instruments.expressions import OK, Column, plain
from instruments.item_types import ITEM_TYPES

from ..db import tree_version
from . import now
from .responses import FEW, Held, parts, round_columns, scored_names
from .rounds import Round, get_round

WRITE_BATCH = 5_000  # rows written between progress reports
SCORE_BATCH = FEW  # responses scored together at most, read by their ids (bounds the memory of a whole round)
READERS = 2  # processes reading a round's batches for `rescore` at most (one per core)


@dataclass(frozen=True)
class Layout:
    """Where each figure of a response sits in its packed row: floats, then small integer codes."""

    indicators: tuple[str, ...]  # value (float) and status (code) of every indicator
    scored: tuple[str, ...]  # points (float) and met (code: 1, 0, -1 no value)
    items: tuple[str, ...]  # value and status: quantity items and the items behind pooled indicators
    clauses: tuple[str, ...]  # level reached (code: rank, 0 below, -1 none) and status
    dimensions: tuple[str, ...]
    chapters: tuple[str, ...]
    groups: tuple[tuple[str, str], ...]  # (framework, group)

    @cached_property
    def floats(self) -> int:
        return (
            len(self.indicators)
            + len(self.scored)
            + len(self.items)
            + 1
            + len(self.dimensions)
            + len(self.chapters)
            + len(self.groups)
        )

    @cached_property
    def codes(self) -> int:
        return len(self.indicators) + len(self.scored) + len(self.items) + 2 * len(self.clauses) + 1

    @cached_property
    def row(self) -> np.dtype:
        """One response's figures as a numpy record (the bytes stored in `figures`)."""
        return np.dtype([("floats", "<f8", (self.floats,)), ("codes", "i1", (self.codes,))])

    @cached_property
    def float_at(self) -> dict[tuple[str, str], int]:
        names = [("value", i) for i in self.indicators] + [("points", i) for i in self.scored]
        names += [("item", i) for i in self.items] + [("total", "")]
        names += [("dimension", d) for d in self.dimensions] + [("chapter", c) for c in self.chapters]
        names += [("group", f"{f}/{g}") for f, g in self.groups]
        return {name: k for k, name in enumerate(names)}

    @cached_property
    def code_at(self) -> dict[tuple[str, str], int]:
        names = [("status", i) for i in self.indicators] + [("met", i) for i in self.scored]
        names += [("item", i) for i in self.items] + [("level", c) for c in self.clauses]
        names += [("clause", c) for c in self.clauses] + [("grade", "")]
        return {name: k for k, name in enumerate(names)}


def layout(instrument: Instrument) -> Layout:
    """The layout of an instrument's stored figures (worked out once per compiled instrument, kept with it)."""
    return instrument.kept(Layout, lambda: _layout_of(instrument))


def _layout_of(instrument: Instrument) -> Layout:
    pooled = [item for ind in instrument.indicators if ind.pooled for item in instrument.items_behind(ind.id)]
    quantities = [item.id for item in instrument.items if ITEM_TYPES[item.type].quantity]
    return Layout(
        tuple(ind.id for ind in instrument.indicators),
        tuple(ind.id for ind in instrument.scored_indicators),
        tuple(dict.fromkeys(quantities + pooled)),
        tuple(clause.id for clause in instrument.clauses),
        tuple(d.id for d in instrument.dimensions),
        tuple(c.id for c in instrument.chapters),
        tuple((f.id, g.id) for f in instrument.frameworks for g in f.groups),
    )


def pack(instrument: Instrument, scores: Scores) -> np.ndarray:
    """Every centre's figures as records of the instrument's layout."""
    shape = layout(instrument)
    n = scores.n

    def column(values) -> np.ndarray:
        return np.broadcast_to(np.asarray(values, dtype=float), (n,))

    floats = [column(scores.env[i].value) for i in shape.indicators]
    floats += [column(scores.points[i]) for i in shape.scored]
    floats += [column(scores.env[i].value) for i in shape.items]
    floats += [column(scores.total)] + [column(scores.dimensions[d]) for d in shape.dimensions]
    floats += [column(scores.chapters[c]) for c in shape.chapters]
    floats += [column(scores.frameworks[f][g]) for f, g in shape.groups]
    codes = [np.broadcast_to(scores.env[i].status, (n,)) for i in shape.indicators]
    codes += [scores.met[i] for i in shape.scored]
    codes += [np.broadcast_to(scores.env[i].status, (n,)) for i in shape.items]
    codes += [np.nan_to_num(scores.levels[c].value, nan=-1.0) for c in shape.clauses]
    codes += [scores.levels[c].status for c in shape.clauses]
    codes += [scores.grade]
    records = np.zeros(n, dtype=shape.row)
    if n:
        records["floats"] = np.column_stack(floats) if floats else np.zeros((n, 0))
        records["codes"] = np.column_stack([np.asarray(c).astype(np.int8) for c in codes])
    return records


class StoredScores(Scores):
    """Stored figures as the core's Scores: the same columns and methods, read back instead of computed.

    Only what was stored is there: indicators, the stored items, clause levels and
    everything the core derives from them (clause points, grade requirements); there
    are no answers, so no gaps (`card` is for scoring answers).
    """

    def __init__(self, instrument: Instrument, records: np.ndarray) -> None:  # super() computes: this only reads
        self.instrument, self.data, self.n, self.records = instrument, {}, len(records), records

    # Each part is read out of the records when first asked for: a league needs the totals, not every column.

    def _number(self, key: tuple[str, str]) -> np.ndarray:
        return np.ascontiguousarray(self.records["floats"][:, layout(self.instrument).float_at[key]])

    def _code(self, key: tuple[str, str], dtype: type = np.uint8) -> np.ndarray:
        return np.ascontiguousarray(self.records["codes"][:, layout(self.instrument).code_at[key]]).astype(dtype)

    @cached_property
    def env(self) -> dict[str, Column]:
        shape = layout(self.instrument)
        env = {i: Column(self._number(("value", i)), self._code(("status", i))) for i in shape.indicators}
        env.update({i: Column(self._number(("item", i)), self._code(("item", i))) for i in shape.items})
        return env

    @cached_property
    def met(self) -> dict[str, np.ndarray]:
        return {i: self._code(("met", i), np.int8) for i in layout(self.instrument).scored}

    @cached_property
    def points(self) -> dict[str, np.ndarray]:
        return {i: self._number(("points", i)) for i in layout(self.instrument).scored}

    @cached_property
    def levels(self) -> dict[str, Column]:
        levels = {}
        for clause_id in layout(self.instrument).clauses:
            status = self._code(("clause", clause_id))
            rank = self._code(("level", clause_id), np.int8).astype(float)
            levels[clause_id] = Column(np.where(status == OK, rank, np.nan), status)
        return levels

    @cached_property
    def clause_points(self) -> dict[str, np.ndarray]:
        return {
            clause.id: clause_credit(clause, self.levels[clause.id]) * clause.weight
            for clause in self.instrument.clauses
            if clause.weight is not None
        }

    @cached_property
    def total(self) -> np.ndarray:
        return self._number(("total", ""))

    @cached_property
    def dimensions(self) -> dict[str, np.ndarray]:
        return {d: self._number(("dimension", d)) for d in layout(self.instrument).dimensions}

    @cached_property
    def chapters(self) -> dict[str, np.ndarray]:
        return {ch: self._number(("chapter", ch)) for ch in layout(self.instrument).chapters}

    @cached_property
    def frameworks(self) -> dict[str, dict[str, np.ndarray]]:
        frameworks: dict[str, dict[str, np.ndarray]] = {}
        for framework, group in layout(self.instrument).groups:
            frameworks.setdefault(framework, {})[group] = self._number(("group", f"{framework}/{group}"))
        return frameworks

    @cached_property
    def requirements(self) -> dict[str, list[RequirementColumns]]:
        return requirements_by_grade(self.instrument, self.levels, self.n)

    @cached_property
    def grade(self) -> np.ndarray:
        return self._code(("grade", ""), np.int8).astype(np.int16)

    def rows(self, rows: Sequence[int] | np.ndarray) -> StoredScores:
        """The same figures for some rows only, in the order given."""
        return StoredScores(self.instrument, self.records[np.asarray(rows, dtype=int)])


# ---------------------------------------------------------------- writing


def refresh(
    db: Database,
    instrument: Instrument,
    response_ids: Iterable[int],
    held: Held | None = None,
    committed: Collection[str] = (),
) -> int:
    """Score these responses together and store their results and flags; returns how many.

    The one function every write of answers, verified values or ratings calls, inside
    its own transaction, after writing: the responses' answers as they now stand are
    scored by columns with `instrument` (their round's), what `held` holds (an import's
    new answers, the levels it rated) from memory.
    `committed` names items and clauses whose rows for these responses the transaction
    has not written (an import of ratings alone: the items): past one batch, forked
    processes read those from what is committed while this one reads the rest.
    """
    ids = sorted(set(response_ids))
    rounds: dict[int, list[tuple[int, str]]] = {}
    for part in parts(ids):
        marks = ", ".join("?" * len(part))
        for response_id, round_id, code in db.execute(
            f"SELECT id, round_id, org_code FROM responses WHERE id IN ({marks})", part
        ):
            rounds.setdefault(round_id, []).append((response_id, code))
    for round_id, members in rounds.items():
        round_ = get_round(db, round_id)
        members.sort(key=lambda member: member[1])
        in_round, codes = [m[0] for m in members], [m[1] for m in members]
        read = (
            None
            if held is not None and held.answered.row
            else _read_apart(db, round_, instrument, committed, codes, held)
        )
        _score_and_store(db, round_, instrument, in_round, codes, held=held, read=read)
    return len(ids)


def _read_apart(
    db: Database,
    round_: Round,
    instrument: Instrument,
    committed: Collection[str],
    codes: list[str],
    held: Held | None = None,
) -> Callable[[list[list[str]]], Iterator[dict[str, np.ndarray]]] | None:
    """A reader of each batch's columns, the `committed` ones read by forked processes, what `held` holds taken
    from it and the rest read here; None where that cannot be (nothing committed, one batch, a database in
    memory, no process to fork)."""
    path, workers = _file_of(db), forking.workers(READERS, alone=True)
    if not committed or len(codes) <= SCORE_BATCH or not path or not workers:
        return None
    apart = frozenset(committed)
    rest = set(scored_names(instrument)) - apart
    if held is not None:
        rest = held.unread(codes, rest)
    readers = _Readers(path, round_, instrument, apart, workers)
    if not rest and held is None:
        return readers.columns

    def read(batches: list[list[str]]) -> Iterator[dict[str, np.ndarray]]:
        for batch, there in zip(batches, readers.columns(batches), strict=True):
            here = round_columns(db, round_, instrument, batch, only=rest, held=held)
            yield {name: there[name] if name in apart else column for name, column in here.items()}

    return read


def _score_and_store(
    db: Database,
    round_: Round,
    instrument: Instrument,
    ids: list[int],
    codes: list[str],
    progress: Callable[[int], None] | None = None,
    held: Held | None = None,
    read: Callable[[list[list[str]]], Iterator[dict[str, np.ndarray]]] | None = None,
) -> None:
    """Score these responses (of one round, in code order) and store their results and flags, SCORE_BATCH at a
    time: a centre's scores are its own, and the median flags of a county are found again with each batch of it.

    `read` gives each batch's columns in turn (by default `round_columns` on `db`, `held` first).
    """
    from .quality import store_flags  # quality reads stored figures from here

    batches = list(zip(parts(ids, SCORE_BATCH), parts(codes, SCORE_BATCH), strict=True))
    if read is None:
        columns = (round_columns(db, round_, instrument, part_codes, held=held) for _, part_codes in batches)
    else:
        columns = read([part_codes for _, part_codes in batches])
    for (part_ids, part_codes), read_columns in zip(batches, columns, strict=True):
        scores = instruments.score_columns(instrument, read_columns)
        _write(db, round_, instrument, part_ids, part_codes, scores, progress)
        store_flags(db, round_, instrument, part_ids, part_codes, scores)


def _write(
    db: Database,
    round_: Round,
    instrument: Instrument,
    response_ids: list[int],
    codes: list[str],
    scores: Scores,
    progress: Callable[[int], None] | None = None,
) -> None:
    seq = db.execute("SELECT coalesce(max(seq), 0) + 1 FROM results WHERE round_id = ?", [round_.id]).fetchone()[0]
    records = pack(instrument, scores)
    size = records.dtype.itemsize
    data = records.tobytes()
    stamp = now()
    met = scores.met
    failed = np.sum([column == 0 for column in met.values()], axis=0) if met else np.zeros(scores.n, dtype=int)
    county = counties_of(db, codes)
    for start in range(0, len(response_ids), WRITE_BATCH):
        rows = []
        for row in range(start, min(start + WRITE_BATCH, len(response_ids))):
            groups = {
                "dimension": {d: plain(v[row]) for d, v in scores.dimensions.items()},
                "chapter": {c: plain(v[row]) for c, v in scores.chapters.items()},
                "framework": {f: {g: plain(v[row]) for g, v in gs.items()} for f, gs in scores.frameworks.items()},
            }
            rows.append(
                (
                    response_ids[row],
                    round_.id,
                    codes[row],
                    county[row],
                    plain(scores.total[row]),
                    scores.grade_id(row),
                    int(failed[row]),
                    json.dumps(groups),
                    data[row * size : (row + 1) * size],
                    seq,
                    stamp,
                )
            )
        db.conn.executemany(
            """INSERT INTO results (response_id, round_id, org_code, county, total, grade, failed, scores,
                                    figures, seq, computed_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (response_id) DO UPDATE SET
               round_id = excluded.round_id, org_code = excluded.org_code, county = excluded.county,
               total = excluded.total,
               grade = excluded.grade, failed = excluded.failed, scores = excluded.scores,
               figures = excluded.figures, seq = excluded.seq, computed_at = excluded.computed_at""",
            rows,
        )
        if progress is not None:
            progress(len(rows))


def counties_of(db: Database, codes: Sequence[str]) -> list[str]:
    """Each centre's county (its nearest unit at county level, else its parent; '' for neither)."""
    found: dict[str, str] = {}
    for part in parts(list(codes)):
        rows = db.execute(
            f"""SELECT o.code, coalesce((SELECT p.ancestor FROM org_paths p WHERE p.org_code = o.code
                                          AND p.level = 'county' ORDER BY p.depth LIMIT 1), o.parent_code, '')
                FROM org_units o WHERE o.code IN ({", ".join("?" * len(part))})""",
            part,
        )
        found.update(dict(rows.fetchall()))
    return [found.get(code, "") for code in codes]


def rescore(db: Database, round_: Round, progress: Callable[[int], None] | None = None) -> int:
    """Score every response of a round again and store the results; returns how many.

    `progress` is told how many responses were written as writing goes.
    """
    from ..db import bulk
    from .rounds import round_instrument

    instrument = round_instrument(db, round_)
    # others see only what is committed: all of it, unless a transaction of the caller's wrote some
    committed = () if db.conn.in_transaction else scored_names(instrument)
    with bulk(db):
        sql = "SELECT id, org_code FROM responses WHERE round_id = ? ORDER BY org_code"
        members = db.execute(sql, [round_.id]).fetchall()
        ids, codes = [m[0] for m in members], [m[1] for m in members]
        read = _read_apart(db, round_, instrument, committed, codes)
        _score_and_store(db, round_, instrument, ids, codes, progress, read=read)
    return len(ids)


def _file_of(db: Database) -> str:
    """The database's file ('' for one in memory: never held, never read by another process)."""
    return next((row[2] for row in db.conn.execute("PRAGMA database_list") if row[1] == "main"), "")


@dataclass
class _Readers:
    """Forked processes reading a round's batches of columns, each on its own read-only connection."""

    path: str
    round_: Round
    instrument: Instrument
    only: frozenset[str]  # the items and clauses read (the other columns NaN)
    workers: int

    def columns(self, batches: list[list[str]]) -> Iterator[dict[str, np.ndarray]]:
        """Each batch's columns in order, read ahead while the caller scores and writes the one before."""
        with forking.pool(self.workers, self) as pool:
            yield from pool.imap(_read_batch, batches)


def _read_batch(codes: list[str]) -> dict[str, np.ndarray]:
    """In a forked reader: one batch's columns, from the committed answers."""
    readers: _Readers = forking.handed()
    db = Database(readers.path)
    db.conn.execute("PRAGMA query_only = ON")
    try:
        return round_columns(db, readers.round_, readers.instrument, codes, only=readers.only)
    finally:
        db.close()


# ---------------------------------------------------------------- reading


def blank(instrument: Instrument, n: int) -> np.ndarray:
    """Records of nothing known: every value missing, nothing met, no level, no grade."""
    shape = layout(instrument)
    records = np.zeros(n, dtype=shape.row)
    records["floats"] = np.nan
    records["codes"] = 2  # MISSING for statuses
    for key, k in shape.code_at.items():
        if key[0] in ("met", "level", "grade"):
            records["codes"][:, k] = -1
    return records


def figures_where(db: Database, round_id: int, instrument: Instrument, condition: str, params: list) -> list[tuple]:
    """(response id, org code, county, record) of the round's stored results meeting an SQL condition on `r`."""
    row_type = layout(instrument).row
    rows = db.execute(
        f"SELECT r.response_id, r.org_code, r.county, r.figures FROM results r WHERE r.round_id = ? AND {condition}",
        [round_id, *params],
    )
    return [(a, b, c, np.frombuffer(d, dtype=row_type)[0]) for a, b, c, d in rows if len(d) == row_type.itemsize]


def stored_for(db: Database, round_: Round, instrument: Instrument, codes: Sequence[str]) -> StoredScores:
    """The stored figures of these centres in a round, row i for `codes[i]` (nothing known where none)."""
    index = {code: row for row, code in enumerate(codes)}
    records = blank(instrument, len(codes))
    for part in parts(list(codes)):
        for _, code, _, record in figures_where(
            db, round_.id, instrument, f"r.org_code IN ({', '.join('?' * len(part))})", part
        ):
            records[index[code]] = record
    return StoredScores(instrument, records)


@dataclass
class RoundFigures:
    """A round's stored figures, every response: row i is `response_ids[i]` of unit `codes[i]`."""

    instrument: Instrument
    response_ids: np.ndarray
    codes: list[str]
    records: np.ndarray
    seq: int
    row_of: dict[int, int]  # each response's row

    @cached_property
    def scores(self) -> StoredScores:
        return StoredScores(self.instrument, self.records)

    @cached_property
    def _regions(self) -> dict[tuple[str, int], tuple[list[str], np.ndarray]]:
        return {}

    @cached_property
    def _rollups(self) -> dict[int, dict]:
        return {}

    def rollups(self, db: Database) -> dict:
        """Figures worked out from these for the unit tree as it stands (a region's regional figures, by its code).

        Kept while these figures are held (a write of the round holds new ones) and the units stay where they are.
        """
        return self._rollups.setdefault(tree_version(db), {})

    def regions_at(self, db: Database, level: str) -> tuple[list[str], np.ndarray]:
        """The units at `level` above the held rows (codes in code order) and each row's place among them (-1: none).

        Worked out once per level while these figures are held and the units stay where they are.
        """
        key = (level, tree_version(db))
        found = self._regions.get(key)
        if found is None:
            region_of = dict(db.execute("SELECT org_code, ancestor FROM org_paths WHERE level = ?", [level]).fetchall())
            codes = sorted(set(region_of.values()))
            place = {code: k for k, code in enumerate(codes)}
            labels = np.fromiter((place.get(region_of.get(code), -1) for code in self.codes), np.int32, len(self.codes))
            found = self._regions[key] = (codes, labels)
        return found


_FIGURES: OrderedDict[tuple[str, int], RoundFigures] = OrderedDict()
_FIGURES_LOCK = threading.Lock()
MAX_ROUNDS_HELD = 4


def round_figures(db: Database, round_: Round, instrument: Instrument) -> RoundFigures:
    """Every stored result of a round, held by the process and brought up to date by reading only what changed."""
    key = (_file_of(db), round_.id)
    with _FIGURES_LOCK:
        held = _FIGURES.get(key)
    if held is not None and held.instrument is not instrument:
        held = None
    latest = db.execute("SELECT coalesce(max(seq), 0) FROM results WHERE round_id = ?", [round_.id]).fetchone()[0]
    if held is not None and latest == held.seq:
        return held
    if held is None or latest < held.seq:
        held = RoundFigures(
            instrument, np.zeros(0, dtype=np.int64), [], np.zeros(0, dtype=layout(instrument).row), 0, {}
        )
    figures = _caught_up(db, round_, instrument, held)
    if key[0]:
        with _FIGURES_LOCK:
            _FIGURES[key] = figures
            _FIGURES.move_to_end(key)
            while len(_FIGURES) > MAX_ROUNDS_HELD:
                _FIGURES.popitem(last=False)
    return figures


def _caught_up(db: Database, round_: Round, instrument: Instrument, held: RoundFigures) -> RoundFigures:
    row_type = layout(instrument).row
    rows = db.execute(
        "SELECT response_id, org_code, figures, seq FROM results WHERE round_id = ? AND seq > ? ORDER BY response_id",
        [round_.id, held.seq],
    ).fetchall()
    fresh = [row for row in rows if len(row[2]) == row_type.itemsize]  # a row of another layout waits for rescore
    records = np.frombuffer(b"".join(row[2] for row in fresh), dtype=row_type)
    seq = max([held.seq, *(row[3] for row in rows)])
    known = held.row_of
    replace = [(known[row[0]], k) for k, row in enumerate(fresh) if row[0] in known]
    added = [k for k, row in enumerate(fresh) if row[0] not in known]
    merged = np.concatenate([held.records, records[added]])  # a copy: pages still reading the held ones keep theirs
    if replace:
        at, taken = zip(*replace, strict=True)
        merged[list(at)] = records[list(taken)]
    if not added:  # the same responses in the same rows
        return RoundFigures(instrument, held.response_ids, held.codes, merged, seq, known)
    ids = np.concatenate([held.response_ids, np.array([fresh[k][0] for k in added], dtype=np.int64)])
    codes = held.codes + [fresh[k][1] for k in added]
    rows = {fresh[k][0]: len(held.codes) + j for j, k in enumerate(added)}
    return RoundFigures(instrument, ids, codes, merged, seq, {**known, **rows})
