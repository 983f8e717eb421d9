"""The database in the web app: one connection per request on `g`, closed in teardown.

SQLite connections are bound to the thread that opened them, so each request
opens its own and closes it at the end. The file is migrated once, when the
app is created, so a request's connection does no schema work.
"""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlite_utils import Database

from . import db as database


def get_db() -> Database:
    """This request's database, opened on first use."""
    if "db" not in g:
        g.db = database.connect(current_app.config["DATABASE"], migrate=False)
    return g.db


def close_db(error: BaseException | None = None) -> None:
    """Close this request's database if it was opened."""
    db = g.pop("db", None)
    if db is not None:
        db.close()


def init_app(app: Flask) -> None:
    """Migrate the database once, now, and close each request's connection after it."""
    database.connect(app.config["DATABASE"]).close()
    app.teardown_appcontext(close_db)
