"""Onsite clauses in the fill-in template and in plain sheets of answers, in every format the reader takes."""

import io
from pathlib import Path

import openpyxl
import pytest
from helpers import yaml_data
from sheets import file_of, resaved
from test_exports_responses import fill, problems, template

import instruments
from exports.responses import ResponseRow, limits, read_responses

INSTRUMENT = instruments.load(Path(__file__).parent / "cases" / "instruments" / "clauses.yaml")
ITEMS = [item.id for item in INSTRUMENT.items]
ONSITE = ["infection_control", "infection_control.note", "records", "records.note", "training", "training.note"]


def validations(sheet) -> dict:
    return {str(v.sqref): v for v in sheet.data_validations.dataValidation}


def test_onsite_clauses_have_a_sheet_of_their_own_by_chapter_and_auto_clauses_take_no_column():
    data = template(INSTRUMENT, [("c1", "甲镇卫生院"), ("c2", "乙镇卫生院")])
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["填报", "条款自评", "说明", "_meta"]
    assert [c.value for c in book["填报"][5]] == ["org_code", "org_name", *ITEMS]
    sheet = book["条款自评"]
    assert sheet["A1"].value == "条款测试\u30002025年度评估\u3000条款自评"
    assert [c.value for c in sheet[5]] == ["org_code", "org_name", *ONSITE]
    assert sheet.row_dimensions[5].hidden and sheet.protection.sheet and sheet.freeze_panes == "C6"
    assert [(sheet.cell(row, 1).value, sheet.cell(row, 2).value) for row in (6, 7)] == [
        ("c1", "甲镇卫生院"), ("c2", "乙镇卫生院")
    ]  # fmt: skip
    assert sheet["A6"].protection.locked
    assert sheet["C2"].value == "三、综合管理" and sheet["D2"].value is None  # one title over a chapter's clauses
    assert [sheet.cell(3, col).value for col in range(3, 9)] == [
        "3.4.1 建立医院感染管理制度并落实 ★", "自评说明", "3.5.2 病历书写规范 ★", "自评说明", "3.6.1 开展岗位培训", "自评说明"
    ]  # fmt: skip
    assert sheet["C4"].value == "选择 C、B、A、未达到 或 不适用；留空为未评级"
    assert sheet["G4"].value == "选择 C、B、未达到 或 不适用；留空为未评级"
    assert sheet["D4"].value == "自评依据；选“不适用”时必填理由"
    assert not sheet["C6"].protection.locked and not sheet["D6"].protection.locked

    rule = validations(sheet)["C6:C7"]
    assert (rule.type, rule.formula1) == ("list", '"C,B,A,未达到,不适用"')
    assert rule.prompt.splitlines() == [
        "C：有制度，有专人负责",
        "B：符合C级，并定期自查、有记录",
        "A：符合B级，持续改进有成效",
        "未达到：低于 C 级",
        "不适用：须在自评说明中写明理由",
    ]
    assert validations(sheet)["G6:G7"].formula1 == '"C,B,未达到,不适用"'
    assert any("条款自评" in str(c.value) for c in book["说明"]["A"])


def test_a_template_without_onsite_clauses_has_no_clause_help(basic):
    book = openpyxl.load_workbook(io.BytesIO(template(basic, [("c1", "甲")])))
    assert not any("条款自评" in str(c.value) for c in book["说明"]["A"])


def test_ratings_and_notes_round_trip_through_the_template():
    centres = [("c1", "甲"), ("c2", "乙"), ("c3", "丙")]
    typed = [
        {"staff_total": 40, "infection_control": "B", "records": "未达到", "training": "c"},
        {"infection_control": "不适用", "infection_control.note": "本院不设病房", "records": "A"},  # ratings only
        {"staff_total": 12},  # every clause left unrated
    ]
    rows = read_responses(fill(template(INSTRUMENT, centres), INSTRUMENT, typed), "t.xlsx", INSTRUMENT)
    assert rows == [
        ResponseRow("c1", {"staff_total": 40, "infection_control": "B", "records": "below", "training": "C"}, "填报!6"),
        ResponseRow("c3", {"staff_total": 12}, "填报!8"),
        ResponseRow("c2", {"infection_control": "not_applicable", "records": "A"}, "条款自评!7",
                    {"infection_control": "本院不设病房"}),
    ]  # fmt: skip
    assert rows[0].cell("staff_total") == "填报!C6"
    assert rows[0].cell("training") == "条款自评!G6"
    assert rows[2].cell("infection_control.note") == "条款自评!D7"
    scores = instruments.score_many(INSTRUMENT, [r.answers for r in rows])
    assert [scores.clause("infection_control", row).status for row in range(3)] == [
        "reached", "unrated", "not_applicable"
    ]  # fmt: skip


def test_bad_cells_on_both_sheets_are_located_in_reading_order():
    typed = [{"staff_total": "十二", "training": "A"}, {"infection_control": "D", "staff_prof_tech": -1}]
    data = fill(template(INSTRUMENT, [("c1", "甲"), ("c2", "乙")]), INSTRUMENT, typed)
    assert problems(data, "t.xlsx", instrument=INSTRUMENT) == [
        "填报!C6: '十二' is not a whole number",
        "填报!D7: -1 is below the minimum 0",
        "条款自评!G6: 'A' is not a level of clause training (C、B、未达到、不适用)",
        "条款自评!C7: 'D' is not a level of clause infection_control (C、B、A、未达到、不适用)",
    ]


def test_a_column_on_both_sheets_is_refused():
    book = openpyxl.load_workbook(io.BytesIO(template(INSTRUMENT, [("c1", "甲")])))
    book["条款自评"]["I5"] = "staff_total"
    book["条款自评"]["I6"] = 3
    buffer = io.BytesIO()
    book.save(buffer)
    assert problems(buffer.getvalue(), "t.xlsx", instrument=INSTRUMENT) == [
        "条款自评!I5: column 'staff_total' appears twice (also 填报!C5)"
    ]


@pytest.mark.parametrize("kind", ["xls", "ods"])
def test_the_filled_template_with_ratings_saved_as_xls_or_ods(kind):
    typed = [{"staff_total": 40, "records": "B"}, {"infection_control": "不适用", "infection_control.note": "无病房"}]
    data = resaved(fill(template(INSTRUMENT, [("c1", "甲"), ("c2", "乙")]), INSTRUMENT, typed), kind)
    rows = read_responses(data, f"填好的.{kind}", INSTRUMENT, round_id=5)
    assert rows == [
        ResponseRow("c1", {"staff_total": 40, "records": "B"}, "填报!6"),
        ResponseRow("c2", {"infection_control": "not_applicable"}, "条款自评!7", {"infection_control": "无病房"}),
    ]


HEADER = ("org_code", "org_name", "staff_total", "infection_control", "records", "training", "records.note")
RATED = [
    HEADER,
    ("T001", "甲镇卫生院", 53, "B", "未达到", "b级", "制度未落实"),
    ("T002", "乙镇卫生院", None, "a", None, "不适用", "未开展培训"),
    ("T003", "丙镇卫生院", 12, None, "C", "未评级", None),
]


@pytest.mark.parametrize("kind", ["xlsx", "xls", "ods", "csv"])
def test_clause_ratings_in_a_plain_sheet_in_every_format(kind):
    data, name = file_of(kind, RATED)
    sheet = name if kind == "csv" else "Sheet1"
    rows = read_responses(data, name, INSTRUMENT, known_codes={"T001", "T002", "T003"})
    assert rows == [
        ResponseRow("T001", {"staff_total": 53, "infection_control": "B", "records": "below", "training": "B"},
                    f"{sheet}!2", {"records": "制度未落实"}),
        ResponseRow("T002", {"infection_control": "A", "training": "not_applicable"}, f"{sheet}!3",
                    {"records": "未开展培训"}),
        ResponseRow("T003", {"staff_total": 12, "records": "C"}, f"{sheet}!4"),
    ]  # fmt: skip


BAD = [
    ("org_code", "staff_total", "infection_control", "training", "beds_clause", "Records"),
    ("T001", 10, "D", "A", None, "B"),
    ("T002", 10, "C", "B", "C", None),
    ("T003", 10, "优秀", None, None, 3),
]


@pytest.mark.parametrize("kind", ["xlsx", "xls", "ods", "csv"])
def test_a_level_a_clause_lacks_or_a_rating_of_an_auto_clause_is_located_in_every_format(kind):
    data, name = file_of(kind, BAD)
    sheet = name if kind == "csv" else "Sheet1"
    assert problems(data, name, instrument=INSTRUMENT) == [
        f"{sheet}!C2: 'D' is not a level of clause infection_control (C、B、A、未达到、不适用)",
        f"{sheet}!D2: 'A' is not a level of clause training (C、B、未达到、不适用)",
        f"{sheet}!E3: clause beds_clause is rated from the answers, not by people; it takes no rating",
        f"{sheet}!C4: '优秀' is not a level of clause infection_control (C、B、A、未达到、不适用)",
        f"{sheet}!F4: '3' is not a level of clause records (C、B、A、未达到、不适用)",
    ]


def test_unknown_clause_columns_are_named_with_a_suggestion():
    header = ("org_code", "infection_contrl", "training.nte", "beds_clause.note")
    data, name = file_of("xlsx", [header, ("T001", "B", "x", "y")])
    assert problems(data, name, instrument=INSTRUMENT) == [
        "Sheet1!B1: unknown item or clause 'infection_contrl' (did you mean 'infection_control'?)",
        "Sheet1!C1: unknown item or clause 'training.nte' (did you mean 'training.note'?)",
        # an auto clause takes no note either
        "Sheet1!D1: unknown item or clause 'beds_clause.note' (did you mean 'beds_clause'?)",
    ]


def test_a_row_with_only_a_note_is_read():
    data, name = file_of("csv", [("org_code", "training.note"), ("T001", "培训记录见附件")])
    assert read_responses(data, name, INSTRUMENT) == [
        ResponseRow("T001", {}, "Sheet1.csv!2", {"training": "培训记录见附件"})
    ]


def test_the_columns_a_sheet_may_hold_count_the_onsite_clauses_and_their_notes():
    bounds = limits(INSTRUMENT, ["T001", "T002"])
    assert bounds.columns == 2 + len(ITEMS) + 2 * 3 + 20
    assert str(bounds.why) == "2 centres in scope, 8 items, 3 onsite clauses"
    assert bounds.why.text() == "范围内 2 个机构，8 个题目、3 个现场评价条款"


def test_saved_answers_and_self_ratings_fill_the_template_and_read_back_the_same():
    import json

    from exports.template import saved_cells, write_template

    spec = yaml_data(Path(__file__).parent / "cases" / "instruments" / "clauses.yaml")
    choices = [{"value": "a", "label": {"zh": "门诊", "en": "Outpatient"}}, {"value": "b", "label": "病房"}]
    spec["sections"].append({"id": "more", "title": "其他", "items": [
        {"id": "services", "type": "multi_choice", "label": "服务", "choices": choices},
        {"id": "kinds", "type": "multi_choice", "label": "类型", "choices": choices},
        {"id": "ownership", "type": "choice", "label": "举办", "choices": choices},
        {"id": "opened", "type": "date", "label": "开业日期"},
        {"id": "remark", "type": "text", "label": "备注"},
    ]})  # fmt: skip
    instrument = instruments.load_text(json.dumps(spec, ensure_ascii=False))
    answers = {"staff_total": 40, "online_share": 0.25, "has_booking": False, "services": ("a", "b"),
               "kinds": (), "ownership": "b", "opened": "2019-03-01", "remark": "=1+1"}  # fmt: skip
    ratings = {
        "infection_control": ("not_applicable", "本院不设病房"),
        "records": ("below", ""),
        "training": (None, ""),
    }
    buffer = io.BytesIO()
    saved = {"c1": saved_cells(instrument, answers, ratings)}
    write_template(buffer, instrument, [("c1", "甲")], round_id=5, title="2025年度评估", saved=saved)
    rows = read_responses(buffer.getvalue(), "t.xlsx", instrument, round_id=5)
    assert rows[0].answers == {**answers, "infection_control": "not_applicable", "records": "below"}
    assert rows[0].notes == {"infection_control": "本院不设病房"}
    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    assert book["填报"]["A2"].value == book["条款自评"]["A2"].value == "留空的单元格不改动已保存的答案"
