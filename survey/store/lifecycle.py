"""The response lifecycle: its states, the moves between them, who makes each, the checks before submission.

    (new) ──save──▶ draft ──submit──▶ submitted(level 0) ──approve at level 1──▶ submitted(level 1) … ──▶ approved
                      ▲                      │
                      └──── returned ◀──return (at any reviewing level, with comments)
                                └──submit──▶ submitted(level 0)

A centre saves and submits its own response (on the web or by a workbook
import, under the same checks); an evaluator at the level a response awaits
approves it or returns it; the last level's approval locks it. A round sets how
many review levels follow self-assessment (0–4: 自评 → 县级评审 → 市级复核 →
省级抽查 → 国家抽查); with none, a submission is approved at once. A closed round
takes no moves at all. `new` is not stored: it is a centre with nothing saved.

Everything else asks this module: whether answers may change (`check_editable`),
whether a response awaits a level (`awaits`), what keeps answers from submission
(`submission_problems`: required items unanswered, constraints broken, and onsite
clauses whose evidence is required without a file, `missing_evidence`); and moves
a response only through `submit`,
`submit_many`, `approve` and `send_back`. Only the schema and the words shown to
people name a state besides this module.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sqlite_utils import Database

from instruments import NOT_APPLICABLE, Clause, Instrument, Item, Text
from instruments.checks import constraint_rule
from instruments.checks import submission_problems as _problems_of
from instruments.formatting import item_name
from instruments.messages import Message

from ..db import writing
from . import ConflictError, StoreError, now
from .responses import Response, answers, attached, record, response_by_id
from .results import refresh
from .rounds import Round, check_scope, in_round

NEW, DRAFT, SUBMITTED, RETURNED, APPROVED = "new", "draft", "submitted", "returned", "approved"
STATUSES = (DRAFT, SUBMITTED, RETURNED, APPROVED)  # as stored
SHOWN = (NEW, *STATUSES)  # as counted on pages
EDITABLE = frozenset({NEW, DRAFT, RETURNED})  # the centre may change its answers
LOCKED = frozenset({SUBMITTED, APPROVED})  # answers wait for review or are final
SHOWN_PROBLEMS = 5  # problems named in a refusal; the rest are counted


def status_counts(db: Database, round_: Round, scope_code: str | None = None) -> dict[str, int]:
    """How many centres of the round within `scope_code` are at each status, `new` counting those with nothing saved."""
    check_scope(db, round_, scope_code)
    tables, condition, params = in_round(db, round_, scope_code)
    rows = db.execute(
        f"""SELECT coalesce(r.status, '{NEW}'), count(*) FROM {tables}
            LEFT JOIN responses r ON r.round_id = ? AND r.org_code = o.code WHERE {condition} GROUP BY 1""",
        [round_.id, *params],
    )
    counts = Counter(dict(rows.fetchall()))
    return {status: counts[status] for status in SHOWN}


def status_of(response: Response | None) -> str:
    """A response's status, `new` when there is none yet."""
    return response.status if response is not None else NEW


def editable(round_: Round, response: Response | None) -> bool:
    """Whether the centre may still change its answers: the round is open and nothing awaits review."""
    return round_.status == "open" and status_of(response) in EDITABLE


def check_editable(round_: Round, response: Response | None) -> None:
    """Refuse a change to the answers of a closed round or of a response awaiting review or approved."""
    if round_.status != "open":
        raise StoreError("round_closed", round=round_.id)
    if status_of(response) in LOCKED:
        state = Message("state_submitted") if response.status == SUBMITTED else status_words(APPROVED)
        raise StoreError("response_locked", code=response.org_code, state=state)


def awaits(round_: Round, response: Response, level: int | None) -> bool:
    """Whether the response is waiting for a reviewer at `level` in an open round."""
    return (
        level is not None
        and round_.status == "open"
        and 1 <= level <= round_.review_levels
        and response.status == SUBMITTED
        and response.review_level == level - 1
    )


def check_reviewable(round_: Round, response: Response, level: int) -> None:
    """Refuse a review at `level` of a response that does not await it."""
    if round_.review_levels == 0 or not 1 <= level <= round_.review_levels:
        raise StoreError("no_review_level", round=round_.id, level=level)
    if response.status != SUBMITTED:
        raise StoreError("not_awaiting_review", status=status_words(response.status))
    if response.review_level != level - 1:
        raise StoreError("awaits_other_level", waiting=level_words(response.review_level + 1), level=level_words(level))


def status_words(status: str) -> Message:
    """A response's status said in a message."""
    return Message("status_" + status)


def level_words(level: int) -> Message:
    """A review level said in a message (自评, 县级评审, …)."""
    return Message("review_level_" + str(level))


def missing_evidence(instrument: Instrument, values: Mapping[str, Any], files: Collection[str]) -> list[Clause]:
    """Onsite clauses whose evidence is required and that have no file (unless rated not applicable)."""
    return [
        clause
        for clause in instrument.onsite_clauses
        if clause.evidence == "required" and clause.id not in files and values.get(clause.id) != NOT_APPLICABLE
    ]


def submission_problems(
    instrument: Instrument, values: Sequence[Mapping[str, Any]], files: Sequence[Collection[str]]
) -> list[list[Message]]:
    """For each set of answers (with the items and clauses that have files): what keeps it from submission."""
    return [
        [_problem(instrument, p.item, p.kind) for p in found]
        + [
            Message("evidence_needed", {"clause": _clause_name(clause)})
            for clause in missing_evidence(instrument, answered, attached_)
        ]
        for found, answered, attached_ in zip(_problems_of(instrument, values), values, files, strict=True)
    ]


def _problem(instrument: Instrument, item: Item, kind: str) -> Message:
    """An item's problem, the item named as it reads on its own (a part names its whole)."""
    name = Text(item_name(instrument, item, "zh"), item_name(instrument, item, "en"))
    if kind == "required":
        return Message("must_answer", {"item": name})
    return Message("constraint_broken", {"item": name, "rule": constraint_rule(item)})


def _clause_name(clause: Clause) -> Message:
    return Message("clause_numbered", {"number": clause.number or clause.id})


def problems_before_submit(instrument: Instrument, values: Mapping[str, Any], files: Collection[str]) -> list[Message]:
    """What keeps one set of answers from submission."""
    return submission_problems(instrument, [values], [files])[0]


def refusal(problems: Sequence[Message]) -> Message:
    """The first few problems one after another, with how many there are in all."""
    if len(problems) > SHOWN_PROBLEMS:
        return Message("problems_and_more", {"problems": list(problems[:SHOWN_PROBLEMS]), "count": len(problems)})
    return Message("problems_listed", {"problems": list(problems)})


def submit(
    db: Database,
    round_: Round,
    instrument: Instrument,
    response: Response,
    *,
    username: str,
    user_id: int | None = None,
    source: str = "web",
) -> Response:
    """A centre submits its self-assessment; refused while anything required is missing or a check fails."""
    with writing(db):
        current = response_by_id(db, response.id)
        _check_submittable(round_, current)
        files = attached(db, [current.id])[current.id]
        problems = problems_before_submit(instrument, answers(db, instrument, current.id), files)
        if problems:
            raise StoreError("cannot_submit_yet", problems=refusal(problems))
        _move(db, current, _submitted(round_), 0, username, source)
        _review(db, current.id, user_id, 0, "submit", "")
        refresh(db, instrument, [current.id])  # a submitted response's flags count its required items
    return response_by_id(db, response.id)


def submit_many(db: Database, round_: Round, responses: Sequence[Response], *, username: str, source: str) -> None:
    """Submit responses whose answers were just checked (`submission_problems`) inside the caller's transaction."""
    for response in responses:
        _check_submittable(round_, response)
    status, stamp = _submitted(round_), now()
    db.conn.executemany(
        "UPDATE responses SET status = ?, review_level = 0, submitted_at = ? WHERE id = ?",
        [(status, stamp, response.id) for response in responses],
    )
    db.conn.executemany(
        """INSERT INTO reviews (response_id, user_id, level, action, comment, created_at)
           VALUES (?, NULL, 0, 'submit', '', ?)""",
        [(response.id, stamp) for response in responses],
    )
    record(db, [(stamp, username, r.id, "status", None, r.status, f"{status}/0", source) for r in responses])


def approve(
    db: Database,
    round_: Round,
    response: Response,
    *,
    level: int,
    username: str,
    user_id: int | None = None,
    comment: str = "",
) -> Response:
    """An evaluator at `level` approves; the last level's approval locks the response."""
    check_reviewable(round_, response, level)
    final = level >= round_.review_levels
    with writing(db):
        _move(db, response, APPROVED if final else SUBMITTED, level, username, "review")
        _review(db, response.id, user_id, level, "approve", comment)
    return response_by_id(db, response.id)


def send_back(
    db: Database,
    round_: Round,
    response: Response,
    *,
    level: int,
    username: str,
    user_id: int | None = None,
    comment: str = "",
    item_comments: Mapping[str, str] | None = None,
) -> Response:
    """An evaluator at `level` returns the response to the centre, saying what to correct."""
    check_reviewable(round_, response, level)
    if not (comment or "").strip() and not item_comments:
        raise StoreError("say_what_to_correct")
    with writing(db):
        _move(db, response, RETURNED, 0, username, "review")
        _review(db, response.id, user_id, level, "return", comment, item_comments)
    return response_by_id(db, response.id)


def _check_submittable(round_: Round, response: Response) -> None:
    if round_.status != "open":
        raise StoreError("round_closed", round=round_.id)
    if response.status not in (DRAFT, RETURNED):
        raise StoreError("already_status", status=status_words(response.status))


def _submitted(round_: Round) -> str:
    """What a submission becomes: awaiting review, or approved at once when the round has no review levels."""
    return APPROVED if round_.review_levels == 0 else SUBMITTED


def _move(db: Database, response: Response, status: str, level: int, username: str, source: str) -> None:
    """Change the status (and review level) of the response as read; ConflictError if it changed since."""
    stamp = now()
    submitted = ", submitted_at = ?" if status == SUBMITTED and response.status != SUBMITTED else ""
    params = [status, level, stamp] + ([stamp] if submitted else []) + [response.id, response.version]
    cursor = db.execute(
        f"""UPDATE responses SET status = ?, review_level = ?, updated_at = ?{submitted},
            version = version + 1 WHERE id = ? AND version = ?""",
        params,
    )
    if cursor.rowcount != 1:
        raise ConflictError("changed_elsewhere")
    old, new = f"{response.status}/{response.review_level}", f"{status}/{level}"
    record(db, [(stamp, username, response.id, "status", None, old, new, source)])


def _review(
    db: Database,
    response_id: int,
    user_id: int | None,
    level: int,
    action: str,
    comment: str,
    item_comments: Mapping[str, str] | None = None,
) -> None:
    notes = json.dumps(dict(item_comments or {}), ensure_ascii=False)
    db.execute(
        """INSERT INTO reviews (response_id, user_id, level, action, comment, item_comments, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)""",
        [response_id, user_id, level, action, comment or "", notes, now()],
    )
