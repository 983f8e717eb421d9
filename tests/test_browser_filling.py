"""A centre's daily work in Chromium: 无 and 未答 answers, a typo refused with everything typed kept, the
prefilled offline template downloaded and uploaded back, a refused upload that can be reloaded, and another
centre's file; at desktop and phone width, screenshots in test-artifacts/."""

import io

import openpyxl
import pytest
from conftest import DOUMEN, stored
from helpers import filled
from playwright.sync_api import expect
from test_browser import console_problems, new_page, screenshot, sign_in

from survey import db as database

DESKTOP = {"viewport": {"width": 1366, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def saved(db_path) -> dict:
    """斗门卫生院's 2025 answers as stored."""
    db = database.connect(db_path)
    try:
        return stored(db)[1]
    finally:
        db.close()


def upload(page, data: bytes, name="模板.xlsx"):
    page.get_by_label("填好的模板").set_input_files(
        {"name": name, "mimeType": "application/octet-stream", "buffer": data}
    )
    page.get_by_role("button", name="上传并导入").click()


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_none_and_not_answered_and_a_typo_keep_what_was_typed(browser, live_server, db_path, width):
    page = new_page(browser, live_server, **(DESKTOP if width == "desktop" else PHONE))
    problems = console_problems(page)
    sign_in(page)

    # 无 is an answer of its own, exclusive of the options.
    page.goto("/rounds/2/sections/diagnostics")
    tests = page.get_by_role("group", name="能提供的基本检验项目")
    tests.get_by_label("血常规").check()
    tests.get_by_label("无（以上都没有）").check()
    expect(tests.get_by_label("血常规")).not_to_be_checked()
    tests.get_by_label("尿常规").check()
    expect(tests.get_by_label("无（以上都没有）")).not_to_be_checked()
    tests.get_by_label("无（以上都没有）").check()
    screenshot(page, f"30-none-of-the-options-{width}")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_text("已保存。")).to_be_visible()
    assert saved(db_path)["lab_tests_basic"] == ()
    expect(page.get_by_role("group", name="能提供的基本检验项目").get_by_label("无（以上都没有）")).to_be_checked()

    # A yes/no answer can be taken back.
    page.goto("/rounds/2/sections/basic")
    central = page.get_by_role("group", name="是否中心卫生院")
    central.get_by_label("是", exact=True).check()
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_text("已保存。")).to_be_visible()
    assert saved(db_path)["is_central"] is True
    page.get_by_role("group", name="是否中心卫生院").get_by_label("未答").check()
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_text("已保存。")).to_be_visible()
    assert "is_central" not in saved(db_path)
    expect(page.get_by_role("group", name="是否中心卫生院").get_by_label("未答")).to_be_checked()

    # A typo is refused beside its field and in the banner; every value typed stays; the banner goes once fixed.
    before = saved(db_path)
    page.goto("/rounds/2/sections/staff")
    page.get_by_label("在岗职工总数（人）").fill("12e")
    page.get_by_label("全科医生数（人）").fill("9")
    page.get_by_role("button", name="保存草稿").click()
    banner = page.locator("#unsaved")
    expect(banner).to_contain_text("未保存：请先改正下面标出的问题。")
    expect(banner.get_by_role("link", name="在岗职工总数（人）")).to_be_visible()
    expect(page.locator("#item_staff_total-errors")).to_have_text("'12e' 不是整数")
    expect(page.get_by_label("在岗职工总数（人）")).to_have_value("12e")
    expect(page.get_by_label("全科医生数（人）")).to_have_value("9")
    assert saved(db_path) == before
    if width == "phone":
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, f"31-typo-refused-{width}")
    banner.get_by_role("link", name="在岗职工总数（人）").click()
    expect(page.get_by_label("在岗职工总数（人）")).to_be_focused()
    page.get_by_label("在岗职工总数（人）").fill("70")
    expect(banner).to_be_hidden()
    expect(page.locator("#fixed")).to_be_visible()
    screenshot(page, f"32-typo-fixed-{width}")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_text("已保存。")).to_be_visible()
    after = saved(db_path)
    assert (after["staff_total"], after["gps"]) == (70, 9)
    assert problems == []
    page.context.close()


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_prefilled_template_round_trip_and_refused_uploads(browser, live_server, db_path, width):
    page = new_page(browser, live_server, **(DESKTOP if width == "desktop" else PHONE))
    problems = console_problems(page)
    sign_in(page)
    page.goto("/rounds/2")
    before = saved(db_path)
    with page.expect_download() as download:
        page.get_by_role("link", name="下载本机构的填报模板").click()
    data = download.value.path().read_bytes()
    sheet = openpyxl.load_workbook(io.BytesIO(data))["填报"]
    ids_row = next(r for r in range(1, 11) if sheet.cell(r, 1).value == "org_code")
    cells = {sheet.cell(ids_row, c).value: sheet.cell(ids_row + 1, c).value for c in range(1, sheet.max_column + 1)}
    assert cells["org_code"] == DOUMEN and cells["staff_total"] == before["staff_total"]
    assert sheet["A2"].value == "留空的单元格不改动已保存的答案"

    upload(page, data)  # unchanged: nothing changes
    expect(page.get_by_text("已导入，0 项答案有改动。")).to_be_visible()
    assert saved(db_path) == before
    upload(page, filled(data, staff_total=None, gps=before["gps"] + 1))  # a blank keeps its answer
    expect(page.get_by_text("已导入，1 项答案有改动。")).to_be_visible()
    assert saved(db_path) == {**before, "gps": before["gps"] + 1}
    before = saved(db_path)

    # A refused upload: its problems on the round's page, which reloads and switches language in place.
    upload(page, filled(data, staff_total="sixty"))
    expect(page.get_by_text("文件中有下列问题，没有导入任何内容：")).to_be_visible()
    expect(page.locator("#offline .problems")).to_contain_text("填报!")
    screenshot(page, f"33-upload-refused-{width}")
    if width == "phone":
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    response = page.reload()
    assert response.status == 200 and response.url == f"{live_server}/rounds/2"  # no 405
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Fill in offline (Excel)")).to_be_visible()
    assert page.url.split("#")[0] == f"{live_server}/rounds/2"
    page.get_by_role("button", name="中文").click()

    # Another centre's file says whose it is.
    upload(page, filled(data, org_code="619901002", org_name="王寺卫生院"))
    expect(page.get_by_text("未导入：这是王寺卫生院（619901002）的文件，不是本机构（619901001）的。")).to_be_visible()
    screenshot(page, f"34-another-centres-file-{width}")
    assert saved(db_path) == before
    assert problems == []
    page.context.close()
