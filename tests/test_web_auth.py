"""Sign-in, sign-out, password change, throttling and the session cookie."""

import pytest

from survey.demo import PASSWORD
from survey.store.users import LOGIN_LIMIT, get_user


def test_login_page_has_bound_labels(client):
    page = client.get("/auth/login").get_data(as_text=True)
    assert 'for="username"' in page and 'id="username"' in page
    assert 'for="password"' in page and 'id="password"' in page


def test_login_signs_in_and_goes_home(client, auth):
    response = auth.login()
    assert response.status_code == 302 and response.location == "/"
    assert client.get("/").location == "/rounds"
    assert "斗门卫生院" in client.get("/rounds").get_data(as_text=True)


OUTSIDE = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "\t//evil.example",
    " //evil.example",
    "/\x00/evil.example",
    "/\x7f/evil.example",
    "/\u0085/evil.example",
    "/\u200b/evil.example",
    "/\u202e/evil.example",
    "/%09/evil.example",
    "/%0A/evil.example",
    "/%2F/evil.example",
    "%2F%2Fevil.example",
    "/%5Cevil.example",
    "http:/evil.example",
    "https:evil.example",
    "javascript:alert(1)",
    "evil.example",
    "",
]


@pytest.mark.parametrize("outside", OUTSIDE)
def test_login_never_sends_off_the_site(client, auth, outside):
    response = auth.login(query_string={"next": outside})
    assert response.status_code == 302 and response.headers["Location"] == "/"


@pytest.mark.parametrize(
    ("inside", "location"),
    [
        ("/rounds/2", "/rounds/2"),
        ("/reports/2/league?county=6199&sort=total", "/reports/2/league?county=6199&sort=total"),
        ("/rounds/2/sections/基本情况", "/rounds/2/sections/%E5%9F%BA%E6%9C%AC%E6%83%85%E5%86%B5"),
        ("/a b", "/a%20b"),
    ],
)
def test_login_follows_next_on_this_site(client, auth, inside, location):
    assert auth.login(query_string={"next": inside}).headers["Location"] == location


@pytest.mark.parametrize("outside", OUTSIDE)
def test_language_switch_never_sends_off_the_site(client, outside):
    response = client.post("/language", data={"lang": "en", "next": outside})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_wrong_password_is_refused(client, auth):
    response = auth.login(password="wrong-password")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.get_data(as_text=True)
    assert client.get("/rounds").status_code == 302


def test_inactive_user_cannot_sign_in(client, auth, app_db):
    app_db.execute("UPDATE users SET active = 0 WHERE username = 'doumen'")
    app_db.conn.commit()
    assert "用户名或密码不正确" in auth.login().get_data(as_text=True)


def test_deactivated_user_loses_the_session(client, auth, app_db):
    auth.as_user("doumen")
    assert client.get("/rounds").status_code == 200
    app_db.execute("UPDATE users SET active = 0 WHERE username = 'doumen'")
    app_db.conn.commit()
    assert client.get("/rounds").status_code == 302


def test_sign_in_renews_the_session(client, auth):
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    auth.login()
    with client.session_transaction() as session:
        assert "planted" not in session and "user_id" in session


def test_logout_is_a_post(client, auth):
    auth.as_user("doumen")
    assert client.get("/auth/logout").status_code == 405
    assert auth.logout().location == "/auth/login"
    assert client.get("/rounds").status_code == 302


def test_throttled_after_five_failures(client, auth, app_db):
    for _ in range(LOGIN_LIMIT - 1):
        assert "用户名或密码不正确" in auth.login(password="wrong-password").get_data(as_text=True)
    page = auth.login(password="wrong-password").get_data(as_text=True)
    assert "用户名或密码不正确" in page
    page = auth.login().get_data(as_text=True)  # the right password, but locked
    assert "登录失败次数过多" in page and "15 分钟" in page
    with client.session_transaction() as session:
        assert "user_id" not in session
    row = next(app_db.query("SELECT failed_logins, locked_until FROM users WHERE username = 'doumen'"))
    assert row["failed_logins"] == LOGIN_LIMIT and row["locked_until"]
    assert auth.login(username="wangsi").location == "/"  # other usernames are not affected


def test_lock_expires(client, auth, app_db):
    for _ in range(LOGIN_LIMIT):
        auth.login(password="wrong-password")
    app_db.execute("UPDATE users SET locked_until = '2000-01-01T00:00:00+00:00' WHERE username = 'doumen'")
    app_db.conn.commit()
    assert auth.login().location == "/"
    row = next(app_db.query("SELECT failed_logins, locked_until FROM users WHERE username = 'doumen'"))
    assert row == {"failed_logins": 0, "locked_until": None}


def test_failures_outside_the_window_start_a_new_count(client, auth, app_db):
    for _ in range(LOGIN_LIMIT - 1):
        auth.login(password="wrong-password")
    app_db.execute("UPDATE users SET locked_until = '2000-01-01T00:00:00+00:00' WHERE username = 'doumen'")
    app_db.conn.commit()
    auth.login(password="wrong-password")
    assert auth.login().location == "/"


def test_session_cookie_is_httponly_and_samesite(client, auth):
    cookie = auth.login().headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.mark.parametrize(
    ("current", "new", "again", "message"),
    [
        ("wrong-password", "a-new-password", "a-new-password", "当前密码不正确"),
        (PASSWORD, "short", "short", "密码至少 8 个字符"),
        (PASSWORD, "a-new-password", "another-password", "两次输入的新密码不一致"),
    ],
)
def test_password_change_refused(client, auth, app_db, current, new, again, message):
    auth.as_user("doumen")
    before = next(app_db.query("SELECT password_hash FROM users WHERE username = 'doumen'"))
    page = client.post("/auth/password", data={"current": current, "new": new, "again": again})
    assert message in page.get_data(as_text=True)
    assert next(app_db.query("SELECT password_hash FROM users WHERE username = 'doumen'")) == before


def test_password_change(client, auth, app_db):
    auth.as_user("doumen")
    response = client.post(
        "/auth/password", data={"current": PASSWORD, "new": "a-new-password", "again": "a-new-password"}
    )
    assert response.status_code == 302
    auth.logout()
    assert "用户名或密码不正确" in auth.login().get_data(as_text=True)
    assert auth.login(password="a-new-password").location == "/"
    assert get_user(app_db, "doumen").active
