"""Excel's limits and the guarded reader: titles, long text, formula-like text, junk and zip bombs."""

import io
import zipfile

import openpyxl
import pytest
from helpers import xlsx_bytes

from exports import excel
from exports.errors import WorkbookError, problem

INJECTIONS = ['=HYPERLINK("http://x","y")', "+1+1", "@SUM(1)", "-2+3", "=1+1", "<r>x & y</r>"]


def written(fill) -> bytes:
    buffer = io.BytesIO()
    with excel.writing(buffer) as wb:
        fill(wb)
    return buffer.getvalue()


def problems(call) -> list[str]:
    with pytest.raises(WorkbookError) as caught:
        call()
    return caught.value.lines("en")


def test_a_long_duplicate_sheet_title_is_cut_and_made_unique():
    taken: set[str] = set()
    name = "各地区各指标达标情况汇总表" * 3 + "A"  # 40 characters
    assert len(name) == 40
    first = excel.sheet_title(name, taken)
    second = excel.sheet_title(name, taken)
    assert len(first) == len(second) == 31
    assert first != second and second.endswith("_2")
    assert excel.sheet_title("DATA", {"data"}) == "DATA_2"  # Excel ignores case


def test_sheet_titles_lose_forbidden_characters():
    assert excel.sheet_title("a[b]:c*d?e/f\\g", set()) == "a_b__c_d_e_f_g"
    assert excel.sheet_title("'quoted'", set()) == "quoted"
    assert excel.sheet_title("", set()) == "Sheet"
    assert excel.sheet_title("History", set()) == "History_"


def test_long_text_is_cut_to_what_a_cell_holds():
    text = "字" * 40_000
    assert len(excel.cell_text(text)) == 32_767
    assert excel.cell_text("a\x00b\x07c\td\ne") == "abc\td\ne"

    def fill(wb):
        excel.write_text(wb.add_worksheet("long"), 0, 0, text)

    book = openpyxl.load_workbook(io.BytesIO(written(fill)))
    assert book["long"]["A1"].value == "字" * 32_767


def test_formula_like_text_stays_text():
    def fill(wb):
        ws = wb.add_worksheet("x")
        for row, text in enumerate(INJECTIONS):
            excel.write_text(ws, row, 0, text)
            excel.write_text(ws, row, 1, text, wb.add_format({"bold": True}))

    data = written(fill)
    sheet = openpyxl.load_workbook(io.BytesIO(data))["x"]
    for row, text in enumerate(INJECTIONS, start=1):
        for col in (1, 2):
            cell = sheet.cell(row, col)
            assert (cell.value, cell.data_type) == (text, "s")
    read_only = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    assert [row[0] for row in read_only["x"].iter_rows(values_only=True)] == INJECTIONS
    read_only.close()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")


def test_a_failed_write_leaves_the_target_alone(tmp_path):
    target = tmp_path / "out.xlsx"
    with pytest.raises(RuntimeError), excel.writing(target) as wb:
        wb.add_worksheet("x").write_string(0, 0, "half")
        raise RuntimeError("stop")
    assert not target.exists()
    with excel.writing(target) as wb:
        wb.add_worksheet("x").write_string(0, 0, "whole")
    assert openpyxl.load_workbook(target)["x"]["A1"].value == "whole"


def test_a_workbook_opens_read_only_where_its_structure_matters():
    book = excel.open_workbook(xlsx_bytes([("a", 1), ("b", 2)]), "ok.xlsx")
    assert list(excel.sheet_rows(book["Sheet1"])) == [("a", 1), ("b", 2)]
    book.close()


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (bytes(range(256)) * 40, "junk.xlsx", "junk.xlsx: not an Excel .xlsx workbook"),
        ("机构编码,名称\n1,甲\n".encode(), "renamed.xlsx", "renamed.xlsx: not an Excel .xlsx workbook"),
        (b"", "empty.xlsx", "empty.xlsx: the file is empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "old.xlsx", "old.xlsx: this is an old .xls"),
    ],
)
def test_junk_is_refused_with_a_workbook_error(data, filename, message):
    assert problems(lambda: excel.open_workbook(data, filename))[0].startswith(message)


def test_a_broken_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx_bytes([("a", 1)]))) as source, zipfile.ZipFile(buffer, "w") as out:
        for info in source.infolist():
            body = source.read(info)
            out.writestr(info, b"<not xml" if info.filename == "xl/workbook.xml" else body)
    found = problems(lambda: excel.open_workbook(buffer.getvalue(), "broken.xlsx"))
    assert found[0].startswith("broken.xlsx: not an Excel .xlsx workbook")


BROKEN_SHEET = (
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<dimension ref="A1:A2"/><sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r='
)


def test_a_broken_sheet_is_refused_while_reading():
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx_bytes([("a", 1)]))) as source, zipfile.ZipFile(buffer, "w") as out:
        for info in source.infolist():
            body = source.read(info)
            out.writestr(info, BROKEN_SHEET if info.filename.endswith("sheet1.xml") else body)
    book = excel.open_workbook(buffer.getvalue(), "broken.xlsx")
    found = problems(lambda: list(excel.sheet_rows(book["Sheet1"], close=book)))
    assert found[0].startswith("Sheet1: the sheet cannot be read")


def test_a_zip_bomb_is_refused_before_openpyxl_opens_it():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", bytes(20 * 2**20))
    found = problems(lambda: excel.open_workbook(buffer.getvalue(), "bomb.xlsx"))
    assert found == ["bomb.xlsx: compressed more than 200:1 (a zip bomb?)"]


def test_locations():
    assert excel.location("Sheet1", 7, 4) == "Sheet1!D7"
    assert excel.location("Sheet1", 7, 28) == "Sheet1!AB7"
    assert excel.location("Sheet1", 7) == "Sheet1!7"
    assert excel.location("Sheet1") == "Sheet1"


def test_the_problem_list_is_capped_in_both_languages():
    error = WorkbookError([problem(f"Sheet1!A{i}", "missing_code") for i in range(1, 251)])
    assert len(error.problems) == 200 and error.more == 50
    assert error.lines("en")[-1] == "… and 50 more problems" and error.lines()[-1] == "……另有 50 个问题"
    assert (
        str(error).splitlines()[0] == "Sheet1!A1: missing code"
        and error.text().splitlines()[0] == "Sheet1!A1：缺少编码"
    )
    assert WorkbookError([problem("x", "missing_code")], more=3).lines("en") == [
        "x: missing code",
        "… and 3 more problems",
    ]


@pytest.mark.parametrize("count", [1, 250])
def test_a_workbook_error_survives_pickling_whole(count):
    """A worker process or a background job hands the error back as it was raised, codes and parameters too."""
    import pickle

    error = WorkbookError([problem(f"Sheet1!A{n}", "duplicate_code", code="x", row=n) for n in range(count)], more=3)
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is WorkbookError and again.problems == error.problems and str(again) == str(error)
    assert again.text("zh") == error.text("zh") and again.problems[0].params == {"code": "x", "row": 0}
    assert again.lines("en")[-1] == f"… and {count + 3 - min(count, 200):,} more problems"
