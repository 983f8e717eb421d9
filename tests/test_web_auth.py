"""Sign-in, sign-out, password change, throttling and the session cookie."""

import pytest
from conftest import TEST_CONFIG, AuthActions

from survey import create_app
from survey.demo import PASSWORD
from survey.store.throttle import PER_PAIR
from survey.store.users import get_user

GUESSER = {"REMOTE_ADDR": "203.0.113.9"}  # documentation addresses: nothing is sent anywhere
OFFICE = {"REMOTE_ADDR": "198.51.100.7"}


def text(response):
    return response.get_data(as_text=True)


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
        assert "planted" not in session and "token" in session


def test_logout_is_a_post(client, auth):
    auth.as_user("doumen")
    assert client.get("/auth/logout").status_code == 405
    assert auth.logout().location == "/auth/login"
    assert client.get("/rounds").status_code == 302


def test_throttled_after_five_failures_from_one_address(client, auth):
    for _ in range(PER_PAIR):
        assert "用户名或密码不正确" in text(auth.login(password="wrong-password", environ_base=GUESSER))
    page = text(auth.login(environ_base=GUESSER))  # the right password, but from the guessing address
    assert "登录失败次数过多" in page and "15 分钟" in page
    with client.session_transaction() as session:
        assert "token" not in session
    assert auth.login(environ_base=OFFICE).location == "/"  # the real user, elsewhere, is not locked out
    auth.logout()
    assert "登录失败次数过多" in text(auth.login(environ_base=GUESSER))  # their success forgives only their address
    assert auth.login(username="wangsi", environ_base=GUESSER).location == "/"  # other accounts are not affected


def test_a_lock_is_shown_in_english(client, auth):
    client.post("/language", data={"lang": "en"})
    for _ in range(PER_PAIR):
        auth.login(password="wrong-password")
    assert "Too many failed sign-ins. Please try again in 15 minutes." in text(auth.login())


def test_current_password_check_is_throttled(client, auth, app_db):
    auth.as_user("doumen")
    before = get_user(app_db, "doumen"), next(app_db.query("SELECT password_hash FROM users WHERE username = 'doumen'"))
    change = {"new": "fresh-start-9", "again": "fresh-start-9"}
    for _ in range(PER_PAIR):
        assert "当前密码不正确" in text(client.post("/auth/password", data={"current": "wrong-password", **change}))
    page = text(client.post("/auth/password", data={"current": PASSWORD, **change}))
    assert "密码错误次数过多，请 15 分钟后再试" in page
    assert (
        get_user(app_db, "doumen"),
        next(app_db.query("SELECT password_hash FROM users WHERE username = 'doumen'")),
    ) == before


def test_forwarded_addresses_are_believed_only_behind_trusted_proxies(db_path):
    direct = AuthActions(create_app({**TEST_CONFIG, "DATABASE": str(db_path)}).test_client())
    for n in range(PER_PAIR):  # a client naming a new address each time is still one address
        direct.login(password="wrong-password", headers={"X-Forwarded-For": f"192.0.2.{n}"})
    assert "登录失败次数过多" in text(direct.login(headers={"X-Forwarded-For": "192.0.2.99"}))

    proxied = AuthActions(create_app({**TEST_CONFIG, "DATABASE": str(db_path), "TRUSTED_PROXIES": 1}).test_client())
    for _ in range(PER_PAIR):
        proxied.login(username="wangsi", password="wrong-password", headers={"X-Forwarded-For": "192.0.2.1"})
    assert "登录失败次数过多" in text(proxied.login(username="wangsi", headers={"X-Forwarded-For": "192.0.2.1"}))
    assert proxied.login(username="wangsi", headers={"X-Forwarded-For": "192.0.2.2"}).location == "/"


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
