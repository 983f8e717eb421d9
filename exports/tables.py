"""Neutral tables for the league workbook: headers, column styles and rows, no Excel in sight.

formpack's split: first the rows, then a writer. A `Table` holds its column
headers with a style each (`text`, `percent`, `score`, …) and an iterable of
rows. A cell is a plain value (str, number or None), or a pair `(value,
key)` when it needs its own format, such as `percent|met` for a percentage
that meets its target or `text|grey` for 未填报. Rows are generated lazily,
in chunks of centres computed column-wise with numpy, so 50,000 centres ×
60 indicators never sit in memory as cells.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from instruments import formatting, rank
from instruments.clauses import RequirementColumns
from instruments.expressions import BOOLEAN, CHOICE, NOT_APPLICABLE, OK, STATUS_NAMES, plain
from instruments.grade_gaps import selection
from instruments.model import Clause, Indicator, Instrument
from instruments.ratings import BELOW
from instruments.ratings import NOT_APPLICABLE as NOT_APPLICABLE_RATING
from instruments.regions import ClauseFigure, RegionFigure
from instruments.scoring import Scores

from . import excel
from .names import name_key
from .orgs import LEVEL_RANK, LEVEL_WORDS

CHUNK = 4096  # centres turned into cells at a time
DATA_HEADER = ("org_code", "org_name", "indicator_id", "value", "met", "points")
MARKS = {1: "met", 0: "unmet", -1: "grey"}
UNSET = "（未设置）"  # the group of the centres that do not carry the attribute a table is grouped by
RATED_WORDS = {"auto": "自动评定", "onsite": "现场评价"}
SHARES_NOTE = "各等级与未达到的占比以已评级机构为分母；不适用、未评级的占比以全部机构为分母。"
STATUS_WORDS = [formatting.status(name) for name in STATUS_NAMES]  # by status code


@dataclass(frozen=True)
class Centre:
    code: str
    name: str
    county: str = ""
    city: str = ""


@dataclass(frozen=True)
class Column:
    header: str
    style: str = "text"  # text, integer, number, percent, score, rank
    width: float = 12.0


@dataclass
class Table:
    name: str
    columns: list[Column]
    rows: Iterable[Sequence]
    heading: list[str] = field(default_factory=list)  # lines above the header row
    freeze_columns: int = 0
    header_height: float | None = None
    size: int | None = None  # how many rows, when known before they are made


def style(indicator: Indicator) -> str:
    """The column style of an indicator's values."""
    if indicator.kind in (BOOLEAN, CHOICE):
        return "text"
    return {"percent": "percent", "integer": "integer"}.get(indicator.format, "number")


def _text_width(texts: Iterable[str], low: float, high: float) -> float:
    return min(max([low, *(excel.width(t) + 2 for t in texts)]), high)


def ranking(scores: Scores) -> tuple[np.ndarray, np.ndarray]:
    """Each centre's rank (0 when unranked) and the row order of the league, unranked last."""
    ranks = rank(scores.total)
    key = np.where(ranks == 0, np.iinfo(np.int64).max, ranks)
    return ranks, np.argsort(key, kind="stable")


def league(
    instrument: Instrument,
    scores: Scores,
    centres: Sequence[Centre],
    *,
    title: str,
    scope: str,
    note: str = "",
) -> Table:
    """The `排名` table: one row per centre, best first, with scores and every indicator."""
    ranks, order = ranking(scores)
    sample = centres[:2000]
    columns = [
        Column("排名", "rank", 6),
        Column("机构编码", "text", _text_width((c.code for c in sample), 10, 24)),
        Column("机构名称", "text", _text_width((c.name for c in sample), 16, 40)),
        Column("所属县（区）", "text", _text_width((c.county for c in sample), 12, 24)),
        Column("所属市", "text", _text_width((c.city for c in sample), 10, 20)),
        Column("总分", "score", 8),
        Column("等级", "text", _text_width((g.label.zh for g in instrument.grades), 10, 20)),
        *(Column(header, "percent", 16) for header, _ in conditions(instrument, scores)),
        *(Column(f"{d.title.zh}得分", "score", 10) for d in instrument.dimensions),
        *(Column(f"{ind.label.zh}\n{formatting.target(ind)}".strip(), style(ind), 13) for ind in instrument.indicators),
    ]
    heading = [f"{instrument.title.zh} · {title} · {scope}", note]
    rows = _league_rows(instrument, scores, centres, ranks, order)
    return Table("排名", columns, rows, heading, freeze_columns=3, header_height=45)


def conditions(instrument: Instrument, scores: Scores) -> list[tuple[str, RequirementColumns]]:
    """Each `requires` condition of the grades with its header, once however many grades share it."""
    found: dict[tuple, tuple[list[str], RequirementColumns]] = {}
    for grade in instrument.grades:
        for columns in scores.requirements[grade.id]:
            requirement = columns.requirement
            key = (requirement.clauses, requirement.level, requirement.share)
            found.setdefault(key, ([], columns))[0].append(grade.label.zh)
    out = []
    for grades, columns in found.values():
        requirement = columns.requirement
        which = f"{selection(instrument, requirement)}条款"
        level, need = formatting.level(requirement.level), formatting.share(requirement.share)
        out.append((f"{'、'.join(grades)}：{which}达到 {level}（需 ≥ {need}）", columns))
    return out


def _league_rows(
    instrument: Instrument, scores: Scores, centres: Sequence[Centre], ranks: np.ndarray, order: np.ndarray
) -> Iterator[list[Any]]:
    grades = [g.label.zh for g in instrument.grades]
    people = [(c.code, c.name, c.county, c.city) for c in centres]
    dims = [scores.dimensions[d.id] for d in instrument.dimensions]
    required = [columns for _, columns in conditions(instrument, scores)]
    for start in range(0, len(order), CHUNK):
        rows = order[start : start + CHUNK]
        shares = [_share_cells(columns, rows) for columns in required]
        cells = [_indicator_cells(instrument, scores, ind, rows) for ind in instrument.indicators]
        totals = scores.total[rows].tolist()
        grade = scores.grade[rows].tolist()
        rank_of = ranks[rows].tolist()
        dim_values = [d[rows].tolist() for d in dims]
        for i, row in enumerate(rows.tolist()):
            code, name, county, city = people[row]
            yield [
                rank_of[i] or None,
                code,
                name,
                county,
                city,
                plain(totals[i]),
                grades[grade[i]] if grade[i] >= 0 else None,
                *(c[i] for c in shares),
                *(plain(d[i]) for d in dim_values),
                *(c[i] for c in cells),
            ]


def _share_cells(columns: RequirementColumns, rows: np.ndarray) -> list[Any]:
    """A condition's share reached for `rows`, met green and unmet red; 无适用条款 where no selected clause applies."""
    out: list[Any] = []
    for share, met in zip(columns.share[rows].tolist(), columns.met[rows].tolist(), strict=True):
        if share != share:
            out.append(("无适用条款", "text|grey"))
        else:
            out.append((share, "percent|met" if met else "percent|unmet"))
    return out


def _indicator_cells(instrument: Instrument, scores: Scores, ind: Indicator, rows: np.ndarray) -> list[Any]:
    """One indicator's cells for `rows`: the value with a met/unmet key, or the status word."""
    column = scores.env[ind.id]
    status = column.status[rows].tolist()
    values = column.value[rows].tolist()
    met = scores.met[ind.id][rows].tolist() if ind.scored else [None] * len(values)
    shown = style(ind)
    keys = {1: f"{shown}|met", 0: f"{shown}|unmet", -1: shown, None: shown}
    grey = "text|grey"
    out = []
    kind = ind.kind
    choices = ind.formula.choices
    for s, v, m in zip(status, values, met, strict=True):
        if s != OK:
            out.append((STATUS_WORDS[s], grey))
        elif kind == BOOLEAN:
            out.append((formatting.YES_NO[bool(v)]["zh"], keys[m]))
        elif kind == CHOICE:
            out.append((choices[int(v)], keys[m]))
        else:
            out.append((v, keys[m]))
    return out


FIGURE_COLUMNS = [
    Column("指标", "text", 28),
    Column("目标值", "text", 10),
    Column("填报机构数", "integer", 10),
    Column("达标机构数", "integer", 10),
    Column("达标率", "percent", 9),
    Column("均值", "number", 11),
    Column("中位数", "number", 11),
    Column("合并值", "number", 11),
    Column("合并值是否达标", "text", 10),
]  # the figures of one region, or one group, for one indicator


def regions(
    instrument: Instrument,
    figures: Sequence[RegionFigure],
    region_names: Mapping[str, tuple[str, str]],
) -> Table:
    """The `地区汇总` table: one row per region × indicator."""
    columns = [Column("地区编码", "text", 12), Column("地区", "text", 16), Column("层级", "text", 10), *FIGURE_COLUMNS]
    return Table("地区汇总", columns, _region_rows(instrument, figures, region_names), [], 2, 30)


def _region_rows(
    instrument: Instrument, figures: Sequence[RegionFigure], region_names: Mapping[str, tuple[str, str]]
) -> Iterator[list[Any]]:
    for fig in region_order(instrument, figures, region_names):
        name, level = region_names.get(fig.region, (fig.region, ""))
        yield [fig.region, name, LEVEL_WORDS.get(level, level), *_figure_cells(instrument, fig)]


def region_order(
    instrument: Instrument, figures: Sequence[RegionFigure], region_names: Mapping[str, tuple[str, str]]
) -> list[RegionFigure]:
    """Each indicator's figures with the scope first, then each level's regions (cities, then counties) by name in
    pinyin order, as the web's regional summary shows them."""
    position = {ind.id: i for i, ind in enumerate(instrument.indicators)}
    places: dict[str, tuple[int, str, str]] = {}
    for fig in figures:
        if fig.region not in places:
            name, level = region_names.get(fig.region, (fig.region, ""))
            places[fig.region] = LEVEL_RANK.get(level, len(LEVEL_RANK)), name_key(name), fig.region

    def key(fig: RegionFigure) -> tuple[int, tuple[int, str, str]]:
        return position.get(fig.indicator, len(position)), places[fig.region]

    return sorted(figures, key=key)


def _figure_cells(instrument: Instrument, fig: RegionFigure) -> list[Any]:
    """The cells of FIGURE_COLUMNS for one figure."""
    ind = instrument.indicator[fig.indicator]
    shape = "percent" if ind.format == "percent" or ind.kind == BOOLEAN else style(ind)
    if shape == "integer":
        shape = "number"  # a mean of whole numbers is not whole
    return [
        ind.label.zh,
        formatting.target(ind) or None,
        fig.reporting,
        fig.meeting,
        fig.share,
        (fig.mean, shape) if fig.mean is not None else None,
        (fig.median, shape) if fig.median is not None else None,
        (fig.pooled, shape) if fig.pooled is not None else None,
        _yes_no(fig.pooled_met),
    ]


def grouped(
    instrument: Instrument, figures: Sequence[RegionFigure], attribute: str, sizes: Mapping[str, int], scope: str
) -> Table:
    """The `分组汇总` table: the regional figures with the scope's centres grouped by a unit attribute."""
    columns = [Column(attribute, "text", 14), Column("机构数", "integer", 8), *FIGURE_COLUMNS]
    heading = [f"按“{attribute}”分组 · {scope}", f"未设置“{attribute}”的机构归入“{UNSET}”。"]
    rows = ([fig.region, sizes.get(fig.region, 0), *_figure_cells(instrument, fig)] for fig in figures)
    return Table("分组汇总", columns, rows, heading, 2, 30)


def _yes_no(met: bool | None) -> tuple[str, str] | None:
    if met is None:
        return None
    return ("是", "text|met") if met else ("否", "text|unmet")


def indicators(instrument: Instrument) -> Table:
    """The `指标说明` table: what each indicator is, how it is scored and where the standard is."""
    dimensions = {d.id: d.title.zh for d in instrument.dimensions}
    columns = [
        Column("指标编码", "text", 22),
        Column("指标名称", "wrap", 24),
        Column("计算公式", "wrap", 30),
        Column("目标值", "text", 10),
        Column("权重", "number", 7),
        Column("维度", "text", 14),
        Column("计分方式", "wrap", 22),
        Column("合并计算", "text", 9),
        Column("来源", "wrap", 36),
        Column("标准原文", "wrap", 48),
        Column("备注", "wrap", 48),
    ]
    rows = []
    for ind in instrument.indicators:
        standard = ind.standard
        rows.append(
            [
                ind.id,
                ind.label.zh,
                ind.formula.source,
                formatting.target(ind) or None,
                ind.weight if ind.scored else None,
                dimensions.get(ind.dimension or "", None),
                _scoring_words(ind),
                "是" if ind.pooled else "否",
                standard.source if standard else None,
                standard.text if standard else None,
                standard.note if standard else None,
            ]
        )
    return Table("指标说明", columns, rows, [], 2, 20)


def clause_summary(
    instrument: Instrument,
    figures: Sequence[ClauseFigure],
    *,
    name: str = "条款汇总",
    heading: Sequence[str] = (),
    group: str | None = None,
) -> Table:
    """The `条款汇总` table: per clause, the number and share of centres at each level, 未达到, 不适用, 未评级.

    `figures` are one region's (the scope's); with `group` (an attribute's name) they are one
    row per group × clause, the group first.
    """
    levels = level_order(instrument.clauses)
    counted = [(formatting.CLAUSE_STATUS_WORDS[BELOW]["zh"], BELOW), *((f"{level}级", level) for level in levels)]
    columns = [
        *([Column(group, "text", 14)] if group is not None else []),
        Column("条款编码", "text", 18),
        Column("序号", "text", 7),
        Column("章", "wrap", 16),
        Column("类别", "text", 9),
        Column("核心", "text", 5),
        Column("条款", "wrap", 40),
        Column("评价方式", "text", 9),
        Column("机构数", "integer", 8),
        Column("已评级", "integer", 8),
        *(Column(f"{words}\n{what}", style, 8) for words, _ in counted for what, style in _COUNT_AND_SHARE),
        *(Column(f"{words}\n{what}", style, 8) for words in _OTHERS.values() for what, style in _COUNT_AND_SHARE),
    ]
    chapters = {c.id: f"{c.number}、{c.title.zh}" if c.number else c.title.zh for c in instrument.chapters}
    rows = []
    for fig in figures:
        clause = instrument.clause[fig.clause]
        cells: list[Any] = [
            *([fig.region] if group is not None else []),
            clause.id,
            clause.number,
            chapters.get(clause.chapter or ""),
            formatting.STANDARD_WORDS[clause.standard]["zh"],
            formatting.CORE_MARK if clause.core else None,
            clause.text.zh,
            RATED_WORDS[clause.rated],
            fig.centres,
            fig.rated,
        ]
        for _, key in counted:
            has = key in fig.levels
            cells += [fig.levels[key] if has else None, fig.shares[key] if has else None]
        for count in (fig.not_applicable, fig.unrated):
            cells += [count, count / fig.centres if fig.centres else None]
        rows.append(cells)
    return Table(name, columns, rows, [*heading, SHARES_NOTE], 2 + (group is not None), 30)


_COUNT_AND_SHARE = (("机构数", "integer"), ("占比", "percent"))
_OTHERS = {status: formatting.CLAUSE_STATUS_WORDS[status]["zh"] for status in ("not_applicable", "unrated")}


def level_order(clauses: Sequence[Clause]) -> list[str]:
    """Every level id of the clauses, lowest first: each clause's levels in their order, new ids after the one below."""
    order: list[str] = []
    for clause in clauses:
        below = None
        for level in clause.level_ids:
            if level not in order:
                order.insert(order.index(below) + 1 if below is not None else len(order), level)
            below = level
    return order


def _scoring_words(ind: Indicator) -> str:
    if not ind.scored:
        return "不计分（仅展示）"
    if ind.scoring == "linear" and ind.floor is not None:
        floor = formatting.value(ind, ind.floor)
        return f"线性计分：{floor} 及以下不得分，达到目标得满分"
    return "达标得满分，未达标不得分"


def data(instrument: Instrument, scores: Scores, centres: Sequence[Centre]) -> Table:
    """The `data` table: one tidy row per centre × indicator and clause, centres in league order.

    An indicator's `value` is a number or empty (one whose value is a choice is shown on 排名
    only); a clause's is the level reached as text — its level id, `below` (未达到) or
    `not_applicable` (不适用), as in an answers dict — or empty when unrated, `met` 1 at or
    above its first level, and `points` the credit earned when it is weighted.
    """
    styles = ("text", "text", "text", "general", "rank", "number")
    widths = (14, 30, 28, 12, 6, 8)
    columns = [Column(*spec) for spec in zip(DATA_HEADER, styles, widths, strict=True)]
    numeric = [ind for ind in instrument.indicators if instrument.is_numeric(ind)]
    rows = _data_rows(data_chunks(instrument, scores, centres))
    return Table("data", columns, rows, size=len(centres) * (len(numeric) + len(instrument.clauses)))


@dataclass(frozen=True)
class DataChunk:
    """Some centres' tidy rows by columns: each centre's code and name, then for each indicator and clause its id
    and every centre's value, met and points (None where empty)."""

    people: list[tuple[str, str]]
    columns: list[tuple[str, list, list, list]]


def data_chunks(instrument: Instrument, scores: Scores, centres: Sequence[Centre]) -> Iterator[DataChunk]:
    """The rows of `data` (centres in league order), a chunk of centres at a time, by columns."""
    numeric = [ind for ind in instrument.indicators if instrument.is_numeric(ind)]
    _, order = ranking(scores)
    people = [(c.code, c.name) for c in centres]
    for start in range(0, len(order), CHUNK):
        rows = order[start : start + CHUNK]
        columns = []
        for ind in numeric:
            column = scores.env[ind.id]
            value = np.where(column.status[rows] == OK, column.value[rows], np.nan)
            if ind.scored:
                met = scores.met[ind.id][rows].astype(float)
                met[met < 0] = np.nan
                points = scores.points[ind.id][rows]
            else:
                met = points = np.full(len(rows), np.nan)
            columns.append((ind.id, _none_for_nan(value), _none_for_nan(met), _none_for_nan(points)))
        columns += [_clause_data(clause, scores, rows) for clause in instrument.clauses]
        yield DataChunk([people[row] for row in rows.tolist()], columns)


def _data_rows(chunks: Iterable[DataChunk]) -> Iterator[tuple]:
    for chunk in chunks:
        for i, (code, name) in enumerate(chunk.people):
            for ind_id, value, met, points in chunk.columns:
                yield (code, name, ind_id, value[i], met[i], points[i])


def _clause_data(clause: Clause, scores: Scores, rows: np.ndarray) -> tuple[str, list, list, list]:
    """One clause's tidy columns for `rows`: the level as text, met, points."""
    column = scores.levels[clause.id]
    status = column.status[rows]
    rank_of = np.where(status == OK, column.value[rows], 0).astype(int)
    names = np.array([BELOW, *clause.level_ids], dtype=object)[rank_of]
    names[status == NOT_APPLICABLE] = NOT_APPLICABLE_RATING
    names[(status != OK) & (status != NOT_APPLICABLE)] = None
    met = np.where(status == OK, (rank_of >= 1).astype(float), np.nan)
    points = scores.clause_points.get(clause.id)
    points = _none_for_nan(points[rows]) if points is not None else [None] * len(rows)
    return clause.id, names.tolist(), _none_for_nan(met), points


def _none_for_nan(values: np.ndarray) -> list:
    return [None if v != v else v for v in values.tolist()]


def target_shares(instrument: Instrument, scores: Scores) -> Table:
    """The share of centres meeting each target (the chart's data), scored indicators only."""
    columns = [
        Column("指标", "text", 30),
        Column("目标值", "text", 10),
        Column("有数值的机构数", "integer", 12),
        Column("达标机构数", "integer", 10),
        Column("达标率", "percent", 9),
    ]
    rows = []
    for ind in instrument.scored_indicators:
        met = scores.met[ind.id]
        judged = int((met >= 0).sum())
        meeting = int((met == 1).sum())
        share = meeting / judged if judged else None
        rows.append([ind.label.zh, formatting.target(ind), judged, meeting, share])
    return Table("达标率", columns, rows, [], 1, 30)
