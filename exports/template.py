"""The offline fill-in template: one row per centre, one column per item, checked as it is typed.

County offices collect returns in Excel, so a round's template is a workbook
that fills many centres at once. On the sheet `填报`, above the centres, sit
a title, the section titles, each item's Chinese label with its unit, a short
hint, and a hidden row of machine headers (`org_code`, `org_name`, item ids)
that the importer looks for. Each centre's code and name are filled in and
locked; its input cells are unlocked and carry Excel data validation built
from the item (whole numbers within min and max, 是/否 lists, choice lists).
The sheet is protected without a password, so only input cells take typing.
A very hidden `_meta` sheet names the round, instrument and version, so that
a template cannot be imported into another round.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.utility import quote_sheetname, xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from instruments.item_types import ITEM_TYPES
from instruments.model import Instrument, Item

from . import excel

SHEET = "填报"
HELP_SHEET = "说明"
LISTS_SHEET = "选项"
META_SHEET = "_meta"
TEMPLATE_KIND = "survey-template"
FIRST_COLUMN = 2  # items start after org_code and org_name
HEADER_ROWS = ("title", "sections", "labels", "hints", "ids")
IDS_ROW = HEADER_ROWS.index("ids")
FIRST_ROW = len(HEADER_ROWS)  # the first centre's row (0-based)
EARLIEST = dt.date(1900, 1, 1)  # the first date a date cell accepts

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
    "7. 没有数据的项目请留空，不要填 0 或“无”；留空视为未填报。",
    "8. 请不要增删行列、修改表头或隐藏行，也不要修改工作表名称；导入时按表头识别各列。",
    "9. 填好后保存为 .xlsx 文件导入。导入时会逐格检查，发现问题会指出工作表、单元格和原因，全部改正后才会导入。",
)


def write_template(
    target: excel.Target,
    instrument: Instrument,
    centres: Sequence[tuple[str, str]],
    *,
    round_id: int,
    title: str,
) -> None:
    """Write the fill-in workbook of one round for `centres` (org code, name) to `target`."""
    items = instrument.items
    with excel.writing(target) as wb:
        taken: set[str] = set()
        ws = wb.add_worksheet(excel.sheet_title(SHEET, taken))
        help_ws = wb.add_worksheet(excel.sheet_title(HELP_SHEET, taken))
        lists = _long_lists(items)
        lists_ws = wb.add_worksheet(excel.sheet_title(LISTS_SHEET, taken)) if lists else None
        meta = wb.add_worksheet(excel.sheet_title(META_SHEET, taken))
        ws.activate()

        f = _formats(wb)
        widths = [14.0, 30.0] + [_column_width(item) for item in items]
        for col, w in enumerate(widths):
            ws.set_column(col, col, w)

        excel.write_text(ws, 0, 0, f"{instrument.title.zh}　{title}", f["title"])
        ws.set_row(0, 24)
        _section_row(ws, instrument, f)
        lines = [math.ceil(excel.width(_label(i)) / widths[c]) for c, i in enumerate(items, 2)]
        label_lines = max(lines, default=1)
        ws.set_row(2, 15 * min(max(label_lines, 2), 6))
        excel.write_text(ws, 2, 0, "机构编码", f["label"])
        excel.write_text(ws, 2, 1, "机构名称", f["label"])
        for col, item in enumerate(items, FIRST_COLUMN):
            excel.write_text(ws, 2, col, _label(item), f["label"])
        ws.set_row(3, 30)
        excel.write_text(ws, 3, 0, "填写要求 →", f["hint"])
        ws.write_blank(3, 1, None, f["hint"])
        for col, item in enumerate(items, FIRST_COLUMN):
            excel.write_text(ws, 3, col, _rule(item), f["hint"])
        ws.set_row(IDS_ROW, None, f["ids"], {"hidden": True})
        for col, name in enumerate(["org_code", "org_name", *(i.id for i in items)]):
            excel.write_text(ws, IDS_ROW, col, name, f["ids"])

        inputs = [_input_format(item, f) for item in items]
        for row, (code, name) in enumerate(centres, FIRST_ROW):
            excel.write_text(ws, row, 0, code, f["locked"])
            excel.write_text(ws, row, 1, name, f["locked"])
            for col, fmt in enumerate(inputs, FIRST_COLUMN):
                ws.write_blank(row, col, None, fmt)

        if centres:
            last_row = FIRST_ROW + len(centres) - 1
            for col, item in enumerate(items, FIRST_COLUMN):
                ws.data_validation(FIRST_ROW, col, last_row, col, _validation(item, lists))
        ws.freeze_panes(FIRST_ROW, FIRST_COLUMN)
        ws.protect("", {"format_columns": True, "format_rows": True})
        ws.set_landscape()
        ws.set_paper(9)
        ws.repeat_rows(0, 3)

        _write_help(help_ws, f)
        if lists_ws is not None:
            _write_lists(lists_ws, lists)
            lists_ws.hide()
        _write_meta(meta, instrument, round_id, title)
        meta.very_hidden()


Formats = dict[str, Format]


def _formats(wb: Workbook) -> Formats:
    border = {"border": 1, "border_color": "#BFBFBF", "valign": "top"}
    return {
        "title": wb.add_format({"bold": True, "font_size": 14}),
        "section": wb.add_format({"bold": True, "bg_color": "#D9E1F2", **border}),
        "label": wb.add_format({"bold": True, "text_wrap": True, "bg_color": "#F2F2F2", **border}),
        "hint": wb.add_format({"text_wrap": True, "font_color": "#595959", "font_size": 9, **border}),
        "ids": wb.add_format({"font_color": "#808080", "font_size": 8}),
        "locked": wb.add_format({"bg_color": "#F2F2F2", **border}),
        "number": wb.add_format({"locked": False, **border}),
        "text": wb.add_format({"locked": False, "num_format": "@", **border}),
        "date": wb.add_format({"locked": False, "num_format": "yyyy-mm-dd", **border}),
        "help": wb.add_format({"text_wrap": True, "valign": "top"}),
        "help_title": wb.add_format({"bold": True, "font_size": 14}),
    }


def _label(item: Item) -> str:
    unit = f"（{item.unit.zh}）" if item.unit else ""
    return f"{'*' if item.required else ''}{item.label.zh}{unit}"


def _column_width(item: Item) -> float:
    return min(max(excel.width(_label(item)) / 2 + 2, 10), 22)


def _section_row(ws: Worksheet, instrument: Instrument, f: Formats) -> None:
    ws.write_blank(1, 0, None, f["section"])
    ws.write_blank(1, 1, None, f["section"])
    col = FIRST_COLUMN
    for section in instrument.sections:
        for offset in range(len(section.items)):
            if offset == 0:
                excel.write_text(ws, 1, col, section.title.zh, f["section"])
            else:
                ws.write_blank(1, col, None, f["section"])
            col += 1


def _rule(item: Item) -> str:
    return ITEM_TYPES[item.type].rule(item)


def _input_message(item: Item) -> str:
    parts = [_rule(item)]
    if ITEM_TYPES[item.type].has_choices:
        parts.append("可选：" + "、".join(c.label.zh for c in item.choices))
    if item.hint is not None:
        parts.append(item.hint.zh)
    return excel.clip("\n".join(parts), excel.MAX_INPUT_MESSAGE)


def _input_format(item: Item, f: Formats) -> Format:
    return f[ITEM_TYPES[item.type].cell]


def _long_lists(items: Sequence[Item]) -> dict[str, list[str]]:
    """Choice lists too long (or too awkward) for an inline validation list, by item id."""
    out = {}
    for item in items:
        rule = ITEM_TYPES[item.type].validation(item)
        if rule.kind != "list":
            continue
        labels = list(rule.options)
        inline = ",".join(labels)
        if (
            len(inline) > excel.MAX_LIST_SOURCE
            or any(ch in inline for ch in '"\n')
            or any("," in label for label in labels)
        ):
            out[item.id] = labels
    return out


def _validation(item: Item, lists: dict[str, list[str]]) -> dict[str, Any]:
    """The Excel data validation of an item's input cells."""
    message = {
        "input_title": excel.clip(item.label.zh, excel.MAX_INPUT_TITLE),
        "input_message": _input_message(item),
        "error_title": "输入有误",
        "error_message": excel.clip(f"{item.label.zh}：{_rule(item)}", excel.MAX_INPUT_MESSAGE),
    }
    rule = ITEM_TYPES[item.type].validation(item)
    if rule.kind in ("whole", "decimal"):
        kind = "integer" if rule.kind == "whole" else "decimal"
        return {"validate": kind, "criteria": "between", "minimum": rule.minimum, "maximum": rule.maximum, **message}
    if rule.kind == "list":
        if item.id in lists:
            col = list(lists).index(item.id)
            first = xl_rowcol_to_cell(0, col, row_abs=True, col_abs=True)
            last = xl_rowcol_to_cell(len(lists[item.id]) - 1, col, row_abs=True, col_abs=True)
            source = f"={quote_sheetname(LISTS_SHEET)}!{first}:{last}"
            return {"validate": "list", "source": source, **message}
        return {"validate": "list", "source": list(rule.options), **message}
    if rule.kind == "date":
        return {"validate": "date", "criteria": ">=", "value": EARLIEST, **message}
    return {"validate": "any", **{k: message[k] for k in ("input_title", "input_message")}}


def _write_help(ws: Worksheet, f: Formats) -> None:
    ws.set_column(0, 0, 110)
    excel.write_text(ws, 0, 0, HELP[0], f["help_title"])
    for row, line in enumerate(HELP[1:], 1):
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
