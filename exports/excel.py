"""Excel's limits, in one place: what a workbook may hold and what we agree to read.

Writing: sheet titles at most 31 characters, unique (Excel compares them
without case) and free of `[]:*?/\\`; cell text at most 32,767 characters;
1,048,576 rows a sheet. Every workbook is written by XlsxWriter in
constant-memory mode with every automatic conversion off, and user text goes
through `write_text`, so `=HYPERLINK(...)` or `+1+1` stays text.

Reading: at most 50 MB a file; an .xlsx is a zip, so its directory is checked
before openpyxl opens it (at most 500 MB uncompressed, at most 200:1) and
anything that is not a readable workbook becomes a WorkbookError. CSV is read
as UTF-8 (with or without BOM), else GB18030, which is how Chinese Excel
saves it.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import openpyxl
import xlsxwriter
from openpyxl.utils import get_column_letter

from .errors import WorkbookError

MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
MAX_TEXT = 32_767
MAX_TITLE = 31
MAX_FILE = 50 * 1024 * 1024
MAX_UNCOMPRESSED = 500 * 1024 * 1024
MAX_RATIO = 200
# Data validation text limits (XlsxWriter warns and drops longer ones).
MAX_INPUT_TITLE = 32
MAX_INPUT_MESSAGE = 255
MAX_LIST_SOURCE = 255

OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}
_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls


def sheet_title(name: str, taken: set[str]) -> str:
    """A valid sheet title for `name`, unique among `taken` (which it joins)."""
    title = _FORBIDDEN.sub("_", _CONTROL.sub("", str(name))).strip().strip("'") or "Sheet"
    if title.casefold() == "history":  # reserved by Excel
        title += "_"
    title = title[:MAX_TITLE]
    used = {t.casefold() for t in taken}
    candidate, n = title, 1
    while candidate.casefold() in used:
        n += 1
        suffix = f"_{n}"
        candidate = title[: MAX_TITLE - len(suffix)] + suffix
    taken.add(candidate)
    return candidate


def cell_text(s: Any) -> str:
    """Text as a cell can hold it: control characters dropped, cut to 32,767 characters."""
    text = s if isinstance(s, str) else str(s)
    if _CONTROL.search(text):
        text = _CONTROL.sub("", text)
    return text[:MAX_TEXT]


def write_text(ws, row: int, col: int, text: Any, fmt=None) -> None:
    """Write `text` as text, whatever it looks like (a formula, a number, a URL, rich-text XML)."""
    text = "" if text is None else cell_text(text)
    if text.startswith("<r>") and text.endswith("</r>"):
        # XlsxWriter passes a string of this shape through as raw rich-text XML;
        # as three plain fragments it is escaped like any other text.
        fragments = [text[:1], text[1:2], text[2:]]
        ws.write_rich_string(row, col, *fragments, *([fmt] if fmt is not None else []))
    elif text:
        ws.write_string(row, col, text, fmt)
    elif fmt is not None:
        ws.write_blank(row, col, None, fmt)


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def width(text: Any) -> float:
    """Roughly how many character widths `text` takes in a cell (Chinese characters count two)."""
    line = max(str(text).split("\n"), key=len) if text is not None else ""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def workbook(target) -> xlsxwriter.Workbook:
    """An XlsxWriter workbook in constant-memory mode that never turns strings into anything."""
    if isinstance(target, os.PathLike):
        target = os.fspath(target)
    return xlsxwriter.Workbook(target, dict(OPTIONS))


@contextlib.contextmanager
def writing(target) -> Iterator[xlsxwriter.Workbook]:
    """A workbook that is written to `target` only if the block finishes without error."""
    wb = workbook(target)
    try:
        yield wb
    except BaseException:
        wb.filename = io.BytesIO()  # release the temporary files, leave the target untouched
        with contextlib.suppress(Exception):
            wb.close()
        raise
    wb.close()


def location(sheet: str, row: int | None = None, col: int | None = None) -> str:
    """Where a problem is: `Sheet1!D7`, `Sheet1!7` or `Sheet1` (row and column count from 1)."""
    if row is None:
        return sheet
    return f"{sheet}!{get_column_letter(col) if col else ''}{row}"


def file_kind(data: bytes, filename: str) -> str:
    """`csv` or `xlsx`, by the file's extension (by its first bytes when it has none)."""
    ext = os.path.splitext(str(filename))[1].lower()
    if ext == ".csv":
        return "csv"
    if ext in (".xlsx", ".xlsm"):
        return "xlsx"
    if ext == "":
        return "xlsx" if data[:2] == b"PK" else "csv"
    if ext == ".xls":
        raise WorkbookError([f"{filename}: old .xls workbooks are not read; save it as .xlsx (Excel 2007 or later)"])
    raise WorkbookError([f"{filename}: a {ext} file cannot be read; use .xlsx or .csv"])


def _check_size(data: bytes, filename: str) -> None:
    if len(data) > MAX_FILE:
        raise WorkbookError([f"{filename}: the file is larger than {MAX_FILE // 2**20} MB"])
    if not data:
        raise WorkbookError([f"{filename}: the file is empty"])


def open_workbook(data: bytes, filename: str):
    """An openpyxl read-only workbook from an uploaded .xlsx, after size and zip-bomb checks."""
    _check_size(data, filename)
    if data.startswith(_OLE_MAGIC):
        raise WorkbookError([f"{filename}: this is an old .xls workbook; save it as .xlsx (Excel 2007 or later)"])
    not_xlsx = f"{filename}: not an Excel .xlsx workbook"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise WorkbookError([not_xlsx]) from None
    unpacked = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members)
    if unpacked > MAX_UNCOMPRESSED:
        raise WorkbookError([f"{filename}: unpacks to more than {MAX_UNCOMPRESSED // 2**20} MB; refused"])
    if unpacked > MAX_RATIO * max(packed, 1):
        raise WorkbookError([f"{filename}: compressed more than {MAX_RATIO}:1 (a zip bomb?)"])
    if not any(m.filename == "xl/workbook.xml" for m in members):
        raise WorkbookError([not_xlsx])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about features it drops
            return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception as error:  # any parser failure means the file is unreadable
        raise WorkbookError([f"{not_xlsx} ({type(error).__name__})"]) from None


def sheet_rows(ws, close=None) -> Iterator[tuple]:
    """Every row of a read-only worksheet as a tuple of values, however the file was written."""
    ws.reset_dimensions()  # trust the cells, not the file's claimed dimensions
    try:
        yield from ws.iter_rows(values_only=True)
    except Exception as error:  # malformed sheet XML
        reason = type(error).__name__
        raise WorkbookError([f"{ws.title}: the sheet cannot be read ({reason})"]) from None
    finally:
        if close is not None:
            close.close()


def read_csv(data: bytes, filename: str) -> list[list[str]]:
    """The rows of a CSV file: UTF-8 (with or without BOM), else GB18030; comma, tab or semicolon."""
    _check_size(data, filename)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise WorkbookError([f"{filename}: not a text file in UTF-8 or GBK/GB18030"])
    if "\x00" in text:
        raise WorkbookError([f"{filename}: not a text file (it contains NUL bytes)"])
    first = text.split("\n", 1)[0]
    delimiter = max(",\t;", key=first.count)
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise WorkbookError([f"{filename}: not a readable CSV file ({error})"]) from None


def first_sheet_rows(data: bytes, filename: str) -> tuple[str, Iterable[Sequence[Any]]]:
    """The name and rows of the first sheet of an .xlsx, or of a CSV file (named after the file)."""
    if file_kind(data, filename) == "csv":
        return os.path.basename(str(filename)) or "csv", read_csv(data, filename)
    wb = open_workbook(data, filename)
    if not wb.sheetnames:
        wb.close()
        raise WorkbookError([f"{filename}: the workbook has no sheets"])
    return wb.sheetnames[0], sheet_rows(wb[wb.sheetnames[0]], close=wb)
