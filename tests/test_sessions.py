"""Sessions live on the server: signing out, a new password, a new role or a disabled account end them."""

import datetime as dt
import hashlib

import pytest
from conftest import AuthActions

from survey.demo import PASSWORD
from survey.store import sessions
from survey.store.users import get_user


def cookie(client) -> str:
    return client.get_cookie("session").value


def signed_in_with(app, value) -> bool:
    """Whether a browser holding this session cookie is signed in."""
    other = app.test_client()
    other.set_cookie("session", value)
    return other.get("/rounds").status_code == 200


@pytest.fixture
def admin(app):
    client = app.test_client()
    AuthActions(client).as_user("admin")
    return client


def test_the_cookie_holds_a_random_token_whose_hash_alone_is_stored(app, client, auth, app_db):
    auth.login()
    with client.session_transaction() as session:
        assert set(session) == {"token"}
        token = session["token"]
    assert len(token) >= 40
    rows = list(app_db.query("SELECT * FROM sessions"))
    assert [row["token_hash"] for row in rows] == [hashlib.sha256(token.encode()).hexdigest()]
    assert rows[0]["user_id"] == get_user(app_db, "doumen").id
    assert signed_in_with(app, cookie(client))


def test_signing_out_ends_the_session_on_the_server(app, client, auth, app_db):
    auth.login()
    copied = cookie(client)
    auth.logout()
    assert not signed_in_with(app, copied)
    assert not list(app_db.query("SELECT * FROM sessions"))


def test_a_password_change_ends_every_other_session(app, client, auth):
    auth.as_user("doumen")
    elsewhere = app.test_client()
    AuthActions(elsewhere).as_user("doumen")
    old, other = cookie(client), cookie(elsewhere)
    response = client.post(
        "/auth/password", data={"current": PASSWORD, "new": "fresh-start-9", "again": "fresh-start-9"}
    )
    assert response.status_code == 302
    assert client.get("/rounds").status_code == 200  # the browser that changed it stays signed in, with a new session
    assert not signed_in_with(app, old) and not signed_in_with(app, other)


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("password", {"password": "fresh-start-9", "again": "fresh-start-9"}),
        ("disable", {"confirm": "yes"}),
        ("placement", {"role": "evaluator", "org_code": "619901"}),
        ("placement", {"role": "centre", "org_code": "619901002"}),
    ],
)
def test_an_administrators_change_ends_the_users_sessions(app, client, auth, admin, app_db, path, data):
    auth.as_user("doumen")
    copied = cookie(client)
    doumen = get_user(app_db, "doumen").id
    assert admin.post(f"/admin/users/{doumen}/{path}", data=data).status_code == 302
    admin.post(f"/admin/users/{doumen}/enable")
    assert not signed_in_with(app, copied)
    assert client.get("/rounds").status_code == 302


def test_an_unchanged_placement_keeps_the_session(app, client, auth, admin, app_db):
    auth.as_user("doumen")
    doumen = get_user(app_db, "doumen").id
    admin.post(f"/admin/users/{doumen}/placement", data={"role": "centre", "org_code": "619901001"})
    assert signed_in_with(app, cookie(client))


@pytest.mark.parametrize(
    ("column", "age", "ended"),
    [
        ("seen_at", sessions.IDLE - dt.timedelta(minutes=1), False),
        ("seen_at", sessions.IDLE, True),
        ("created_at", sessions.LIFETIME, True),
    ],
)
def test_sessions_expire(app, client, auth, app_db, column, age, ended):
    auth.as_user("doumen")
    stamp = (dt.datetime.now(dt.UTC) - age).isoformat(timespec="seconds")
    app_db.execute(f"UPDATE sessions SET {column} = ?", [stamp])
    app_db.conn.commit()
    assert signed_in_with(app, cookie(client)) is not ended
    assert bool(list(app_db.query("SELECT * FROM sessions"))) is not ended


def test_use_keeps_a_session_alive_without_a_write_per_request(app, client, auth, app_db):
    auth.as_user("doumen")
    long_ago = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat(timespec="seconds")
    app_db.execute("UPDATE sessions SET seen_at = ?", [long_ago])
    app_db.conn.commit()
    client.get("/rounds")
    seen = next(app_db.query("SELECT seen_at FROM sessions"))["seen_at"]
    assert seen > long_ago
    client.get("/rounds")
    assert next(app_db.query("SELECT seen_at FROM sessions"))["seen_at"] == seen


def test_a_forged_or_stale_token_signs_nobody_in(app, client, auth):
    auth.as_user("doumen")
    with client.session_transaction() as session:
        session["token"] = "made-up"
    assert client.get("/rounds").status_code == 302
    with client.session_transaction() as session:
        assert "token" not in session
    with client.session_transaction() as session:
        session["user_id"] = 1  # what the cookie used to carry
    assert client.get("/rounds").status_code == 302
