"""Load an instrument from YAML or JSON, checking it against the contract.

Loading is all or nothing: the whole document is read and checked, every
problem is collected with its location (`indicators[3].formula: …`), and
either a complete Instrument comes back or an InstrumentError lists them all.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from .errors import ExpressionError, InstrumentError, Problem
from .expressions import (
    BOOLEAN,
    CHOICE,
    FUNCTIONS,
    KEYWORDS,
    NUMBER,
    Expression,
    Symbol,
    compile_expression,
    referenced_names,
)
from .item_types import ITEM_TYPES
from .model import (
    Choice,
    Dimension,
    Grade,
    Indicator,
    Instrument,
    Item,
    Section,
    Standard,
    Target,
    Text,
)

MAX_SIZE = 5_000_000  # characters of instrument text
INSTRUMENT_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
PART_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]{0,63}")
FORMATS = ("percent", "number", "integer", "boolean")
SCORINGS = ("threshold", "linear")
TOTALS = ("weighted", "mean_of_dimensions")
TARGET = re.compile(r"\s*(>=|<=|==|!=|>|<)\s*(\S.*?)\s*")

KEYS = {
    "instrument": ("id", "version", "title", "description", "applies_to", "dimensions",
                   "sections", "indicators", "grades", "total"),
    "dimension": ("id", "title"),
    "section": ("id", "title", "items"),
    "item": ("id", "type", "label", "unit", "required", "min", "max", "constraint",
             "constraint_message", "relevant", "choices", "hint"),
    "choice": ("value", "label"),
    "indicator": ("id", "label", "formula", "dimension", "format", "target", "weight",
                  "scoring", "floor", "pooled", "standard"),
    "standard": ("source", "text", "note"),
    "grade": ("id", "label", "min_score", "must_meet"),
}  # fmt: skip
REQUIRED = {
    "instrument": ("id", "version", "title", "sections"),
    "dimension": ("id", "title"),
    "section": ("id", "title", "items"),
    "item": ("id", "type", "label"),
    "choice": ("value", "label"),
    "indicator": ("id", "label", "formula"),
    "standard": ("source", "text"),
    "grade": ("id", "label"),
}


def load(source: str | Path | Mapping) -> Instrument:
    """Load an instrument from a path, from YAML/JSON text, or from parsed data."""
    if isinstance(source, Mapping):
        return load_data(source)
    if isinstance(source, Path) or _looks_like_path(source):
        path = Path(source)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise InstrumentError([Problem(str(path), f"cannot be read ({exc})")]) from None
        return load_text(text)
    return load_text(source)


def _looks_like_path(source: object) -> bool:
    return (
        isinstance(source, str) and "\n" not in source and source.strip().lower().endswith((".yaml", ".yml", ".json"))
    )


def load_text(text: str) -> Instrument:
    """Load an instrument from YAML or JSON text."""
    return load_data(parse(text), source=text)


def parse(text: str) -> Any:
    """Read YAML or JSON text into plain data; located InstrumentError when it cannot."""
    if not isinstance(text, str):
        raise InstrumentError([Problem("", "an instrument must be given as text")])
    if len(text) > MAX_SIZE:
        raise InstrumentError([Problem("", f"larger than {MAX_SIZE:,} characters")])
    try:
        if text.lstrip().startswith("{"):
            return json.loads(text, object_pairs_hook=_unique_json_keys)
        return yaml.load(text, Loader=_YamlLoader)  # noqa: S506 - a SafeLoader subclass
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise InstrumentError([Problem(where, f"not valid JSON: {exc.msg}")]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        what = exc.problem or exc.context or "not valid YAML"
        raise InstrumentError([Problem(where, f"not valid YAML: {what}")]) from None
    except RecursionError:
        raise InstrumentError([Problem("", "nested too deeply to be an instrument")]) from None
    except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
        # PyYAML raises plain ValueError for impossible dates such as 2025-13-45.
        raise InstrumentError([Problem("", f"not valid YAML: {exc}")]) from None


def _unique_json_keys(pairs: list) -> dict:
    out: dict = {}
    for key, value in pairs:
        if key in out:
            raise InstrumentError([Problem("", f"duplicate key '{key}' in JSON")])
        out[key] = value
    return out


class _YamlLoader(yaml.SafeLoader):
    """Safe YAML without aliases (no billion laughs) and with duplicate keys refused."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in an instrument", event.start_mark
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
                seen.add(key)
            except TypeError:  # an unhashable key: let the constructor say so
                break
            if duplicate:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key '{key}'", key_node.start_mark)
        return super().construct_mapping(node, deep)


# ---------------------------------------------------------------- checking


def _suggest(name: str, candidates) -> str:
    close = difflib.get_close_matches(str(name), sorted(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


class _Checker:
    """Collects located problems while reading plain data into the model."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, where: str, message: str) -> None:
        self.problems.append(Problem(where, message))

    def record(self, where: str, value: Any, kind: str, partial: bool = False) -> dict | None:
        """A mapping checked for the contract's keys of `kind`.

        Unknown keys are reported and ignored; a missing required key makes it None,
        unless `partial`, when the rest is still worth checking.
        """
        if not isinstance(value, Mapping):
            self.problem(where, f"must be a mapping of keys, not {_describe(value)}")
            return None
        for key in value:
            if key not in KEYS[kind]:
                self.problem(_join(where, key), f"unknown key{_suggest(key, KEYS[kind])}")
        complete = True
        for key in REQUIRED[kind]:
            if value.get(key) is None:
                self.problem(_join(where, key), "is required")
                complete = False
        return dict(value) if complete or partial else None

    def listing(self, where: str, value: Any) -> list:
        if value is None:  # a required list that is absent was reported by record()
            return []
        if not isinstance(value, list):
            self.problem(where, f"must be a list, not {_describe(value)}")
            return []
        return value

    def string(self, where: str, value: Any, pattern: re.Pattern | None = None) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            hint = " (write it in quotes)" if isinstance(value, int | float) else ""
            self.problem(where, f"must be text, not {_describe(value)}{hint}")
            return None
        if pattern and not pattern.fullmatch(value):
            self.problem(where, f"'{value}' is not a valid id ({_pattern_words(pattern)})")
            return None
        return value.strip()

    def text(self, where: str, value: Any) -> Text | None:
        if value is None:
            return None
        if isinstance(value, str) and value.strip():
            return Text(value.strip())
        if isinstance(value, Mapping):
            unknown = [k for k in value if k not in ("zh", "en")]
            for key in unknown:
                self.problem(_join(where, key), "unknown language (use zh and en)")
            zh = self.string(_join(where, "zh"), value.get("zh"))
            en = self.string(_join(where, "en"), value.get("en"))
            if not (zh or en):
                if not unknown and "zh" not in value and "en" not in value:
                    self.problem(where, "needs a text under zh (and en)")
                return None
            return Text(zh or en or "", en)
        self.problem(where, f"must be text or {{zh: …, en: …}}, not {_describe(value)}")
        return None

    def number(self, where: str, value: Any) -> float | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            self.problem(where, f"must be a number, not {_describe(value)}")
            return None
        return float(value)

    def flag(self, where: str, value: Any, default: bool = False) -> bool:
        if value is None:
            return default
        if not isinstance(value, bool):
            self.problem(where, f"must be true or false, not {_describe(value)}")
            return default
        return value

    def one_of(self, where: str, value: Any, allowed: tuple[str, ...], default: str) -> str:
        if value is None:
            return default
        if value not in allowed:
            self.problem(
                where,
                f"must be one of {', '.join(allowed)}, not {_describe(value)}"
                + (_suggest(value, allowed) if isinstance(value, str) else ""),
            )
            return default
        return value

    def expression(
        self, where: str, source: Any, symbols: Mapping[str, Symbol], kinds: tuple[str, ...]
    ) -> Expression | None:
        try:
            expr = compile_expression(source, symbols)
        except ExpressionError as exc:
            self.problem(where, str(exc))
            return None
        if expr.kind not in kinds:
            self.problem(where, f"must be a condition (true or false), not a {expr.kind}")
            return None
        return expr


def _join(where: str, key: Any) -> str:
    return f"{where}.{key}" if where else str(key)


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return f"'{value[:40]}'"
    return {dict: "a mapping", list: "a list"}.get(type(value), type(value).__name__)


def _pattern_words(pattern: re.Pattern) -> str:
    if pattern is INSTRUMENT_ID:
        return "lower-case letters, digits and '-'"
    if pattern is NAME:
        return "letters, digits and '_', not starting with a digit, at most 64"
    return "letters, digits, '_' and '-', at most 64"


def load_data(data: Any, source: str = "") -> Instrument:
    """Check parsed data against the contract and build the Instrument."""
    check = _Checker()
    if not isinstance(data, Mapping):
        raise InstrumentError([Problem("", f"an instrument must be a mapping of keys, not {_describe(data)}")])
    top = check.record("", data, "instrument", partial=True)

    instrument_id = check.string("id", top.get("id"), INSTRUMENT_ID)
    version = check.string("version", top.get("version"))
    title = check.text("title", top.get("title"))
    applies_to = tuple(
        s for i, v in enumerate(check.listing("applies_to", top.get("applies_to")))
        if (s := check.string(f"applies_to[{i}]", v, PART_ID))
    )  # fmt: skip
    total = check.one_of("total", top.get("total"), TOTALS, "weighted")
    dimensions = _dimensions(check, top.get("dimensions"))
    sections, symbols = _sections(check, top.get("sections"))
    indicators = _indicators(check, top.get("indicators"), symbols, dimensions, total)
    raw_indicators = top.get("indicators") if isinstance(top.get("indicators"), list) else []
    declared = {e["id"] for e in raw_indicators if isinstance(e, Mapping) and isinstance(e.get("id"), str)}
    grades = _grades(check, top.get("grades"), indicators, declared)
    if total == "mean_of_dimensions" and not dimensions:
        check.problem("total", "mean_of_dimensions needs dimensions")
    if check.problems:
        raise InstrumentError(check.problems)
    return Instrument(
        id=instrument_id,
        version=version,
        title=title,
        applies_to=applies_to,
        sections=tuple(sections),
        indicators=tuple(indicators),
        dimensions=tuple(dimensions),
        grades=tuple(grades),
        total=total,
        source=source,
    )


def _unique(check: _Checker, where: str, value: str | None, seen: dict[str, str], what: str) -> bool:
    if value is None:
        return False
    if value in seen:
        check.problem(where, f"duplicate {what} '{value}' (also at {seen[value]})")
        return False
    seen[value] = where
    return True


def _dimensions(check: _Checker, raw: Any) -> list[Dimension]:
    out, seen = [], {}
    for i, entry in enumerate(check.listing("dimensions", raw)):
        where = f"dimensions[{i}]"
        record = check.record(where, entry, "dimension")
        if record is None:
            continue
        dim_id = check.string(f"{where}.id", record["id"], PART_ID)
        title = check.text(f"{where}.title", record["title"])
        if _unique(check, f"{where}.id", dim_id, seen, "dimension id") and title:
            out.append(Dimension(dim_id, title))
    return out


def _sections(check: _Checker, raw: Any) -> tuple[list[Section], dict[str, Symbol]]:
    """Sections and items; item expressions may use items only."""
    section_ids: dict[str, str] = {}
    item_ids: dict[str, str] = {}
    parsed: list[tuple[str, dict, dict, int]] = []  # where, section, items by place, count
    sections_raw = check.listing("sections", raw)
    if isinstance(raw, list) and not raw:
        check.problem("sections", "needs at least one section")
    for s, entry in enumerate(sections_raw):
        where = f"sections[{s}]"
        record = check.record(where, entry, "section")
        if record is None:
            continue
        _unique(check, f"{where}.id", check.string(f"{where}.id", record["id"], PART_ID),
                section_ids, "section id")  # fmt: skip
        items = {}
        entries = check.listing(f"{where}.items", record["items"])
        if isinstance(record["items"], list) and not entries:
            check.problem(f"{where}.items", "needs at least one item")
        for i, item_entry in enumerate(entries):
            item_where = f"{where}.items[{i}]"
            item = check.record(item_where, item_entry, "item")
            if item is None:
                continue
            item_id = _name(check, f"{item_where}.id", item["id"])
            if _unique(check, f"{item_where}.id", item_id, item_ids, "id"):
                items[item_where] = item
        parsed.append((where, record, items, len(entries)))

    symbols: dict[str, Symbol] = {}
    for _, _, items, _ in parsed:
        for where, item in items.items():
            item_type = ITEM_TYPES.get(item["type"]) if isinstance(item["type"], str) else None
            if item_type is None:
                check.problem(
                    f"{where}.type",
                    f"unknown type {_describe(item['type'])}"
                    + (_suggest(item["type"], ITEM_TYPES) if isinstance(item["type"], str) else "")
                    + f"; use one of {', '.join(ITEM_TYPES)}",
                )
                symbols[item["id"]] = Symbol(NUMBER)  # checked as a number, so one mistake is reported once
                continue
            item["_choices"] = _choices(check, where, item, item_type)
            values = tuple(c.value for c in item["_choices"]) if item_type.kind == CHOICE else ()
            symbols[item["id"]] = Symbol(item_type.kind, values)

    sections = []
    for where, record, items, count in parsed:
        built = [_item(check, w, item, symbols, record["id"]) for w, item in items.items()]
        title = check.text(f"{where}.title", record["title"])
        if title and all(built) and len(built) == count:
            sections.append(Section(record["id"], title, tuple(built)))
    _relevance_loops(check, parsed)
    return sections, symbols


def _name(check: _Checker, where: str, value: Any) -> str | None:
    name = check.string(where, value, NAME)
    if name in KEYWORDS or name in FUNCTIONS:
        check.problem(where, f"'{name}' is a word of the expression language; choose another id")
        return None
    return name


def _choices(check: _Checker, where: str, item: dict, item_type) -> tuple[Choice, ...]:
    raw = item.get("choices")
    if not item_type.has_choices:
        if raw is not None:
            check.problem(f"{where}.choices", f"only choice items have choices, not {item['type']}")
        return ()
    if not raw:
        check.problem(f"{where}.choices", f"a {item['type']} item needs a list of choices")
        return ()
    out, seen = [], {}
    for c, entry in enumerate(check.listing(f"{where}.choices", raw)):
        choice_where = f"{where}.choices[{c}]"
        record = check.record(choice_where, entry, "choice")
        if record is None:
            continue
        value = record["value"]
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        value = check.string(f"{choice_where}.value", value)
        label = check.text(f"{choice_where}.label", record["label"])
        if _unique(check, f"{choice_where}.value", value, seen, "choice value") and label:
            out.append(Choice(value, label))
    return tuple(out)


def _item(check: _Checker, where: str, raw: dict, symbols: dict, section: str) -> Item | None:
    item_type = ITEM_TYPES.get(raw["type"]) if isinstance(raw["type"], str) else None
    label = check.text(f"{where}.label", raw["label"])
    unit = check.text(f"{where}.unit", raw.get("unit"))
    hint = check.text(f"{where}.hint", raw.get("hint"))
    required = check.flag(f"{where}.required", raw.get("required"))
    low = check.number(f"{where}.min", raw.get("min"))
    high = check.number(f"{where}.max", raw.get("max"))
    if item_type is not None and not item_type.bounded:
        for key in ("min", "max"):
            if raw.get(key) is not None:
                check.problem(f"{where}.{key}", f"only number items take {key}, not {raw['type']}")
    if low is not None and high is not None and low > high:
        check.problem(f"{where}.max", f"{high:g} is below min {low:g}")
    allowed = (BOOLEAN,)
    constraint = relevant = None
    if raw.get("constraint") is not None:
        constraint = check.expression(f"{where}.constraint", raw["constraint"], symbols, allowed)
    if raw.get("relevant") is not None:
        relevant = check.expression(f"{where}.relevant", raw["relevant"], symbols, allowed)
    message = check.text(f"{where}.constraint_message", raw.get("constraint_message"))
    if message and raw.get("constraint") is None:
        check.problem(f"{where}.constraint_message", "there is no constraint for it to explain")
    if item_type is None or label is None or raw["id"] not in symbols:
        return None
    if (raw.get("constraint") is not None and constraint is None) or (
        raw.get("relevant") is not None and relevant is None
    ):
        return None
    return Item(
        id=raw["id"],
        type=item_type.name,
        label=label,
        section=section,
        unit=unit,
        hint=hint,
        required=required,
        min=low,
        max=high,
        constraint=constraint,
        constraint_message=message,
        relevant=relevant,
        choices=raw["_choices"],
    )


def _relevance_loops(check: _Checker, parsed) -> None:
    graph: dict[str, tuple[str, ...]] = {}
    places: dict[str, str] = {}
    for _, _, items, _ in parsed:
        for where, item in items.items():
            places[item["id"]] = f"{where}.relevant"
            try:
                graph[item["id"]] = referenced_names(item.get("relevant") or "true")
            except (ExpressionError, TypeError):
                graph[item["id"]] = ()
    for loop in _cycles(graph):
        check.problem(places[loop[0]], "relevance loops back on itself: " + " → ".join(loop))


def _cycles(graph: Mapping[str, tuple[str, ...]]) -> list[list[str]]:
    """Each cycle of a dependency graph once, as a path that ends where it starts."""
    state: dict[str, int] = {}  # 1 on the current path, 2 finished
    path: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for dep in graph.get(node, ()):
            if dep not in graph:
                continue
            if state.get(dep) == 1:
                found.append(path[path.index(dep) :] + [dep])
            elif dep not in state:
                visit(dep)
        path.pop()
        state[node] = 2

    for node in graph:
        if node not in state:
            visit(node)
    return found


def _indicators(
    check: _Checker,
    raw: Any,
    item_symbols: dict[str, Symbol],
    dimensions: list[Dimension],
    total: str,
) -> list[Indicator]:
    records: dict[str, tuple[str, dict]] = {}
    ids: dict[str, str] = {}
    for i, entry in enumerate(check.listing("indicators", raw)):
        where = f"indicators[{i}]"
        record = check.record(where, entry, "indicator")
        if record is None:
            continue
        ind_id = _name(check, f"{where}.id", record["id"])
        if ind_id in item_symbols:
            check.problem(f"{where}.id", f"'{ind_id}' is already an item id")
            continue
        if _unique(check, f"{where}.id", ind_id, ids, "indicator id"):
            records[ind_id] = (where, record)

    graph: dict[str, tuple[str, ...]] = {}
    for ind_id, (_, record) in records.items():
        try:
            graph[ind_id] = referenced_names(record["formula"])
        except (ExpressionError, TypeError):
            graph[ind_id] = ()
    broken: set[str] = set()
    for loop in _cycles(graph):
        check.problem(f"{records[loop[0]][0]}.formula", "indicators refer to each other in a loop: "
                      + " → ".join(loop))  # fmt: skip
        broken.update(loop)

    symbols = dict(item_symbols)
    compiled: dict[str, Indicator] = {}
    dimension_ids = {d.id for d in dimensions}
    for ind_id in _topological(graph):
        where, record = records[ind_id]
        if ind_id in broken or any(name in broken for name in graph[ind_id]):
            broken.add(ind_id)
            continue
        try:
            formula = compile_expression(record["formula"], symbols)
        except ExpressionError as exc:
            check.problem(f"{where}.formula", str(exc))
            broken.add(ind_id)
            continue
        symbols[ind_id] = Symbol(formula.kind, formula.choices)
        indicator = _indicator(check, where, record, formula, dimension_ids, item_symbols, total)
        if indicator is not None:
            compiled[ind_id] = indicator
    return [compiled[ind_id] for ind_id in records if ind_id in compiled]


def _topological(graph: Mapping[str, tuple[str, ...]]) -> list[str]:
    done: dict[str, None] = {}
    visiting: set[str] = set()

    def visit(node: str) -> None:
        if node in done or node in visiting:
            return
        visiting.add(node)
        for dep in graph[node]:
            if dep in graph:
                visit(dep)
        done[node] = None

    for node in graph:
        visit(node)
    return list(done)


def _indicator(
    check: _Checker,
    where: str,
    raw: dict,
    formula: Expression,
    dimension_ids: set[str],
    item_symbols: dict[str, Symbol],
    total: str,
) -> Indicator | None:
    before = len(check.problems)
    label = check.text(f"{where}.label", raw["label"])
    numeric = formula.kind in (NUMBER, BOOLEAN)
    default_format = "boolean" if formula.kind == BOOLEAN else "number"
    fmt = check.one_of(f"{where}.format", raw.get("format"), FORMATS, default_format)
    if raw.get("format") is not None and fmt in FORMATS:
        if formula.kind == CHOICE:
            check.problem(f"{where}.format", "the formula gives a choice, which has no number format")
        elif (fmt == "boolean") != (formula.kind == BOOLEAN):
            check.problem(
                f"{where}.format",
                f"'{fmt}' does not fit a formula that gives a {formula.kind}",
            )
    target = _target(check, f"{where}.target", raw.get("target"), formula)
    weight = check.number(f"{where}.weight", raw.get("weight"))
    if weight is not None and weight < 0:
        check.problem(f"{where}.weight", "must not be negative")
    scoring = check.one_of(f"{where}.scoring", raw.get("scoring"), SCORINGS, "threshold")
    floor = check.number(f"{where}.floor", raw.get("floor"))
    if scoring == "linear":
        _linear(check, where, target, floor, raw)
    elif raw.get("floor") is not None:
        check.problem(f"{where}.floor", "a floor is only used with scoring: linear")
    pooled = check.flag(f"{where}.pooled", raw.get("pooled"))
    if pooled:
        unsummable = [n for n in formula.names if item_symbols.get(n, Symbol(NUMBER)).kind == CHOICE]
        if unsummable or not numeric:
            check.problem(
                f"{where}.pooled",
                f"choice item '{unsummable[0]}' cannot be summed over a region"
                if unsummable
                else "only a number formula can be pooled",
            )
    dimension = check.string(f"{where}.dimension", raw.get("dimension"))
    if dimension is not None and dimension not in dimension_ids:
        check.problem(f"{where}.dimension", f"no dimension '{dimension}'{_suggest(dimension, dimension_ids)}")
    if total == "mean_of_dimensions" and target is not None and raw.get("dimension") is None:
        check.problem(f"{where}.dimension", "total is mean_of_dimensions, so a scored indicator needs one")
    standard = _standard(check, f"{where}.standard", raw.get("standard"))
    if len(check.problems) > before or label is None:
        return None
    return Indicator(
        id=raw["id"],
        label=label,
        formula=formula,
        dimension=dimension,
        format=fmt if formula.kind != CHOICE else "text",
        target=target,
        weight=1.0 if weight is None else weight,
        scoring=scoring,
        floor=floor,
        pooled=pooled,
        standard=standard,
    )


def _target(check: _Checker, where: str, raw: Any, formula: Expression) -> Target | None:
    if raw is None:
        return None
    if formula.kind == CHOICE:
        check.problem(where, "a text indicator cannot have a target")
        return None
    match = TARGET.fullmatch(raw) if isinstance(raw, str) else None
    if match is None:
        check.problem(where, f'must be a comparison such as ">= 0.90" or "== true", not {_describe(raw)}')
        return None
    op, word = match.groups()
    if word in ("true", "false"):
        if formula.kind != BOOLEAN:
            check.problem(where, f"compares with {word} but the formula gives a number")
            return None
        if op not in ("==", "!="):
            check.problem(where, f"true and false can only be compared with == or !=, not {op}")
            return None
        return Target(op, 1.0 if word == "true" else 0.0, raw.strip(), boolean=True)
    try:
        value = float(word[:-1]) / 100 if word.endswith("%") else float(word)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        check.problem(where, f"'{word}' is not a number")
        return None
    return Target(op, value, raw.strip())


def _linear(check: _Checker, where: str, target: Target | None, floor: float | None, raw: dict) -> None:
    if target is None:
        if raw.get("target") is None:
            check.problem(f"{where}.scoring", "linear scoring needs a target")
        return
    if target.boolean or target.op in ("==", "!="):
        check.problem(f"{where}.scoring", f"linear scoring needs a target with < or >, not '{target}'")
        return
    if floor is None:
        if raw.get("floor") is None:
            check.problem(f"{where}.floor", "linear scoring needs a floor (the value that earns nothing)")
        return
    rising = target.op in (">=", ">")
    if (rising and floor >= target.value) or (not rising and floor <= target.value):
        side = "below" if rising else "above"
        check.problem(f"{where}.floor", f"{floor:g} must be {side} the target {target.value:g}")


def _standard(check: _Checker, where: str, raw: Any) -> Standard | None:
    if raw is None:
        return None
    record = check.record(where, raw, "standard")
    if record is None:
        return None
    source = check.string(f"{where}.source", record["source"])
    text = check.string(f"{where}.text", record["text"])
    note = check.string(f"{where}.note", record.get("note"))
    return Standard(source, text, note) if source and text else None


def _grades(check: _Checker, raw: Any, indicators: list[Indicator], declared: set) -> list[Grade]:
    """Grades; a must_meet naming an indicator that failed to load is left to that indicator's own problem."""
    out, seen = [], {}
    known = {ind.id: ind for ind in indicators}
    for g, entry in enumerate(check.listing("grades", raw)):
        where = f"grades[{g}]"
        record = check.record(where, entry, "grade")
        if record is None:
            continue
        grade_id = check.string(f"{where}.id", record["id"], PART_ID)
        _unique(check, f"{where}.id", grade_id, seen, "grade id")
        label = check.text(f"{where}.label", record["label"])
        min_score = check.number(f"{where}.min_score", record.get("min_score"))
        if min_score is not None and not 0 <= min_score <= 100:
            check.problem(f"{where}.min_score", "must be between 0 and 100")
        must_meet = []
        for m, name in enumerate(check.listing(f"{where}.must_meet", record.get("must_meet"))):
            at = f"{where}.must_meet[{m}]"
            if not isinstance(name, str):
                check.problem(at, f"must be an indicator id, not {_describe(name)}")
            elif name not in known:
                if name not in declared:
                    check.problem(at, f"names no indicator: '{name}'{_suggest(name, known)}")
            elif not known[name].scored:
                check.problem(at, f"indicator '{name}' has no target to meet")
            else:
                must_meet.append(name)
        if grade_id and label:
            out.append(Grade(grade_id, label, min_score, tuple(must_meet)))
    return out
