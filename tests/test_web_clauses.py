"""Clauses, evidence and appeals on the web: self-rating, files, the evaluator's click, appeals, every bad input."""

import io
import re

from conftest import DOUMEN, fill_completely, stored

from survey.demo_files import pdf, png
from survey.store.ratings import clause_ratings
from survey.store.responses import answers, get_response
from survey.store.rounds import get_round, round_instrument

SHANGLIN, GAOQIAO = "619901003", "619902002"  # 上林: its appeal waits in 沣东新城; 高桥: awaits 沣西新城's review


def instrument_of(db):
    return round_instrument(db, get_round(db, 2))


def text(response):
    return response.get_data(as_text=True)


def counts(db):
    tables = ("responses", "answers", "answer_notes", "audit", "evidence", "appeals")
    return {t: db[t].count for t in tables} | {"versions": list(db.query("SELECT id, version FROM responses"))}


def chapter_data(db, chapter_id, code=DOUMEN, **changes):
    """What a chapter's self-rating page posts unchanged, with `changes` (clause id: (level, note)) over it."""
    instrument = instrument_of(db)
    response = get_response(db, 2, code)
    rated = clause_ratings(db, instrument, response.id)
    data = {"version": str(response.version)}
    for clause in instrument.onsite_clauses:
        if clause.chapter == chapter_id:
            mine = rated.get(clause.id)
            data[f"rate_{clause.id}"] = mine.reported if mine and mine.reported else ""
            data[f"note_{clause.id}"] = mine.note if mine else ""
    for clause_id, (level, note) in changes.items():
        data[f"rate_{clause_id}"], data[f"note_{clause_id}"] = level, note
    return data


# ---------------------------------------------------------------- centres: self-rating


def test_a_chapter_shows_each_level_s_requirement_and_the_auto_levels(doumen, app_db):
    page = text(doumen.get("/rounds/2/chapters/management"))
    clause = instrument_of(app_db).clause["quality_organisation"]
    block = page.split('id="clause-quality_organisation"')[1].split("</article>")[0]
    assert clause.text.zh in block and all(level.text.zh in block for level in clause.levels)
    assert 'name="rate_quality_organisation"' in block and "暂不评" in block and "不适用" in block
    assert "佐证材料" in block and "必须上传" in block  # its evidence is required
    resources = text(doumen.get("/rounds/2/chapters/resources"))
    auto = resources.split('id="clause-prof_tech_staffing"')[1].split("</article>")[0]
    assert "按填报数据" in auto and 'name="rate_prof_tech_staffing"' not in auto
    assert "等级要求（条款达标比例）" in resources and "再有 " in resources  # the scorecard's clause part


def test_self_ratings_are_saved_audited_and_scored(doumen, app_db):
    before = get_response(app_db, 2, DOUMEN)
    data = chapter_data(app_db, "management", quality_organisation=("A", "有年度计划和总结"), core_systems=("C", ""))
    assert doumen.post("/rounds/2/chapters/management", data=data).status_code == 302
    response, values = stored(app_db)
    assert values["quality_organisation"] == "A" and values["core_systems"] == "C"
    assert response.version == before.version + 1
    assert clause_ratings(app_db, instrument_of(app_db), response.id)["quality_organisation"].note == "有年度计划和总结"
    trail = list(app_db.query("SELECT action, new FROM audit WHERE item_id = 'quality_organisation' ORDER BY id"))
    assert trail[-2:] == [
        {"action": "self_rating", "new": "A"},
        {"action": "self_rating_note", "new": "有年度计划和总结"},
    ]
    page = text(doumen.get("/rounds/2/chapters/management"))
    block = page.split('id="clause-quality_organisation"')[1].split("</article>")[0]
    assert "已保存自评。" in page and re.search(r'<input checked [^>]*value="A"', block)


def test_a_post_that_leaves_a_clause_out_leaves_its_rating(doumen, app_db):
    data = chapter_data(app_db, "management", quality_organisation=("B", ""), core_systems=("C", "有记录"))
    doumen.post("/rounds/2/chapters/management", data=data)
    version = stored(app_db)[0].version
    only = {"version": str(version), "rate_quality_organisation": "A", "note_quality_organisation": ""}
    assert doumen.post("/rounds/2/chapters/management", data=only).status_code == 302
    values = stored(app_db)[1]
    assert (values["quality_organisation"], values["core_systems"]) == ("A", "C")


def test_a_level_the_clause_does_not_have_is_refused_at_the_clause(doumen, app_db):
    before = counts(app_db)
    data = chapter_data(app_db, "management", quality_organisation=("D", ""), core_systems=("A", ""))
    page = text(doumen.post("/rounds/2/chapters/management", data=data))
    assert "未保存：请先改正下面标出的问题。" in page
    block = page.split('id="clause-quality_organisation"')[1].split("</article>")[0]
    assert "此条款没有这一级" in block
    assert counts(app_db) == before  # core_systems was not saved either


def test_not_applicable_needs_a_reason_and_a_stale_page_saves_nothing(doumen, app_db):
    before = counts(app_db)
    data = chapter_data(app_db, "management", quality_organisation=("not_applicable", " "))
    page = text(doumen.post("/rounds/2/chapters/management", data=data))
    assert "选择“不适用”时请写明理由" in page.split('id="clause-quality_organisation"')[1].split("</article>")[0]
    assert counts(app_db) == before
    stale = chapter_data(app_db, "management", quality_organisation=("B", ""))
    stale["version"] = str(int(stale["version"]) - 1)
    page = text(doumen.post("/rounds/2/chapters/management", data=stale))
    assert "此填报已在其他窗口或由他人修改过" in page and counts(app_db) == before


def test_an_unknown_chapter_is_404(doumen):
    assert doumen.get("/rounds/2/chapters/nowhere").status_code == 404


# ---------------------------------------------------------------- centres: evidence


def upload(client, target, name, data):
    return client.post(
        "/rounds/2/evidence", data={"target": target, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data", follow_redirects=True,
    )  # fmt: skip


def evidence_files(db):
    folder = db_folder(db)
    return sorted(p.name for p in folder.rglob("*") if p.is_file())


def db_folder(db):
    from survey.store.evidence import folder

    return folder(db)


def test_a_file_is_stored_listed_and_served_to_whoever_reaches_it(client, auth, app_db):
    auth.as_user("doumen")
    page = text(upload(client, "quality_organisation", "质控小组文件.pdf", pdf("quality")))
    assert "已上传佐证材料“质控小组文件.pdf”：条款 3.1.1「" in page
    found = next(app_db.query("SELECT * FROM evidence WHERE item_id = 'quality_organisation' ORDER BY id DESC"))
    link = f"/rounds/2/responses/{DOUMEN}/evidence/{found['id']}"
    assert link in page
    served = client.get(link)
    assert served.data == pdf("quality") and served.mimetype == "application/pdf"
    assert served.headers["Content-Disposition"].startswith("attachment") and "nosniff" in str(served.headers)
    served.close()
    photo = text(upload(client, "staff_total", "花名册.png", png(2)))
    assert "已上传佐证材料“花名册.png”：“在岗职工总数”" in photo
    shown = next(app_db.query("SELECT id FROM evidence WHERE item_id = 'staff_total'"))["id"]
    image = client.get(f"/rounds/2/responses/{DOUMEN}/evidence/{shown}")
    assert image.mimetype == "image/png" and image.headers["Content-Disposition"].startswith("inline")
    image.close()
    auth.as_user("wangsi")  # another centre
    assert client.get(link).status_code == 404
    auth.as_user("fengxi")  # an evaluator of another county
    assert client.get(link).status_code == 404
    auth.as_user("fengdong")
    seen = client.get(link)
    assert seen.data == pdf("quality")
    seen.close()


def test_a_wrong_type_an_empty_or_too_large_file_is_refused_with_the_reason(doumen, app_db):
    cases = [
        ("制度.pdf", b"plain text saved with a .pdf name", "只接受 PDF、JPEG、PNG、XLSX、DOCX 文件"),
        ("photo.gif", b"GIF89a" + b"\x00" * 32, "只接受 PDF、JPEG、PNG、XLSX、DOCX 文件"),
        ("empty.pdf", b"", "文件是空的"),
        ("big.pdf", pdf("x") + b"\x00" * (10 * 1024 * 1024), "单个文件不能超过 10 MB"),
    ]
    before, files = counts(app_db), evidence_files(app_db)
    for name, data, message in cases:
        page = text(upload(doumen, "quality_organisation", name, data))
        assert "未上传：条款 3.1.1「" in page and message in page, name
    assert counts(app_db) == before and evidence_files(app_db) == files


def test_a_clause_rated_from_the_answers_takes_no_file(doumen, app_db):
    before = counts(app_db)
    page = text(upload(doumen, "prof_tech_staffing", "a.pdf", pdf("a")))
    assert "未上传：条款 1.3.1「" in page and "此项不接受佐证材料" in page
    assert counts(app_db) == before


def test_another_centre_s_file_cannot_be_removed_and_a_removal_is_audited(client, auth, app_db):
    theirs = next(app_db.query("SELECT id FROM evidence WHERE response_id = ?", [get_response(app_db, 2, SHANGLIN).id]))
    auth.as_user("doumen")
    before = counts(app_db)
    assert client.post(f"/rounds/2/evidence/{theirs['id']}/remove").status_code == 404
    assert counts(app_db) == before
    upload(client, "quality_organisation", "a.pdf", pdf("a"))
    mine = next(app_db.query("SELECT id FROM evidence WHERE item_id = 'quality_organisation' ORDER BY id DESC"))
    page = text(client.post(f"/rounds/2/evidence/{mine['id']}/remove", data={"confirm": "yes"}, follow_redirects=True))
    assert "已删除佐证材料“a.pdf”。" in page
    assert next(app_db.query("SELECT action, old FROM audit ORDER BY id DESC")) == {
        "action": "evidence_remove", "old": "a.pdf"
    }  # fmt: skip
    auth.as_user("shanglin")  # submitted: its files stay while it is reviewed
    before = counts(app_db)
    page = text(
        client.post(f"/rounds/2/evidence/{theirs['id']}/remove", data={"confirm": "yes"}, follow_redirects=True)
    )
    assert "未删除：填报已提交、已通过或轮次已结束" in page and counts(app_db) == before


def test_submission_waits_for_the_required_files_uploaded_on_the_web(doumen, app_db):
    fill_completely(app_db, evidence=False)
    page = text(doumen.post("/rounds/2/submit"))
    assert "还不能提交" in page and "需上传佐证材料" in page and stored(app_db)[0].status == "draft"
    instrument = instrument_of(app_db)
    values = stored(app_db)[1]
    for clause in instrument.onsite_clauses:
        if clause.evidence == "required" and values.get(clause.id) != "not_applicable":
            upload(doumen, clause.id, f"{clause.number}.pdf", pdf(clause.id))
    assert doumen.post("/rounds/2/submit").status_code == 302
    assert stored(app_db)[0].status == "submitted"


# ---------------------------------------------------------------- evaluators: one click per clause


def rate(client, clause_id, level, comment="", code=GAOQIAO, db=None):
    version = get_response(db, 2, code).version
    return client.post(
        f"/review/rounds/2/responses/{code}/clauses/{clause_id}",
        data={"version": str(version), "level": level, "comment": comment}, follow_redirects=True,
    )  # fmt: skip


def test_the_evaluator_rates_a_clause_with_one_click_and_it_scores(client, auth, app_db):
    from survey.store.scores import round_scores

    auth.as_user("fengxi")
    page = text(client.get(f"/review/rounds/2/responses/{GAOQIAO}"))
    row = page.split('id="rate-quality_organisation"')[1].split("</tr>")[0]
    assert 'name="level" value="A"' in row and 'name="level" value="not_applicable"' in row and "机构自评" in page
    assert re.search(r'<img class="thumb" src="/rounds/2/responses/619902002/evidence/\d+"', page) or "<a href" in row
    response = get_response(app_db, 2, GAOQIAO)
    instrument = instrument_of(app_db)
    self_rated = answers(app_db, instrument, response.id)["quality_organisation"]
    result = text(rate(client, "quality_organisation", "below", "现场未见质控记录", db=app_db))
    assert "已保存评级：条款 3.1.1「" in result
    rated = clause_ratings(app_db, instrument, response.id)["quality_organisation"]
    assert (rated.reported, rated.verified, rated.comment, rated.verified_level) == (
        self_rated, "below", "现场未见质控记录", 1
    )  # fmt: skip
    scores = round_scores(app_db, get_round(app_db, 2), "619902")
    assert scores.scores.clause("quality_organisation", scores.row_of[GAOQIAO]).status == "below"
    shown = text(client.get(f"/review/rounds/2/responses/{GAOQIAO}")).split('id="rate-quality_organisation"')[1]
    assert 'value="below" aria-pressed="true"' in shown.split("</tr>")[0]


def test_a_bad_rating_by_the_evaluator_writes_nothing(client, auth, app_db):
    auth.as_user("fengxi")
    before = counts(app_db)
    for clause_id, level, comment, message in [
        ("prof_tech_staffing", "B", "", "此条款按填报数据自动评级，不能手工评级"),  # an auto clause
        ("quality_organisation", "D", "", "此条款没有这一级"),
        ("quality_organisation", "not_applicable", "", "选择“不适用”时请写明理由"),
        ("nothing_like_it", "B", "", "不是本问卷的条款"),
    ]:
        page = text(rate(client, clause_id, level, comment, db=app_db))
        assert "未保存评级：" in page and message in page, clause_id
    auth.as_user("fengdong")  # 上林 awaits the city now: the county may not rate it
    page = text(rate(client, "quality_organisation", "A", code=SHANGLIN, db=app_db))
    assert "当前不在待您这一级审核的状态" in page
    assert counts(app_db) == before


# ---------------------------------------------------------------- appeals


def test_the_centre_sees_what_was_verified_differently_and_appeals_once(client, auth, app_db):
    auth.as_user("shanglin")
    overview = text(client.get("/rounds/2"))
    appeals = overview.split('id="appeals"')[1].split("</section>")[0]
    pending = next(app_db.query("SELECT * FROM appeals"))
    assert "待处理" in appeals and pending["reason"] in appeals
    open_rows = re.findall(r'<input type="hidden" name="item" value="([a-z_0-9]+)">', appeals)
    assert pending["item_id"] not in open_rows  # one pending appeal at a time on the same clause
    response = get_response(app_db, 2, SHANGLIN)
    before = counts(app_db)
    again = {"item": pending["item_id"], "response": str(response.id), "reason": "再次申诉"}
    page = text(client.post("/rounds/2/appeals", data=again))
    assert "未提交申诉：条款 " in page and "此项已有一项申诉在等待处理" in page and counts(app_db) == before
    elsewhere = {"item": open_rows[0], "response": str(get_response(app_db, 2, GAOQIAO).id), "reason": "理由"}
    page = text(client.post("/rounds/2/appeals", data=elsewhere))
    assert "只能对本机构的填报提出申诉" in page and counts(app_db) == before
    blank = {"item": open_rows[0], "response": str(response.id), "reason": "  "}
    assert "请写明申诉理由" in text(client.post("/rounds/2/appeals", data=blank)) and counts(app_db) == before
    lodged = {"item": open_rows[0], "response": str(response.id), "reason": "制度已按要求修订",
              "file": (io.BytesIO(png(9)), "修订后的制度.png")}  # fmt: skip
    page = text(client.post("/rounds/2/appeals", data=lodged, content_type="multipart/form-data",
                            follow_redirects=True))  # fmt: skip
    assert "已提交申诉：" in page
    assert app_db["appeals"].count == 2 and app_db["evidence"].count == before["evidence"] + 1


def test_the_county_accepts_an_appeal_and_the_level_and_score_change(client, auth, app_db):
    from survey.store.scores import round_scores

    pending = next(app_db.query("SELECT * FROM appeals"))
    instrument = instrument_of(app_db)
    response = get_response(app_db, 2, SHANGLIN)
    league = round_scores(app_db, get_round(app_db, 2), "619901")
    before = league.scores.clause(pending["item_id"], league.row_of[SHANGLIN])
    auth.as_user("fengdong")
    queue = text(client.get("/review/?round=2"))
    assert "待处理的申诉（1）" in queue and "上林卫生院" in queue
    auth.as_user("xixian-city")  # the city did not verify it: the appeal is not theirs
    page = text(client.post(f"/review/rounds/2/appeals/{pending['id']}", data={"decision": "accept"},
                            follow_redirects=True))  # fmt: skip
    assert "此申诉应由核实该值的那一级评审处理" in page
    auth.as_user("fengdong")
    page = text(client.post(f"/review/rounds/2/appeals/{pending['id']}", data={"decision": "reject", "reason": ""},
                            follow_redirects=True))  # fmt: skip
    assert "不予采纳时请写明理由" in page and next(app_db.query("SELECT status FROM appeals"))["status"] == "pending"
    page = text(client.post(f"/review/rounds/2/appeals/{pending['id']}", data={"decision": "accept"},
                            follow_redirects=True))  # fmt: skip
    assert "已采纳申诉：" in page
    assert answers(app_db, instrument, response.id, verified=True)[pending["item_id"]] == pending["reported"]
    league = round_scores(app_db, get_round(app_db, 2), "619901")
    after = league.scores.clause(pending["item_id"], league.row_of[SHANGLIN])
    assert (before.level, after.level) == (pending["verified"], pending["reported"])
    assert "待处理的申诉" not in text(client.get("/review/?round=2"))


def test_the_officials_round_page_counts_pending_appeals(client, auth):
    auth.as_user("xixian")
    page = text(client.get("/reports/"))
    current = page.split("2025年度乡镇卫生院服务能力评估")[1].split("2024年度")[0]
    assert "待处理的申诉" in current and "<dd data-appeals>1</dd>" in current
