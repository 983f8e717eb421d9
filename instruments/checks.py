"""What one response's answers still lack: relevance, required items, broken constraints, progress.

Everything is decided by evaluating the answers once; the problems name their
items, so a page can link each one to its field and the store can refuse a
submission with the same list.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .evaluation import broken_constraints, columns, evaluate, unanswered_required
from .expressions import NOT_APPLICABLE, OK
from .model import Instrument, Item


@dataclass(frozen=True)
class Problem:
    """`item` keeps the response from being submitted: it is required and empty, or breaks its constraint."""

    item: Item
    kind: str  # required | constraint
    message: str  # the constraint's own message; empty for a required item


class Check:
    """One response's answers evaluated once by the instrument core."""

    def __init__(self, instrument: Instrument, values: Mapping[str, Any]) -> None:
        self.instrument = instrument
        self.env = evaluate(instrument, columns(instrument, [values]))

    def relevant(self, item_id: str) -> bool:
        return bool(self.env[item_id].status[0] != NOT_APPLICABLE)

    def relevance(self) -> dict[str, bool]:
        """Whether each item is asked, given the answers."""
        return {item.id: self.relevant(item.id) for item in self.instrument.items}

    def problems(self, items: Iterable[Item] | None = None, required: bool = True, lang: str = "zh") -> list[Problem]:
        """Unanswered required items (unless `required` is false) and broken constraints, in item order."""
        missing = unanswered_required(self.instrument, self.env) if required else {}
        broken = broken_constraints(self.instrument, self.env)
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
