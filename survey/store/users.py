"""Users: hashed passwords, a role, the org unit they belong to, and whether they may sign in."""

from __future__ import annotations

import functools
import re
import secrets
from dataclasses import dataclass

from sqlite_utils import Database
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from instruments.messages import Message

from ..db import writing
from . import NotFoundError, StoreError, now, sessions, throttle
from .orgs import get_unit

ROLES = ("centre", "evaluator", "official", "admin")
USERNAME = re.compile(r"[A-Za-z0-9_.@-]{3,64}")
MIN_PASSWORD = 8
STRONG = 3  # zxcvbn's score from 0 to 4: 3 and up needs about 10^8 guesses or more
ESTIMATED = 72  # characters zxcvbn looks at (it refuses longer input; the rest only adds strength)


@dataclass(frozen=True)
class User:
    """An account: its role, its unit, and whether it may sign in (never its password)."""

    id: int
    username: str
    role: str
    org_code: str | None
    active: bool


def add_user(db: Database, username: str, password: str, role: str, org_code: str | None) -> User:
    """Create a user; the password is stored only as a salted hash."""
    if not USERNAME.fullmatch(username or ""):
        raise StoreError("username_invalid")
    check_placement(db, role, org_code)
    check_strength(password, username)
    if list(db.query("SELECT 1 FROM users WHERE username = ?", [username])):
        raise StoreError("user_exists", user=username)
    with writing(db):
        cursor = db.execute(
            "INSERT INTO users (username, password_hash, role, org_code, created_at) VALUES (?, ?, ?, ?, ?)",
            [username, generate_password_hash(password), role, org_code, now()],
        )
    return User(cursor.lastrowid, username, role, org_code, True)


def check_placement(db: Database, role: str, org_code: str | None) -> None:
    """Refuse an unknown role, a unit that does not exist, a non-admin without a unit, a centre user above a centre."""
    if role not in ROLES:
        raise StoreError("unknown_role", role=role, roles=", ".join(ROLES))
    if role != "admin" and not org_code:
        raise StoreError("role_needs_unit", role=Message("role_" + role))
    if org_code:
        unit = get_unit(db, org_code)
        if role == "centre" and unit.level not in ("township", "community"):
            raise StoreError("centre_user_level", level=Message("level_" + unit.level))


class WeakPasswordError(StoreError):
    """A password too short, holding the username, or easily guessed."""


def check_strength(password: str, username: str) -> None:
    """Refuse a password shorter than MIN_PASSWORD, holding the username, or easily guessed (zxcvbn's estimate)."""
    password = password or ""
    if len(password) < MIN_PASSWORD:
        raise WeakPasswordError("password_short", n=MIN_PASSWORD)
    if username and username.casefold() in password.casefold():
        raise WeakPasswordError("password_has_username")
    if zxcvbn(password[:ESTIMATED], user_inputs=[username])["score"] < STRONG:
        raise WeakPasswordError("password_common")


def get_user(db: Database, username: str) -> User:
    """The user with this name; NotFoundError when there is none."""
    rows = list(db.query("SELECT * FROM users WHERE username = ?", [username]))
    if not rows:
        raise NotFoundError("no_user", user=username)
    return _user(rows[0])


def _user(row: dict) -> User:
    return User(row["id"], row["username"], row["role"], row["org_code"], bool(row["active"]))


def verify_password(db: Database, username: str, password: str) -> User | None:
    """The user when the password is right and the account active, else None.

    One password hash is checked whether or not the username exists, so the
    time taken does not tell which names are accounts.
    """
    rows = list(db.query("SELECT * FROM users WHERE username = ?", [username]))
    stored = rows[0]["password_hash"] if rows else _decoy_hash()
    right = check_password_hash(stored, password)
    return _user(rows[0]) if right and rows and rows[0]["active"] else None


@functools.cache
def _decoy_hash() -> str:
    """A hash of a password nobody knows, made as real ones are, checked when the username has no account."""
    return generate_password_hash(secrets.token_urlsafe(16))


def get_user_by_id(db: Database, user_id: int) -> User | None:
    """The user with this id, or None (a session may outlive its user)."""
    rows = list(db.query("SELECT * FROM users WHERE id = ?", [user_id]))
    return _user(rows[0]) if rows else None


def authenticate(db: Database, username: str, password: str, address: str) -> User | None:
    """The user when the password is right, None when not; LockedError when `throttle` refuses the attempt."""
    attempt = throttle.reserve(db, username, address)
    user = verify_password(db, username, password)  # slow on purpose: outside the write lock
    if user is not None:
        throttle.forgive(db, attempt)
    return user


class WrongPasswordError(StoreError):
    """The current password given before a change is not the user's."""


def change_password(db: Database, username: str, current: str, new: str, address: str) -> None:
    """Replace a user's password after checking the current one (throttled as signing in is); ends their sessions."""
    check_strength(new, username)
    user = authenticate(db, username, current, address)
    if user is None:
        raise WrongPasswordError("password_wrong")
    with writing(db):
        db.execute("UPDATE users SET password_hash = ? WHERE id = ?", [generate_password_hash(new), user.id])
        sessions.end_all(db, user.id)


# ---------------------------------------------------------------- administration

AUDIT_SOURCE = "admin"


class SelfLockoutError(StoreError):
    """An administrator tried to disable their own account or give up their own administrator role."""


def list_users(
    db: Database,
    role: str | None = None,
    org_code: str | None = None,
    limit: int | None = None,
    *,
    search: str = "",
    offset: int = 0,
) -> list[User]:
    """Users by their unit's name in pinyin order, then username (administrators, without a unit, first);
    only those with `role`, at or below unit `org_code`, whose username, unit name or unit code holds
    `search`, when given; the `limit` from `offset`."""
    where, params = _user_filter(db, role, org_code, search)
    sql = f"""SELECT u.* FROM users u LEFT JOIN org_units o ON o.code = u.org_code{where}
              ORDER BY coalesce(o.name_key, ''), u.username"""
    if limit is not None:
        sql += f" LIMIT {int(limit)} OFFSET {max(int(offset), 0)}"
    return [_user(row) for row in db.query(sql, params)]


def count_users(db: Database, role: str | None = None, org_code: str | None = None, *, search: str = "") -> int:
    """How many users `list_users` finds with these conditions."""
    where, params = _user_filter(db, role, org_code, search)
    return db.execute(
        f"SELECT count(*) FROM users u LEFT JOIN org_units o ON o.code = u.org_code{where}", params
    ).fetchone()[0]


def _user_filter(db: Database, role: str | None, org_code: str | None, search: str) -> tuple[str, list]:
    where, params = [], []
    if role:
        where.append("u.role = ?")
        params.append(role)
    if org_code:
        get_unit(db, org_code)
        where.append("u.org_code IN (SELECT org_code FROM org_paths WHERE ancestor = ?)")
        params.append(org_code)
    if search.strip():
        term = "%" + search.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append("(u.username LIKE ? ESCAPE '\\' OR o.name LIKE ? ESCAPE '\\' OR u.org_code LIKE ? ESCAPE '\\')")
        params += [term, term, term]
    return (" WHERE " + " AND ".join(where) if where else ""), params


def require_user(db: Database, user_id: int) -> User:
    """The user with this id; NotFoundError when there is none."""
    user = get_user_by_id(db, user_id)
    if user is None:
        raise NotFoundError("no_user", user=user_id)
    return user


def set_placement(db: Database, user_id: int, role: str, org_code: str | None, *, acting: User) -> User:
    """Give a user another role or unit, checked as when adding one; an administrator keeps their own role."""
    user = require_user(db, user_id)
    if user.id == acting.id and role != "admin":
        raise SelfLockoutError("self_unadmin")
    check_placement(db, role, org_code)
    org_code = org_code or None
    with writing(db):
        db.execute("UPDATE users SET role = ?, org_code = ? WHERE id = ?", [role, org_code, user.id])
        if (role, org_code) != (user.role, user.org_code):
            sessions.end_all(db, user.id)  # signed in again, they see what the new place allows
        if role != user.role:
            audit(db, acting.username, "user.role", user.username, user.role, role)
        if org_code != user.org_code:
            audit(db, acting.username, "user.org", user.username, user.org_code, org_code)
    return require_user(db, user.id)


def reset_password(db: Database, user_id: int, password: str, *, acting: User) -> User:
    """Set a new password for a user (who then signs in with it), end their sessions and lift any sign-in lock."""
    user = require_user(db, user_id)
    check_strength(password, user.username)
    with writing(db):
        db.execute("UPDATE users SET password_hash = ? WHERE id = ?", [generate_password_hash(password), user.id])
        sessions.end_all(db, user.id)
        throttle.clear(db, user.username)
        audit(db, acting.username, "user.password", user.username)  # never the password, not even hashed
    return user


def set_active(db: Database, user_id: int, active: bool, *, acting: User) -> User:
    """Enable or disable a user; a disabled user cannot sign in, and an administrator cannot disable themselves."""
    user = require_user(db, user_id)
    if user.id == acting.id and not active:
        raise SelfLockoutError("self_disable")
    if user.active != active:
        with writing(db):
            db.execute("UPDATE users SET active = ? WHERE id = ?", [int(active), user.id])
            if not active:
                sessions.end_all(db, user.id)
            audit(db, acting.username, "user.active", user.username, int(user.active), int(active))
    return require_user(db, user.id)


def audit(db: Database, username: str, action: str, subject: str, old: object = None, new: object = None) -> None:
    """Record an administrator's change (not tied to a response) in the audit trail; `subject` names what changed."""
    db.execute(
        """INSERT INTO audit (at, username, response_id, action, item_id, old, new, source)
           VALUES (?, ?, NULL, ?, ?, ?, ?, ?)""",
        [now(), username, action, subject, old, new, AUDIT_SOURCE],
    )
