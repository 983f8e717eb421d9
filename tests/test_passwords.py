"""Password strength: one rule (length, not the username, not easily guessed) for every way a password is set."""

import pytest
from click.testing import CliRunner

from survey.cli import cli
from survey.demo import PASSWORD
from survey.store.users import WeakPasswordError, check_strength, get_user

SHORT = "密码至少 8 个字符"
NAME = "密码不能包含用户名"
GUESSABLE = "此密码太常见或太容易被猜到"
WEAK = [
    ("short", SHORT),
    ("12345678", GUESSABLE),
    ("password", GUESSABLE),
    ("Password1", GUESSABLE),
    ("88888888", GUESSABLE),
    ("1qaz2wsx", GUESSABLE),
    ("qwertyuiop", GUESSABLE),
    ("woaini1314", GUESSABLE),
    ("doumen", SHORT),
    ("doumen2025", NAME),
    ("DouMen-2025!", NAME),
    ("my-doumen-password", NAME),
]


@pytest.mark.parametrize(("password", "message"), WEAK)
def test_weak_passwords_are_refused(password, message):
    with pytest.raises(WeakPasswordError) as refused:
        check_strength(password, "doumen")
    assert message in refused.value.text("zh")


@pytest.mark.parametrize(
    "password", [PASSWORD, "fresh-start-9", "county-2025!", "long-enough-pass", "x" * 7 + "7#Kq" * 50]
)
def test_strong_passwords_pass(password):
    check_strength(password, "doumen")


def test_the_demo_password_passes_for_every_demo_user(app_db):
    for (username,) in app_db.execute("SELECT username FROM users").fetchall():
        check_strength(PASSWORD, username)


def hash_of(db, username):
    return next(db.query("SELECT password_hash FROM users WHERE username = ?", [username]))["password_hash"]


@pytest.mark.parametrize(("password", "message"), WEAK)
def test_own_change_refuses_weak_passwords(client, auth, app_db, password, message):
    auth.as_user("doumen")
    before = hash_of(app_db, "doumen")
    page = client.post("/auth/password", data={"current": PASSWORD, "new": password, "again": password})
    assert page.status_code == 200 and message in page.get_data(as_text=True)
    assert hash_of(app_db, "doumen") == before


def test_admin_reset_refuses_a_password_holding_the_username(client, auth, app_db):
    auth.as_user("admin")
    before = hash_of(app_db, "doumen")
    doumen = get_user(app_db, "doumen").id
    page = client.post(f"/admin/users/{doumen}/password", data={"password": "doumen-2025!", "again": "doumen-2025!"})
    assert page.status_code == 200 and NAME in page.get_data(as_text=True)
    assert hash_of(app_db, "doumen") == before


def test_admin_new_user_refuses_a_common_password_in_english(client, auth, app_db):
    auth.as_user("admin")
    client.post("/language", data={"lang": "en"})
    data = {
        "username": "huxian",
        "role": "evaluator",
        "org_code": "619902",
        "password": "password1",
        "again": "password1",
    }
    page = client.post("/admin/users/new", data=data).get_data(as_text=True)
    assert "This password is too common or too easy to guess" in page
    assert not list(app_db.query("SELECT 1 FROM users WHERE username = 'huxian'"))


def test_cli_refuses_a_common_password(db_path):
    result = CliRunner().invoke(
        cli,
        ["users", "add", "huxian", "--role", "admin", "--password-stdin", "--db", str(db_path)],
        input="12345678\n",
    )
    assert result.exit_code == 1 and GUESSABLE in result.output
    assert "Traceback" not in result.output
