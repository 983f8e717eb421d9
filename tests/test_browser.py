"""End to end in a real browser (Chromium via Playwright): a centre signs in, fills in, watches its scorecard, submits.

The app runs with CSRF and the Content-Security-Policy on, as in production, in a thread on a free local port
(the `browser` and `live_server` fixtures, in conftest.py). With SURVEY_SCREENSHOTS=1, screenshots go to
test-artifacts/.
"""

import os
from pathlib import Path

from playwright.sync_api import expect

from instruments.library import bundled
from instruments.synthetic import answers_from_columns, township_columns
from survey.demo import PASSWORD

ARTIFACTS = Path(__file__).parent.parent / "test-artifacts"
TOWNSHIP = bundled()["township-health-centre"]
SET_VALUES = """values => {
  for (const [id, value] of Object.entries(values)) {
    for (const input of document.getElementsByName("item_" + id)) {
      if (input.type === "radio" || input.type === "checkbox") {
        input.checked = [].concat(value).includes(input.value);
      } else {
        input.value = value;
      }
    }
  }
  document.querySelector("form.fill").dispatchEvent(new Event("input", {bubbles: true}));
}"""


def new_page(browser, base_url, **options):
    context = browser.new_context(base_url=base_url, locale="zh-CN", **options)
    context.set_default_timeout(10_000)
    return context.new_page()


def console_problems(page) -> list[str]:
    """Errors the page's console shows from now on, Content-Security-Policy violations among them."""
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.context.add_init_script(
        """document.addEventListener("securitypolicyviolation", event =>
             console.error("CSP violation: " + event.violatedDirective + " " + event.blockedURI))"""
    )
    return problems


def screenshot(page, name):
    """A full-page picture in test-artifacts/ to look at, when SURVEY_SCREENSHOTS is set (it asserts nothing, and a
    long page takes seconds to draw)."""
    if os.environ.get("SURVEY_SCREENSHOTS"):
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)


def sign_in(page, username="doumen"):
    page.goto("/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def complete_answers():
    """Answers for every item that hold together (a test helper types them through the page)."""
    columns = township_columns(1, 11, staff=[60], prof_tech=[55], blank_share=0, instrument=TOWNSHIP)
    values = answers_from_columns(TOWNSHIP, columns)[0]
    shown = {}
    for item_id, value in values.items():
        if isinstance(value, bool):
            shown[item_id] = "1" if value else "0"
        elif isinstance(value, list | tuple):
            shown[item_id] = list(value)
        elif value is not None:
            shown[item_id] = str(value)
    return shown


def indicator(page, indicator_id):
    return page.locator(f'[data-indicator="{indicator_id}"]').first


def attach_required_files(db_path, code="619901001"):
    """A file on each clause of the 2025 round whose evidence is required, as its centre would upload them."""
    from survey import db as database
    from survey.demo_files import pdf
    from survey.store.evidence import add_evidence
    from survey.store.rounds import get_round, round_instrument
    from survey.store.users import User

    db = database.connect(db_path)
    round_ = get_round(db, 2)
    instrument = round_instrument(db, round_)
    for clause in instrument.onsite_clauses:
        if clause.evidence == "required":
            add_evidence(db, round_, instrument, code, clause.id, f"{clause.number}.pdf", pdf(clause.id),
                         User(0, "doumen", "centre", code, True))  # fmt: skip
    db.close()


def test_centre_fills_in_and_submits(browser, live_server, db_path):
    page = new_page(browser, live_server, viewport={"width": 1366, "height": 900})
    problems = console_problems(page)
    sign_in(page)
    expect(page).to_have_url(f"{live_server}/rounds")
    expect(page.get_by_role("heading", name="我的填报")).to_be_visible()
    screenshot(page, "01-my-rounds")

    page.get_by_role("link", name="2025年度乡镇卫生院服务能力评估").click()
    page.get_by_role("link", name="继续填报").click()
    values = complete_answers()
    page.evaluate(SET_VALUES, {k: v for k, v in values.items() if TOWNSHIP.item[k].section == "basic"})
    page.get_by_role("button", name="保存并继续").click()
    expect(page.get_by_role("heading", name="人员")).to_be_visible()
    expect(page.get_by_text("已保存。")).to_be_visible()

    # The scorecard follows the typing: 85 of 100 staff is short of 90%, and the gap says by how much.
    page.evaluate(SET_VALUES, {k: v for k, v in values.items() if TOWNSHIP.item[k].section == "staff"})
    share = indicator(page, "prof_tech_share")
    page.get_by_label("编制总额（人）").fill("100")
    page.get_by_label("在岗职工总数（人）").fill("100")
    page.get_by_label("专业技术人员数（人）").fill("85")
    expect(share.locator("[data-value]")).to_have_text("85%")
    expect(share.locator("[data-word]")).to_have_text("未达标")
    expect(share.locator("[data-gap]")).to_have_text("专业技术人员数再增加 5 人（85 → 90），即可达到 ≥ 90%（90%）")
    screenshot(page, "02-scorecard-gap")

    # More professional-technical staff than staff on post: the item's own message, at once.
    page.get_by_label("专业技术人员数（人）").fill("120")
    expect(page.locator("#item_staff_prof_tech-errors")).to_have_text("不能超过在岗职工总数")
    expect(share.locator("[data-word]")).to_have_text("未填报")
    screenshot(page, "03-constraint")
    page.get_by_label("专业技术人员数（人）").fill("95")
    expect(page.locator("#item_staff_prof_tech-errors")).to_be_empty()
    expect(share.locator("[data-word]")).to_have_text("达标")
    expect(share.locator("[data-gap]")).to_be_hidden()

    # Leaving with unsaved changes asks first.
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.locator(".crumbs").get_by_role("link", name="我的填报").click()
    for _ in range(100):  # the dialog arrives as an event: let it be handled
        if dialogs:
            break
        page.wait_for_timeout(50)
    assert dialogs == ["beforeunload"]
    expect(page.get_by_role("heading", name="人员")).to_be_visible()
    page.get_by_role("button", name="保存并继续").click()

    for section in TOWNSHIP.sections[2:]:
        expect(page.get_by_role("heading", name=section.title.zh)).to_be_visible()
        if section.id == "coordination":  # items appear and disappear as answers change
            sessions = page.locator("#wrap-item_telemedicine_sessions_available")
            page.get_by_role("group", name="是否接入远程会诊系统").get_by_label("否").check()
            expect(sessions).to_be_hidden()
            page.get_by_role("group", name="是否接入远程会诊系统").get_by_label("是").check()
            expect(sessions).to_be_visible()
        page.evaluate(SET_VALUES, {k: v for k, v in values.items() if TOWNSHIP.item[k].section == section.id})
        page.get_by_role("button", name="保存并继续").click()

    expect(page.get_by_text("需上传佐证材料").first).to_be_visible()  # clauses that need a file block submission
    attach_required_files(db_path)  # through the store here: test_browser_clauses uploads one through the page
    page.reload()
    expect(page.get_by_text("必填项已全部填写")).to_be_visible()
    page.get_by_role("button", name="提交审核").click()
    expect(page.get_by_text("已提交，等待审核。", exact=True)).to_be_visible()
    expect(page.locator("h1 .status")).to_have_text("已提交")
    screenshot(page, "04-submitted")
    page.get_by_role("link", name="2. 人员").click()
    expect(page.get_by_label("在岗职工总数（人）")).to_be_disabled()
    expect(page.get_by_label("在岗职工总数（人）")).to_have_value("100")
    assert problems == []  # the live scorecard, relevance and the unsaved-changes guard all ran under the CSP
    page.context.close()


def test_phone_keyboard_and_english(browser, live_server):
    page = new_page(browser, live_server, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    sign_in(page, "wangsi")
    page.goto("/rounds/2/sections/staff")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    expect(page.get_by_text("与人事报表不一致，请核对")).to_be_visible()  # the evaluator's comment beside the item
    screenshot(page, "05-phone-returned")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="跳到正文")
    expect(skip).to_be_focused()
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"

    page.get_by_role("button", name="English").click()
    expect(page.get_by_label("Staff on post (persons)")).to_be_visible()
    expect(page.get_by_role("button", name="Save and continue")).to_be_visible()
    screenshot(page, "06-phone-english")
    page.context.close()
