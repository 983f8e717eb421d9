"""Scores of a round: computed from the stored answers (verified values first) and cached."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sqlite_utils import Database

import instruments
from instruments import Instrument, Scores
from instruments.expressions import plain

from ..db import writing
from . import now
from .lifecycle import APPROVED
from .orgs import parents, under
from .responses import Response, round_columns, statuses
from .rounds import Round, centres, round_instrument


@dataclass
class RoundScores:
    """A round's scored centres: row i of `scores` is `centres[i]`."""

    round: Round
    instrument: Instrument
    centres: list[dict]  # code, name, county, city
    responses: list[Response]
    scores: Scores

    @cached_property
    def row_of(self) -> dict[str, int]:
        """Each centre's row by org code."""
        return {centre["code"]: row for row, centre in enumerate(self.centres)}


def round_scores(
    db: Database, round_: Round, scope_code: str | None = None, approved_only: bool = False
) -> RoundScores:
    """Score every centre in scope that has a response (only approved ones if asked)."""
    instrument = round_instrument(db, round_)
    by_code = statuses(db, round_)
    chosen = [
        c
        for c in centres(db, round_, scope_code)
        if c["code"] in by_code and (not approved_only or by_code[c["code"]].status == APPROVED)
    ]
    codes = [c["code"] for c in chosen]
    data = round_columns(db, round_, instrument, codes)
    scores = instruments.score_columns(instrument, data)
    return RoundScores(round_, instrument, chosen, [by_code[c] for c in codes], scores)


def regions_of(db: Database, result: RoundScores, scope_code: str | None) -> dict[str, list[int]]:
    """Rows of the scored centres under each unit inside `scope_code` (every unit when None)."""
    members = instruments.membership([c["code"] for c in result.centres], parents(db))
    if scope_code is None:
        return members
    inside = set(under(db, scope_code))
    return {code: rows for code, rows in members.items() if code in inside}


def save_scores(db: Database, result: RoundScores) -> int:
    """Cache each response's total, grade, dimension scores and indicator results."""
    scores, stamp = result.scores, now()
    rows = []
    for row, response in enumerate(result.responses):
        indicators = {
            ind.id: {
                "value": _plain(scores.value(ind.id, row)),
                "status": scores.status(ind.id, row),
                "met": int(scores.met[ind.id][row]) if ind.scored else None,
                "points": _plain(scores.points[ind.id][row]) if ind.scored else None,
            }
            for ind in result.instrument.indicators
        }
        dimensions = {d: _plain(v[row]) for d, v in scores.dimensions.items()}
        rows.append(
            (response.id, _plain(scores.total[row]), scores.grade_id(row),
             json.dumps(dimensions), json.dumps(indicators, ensure_ascii=False), stamp)
        )  # fmt: skip
    with writing(db):
        db.conn.executemany(
            """INSERT INTO scores (response_id, total, grade, dimensions, indicators, computed_at)
               VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (response_id) DO UPDATE SET
               total = excluded.total, grade = excluded.grade, dimensions = excluded.dimensions,
               indicators = excluded.indicators, computed_at = excluded.computed_at""",
            rows,
        )
    return len(rows)


def _plain(value: Any) -> Any:
    return value if value is None or isinstance(value, bool | str) else plain(value)
