"""The live scorecard: every indicator's value against its target, the gap when not met, total and grade."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import instruments
from instruments import Instrument, formatting
from instruments.model import Section

from .words import VERDICT_WORDS


@dataclass(frozen=True)
class Row:
    id: str
    label: str
    value: str
    target: str
    status: str  # met | not_met | reported (no target) | missing | not_computable | not_applicable
    word: str
    gap: str


@dataclass(frozen=True)
class Card:
    rows: list[Row]
    total: str
    grade: str

    def as_json(self) -> dict:
        return {"rows": [asdict(row) for row in self.rows], "total": self.total, "grade": self.grade}


def card(instrument: Instrument, values: Mapping[str, Any], lang: str) -> Card:
    """Score one response's answers (nothing is saved) and word the result in `lang`."""
    scored = instruments.score(instrument, values)
    rows = []
    for indicator in instrument.indicators:
        result = scored.indicators[indicator.id]
        status = result.status
        if status == "ok":
            status = "reported" if result.met is None else "met" if result.met else "not_met"
        word = str(VERDICT_WORDS[status]) if status in VERDICT_WORDS else formatting.status(status, lang)
        gap = instruments.describe(instrument, result.gap, lang) if result.gap else ""
        rows.append(
            Row(indicator.id, indicator.label.get(lang), formatting.value(indicator, result.value, lang),
                formatting.target(indicator, lang), status, word, gap)
        )  # fmt: skip
    grades = {grade.id: grade.label.get(lang) for grade in instrument.grades}
    total = "" if scored.total is None else f"{scored.total:.1f}"
    return Card(rows, total, grades.get(scored.grade or "", ""))


def related(instrument: Instrument, section: Section) -> set[str]:
    """The indicators whose formulas reach an item of `section`."""
    here = {item.id for item in section.items}
    return {ind.id for ind in instrument.indicators if here & set(instrument.items_behind(ind.id))}
