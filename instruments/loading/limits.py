"""Limits on what an instrument may hold, so that no upload can keep a worker busy.

Reading YAML costs time per value, scoring costs time per formula, and the gap
search of a scorecard costs, for each scored indicator, the items it reaches
times the size of the formulas it is computed through. Each cost is bounded
here, well above what a real standard needs (each bundled instrument holds at
most 70 items, 50 indicators, 40,000 characters and 3,200 values, and its gap
search at most 549 steps). Exceeding a limit is a located problem like any other.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..model import Instrument
from .checker import Checker, locations

MAX_SIZE = 2_000_000  # characters of instrument text
MAX_VALUES = 100_000  # YAML values (scalars, lists and mappings) in one document
MAX_NESTING = 50  # lists and mappings inside one another
MAX_ENTRIES = {  # entries of each top-level list
    "dimensions": 50,
    "sections": 100,
    "indicators": 500,
    "grades": 20,
    "chapters": 100,
    "clauses": 500,
    "frameworks": 10,
}
MAX_ITEMS = 1_000  # items in all sections together
MAX_CHOICES = 200  # choices of one item
MAX_LEVELS = 10  # levels of one clause
MAX_INDICATOR_DEPTH = 20  # an indicator computed through at most this many levels of other indicators
MAX_GAP_WORK = 200_000  # cost of one scorecard's gap search (see gap_work)
MAX_OPERATIONS = 20_000  # operations in all expressions together: scoring 50,000 centres costs this many array steps


def check_sizes(check: Checker, top: Mapping[str, Any]) -> None:
    """Report every list longer than its limit (nothing else is worth reading then)."""
    for key, limit in MAX_ENTRIES.items():
        value = top.get(key)
        if isinstance(value, list) and len(value) > limit:
            check.problem(key, "too_many", count=len(value), limit=limit)
    sections = top.get("sections")
    if not isinstance(sections, list):
        return
    lists = [
        (where, section["items"])
        for where, section in zip(locations("sections", sections), sections, strict=True)
        if isinstance(section, Mapping) and isinstance(section.get("items"), list)
    ]
    count = sum(len(items) for _, items in lists)
    if count > MAX_ITEMS:
        check.problem("sections", "too_many_items", count=count, limit=MAX_ITEMS)
        return
    for where, items in lists:
        for item_where, item in zip(locations(f"{where}.items", items), items, strict=True):
            choices = item.get("choices") if isinstance(item, Mapping) else None
            if isinstance(choices, list) and len(choices) > MAX_CHOICES:
                check.problem(f"{item_where}.choices", "too_many", count=len(choices), limit=MAX_CHOICES)


def gap_work(instrument: Instrument) -> dict[str, int]:
    """For each scored indicator, the cost of searching its gap.

    The search evaluates the formulas behind the indicator (and the constraints of the items
    it reaches) a few dozen times, for all of its items at once: so the cost is the size of
    those formulas, growing by a quarter for every item searched beside the first four.
    """
    out = {}
    for indicator in instrument.scored_indicators:
        behind = set(instrument.items_behind(indicator.id))
        size = sum(
            instrument.indicator[name].formula.size
            for name in instrument.closure([indicator.id])
            if name in instrument.indicator
        )
        size += sum(
            item.constraint.size
            for item in instrument.items
            if item.constraint is not None and (item.id in behind or behind & set(item.constraint.names))
        )
        out[indicator.id] = size * (4 + len(behind))
    return out


def operations(instrument: Instrument) -> int:
    """Operations in all of an instrument's expressions: what scoring evaluates for every centre."""
    expressions = [ind.formula for ind in instrument.indicators]
    expressions += [e for item in instrument.items for e in (item.constraint, item.relevant) if e is not None]
    expressions += [level.when for clause in instrument.clauses for level in clause.levels if level.when]
    expressions += [grade.when for grade in instrument.grades if grade.when is not None]
    return sum(expression.size for expression in expressions)
