"""Verified values from site visits (核实值), kept beside the reported value (上报值).

An evaluator who checks a centre's books on site records what they found in
`answers.verified`; the centre's own answer stays in `answers.value`. Scoring
reads the verified value first (`responses.round_columns`), so a correction
counts at once while the reported figure remains visible. Only the evaluator
whose level the response awaits may record one, each change is audited
(action `verify`, old → new verified value), and the response's version moves
on, so a page opened before the change cannot act on stale figures. The review
level that recorded a verified value is kept beside it (`answer_notes`): an
appeal against the value is decided at that level. Every write of verified
item values goes through `write_verified`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlite_utils import Database

from instruments import Instrument

from ..db import writing
from . import now
from .responses import Response, differences, from_db, record, response_by_id, stored_values
from .reviews import check_reviewer
from .rounds import Round
from .users import User


def verified_values(db: Database, instrument: Instrument, response_id: int) -> dict[str, Any]:
    """The verified values of a response by item id, and the evaluator's ratings by clause id (others left out)."""
    out = {}
    for row in db.query(
        "SELECT item_id, verified FROM answers WHERE response_id = ? AND verified IS NOT NULL", [response_id]
    ):
        item = instrument.item.get(row["item_id"])
        if item is not None:
            out[item.id] = from_db(item, row["verified"])
        elif row["item_id"] in instrument.clause:
            out[row["item_id"]] = row["verified"]
    return out


def verify(
    db: Database,
    round_: Round,
    instrument: Instrument,
    response: Response,
    values: Mapping[str, Any],
    user: User,
    *,
    expected_version: int | None = None,
) -> tuple[Response, int]:
    """Record verified values (None clears one) as `user`; returns the response and how many changed.

    The values are already parsed by their item types; an id the instrument does
    not have is refused, and nothing is written unless `user` may review the
    response now.
    """
    stored_values(instrument, values)  # an unknown id is refused before anything else
    with writing(db):
        current = response_by_id(db, response.id)
        level = check_reviewer(db, round_, current, user, expected_version)
        changed = write_verified(db, instrument, current, values, username=user.username, source="review", level=level)
    return response_by_id(db, current.id), changed


def write_verified(
    db: Database,
    instrument: Instrument,
    response: Response,
    values: Mapping[str, Any],
    *,
    username: str,
    source: str,
    level: int | None,
) -> int:
    """The one write of verified item values, recorded at review `level`: each change audited, the version bumped.

    Who may write is the caller's to check (an evaluator at the level the response
    awaits, or one deciding an appeal against their own level's value).
    """
    wanted = stored_values(instrument, values)
    with writing(db):
        stored = {
            row["item_id"]: row["verified"]
            for row in db.query("SELECT item_id, verified FROM answers WHERE response_id = ?", [response.id])
        }
        changes = differences(stored, wanted)
        if not changes:
            return 0
        db.conn.executemany(
            """INSERT INTO answers (response_id, item_id, value, verified) VALUES (?, ?, NULL, ?)
               ON CONFLICT (response_id, item_id) DO UPDATE SET verified = excluded.verified""",
            [(response.id, item_id, new) for item_id, _, new in changes],
        )
        db.execute("DELETE FROM answers WHERE response_id = ? AND value IS NULL AND verified IS NULL", [response.id])
        db.conn.executemany(
            """INSERT INTO answer_notes (response_id, item_id, verified_level) VALUES (?, ?, ?)
               ON CONFLICT (response_id, item_id) DO UPDATE SET verified_level = excluded.verified_level""",
            [(response.id, item_id, None if new is None else level) for item_id, _, new in changes],
        )
        db.execute(
            """DELETE FROM answer_notes WHERE response_id = ? AND note = '' AND comment = ''
               AND verified_level IS NULL""",
            [response.id],
        )
        stamp = now()
        record(db, [(stamp, username, response.id, "verify", item, old, new, source) for item, old, new in changes])
        db.execute("UPDATE responses SET version = version + 1, updated_at = ? WHERE id = ?", [stamp, response.id])
    return len(changes)
