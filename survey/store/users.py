"""Users: hashed passwords, a role, the org unit they belong to, and whether they may sign in."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlite_utils import Database
from werkzeug.security import check_password_hash, generate_password_hash

from ..db import writing
from . import NotFoundError, StoreError, now
from .orgs import get_unit

ROLES = ("centre", "evaluator", "official", "admin")
USERNAME = re.compile(r"[A-Za-z0-9_.@-]{3,64}")
MIN_PASSWORD = 8


@dataclass(frozen=True)
class User:
    id: int
    username: str
    role: str
    org_code: str | None
    active: bool


def add_user(db: Database, username: str, password: str, role: str, org_code: str | None) -> User:
    """Create a user; the password is stored only as a salted hash."""
    if not USERNAME.fullmatch(username or ""):
        raise StoreError("a username is 3–64 letters, digits or . _ @ -")
    if role not in ROLES:
        raise StoreError(f"unknown role '{role}'; use one of {', '.join(ROLES)}")
    if role != "admin" and not org_code:
        raise StoreError(f"a {role} user needs an organisation unit (--org)")
    if org_code:
        unit = get_unit(db, org_code)
        if role == "centre" and unit.level not in ("township", "community"):
            raise StoreError(f"a centre user belongs to a township or community unit, not a {unit.level}")
    check_strength(password)
    if list(db.query("SELECT 1 FROM users WHERE username = ?", [username])):
        raise StoreError(f"user '{username}' already exists")
    with writing(db):
        cursor = db.execute(
            "INSERT INTO users (username, password_hash, role, org_code, created_at) VALUES (?, ?, ?, ?, ?)",
            [username, generate_password_hash(password), role, org_code, now()],
        )
    return User(cursor.lastrowid, username, role, org_code, True)


def check_strength(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise StoreError(f"a password needs at least {MIN_PASSWORD} characters")


def get_user(db: Database, username: str) -> User:
    rows = list(db.query("SELECT * FROM users WHERE username = ?", [username]))
    if not rows:
        raise NotFoundError(f"no user '{username}'")
    return _user(rows[0])


def _user(row: dict) -> User:
    return User(row["id"], row["username"], row["role"], row["org_code"], bool(row["active"]))


def verify_password(db: Database, username: str, password: str) -> User | None:
    """The user when the password is right and the account active, else None."""
    rows = list(db.query("SELECT * FROM users WHERE username = ?", [username]))
    if not rows or not rows[0]["active"]:
        return None
    return _user(rows[0]) if check_password_hash(rows[0]["password_hash"], password) else None
