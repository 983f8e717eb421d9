"""The clause sheets of an XLSForm-style workbook: chapters, clauses, requires and frameworks.

- `chapters`: id, number, title::zh, title::en.
- `clauses`: one row per clause — id, number, chapter, standard (basic/基本标准 or
  recommended/推荐标准), core (yes/是/★), text::zh, text::en, rated (auto/自动 or
  onsite/现场), evidence (required/必需, optional/可选, none/无), weight, source,
  standard_text, note, group::<framework>; then, per level, when_<L> (auto clauses),
  text_<L>::zh and text_<L>::en (what the level takes), credit_<L> — for instance
  when_C, when_B, when_A. Levels run lowest first in the order their columns first
  appear, left to right; a clause has the levels whose when or text cells it fills.
- `requires`: one row per condition of a grade — grade, core, standard, chapter,
  ids (clause ids separated by commas), level, share (0.6 or 60%).
- `frameworks`: framework, group, title::zh, title::en; a row without a group
  titles the framework itself. Indicators and clauses join a group with a
  `group::<framework>` column.
"""

from __future__ import annotations

import re
from typing import Any

from instruments import Problem
from instruments.loading.checker import locations

from .errors import problem
from .xlsform_rows import Places, Row, flag, group_fields, groups, number, standard, text, text_fields, words

LEVEL_COLUMN = re.compile(r"(when|text|credit)_(\S+?)(?:::(zh|en))?", re.IGNORECASE)
STANDARDS = {"基本": "basic", "基本标准": "basic", "推荐": "recommended", "推荐标准": "recommended"}
RATED = {"自动": "auto", "现场": "onsite", "现场评价": "onsite"}
EVIDENCE = {"必需": "required", "必须": "required", "可选": "optional", "无": "none", "不需要": "none"}


def clause_parts(sheets: dict[str, list[Row]], document: dict, places: Places, problems: list[Problem]) -> dict:
    """The chapters, clauses and frameworks the sheets hold; requires rows join the document's grades."""
    out: dict[str, Any] = {}
    chapters = [
        {"id": row.get("id"), "number": _text(row.get("number")), "title": text(row, "title")}
        for row in sheets.get("chapters", [])
    ]
    for path, row in zip(locations("chapters", chapters), sheets.get("chapters", []), strict=True):
        places.row(path, row, {"id": "id", "number": "number"} | text_fields("title"))
    if chapters:
        out["chapters"] = [{k: v for k, v in c.items() if v is not None} for c in chapters]
    rows = sheets.get("clauses", [])
    clauses = [_clause(row) for row in rows]
    for path, row, clause in zip(locations("clauses", clauses), rows, clauses, strict=True):
        places.row(path, row, CLAUSE_FIELDS | text_fields("text") | group_fields(row))
        _level_places(path, row, clause, places)
    if clauses:
        out["clauses"] = clauses
    frameworks = _frameworks(sheets.get("frameworks", []), places, problems)
    if frameworks:
        out["frameworks"] = frameworks
    _requires(sheets.get("requires", []), document.get("grades", []), places, problems)
    return out


CLAUSE_FIELDS = {
    "id": "id",
    "number": "number",
    "chapter": "chapter",
    "standard": "standard",
    "core": "core",
    "rated": "rated",
    "evidence": "evidence",
    "weight": "weight",
    "standard_ref": "source",
    "standard_ref.source": "source",
    "standard_ref.text": "standard_text",
    "standard_ref.note": "note",
    "levels": "id",
}


def _text(value: Any) -> Any:
    """A number as printed ("1.3.2", "一"); a whole number read from Excel as 3.0 back to "3"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return None if value is None else str(value)


def _levels(row: Row) -> list[str]:
    """The clause's level ids, lowest first, in the order their columns first appear."""
    out: list[str] = []
    for key in row.columns:
        match = LEVEL_COLUMN.fullmatch(row.headers[key])
        if match and match.group(1).lower() != "credit" and row.get(key) is not None and match.group(2) not in out:
            out.append(match.group(2))
    return out


def _level_column(row: Row, kind: str, level: str, lang: str | None = None) -> str | None:
    for key in row.columns:
        match = LEVEL_COLUMN.fullmatch(row.headers[key])
        if match and match.group(1).lower() == kind and match.group(2) == level and match.group(3) == lang:
            return key
    return None


def _clause(row: Row) -> dict:
    clause: dict[str, Any] = {"id": row.get("id"), "text": text(row, "text")}
    if row.get("number") is not None:
        clause["number"] = _text(row.get("number"))
    for key in ("chapter",):
        if row.get(key) is not None:
            clause[key] = str(row.get(key))
    for key, table in (("standard", STANDARDS), ("rated", RATED), ("evidence", EVIDENCE)):
        if row.get(key) is not None:
            clause[key] = table.get(str(row.get(key)), str(row.get(key)))
    if row.get("core") is not None:
        clause["core"] = flag(row.get("core"))
    if row.get("weight") is not None:
        clause["weight"] = number(row.get("weight"))
    levels, credit = [], {}
    for level in _levels(row):
        entry: dict[str, Any] = {"id": level}
        when = _level_column(row, "when", level)
        if when and row.get(when) is not None:
            entry["when"] = str(row.get(when))
        zh = _level_column(row, "text", level, "zh") or _level_column(row, "text", level)
        en = _level_column(row, "text", level, "en")
        said = {lang: str(row.get(key)) for lang, key in (("zh", zh), ("en", en)) if key and row.get(key) is not None}
        if said:
            entry["text"] = said
        levels.append(entry)
        column = _level_column(row, "credit", level)
        if column and row.get(column) is not None:
            credit[level] = number(row.get(column))
    clause["levels"] = levels
    if credit:
        clause["credit"] = credit
    if row.get("source") or row.get("standard_text"):
        clause["standard_ref"] = standard(row)
    if groups(row):
        clause["groups"] = groups(row)
    return clause


def _level_places(path: str, row: Row, clause: dict, places: Places) -> None:
    """Each level's problems at its own columns: when_B, text_B::zh, credit_B."""
    for level_path, level in zip(locations(f"{path}.levels", clause["levels"]), clause["levels"], strict=True):
        level_id = level["id"]
        when, zh = _level_column(row, "when", level_id), _level_column(row, "text", level_id, "zh")
        zh = zh or _level_column(row, "text", level_id)
        en, credit = _level_column(row, "text", level_id, "en"), _level_column(row, "credit", level_id)
        first = when or zh or en
        places.row(
            level_path,
            row,
            {"id": first, "when": when or first, "text": zh or first, "text.zh": zh or first, "text.en": en or first},
        )
        if credit:
            places.cell(f"{path}.credit.{level_id}", row, credit)
            places.cell(f"{path}.credit", row, credit, first=True)


def _frameworks(rows: list[Row], places: Places, problems: list[Problem]) -> list[dict]:
    frameworks: dict[str, dict] = {}
    framework_rows: dict[str, Row] = {}
    group_rows: dict[str, list[Row]] = {}
    for row in rows:
        name = row.get("framework")
        if name is None:
            problems.append(problem(row.cell("framework"), "framework_needed"))
            continue
        framework = frameworks.setdefault(str(name), {"id": str(name), "title": str(name), "groups": []})
        framework_rows.setdefault(str(name), row)
        if row.get("group") is None:
            framework["title"] = text(row, "title") or str(name)
            framework_rows[str(name)] = row
        else:
            group = str(row.get("group"))
            framework["groups"].append({"id": group, "title": text(row, "title") or group})
            group_rows.setdefault(str(name), []).append(row)
    out = list(frameworks.values())
    for path, framework in zip(locations("frameworks", out), out, strict=True):
        places.row(path, framework_rows[framework["id"]], {"id": "framework"} | text_fields("title"))
        rows_of = group_rows.get(framework["id"], [])
        for group_path, row in zip(locations(f"{path}.groups", framework["groups"]), rows_of, strict=True):
            places.row(group_path, row, {"id": "group"} | text_fields("title"))
    return out


REQUIRE_FIELDS = {
    "clauses": "grade",
    "clauses.core": "core",
    "clauses.standard": "standard",
    "clauses.chapter": "chapter",
    "clauses.ids": "ids",
    "level": "level",
    "share": "share",
}


def _requires(rows: list[Row], grades: list[dict], places: Places, problems: list[Problem]) -> None:
    by_id = {g.get("id"): (path, g) for path, g in zip(locations("grades", grades), grades, strict=True)}
    for row in rows:
        grade = row.get("grade")
        if grade not in by_id:
            problems.append(problem(row.cell("grade"), "unknown_grade_row", grade=grade))
            continue
        path, entry = by_id[grade]
        selector: dict[str, Any] = {}
        if row.get("core") is not None:
            selector["core"] = flag(row.get("core"))
        if row.get("standard") is not None:
            selector["standard"] = STANDARDS.get(str(row.get("standard")), str(row.get("standard")))
        if row.get("chapter") is not None:
            selector["chapter"] = str(row.get("chapter"))
        if row.get("ids") is not None:
            selector["ids"] = words(row.get("ids"))
        requirement = {"clauses": selector, "level": _text(row.get("level")), "share": number(row.get("share"))}
        entry.setdefault("requires", []).append({k: v for k, v in requirement.items() if v is not None})
        places.row(f"{path}.requires[{len(entry['requires']) - 1}]", row, REQUIRE_FIELDS)
