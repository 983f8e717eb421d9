"""Clause ratings: a centre's self-rating (自评) and an evaluator's rating of each onsite clause, with their words.

A rating is stored as an answer keyed by the clause id (see `responses`): the
self-rating is the reported value, the evaluator's rating the verified value,
so scoring reads the evaluator's level first, as it reads verified values. The
note beside a self-rating, the evaluator's comment (the reason, when a clause
is rated not applicable) and the review level that recorded the evaluator's
rating live in `answer_notes`.

Every write of a rating — a centre's, an evaluator's, an accepted appeal's —
goes through `write_ratings`: it reads what people wrote with the core's
`rating` (a level the clause has, 未达到, 不适用), refuses a rating for an auto
clause, an unknown clause and 不适用 without a reason before anything is
written, writes only what changed, audits each change (who, when, old → new)
and bumps the response's version. `self_rate` and `rate` decide first who may
write: the centre while its answers may change, the evaluator at the level the
response awaits.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from instruments import NOT_APPLICABLE, AnswerError, Instrument, rating

from ..db import writing
from . import ConflictError, StoreError, now
from .lifecycle import check_editable
from .responses import Response, ensure_response, parts, record, response_by_id
from .results import refresh
from .reviews import MAX_COMMENT, check_reviewer
from .rounds import Round
from .users import User

# Audit actions: the level itself, then the words beside it.
ACTIONS = {False: ("self_rating", "self_rating_note"), True: ("rating", "rating_comment")}


class RatingError(StoreError):
    """A rating that does not fit clause `clause_id`: its code says how (an unknown clause, a level it lacks, …)."""

    def __init__(self, clause_id: str, code: str, /, **params: Any):
        self.clause_id = clause_id
        super().__init__(code, **params)


@dataclass(frozen=True)
class ClauseRating:
    """An onsite clause of one response: the centre's level and note, the evaluator's level and comment."""

    reported: str | None = None
    note: str = ""
    verified: str | None = None
    comment: str = ""
    verified_level: int | None = None  # the review level that recorded `verified`

    @property
    def effective(self) -> str | None:
        """The level that scores: the evaluator's where there is one."""
        return self.verified if self.verified is not None else self.reported


def clause_ratings(db: Database, instrument: Instrument, response_id: int) -> dict[str, ClauseRating]:
    """Every onsite clause of a response that has a rating or words beside it, by clause id."""
    return clause_ratings_of(db, instrument, [response_id])[response_id]


def clause_ratings_of(
    db: Database, instrument: Instrument, response_ids: Sequence[int]
) -> dict[int, dict[str, ClauseRating]]:
    """`clause_ratings` of many responses (read together), by response id."""
    onsite = [clause.id for clause in instrument.onsite_clauses]
    found: dict[int, dict[str, dict[str, Any]]] = {response_id: {} for response_id in response_ids}
    for response_id, item_id, value, verified in clause_rows(db, "answers", "value, verified", list(found), onsite):
        found[response_id].setdefault(item_id, {}).update(reported=value, verified=verified)
    for response_id, item_id, note, comment, verified_level in clause_rows(
        db, "answer_notes", "note, comment, verified_level", list(found), onsite
    ):
        found[response_id].setdefault(item_id, {}).update(note=note, comment=comment, verified_level=verified_level)
    return {
        response_id: {clause_id: ClauseRating(**fields) for clause_id, fields in clauses.items()}
        for response_id, clauses in found.items()
    }


def clause_rows(
    db: Database, table: str, columns: str, response_ids: list[int], clause_ids: Sequence[str]
) -> Iterator[tuple]:
    """(response_id, clause_id, *columns) of `table` (answers or answer_notes) for these responses and clauses.

    Looked up by both keys, so a response's item answers are never read.
    """
    for part in parts(response_ids):
        for some in parts(list(clause_ids)):
            ids, keys = ", ".join("?" * len(part)), ", ".join("?" * len(some))
            where = f"response_id IN ({ids}) AND item_id IN ({keys})"
            sql = f"SELECT response_id, item_id, {columns} FROM {table} WHERE {where}"
            yield from db.execute(sql, [*part, *some])


def parse_ratings(
    instrument: Instrument, given: Mapping[str, tuple[Any, str]], known: dict | None = None
) -> dict[str, tuple[str | None, str]]:
    """What people wrote per clause (a level as written, the words beside it), read; RatingError on a misfit.

    `known` keeps each (clause, cell) read, for many responses read with one.
    """
    known = {} if known is None else known
    out = {}
    for clause_id, (raw, text) in given.items():
        key = (clause_id, raw.__class__, raw)  # 1 and 1.0 are equal keys, "1" is not
        value = known.get(key, known)
        if value is known:
            value = known[key] = _level(instrument, clause_id, raw)
        if value.__class__ is RatingError:
            raise value
        text = (text or "").strip()
        if len(text) > MAX_COMMENT:
            raise RatingError(clause_id, "rating_note_too_long", limit=MAX_COMMENT)
        if value == NOT_APPLICABLE and not text:
            raise RatingError(clause_id, "rating_needs_reason")
        out[clause_id] = (value, text)
    return out


def _level(instrument: Instrument, clause_id: str, raw: Any) -> str | None | RatingError:
    clause = instrument.clause.get(clause_id)
    if clause is None:
        return RatingError(clause_id, "rating_unknown_clause")
    try:
        return rating(clause, raw)
    except AnswerError as error:
        return RatingError(clause_id, error.code, **error.params)


def write_ratings(
    db: Database,
    instrument: Instrument,
    response: Response,
    given: Mapping[str, tuple[Any, str]],
    *,
    verified: bool,
    username: str,
    source: str,
    level: int | None = None,
) -> int:
    """The one write of clause ratings: the centre's (`verified` false) or an evaluator's at review `level`.

    `given` maps clause ids to (level as people wrote it, the words beside it); None or
    blank clears a rating. Returns how many values changed; nothing is written when
    any rating does not fit its clause. Who may write is the caller's to check. The
    response's stored results follow in the same transaction.
    """
    read = parse_ratings(instrument, given)
    changed = write_many_ratings(
        db, instrument, {response.id: read}, verified=verified, username=username, source=source, level=level
    )
    return changed[response.id]


def write_many_ratings(
    db: Database,
    instrument: Instrument,
    read: Mapping[int, Mapping[str, tuple[str | None, str]]],
    *,
    verified: bool,
    username: str,
    source: str,
    level: int | None = None,
    rescore: bool = True,
    first_once: bool = False,
    stored: Mapping[int, Mapping[str, ClauseRating]] | None = None,
) -> dict[int, int]:
    """`write_ratings` for many responses in one transaction, their ratings as `parse_ratings` read them (by
    response id); changes by response id.

    Each response's changes are audited and its version bumped as `write_ratings` does.
    `stored` is every response's `clause_ratings_of` when the caller has read them in
    this transaction. Unless `rescore` is false (an import scores every response it
    touched together), their results follow. With `first_once` (an import), a response
    with nothing stored yet on the clauses given is audited once for all of them, as an
    import audits a response it creates: how many ratings and notes.
    """
    rating_action, text_action = ACTIONS[verified]
    changed = dict.fromkeys(read, 0)
    with writing(db):
        rated = {clause_id for pairs in read.values() for clause_id in pairs}
        for part in parts(list(read)):
            kept = stored if stored is not None else clause_ratings_of(db, instrument, part)
            levels: dict[int, dict[str, str | None]] = {}
            cleared, words, audit, bumped, stamp = [], [], [], [], now()
            for response_id in part:
                before, said = _sides(kept[response_id], rated, verified)
                first = first_once and not (before or said)  # each change is from nothing: counted, audited once
                changes: list[tuple] = []
                levels_set = notes_set = 0
                new_levels = levels[response_id] = {}
                for clause_id, (value, text) in read[response_id].items():
                    old, old_text = before.get(clause_id), said.get(clause_id, "")
                    if value != old:
                        new_levels[clause_id] = value
                        levels_set += 1
                        if value is None:
                            cleared.append((response_id, clause_id))
                        if not first:
                            changes.append((stamp, username, response_id, rating_action, clause_id, old, value, source))
                    if text != old_text:
                        notes_set += 1
                        if not first:
                            words_then = (old_text or None, text or None)
                            changes.append((stamp, username, response_id, text_action, clause_id, *words_then, source))
                    recorded_at = level if verified and value else None
                    if (value != old or text != old_text) and (clause_id in said or text or recorded_at is not None):
                        words.append((response_id, clause_id, text, recorded_at))  # else no row was, nor will be
                changed[response_id] = levels_set + notes_set
                if first and changed[response_id]:
                    said_once = f"{levels_set} self-ratings, {notes_set} notes"
                    changes.append((stamp, username, response_id, "import", None, None, said_once, source))
                if changed[response_id]:
                    bumped.append((stamp, response_id))
                audit += changes
            level_column, text_column = ("verified", "comment") if verified else ("value", "note")
            _put_levels(db, level_column, levels, cleared)
            _put_words(db, text_column, words, verified)
            record(db, audit)
            db.conn.executemany("UPDATE responses SET version = version + 1, updated_at = ? WHERE id = ?", bumped)
        if rescore:
            refresh(db, instrument, [response_id for response_id, count in changed.items() if count])
    return changed


def _sides(
    kept: Mapping[str, ClauseRating], rated: Collection[str], verified: bool
) -> tuple[dict[str, str | None], dict[str, str]]:
    """One side of a response's stored ratings of the `rated` clauses (the centre's, or with `verified` the
    evaluator's): its level where the clause has a rating row, its words where it has a row of words."""
    levels, words = {}, {}
    for clause_id, rating_ in kept.items():
        if clause_id not in rated:
            continue
        if rating_.reported is not None or rating_.verified is not None:
            levels[clause_id] = rating_.verified if verified else rating_.reported
        if rating_.note or rating_.comment or rating_.verified_level is not None:
            words[clause_id] = rating_.comment if verified else rating_.note
    return levels, words


def standing(kept: Mapping[str, ClauseRating], read: Mapping[str, tuple[str | None, str]]) -> dict[str, str | None]:
    """The level that scores of each clause of a response once its centre's ratings `read` are written over
    the `kept` ones: the evaluator's where there is one."""
    levels = {clause_id: rating_.effective for clause_id, rating_ in kept.items()}
    for clause_id, (value, _) in read.items():
        before = kept.get(clause_id)
        levels[clause_id] = before.verified if before is not None and before.verified is not None else value
    return levels


def _put_levels(
    db: Database, column: str, levels: Mapping[int, Mapping[str, str | None]], cleared: list[tuple[int, str]]
) -> None:
    """Levels by response id, then clause id, in `column`; of those `cleared` (None), a row left with no level on
    either side goes."""
    # a response's levels go in as one JSON object, unpacked by SQLite in key order
    db.conn.executemany(
        f"""INSERT INTO answers (response_id, item_id, {column}) SELECT ?, key, value FROM json_each(?) WHERE true
            ON CONFLICT (response_id, item_id) DO UPDATE SET {column} = excluded.{column}""",
        [(response_id, json.dumps(given, sort_keys=True)) for response_id, given in sorted(levels.items()) if given],
    )
    db.conn.executemany(
        "DELETE FROM answers WHERE response_id = ? AND item_id = ? AND value IS NULL AND verified IS NULL", cleared
    )


def _put_words(db: Database, column: str, rows: list[tuple[int, str, str, int | None]], verified: bool) -> None:
    """The words beside ratings (response_id, clause_id, text, review level), the level only for an evaluator's."""
    rows.sort(key=lambda row: row[:2])
    level_set = ", verified_level = excluded.verified_level" if verified else ""
    db.conn.executemany(
        f"""INSERT INTO answer_notes (response_id, item_id, {column}, verified_level) VALUES (?, ?, ?, ?)
            ON CONFLICT (response_id, item_id) DO UPDATE SET {column} = excluded.{column}{level_set}""",
        rows,
    )
    db.conn.executemany(
        """DELETE FROM answer_notes WHERE response_id = ? AND item_id = ?
           AND note = '' AND comment = '' AND verified_level IS NULL""",
        [row[:2] for row in rows if not row[2]],
    )


def self_rate(
    db: Database,
    round_: Round,
    instrument: Instrument,
    org_code: str,
    given: Mapping[str, tuple[Any, str]],
    *,
    username: str,
    source: str = "web",
    expected_version: int | None = None,
) -> tuple[Response, int]:
    """A centre's self-ratings with their notes, while its answers may change; based on the response's version."""
    parse_ratings(instrument, given)  # a misfit is refused before a response is created for it
    with writing(db):
        response = ensure_response(db, round_.id, org_code)
        if expected_version is not None and response.version != expected_version:
            raise ConflictError("changed_since_opened", version=response.version, yours=expected_version)
        check_editable(round_, response)
        changed = write_ratings(db, instrument, response, given, verified=False, username=username, source=source)
    return response_by_id(db, response.id), changed


def rate(
    db: Database,
    round_: Round,
    instrument: Instrument,
    response: Response,
    given: Mapping[str, tuple[Any, str]],
    user: User,
    *,
    expected_version: int | None = None,
) -> tuple[Response, int]:
    """An evaluator's ratings with comments, at the level the response awaits, recorded as verified levels."""
    with writing(db):
        current = response_by_id(db, response.id)
        level = check_reviewer(db, round_, current, user, expected_version)
        changed = write_ratings(
            db, instrument, current, given, verified=True, username=user.username, source="review", level=level
        )
    return response_by_id(db, current.id), changed
