"""The review workflow: self-assessment → county review → city re-check (自评 → 县级评审 → 市级复核).

    draft ──submit──▶ submitted(level 0) ──approve by level 1──▶ submitted(level 1) … ──▶ approved
      ▲                    │
      └──── returned ◀─return (any reviewing level, with comments)
                 └──submit──▶ submitted(level 0)

A round sets how many review levels follow self-assessment (0–4); the response
is approved when the last level approves. Evaluators review at the level of
their org unit: county 1, city 2, province 3.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from sqlite_utils import Database

from instruments import Instrument
from instruments.checks import Check

from ..db import writing
from . import ConflictError, StoreError, now
from .responses import Response, answers, record, response_by_id
from .rounds import Round

REVIEW_LEVEL = {"county": 1, "city": 2, "province": 3}
LEVEL_NAMES = {0: "自评", 1: "县级评审", 2: "市级复核", 3: "省级抽查", 4: "国家抽查"}


def problems_before_submit(instrument: Instrument, values: Mapping) -> list[str]:
    """What keeps a response from being submitted: required items unanswered, constraints broken."""
    return [
        f"{p.item.label.zh}：{'必填' if p.kind == 'required' else p.message}"
        for p in Check(instrument, values).problems()
    ]


def _change(db, response: Response, status: str, level: int, username: str, source: str) -> None:
    stamp = now()
    submitted = ", submitted_at = ?" if status == "submitted" and response.status != "submitted" else ""
    params = [status, level, stamp] + ([stamp] if submitted else []) + [response.id, response.version]
    cursor = db.execute(
        f"""UPDATE responses SET status = ?, review_level = ?, updated_at = ?{submitted},
            version = version + 1 WHERE id = ? AND version = ?""",
        params,
    )
    if cursor.rowcount != 1:
        raise ConflictError("this response was changed elsewhere; reload it")
    old, new = f"{response.status}/{response.review_level}", f"{status}/{level}"
    record(db, [(stamp, username, response.id, "status", None, old, new, source)])


def _review(db, response: Response, user_id: int | None, level: int, action: str, comment: str,
            item_comments: Mapping[str, str] | None = None) -> None:  # fmt: skip
    db.execute(
        """INSERT INTO reviews (response_id, user_id, level, action, comment, item_comments, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)""",
        [response.id, user_id, level, action, comment or "",
         json.dumps(dict(item_comments or {}), ensure_ascii=False), now()],
    )  # fmt: skip


def submit(
    db: Database, round_: Round, instrument: Instrument, response: Response, *, username: str,
    user_id: int | None = None, source: str = "web",
) -> Response:  # fmt: skip
    """A centre submits its self-assessment; refused while anything required is missing."""
    if round_.status != "open":
        raise StoreError(f"round {round_.id} is closed")
    if response.status not in ("draft", "returned"):
        raise StoreError(f"the response is already {response.status}")
    problems = problems_before_submit(instrument, answers(db, instrument, response.id))
    if problems:
        more = f"；等共 {len(problems)} 项" if len(problems) > 5 else ""
        raise StoreError("cannot submit yet: " + "；".join(problems[:5]) + more)
    final = round_.review_levels == 0
    with writing(db):
        _change(db, response, "approved" if final else "submitted", 0, username, source)
        _review(db, response, user_id, 0, "submit", "")
    return response_by_id(db, response.id)


def approve(
    db: Database, round_: Round, response: Response, *, level: int, username: str,
    user_id: int | None = None, comment: str = "",
) -> Response:  # fmt: skip
    """An evaluator at `level` approves; the last level's approval locks the response."""
    _check_reviewable(round_, response, level)
    final = level >= round_.review_levels
    with writing(db):
        _change(db, response, "approved" if final else "submitted", level, username, "review")
        _review(db, response, user_id, level, "approve", comment)
    return response_by_id(db, response.id)


def return_response(
    db: Database, round_: Round, response: Response, *, level: int, username: str,
    user_id: int | None = None, comment: str = "", item_comments: Mapping[str, str] | None = None,
) -> Response:  # fmt: skip
    """An evaluator at `level` sends the response back to the centre with comments."""
    _check_reviewable(round_, response, level)
    if not (comment or "").strip() and not item_comments:
        raise StoreError("say what to correct: a comment on the response or on an item")
    with writing(db):
        _change(db, response, "returned", 0, username, "review")
        _review(db, response, user_id, level, "return", comment, item_comments)
    return response_by_id(db, response.id)


def _check_reviewable(round_: Round, response: Response, level: int) -> None:
    if round_.review_levels == 0 or not 1 <= level <= round_.review_levels:
        raise StoreError(f"round {round_.id} has no review level {level}")
    if response.status != "submitted":
        raise StoreError(f"the response is {response.status}, not awaiting review")
    if response.review_level != level - 1:
        waiting = LEVEL_NAMES.get(response.review_level + 1, str(response.review_level + 1))
        raise StoreError(f"this response awaits {waiting}, not {LEVEL_NAMES.get(level, level)}")


def history(db: Database, response_id: int) -> list[dict]:
    """Every review step of a response, oldest first."""
    return [
        {**row, "item_comments": json.loads(row["item_comments"])}
        for row in db.query(
            """SELECT r.*, u.username FROM reviews r LEFT JOIN users u ON u.id = r.user_id
               WHERE r.response_id = ? ORDER BY r.id""",
            [response_id],
        )
    ]
