"""Excel's limits, in one place: what a workbook may hold and what we agree to read.

Writing: sheet titles at most 31 characters, unique (Excel compares them
without case) and free of `[]:*?/\\`; cell text at most 32,767 characters;
1,048,576 rows a sheet. Every workbook is written by XlsxWriter in
constant-memory mode with every automatic conversion off, and user text goes
through `write_text`, so `=HYPERLINK(...)` or `+1+1` stays text.

Reading is `uploads`' (python-calamine); `open_workbook` is kept for readers
that need a workbook's structure (an instrument authored in Excel), after the
same checks.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import unicodedata
import warnings
from collections.abc import Iterator
from typing import IO, Any

import openpyxl
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from . import uploads
from .errors import WorkbookError, problem

MAX_ROWS = 1_048_576
MAX_TEXT = 32_767
MAX_TITLE = 31
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


def direct_text(text: str) -> str | None:
    """`text` as `write_text` writes it, when plain `write_string` does that (None: only `write_text` does)."""
    text = cell_text(text)
    return text if text and not (text.startswith("<r>") and text.endswith("</r>")) else None


def write_text(ws: Worksheet, row: int, col: int, text: Any, fmt: Format | None = None) -> None:
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


Target = str | os.PathLike[str] | IO[bytes]


def workbook(target: Target) -> xlsxwriter.Workbook:
    """An XlsxWriter workbook in constant-memory mode that never turns strings into anything."""
    if isinstance(target, os.PathLike):
        target = os.fspath(target)
    return xlsxwriter.Workbook(target, dict(OPTIONS))


@contextlib.contextmanager
def writing(target: Target) -> Iterator[xlsxwriter.Workbook]:
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
    return f"{sheet}!{xl_col_to_name(col - 1) if col else ''}{row}"


def open_workbook(data: bytes, filename: str) -> openpyxl.Workbook:
    """An openpyxl read-only workbook (where its structure matters), after the checks of `uploads`."""
    if data.startswith(uploads.OLE_MAGIC):
        raise WorkbookError([problem(filename, "old_xls")])
    if not data:
        raise WorkbookError([problem(filename, "file_empty")])
    if not data.startswith(b"PK"):
        raise uploads.unreadable(filename, "xlsx")
    uploads.check_file(data, filename, "xlsx")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about features it drops
            return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception as error:  # any parser failure means the file is unreadable
        raise uploads.unreadable(filename, "xlsx", type(error).__name__) from None


def sheet_rows(ws: Any, close: Any = None) -> Iterator[tuple[Any, ...]]:
    """Every row of a read-only worksheet as a tuple of values, however the file was written."""
    ws.reset_dimensions()  # trust the cells, not the file's claimed dimensions
    try:
        yield from ws.iter_rows(values_only=True)
    except Exception as error:  # malformed sheet XML
        raise WorkbookError([problem(ws.title, "sheet_unreadable", reason=type(error).__name__)]) from None
    finally:
        if close is not None:
            close.close()
