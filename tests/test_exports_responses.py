"""The fill-in template and responses in: a round trip, and every bad input with its message."""

import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from helpers import xlsx_bytes

import instruments
from exports.errors import WorkbookError
from exports.responses import ResponseRow, read_responses
from exports.template import write_template
from instruments.library import bundled
from instruments.synthetic import answers_from_columns, township_columns

CASES = Path(__file__).parent / "cases" / "workbooks"
LIBRARY = bundled()
TOWNSHIP = LIBRARY["township-health-centre"]
INJECTIONS = ['=HYPERLINK("http://x","y")', "+1+1", "@SUM(1)", "-2+3", "=1+1"]


def template(instrument, centres, round_id=5, title="2025年度评估") -> bytes:
    buffer = io.BytesIO()
    write_template(buffer, instrument, centres, round_id=round_id, title=title)
    return buffer.getvalue()


def shown(item, value):
    """An answer as a person types it into the template."""
    if item.type == "boolean":
        return "是" if value else "否"
    labels = {c.value: c.label.zh for c in item.choices}
    if item.type == "choice":
        return labels[value]
    if item.type == "multi_choice":
        return "、".join(labels[v] for v in value)
    return value


def fill(data: bytes, instrument, answers: list[dict]) -> bytes:
    """The template with each centre's answers typed in, saved as Excel would."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["填报"]
    ids_row = next(r for r in range(1, 11) if sheet.cell(r, 1).value == "org_code")
    column = {sheet.cell(ids_row, c).value: c for c in range(1, sheet.max_column + 1)}
    for offset, answer in enumerate(answers, start=1):
        for item_id, value in answer.items():
            item = instrument.item.get(item_id)
            cell = sheet.cell(ids_row + offset, column[item_id], shown(item, value) if item else value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # typed as text, not a formula
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def problems(data, filename="answers.xlsx", instrument=TOWNSHIP, **options) -> list[str]:
    with pytest.raises(WorkbookError) as caught:
        read_responses(data, filename, instrument, **options)
    return caught.value.problems


BASIC_HEADER = ("org_code", "org_name", "staff_total", "staff_prof_tech", "gps", "population")


# ---------------------------------------------------------------- the template


def test_the_template_round_trips_every_answer():
    answers = answers_from_columns(TOWNSHIP, township_columns(12, seed=4))
    # An empty multiple choice cannot be told from an unanswered one in a cell.
    answers = [{k: v for k, v in a.items() if v != []} for a in answers]
    centres = [(f"61010200{i:02d}", f"第{i}乡镇卫生院") for i in range(12)]
    data = fill(template(TOWNSHIP, centres), TOWNSHIP, answers)
    rows = read_responses(data, "填好的.xlsx", TOWNSHIP, round_id=5, known_codes=[c for c, _ in centres])
    assert [r.code for r in rows] == [c for c, _ in centres]
    assert rows[0].where == "填报!6"
    for row, answer in zip(rows, answers, strict=True):
        expected = {k: tuple(v) if isinstance(v, list) else v for k, v in answer.items()}
        assert row.answers == expected
    assert isinstance(rows[0].answers["staff_total"], int)
    assert isinstance(rows[0].answers["is_central"], bool)


def test_dates_text_and_long_choice_lists_round_trip():
    instrument = instruments.load(CASES / "long-lists.yaml")
    data = template(instrument, [("a1", "甲"), ("a2", "乙")])
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["填报", "说明", "选项", "_meta"]
    assert book["选项"].sheet_state == "hidden"
    validations = {str(v.sqref): v for v in book["填报"].data_validations.dataValidation}
    assert validations["C6:C7"].formula1 == "选项!$A$1:$A$10"  # too long for an inline list
    assert validations["D6:D7"].formula1 == "选项!$B$1:$B$2"  # a label with a comma
    assert validations["F6:F7"].type == "date"
    ratio = validations["G6:G7"]
    assert (ratio.type, float(ratio.formula1), float(ratio.formula2)) == ("decimal", 0, 1)
    typed = [
        {"place": "c10", "comma": "a", "remark": "=SUM(A1)", "visited": dt.datetime(2025, 6, 30), "ratio": 0.75},
        {"place": "c03", "visited": "2025/07/01"},
    ]
    rows = read_responses(fill(data, instrument, typed), "x.xlsx", instrument)
    assert rows[0].answers == {
        "place": "c10",
        "comma": "a",
        "remark": "=SUM(A1)",
        "visited": "2025-06-30",
        "ratio": 0.75,
    }
    assert rows[1].answers == {"place": "c03", "visited": "2025-07-01"}


def test_the_template_layout():
    data = template(TOWNSHIP, [("c1", "甲镇卫生院"), ("c2", "乙镇卫生院")], round_id=7, title="2025年度评估")
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["填报", "说明", "_meta"]
    assert book["_meta"].sheet_state == "veryHidden"
    meta = {row[0].value: row[1].value for row in book["_meta"].iter_rows()}
    assert meta["round_id"] == 7
    assert (meta["instrument"], meta["version"]) == (TOWNSHIP.id, TOWNSHIP.version)
    sheet = book["填报"]
    assert sheet["A1"].value == "乡镇卫生院服务能力评估\u30002025年度评估"
    assert sheet["C2"].value == "基本情况"
    labels = [c.value for c in sheet[3]]
    assert "*在岗职工总数（人）" in labels
    assert [c.value for c in sheet[5]][:4] == ["org_code", "org_name", "service_population", "ownership"]
    assert sheet.row_dimensions[5].hidden
    assert sheet.freeze_panes == "C6"
    assert sheet.protection.sheet
    assert (sheet["A6"].value, sheet["B6"].value) == ("c1", "甲镇卫生院")
    assert sheet["A6"].protection.locked and sheet["B6"].protection.locked
    assert not sheet["C6"].protection.locked
    validations = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    population = validations["C6:C7"]
    assert (population.type, population.formula1, population.formula2) == ("whole", "0", "2000000")
    assert validations["D6:D7"].formula1 == '"政府办,其他公立（企事业单位办）,社会办"'
    assert validations["E6:E7"].formula1 == '"是,否"'
    staff = labels.index("*专业技术人员数（人）") + 1
    column = openpyxl.utils.get_column_letter(staff)
    message = validations[f"{column}6:{column}7"].prompt
    assert "不能超过在岗职工总数" in message
    assert "不能超过在岗职工总数" in sheet.cell(4, staff).value
    assert "是" in book["说明"]["A1"].value + "".join(str(c.value) for c in book["说明"]["A"])


def test_centre_names_in_the_template_stay_text():
    data = template(TOWNSHIP, [(f"c{i}", name) for i, name in enumerate(INJECTIONS)])
    sheet = openpyxl.load_workbook(io.BytesIO(data))["填报"]
    for row, name in enumerate(INJECTIONS, start=6):
        assert (sheet.cell(row, 2).value, sheet.cell(row, 2).data_type) == (name, "s")


def test_an_unfilled_template_has_no_answers():
    data = template(TOWNSHIP, [("c1", "甲")])
    assert problems(data) == ["填报: no rows of answers"]


def test_a_template_of_another_round_is_refused():
    data = fill(template(TOWNSHIP, [("c1", "甲")], round_id=3), TOWNSHIP, [{"staff_total": 10}])
    assert problems(data, "t.xlsx", round_id=5) == ["t.xlsx: this template is for round 3, not 5"]
    assert read_responses(data, "t.xlsx", TOWNSHIP, round_id=3)[0].answers == {"staff_total": 10}


def test_a_template_of_another_instrument_is_refused():
    community = LIBRARY["community-health-centre"]
    data = fill(template(community, [("c1", "甲")]), community, [{"staff_total": 10}])
    assert problems(data, "t.xlsx") == [
        "t.xlsx: this template is for the instrument 'community-health-centre', not 'township-health-centre'"
    ]


# ---------------------------------------------------------------- plain sheets


def test_a_plain_csv_sheet(basic):
    rows = read_responses((CASES / "basic-answers.csv").read_bytes(), "answers.csv", basic)
    assert rows[0] == ResponseRow(
        "T001",
        {"staff_total": 53, "staff_prof_tech": 45, "gps": 6, "population": 20000, "has_inpatient": True,
         "beds": 12, "contracted": 5000},
        "answers.csv!2",
    )  # fmt: skip
    assert rows[1].answers == {"staff_total": 40, "staff_prof_tech": 38, "population": 15000,
                               "has_inpatient": False, "contracted": 4000}  # fmt: skip
    assert rows[2].answers["staff_total"] == 1200 and rows[2].answers["has_inpatient"] is True


def test_booleans_in_every_spelling(basic):
    spellings = ["是", "否", "yes", "no", "TRUE", "false", 1, 0, True, False]
    data = xlsx_bytes([("org_code", "has_inpatient")] + [(f"c{i}", s) for i, s in enumerate(spellings)])
    rows = read_responses(data, "b.xlsx", basic)
    assert [r.answers["has_inpatient"] for r in rows] == [True, False] * 5


def test_text_in_a_number_cell(basic):
    data = xlsx_bytes(
        [BASIC_HEADER] + [(f"c{i}", "甲", 10, 9, 1, 1000) for i in range(5)] + [("c9", "乙", 10, "十二", 1, 1000)]
    )
    assert problems(data, instrument=basic) == ["Sheet1!D7: '十二' is not a whole number"]


def test_a_negative_count(basic):
    data = xlsx_bytes(
        [BASIC_HEADER] + [(f"c{i}", "甲", 10, 9, 1, 1000) for i in range(5)] + [("c9", "乙", 10, 9, -3, 1000)]
    )
    assert problems(data, instrument=basic) == ["Sheet1!E7: -3 is below the minimum 0"]


def test_above_the_maximum():
    data = xlsx_bytes([("org_code", "service_population"), ("c1", 2_500_000)])
    assert problems(data) == ["Sheet1!B2: 2,500,000 is above the maximum 2,000,000"]


def test_a_broken_constraint(basic):
    data = xlsx_bytes([BASIC_HEADER, ("c1", "甲", 50, 45, 1, 1000), ("c2", "乙", 40, 45, 1, 1000)])
    assert problems(data, instrument=basic) == ["Sheet1!D3: 不能超过在岗职工总数"]


def test_a_constraint_without_a_message():
    instrument = instruments.load_text(
        (Path(__file__).parent / "cases" / "instruments" / "basic.yaml")
        .read_text(encoding="utf-8")
        .replace("        constraint_message: {zh: 不能超过在岗职工总数, en: Cannot exceed staff on post}\n", "")
    )
    data = xlsx_bytes([("org_code", "staff_total", "staff_prof_tech"), ("c1", 5, 6)])
    assert problems(data, instrument=instrument) == ["Sheet1!C2: fails the check staff_prof_tech <= staff_total"]


def test_a_constraint_is_only_checked_when_answered(basic):
    data = xlsx_bytes([("org_code", "staff_total", "staff_prof_tech"), ("c1", None, 6), ("c2", 5, None)])
    assert len(read_responses(data, "x.xlsx", basic)) == 2


def test_an_unknown_org_code(basic):
    data = xlsx_bytes([BASIC_HEADER, ("c1", "甲", 10, 9, 1, 1000), ("zz", "乙", 10, 9, 1, 1000)])
    assert problems(data, instrument=basic, known_codes={"c1"}) == ["Sheet1!A3: unknown org code 'zz'"]


def test_an_unknown_header_with_a_suggestion(basic):
    data = xlsx_bytes(
        [
            ("org_code", "org_name", "staff_total", "gps", "population", "staff_totl", "notes"),
            ("c1", "甲", 1, 1, 1, 1, 1),
        ]
    )
    assert problems(data, instrument=basic) == [
        "Sheet1!F1: unknown item 'staff_totl' (did you mean 'staff_total'?)",
        "Sheet1!G1: unknown item 'notes'",
    ]


def test_a_duplicate_org_code(basic):
    rows = [BASIC_HEADER] + [(f"c{i}", "甲", 10, 9, 1, 1000) for i in range(7)] + [("c2", "乙", 10, 9, 1, 1000)]
    assert problems(xlsx_bytes(rows), instrument=basic) == ["Sheet1!A9: org code 'c2' appears twice (also row 4)"]


def test_a_missing_org_code(basic):
    data = xlsx_bytes([BASIC_HEADER, (None, "甲", 10, 9, 1, 1000)])
    assert problems(data, instrument=basic) == ["Sheet1!A2: missing org_code"]


def test_no_org_code_header(basic):
    data = xlsx_bytes([("code", "staff_total"), ("c1", 10)])
    assert problems(data, instrument=basic) == [
        "Sheet1!A1: no 'org_code' column (the first row should hold org_code and the item ids)"
    ]


def test_an_empty_sheet(basic):
    assert problems(xlsx_bytes([]), instrument=basic) == ["Sheet1: no rows of answers"]
    assert problems(xlsx_bytes([BASIC_HEADER]), instrument=basic) == ["Sheet1: no rows of answers"]
    assert problems(b"org_code,staff_total\n", "a.csv", instrument=basic) == ["a.csv: no rows of answers"]


def test_every_problem_is_collected_in_order(basic):
    data = xlsx_bytes([BASIC_HEADER, ("c1", "甲", "x", 60, -1, 1000), ("c1", "甲", 1, 1, 1, "y")])
    assert problems(data, instrument=basic) == [
        "Sheet1!C2: 'x' is not a whole number",
        "Sheet1!E2: -1 is below the minimum 0",
        "Sheet1!A3: org code 'c1' appears twice (also row 2)",
        "Sheet1!F3: 'y' is not a whole number",
    ]


def test_problems_are_capped_at_two_hundred(basic):
    data = xlsx_bytes([("org_code", "staff_total")] + [(f"c{i}", "many") for i in range(250)])
    found = problems(data, instrument=basic)
    assert len(found) == 201
    assert found[0] == "Sheet1!B2: 'many' is not a whole number"
    assert found[-1] == "… and 50 more problems"


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (bytes(range(256)) * 10, "answers.xlsx", "answers.xlsx: not an Excel .xlsx workbook"),
        (
            b"org_code,staff_total\nc1,1\n",
            "answers.txt",
            "answers.txt: a .txt file cannot be read; use .xlsx or .csv",
        ),
        (b"org_code,staff_total\nc1,1\n", "renamed.xlsx", "renamed.xlsx: not an Excel .xlsx workbook"),
    ],
)
def test_junk_files(basic, data, filename, message):
    assert problems(data, filename, instrument=basic) == [message]


def test_a_zip_bomb(basic):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<row/>" * 3_000_000)
    assert problems(buffer.getvalue(), "bomb.xlsx", instrument=basic) == [
        "bomb.xlsx: compressed more than 200:1 (a zip bomb?)"
    ]
