"""The league-table workbook: `排名`, `地区汇总`, `指标说明`, `data`, then a chart.

The tables come from `tables`; this module only writes them. The four
required sheets are added first so they keep their order whatever follows:
the `data` rows continue on `data_2`, `data_3`, … past Excel's row limit, and
the share-meeting chart comes last. Formats are made once per style and mark
(`percent|met` is a percentage on green); each cell is then one
write_number or write_string call (empty cells are left out).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from instruments import RegionFigure, Scores
from instruments.model import Instrument

from . import excel, tables
from .tables import Centre, Table

STYLES = {
    "general": {},
    "text": {},
    "wrap": {"text_wrap": True, "valign": "top"},
    "integer": {"num_format": "#,##0"},
    "number": {"num_format": "#,##0.00"},
    "percent": {"num_format": "0.0%"},
    "score": {"num_format": "0.0"},
    "rank": {"num_format": "0"},
    "header": {
        "bold": True,
        "text_wrap": True,
        "valign": "top",
        "bg_color": "#D9E1F2",
        "border": 1,
        "border_color": "#8EA9DB",
    },
    "title": {"bold": True, "font_size": 14},
    "note": {"italic": True, "font_color": "#595959"},
}
MARKS = {  # Excel's own good / bad / neutral cell styles
    "met": {"bg_color": "#C6EFCE", "font_color": "#006100"},
    "unmet": {"bg_color": "#FFC7CE", "font_color": "#9C0006"},
    "grey": {"bg_color": "#E7E6E6", "font_color": "#595959"},
}


class Formats:
    """XlsxWriter formats by key (`style` or `style|mark`), each made once."""

    def __init__(self, wb):
        self.wb = wb
        self.made: dict[str, object] = {}

    def __call__(self, key: str):
        fmt = self.made.get(key)
        if fmt is None:
            name, _, mark = key.partition("|")
            props = {**STYLES[name], **MARKS.get(mark, {})}
            fmt = self.wb.add_format(props) if props else None
            self.made[key] = fmt
        return fmt


def write_league(
    target,
    instrument: Instrument,
    scores: Scores,
    centres: Sequence[Centre],
    regions: Sequence[RegionFigure],
    region_names: Mapping[str, tuple[str, str]],
    *,
    title: str,
    scope: str,
    note: str = "",
) -> None:
    """Write the league-table workbook of one round's scores (row i of `scores` is centre i)."""
    if len(centres) != scores.n:
        raise ValueError(f"{len(centres)} centres for {scores.n} rows of scores")
    parts = [
        tables.league(instrument, scores, centres, title=title, scope=scope, note=note),
        tables.regions(instrument, regions, region_names),
        tables.indicators(instrument),
        tables.data(instrument, scores, centres),
    ]
    with excel.writing(target) as wb:
        taken: set[str] = set()
        formats = Formats(wb)
        sheets = [wb.add_worksheet(excel.sheet_title(t.name, taken)) for t in parts]
        for ws, table in zip(sheets, parts, strict=True):
            write_table(wb, ws, table, taken, formats)
        shares = tables.target_shares(instrument, scores)
        if shares.rows:
            chart_ws = wb.add_worksheet(excel.sheet_title(shares.name, taken))
            write_table(wb, chart_ws, shares, taken, formats)
            _chart(wb, chart_ws, shares, instrument)
        sheets[0].activate()


def write_table(wb, ws, table: Table, taken: set[str], formats: Formats) -> list:
    """Write `table` from `ws` on, continuing on `name_2`, `name_3`, … past the row limit."""
    start = len(table.heading) + 1  # the first row of values
    per_sheet = excel.MAX_ROWS - start
    plain = [formats(c.style) for c in table.columns]
    written = [ws]
    _begin(ws, table, formats)
    count = 0
    write_text, write_number = excel.write_text, ws.write_number
    for values in table.rows:
        if count == per_sheet:
            _end(ws, table, count)
            ws = wb.add_worksheet(excel.sheet_title(f"{table.name}_{len(written) + 1}", taken))
            write_number = ws.write_number
            written.append(ws)
            _begin(ws, table, formats)
            count = 0
        row = start + count
        for col, cell in enumerate(values):
            if cell.__class__ is tuple:
                cell, fmt = cell[0], formats(cell[1])
            else:
                fmt = plain[col]
            if cell is None:
                continue
            if cell.__class__ is str:
                write_text(ws, row, col, cell, fmt)
            else:
                write_number(row, col, cell, fmt)
        count += 1
    _end(ws, table, count)
    return written


def _begin(ws, table: Table, formats: Formats) -> None:
    """Headings, the header row and column widths of one sheet of `table`."""
    for row, line in enumerate(table.heading):
        if line:
            excel.write_text(ws, row, 0, line, formats("title" if row == 0 else "note"))
    header_row = len(table.heading)
    if table.header_height:
        ws.set_row(header_row, table.header_height)
    for col, column in enumerate(table.columns):
        ws.set_column(col, col, column.width)
        excel.write_text(ws, header_row, col, column.header, formats("header"))


def _end(ws, table: Table, count: int) -> None:
    """Freeze the header, and filter over the rows written."""
    header_row = len(table.heading)
    ws.freeze_panes(header_row + 1, table.freeze_columns)
    ws.autofilter(header_row, 0, header_row + max(count, 1), len(table.columns) - 1)


def _chart(wb, ws, shares: Table, instrument: Instrument) -> None:
    """A bar chart of the share of centres meeting each target, beside its table."""
    n = len(shares.rows)
    name = ws.get_name()
    chart = wb.add_chart({"type": "bar"})
    chart.add_series(
        {
            "name": "达标率",
            "categories": [name, 1, 0, n, 0],
            "values": [name, 1, 4, n, 4],
            "fill": {"color": "#5B9BD5"},
            "data_labels": {"value": True, "num_format": "0%"},
        }
    )
    chart.set_title({"name": f"{instrument.title.zh}：各指标达标率"})
    chart.set_x_axis({"min": 0, "max": 1, "num_format": "0%", "major_gridlines": {"visible": True}})
    chart.set_y_axis({"reverse": True})
    chart.set_legend({"none": True})
    chart.set_size({"width": 760, "height": 80 + 22 * n})
    ws.insert_chart(0, len(shares.columns) + 1, chart)
