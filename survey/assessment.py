"""The assessment's operations, shared by the command line and the web.

Each joins the store, the instrument core and the workbooks: load an
instrument file, import units, write a template, import filled-in answers,
score a round, write the league workbook and report cards, back up. Files are
written to a temporary name and moved into place, so a failure never leaves a
half-written file behind.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import os
import shutil
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sqlite_utils import Database

import instruments
from exports import cards, forking, league, orgs, responses, template, uploads, xlsform
from exports.errors import WorkbookError, problem
from exports.tables import UNSET, Centre
from instruments import Instrument
from instruments.errors import Problem, closest
from instruments.library import bundled, every_version  # noqa: F401 - survey.demo takes bundled() from here
from instruments.ranking import rank_within

from .store import StoreError, evidence
from .store import orgs as org_store
from .store.editing import ImportSummary, NotRatableError, NotSubmittableError, import_answers
from .store.ratings import RatingError
from .store.results import rescore
from .store.rounds import Round, centres, previous_round, round_instrument
from .store.scores import RoundScores, regions_of, round_scores, stored_scores
from .store.versions import save_instrument

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


@contextlib.contextmanager
def replacing(path: str | Path) -> Iterator[Path]:
    """A temporary path beside `path` that replaces it only when the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(handle)
    try:
        yield Path(temporary)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def gc_paused(fn: Callable) -> Callable:
    """`fn` with cyclic garbage collection paused while it runs, and always back on after.

    The bulk steps build millions of objects, and each time their number grows by a
    quarter Python walks all of them again; none of it is cyclic garbage. Of two running
    at once in one process, the first to end turns it back on.
    """

    @functools.wraps(fn)
    def paused(*args: Any, **kwargs: Any) -> Any:
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            gc.enable()

    return paused


def read_instrument(data: bytes, filename: str) -> Instrument:
    """An instrument from YAML, JSON or an XLSForm-style workbook."""
    if filename.lower().endswith(WORKBOOK_SUFFIXES):
        return xlsform.load_xlsform(data, filename)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise StoreError("instrument_not_text", file=filename) from None
    return instruments.load_text(text)


def load_instrument(db: Database, data: bytes, filename: str) -> tuple[Instrument, bool]:
    """Read and store an instrument; returns it and whether it was new."""
    instrument = read_instrument(data, filename)
    return instrument, save_instrument(db, instrument)


def load_bundled(db: Database) -> list[Instrument]:
    """Store the instruments that ship with the platform, every version (new versions only)."""
    out = []
    for instrument in every_version():
        save_instrument(db, instrument)
        out.append(instrument)
    return out


def import_orgs(
    db: Database, data: bytes, filename: str, progress: uploads.Progress = uploads.no_progress
) -> tuple[int, int]:
    """Import organisation units from .xlsx, .xls, .ods or .csv: all rows or none."""
    units = orgs.read_orgs(data, filename, known=org_store.parents(db), progress=progress)
    return org_store.save_units(db, units)


def write_template(
    db: Database, round_: Round, path: str | Path, scope_code: str | None, saved: template.Saved | None = None
) -> int:
    """Write the offline template for the centres in scope, with `saved` cells by org code; returns how many rows."""
    instrument = round_instrument(db, round_)
    rows = [(c["code"], c["name"]) for c in centres(db, round_, scope_code)]
    if not rows:
        raise StoreError("no_centres_in_scope")
    with replacing(path) as temporary:
        template.write_template(temporary, instrument, rows, round_id=round_.id, title=round_.title, saved=saved)
    return len(rows)


@gc_paused
def import_responses(
    db: Database,
    round_: Round,
    data: bytes,
    filename: str,
    *,
    username: str,
    submit: bool = False,
    only: str | None = None,
    progress: uploads.Progress = uploads.no_progress,
) -> ImportSummary:
    """Import a filled-in workbook: every row or none; approved responses are skipped.

    Onsite clause ratings and their notes are stored as the centres' self-ratings.
    With `only` (a centre's code) a row of any other centre is an error. `progress`
    wraps the rows while they are read.
    """
    instrument = round_instrument(db, round_)
    known = [only] if only else [c["code"] for c in centres(db, round_)]
    rows = responses.read_responses(
        data, filename, instrument, round_id=round_.id, known_codes=known, progress=progress
    )
    given = [(row.code, row.answers) for row in rows]
    notes = {row.code: row.notes for row in rows if row.notes}
    rows = [dataclasses.replace(row, answers={}) for row in rows]  # where each row is, for a problem's place
    try:
        return import_answers(
            db, round_, instrument, _handed_over(given), username=username, submit=submit, notes=notes
        )
    except NotRatableError as error:
        by_code = {row.code: row for row in rows}
        raise WorkbookError(
            [_misfit(by_code[code], found) for code, refused in error.problems.items() for found in refused]
        ) from None
    except NotSubmittableError as error:
        places = {row.code: row.where for row in rows}
        raise WorkbookError(
            [
                problem(places[code], "cannot_submit_row", problem=said)
                for code, found in error.problems.items()
                for said in found
            ]
        ) from None


def _handed_over(items: list) -> Iterator:
    """The items of a list, each let go as it is handed over (the store may then free what it has written)."""
    for k, item in enumerate(items):
        items[k] = None
        yield item


def _misfit(row: responses.ResponseRow, error: RatingError) -> Problem:
    """A self-rating the store refused, located at its cell: the note's for a note too long, else the rating's."""
    note = template.note_column(error.clause_id)
    if error.code == "rating_needs_reason":
        return problem(row.cell(error.clause_id), "rating_reason_in_column", column=note)
    return Problem.at(row.cell(note if error.code == "rating_note_too_long" else error.clause_id), error)


@gc_paused
def score(db: Database, round_: Round, progress: Callable[[int], None] | None = None) -> int:
    """Score every response of a round again from its answers and store the results; returns how many.

    `progress` is told how many responses were stored as storing goes.
    """
    return rescore(db, round_, progress)


@gc_paused
def write_league(
    db: Database,
    round_: Round,
    path: str | Path,
    scope_code: str | None,
    approved_only: bool = False,
    progress: Callable[..., contextlib.AbstractContextManager[Any]] | None = None,
    *,
    by: str | None = None,
) -> tuple[RoundScores, Path | None]:
    """Write the league workbook for the scope; returns what it scored, and the CSV of its tidy
    rows when they pass one sheet (`<name>-data.csv` beside the workbook).

    `progress(length=…)` makes a bar with `update(rows)`, e.g. click.progressbar. With `by`
    (a unit attribute's name) the workbook adds `分组汇总`: the scope's centres grouped by it.
    """
    known = [name for name, _ in org_store.attribute_names(db)] if by else []
    if by and by not in known:
        close = closest(by, known)
        if close:
            raise StoreError("no_attribute", by=by, suggestion=close)
        if known:
            raise StoreError("no_attribute_listed", by=by, attributes=", ".join(known))
        raise StoreError("no_attributes", by=by)
    result = stored_scores(db, round_, scope_code, approved_only)
    if not result.centres:
        raise StoreError("nothing_to_rank")
    grouping = _grouping(db, result, by) if by else None
    scope = scope_code or round_.scope_code
    regions = regions_of(db, result, scope)
    figures = instruments.regional(result.scores, regions)
    names = org_store.names_and_levels(db, [*regions, scope])
    note = "仅含已审核通过的数据" if approved_only else "含未审核数据（草稿、已提交、已退回与已通过）"
    people = [Centre(c["code"], c["name"], c["county"], c["city"]) for c in result.centres]
    data_csv = None
    if league.data_overflows(result.instrument, result.scores, people):
        data_csv = Path(path).with_name(league.data_csv_name(path))
    length = league.rows_to_write(result.instrument, result.scores, people, figures, grouping)
    bar = progress(length=length) if progress is not None else contextlib.nullcontext(None)
    with (
        replacing(path) as temporary,
        replacing(data_csv) if data_csv else contextlib.nullcontext(None) as temporary_csv,
        bar as shown,
    ):
        league.write_league(
            temporary,
            result.instrument,
            result.scores,
            people,
            figures,
            names,
            title=f"{round_.title}（{round_.period}）",
            scope=names[scope][0] if scope else "全部地区",
            note=note,
            data_csv=temporary_csv,
            data_csv_name=data_csv.name if data_csv else "",
            progress=shown.update if shown is not None else None,
            grouping=grouping,
        )
    return result, data_csv


def _grouping(db: Database, result: RoundScores, attribute: str) -> league.Grouping:
    """The centres of `result` grouped by a unit attribute; those without it in a group of their own."""
    groups = org_store.attribute_groups(db, attribute, [c["code"] for c in result.centres])
    grouped = {row for rows in groups.values() for row in rows}
    unset = [row for row in range(len(result.centres)) if row not in grouped]
    if unset:
        groups[UNSET] = unset
    return league.Grouping.of(attribute, result.scores, groups)


@dataclass
class _Cards:
    """What every card of a scope needs: the scores, ranks within counties, the previous round."""

    result: RoundScores
    previous: RoundScores | None
    ranks: np.ndarray
    sizes: Counter

    @classmethod
    def of(cls, db: Database, round_: Round, scope_code: str | None, approved_only: bool) -> _Cards:
        result = round_scores(db, round_, scope_code, approved_only)
        if not result.centres:
            raise StoreError("no_responses_in_scope")
        counties = [c["county"] for c in result.centres]
        return cls(result, _previous(db, round_), rank_within(result.scores.total, counties), Counter(counties))

    def write(self, path: Path, row: int) -> None:
        result, centre = self.result, self.result.centres[row]
        before = _previous_card(self.previous, centre["code"])
        round_ = result.round
        cards.write_card(
            path,
            result.instrument,
            result.scores.card(row),
            Centre(centre["code"], centre["name"], centre["county"], centre["city"]),
            round_title=f"{round_.title}（{round_.period}）",
            rank=int(self.ranks[row]) or None,
            county_size=self.sizes[centre["county"]],
            previous=before,
            previous_title=f"{self.previous.round.title}（{self.previous.round.period}）" if before else "",
        )


def write_cards(
    db: Database,
    round_: Round,
    folder: str | Path,
    scope_code: str | None,
    progress=contextlib.nullcontext,
    approved_only: bool = False,
) -> int:
    """Write one report-card workbook per centre into `folder`; returns how many.

    `progress` wraps the list of centres, e.g. in a click progress bar.
    """
    context = _Cards.of(db, round_, scope_code, approved_only)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=folder, prefix=".cards."))
    try:
        with progress(_Written(context, staging)) as written:
            for _ in written:
                pass
        for card in staging.iterdir():
            os.replace(card, folder / card.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return len(context.result.centres)


PARALLEL_FROM = 200  # cards; fewer are written in this process
CARDS_PER_TASK = 25


class _Written:
    """Writes every card of a scope, one process per core when there are many; yields each row written."""

    def __init__(self, context: _Cards, staging: Path) -> None:
        self.context, self.staging = context, staging
        self.rows = list(range(len(context.result.centres)))

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[int]:
        workers = forking.workers(4)
        if len(self.rows) < PARALLEL_FROM or not workers:
            for row in self.rows:
                _write_card(self.context, self.staging, row)
                yield row
            return
        chunks = [self.rows[i : i + CARDS_PER_TASK] for i in range(0, len(self.rows), CARDS_PER_TASK)]
        with forking.pool(workers, (self.context, self.staging)) as pool:
            for done in pool.imap_unordered(_write_chunk, chunks):
                yield from done


def _write_card(context: _Cards, staging: Path, row: int) -> None:
    context.write(staging / _card_name(context.result.centres[row]), row)


def _write_chunk(rows: list[int]) -> list[int]:
    """In a forked writer: write these rows' cards with the context the parent set up."""
    context, staging = forking.handed()
    for row in rows:
        _write_card(context, staging, row)
    return rows


def write_card(
    db: Database, round_: Round, path: str | Path, org_code: str, scope_code: str | None, approved_only: bool = False
) -> None:
    """Write one centre's report card, ranked among the centres of its county within `scope_code`."""
    context = _Cards.of(db, round_, scope_code, approved_only)
    row = context.result.row_of.get(org_code)
    if row is None:
        raise StoreError("no_response_from", code=org_code)
    with replacing(path) as temporary:
        context.write(temporary, row)


def _card_name(centre: dict) -> str:
    safe = "".join(ch for ch in f"{centre['code']}-{centre['name']}" if ch not in '\\/:*?"<>|')
    return f"{safe[:120]}.xlsx"


def _previous(db: Database, round_: Round) -> RoundScores | None:
    """The scores of the latest earlier round on the same instrument, if any."""
    previous = previous_round(db, round_)
    return round_scores(db, previous) if previous else None


def _previous_card(previous: RoundScores | None, code: str):
    row = previous.row_of.get(code) if previous is not None else None
    return previous.scores.card(row, gaps=False) if row is not None else None


def backup(db: Database, path: str | Path) -> int:
    """A consistent copy of the live database (SQLite's online backup), and beside it the evidence files the
    copy names (`evidence/`, as beside the live database); returns the database copy's size."""
    with replacing(path) as temporary:
        target = sqlite3.connect(temporary)
        try:
            db.conn.backup(target)
        finally:
            target.close()
    evidence.back_up(db, path)
    return Path(path).stat().st_size
