"""Administrators: instruments, organisation units, users and rounds — access, CSRF, bad input, the changes made."""

import csv
import html
import io
import re
from pathlib import Path

import pytest
from conftest import DOUMEN, TEST_CONFIG, AuthActions, stored
from sheets import FORMATS
from test_exports_xlsform import INDICATORS
from test_exports_xlsform import workbook as xlsform

from survey import create_app
from survey.store import StoreError
from survey.store.editing import save_answers
from survey.store.lifecycle import status_counts
from survey.store.orgs import ancestors, centre_counts, children, get_unit, names
from survey.store.rounds import change_status, get_round, list_rounds, round_instrument
from survey.store.throttle import PER_PAIR, reserve
from survey.store.users import SelfLockoutError, get_user, list_users, reset_password, set_active, set_placement
from survey.store.versions import list_instruments

BASIC = (Path(__file__).parent / "cases" / "instruments" / "basic.yaml").read_text(encoding="utf-8")
ORGS = (Path(__file__).parent / "cases" / "workbooks" / "orgs.csv").read_bytes()

POSTS = [  # every form of the administration pages ({doumen} is that user's id)
    "/admin/instruments",
    "/admin/instruments/township-health-centre/versions/2025.1/retire",
    "/admin/instruments/township-health-centre/versions/2025.1/restore",
    "/admin/orgs",
    "/admin/users/new",
    "/admin/users/{doumen}/placement",
    "/admin/users/{doumen}/password",
    "/admin/users/{doumen}/disable",
    "/admin/users/{doumen}/enable",
    "/admin/rounds/new",
    "/admin/rounds/2/close",
    "/admin/rounds/1/reopen",
]


def user_id(db, username):
    return get_user(db, username).id


def page(response) -> str:
    """A response's text with HTML entities read back (quotes in located messages are escaped)."""
    return html.unescape(response.get_data(as_text=True))


def upload(client, path, data: bytes, filename: str):
    return client.post(path, data={"file": (io.BytesIO(data), filename)}, content_type="multipart/form-data")


def snapshot(db) -> dict:
    """Everything an administrator can change (the audit trail by its length: it only grows)."""
    tables = {
        table: list(db.query(f"SELECT * FROM {table} ORDER BY 1"))
        for table in ("users", "org_units", "instruments", "rounds")
    }
    return {**tables, "audit": list(db.query("SELECT count(*), max(id) FROM audit"))}


@pytest.fixture
def admin(client, auth):
    """A client signed in as the demo's administrator."""
    auth.as_user("admin")
    return client


# ---------------------------------------------------------------- access


@pytest.fixture
def csrf_client(db_path):
    app = create_app({**TEST_CONFIG, "DATABASE": str(db_path), "WTF_CSRF_ENABLED": True})
    return app.test_client()


@pytest.mark.parametrize("path", POSTS)
def test_every_post_needs_the_csrf_token(csrf_client, app_db, path):
    AuthActions(csrf_client).as_user("admin")
    before = snapshot(app_db)
    data = {"username": "newbie", "role": "admin", "password": "long-enough-1", "again": "long-enough-1",
            "period": "2026", "title": "新轮次", "instrument": "township-health-centre@2025.1", "review_levels": "1"}  # fmt: skip
    response = csrf_client.post(path.format(doumen=user_id(app_db, "doumen")), data=data)
    assert response.status_code == 400
    assert "表单已过期" in response.get_data(as_text=True)
    assert snapshot(app_db) == before


def test_forms_carry_the_csrf_token(csrf_client, app_db):
    AuthActions(csrf_client).as_user("admin")
    doumen = user_id(app_db, "doumen")
    for path, forms in [("/admin/instruments", 1), ("/admin/orgs", 1), ("/admin/users/new", 1),
                        (f"/admin/users/{doumen}", 3), ("/admin/rounds/new", 1), ("/admin/rounds", 2)]:  # fmt: skip
        text = csrf_client.get(path).get_data(as_text=True)
        assert text.count('name="csrf_token"') >= forms + 2, path  # and the header's sign-out and language forms


@pytest.mark.parametrize(
    "path",
    [
        "/admin/instruments/nothing/versions/1",
        "/admin/instruments/township-health-centre/versions/9.9",
        "/admin/instruments/nothing/diff",
        "/admin/instruments/township-health-centre/diff?old=9.9",
        "/admin/orgs/nowhere",
        "/admin/users/99999",
        "/admin/users/x",
    ],
)
def test_missing_things_are_404(admin, path):
    response = admin.get(path)
    assert response.status_code == 404 and "页面不存在" in response.get_data(as_text=True)


def test_missing_round_or_user_to_change_is_404(admin, app_db):
    before = snapshot(app_db)
    assert admin.post("/admin/rounds/999/close", data={"confirm": "yes"}).status_code == 404
    assert admin.post("/admin/users/99999/disable", data={"confirm": "yes"}).status_code == 404
    assert admin.post("/admin/rounds/2/delete").status_code == 404
    assert snapshot(app_db) == before


def test_the_header_links_administrators_to_their_pages(client, auth):
    auth.as_user("admin")
    assert 'href="/admin/"' in client.get("/auth/password").get_data(as_text=True)
    auth.as_user("fengdong")
    assert 'href="/admin/"' not in client.get("/auth/password").get_data(as_text=True)


# ---------------------------------------------------------------- instruments


def test_instrument_list_shows_versions_with_counts(admin, app_db):
    instrument = round_instrument(app_db, get_round(app_db, 2))
    text = page(admin.get("/admin/instruments"))
    row = text.split(f'href="/admin/instruments/{instrument.id}/versions/{instrument.version}"')[1].split("</tr>")[0]
    counts = f'<td class="num">{len(instrument.items)}</td>\n                <td class="num">{len(instrument.indicators)}</td>'
    assert instrument.title.zh in row and counts in row
    assert "上传并载入" in text


def test_upload_an_instrument_then_view_it(admin, app_db):
    response = upload(admin, "/admin/instruments", BASIC.encode(), "basic.yaml")
    assert response.status_code == 302 and response.location == "/admin/instruments/basic-test/versions/1"
    assert ("basic-test", "1") in [(i.id, i.version) for i, _ in list_instruments(app_db)]
    text = page(admin.get(response.location))
    assert "已载入问卷 basic-test 版本 1" in text
    for shown in ("在岗职工总数", "staff_prof_tech <= staff_total", "不能超过在岗职工总数", "has_inpatient",
                  "staff_prof_tech / staff_total", ">= 0.90", "《关于乡镇卫生院机构编制标准的指导意见》(2011)",
                  "专业技术人员占编制总额的比例不低于90%", "linear", "达到推荐标准", "人员配备"):  # fmt: skip
        assert shown in text, shown
    listing = page(admin.get("/admin/instruments"))
    row = listing.split('href="/admin/instruments/basic-test/versions/1"')[1].split("</tr>")[0]
    assert '<td class="num">7</td>' in row and '<td class="num">5</td>' in row  # items, indicators


def test_the_same_version_again_is_not_stored_twice(admin, app_db):
    upload(admin, "/admin/instruments", BASIC.encode(), "basic.yaml")
    response = upload(admin, "/admin/instruments", BASIC.encode(), "basic.yaml")
    assert "已存在，内容相同" in page(admin.get(response.location))
    assert [i.id for i, _ in list_instruments(app_db)].count("basic-test") == 1


@pytest.mark.parametrize(
    ("data", "filename", "problems"),
    [
        (
            BASIC.replace("formula: staff_prof_tech / staff_total", "formula: staff_prof_tch / staff_total")
            .replace('target: ">= 2"', 'target: "big"')
            .encode(),
            "basic.yaml",
            [
                "indicators[prof_tech_share].formula：未知的名称 'staff_prof_tch'（是否应为 'staff_prof_tech'？）",
                'indicators[gps_per_10k].target：应为比较式，例如 ">= 0.90" 或 "== true"，而不是 \'big\'',
            ],
        ),
        (b"id: x\n  version: [", "bad.yaml", ["第 2 行第 10 列：不是有效的 YAML："]),
        (b'{"id": "x", ', "bad.json", ["第 1 行第 13 列：不是有效的 JSON："]),
        (BASIC.encode("utf-16"), "basic.yaml", ["basic.yaml：不是 UTF-8 文本，也不是 .xlsx 工作簿"]),
        (
            xlsform(indicators=[INDICATORS[0], ("x", "X", "${nope} / 2", None, 1, None, None, None, None, None)]),
            "form.xlsx",
            ["indicators!C2：未知的名称 'nope'"],
        ),
        (b"not a workbook", "form.xlsx", ["form.xlsx"]),
    ],
    ids=["formula-and-target", "yaml", "json", "encoding", "xlsform", "junk-xlsx"],
)
def test_a_bad_instrument_shows_every_located_problem_and_stores_nothing(admin, app_db, data, filename, problems):
    before = snapshot(app_db)
    response = upload(admin, "/admin/instruments", data, filename)
    text = page(response)
    assert response.status_code == 200
    assert "问卷有下列问题，没有保存任何内容" in text
    listed = text.split('class="problems located"')[1].split("</ul>")[0]
    for problem in problems:
        assert problem in listed
    assert listed.count("<li>") >= len(problems)  # one problem a line
    assert snapshot(app_db) == before


def test_an_instrument_s_problems_read_in_english_on_the_english_pages(admin, app_db):
    admin.post("/language", data={"lang": "en"})
    before = snapshot(app_db)
    bad = BASIC.replace("formula: staff_prof_tech / staff_total", "formula: staff_prof_tch / staff_total")
    listed = page(upload(admin, "/admin/instruments", bad.encode(), "basic.yaml")).split('class="problems located"')[1]
    assert (
        "indicators[prof_tech_share].formula: unknown name 'staff_prof_tch' (did you mean 'staff_prof_tech'?)" in listed
    )
    text = page(upload(admin, "/admin/instruments", b"id: x\n  version: [", "bad.yaml"))
    assert "line 2, column 10: not valid YAML: " in text
    assert snapshot(app_db) == before


def test_a_changed_instrument_needs_a_new_version(admin, app_db):
    upload(admin, "/admin/instruments", BASIC.encode(), "basic.yaml")
    before = snapshot(app_db)
    text = page(upload(admin, "/admin/instruments", BASIC.replace(">= 0.90", ">= 0.95").encode(), "basic.yaml"))
    assert "的版本 1 已载入，内容与此不同；修改过的问卷请用新的版本号" in text
    assert snapshot(app_db) == before


@pytest.mark.parametrize(
    ("filename", "message"), [(None, "请选择文件"), ("basic.txt", "只接受 .yaml、.json 或 .xlsx 文件")]
)
def test_upload_needs_an_instrument_file(admin, app_db, filename, message):
    before = snapshot(app_db)
    response = admin.post("/admin/instruments", data={} if filename is None else {"file": (io.BytesIO(b"x"), filename)})
    assert message in page(response)
    assert snapshot(app_db) == before


def test_what_changed_between_two_versions(admin):
    old = BASIC.replace('target: ">= 0.90"', 'target: ">= 0.85"')
    new = (
        BASIC.replace('version: "1"', 'version: "2"')
        .replace(
            "      - {id: contracted,",
            "      - {id: doctors, type: integer, label: {zh: 执业医师数}, min: 0}\n      - {id: contracted,",
        )  # fmt: skip
        .replace("    weight: 5\n    pooled: true", "    weight: 8\n    pooled: true")
    )
    upload(admin, "/admin/instruments", old.encode(), "v1.yaml")
    upload(admin, "/admin/instruments", new.encode(), "v2.yaml")
    listing = page(admin.get("/admin/instruments"))
    assert "/admin/instruments/basic-test/diff?old=1&amp;new=2" in admin.get("/admin/instruments").get_data(
        as_text=True
    )
    assert "与 1 比较" in listing
    text = page(admin.get("/admin/instruments/basic-test/diff"))  # the last two by default
    assert 'indicators.prof_tech_share.target: ">= 0.85" → ">= 0.90"' in text
    assert "indicators.gps_per_10k.weight: 5 → 8" in text
    assert "items.doctors: added" not in text  # shown as an addition with its label instead
    added = text.split("新增")[1].split("</li>")[0]
    assert "doctors" in added and "执业医师数" in added
    back = page(admin.get("/admin/instruments/basic-test/diff?old=2&new=1"))
    assert 'indicators.prof_tech_share.target: ">= 0.90" → ">= 0.85"' in back and "删除" in back
    same = page(admin.get("/admin/instruments/basic-test/diff?old=2&new=2"))
    assert "两个版本没有差别" in same


# ---------------------------------------------------------------- organisation units


def test_browse_the_tree_with_centres_counted(admin):
    top = page(admin.get("/admin/orgs"))
    shaanxi = top.split('href="/admin/orgs/61"')[1].split("</tr>")[0]
    assert "陕西省" in shaanxi and '<td class="num">18</td>' in shaanxi
    assert '<td class="num">7</td>' in top.split('href="/admin/orgs/51"')[1].split("</tr>")[0]  # 6 + a community
    xixian = page(admin.get("/admin/orgs/6199"))
    assert "西咸新区" in xixian and "陕西省" in xixian.split("<h1>")[0]  # the trail above
    fengdong = xixian.split('href="/admin/orgs/619901"')[1].split("</tr>")[0]
    assert "沣东新城" in fengdong and "县（区）" in fengdong and '<td class="num">3</td>' in fengdong
    centre = page(admin.get(f"/admin/orgs/{DOUMEN}"))
    assert "斗门卫生院" in centre and "没有下级机构" in centre and "township_health_centre" in centre


def test_import_units(admin, app_db):
    response = upload(admin, "/admin/orgs", ORGS, "orgs.csv")
    assert response.status_code == 302
    added = len(ORGS.decode("utf-8-sig").strip().splitlines()) - 1 - 1  # 61 is already known
    assert f"已导入：新增 {added} 个机构，更新 1 个" in page(admin.get(response.location))
    assert (
        next(app_db.query("SELECT name FROM org_units WHERE code = '610102001'"))["name"] == "正阳街道社区卫生服务中心"
    )


@pytest.mark.parametrize("kind", ["xls", "ods"])
def test_import_units_from_an_xls_or_ods_file(admin, app_db, kind):
    rows = list(csv.reader(io.StringIO(ORGS.decode("utf-8-sig"))))
    response = upload(admin, "/admin/orgs", FORMATS[kind](rows, "机构"), f"orgs.{kind}")
    assert response.status_code == 302
    added = len(rows) - 1 - 1  # 61 is already known
    assert f"已导入：新增 {added} 个机构，更新 1 个" in page(admin.get(response.location))
    assert get_unit(app_db, "610102001").name == "正阳街道社区卫生服务中心"


def test_a_bad_unit_file_shows_every_located_problem_and_imports_nothing(admin, app_db):
    before = snapshot(app_db)
    bad = "code,name,level,parent_code,kind\n6101,西安市,city,61,region\n6199,重名,city,99,region\n6102,咸阳市,town,61,region\n"
    text = page(upload(admin, "/admin/orgs", bad.encode(), "orgs.csv"))
    assert "没有导入任何机构" in text
    assert "orgs.csv!D3：上级 '99' 既不在本文件中，也不是已有的机构" in text
    assert "orgs.csv!C4：'town' 不是层级" in text
    assert snapshot(app_db) == before


@pytest.mark.parametrize(
    ("filename", "message"), [(None, "请选择文件"), ("orgs.pdf", "只接受 .xlsx、.xls、.ods 或 .csv 文件")]
)
def test_import_needs_a_unit_file(admin, app_db, filename, message):
    before = snapshot(app_db)
    response = admin.post("/admin/orgs", data={} if filename is None else {"file": (io.BytesIO(b"x"), filename)})
    assert message in page(response)
    assert snapshot(app_db) == before


# ---------------------------------------------------------------- users


def test_users_are_listed_and_filtered_without_password_hashes(admin, app_db):
    hashes = [row["password_hash"] for row in app_db.query("SELECT password_hash FROM users")]
    every = page(admin.get("/admin/users"))
    assert all(name in every for name in ("admin", "doumen", "fengdong", "xixian"))
    centres = page(admin.get("/admin/users?role=centre"))
    assert "doumen" in centres and "fengdong" not in centres and "斗门卫生院" in centres
    fengdong = page(admin.get("/admin/users?org=619901")).split("<table")[1]
    assert all(name in fengdong for name in ("doumen", "wangsi", "fengdong")) and "yaodian" not in fengdong
    unknown = page(admin.get("/admin/users?org=nowhere"))
    assert "没有编码为 nowhere 的机构" in unknown and "doumen" not in unknown
    pages = every + centres + page(admin.get(f"/admin/users/{user_id(app_db, 'doumen')}"))
    assert not any(h in pages or h.split("$")[-1] in pages for h in hashes)
    assert "password_hash" not in pages


def test_users_are_searched_by_name_or_unit_and_paged(admin, app_db, monkeypatch):
    found = page(admin.get("/admin/users?q=斗门")).split("<table")[1]
    assert "doumen" in found and "wangsi" not in found
    assert "doumen" in page(admin.get("/admin/users?q=DOU")).split("<table")[1]  # the username, any case
    by_code = page(admin.get("/admin/users?q=619901002")).split("<table")[1]
    assert "wangsi" in by_code and "doumen" not in by_code
    assert "没有符合条件的用户" in page(admin.get("/admin/users?q=%25_%25"))  # LIKE's own characters are literal
    monkeypatch.setattr("survey.admin.users.SHOWN", 2)
    first, second = page(admin.get("/admin/users?role=centre")), page(admin.get("/admin/users?role=centre&page=2"))
    listed = [re.findall(r'<a href="/admin/users/\d+">([^<]+)</a>', text) for text in (first, second)]
    assert listed == [["doumen", "longan"], ["shanglin", "wangsi"]]  # 斗门 dou, 平武县龙安 ping, 上林 shang, 王寺 wang
    assert [u.username for u in list_users(app_db, "centre")][:4] == listed[0] + listed[1]
    assert "第 2 / 3 页" in second and 'rel="prev"' in second and 'href="/admin/users?page=2&role=centre"' in first


def new_user(**changes):
    return {"username": "huxian", "role": "evaluator", "org_code": "619902", "password": "county-2025!",
            "again": "county-2025!", **changes}  # fmt: skip


def test_create_a_user(admin, app_db, client, auth):
    response = admin.post("/admin/users/new", data=new_user())
    created = get_user(app_db, "huxian")
    assert response.status_code == 302 and response.location == f"/admin/users/{created.id}"
    assert (created.role, created.org_code, created.active) == ("evaluator", "619902", True)
    assert "已创建用户 huxian" in page(admin.get(response.location))
    auth.logout()
    assert auth.login("huxian", "county-2025!").status_code == 302


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"username": "doumen"}, "用户名 doumen 已被使用"),
        ({"username": "a b"}, "用户名为 3–64 个字母、数字或 . _ @ -"),
        ({"username": " "}, "必填"),
        ({"password": "short", "again": "short"}, "密码至少 8 个字符"),
        ({"again": "something-else"}, "两次输入的密码不一致"),
        ({"org_code": ""}, "除管理员外，每个用户都须属于一个机构"),
        ({"org_code": "nowhere"}, "没有编码为 nowhere 的机构"),
        ({"role": "superuser"}, "请从列表中选择"),
        (
            {"role": "centre", "org_code": "619902"},
            "基层医疗卫生机构账号只能属于乡镇（街道）或社区，不能属于县（区）",
        ),
    ],
)
def test_bad_new_user_is_refused_with_its_message(admin, app_db, changes, message):
    before = snapshot(app_db)
    response = admin.post("/admin/users/new", data=new_user(**changes))
    assert response.status_code == 200 and message in page(response)
    assert snapshot(app_db) == before


def test_a_refusal_of_the_store_reads_in_english_on_the_english_pages(admin, app_db):
    admin.post("/language", data={"lang": "en"})
    before = snapshot(app_db)
    text = page(admin.post("/admin/users/new", data=new_user(role="centre", org_code="619902")))
    assert "User not created: a centre user belongs to a township or community unit, not a county" in text
    assert "基层医疗卫生机构账号" not in text and "县（区）" not in text
    assert snapshot(app_db) == before


def test_an_administrator_needs_no_unit(admin, app_db):
    admin.post("/admin/users/new", data=new_user(username="admin2", role="admin", org_code=""))
    assert get_user(app_db, "admin2").role == "admin"


def test_change_role_and_unit(admin, app_db):
    doumen = user_id(app_db, "doumen")
    response = admin.post(f"/admin/users/{doumen}/placement", data={"role": "evaluator", "org_code": "619901"})
    assert response.status_code == 302
    assert (get_user(app_db, "doumen").role, get_user(app_db, "doumen").org_code) == ("evaluator", "619901")
    trail = list(
        app_db.query("SELECT username, action, item_id, old, new, source FROM audit WHERE action LIKE 'user.%'")
    )
    assert trail == [
        {"username": "admin", "action": "user.role", "item_id": "doumen", "old": "centre", "new": "evaluator",
         "source": "admin"},
        {"username": "admin", "action": "user.org", "item_id": "doumen", "old": DOUMEN, "new": "619901",
         "source": "admin"},
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"role": "centre", "org_code": "6199"}, "基层医疗卫生机构账号只能属于乡镇（街道）或社区，不能属于市"),
        ({"role": "official", "org_code": ""}, "除管理员外，每个用户都须属于一个机构"),
        ({"role": "official", "org_code": "nowhere"}, "没有编码为 nowhere 的机构"),
    ],
)
def test_bad_role_or_unit_is_refused(admin, app_db, data, message):
    before = snapshot(app_db)
    response = admin.post(f"/admin/users/{user_id(app_db, 'doumen')}/placement", data=data)
    assert response.status_code == 200 and message in page(response)
    assert snapshot(app_db) == before


def test_an_administrator_keeps_their_own_role_and_account(admin, app_db):
    me = user_id(app_db, "admin")
    before = snapshot(app_db)
    text = page(admin.post(f"/admin/users/{me}/placement", data={"role": "official", "org_code": "61"}))
    assert "不能停用自己的账号，也不能取消自己的管理员角色" in text
    response = admin.post(f"/admin/users/{me}/disable", data={"confirm": "yes"})
    assert "不能停用自己的账号" in page(admin.get(response.location))
    assert snapshot(app_db) == before
    assert "这是您自己的账号，不能停用" in page(admin.get(f"/admin/users/{me}"))


def test_reset_a_password(admin, app_db, auth):
    doumen = user_id(app_db, "doumen")
    for _ in range(PER_PAIR):
        reserve(app_db, "doumen", "127.0.0.1")  # five failed sign-ins from the test client's address
    response = admin.post(
        f"/admin/users/{doumen}/password", data={"password": "fresh-start-9", "again": "fresh-start-9"}
    )
    assert response.status_code == 302 and "已为 doumen 设置新密码" in page(admin.get(response.location))
    audit = next(app_db.query("SELECT * FROM audit WHERE action = 'user.password'"))
    assert audit["item_id"] == "doumen" and audit["old"] is None and audit["new"] is None
    auth.logout()
    assert auth.login("doumen", "fresh-start-9").status_code == 302  # the new password, and the lock is lifted


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"password": "short", "again": "short"}, "密码至少 8 个字符"),
        ({"password": "long-enough-1", "again": "x"}, "两次输入的密码不一致"),
    ],
)
def test_bad_new_password_is_refused(admin, app_db, data, message):
    before = snapshot(app_db)
    response = admin.post(f"/admin/users/{user_id(app_db, 'doumen')}/password", data=data)
    assert message in page(response)
    assert snapshot(app_db) == before


def test_disabling_a_user_asks_first_and_changes_nothing_until_confirmed(admin, app_db):
    doumen = user_id(app_db, "doumen")
    before = snapshot(app_db)
    asked = admin.post(f"/admin/users/{doumen}/disable")
    text = page(asked)
    assert asked.status_code == 200 and "停用账号 doumen？" in text and "确认停用" in text
    assert 'name="confirm" value="yes"' in text and f'href="/admin/users/{doumen}"' in text  # 取消 goes back
    assert snapshot(app_db) == before and get_user(app_db, "doumen").active


def test_closing_a_round_asks_first_and_changes_nothing_until_confirmed(admin, app_db):
    app_db.execute("UPDATE appeals SET status = 'rejected', decision = '理由不成立'")  # nothing waits
    before = snapshot(app_db)
    text = page(admin.post("/admin/rounds/2/close"))
    assert "结束轮次 2：" in text and "确认结束轮次" in text and 'action="/admin/rounds/2/close"' in text
    assert snapshot(app_db) == before and get_round(app_db, 2).status == "open"
    response = admin.post("/admin/rounds/2/close", data={"confirm": "yes"})
    assert response.status_code == 302 and get_round(app_db, 2).status == "closed"
    assert admin.post("/admin/rounds/2/reopen").status_code == 302 and get_round(app_db, 2).status == "open"


def test_a_disabled_user_cannot_sign_in(app, app_db, admin):
    doumen = user_id(app_db, "doumen")
    centre = app.test_client()
    AuthActions(centre).as_user("doumen")
    assert centre.get("/rounds").status_code == 200
    response = admin.post(f"/admin/users/{doumen}/disable", data={"confirm": "yes"})
    assert response.status_code == 302 and "已停用用户 doumen" in page(admin.get(response.location))
    assert not get_user(app_db, "doumen").active
    assert centre.get("/rounds").status_code == 302  # the open session ends too
    refused = AuthActions(centre).login("doumen")
    assert refused.status_code == 200 and "用户名或密码不正确，或账号已停用" in page(refused)
    admin.post(f"/admin/users/{doumen}/enable")
    assert get_user(app_db, "doumen").active
    assert AuthActions(centre).login("doumen").status_code == 302


# ---------------------------------------------------------------- rounds


def test_rounds_are_listed_with_counts_by_status(admin, app_db):
    current = status_counts(app_db, get_round(app_db, 2))
    assert current["new"] == 1 and sum(current.values()) == 24  # 水晶镇卫生院 has not started
    assert status_counts(app_db, get_round(app_db, 1)) == {"new": 0, "draft": 0, "submitted": 0, "returned": 0,
                                                           "approved": 24}  # fmt: skip
    row = page(admin.get("/admin/rounds")).split('id="round-2"')[1].split("</tr>")[0]
    numbers = [current[s] for s in ("new", "draft", "submitted", "returned", "approved")]
    assert "".join(f'<td class="num">{n}</td>' for n in numbers) in row
    assert "进行中" in row and "结束轮次" in row and "2026-03-31" in row


def round_form(**changes):
    return {"instrument": "township-health-centre@2025.1", "period": "2026", "title": "2026年度平武县评估",
            "scope_code": "510727", "deadline": "2027-03-31", "review_levels": "3", **changes}  # fmt: skip


def test_open_a_round(admin, app_db, client, auth):
    response = admin.post("/admin/rounds/new", data=round_form())
    assert response.status_code == 302
    created = list_rounds(app_db)[-1]
    assert (created.title, created.period, created.scope_code, created.deadline, created.review_levels) == (
        "2026年度平武县评估", "2026", "510727", "2027-03-31", 3)  # fmt: skip
    assert (created.instrument_id, created.version, created.status) == ("township-health-centre", "2025.1", "open")
    assert "已开启调查轮次" in page(admin.get(response.location))
    auth.as_user("longan")
    assert "2026年度平武县评估" in client.get("/rounds").get_data(as_text=True)


def test_the_form_offers_each_stored_version(admin):
    upload(admin, "/admin/instruments", BASIC.encode(), "basic.yaml")
    text = page(admin.get("/admin/rounds/new"))
    assert 'value="basic-test@1"' in text and 'value="township-health-centre@2025.1"' in text


def test_an_administrator_retires_a_version_through_the_confirmation_page(admin, app_db):
    assert get_round(app_db, 2).version == "2026.1"
    league, review = "/reports/rounds/2", f"/review/rounds/2/responses/{DOUMEN}/audit"

    def shown():  # the league page and a response's audit trail, without the CSRF tokens' time stamps
        return [re.sub(r'name="csrf_token" value="[^"]*"', "", page(admin.get(path))) for path in (league, review)]

    shown_before = shown()
    retire = "/admin/instruments/township-health-centre/versions/2026.1/retire"
    before = snapshot(app_db)
    asked = admin.post(retire)
    assert asked.status_code == 200 and "停用问卷 township-health-centre 版本 2026.1？" in page(asked)
    assert 'name="confirm" value="yes"' in page(asked) and "确认停用此版本" in page(asked)
    assert snapshot(app_db) == before  # nothing until confirmed
    done = admin.post(retire, data={"confirm": "yes"})
    assert done.status_code == 302
    listed = page(admin.get(done.location))
    assert "已停用问卷 township-health-centre 版本 2026.1：新的轮次不再使用此版本。" in listed
    row = listed.split('href="/admin/instruments/township-health-centre/versions/2026.1"')[1].split("</tr>")[0]
    assert "已停用于 " in row and "恢复使用" in row and "停用此版本" not in row
    trail = next(app_db.query("SELECT * FROM audit WHERE action = 'instrument.retired'"))
    assert (trail["username"], trail["item_id"], trail["old"], trail["new"]) == (
        "admin", "township-health-centre 2026.1", 0, 1)  # fmt: skip

    offered = page(admin.get("/admin/rounds/new"))
    assert 'value="township-health-centre@2026.1"' not in offered and 'value="township-health-centre@2025.1"' in offered
    before = snapshot(app_db)
    refused = admin.post("/admin/rounds/new", data=round_form(instrument="township-health-centre@2026.1"))
    assert refused.status_code == 200 and "请从列表中选择" in page(refused)
    assert snapshot(app_db) == before
    assert shown() == shown_before  # round 2 carries on as before

    restored = admin.post("/admin/instruments/township-health-centre/versions/2026.1/restore")
    assert "已恢复使用问卷 township-health-centre 版本 2026.1。" in page(admin.get(restored.location))
    assert 'value="township-health-centre@2026.1"' in page(admin.get("/admin/rounds/new"))


def test_the_last_version_in_use_is_not_retired(admin, app_db):
    admin.post("/admin/instruments/township-health-centre/versions/2026.1/retire", data={"confirm": "yes"})
    before = snapshot(app_db)
    refused = admin.post("/admin/instruments/township-health-centre/versions/2025.1/retire", data={"confirm": "yes"})
    assert "未停用：版本 2025.1 是问卷 township-health-centre 唯一未停用的版本，不能停用" in page(
        admin.get(refused.location)
    )
    assert snapshot(app_db) == before
    admin.post("/language", data={"lang": "en"})
    refused = admin.post("/admin/instruments/township-health-centre/versions/2025.1/retire", data={"confirm": "yes"})
    assert "Not retired: version 2025.1 is the only version of township-health-centre in use" in page(
        admin.get(refused.location)
    )
    assert snapshot(app_db) == before


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"period": ""}, "必填"),
        ({"title": "  "}, "必填"),
        ({"scope_code": "nowhere"}, "没有编码为 nowhere 的机构"),
        ({"deadline": "31/03/2027"}, "请按“年-月-日”填写，如 2026-03-31"),
        ({"instrument": "nothing@1"}, "请从列表中选择"),
        ({"review_levels": "7"}, "请从列表中选择"),
    ],
)
def test_bad_round_is_refused_with_its_message(admin, app_db, changes, message):
    before = snapshot(app_db)
    response = admin.post("/admin/rounds/new", data=round_form(**changes))
    assert response.status_code == 200 and message in page(response)
    assert snapshot(app_db) == before


def test_a_round_with_a_pending_appeal_does_not_close_and_names_it(admin, app_db):
    before = list(app_db.query("SELECT * FROM audit ORDER BY id"))
    response = admin.post("/admin/rounds/2/close", data={"confirm": "yes"})
    shown = page(admin.get(response.location))
    assert "未结束轮次 2：还有 1 项申诉等待处理：上林卫生院 条款 1.3.4「" in shown
    assert get_round(app_db, 2).status == "open" and list(app_db.query("SELECT * FROM audit ORDER BY id")) == before


def test_closing_a_round_refuses_centre_saves_and_reopening_allows_them(app, admin, app_db):
    app_db.execute("UPDATE appeals SET status = 'rejected', decision = '理由不成立'")  # nothing waits
    response = admin.post("/admin/rounds/2/close", data={"confirm": "yes"})
    assert response.status_code == 302 and "已结束轮次 2" in page(admin.get(response.location))
    assert get_round(app_db, 2).status == "closed"
    audit = next(app_db.query("SELECT * FROM audit WHERE action = 'round.status'"))
    assert (audit["username"], audit["old"], audit["new"]) == ("admin", "open", "closed")

    before, values = stored(app_db)
    centre_client = app.test_client()
    AuthActions(centre_client).as_user("doumen")
    saved = centre_client.post(
        "/rounds/2/sections/staff", data={"version": str(before.version), "item_staff_total": "77"}
    )
    assert "此填报已提交或轮次已结束，不能修改" in page(centre_client.get(saved.location))
    after, unchanged = stored(app_db)
    assert after.version == before.version and unchanged == values
    round_ = get_round(app_db, 2)
    with pytest.raises(StoreError, match="closed"):
        save_answers(
            app_db, round_, round_instrument(app_db, round_), DOUMEN, {"staff_total": 77}, username="x", source="x"
        )

    admin.post("/admin/rounds/2/reopen")
    assert get_round(app_db, 2).status == "open"
    centre_client.post("/rounds/2/sections/staff", data={"version": str(before.version), "item_staff_total": "77"})
    assert stored(app_db)[1]["staff_total"] == 77


# ---------------------------------------------------------------- the store functions behind the pages


def test_store_lists_and_browses(app_db):
    assert [u.code for u in children(app_db, None)] == ["61", "51"]  # 陕西 shan before 四川 si
    assert [u.code for u in ancestors(app_db, DOUMEN)] == ["61", "6199", "619901"]
    assert ancestors(app_db, "61") == []
    counts = centre_counts(app_db)
    assert (counts["61"], counts["6199"], counts["619901"], counts[DOUMEN], counts["510727"]) == (18, 18, 3, 1, 7)
    assert names(app_db, [DOUMEN, None, "nowhere"]) == {DOUMEN: "斗门卫生院"}
    assert [u.username for u in list_users(app_db, "centre", "6199")] == ["doumen", "shanglin", "wangsi", "yaodian"]
    assert len(list_users(app_db, limit=3)) == 3
    with pytest.raises(StoreError, match="no organisation unit"):
        list_users(app_db, org_code="nowhere")


def test_store_refuses_what_the_pages_refuse(app_db):
    me = get_user(app_db, "admin")
    with pytest.raises(SelfLockoutError):
        set_active(app_db, me.id, False, acting=me)
    with pytest.raises(SelfLockoutError):
        set_placement(app_db, me.id, "official", "61", acting=me)
    with pytest.raises(StoreError, match="A password needs at least 8 characters"):
        reset_password(app_db, user_id(app_db, "doumen"), "short", acting=me)
    with pytest.raises(StoreError, match="a round is open / closed, not 'archived'"):
        change_status(app_db, get_round(app_db, 2), "archived", username="admin")
    assert set_placement(app_db, me.id, "admin", "61", acting=me).org_code == "61"  # an admin may move themselves
