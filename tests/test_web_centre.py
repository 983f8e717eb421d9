"""A centre fills in its round: sections, drafts, checks, versions, relevance, the scorecard, submission."""

import html
import re

import pytest
from conftest import DOUMEN, fill_completely, stored

from survey.demo import PASSWORD
from survey.store.editing import save_answers
from survey.store.responses import answers, get_response
from survey.store.rounds import get_round, round_instrument
from survey.store.users import add_user


def section_data(app_db, section_id, code=DOUMEN, **changes):
    """What the section's page would post unchanged, with `changes` (item id: raw text) typed over it."""
    round_ = get_round(app_db, 2)
    instrument = round_instrument(app_db, round_)
    response = get_response(app_db, 2, code)
    saved = answers(app_db, instrument, response.id) if response else {}
    data = {"version": str(response.version if response else 0)}
    section = next(s for s in instrument.sections if s.id == section_id)
    for item in section.items:
        value = saved.get(item.id)
        if item.type == "boolean" and value is not None:
            data[f"item_{item.id}"] = "1" if value else "0"
        elif item.type == "multi_choice" and value is not None:
            data[f"item_{item.id}"] = list(value) or ["（无）"]
        elif value is not None:
            data[f"item_{item.id}"] = str(value)
    data.update({f"item_{k}": v for k, v in changes.items()})
    return data


def test_my_rounds_lists_status_deadline_and_progress(doumen):
    page = doumen.get("/rounds").get_data(as_text=True)
    current = page.split("2025年度乡镇卫生院服务能力评估")[1].split("2024年度")[0]
    assert "草稿" in current and "2026-03-31" in current
    answered, required = map(int, re.search(r"必填项 (\d+) / (\d+)", current).groups())
    assert 0 < answered < required
    past = page.split("2024年度乡镇卫生院服务能力评估")[1]
    assert "已通过" in past and "轮次已结束" in past
    assert re.search(r"必填项 (\d+) / \1", past)


def test_returned_round_is_marked_and_shows_the_comments(client, auth):
    auth.as_user("wangsi")
    assert "已退回" in client.get("/rounds").get_data(as_text=True)
    overview = client.get("/rounds/2").get_data(as_text=True)
    assert "请核实在岗职工与专业技术人员数" in overview
    assert "/rounds/2/sections/staff#item_staff_prof_tech" in overview
    section = client.get("/rounds/2/sections/staff").get_data(as_text=True)
    beside = section.split('id="wrap-item_staff_prof_tech"')[1].split('class="item')[0]
    assert "与人事报表不一致，请核对" in beside


def test_section_page_shows_each_item(doumen, app_db):
    page = doumen.get("/rounds/2/sections/staff").get_data(as_text=True)
    _, values = stored(app_db)
    assert '<label for="item_staff_total">在岗职工总数（人）' in page
    assert 'id="item_staff_total"' in page and f'value="{values["staff_total"]}"' in page
    assert 'class="req"' in page and "年末在本单位工作并由单位支付工资的人员" in page
    assert 'inputmode="numeric"' in page and 'name="version"' in page
    assert "专业技术人员占比" in page and "总分" in page  # the scorecard, rendered on the server


def test_choice_items_are_grouped_with_a_legend(doumen):
    page = doumen.get("/rounds/2/sections/basic").get_data(as_text=True)
    assert "<legend>是否开展住院服务" in page
    assert re.search(r'<label class="option"><input[^>]*id="item_has_inpatient-0"[^>]*> 是</label>', page)
    assert '<select aria-describedby="item_ownership-errors"' in page


def test_save_draft(doumen, app_db):
    before, _ = stored(app_db)
    response = doumen.post("/rounds/2/sections/staff", data=section_data(app_db, "staff", staff_total="66"))
    assert response.status_code == 302 and response.location == "/rounds/2/sections/staff"
    after, values = stored(app_db)
    assert values["staff_total"] == 66 and after.version == before.version + 1
    audit = next(app_db.query("SELECT * FROM audit WHERE item_id = 'staff_total' ORDER BY id DESC LIMIT 1"))
    assert (audit["username"], audit["source"], audit["new"]) == ("doumen", "web", 66)
    assert "已保存" in doumen.get(response.location).get_data(as_text=True)


def test_save_and_continue_goes_to_the_next_section(doumen, app_db):
    data = {**section_data(app_db, "staff"), "action": "next"}
    assert doumen.post("/rounds/2/sections/staff", data=data).location == "/rounds/2/sections/buildings"
    data = {**section_data(app_db, "coordination"), "action": "next"}
    assert doumen.post("/rounds/2/sections/coordination", data=data).location == "/rounds/2"


def test_draft_may_leave_required_items_empty(doumen, app_db):
    response = doumen.post("/rounds/2/sections/staff", data=section_data(app_db, "staff", staff_total=""))
    assert response.status_code == 302
    assert "staff_total" not in stored(app_db)[1]


def test_a_yes_no_answer_can_be_cleared_and_shows_as_not_answered(doumen, app_db):
    doumen.post("/rounds/2/sections/basic", data=section_data(app_db, "basic", is_central="1"))
    assert stored(app_db)[1]["is_central"] is True
    response = doumen.post("/rounds/2/sections/basic", data=section_data(app_db, "basic", is_central=""))
    assert response.status_code == 302 and "is_central" not in stored(app_db)[1]
    page = doumen.get("/rounds/2/sections/basic").get_data(as_text=True)
    assert re.search(
        r'<input aria-invalid="false" checked id="item_is_central-2" name="item_is_central" type="radio" value=""> 未答',
        page,
    )


def field_errors(page: str, item: str) -> str:
    """The errors shown beside an item's field, as people read them."""
    beside = page.split(f'id="wrap-item_{item}"')[1].split('class="item')[0]
    return html.unescape(re.search(r'<p class="errors"[^>]*>(.*?)</p>', beside, re.S).group(1))


@pytest.mark.parametrize(
    ("section", "item", "typed", "message"),
    [
        ("staff", "staff_total", "sixty", "'sixty' 不是整数"),
        ("staff", "staff_total", "40.5", "'40.5' 不是整数"),
        ("staff", "staff_total", "-3", "-3 小于最小值 0"),
        ("basic", "service_population", "3000000", "3,000,000 大于最大值 2,000,000"),
        ("staff", "staff_prof_tech", "999", "不能超过在岗职工总数"),
        ("buildings", "floor_area", "1,2", "'1,2' 不是数字"),
        ("buildings", "floor_area", "nan", "'nan' 不是数字"),
        ("staff", "staff_total", "1" + "0" * 20, f"'1{'0' * 20}' 超出可填报的范围（绝对值最大 1,000,000,000,000,000）"),
    ],
)
def test_a_value_failing_a_check_saves_nothing(doumen, app_db, section, item, typed, message):
    """One true message in the user's language beside the field: the item type's own, not one per validator."""
    before = stored(app_db)
    page = doumen.post(f"/rounds/2/sections/{section}", data=section_data(app_db, section, **{item: typed}))
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "未保存" in text
    assert field_errors(text, item) == message
    assert 'aria-invalid="true"' in text.split(f'id="wrap-item_{item}"')[1].split('class="item')[0]
    assert stored(app_db) == before


@pytest.mark.parametrize(
    ("typed", "message"),
    [("40.5", "'40.5' is not a whole number"), ("-3", "-3 is below the minimum 0")],
)
def test_a_value_failing_a_check_is_explained_in_english_when_asked(doumen, app_db, typed, message):
    doumen.post("/language", data={"lang": "en"})
    before = stored(app_db)
    text = doumen.post("/rounds/2/sections/staff", data=section_data(app_db, "staff", staff_total=typed)).get_data(
        as_text=True
    )
    assert field_errors(text, "staff_total") == message
    assert stored(app_db) == before


@pytest.mark.parametrize(("typed", "value"), [("400", 400), ("400.0", 400), ("1,040", 1040), (" 401 ", 401)])
def test_a_whole_number_is_read_as_the_workbooks_read_it(doumen, app_db, typed, value):
    response = doumen.post("/rounds/2/sections/staff", data=section_data(app_db, "staff", staff_total=typed))
    assert response.status_code == 302
    assert stored(app_db)[1]["staff_total"] == value


def test_stale_version_is_refused_and_the_typed_values_are_shown_again(doumen, app_db):
    opened = section_data(app_db, "staff")
    assert doumen.post("/rounds/2/sections/staff", data=section_data(app_db, "staff", gps="7")).status_code == 302
    before = stored(app_db)
    page = doumen.post("/rounds/2/sections/staff", data={**opened, "item_staff_total": "77"})
    text = page.get_data(as_text=True)
    assert "此填报已在其他窗口或由他人修改过" in text and "没有保存任何内容" in text
    assert 'id="item_staff_total"' in text and 'value="77"' in text
    assert f'value="{opened["version"]}"' in text  # still the old version: a retry is refused too
    assert stored(app_db) == before and before[1]["gps"] == 7


def test_a_save_while_other_writes_hold_the_database_says_so_and_keeps_the_typed_values(
    doumen, app_db, db_path, monkeypatch
):
    import sqlite3

    from survey import db as database

    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 50)  # the page's connection waits 50 ms, not 30 s
    data = section_data(app_db, "staff", staff_total="88")
    before = stored(app_db)
    holder = sqlite3.connect(db_path)
    holder.execute("BEGIN IMMEDIATE")  # another process writing
    try:
        text = doumen.post("/rounds/2/sections/staff", data=data).get_data(as_text=True)
        doumen.post("/language", data={"lang": "en"})
        english = doumen.post("/rounds/2/sections/staff", data=data).get_data(as_text=True)
    finally:
        holder.rollback()
        holder.close()
    assert "未能保存：系统繁忙，本次没有保存任何内容；请稍后再试" in text and 'value="88"' in text
    assert "the system is busy and nothing was saved; try again in a moment" in html.unescape(english)
    assert stored(app_db) == before


def test_first_save_from_two_tabs(client, auth, app_db):
    add_user(app_db, "shuijing", PASSWORD, "centre", "510727006")  # 水晶镇卫生院 has not started
    auth.as_user("shuijing")
    opened = section_data(app_db, "staff", code="510727006")
    assert opened["version"] == "0"
    assert client.post("/rounds/2/sections/staff", data={**opened, "item_staff_total": "30"}).status_code == 302
    text = client.post("/rounds/2/sections/staff", data={**opened, "item_staff_total": "31"}).get_data(as_text=True)
    assert "此填报已在其他窗口或由他人修改过" in text
    assert stored(app_db, "510727006")[1]["staff_total"] == 30


def test_answers_to_items_not_asked_are_not_stored(doumen, app_db):
    _, values = stored(app_db)
    assert values["has_inpatient"] is True and values["beds"] is not None
    doumen.post("/rounds/2/sections/basic", data=section_data(app_db, "basic", has_inpatient="0"))
    _, values = stored(app_db)
    assert values["has_inpatient"] is False and "beds" not in values  # cleared in another section too
    assert any(key in values for key in ("functions", "licensed_practice"))  # the self-ratings stay
    doumen.post("/rounds/2/sections/buildings", data=section_data(app_db, "buildings", beds="40"))
    assert "beds" not in stored(app_db)[1]
    page = doumen.get("/rounds/2/sections/buildings").get_data(as_text=True)
    wrapper = re.search(r'<[a-z]+ [^>]*id="wrap-item_beds"[^>]*>', page).group(0)
    assert re.search(r"\shidden[\s>]", wrapper) and 'data-item="beds"' in wrapper


def test_preview_scores_without_saving(doumen, app_db):
    before = stored(app_db)
    data = section_data(app_db, "staff", staff_establishment="100", staff_total="100", staff_prof_tech="85")
    result = doumen.post("/rounds/2/sections/staff/preview", data=data).get_json()
    rows = {row["id"]: row for row in result["scorecard"]["rows"]}
    share = rows["prof_tech_share"]
    assert (share["value"], share["target"], share["status"], share["word"]) == ("85%", "≥ 90%", "not_met", "未达标")
    assert share["gap"] == "专业技术人员数再增加 5 人（85 → 90），即可达到 ≥ 90%（90%）"
    assert re.fullmatch(r"\d+\.\d", result["scorecard"]["total"]) and result["scorecard"]["grade"]
    assert set(result["relevant"]) >= {"staff_total", "beds", "eq_dr"} and result["errors"] == {}
    card = result["scorecard"]  # the clauses: each level, each grade's shares, the gap to the next grade
    assert card["clauses"]["prof_tech_staffing"] == "未达到" and card["next_grade"].startswith("再有 ")
    assert {r["grade"] for r in card["requirements"]} == {"达到推荐标准", "达到基本标准", "合格"}
    assert stored(app_db) == before


def test_preview_reports_relevance_and_errors(doumen, app_db):
    result = doumen.post("/rounds/2/sections/basic/preview", data=section_data(app_db, "basic", has_inpatient="0"))
    assert result.get_json()["relevant"]["beds"] is False
    data = section_data(app_db, "staff", staff_total="10", staff_prof_tech="20")
    result = doumen.post("/rounds/2/sections/staff/preview", data=data).get_json()
    assert result["errors"]["staff_prof_tech"] == ["不能超过在岗职工总数"]
    share = next(row for row in result["scorecard"]["rows"] if row["id"] == "prof_tech_share")
    assert (share["status"], share["word"], share["value"]) == ("missing", "未填报", "")


def test_submit_refused_while_incomplete_with_the_list(doumen, app_db):
    page = doumen.post("/rounds/2/submit")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "还不能提交" in text
    problems = text.split('id="problems"')[1].split("</ul>")[0]
    assert '/rounds/2/sections/medical#item_emergency_techniques">能规范开展的急救技术</a>：必填' in problems
    assert '/rounds/2/chapters/resources#clause-licensed_practice">条款 1.1.2「' in problems  # evidence required
    assert "需上传佐证材料" in problems
    assert stored(app_db)[0].status == "draft"


def test_submit_refused_with_a_broken_constraint(doumen, app_db):
    fill_completely(app_db)
    round_ = get_round(app_db, 2)
    save_answers(app_db, round_, round_instrument(app_db, round_), DOUMEN, {"gps": 500}, username="test", source="test")
    text = doumen.post("/rounds/2/submit").get_data(as_text=True)
    assert "还不能提交" in text and "全科医生数</a>：不能超过执业（助理）医师数" in text
    assert stored(app_db)[0].status == "draft"


def test_submit_then_read_only(doumen, app_db):
    fill_completely(app_db)
    response = doumen.post("/rounds/2/submit")
    assert response.location == "/rounds/2"
    assert "已提交，等待审核" in doumen.get("/rounds/2").get_data(as_text=True)
    assert stored(app_db)[0].status == "submitted"
    history = list(app_db.query("SELECT action, user_id FROM reviews ORDER BY id DESC LIMIT 1"))
    assert history[0]["action"] == "submit"
    before = stored(app_db)
    doumen.post("/rounds/2/sections/staff", data=section_data(app_db, "staff", staff_total="1"))
    assert stored(app_db) == before
    page = doumen.get("/rounds/2/sections/staff").get_data(as_text=True)
    assert '<fieldset class="items" disabled>' in page and "保存草稿" not in page and "fill.js" not in page
    assert "已提交" in doumen.get("/rounds").get_data(as_text=True)


def test_closed_round_is_read_only(doumen, app_db):
    page = doumen.get("/rounds/1/sections/staff").get_data(as_text=True)
    assert "此填报为只读" in page
    assert "提交审核" not in doumen.get("/rounds/1").get_data(as_text=True)


def test_a_typo_in_one_field_keeps_every_typed_value_and_is_located(doumen, app_db):
    """What a browser sends for a number typed as 12e is the text itself: refused with its place, nothing lost."""
    before = stored(app_db)
    typed = {"service_population": "12e", "ownership": "private", "is_central": "0", "has_inpatient": "1"}
    page = doumen.post("/rounds/2/sections/basic", data=section_data(app_db, "basic", **typed)).get_data(as_text=True)
    assert field_errors(page, "service_population") == "'12e' 不是整数"
    banner = html.unescape(page.split('id="unsaved"')[1].split("</div>")[0])
    assert "未保存：请先改正下面标出的问题。" in banner and "您填写的内容都保留在下方。" in banner
    assert '<li data-for="service_population"><a href="#item_service_population">服务人口（人）</a>：' in banner
    assert "'12e' 不是整数" in banner and banner.count("<li") == 1
    assert (
        'id="item_service_population" inputmode="numeric" name="item_service_population" type="text" value="12e"'
        in (page)
    )
    assert re.search(r'<option selected value="private">|<option value="private" selected>', page)
    assert 'checked id="item_is_central-1"' in page and 'checked id="item_has_inpatient-0"' in page
    assert stored(app_db) == before
