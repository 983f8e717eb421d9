"""The unit of an indicator, read from its formula's items: `gps / service_population * 10000` counts 人/万人,
`staff_health_tech / beds_open` counts 人/张, `diseases_internal + diseases_surgical` counts what both count.

A ratio of two counts of one unit (nurses / physicians) and anything else has no unit.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .model import Item, Text

RATE = re.compile(r"(\w+)\s*/\s*(\w+)(?:\s*\*\s*(\d+))?")
SUM = re.compile(r"\w+(?:\s*\+\s*\w+)*")
PER = {1: "", 100: "百", 1000: "千", 10000: "万"}


def derived_unit(items: Mapping[str, Item], source: str) -> Text | None:
    """The unit of a formula's value when its items say it: a count of one unit, or one count per (scaled) other."""
    source = source.strip()
    if rate := RATE.fullmatch(source):
        top, per, scale = _unit(items, rate[1]), _unit(items, rate[2]), int(rate[3] or 1)
        if top is None or per is None or scale not in PER or (top == per and scale == 1):
            return None
        per_en = f"{scale:,} {per.get('en')}" if scale > 1 else per.get("en").removesuffix("s")
        return Text(f"{top.zh}/{PER[scale]}{per.zh}", f"{top.get('en')} per {per_en}")
    if SUM.fullmatch(source):
        units = {_unit(items, name) for name in re.findall(r"\w+", source)}
        return units.pop() if len(units) == 1 else None
    return None


def _unit(items: Mapping[str, Item], name: str) -> Text | None:
    item = items.get(name)
    return item.unit if item is not None and item.type in ("integer", "number") else None
