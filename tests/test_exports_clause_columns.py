"""Onsite clauses in the fill-in template and in plain sheets of answers, in every format the reader takes."""

import io
from pathlib import Path

import openpyxl
import pytest
from sheets import file_of
from test_exports_responses import fill, problems, template

import instruments
from exports.responses import ResponseRow, limits, read_responses

INSTRUMENT = instruments.load(Path(__file__).parent / "cases" / "instruments" / "clauses.yaml")
ITEMS = [item.id for item in INSTRUMENT.items]
ONSITE = ["infection_control", "infection_control.note", "records", "records.note", "training", "training.note"]


def validations(sheet) -> dict:
    return {str(v.sqref): v for v in sheet.data_validations.dataValidation}


def test_onsite_clauses_follow_the_items_by_chapter_and_auto_clauses_take_no_column():
    data = template(INSTRUMENT, [("c1", "甲镇卫生院"), ("c2", "乙镇卫生院")])
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["填报"]
    ids = [c.value for c in sheet[5]]
    assert ids == ["org_code", "org_name", *ITEMS, *ONSITE]
    first = ids.index("infection_control") + 1  # column K
    assert sheet.cell(2, first).value == "三、综合管理"
    assert sheet.cell(2, first + 1).value is None  # one chapter title over its clauses, as sections
    assert sheet.cell(3, first).value == "3.4.1 建立医院感染管理制度并落实 ★"
    assert sheet.cell(3, first + 2).value == "3.5.2 病历书写规范 ★"
    assert sheet.cell(3, first + 4).value == "3.6.1 开展岗位培训"
    assert sheet.cell(3, first + 1).value == "自评说明"
    assert sheet.cell(4, first).value == "选择 C、B、A、未达到 或 不适用；留空为未评级"
    assert sheet.cell(4, first + 4).value == "选择 C、B、未达到 或 不适用；留空为未评级"
    assert not sheet.cell(6, first).protection.locked and not sheet.cell(6, first + 1).protection.locked

    column = openpyxl.utils.get_column_letter(first)
    rule = validations(sheet)[f"{column}6:{column}7"]
    assert (rule.type, rule.formula1) == ("list", '"C,B,A,未达到,不适用"')
    assert rule.prompt.splitlines() == [
        "C：有制度，有专人负责",
        "B：符合C级，并定期自查、有记录",
        "A：符合B级，持续改进有成效",
        "未达到：低于 C 级",
        "不适用：须在自评说明中写明理由",
    ]
    training = openpyxl.utils.get_column_letter(first + 4)
    assert validations(sheet)[f"{training}6:{training}7"].formula1 == '"C,B,未达到,不适用"'
    assert any("条款自评" in str(c.value) for c in book["说明"]["A"])


def test_a_template_without_onsite_clauses_has_no_clause_help(basic):
    book = openpyxl.load_workbook(io.BytesIO(template(basic, [("c1", "甲")])))
    assert not any("条款自评" in str(c.value) for c in book["说明"]["A"])


def test_ratings_and_notes_round_trip_through_the_template():
    centres = [("c1", "甲"), ("c2", "乙"), ("c3", "丙")]
    typed = [
        {"staff_total": 40, "infection_control": "B", "records": "未达到", "training": "c"},
        {"infection_control": "不适用", "infection_control.note": "本院不设病房", "records": "A"},
        {"staff_total": 12},  # every clause left unrated
    ]
    rows = read_responses(fill(template(INSTRUMENT, centres), INSTRUMENT, typed), "t.xlsx", INSTRUMENT)
    assert rows == [
        ResponseRow("c1", {"staff_total": 40, "infection_control": "B", "records": "below", "training": "C"}, "填报!6"),
        ResponseRow("c2", {"infection_control": "not_applicable", "records": "A"}, "填报!7",
                    {"infection_control": "本院不设病房"}),
        ResponseRow("c3", {"staff_total": 12}, "填报!8"),
    ]  # fmt: skip
    assert rows[1].cell("infection_control") == "填报!K7"
    assert rows[1].cell("infection_control.note") == "填报!L7"
    scores = instruments.score_many(INSTRUMENT, [r.answers for r in rows])
    assert [scores.clause("infection_control", row).status for row in range(3)] == [
        "reached", "not_applicable", "unrated"
    ]  # fmt: skip


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
    assert bounds.why == "2 centres in scope, 8 items, 3 onsite clauses"
