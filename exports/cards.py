"""A centre's report card: where it stands, and for each indicator it misses, what would meet it.

One printable sheet `报告卡`: the centre, its total, grade and rank in the
county, the change since the previous round, each dimension score; when the
instrument grades by clauses, the gap to the next grade in words
(「再有 2 条推荐标准条款达到 B 级（现 55%，需 ≥ 60%），即可达到推荐标准」) and the
clauses below the level that grade needs, each with its level now and the
level needed; then a row per indicator with its value, target, status, points, the gap in a
sentence (`专业技术人员数再增加 3 人（45 → 48），即可达到 ≥ 90%（90.6%）`), the
change since the previous round, and the standard it comes from. Landscape
A4, one page wide, the table's header repeated on every page.
"""

from __future__ import annotations

import math
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from instruments import GradeGap, Scorecard, describe, describe_grade_gap, formatting
from instruments.grade_gaps import selection
from instruments.model import Indicator, Instrument
from instruments.scoring import IndicatorResult

from . import excel
from .tables import Centre

SHEET = "报告卡"
COLUMNS = (  # header, width
    ("指标", 22),
    ("数值", 10),
    ("目标值", 9),
    ("状态", 8),
    ("得分 / 权重", 10),
    ("差距（如何达标）", 40),
    ("上轮数值", 10),
    ("较上轮变化", 12),
    ("依据", 30),
    ("标准原文", 40),
)
STATUS_FILL = {
    "达标": {"bg_color": "#C6EFCE", "font_color": "#006100"},
    "未达标": {"bg_color": "#FFC7CE", "font_color": "#9C0006"},
}
GREY = {"bg_color": "#E7E6E6", "font_color": "#595959"}


def status_words(result: IndicatorResult) -> str:
    """An indicator result's status as the card says it: 达标, 未达标, 未填报, 无法计算, 不适用 or 不计分."""
    if result.status != "ok":
        return formatting.status(result.status)
    if result.met is None:
        return "不计分"
    return "达标" if result.met else "未达标"


def rank_words(rank: int | None, county_size: int) -> str:
    """`第 3 名 / 共 12 家`, or 未排名 when the centre has no total."""
    return f"第 {rank} 名 / 共 {county_size} 家" if rank else f"未排名 / 共 {county_size} 家"


def change_words(indicator: Indicator, now: Any, before: Any) -> str:
    """How a value moved since the previous round, between the values as shown: +3.2 个百分点, +0.01 (0.934 → 0.936
    shows 0.93 → 0.94), −4, 否 → 是, 不变."""
    if now is None or before is None:
        return ""
    if isinstance(now, bool) or isinstance(now, str) or isinstance(before, bool | str):
        if now == before:
            return "不变"
        return f"{formatting.value(indicator, before)} → {formatting.value(indicator, now)}"
    scale, digits, unit = {"percent": (100, 1, " 个百分点"), "integer": (1, 0, "")}.get(indicator.format, (1, 2, ""))
    diff = round(round(float(now) * scale, digits) - round(float(before) * scale, digits), digits)  # as shown
    if diff == 0:
        return "不变"
    return f"{'+' if diff > 0 else '−'}{formatting.number(abs(diff), digits)}{unit}"


def write_card(
    target: excel.Target,
    instrument: Instrument,
    card: Scorecard,
    centre: Centre,
    *,
    round_title: str,
    rank: int | None,
    county_size: int,
    previous: Scorecard | None = None,
    previous_title: str = "",
) -> None:
    """Write one centre's printable report card to `target`."""
    with excel.writing(target) as wb:
        ws = wb.add_worksheet(SHEET)
        cell = {"text_wrap": True, "valign": "top", "border": 1, "border_color": "#BFBFBF"}
        f = {
            "title": wb.add_format({"bold": True, "font_size": 16}),
            "label": wb.add_format({"bold": True, "bg_color": "#F2F2F2", **cell}),
            "value": wb.add_format(cell),
            "score": wb.add_format({"num_format": "0.0", "bold": True, **cell}),
            "header": wb.add_format({"bold": True, "bg_color": "#D9E1F2", **cell}),
            "section": wb.add_format({"bold": True, "font_size": 12}),
            **{k: wb.add_format({**cell, **v}) for k, v in STATUS_FILL.items()},
            "grey": wb.add_format({**cell, **GREY}),
        }
        for col, (_, w) in enumerate(COLUMNS):
            ws.set_column(col, col, w)
        row = _summary(ws, f, instrument, card, centre, round_title, rank, county_size, previous, previous_title)
        row = _dimensions(ws, f, instrument, card, previous, row + 1)
        row = _grade_gap(ws, f, instrument, card, row + 1)
        _indicator_table(ws, f, instrument, card, previous, row + 1)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.center_horizontally()
        ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        ws.set_footer("&C第 &P 页 / 共 &N 页")


Formats = dict[str, Format]


def _pair(ws: Worksheet, f: Formats, row: int, label: str, value: Any, fmt_key: str = "value") -> int:
    excel.write_text(ws, row, 0, label, f["label"])
    if isinstance(value, int | float):
        ws.write_number(row, 1, value, f[fmt_key])
    else:
        excel.write_text(ws, row, 1, value, f[fmt_key])
    return row + 1


def _summary(
    ws: Worksheet,
    f: Formats,
    instrument: Instrument,
    card: Scorecard,
    centre: Centre,
    round_title: str,
    rank: int | None,
    county_size: int,
    previous: Scorecard | None,
    previous_title: str,
) -> int:
    ws.set_row(0, 26)
    excel.write_text(ws, 0, 0, f"{instrument.title.zh} · 报告卡 · {round_title}", f["title"])
    row = 2
    row = _pair(ws, f, row, "机构名称", centre.name)
    row = _pair(ws, f, row, "机构编码", centre.code)
    row = _pair(ws, f, row, "所属县（区）", centre.county)
    if centre.city:
        row = _pair(ws, f, row, "所属市", centre.city)
    row = _pair(ws, f, row, "总分", card.total if card.total is not None else "无法计算", "score")
    grades = {g.id: g.label.zh for g in instrument.grades}
    row = _pair(ws, f, row, "等级", grades.get(card.grade or "", "—"))
    row = _pair(ws, f, row, "县内排名", rank_words(rank, county_size))
    if previous is not None:
        before = previous_title or "上轮"
        if card.total is not None and previous.total is not None:
            diff = card.total - previous.total
            sign = "+" if diff > 0 else "−" if diff < 0 else "±"
            change = f"{sign}{abs(diff):.1f} 分（{before} {previous.total:.1f} → 本轮 {card.total:.1f}）"
        else:
            change = f"无法比较（{before}或本轮总分无法计算）"
        row = _pair(ws, f, row, "较上轮变化", change)
    return row


def _dimensions(
    ws: Worksheet, f: Formats, instrument: Instrument, card: Scorecard, previous: Scorecard | None, row: int
) -> int:
    if not instrument.dimensions:
        return row
    excel.write_text(ws, row, 0, "维度得分", f["section"])
    row += 1
    for col, header in enumerate(("维度", "得分", "上轮", "变化")):
        excel.write_text(ws, row, col, header, f["header"])
    row += 1
    for dim in instrument.dimensions:
        now = card.dimensions.get(dim.id)
        before = previous.dimensions.get(dim.id) if previous else None
        excel.write_text(ws, row, 0, dim.title.zh, f["label"])
        for col, value in ((1, now), (2, before)):
            if value is None:
                excel.write_text(ws, row, col, "" if col == 2 else "无法计算", f["value"])
            else:
                ws.write_number(row, col, value, f["score"])
        moved = ""
        if now is not None and before is not None:
            diff = now - before
            moved = "不变" if abs(diff) < 0.05 else f"{'+' if diff > 0 else '−'}{abs(diff):.1f}"
        excel.write_text(ws, row, 3, moved, f["value"])
        row += 1
    return row


def _sentence(ws: Worksheet, f: Formats, row: int, label: str, text: str) -> int:
    """A label and a long text across the rest of the table's width, as tall as the text needs."""
    excel.write_text(ws, row, 0, label, f["label"])
    ws.merge_range(row, 1, row, len(COLUMNS) - 1, "", f["value"])
    excel.write_text(ws, row, 1, text, f["value"])
    room = sum(width for _, width in COLUMNS[1:])
    ws.set_row(row, 15 * max(1, math.ceil(excel.width(text) / room)))
    return row + 1


CLAUSE_COLUMNS = ("条款", "现等级", "需达到", "核心", "类别", "所需条件")


def _grade_gap(ws: Worksheet, f: Formats, instrument: Instrument, card: Scorecard, row: int) -> int:
    """The gap to the next grade in words, and the clauses below the level it needs."""
    if not any(grade.requires for grade in instrument.grades):
        return row
    excel.write_text(ws, row, 0, "距下一等级", f["section"])
    row += 1
    gap = card.next_grade
    if gap is None:
        words = "已达到最高等级" if card.grade == instrument.grades[0].id else "没有可以达到的更高等级"
        return _pair(ws, f, row, "下一等级", words)
    label = next(grade.label.zh for grade in instrument.grades if grade.id == gap.grade)
    row = _pair(ws, f, row, "下一等级", label)
    row = _sentence(ws, f, row, "差距", describe_grade_gap(instrument, gap))
    rising = clauses_to_raise(instrument, gap)
    if not rising:
        return row
    row += 1
    for col, header in enumerate(CLAUSE_COLUMNS):
        excel.write_text(ws, row, col, header, f["header"])
    for clause_id, (needed, conditions) in rising.items():
        row += 1
        clause = instrument.clause[clause_id]
        result = card.clauses[clause_id]
        number = f"{clause.number} " if clause.number else ""
        now = formatting.clause_rating(result.level, result.status)
        cells = [
            f"{number}{clause.text.zh}",
            now,
            formatting.level(needed),
            formatting.CORE_MARK if clause.core else "",
            formatting.STANDARD_WORDS[clause.standard]["zh"],
            "；".join(conditions),
        ]
        for col, text in enumerate(cells):
            excel.write_text(ws, row, col, text, f["未达标"] if col == 1 else f["value"])
    return row + 1


def clauses_to_raise(instrument: Instrument, gap: GradeGap) -> dict[str, tuple[str, list[str]]]:
    """The clauses below the level the next grade needs: for each, the highest level needed and the conditions
    needing it (「推荐标准条款达到 B 级的占比需 ≥ 60%」), in the order the gap names them."""
    out: dict[str, tuple[str, list[str]]] = {}
    for requirement_gap in gap.requirements:
        requirement = requirement_gap.requirement
        condition = (
            f"{selection(instrument, requirement)}条款达到 {formatting.level(requirement.level)}的占比"
            f"需 ≥ {formatting.share(requirement.share)}"
        )
        for clause_id in requirement_gap.candidates:
            clause = instrument.clause[clause_id]
            level, conditions = out.get(clause_id, (requirement.level, []))
            if clause.rank(requirement.level) > clause.rank(level):
                level = requirement.level
            out[clause_id] = (level, [*conditions, condition])
    return out


def _indicator_table(
    ws: Worksheet, f: Formats, instrument: Instrument, card: Scorecard, previous: Scorecard | None, row: int
) -> None:
    excel.write_text(ws, row, 0, "指标明细", f["section"])
    row += 1
    header_row = row
    for col, (header, _) in enumerate(COLUMNS):
        excel.write_text(ws, row, col, header, f["header"])
    ws.repeat_rows(header_row)
    for ind in instrument.indicators:
        row += 1
        result = card.indicators[ind.id]
        status = status_words(result)
        before = previous.indicators.get(ind.id) if previous else None
        if result.points is not None:
            points = f"{formatting.number(result.points)} / {formatting.number(result.weight)}"
        elif ind.scored:
            points = f"不计入 / {formatting.number(result.weight)}"
        else:
            points = ""
        gap = ""
        if result.met is False:
            gap = describe(instrument, result.gap) if result.gap else "调整任何单项均无法达标"
        standard = ind.standard
        cells = [
            ind.label.zh,
            formatting.value(ind, result.value) or formatting.status(result.status),
            formatting.target(ind),
            status,
            points,
            gap,
            formatting.value(ind, before.value) if before else "",
            change_words(ind, result.value, before.value if before else None),
            standard.source if standard else "",
            standard.text if standard else "",
        ]
        status_fmt = f.get(status, f["grey"] if result.status != "ok" else f["value"])
        for col, text in enumerate(cells):
            excel.write_text(ws, row, col, text, status_fmt if col == 3 else f["value"])
