"""Files handed in, read safely: .xlsx, .xls and .ods by python-calamine, .csv by the csv module.

What a file may hold is bounded by what the import can need (`Limits`: the
rows and columns a sheet may have), and checked before anything is parsed, so
no upload keeps a worker busy for long or fills its memory:

- at most 50 MB a file; unpacked (an .xlsx or .ods is a zip), at most a few MB
  plus 300 bytes a cell of the rows × columns allowed, never over 500 MB, and
  compressed at most 200:1;
- how far the cells reach (`bounds`): a sheet is parsed only when it stays
  within the limits (with room for a template's help sheets);
- once parsed, a sheet's rows and columns against the limits, before any cell
  is turned into a Python value.

The kind of file comes from its first bytes (a zip, the old binary .xls, or
text); its name only tells an .xlsx from an .ods and text from junk. CSV is
read as UTF-8 (with or without BOM), else GB18030 (which covers GBK), and
comma, tab or semicolon separated. Calamine's XML parser expands no entities
(no XXE, no billion laughs). Anything that is not a readable sheet is a
WorkbookError naming the file, never a traceback. Empty cells read as "".
"""

from __future__ import annotations

import contextlib
import csv
import html
import io
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import olefile
import python_calamine

from instruments.messages import Message

from . import bounds
from .errors import WorkbookError, problem

MAX_ROWS = 1_048_576
MAX_FILE = 50 * 1024 * 1024
MAX_UNCOMPRESSED = 500 * 1024 * 1024
MAX_RATIO = 200
BASE_UNPACKED = 8 * 1024 * 1024  # styles, shared strings and the help sheets of any workbook
BYTES_PER_CELL = 300
# Every sheet calamine parses may reach this far, whatever the import: a template's help, list and
# _meta sheets (a list sheet has a column per long choice list, so fewer columns than the items).
HELP_ROWS, HELP_COLUMNS = 1_000, 16
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
SUFFIXES = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls", ".ods": "ods", ".csv": "csv", "": ""}


@dataclass(frozen=True)
class Limits:
    """The most a sheet of this import may hold, and why (a message, or words, for the problems)."""

    rows: int = MAX_ROWS
    columns: int = 256
    why: Message | str = ""

    @property
    def unpacked(self) -> int:
        """The most bytes a file for these limits may unpack to."""
        return min(MAX_UNCOMPRESSED, BASE_UNPACKED + self.rows * self.columns * BYTES_PER_CELL)

    @property
    def reach(self) -> tuple[int, int]:
        """The rows and columns any sheet parsed may reach (room for a template's other sheets)."""
        return max(self.rows, HELP_ROWS), max(self.columns, HELP_COLUMNS)

    def room(self) -> Message:
        """What a sheet for this import may hold, said in a problem."""
        if self.why:
            return Message("room_because", {"rows": self.rows, "columns": self.columns, "why": self.why})
        return Message("room", {"rows": self.rows, "columns": self.columns})


class Rows(Iterator[list[Any]]):
    """A sheet's rows, knowing roughly how many there are (so a progress bar can show it)."""

    def __init__(self, rows: Iterator[list[Any]], total: int) -> None:
        self._rows = rows
        self.total = total

    def __next__(self) -> list[Any]:
        return next(self._rows)

    def __length_hint__(self) -> int:
        return self.total


# Wraps a sheet's rows while they are read, e.g. in a click progress bar (which reads its length hint).
Progress = Callable[[Rows], contextlib.AbstractContextManager[Iterable[list[Any]]]]
no_progress: Progress = contextlib.nullcontext


class Upload:
    """An uploaded file's sheets, each parsed when asked for, within the limits."""

    def __init__(self, data: bytes, filename: str, limits: Limits = Limits()) -> None:
        self.filename = filename
        self.limits = limits
        _check_size(data, filename, limits, compressed=True)
        self.kind = _kind(data, filename)
        self._data = data
        self._book: python_calamine.CalamineWorkbook | None = None
        check_file(data, filename, self.kind, limits)
        if self.kind == "csv":
            self.sheet_names = [os.path.basename(str(filename)) or "csv"]
            return
        if self.kind == "xls":
            _check_xls(data, filename, limits)
        self._book = _calamine(filename, self.kind, python_calamine.CalamineWorkbook.from_object, io.BytesIO(data))
        self.sheet_names = list(self._book.sheet_names)
        if not self.sheet_names:
            raise WorkbookError([problem(filename, "no_sheets")])

    def rows(self, name: str) -> Rows:
        """Every row of sheet `name` from the first, as lists of values ("" when empty)."""
        if self.kind == "csv":
            return _csv_rows(self._data, self.filename, self.sheet_names[0], self.limits)
        assert self._book is not None
        sheet = _calamine(name, "", self._book.get_sheet_by_name, name)
        return _sheet_rows(sheet, name, self.limits)


def _calamine(where: str, kind: str, call: Callable[..., Any], *args: Any) -> Any:
    """Call python-calamine; its errors, and a panic of its Rust code, become a WorkbookError."""
    try:
        return call(*args)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as error:  # pyo3 turns a Rust panic into a BaseException
        if kind:
            raise unreadable(where, kind, error) from None
        raise WorkbookError([problem(where, "sheet_unreadable", reason=_reason(error))]) from None


def _kind(data: bytes, filename: str) -> str:
    """xlsx, ods, xls or csv, from the first bytes and the name."""
    ext = os.path.splitext(str(filename))[1].lower()
    named = SUFFIXES.get(ext)
    if named is None:
        raise WorkbookError([problem(filename, "file_kind", ext=ext)])
    if data.startswith(OLE_MAGIC):
        return "xls"
    if data.startswith(b"PK"):
        return "ods" if named == "ods" or ODS_MIMETYPE in data[:100] else "xlsx"
    if named in ("", "csv"):
        return "csv"
    raise WorkbookError([problem(filename, "not_workbook_because", what=_WHAT[named], reason=_saved_as(data))])


def _saved_as(data: bytes) -> Message:
    head = data[:512].lstrip().lower()
    if head.startswith((b"<html", b"<!doctype", b"<table", b"<?xml", b"mime-version")):
        return Message("saved_as_web_page")
    return Message("save_as_xlsx")


def check_file(data: bytes, filename: str, kind: str, limits: Limits = Limits()) -> None:
    """Refuse a file of `kind` (xlsx, ods, xls, csv) that is empty, too big, or unpacks to too much."""
    _check_size(data, filename, limits, compressed=kind in ("xlsx", "ods"))
    if kind in ("xlsx", "ods"):
        _check_zip(data, filename, limits, kind)


def _check_size(data: bytes, filename: str, limits: Limits, *, compressed: bool) -> None:
    if not data:
        raise WorkbookError([problem(filename, "file_empty")])
    most = MAX_FILE if compressed else min(MAX_FILE, limits.unpacked)
    if len(data) > most:
        raise WorkbookError([problem(filename, "file_too_large", size=file_size(most), room=limits.room())])


def _check_zip(data: bytes, filename: str, limits: Limits, kind: str) -> None:
    """Refuse an .xlsx or .ods that unpacks to too much, or has a sheet reaching too far."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise unreadable(filename, kind) from None
    unpacked = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members)
    if unpacked > MAX_RATIO * max(packed, 1):
        raise WorkbookError([problem(filename, "zip_ratio", ratio=MAX_RATIO)])
    if unpacked > limits.unpacked:
        raise WorkbookError(
            [
                problem(
                    filename,
                    "unpacks_too_much",
                    size=file_size(unpacked),
                    limit=file_size(limits.unpacked),
                    room=limits.room(),
                )
            ]
        )
    names = {m.filename for m in members}
    if kind == "xlsx" and "xl/workbook.xml" not in names:
        raise unreadable(filename, "xlsx")
    if kind == "ods" and "content.xml" not in names:
        raise unreadable(filename, "ods")
    rows, columns = limits.reach
    if kind == "ods":
        _reach(filename, limits, bounds.check_ods, archive, rows, columns)
        return
    sheets = {part: name for name, part in _sheet_parts(archive).items()}
    for member in members:  # every XML part calamine might read as a sheet, whatever the workbook says
        if member.filename.lower().endswith(".xml"):
            sheet = sheets.get(member.filename, member.filename)
            _reach(filename, limits, bounds.check_xlsx, archive, member, sheet, rows, columns)


def _check_xls(data: bytes, filename: str, limits: Limits) -> None:
    """The workbook stream of an old .xls, checked record by record before calamine reads it."""
    try:
        with olefile.OleFileIO(data) as ole:
            if ole.exists("EncryptedPackage"):
                raise WorkbookError([problem(filename, "password_protected")])
            name = next((n for n in ("Workbook", "Book") if ole.exists(n)), None)
            if name is None:
                raise unreadable(filename, "xls")
            if ole.get_size(name) > limits.unpacked:
                raise WorkbookError(
                    [problem(filename, "holds_too_much", limit=file_size(limits.unpacked), room=limits.room())]
                )
            stream = ole.openstream(name).read()
    except WorkbookError:
        raise
    except Exception as error:  # olefile's errors on a broken compound file
        raise unreadable(filename, "xls", error) from None
    work = _reach(filename, limits, bounds.check_xls, stream, *limits.reach)
    if work > limits.unpacked:
        raise WorkbookError([problem(filename, "too_much_to_read", limit=file_size(limits.unpacked))])


def _reach(filename: str, limits: Limits, check: Callable[..., Any], *args: Any) -> Any:
    """Run a check of `bounds`, turning a sheet that reaches too far into a located problem."""
    try:
        return check(*args)
    except bounds.ReachError as error:
        reach = {"rows": error.rows, "columns": error.columns, "room": limits.room()}
        if error.sheet.startswith("#"):  # a sheet of an .xls known only by its place
            raise WorkbookError([problem(filename, "sheet_cells_reach", sheet=error.sheet[1:], **reach)]) from None
        raise WorkbookError([problem(error.sheet or filename, "cells_reach", **reach)]) from None
    except Exception as error:  # a broken member: bad deflate data, a CRC error, encryption
        raise unreadable(filename, "", error) from None


_SHEET_TAG = re.compile(rb"<(?:[\w.-]+:)?sheet(?=[\s/>])([^>]*)>")
_RELATIONSHIP = re.compile(rb"<(?:[\w.-]+:)?Relationship(?=[\s/>])([^>]*)>")


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Each sheet's name and the zip member it is in (used to name a sheet in messages)."""
    try:
        book = archive.read("xl/workbook.xml")
        rels = archive.read("xl/_rels/workbook.xml.rels")
    except Exception:  # no names then: messages name the zip member instead
        return {}
    targets = {}
    for attrs in _RELATIONSHIP.findall(rels):
        found = dict(_attrs(attrs))
        if "Id" in found and "Target" in found:
            target = found["Target"].lstrip("/")
            targets[found["Id"]] = target if target.startswith("xl/") else f"xl/{target}"
    parts = {}
    for attrs in _SHEET_TAG.findall(book):
        found = dict(_attrs(attrs))
        rid = next((v for k, v in found.items() if k == "id" or k.endswith(":id")), None)
        if "name" in found and rid in targets:
            parts[found["name"]] = targets[rid]
    return parts


def _attrs(attrs: bytes) -> Iterator[tuple[str, str]]:
    for name, double, single in bounds.ATTRIBUTE.findall(attrs):
        yield name.decode("utf-8", "replace"), html.unescape((double or single).decode("utf-8", "replace"))


def _sheet_rows(sheet: python_calamine.CalamineSheet, name: str, limits: Limits) -> Rows:
    """A parsed sheet's rows from A1, after its size is checked against the limits."""
    end = sheet.end
    if end is None or sheet.start is None:
        return Rows(iter(()), 0)
    rows, columns = end[0] + 1, end[1] + 1
    if rows > limits.rows or columns > limits.columns:
        raise WorkbookError([problem(name, "sheet_too_big", rows=rows, columns=columns, room=limits.room())])
    offset = sheet.start[1]
    if not offset:
        return Rows(iter(sheet.iter_rows()), rows)
    pad = [""] * offset
    return Rows((pad + row for row in sheet.iter_rows()), rows)


def _csv_rows(data: bytes, filename: str, sheet: str, limits: Limits) -> Rows:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise WorkbookError([problem(filename, "csv_encoding")])
    if "\x00" in text:
        raise WorkbookError([problem(filename, "csv_nul")])
    first = text.split("\n", 1)[0]
    delimiter = max(",\t;", key=first.count)
    rows = _counted(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), filename, sheet, limits)
    return Rows(rows, text.count("\n") + 1)


def _counted(reader: Iterator[list[str]], filename: str, sheet: str, limits: Limits) -> Iterator[list[Any]]:
    """CSV rows, stopping at the first row past the limits."""
    try:
        for number, row in enumerate(reader, start=1):
            if number > limits.rows:
                raise WorkbookError([problem(f"{sheet}!{number}", "past_last_row", room=limits.room())])
            if len(row) > limits.columns:
                raise WorkbookError([problem(f"{sheet}!{number}", "row_too_wide", count=len(row), room=limits.room())])
            yield row
    except csv.Error as error:
        raise WorkbookError([problem(filename, "csv_unreadable", reason=str(error))]) from None


_WHAT = {"xlsx": Message("what_xlsx"), "xls": Message("what_xls"), "ods": Message("what_ods")}


def unreadable(filename: str, kind: str, error: BaseException | str | None = None) -> WorkbookError:
    """The error for a file that is not a readable workbook of `kind` (xlsx, xls, ods; "" for any)."""
    what = _WHAT.get(kind, Message("what_readable"))
    if error is None:
        return WorkbookError([problem(filename, "not_workbook", what=what)])
    reason = error if isinstance(error, str) else _reason(error)
    return WorkbookError([problem(filename, "not_workbook_because", what=what, reason=reason)])


def _reason(error: BaseException) -> str:
    text = str(error).splitlines()[0][:120] if str(error) else ""
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def file_size(size: int) -> str:
    """A number of bytes as people read it (10 MB, 300 KB)."""
    return f"{size / 2**20:,.0f} MB" if size >= 2**20 else f"{size / 1024:,.0f} KB"
