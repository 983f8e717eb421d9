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
from dataclasses import dataclass, field

from sqlite_utils import Database

from instruments import Instrument
from instruments.checks import Check

from ..db import writing
from . import ConflictError, NotFoundError, StoreError, now
from .orgs import get_unit, is_under, under
from .responses import Response, answers, get_response, record, response_by_id
from .rounds import Round
from .users import User

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


# ---------------------------------------------------------------- reviewing as a signed-in evaluator
#
# The functions above take a level on trust; those below work it out from the
# evaluator's org unit and refuse a response outside that unit, one that is not
# awaiting that level, and one changed since the evaluator's page was opened.

MAX_COMMENT = 2000  # characters in one comment, overall or on an item


class NotCleanError(StoreError):
    """The response still has required items unanswered or broken constraints: `problems` names them."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("not approved: " + "; ".join(problems))


@dataclass(frozen=True)
class Refusal:
    """A response a bulk approval left alone: `reason` is outside, stale, not_awaiting or not_clean."""

    org_code: str
    reason: str
    problems: tuple[str, ...] = ()


@dataclass
class BulkApproval:
    approved: list[str] = field(default_factory=list)  # org codes
    refused: list[Refusal] = field(default_factory=list)


def reviewer_level(db: Database, user: User) -> int | None:
    """The level an evaluator reviews at, from their org unit (county 1, city 2, province 3); None for others."""
    if user.role != "evaluator" or not user.org_code:
        return None
    return REVIEW_LEVEL.get(get_unit(db, user.org_code).level)


def awaits(round_: Round, response: Response, level: int | None) -> bool:
    """Whether the response is waiting for a reviewer at `level` in an open round."""
    return (
        level is not None
        and round_.status == "open"
        and 1 <= level <= round_.review_levels
        and response.status == "submitted"
        and response.review_level == level - 1
    )


def approval_problems(db: Database, instrument: Instrument, response: Response) -> list[str]:
    """What keeps a response from approval: the submission checks, on verified values where there are any."""
    return problems_before_submit(instrument, answers(db, instrument, response.id, verified=True))


def check_reviewer(
    db: Database, round_: Round, response: Response, user: User, expected_version: int | None = None
) -> int:
    """The level at which `user` may act on `response` now; NotFoundError outside their unit, else StoreError."""
    level = reviewer_level(db, user)
    if level is None:
        raise StoreError(f"{user.username} is not an evaluator of a county, city or province")
    if response.round_id != round_.id or not is_under(db, response.org_code, user.org_code):
        raise NotFoundError(f"no response of {response.org_code} for {user.username}")
    if round_.status != "open":
        raise StoreError(f"round {round_.id} is closed")
    if expected_version is not None and response.version != expected_version:
        raise ConflictError(
            f"the response changed since the page was opened (version {response.version}, yours {expected_version})"
        )
    _check_reviewable(round_, response, level)
    return level


def approve_by(
    db: Database, round_: Round, instrument: Instrument, response: Response, user: User, *,
    comment: str = "", expected_version: int | None = None,
) -> Response:  # fmt: skip
    """`user` approves at their own level, when the response awaits it, is theirs, unchanged and clean."""
    with writing(db):
        current = response_by_id(db, response.id)
        level = check_reviewer(db, round_, current, user, expected_version)
        problems = approval_problems(db, instrument, current)
        if problems:
            raise NotCleanError(problems)
        return approve(db, round_, current, level=level, username=user.username, user_id=user.id,
                       comment=_comment(comment))  # fmt: skip


def return_by(
    db: Database, round_: Round, instrument: Instrument, response: Response, user: User, *,
    comment: str = "", item_comments: Mapping[str, str] | None = None, expected_version: int | None = None,
) -> Response:  # fmt: skip
    """`user` returns the response to the centre at their own level, with an overall comment and item comments."""
    notes = {item_id: _comment(text) for item_id, text in (item_comments or {}).items() if (text or "").strip()}
    unknown = [item_id for item_id in notes if item_id not in instrument.item]
    if unknown:
        raise StoreError(f"not items of {instrument.id}: {', '.join(unknown)}")
    with writing(db):
        current = response_by_id(db, response.id)
        level = check_reviewer(db, round_, current, user, expected_version)
        return return_response(db, round_, current, level=level, username=user.username, user_id=user.id,
                               comment=_comment(comment), item_comments=notes)  # fmt: skip


def approve_many(
    db: Database, round_: Round, instrument: Instrument, picks: Mapping[str, int], user: User, comment: str = ""
) -> BulkApproval:
    """Approve each picked response (org code: version seen) that is clean; report the others and why."""
    level = reviewer_level(db, user)
    if level is None:
        raise StoreError(f"{user.username} is not an evaluator of a county, city or province")
    if round_.status != "open":
        raise StoreError(f"round {round_.id} is closed")
    result = BulkApproval()
    with writing(db):
        inside = set(under(db, user.org_code))
        for code, version in picks.items():
            response = get_response(db, round_.id, code)
            if response is None or code not in inside:
                result.refused.append(Refusal(code, "outside"))
            elif response.version != version:
                result.refused.append(Refusal(code, "stale"))
            elif not awaits(round_, response, level):
                result.refused.append(Refusal(code, "not_awaiting"))
            elif problems := approval_problems(db, instrument, response):
                result.refused.append(Refusal(code, "not_clean", tuple(problems)))
            else:
                approve(db, round_, response, level=level, username=user.username, user_id=user.id,
                        comment=_comment(comment))  # fmt: skip
                result.approved.append(code)
    return result


def _comment(text: str | None) -> str:
    text = (text or "").strip()
    if len(text) > MAX_COMMENT:
        raise StoreError(f"a comment is at most {MAX_COMMENT} characters")
    return text


def audit_trail(db: Database, response_id: int) -> list[dict]:
    """Every audit row of a response, oldest first: when, who, what, item, old, new, from where."""
    return list(db.query("SELECT * FROM audit WHERE response_id = ? ORDER BY id", [response_id]))
