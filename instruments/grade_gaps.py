"""The gap to the next grade: what a centre still needs for the nearest grade above its own.

The next grade up is the nearest grade above the centre's whose `when` holds for
it (a centre too large for 合格 is never pointed at 合格). For it, the gap lists
each unmet clause requirement — the fewest clauses that must rise to its level,
and which clauses could (those that apply and are below the level or unrated,
closest first) — the points the total is short of min_score, and the must_meet
indicators not met. `describe_grade_gap` says it in a sentence:
「再有 2 条推荐标准条款达到 B 级（现 55%，需 ≥ 60%），即可达到推荐标准」.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import formatting
from .clauses import RequirementColumns, needed
from .expressions import NOT_APPLICABLE, OK, TOLERANCE, plain
from .model import Instrument, Requirement

if TYPE_CHECKING:
    from .scoring import Scores


@dataclass(frozen=True)
class RequirementGap:
    """An unmet requirement: `needed` more of the selected clauses must reach its level."""

    requirement: Requirement
    counted: int  # selected clauses that apply
    reached: int  # of those, at or above the level
    share: float | None  # reached / counted now
    needed: int
    candidates: tuple[str, ...]  # clauses that could rise: below the level or unrated, closest first


@dataclass(frozen=True)
class GradeGap:
    """What the centre still needs for `grade`, the next grade up."""

    grade: str
    requirements: tuple[RequirementGap, ...]
    score: float | None = None  # points the total is short of min_score (None when it is not)
    total: float | None = None  # the total now
    must_meet: tuple[str, ...] = ()  # must_meet indicators not met


def next_grade(scores: Scores, row: int) -> GradeGap | None:
    """The gap to the nearest grade above the centre's own whose `when` holds for it (None at the top)."""
    grades = scores.instrument.grades
    current = int(scores.grade[row])
    above = range((current if current >= 0 else len(grades)) - 1, -1, -1)
    index = next((i for i in above if scores.when(i)[row]), None)
    if index is None:
        return None
    rule = grades[index]
    total = float(scores.total[row])
    total_now = plain(total)
    short = None
    if rule.min_score is not None and not total >= rule.min_score - TOLERANCE:
        short = round(rule.min_score - (total_now or 0.0), 1)
    unmet = tuple(name for name in rule.must_meet if scores.met[name][row] != 1)
    gaps = tuple(
        _requirement_gap(scores, columns, row) for columns in scores.requirements[rule.id] if not columns.met[row]
    )
    return GradeGap(rule.id, gaps, short, total_now, unmet)


def _requirement_gap(scores: Scores, columns: RequirementColumns, row: int) -> RequirementGap:
    requirement = columns.requirement
    counted, reached = int(columns.counted[row]), int(columns.reached[row])
    rising = []
    for order, clause in enumerate(scores.instrument.selected(requirement.clauses)):
        column = scores.levels[clause.id]
        status = int(column.status[row])
        if status == NOT_APPLICABLE or (status == OK and column.value[row] >= clause.rank(requirement.level)):
            continue
        closeness = float(column.value[row]) if status == OK else -1.0  # unrated last
        rising.append((-closeness, order, clause.id))
    share = reached / counted if counted else None
    candidates = tuple(clause_id for *_, clause_id in sorted(rising))
    return RequirementGap(requirement, counted, reached, share, needed(requirement, reached, counted), candidates)


def describe_grade_gap(instrument: Instrument, gap: GradeGap, lang: str = "zh") -> str:
    """The gap to the next grade in one sentence, each missing condition named."""
    grade = next(g for g in instrument.grades if g.id == gap.grade)
    parts = []
    if gap.score is not None:
        goal, more = formatting.number(grade.min_score or 0, 1), formatting.number(gap.score, 1)
        now = formatting.number(gap.total, 1) if gap.total is not None else "—"
        if lang == "en":
            parts.append(f"{more} more points on the total (now {now}, needs ≥ {goal})")
        else:
            parts.append(f"总分再提高 {more} 分（现 {now}，需 ≥ {goal}）")
    for name in gap.must_meet:
        label = instrument.indicator[name].label.get(lang)
        target = formatting.target(instrument.indicator[name], lang)
        parts.append(f"“{label}” meeting its target ({target})" if lang == "en" else f"“{label}”达到 {target}")
    parts.extend(_requirement_words(instrument, r, lang) for r in gap.requirements)
    label = grade.label.get(lang)
    if lang == "en":
        return "; ".join(parts) + f" would reach “{label}”"
    outcome = f"即可{label}" if label.startswith("达到") else f"即可评为“{label}”"
    return "；".join(parts) + f"，{outcome}"


def _requirement_words(instrument: Instrument, gap: RequirementGap, lang: str) -> str:
    requirement = gap.requirement
    now = formatting.share(gap.share) if gap.share is not None else "—"
    need = ("" if requirement.share >= 1 else "≥ ") + formatting.share(requirement.share)
    which = selection(instrument, requirement, lang)
    level = formatting.level(requirement.level, lang)
    if lang == "en":
        clauses = "clause" if gap.needed == 1 else "clauses"
        return f"{gap.needed} more {which} {clauses} at {level} or above (now {now}, needs {need})"
    return f"再有 {gap.needed} 条{which}条款达到 {level}（现 {now}，需 {need}）"


def selection(instrument: Instrument, requirement: Requirement, lang: str = "zh") -> str:
    """The clauses a requirement selects, in words: 推荐标准, ★核心, 第一章 …"""
    selector = requirement.clauses
    words = []
    if selector.core is True:
        words.append(formatting.CORE_MARK + formatting.CORE_WORDS[lang])
    elif selector.core is False:
        words.append("non-core" if lang == "en" else "非核心")
    if selector.chapter is not None:
        chapter = next(c for c in instrument.chapters if c.id == selector.chapter)
        words.append(f"“{chapter.title.get(lang)}”" + ("" if lang == "en" else "章"))
    if selector.standard is not None:
        words.append(formatting.STANDARD_WORDS[selector.standard][lang])
    if selector.ids:
        words.append("listed" if lang == "en" else "指定")
    return " ".join(words) if lang == "en" else "".join(words)
