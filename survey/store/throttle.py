"""Sign-in throttling, shared by every worker through the database.

Every password check (signing in, or the current password before a change)
first reserves an attempt under the write lock, so guesses sent in parallel
cannot get past a limit; a wrong password leaves the attempt counted, a right
one takes it back and forgives that address's earlier failures for that
account. Within WINDOW:

- PER_PAIR failures for one account from one address stop that address trying
  that account: a guesser at one address cannot lock out the real user, who
  signs in from another;
- PER_ADDRESS failures from one address, whatever the accounts, stop that
  address (one password tried on many accounts);
- PER_ACCOUNT failures for one account, from all addresses, stop that account
  (guesses spread over many addresses).

A limit reached lifts as the oldest failure it counts leaves the window.
"""

from __future__ import annotations

import datetime as dt
import math

from sqlite_utils import Database

from ..db import writing
from . import StoreError

WINDOW = dt.timedelta(minutes=15)
PER_PAIR = 5
PER_ADDRESS = 30
PER_ACCOUNT = 50
KEPT = 100  # characters of a typed username kept for counting: more than any real one has


class LockedError(StoreError):
    """Too many failed sign-ins for this account or from this address; `minutes` until it may try again."""

    def __init__(self, minutes: int):
        self.minutes = minutes
        super().__init__("signin_locked", minutes=minutes)


def reserve(db: Database, username: str, address: str, *, at: dt.datetime | None = None) -> int:
    """Count an attempt before its password is checked and return its id; LockedError when a limit is reached."""
    at = at or dt.datetime.now(dt.UTC)
    username = username[:KEPT]
    limits = (
        ("username = ? AND address = ?", [username, address], PER_PAIR),
        ("address = ?", [address], PER_ADDRESS),
        ("username = ?", [username], PER_ACCOUNT),
    )
    with writing(db):
        db.execute("DELETE FROM signin_attempts WHERE at <= ?", [_stamp(at - WINDOW)])
        waits = []
        for where, params, limit in limits:
            count, first = db.execute(f"SELECT count(*), min(at) FROM signin_attempts WHERE {where}", params).fetchone()
            if count >= limit:
                waits.append(dt.datetime.fromisoformat(first) + WINDOW - at)
        if waits:
            raise LockedError(max(1, math.ceil(max(waits).total_seconds() / 60)))
        return db.execute(
            "INSERT INTO signin_attempts (username, address, at) VALUES (?, ?, ?)", [username, address, _stamp(at)]
        ).lastrowid


def forgive(db: Database, attempt: int) -> None:
    """The password was right: this attempt and the account's earlier failures from its address no longer count."""
    with writing(db):
        db.execute(
            """DELETE FROM signin_attempts WHERE (username, address) =
               (SELECT username, address FROM signin_attempts WHERE id = ?)""",
            [attempt],
        )


def clear(db: Database, username: str) -> None:
    """Forget every failure counted for an account (an administrator has set a new password)."""
    with writing(db):
        db.execute("DELETE FROM signin_attempts WHERE username = ?", [username[:KEPT]])


def _stamp(at: dt.datetime) -> str:
    return at.isoformat(timespec="seconds")
