"""What one response's answers still lack: relevance, required items, broken constraints, progress.

The instrument core decides everything; this module asks it about one response
and names the items, so pages can link each problem to its field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import instruments
from instruments import Instrument, Item
from instruments.expressions import NOT_APPLICABLE, OK


@dataclass(frozen=True)
class Problem:
    """`item` keeps the response from being submitted: it is required and empty, or breaks its constraint."""

    item: Item
    kind: str  # required | constraint
    message: str  # the constraint's own message; empty for a required item


class Check:
    """One response's answers evaluated once by the instrument core."""

    def __init__(self, instrument: Instrument, values: Mapping[str, Any]):
        self.instrument = instrument
        self.env = instruments.evaluate(instrument, instruments.columns(instrument, [values]))

    def relevant(self, item_id: str) -> bool:
        return bool(self.env[item_id].status[0] != NOT_APPLICABLE)

    def relevance(self) -> dict[str, bool]:
        """Whether each item is asked, given the answers."""
        return {item.id: self.relevant(item.id) for item in self.instrument.items}

    def problems(self, items: Iterable[Item] | None = None, required: bool = True, lang: str = "zh") -> list[Problem]:
        """Unanswered required items (unless `required` is false) and broken constraints, in item order."""
        missing = instruments.unanswered_required(self.instrument, self.env) if required else {}
        broken = instruments.broken_constraints(self.instrument, self.env)
        out = []
        for item in self.instrument.items if items is None else items:
            if item.id in missing and missing[item.id][0]:
                out.append(Problem(item, "required", ""))
            if item.id in broken and broken[item.id][0]:
                rule = item.constraint_message.get(lang) if item.constraint_message else str(item.constraint)
                out.append(Problem(item, "constraint", rule))
        return out

    def progress(self, items: Iterable[Item] | None = None) -> tuple[int, int]:
        """How many of the required items that are asked have an answer, and how many there are."""
        asked = [
            item
            for item in (self.instrument.items if items is None else items)
            if item.required and self.relevant(item.id)
        ]
        return sum(bool(self.env[item.id].status[0] == OK) for item in asked), len(asked)
