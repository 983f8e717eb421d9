"""Responses in: the filled-in template, or any sheet with `org_code`, item ids and clause ids as headers.

The file may be .xlsx, .xls, .ods or .csv (`uploads`), and may hold no more
rows than the round has centres in scope, nor more columns than the
instrument has items and onsite clauses (each with its note), each with a
margin. One pass over the rows. Each column's reader is chosen once from the
header (the item type's own parser plus the item's min and max, or the
clause's rating), so a cell costs one call; every problem is noted with its sheet, cell and reason and reading goes
on. The constraints are then checked for all rows at once on float columns,
with the same compiled expressions that score the answers. All or nothing:
any problem and a WorkbookError lists them (the first 200, then a count).

An onsite clause's column holds its rating as people write it — a level id,
未达到, 不适用 — read by the core's `rating` into the answers' value (see
`instruments.ratings`); an empty cell leaves it unrated. A rating the clause
cannot take, and any value in an auto clause's column, is a located problem.
The column `<clause id>.note` beside it holds the note of the self-rating,
kept apart from the answers in `ResponseRow.notes`. The template holds its
clauses on a sheet of their own (`条款自评`), read after `填报` and joined to
it by org code; a column appears on one sheet only.
"""

from __future__ import annotations

import functools
import heapq
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from instruments.errors import AnswerError, Problem, closest
from instruments.evaluation import broken_constraints, evaluate
from instruments.item_types import ITEM_TYPES, numbers_of
from instruments.messages import Message
from instruments.model import Instrument, Item
from instruments.ratings import rating

from . import excel, template, uploads
from .errors import MAX_PROBLEMS, WorkbookError, problem
from .orgs import text

HEADER_SEARCH = 10  # rows searched for the `org_code` header (the template has it on row 5)
SPARE_ROWS = 100  # rows beyond the header rows and one per centre (notes, totals)
SPARE_COLUMNS = 20  # columns beyond org_code, org_name, one per item and two per onsite clause


@dataclass(frozen=True)
class Place:
    """Where a centre's row is on one sheet, and the column of each header of that sheet (from 1)."""

    order: int  # the sheet's place among the sheets read
    sheet: str
    row: int
    columns: Mapping[str, int]


@dataclass(frozen=True)
class ResponseRow:
    code: str
    answers: dict[str, Any]  # by item id, and onsite clauses' ratings by clause id
    where: str  # sheet and row, e.g. 填报!7
    notes: dict[str, str] = field(default_factory=dict)  # the self-rating's note, by clause id
    places: tuple[Place, ...] = field(default=(), compare=False, repr=False)  # its row on each sheet read

    def position(self, header: str) -> tuple[int, int, int] | None:
        """The sheet's place, row and column of the cell under `header` (an item id, a clause id, a note's column)."""
        for place in self.places:
            col = place.columns.get(header)
            if col is not None:
                return place.order, place.row, col
        return None

    def cell(self, header: str) -> str:
        """Where the cell under `header` is: `填报!D7` (the row alone when the column is not known)."""
        for place in self.places:
            col = place.columns.get(header)
            if col is not None:
                return excel.location(place.sheet, place.row, col)
        return self.where


class _Problems:
    """Problems in reading order (sheet, row, column); keeps the first few hundred and counts the rest."""

    def __init__(self) -> None:
        self.kept: list[tuple[int, int, int, Message | AnswerError]] = []
        self.count = 0
        self.order = 0  # the sheet being read

    def add(self, row: int, col: int, said: Message | AnswerError) -> None:
        self.count += 1
        if len(self.kept) < MAX_PROBLEMS:
            self.kept.append((self.order, row, col, said))


def read_responses(
    data: bytes,
    filename: str,
    instrument: Instrument,
    *,
    round_id: int | None = None,
    known_codes: Collection[str] | None = None,
    progress: uploads.Progress = uploads.no_progress,
) -> list[ResponseRow]:
    """The answers in an .xlsx, .xls, .ods or .csv file, one row per centre; WorkbookError on any problem.

    `progress` wraps the rows while they are read (e.g. in a click progress bar).
    """
    upload = uploads.Upload(data, filename, limits(instrument, known_codes))
    names = upload.sheet_names
    if template.META_SHEET in names:
        _check_meta(upload.rows(template.META_SHEET), filename, instrument, round_id)
    if template.SHEET in names:
        sheets = [template.SHEET, *([template.CLAUSE_SHEET] if template.CLAUSE_SHEET in names else [])]
    else:
        sheets = [names[0]]
    problems = _Problems()
    seen: dict[str, str] = {}  # each header's first cell, over every sheet
    read: list[list[ResponseRow]] = []
    for order, sheet in enumerate(sheets):
        problems.order = order
        with progress(upload.rows(sheet)) as rows:
            read.append(_read(order, sheet, rows, instrument, known_codes, problems, seen))
    out = _joined(read)
    broken = _constraint_problems(instrument, out)
    if not out and not problems.count:
        raise WorkbookError([problem(sheets[0], "no_answers")])
    total = problems.count + len(broken)
    if total:
        first = heapq.nsmallest(MAX_PROBLEMS, [*problems.kept, *broken[:MAX_PROBLEMS]], key=lambda p: p[:3])
        listed = [Problem.at(excel.location(sheets[o], r, c), said) for o, r, c, said in first]
        raise WorkbookError(listed, more=total - len(listed))
    return out


def _joined(sheets: list[list[ResponseRow]]) -> list[ResponseRow]:
    """The rows of every sheet read, one per centre: a centre on several sheets has its answers joined."""
    if len(sheets) == 1:
        return sheets[0]
    out: dict[str, ResponseRow] = {}
    for rows in sheets:
        for row in rows:
            before = out.get(row.code)
            if before is None:
                out[row.code] = row
                continue
            out[row.code] = ResponseRow(
                row.code,
                {**before.answers, **row.answers},
                before.where,
                {**before.notes, **row.notes},
                (*before.places, *row.places),
            )
    return list(out.values())


def limits(instrument: Instrument, known_codes: Collection[str] | None) -> uploads.Limits:
    """The most rows and columns a sheet of answers can need: centres and items, with a margin."""
    columns = 2 + len(instrument.items) + 2 * len(instrument.onsite_clauses) + SPARE_COLUMNS
    items, clauses = len(instrument.items), len(instrument.onsite_clauses)
    inputs = Message("why_items", {"items": items})
    if clauses:
        inputs = Message("why_items_clauses", {"items": items, "clauses": clauses})
    if known_codes is None:
        return uploads.Limits(uploads.MAX_ROWS, columns, inputs)
    centres = len(known_codes)
    why = Message("why_centre" if centres == 1 else "why_centres", {"centres": centres, "inputs": inputs})
    return uploads.Limits(HEADER_SEARCH + centres + SPARE_ROWS, columns, why)


def _check_meta(rows: Iterator[list[Any]], filename: str, instrument: Instrument, round_id: int | None) -> None:
    """Refuse a template made for another round, instrument or version."""
    meta = {text(row[0]): row[1] for row in rows if len(row) >= 2 and row[0]}
    if meta.get("kind") != template.TEMPLATE_KIND:
        return
    problems = []
    made_for = meta.get("round_id")
    if round_id is not None and made_for is not None and text(made_for) != str(round_id):
        problems.append(problem(filename, "template_other_round", made_for=text(made_for), round=round_id))
    if text(meta.get("instrument")) not in ("", instrument.id):
        problems.append(
            problem(filename, "template_other_instrument", made_for=text(meta["instrument"]), instrument=instrument.id)
        )
    elif text(meta.get("version")) not in ("", instrument.version):
        problems.append(
            problem(
                filename,
                "template_other_version",
                made_for=text(meta["version"]),
                instrument=instrument.id,
                version=instrument.version,
            )
        )
    if problems:
        raise WorkbookError(problems)


AS_TEXT = ("text", "multi_choice", "date")  # types reading a cell's text, where 12 must not read as "12.0"
REMEMBERED = 10_000  # distinct cells remembered per column


class _Bad:
    """Why a cell cannot be read (a reader's result, cheaper than raising for every bad cell)."""

    __slots__ = ("error",)

    def __init__(self, error: AnswerError) -> None:
        self.error = error


class _Reader:
    """Reads one column's cells with one parser (an item type's, which checks min and max; a clause's
    rating; a note's text), remembering the result for each distinct cell: a column holds few distinct
    values (是/否, choice labels, counts, levels)."""

    __slots__ = ("parse", "seen", "whole")

    def __init__(self, parse: Callable[[Any], Any], whole: bool) -> None:
        self.parse = parse
        self.whole = whole  # read 12 as 12, not 12.0: calamine reads every number in an .xlsx or .ods as a float
        self.seen: dict[Any, Any] = {}

    def __call__(self, raw: Any) -> Any:
        key = raw if raw.__class__ is str else (raw.__class__, raw)  # True, 1 and 1.0 are equal keys
        found = self.seen.get(key, self)
        if found is self:
            cell = int(raw) if self.whole and raw.__class__ is float and raw.is_integer() else raw
            try:
                found = self.parse(cell)
            except AnswerError as error:
                found = _Bad(error)
            if len(self.seen) < REMEMBERED:
                self.seen[key] = found
        return found


NOTE = ITEM_TYPES["text"]  # a note is read as text


def _readers(instrument: Instrument) -> dict[str, tuple[str, Callable[[], _Reader]]]:
    """For every header a sheet of answers may have (by its casefolded form): its id and a new reader."""
    out: dict[str, tuple[str, Callable[[], _Reader]]] = {}
    for item in instrument.items:
        out[item.id.casefold()] = (item.id, functools.partial(_item_reader, item))
    for clause in instrument.clauses:
        out[clause.id.casefold()] = (clause.id, functools.partial(_Reader, functools.partial(rating, clause), True))
    for clause in instrument.onsite_clauses:
        note = template.note_column(clause.id)
        out[note.casefold()] = (note, functools.partial(_Reader, functools.partial(NOTE.parse, item=None), True))
    return out


def _item_reader(item: Item) -> _Reader:
    return _Reader(functools.partial(ITEM_TYPES[item.type].parse, item=item), item.type in AS_TEXT)


def _header(
    sheet: str, header: Sequence[Any], instrument: Instrument, problems: _Problems, row: int, seen: dict[str, str]
) -> tuple[int | None, list[tuple[int, str, _Reader]]]:
    """The org_code column and (column, id, reader) for each column of an item, a clause or a note.

    `seen` holds the cell of each header found on the sheets read before, and takes this sheet's.
    """
    by_key = _readers(instrument)
    code_col = None
    columns: list[tuple[int, str, _Reader]] = []
    here: dict[str, str] = {}
    for col, raw in enumerate(header):
        name = text(raw)
        key = name.casefold()
        if not name or key == "org_name":
            continue
        first = here.get(key) or (seen.get(key) if key != "org_code" else None)
        if first is not None:
            problems.add(row, col + 1, Message("column_twice", {"name": name, "other": first}))
            continue
        here[key] = excel.location(sheet, row, col + 1)
        if key == "org_code":
            code_col = col
        elif key in by_key:
            name, reader = by_key[key]
            columns.append((col, name, reader()))
        else:
            close = closest(name, [known for known, _ in by_key.values()])
            code = "unknown_item_or_clause_column" if instrument.clauses else "unknown_item_column"
            problems.add(row, col + 1, Message(code, {"name": name, "suggestion": close}))
    seen.update(here)
    return code_col, columns


def _read(
    order: int,
    sheet: str,
    rows: Iterable[Sequence[Any]],
    instrument: Instrument,
    known_codes: Collection[str] | None,
    problems: _Problems,
    seen: dict[str, str],
) -> list[ResponseRow]:
    """The rows of one sheet; its problems go to `problems`."""
    rows = iter(rows)
    header, header_row, seen_any = None, 0, False
    for number, row in enumerate(rows, start=1):
        names = [text(v).casefold() for v in row]
        seen_any = seen_any or any(names)
        if "org_code" in names:
            header, header_row = row, number
            break
        if number >= HEADER_SEARCH:
            break
    if header is None:
        if seen_any:
            problems.add(1, 1, Message("no_org_code_column"))
        return []

    code_col, columns = _header(sheet, header, instrument, problems, header_row, seen)
    if code_col is None:
        return []  # org_code appears only twice over: reported
    known = set(known_codes) if known_codes is not None else None
    width = max([code_col, *(c for c, _, _ in columns)]) + 1
    padding = (None,) * width
    note_of = {template.note_column(clause.id): clause.id for clause in instrument.onsite_clauses}
    placed = {name: col + 1 for col, name, _ in columns}
    reads = [(col, name in note_of, note_of.get(name, name), read) for col, name, read in columns]
    out: list[ResponseRow] = []
    first_seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=header_row + 1):
        if len(row) < width:
            row = (*row, *padding[: width - len(row)])
        answers: dict[str, Any] = {}
        notes: dict[str, str] = {}
        for col, is_note, key, read in reads:
            raw = row[col]
            if raw is not None and raw != "":
                # the reader's memory looked up here: a call less for nearly every cell
                value = read.seen.get(raw if raw.__class__ is str else (raw.__class__, raw), read)
                if value is read:
                    value = read(raw)
                if value.__class__ is _Bad:
                    problems.add(number, col + 1, value.error)
                elif value is not None:
                    (notes if is_note else answers)[key] = value
        code = text(row[code_col])
        if not answers and not notes:
            continue  # a blank row, or a centre left unfilled
        if not code:
            problems.add(number, code_col + 1, Message("missing_org_code"))
            continue
        if code in first_seen:
            problems.add(number, code_col + 1, Message("org_code_twice", {"code": code, "row": first_seen[code]}))
            continue
        first_seen[code] = number
        if known is not None and code not in known:
            problems.add(number, code_col + 1, Message("unknown_org_code", {"code": code}))
        out.append(ResponseRow(code, answers, f"{sheet}!{number}", notes, (Place(order, sheet, number, placed),)))
    return out


def _number(number: Callable[[Any, Item], float], item: Item, value: Any) -> float:
    """An answer's number in a formula, NaN when not answered."""
    return np.nan if value is None else number(value, item)


def _constraint_problems(instrument: Instrument, rows: list[ResponseRow]) -> list[tuple[int, int, int, Message]]:
    """Each answered item whose constraint is false on its row, for all rows at once, with its cell's position."""
    sheets = {id(place.columns): place.columns for row in rows for place in row.places}
    read = {key for columns in sheets.values() for key in columns}
    checked = [item for item in instrument.items if item.constraint is not None and item.id in read]
    if not checked:
        return []
    needed = instrument.closure([i.id for i in checked] + [n for i in checked for n in i.constraint.names])
    data = {}
    for item_id in needed:
        item = instrument.item.get(item_id)
        if item is None or item_id not in read:
            continue
        number = functools.partial(_number, ITEM_TYPES[item.type].number, item)
        data[item_id] = numbers_of(number, [r.answers.get(item_id) for r in rows])
    env = evaluate(instrument, data, sorted(needed))
    found = []
    for item_id, bad in broken_constraints(instrument, env).items():
        item = instrument.item[item_id]
        if item not in checked:
            continue
        message = (
            Message("constraint_said", {"message": item.constraint_message})
            if item.constraint_message is not None
            else Message("fails_check", {"check": item.constraint.source})
        )
        for r in np.flatnonzero(bad).tolist():
            position = rows[r].position(item_id)
            if position is not None:
                found.append((*position, message))
    found.sort(key=lambda p: p[:3])
    return found
