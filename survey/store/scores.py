"""A round's scores for a scope: read from the stored results, or computed again from the answers.

Pages and the league workbook read stored results (`stored_scores`); report
cards score the answers again (`round_scores`: the same core function the
stored results came from), since the gap to each target needs the answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from sqlite_utils import Database

import instruments
from instruments import Instrument, Scores

from .lifecycle import APPROVED
from .orgs import parents, under
from .responses import Response, round_columns, statuses
from .rounds import Round, centres, check_scope, round_instrument


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


def stored_scores(
    db: Database, round_: Round, scope_code: str | None = None, approved_only: bool = False
) -> RoundScores:
    """The stored results of every centre in scope that has a response (only approved ones if asked)."""
    from .standings import figures_in

    scores, codes = figures_in(db, round_, scope_code, approved_only)
    check_scope(db, round_, scope_code)
    by_code = statuses(db, round_)
    named = {c["code"]: c for c in centres(db, round_, scope_code)}
    chosen = [named[code] for code in codes]
    return RoundScores(round_, round_instrument(db, round_), chosen, [by_code[code] for code in codes], scores)


def regions_of(db: Database, result: RoundScores, scope_code: str | None) -> dict[str, list[int]]:
    """Rows of the scored centres under each unit inside `scope_code` (every unit when None)."""
    members = instruments.membership([c["code"] for c in result.centres], parents(db))
    if scope_code is None:
        return members
    inside = set(under(db, scope_code))
    return {code: rows for code, rows in members.items() if code in inside}
