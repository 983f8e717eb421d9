"""A centre's filling of one round: which rounds it answers, what it has saved, drafts, self-ratings of the
clauses, evidence files, appeals against verified values, the offline template.

No Flask here: the views pass in the request's database and the signed-in user.
A centre only ever reaches its own response, and only in rounds that include it;
anything else is NotFoundError, so it cannot tell another centre's data exists.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from exports.errors import WorkbookError
from exports.responses import read_responses
from exports.template import saved_cells
from instruments import Clause, Instrument
from instruments.checks import Check
from instruments.model import Chapter, Section

from .. import assessment, clause_rows
from ..store import ConflictError, NotFoundError, StoreError
from ..store import appeals as appeal_store
from ..store import evidence as evidence_store
from ..store.access import own_round, visible_rounds
from ..store.editing import ImportSummary, save_answers
from ..store.lifecycle import RETURNED, editable, missing_evidence, status_of
from ..store.orgs import get_unit
from ..store.ratings import ClauseRating, clause_ratings, self_rate
from ..store.responses import Response, answers, get_response
from ..store.reviews import history
from ..store.rounds import Round, round_instrument
from ..store.users import User


@dataclass(frozen=True)
class Filling:
    """One centre's response to one round, as stored (`status` "new" before anything is saved)."""

    round: Round
    instrument: Instrument
    org_code: str
    response: Response | None
    values: dict[str, Any]  # answers by item id and self-ratings by clause id, as stored
    ratings: dict[str, ClauseRating]
    files: dict[str, list[evidence_store.Evidence]]  # evidence by the item or clause it supports

    @property
    def status(self) -> str:
        """草稿 and so on as stored, or "new" before the first save."""
        return status_of(self.response)

    @property
    def version(self) -> int:
        """The response's version counter (0 before the first save)."""
        return self.response.version if self.response else 0

    @property
    def editable(self) -> bool:
        """Whether the centre may still change its answers: the round is open and nothing awaits review."""
        return editable(self.round, self.response)

    @cached_property
    def check(self) -> Check:
        """The stored answers evaluated by the instrument core."""
        return Check(self.instrument, self.values)

    @property
    def missing_evidence(self) -> list[Clause]:
        """Clauses whose evidence is required and not attached yet (the lifecycle's rule)."""
        return missing_evidence(self.instrument, self.values, set(self.files))

    def chapter(self, chapter_id: str) -> Chapter:
        """The chapter `chapter_id` among those holding clauses; NotFoundError when there is none."""
        for chapter in clause_rows.chapters(self.instrument):
            if chapter.id == chapter_id:
                return chapter
        raise NotFoundError("no_chapter", chapter=chapter_id)

    def section(self, section_id: str) -> Section:
        """The instrument's section `section_id`; NotFoundError when there is none."""
        for section in self.instrument.sections:
            if section.id == section_id:
                return section
        raise NotFoundError("no_section", section=section_id)

    def next_section(self, section: Section) -> Section | None:
        """The section after `section`, or None after the last."""
        sections = self.instrument.sections
        index = sections.index(section)
        return sections[index + 1] if index + 1 < len(sections) else None


def open_filling(db: Database, round_id: int, user: User) -> Filling:
    """The centre user's filling of a round; NotFoundError when there is no such round or it is not theirs."""
    return _filling(db, own_round(db, round_id, user), user.org_code)


def _filling(db: Database, round_: Round, org_code: str) -> Filling:
    instrument = round_instrument(db, round_)
    response = get_response(db, round_.id, org_code)
    if response is None:
        return Filling(round_, instrument, org_code, None, {}, {}, {})
    return Filling(
        round_,
        instrument,
        org_code,
        response,
        answers(db, instrument, response.id),
        clause_ratings(db, instrument, response.id),
        evidence_store.evidence_of(db, response.id),
    )


def my_rounds(db: Database, user: User) -> list[Filling]:
    """Every round the centre user's unit answers, open ones first, newest first."""
    return [_filling(db, round_, user.org_code) for round_, _scope in visible_rounds(db, user)]


def comments(db: Database, filling: Filling) -> tuple[str, dict[str, str]]:
    """The evaluator's comment and item comments when the response was returned."""
    if filling.status != RETURNED:
        return "", {}
    returns = [step for step in history(db, filling.response.id) if step["action"] == "return"]
    return (returns[-1]["comment"], returns[-1]["item_comments"]) if returns else ("", {})


def save(
    db: Database, filling: Filling, typed: Mapping[str, Any], version: int, user: User, check: Check | None = None
) -> Response:
    """Save typed answers as a draft, based on the response's `version`; answers no longer asked are cleared.

    `check` is the stored answers with the typed ones already checked, when the caller has it.
    """
    if version == 0 and filling.response is not None:
        raise ConflictError("created_elsewhere")
    merged = {**filling.values, **typed}
    check = check or Check(filling.instrument, merged)
    cleared = {
        item.id: None
        for item in filling.instrument.items
        if merged.get(item.id) is not None and not check.relevant(item.id)
    }
    response, _ = save_answers(
        db,
        filling.round,
        filling.instrument,
        filling.org_code,
        {**typed, **cleared},
        username=user.username,
        source="web",
        expected_version=version or None,
    )
    return response


def template(db: Database, filling: Filling) -> bytes:
    """The offline template with the centre's own row, filled with its saved answers and self-ratings."""
    ratings = {clause_id: (rated.reported, rated.note) for clause_id, rated in filling.ratings.items()}
    saved = {filling.org_code: saved_cells(filling.instrument, filling.values, ratings)}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "template.xlsx"
        assessment.write_template(db, filling.round, path, filling.org_code, saved)
        return path.read_bytes()


class ForeignFileError(StoreError):
    """An upload holding rows of other centres: `owners` are their (code, name), the name "" when no unit has
    the code."""

    def __init__(self, owners: list[tuple[str, str]]):
        super().__init__("file_of_other_centres", codes=", ".join(code for code, _ in owners))
        self.owners = owners


def upload(db: Database, filling: Filling, data: bytes, filename: str, user: User) -> ImportSummary:
    """Import the centre's filled-in template: all or nothing; a file holding other centres' rows raises
    ForeignFileError naming them, a file with other problems WorkbookError."""
    if not filling.editable:
        raise StoreError("response_unchangeable")
    try:
        return assessment.import_responses(
            db, filling.round, data, filename, username=user.username, only=filling.org_code
        )
    except WorkbookError:
        owners = _other_owners(db, filling, data, filename)
        if owners:
            raise ForeignFileError(owners) from None
        raise


def _other_owners(db: Database, filling: Filling, data: bytes, filename: str) -> list[tuple[str, str]]:
    """The centres other than the filling's whose rows a refused file holds, when its rows can be read."""
    try:
        rows = read_responses(data, filename, filling.instrument, round_id=filling.round.id)
    except WorkbookError:
        return []
    owners = []
    for code in dict.fromkeys(row.code for row in rows if row.code != filling.org_code):
        try:
            owners.append((code, get_unit(db, code).name))
        except NotFoundError:
            owners.append((code, ""))
    return owners


def rate(db: Database, filling: Filling, given: Mapping[str, tuple[Any, str]], version: int, user: User) -> Response:
    """Save self-ratings with their notes (clause id: (level, note)), based on the response's `version`."""
    if version == 0 and filling.response is not None:
        raise ConflictError("created_elsewhere")
    response, _ = self_rate(
        db,
        filling.round,
        filling.instrument,
        filling.org_code,
        given,
        username=user.username,
        expected_version=version or None,
    )
    return response


def attach(db: Database, filling: Filling, item_id: str, name: str, data: bytes, user: User) -> evidence_store.Evidence:
    """Attach an evidence file to an item or clause of the centre's response."""
    return evidence_store.add_evidence(
        db, filling.round, filling.instrument, filling.org_code, item_id, name, data, user
    )


def detach(db: Database, filling: Filling, evidence_id: int, user: User) -> evidence_store.Evidence:
    """Remove one of the response's evidence files; NotFoundError when it is not this response's."""
    if filling.response is None:
        raise NotFoundError("no_evidence", evidence=evidence_id)
    return evidence_store.remove_evidence(db, filling.round, filling.response, evidence_id, user)


@dataclass(frozen=True)
class Disputed:
    """An item or clause whose verified value differs from the centre's, with its appeals."""

    dispute: appeal_store.Dispute
    appeals: list[appeal_store.Appeal]

    @property
    def pending(self) -> appeal_store.Appeal | None:
        return next((a for a in self.appeals if a.status == appeal_store.PENDING), None)


def disputed(db: Database, filling: Filling) -> list[Disputed]:
    """What the evaluators verified differently from the centre, in the instrument's order, with its appeals;
    and appeals on things no longer disputed (decided ones)."""
    if filling.response is None:
        return []
    found = appeal_store.disputes(db, filling.instrument, filling.response.id)
    lodged: dict[str, list[appeal_store.Appeal]] = {}
    for appeal in appeal_store.appeals_of(db, filling.response.id):
        lodged.setdefault(appeal.item_id, []).append(appeal)
    order = [*filling.instrument.item, *filling.instrument.clause]
    out = []
    for item_id in order:
        if item_id in found:
            out.append(Disputed(found[item_id], lodged.get(item_id, [])))
        elif item_id in lodged:
            last = lodged[item_id][-1]
            out.append(
                Disputed(appeal_store.Dispute(item_id, last.reported, last.verified, last.level, ""), lodged[item_id])
            )
    return out


def appeal(
    db: Database,
    filling: Filling,
    item_id: str,
    reason: str,
    response_id: int | None,
    file: tuple[str, bytes] | None,
    user: User,
) -> appeal_store.Appeal:
    """Appeal an evaluator's verified value or level of `item_id`, on the response the page showed."""
    return appeal_store.lodge(
        db,
        filling.round,
        filling.instrument,
        filling.org_code,
        item_id,
        reason,
        user,
        response_id=response_id,
        file=file,
    )
