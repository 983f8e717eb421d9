"""End to end in a real browser: an administrator ends a round and deactivates an account, each through the page
that asks again first (取消 changes nothing), and finds the account with the user search.

Screenshots of both confirmation pages at desktop and phone width go to test-artifacts/.
"""

from playwright.sync_api import expect
from test_browser import console_problems, new_page, screenshot, sign_in

from survey import db as database
from survey.store.rounds import get_round
from survey.store.users import get_user

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def both_widths(page, name):
    """Screenshots of the page as it is, at desktop width and at phone width."""
    page.set_viewport_size(DESKTOP)
    screenshot(page, f"{name}-desktop")
    page.set_viewport_size(PHONE)
    screenshot(page, f"{name}-phone")
    page.set_viewport_size(DESKTOP)


def stored(db_path, read):
    db = database.connect(db_path)
    try:
        return read(db)
    finally:
        db.close()


def test_admin_ends_a_round_and_deactivates_an_account_after_confirming(browser, live_server, db_path):
    stored(db_path, lambda db: db.execute("UPDATE appeals SET status = 'rejected', decision = '理由不成立'"))
    page = new_page(browser, live_server, viewport=DESKTOP)
    problems = console_problems(page)
    sign_in(page, "admin")

    # 结束轮次 asks first; 取消 leaves the round open.
    page.goto("/admin/rounds")
    row = page.locator("#round-2")
    row.get_by_role("button", name="结束轮次").click()
    expect(page.get_by_role("heading", name="结束轮次 2：")).to_be_visible()
    expect(page.get_by_text("机构不能再保存、上传或提交此轮次的填报")).to_be_visible()
    both_widths(page, "30-confirm-close-round")
    page.get_by_role("link", name="取消").click()
    expect(page.locator("#round-2")).to_contain_text("进行中")
    assert stored(db_path, lambda db: get_round(db, 2).status) == "open"

    page.locator("#round-2").get_by_role("button", name="结束轮次").click()
    page.get_by_role("button", name="确认结束轮次").click()
    expect(page.get_by_text("已结束轮次 2：机构不能再保存或提交。")).to_be_visible()
    expect(page.locator("#round-2").get_by_role("button", name="重新开启")).to_be_visible()
    assert stored(db_path, lambda db: get_round(db, 2).status) == "closed"

    # The user search finds the account by its unit's name; 停用账号 asks first, on a phone too.
    page.goto("/admin/users")
    page.get_by_label("用户名、机构名称或编码").fill("斗门")
    page.get_by_role("button", name="搜索").click()
    expect(page.get_by_text("共 1 个用户")).to_be_visible()
    page.get_by_role("link", name="doumen").click()
    page.set_viewport_size(PHONE)
    page.get_by_role("button", name="停用账号").click()
    expect(page.get_by_role("heading", name="停用账号 doumen？")).to_be_visible()
    both_widths(page, "31-confirm-disable-account")
    assert stored(db_path, lambda db: get_user(db, "doumen").active)
    page.set_viewport_size(PHONE)
    page.get_by_role("button", name="确认停用").click()
    expect(page.get_by_text("已停用用户 doumen")).to_be_visible()
    assert not stored(db_path, lambda db: get_user(db, "doumen").active)
    assert problems == []
