"""The charts of the report pages: the data from the reports, the words in the reader's language, drawn by `charts`."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from markupsafe import Markup

from instruments import formatting

from .. import charts
from ..site import language
from ..words import joined, mark
from .profile import Profile
from .regions import Line, Summary

PERCENT_TICKS = [(0.0, "0%"), (0.5, "50%"), (1.0, "100%")]
SCORE_TICKS = [(0.0, "0"), (50.0, "50"), (100.0, "100")]


def distribution(counts: Sequence[int], unscored: int) -> Markup:
    """A histogram of total scores in 10-point bins, from their counts (and how many have no total)."""
    groups = joined(
        (_("%(low)d–%(high)d 分：%(n)d 家", low=10 * i, high=10 * (i + 1), n=n) for i, n in enumerate(counts)),
        language(),
    )
    desc = _("%(n)d 家机构的总分分布（未评分的 %(m)d 家不计）。%(groups)s", n=sum(counts), m=unscored, groups=groups)
    svg = charts.histogram(
        [],
        title=_("总分分布"),
        desc=desc,
        chart_id="distribution",
        x_label=_("总分（分）"),
        y_label=_("机构数"),
        counts=counts,
    )
    return Markup(svg)  # every text in it was escaped by charts


def _region_name(line: Line) -> str:
    return line.region.name or _("全部地区")


def _share_text(line: Line) -> str:
    meeting, reporting = line.figure.meeting, line.figure.reporting
    if not reporting or meeting is None:
        return _("无数据")
    return _("%(meeting)d/%(reporting)d（%(share)s）", meeting=meeting, reporting=reporting, share=line.share)


def shares(summary: Summary, indicator_id: str, label: str) -> Markup:
    """Horizontal bars: the share of centres meeting one indicator's target in the scope and each region."""
    lines = summary.lines_of(indicator_id)
    rows = [charts.Bar(_region_name(line), line.figure.share, _share_text(line)) for line in lines]
    desc = joined((f"{row.label}{mark('：', language())}{row.text}" for row in rows), language())
    svg = charts.bars(
        rows, title=_("%(indicator)s：各地区达标率", indicator=label), desc=desc, chart_id="shares", ticks=PERCENT_TICKS
    )
    return Markup(svg)


def heat(summary: Summary, lang: str) -> Markup:
    """A heat table of the share meeting each scored indicator's target, indicators × regions."""
    regions = summary.regions or [summary.scope]
    codes = [r.code for r in regions]
    scored = [i for i in summary.indicators if i.indicator.scored]
    cells = []
    for item in scored:
        by_code = {line.region.code: line for line in item.lines}
        cells.append([(by_code[c].figure.share, by_code[c].share or "—") for c in codes])
    desc = _("每格为该地区达标机构占填报机构的比例，颜色越深比例越高；“—”表示无填报数据。")
    svg = charts.heat_table(
        [i.indicator.label.get(lang) for i in scored],
        [r.name or _("全部地区") for r in regions],
        cells,
        title=_("各指标达标率（按地区）"),
        desc=desc,
        chart_id="heat",
    )
    return Markup(svg)


def dimension_profile(found: Profile) -> Markup:
    """Bars of the centre's dimension scores, with the jurisdiction's mean as a marker on each."""
    rows = []
    for dim in found.dimensions:
        value = "—" if dim.value is None else formatting.number(dim.value, 1)
        mean = "—" if dim.mean is None else formatting.number(dim.mean, 1)
        rows.append(charts.Bar(dim.title, dim.value, _("%(value)s（均值 %(mean)s）", value=value, mean=mean), dim.mean))
    desc = joined((f"{row.label}{mark('：', language())}{row.text}" for row in rows), language())
    svg = charts.bars(
        rows,
        title=_("维度得分与辖区均值"),
        desc=desc,
        chart_id="profile",
        top=100.0,
        ticks=SCORE_TICKS,
        marker_label=_("辖区均值"),
    )
    return Markup(svg)
