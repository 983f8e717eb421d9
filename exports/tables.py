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
from instruments.expressions import BOOLEAN, CHOICE, OK, STATUS_NAMES, plain
from instruments.model import Indicator, Instrument
from instruments.regions import RegionFigure
from instruments.scoring import Scores

from . import excel
from .orgs import LEVEL_WORDS

CHUNK = 4096  # centres turned into cells at a time
DATA_HEADER = ("org_code", "org_name", "indicator_id", "value", "met", "points")
MARKS = {1: "met", 0: "unmet", -1: "grey"}
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
        *(Column(f"{d.title.zh}得分", "score", 10) for d in instrument.dimensions),
        *(Column(f"{ind.label.zh}\n{formatting.target(ind)}".strip(), style(ind), 13) for ind in instrument.indicators),
    ]
    heading = [f"{instrument.title.zh} · {title} · {scope}", note]
    rows = _league_rows(instrument, scores, centres, ranks, order)
    return Table("排名", columns, rows, heading, freeze_columns=3, header_height=45)


def _league_rows(
    instrument: Instrument, scores: Scores, centres: Sequence[Centre], ranks: np.ndarray, order: np.ndarray
) -> Iterator[list[Any]]:
    grades = [g.label.zh for g in instrument.grades]
    people = [(c.code, c.name, c.county, c.city) for c in centres]
    dims = [scores.dimensions[d.id] for d in instrument.dimensions]
    for start in range(0, len(order), CHUNK):
        rows = order[start : start + CHUNK]
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
                *(plain(d[i]) for d in dim_values),
                *(c[i] for c in cells),
            ]


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


def regions(
    instrument: Instrument,
    figures: Sequence[RegionFigure],
    region_names: Mapping[str, tuple[str, str]],
) -> Table:
    """The `地区汇总` table: one row per region × indicator."""
    columns = [
        Column("地区编码", "text", 12),
        Column("地区", "text", 16),
        Column("层级", "text", 10),
        Column("指标", "text", 28),
        Column("目标值", "text", 10),
        Column("填报机构数", "integer", 10),
        Column("达标机构数", "integer", 10),
        Column("达标率", "percent", 9),
        Column("均值", "number", 11),
        Column("中位数", "number", 11),
        Column("合并值", "number", 11),
        Column("合并值是否达标", "text", 10),
    ]
    return Table("地区汇总", columns, _region_rows(instrument, figures, region_names), [], 2, 30)


def _region_rows(
    instrument: Instrument, figures: Sequence[RegionFigure], region_names: Mapping[str, tuple[str, str]]
) -> Iterator[list[Any]]:
    for fig in figures:
        ind = instrument.indicator[fig.indicator]
        name, level = region_names.get(fig.region, (fig.region, ""))
        shape = "percent" if ind.format == "percent" or ind.kind == BOOLEAN else style(ind)
        if shape == "integer":
            shape = "number"  # a mean of whole numbers is not whole
        yield [
            fig.region,
            name,
            LEVEL_WORDS.get(level, level),
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


def _scoring_words(ind: Indicator) -> str:
    if not ind.scored:
        return "不计分（仅展示）"
    if ind.scoring == "linear" and ind.floor is not None:
        floor = formatting.value(ind, ind.floor)
        return f"线性计分：{floor} 及以下不得分，达到目标得满分"
    return "达标得满分，未达标不得分"


def data(instrument: Instrument, scores: Scores, centres: Sequence[Centre]) -> Table:
    """The `data` table: one tidy row per centre × indicator, centres in league order."""
    styles = ("text", "text", "text", "general", "rank", "number")
    widths = (14, 30, 28, 12, 6, 8)
    columns = [Column(*spec) for spec in zip(DATA_HEADER, styles, widths, strict=True)]
    # `value` is a number or empty; an indicator whose value is a choice is shown on 排名 only.
    numeric = [ind for ind in instrument.indicators if instrument.is_numeric(ind)]
    rows = _data_rows(numeric, scores, centres)
    return Table("data", columns, rows, size=len(centres) * len(numeric))


def _data_rows(numeric: Sequence[Indicator], scores: Scores, centres: Sequence[Centre]) -> Iterator[tuple]:
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
        for i, row in enumerate(rows.tolist()):
            code, name = people[row]
            for ind_id, value, met, points in columns:
                yield (code, name, ind_id, value[i], met[i], points[i])


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
