"""The clause-based bundled instruments (2026.1): the standards' four chapters as clauses, the fixed
figures and denominators, community-hospital criteria only for community hospitals, the Yan'an
monitoring figures and dimensions, grades by clause shares, and the diff from 2025.1."""

import re

import pytest

import instruments
from instruments.diff import diff
from instruments.gaps import Gap
from instruments.item_types import ITEM_TYPES
from instruments.library import every_version, get

TOWNSHIP = get("township-health-centre", "2026.1")
COMMUNITY = get("community-health-centre", "2026.1")
NEW = [TOWNSHIP, COMMUNITY]
CHAPTERS = {"resources": "功能任务与资源配置", "services": "基本医疗和公共卫生服务",
            "management": "业务管理", "administration": "综合管理"}  # fmt: skip
YANAN = {"coverage": "全度", "strength": "力度", "precision": "准度", "effect": "效度"}
UNCHECKED = "待与官方原文核对"
TOWNSHIP_EQUIPMENT = ("dr", "ultrasound", "ecg", "biochem", "hematology", "urine", "defibrillator", "monitor",
                      "resuscitator", "gastric_lavage", "ambulance", "autoclave")  # fmt: skip
COMMUNITY_EQUIPMENT = ("ecg", "ultrasound", "biochem", "hematology", "urine", "microscope", "autoclave")


def picks(instrument, item_id, n=None):
    """The first `n` options of a multi-choice item (all of them when n is None)."""
    values = list(instrument.item[item_id].choice_values)
    return values if n is None else values[:n]


def township_centre(**changes):
    """A township centre of 30,000 people meeting every basic figure; its onsite clauses unrated."""
    t = TOWNSHIP
    answers = {
        "service_population": 30000, "ownership": "government", "is_central": False, "has_inpatient": True,
        "staff_establishment": 50, "staff_total": 60, "staff_prof_tech": 46, "staff_health_tech": 44,
        "physicians": 16, "gps": 9, "tcm_physicians": 4, "ph_physicians": 1, "nurses": 18,
        "floor_area": 2500, "needs_renovation": False, "beds": 30,
        **{f"eq_{k}": 1 for k in TOWNSHIP_EQUIPMENT}, **{f"eq_{k}_ok": 1 for k in TOWNSHIP_EQUIPMENT},
        "equipment_recommended": ["gastroscope", "holter"], "tcm_equipment": picks(t, "tcm_equipment", 6),
        "lab_tests_basic": picks(t, "lab_tests_basic"), "lab_tests_extended": picks(t, "lab_tests_extended"),
        "visits_total": 60000, "depts_basic": picks(t, "depts_basic"), "depts_extra": ["stomatology", "rehabilitation"],
        "diseases_internal": picks(t, "diseases_internal"), "diseases_surgical": picks(t, "diseases_surgical"),
        "diseases_women_children": picks(t, "diseases_women_children"), "diseases_other": picks(t, "diseases_other", 6),
        "surgery_level": "level1", "surgeries": picks(t, "surgeries", 3),
        "emergency_techniques": picks(t, "emergency_techniques"), "rehab_services": picks(t, "rehab_services", 4),
        "has_tcm_hall": True, "tcm_techniques": picks(t, "tcm_techniques", 6), "home_services": picks(t, "home_services", 2),
        "health_lectures": 12, "health_consultations": 9, "immunization_due": 1000, "immunization_given": 950,
        "has_digital_vaccination_clinic": True, "hypertension_managed": 2000, "hypertension_standard_managed": 1700,
        "diabetes_managed": 600, "diabetes_standard_managed": 500, "contracted_residents": 12000,
        "key_pop_total": 8000, "key_pop_contracted": 5000, "platform_interconnected": True,
        "has_online_booking": False, "has_online_consultation": False, "has_mobile_payment": False,
        "residents_online_records": False, "in_medical_community": True, "has_telemedicine": False,
    }  # fmt: skip
    return {**answers, **changes}


def community_centre(**changes):
    """A community health service centre of 50,000 people meeting the 2006 centre standard; not a community hospital."""
    c = COMMUNITY
    answers = {
        "service_population": 50000, "ownership": "government", "is_community_hospital": False, "has_inpatient": False,
        "staff_total": 70, "staff_prof_tech": 62, "staff_health_tech": 60, "physicians": 20, "gps": 12,
        "tcm_physicians": 5, "ph_physicians": 2, "physicians_senior": 2, "tcm_physicians_intermediate": 2,
        "nurses": 22, "nurses_intermediate": 3, "floor_area": 3000, "needs_renovation": False, "observation_beds": 6,
        **{f"eq_{k}": 1 for k in COMMUNITY_EQUIPMENT}, **{f"eq_{k}_ok": 1 for k in COMMUNITY_EQUIPMENT},
        "equipment_clinical": picks(c, "equipment_clinical"), "equipment_auxiliary": picks(c, "equipment_auxiliary"),
        "equipment_prevention": picks(c, "equipment_prevention"), "equipment_recommended": picks(c, "equipment_recommended", 4),
        "tcm_equipment": picks(c, "tcm_equipment", 6), "lab_tests_basic": picks(c, "lab_tests_basic"),
        "lab_tests_extended": picks(c, "lab_tests_extended"), "visits_total": 150000,
        "depts_basic": picks(c, "depts_basic"), "depts_extra": picks(c, "depts_extra", 2),
        "diseases_internal": picks(c, "diseases_internal"), "diseases_surgical": picks(c, "diseases_surgical"),
        "diseases_women_children": picks(c, "diseases_women_children"), "diseases_other": picks(c, "diseases_other", 6),
        "emergency_techniques": picks(c, "emergency_techniques"), "rehab_services": picks(c, "rehab_services", 4),
        "has_tcm_hall": True, "tcm_techniques": picks(c, "tcm_techniques", 6), "home_services": picks(c, "home_services", 3),
        "health_lectures": 12, "health_consultations": 9, "immunization_due": 1000, "immunization_given": 950,
        "has_digital_vaccination_clinic": True, "hypertension_managed": 4000, "hypertension_standard_managed": 3400,
        "diabetes_managed": 1200, "diabetes_standard_managed": 1000, "contracted_residents": 20000,
        "key_pop_total": 12000, "key_pop_contracted": 8000, "platform_interconnected": True,
        "has_online_booking": True, "has_online_consultation": False, "has_mobile_payment": True,
        "residents_online_records": False, "in_medical_alliance": True, "has_telemedicine": False,
    }  # fmt: skip
    return {**answers, **changes}


COMMUNITY_HOSPITAL = {"is_community_hospital": True, "has_inpatient": True, "ch_beds_open": 40, "ch_bed_days_open": 14600,
                      "ch_bed_days_occupied": 11680, "ch_depts_clinical": 5, "ch_depts_with_attending": 5}  # fmt: skip


def rated(instrument, basic, recommended=None):
    """Every onsite clause rated: basic clauses at `basic`, recommended ones at `recommended` (default the same)."""
    return {c.id: (recommended or basic) if c.standard == "recommended" else basic for c in instrument.onsite_clauses}


# ---------------------------------------------------------------- the standard's layout


@pytest.mark.parametrize("instrument", NEW, ids=lambda i: i.id)
def test_clauses_follow_the_four_chapters(instrument):
    assert {c.id: c.title.zh for c in instrument.chapters} == CHAPTERS
    assert len(instrument.clauses) >= 80
    for chapter in CHAPTERS:
        mine = [c for c in instrument.clauses if c.chapter == chapter]
        assert mine and {c.standard for c in mine} <= {"basic", "recommended"}, chapter
        assert any(c.core for c in mine), chapter
        assert all(c.number.startswith(f"{list(CHAPTERS).index(chapter) + 1}.") for c in mine), chapter
    assert {c.standard for c in instrument.clauses} == {"basic", "recommended"}
    assert len({c.number for c in instrument.clauses}) == len(instrument.clauses)
    for clause in instrument.clauses:
        assert clause.level_ids == ("C", "B", "A"), clause.id
        if clause.auto:
            assert all(level.when is not None for level in clause.levels) and clause.weight is None, clause.id
        else:
            assert all(level.text and level.text.zh for level in clause.levels), clause.id
            assert clause.weight == (2 if clause.core else 1) and clause.credits == (0.6, 0.8, 1.0), clause.id
    assert any(c.evidence == "required" for c in instrument.onsite_clauses)


@pytest.mark.parametrize("instrument", NEW, ids=lambda i: i.id)
def test_every_chapter_and_programme_has_its_clauses(instrument):
    programmes = {
        "emergency_care", "rehabilitation", "laboratory_tests", "drug_management", "essential_medicines",
        "health_records_service", "health_education_service", "immunization_coverage", "immunization_practice",
        "child_health", "maternal_health", "elderly_health", "hypertension_management", "diabetes_management",
        "severe_mental_disorders", "tuberculosis_management", "tcm_health_management", "infectious_disease_reporting",
        "quality_organisation", "core_systems", "infection_control_organisation", "medical_records_quality",
        "medical_waste", "financial_management", "performance_pay", "patient_satisfaction",
    }  # fmt: skip
    assert programmes <= set(instrument.clause)


@pytest.mark.parametrize("instrument", NEW, ids=lambda i: i.id)
def test_every_indicator_and_clause_has_a_yanan_dimension(instrument):
    (framework,) = instrument.frameworks
    assert framework.id == "yanan"
    assert {g.id: g.title.zh for g in framework.groups} == YANAN
    for part in (*instrument.indicators, *instrument.clauses):
        assert part.groups.get("yanan") in YANAN, part.id
    for group in YANAN:  # each dimension has something scored in it
        assert any(i.groups["yanan"] == group for i in instrument.scored_indicators) or any(
            c.groups["yanan"] == group and c.weight for c in instrument.clauses
        ), group


@pytest.mark.parametrize("instrument", NEW, ids=lambda i: i.id)
def test_every_scored_figure_cites_its_source_without_placeholders(instrument):
    refs = [(i.id, i.standard) for i in instrument.scored_indicators] + [
        (c.id, c.standard_ref) for c in instrument.clauses
    ]
    for part, ref in refs:
        assert ref and ref.source and ref.text, part
    everything = [(i.id, i.standard) for i in instrument.indicators] + [
        (c.id, c.standard_ref) for c in instrument.clauses
    ]
    for part, ref in everything:
        if ref:
            assert not re.search(r"(文件名称|题名|版本)待核对", ref.source), (part, ref.source)
    recalled = [part for part, ref in refs if ref.note and ref.note.startswith(UNCHECKED)]
    assert len(recalled) > len(refs) / 2, "figures recalled or seen only in a copy say so"


@pytest.mark.parametrize("instrument", NEW, ids=lambda i: i.id)
def test_grades_by_clause_shares_with_a_qualified_grade_for_small_centres(instrument):
    assert [g.label.zh for g in instrument.grades] == ["达到推荐标准", "达到基本标准", "合格", "未达到基本标准"]
    recommended, basic, qualified, below = instrument.grades
    assert not recommended.min_score and not recommended.must_meet and recommended.requires
    assert [(r.level, r.share) for r in basic.requires] == [("C", 1.0), ("C", 0.8), ("B", 0.2), ("A", 0.05)]
    assert qualified.when.source == "staff_health_tech < 10 and service_population < 10000"
    assert not below.requires and below.when is None


# ---------------------------------------------------------------- the fixed figures, one each


def test_professional_technical_share_is_over_establishment_posts():
    card = instruments.score(TOWNSHIP, township_centre(staff_establishment=50, staff_total=60, staff_prof_tech=44))
    share = card.indicators["prof_tech_share"]
    assert (share.value, share.met) == (pytest.approx(44 / 50), False)
    assert instruments.describe(TOWNSHIP, share.gap) == "专业技术人员数再增加 1 人（44 → 45），即可达到 ≥ 90%（90%）"
    assert TOWNSHIP.indicator["prof_tech_share"].formula.source == "staff_prof_tech / staff_establishment"


def test_a_yes_no_gap_says_what_to_do_not_what_to_answer():
    gap = Gap("online_booking", "has_online_booking", False, True, None, True)
    assert instruments.describe(TOWNSHIP, gap) == "提供在线预约即可达标"
    assert (
        instruments.describe(TOWNSHIP, gap, "en") == "Would meet the target with this in place: Offers online booking"
    )
    words = ITEM_TYPES["boolean"].change_words
    assert words(TOWNSHIP.item["needs_renovation"], True, False, None, "zh") == "不再存在需改造或危旧的业务用房"
    assert words(get("township-health-centre", "2025.1").item["eq_ct"], False, True, None, "zh") == "具备CT"


def test_the_share_of_staff_on_post_is_reported_without_a_target():
    on_post = TOWNSHIP.indicator["prof_tech_share_on_post"]
    assert on_post.formula.source == "staff_prof_tech / staff_total" and on_post.target is None and on_post.pooled
    card = instruments.score(TOWNSHIP, township_centre(staff_total=60, staff_prof_tech=46))
    assert card.indicators["prof_tech_share_on_post"].value == pytest.approx(46 / 60)
    assert card.indicators["prof_tech_share_on_post"].met is None


def test_townships_under_10000_people_need_200_square_metres():
    def floor(population, area, **more):
        answers = township_centre(service_population=population, floor_area=area, has_inpatient=False, **more)
        card = instruments.score(TOWNSHIP, answers)
        return card.indicators["floor_area_required"].value, card.indicators["floor_area_ok"].value

    assert floor(8000, 250) == (200, True)  # 250 m² would fall short of 300 in a larger township
    assert floor(12000, 250) == (300, False)
    card = instruments.score(TOWNSHIP, township_centre(service_population=8000, floor_area=350, beds=10))
    assert card.indicators["floor_area_required"].value == 200 + 20 * 10


def test_equipment_counts_only_units_in_working_order():
    card = instruments.score(TOWNSHIP, township_centre(eq_dr=1, eq_dr_ok=0, eq_ecg=3, eq_ecg_ok=2))
    assert card.indicators["basic_equipment_rate"].value == pytest.approx(11 / 12)
    assert card.indicators["equipment_working_rate"].value == pytest.approx(12 / 14)
    assert card.clauses["basic_equipment"].status == "below"
    assert TOWNSHIP.item["eq_dr"].unit.zh == "台" and TOWNSHIP.item["eq_ambulance"].unit.zh == "辆"


def test_tests_run_by_the_regional_laboratory_count():
    hint = TOWNSHIP.item["lab_tests_basic"].hint.zh
    assert "区域）检验中心检测" in hint and "除外" not in hint
    regional = picks(TOWNSHIP, "lab_tests_basic", 4)
    card = instruments.score(TOWNSHIP, township_centre(lab_tests_regional=regional))
    assert card.indicators["lab_tests_basic_rate"].value == 1.0
    assert card.indicators["lab_tests_regional_count"].value == 4
    assert card.clauses["laboratory_tests"].level == "A"


def test_conditions_and_techniques_are_lists_with_units():
    card = instruments.score(TOWNSHIP, township_centre(diseases_other=picks(TOWNSHIP, "diseases_other", 2)))
    assert card.indicators["diseases_treatable_count"].value == 20 + 16 + 18 + 2
    lists = ("diseases_internal", "diseases_surgical", "diseases_women_children", "diseases_other")
    assert sum(len(TOWNSHIP.item[i].choices) for i in lists) == 66
    assert {TOWNSHIP.item[i].unit.zh for i in lists} == {"种"}
    assert TOWNSHIP.item["tcm_techniques"].type == "multi_choice" and TOWNSHIP.item["tcm_techniques"].unit.zh == "类"


@pytest.mark.parametrize("instrument", NEW, ids=lambda i: i.id)
def test_every_count_has_its_unit(instrument):
    for item in instrument.items:
        if item.type in ("integer", "number", "multi_choice"):
            assert item.unit and item.unit.zh, item.id
    units = {
        i: instrument.item[i].unit.zh for i in ("regional_centres_used", "telemedicine_sessions_used", "depts_basic")
    }
    assert units == {"regional_centres_used": "个", "telemedicine_sessions_used": "次", "depts_basic": "个"}


def test_gp_targets_are_per_10000_service_population():
    gps = TOWNSHIP.indicator["gps_per_10k"]
    assert gps.label.zh == "每万服务人口全科医生数" and gps.target.source == ">= 3"
    assert [level.when.source for level in TOWNSHIP.clause["gp_staffing"].levels] == [
        "gps_per_10k >= 2", "gps_per_10k >= 3", "gps_per_10k >= 5",
    ]  # fmt: skip
    card = instruments.score(TOWNSHIP, township_centre(gps=15, service_population=30000))
    assert card.indicators["gps_per_10k"].value == pytest.approx(5.0) and card.clauses["gp_staffing"].level == "A"


def test_physician_to_nurse_ratio_reads_one_to_x():
    ratio = TOWNSHIP.indicator["nurse_physician_ratio"]
    assert "医 : 护 = 1 : x" in ratio.label.zh and ratio.formula.source == "nurses / physicians"
    card = instruments.score(TOWNSHIP, township_centre(physicians=16, nurses=20))
    assert card.indicators["nurse_physician_ratio"].value == pytest.approx(1.25)  # 医 : 护 = 1 : 1.25


def test_beds_in_place_and_open_beds_are_not_mixed():
    beds = TOWNSHIP.item["beds"]
    assert beds.label.zh == "实有床位数" and "开放" not in beds.hint.zh
    assert TOWNSHIP.item["bed_days_open"].label.zh == "实际开放总床日数"
    assert COMMUNITY.item["ch_beds_open"].label.zh == "实际开放床位数"
    assert COMMUNITY.item["beds"].label.zh.startswith("实有床位数")


@pytest.mark.parametrize("instrument", NEW, ids=lambda i: i.id)
def test_visits_are_counted_as_the_statistic_counts_them(instrument):
    assert instrument.item["visits_total"].label.zh == "年诊疗人次"
    assert not any("门急诊人次" in item.label.zh for item in instrument.items)


def test_invented_targets_are_monitoring_figures():
    monitored = ("platform_connection", "online_booking", "online_consultation", "mobile_payment",
                 "telemedicine_utilization", "shared_centres_count", "nurse_physician_ratio", "bed_occupancy")  # fmt: skip
    for name in monitored:
        assert TOWNSHIP.indicator[name].target is None, name
    for name in monitored[:6]:
        assert COMMUNITY.indicator[name].target is None, name
    plain = instruments.score(TOWNSHIP, township_centre())
    online = instruments.score(TOWNSHIP, township_centre(has_online_booking=True, has_mobile_payment=True))
    assert plain.total == online.total  # reported, not scored


def test_community_staffing_follows_the_2006_centre_standard():
    targets = {name: COMMUNITY.indicator[name].target.source
               for name in ("gp_count", "nurse_count", "senior_physician_count", "tcm_intermediate_count",
                            "ph_physician_count", "nurse_physician_ratio")}  # fmt: skip
    assert targets == {"gp_count": ">= 6", "nurse_count": ">= 9", "senior_physician_count": ">= 1",
                       "tcm_intermediate_count": ">= 1", "ph_physician_count": ">= 1", "nurse_physician_ratio": ">= 1"}  # fmt: skip
    card = instruments.score(COMMUNITY, community_centre(gps=3))  # enough for a community hospital, not for a centre
    assert card.indicators["gp_count"].met is False and card.clauses["gp_nurse_counts"].status == "below"
    assert "2006" in COMMUNITY.indicator["gp_count"].standard.source


def test_community_hospital_criteria_apply_to_community_hospitals_only():
    criteria = ("ch_beds_count", "ch_bed_occupancy", "ch_health_tech_per_bed", "ch_nonhealth_tech_share",
                "ch_attending_dept_rate")  # fmt: skip
    plain = instruments.score(COMMUNITY, community_centre())
    hospital = instruments.score(COMMUNITY, community_centre(**COMMUNITY_HOSPITAL))
    assert {plain.indicators[c].status for c in criteria} == {"not_applicable"}
    assert {hospital.indicators[c].status for c in criteria} == {"ok"}
    assert hospital.indicators["ch_nonhealth_tech_share"].value == pytest.approx(10 / 70)
    clauses = [c.id for c in COMMUNITY.clauses if c.id.startswith("ch_")]
    assert len(clauses) == 5
    assert {plain.clauses[c].status for c in clauses} == {"not_applicable"}
    assert {hospital.clauses[c].status for c in clauses} == {"reached"}


# ---------------------------------------------------------------- grades


def test_township_grades_follow_the_clause_shares():
    def grade(*levels):
        return instruments.score(TOWNSHIP, {**township_centre(), **rated(TOWNSHIP, *levels)}).grade

    assert grade("A") == "recommended"
    assert grade("B", "below") == "basic"  # no recommended clause rated: 4 of 14 reach C (auto)
    assert grade("C") == "below"  # B level on fewer than 20% of the basic clauses
    assert instruments.score(TOWNSHIP, township_centre()).grade == "below"  # nothing rated yet


def small_township(population):
    """A township centre with 9 health-technical staff: every core clause at C, 20 other basic clauses not reached."""
    answers = township_centre(
        service_population=population, has_inpatient=False, staff_establishment=10, staff_total=10,
        staff_prof_tech=9, staff_health_tech=9, physicians=4, gps=2, tcm_physicians=1, nurses=4,
        floor_area=260, contracted_residents=3000, key_pop_total=2000, key_pop_contracted=1000,
    )  # fmt: skip
    ratings = rated(TOWNSHIP, "C")
    others = [c.id for c in TOWNSHIP.onsite_clauses if c.standard == "basic" and not c.core][:20]
    return {**answers, **ratings, **dict.fromkeys(others, "below")}


def test_a_small_township_centre_is_graded_qualified():
    card = instruments.score(TOWNSHIP, small_township(8000))
    assert card.indicators["floor_area_ok"].value is True  # 260 m²: the 200 m² rule for townships under 10,000
    assert card.grade == "qualified"
    (core,) = card.requirements["qualified"]
    assert core.met and core.share == 1.0
    assert not all(r.met for r in card.requirements["basic"])
    assert instruments.score(TOWNSHIP, small_township(12000)).grade == "below"  # too many people for 合格


def test_a_community_hospital_and_a_plain_centre_score_differently():
    ratings = rated(COMMUNITY, "B")
    plain = instruments.score(COMMUNITY, {**community_centre(), **ratings})
    hospital = instruments.score(COMMUNITY, {**community_centre(**COMMUNITY_HOSPITAL), **ratings})
    assert (plain.grade, hospital.grade) == ("basic", "recommended")
    assert plain.total != hospital.total
    recommended = {"plain": plain.requirements["recommended"][4], "hospital": hospital.requirements["recommended"][4]}
    assert {k: r.counted for k, r in recommended.items()} == {"plain": 11, "hospital": 16}


@pytest.mark.parametrize("instrument", NEW, ids=lambda i: i.id)
def test_yanan_dimensions_are_group_scores(instrument):
    answers = township_centre() if instrument is TOWNSHIP else community_centre()
    card = instruments.score(instrument, {**answers, **rated(instrument, "A")})
    scores = card.frameworks["yanan"]
    assert set(scores) == set(YANAN) and all(0 <= s <= 100 for s in scores.values())


# ---------------------------------------------------------------- the Yan'an monitoring figures


def test_the_yanan_shares_are_monitoring_figures():
    """Yan'an: online booking 36.4%, consultation 27.3%, mobile payment 13.6% — 8, 6 and 3 of 22 units."""
    centres = [
        township_centre(has_online_booking=i < 8, has_online_consultation=i < 6, has_mobile_payment=i < 3)
        for i in range(22)
    ]
    scores = instruments.score_many(TOWNSHIP, centres)
    codes = [f"c{i:02d}" for i in range(22)]
    figures = instruments.regional(scores, instruments.membership(codes, dict.fromkeys(codes, "yanan")))
    shares = {f.indicator: f for f in figures if f.region == "yanan"}
    for name, count, shown in (
        ("online_booking", 8, 0.364),
        ("online_consultation", 6, 0.273),
        ("mobile_payment", 3, 0.136),
    ):
        figure = shares[name]
        assert (figure.reporting, figure.meeting, figure.share) == (22, None, None), name
        assert figure.mean == pytest.approx(count / 22) and round(figure.mean, 3) == shown, name
        assert not TOWNSHIP.indicator[name].scored


# ---------------------------------------------------------------- from 2025.1 to 2026.1


@pytest.mark.parametrize("name", ["township-health-centre", "community-health-centre"])
def test_the_diff_from_2025_names_what_changed(name):
    result = diff(get(name, "2025.1"), get(name, "2026.1"))
    lines = result.lines()
    assert len(result.added("clauses")) == len(get(name, "2026.1").clauses)
    assert set(result.added("chapters")) == set(CHAPTERS) and result.added("frameworks") == ("yanan",)
    assert "grades.qualified: added" in lines
    assert 'grades.qualified.when: (none) → "staff_health_tech < 10 and service_population < 10000"' not in lines
    assert any(
        line.startswith('grades.basic.requires: [] → [core=true at C ≥ 1, standard="basic" at C ≥ 0.8')
        for line in lines
    )
    assert 'indicators.online_booking.target: "== true" → (none)' in lines
    assert not any(re.match(r"indicators\.\w+\.weight: \d+ → 1$", line) for line in lines), (
        "no weight for a figure no longer scored"
    )


def test_the_township_diff_shows_the_new_denominator():
    lines = diff(get("township-health-centre", "2025.1"), TOWNSHIP).lines()
    assert (
        'indicators.prof_tech_share.formula: "staff_prof_tech / staff_total" → "staff_prof_tech / staff_establishment"'
        in lines
    )
    assert "items.staff_establishment: added" in lines
    assert 'items.eq_dr.type: "boolean" → "integer"' in lines


def test_the_diff_reads_a_clause_level_by_level():
    text = TOWNSHIP.source.replace("when: prof_tech_share >= 0.92", "when: prof_tech_share >= 0.93")
    text = text.replace(
        "{clauses: {standard: basic}, level: B, share: 0.2}", "{clauses: {standard: basic}, level: B, share: 0.3}"
    )
    changed = diff(TOWNSHIP, instruments.load_text(text.replace('version: "2026.1"', 'version: "2026.2"')))
    basic_before = (
        'core=true at C ≥ 1, standard="basic" at C ≥ 0.8, standard="basic" at B ≥ 0.2, standard="basic" at A ≥ 0.05'
    )
    basic_after = basic_before.replace("B ≥ 0.2", "B ≥ 0.3")
    recommended = (
        ', standard="recommended" at C ≥ 0.8, standard="recommended" at B ≥ 0.2, standard="recommended" at A ≥ 0.05'
    )
    assert changed.lines() == [
        f"grades.recommended.requires: [{basic_before}{recommended}] → [{basic_after}{recommended}]",
        f"grades.basic.requires: [{basic_before}] → [{basic_after}]",
        'clauses.prof_tech_staffing.levels.B.when: "prof_tech_share >= 0.92" → "prof_tech_share >= 0.93"',
    ]


def test_survey_init_stores_every_version_and_a_round_keeps_its_own(tmp_path):
    from survey import assessment
    from survey import db as database
    from survey.store.rounds import create_round, round_instrument
    from survey.store.versions import list_instruments

    db = database.connect(tmp_path / "survey.db")
    assessment.load_bundled(db)
    assert {(i.id, i.version) for i, _ in list_instruments(db)} == {(i.id, i.version) for i in every_version()}
    earlier = create_round(db, "township-health-centre", "2025", "2025年度乡镇卫生院服务能力评估", version="2025.1")
    later = create_round(db, "township-health-centre", "2026", "2026年度乡镇卫生院服务能力评估")
    assert (earlier.version, later.version) == ("2025.1", "2026.1")  # without a version: the newest
    assessment.load_bundled(db)  # a second init adds nothing
    assert len(list_instruments(db)) == len(every_version())
    assert round_instrument(db, earlier) == get("township-health-centre", "2025.1")
    assert round_instrument(db, later) == TOWNSHIP
    db.close()
