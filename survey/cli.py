"""The `survey` command line: each command parses, calls the store or assessment, prints one line.

Mistakes in the input end as a clear message and exit status 1, never a traceback;
the instrument core's messages read in Chinese, or in English with SURVEY_LANG=en.
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
from instruments.messages import LANGUAGES

from . import assessment, create_app
from . import db as database
from .demo import PASSWORD, create_demo, demo_logins
from .store import StoreError
from .store.rounds import create_round, get_round
from .store.users import add_user
from .store.versions import list_instruments

FRIENDLY = (StoreError, WorkbookError)
WORDED = (InstrumentError, CodedError)  # put into words in the language of `language()`


def language() -> str:
    """The language of the instrument core's messages: $SURVEY_LANG when it is zh or en, else Chinese."""
    chosen = os.environ.get("SURVEY_LANG", "")
    return chosen if chosen in LANGUAGES else LANGUAGES[0]


def friendly(command):
    """Turn the platform's own errors into a message and exit status 1."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except WORDED as error:
            raise click.ClickException(error.text(language())) from None
        except FRIENDLY as error:
            raise click.ClickException(str(error)) from None

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
    """A click progress bar on stderr for work that may take more than a second; quiet off a terminal."""
    if not sys.stderr.isatty():
        return Quiet
    return functools.partial(click.progressbar, label=label, file=sys.stderr)


def read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise click.ClickException(f"{path}: cannot be read ({error.strerror})") from None


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
    click.echo(f"Database ready at {db_path or database.default_path()}; {len(loaded)} bundled instruments.")


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
            raise click.ClickException(f"{path} holds other data; use --force to replace it with the demo")
        click.echo(f"Demo database already at {path}. Sign in with (password for all: {PASSWORD}):")
        logins = demo_logins(db)
    else:
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
        logins = create_demo(open_db(path)).users
        click.echo(f"Demo database created at {path}. Sign in with (password for all: {PASSWORD}):")
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
    click.echo(f"Serving on http://{host}:{port}/")
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
    click.echo(f"Worker running {workers} jobs at a time; stop with Ctrl-C.")
    jobs.worker(workers).run()


@cli.group("instruments")
def instruments_group() -> None:
    """Load and list instruments."""


@instruments_group.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@db_option
@friendly
def instruments_load(file, db_path):
    """Load a YAML, JSON or XLSForm instrument (a new version if the id exists)."""
    instrument, new = assessment.load_instrument(open_db(db_path), read_file(file), file.name)
    state = "loaded" if new else "already loaded"
    click.echo(f"{instrument.id} {instrument.version} {state}: {len(instrument.items)} items, "
               f"{len(instrument.indicators)} indicators.")  # fmt: skip


@instruments_group.command("list")
@db_option
@friendly
def instruments_list(db_path):
    """List instruments: ids, versions, item and indicator counts."""
    db = open_db(db_path)
    if not list_instruments(db):
        assessment.load_bundled(db)
    for instrument, loaded_at in list_instruments(db):
        click.echo(f"{instrument.id}\t{instrument.version}\t{len(instrument.items)} items\t"
                   f"{len(instrument.indicators)} indicators\t{instrument.title.zh}\t{loaded_at}")  # fmt: skip


@cli.group("orgs")
def orgs_group() -> None:
    """Organisation units."""


@orgs_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@db_option
@friendly
def orgs_import(file, db_path):
    """Import organisation units from .xlsx, .xls, .ods or .csv (code, name, level, parent_code, kind, attributes)."""
    added, updated = assessment.import_orgs(open_db(db_path), read_file(file), file.name, progress=bar("读取机构"))
    click.echo(f"{added} units added, {updated} updated from {file.name}.")


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
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    user = add_user(open_db(db_path), username, password, role, org_code)
    click.echo(f"User {user.username} added as {user.role}" + (f" of {org_code}." if org_code else "."))


@cli.group("rounds")
def rounds_group() -> None:
    """Survey rounds."""


@rounds_group.command("create")
@click.option("--instrument", "instrument_id", required=True, help="Instrument id.")
@click.option("--version", help="Instrument version (default: the latest loaded).")
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
    round_ = create_round(db, instrument_id, period, title, version=version, scope_code=scope_code,
                          review_levels=levels, deadline=deadline)  # fmt: skip
    click.echo(f"Round {round_.id} opened: {round_.title} ({round_.instrument_id} {round_.version}).")


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
    click.echo(f"Template for {rows} centres written to {output}.")


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
        db, get_round(db, round_id), read_file(file), file.name, username=who(), submit=submit, progress=bar("读取答案")
    )
    line = (f"{summary.created} responses created, {summary.updated} updated, "
            f"{summary.unchanged} unchanged ({summary.changes} answers changed)")  # fmt: skip
    if submit:
        line += f"; {summary.submitted} submitted"
    if summary.skipped:
        line += f"; skipped {len(summary.skipped)} already submitted or approved: {', '.join(summary.skipped)}"
    click.echo(line + ".")


@cli.command()
@click.option("--round", "round_id", required=True, help="Round number.")
@db_option
@friendly
def score(round_id, db_path):
    """(Re)compute and store every response's indicators, clause levels and scores (e.g. after an instrument fix)."""
    db = open_db(db_path)
    round_ = get_round(db, round_id)
    count = db.execute("SELECT count(*) FROM responses WHERE round_id = ?", [round_.id]).fetchone()[0]
    with bar("评分")(length=count) as shown:
        scored = assessment.score(db, round_, shown.update)
    totals = [row[0] for row in db.execute("SELECT total FROM results WHERE round_id = ?", [round_.id])]
    present = [t for t in totals if t is not None]
    median = f"; median total {float(np.median(present)):.1f}" if present else ""
    click.echo(f"Scored {scored} responses of round {round_id}{median}.")


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
        db, round_, output, scope_code, approved_only, progress=bar("排名表"), by=attribute
    )
    line = f"League table of {len(result.centres)} centres written to {output}"
    if attribute:
        line += f", grouped by {attribute}"
    if data_csv is not None:
        line += f"; its tidy rows, past one sheet, to {data_csv}"
    click.echo(line + ".")


@export_group.command("cards")
@click.option("--round", "round_id", required=True, help="Round number.")
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--scope", "scope_code", help="Only the centres under this unit.")
@db_option
@friendly
def export_cards(round_id, output, scope_code, db_path):
    """Write one report-card workbook per centre."""
    db = open_db(db_path)
    count = assessment.write_cards(db, get_round(db, round_id), output, scope_code, progress=bar("报告卡"))
    click.echo(f"{count} report cards written to {output}/.")


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@db_option
@friendly
def backup(file, db_path):
    """Take a consistent copy of the database, safe while the server runs."""
    if is_live(file, Path(db_path or database.default_path())):
        raise click.ClickException(f"{file} 是正在使用的数据库（或其日志文件），不能用备份覆盖它；请换一个文件名。")
    db = open_db(db_path)
    try:
        size = assessment.backup(db, file)
    except OSError as error:
        raise click.ClickException(f"{file}：无法写入备份（{error.strerror}）。") from None
    click.echo(f"Backup written to {file} ({size / 1_048_576:.1f} MB).")
