"""Storage: plain functions taking `db` first. No Flask here.

StoreError              a request the data does not allow; the message says why
  NotFoundError         no such round, unit, user or response
  ConflictError         the response changed since it was read (version counter)
  RatingError           a clause rating that does not fit its clause (ratings.py)
  EvidenceError         a file not stored: its type, size, owner or moment (evidence.py)
  AppealError           an appeal or a decision refused (appeals.py)
  AppealsPendingError   a round that cannot close while appeals wait (appeals.py)
"""

from __future__ import annotations

import datetime as dt


class StoreError(ValueError):
    """A request the stored data does not allow."""


class NotFoundError(StoreError):
    """No such thing."""


class ConflictError(StoreError):
    """Someone else saved first."""


def now() -> str:
    """The time now, UTC, ISO 8601 to the second."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
