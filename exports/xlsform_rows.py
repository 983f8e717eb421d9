"""The rows of an XLSForm-style workbook, and where each part of the instrument built from them came from.

Every value is read with the cell it came from, so a problem the loader finds
at `clauses[k12].levels[B].when` is reported at `clauses!M5`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter

from instruments import Problem

from .excel import sheet_rows

TRUE = {"yes", "true", "1", "是", "y", "★", "✓", "√"}
Columns = str | tuple[str, ...]


@dataclass
class Row:
    """One row of a sheet: its values by lower-case header, and the cell each came from."""

    sheet: str
    number: int
    values: dict[str, Any]
    columns: dict[str, str]  # lower-case header -> column letter
    headers: dict[str, str]  # lower-case header -> the header as written

    def get(self, key: str) -> Any:
        return self.values.get(key)

    def cell(self, key: str) -> str:
        """`sheet!C5` for a column of this row (the row itself when there is no such column)."""
        column = self.columns.get(key)
        return f"{self.sheet}!{column}{self.number}" if column else f"{self.sheet}!{self.number}"

    @property
    def place(self) -> str:
        return f"{self.sheet}!{self.number}"


@dataclass
class Places:
    """Where each part of the built document came from, by the loader's paths."""

    cells: dict[str, str] = field(default_factory=dict)

    def row(self, path: str, row: Row, fields: dict[str, Columns] | None = None) -> None:
        """Register an entry built from `row`, and the column each of its fields came from.

        A field may name several columns: the first the sheet has is the one.
        """
        self.cells[path] = row.place
        for key, columns in (fields or {}).items():
            column = next((c for c in ((columns,) if isinstance(columns, str) else columns) if c in row.columns), None)
            if column is not None:
                self.cells[f"{path}.{key}"] = row.cell(column)

    def cell(self, path: str, row: Row, column: str, first: bool = False) -> None:
        """Register one part at one cell (unless `first` and the part has a place already)."""
        if not (first and path in self.cells):
            self.cells[path] = row.cell(column)

    def place(self, where: str) -> str | None:
        """The sheet and cell (or row) a loader path came from, when known."""
        for path in sorted(self.cells, key=len, reverse=True):
            if where == path or where.startswith((path + ".", path + "[")):
                rest = where[len(path) :].lstrip(".")
                row_only = self.cells[path].split("!")[1].isdigit()
                return self.cells[path] + (f" {rest}" if rest and row_only else "")
        return None

    def locate(self, problem: Problem) -> Problem:
        """A loader problem at the sheet and cell it came from; a place named in its message too."""
        params = problem.params
        other = params.get("other")
        if isinstance(other, str) and self.place(other):
            params = {**params, "other": self.place(other)}
        return Problem(self.place(problem.where) or problem.where, problem.code, params)


def read_rows(ws: Any) -> list[Row]:
    """Each non-empty row under the header row."""
    rows = sheet_rows(ws)
    header = next(rows, None)
    if header is None:
        return []
    written = [str(h).strip() if h is not None else "" for h in header]
    names = [h.lower() for h in written]
    columns = {name: get_column_letter(i + 1) for i, name in enumerate(names) if name}
    headers = {name: text for name, text in zip(names, written, strict=True) if name}
    out = []
    for number, values in enumerate(rows, start=2):
        record = {
            name: (value.strip() if isinstance(value, str) else value)
            for name, value in zip(names, values, strict=False)
            if name and value is not None and value != ""
        }
        if record:
            out.append(Row(ws.title, number, record, columns, headers))
    return out


def text(row: Row, key: str) -> Any:
    """A label in Chinese and English from `key::zh` (or `key`) and `key::en`."""
    zh = row.get(f"{key}::zh") or row.get(key)
    en = row.get(f"{key}::en")
    if zh is None and en is None:
        return None
    return {k: str(v) for k, v in (("zh", zh), ("en", en)) if v is not None}


def text_fields(key: str, path: str = "") -> dict[str, Columns]:
    """The fields of a label and the columns they come from."""
    path = path or key
    return {path: (f"{key}::zh", key), f"{path}.zh": (f"{key}::zh", key), f"{path}.en": f"{key}::en"}


def flag(value: Any) -> bool:
    return str(value).strip().lower() in TRUE


def number(value: Any) -> Any:
    """A number from a cell: as it is, or read from text ("2", "60%"); text that is no number stays text."""
    if isinstance(value, str):
        try:
            return float(value[:-1]) / 100 if value.endswith("%") else float(value)
        except ValueError:
            return value
    return value


def words(value: Any) -> list[str]:
    """A list written in one cell: ids separated by commas or spaces."""
    return [w for w in re.split(r"[\s,，、;；]+", str(value).strip()) if w]


def groups(row: Row) -> dict[str, str]:
    """An indicator's or clause's group per framework, from its `group::<framework>` columns."""
    return {key.split("::", 1)[1]: str(value) for key, value in row.values.items() if key.startswith("group::")}


def group_fields(row: Row) -> dict[str, Columns]:
    return {f"groups.{key.split('::', 1)[1]}": key for key in row.columns if key.startswith("group::")}


def standard(row: Row) -> dict:
    """A standard's source, original wording and note from their columns."""
    return {
        key: str(value)
        for key, value in (("source", row.get("source")), ("text", row.get("standard_text")), ("note", row.get("note")))
        if value is not None
    }
