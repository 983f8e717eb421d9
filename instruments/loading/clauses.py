"""Loading clauses: their levels (a `when` for auto clauses, a text for onsite ones), weight and credit."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from ..errors import closest
from ..expressions import Symbol
from ..messages import Message
from ..model import Chapter, Clause, Level
from ..ratings import reserved
from .checker import PART_ID, Checker, describe, join
from .limits import MAX_LEVELS
from .questionnaire import name
from .structure import printed_number

STANDARDS = ("basic", "recommended")
RATED = ("auto", "onsite")
EVIDENCE = ("required", "optional", "none")


class ClauseReader:
    """Reads clauses against what is already loaded: names for `when`, chapters, frameworks, ids taken."""

    def __init__(
        self,
        check: Checker,
        symbols: Mapping[str, Symbol],
        taken: Mapping[str, str],
        broken: Collection[str],
        chapters: list[Chapter],
        frameworks: Mapping[str, Collection[str]],
        total: str,
    ) -> None:
        """`symbols` are the names a `when` may use; `taken` the ids of items and indicators, with the
        problem code of reusing one; `broken` the indicators that failed to load (not to be reported twice)."""
        self.check, self.symbols, self.taken, self.broken = check, symbols, taken, broken
        self.chapter_ids = {c.id for c in chapters}
        self.frameworks, self.total = frameworks, total

    def clauses(self, raw: Any) -> tuple[list[Clause], set[str]]:
        """The clauses that load, and the ids of those declared that do not."""
        check = self.check
        out: list[Clause] = []
        seen: dict[str, str] = {}
        declared: set[str] = set()
        for where, entry in check.entries("clauses", raw):
            record = check.record(where, entry, "clause")
            if record is None:
                continue
            clause_id = name(check, f"{where}.id", record.get("id"))
            if clause_id in self.taken:
                check.problem(f"{where}.id", self.taken[clause_id], value=clause_id)
                clause_id = None
            elif not check.unique(f"{where}.id", clause_id, seen, "clause_id"):
                clause_id = None
            if isinstance(record.get("id"), str):
                declared.add(record["id"])
            clause = self._clause(where, record, clause_id)
            if clause is not None:
                out.append(clause)
        return out, declared - {c.id for c in out}

    def _clause(self, where: str, raw: dict, clause_id: str | None) -> Clause | None:
        check = self.check
        before = len(check.problems)
        number = printed_number(check, f"{where}.number", raw.get("number"))
        chapter = check.string(f"{where}.chapter", raw.get("chapter"))
        if chapter is not None and chapter not in self.chapter_ids:
            check.problem(
                f"{where}.chapter", "unknown_chapter", value=chapter, suggestion=closest(chapter, self.chapter_ids)
            )
        standard = check.one_of(f"{where}.standard", raw.get("standard"), STANDARDS, None)
        core = check.flag(f"{where}.core", raw.get("core"))
        text = check.text(f"{where}.text", raw.get("text"))
        rated = check.one_of(f"{where}.rated", raw.get("rated"), RATED, None)
        levels = self._levels(f"{where}.levels", raw.get("levels"), rated)
        evidence = check.one_of(f"{where}.evidence", raw.get("evidence"), EVIDENCE, "optional")
        weight = check.number(f"{where}.weight", raw.get("weight"))
        if weight is not None and weight < 0:
            check.problem(f"{where}.weight", "negative")
        if weight is not None and self.total == "mean_of_dimensions":
            check.problem(f"{where}.weight", "weighted_clause_in_mean")
        credit = self._credit(f"{where}.credit", raw.get("credit"), levels, weight)
        standard_ref = check.standard(f"{where}.standard_ref", raw.get("standard_ref"))
        groups = check.groups(f"{where}.groups", raw.get("groups"), self.frameworks)
        if len(check.problems) > before or None in (clause_id, standard, text, rated) or not levels:
            return None
        return Clause(
            id=clause_id,
            text=text,
            standard=standard,
            rated=rated,
            levels=tuple(levels),
            number=number,
            chapter=chapter,
            core=core,
            evidence=evidence,
            weight=weight,
            credit=credit,
            standard_ref=standard_ref,
            groups=groups,
        )

    def _levels(self, where: str, raw: Any, rated: str | None) -> list[Level]:
        check = self.check
        entries = check.entries(where, raw)
        if isinstance(raw, list) and not entries:
            check.problem(where, "no_levels")
        if len(entries) > MAX_LEVELS:
            check.problem(where, "too_many_levels", count=len(entries), limit=MAX_LEVELS)
            return []
        out: list[Level] = []
        seen: dict[str, str] = {}
        for level_where, entry in entries:
            record = check.record(level_where, entry, "level")
            if record is None:
                continue
            level_id = check.string(f"{level_where}.id", record.get("id"), PART_ID)
            if level_id is not None and reserved(level_id):
                check.problem(f"{level_where}.id", "level_reserved", value=level_id)
                level_id = None
            fresh = level_id is not None and level_id.casefold() not in seen
            if level_id is not None and not fresh:
                other = seen[level_id.casefold()]
                check.problem(f"{level_where}.id", "duplicate", what=Message("level_id"), value=level_id, other=other)
            elif level_id is not None:
                seen[level_id.casefold()] = f"{level_where}.id"
            when = text = None
            if rated == "onsite" and record.get("when") is not None:
                check.problem(f"{level_where}.when", "when_on_onsite")
            elif record.get("when") is not None:
                when = check.expression(
                    f"{level_where}.when", record["when"], self.symbols, condition=True, broken=self.broken
                )
            elif rated == "auto":
                check.problem(f"{level_where}.when", "level_needs_when")
            text = check.text(f"{level_where}.text", record.get("text"))
            if rated == "onsite" and record.get("text") is None:
                check.problem(f"{level_where}.text", "level_needs_text")
            if fresh and (when is not None or rated != "auto"):
                out.append(Level(level_id, when, text))
        return out if len(out) == len(entries) else []

    def _credit(self, where: str, raw: Any, levels: list[Level], weight: float | None) -> tuple[float, ...]:
        check = self.check
        if raw is None:
            return ()
        if weight is None:
            check.problem(where, "credit_without_weight")
        if not isinstance(raw, Mapping):
            check.problem(where, "not_mapping", found=describe(raw))
            return ()
        ids = [level.id for level in levels]
        given: dict[str, float] = {}
        for key, value in raw.items():
            at = join(where, key)
            if levels and key not in ids:
                check.problem(at, "credit_unknown_level", value=key, suggestion=closest(key, ids))
                continue
            share = check.share(at, value)
            if share is not None:
                given[key] = share
        if not levels or len(given) < len(raw):
            return ()
        missing = [level_id for level_id in ids if level_id not in given]
        if missing:
            check.problem(where, "credit_missing", levels=", ".join(missing))
            return ()
        for lower, higher in zip(ids, ids[1:], strict=False):
            if given[higher] < given[lower]:
                check.problem(join(where, higher), "credit_falls", level=higher, below=lower)
                return ()
        return tuple(given[level_id] for level_id in ids)
