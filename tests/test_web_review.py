"""Evaluators on the web: the queue, the review page, verified values, approval and return, bulk approval,
data quality, the audit trail; every route for every role, jurisdiction and CSRF.

The demo's 2025 round (two review levels) has, among others: in 沣西新城 (fengxi) 大王 approved, 高桥 and 马王
submitted awaiting the county; in 沣东新城 (fengdong) 斗门 a draft, 王寺 returned, 上林 awaiting the city
(xixian-city); in 平武县 (pingwu) 江油关 awaiting the county, 豆叩 awaiting the city (mianyang).
"""

import html
import re

import pytest
from conftest import TEST_CONFIG, AuthActions

from instruments.checks import Check
from survey import create_app
from survey.demo import PASSWORD
from survey.review.pages import PAGE_SIZE, page_of
from survey.store.quality import check_round
from survey.store.responses import answers, get_response
from survey.store.results import rescore
from survey.store.reviews import history
from survey.store.rounds import centres, create_round, get_round, round_instrument
from survey.store.scores import round_scores
from survey.store.users import add_user, get_user
from survey.store.verification import verified_values, verify

GAOQIAO, MAWANG, DAWANG = "619902002", "619902003", "619902001"  # 沣西新城
DOUMEN, WANGSI, SHANGLIN = "619901001", "619901002", "619901003"  # 沣东新城
JIANGYOUGUAN, DOUKOU = "510727002", "510727005"  # 平武县


def case(code=GAOQIAO, round_id=2):
    return f"/review/rounds/{round_id}/responses/{code}"


def state(db, code, round_id=2):
    response = get_response(db, round_id, code)
    return response.status, response.review_level, response.version


def version(db, code, round_id=2):
    return str(get_response(db, round_id, code).version)


def snapshot(db):
    """Everything a review action could write: responses, reviews, audit rows, answers and verified values."""
    return [
        list(db.query("SELECT * FROM responses ORDER BY id")),
        list(db.query("SELECT * FROM reviews ORDER BY id")),
        list(db.query("SELECT count(*), max(id) FROM audit")),
        list(db.query("SELECT count(*), total(value), count(verified), total(verified) FROM answers")),
    ]


def flashed(client):
    """The messages waiting to be shown on the next page, taken without rendering it."""
    with client.session_transaction() as session:
        return " ".join(message for _, message in session.pop("_flashes", []))


def whole_trail(client, url):
    """Every page of an audit trail, one after the other."""
    pages, number = [], 1
    while True:
        page = text(client.get(f"{url}?page={number}"))
        pages.append(page)
        if f"page={number + 1}" not in page:
            return "".join(pages)
        number += 1


def text(response):
    return response.get_data(as_text=True)


# ---------------------------------------------------------------- who may reach what

POSTS = ["/review/rounds/2/approve", case() + "/approve", case() + "/return", case() + "/verify"]


@pytest.mark.parametrize(
    ("login", "paths"),
    [
        ("fengdong", [case(), case() + "/audit"]),  # another county of the same city
        ("pingwu", [case(), case() + "/audit", case(DOUMEN)]),  # another province
        ("mianyang", [case(), case(SHANGLIN)]),
        ("fengxi", [case(DOUMEN), case(DOUKOU), case("619902999"), case("61"), case(GAOQIAO, 999)]),
        ("fengxi", ["/review/rounds/x/responses/619902002", "/review/rounds/2/quality?page=0"]),
    ],
)
def test_other_jurisdictions_get_404(client, auth, login, paths):
    auth.as_user(login)
    for path in paths:
        response = client.get(path)
        assert response.status_code == 404, path
        assert "页面不存在" in text(response) and "高桥卫生院" not in text(response)


def test_officials_and_admins_see_the_audit_trail_only_in_their_jurisdiction(client, auth, app_db):
    add_user(app_db, "sichuan", PASSWORD, "official", "51")
    auth.as_user("sichuan")
    assert client.get(case() + "/audit").status_code == 404
    assert client.get(case(DOUKOU) + "/audit").status_code == 200
    auth.as_user("shaanxi")
    assert "审计记录" in text(client.get(case() + "/audit"))
    auth.as_user("admin")
    assert client.get(case(DOUKOU) + "/audit").status_code == 200


@pytest.mark.parametrize("login", ["fengdong", "pingwu"])
def test_posts_outside_the_jurisdiction_are_404_and_write_nothing(client, auth, app_db, login):
    auth.as_user(login)
    before = snapshot(app_db)
    for action in ("approve", "return", "verify"):
        data = {"version": version(app_db, GAOQIAO), "comment": "x", "verify_staff_total": "1"}
        assert client.post(case() + "/" + action, data=data).status_code == 404
    client.post("/review/rounds/2/approve", data={"picked": [f"{GAOQIAO}:{version(app_db, GAOQIAO)}"]})
    assert snapshot(app_db) == before


@pytest.fixture
def pingwu_round(app_db):
    return create_round(app_db, "township-health-centre", "2025", "平武县专项评估", scope_code="510727")


def test_a_round_outside_the_jurisdiction_is_404(client, auth, pingwu_round):
    auth.as_user("fengxi")
    for path in (f"/review/?round={pingwu_round.id}", f"/review/rounds/{pingwu_round.id}/quality",
                 "/review/?round=x", f"/review/rounds/{pingwu_round.id}/approve"):  # fmt: skip
        method = "POST" if path.endswith("approve") else "GET"
        assert client.open(path, method=method).status_code == 404, path
    assert pingwu_round.title not in text(client.get("/review/"))
    auth.as_user("mianyang")  # the round's scope lies inside Mianyang: its evaluator sees it
    assert pingwu_round.title in text(client.get("/review/"))


@pytest.fixture
def csrf_client(db_path):
    app = create_app({**TEST_CONFIG, "DATABASE": str(db_path), "WTF_CSRF_ENABLED": True})
    return app.test_client()


def test_every_post_needs_the_csrf_token(csrf_client, app_db):
    AuthActions(csrf_client).as_user("fengxi")
    before = snapshot(app_db)
    for path in POSTS:
        data = {"version": version(app_db, GAOQIAO), "comment": "x", "verify_gps": "3",
                "picked": [f"{GAOQIAO}:{version(app_db, GAOQIAO)}"]}  # fmt: skip
        response = csrf_client.post(path, data=data)
        assert response.status_code == 400 and "表单已过期" in text(response), path
        assert snapshot(app_db) == before, path


def test_the_csrf_token_on_the_page_lets_an_approval_through(csrf_client, app_db):
    AuthActions(csrf_client).as_user("fengxi")
    page = text(csrf_client.get(case()))
    form = page.split('action="/review/rounds/2/responses/619902002/approve"')[1].split("</form>")[0]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    response = csrf_client.post(case() + "/approve", data={"csrf_token": token, "version": version(app_db, GAOQIAO)})
    assert response.status_code == 302 and state(app_db, GAOQIAO)[:2] == ("submitted", 1)


# ---------------------------------------------------------------- the queue


def test_queue_lists_what_awaits_the_county_then_everything(client, auth, app_db):
    auth.as_user("fengxi")
    page = text(client.get("/review/"))
    rounds = page.split('class="round-chooser"')[1].split("</nav>")[0]
    assert rounds.index("2025年度") < rounds.index("2024年度")  # open rounds first
    awaiting = page.split('id="awaiting-title"')[1].split('id="all-title"')[0]
    assert "待我审核（2）" in page and "高桥卫生院" in awaiting and "马王卫生院" in awaiting
    assert "大王卫生院" not in awaiting and "斗门卫生院" not in page  # approved; another county
    assert f'value="{GAOQIAO}:{version(app_db, GAOQIAO)}"' in awaiting and "批量通过" in awaiting
    everything = page.split('id="all-title"')[1]
    assert "全部填报 3/3" in page and "已通过" in everything and "市级复核" in everything
    quality = check_round(app_db, get_round(app_db, 2), "619902")
    row = everything.split("高桥卫生院")[1].split("</tr>")[0]
    scores = round_scores(app_db, get_round(app_db, 2), "619902")
    index = scores.row_of[GAOQIAO]
    assert f"{scores.scores.total[index]:.1f}" in row
    cells = re.findall(r'<td class="num[^"]*">([^<]*)</td>', row)
    failed = sum(int(scores.scores.met[i.id][index] == 0) for i in scores.instrument.scored_indicators)
    assert cells[1:] == [str(failed), str(len(quality.by_centre[GAOQIAO]))]


def test_queue_of_the_city_awaits_level_two(client, auth):
    auth.as_user("xixian-city")
    page = text(client.get("/review/?round=2"))
    awaiting = page.split('id="awaiting-title"')[1].split('id="all-title"')[0]
    for name in ("上林卫生院", "正阳卫生院", "太平卫生院", "高庄卫生院"):
        assert name in awaiting
    assert "高桥卫生院" not in awaiting and "待我审核（4）" in page
    assert "全部填报 23/23" not in page and "全部填报 18/18" in page  # Xixian's 18 centres, not Pingwu's


def test_queue_filters_by_status_and_county(client, auth):
    auth.as_user("xixian-city")
    page = text(client.get("/review/?round=2&status=returned"))
    listed = page.split('id="all-title"')[1]
    assert "全部填报 4/18" in page and "王寺卫生院" in listed and "高桥卫生院" not in listed
    page = text(client.get("/review/?round=2&county=619901"))
    assert "全部填报 3/18" in page
    page = text(client.get("/review/?round=2&status=returned&county=619901"))
    assert "全部填报 1/18" in page
    page = text(client.get("/review/?round=2&status=bogus&county=nowhere"))
    assert "全部填报 18/18" in page and page.count("无此选项，已显示全部。") == 2


def test_evaluators_land_on_the_round_with_work_and_see_centres_not_started(client, auth, app_db):
    empty = create_round(app_db, "township-health-centre", "2026", "2026年度沣西专项评估", scope_code="619902")
    auth.as_user("fengxi")
    page = text(client.get("/review/"))
    rounds = page.split('class="round-chooser"')[1].split("</nav>")[0]
    assert rounds.index(empty.title) < rounds.index("2025年度")  # the newest open round is listed first …
    current = rounds.split('aria-current="page"')[1].split("</a>")[0]
    assert "2025年度" in current and "待审 2" in current  # … but the round with work waiting is the one shown
    assert "待审" not in rounds.split(empty.title)[1].split("</li>")[0]
    assert "待我审核（2）" in page
    page = text(client.get(f"/review/?round={empty.id}"))
    assert "目前没有等待您审核的填报。" in page and "全部填报 0/3" in page
    assert "辖区内本轮共 3 家机构" in page and "未开始 3" in page
    page = text(client.get(f"/review/?round={empty.id}&status=new"))
    listed = page.split('id="all-title"')[1]
    for name in ("大王卫生院", "高桥卫生院", "马王卫生院"):
        assert name in listed
    assert "全部填报 3/3" in page
    page = text(client.get(f"/review/?round={empty.id}&status=new&q=高桥"))
    listed = page.split('id="all-title"')[1]
    assert "全部填报 1/3" in page and "高桥卫生院" in listed and "马王卫生院" not in listed
    page = text(client.get("/review/?round=2&status=new"))
    assert "全部填报 0/3" in page and "没有符合条件的填报。" in page  # every centre has started 2025


def test_select_all_without_javascript_ticks_every_box_on_the_page(client, auth, app_db):
    auth.as_user("xixian-city")
    page = text(client.get("/review/?round=2"))
    awaiting = page.split('id="awaiting-title"')[1].split('id="all-title"')[0]
    assert "全选本页（4 份）" in awaiting and " checked" not in awaiting and "data-pick-all" in awaiting
    page = text(client.get("/review/?round=2&pick=all"))
    awaiting = page.split('id="awaiting-title"')[1].split('id="all-title"')[0]
    boxes = re.findall(r'<input type="checkbox" name="picked" value="([^"]+)"[^>]*>', awaiting)
    assert len(boxes) == 4 and awaiting.count(" checked") == 5 and "取消全选" in awaiting  # four rows and the header
    response = client.post("/review/rounds/2/approve", data={"picked": boxes})
    assert response.status_code == 302
    assert "待我审核（0）" in text(client.get("/review/?round=2"))  # the server checked and approved each


def test_closed_round_has_nothing_awaiting(client, auth):
    auth.as_user("fengxi")
    page = text(client.get("/review/?round=1"))
    assert "目前没有等待您审核的填报。" in page and "全部填报 3/3" in page


# ---------------------------------------------------------------- the review page


def test_review_page_shows_answers_indicators_flags_and_history(client, auth, app_db):
    last_year = get_response(app_db, 1, GAOQIAO).id  # visits went from a third of this year's to today's
    app_db.execute(
        "UPDATE answers SET value = value / 3 WHERE response_id = ? AND item_id = 'hypertension_managed'", [last_year]
    )
    rescore(app_db, get_round(app_db, 1))  # changed behind the store's back: scored again as `survey score` does
    rescore(app_db, get_round(app_db, 2))
    auth.as_user("fengxi")
    page = text(client.get(case()))
    instrument = round_instrument(app_db, get_round(app_db, 2))
    reported = answers(app_db, instrument, get_response(app_db, 2, GAOQIAO).id)
    row = page.split('id="row-staff_total"')[1].split("</tr>")[0]
    assert "在岗职工总数（人）" in row and f"{reported['staff_total']} 人" in row
    assert 'name="verify_staff_total"' in row and 'name="note_staff_total"' in row
    label = instrument.indicator["prof_tech_share"].label.zh
    assert label in page and "≥ 90%" in page and "未达标" in page and "即可达到" in page
    assert "此填报等待您的县级评审。" in page and "通过" in page and "退回修改" in page
    flags = page.split('id="flags-title"')[1].split("</section>")[0]
    quality = check_round(app_db, get_round(app_db, 2), "619902")
    scores = round_scores(app_db, get_round(app_db, 2), "619902")
    index = scores.row_of[GAOQIAO]
    failed = sum(int(scores.scores.met[i.id][index] == 0) for i in scores.instrument.scored_indicators)
    assert flags.count('<tr class="flag-') == len(quality.by_centre[GAOQIAO]) + failed
    assert flags.count('<tr class="flag-target">') == failed
    assert "较上一轮变化大" in flags and "上一轮" in flags
    assert "自评 · 提交" in page  # the history


def test_a_response_awaiting_another_level_is_read_only(client, auth):
    auth.as_user("fengdong")
    page = text(client.get(case(SHANGLIN)))
    assert "此填报等待市级复核；您可以查看，但不能操作。" in page
    assert 'name="verify_staff_total"' not in page and "退回修改" not in page
    page = text(client.get(case(WANGSI)))
    assert "此填报当前为“已退回”，没有等待审核。" in page
    assert "请核实在岗职工与专业技术人员数" in page and "与人事报表不一致，请核对" in page


# ---------------------------------------------------------------- the state machine through the web


def approve(client, db, code, login, **extra):
    AuthActions(client).as_user(login)
    return client.post(case(code) + "/approve", data={"version": version(db, code), **extra})


def test_county_then_city_approval(client, app_db):
    response = approve(client, app_db, GAOQIAO, "fengxi", comment="资料齐全")
    assert response.status_code == 302 and response.location == "/review/?round=2"
    assert state(app_db, GAOQIAO)[:2] == ("submitted", 1)
    assert "已通过：高桥卫生院（县级评审）" in text(client.get(response.location))
    assert approve(client, app_db, GAOQIAO, "xixian-city").status_code == 302
    assert state(app_db, GAOQIAO)[:2] == ("approved", 2)
    steps = history(app_db, get_response(app_db, 2, GAOQIAO).id)
    assert [(s["level"], s["action"], s["username"], s["comment"]) for s in steps[-2:]] == [
        (1, "approve", "fengxi", "资料齐全"), (2, "approve", "xixian-city", ""),
    ]  # fmt: skip
    audit = list(app_db.query("SELECT username, old, new FROM audit WHERE action = 'status' ORDER BY id DESC LIMIT 2"))
    assert audit == [{"username": "xixian-city", "old": "submitted/1", "new": "approved/2"},
                     {"username": "fengxi", "old": "submitted/0", "new": "submitted/1"}]  # fmt: skip


REFUSED = [  # login, centre, why the approval or return is refused
    ("xixian-city", GAOQIAO, "wrong level: awaits the county"),
    ("fengdong", SHANGLIN, "wrong level: awaits the city"),
    ("mianyang", JIANGYOUGUAN, "wrong level: awaits the county"),
    ("fengdong", WANGSI, "returned"),
    ("fengdong", DOUMEN, "draft"),
    ("fengxi", DAWANG, "approved"),
    ("xixian-city", DAWANG, "approved"),
]


@pytest.mark.parametrize("action", ["approve", "return", "verify"])
def test_forbidden_transitions_are_refused_and_write_nothing(client, auth, app_db, action):
    before = snapshot(app_db)
    for login, code, why in REFUSED:
        auth.as_user(login)
        data = {"version": version(app_db, code), "comment": "请核对", "verify_gps": "3"}
        response = client.post(case(code) + "/" + action, data=data)
        assert response.status_code == 302 and response.location.startswith(case(code)), why
        assert "未操作：此填报当前不在待您这一级审核的状态" in flashed(client), why
        assert snapshot(app_db) == before, why
    client.post(case(DAWANG) + "/" + action, data={"version": version(app_db, DAWANG), "comment": "x"})
    assert "未操作：此填报当前不在待您这一级审核的状态" in text(client.get(case(DAWANG)))  # shown on the page


def test_a_closed_round_takes_no_reviews(client, auth, app_db):
    auth.as_user("xixian-city")
    before = snapshot(app_db)
    response = client.post(case(GAOQIAO, 1) + "/return", data={"version": version(app_db, GAOQIAO, 1), "comment": "x"})
    assert response.status_code == 302 and snapshot(app_db) == before


def test_a_stale_page_is_refused(client, auth, app_db):
    auth.as_user("fengxi")
    stale = int(version(app_db, GAOQIAO)) - 1
    before = snapshot(app_db)
    data = {"version": str(stale), "comment": "请核对", "verify_staff_total": "50"}
    response = client.post(case() + "/return", data=data)
    assert response.status_code == 302
    assert "此填报在您打开页面后已被修改" in flashed(client)
    assert client.post(case() + "/return", data={**data, "version": "garbled"}).status_code == 302
    assert "此填报在您打开页面后已被修改" in flashed(client)
    assert snapshot(app_db) == before
    for action in ("approve", "verify"):  # these carry typed verified values: the page comes back holding them
        for sent in (str(stale), "garbled"):
            page = text(client.post(case() + "/" + action, data={**data, "version": sent}))
            assert "此填报在您打开页面后已被修改" in page and "您填写的核实值和意见都保留在页面上" in page, action
            assert re.search(r'<input[^>]*id="verify_staff_total"[^>]*value="50"', page), action
            assert "请核对" in page.split('id="approve-form"')[1].split("</form>")[0], action
            assert f'name="version" type="hidden" value="{version(app_db, GAOQIAO)}"' in page, action
            assert snapshot(app_db) == before, action


@pytest.mark.parametrize("login", ["doumen", "xixian", "admin"])
def test_centres_officials_and_admins_cannot_review(client, auth, app_db, login):
    auth.as_user(login)
    before = snapshot(app_db)
    for action in ("approve", "return", "verify"):
        assert client.post(case() + "/" + action, data={"version": version(app_db, GAOQIAO)}).status_code == 403
    assert snapshot(app_db) == before


def test_return_with_item_comments_reaches_the_centre(client, auth, app_db):
    auth.as_user("fengxi")
    data = {"version": version(app_db, MAWANG), "comment": "请核实人员数", "note_staff_total": "与花名册不符",
            "note_gps": "  ", "note_nothing": "ignored"}  # fmt: skip
    response = client.post(case(MAWANG) + "/return", data=data)
    assert response.status_code == 302
    assert state(app_db, MAWANG)[:2] == ("returned", 0)
    step = history(app_db, get_response(app_db, 2, MAWANG).id)[-1]
    assert (step["action"], step["level"], step["username"]) == ("return", 1, "fengxi")
    assert (step["comment"], step["item_comments"]) == ("请核实人员数", {"staff_total": "与花名册不符"})
    add_user(app_db, "mawang", PASSWORD, "centre", MAWANG)
    auth.as_user("mawang")
    overview = text(client.get("/rounds/2"))
    assert "请核实人员数" in overview and "与花名册不符" in overview
    auth.as_user("xixian")
    trail = whole_trail(client, case(MAWANG) + "/audit")
    assert "县级评审：退回" in trail and "与花名册不符" in trail and "在岗职工总数：与花名册不符" in trail


def test_return_needs_a_comment(client, auth, app_db):
    auth.as_user("fengxi")
    before = snapshot(app_db)
    response = client.post(case() + "/return", data={"version": version(app_db, GAOQIAO), "comment": " "})
    page = text(response)
    assert response.status_code == 200 and "未退回" in page and "请填写总体意见，或至少对一项写明需要修改什么。" in page
    response = client.post(case() + "/return", data={"version": version(app_db, GAOQIAO), "note_gps": "x" * 2001})
    assert response.status_code == 200 and "未退回" in text(response)
    assert snapshot(app_db) == before


def test_returned_then_resubmitted_awaits_the_county_again(client, auth, app_db):
    from survey.store.lifecycle import submit

    auth.as_user("fengxi")
    client.post(case(MAWANG) + "/return", data={"version": version(app_db, MAWANG), "comment": "请核实"})
    round_ = get_round(app_db, 2)
    submit(app_db, round_, round_instrument(app_db, round_), get_response(app_db, 2, MAWANG), username="mawang")
    assert state(app_db, MAWANG)[:2] == ("submitted", 0)
    awaiting = text(client.get("/review/")).split('id="all-title"')[0]
    assert "马王卫生院" in awaiting


# ---------------------------------------------------------------- verified values


def test_verified_value_is_recorded_audited_shown_and_scored(client, auth, app_db):
    round_ = get_round(app_db, 2)
    instrument = round_instrument(app_db, round_)
    response = get_response(app_db, 2, GAOQIAO)
    reported = answers(app_db, instrument, response.id)
    before = round_scores(app_db, round_, "619902")
    row = before.row_of[GAOQIAO]
    auth.as_user("fengxi")
    new = reported["staff_prof_tech"] - 5
    posted = client.post(
        case() + "/verify", data={"version": str(response.version), "verify_staff_prof_tech": str(new)}
    )
    assert posted.status_code == 302
    after = get_response(app_db, 2, GAOQIAO)
    assert after.version == response.version + 1 and after.status == "submitted"
    assert verified_values(app_db, instrument, response.id) == {"staff_prof_tech": new}
    assert answers(app_db, instrument, response.id)["staff_prof_tech"] == reported["staff_prof_tech"]
    audit = next(app_db.query("SELECT * FROM audit WHERE action = 'verify'"))
    assert (audit["username"], audit["item_id"], audit["old"], audit["new"]) == ("fengxi", "staff_prof_tech", None, new)
    scored = round_scores(app_db, round_, "619902").scores.value("prof_tech_share", row)
    assert scored == pytest.approx(new / reported["staff_establishment"])
    assert scored != before.scores.value("prof_tech_share", row)
    page = text(client.get(case()))
    assert "已保存核实值，1 项有改动。" in page
    cells = page.split('id="row-staff_prof_tech"')[1].split("</tr>")[0]
    assert f"{reported['staff_prof_tech']} 人" in cells and f'value="{new}"' in cells  # reported beside verified
    assert "按上报值" in page
    auth.as_user("xixian")
    trail = whole_trail(client, case() + "/audit")
    assert "核实" in trail and f"{new} 人" in trail


NOT_FITTING = [
    ("staff_total", "sixty", "'sixty' 不是整数", "'sixty' is not a whole number"),
    ("staff_total", "40.5", "'40.5' 不是整数", "'40.5' is not a whole number"),
    ("staff_total", "-3", "-3 小于最小值 0", "-3 is below the minimum 0"),
    ("service_population", "3000000", "3,000,000 大于最大值 2,000,000", "3,000,000 is above the maximum 2,000,000"),
    ("has_inpatient", "maybe", "'maybe' 不是“是”或“否”", "'maybe' is not yes or no (是/否)"),
    ("ownership", "公办", "'公办' 不是可选的选项（", "'公办' is not one of the choices ("),
]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_verified_value_that_does_not_fit_is_refused_beside_its_field(client, auth, app_db, lang):
    """The item type's message, in the evaluator's language, beside the field; nothing is written."""
    auth.as_user("fengxi")
    client.post("/language", data={"lang": lang})
    before = snapshot(app_db)
    for item, typed, zh, en in NOT_FITTING:
        data = {"version": version(app_db, GAOQIAO), f"verify_{item}": typed, "verify_gps": "3"}
        response = client.post(case() + "/verify", data=data)
        page = html.unescape(text(response))
        assert response.status_code == 200 and (lang == "en" or "未保存核实值" in page)
        cell = page.split(f'id="row-{item}"')[1].split("</tr>")[0]
        assert {"zh": zh, "en": en}[lang] in cell and 'class="invalid"' in cell and f'value="{typed}"' in cell
        assert snapshot(app_db) == before, item


def test_approving_saves_the_verified_values_typed_on_the_page_first(client, auth, app_db):
    instrument = round_instrument(app_db, get_round(app_db, 2))
    response = get_response(app_db, 2, GAOQIAO)
    staff = answers(app_db, instrument, response.id)["staff_prof_tech"]
    auth.as_user("fengxi")
    data = {"version": str(response.version), "comment": "现场核实", "verify_staff_prof_tech": str(staff - 1)}
    posted = client.post(case() + "/approve", data=data)
    assert posted.status_code == 302 and posted.location == "/review/?round=2"
    assert verified_values(app_db, instrument, response.id) == {"staff_prof_tech": staff - 1}
    assert state(app_db, GAOQIAO)[:2] == ("submitted", 1)
    assert [(s["action"], s["comment"]) for s in history(app_db, response.id)][-1] == ("approve", "现场核实")
    assert "已保存核实值，1 项有改动。" in flashed(client)


def test_approving_with_a_typo_in_a_verified_value_keeps_every_typed_value_and_says_where(client, auth, app_db):
    """Issue 12: nothing typed is lost — the page comes back with every value and the comment, the wrong one
    named at the top with a link to its field; nothing is written."""
    auth.as_user("fengxi")
    before = snapshot(app_db)
    data = {"version": version(app_db, GAOQIAO), "comment": "现场核实", "verify_staff_prof_tech": "12e",
            "verify_gps": "3", "verify_has_inpatient": "否"}  # fmt: skip
    response = client.post(case() + "/approve", data=data)
    page = html.unescape(text(response))
    assert response.status_code == 200 and snapshot(app_db) == before
    assert "未通过：核实值有误" in page and "您填写的内容都保留在页面上" in page
    summary = page.split('id="verify-errors"')[1].split("</div>")[0]
    assert (
        "以下 1 项核实值有误" in summary and 'href="#verify_staff_prof_tech"' in summary and "专业技术人员数" in summary
    )
    for item, typed in (("staff_prof_tech", "12e"), ("gps", "3"), ("has_inpatient", "否")):
        assert re.search(rf'<input[^>]*id="verify_{item}"[^>]*value="{typed}"', page), item
    assert "现场核实" in page.split('id="approve-form"')[1].split("</form>")[0]
    instrument = round_instrument(app_db, get_round(app_db, 2))
    staff = answers(app_db, instrument, get_response(app_db, 2, GAOQIAO).id)["staff_prof_tech"]
    data["verify_staff_prof_tech"] = str(staff)  # corrected, sent again: saved and approved
    assert client.post(case() + "/approve", data=data).status_code == 302
    saved = verified_values(app_db, instrument, get_response(app_db, 2, GAOQIAO).id)
    assert saved["staff_prof_tech"] == staff and saved["gps"] == 3 and saved["has_inpatient"] is False
    assert state(app_db, GAOQIAO)[:2] == ("submitted", 1), flashed(client)


def test_the_review_page_keeps_its_actions_in_reach(client, auth):
    auth.as_user("fengxi")
    page = text(client.get(case()))
    contents = page.split('class="page-contents"')[1].split("</nav>")[0]
    for anchor in ("#actions", "#flags", "#answers", "#indicators", "#history"):
        assert f'href="{anchor}"' in contents and f'id="{anchor[1:]}"' in page
    approve_form = page.split('id="approve-form"')[1].split("</form>")[0]
    assert "保存核实值" in approve_form and f'formaction="{case()}/verify"' in approve_form  # beside 通过
    bar = page.split('class="sticky-actions"')[1].split("</div>")[0]
    assert 'form="approve-form"' in bar and "通过" in bar and "保存核实值" in bar
    field = re.search(r'<input[^>]*\bid="verify_gps"[^>]*>', page)
    assert field and 'form="approve-form"' in field.group(0)


def test_verified_yes_no_and_choices_read_as_typed(client, auth, app_db):
    auth.as_user("fengxi")
    data = {"version": version(app_db, GAOQIAO), "verify_has_inpatient": "否", "verify_ownership": "社会办",
            "verify_lab_tests_basic": "血常规、尿常规"}  # fmt: skip
    assert client.post(case() + "/verify", data=data).status_code == 302
    instrument = round_instrument(app_db, get_round(app_db, 2))
    assert verified_values(app_db, instrument, get_response(app_db, 2, GAOQIAO).id) == {
        "has_inpatient": False, "ownership": "private", "lab_tests_basic": ("blood_routine", "urine_routine"),
    }  # fmt: skip
    page = text(client.get(case()))
    assert 'value="否"' in page and 'value="社会办"' in page and 'value="血常规、尿常规"' in page


def test_only_the_level_under_review_may_verify(client, auth, app_db):
    auth.as_user("xixian-city")
    before = snapshot(app_db)
    response = client.post(case() + "/verify", data={"version": version(app_db, GAOQIAO), "verify_gps": "3"})
    assert response.status_code == 302 and "未操作" in flashed(client)
    assert snapshot(app_db) == before


# ---------------------------------------------------------------- bulk approval


def make_unclean(db):
    """马王: a verified value that breaks a constraint; 高桥 stays clean."""
    round_ = get_round(db, 2)
    instrument = round_instrument(db, round_)
    response = get_response(db, 2, MAWANG)
    total = answers(db, instrument, response.id)["staff_total"]
    verify(db, round_, instrument, response, {"staff_prof_tech": total + 1}, get_user(db, "fengxi"))


def test_bulk_approval_approves_the_clean_and_reports_the_rest(client, auth, app_db):
    make_unclean(app_db)
    mawang, dawang = state(app_db, MAWANG), state(app_db, DAWANG)
    picks = [f"{code}:{version(app_db, code)}" for code in (GAOQIAO, MAWANG, DAWANG)] + [f"{DOUMEN}:2"]
    auth.as_user("fengxi")
    response = client.post("/review/rounds/2/approve", data={"picked": picks})
    assert response.status_code == 302 and response.location == "/review/?round=2"
    assert state(app_db, GAOQIAO)[:2] == ("submitted", 1)
    assert state(app_db, MAWANG) == mawang and state(app_db, DAWANG) == dawang
    assert state(app_db, DOUMEN)[0] == "draft"
    page = text(client.get(response.location))
    assert "已通过 1 份：高桥卫生院" in page
    assert "未通过 马王卫生院：有未填的必填项或未通过的校验（专业技术人员数：不能超过在岗职工总数）" in page
    assert "未通过 大王卫生院：当前不在待您审核的状态" in page
    assert f"未通过 {DOUMEN}：不在您的辖区内" in page and "斗门卫生院" not in page


def test_bulk_approval_refuses_a_missing_required_answer(client, auth, app_db):
    app_db.execute(  # an import can submit a response without a required answer: seed one
        "DELETE FROM answers WHERE item_id = 'gps' AND response_id = ?", [get_response(app_db, 2, MAWANG).id]
    )
    auth.as_user("fengxi")
    client.post("/review/rounds/2/approve", data={"picked": [f"{MAWANG}:{version(app_db, MAWANG)}"]})
    assert state(app_db, MAWANG)[:2] == ("submitted", 0)
    assert "全科医生数：必填" in text(client.get("/review/?round=2"))
    response = client.post(case(MAWANG) + "/approve", data={"version": version(app_db, MAWANG)})
    assert "未通过：请先核实或退回修改以下各项：全科医生数：必填" in text(client.get(response.location))
    assert state(app_db, MAWANG)[:2] == ("submitted", 0)


def test_bulk_approval_refuses_stale_and_garbled_picks(client, auth, app_db):
    auth.as_user("fengxi")
    before = snapshot(app_db)
    client.post("/review/rounds/2/approve", data={"picked": [f"{GAOQIAO}:{int(version(app_db, GAOQIAO)) - 1}"]})
    assert "在您打开页面后已被修改" in text(client.get("/review/"))
    client.post("/review/rounds/2/approve", data={"picked": ["nonsense"]})
    assert "勾选的内容无效" in text(client.get("/review/"))
    client.post("/review/rounds/2/approve", data={})
    assert "请先勾选要通过的填报。" in text(client.get("/review/"))
    assert snapshot(app_db) == before


def test_the_last_level_approves_many_at_once(client, auth, app_db):
    auth.as_user("xixian-city")
    picks = [f"{code}:{version(app_db, code)}" for code in (SHANGLIN, "619903002", "619904002", "619905004")]
    client.post("/review/rounds/2/approve", data={"picked": picks})
    assert [state(app_db, code)[:2] for code in (SHANGLIN, "619903002", "619904002", "619905004")] == [
        ("approved", 2)
    ] * 4


# ---------------------------------------------------------------- data quality


def test_quality_lists_every_failed_check_of_a_seeded_case(client, auth, app_db):
    round_ = get_round(app_db, 2)
    instrument = round_instrument(app_db, round_)
    make_unclean(app_db)  # 马王: a broken constraint
    app_db.execute(  # 高桥: a required answer missing on a submitted response
        "DELETE FROM answers WHERE item_id IN ('gps', 'nurses') AND response_id = ?",
        [get_response(app_db, 2, GAOQIAO).id],
    )
    rescore(app_db, round_)  # changed behind the store's back: scored again as `survey score` does
    auth.as_user("xixian-city")
    seen, page_number = set(), 1
    while True:
        page = text(client.get(f"/review/rounds/2/quality?page={page_number}"))
        seen |= set(re.findall(r'data-flag="([^"]+)"', page))
        if "下一页" not in page:
            break
        page_number += 1
    quality = check_round(app_db, round_, "6199")
    assert page_number == max(1, -(-len(quality.flags) // PAGE_SIZE))  # every flag, page by page, none capped
    expected = set()  # every submission check, worked out one response at a time
    for code, response in ((c, get_response(app_db, 2, c)) for c in _xixian_codes(app_db)):
        if response is None:
            continue
        for problem in Check(instrument, answers(app_db, instrument, response.id, verified=True)).problems():
            if problem.kind == "constraint" or response.status in ("submitted", "approved"):
                expected.add(f"{code}:{problem.item.id}:{problem.kind}")
    assert {f"{MAWANG}:staff_prof_tech:constraint", f"{GAOQIAO}:gps:required", f"{GAOQIAO}:nurses:required"} <= expected
    assert {flag for flag in seen if flag.split(":")[2] in ("constraint", "required")} == expected
    quality = check_round(app_db, round_, "6199")
    assert seen == {f"{f.org_code}:{f.name}:{f.kind}" for f in quality.flags}
    first = text(client.get("/review/rounds/2/quality"))
    assert "问题最多的项目" in first and "问题最多的机构" in first
    assert f"合计 {len(quality.flags)}" in first and "校验未通过</span>\n        1" in first
    assert client.get(f"/review/rounds/2/quality?page={page_number + 1}").status_code == 404
    assert client.get("/review/rounds/2/quality?page=x").status_code == 404


def _xixian_codes(db):
    return [c["code"] for c in centres(db, get_round(db, 2), "6199")]


# ---------------------------------------------------------------- the audit trail


def test_audit_trail_shows_answers_imports_statuses_and_reviews(client, auth, app_db):
    from survey.store.editing import import_answers

    round_ = get_round(app_db, 2)
    instrument = round_instrument(app_db, round_)
    import_answers(
        app_db, round_, instrument, [(DOUMEN, {"staff_total": 77, "has_inpatient": False})], username="importer"
    )
    auth.as_user("fengdong")
    page = whole_trail(client, case(DOUMEN) + "/audit")
    row = next(
        r.split("</tr>")[0] for r in page.split("<td>importer</td>")[1:] if "在岗职工总数" in r.split("</tr>")[0]
    )
    assert "在岗职工总数" in row and "77 人" in row and "Excel 导入" in row
    assert "是否开展住院服务" in page and "否" in page
    auth.as_user("xixian-city")
    trail = whole_trail(client, case(SHANGLIN) + "/audit")
    assert "状态变更" in trail and "已提交（县级评审）" in trail and "已提交（自评）" in trail
    assert "县级评审：通过" in trail and "fengdong" in trail
    for what in ("自评", "评审评级", "评审意见", "上传佐证材料", "提出申诉"):  # clauses, files and the appeal too
        assert f"<td>{what}</td>" in trail, what
    rated = trail.split("<td>评审评级</td>")[1].split("</tr>")[0]
    assert "条款 " in rated and "「" in rated  # the clause named by number and text
    times = re.findall(r"<td>(\d{4}-\d\d-\d\d \d\d:\d\d UTC)</td>", trail)
    assert times == sorted(times, reverse=True)  # newest first


def test_the_audit_trail_is_newest_first_and_filtered_by_kind_and_person(client, auth, app_db):
    auth.as_user("fengxi")
    data = {"version": version(app_db, GAOQIAO), "verify_gps": "3"}
    assert client.post(case() + "/verify", data=data).status_code == 302
    assert (
        client.post(case() + "/approve", data={"version": version(app_db, GAOQIAO), "comment": "好"}).status_code == 302
    )
    page = text(client.get(case() + "/audit"))
    rows = page.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    assert "县级评审：通过" in rows[0] and "fengxi" in rows[0]  # the last thing done comes first
    assert '<option value="verify">核实</option>' in page and '<option value="fengxi">fengxi</option>' in page
    page = text(client.get(case() + "/audit?kind=verify"))
    rows = page.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    assert rows and all("<td>核实</td>" in row for row in rows) and "符合条件的 1 条" in page
    page = text(client.get(case() + "/audit?who=fengxi&kind=review"))
    rows = page.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    assert len(rows) == 1 and "县级评审：通过" in rows[0]
    page = text(client.get(case() + "/audit?who=nobody&kind=nothing"))  # unknown choices show everything
    assert "符合条件" not in page and "县级评审：通过" in page


def test_audit_trail_of_a_new_response_from_import(client, auth, app_db):
    from survey.store.editing import import_answers

    round_ = get_round(app_db, 2)
    import_answers(
        app_db, round_, round_instrument(app_db, round_), [("510727006", {"staff_total": 30})], username="pw"
    )
    auth.as_user("pingwu")
    page = text(client.get(case("510727006") + "/audit"))
    assert "导入" in page and "1 项答案" in page


def test_long_lists_are_split_into_pages_with_nothing_left_out():
    rows = list(range(2 * PAGE_SIZE + 5))
    pages = [page_of(rows, n) for n in (1, 2, 3)]
    assert [len(p[0]) for p in pages] == [PAGE_SIZE, PAGE_SIZE, 5] and pages[0][1] == 3
    assert [row for chunk, _ in pages for row in chunk] == rows
    assert page_of(rows, 4) is None and page_of(rows, 0) is None and page_of([], 1) == ([], 1)
