"""Where centres stand, from stored results: the league ranked, sorted, filtered and paged in SQL; ranks of one.

A jurisdiction's results are the rows of `results` of the round's centres under
its unit (`rounds.in_round`), approved ones only if asked. A page is chosen in
SQL (sorted by the total where it is sorted by rank) and its rows' ranks counted
on the jurisdiction's totals held by the process (1, 2, 2, 4: equal totals share
a rank; a centre without a total is unranked, 0), so no query ranks every centre
to show a hundred.
"""

from __future__ import annotations

import bisect
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlite_utils import Database

from instruments import Instrument

from .lifecycle import APPROVED
from .orgs import get_unit, names
from .results import RoundFigures, StoredScores, round_figures
from .rounds import Round, in_round, place_names, round_instrument

FIXED_SORTS = ("rank", "total", "name", "county")
REGION_LEVELS = ("province", "city", "county")  # a centre's county is under any of these its centre is under
NO_GRADE = "none"


def scoped(
    db: Database, round_: Round, scope: str | None, approved_only: bool, responses: bool = False, units: bool = False
) -> tuple[str, list]:
    """The FROM … WHERE of the round's stored results within `scope` (`r` results; `p` responses and `o` units
    joined when asked, or needed for approved_only).

    Results are stored only for responses, and a response only for a centre that answers the round, so the
    jurisdiction is the scope's units (read from the scope down: CROSS JOIN fixes the order) and no more.
    """
    _tables, _condition, params = in_round(db, round_, scope)
    top = params[0] if _tables != "org_units o" else None
    joins = ""
    where = ["r.round_id = ?"]
    if responses or approved_only:
        joins += " CROSS JOIN responses p"
        where.append("p.id = r.response_id")
    if approved_only:
        where.append(f"p.status = '{APPROVED}'")
    if units:
        joins += " CROSS JOIN org_units o"
        where.append("o.code = r.org_code")
    if top is None:
        return f"results r{joins} WHERE {' AND '.join(where)}", [round_.id]
    return (
        f"org_paths scope_ CROSS JOIN results r{joins} WHERE scope_.ancestor = ? AND r.org_code = scope_.org_code "
        f"AND {' AND '.join(where)}",
        [top, round_.id],
    )


def ranked(
    db: Database,
    round_: Round,
    scope: str | None,
    approved_only: bool,
    responses: bool = False,
    units: bool = False,
    scores: bool = False,
) -> tuple[str, list]:
    """A WITH clause `ranked` of the jurisdiction's results (response's status and review level, unit's name, group
    scores, when asked: without them it reads one index only); their ranks are `ranks_of` the page's totals."""
    source, params = scoped(db, round_, scope, approved_only, responses, units)
    extra = (", p.status, p.review_level" if responses or approved_only else "") + (
        ", o.name, o.name_key" if units else ""
    )
    extra += ", r.scores" if scores else ""
    return (
        f"""WITH ranked AS (
              SELECT r.response_id, r.org_code, r.total, r.grade, r.county AS county_code{extra}
              FROM {source})""",
        params,
    )


@dataclass(frozen=True)
class Standing:
    """One centre in the league: its rank among the jurisdiction's centres (0: no total)."""

    response_id: int
    rank: int
    code: str
    name: str
    county: str
    county_code: str
    city: str
    status: str
    version: int
    review_level: int
    total: float | None
    grade: str | None
    failed: int
    scores: dict  # {"dimension"|"chapter": {id: score}, "framework": {id: {group: score}}}

    def score(self, groups: str, group: str) -> float | None:
        """The score of one group of a set of groups (`dimension`, `chapter` or a framework's id)."""
        found = self.scores.get(groups) if groups in ("dimension", "chapter") else None
        if found is None:
            found = self.scores.get("framework", {}).get(groups, {})
        return found.get(group)


@dataclass(frozen=True)
class Filter:
    """Which centres of the league to show: under a region, of a grade (`none`: without one), matching a search."""

    region: str = ""
    grade: str = ""
    search: str = ""  # part of the name or the code
    status: str = ""
    awaiting_level: int | None = None  # awaiting review at this level

    def sql(self) -> tuple[str, list]:
        parts, params = [], []
        if self.region:
            parts.append("EXISTS (SELECT 1 FROM org_paths x WHERE x.org_code = k.org_code AND x.ancestor = ?)")
            params.append(self.region)
        if self.grade == NO_GRADE:
            parts.append("k.grade IS NULL")
        elif self.grade:
            parts.append("k.grade = ?")
            params.append(self.grade)
        if self.search.strip():
            term = "%" + self.search.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            # the matching units first: a search reads the units' names, not every result's unit
            parts.append(
                "k.org_code IN (SELECT u.code FROM org_units u "
                "WHERE u.name LIKE ? ESCAPE '\\' OR u.code LIKE ? ESCAPE '\\')"
            )
            params += [term, term]
        if self.status:
            parts.append("k.status = ?")
            params.append(self.status)
        if self.awaiting_level is not None:
            parts.append("k.status = 'submitted' AND k.review_level = ?")
            params.append(self.awaiting_level - 1)
        return (" AND ".join(parts) or "1"), params

    @property
    def any(self) -> bool:
        return bool(self.region or self.grade or self.search.strip() or self.status or self.awaiting_level)

    @property
    def responses(self) -> bool:
        """Whether it looks at the responses' states."""
        return bool(self.status or self.awaiting_level is not None)


@dataclass(frozen=True)
class GroupSet:
    """Scores by group the league can show: the dimensions, the chapters, or one framework's groups."""

    id: str  # `dimension`, `chapter`, or the framework's id
    groups: tuple[tuple[str, object], ...]  # (group id, title: a Text)

    def path(self, group: str) -> str:
        """The JSON path of one of its groups' score in `results.scores` (ids are checked names)."""
        if self.id in ("dimension", "chapter"):
            return f'$.{self.id}."{group}"'
        return f'$.framework."{self.id}"."{group}"'


def group_sets(instrument: Instrument) -> list[GroupSet]:
    """Every set of group scores the instrument has: dimensions, chapters, then each framework."""
    out = []
    if instrument.dimensions:
        out.append(GroupSet("dimension", tuple((d.id, d.title) for d in instrument.dimensions)))
    if instrument.chapters:
        out.append(GroupSet("chapter", tuple((c.id, c.title) for c in instrument.chapters)))
    out += [GroupSet(f.id, tuple((g.id, g.title) for g in f.groups)) for f in instrument.frameworks]
    return out


def _order(instrument: Instrument, key: str, descending: bool, groups: GroupSet | None = None) -> str:
    """ORDER BY for `key` (or a group of `groups`): centres without a value last, ties by rank, then code.

    Rank follows the total (higher first; none: unranked), so it is ordered by the total.
    """
    if key == "rank":
        value = "-k.total"
    elif key == "total":
        value = "k.total"
    elif key == "name":
        value = "k.name_key"  # pinyin order, stored when units are saved
    elif key == "county":
        value = "NULLIF(cu.name_key, '')"
    elif groups is not None and key in dict(groups.groups):
        value = f"json_extract(k.scores, '{groups.path(key)}')"
    else:
        raise ValueError(f"no sort key {key}")
    direction = "DESC" if descending else "ASC"
    return f"({value}) IS NULL, {value} {direction}, k.total IS NULL, k.total DESC, k.org_code"


@dataclass
class LeaguePage:
    rows: list[Standing]
    shown: int  # centres matching the filter
    total: int  # centres in the jurisdiction (with results)


def league_page(
    db: Database,
    round_: Round,
    scope: str | None,
    approved_only: bool,
    *,
    chosen: Filter = Filter(),
    sort: str = "rank",
    descending: bool = False,
    groups: GroupSet | None = None,
    offset: int = 0,
    limit: int = 100,
) -> LeaguePage:
    """One page of the league: the centres matching `chosen`, sorted by `sort`, ranked among the whole jurisdiction."""
    instrument = round_instrument(db, round_)
    with_ranked, params = ranked(
        db, round_, scope, approved_only, chosen.responses, sort == "name", sort not in FIXED_SORTS
    )
    where, filter_params = chosen.sql()
    order = _order(instrument, sort, descending, groups)
    county = "LEFT JOIN org_units cu ON cu.code = k.county_code" if sort == "county" else ""
    found = db.execute(
        f"""{with_ranked}
            SELECT k.response_id, k.total, count(*) OVER () FROM ranked k {county}
            WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?""",
        [*params, *filter_params, max(int(limit), 1), int(offset)],
    ).fetchall()
    if found:
        shown = found[0][2]
    else:
        shown = db.execute(
            f"{with_ranked} SELECT count(*) FROM ranked k WHERE {where}", [*params, *filter_params]
        ).fetchone()[0]
    chosen_rows = found[: int(limit)]
    ranks = ranks_of(db, round_, scope, approved_only, [row[1] for row in chosen_rows]) if chosen_rows else []
    standings = _details(db, [(row[0], rank) for row, rank in zip(chosen_rows, ranks, strict=True)])
    total = shown if not chosen.any else _count(db, round_, scope, approved_only)
    return LeaguePage(standings, shown, total)


def ranks_of(
    db: Database, round_: Round, scope: str | None, approved_only: bool, totals: Sequence[float | None]
) -> list[int]:
    """The ranks of these totals among the jurisdiction's (1 + the centres with a higher total; 0 for none):
    equal totals share a rank (1, 2, 2, 4), counted on the held totals."""
    held, rows = held_in(db, round_, scope, approved_only)
    everyone = held.scores.total[rows]
    ordered = np.sort(everyone[~np.isnan(everyone)])
    return [0 if t is None else 1 + len(ordered) - int(np.searchsorted(ordered, t, side="right")) for t in totals]


def _count(db: Database, round_: Round, scope: str | None, approved_only: bool) -> int:
    source, params = scoped(db, round_, scope, approved_only)
    return db.execute(f"SELECT count(*) FROM {source}", params).fetchone()[0]


def _details(db: Database, chosen: list[tuple[int, int]]) -> list[Standing]:
    """The page's rows in full (names and places looked up for these rows only), in the order chosen."""
    if not chosen:
        return []
    ids = [response_id for response_id, _ in chosen]
    rows = db.execute(
        f"""SELECT r.response_id, r.org_code, r.total, r.grade, r.scores, r.failed, p.status, p.version,
                   p.review_level, o.name, r.county AS county_code, {place_names("o")}
            FROM results r JOIN responses p ON p.id = r.response_id JOIN org_units o ON o.code = r.org_code
            WHERE r.response_id IN ({", ".join("?" * len(ids))})""",
        ids,
    )
    names = [d[0] for d in rows.description]
    found = {row[0]: dict(zip(names, row, strict=True)) for row in rows.fetchall()}
    return [_standing({**found[response_id], "rank": rank}) for response_id, rank in chosen]


def _standing(row: dict) -> Standing:
    return Standing(
        row["response_id"],
        row["rank"],
        row["org_code"],
        row["name"],
        row["county"],
        row["county_code"] or "",
        row["city"],
        row["status"],
        row["version"],
        row["review_level"],
        row["total"],
        row["grade"],
        row["failed"],
        json.loads(row["scores"]),
    )


def histogram(
    db: Database, round_: Round, scope: str | None, approved_only: bool, chosen: Filter = Filter(), bins: int = 10
) -> tuple[list[int], int]:
    """How many of the centres matching `chosen` have a total in each 10-point bin (100 in the last); and how
    many have none."""
    source, params = scoped(db, round_, scope, approved_only, chosen.responses)
    columns = "r.response_id, r.org_code, r.total, r.grade, r.county AS county_code"
    columns += ", p.status, p.review_level" if chosen.responses or approved_only else ""
    where, filter_params = chosen.sql()
    counts, unscored = [0] * bins, 0
    for place, n in db.execute(
        f"""WITH ranked AS (SELECT {columns} FROM {source})
            SELECT CASE WHEN k.total IS NULL THEN -1 ELSE min(max(CAST(k.total / 10 AS INT), 0), ?)
            END, count(*) FROM ranked k WHERE {where} GROUP BY 1""",
        [*params, bins - 1, *filter_params],
    ):
        if place < 0:
            unscored = n
        else:
            counts[place] = n
    return counts, unscored


def picks(db: Database, round_: Round, scope: str | None, chosen: Filter) -> dict[str, int]:
    """Every centre matching `chosen` (org code: its response's version now), for acting on all that match."""
    with_ranked, params = ranked(db, round_, scope, False, True)
    where, filter_params = chosen.sql()
    rows = db.execute(
        f"""{with_ranked} SELECT k.org_code, p.version FROM ranked k JOIN responses p ON p.id = k.response_id
            WHERE {where}""",
        [*params, *filter_params],
    )
    return dict(rows.fetchall())


@dataclass(frozen=True)
class Place:
    """A centre's standing: in the jurisdiction and in its county."""

    standing: Standing
    of: int  # centres in the jurisdiction
    county_rank: int  # 0: unranked
    county_size: int


def place_of(db: Database, round_: Round, scope: str | None, approved_only: bool, code: str) -> Place | None:
    """Where centre `code` stands (None when it has no results in the data shown).

    Ranks as the league's (`ranks_of`): in the jurisdiction from the held totals, in the county from its own rows.
    """
    source, params = scoped(db, round_, scope, approved_only)
    found = db.execute(f"SELECT r.response_id, r.total, r.county FROM {source} AND r.org_code = ?", [*params, code])
    mine = found.fetchone()
    if mine is None:
        return None
    response_id, total, county = mine
    rank = ranks_of(db, round_, scope, approved_only, [total])[0]
    top = scope or round_.scope_code
    inside = " AND EXISTS (SELECT 1 FROM org_paths s WHERE s.ancestor = ? AND s.org_code = r.org_code)" if top else ""
    approved = f" AND p.status = '{APPROVED}'" if approved_only else ""
    county_size, above = db.execute(
        f"""SELECT count(*), coalesce(sum(r.total > ?), 0) FROM results r JOIN responses p ON p.id = r.response_id
            WHERE r.round_id = ? AND r.county = ?{approved}{inside}""",
        [total, round_.id, county, *([top] if top else [])],
    ).fetchone()
    county_rank = 0 if total is None else 1 + above
    everyone = _count(db, round_, scope, approved_only)
    return Place(_details(db, [(response_id, rank)])[0], everyone, county_rank, county_size)


def figures_in(db: Database, round_: Round, scope: str | None, approved_only: bool) -> tuple[StoredScores, list[str]]:
    """The stored figures of the jurisdiction's centres (row i is the i-th code, in code order) and their codes."""
    instrument = round_instrument(db, round_)
    held = round_figures(db, round_, instrument)
    source, params = scoped(db, round_, scope, approved_only)
    ids = np.array(
        [row[0] for row in db.execute(f"SELECT r.response_id FROM {source} ORDER BY r.org_code", params)],
        dtype=np.int64,
    )
    row_of = held.row_of
    rows = np.array([row_of[i] for i in ids if int(i) in row_of], dtype=int)
    return held.scores.rows(rows), [held.codes[row] for row in rows]


def held_in(db: Database, round_: Round, top: str | None, approved_only: bool) -> tuple[RoundFigures, np.ndarray]:
    """The round's held figures and the rows of the centres under unit `top` (all for None) in them, in held order.

    Nothing is copied: regional figures are taken from the held columns by these rows.
    """
    held = round_figures(db, round_, round_instrument(db, round_))
    rows = np.arange(len(held.codes))
    if top and top != round_.scope_code:
        level = db.execute("SELECT level FROM org_units WHERE code = ?", [top]).fetchone()
        codes, labels = held.regions_at(db, level[0] if level else "")
        k = bisect.bisect_left(codes, top)
        rows = np.flatnonzero(labels == k) if k < len(codes) and codes[k] == top else rows[:0]
    if approved_only:
        approved = np.fromiter(
            (
                row[0]
                for row in db.execute(
                    "SELECT id FROM responses WHERE round_id = ? AND status = ?", [round_.id, APPROVED]
                )
            ),
            np.int64,
        )
        rows = rows[np.isin(held.response_ids[rows], approved)]
    return held, rows


def group_means(
    db: Database, round_: Round, scope: str | None, approved_only: bool, groups: GroupSet
) -> dict[str, float | None]:
    """The jurisdiction's mean of each group score of `groups` (one decimal), from the held figures' columns."""
    held, rows = held_in(db, round_, scope, approved_only)
    stored = held.scores
    if groups.id in ("dimension", "chapter"):
        columns = stored.dimensions if groups.id == "dimension" else stored.chapters
    else:
        columns = stored.frameworks.get(groups.id, {})
    out: dict[str, float | None] = {}
    for group, _ in groups.groups:
        values = columns[group][rows] if group in columns else np.zeros(0)
        values = values[~np.isnan(values)]
        out[group] = round(math.fsum(values.tolist()) / len(values), 1) if len(values) else None
    return out


def counties(db: Database, round_: Round, scope: str | None, approved_only: bool) -> list[tuple[str, str]]:
    """(code, name) of every county with a centre in the jurisdiction's results, in code order."""
    top = scope or round_.scope_code
    if approved_only or not top or get_unit(db, top).level not in REGION_LEVELS:
        source, params = scoped(db, round_, scope, approved_only)
        sql = f"SELECT DISTINCT r.county FROM {source} ORDER BY 1"
    else:  # the round's counties (one index), those inside the scope: a centre's county is inside where it is
        sql = """SELECT k.county FROM (SELECT DISTINCT county FROM results WHERE round_id = ?) k
                 WHERE EXISTS (SELECT 1 FROM org_paths s WHERE s.ancestor = ? AND s.org_code = k.county) ORDER BY 1"""
        params = [round_.id, top]
    codes = [row[0] for row in db.execute(sql, params)]
    named = names(db, codes)
    return [(code, named[code]) for code in codes if code in named]
