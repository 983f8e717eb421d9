"""Background jobs: long work (big downloads, imports, re-scoring, approving all that match) off the web request.

Jobs run on huey. Its queue lives by default in a SQLite file (`SURVEY_JOBS`,
else `instance/jobs.db`): nothing to install. With `SURVEY_REDIS` set to a Redis
URL the queue is Redis instead, for several machines serving one database.
`survey worker` runs the consumer (`make run` starts it beside the web server);
tests run jobs at once in the caller (huey's immediate mode).

Who asked, for what, how far it got and the file it made are kept in the
platform's own `jobs` table, so a page shows the progress and only the person
who asked may download the file (still within their jurisdiction). A job's
file lives in `jobs/<id>/` beside the database and is removed a day later
(`sweep`, run hourly by the worker and whenever someone opens their jobs).
No Flask here.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import os
import shutil
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from huey import RedisHuey, SqliteHuey, crontab
from sqlite_utils import Database

from instruments.messages import LANGUAGES, render

from . import db as database
from .store import now

KEPT = dt.timedelta(days=1)
TELL_EVERY = 0.5  # seconds between two progress writes
WAITING, RUNNING, DONE, FAILED = "waiting", "running", "done", "failed"


def _queue() -> SqliteHuey | RedisHuey:
    redis = os.environ.get("SURVEY_REDIS")
    if redis:
        return RedisHuey("survey", url=redis)
    path = Path(os.environ.get("SURVEY_JOBS") or Path("instance") / "jobs.db")
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("survey", filename=str(path))


huey = _queue()


@dataclass(frozen=True)
class Job:
    id: str
    kind: str
    user_id: int | None
    round_id: int | None
    scope_code: str | None
    options: dict
    status: str
    done: int
    total: int
    message: str
    file: str | None
    filename: str | None
    created_at: str
    finished_at: str | None

    @classmethod
    def of(cls, row: dict) -> Job:
        return cls(**{**{k: row[k] for k in cls.__dataclass_fields__}, "options": json.loads(row["options"])})

    @property
    def lang(self) -> str:
        """The language its messages are said in: the asker's."""
        return self.options.get("lang", LANGUAGES[0])

    @property
    def share(self) -> float | None:
        """How far it got (None while the amount of work is not yet known)."""
        return min(1.0, self.done / self.total) if self.total else None


def folder_of(database_path: str | Path, job_id: str) -> Path:
    """Where a job's files live: `jobs/<id>/` beside the database."""
    return Path(database_path).resolve().parent / "jobs" / job_id


def create(
    db: Database,
    kind: str,
    user_id: int | None,
    round_id: int | None,
    scope_code: str | None,
    options: dict,
    lang: str = LANGUAGES[0],
) -> Job:
    """Record a job someone asked for (waiting to run); its messages will be said in `lang`, the asker's language."""
    job_id = uuid.uuid4().hex
    options = {**options, "lang": lang}
    with database.writing(db):
        db.execute(
            """INSERT INTO jobs (id, kind, user_id, round_id, scope_code, options, created_at)
               VALUES (?, ?, ?, ?, ?, ?, ?)""",
            [job_id, kind, user_id, round_id, scope_code, json.dumps(options, ensure_ascii=False), now()],
        )
    return get_job(db, job_id)


def get_job(db: Database, job_id: str) -> Job | None:
    rows = list(db.query("SELECT * FROM jobs WHERE id = ?", [job_id]))
    return Job.of(rows[0]) if rows else None


def jobs_of(db: Database, user_id: int, limit: int = 20) -> list[Job]:
    """A user's latest jobs, newest first."""
    sql = "SELECT * FROM jobs WHERE user_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?"
    rows = db.query(sql, [user_id, limit])
    return [Job.of(row) for row in rows]


def start(database_path: str | Path, job: Job) -> None:
    """Queue the job's work (done at once in immediate mode)."""
    run_job(str(database_path), job.id)


class Progress:
    """Tells the job's row how far the work got, at most every TELL_EVERY seconds."""

    def __init__(self, db: Database, job_id: str) -> None:
        self.db, self.job_id, self.done, self.told = db, job_id, 0, 0.0

    def total(self, total: int) -> None:
        with database.writing(self.db):
            self.db.execute("UPDATE jobs SET total = ? WHERE id = ?", [total, self.job_id])

    def __call__(self, steps: int) -> None:
        self.done += steps
        if time.monotonic() - self.told >= TELL_EVERY:
            self.told = time.monotonic()
            with database.writing(self.db):
                self.db.execute("UPDATE jobs SET done = ? WHERE id = ?", [self.done, self.job_id])


WORK: dict[str, Callable[[Database, Job, Path, Progress], tuple[str, str | None]]] = {}


def work(kind: str):
    """Register the work of a kind of job: (db, job, its folder, progress) → (message, file name or None)."""

    def register(fn):
        WORK[kind] = fn
        return fn

    return register


@huey.task()
def run_job(database_path: str, job_id: str) -> None:
    """Do a job's work, recording progress, the message, the file, or why it failed."""
    db = database.connect(database_path, migrate=False)
    try:
        job = get_job(db, job_id)
        if job is None or job.status != WAITING:
            return
        with database.writing(db):
            db.execute("UPDATE jobs SET status = ? WHERE id = ?", [RUNNING, job_id])
        folder = folder_of(database_path, job_id)
        folder.mkdir(parents=True, exist_ok=True)
        progress = Progress(db, job_id)
        try:
            message, filename = WORK[job.kind](db, job, folder, progress)
        except Exception as error:  # the job's row says why; the worker goes on with the next job
            _finish(db, job_id, FAILED, _said(error, job.lang), None, None)
            shutil.rmtree(folder, ignore_errors=True)
            return
        file = str(folder / filename) if filename else None
        _finish(db, job_id, DONE, message, file, filename)
    finally:
        db.close()


def _said(error: Exception, lang: str) -> str:
    """What people are told about a failed job, in `lang`: the platform's own messages (every store error,
    workbook, instrument and answer error), else that it failed."""
    from exports.errors import WorkbookError
    from instruments import InstrumentError
    from instruments.errors import CodedError

    if isinstance(error, WorkbookError | CodedError | InstrumentError):
        return error.text(lang)
    return render("job_failed", {}, lang)


def _finish(db: Database, job_id: str, status: str, message: str, file: str | None, filename: str | None) -> None:
    with database.writing(db):
        db.execute(
            """UPDATE jobs SET status = ?, message = ?, file = ?, filename = ?, finished_at = ?,
               done = CASE WHEN ? = 'done' THEN max(done, total) ELSE done END WHERE id = ?""",
            [status, message, file, filename, now(), status, job_id],
        )


def sweep(db: Database, database_path: str | Path) -> int:
    """Remove the jobs (and their files) older than a day; returns how many."""
    cutoff = (dt.datetime.now(dt.UTC) - KEPT).replace(microsecond=0).isoformat()
    old = [row[0] for row in db.execute("SELECT id FROM jobs WHERE created_at < ?", [cutoff])]
    for job_id in old:
        shutil.rmtree(folder_of(database_path, job_id), ignore_errors=True)
    if old:
        with database.writing(db):
            db.execute("DELETE FROM jobs WHERE created_at < ?", [cutoff])
    return len(old)


@huey.periodic_task(crontab(minute="7"))
def hourly_sweep() -> None:
    """Every hour: remove day-old jobs of the database named by SURVEY_DB (or the default)."""
    path = database.default_path()
    if path.exists():
        db = database.connect(path, migrate=False)
        try:
            sweep(db, path)
        finally:
            db.close()


def zipped(folder: Path, name: str, files: list[Path]) -> str:
    """Zip `files` (named as they are) into `folder/name`; the files themselves are removed."""
    with zipfile.ZipFile(folder / name, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in files:
            archive.write(file, file.name)
    for file in files:
        file.unlink() if file.is_file() else shutil.rmtree(file, ignore_errors=True)
    return name


def set_immediate(on: bool) -> None:
    """Run jobs at once in the caller (tests), or queue them for the worker."""
    huey.immediate = on


def worker(workers: int = 2) -> Any:
    """The huey consumer that runs queued jobs (`survey worker`)."""
    return huey.create_consumer(workers=workers, worker_type="thread", periodic=True)


# ---------------------------------------------------------------- the kinds of work


class _Bar:
    """A progress bar for `assessment.write_league` (`progress(length=…)` then `update(rows)`) that tells a job."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress

    def __call__(self, length: int) -> _Bar:
        self.progress.total(length)
        return self

    def __enter__(self) -> _Bar:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, steps: int) -> None:
        self.progress(steps)


@contextlib.contextmanager
def _counted(progress: Progress, rows: Any) -> Iterator[Any]:
    """Wraps the centres as `assessment.write_cards` wraps them in a bar, telling a job of each one done."""
    progress.total(len(rows))

    def each() -> Iterator[Any]:
        for row in rows:
            yield row
            progress(1)

    yield each()


@work("league")
def _league(db: Database, job: Job, folder: Path, progress: Progress) -> tuple[str, str | None]:
    from . import assessment
    from .store.rounds import get_round

    stem = job.options["name"]
    path = folder / f"{stem}.xlsx"
    approved_only, by = job.options.get("approved_only", False), job.options.get("by")
    round_ = get_round(db, job.round_id)
    result, data_csv = assessment.write_league(db, round_, path, job.scope_code, approved_only, _Bar(progress), by=by)
    message = f"{len(result.centres)}"
    if data_csv is not None:
        return message, zipped(folder, f"{stem}.zip", [path, data_csv])
    return message, path.name


@work("cards")
def _cards(db: Database, job: Job, folder: Path, progress: Progress) -> tuple[str, str | None]:
    from . import assessment
    from .store.rounds import get_round

    cards = folder / "cards"
    count = assessment.write_cards(
        db,
        get_round(db, job.round_id),
        cards,
        job.scope_code,
        progress=functools.partial(_counted, progress),
        approved_only=job.options.get("approved_only", False),
    )
    zipped(folder, f"{job.options['name']}.zip", sorted(cards.iterdir()))
    cards.rmdir()
    return f"{count}", f"{job.options['name']}.zip"


@work("approve")
def _approve(db: Database, job: Job, folder: Path, progress: Progress) -> tuple[str, str | None]:
    from .store.reviews import approve_many
    from .store.rounds import get_round, round_instrument
    from .store.users import get_user_by_id

    round_ = get_round(db, job.round_id)
    instrument, user = round_instrument(db, round_), get_user_by_id(db, job.user_id)
    picks = list(job.options["picks"].items())
    progress.total(len(picks))
    approved = refused = 0
    for start in range(0, len(picks), APPROVALS_AT_ONCE):  # short transactions: saves go on meanwhile
        part = dict(picks[start : start + APPROVALS_AT_ONCE])
        result = approve_many(db, round_, instrument, part, user)
        approved, refused = approved + len(result.approved), refused + len(result.refused)
        progress(len(part))
    return render("job_approved", {"approved": approved, "refused": refused}, job.lang), None


@work("score")
def _score(db: Database, job: Job, folder: Path, progress: Progress) -> tuple[str, str | None]:
    from . import assessment
    from .store.rounds import get_round

    round_ = get_round(db, job.round_id)
    progress.total(db.execute("SELECT count(*) FROM responses WHERE round_id = ?", [round_.id]).fetchone()[0])
    return render("job_scored", {"count": assessment.score(db, round_, progress)}, job.lang), None


APPROVALS_AT_ONCE = 200
