"""The fill-in template and responses in: a round trip, and every bad input with its message."""

import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from helpers import xlsx_bytes
from sheets import BOOKS, csv_bytes, file_of

import instruments
from exports.errors import WorkbookError
from exports.responses import ResponseRow, limits, read_responses
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
    """The template with each centre's answers (and clause ratings) typed in, saved as Excel would."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    column = {}  # where each header is: its sheet, the machine-header row and its column
    for sheet in (book[name] for name in ("填报", "条款自评") if name in book.sheetnames):
        ids_row = next(r for r in range(1, 11) if sheet.cell(r, 1).value == "org_code")
        column |= {sheet.cell(ids_row, c).value: (sheet, ids_row, c) for c in range(3, sheet.max_column + 1)}
    for offset, answer in enumerate(answers, start=1):
        for item_id, value in answer.items():
            item = instrument.item.get(item_id)
            sheet, ids_row, col = column[item_id]
            cell = sheet.cell(ids_row + offset, col, shown(item, value) if item else value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # typed as text, not a formula
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def problems(data, filename="answers.xlsx", instrument=TOWNSHIP, **options) -> list[str]:
    with pytest.raises(WorkbookError) as caught:
        read_responses(data, filename, instrument, **options)
    return caught.value.lines("en")


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
    assert book.sheetnames == ["填报", "条款自评", "说明", "_meta"]
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


def test_a_broken_constraint_says_its_message_in_each_language(basic):
    data = xlsx_bytes([BASIC_HEADER, ("c1", "甲", 50, 45, 1, 1000), ("c2", "乙", 40, 45, 1, 1000)])
    assert problems(data, instrument=basic) == ["Sheet1!D3: Cannot exceed staff on post"]
    with pytest.raises(WorkbookError) as caught:
        read_responses(data, "answers.xlsx", basic)
    assert caught.value.lines() == ["Sheet1!D3：不能超过在岗职工总数"]


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
        (
            bytes(range(256)) * 10,
            "answers.xlsx",
            "answers.xlsx: not an Excel .xlsx workbook (save it from Excel or WPS",
        ),
        (b"org_code,staff_total\nc1,1\n", "answers.txt", "answers.txt: a .txt file cannot be read; use .xlsx"),
        (b"org_code,staff_total\nc1,1\n", "renamed.xlsx", "renamed.xlsx: not an Excel .xlsx workbook"),
        (b"<html><body>x</body></html>", "answers.xls", "answers.xls: not an Excel .xls workbook (a web page"),
        (b"PK\x03\x04 not a zip", "answers.ods", "answers.ods: not an OpenDocument .ods workbook"),
    ],
)
def test_junk_files(basic, data, filename, message):
    found = problems(data, filename, instrument=basic)
    assert len(found) == 1 and found[0].startswith(message), found


def test_a_zip_bomb(basic):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<row/>" * 3_000_000)
    assert problems(buffer.getvalue(), "bomb.xlsx", instrument=basic) == [
        "bomb.xlsx: compressed more than 200:1 (a zip bomb?)"
    ]


# ---------------------------------------------------------------- every format: .xlsx, .xls, .ods, .csv

ANSWERS = [
    ("org_code", "org_name", "staff_total", "staff_prof_tech", "gps", "population", "has_inpatient"),
    ("T001", "甲镇卫生院", 53, 45, 6, 20000, "是"),
    ("T002", "乙镇卫生院", 40, 38, None, 15000, "否"),
    ("T003", "丙镇卫生院", 12, 10, 9, 30000, True),
]


@pytest.mark.parametrize("kind", ["xlsx", "xls", "ods", "csv"])
def test_answers_in_every_format(basic, kind):
    data, name = file_of(kind, ANSWERS)
    rows = read_responses(data, name, basic, known_codes={"T001", "T002", "T003"})
    sheet = name if kind == "csv" else "Sheet1"
    assert rows == [
        ResponseRow("T001", {"staff_total": 53, "staff_prof_tech": 45, "gps": 6, "population": 20000,
                             "has_inpatient": True}, f"{sheet}!2"),
        ResponseRow("T002", {"staff_total": 40, "staff_prof_tech": 38, "population": 15000,
                             "has_inpatient": False}, f"{sheet}!3"),
        ResponseRow("T003", {"staff_total": 12, "staff_prof_tech": 10, "gps": 9, "population": 30000,
                             "has_inpatient": True}, f"{sheet}!4"),
    ]  # fmt: skip
    assert all(isinstance(v, int) for v in rows[0].answers.values() if not isinstance(v, bool))


@pytest.mark.parametrize("kind", ["xlsx", "xls", "ods", "csv"])
def test_errors_are_located_in_every_format(basic, kind):
    rows = [BASIC_HEADER] + [(f"c{i}", "甲", 10, 9, 1, 1000) for i in range(5)] + [("c9", "乙", 10, "十二", 1, 1000)]
    data, name = file_of(kind, rows)
    sheet = name if kind == "csv" else "Sheet1"
    assert problems(data, name, instrument=basic) == [f"{sheet}!D7: '十二' is not a whole number"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_a_csv_in_utf8_or_gbk(basic, encoding):
    rows = [("org_code", "org_name", "staff_total", "has_inpatient"), ("T001", "甲镇卫生院", "53", "是")]
    found = read_responses(csv_bytes(rows, encoding), "答案.csv", basic)
    assert found == [ResponseRow("T001", {"staff_total": 53, "has_inpatient": True}, "答案.csv!2")]
    bad = rows + [("T002", "乙镇卫生院", "五十", "否")]
    assert problems(csv_bytes(bad, encoding), "答案.csv", instrument=basic) == [
        "答案.csv!C3: '五十' is not a whole number"
    ]


@pytest.mark.parametrize("kind", ["xls", "ods"])
def test_the_filled_template_saved_as_xls_or_ods(kind):
    """A county office opens the template in WPS or LibreOffice and saves it in another format."""
    answers = answers_from_columns(TOWNSHIP, township_columns(3, seed=8))
    answers = [{k: v for k, v in a.items() if v != []} for a in answers]
    centres = [(f"61010200{i:02d}", f"第{i}乡镇卫生院") for i in range(3)]
    book = openpyxl.load_workbook(io.BytesIO(fill(template(TOWNSHIP, centres), TOWNSHIP, answers)))
    sheets = {name: [list(r) for r in book[name].iter_rows(values_only=True)] for name in ("填报", "_meta")}
    data = BOOKS[kind](sheets)
    rows = read_responses(data, f"填好的.{kind}", TOWNSHIP, round_id=5, known_codes=[c for c, _ in centres])
    assert [r.where for r in rows] == ["填报!6", "填报!7", "填报!8"]
    for row, answer in zip(rows, answers, strict=True):
        assert row.answers == {k: tuple(v) if isinstance(v, list) else v for k, v in answer.items()}
    with pytest.raises(WorkbookError) as caught:
        read_responses(data, f"填好的.{kind}", TOWNSHIP, round_id=6)
    assert caught.value.lines("en") == [f"填好的.{kind}: this template is for round 5, not 6"]


# ---------------------------------------------------------------- no more than the round can need


def test_a_sheet_sized_for_the_round(basic):
    size = limits(basic, ["c1", "c2"])
    assert (size.rows, size.columns) == (10 + 2 + 100, 2 + len(basic.items) + 20)
    assert str(size.why) == f"2 centres in scope, {len(basic.items)} items"
    assert limits(basic, None).rows == 1_048_576


def test_rows_past_what_the_round_needs_are_refused(basic):
    rows = [("org_code", "staff_total")] + [("c1", 5)] + [(None, None, "备注")] * 200
    assert problems(xlsx_bytes(rows), "many.xlsx", instrument=basic, known_codes={"c1"}) == [
        f"Sheet1: 202 rows and 3 columns; a sheet for this import holds at most 111 rows and "
        f"{2 + len(basic.items) + 20} columns (1 centre in scope, {len(basic.items)} items)"
    ]


def test_a_centre_upload_unpacking_to_identical_rows_is_refused_unread(basic):
    """A small workbook unpacking to far more rows than one centre could send stops at the zip directory."""
    row = b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>c1</t></is></c><c r="B%d"><v>5</v></c></row>'
    body = b"".join(row % (i, i, i) for i in range(2, 120_002))
    sheet = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>org_code</t></is></c>'
        b'<c r="B1" t="inlineStr"><is><t>staff_total</t></is></c></row>' + body + b"</sheetData></worksheet>"
    )
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(xlsx_bytes([("a",)]))) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for info in source.infolist():
            out.writestr(info.filename, sheet if info.filename == "xl/worksheets/sheet1.xml" else source.read(info))
    data = buffer.getvalue()
    assert len(data) < 1_000_000
    found = problems(data, "mine.xlsx", instrument=basic, known_codes={"c1"})
    assert len(found) == 1
    assert found[0].startswith("mine.xlsx: unpacks to 11 MB, ")
    assert found[0].endswith(
        f"more than 9 MB; a sheet for this import holds at most 111 rows and {2 + len(basic.items) + 20} columns "
        f"(1 centre in scope, {len(basic.items)} items)"
    )


@pytest.mark.parametrize("kind", ["xlsx", "ods"])
def test_a_number_in_a_text_cell_reads_as_typed(kind):
    instrument = instruments.load(CASES / "long-lists.yaml")
    data, name = file_of(kind, [("org_code", "remark"), ("a1", 12), ("a2", 12.5)])
    rows = read_responses(data, name, instrument)
    assert [r.answers["remark"] for r in rows] == ["12", "12.5"]
