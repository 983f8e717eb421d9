"""Instruments authored in Excel, XLSForm style, read into the same instrument as the YAML.

Sheets: `survey` (type, name, label::zh, label::en, required, constraint,
constraint_message::zh/en, relevant, hint::zh/en, unit::zh/en, min, max, with
`begin group` / `end group` rows as sections), `choices` (list_name, name,
label::zh, label::en), `settings` (form_id, version, form_title, form_title::en,
applies_to, total), `indicators` (name, label::zh, label::en, formula, target,
weight, dimension, scoring, floor, pooled, format, source, standard_text, note,
and group::<framework> per framework), and optionally `dimensions` (name,
label::zh, label::en), `grades` (name, label::zh, label::en, min_score,
must_meet, when) and the clause sheets of `xlsform_clauses` (chapters, clauses,
requires, frameworks). Every problem the loader finds is reported at the sheet
and cell it came from (`indicators!C3: unknown name …`), or the row where no one
cell is to blame.
"""

from __future__ import annotations

import json
import re
from typing import Any

import instruments
from instruments import InstrumentError, Problem
from instruments.loading.checker import locations

from .errors import WorkbookError, problem
from .excel import open_workbook
from .xlsform_clauses import clause_parts
from .xlsform_rows import Places, Row, flag, group_fields, groups, number, read_rows, standard, text, text_fields, words

TYPES = {
    "integer": "integer",
    "int": "integer",
    "decimal": "number",
    "number": "number",
    "boolean": "boolean",
    "yes_no": "boolean",
    "text": "text",
    "string": "text",
    "date": "date",
}
GROUP_START, GROUP_END = ("begin group", "begin_group"), ("end group", "end_group")


def load_xlsform(data: bytes, filename: str) -> instruments.Instrument:
    """Read an XLSForm-style workbook into an Instrument; WorkbookError when it cannot."""
    book = open_workbook(data, filename)
    try:
        sheets = {ws.title.strip().lower(): read_rows(ws) for ws in book.worksheets}
    finally:
        book.close()
    problems: list[Problem] = [
        problem(filename, "no_sheet", name=needed) for needed in ("survey", "settings") if needed not in sheets
    ]
    if problems:
        raise WorkbookError(problems)
    places = Places()
    document = _document(sheets, places, problems)
    document.update(clause_parts(sheets, document, places, problems))
    if problems:
        raise WorkbookError(problems)
    try:
        return instruments.load_text(json.dumps(document, ensure_ascii=False, indent=1))
    except InstrumentError as error:
        raise WorkbookError([places.locate(p) for p in error.problems]) from None


def _document(sheets: dict[str, list[Row]], places: Places, problems: list[Problem]) -> dict:
    settings = sheets["settings"][0].values if sheets["settings"] else {}
    choices: dict[str, list] = {}
    for row in sheets.get("choices", []):
        name = row.get("list_name")
        if name is None or row.get("name") is None:
            problems.append(problem(row.place, "choice_needs_names"))
            continue
        label = text(row, "label") or str(row.get("name"))
        choices.setdefault(str(name), []).append({"value": str(row.get("name")), "label": label})
    document: dict[str, Any] = {
        "id": settings.get("form_id"),
        "version": str(settings["version"]) if settings.get("version") is not None else None,
        "title": text(sheets["settings"][0], "form_title") if sheets["settings"] else None,
        "sections": _sections(sheets["survey"], choices, places, problems),
    }
    if settings.get("applies_to"):
        document["applies_to"] = words(settings["applies_to"])
    if settings.get("total"):
        document["total"] = settings["total"]
    dimensions = [
        {"id": str(r.get("name")), "title": text(r, "label") or str(r.get("name"))}
        for r in sheets.get("dimensions", [])
    ]
    indicators = [_indicator(row) for row in sheets.get("indicators", [])]
    for path, row in zip(locations("indicators", indicators), sheets.get("indicators", []), strict=True):
        places.row(path, row, INDICATOR_FIELDS | text_fields("label") | group_fields(row))
    for indicator in indicators:
        if indicator.get("dimension") and not sheets.get("dimensions"):
            if indicator["dimension"] not in [d["id"] for d in dimensions]:
                dimensions.append({"id": indicator["dimension"], "title": indicator["dimension"]})
    if dimensions:
        document["dimensions"] = dimensions
    document["indicators"] = indicators
    grades = [_grade(row) for row in sheets.get("grades", [])]
    for path, row in zip(locations("grades", grades), sheets.get("grades", []), strict=True):
        places.row(path, row, GRADE_FIELDS | text_fields("label"))
    if grades:
        document["grades"] = grades
    return document


INDICATOR_FIELDS = {
    "id": "name",
    "formula": "formula",
    "target": "target",
    "weight": "weight",
    "dimension": "dimension",
    "scoring": "scoring",
    "floor": "floor",
    "pooled": "pooled",
    "format": "format",
    "standard.source": "source",
    "standard.text": "standard_text",
    "standard.note": "note",
    "standard": "source",
}
GRADE_FIELDS = {"id": "name", "min_score": "min_score", "must_meet": "must_meet", "when": "when"}


def _indicator(row: Row) -> dict:
    indicator: dict[str, Any] = {"id": row.get("name"), "label": text(row, "label"), "formula": row.get("formula")}
    for key in ("dimension", "target", "scoring", "format"):
        if row.get(key) is not None:
            indicator[key] = str(row.get(key))
    for key in ("weight", "floor"):
        if row.get(key) is not None:
            indicator[key] = number(row.get(key))
    if row.get("pooled") is not None:
        indicator["pooled"] = flag(row.get("pooled"))
    if row.get("source") or row.get("standard_text"):
        indicator["standard"] = standard(row)
    if groups(row):
        indicator["groups"] = groups(row)
    return indicator


def _grade(row: Row) -> dict:
    grade: dict[str, Any] = {"id": row.get("name"), "label": text(row, "label")}
    if row.get("min_score") is not None:
        grade["min_score"] = number(row.get("min_score"))
    if row.get("must_meet"):
        grade["must_meet"] = words(row.get("must_meet"))
    if row.get("when") is not None:
        grade["when"] = str(row.get("when"))
    return grade


def _sections(rows: list[Row], choices: dict, places: Places, problems: list[Problem]) -> list[dict]:
    sections: list[dict] = []
    starts: list[Row] = []
    item_rows: list[list[Row]] = []
    current: dict | None = None
    for row in rows:
        kind = str(row.get("type") or "").strip().lower()
        if kind in GROUP_START:
            current = {"id": row.get("name"), "title": text(row, "label"), "items": []}
            sections.append(current)
            starts.append(row)
            item_rows.append([])
            continue
        if kind in GROUP_END:
            current = None
            continue
        if current is None:
            current = {"id": "main", "title": {"zh": "问卷", "en": "Questionnaire"}, "items": []}
            sections.append(current)
            starts.append(row)
            item_rows.append([])
        current["items"].append(_item(kind, row, choices, problems))
        item_rows[-1].append(row)
    for path, section, start, items in zip(locations("sections", sections), sections, starts, item_rows, strict=True):
        places.row(path, start, {"id": "name"} | text_fields("label", "title"))
        for item_path, row in zip(locations(f"{path}.items", section["items"]), items, strict=True):
            places.row(item_path, row, ITEM_FIELDS | text_fields("label"))
    return sections


ITEM_FIELDS = {
    "id": "name",
    "type": "type",
    "required": "required",
    "constraint": "constraint",
    "relevant": "relevant",
    "min": "min",
    "max": "max",
    "choices": "type",
    **text_fields("unit"),
    **text_fields("hint"),
    **text_fields("constraint_message"),
}


def _item(kind: str, row: Row, choices: dict, problems: list[Problem]) -> dict:
    item: dict[str, Any] = {"id": row.get("name"), "label": text(row, "label")}
    select = re.fullmatch(r"(select_one|select_multiple)\s+(\S+)", kind)
    if select:
        item["type"] = "choice" if select.group(1) == "select_one" else "multi_choice"
        if select.group(2) not in choices:
            problems.append(problem(row.cell("type"), "unknown_choice_list", name=select.group(2)))
        item["choices"] = choices.get(select.group(2), [])
    else:
        item["type"] = TYPES.get(kind, kind)
    for key in ("unit", "hint", "constraint_message"):
        label = text(row, key)
        if label:
            item[key] = label
    for key in ("constraint", "relevant"):
        if row.get(key) is not None:
            item[key] = str(row.get(key))
    for key in ("min", "max"):
        if row.get(key) is not None:
            item[key] = number(row.get(key))
    if row.get("required") is not None:
        item["required"] = flag(row.get("required"))
    return item
