"""What the review pages show, assembled from a case: answer rows, indicator rows, flags, the audit timeline.

Everything here words or arranges what the store and the instrument core
computed; nothing is scored or queried here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from instruments import Instrument
from instruments.checks import Check
from instruments.model import Section

from .. import scorecard, words
from ..store.quality import Flag
from ..words import item_label
from .cases import Case, Details

PAGE_SIZE = 100  # rows of a long list per page


@dataclass(frozen=True)
class AnswerRow:
    """One item of the response: reported and verified values as shown, its flags, the last comment on it."""

    id: str
    label: str
    reported: str
    verified: str
    has_verified: bool
    flags: list[str]  # flag words
    comment: str  # the last return's comment on this item


@dataclass(frozen=True)
class FlagRow:
    """One flag (or failed target) worded for a table row."""

    kind: str
    word: str
    name: str
    label: str
    detail: str


def answer_rows(case: Case, found: Details, lang: str) -> list[tuple[Section, list[AnswerRow]]]:
    """Each section with its items: reported value, verified value, flags, the last comment on it."""
    flagged: dict[str, list[str]] = {}
    for flag in found.flags:
        flagged.setdefault(flag.name, []).append(str(words.FLAG_WORDS[flag.kind]))
    last_return = next((step for step in reversed(found.history) if step["action"] == "return"), None)
    notes = last_return["item_comments"] if last_return else {}
    out = []
    for section in case.instrument.sections:
        rows = [
            AnswerRow(
                item.id,
                item_label(item, lang),
                words.shown(case.instrument, item.id, found.reported.get(item.id), lang),
                words.shown(case.instrument, item.id, found.verified.get(item.id), lang),
                item.id in found.verified,
                flagged.get(item.id, []),
                notes.get(item.id, ""),
            )
            for item in section.items
        ]
        out.append((section, rows))
    return out


def indicator_cards(case: Case, found: Details, lang: str) -> tuple[scorecard.Card, dict[str, scorecard.Row]]:
    """The scorecard on the scored values, and by indicator the one on reported values when any was verified."""
    card = scorecard.card(Check(case.instrument, found.effective), lang)
    if not found.verified:
        return card, {}
    reported = scorecard.card(Check(case.instrument, found.reported), lang, gaps=False)  # only its values are shown
    return card, {row.id: row for row in reported.rows}


def flag_rows(instrument: Instrument, flags: Sequence[Flag], card: scorecard.Card | None, lang: str) -> list[FlagRow]:
    """Failed targets (from the scorecard, with their gap) and then every flag, worded."""
    out = []
    for row in card.rows if card else ():
        if row.status == "not_met":
            detail = _("%(value)s，目标 %(target)s", value=row.value, target=row.target)
            gap = f"；{row.gap}" if row.gap else ""
            out.append(FlagRow("target", str(words.FLAG_WORDS["target"]), row.id, row.label, detail + gap))
    for flag in flags:
        out.append(
            FlagRow(
                flag.kind,
                str(words.FLAG_WORDS[flag.kind]),
                flag.name,
                words.label(instrument, flag.name, lang),
                words.flag_detail(instrument, flag, lang),
            )
        )
    return out


@dataclass(frozen=True)
class Event:
    """One line of the audit trail."""

    at: str
    who: str
    what: str
    item: str
    old: str
    new: str
    source: str
    comment: str = ""
    item_comments: tuple[tuple[str, str], ...] = ()
    kind: str = ""  # the audit action, or `review` for a review step: what the trail is filtered by


def timeline(instrument: Instrument, audit: Sequence[dict], history: Sequence[dict], lang: str) -> list[Event]:
    """Audit rows and review steps (with their comments) merged, newest first."""
    events = []
    for row in audit:
        events.append(
            Event(
                row["at"],
                row["username"],
                str(words.AUDIT_WORDS.get(row["action"], row["action"])),
                words.label(instrument, row["item_id"], lang) if row["item_id"] else "",
                words.audit_value(instrument, row, row["old"], lang),
                words.audit_value(instrument, row, row["new"], lang),
                str(words.SOURCE_WORDS.get(row["source"], row["source"])),
                kind=row["action"],
            )
        )
    for step in history:
        what = _(
            "%(level)s：%(action)s",
            level=words.LEVEL_WORDS.get(step["level"], step["level"]),
            action=words.ACTION_WORDS.get(step["action"], step["action"]),
        )
        notes = tuple((words.label(instrument, k, lang), v) for k, v in step["item_comments"].items())
        events.append(
            Event(
                step["created_at"],
                step["username"] or _("（系统）"),
                what,
                "",
                "",
                "",
                str(words.SOURCE_WORDS["review"]),
                step["comment"],
                notes,
                REVIEWED,
            )
        )
    return sorted(events, key=lambda event: event.at)[::-1]


REVIEWED = "review"  # the kind of a review step (通过, 退回, …) in the trail


def kinds_of(events: Sequence[Event]) -> list[tuple[str, str]]:
    """The kinds of event in a trail, (kind, words), in the order the words list them, review steps last."""
    present = {event.kind for event in events}
    out = [(kind, str(word)) for kind, word in words.AUDIT_WORDS.items() if kind in present]
    out += [(kind, kind) for kind in sorted(present - set(words.AUDIT_WORDS) - {REVIEWED})]
    return out + ([(REVIEWED, _("审核"))] if REVIEWED in present else [])


def chosen_events(events: Sequence[Event], kind: str, who: str) -> list[Event]:
    """The events of one kind and by one person (either left blank: any)."""
    return [e for e in events if (not kind or e.kind == kind) and (not who or e.who == who)]


def page_of(rows: Sequence[Any], page: int) -> tuple[Sequence[Any], int] | None:
    """Rows on page `page` (from 1) and how many pages there are; None when there is no such page."""
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    if not 1 <= page <= pages:
        return None
    return rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE], pages
