"""Loading grades: min_score, must_meet, a `when` over the answers, and `requires` over clauses."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from ..errors import closest
from ..expressions import Symbol
from ..messages import Message
from ..model import Chapter, Clause, Grade, Indicator, Requirement, Selector
from .checker import PART_ID, Checker, describe
from .clauses import STANDARDS

SHOWN_CLAUSES = 5  # clauses named in one message before "and N more"


class GradeReader:
    """Reads grades against the indicators, clauses and chapters that loaded."""

    def __init__(
        self,
        check: Checker,
        symbols: Mapping[str, Symbol],
        indicators: list[Indicator],
        clauses: list[Clause],
        chapters: list[Chapter],
        broken: Collection[str],
    ) -> None:
        """`broken`: ids of indicators and clauses that failed to load, whose problems are reported already."""
        self.check, self.symbols, self.broken = check, symbols, broken
        self.indicators = {ind.id: ind for ind in indicators}
        self.clauses, self.clause_ids = clauses, {c.id for c in clauses}
        self.chapter_ids = {c.id for c in chapters}

    def grades(self, raw: Any) -> list[Grade]:
        check = self.check
        out, seen = [], {}
        for where, entry in check.entries("grades", raw):
            record = check.record(where, entry, "grade")
            if record is None:
                continue
            before = len(check.problems)
            grade_id = check.string(f"{where}.id", record.get("id"), PART_ID)
            check.unique(f"{where}.id", grade_id, seen, "grade_id")
            label = check.text(f"{where}.label", record.get("label"))
            min_score = check.number(f"{where}.min_score", record.get("min_score"))
            if min_score is not None and not 0 <= min_score <= 100:
                check.problem(f"{where}.min_score", "between_0_and_100")
            must_meet = self._must_meet(f"{where}.must_meet", record.get("must_meet"))
            when = None
            if record.get("when") is not None:
                when = check.expression(
                    f"{where}.when", record["when"], self.symbols, condition=True, broken=self.broken
                )
            requires = [
                requirement
                for at, condition in check.entries(f"{where}.requires", record.get("requires"))
                if (requirement := self._requirement(at, condition)) is not None
            ]
            if grade_id and label and len(check.problems) == before:
                out.append(Grade(grade_id, label, min_score, tuple(must_meet), when, tuple(requires)))
        return out

    def _must_meet(self, where: str, raw: Any) -> list[str]:
        """Indicators a grade needs met; one that failed to load is left to its own problem."""
        check = self.check
        out = []
        for m, value in enumerate(check.listing(where, raw)):
            at = f"{where}[{m}]"
            if not isinstance(value, str):
                check.problem(at, "must_meet_not_id", found=describe(value))
            elif value not in self.indicators:
                if value not in self.broken:
                    check.problem(at, "must_meet_unknown", value=value, suggestion=closest(value, self.indicators))
            elif not self.indicators[value].scored:
                check.problem(at, "must_meet_no_target", value=value)
            else:
                out.append(value)
        return out

    def _requirement(self, where: str, raw: Any) -> Requirement | None:
        check = self.check
        record = check.record(where, raw, "requirement")
        if record is None:
            return None
        selector = self._selector(f"{where}.clauses", record.get("clauses"))
        level = check.string(f"{where}.level", record.get("level"))
        share = check.share(f"{where}.share", record.get("share"))
        if selector is None:
            return None
        selected = [clause for clause in self.clauses if selector.matches(clause)]
        if not selected:
            if not self.broken:  # a clause that failed to load may be the one meant
                check.problem(f"{where}.clauses", "selects_no_clause")
            return None
        if level is None:
            return None
        lacking = [clause.id for clause in selected if level not in clause.level_ids]
        if lacking:
            named = ", ".join(lacking[:SHOWN_CLAUSES])
            extra = len(lacking) - SHOWN_CLAUSES
            more = Message("more_clauses", {"count": extra}) if extra > 0 else ""
            check.problem(f"{where}.level", "level_not_in_clauses", level=level, clauses=named, more=more)
            return None
        return Requirement(selector, level, share) if share is not None else None

    def _selector(self, where: str, raw: Any) -> Selector | None:
        check = self.check
        record = check.record(where, raw, "selector")
        if record is None:
            return None
        before = len(check.problems)
        core = None if record.get("core") is None else check.flag(f"{where}.core", record["core"])
        standard = check.one_of(f"{where}.standard", record.get("standard"), STANDARDS, None)
        chapter = check.string(f"{where}.chapter", record.get("chapter"))
        if chapter is not None and chapter not in self.chapter_ids:
            check.problem(
                f"{where}.chapter", "unknown_chapter", value=chapter, suggestion=closest(chapter, self.chapter_ids)
            )
        ids = []
        for i, value in enumerate(check.listing(f"{where}.ids", record.get("ids"))):
            at = f"{where}.ids[{i}]"
            if not isinstance(value, str):
                check.problem(at, "not_clause_id", found=describe(value))
            elif value not in self.clause_ids:
                if value not in self.broken:
                    check.problem(at, "unknown_clause", value=value, suggestion=closest(value, self.clause_ids))
            else:
                ids.append(value)
        if len(check.problems) > before:
            return None
        return Selector(core, standard, chapter, tuple(ids))
