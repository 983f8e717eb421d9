"""The offline fill-in template: one row per centre, one column per item and onsite clause, checked as it is typed.

County offices collect returns in Excel, so a round's template is a workbook
that fills many centres at once. On the sheet `填报`, above the centres, sit
a title, the section titles, each item's Chinese label with its unit, a short
hint, and a hidden row of machine headers (`org_code`, `org_name`, item ids)
that the importer looks for. Each centre's code and name are filled in and
locked; its input cells are unlocked and carry Excel data validation built
from the item (whole numbers within min and max, 是/否 lists, choice lists).

When the instrument has onsite clauses (auto clauses follow from the answers
and take no input), the sheet `条款自评` beside it has the same rows and
layout for the self-ratings, grouped by chapter as items are by section: each
clause's column is headed by its id, labelled with its number and text, and
takes its level ids, 未达到 or 不适用 from a dropdown whose input message gives
every level's requirement; beside it a column `<clause id>.note` takes the
self-rating's note (自评说明), which 不适用 needs as its reason. Two sheets keep
each within the 256 columns of an .xls workbook, as WPS saves it.

A centre's own template may come filled with what it has saved (`saved_cells`):
numbers as numbers, dates as dates, everything else as the words the importer
reads back, so a file uploaded unchanged changes nothing. A note above the
codes says that a blank cell leaves the saved answer as it is, which is how
every import reads a blank.

The sheet is protected without a password, so only input cells take typing.
A very hidden `_meta` sheet names the round, instrument and version, so that
a template cannot be imported into another round.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.utility import quote_sheetname, xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from instruments import formatting
from instruments.item_types import ITEM_TYPES, Validation
from instruments.model import Clause, Instrument, Item
from instruments.ratings import BELOW, NOT_APPLICABLE

from . import excel

SHEET = "填报"
CLAUSE_SHEET = "条款自评"
HELP_SHEET = "说明"
LISTS_SHEET = "选项"
META_SHEET = "_meta"
TEMPLATE_KIND = "survey-template"
FIRST_COLUMN = 2  # items start after org_code and org_name
HEADER_ROWS = ("title", "sections", "labels", "hints", "ids")
IDS_ROW = HEADER_ROWS.index("ids")
FIRST_ROW = len(HEADER_ROWS)  # the first centre's row (0-based)
EARLIEST = dt.date(1900, 1, 1)  # the first date a date cell accepts
NOTE_SUFFIX = ".note"  # the header of the column beside an onsite clause that holds the self-rating's note
BLANK_KEEPS = "留空的单元格不改动已保存的答案"  # the note above the codes on every input sheet
STATUSES = tuple(formatting.CLAUSE_STATUS_WORDS[s]["zh"] for s in (BELOW, NOT_APPLICABLE))  # 未达到, 不适用

HELP = (
    "填报说明",
    "",
    "1. 每一行是一个机构：机构编码和名称已填好，不能修改；请在白色单元格中填写各项数据。",
    "2. 第 3 行是指标项名称，括号内是计量单位（人、张、台、平方米、人次等），请按单位填写数字，"
    "不要填写单位或文字说明。",
    "3. 第 4 行是填写要求；选中单元格时也会显示提示。带 * 的项目为必填项。",
    "4. 是/否题：从下拉列表中选择“是”或“否”。“是”表示具备或已开展，“否”表示不具备或未开展。",
    "5. 单选题：从下拉列表中选择一项。多选题：填写选项名称，多个选项之间用“、”或逗号分隔。",
    "6. 日期：按 YYYY-MM-DD 格式填写，例如 2025-06-30。",
    "7. 没有数据的项目请留空，不要填 0；多选题一项也不选时填“无”。留空的单元格不改动已保存的答案："
    "本机构下载的模板已填入已保存的答案，只需修改或补填；要清除某项答案，请在网页上操作。",
    "8. 请不要增删行列、修改表头或隐藏行，也不要修改工作表名称；导入时按表头识别各列。",
    "9. 填好后保存为 .xlsx、.xls 或 .ods 文件导入。导入时会逐格检查，发现问题会指出工作表、单元格和原因，"
    "全部改正后才会导入。",
)
CLAUSE_HELP = (
    "10. 条款自评：在“条款自评”工作表中按章排列需现场评价的条款（由填报数据自动评定的条款不在此填写），"
    "第 3 行是条款序号和条款内容，★ 为核心条款。从下拉列表中选择达到的等级（如 C、B、A），"
    "低于最低等级选“未达到”，本机构不涉及选“不适用”；留空视为未评级。选中单元格时会显示各等级的要求。",
    "11. 每个条款右侧的“自评说明”列填写自评依据；选“不适用”时必须在此说明理由。",
)


Saved = Mapping[str, Mapping[str, Any]]  # cells filled in beforehand: by org code, then column id


@dataclass(frozen=True)
class Column:
    """One input column of the template: an item, an onsite clause's rating, or the note beside it."""

    id: str  # the machine header
    group: tuple[str, str]  # the section or chapter above it: (id, title)
    label: str
    rule: str  # the short hint under the label
    cell: str  # the input cells' format: text, number or date
    validation: Validation
    message: str  # the input message of the data validation
    width: float


def item_columns(instrument: Instrument) -> list[Column]:
    """The input columns of `填报`: every item, by section."""
    return [
        _item_column(item, (section.id, section.title.zh)) for section in instrument.sections for item in section.items
    ]


def clause_columns(instrument: Instrument) -> list[Column]:
    """The input columns of `条款自评`: every onsite clause by chapter, each followed by its note."""
    out: list[Column] = []
    titles = {c.id: f"{c.number}、{c.title.zh}" if c.number else c.title.zh for c in instrument.chapters}
    place = {chapter.id: n for n, chapter in enumerate(instrument.chapters)}
    clauses = sorted(instrument.onsite_clauses, key=lambda c: place.get(c.chapter or "", len(place)))
    for clause in clauses:
        group = (f"chapter:{clause.chapter or ''}", titles.get(clause.chapter or "", "条款"))
        out += [_clause_column(clause, group), _note_column(clause, group)]
    return out


def note_column(clause_id: str) -> str:
    """The header of the column holding the note beside an onsite clause's rating."""
    return clause_id + NOTE_SUFFIX


def write_template(
    target: excel.Target,
    instrument: Instrument,
    centres: Sequence[tuple[str, str]],
    *,
    round_id: int,
    title: str,
    saved: Saved | None = None,
) -> None:
    """Write the fill-in workbook of one round for `centres` (org code, name) to `target`.

    `saved` holds cells filled in beforehand, by org code and then column id (see `saved_cells`).
    """
    saved = saved or {}
    items, clauses = item_columns(instrument), clause_columns(instrument)
    with excel.writing(target) as wb:
        taken: set[str] = set()
        ws = wb.add_worksheet(excel.sheet_title(SHEET, taken))
        clause_ws = wb.add_worksheet(excel.sheet_title(CLAUSE_SHEET, taken)) if clauses else None
        help_ws = wb.add_worksheet(excel.sheet_title(HELP_SHEET, taken))
        lists = _long_lists([*items, *clauses])
        lists_ws = wb.add_worksheet(excel.sheet_title(LISTS_SHEET, taken)) if lists else None
        meta = wb.add_worksheet(excel.sheet_title(META_SHEET, taken))
        ws.activate()

        f = _formats(wb)
        _write_inputs(ws, items, centres, f, lists, f"{instrument.title.zh}　{title}", saved)
        if clause_ws is not None:
            _write_inputs(clause_ws, clauses, centres, f, lists, f"{instrument.title.zh}　{title}　条款自评", saved)
        _write_help(help_ws, f, clause_ws is not None)
        if lists_ws is not None:
            _write_lists(lists_ws, lists)
            lists_ws.hide()
        _write_meta(meta, instrument, round_id, title)
        meta.very_hidden()


def _write_inputs(
    ws: Worksheet,
    inputs: Sequence[Column],
    centres: Sequence[tuple[str, str]],
    f: Formats,
    lists: dict[str, list[str]],
    title: str,
    saved: Saved,
) -> None:
    """One sheet of input columns: the headings, a row per centre (with its saved cells), data validation,
    protection."""
    widths = [14.0, 30.0] + [column.width for column in inputs]
    for col, w in enumerate(widths):
        ws.set_column(col, col, w)

    excel.write_text(ws, 0, 0, title, f["title"])
    ws.set_row(0, 24)
    _section_row(ws, inputs, f)
    ws.merge_range(1, 0, 1, 1, BLANK_KEEPS, f["note"])
    lines = [math.ceil(excel.width(c.label) / widths[col]) for col, c in enumerate(inputs, FIRST_COLUMN)]
    label_lines = max(lines, default=1)
    ws.set_row(2, 15 * min(max(label_lines, 2), 6))
    excel.write_text(ws, 2, 0, "机构编码", f["label"])
    excel.write_text(ws, 2, 1, "机构名称", f["label"])
    for col, column in enumerate(inputs, FIRST_COLUMN):
        excel.write_text(ws, 2, col, column.label, f["label"])
    ws.set_row(3, 30)
    excel.write_text(ws, 3, 0, "填写要求 →", f["hint"])
    ws.write_blank(3, 1, None, f["hint"])
    for col, column in enumerate(inputs, FIRST_COLUMN):
        excel.write_text(ws, 3, col, column.rule, f["hint"])
    ws.set_row(IDS_ROW, None, f["ids"], {"hidden": True})
    for col, name in enumerate(["org_code", "org_name", *(c.id for c in inputs)]):
        excel.write_text(ws, IDS_ROW, col, name, f["ids"])

    formats = [f[column.cell] for column in inputs]
    for row, (code, name) in enumerate(centres, FIRST_ROW):
        excel.write_text(ws, row, 0, code, f["locked"])
        excel.write_text(ws, row, 1, name, f["locked"])
        cells = saved.get(code, {})
        for col, (column, fmt) in enumerate(zip(inputs, formats, strict=True), FIRST_COLUMN):
            _write_cell(ws, row, col, cells.get(column.id), fmt)

    if centres:
        last_row = FIRST_ROW + len(centres) - 1
        for col, column in enumerate(inputs, FIRST_COLUMN):
            ws.data_validation(FIRST_ROW, col, last_row, col, _validation(column, lists))
    ws.freeze_panes(FIRST_ROW, FIRST_COLUMN)
    ws.protect("", {"format_columns": True, "format_rows": True})
    ws.set_landscape()
    ws.set_paper(9)
    ws.repeat_rows(0, 3)


def saved_cells(
    instrument: Instrument, answers: Mapping[str, Any], ratings: Mapping[str, tuple[str | None, str]]
) -> dict[str, Any]:
    """A centre's saved answers (by item id) and self-ratings ((level, note) by clause id) as the template's
    cells hold them, by column id: what the importer reads back to the same values."""
    out: dict[str, Any] = {}
    for item in instrument.items:
        value = answers.get(item.id)
        if value is None:
            continue
        kind = ITEM_TYPES[item.type]
        if kind.cell == "number":
            out[item.id] = value
        elif kind.cell == "date":
            out[item.id] = dt.date.fromisoformat(value)
        else:
            out[item.id] = kind.typed(value, item, "zh")
    for clause in instrument.onsite_clauses:
        level, note = ratings.get(clause.id, (None, ""))
        if level is not None:
            out[clause.id] = formatting.CLAUSE_STATUS_WORDS[level]["zh"] if level in (BELOW, NOT_APPLICABLE) else level
        if note:
            out[note_column(clause.id)] = note
    return out


def _write_cell(ws: Worksheet, row: int, col: int, value: Any, fmt: Format) -> None:
    """An input cell: blank, a number, a date or text."""
    if value is None:
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, int | float):
        ws.write_number(row, col, value, fmt)
    elif isinstance(value, dt.date):
        ws.write_datetime(row, col, dt.datetime.combine(value, dt.time()), fmt)
    else:
        excel.write_text(ws, row, col, value, fmt)


Formats = dict[str, Format]


def _formats(wb: Workbook) -> Formats:
    border = {"border": 1, "border_color": "#BFBFBF", "valign": "top"}
    return {
        "title": wb.add_format({"bold": True, "font_size": 14}),
        "section": wb.add_format({"bold": True, "bg_color": "#D9E1F2", **border}),
        "label": wb.add_format({"bold": True, "text_wrap": True, "bg_color": "#F2F2F2", **border}),
        "hint": wb.add_format({"text_wrap": True, "font_color": "#595959", "font_size": 9, **border}),
        "note": wb.add_format({"bold": True, "font_color": "#9C5700", "bg_color": "#FFEB9C", **border}),
        "ids": wb.add_format({"font_color": "#808080", "font_size": 8}),
        "locked": wb.add_format({"bg_color": "#F2F2F2", **border}),
        "number": wb.add_format({"locked": False, **border}),
        "text": wb.add_format({"locked": False, "num_format": "@", **border}),
        "date": wb.add_format({"locked": False, "num_format": "yyyy-mm-dd", **border}),
        "help": wb.add_format({"text_wrap": True, "valign": "top"}),
        "help_title": wb.add_format({"bold": True, "font_size": 14}),
    }


def _item_column(item: Item, group: tuple[str, str]) -> Column:
    item_type = ITEM_TYPES[item.type]
    unit = f"（{item.unit.zh}）" if item.unit else ""
    label = f"{'*' if item.required else ''}{item.label.zh}{unit}"
    rule = item_type.rule(item)
    parts = [rule]
    if item_type.has_choices:
        parts.append("可选：" + "、".join(c.label.zh for c in item.choices))
    if item.hint is not None:
        parts.append(item.hint.zh)
    width = min(max(excel.width(label) / 2 + 2, 10), 22)
    return Column(item.id, group, label, rule, item_type.cell, item_type.validation(item), "\n".join(parts), width)


def _clause_column(clause: Clause, group: tuple[str, str]) -> Column:
    number = f"{clause.number} " if clause.number else ""
    core = f" {formatting.CORE_MARK}" if clause.core else ""
    label = f"{number}{clause.text.zh}{core}"
    options = (*clause.level_ids, *STATUSES)
    rule = f"选择 {'、'.join(clause.level_ids)}、{STATUSES[0]} 或 {STATUSES[1]}；留空为未评级"
    levels = [f"{level.id}：{level.text.zh}" for level in clause.levels if level.text is not None]
    message = "\n".join(
        [*levels, f"{STATUSES[0]}：低于 {clause.level_ids[0]} 级", f"{STATUSES[1]}：须在自评说明中写明理由"]
    )
    return Column(clause.id, group, label, rule, "text", Validation("list", options=options), message, 18.0)


def _note_column(clause: Clause, group: tuple[str, str]) -> Column:
    rule = "自评依据；选“不适用”时必填理由"
    return Column(note_column(clause.id), group, "自评说明", rule, "text", Validation("any"), rule, 14.0)


def _section_row(ws: Worksheet, inputs: Sequence[Column], f: Formats) -> None:
    previous = None
    for col, column in enumerate(inputs, FIRST_COLUMN):
        if column.group != previous:
            excel.write_text(ws, 1, col, column.group[1], f["section"])
        else:
            ws.write_blank(1, col, None, f["section"])
        previous = column.group


def _long_lists(inputs: Sequence[Column]) -> dict[str, list[str]]:
    """Choice lists too long (or too awkward) for an inline validation list, by column id."""
    out = {}
    for column in inputs:
        rule = column.validation
        if rule.kind != "list":
            continue
        labels = list(rule.options)
        inline = ",".join(labels)
        if (
            len(inline) > excel.MAX_LIST_SOURCE
            or any(ch in inline for ch in '"\n')
            or any("," in label for label in labels)
        ):
            out[column.id] = labels
    return out


def _validation(column: Column, lists: dict[str, list[str]]) -> dict[str, Any]:
    """The Excel data validation of a column's input cells."""
    message = {
        "input_title": excel.clip(column.label, excel.MAX_INPUT_TITLE),
        "input_message": excel.clip(column.message, excel.MAX_INPUT_MESSAGE),
        "error_title": "输入有误",
        "error_message": excel.clip(f"{column.label}：{column.rule}", excel.MAX_INPUT_MESSAGE),
    }
    rule = column.validation
    if rule.kind in ("whole", "decimal"):
        kind = "integer" if rule.kind == "whole" else "decimal"
        return {"validate": kind, "criteria": "between", "minimum": rule.minimum, "maximum": rule.maximum, **message}
    if rule.kind == "list":
        if column.id in lists:
            col = list(lists).index(column.id)
            first = xl_rowcol_to_cell(0, col, row_abs=True, col_abs=True)
            last = xl_rowcol_to_cell(len(lists[column.id]) - 1, col, row_abs=True, col_abs=True)
            source = f"={quote_sheetname(LISTS_SHEET)}!{first}:{last}"
            return {"validate": "list", "source": source, **message}
        return {"validate": "list", "source": list(rule.options), **message}
    if rule.kind == "date":
        return {"validate": "date", "criteria": ">=", "value": EARLIEST, **message}
    return {"validate": "any", **{k: message[k] for k in ("input_title", "input_message")}}


def _write_help(ws: Worksheet, f: Formats, clauses: bool) -> None:
    ws.set_column(0, 0, 110)
    excel.write_text(ws, 0, 0, HELP[0], f["help_title"])
    for row, line in enumerate([*HELP[1:], *(CLAUSE_HELP if clauses else ())], 1):
        excel.write_text(ws, row, 0, line, f["help"])


def _write_lists(ws: Worksheet, lists: dict[str, list[str]]) -> None:
    columns = list(lists.values())
    for row in range(max(len(c) for c in columns)):
        for col, labels in enumerate(columns):
            if row < len(labels):
                excel.write_text(ws, row, col, labels[row])


def _write_meta(ws: Worksheet, instrument: Instrument, round_id: int, title: str) -> None:
    rows = [
        ("kind", TEMPLATE_KIND),
        ("round_id", round_id),
        ("instrument", instrument.id),
        ("version", instrument.version),
        ("round_title", title),
        ("ids_row", IDS_ROW + 1),
    ]
    for row, (key, value) in enumerate(rows):
        excel.write_text(ws, row, 0, key)
        if isinstance(value, int):
            ws.write_number(row, 1, value)
        else:
            excel.write_text(ws, row, 1, value)
