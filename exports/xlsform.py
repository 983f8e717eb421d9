"""Instruments authored in Excel, XLSForm style, read into the same instrument as the YAML.

Sheets: `survey` (type, name, label::zh, label::en, required, constraint,
constraint_message::zh/en, relevant, hint::zh/en, unit::zh/en, min, max, with
`begin group` / `end group` rows as sections), `choices` (list_name, name,
label::zh, label::en), `settings` (form_id, version, form_title, form_title::en,
total), `indicators` (name, label::zh, label::en, formula, target, weight,
dimension, scoring, floor, pooled, format, source, standard_text, note), and
optionally `dimensions` (name, label::zh, label::en) and `grades` (name,
label::zh, label::en, min_score, must_meet). Problems the loader finds are
reported at the sheet and row they came from.
"""

from __future__ import annotations

import json
import re
from typing import Any

import instruments
from instruments import InstrumentError

from .errors import WorkbookError
from .excel import open_workbook

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
TRUE = {"yes", "true", "1", "是", "y"}


def load_xlsform(data: bytes, filename: str) -> instruments.Instrument:
    """Read an XLSForm-style workbook into an Instrument; WorkbookError when it cannot."""
    book = open_workbook(data, filename)
    sheets = {ws.title.strip().lower(): _rows(ws) for ws in book.worksheets}
    problems: list[str] = []
    for needed in ("survey", "settings"):
        if needed not in sheets:
            problems.append(f"{filename}: no '{needed}' sheet")
    if problems:
        raise WorkbookError(problems)
    places: dict[str, str] = {}
    document = _document(sheets, places, problems)
    if problems:
        raise WorkbookError(problems)
    try:
        return instruments.load_text(json.dumps(document, ensure_ascii=False, indent=1))
    except InstrumentError as error:
        raise WorkbookError([_place(p, places) for p in error.problems]) from None


def _rows(ws) -> list[tuple[int, dict[str, Any]]]:
    """(row number, {header: value}) for each non-empty row under the header row."""
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        return []
    names = [str(h).strip().lower() if h is not None else "" for h in header]
    out = []
    for number, values in enumerate(rows, start=2):
        record = {
            name: (value.strip() if isinstance(value, str) else value)
            for name, value in zip(names, values, strict=False)
            if name and value is not None and value != ""
        }
        if record:
            out.append((number, record))
    return out


def _text(record: dict, key: str) -> Any:
    zh = record.get(f"{key}::zh") or record.get(key)
    en = record.get(f"{key}::en")
    if zh is None and en is None:
        return None
    return {k: str(v) for k, v in (("zh", zh), ("en", en)) if v is not None}


def _flag(value: Any) -> bool:
    return str(value).strip().lower() in TRUE


def _number(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


def _document(sheets: dict, places: dict[str, str], problems: list[str]) -> dict:
    settings = dict(sheets["settings"][0][1]) if sheets["settings"] else {}
    choices: dict[str, list] = {}
    for number, record in sheets.get("choices", []):
        name = record.get("list_name")
        if name is None or record.get("name") is None:
            problems.append(f"choices!{number}: a choice needs list_name and name")
            continue
        label = _text(record, "label") or str(record["name"])
        choices.setdefault(str(name), []).append({"value": str(record["name"]), "label": label})
    document: dict[str, Any] = {
        "id": settings.get("form_id"),
        "version": str(settings["version"]) if settings.get("version") is not None else None,
        "title": _text(settings, "form_title"),
        "sections": _sections(sheets["survey"], choices, places, problems),
    }
    if settings.get("applies_to"):
        document["applies_to"] = re.split(r"[\s,]+", str(settings["applies_to"]).strip())
    if settings.get("total"):
        document["total"] = settings["total"]
    dimensions = [
        {"id": str(r.get("name")), "title": _text(r, "label") or str(r.get("name"))}
        for _, r in sheets.get("dimensions", [])
    ]
    indicators = []
    for index, (number, record) in enumerate(sheets.get("indicators", [])):
        places[f"indicators[{index}]"] = f"indicators!{number}"
        indicator = {
            "id": record.get("name"),
            "label": _text(record, "label"),
            "formula": record.get("formula"),
        }
        for key in ("dimension", "target", "scoring", "format"):
            if record.get(key) is not None:
                indicator[key] = str(record[key])
        for key in ("weight", "floor"):
            if record.get(key) is not None:
                indicator[key] = _number(record[key])
        if record.get("pooled") is not None:
            indicator["pooled"] = _flag(record["pooled"])
        if record.get("source") or record.get("standard_text"):
            indicator["standard"] = {
                k: str(v)
                for k, v in (("source", record.get("source")), ("text", record.get("standard_text")),
                             ("note", record.get("note")))
                if v is not None
            }  # fmt: skip
        if indicator.get("dimension") and not sheets.get("dimensions"):
            if indicator["dimension"] not in [d["id"] for d in dimensions]:
                dimensions.append({"id": indicator["dimension"], "title": indicator["dimension"]})
        indicators.append(indicator)
    if dimensions:
        document["dimensions"] = dimensions
    document["indicators"] = indicators
    grades = []
    for index, (number, record) in enumerate(sheets.get("grades", [])):
        places[f"grades[{index}]"] = f"grades!{number}"
        grade = {"id": record.get("name"), "label": _text(record, "label")}
        if record.get("min_score") is not None:
            grade["min_score"] = _number(record["min_score"])
        if record.get("must_meet"):
            grade["must_meet"] = re.split(r"[\s,，]+", str(record["must_meet"]).strip())
        grades.append(grade)
    if grades:
        document["grades"] = grades
    return document


def _sections(rows, choices, places, problems) -> list[dict]:
    sections: list[dict] = []
    current: dict | None = None
    for number, record in rows:
        kind = str(record.get("type", "")).strip().lower()
        if kind in GROUP_START:
            places[f"sections[{len(sections)}]"] = f"survey!{number}"
            current = {"id": record.get("name"), "title": _text(record, "label"), "items": []}
            sections.append(current)
            continue
        if kind in GROUP_END:
            current = None
            continue
        if current is None:
            current = {"id": "main", "title": {"zh": "问卷", "en": "Questionnaire"}, "items": []}
            places[f"sections[{len(sections)}]"] = f"survey!{number}"
            sections.append(current)
        item = _item(kind, record, choices, f"survey!{number}", problems)
        places[f"sections[{len(sections) - 1}].items[{len(current['items'])}]"] = f"survey!{number}"
        current["items"].append(item)
    return sections


def _item(kind: str, record: dict, choices: dict, where: str, problems: list[str]) -> dict:
    item: dict[str, Any] = {"id": record.get("name"), "label": _text(record, "label")}
    select = re.fullmatch(r"(select_one|select_multiple)\s+(\S+)", kind)
    if select:
        item["type"] = "choice" if select.group(1) == "select_one" else "multi_choice"
        if select.group(2) not in choices:
            problems.append(f"{where}: no choice list '{select.group(2)}' on the choices sheet")
        item["choices"] = choices.get(select.group(2), [])
    else:
        item["type"] = TYPES.get(kind, kind)
    for key in ("unit", "hint", "constraint_message"):
        text = _text(record, key)
        if text:
            item[key] = text
    for key in ("constraint", "relevant"):
        if record.get(key) is not None:
            item[key] = str(record[key])
    for key in ("min", "max"):
        if record.get(key) is not None:
            item[key] = _number(record[key])
    if record.get("required") is not None:
        item["required"] = _flag(record["required"])
    return item


def _place(problem, places: dict[str, str]) -> str:
    """A loader problem located at the sheet row it came from, when known."""
    where = problem.where
    for path in sorted(places, key=len, reverse=True):
        if where == path or where.startswith(path + "."):
            rest = where[len(path) :].lstrip(".")
            return f"{places[path]}{' ' + rest if rest else ''}: {problem.message}"
    return str(problem)
