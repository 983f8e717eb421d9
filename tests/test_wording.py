"""Names that read well out of their place: a part of an item names its whole (in the submit checklist and in
refusals), and an item and an indicator that share a label say which is which (the data-quality page)."""

import re

from flask_babel import force_locale

from instruments import formatting
from instruments.formatting import item_name
from instruments.library import get
from survey import words
from survey.store.responses import get_response

TOWNSHIP_2025, TOWNSHIP_2026 = get("township-health-centre", "2025.1"), get("township-health-centre", "2026.1")


def page(response):
    return response.get_data(as_text=True)


def test_a_part_names_its_whole_in_both_languages():
    hypertension, diabetes = (TOWNSHIP_2026.item[f"{kind}_standard_managed"] for kind in ("hypertension", "diabetes"))
    assert hypertension.label.get("zh") == diabetes.label.get("zh") == "其中：规范管理人数"  # alike on the form
    assert item_name(TOWNSHIP_2026, hypertension) == "管理的高血压患者人数中的规范管理人数"
    assert item_name(TOWNSHIP_2026, diabetes) == "管理的2型糖尿病患者人数中的规范管理人数"
    assert item_name(TOWNSHIP_2026, diabetes, "en") == (
        "Type 2 diabetes patients under management: of which managed to standard"
    )
    assert item_name(TOWNSHIP_2026, TOWNSHIP_2026.item["diabetes_managed"]) == "管理的2型糖尿病患者人数"


def test_the_submit_checklist_tells_the_two_parts_apart(doumen, app_db):
    response = get_response(app_db, 2, "619901001")  # 斗门卫生院's draft, both parts left blank
    app_db.execute("DELETE FROM answers WHERE response_id = ? AND item_id LIKE '%_standard_managed'", [response.id])
    checklist = page(doumen.get("/rounds/2")).split('id="problems"')[1].split("</ul>")[0]
    assert "管理的高血压患者人数中的规范管理人数</a>：必填" in checklist
    assert "管理的2型糖尿病患者人数中的规范管理人数</a>：必填" in checklist
    assert "其中：规范管理人数" not in checklist


def test_an_item_and_an_indicator_of_one_label_say_which_is_which(app):
    with app.test_request_context():
        assert words.label(TOWNSHIP_2025, "diseases_treatable", "zh") == "可诊治病种数（填报项）"
        indicator = next(i.id for i in TOWNSHIP_2025.indicators if i.label.get("zh") == "可诊治病种数")
        assert words.label(TOWNSHIP_2025, indicator, "zh") == "可诊治病种数（指标）"
        assert words.label(TOWNSHIP_2025, "staff_total", "zh") == "在岗职工总数"  # no twin: as it is


def test_targets_show_the_unit_their_formula_counts_in():
    community = get("community-health-centre", "2025.1")
    assert formatting.target(TOWNSHIP_2026.indicator["gps_per_10k"]) == "≥ 3 人/万人"
    assert formatting.target(TOWNSHIP_2026.indicator["gps_per_10k"], "en") == "≥ 3 persons per 10,000 persons"
    assert formatting.target(community.indicator["health_tech_per_bed"]) == "≥ 0.7 人/张"
    assert formatting.target(community.indicator["health_tech_per_bed"], "en") == "≥ 0.7 persons per bed"
    assert formatting.target(community.indicator["ph_physician_count"], "en") == "≥ 1 person"
    assert formatting.target(community.indicator["nurse_physician_ratio"]) == "≥ 1"  # persons per person: none
    assert formatting.target(TOWNSHIP_2026.indicator["prof_tech_share"]) == "≥ 90%"


def test_the_scorecard_shows_the_target_with_its_unit(doumen):
    row = page(doumen.get("/rounds/2")).split('data-indicator="gps_per_10k"')[1].split("</tr>")[0]
    assert "≥ 3 人/万人" in row


FULL_WIDTH = re.compile(r"[，。：；（）“”、！？「」]")


def test_english_pages_use_ascii_punctuation(doumen, app_db):
    response = get_response(app_db, 2, "619901001")
    app_db.execute("DELETE FROM answers WHERE response_id = ? AND item_id LIKE '%_standard_managed'", [response.id])
    doumen.post("/language", data={"lang": "en", "next": "/rounds"})
    overview = page(doumen.get("/rounds/2"))
    checklist = overview.split('id="problems"')[1].split("</ul>")[0]
    assert "Type 2 diabetes patients under management: of which managed to standard</a>: required" in checklist
    assert not FULL_WIDTH.search(checklist)
    mine = page(doumen.get("/rounds"))
    assert "(619901001)" in mine and not FULL_WIDTH.search(mine.split("<main")[1].split("</main>")[0])


def test_an_import_s_first_self_ratings_read_as_counts_in_the_audit_trail(app):
    row = {"action": "import", "item_id": None}
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert words.audit_value(TOWNSHIP_2026, row, "77 self-ratings, 2 notes", "zh") == "77 项条款自评，2 条自评说明"
        assert words.audit_value(TOWNSHIP_2026, row, "70 answers", "zh") == "70 项答案"
        with force_locale("en"):
            said = words.audit_value(TOWNSHIP_2026, row, "77 self-ratings, 2 notes", "en")
    assert said == "77 self-ratings, 2 notes"
