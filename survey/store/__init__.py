"""Storage: plain functions taking `db` first. No Flask here.

StoreError              a request the data does not allow: a code of the catalogue
                        (`store.messages`) and its parameters; `text(lang)` says why
  NotFoundError         no such round, unit, user or response
  ConflictError         the response changed since it was read (version counter)
  BusyError             other writes held the database past the wait: nothing written, try again
  RatingError           a clause rating that does not fit its clause (ratings.py)
  EvidenceError         a file not stored: its type, size, owner or moment (evidence.py)
  AppealError           an appeal or a decision refused (appeals.py)
  AppealsPendingError   a round that cannot close while appeals wait (appeals.py)
"""

from __future__ import annotations

import datetime as dt

from instruments.errors import CodedError

from . import messages  # noqa: F401 - registers the store's messages


class StoreError(CodedError):
    """A request the stored data does not allow, said as a code and parameters (`text(lang)`; `str` is English)."""


class NotFoundError(StoreError):
    """No such thing."""


class ConflictError(StoreError):
    """Someone else saved first."""


class BusyError(StoreError):
    """Other writes kept the database busy past the busy timeout: nothing was written; the request may be retried."""


def now() -> str:
    """The time now, UTC, ISO 8601 to the second."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
