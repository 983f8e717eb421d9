"""What one response's answers still lack: relevance, required items, broken constraints, progress.

Everything is decided by evaluating the answers once; the problems name their
items, so a page can link each one to its field and the store can refuse a
submission with the same list.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from .evaluation import broken_constraints, columns, evaluate, unanswered_required
from .expressions import NOT_APPLICABLE, OK
from .model import Instrument, Item, Text
from .scoring import Scores


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
        self.data = columns(instrument, [values])
        self.env = evaluate(instrument, self.data)

    @cached_property
    def scores(self) -> Scores:
        """The same answers scored (from the same evaluation)."""
        return Scores(self.instrument, self.data, self.env)

    def relevant(self, item_id: str) -> bool:
        return bool(self.env[item_id].status[0] != NOT_APPLICABLE)

    def relevance(self) -> dict[str, bool]:
        """Whether each item is asked, given the answers."""
        return {item.id: self.relevant(item.id) for item in self.instrument.items}

    def problems(self, items: Iterable[Item] | None = None, required: bool = True, lang: str = "zh") -> list[Problem]:
        """Unanswered required items (unless `required` is false) and broken constraints, in item order."""
        missing = unanswered_required(self.instrument, self.env) if required else {}
        return _problems(self.instrument, missing, broken_constraints(self.instrument, self.env), 0, items, lang)

    def progress(self, items: Iterable[Item] | None = None) -> tuple[int, int]:
        """How many of the required items that are asked have an answer, and how many there are."""
        asked = [
            item
            for item in (self.instrument.items if items is None else items)
            if item.required and self.relevant(item.id)
        ]
        return sum(bool(self.env[item.id].status[0] == OK) for item in asked), len(asked)


def submission_problems(
    instrument: Instrument, answers: Sequence[Mapping[str, Any]], lang: str = "zh"
) -> list[list[Problem]]:
    """What keeps each of many responses from being submitted, evaluated once over all of them."""
    env = evaluate(instrument, columns(instrument, answers))
    missing, broken = unanswered_required(instrument, env), broken_constraints(instrument, env)
    flagged = np.zeros(len(answers), dtype=bool)
    for mask in [*missing.values(), *broken.values()]:
        flagged |= mask
    return [
        _problems(instrument, missing, broken, row, None, lang) if flagged[row] else [] for row in range(len(answers))
    ]


def _problems(
    instrument: Instrument,
    missing: Mapping[str, np.ndarray],
    broken: Mapping[str, np.ndarray],
    row: int,
    items: Iterable[Item] | None,
    lang: str,
) -> list[Problem]:
    """The problems of one row, in item order, from the masks of unanswered required items and broken constraints."""
    out = []
    for item in instrument.items if items is None else items:
        if item.id in missing and missing[item.id][row]:
            out.append(Problem(item, "required", ""))
        if item.id in broken and broken[item.id][row]:
            rule = constraint_rule(item)
            out.append(Problem(item, "constraint", rule if isinstance(rule, str) else rule.get(lang)))
    return out


def constraint_rule(item: Item) -> Text | str:
    """What a broken constraint says: its own message (in both languages), else its expression."""
    return item.constraint_message or str(item.constraint)
