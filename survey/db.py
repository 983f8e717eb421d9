"""The database: one SQLite file in WAL mode, foreign keys on.

Migrations are numbered functions (m001_…) registered with sqlite-utils'
Migrations; a migration once released is never edited — a change is a new one.
They run once when a process starts (the app factory, `survey init`, the
command line), not on every connection: a web request's connection opens an
already migrated file.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from .store import BusyError

DEFAULT_PATH = Path("instance") / "survey.db"
BUSY_TIMEOUT_MS = 30_000

migrations = Migrations("survey")


def default_path() -> Path:
    return Path(os.environ.get("SURVEY_DB") or DEFAULT_PATH)


def connect(path: str | Path | None = None, *, migrate: bool = True) -> Database:
    """Open (and create or migrate) the database at `path`; ':memory:' for a private one."""
    if path is None:
        path = default_path()
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    db = Database(str(path)) if str(path) != ":memory:" else Database(memory=True)
    db.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.conn.execute("PRAGMA foreign_keys = ON")
    if str(path) != ":memory:":
        db.enable_wal()
    if migrate:
        migrate_db(db)
    return db


def migrate_db(db: Database) -> None:
    """Apply pending migrations under the write lock, so workers starting together migrate once."""
    if not migrations.pending(db):
        return
    with writing(db):
        migrations.apply(db)


@contextlib.contextmanager
def writing(db: Database) -> Iterator[Database]:
    """One write transaction that takes the write lock at once (BEGIN IMMEDIATE).

    Two writers never deadlock on upgrading a read lock: the second waits for
    the first (up to the busy timeout) and then sees its changes; past the wait
    it raises BusyError, having written nothing.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    try:
        db.conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        if "locked" in str(error) or "busy" in str(error):
            raise BusyError("busy") from error
        raise
    try:
        yield db
    except BaseException:
        db.conn.execute("ROLLBACK")
        raise
    else:
        db.conn.execute("COMMIT")


BULK_CACHE_KIB = 64 * 1024  # the page cache of a bulk write (an import, a round scored again)


@contextlib.contextmanager
def bulk(db: Database) -> Iterator[Database]:
    """One bulk write's transaction (`writing`): an import, a round scored again.

    Its B-trees stay in memory in a bigger page cache, and, when it is not part of a
    caller's transaction, references are not looked up again row by row: every row it
    writes names a response it read or created under the same write lock, and what
    comes from outside (a unit's code) its writer checks first. Durability is untouched:
    the transaction commits as any other, and both settings are put back after.
    """
    cache, references = (db.conn.execute(f"PRAGMA {name}").fetchone()[0] for name in ("cache_size", "foreign_keys"))
    db.conn.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
    db.conn.execute("PRAGMA foreign_keys = OFF")  # no effect inside a transaction
    try:
        with writing(db):
            yield db
    finally:
        db.conn.execute(f"PRAGMA cache_size = {cache}")
        db.conn.execute(f"PRAGMA foreign_keys = {references}")


@migrations()
def m001_initial(db: Database) -> None:
    _script(
        db,
        """
        CREATE TABLE org_units (
            code TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            level TEXT NOT NULL CHECK (level IN
                ('province', 'city', 'county', 'township', 'community', 'village')),
            parent_code TEXT REFERENCES org_units(code),
            kind TEXT NOT NULL DEFAULT '',
            population INTEGER
        );
        CREATE INDEX org_units_parent ON org_units(parent_code);

        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL UNIQUE,
            password_hash TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('centre', 'evaluator', 'official', 'admin')),
            org_code TEXT REFERENCES org_units(code),
            active INTEGER NOT NULL DEFAULT 1,
            failed_logins INTEGER NOT NULL DEFAULT 0,
            locked_until TEXT,
            created_at TEXT NOT NULL
        );

        CREATE TABLE instruments (
            id INTEGER PRIMARY KEY,
            instrument_id TEXT NOT NULL,
            version TEXT NOT NULL,
            title TEXT NOT NULL,
            source TEXT NOT NULL,
            loaded_at TEXT NOT NULL,
            UNIQUE (instrument_id, version)
        );

        CREATE TABLE rounds (
            id INTEGER PRIMARY KEY,
            instrument_id TEXT NOT NULL,
            version TEXT NOT NULL,
            period TEXT NOT NULL,
            title TEXT NOT NULL,
            scope_code TEXT REFERENCES org_units(code),
            review_levels INTEGER NOT NULL DEFAULT 2 CHECK (review_levels BETWEEN 0 AND 4),
            deadline TEXT,
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
            created_at TEXT NOT NULL,
            FOREIGN KEY (instrument_id, version) REFERENCES instruments(instrument_id, version)
        );

        CREATE TABLE responses (
            id INTEGER PRIMARY KEY,
            round_id INTEGER NOT NULL REFERENCES rounds(id),
            org_code TEXT NOT NULL REFERENCES org_units(code),
            status TEXT NOT NULL DEFAULT 'draft'
                CHECK (status IN ('draft', 'submitted', 'returned', 'approved')),
            review_level INTEGER NOT NULL DEFAULT 0,
            version INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            submitted_at TEXT,
            UNIQUE (round_id, org_code)
        );

        CREATE TABLE answers (  -- value columns have no type: stored exactly as given
            response_id INTEGER NOT NULL REFERENCES responses(id),
            item_id TEXT NOT NULL,
            value,
            verified,
            PRIMARY KEY (response_id, item_id)
        ) WITHOUT ROWID;

        CREATE TABLE reviews (
            id INTEGER PRIMARY KEY,
            response_id INTEGER NOT NULL REFERENCES responses(id),
            user_id INTEGER REFERENCES users(id),
            level INTEGER NOT NULL,
            action TEXT NOT NULL CHECK (action IN ('submit', 'return', 'approve', 'reopen')),
            comment TEXT NOT NULL DEFAULT '',
            item_comments TEXT NOT NULL DEFAULT '{}',
            created_at TEXT NOT NULL
        );
        CREATE INDEX reviews_response ON reviews(response_id);

        CREATE TABLE audit (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            username TEXT NOT NULL,
            response_id INTEGER REFERENCES responses(id),
            action TEXT NOT NULL,
            item_id TEXT,
            old,
            new,
            source TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX audit_response ON audit(response_id);

        CREATE TABLE scores (
            response_id INTEGER PRIMARY KEY REFERENCES responses(id),
            total REAL,
            grade TEXT,
            dimensions TEXT NOT NULL,
            indicators TEXT NOT NULL,
            computed_at TEXT NOT NULL
        );
        """,
    )


@migrations()
def m003_sessions_and_signin_attempts(db: Database) -> None:
    """Sessions kept on the server (revocable), and sign-in attempts counted per account and per address."""
    _script(
        db,
        """
        CREATE TABLE sessions (
            token_hash TEXT PRIMARY KEY,  -- SHA-256 of the cookie's token: the table alone signs nobody in
            user_id INTEGER NOT NULL REFERENCES users(id),
            created_at TEXT NOT NULL,
            seen_at TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX sessions_user ON sessions(user_id);

        CREATE TABLE signin_attempts (  -- failures, and attempts whose password is being checked
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL,
            address TEXT NOT NULL,
            at TEXT NOT NULL
        );
        CREATE INDEX signin_attempts_username ON signin_attempts(username, at);
        CREATE INDEX signin_attempts_address ON signin_attempts(address, at);
        CREATE INDEX signin_attempts_at ON signin_attempts(at);

        ALTER TABLE users DROP COLUMN failed_logins;
        ALTER TABLE users DROP COLUMN locked_until
        """,
    )


@migrations()
def m004_unit_attributes(db: Database) -> None:
    """Attributes of organisation units (隶属关系, 举办主体, …): one row per unit and name."""
    _script(
        db,
        """
        CREATE TABLE org_attributes (
            org_code TEXT NOT NULL REFERENCES org_units(code),
            name TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (org_code, name)
        );
        CREATE INDEX org_attributes_name ON org_attributes(name, value);
        """,
    )


@migrations()
def m005_ratings_evidence_appeals(db: Database) -> None:
    """Clause ratings' words and the level that verified, evidence files, appeals.

    A clause rating itself lives in `answers` like an item's answer (keyed by the
    clause id: the self-rating as `value`, the evaluator's as `verified`);
    `answer_notes` keeps what people wrote beside it and the review level that
    recorded a verified value or level, which decides an appeal against it.
    Evidence files live on disk, content-addressed; `evidence` says which file
    supports which item or clause of which response.
    """
    _script(
        db,
        """
        CREATE TABLE answer_notes (
            response_id INTEGER NOT NULL REFERENCES responses(id),
            item_id TEXT NOT NULL,               -- an item's or an onsite clause's id, as in answers
            note TEXT NOT NULL DEFAULT '',       -- the centre's note on its self-rating (自评说明)
            comment TEXT NOT NULL DEFAULT '',    -- the evaluator's comment, the reason when not applicable
            verified_level INTEGER,              -- the review level that recorded the verified value or level
            PRIMARY KEY (response_id, item_id)
        ) WITHOUT ROWID;

        CREATE TABLE appeals (
            id INTEGER PRIMARY KEY,
            response_id INTEGER NOT NULL REFERENCES responses(id),
            item_id TEXT NOT NULL,               -- the item or clause whose verified value is appealed
            level INTEGER NOT NULL,              -- the review level that recorded it, and decides the appeal
            reported,                            -- the centre's value and the verified one, as stored then
            verified,
            reason TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'rejected')),
            decision TEXT NOT NULL DEFAULT '',   -- the evaluator's reason
            username TEXT NOT NULL,
            created_at TEXT NOT NULL,
            decided_by TEXT,
            decided_at TEXT
        );
        CREATE INDEX appeals_response ON appeals(response_id, status);
        CREATE UNIQUE INDEX appeals_one_pending ON appeals(response_id, item_id) WHERE status = 'pending';

        CREATE TABLE evidence (
            id INTEGER PRIMARY KEY,
            response_id INTEGER NOT NULL REFERENCES responses(id),
            item_id TEXT NOT NULL,               -- the item or onsite clause it supports
            appeal_id INTEGER REFERENCES appeals(id),
            name TEXT NOT NULL,                  -- as uploaded
            kind TEXT NOT NULL,                  -- pdf | jpeg | png | xlsx | docx, recognised by content
            size INTEGER NOT NULL,
            sha256 TEXT NOT NULL,                -- the file's name in the evidence store
            username TEXT NOT NULL,
            added_at TEXT NOT NULL
        );
        CREATE INDEX evidence_response ON evidence(response_id, item_id);
        CREATE INDEX evidence_sha256 ON evidence(sha256)
        """,
    )


@migrations()
def m006_stored_results(db: Database) -> None:
    """Results stored when answers change (replacing the unused `scores` cache), flags, unit paths, background jobs.

    `results` holds one row per response: its total, grade and dimension scores as
    columns (sorted and ranked in SQL) and every figure of it packed in `figures`
    (`store.results` knows the layout); `seq` grows with every write, so a reader
    holding a round's figures catches up by reading only the rows changed since.
    `flags` holds each response's failed checks and outliers; `org_paths` every
    unit with each unit above it (and itself), so a jurisdiction is one join;
    `jobs` the background work people asked for; `instruments.digest` lets a
    process compile each instrument version once.
    """
    _script(
        db,
        """
        DROP TABLE scores;

        CREATE TABLE results (
            response_id INTEGER PRIMARY KEY REFERENCES responses(id),
            round_id INTEGER NOT NULL REFERENCES rounds(id),
            org_code TEXT NOT NULL,
            county TEXT NOT NULL DEFAULT '',         -- the centre's county (else its parent): its flags' medians
            total REAL,
            grade TEXT,
            failed INTEGER NOT NULL DEFAULT 0,       -- scored indicators computed and not met
            scores TEXT NOT NULL DEFAULT '{}',       -- group scores: {"dimension"|"chapter": {id: score},
                                                     --   "framework": {id: {group: score}}}
            figures BLOB NOT NULL,
            seq INTEGER NOT NULL,
            computed_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX results_round_org ON results(round_id, org_code);
        CREATE INDEX results_round_total ON results(round_id, total, county, grade, org_code);  -- ranks: index only
        CREATE INDEX results_round_seq ON results(round_id, seq);
        CREATE INDEX results_round_county ON results(round_id, county);

        CREATE TABLE flags (
            response_id INTEGER NOT NULL REFERENCES responses(id),
            kind TEXT NOT NULL,                      -- constraint | required | median | change
            name TEXT NOT NULL,                      -- the item or indicator
            position INTEGER NOT NULL,               -- its place in the instrument
            value REAL,
            reference REAL,                          -- the county median, or the previous round's value
            PRIMARY KEY (response_id, kind, name)
        ) WITHOUT ROWID;
        CREATE INDEX flags_name ON flags(name, kind);

        CREATE TABLE org_paths (
            ancestor TEXT NOT NULL,
            org_code TEXT NOT NULL,
            level TEXT NOT NULL,                     -- the ancestor's level
            depth INTEGER NOT NULL,                  -- 0: the unit itself
            PRIMARY KEY (ancestor, org_code)
        ) WITHOUT ROWID;
        CREATE INDEX org_paths_org ON org_paths(org_code, level);

        CREATE TABLE jobs (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            user_id INTEGER REFERENCES users(id),
            round_id INTEGER REFERENCES rounds(id),
            scope_code TEXT,
            options TEXT NOT NULL DEFAULT '{}',
            status TEXT NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'running', 'done', 'failed')),
            done INTEGER NOT NULL DEFAULT 0,
            total INTEGER NOT NULL DEFAULT 0,
            message TEXT NOT NULL DEFAULT '',
            file TEXT,
            filename TEXT,
            created_at TEXT NOT NULL,
            finished_at TEXT
        );
        CREATE INDEX jobs_user ON jobs(user_id, created_at);

        ALTER TABLE instruments ADD COLUMN digest TEXT
        """,
    )
    for row in list(db.query("SELECT id, source FROM instruments")):
        db.execute("UPDATE instruments SET digest = ? WHERE id = ?", [source_digest(row["source"]), row["id"]])
    rebuild_paths(db)


@migrations()
def m007_name_keys(db: Database) -> None:
    """Each unit's name as it sorts (by pinyin: 阿坝 < 长安 < 重庆 < 大王).

    `org_units.name_key` is written whenever units are saved (`store.orgs.name_key`), so lists sorted by
    name sort in SQL, however many units there are.
    """
    from exports.names import name_key

    _script(
        db,
        """
        ALTER TABLE org_units ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
        CREATE INDEX org_units_name_key ON org_units(name_key, code)
        """,
    )
    rows = [(name_key(row["name"]), row["code"]) for row in db.query("SELECT code, name FROM org_units")]
    db.conn.executemany("UPDATE org_units SET name_key = ? WHERE code = ?", rows)


@migrations()
def m008_jurisdiction_indexes(db: Database) -> None:
    """Indexes that let a province or city read its centres' totals and review states without their stored rows.

    A jurisdiction below the whole country is read from its units' paths into `results` by (round, unit):
    with the total, county and grade in that index, ranks, counts and league pages never load a result's
    packed figures. The responses' states by round serve the review queue's filters and approved-only data.
    `unit_tree` counts the times the unit paths were worked out again, so a process holding regions knows.
    """
    _script(
        db,
        """
        CREATE INDEX results_round_org_total ON results(round_id, org_code, total, county, grade);
        CREATE INDEX responses_round_status ON responses(round_id, status, review_level);
        CREATE TABLE unit_tree (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            version INTEGER NOT NULL               -- grows each time `org_paths` is worked out again
        );
        INSERT INTO unit_tree (id, version) VALUES (1, 0)
        """,
    )


@migrations()
def m009_retired_versions(db: Database) -> None:
    """When and by whom an instrument version was retired: a retired version opens no new round.

    Rounds already opened on it keep it; restoring a version sets both back to NULL.
    """
    _script(
        db,
        """
        ALTER TABLE instruments ADD COLUMN retired_at TEXT;
        ALTER TABLE instruments ADD COLUMN retired_by TEXT
        """,
    )


@migrations()
def m010_required_flags_of_locked_responses(db: Database) -> None:
    """Required flags are kept for submitted and approved responses only (readers never counted a draft's)."""
    db.execute(
        """DELETE FROM flags WHERE kind = 'required' AND response_id IN
           (SELECT id FROM responses WHERE status NOT IN ('submitted', 'approved'))"""
    )


def source_digest(source: str) -> str:
    """The SHA-256 of an instrument's source text: an instrument compiled once is known by it."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def rebuild_paths(db: Database) -> None:
    """Work out `org_paths` again from the units' parents (after units are added or moved)."""
    db.execute("DELETE FROM org_paths")
    db.execute(
        """INSERT INTO org_paths (ancestor, org_code, level, depth)
           WITH RECURSIVE up(org_code, ancestor, depth) AS (
             SELECT code, code, 0 FROM org_units UNION ALL
             SELECT up.org_code, o.parent_code, up.depth + 1 FROM up JOIN org_units o ON o.code = up.ancestor
             WHERE o.parent_code IS NOT NULL AND up.depth < 50)
           SELECT up.ancestor, up.org_code, a.level, min(up.depth) FROM up JOIN org_units a ON a.code = up.ancestor
           GROUP BY up.ancestor, up.org_code"""
    )
    if db["unit_tree"].exists():  # from m008 on
        db.execute("UPDATE unit_tree SET version = version + 1")


def tree_version(db: Database) -> int:
    """How many times the unit paths were worked out again (0 before m008)."""
    if not db["unit_tree"].exists():
        return 0
    row = db.execute("SELECT version FROM unit_tree").fetchone()
    return row[0] if row else 0


def _script(db: Database, sql: str) -> None:
    """Run statements one by one: executescript would commit the migration's transaction."""
    for statement in sql.split(";"):
        if statement.strip():
            db.execute(statement)
