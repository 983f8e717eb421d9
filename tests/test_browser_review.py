"""End to end in a real browser: 自评 → 县级评审 → 市级复核, then the official's league workbook.

On the demo's 2025 round, 王寺卫生院 (login wangsi) resubmits its returned response;
the county evaluator (fengdong) returns it with a comment on one item; the centre
sees the comment beside that item, fixes the answer and resubmits; the county
approves; the city (xixian-city) approves; the Xixian official downloads the
league workbook, which the test opens and reads back.
"""

import openpyxl
from playwright.sync_api import expect
from test_browser import new_page, screenshot, sign_in

ROUND = 2
CENTRE, NAME = "619901002", "王寺卫生院"


def sign_out(page):
    page.get_by_role("button", name="退出").click()
    expect(page.get_by_role("button", name="登录")).to_be_visible()


def submit_response(page):
    page.goto(f"/rounds/{ROUND}")
    page.get_by_role("button", name="提交审核").click()
    expect(page.get_by_text("已提交").first).to_be_visible()


def review_page(page):
    page.goto(f"/review/rounds/{ROUND}/responses/{CENTRE}")
    expect(page.get_by_role("heading", name=NAME).first).to_be_visible()


def test_review_runs_from_county_to_city_and_ends_in_the_league_workbook(browser, live_server, tmp_path):
    page = new_page(browser, live_server, viewport={"width": 1366, "height": 900})

    # The centre resubmits the response it had been asked to correct.
    sign_in(page, "wangsi")
    submit_response(page)
    sign_out(page)

    # County review: the evaluator finds it in the queue and returns it with a comment on one item.
    sign_in(page, "fengdong")
    page.goto(f"/review/?round={ROUND}")
    expect(page.get_by_role("link", name=NAME).first).to_be_visible()
    review_page(page)
    page.get_by_label("退回意见：专业技术人员数").fill("与人事报表不一致，请按人事报表填写")
    page.locator("#return-form textarea").first.fill("请核对人员数据后重新提交")
    page.get_by_role("button", name="退回修改").click()
    expect(page.get_by_text("已退回").first).to_be_visible()
    screenshot(page, "10-county-returned")
    sign_out(page)

    # The centre sees the comment beside the item, corrects it and resubmits.
    sign_in(page, "wangsi")
    page.goto(f"/rounds/{ROUND}/sections/staff")
    expect(page.get_by_text("与人事报表不一致，请按人事报表填写")).to_be_visible()
    staff = int(page.get_by_label("在岗职工总数（人）").input_value())
    page.get_by_label("专业技术人员数（人）").fill(str(staff - 5))
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_text("已保存。")).to_be_visible()
    screenshot(page, "11-centre-corrected")
    submit_response(page)
    sign_out(page)

    # County approval, then the city re-check.
    sign_in(page, "fengdong")
    review_page(page)
    expect(page.get_by_text("请核对人员数据后重新提交").first).to_be_visible()  # the history shows the return
    page.locator("#approve-form").get_by_role("button", name="通过").click()
    expect(page.get_by_text("县级评审").first).to_be_visible()
    sign_out(page)

    sign_in(page, "xixian-city")
    page.goto(f"/review/?round={ROUND}")
    review_page(page)
    page.locator("#approve-form").get_by_role("button", name="通过").click()
    expect(page.get_by_text("已通过").first).to_be_visible()
    screenshot(page, "12-city-approved")
    sign_out(page)

    # The official sees the centre approved and downloads the league workbook of approved responses.
    sign_in(page, "xixian")
    page.goto(f"/reports/rounds/{ROUND}?approved_only=1")
    expect(page.get_by_role("link", name=NAME)).to_be_visible()
    screenshot(page, "13-official-league")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载排名表（Excel）").click()
    path = tmp_path / "league.xlsx"
    download.value.save_as(path)

    book = openpyxl.load_workbook(path, read_only=True)
    assert book.sheetnames[:5] == ["排名", "地区汇总", "指标说明", "条款汇总", "data"]  # the round grades by clauses
    league = list(book["排名"].iter_rows(values_only=True))
    assert league[1][0] == "仅含已审核通过的数据"
    header = league[2]
    row = next(r for r in league[3:] if r[1] == CENTRE)
    assert row[2] == NAME and row[3] == "沣东新城" and isinstance(row[0], int)
    data = [r for r in book["data"].iter_rows(values_only=True) if r[0] == CENTRE and r[2] == "prof_tech_share_on_post"]
    assert data[0][3] == (staff - 5) / staff or abs(data[0][3] - (staff - 5) / staff) < 1e-9
    assert header[0] == "排名"
