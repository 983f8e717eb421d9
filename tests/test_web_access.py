"""Who may reach what: every route for every role, jurisdiction, CSRF, and the error pages."""

import pytest
from conftest import TEST_CONFIG, USERS, AuthActions

from survey import create_app
from survey.demo import PASSWORD
from survey.store.rounds import create_round
from survey.store.users import add_user

ROLES = ("centre", "evaluator", "official", "admin", "anonymous")
SIGNED_IN = {"centre": 200, "evaluator": 200, "official": 200, "admin": 200, "anonymous": 302}
CENTRE_ONLY = {"centre": 200, "evaluator": 403, "official": 403, "admin": 403, "anonymous": 302}
CENTRE_POSTS = {**CENTRE_ONLY, "centre": 302}
ANYONE = dict.fromkeys(ROLES, 200)
REDIRECTS = dict.fromkeys(ROLES, 302)

ROUTES = [  # method, path, expected status by role
    ("GET", "/", REDIRECTS),  # each role to its own home
    ("GET", "/auth/login", ANYONE),
    ("POST", "/auth/logout", REDIRECTS),
    ("GET", "/auth/password", SIGNED_IN),
    ("POST", "/auth/password", SIGNED_IN),
    ("POST", "/language", REDIRECTS),
    ("GET", "/rounds", CENTRE_ONLY),
    ("GET", "/rounds/2", CENTRE_ONLY),
    ("GET", "/rounds/2/sections/staff", CENTRE_ONLY),
    ("POST", "/rounds/2/sections/staff", CENTRE_POSTS),
    ("POST", "/rounds/2/sections/staff/preview", CENTRE_ONLY),
    ("POST", "/rounds/2/submit", CENTRE_ONLY),
    ("GET", "/rounds/2/template", CENTRE_ONLY),
    ("POST", "/rounds/2/upload", CENTRE_ONLY),
]
CENTRE_PATHS = [(method, path) for method, path, expected in ROUTES if expected["evaluator"] == 403]
POSTS = [path for method, path, _ in ROUTES if method == "POST"] + ["/auth/login"]


def sign_in(auth, role):
    if role != "anonymous":
        auth.as_user(USERS[role])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path", "expected"), ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
def test_route_for_role(client, auth, role, method, path, expected):
    sign_in(auth, role)
    response = client.open(path, method=method, data={"version": "2"} if method == "POST" else None)
    assert response.status_code == expected[role]
    if role == "anonymous" and expected[role] == 302 and path not in ("/auth/logout", "/language"):
        assert response.location.startswith("/auth/login")
    if response.status_code == 403:
        assert "没有权限" in response.get_data(as_text=True)


@pytest.fixture
def pingwu_round(app_db):
    """A round for Pingwu county only: Xixian's centres are outside its scope."""
    return create_round(app_db, "township-health-centre", "2025", "平武县专项评估", scope_code="510727")


@pytest.mark.parametrize(("method", "path"), CENTRE_PATHS)
def test_centre_outside_the_scope_gets_404(client, auth, pingwu_round, method, path):
    auth.as_user("doumen")
    response = client.open(path.replace("/rounds/2", f"/rounds/{pingwu_round.id}"), method=method, data={})
    if path == "/rounds":
        assert pingwu_round.title not in response.get_data(as_text=True)
    else:
        assert response.status_code == 404
        assert "页面不存在" in response.get_data(as_text=True)


def test_centre_inside_the_scope_sees_the_round(client, auth, pingwu_round):
    auth.as_user("longan")
    assert pingwu_round.title in client.get("/rounds").get_data(as_text=True)
    assert client.get(f"/rounds/{pingwu_round.id}").status_code == 200


def test_centre_of_another_kind_gets_404(client, auth, app_db):
    add_user(app_db, "longan-community", PASSWORD, "centre", "510727100")
    auth.as_user("longan-community")
    assert client.get("/rounds/2").status_code == 404
    assert "2025年度" not in client.get("/rounds").get_data(as_text=True)


@pytest.mark.parametrize("path", ["/rounds/999", "/rounds/2/sections/nowhere", "/rounds/x", "/nothing-here"])
def test_missing_things_are_404_in_the_layout(client, auth, path):
    auth.as_user("doumen")
    response = client.get(path)
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "基层医疗卫生机构服务能力评估" in page and "页面不存在" in page


def test_each_centre_sees_only_its_own_answers(client, auth, app_db):
    auth.as_user("doumen")
    doumen = client.get("/rounds/2/sections/staff").get_data(as_text=True)
    auth.as_user("wangsi")
    wangsi = client.get("/rounds/2/sections/staff").get_data(as_text=True)
    staff = {
        row["org_code"]: row["value"]
        for row in app_db.query(
            """SELECT r.org_code, a.value FROM answers a JOIN responses r ON r.id = a.response_id
               WHERE r.round_id = 2 AND a.item_id = 'staff_total'"""
        )
    }
    assert f'value="{staff["619901001"]}"' in doumen and f'value="{staff["619901002"]}"' in wangsi
    assert f'value="{staff["619901002"]}"' not in doumen


@pytest.fixture
def csrf_client(db_path):
    app = create_app({**TEST_CONFIG, "DATABASE": str(db_path), "WTF_CSRF_ENABLED": True})
    return app.test_client()


@pytest.mark.parametrize("path", POSTS)
def test_every_post_needs_the_csrf_token(csrf_client, app_db, path):
    AuthActions(csrf_client).as_user("doumen")
    before = list(app_db.query("SELECT id, version, status FROM responses ORDER BY id"))
    response = csrf_client.post(path, data={"version": "2", "username": "doumen", "password": PASSWORD})
    assert response.status_code == 400
    assert "表单已过期" in response.get_data(as_text=True)
    assert list(app_db.query("SELECT id, version, status FROM responses ORDER BY id")) == before


def test_the_csrf_token_lets_a_post_through(csrf_client):
    page = csrf_client.get("/auth/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = csrf_client.post("/auth/login", data={"csrf_token": token, "username": "doumen", "password": PASSWORD})
    assert response.status_code == 302


def test_wrong_method_is_405_in_the_layout(client):
    response = client.get("/auth/logout")
    assert response.status_code == 405 and "不支持的操作" in response.get_data(as_text=True)


def test_upload_too_large_is_413(client, auth):
    auth.as_user("doumen")
    body = b"x" * (21 * 1024 * 1024)  # refused on its length, before anything is read
    response = client.post("/rounds/2/upload", data=body, content_type="multipart/form-data; boundary=b")
    assert response.status_code == 413 and "文件太大" in response.get_data(as_text=True)


def test_unexpected_failure_is_a_500_page_without_traceback(db_path):
    app = create_app({**TEST_CONFIG, "DATABASE": str(db_path), "TESTING": False})

    def boom():
        raise RuntimeError("secret internals")

    app.add_url_rule("/boom", view_func=boom)
    app.logger.disabled = True
    response = app.test_client().get("/boom")
    page = response.get_data(as_text=True)
    assert response.status_code == 500 and "服务器出错" in page
    assert "secret internals" not in page and "Traceback" not in page
