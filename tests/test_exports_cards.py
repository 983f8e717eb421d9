"""A centre's report card: the gap sentence, the rank, the change since the previous round, print set-up."""

import io
from pathlib import Path

import openpyxl
import pytest

import instruments
from exports.cards import change_words, rank_words, write_card
from exports.tables import Centre

CENTRE = {"staff_total": 53, "staff_prof_tech": 45, "gps": 6, "population": 20_000,
          "has_inpatient": True, "beds": 12, "contracted": 5_000}  # fmt: skip
BEFORE = {**CENTRE, "staff_prof_tech": 40, "gps": 2, "has_inpatient": False}


def card_sheet(basic, name="甲镇卫生院", previous=BEFORE, **options):
    card = instruments.score(basic, CENTRE)
    before = instruments.score(basic, previous) if previous else None
    buffer = io.BytesIO()
    write_card(buffer, basic, card, Centre("610102001", name, "新城区", "西安市"), round_title="2025年度评估",
               rank=3, county_size=12, previous=before, previous_title="2024年度", **options)  # fmt: skip
    return openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))["报告卡"], card, before


def labelled(sheet) -> dict:
    return {row[0]: row[1:] for row in sheet.iter_rows(values_only=True) if row[0]}


def test_the_card_shows_the_gap_to_the_target(basic):
    sheet, card, _ = card_sheet(basic)
    rows = labelled(sheet)
    header = list(rows["指标"])
    share = rows["专业技术人员占比"]
    assert share[header.index("数值")] == "84.9%"
    assert share[header.index("目标值")] == "≥ 90%"
    assert share[header.index("状态")] == "未达标"
    assert share[header.index("得分 / 权重")] == "0 / 10"
    assert share[header.index("差距（如何达标）")] == "专业技术人员数再增加 3 人（45 → 48），即可达到 ≥ 90%（90.6%）"
    assert share[header.index("依据")] == "《关于乡镇卫生院机构编制标准的指导意见》(2011)"
    assert share[header.index("标准原文")] == "专业技术人员占编制总额的比例不低于90%"
    gps = rows["每万服务人口全科医生数"]
    assert gps[header.index("状态")] == "达标" and gps[header.index("差距（如何达标）")] is None
    assert rows["在岗职工数"][header.index("状态")] == "不计分"


def test_the_card_heading(basic):
    sheet, card, before = card_sheet(basic)
    assert sheet["A1"].value == "测试问卷 · 报告卡 · 2025年度评估"
    rows = labelled(sheet)
    assert rows["机构名称"][0] == "甲镇卫生院"
    assert rows["机构编码"][0] == "610102001"
    assert rows["所属县（区）"][0] == "新城区"
    assert rows["总分"][0] == pytest.approx(card.total)
    assert rows["等级"][0] == "未达标"
    assert rows["县内排名"][0] == "第 3 名 / 共 12 家"
    change = card.total - before.total
    assert rows["较上轮变化"][0].startswith(f"+{change:.1f} 分（2024年度 {before.total:.1f} → 本轮 {card.total:.1f}）")
    assert rows["人员配备"][:3] == (
        card.dimensions["staffing"],
        before.dimensions["staffing"],
        f"+{card.dimensions['staffing'] - before.dimensions['staffing']:.1f}",
    )


def test_changes_since_the_previous_round(basic):
    sheet, _, _ = card_sheet(basic)
    rows = labelled(sheet)
    header = list(rows["指标"])
    share = rows["专业技术人员占比"]
    assert share[header.index("上轮数值")] == "75.5%"
    assert share[header.index("较上轮变化")] == "+9.4 个百分点"
    beds = rows["每千服务人口床位数"]
    assert beds[header.index("状态")] == "达标"
    assert beds[header.index("上轮数值")] is None  # not applicable last round


def test_without_a_previous_round(basic):
    sheet, _, _ = card_sheet(basic, previous=None)
    rows = labelled(sheet)
    assert "较上轮变化" not in rows
    assert rows["专业技术人员占比"][list(rows["指标"]).index("较上轮变化")] is None


def test_the_card_prints_on_a4_landscape_one_page_wide(basic):
    sheet, _, _ = card_sheet(basic)
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == 9
    assert (sheet.page_setup.fitToWidth or 1, sheet.page_setup.fitToHeight) == (1, 0)  # 1 is Excel's default
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    header_row = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == "指标")
    assert sheet.print_title_rows == f"${header_row}:${header_row}"
    assert sheet.cell(header_row + 1, 6).alignment.wrap_text


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x","y")', "+1+1", "@SUM(1)", "-2+3", "=1+1"])
def test_a_formula_like_name_stays_text(basic, name):
    sheet, _, _ = card_sheet(basic, name=name)
    cell = next(row[1] for row in sheet.iter_rows() if row[0].value == "机构名称")
    assert (cell.value, cell.data_type) == (name, "s")


def test_words():
    assert rank_words(None, 12) == "未排名 / 共 12 家"
    indicator = instruments.load("tests/cases/instruments/basic.yaml").indicator["gps_per_10k"]
    assert change_words(indicator, 3.0, 3.0) == "不变"
    assert change_words(indicator, 2.5, 3.0) == "−0.5"
    assert change_words(indicator, None, 3.0) == ""
    assert change_words(indicator, 0.936, 0.934) == "+0.01"  # shown as 0.93 → 0.94: a change, not 不变
    assert change_words(indicator, 0.9341, 0.9339) == "不变"  # both shown as 0.93


# ---------------------------------------------------------------- grades by clauses

CLAUSES = instruments.load(Path(__file__).parent / "cases" / "instruments" / "clauses.yaml")
RATED = {"staff_total": 100, "staff_prof_tech": 86, "has_booking": False, "has_inpatient": False,
         "population": 20000, "medical_staff": 40, "infection_control": "C", "records": "below", "training": "C"}  # fmt: skip


def clause_card(answers):
    buffer = io.BytesIO()
    card = instruments.score(CLAUSES, answers)
    write_card(buffer, CLAUSES, card, Centre("c1", "甲镇卫生院", "新城区"), round_title="2025年度评估", rank=1,
               county_size=3)  # fmt: skip
    return openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))["报告卡"]


def test_the_card_lists_the_clauses_below_the_level_the_next_grade_needs():
    sheet = clause_card(RATED)
    rows = labelled(sheet)
    assert rows["等级"][0] == "达到基本标准"
    assert rows["下一等级"][0] == "达到推荐标准"
    assert rows["差距"][0] == (
        "总分再提高 64.2 分（现 15.8，需 ≥ 80）；再有 2 条★核心条款达到 B 级（现 0%，需 100%）；"
        "再有 2 条推荐标准条款达到 B 级（现 0%，需 ≥ 60%），即可达到推荐标准"
    )
    gap_row = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == "差距")
    assert f"B{gap_row}:J{gap_row}" in {str(cells) for cells in sheet.merged_cells.ranges}
    assert rows["条款"][:5] == ("现等级", "需达到", "核心", "类别", "所需条件")
    listed = {label: cells[:5] for label, cells in rows.items() if label[:1].isdigit()}
    assert listed == {
        "3.4.1 建立医院感染管理制度并落实": ("C", "B 级", "★", "基本标准", "★核心条款达到 B 级的占比需 ≥ 100%"),
        "3.5.2 病历书写规范": (
            "未达到", "B 级", "★", "推荐标准",
            "★核心条款达到 B 级的占比需 ≥ 100%；推荐标准条款达到 B 级的占比需 ≥ 60%",
        ),
        "3.6.1 开展岗位培训": ("C", "B 级", None, "推荐标准", "推荐标准条款达到 B 级的占比需 ≥ 60%"),
        "3.1.1 提供在线预约": ("未达到", "B 级", None, "推荐标准", "推荐标准条款达到 B 级的占比需 ≥ 60%"),
    }  # fmt: skip
    assert "1.2.1 按服务人口设置床位" not in rows  # without inpatient care the beds clause does not apply


def test_an_unrated_clause_is_listed_as_such():
    sheet = clause_card({**RATED, "records": None})
    assert labelled(sheet)["3.5.2 病历书写规范"][0] == "未评级"


def test_at_the_top_grade_the_card_says_so():
    top = {"staff_total": 100, "staff_prof_tech": 96, "has_inpatient": True, "beds": 25, "population": 20000,
           "medical_staff": 40, "has_booking": True, "online_share": 0.5,
           "infection_control": "A", "records": "B", "training": "B"}  # fmt: skip
    rows = labelled(clause_card(top))
    assert rows["等级"][0] == "达到推荐标准" and rows["下一等级"][0] == "已达到最高等级"
    assert "差距" not in rows and "条款" not in rows


def test_a_card_without_clause_grades_has_no_grade_gap(basic):
    sheet, _, _ = card_sheet(basic)
    assert "距下一等级" not in labelled(sheet)
