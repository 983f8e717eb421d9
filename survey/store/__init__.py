"""Storage: plain functions taking `db` first. No Flask here.

StoreError          a request the data does not allow; the message says why
  NotFoundError     no such round, unit, user or response
  ConflictError     the response changed since it was read (version counter)
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
