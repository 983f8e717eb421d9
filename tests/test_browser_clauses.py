"""End to end in a real browser: self-rating → evidence upload → county rating → appeal → acceptance → grade change.

On the demo's 2025 round (the clause-based township instrument), 王寺卫生院 (login wangsi) was returned by its
county. Its answers are first set, through the store, so that one ★ core clause decides its grade: with every
other clause as it rated them, 3.1.1 (质量管理组织) at A gives 达到推荐标准 and below C gives 未达到基本标准. In the
browser the centre rates 3.1.1 at A with a note, uploads a file for it and resubmits; the county evaluator
(fengdong) rates it 未达到 from the keyboard and the grade falls; the centre sees the difference and appeals with a
reason and a photo; the evaluator accepts the appeal and the grade is back.
"""

from playwright.sync_api import expect
from test_browser import console_problems, new_page, screenshot, sign_in

import instruments
from survey import db as database
from survey.demo_files import pdf, png
from survey.store.editing import save_answers
from survey.store.responses import answers, get_response
from survey.store.rounds import get_round, round_instrument

ROUND, CENTRE, NAME, CLAUSE = 2, "619901002", "王寺卫生院", "quality_organisation"


def one_clause_decides(db_path) -> tuple[str, str]:
    """Set the centre's GPs so that only the clause is short of the top grade; the grades with it at A and below."""
    db = database.connect(db_path)
    round_ = get_round(db, ROUND)
    instrument = round_instrument(db, round_)
    response = get_response(db, ROUND, CENTRE)
    values = answers(db, instrument, response.id)
    save_answers(db, round_, instrument, CENTRE, {"gps": values["physicians"]}, username="wangsi", source="web")
    values = answers(db, instrument, get_response(db, ROUND, CENTRE).id)
    labels = {grade.id: grade.label.zh for grade in instrument.grades}
    high = labels[instruments.score(instrument, {**values, CLAUSE: "A"}).grade]
    low = labels[instruments.score(instrument, {**values, CLAUSE: "below"}).grade]
    db.close()
    assert (high, low) == ("达到推荐标准", "未达到基本标准")
    return high, low


def sign_out(page):
    page.get_by_role("button", name="退出").click()
    expect(page.get_by_role("button", name="登录")).to_be_visible()


def grade_on_review_page(page):
    return page.locator("dl.facts dd").filter(has=page.locator("strong")).last


def test_self_rating_evidence_county_rating_appeal_and_acceptance(browser, live_server, db_path, tmp_path):
    high, low = one_clause_decides(db_path)
    (tmp_path / "质控小组制度.pdf").write_bytes(pdf("quality management group"))
    (tmp_path / "整改照片.png").write_bytes(png(5))
    page = new_page(browser, live_server, viewport={"width": 1366, "height": 900})
    problems = console_problems(page)

    # The centre rates the clause at A against its requirement, says why, attaches a file and resubmits.
    sign_in(page, "wangsi")
    page.goto(f"/rounds/{ROUND}/chapters/management")
    clause = page.locator(f"#clause-{CLAUSE}")
    expect(clause.get_by_text("运用PDCA等质量工具持续改进")).to_be_visible()  # level A's requirement
    clause.get_by_role("radio", name="A", exact=False).first.check()
    clause.get_by_label("说明（依据；不适用时写明理由）").fill("质控小组每季度开展质量检查并持续改进")
    page.get_by_role("button", name="保存自评").click()
    expect(page.get_by_text("已保存自评。")).to_be_visible()
    clause = page.locator(f"#clause-{CLAUSE}")
    clause.locator("input[type=file]").set_input_files(tmp_path / "质控小组制度.pdf")
    clause.get_by_role("button", name="上传", exact=True).click()
    expect(page.get_by_text("已上传佐证材料“质控小组制度.pdf”")).to_be_visible()
    expect(page.locator(f"#clause-{CLAUSE}").get_by_role("link", name="质控小组制度.pdf")).to_be_visible()
    screenshot(page, "20-self-rating-and-evidence")
    page.goto(f"/rounds/{ROUND}")
    page.get_by_role("button", name="提交审核").click()
    expect(page.get_by_text("已提交，等待审核。", exact=True)).to_be_visible()
    sign_out(page)

    # The county sees the self-rating and the file, and rates the clause below C from the keyboard.
    sign_in(page, "fengdong")
    page.goto(f"/review/rounds/{ROUND}/responses/{CENTRE}")
    expect(grade_on_review_page(page)).to_contain_text(high)
    page.locator("details.chapter summary", has_text="业务管理").click()
    row = page.locator(f"#rate-{CLAUSE}")
    expect(row.get_by_role("link", name="质控小组制度.pdf")).to_be_visible()
    expect(row).to_contain_text("质控小组每季度开展质量检查并持续改进")
    row.get_by_label("评审意见：3.1.1").fill("现场未见季度质量检查记录")
    row.get_by_label("评审意见：3.1.1").press("Tab")  # C
    page.keyboard.press("Tab")  # B
    page.keyboard.press("Tab")  # A
    page.keyboard.press("Tab")  # 未达到
    expect(row.get_by_role("button", name="未达到")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_text("已保存评级：条款 3.1.1「")).to_be_visible()
    expect(grade_on_review_page(page)).to_contain_text(low)
    screenshot(page, "21-county-rating")
    sign_out(page)

    # The centre sees the difference and appeals with a reason and a photo.
    sign_in(page, "wangsi")
    page.goto(f"/rounds/{ROUND}")
    dispute = page.locator(f"#dispute-{CLAUSE}")
    expect(dispute).to_contain_text("现场未见季度质量检查记录")
    expect(dispute).to_contain_text("未达到")
    dispute.get_by_label("申诉理由").fill("季度质量检查记录存于质控科，现场未及时调阅，现补充照片")
    dispute.get_by_label("补充佐证材料（可选）").set_input_files(tmp_path / "整改照片.png")
    dispute.get_by_role("button", name="提出申诉").click()
    expect(page.get_by_text("已提交申诉：条款 3.1.1「")).to_be_visible()
    expect(page.locator(f"#dispute-{CLAUSE}")).to_contain_text("待处理")
    screenshot(page, "22-appeal")
    sign_out(page)

    # The county finds the appeal in its queue, sees the photo, accepts: the level and the grade come back.
    sign_in(page, "fengdong")
    page.goto(f"/review/?round={ROUND}")
    expect(page.get_by_role("heading", name="待处理的申诉（2）")).to_be_visible()  # the demo's own and this one
    page.get_by_role("link", name=NAME).first.click()
    appeals = page.locator("#appeals")
    expect(appeals.get_by_role("img", name="整改照片.png")).to_be_visible()
    appeals.get_by_role("button", name="采纳", exact=True).click()
    expect(page.get_by_text("已采纳申诉：条款 3.1.1「")).to_be_visible()
    expect(grade_on_review_page(page)).to_contain_text(high)
    expect(page.locator("#appeals")).to_contain_text("已采纳")
    screenshot(page, "23-appeal-accepted")
    assert problems == []
    page.context.close()
