"""The live scorecard: every indicator's value against its target, the gap when not met, total and grade;
each clause's level, the share of clauses each grade requires, and the gap to the next grade in words."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from flask_babel import gettext as _

import instruments
from instruments import Instrument, formatting
from instruments.checks import Check
from instruments.grade_gaps import selection
from instruments.model import Requirement as Rule
from instruments.model import Section
from instruments.scoring import RequirementResult

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
class Requirement:
    """One condition of a grade, worded: 推荐标准条款达到 B 级 ≥ 60%, now 55%."""

    grade: str  # the grade's label
    words: str  # 推荐标准条款达到 B 级：现 55%，需 ≥ 60%
    met: bool


@dataclass(frozen=True)
class Card:
    rows: list[Row]
    total: str
    grade: str
    requirements: list[Requirement] = field(default_factory=list)
    next_grade: str = ""  # the gap to the next grade up, in a sentence
    clauses: dict[str, str] = field(default_factory=dict)  # each clause's rating in words: B, 未达到, 未评级, 不适用

    def as_json(self) -> dict:
        return {
            "rows": [asdict(row) for row in self.rows],
            "total": self.total,
            "grade": self.grade,
            "requirements": [asdict(r) for r in self.requirements],
            "next_grade": self.next_grade,
            "clauses": self.clauses,
        }


def card(check: Check, lang: str, gaps: bool = True) -> Card:
    """Score one response's answers, as checked (nothing is saved), and word the result in `lang` (without gaps:
    faster)."""
    instrument = check.instrument
    scored = check.scores.card(0, gaps=gaps)
    rows = []
    for indicator in instrument.indicators:
        result = scored.indicators[indicator.id]
        status = result.status
        if status == "ok":
            status = "reported" if result.met is None else "met" if result.met else "not_met"
        word = str(VERDICT_WORDS[status]) if status in VERDICT_WORDS else formatting.status(status, lang)
        gap = instruments.describe(instrument, result.gap, lang) if result.gap else ""
        rows.append(
            Row(
                indicator.id,
                indicator.label.get(lang),
                formatting.value(indicator, result.value, lang),
                formatting.target(indicator, lang),
                status,
                word,
                gap,
            )
        )
    grades = {grade.id: grade.label.get(lang) for grade in instrument.grades}
    total = "" if scored.total is None else f"{scored.total:.1f}"
    requirements = [
        Requirement(grade.label.get(lang), _requirement_words(instrument, rule, result, lang), result.met)
        for grade in instrument.grades
        for rule, result in zip(grade.requires, scored.requirements.get(grade.id, ()), strict=True)
    ]
    gap = instruments.describe_grade_gap(instrument, scored.next_grade, lang) if scored.next_grade else ""
    clauses = {c: formatting.clause_rating(r.level, r.status, lang) for c, r in scored.clauses.items()}
    return Card(rows, total, grades.get(scored.grade or "", ""), requirements, gap, clauses)


def _requirement_words(instrument: Instrument, rule: Rule, result: RequirementResult, lang: str) -> str:
    return _(
        "%(clauses)s条款达到 %(level)s：现 %(now)s，需 %(needed)s",
        clauses=selection(instrument, rule, lang),
        level=formatting.level(rule.level, lang),
        now="—" if result.share is None else formatting.share(result.share),
        needed=("" if rule.share >= 1 else "≥ ") + formatting.share(rule.share),
    )


def related(instrument: Instrument, section: Section) -> set[str]:
    """The indicators whose formulas reach an item of `section`."""
    here = {item.id for item in section.items}
    return {ind.id for ind in instrument.indicators if here & set(instrument.items_behind(ind.id))}
