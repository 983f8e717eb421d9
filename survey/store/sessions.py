"""Sessions kept on the server: the cookie holds a random token, the table its SHA-256.

A session ends when its user signs out, when it has been idle for `idle` or
open for `lifetime`, and for every session of a user at once when their
password is changed or reset, their role or unit changes, or they are disabled.
A copied cookie is then worth nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlite_utils import Database

from ..db import writing

IDLE = dt.timedelta(hours=8)
LIFETIME = dt.timedelta(hours=24)
TOUCH = dt.timedelta(minutes=5)  # `seen_at` is written at most this often: not a write per request


def start(db: Database, user_id: int, *, lifetime: dt.timedelta = LIFETIME, at: dt.datetime | None = None) -> str:
    """Open a session for a user; the token to put in the cookie. Sessions past their lifetime are forgotten."""
    at = at or _now()
    token = secrets.token_urlsafe(32)
    with writing(db):
        db.execute("DELETE FROM sessions WHERE created_at <= ?", [_stamp(at - lifetime)])
        db.execute(
            "INSERT INTO sessions (token_hash, user_id, created_at, seen_at) VALUES (?, ?, ?, ?)",
            [_digest(token), user_id, _stamp(at), _stamp(at)],
        )
    return token


def user_id(
    db: Database,
    token: str,
    *,
    idle: dt.timedelta = IDLE,
    lifetime: dt.timedelta = LIFETIME,
    at: dt.datetime | None = None,
) -> int | None:
    """The user whose live session this token opens, else None (an expired session is deleted)."""
    at = at or _now()
    rows = list(db.query("SELECT * FROM sessions WHERE token_hash = ?", [_digest(token)]))
    if not rows:
        return None
    row = rows[0]
    seen, created = dt.datetime.fromisoformat(row["seen_at"]), dt.datetime.fromisoformat(row["created_at"])
    if at - seen >= idle or at - created >= lifetime:
        with writing(db):
            db.execute("DELETE FROM sessions WHERE token_hash = ?", [row["token_hash"]])
        return None
    if at - seen >= TOUCH:
        with writing(db):
            db.execute("UPDATE sessions SET seen_at = ? WHERE token_hash = ?", [_stamp(at), row["token_hash"]])
    return row["user_id"]


def end(db: Database, token: str) -> None:
    """End one session (signing out)."""
    with writing(db):
        db.execute("DELETE FROM sessions WHERE token_hash = ?", [_digest(token)])


def end_all(db: Database, user_id: int) -> None:
    """End every session of a user."""
    with writing(db):
        db.execute("DELETE FROM sessions WHERE user_id = ?", [user_id])


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _stamp(at: dt.datetime) -> str:
    return at.isoformat(timespec="seconds")
