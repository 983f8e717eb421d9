"""The database in the web app: one connection per request on `g`, closed in teardown.

SQLite connections are bound to the thread that opened them, so each request
opens its own (cheap: the file is already migrated) and closes it at the end.
"""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlite_utils import Database

from . import db as database


def get_db() -> Database:
    """This request's database, opened on first use."""
    if "db" not in g:
        g.db = database.connect(current_app.config["DATABASE"])
    return g.db


def close_db(error: BaseException | None = None) -> None:
    """Close this request's database if it was opened."""
    db = g.pop("db", None)
    if db is not None:
        db.close()


def init_app(app: Flask) -> None:
    """Close the database after every request."""
    app.teardown_appcontext(close_db)
