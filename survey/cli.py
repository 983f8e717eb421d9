"""The `survey` command line: each command parses, calls the store or assessment, prints one line.

Mistakes in the input end as a clear message and exit status 1, never a traceback.
Everything the commands print reads in Chinese, or in English with SURVEY_LANG=en:
their own lines (`cli_messages`) and the platform's errors, each a code of the one
catalogue (`instruments.messages`). Click's own usage errors stay as click says them.
"""

from __future__ import annotations

import functools
import getpass
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import numpy as np

from exports.errors import WorkbookError
from instruments import InstrumentError
from instruments.errors import CodedError
from instruments.messages import LANGUAGES, Message, render

from . import (
    assessment,
    cli_messages,  # noqa: F401 - registers the command line's words
    create_app,
)
from . import db as database
from .demo import PASSWORD, create_demo, demo_logins
from .store.rounds import create_round, get_round
from .store.users import add_user
from .store.versions import list_instruments, restore_version, retire_version, retirements

WORDED = (InstrumentError, CodedError, WorkbookError)  # every store, core and workbook error: said in `language()`


def language() -> str:
    """The language the command line speaks: $SURVEY_LANG when it is zh or en, else Chinese."""
    chosen = os.environ.get("SURVEY_LANG", "")
    return chosen if chosen in LANGUAGES else LANGUAGES[0]


def say(code: str, **params: Any) -> str:
    """A line of the command line's own words (`cli_messages`) in its language."""
    return render(code, params, language())


def sentence(*parts: Message) -> str:
    """Messages said one after another as one sentence, with its full stop (。 or .)."""
    line = "".join(part.text(language()) for part in parts)
    return say("cli_sentence", line=line)


class Refused(click.ClickException):
    """A command refused with a message in `language()`: 错误：… or Error: …, and exit status 1."""

    def show(self, file: Any = None) -> None:
        click.echo(say("cli_error", message=self.format_message()), file=file or sys.stderr)


def friendly(command):
    """Turn the platform's own errors into a message in `language()` and exit status 1."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except WORDED as error:
            raise Refused(error.text(language())) from None

    return wrapper


def db_option(command):
    return click.option(
        "--db",
        "db_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Database file (default: $SURVEY_DB, else instance/survey.db).",
    )(command)


def open_db(db_path: Path | None):
    return database.connect(db_path)


def who() -> str:
    return f"cli:{getpass.getuser()}"


class Quiet:
    """A progress bar that shows nothing (standard error is not a terminal)."""

    def __init__(self, iterable: Any = None, length: int | None = None) -> None:
        self.iterable = iterable

    def __enter__(self) -> Any:
        return self.iterable if self.iterable is not None else self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, steps: int) -> None:
        """Nothing to show."""


def bar(label: str) -> Callable[..., Any]:
    """A click progress bar on stderr, labelled by a code, for work that may take more than a second; quiet off
    a terminal."""
    if not sys.stderr.isatty():
        return Quiet
    return functools.partial(click.progressbar, label=say(label), file=sys.stderr)


def read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise Refused(say("cli_unreadable", path=path, reason=error.strerror)) from None


def is_live(target: Path, live: Path) -> bool:
    """Whether `target` names the live database or one of its -wal, -shm or -journal files, by whatever path."""
    live = live.resolve()
    files = [live, *(live.with_name(live.name + suffix) for suffix in ("-wal", "-shm", "-journal"))]
    if target.resolve() in files:
        return True
    return target.exists() and any(file.exists() and os.path.samefile(target, file) for file in files)


@click.group()
def cli() -> None:
    """Primary-care capability assessment: instruments, rounds, workbooks, scores and league tables."""


@cli.command()
@db_option
@friendly
def init(db_path):
    """Create or migrate the database and load the bundled instruments."""
    db = open_db(db_path)
    loaded = assessment.load_bundled(db)
    click.echo(sentence(Message("cli_ready", {"path": db_path or database.default_path(), "count": len(loaded)})))


@cli.command()
@db_option
@click.option("--force", is_flag=True, help="Replace an existing database with a fresh demo.")
@friendly
def demo(db_path, force):
    """Create a demo database (Xixian's 18 centres, Pingwu County, users, two rounds) and print the logins."""
    path = Path(db_path or database.default_path())
    if path.exists() and not force:
        db = open_db(path)
        if not demo_logins(db):
            raise Refused(say("cli_demo_other_data", path=path))
        click.echo(say("cli_demo_exists", path=path, password=PASSWORD))
        logins = demo_logins(db)
    else:
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
        logins = create_demo(open_db(path)).users
        click.echo(say("cli_demo_created", path=path, password=PASSWORD))
    for username, role, unit in logins:
        click.echo(f"  {username:<14} {role:<10} {unit}")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@db_option
def serve(host, port, db_path):
    """Run the web platform (production: gunicorn wsgi:app)."""
    app = create_app()  # instance/config.py applies (secure cookies, proxies); --db replaces only the database
    if db_path:
        app.config["DATABASE"] = str(db_path)
    click.echo(say("cli_serving", host=host, port=port))
    app.run(host=host, port=port, threaded=True)


@cli.command()
@click.option("--workers", default=2, show_default=True, help="Jobs run at the same time.")
@db_option
def worker(workers, db_path):
    """Run background jobs (big downloads, re-scoring, bulk approval); the queue is SURVEY_JOBS or SURVEY_REDIS."""
    from . import jobs

    if db_path:
        os.environ["SURVEY_DB"] = str(db_path)
    open_db(db_path).close()  # migrated before the first job
    click.echo(say("cli_worker", workers=workers))
    jobs.worker(workers).run()


@cli.group("instruments")
def instruments_group() -> None:
    """Load, list, retire and restore instrument versions."""


@instruments_group.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@db_option
@friendly
def instruments_load(file, db_path):
    """Load a YAML, JSON or XLSForm instrument (a new version if the id exists)."""
    instrument, new = assessment.load_instrument(open_db(db_path), read_file(file), file.name)
    counts = {"items": len(instrument.items), "indicators": len(instrument.indicators)}
    said = Message(
        "cli_instrument_loaded" if new else "cli_instrument_known",
        {"instrument": instrument.id, "version": instrument.version, **counts},
    )
    click.echo(sentence(said))


@instruments_group.command("list")
@db_option
@friendly
def instruments_list(db_path):
    """List instruments: ids, versions, item and indicator counts."""
    db = open_db(db_path)
    if not list_instruments(db):
        assessment.load_bundled(db)
    retired = retirements(db)
    for instrument, loaded_at in list_instruments(db):
        row = say(
            "cli_instrument_row",
            instrument=instrument.id,
            version=instrument.version,
            items=len(instrument.items),
            indicators=len(instrument.indicators),
            title=instrument.title,
            loaded_at=loaded_at,
        )
        if (found := retired.get((instrument.id, instrument.version))) is not None:
            row += say("cli_instrument_retired_mark", at=found.at, by=found.by)
        click.echo(row)


@instruments_group.command("retire")
@click.argument("instrument_id")
@click.argument("version")
@db_option
@friendly
def instruments_retire(instrument_id, version, db_path):
    """Retire an instrument version: no new round opens on it; rounds already on it carry on."""
    retire_version(open_db(db_path), instrument_id, version, username=who())
    click.echo(sentence(Message("cli_version_retired", {"instrument": instrument_id, "version": version})))


@instruments_group.command("restore")
@click.argument("instrument_id")
@click.argument("version")
@db_option
@friendly
def instruments_restore(instrument_id, version, db_path):
    """Bring a retired instrument version back: new rounds may open on it again."""
    restore_version(open_db(db_path), instrument_id, version, username=who())
    click.echo(sentence(Message("cli_version_restored", {"instrument": instrument_id, "version": version})))


@cli.group("orgs")
def orgs_group() -> None:
    """Organisation units."""


@orgs_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@db_option
@friendly
def orgs_import(file, db_path):
    """Import organisation units from .xlsx, .xls, .ods or .csv (code, name, level, parent_code, kind, attributes)."""
    added, updated = assessment.import_orgs(
        open_db(db_path), read_file(file), file.name, progress=bar("cli_reading_units")
    )
    click.echo(sentence(Message("cli_units_imported", {"added": added, "updated": updated, "file": file.name})))


@cli.group("users")
def users_group() -> None:
    """User accounts."""


@users_group.command("add")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(["centre", "evaluator", "official", "admin"]))
@click.option("--org", "org_code", help="Code of the user's organisation unit.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@db_option
@friendly
def users_add(username, role, org_code, password_stdin, db_path):
    """Add a user; the password comes from a prompt or --password-stdin."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt(say("cli_password"), hide_input=True, confirmation_prompt=True)
    user = add_user(open_db(db_path), username, password, role, org_code)
    role_words = Message("role_" + user.role)
    if org_code:
        click.echo(sentence(Message("cli_user_added_to", {"user": user.username, "role": role_words, "org": org_code})))
    else:
        click.echo(sentence(Message("cli_user_added", {"user": user.username, "role": role_words})))


@cli.group("rounds")
def rounds_group() -> None:
    """Survey rounds."""


@rounds_group.command("create")
@click.option("--instrument", "instrument_id", required=True, help="Instrument id.")
@click.option("--version", help="Instrument version (default: the latest loaded that is not retired).")
@click.option("--period", required=True, help="The period assessed, e.g. 2025.")
@click.option("--title", required=True, help="The round's title.")
@click.option("--scope", "scope_code", help="Code of the unit whose centres answer (default: all).")
@click.option("--levels", default=2, show_default=True, help="Review levels after self-assessment.")
@click.option("--deadline", help="Deadline for centres, YYYY-MM-DD.")
@db_option
@friendly
def rounds_create(instrument_id, version, period, title, scope_code, levels, deadline, db_path):
    """Open a survey round; prints the round id."""
    db = open_db(db_path)
    if not list_instruments(db):
        assessment.load_bundled(db)
    round_ = create_round(
        db,
        instrument_id,
        period,
        title,
        version=version,
        scope_code=scope_code,
        review_levels=levels,
        deadline=deadline,
    )
    opened = {"round": round_.id, "title": round_.title, "instrument": round_.instrument_id, "version": round_.version}
    click.echo(sentence(Message("cli_round_opened", opened)))


@cli.command()
@click.option("--round", "round_id", required=True, help="Round number.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--scope", "scope_code", help="Only the centres under this unit.")
@db_option
@friendly
def template(round_id, output, scope_code, db_path):
    """Write the offline fill-in template for a round."""
    db = open_db(db_path)
    rows = assessment.write_template(db, get_round(db, round_id), output, scope_code)
    click.echo(sentence(Message("cli_template_written", {"count": rows, "path": output})))


@cli.group("responses")
def responses_group() -> None:
    """Centres' answers."""


@responses_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--round", "round_id", required=True, help="Round number.")
@click.option("--submit", is_flag=True, help="Mark the imported responses as submitted.")
@db_option
@friendly
def responses_import(file, round_id, submit, db_path):
    """Import filled-in answers (the template, or any sheet with org_code and item ids)."""
    db = open_db(db_path)
    summary = assessment.import_responses(
        db,
        get_round(db, round_id),
        read_file(file),
        file.name,
        username=who(),
        submit=submit,
        progress=bar("cli_reading_answers"),
    )
    counts = {
        "created": summary.created,
        "updated": summary.updated,
        "unchanged": summary.unchanged,
        "changes": summary.changes,
    }
    parts = [Message("cli_responses_imported", counts)]
    if submit:
        parts.append(Message("cli_and_submitted", {"submitted": summary.submitted}))
    if summary.skipped:
        parts.append(Message("cli_and_skipped", {"count": len(summary.skipped), "codes": ", ".join(summary.skipped)}))
    click.echo(sentence(*parts))


@cli.command()
@click.option("--round", "round_id", required=True, help="Round number.")
@db_option
@friendly
def score(round_id, db_path):
    """(Re)compute and store every response's indicators, clause levels and scores (e.g. after an instrument fix)."""
    db = open_db(db_path)
    round_ = get_round(db, round_id)
    count = db.execute("SELECT count(*) FROM responses WHERE round_id = ?", [round_.id]).fetchone()[0]
    with bar("cli_scoring")(length=count) as shown:
        scored = assessment.score(db, round_, shown.update)
    totals = [row[0] for row in db.execute("SELECT total FROM results WHERE round_id = ?", [round_.id])]
    present = [t for t in totals if t is not None]
    median = Message("cli_median", {"median": float(np.median(present))}) if present else ""
    click.echo(sentence(Message("cli_scored", {"count": scored, "round": round_.id, "median": median})))


@cli.group("export")
def export_group() -> None:
    """Workbooks for officials and centres."""


@export_group.command("league")
@click.option("--round", "round_id", required=True, help="Round number.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--scope", "scope_code", help="Only the centres under this unit.")
@click.option("--approved-only", is_flag=True, help="Leave out responses not yet approved.")
@click.option("--by", "attribute", help="Add 分组汇总: the centres grouped by this unit attribute (e.g. 隶属关系).")
@db_option
@friendly
def export_league(round_id, output, scope_code, approved_only, attribute, db_path):
    """Write the league-table workbook."""
    db = open_db(db_path)
    round_ = get_round(db, round_id)
    result, data_csv = assessment.write_league(
        db, round_, output, scope_code, approved_only, progress=bar("cli_writing_league"), by=attribute
    )
    parts = [Message("cli_league_written", {"count": len(result.centres), "path": output})]
    if attribute:
        parts.append(Message("cli_league_grouped", {"attribute": attribute}))
    if data_csv is not None:
        parts.append(Message("cli_league_csv", {"path": data_csv}))
    click.echo(sentence(*parts))


@export_group.command("cards")
@click.option("--round", "round_id", required=True, help="Round number.")
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--scope", "scope_code", help="Only the centres under this unit.")
@db_option
@friendly
def export_cards(round_id, output, scope_code, db_path):
    """Write one report-card workbook per centre."""
    db = open_db(db_path)
    count = assessment.write_cards(db, get_round(db, round_id), output, scope_code, progress=bar("cli_writing_cards"))
    click.echo(sentence(Message("cli_cards_written", {"count": count, "path": output})))


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@db_option
@friendly
def backup(file, db_path):
    """Take a consistent copy of the database, safe while the server runs."""
    if is_live(file, Path(db_path or database.default_path())):
        raise Refused(say("cli_backup_live", path=file))
    db = open_db(db_path)
    try:
        size = assessment.backup(db, file)
    except OSError as error:
        raise Refused(say("cli_backup_unwritable", path=file, reason=error.strerror)) from None
    click.echo(sentence(Message("cli_backup_written", {"path": file, "size": size / 1_048_576})))
