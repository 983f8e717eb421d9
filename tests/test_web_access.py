"""Who may reach what: every route for every role, jurisdiction, CSRF, and the error pages."""

import pytest
from conftest import TEST_CONFIG, AuthActions

from survey import create_app
from survey.demo import PASSWORD
from survey.store.responses import get_response
from survey.store.rounds import create_round
from survey.store.users import add_user, get_user

LOGINS = {"centre": "doumen", "evaluator": "fengxi", "official": "xixian", "admin": "admin"}
ROLES = ("anonymous", "centre", "official", "admin", "evaluator")  # the evaluator last: its posts may write
DOUMEN, GAOQIAO = "619901001", "619902002"  # 沣东新城 (the centre login's own); 沣西新城, awaiting county review
PINGWU = "510727001"  # 平武县: outside Shaanxi


def expect(anonymous=302, centre=403, official=403, admin=403, evaluator=403, **_) -> dict[str, int]:
    return {"anonymous": anonymous, "centre": centre, "official": official, "admin": admin, "evaluator": evaluator}


EVERYONE = expect(200, 200, 200, 200, 200)
SIGNED_IN = expect(centre=200, official=200, admin=200, evaluator=200)
REDIRECTS = expect(302, 302, 302, 302, 302)
CENTRE = expect(centre=200)
CENTRE_ACTS = expect(centre=302)
CENTRE_ELSEWHERE = expect(centre=404)
EVALUATOR = expect(evaluator=200)
EVALUATOR_ACTS = expect(evaluator=302)
EVALUATOR_ELSEWHERE = expect(evaluator=404)
READERS = expect(official=200, admin=200)
READERS_ELSEWHERE = expect(official=404, admin=200)
AUDIT = expect(official=200, admin=200, evaluator=200)
ADMIN = expect(admin=200)
ADMIN_ACTS = expect(admin=302)
CASE = f"/review/rounds/2/responses/{GAOQIAO}"

# Every route of the platform for every role: 200 seen, 302 done (or sent to sign in), 403 not for the role,
# 404 outside the user's jurisdiction. {doumen} is that user's id; {pingwu_round} a round for 平武县 only.
ROUTES = [
    ("GET", "/", REDIRECTS),
    ("GET", "/auth/login", EVERYONE),
    ("POST", "/auth/logout", REDIRECTS),
    ("GET", "/auth/password", SIGNED_IN),
    ("POST", "/auth/password", SIGNED_IN),
    ("POST", "/language", REDIRECTS),
    ("GET", "/static/site.css", EVERYONE),
    # centres
    ("GET", "/rounds", CENTRE),
    ("GET", "/rounds/2", CENTRE),
    ("GET", "/rounds/{pingwu_round}", CENTRE_ELSEWHERE),
    ("GET", "/rounds/2/sections/staff", CENTRE),
    ("GET", "/rounds/{pingwu_round}/sections/staff", CENTRE_ELSEWHERE),
    ("POST", "/rounds/2/sections/staff", CENTRE_ACTS),
    ("POST", "/rounds/{pingwu_round}/sections/staff", CENTRE_ELSEWHERE),
    ("POST", "/rounds/2/sections/staff/preview", CENTRE),
    ("POST", "/rounds/{pingwu_round}/sections/staff/preview", CENTRE_ELSEWHERE),
    ("POST", "/rounds/2/submit", CENTRE),
    ("POST", "/rounds/{pingwu_round}/submit", CENTRE_ELSEWHERE),
    ("GET", "/rounds/2/template", CENTRE),
    ("GET", "/rounds/{pingwu_round}/template", CENTRE_ELSEWHERE),
    ("POST", "/rounds/2/upload", CENTRE_ACTS),
    ("POST", "/rounds/{pingwu_round}/upload", CENTRE_ELSEWHERE),
    ("GET", "/rounds/2/upload", CENTRE_ACTS),
    ("GET", "/rounds/{pingwu_round}/upload", CENTRE_ELSEWHERE),
    ("GET", "/rounds/2/chapters/resources", CENTRE),
    ("GET", "/rounds/{pingwu_round}/chapters/resources", CENTRE_ELSEWHERE),
    ("POST", "/rounds/2/chapters/resources", CENTRE_ACTS),
    ("POST", "/rounds/{pingwu_round}/chapters/resources", CENTRE_ELSEWHERE),
    ("POST", "/rounds/2/evidence", CENTRE_ACTS),
    ("POST", "/rounds/{pingwu_round}/evidence", CENTRE_ELSEWHERE),
    ("POST", "/rounds/2/evidence/{wangsi_file}/remove", CENTRE_ELSEWHERE),  # another centre's file
    ("POST", "/rounds/2/appeals", CENTRE),
    ("POST", "/rounds/{pingwu_round}/appeals", CENTRE_ELSEWHERE),
    # evidence files, for whoever reaches the response
    (
        "GET",
        f"/rounds/2/responses/{GAOQIAO}/evidence/{{gaoqiao_file}}",
        expect(official=200, admin=200, evaluator=200, centre=404),
    ),  # fmt: skip
    (
        "GET",
        "/rounds/2/responses/619901002/evidence/{wangsi_file}",
        expect(official=200, admin=200, centre=404, evaluator=404),
    ),  # fmt: skip
    # evaluators
    ("GET", "/review/", EVALUATOR),
    ("GET", "/review/?round=2&status=submitted&county=619902", EVALUATOR),
    ("GET", "/review/?round={pingwu_round}", EVALUATOR_ELSEWHERE),
    ("GET", CASE, EVALUATOR),
    ("GET", f"/review/rounds/2/responses/{DOUMEN}", EVALUATOR_ELSEWHERE),
    ("GET", CASE + "/audit", AUDIT),
    ("GET", f"/review/rounds/2/responses/{PINGWU}/audit", expect(admin=200, official=404, evaluator=404)),
    ("GET", "/review/rounds/2/quality", EVALUATOR),
    ("GET", "/review/rounds/{pingwu_round}/quality", EVALUATOR_ELSEWHERE),
    ("POST", f"/review/rounds/2/responses/{DOUMEN}/approve", EVALUATOR_ELSEWHERE),
    ("POST", f"/review/rounds/2/responses/{DOUMEN}/return", EVALUATOR_ELSEWHERE),
    ("POST", f"/review/rounds/2/responses/{DOUMEN}/verify", EVALUATOR_ELSEWHERE),
    ("POST", "/review/rounds/{pingwu_round}/approve", EVALUATOR_ELSEWHERE),
    ("POST", "/review/rounds/2/approve", EVALUATOR_ACTS),
    ("POST", CASE + "/verify", EVALUATOR_ACTS),
    ("POST", CASE + "/return", EVALUATOR_ACTS),
    ("POST", CASE + "/approve", EVALUATOR_ACTS),
    ("POST", f"/review/rounds/2/responses/{DOUMEN}/clauses/functions", EVALUATOR_ELSEWHERE),
    ("POST", CASE + "/clauses/functions", EVALUATOR_ACTS),
    ("POST", "/review/rounds/2/appeals/{appeal}", EVALUATOR_ELSEWHERE),  # 上林's appeal, decided in 沣东新城
    # officials (and administrators, who see everything)
    ("GET", "/reports/", READERS),
    ("GET", "/reports/rounds/2", READERS),
    ("GET", "/reports/rounds/{pingwu_round}", READERS_ELSEWHERE),
    ("GET", "/reports/rounds/2/regions", READERS),
    ("GET", "/reports/rounds/{pingwu_round}/regions", READERS_ELSEWHERE),
    ("GET", "/reports/rounds/2/clauses", READERS),
    ("GET", "/reports/rounds/{pingwu_round}/clauses", READERS_ELSEWHERE),
    ("GET", "/reports/rounds/2/centres/619901002", READERS),
    ("GET", f"/reports/rounds/2/centres/{PINGWU}", READERS_ELSEWHERE),
    ("GET", "/reports/rounds/2/centres/619901002/card.xlsx", READERS),
    ("GET", f"/reports/rounds/2/centres/{PINGWU}/card.xlsx", READERS_ELSEWHERE),
    ("GET", "/reports/rounds/2/league.xlsx", READERS),
    ("GET", "/reports/rounds/{pingwu_round}/league.xlsx", expect(official=404, admin=302)),
    ("GET", "/reports/rounds/2/cards.zip", READERS),
    ("GET", "/reports/rounds/{pingwu_round}/cards.zip", expect(official=404, admin=302)),
    # background jobs: one's own only (asking needs a kind of download: 400 without one)
    ("GET", "/jobs/", SIGNED_IN),
    ("POST", "/jobs/", expect(official=400, admin=400)),
    ("GET", "/jobs/0123456789abcdef", expect(centre=404, official=404, admin=404, evaluator=404)),
    ("GET", "/jobs/0123456789abcdef/file", expect(centre=404, official=404, admin=404, evaluator=404)),
    # administrators
    ("GET", "/admin/", ADMIN),
    ("GET", "/admin/instruments", ADMIN),
    ("POST", "/admin/instruments", ADMIN),
    ("GET", "/admin/instruments/township-health-centre/versions/2025.1", ADMIN),
    ("GET", "/admin/instruments/township-health-centre/diff", ADMIN),
    ("POST", "/admin/instruments/township-health-centre/versions/2025.1/retire", ADMIN),  # asks again first
    ("POST", "/admin/instruments/township-health-centre/versions/2025.1/restore", ADMIN_ACTS),
    ("GET", "/admin/orgs", ADMIN),
    ("POST", "/admin/orgs", ADMIN),
    ("GET", "/admin/orgs/6199", ADMIN),
    ("GET", "/admin/users", ADMIN),
    ("GET", "/admin/users/new", ADMIN),
    ("POST", "/admin/users/new", ADMIN),
    ("GET", "/admin/users/{doumen}", ADMIN),
    ("POST", "/admin/users/{doumen}/placement", ADMIN),
    ("POST", "/admin/users/{doumen}/password", ADMIN),
    ("POST", "/admin/users/{doumen}/disable", ADMIN),  # asks first (confirm=yes does it)
    ("POST", "/admin/users/{doumen}/enable", ADMIN_ACTS),
    ("GET", "/admin/rounds", ADMIN),
    ("GET", "/admin/rounds/new", ADMIN),
    ("POST", "/admin/rounds/new", ADMIN),
    ("POST", "/admin/rounds/2/close", ADMIN),  # asks first
    ("POST", "/admin/rounds/1/reopen", ADMIN_ACTS),
]
POSTS = [path for method, path, _ in ROUTES if method == "POST" and "{" not in path and "/review/" not in path]


WATCHED = ("responses", "answers", "users", "rounds", "org_units", "instruments", "evidence", "appeals", "answer_notes",
           "audit", "reviews")  # fmt: skip


def writes(db) -> int:
    """How many rows of the tables a request may change have been inserted, updated or deleted so far.

    Counted by triggers added to this test's copy of the database (the first call adds them): exact, and
    without reading the tables back after every request.
    """
    if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'test_writes'").fetchone():
        with db.conn:
            db.execute("CREATE TABLE test_writes (n INTEGER NOT NULL)")
            db.execute("INSERT INTO test_writes VALUES (0)")
            for table in WATCHED:
                for event in ("INSERT", "UPDATE", "DELETE"):
                    db.execute(
                        f"CREATE TRIGGER test_{table}_{event.lower()} AFTER {event} ON {table} "
                        "BEGIN UPDATE test_writes SET n = n + 1; END"
                    )
    return db.execute("SELECT n FROM test_writes").fetchone()[0]


def test_every_route_is_in_the_table(app):
    """A new route cannot be added without saying who may reach it."""
    adapter = app.url_map.bind("localhost")
    numbers = {"doumen": 1, "pingwu_round": 3, "wangsi_file": 1, "gaoqiao_file": 2, "appeal": 1}
    covered = {adapter.match(path.split("?")[0].format(**numbers), method=method)[0]
               for method, path, _ in ROUTES}  # fmt: skip
    assert covered == {rule.endpoint for rule in app.url_map.iter_rules()}


def first_file(db, code: str) -> int:
    """The id of a demo evidence file of a centre's 2025 response."""
    return next(db.query("SELECT id FROM evidence WHERE response_id = ?", [get_response(db, 2, code).id]))["id"]


@pytest.mark.parametrize(("method", "path", "expected"), ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
def test_route_for_each_role(client, auth, app_db, method, path, expected):
    pingwu = create_round(app_db, "township-health-centre", "2025", "平武县专项评估", scope_code="510727")
    url = path.format(
        doumen=get_user(app_db, "doumen").id,
        pingwu_round=pingwu.id,
        wangsi_file=first_file(app_db, "619901002"),
        gaoqiao_file=first_file(app_db, GAOQIAO),
        appeal=next(app_db.query("SELECT id FROM appeals"))["id"],
    )
    for role in ROLES:
        if role == "anonymous":
            auth.logout()
        else:
            auth.as_user(LOGINS[role])
        before = writes(app_db)  # signing in writes none of the watched tables
        version = str(get_response(app_db, 2, DOUMEN if path.startswith("/rounds") else GAOQIAO).version)
        response = client.open(url, method=method, data={"version": version, "comment": "请核对"})
        response.close()
        assert response.status_code == expected[role], role
        if role == "anonymous" and expected[role] == 302 and path not in ("/auth/logout", "/language"):
            assert response.location.startswith("/auth/login")
        if response.status_code == 403:
            assert "没有权限" in response.get_data(as_text=True)
        if response.status_code == 404:
            assert "页面不存在" in response.get_data(as_text=True)
        if response.status_code in (403, 404) or role == "anonymous":
            assert writes(app_db) == before, role


@pytest.fixture
def pingwu_round(app_db):
    """A round for Pingwu county only: Xixian's centres are outside its scope."""
    return create_round(app_db, "township-health-centre", "2025", "平武县专项评估", scope_code="510727")


def test_a_round_outside_the_centre_is_not_listed(client, auth, pingwu_round):
    auth.as_user("doumen")
    assert pingwu_round.title not in client.get("/rounds").get_data(as_text=True)


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
