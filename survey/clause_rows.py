"""Clauses as the pages show them, chapter by chapter: the text and each level's requirement, the centre's
self-rating and note, the evaluator's level and comment, the level that scores, the evidence files.

Shared by the centre's fill-in and the evaluator's review page; it arranges and words what the store and
the scorecard computed, and decides nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from instruments import Clause, Instrument, formatting
from instruments.model import Chapter, Text

from .scorecard import Card
from .store.evidence import Evidence
from .store.ratings import ClauseRating

OTHER = "other"  # the page of clauses that name no chapter


@dataclass(frozen=True)
class ClauseRow:
    clause: Clause
    kind: str  # 基本标准 ★
    text: str
    levels: list[tuple[str, str]]  # (level id, what it requires)
    scored: str  # the level that scores now, in words (auto: from the answers; onsite: verified first)
    reported: str | None  # the centre's self-rating as stored
    note: str
    verified: str | None  # the evaluator's rating as stored
    comment: str
    verified_level: int | None
    files: list[Evidence]
    missing: bool  # its evidence is required and no file is attached

    @property
    def id(self) -> str:
        return self.clause.id


@dataclass(frozen=True)
class ChapterRows:
    id: str
    number: str | None
    title: str
    rows: list[ClauseRow]

    @property
    def onsite(self) -> int:
        return sum(not row.clause.auto for row in self.rows)

    @property
    def self_rated(self) -> int:
        return sum(not row.clause.auto and row.reported is not None for row in self.rows)

    @property
    def verified(self) -> int:
        return sum(not row.clause.auto and row.verified is not None for row in self.rows)


def chapters(instrument: Instrument) -> list[Chapter]:
    """The instrument's chapters that hold clauses, and a last one for clauses that name none."""
    used = {clause.chapter for clause in instrument.clauses}
    out = [chapter for chapter in instrument.chapters if chapter.id in used]
    if None in used:
        out.append(Chapter(OTHER, Text("其他条款", "Other clauses")))
    return out


def in_chapter(instrument: Instrument, chapter_id: str) -> list[Clause]:
    """The clauses of one chapter (of none, for OTHER), in the instrument's order."""
    wanted = None if chapter_id == OTHER else chapter_id
    return [clause for clause in instrument.clauses if clause.chapter == wanted]


def rows(
    instrument: Instrument,
    card: Card,
    ratings: Mapping[str, ClauseRating],
    files: Mapping[str, Sequence[Evidence]],
    missing: set[str],
    lang: str,
    chapter_ids: Sequence[str] | None = None,
) -> list[ChapterRows]:
    """Every chapter (or those named) with its clauses' rows."""
    out = []
    for chapter in chapters(instrument):
        if chapter_ids is not None and chapter.id not in chapter_ids:
            continue
        listed = []
        for clause in in_chapter(instrument, chapter.id):
            rated = ratings.get(clause.id, ClauseRating())
            listed.append(
                ClauseRow(
                    clause,
                    formatting.clause_kind(clause, lang),
                    clause.text.get(lang),
                    [(level.id, level.text.get(lang) if level.text else "") for level in clause.levels],
                    card.clauses.get(clause.id, ""),
                    rated.reported,
                    rated.note,
                    rated.verified,
                    rated.comment,
                    rated.verified_level,
                    list(files.get(clause.id, ())),
                    clause.id in missing,
                )
            )
        out.append(ChapterRows(chapter.id, chapter.number, chapter.title.get(lang), listed))
    return out
