"""The league-table workbook: `排名`, `地区汇总`, `指标说明`, (`条款汇总`), `data`, (`分组汇总`), then a chart.

The tables come from `tables`; this module only writes them. The four
required sheets are added first so they keep their order whatever follows —
`条款汇总` between `指标说明` and `data` when the instrument has clauses — then
`分组汇总` (and `分组条款汇总` for clauses) when the centres are grouped by a
unit attribute, and the share-meeting chart comes last. Formats are made once per style and
mark (`percent|met` is a percentage on green); each cell is then one
write_number or write_string call (empty cells are left out).

Past one sheet (1,048,575 rows: 50,000 centres × 47 indicators is 2.35M) the
tidy `data` rows go to a UTF-8 CSV with the same header instead
(`<name>-data.csv` beside the workbook), and the `data` sheet says so in one
line; a download can then zip the two files. When the CSV goes to a path, a
forked process writes it while this one writes the workbook (both cores busy),
its rows told to `progress` as they go.
"""

from __future__ import annotations

import contextlib
import csv
import io
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from instruments import ClauseFigure, RegionFigure, Scores, clause_regional, regional
from instruments.model import Instrument

from . import excel, forking, tables
from .tables import DATA_HEADER, Centre, Table

Progress = Callable[[int], None]  # told how many more rows were written
TOLD_EVERY = 10_000
CSV_CENTRES = 256  # centres whose tidy rows are joined into one write
REMEMBERED = 200_000  # texts a sheet remembers as written
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what spreadsheets read as the start of a formula

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

    def __init__(self, wb: Workbook) -> None:
        self.wb = wb
        self.made: dict[str, Format | None] = {}

    def __call__(self, key: str) -> Format | None:
        fmt = self.made.get(key)
        if fmt is None:
            name, _, mark = key.partition("|")
            props = {**STYLES[name], **MARKS.get(mark, {})}
            fmt = self.wb.add_format(props) if props else None
            self.made[key] = fmt
        return fmt


@dataclass(frozen=True)
class Grouping:
    """The centres grouped by a unit attribute (隶属关系, 举办主体, …), and the figures of each group."""

    attribute: str
    sizes: dict[str, int]  # centres in each group, by the attribute's value
    figures: list[RegionFigure]
    clause_figures: list[ClauseFigure]

    @classmethod
    def of(cls, attribute: str, scores: Scores, groups: Mapping[str, Sequence[int]]) -> Grouping:
        """The figures of `groups` (rows of `scores` by the attribute's value)."""
        sizes = {value: len(rows) for value, rows in groups.items()}
        return cls(attribute, sizes, regional(scores, groups), clause_regional(scores, groups))


def data_csv_name(workbook: str | os.PathLike[str]) -> str:
    """The name of the tidy rows' CSV beside a league workbook: `排名.xlsx` → `排名-data.csv`."""
    stem, _ = os.path.splitext(os.path.basename(os.fspath(workbook)))
    return f"{stem}-data.csv"


def data_overflows(instrument: Instrument, scores: Scores, centres: Sequence[Centre]) -> bool:
    """Whether the tidy rows of this league are too many for one sheet (they then go to a CSV)."""
    size = tables.data(instrument, scores, centres).size or 0
    return size > excel.MAX_ROWS - 1


def rows_to_write(
    instrument: Instrument,
    scores: Scores,
    centres: Sequence[Centre],
    regions: Sequence[RegionFigure],
    grouping: Grouping | None = None,
) -> int:
    """How many rows `write_league` writes (for a progress bar)."""
    data = tables.data(instrument, scores, centres).size or 0
    grouped = len(grouping.figures) + len(grouping.clause_figures) if grouping is not None else 0
    return (
        len(centres)
        + len(regions)
        + len(instrument.indicators)
        + len(instrument.clauses)
        + data
        + grouped
        + len(instrument.scored_indicators)
    )


def write_league(
    target: excel.Target,
    instrument: Instrument,
    scores: Scores,
    centres: Sequence[Centre],
    regions: Sequence[RegionFigure],
    region_names: Mapping[str, tuple[str, str]],
    *,
    title: str,
    scope: str,
    note: str = "",
    data_csv: excel.Target | None = None,
    data_csv_name: str = "",
    progress: Progress | None = None,
    grouping: Grouping | None = None,
) -> bool:
    """Write the league-table workbook of one round's scores (row i of `scores` is centre i).

    When the tidy rows pass one sheet they are written to `data_csv` (a path or a binary
    stream, named `data_csv_name` on the `data` sheet) and True is returned. `progress` is
    told how many rows were written as writing goes. With `grouping`, the figures of its
    groups are added as `分组汇总` (and `分组条款汇总` when the instrument has clauses).
    """
    if len(centres) != scores.n:
        raise ValueError(f"{len(centres)} centres for {scores.n} rows of scores")
    parts, data, after = league_tables(
        instrument, scores, centres, regions, region_names, title=title, scope=scope, note=note, grouping=grouping
    )
    overflow = (data.size or 0) > excel.MAX_ROWS - 1
    if overflow and data_csv is None:
        raise ValueError(f"{data.size:,} tidy rows pass one sheet: give data_csv to write them to")
    name = data_csv_name or (_name_of(data_csv) if data_csv is not None else "")
    told = progress or (lambda n: None)
    beside = contextlib.nullcontext(told)
    if overflow and data_csv is not None:
        beside = _csv_beside(data_csv, (instrument, scores, centres), told)
    with beside as tell, excel.writing(target) as wb:
        taken: set[str] = set()
        formats = Formats(wb)
        sheets = [wb.add_worksheet(excel.sheet_title(t.name, taken)) for t in [*parts, data, *after]]
        for ws, table in zip(sheets, parts, strict=False):
            write_table(ws, table, formats, tell)
        data_ws = sheets[len(parts)]
        if overflow:
            _pointer(data_ws, data, name, formats)
        else:
            write_table(data_ws, data, formats, tell)
        for ws, table in zip(sheets[len(parts) + 1 :], after, strict=True):
            write_table(ws, table, formats, tell)
        shares = tables.target_shares(instrument, scores)
        if shares.rows:
            chart_ws = wb.add_worksheet(excel.sheet_title(shares.name, taken))
            write_table(chart_ws, shares, formats, tell)
            _chart(wb, chart_ws, shares, instrument)
        sheets[0].activate()
    return overflow


@contextlib.contextmanager
def _csv_beside(
    target: excel.Target, what: tuple[Instrument, Scores, Sequence[Centre]], tell: Progress
) -> Iterator[Progress]:
    """The tidy rows' CSV written while the block writes the workbook: by a forked process to a path (else here,
    first). Yields the block's progress, to which the CSV's rows written since are added; at the end waits for the
    CSV, telling its rows as they go, and raises what stopped it. A block that fails stops the CSV too. Written here
    first where no process may be forked."""
    if not isinstance(target, str | os.PathLike) or not forking.workers(1):
        write_data_csv(target, tables.data_chunks(*what), tell)
        yield tell
        return
    written = multiprocessing.get_context("fork").Value("q", 0, lock=False)  # rows the writer wrote; only it adds
    told = 0

    def catch_up() -> None:
        nonlocal told
        now = written.value
        if now > told:
            tell(now - told)
            told = now

    def block_tells(rows: int) -> None:
        catch_up()
        tell(rows)

    with forking.pool(1, (target, what, written)) as pool:  # leaving it ends the writer
        result = pool.apply_async(_write_csv)
        yield block_tells
        while not result.ready():
            result.wait(0.25)
            catch_up()
        result.get()  # what the writer raised, raised here
        catch_up()


def _write_csv() -> int:
    """In the forked CSV writer: the tidy rows to the target, counting them in the shared number."""
    target, what, written = forking.handed()

    def count(rows: int) -> None:
        written.value += rows

    return write_data_csv(target, tables.data_chunks(*what), count)


def league_tables(
    instrument: Instrument,
    scores: Scores,
    centres: Sequence[Centre],
    regions: Sequence[RegionFigure],
    region_names: Mapping[str, tuple[str, str]],
    *,
    title: str,
    scope: str,
    note: str = "",
    grouping: Grouping | None = None,
) -> tuple[list[Table], Table, list[Table]]:
    """The workbook's tables before `data`, `data` itself, and those after it (the chart's table aside)."""
    parts = [
        tables.league(instrument, scores, centres, title=title, scope=scope, note=note),
        tables.regions(instrument, regions, region_names),
        tables.indicators(instrument),
    ]
    if instrument.clauses:
        figures = clause_regional(scores, {scope: range(scores.n)})
        parts.append(tables.clause_summary(instrument, figures, heading=[f"{instrument.title.zh} · {title} · {scope}"]))
    after = _grouped(instrument, grouping, scope) if grouping is not None else []
    return parts, tables.data(instrument, scores, centres), after


def _grouped(instrument: Instrument, grouping: Grouping, scope: str) -> list[Table]:
    """`分组汇总`, and `分组条款汇总` when the instrument has clauses."""
    out = [tables.grouped(instrument, grouping.figures, grouping.attribute, grouping.sizes, scope)]
    if instrument.clauses:
        heading = [f"按“{grouping.attribute}”分组 · {scope}"]
        summary = tables.clause_summary(
            instrument, grouping.clause_figures, name="分组条款汇总", heading=heading, group=grouping.attribute
        )
        out.append(summary)
    return out


def _name_of(target: excel.Target) -> str:
    return os.path.basename(os.fspath(target)) if isinstance(target, str | os.PathLike) else "data.csv"


def _pointer(ws: Worksheet, data: Table, name: str, formats: Formats) -> None:
    """The one line of a `data` sheet whose rows went to a CSV."""
    ws.set_column(0, 0, 120)
    line = (
        f"数据共 {data.size:,} 行，超过一个工作表的上限（{excel.MAX_ROWS - 1:,} 行），"
        f"已另存为 UTF-8 编码的 CSV 文件“{name}”（与本工作簿同时提供，表头相同：{', '.join(DATA_HEADER)}）。"
    )
    excel.write_text(ws, 0, 0, line, formats("note"))


def write_csv(target: excel.Target, rows: Iterable[Sequence[Any]], progress: Progress | None = None) -> int:
    """Write the tidy rows with their header as UTF-8 CSV (with a BOM, so Excel and WPS read Chinese right).

    Text that a spreadsheet would take for a formula gets a leading `'`. Returns the rows written.
    """
    tell = progress or (lambda n: None)
    with _csv_text(target) as text:
        writer = csv.writer(text)
        writer.writerow(DATA_HEADER)
        count = 0
        for row in rows:
            writer.writerow([_csv_cell(v) for v in row])
            count += 1
            if count % TOLD_EVERY == 0:
                tell(TOLD_EVERY)
        tell(count % TOLD_EVERY)
    return count


@contextlib.contextmanager
def _csv_text(target: excel.Target) -> Iterator[io.TextIOWrapper]:
    """UTF-8 text with a BOM onto a path (opened and closed here) or a binary stream (left open), flushed at the end."""
    opened = isinstance(target, str | os.PathLike)
    stream = open(target, "wb") if opened else target
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="", write_through=False)
    try:
        yield text
        text.flush()
    finally:
        text.detach()
        if opened:
            stream.close()


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if value.__class__ is str:
        return f"'{value}" if value.startswith(FORMULA_START) else value
    return f"{value:.15g}"


def write_data_csv(target: excel.Target, chunks: Iterable[tables.DataChunk], progress: Progress | None = None) -> int:
    """`write_csv` of the tidy rows given by columns (`tables.data_chunks`): the same bytes, written a chunk at a
    time. Returns the rows written."""
    tell = progress or (lambda n: None)
    field = _Fields()
    with _csv_text(target) as text:
        csv.writer(text).writerow(DATA_HEADER)
        count = 0
        for chunk in chunks:
            starts = [f"{field(code)},{field(name)}," for code, name in chunk.people]
            columns = [
                (f"{field(ident)},", field.many(values), _numbers(met), _numbers(points))
                for ident, values, met, points in chunk.columns
            ]
            for first in range(0, len(starts), CSV_CENTRES):
                lines = [
                    f"{starts[i]}{ident}{values[i]},{met[i]},{points[i]}\r\n"
                    for i in range(first, min(first + CSV_CENTRES, len(starts)))
                    for ident, values, met, points in columns
                ]
                text.write("".join(lines))
                count += len(lines)
                tell(len(lines))
    return count


class _Fields:
    """Cells as `write_csv` writes them: `_csv_cell`, then quoted as the csv module quotes (each text once)."""

    def __init__(self) -> None:
        self.known: dict[Any, str] = {}

    def __call__(self, value: Any) -> str:
        found = self.known.get(value) if value.__class__ is str else None
        if found is None:
            cell = _csv_cell(value)
            if any(ch in cell for ch in ',"\r\n'):
                cell = '"' + cell.replace('"', '""') + '"'
            found = cell
            if value.__class__ is str and len(self.known) < REMEMBERED:
                self.known[value] = found
        return found

    def many(self, values: list) -> list[str]:
        return [self(v) if v.__class__ is str else _number(v) for v in values]


def _number(value: Any) -> str:
    return "" if value is None else f"{value:.15g}"


def _numbers(values: list) -> list[str]:
    return list(map(_number, values))


def write_table(ws: Worksheet, table: Table, formats: Formats, progress: Progress | None = None) -> int:
    """Write `table` on `ws`; returns how many rows (a table always fits one sheet)."""
    start = len(table.heading) + 1  # the first row of values
    room = excel.MAX_ROWS - start
    plain = [formats(c.style) for c in table.columns]
    tell = progress or (lambda n: None)
    _begin(ws, table, formats)
    count = 0
    write_text, write_string, write_number = excel.write_text, ws.write_string, ws.write_number
    direct: dict[str, Any] = {}  # each text as a cell holds it, worked out once (names and words repeat)
    for values in table.rows:
        if count == room:
            raise ValueError(f"the table {table.name} has more rows than a sheet holds")
        row = start + count
        for col, cell in enumerate(values):
            if cell.__class__ is tuple:
                cell, fmt = cell[0], formats(cell[1])
            else:
                fmt = plain[col]
            if cell is None:
                continue
            if cell.__class__ is str:
                text = direct.get(cell, direct)
                if text is direct:
                    text = excel.direct_text(cell)
                    if len(direct) < REMEMBERED:
                        direct[cell] = text
                if text is None:
                    write_text(ws, row, col, cell, fmt)
                else:
                    write_string(row, col, text, fmt)
            else:
                write_number(row, col, cell, fmt)
        count += 1
        if count % TOLD_EVERY == 0:
            tell(TOLD_EVERY)
    tell(count % TOLD_EVERY)
    _end(ws, table, count)
    return count


def _begin(ws: Worksheet, table: Table, formats: Formats) -> None:
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


def _end(ws: Worksheet, table: Table, count: int) -> None:
    """Freeze the header, and filter over the rows written."""
    header_row = len(table.heading)
    ws.freeze_panes(header_row + 1, table.freeze_columns)
    ws.autofilter(header_row, 0, header_row + max(count, 1), len(table.columns) - 1)


def _chart(wb: Workbook, ws: Worksheet, shares: Table, instrument: Instrument) -> None:
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
