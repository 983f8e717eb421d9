"""The league workbook of a clause-based instrument: the shares grades require on 排名, clause rows in `data`,
`条款汇总`, and `分组汇总` by a unit attribute, read back cell by cell."""

import csv
import io
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest

import instruments
from exports import excel, league, tables
from exports.league import Grouping, write_league
from exports.tables import Centre, level_order
from instruments.library import get

CASE = Path(__file__).parent / "cases" / "instruments" / "clauses.yaml"
# One more condition, on beds alone, so that a centre without inpatient care has no clause it counts.
TEXT = CASE.read_text(encoding="utf-8").replace(
    "      - {clauses: {standard: basic}, level: C, share: 1.0}\n",
    "      - {clauses: {standard: basic}, level: C, share: 1.0}\n"
    "      - {clauses: {ids: [beds_clause]}, level: C, share: 1.0}\n",
)
INSTRUMENT = instruments.load_text(TEXT)
GREEN, RED, GREY = "FFC6EFCE", "FFFFC7CE", "FFE7E6E6"
ANSWERS = [
    # prof_tech A, beds B, booking B; infection A, records B, training B
    {"staff_total": 100, "staff_prof_tech": 96, "has_inpatient": True, "beds": 25, "population": 20000,
     "medical_staff": 40, "has_booking": True, "online_share": 0.5,
     "infection_control": "A", "records": "B", "training": "B"},
    # prof_tech C, beds not applicable, booking below; infection C, records below, training not applicable
    {"staff_total": 100, "staff_prof_tech": 86, "has_inpatient": False, "population": 8000, "medical_staff": 8,
     "has_booking": False, "infection_control": "C", "records": "below", "training": "not_applicable"},
    # prof_tech below, beds not applicable (inpatient care unanswered), booking unrated; infection below
    {"staff_total": 100, "staff_prof_tech": 80, "infection_control": "below"},
    # prof_tech B, booking C; infection B, records A, training B
    {"staff_total": 100, "staff_prof_tech": 90, "has_booking": True, "online_share": 0.2,
     "infection_control": "B", "records": "A", "training": "B"},
]  # fmt: skip
CENTRES = [
    Centre("c0", "甲镇卫生院", "甲县", "某市"),
    Centre("c1", "乙镇卫生院", "甲县", "某市"),
    Centre("c2", "丙镇卫生院", "乙县", "某市"),
    Centre("c3", "=1+1", "乙县", "某市"),
]
OWNERS = {"县属": [0, 1], '=HYPERLINK("http://x","y")': [3], "（未设置）": [2]}


def league_book(grouping=None, **options):
    scores = instruments.score_many(INSTRUMENT, ANSWERS)
    figures = instruments.regional(scores, {"city": [0, 1, 2, 3]})
    buffer = io.BytesIO()
    grouping = Grouping.of("隶属关系", scores, OWNERS) if grouping else None
    write_league(buffer, INSTRUMENT, scores, CENTRES, figures, {"city": ("某市", "city")}, title="2025年度评估",
                 scope="某市", grouping=grouping, **options)  # fmt: skip
    return SimpleNamespace(scores=scores, book=openpyxl.load_workbook(io.BytesIO(buffer.getvalue())))


@pytest.fixture(scope="module")
def plain():
    return league_book()


@pytest.fixture(scope="module")
def grouped():
    return league_book(grouping=True)


def rows_by(sheet, column: int, first: int) -> dict:
    return {row[column]: row for row in sheet.iter_rows(min_row=first, values_only=True)}


def test_the_clause_summary_follows_the_indicators_and_the_groups_follow_the_data(plain, grouped):
    assert plain.book.sheetnames == ["排名", "地区汇总", "指标说明", "条款汇总", "data", "达标率"]
    assert grouped.book.sheetnames == [
        "排名", "地区汇总", "指标说明", "条款汇总", "data", "分组汇总", "分组条款汇总", "达标率"
    ]  # fmt: skip


def test_the_league_shows_beside_the_grade_the_share_reached_for_each_condition(plain):
    sheet = plain.book["排名"]
    headers = [c.value for c in sheet[3]]
    assert headers[6:12] == [
        "等级",
        "达到推荐标准：★核心条款达到 B 级（需 ≥ 100%）",
        "达到推荐标准：推荐标准条款达到 B 级（需 ≥ 60%）",
        "达到基本标准：基本标准条款达到 C 级（需 ≥ 100%）",
        "达到基本标准：指定条款达到 C 级（需 ≥ 100%）",
        "合格：★核心基本标准条款达到 C 级（需 ≥ 100%）",
    ]
    rows = rows_by(sheet, 1, 4)
    shares = {code: row[7:12] for code, row in rows.items()}
    assert shares["c0"] == (1, 1, 1, 1, 1)
    assert shares["c1"] == (0, 0, 1, "无适用条款", 1)  # no inpatient care: the beds clause does not apply
    assert shares["c2"] == (0, 0, 0, "无适用条款", 0)
    assert shares["c3"][0] == 1 and shares["c3"][1] == pytest.approx(2 / 3)  # records A, training B, booking C
    c3 = next(r for r in range(4, 8) if sheet.cell(r, 2).value == "c3")
    assert sheet.cell(c3, 9).fill.fgColor.rgb == GREEN and sheet.cell(c3, 9).number_format == "0.0%"
    c1 = next(r for r in range(4, 8) if sheet.cell(r, 2).value == "c1")
    assert sheet.cell(c1, 8).fill.fgColor.rgb == RED
    assert sheet.cell(c1, 11).fill.fgColor.rgb == GREY
    assert rows["c1"][6] == "达到基本标准" and rows["c2"][6] == "未达到基本标准"


def test_clause_rows_in_the_data_sheet(plain):
    sheet = plain.book["data"]
    numeric = [i for i in INSTRUMENT.indicators if INSTRUMENT.is_numeric(i)]
    assert sheet.max_row == 1 + 4 * (len(numeric) + len(INSTRUMENT.clauses))
    rows = {(row[0], row[2]): row[3:] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["c0", "prof_tech_staffing"] == ("A", 1, 4)  # weight 4, top level
    assert rows["c3", "prof_tech_staffing"] == ("B", 1, pytest.approx(4 * 2 / 3))  # default credit
    assert rows["c0", "infection_control"] == ("A", 1, 2)
    assert rows["c1", "infection_control"] == ("C", 1, pytest.approx(1.2))  # credit 0.6 of weight 2
    assert rows["c2", "infection_control"] == ("below", 0, 0)
    assert rows["c2", "records"] == (None, None, None)  # unrated, not weighted
    assert rows["c1", "training"] == ("not_applicable", None, None)
    assert rows["c2", "booking"] == (None, None, None)
    assert rows["c1", "booking"] == ("below", 0, None)
    assert (
        sheet.cell(next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 3).value == "records"), 4).data_type
        == "s"
    )


def test_the_clause_summary(plain):
    sheet = plain.book["条款汇总"]
    assert sheet["A1"].value == "条款测试 · 2025年度评估 · 某市"
    assert "以已评级机构为分母" in sheet["A2"].value
    headers = [c.value for c in sheet[3]]
    assert headers == [
        "条款编码", "序号", "章", "类别", "核心", "条款", "评价方式", "机构数", "已评级",
        "未达到\n机构数", "未达到\n占比", "C级\n机构数", "C级\n占比", "B级\n机构数", "B级\n占比",
        "A级\n机构数", "A级\n占比", "不适用\n机构数", "不适用\n占比", "未评级\n机构数", "未评级\n占比",
    ]  # fmt: skip
    rows = rows_by(sheet, 0, 4)
    assert list(rows) == [c.id for c in INSTRUMENT.clauses]
    assert rows["infection_control"][:9] == (
        "infection_control", "3.4.1", "三、综合管理", "基本标准", "★", "建立医院感染管理制度并落实", "现场评价", 4, 4
    )  # fmt: skip
    assert rows["infection_control"][9:] == (1, 0.25, 1, 0.25, 1, 0.25, 1, 0.25, 0, 0, 0, 0)
    records = rows["records"][9:]
    assert records[:8] == (1, pytest.approx(1 / 3), 0, 0, 1, pytest.approx(1 / 3), 1, pytest.approx(1 / 3))
    assert records[8:] == (0, 0, 1, 0.25)
    assert rows["training"][7:] == (4, 2, 0, 0, 0, 0, 2, 1, None, None, 1, 0.25, 1, 0.25)  # no level A
    assert rows["beds_clause"][6:9] == ("自动评定", 4, 1)
    assert rows["beds_clause"][17:19] == (3, 0.75)
    assert sheet.cell(4, 11).number_format == "0.0%"


def test_centres_grouped_by_a_unit_attribute(grouped):
    sheet = grouped.book["分组汇总"]
    assert sheet["A1"].value == "按“隶属关系”分组 · 某市"
    assert [c.value for c in sheet[3]][:7] == [
        "隶属关系",
        "机构数",
        "指标",
        "目标值",
        "填报机构数",
        "达标机构数",
        "达标率",
    ]
    share = [row for row in sheet.iter_rows(min_row=4, values_only=True) if row[2] == "专业技术人员占比"]
    assert [row[:2] for row in share] == [("县属", 2), ('=HYPERLINK("http://x","y")', 1), ("（未设置）", 1)]
    assert share[0][4:7] == (2, 1, 0.5)  # 96% met, 86% not
    assert share[1][4:7] == (1, 1, 1)  # 90% meets ≥ 90%
    assert sheet.cell(5, 1).data_type == "s"  # an attribute's value that looks like a formula stays text
    clauses = grouped.book["分组条款汇总"]
    assert [c.value for c in clauses[3]][:3] == ["隶属关系", "条款编码", "序号"]
    control = [row for row in clauses.iter_rows(min_row=4, values_only=True) if row[1] == "infection_control"]
    assert [(row[0], row[8], row[9]) for row in control] == [
        ("县属", 2, 2), ('=HYPERLINK("http://x","y")', 1, 1), ("（未设置）", 1, 1)
    ]  # fmt: skip
    assert control[0][10:18] == (0, 0, 1, 0.5, 0, 0, 1, 0.5)  # 县属: one at C, one at A


def test_the_progress_told_is_the_rows_written(grouped):
    scores = instruments.score_many(INSTRUMENT, ANSWERS)
    figures = instruments.regional(scores, {"city": [0, 1, 2, 3]})
    grouping = Grouping.of("隶属关系", scores, OWNERS)
    told = []
    write_league(io.BytesIO(), INSTRUMENT, scores, CENTRES, figures, {}, title="t", scope="s", grouping=grouping,
                 progress=told.append)  # fmt: skip
    assert sum(told) == league.rows_to_write(INSTRUMENT, scores, CENTRES, figures, grouping)


def test_clause_rows_past_one_sheet_go_to_the_csv(monkeypatch, tmp_path):
    monkeypatch.setattr(excel, "MAX_ROWS", 20)
    scores = instruments.score_many(INSTRUMENT, ANSWERS)
    assert league.data_overflows(INSTRUMENT, scores, CENTRES)  # 4 × (2 indicators + 6 clauses) = 32 rows
    data_csv = tmp_path / "排名-data.csv"
    write_league(tmp_path / "排名.xlsx", INSTRUMENT, scores, CENTRES, [], {}, title="t", scope="s", data_csv=data_csv)
    rows = list(csv.reader(io.StringIO(data_csv.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 1 + 32
    assert ["c3", "'=1+1", "records", "A", "1", ""] in rows
    assert ["c1", "乙镇卫生院", "training", "not_applicable", "", ""] in rows


def test_levels_are_ordered_lowest_first_across_clauses():
    clause = INSTRUMENT.clauses[0]
    two = SimpleNamespace(level_ids=("C", "B"))
    odd = SimpleNamespace(level_ids=("C", "C+", "B", "A"))
    other = SimpleNamespace(level_ids=("1", "2"))
    assert level_order([two, clause, odd, other]) == ["C", "C+", "B", "A", "1", "2"]


def test_a_condition_several_grades_share_is_one_column():
    township = get("township-health-centre", "2026.1")  # 达到基本标准's conditions are 达到推荐标准's first four
    headers = [header for header, _ in tables.conditions(township, instruments.score_many(township, [{}]))]
    assert len(headers) == 8
    assert headers[0] == "达到推荐标准、达到基本标准：★核心条款达到 C 级（需 ≥ 100%）"
    assert headers[4] == "达到推荐标准：推荐标准条款达到 C 级（需 ≥ 80%）"
    assert headers[7] == "合格：★核心基本标准条款达到 C 级（需 ≥ 100%）"
