"""Load an instrument from YAML or JSON, checking it against the contract.

Loading is all or nothing: the whole document is read and checked, every
problem of the file is collected in one pass with its location
(`indicators[prof_tech_share].formula: …`, see `loading.checker`), and either a
complete Instrument comes back or an InstrumentError lists them all. The parts
are read in the order they depend on one another — frameworks, dimensions and
the questionnaire, then indicators, chapters and clauses, then grades — and a
part that fails is not reported again by the parts that use it. Problems are
codes of the core's one catalogue (`instruments.messages`); limits
(`loading.limits`) keep any upload from occupying a worker for long.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from .errors import InstrumentError, Position, Problem
from .loading.checker import INSTRUMENT_ID, PART_ID, Checker, describe
from .loading.clauses import ClauseReader
from .loading.grades import GradeReader
from .loading.indicators import indicators as read_indicators
from .loading.limits import (
    MAX_GAP_WORK,
    MAX_NESTING,
    MAX_OPERATIONS,
    MAX_SIZE,
    MAX_VALUES,
    check_sizes,
    gap_work,
    operations,
)
from .loading.questionnaire import dimensions as read_dimensions
from .loading.questionnaire import sections as read_sections
from .loading.structure import chapters as read_chapters
from .loading.structure import frameworks as read_frameworks
from .messages import Message
from .model import Instrument
from .units import derived_unit

TOTALS = ("weighted", "mean_of_dimensions")

KEYS = {
    "instrument": (
        "id",
        "version",
        "title",
        "description",
        "applies_to",
        "dimensions",
        "sections",
        "indicators",
        "grades",
        "total",
        "chapters",
        "clauses",
        "frameworks",
    ),
    "dimension": ("id", "title"),
    "section": ("id", "title", "items"),
    "item": (
        "id",
        "type",
        "label",
        "unit",
        "required",
        "min",
        "max",
        "constraint",
        "constraint_message",
        "relevant",
        "choices",
        "hint",
    ),
    "choice": ("value", "label"),
    "indicator": (
        "id",
        "label",
        "formula",
        "dimension",
        "format",
        "target",
        "weight",
        "scoring",
        "floor",
        "pooled",
        "standard",
        "groups",
    ),
    "standard": ("source", "text", "note"),
    "grade": ("id", "label", "min_score", "must_meet", "when", "requires"),
    "requirement": ("clauses", "level", "share"),
    "selector": ("core", "standard", "chapter", "ids"),
    "chapter": ("id", "number", "title"),
    "clause": (
        "id",
        "number",
        "chapter",
        "standard",
        "core",
        "text",
        "rated",
        "levels",
        "evidence",
        "weight",
        "credit",
        "standard_ref",
        "groups",
    ),
    "level": ("id", "when", "text"),
    "framework": ("id", "title", "groups"),
    "group": ("id", "title"),
}
REQUIRED = {
    "instrument": ("id", "version", "title", "sections"),
    "dimension": ("id", "title"),
    "section": ("id", "title", "items"),
    "item": ("id", "type", "label"),
    "choice": ("value", "label"),
    "indicator": ("id", "label", "formula"),
    "standard": ("source", "text"),
    "grade": ("id", "label"),
    "requirement": ("clauses", "level", "share"),
    "selector": (),
    "chapter": ("id", "title"),
    "clause": ("id", "standard", "text", "rated", "levels"),
    "level": ("id",),
    "framework": ("id", "title", "groups"),
    "group": ("id", "title"),
}


def _problem(where: str, code: str, **params: Any) -> Problem:
    return Problem(where, code, params)


def load(source: str | Path | Mapping) -> Instrument:
    """Load an instrument from a path, from YAML/JSON text, or from parsed data."""
    if isinstance(source, Mapping):
        return load_data(source)
    if isinstance(source, Path) or _looks_like_path(source):
        path = Path(source)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise InstrumentError([_problem(str(path), "cannot_read", reason=str(exc))]) from None
        return load_text(text)
    return load_text(source)


def _looks_like_path(source: object) -> bool:
    return (
        isinstance(source, str) and "\n" not in source and source.strip().lower().endswith((".yaml", ".yml", ".json"))
    )


def load_text(text: str) -> Instrument:
    """Load an instrument from YAML or JSON text."""
    return load_data(parse(text), source=text)


# ---------------------------------------------------------------- reading the text

_BASE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML was built with it


class _DuplicateKeyError(yaml.constructor.ConstructorError):
    """A key given twice in one YAML mapping."""

    def __init__(self, key: Any, mark: Any) -> None:
        self.message = Message("yaml_duplicate_key", {"key": key})
        super().__init__(None, None, str(self.message), mark)


class _YamlLoader(_BASE):  # type: ignore[misc, valid-type]
    """Safe YAML with duplicate keys refused (aliases are refused before, by `_survey`)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
                seen.add(key)
            except TypeError:  # an unhashable key: let the constructor say so
                break
            if duplicate:
                raise _DuplicateKeyError(key, key_node.start_mark)
        return super().construct_mapping(node, deep)


def parse(text: str) -> Any:
    """Read YAML or JSON text into plain data; located InstrumentError when it cannot."""
    if not isinstance(text, str):
        raise InstrumentError([_problem("", "not_text_given")])
    if len(text) > MAX_SIZE:
        raise InstrumentError([_problem("", "too_large", limit=MAX_SIZE)])
    try:
        if text.lstrip().startswith("{"):
            return json.loads(text, object_pairs_hook=_unique_json_keys)
        _survey(text)
        return yaml.load(text, Loader=_YamlLoader)  # noqa: S506 - a safe loader
    except InstrumentError:
        raise
    except json.JSONDecodeError as exc:
        where = Position(exc.lineno, exc.colno)
        raise InstrumentError([_problem(where, "json_invalid", reason=exc.msg)]) from None
    except yaml.MarkedYAMLError as exc:
        where = _at(exc.problem_mark or exc.context_mark)
        if isinstance(exc, _DuplicateKeyError):
            what = exc.message
        else:
            what = exc.problem or exc.context or Message("yaml_no_reason")
        raise InstrumentError([_problem(where, "yaml_invalid", reason=what)]) from None
    except RecursionError:
        raise InstrumentError([_problem("", "nested_too_deep")]) from None
    except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
        # PyYAML raises plain ValueError for impossible dates such as 2025-13-45.
        raise InstrumentError([_problem("", "yaml_invalid", reason=str(exc))]) from None


def _survey(text: str) -> None:
    """Walk the YAML's events once, cheaply, refusing aliases, deep nesting and too many values."""
    depth = values = 0
    for event in yaml.parse(text, Loader=_BASE):
        if isinstance(event, yaml.AliasEvent):
            where = _at(event.start_mark)
            raise InstrumentError([_problem(where, "yaml_invalid", reason=Message("yaml_alias"))])
        if isinstance(event, yaml.ScalarEvent | yaml.CollectionStartEvent):
            values += 1
            if values > MAX_VALUES:
                raise InstrumentError([_problem(_at(event.start_mark), "too_many_values", limit=MAX_VALUES)])
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_NESTING:
                raise InstrumentError([_problem(_at(event.start_mark), "nested_too_deep")])
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _at(mark: Any) -> str:
    return Position(mark.line + 1, mark.column + 1) if mark else ""


def _unique_json_keys(pairs: list) -> dict:
    out: dict = {}
    for key, value in pairs:
        if key in out:
            raise InstrumentError([_problem("", "json_duplicate_key", key=key)])
        out[key] = value
    return out


# ---------------------------------------------------------------- checking


def load_data(data: Any, source: str = "") -> Instrument:
    """Check parsed data against the contract and build the Instrument."""
    check = Checker(KEYS, REQUIRED)
    if not isinstance(data, Mapping):
        raise InstrumentError([_problem("", "top_not_mapping", found=describe(data))])
    check_sizes(check, data)
    if check.problems:
        raise InstrumentError(check.problems)
    top = check.record("", data, "instrument") or {}

    instrument_id = check.string("id", top.get("id"), INSTRUMENT_ID)
    version = check.string("version", top.get("version"))
    title = check.text("title", top.get("title"))
    applies_to = tuple(
        s
        for i, v in enumerate(check.listing("applies_to", top.get("applies_to")))
        if (s := check.string(f"applies_to[{i}]", v, PART_ID))
    )
    total = check.one_of("total", top.get("total"), TOTALS, "weighted")
    frameworks = read_frameworks(check, top.get("frameworks"))
    tags = {f.id: {g.id for g in f.groups} for f in frameworks}
    dimensions = read_dimensions(check, top.get("dimensions"))
    sections, item_symbols = read_sections(check, top.get("sections"))
    indicators, broken, symbols = read_indicators(check, top.get("indicators"), item_symbols, dimensions, tags, total)
    taken = {
        **dict.fromkeys(item_symbols, "already_item_id"),
        **dict.fromkeys([*broken, *(ind.id for ind in indicators)], "already_indicator_id"),
    }
    chapters = read_chapters(check, top.get("chapters"))
    clause_reader = ClauseReader(check, symbols, taken, broken, chapters, tags, total)
    clauses, broken_clauses = clause_reader.clauses(top.get("clauses"))
    grades = GradeReader(check, symbols, indicators, clauses, chapters, broken | broken_clauses).grades(
        top.get("grades")
    )
    if total == "mean_of_dimensions" and not dimensions:
        check.problem("total", "mean_needs_dimensions")
    if check.problems:
        raise InstrumentError(check.problems)
    items = {item.id: item for section in sections for item in section.items}
    indicators = [replace(ind, unit=derived_unit(items, ind.formula.source)) for ind in indicators]
    instrument = Instrument(
        id=instrument_id,
        version=version,
        title=title,
        applies_to=applies_to,
        sections=tuple(sections),
        indicators=tuple(indicators),
        dimensions=tuple(dimensions),
        grades=tuple(grades),
        total=total,
        chapters=tuple(chapters),
        clauses=tuple(clauses),
        frameworks=tuple(frameworks),
        source=source,
    )
    _check_cost(check, instrument, top.get("indicators"))
    return instrument


def _check_cost(check: Checker, instrument: Instrument, raw: Any) -> None:
    """Refuse an instrument whose scoring, or whose scorecards' gap search, would take too long."""
    size = operations(instrument)
    if size > MAX_OPERATIONS:
        check.problem("", "too_many_operations", count=size, limit=MAX_OPERATIONS)
    work = gap_work(instrument)
    total = sum(work.values())
    if total > MAX_GAP_WORK:
        worst = max(work, key=work.__getitem__)
        where = next(at for at, entry in check.entries("indicators", raw) if entry.get("id") == worst)
        check.problem(f"{where}.formula", "too_intricate", work=total, limit=MAX_GAP_WORK, own=work[worst])
    if check.problems:
        raise InstrumentError(check.problems)
