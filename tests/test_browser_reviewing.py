"""Evaluators and officials at work in a real browser: the evaluator lands on the round with work waiting and
approves with 全选; the review page keeps typed verified values; officials print a centre's profile and search
the league on a phone. Screenshots at desktop and phone width go to test-artifacts/."""

import pytest
from playwright.sync_api import expect
from test_browser import ARTIFACTS, new_page, screenshot, sign_in

from survey import db as database
from survey.store.rounds import create_round

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
ROUND = 2
GAOQIAO = "619902002"  # 沣西新城, awaiting the county
WANGSI, WANGSI_NAME = "619901002", "王寺卫生院"


@pytest.fixture
def empty_round(db_path):
    """A newer open round in Xixian that nobody has started."""
    db = database.connect(db_path)
    found = create_round(db, "township-health-centre", "2026", "2026年度西咸专项评估", scope_code="6199")
    db.close()
    return found


def test_evaluator_lands_on_waiting_work_and_approves_with_select_all(browser, live_server, empty_round):
    page = new_page(browser, live_server, viewport=DESKTOP)
    sign_in(page, "xixian-city")
    page.goto("/review/")
    chooser = page.get_by_role("navigation", name="调查轮次")
    current = chooser.locator('a[aria-current="page"]')
    expect(current).to_contain_text("2025年度")
    expect(current).to_contain_text("待审 4")
    expect(chooser.get_by_role("link", name=empty_round.title)).to_be_visible()  # listed, not landed on
    expect(page.get_by_role("heading", name="待我审核（4）")).to_be_visible()
    picks = page.locator('input[name="picked"]')
    expect(picks).to_have_count(4)
    page.get_by_label("全选本页").check()
    for index in range(4):
        expect(picks.nth(index)).to_be_checked()
    expect(page.get_by_role("button", name="批量通过（已选 4 份）")).to_be_visible()
    picks.nth(0).uncheck()
    expect(page.get_by_role("button", name="批量通过（已选 3 份）")).to_be_visible()
    page.get_by_label("全选本页").check()
    screenshot(page, "20-evaluator-select-all-desktop")
    page.get_by_role("button", name="批量通过（已选 4 份）").click()
    expect(page.get_by_text("已通过 4 份").first).to_be_visible()
    expect(page.get_by_role("heading", name="待我审核（0）")).to_be_visible()

    page.goto(f"/review/?round={empty_round.id}")  # the empty round shows its centres that have not started
    expect(page.get_by_role("heading", name="全部填报 0/18")).to_be_visible()
    page.get_by_role("link", name="未开始 18").click()
    expect(page.locator("table.not-started tbody tr")).to_have_count(18)

    phone = new_page(browser, live_server, viewport=PHONE)
    sign_in(phone, "fengxi")
    phone.goto("/review/")
    expect(phone.locator('.round-chooser a[aria-current="page"]')).to_contain_text("待审 2")
    screenshot(phone, "21-evaluator-queue-phone")


def test_review_page_keeps_typed_verified_values_when_approving(browser, live_server):
    page = new_page(browser, live_server, viewport=DESKTOP)
    sign_in(page, "fengxi")
    page.goto(f"/review/rounds/{ROUND}/responses/{GAOQIAO}")
    contents = page.get_by_role("navigation", name="本页目录")
    contents.get_by_role("link", name="填报答案").click()
    page.get_by_label("核实值：专业技术人员数").fill("12e")
    page.get_by_label("核实值：执业（助理）医师数").fill("9")
    bar = page.get_by_role("region", name="审核操作")
    expect(bar).to_be_in_viewport()  # the actions are in reach far down the page
    expect(page.get_by_text("有核实值尚未保存")).to_be_attached()
    bar.get_by_role("button", name="通过").click()
    expect(page.get_by_text("未通过：核实值有误").first).to_be_visible()
    errors = page.locator("#verify-errors")
    expect(errors).to_contain_text("专业技术人员数")
    expect(page.get_by_label("核实值：专业技术人员数")).to_have_value("12e")
    expect(page.get_by_label("核实值：执业（助理）医师数")).to_have_value("9")
    screenshot(page, "22-review-typo-kept-desktop")
    errors.get_by_role("link", name="专业技术人员数").click()
    expect(page.get_by_label("核实值：专业技术人员数")).to_be_in_viewport()
    page.set_viewport_size(PHONE)
    screenshot(page, "23-review-typo-kept-phone")


def test_official_prints_a_centre_profile_and_the_league(browser, live_server):
    page = new_page(browser, live_server, viewport=DESKTOP)
    sign_in(page, "xixian")
    page.goto(f"/reports/rounds/{ROUND}/centres/{WANGSI}")
    expect(page.get_by_role("button", name="打印")).to_be_visible()
    screenshot(page, "24-profile-desktop")
    page.emulate_media(media="print")
    expect(page.get_by_role("heading", name=WANGSI_NAME).first).to_be_visible()
    expect(page.get_by_role("button", name="打印")).to_be_hidden()
    expect(page.locator("header.site")).to_be_hidden()
    expect(page.locator("main form").first).to_be_hidden()
    expect(page.locator("main table").first).to_be_visible()
    screenshot(page, "25-profile-print")
    page.pdf(path=str(ARTIFACTS / "25-profile-print.pdf"), format="A4")
    page.goto(f"/reports/rounds/{ROUND}")
    expect(page.locator("table.league")).to_be_visible()
    expect(page.locator("form.filters")).to_be_hidden()
    screenshot(page, "26-league-print")


def test_official_searches_the_league_on_a_phone(browser, live_server):
    page = new_page(browser, live_server, viewport=PHONE)
    sign_in(page, "xixian")
    page.goto(f"/reports/rounds/{ROUND}?sort=total")
    page.get_by_label("机构名称或编码").fill("王寺")
    page.get_by_role("button", name="筛选").click()
    rows = page.locator("table.league tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(WANGSI_NAME)
    assert "sort=total" in page.url and "q=" in page.url  # the order chosen is kept
    for cell in (rows.first.locator("[data-total]"), rows.first.locator("td").nth(2)):
        expect(cell).to_be_visible()
        box = cell.bounding_box()
        assert box and box["x"] + box["width"] <= PHONE["width"], box  # total and grade on screen
    screenshot(page, "27-league-search-phone")
    page.get_by_label("机构名称或编码").fill(WANGSI)  # by code
    page.get_by_role("button", name="筛选").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(WANGSI_NAME)
    page.set_viewport_size(DESKTOP)
    screenshot(page, "28-league-search-desktop")
