"""How far a workbook's cells reach, found before python-calamine parses it.

Calamine holds a sheet as one rectangle from its first cell to its last, so a
file of a few bytes with one cell in A1 and one in XFD1048576 would ask for
hundreds of gigabytes. Each check here finds the furthest row and column that
calamine would give a sheet, the way calamine finds them, and refuses the file
when they pass the bound:

    xlsx   each sheet's XML part, streamed: a fast pass (byte counts and a few
           searches) when every cell tag starts with its reference, as Excel, WPS
           and LibreOffice write them (`<c r="D7"`), else a pass over every row
           and cell tag, counting rows and cells without one as calamine does
    ods    content.xml, every table, with its repeated rows and cells
    xls    the BIFF records of every sheet, from the position calamine starts at,
           and each sheet's declared dimensions (calamine reserves room for them)

Each check raises ReachError(sheet, rows, columns) naming what it found.
"""

from __future__ import annotations

import html
import re
import struct
import zipfile
from collections.abc import Iterator
from typing import IO

CHUNK = 8 * 2**20  # bytes of XML looked at a time


class ReachError(Exception):
    """A sheet's cells reach past the bound: its name and the furthest row and column found."""

    def __init__(self, sheet: str, rows: int, columns: int) -> None:
        self.sheet, self.rows, self.columns = sheet, rows, columns
        super().__init__(f"{sheet}: cells reach row {rows:,}, column {columns:,}")


def column_number(letters: bytes) -> int:
    """1 for A, 27 for AA (either case), as calamine counts them."""
    number = 0
    for ch in letters.upper():
        number = number * 26 + ch - 64
    return number


# --- xlsx -----------------------------------------------------------------------------------

_ROOT_ATTRS = rb"((?:\s+[^\s=>/]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(/?)>"
_XLSX_TAG = re.compile(rb"<(/?)(?:[\w.-]+:)?(row|c)(?=[\s/>])" + _ROOT_ATTRS)
# An attribute and its value in double or single quotes.
ATTRIBUTE = re.compile(rb"([^\s=]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_REF = re.compile(rb"([A-Za-z]*)([0-9]+)")
# The fast pass reads a sheet only when every cell is positioned by a reference written the
# usual way: each cell tag starts `<c r="` (not prefixed; calamine matches local names), and
# every `r=` in the sheet data opens a row's or a cell's first attribute (no second `r`,
# which calamine would take instead, in quotes of either kind or with spaces before `=`).
_PREFIXED = re.compile(rb":(?:c|row)[\s/>]")
_ODD_CELL = re.compile(rb"<c[\t\n\r>/]")
_ANY_CELL = re.compile(rb"<(?:[\w.-]+:)?c[\s/>]")
_AS_SPACE = bytes.maketrans(b"\t\n\r", b"   ")  # XML's other white space, as a space: one search finds any before `=`


def _usual(piece: bytes) -> bool:
    """Whether every cell in this piece of sheet data carries its reference the usual way."""
    cells = piece.count(b'<c r="')
    return (
        _PREFIXED.search(piece) is None
        and _ODD_CELL.search(piece) is None
        and piece.count(b"<c ") == cells
        and piece.count(b"r=") == cells + piece.count(b'<row r="')
        and b" =" not in piece.translate(_AS_SPACE)
    )


def _greater(limit: str, alphabet: str) -> bytes:
    """A pattern for strings over `alphabet` (no leading zero; letters in either case) above `limit`."""

    def chars(low: str, high: str) -> str:
        if low.isalpha():
            return f"[{low}-{high}{low.lower()}-{high.lower()}]"
        return f"[{low}-{high}]"

    first, last = alphabet[0], alphabet[-1]
    lowest = alphabet[1] if first == "0" else first
    options = [f"{chars(lowest, last)}{chars(first, last)}{{{len(limit)},}}"]
    for i, ch in enumerate(limit):
        above = alphabet[alphabet.index(ch) + 1 :]
        if above:
            prefix = "".join(chars(c, c) if c.isalpha() else c for c in limit[:i])
            options.append(f"{prefix}{chars(above[0], above[-1])}{chars(first, last)}{{{len(limit) - i - 1}}}")
    return "|".join(options).encode()


def _column_name(number: int) -> str:
    name = ""
    while number:
        number, rest = divmod(number - 1, 26)
        name = chr(65 + rest) + name
    return name


def _beyond(rows: int, columns: int) -> re.Pattern[bytes]:
    """A cell reference (`<c r="…"`) to a row above `rows`, row 0, or a column above `columns`."""
    digits = "0123456789"
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    row = _greater(str(rows), digits)
    column = _greater(_column_name(columns), letters)
    return re.compile(rb'<c r="(?:[A-Za-z]*0*(?:' + row + rb'|0)"|(?:' + column + rb")[0-9])")


def _segments(stream: IO[bytes]) -> Iterator[bytes]:
    """The stream in pieces that each end with a `>`, so no tag is cut in two."""
    carry = b""
    while chunk := stream.read(CHUNK):
        joined = carry + chunk
        cut = joined.rfind(b">") + 1
        if cut:
            yield joined[:cut]
        carry = joined[cut:]
    if carry:
        yield carry


def check_xlsx(archive: zipfile.ZipFile, part: zipfile.ZipInfo, sheet: str, rows: int, columns: int) -> None:
    """Refuse a zip member whose cells would reach past `rows` × `columns`.

    Calamine reads cells from a `sheetData` element only, so a member without one passes.
    """
    beyond = _beyond(rows, columns)
    state = "before"  # before the sheet data, in it, or after it
    with archive.open(part) as stream:
        for piece in _segments(stream):
            if state == "before":
                at = piece.find(b"sheetData")
                if at < 0:
                    continue
                state, piece = "in", piece[at:]
            elif state == "after":  # calamine stops at the end of the sheet data: no cell may follow
                if _ANY_CELL.search(piece):
                    break
                continue
            after = b""
            if (end := piece.find(b"</sheetData>")) >= 0:
                state, piece, after = "after", piece[:end], piece[end:]
            if not _usual(piece) or _ANY_CELL.search(after):
                break
            found = beyond.search(piece)
            if found is not None:
                reach = _REF.match(piece, found.start() + 6)
                assert reach is not None
                raise ReachError(sheet, int(reach.group(2)), column_number(reach.group(1)))
        else:
            return
    with archive.open(part) as stream:
        xml = stream.read()
    _check_xlsx_tags(xml[xml.find(b"sheetData") :], sheet, rows, columns)


def _check_xlsx_tags(xml: bytes, sheet: str, rows: int, columns: int) -> None:
    """Every row and cell tag, with calamine's counting for rows and cells without a reference."""
    row = col = furthest_row = furthest_col = 0
    for tag in _XLSX_TAG.finditer(xml):
        closing, name, attrs, empty = tag.groups()
        if name == b"row":
            if closing:
                row, col = row + 1, 0
                continue
            ref = _attr(attrs, b"r")
            if ref is not None:
                row = _position(ref)[0]
            if empty:  # <row r="7"/> holds no cells; calamine moves on at its end tag only
                continue
        elif not closing and not empty:  # calamine reads <c> … </c>; <c/> is skipped
            ref = _attr(attrs, b"r")
            at_row, col = _position(ref) if ref is not None else (row, col)
            furthest_row, furthest_col = max(furthest_row, at_row + 1), max(furthest_col, col + 1)
            col += 1
        if furthest_row > rows or furthest_col > columns or row > rows:
            raise ReachError(sheet, max(furthest_row, row), furthest_col)


def _attr(attrs: bytes, wanted: bytes) -> bytes | None:
    """The value of attribute `wanted` (the last one, as calamine takes it)."""
    value = None
    for name, double, single in ATTRIBUTE.findall(attrs):
        if name == wanted:
            value = double or single
    return value


def _position(ref: bytes) -> tuple[int, int]:
    """A reference's 0-based (row, column); a malformed one is as far as it can be."""
    found = _REF.fullmatch(ref.strip())
    if found is None:
        return 2**32, 2**32
    letters, digits = found.groups()
    return int(digits) - 1, column_number(letters) - 1 if letters else 0


# --- ods ------------------------------------------------------------------------------------

_ODS_TAG = re.compile(rb"<(/?)table:(table-row|table-cell|covered-table-cell|table)(?=[\s/>])" + _ROOT_ATTRS)


def check_ods(archive: zipfile.ZipFile, rows: int, columns: int) -> None:
    """Refuse an OpenDocument spreadsheet any of whose tables reaches past `rows` × `columns`."""
    with archive.open("content.xml") as stream:
        xml = stream.read()
    table = ""
    row_at = last_row = widest = 0
    repeat, row_width, col_at = 1, 0, 0
    for tag in _ODS_TAG.finditer(xml):
        closing, name, attrs, empty = tag.groups()
        if name == b"table":
            if not closing:
                table = html.unescape((_attr(attrs, b"table:name") or b"").decode("utf-8", "replace"))
                row_at = last_row = widest = 0
            continue
        if closing:
            if name == b"table-row":
                row_at, last_row = _row_end(row_at, repeat, row_width, last_row)
            continue
        count = _count(attrs, b"table:number-rows-repeated" if name == b"table-row" else None)
        if name == b"table-row":
            repeat, row_width, col_at = count, 0, 0
            if empty:
                row_at += count
            continue
        count = _count(attrs, b"table:number-columns-repeated")
        if not empty or b"office:value-type" in attrs:  # it may hold a value
            row_width = col_at + count
            widest = max(widest, row_width)
            last_row = max(last_row, row_at + repeat)
        col_at += count
        if last_row > rows or widest > columns:
            raise ReachError(table, last_row, widest)


def _row_end(row_at: int, repeat: int, width: int, last_row: int) -> tuple[int, int]:
    return row_at + repeat, (row_at + repeat if width else last_row)


def _count(attrs: bytes, name: bytes | None) -> int:
    if name is None:
        return 1
    value = _attr(attrs, name)
    return int(value) if value is not None and value.strip().isdigit() else 1


# --- xls ------------------------------------------------------------------------------------

BOF, EOF, BOUNDSHEET, DIMENSIONS, MULRK = 0x0809, 0x000A, 0x0085, 0x0200, 0x00BD
# Records holding one cell whose row and column open the record (as calamine reads them).
CELL_RECORDS = {0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD, 0x0006}


def check_xls(stream: bytes, rows: int, columns: int) -> int:
    """Refuse a BIFF workbook stream with a sheet reaching past `rows` × `columns`.

    Returns the bytes calamine would go through: a sheet counts once for every
    sheet entry pointing at it.
    """
    sheets = []
    for typ, start, length in _records(stream, 0):
        if typ == BOUNDSHEET and length >= 4:
            sheets.append(struct.unpack_from("<I", stream, start + 4)[0])
        elif typ == EOF:
            break
    spans: dict[int, int] = {}
    for position in sheets:
        if position not in spans:
            spans[position] = _check_sheet(stream, position, rows, columns, f"#{len(spans) + 1}")
    return sum(spans[p] for p in sheets)


def _check_sheet(stream: bytes, position: int, rows: int, columns: int, name: str) -> int:
    """Check the cells of the sheet at `position`; returns the bytes read."""
    end = position
    cell = struct.Struct("<HH")
    for typ, start, length in _records(stream, position):
        end = start + 4 + length
        if typ in CELL_RECORDS and length >= 4:
            row, col = cell.unpack_from(stream, start + 4)
        elif typ == MULRK and length >= 6:
            row, first = cell.unpack_from(stream, start + 4)
            col = max(first, struct.unpack_from("<H", stream, end - 2)[0])
        elif typ == DIMENSIONS and length in (10, 14):
            first_row, last_row, first_col, last_col = struct.unpack_from(
                "<HHHH" if length == 10 else "<IIHH", stream, start + 4
            )
            if first_col > 0xFF or last_col < first_col:
                first_col = 0
            if last_row >= 1 and last_col >= 1:  # calamine reserves (last - first) rows × columns
                height, width = last_row - first_row, last_col - first_col
                if not 0 <= height <= rows or width > columns:
                    raise ReachError(name, last_row, last_col)
            continue
        elif typ == EOF:
            break
        else:
            continue
        if row >= rows or col >= columns:
            raise ReachError(name, row + 1, col + 1)
    return end - position


def _records(stream: bytes, position: int) -> Iterator[tuple[int, int, int]]:
    """(type, offset, length) of each BIFF record from `position`, stopping at a cut record."""
    header = struct.Struct("<HH")
    size = len(stream)
    while position + 4 <= size:
        typ, length = header.unpack_from(stream, position)
        if position + 4 + length > size:
            return
        yield typ, position, length
        position += 4 + length
