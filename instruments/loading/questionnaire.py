"""Loading the questionnaire: dimensions, sections and their items, and relevance loops."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import ExpressionError, closest
from ..expressions import CHOICE, FUNCTIONS, KEYWORDS, NUMBER, Symbol, referenced_names
from ..item_types import ITEM_TYPES, ItemType
from ..model import Choice, Dimension, Item, Section
from .checker import NAME, PART_ID, Checker, describe
from .graphs import cycles


def dimensions(check: Checker, raw: Any) -> list[Dimension]:
    out, seen = [], {}
    for where, entry in check.entries("dimensions", raw):
        record = check.record(where, entry, "dimension")
        if record is None:
            continue
        dim_id = check.string(f"{where}.id", record.get("id"), PART_ID)
        title = check.text(f"{where}.title", record.get("title"))
        if check.unique(f"{where}.id", dim_id, seen, "dimension_id") and title:
            out.append(Dimension(dim_id, title))
    return out


def name(check: Checker, where: str, value: Any) -> str | None:
    """An id that expressions may use: a valid name that is not a word of the language."""
    found = check.string(where, value, NAME)
    if found in KEYWORDS or found in FUNCTIONS:
        check.problem(where, "reserved_word", value=found)
        return None
    return found


def sections(check: Checker, raw: Any) -> tuple[list[Section], dict[str, Symbol]]:
    """Sections and items; item expressions may use items only."""
    section_ids: dict[str, str] = {}
    item_ids: dict[str, str] = {}
    parsed: list[tuple[str, dict, dict[str, dict], int]] = []  # where, section, items by place, count
    if isinstance(raw, list) and not raw:
        check.problem("sections", "no_sections")
    for where, entry in check.entries("sections", raw):
        record = check.record(where, entry, "section")
        if record is None:
            continue
        section_id = check.string(f"{where}.id", record.get("id"), PART_ID)
        check.unique(f"{where}.id", section_id, section_ids, "section_id")
        items: dict[str, dict] = {}
        entries = check.entries(f"{where}.items", record.get("items"))
        if isinstance(record.get("items"), list) and not entries:
            check.problem(f"{where}.items", "no_items")
        for item_where, item_entry in entries:
            item = check.record(item_where, item_entry, "item")
            if item is None:
                continue
            item_id = name(check, f"{item_where}.id", item.get("id"))
            if check.unique(f"{item_where}.id", item_id, item_ids, "item_id"):
                items[item_where] = item
        parsed.append((where, record, items, len(entries)))

    symbols: dict[str, Symbol] = {}
    types: dict[str, ItemType] = {}
    for _, _, items, _ in parsed:
        for where, item in items.items():
            kind = item.get("type")
            item_type = ITEM_TYPES.get(kind) if isinstance(kind, str) else None
            if item_type is None:
                if kind is not None:
                    hint = closest(kind, ITEM_TYPES) if isinstance(kind, str) else None
                    check.problem(
                        f"{where}.type",
                        "unknown_type",
                        found=describe(kind),
                        suggestion=hint,
                        allowed=", ".join(ITEM_TYPES),
                    )
                symbols[item["id"]] = Symbol(NUMBER)  # checked as a number, so one mistake is reported once
                continue
            types[item["id"]] = item_type
            item["_choices"] = _choices(check, where, item, item_type)
            values = tuple(c.value for c in item["_choices"]) if item_type.kind == CHOICE else ()
            symbols[item["id"]] = Symbol(item_type.kind, values)

    out = []
    for where, record, items, count in parsed:
        built = [_item(check, w, item, symbols, types.get(item["id"]), record.get("id")) for w, item in items.items()]
        title = check.text(f"{where}.title", record.get("title"))
        if title and record.get("id") and all(built) and len(built) == count:
            out.append(Section(record["id"], title, tuple(built)))
    _relevance_loops(check, parsed)
    return out, symbols


def _choices(check: Checker, where: str, item: dict, item_type: ItemType) -> tuple[Choice, ...]:
    raw = item.get("choices")
    if not item_type.has_choices:
        if raw is not None:
            check.problem(f"{where}.choices", "choices_not_allowed", type=item["type"])
        return ()
    if not raw:
        check.problem(f"{where}.choices", "choices_needed", type=item["type"])
        return ()
    out, seen = [], {}
    listing = [
        {**entry, "value": str(entry["value"])}
        if isinstance(entry, Mapping) and isinstance(entry.get("value"), int) and not isinstance(entry["value"], bool)
        else entry
        for entry in check.listing(f"{where}.choices", raw)
    ]
    for choice_where, entry in check.entries(f"{where}.choices", listing, key="value"):
        record = check.record(choice_where, entry, "choice")
        if record is None:
            continue
        value = check.string(f"{choice_where}.value", record.get("value"))
        label = check.text(f"{choice_where}.label", record.get("label"))
        if check.unique(f"{choice_where}.value", value, seen, "choice_value") and label:
            out.append(Choice(value, label))
    return tuple(out)


def _item(
    check: Checker, where: str, raw: dict, symbols: dict[str, Symbol], item_type: ItemType | None, section: Any
) -> Item | None:
    label = check.text(f"{where}.label", raw.get("label"))
    unit = check.text(f"{where}.unit", raw.get("unit"))
    hint = check.text(f"{where}.hint", raw.get("hint"))
    required = check.flag(f"{where}.required", raw.get("required"))
    low = check.number(f"{where}.min", raw.get("min"))
    high = check.number(f"{where}.max", raw.get("max"))
    if item_type is not None and not item_type.bounded:
        for key in ("min", "max"):
            if raw.get(key) is not None:
                check.problem(f"{where}.{key}", "bounds_not_allowed", key=key, type=raw["type"])
    if low is not None and high is not None and low > high:
        check.problem(f"{where}.max", "max_below_min", high=f"{high:g}", low=f"{low:g}")
    constraint = relevant = None
    if raw.get("constraint") is not None:
        constraint = check.expression(f"{where}.constraint", raw["constraint"], symbols, condition=True)
    if raw.get("relevant") is not None:
        relevant = check.expression(f"{where}.relevant", raw["relevant"], symbols, condition=True)
    message = check.text(f"{where}.constraint_message", raw.get("constraint_message"))
    if message and raw.get("constraint") is None:
        check.problem(f"{where}.constraint_message", "message_without_constraint")
    if item_type is None or label is None or not isinstance(section, str):
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


def _relevance_loops(check: Checker, parsed: list[tuple[str, dict, dict[str, dict], int]]) -> None:
    graph: dict[str, tuple[str, ...]] = {}
    places: dict[str, str] = {}
    for _, _, items, _ in parsed:
        for where, item in items.items():
            places[item["id"]] = f"{where}.relevant"
            try:
                graph[item["id"]] = referenced_names(item.get("relevant") or "true")
            except (ExpressionError, TypeError):
                graph[item["id"]] = ()
    for loop in cycles(graph):
        check.problem(places[loop[0]], "relevance_loop", path=" → ".join(loop))
