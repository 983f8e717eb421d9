"""Uploads read safely in every format: the same rows from .xlsx, .xls, .ods and .csv, and junk,
bombs and sheets reaching too far refused with a located message before they are parsed."""

import datetime as dt
import io
import struct
import zipfile

import pytest
from helpers import xlsx_bytes
from sheets import csv_bytes, file_of, ods_bytes, xls_bytes

from exports import bounds, uploads
from exports.errors import WorkbookError
from exports.uploads import Limits, Upload

ROWS = [("org_code", "staff", "ok", "day"), ("610102", 12, True, dt.date(2025, 1, 2)), ("610103", "十二", None, None)]
SMALL = Limits(rows=20, columns=10, why="a test")


def problems(call) -> list[str]:
    with pytest.raises(WorkbookError) as caught:
        call()
    return caught.value.lines("en")


def read(data: bytes, filename: str, limits: Limits = SMALL) -> list[list]:
    upload = Upload(data, filename, limits)
    return list(upload.rows(upload.sheet_names[0]))


@pytest.mark.parametrize("kind", ["xlsx", "xls", "ods"])
def test_every_workbook_format_reads_the_same_cells(kind):
    data, name = file_of(kind, ROWS)
    upload = Upload(data, name, SMALL)
    assert upload.kind == kind and upload.sheet_names == ["Sheet1"]
    rows = list(upload.rows("Sheet1"))
    assert rows[0] == ["org_code", "staff", "ok", "day"]
    assert rows[1] == ["610102", 12, True, dt.date(2025, 1, 2)]
    assert rows[2] == ["610103", "十二", "", ""]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_utf8_or_gbk(encoding):
    rows = read(csv_bytes([("编码", "名称"), ("610102", "新城区")], encoding), "a.csv")
    assert rows == [["编码", "名称"], ["610102", "新城区"]]


def test_csv_separators_and_nul_bytes():
    assert read(b"a\tb\n1\t2\n", "t.csv") == [["a", "b"], ["1", "2"]]
    assert read(b"a;b\n1;2\n", "s.csv") == [["a", "b"], ["1", "2"]]
    assert problems(lambda: read(b"a,b\x00\n", "nul.csv")) == ["nul.csv: not a text file (it contains NUL bytes)"]
    assert problems(lambda: read(bytes([0xFF, 0xFE, 0x81, 0x20]) * 4, "bad.csv")) == [
        "bad.csv: not a text file in UTF-8 or GBK/GB18030"
    ]


def test_a_sheet_starting_below_and_right_of_a1_keeps_its_places():
    data = xlsx_bytes([(), (None, None, "x"), (None, None, None, 4)])
    assert read(data, "a.xlsx") == [[""] * 4, ["", "", "x", ""], ["", "", "", 4]]


def test_hidden_sheets_are_listed():
    book = xlsx_bytes([("a",)])
    upload = Upload(book, "a.xlsx", SMALL)
    assert upload.sheet_names == ["Sheet1"]
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(book))
    wb.create_sheet("_meta").sheet_state = "veryHidden"
    wb["_meta"]["A1"] = "kind"
    buffer = io.BytesIO()
    wb.save(buffer)
    upload = Upload(buffer.getvalue(), "a.xlsx", SMALL)
    assert upload.sheet_names == ["Sheet1", "_meta"]
    assert list(upload.rows("_meta")) == [["kind"]]


# ---------------------------------------------------------------- junk


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "empty.xlsx", "empty.xlsx: the file is empty"),
        (bytes(range(256)) * 40, "junk.xlsx", "junk.xlsx: not an Excel .xlsx workbook (save it from Excel or WPS"),
        (bytes(range(256)) * 40, "junk.ods", "junk.ods: not an OpenDocument .ods workbook (save it"),
        ("机构编码,名称\n1,甲\n".encode(), "renamed.xlsx", "renamed.xlsx: not an Excel .xlsx workbook"),
        (
            b"<html><table><tr><td>1</td></tr></table></html>",
            "export.xls",
            "export.xls: not an Excel .xls workbook (a web page",
        ),
        (b"PK\x03\x04" + bytes(200), "cut.xlsx", "cut.xlsx: not an Excel .xlsx workbook"),
        (uploads.OLE_MAGIC + bytes(600), "old.xls", "old.xls: not an Excel .xls workbook"),
        (b"code,name", "orgs.txt", "orgs.txt: a .txt file cannot be read; use .xlsx, .xls, .ods or .csv"),
    ],
)
def test_junk_is_a_located_error_never_a_traceback(data, filename, message):
    found = problems(lambda: read(data, filename))
    assert len(found) == 1 and found[0].startswith(message), found


def test_a_zip_that_is_not_a_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert problems(lambda: read(buffer.getvalue(), "x.xlsx")) == ["x.xlsx: not an Excel .xlsx workbook"]


def replaced(data: bytes, member: str, body: bytes) -> bytes:
    """The zip `data` with `member` holding `body`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            out.writestr(info.filename, body if info.filename == member else source.read(info))
    return buffer.getvalue()


def test_a_broken_workbook_part():
    data = replaced(xlsx_bytes([("a", 1)]), "xl/workbook.xml", b"<not xml")
    assert problems(lambda: read(data, "broken.xlsx"))[0].startswith("broken.xlsx: not an Excel .xlsx workbook (")


def test_a_broken_sheet():
    sheet = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r='
    )
    data = replaced(xlsx_bytes([("a", 1)]), "xl/worksheets/sheet1.xml", sheet)
    assert problems(lambda: read(data, "broken.xlsx"))[0].startswith("Sheet1: the sheet cannot be read (")


def test_entities_are_never_expanded(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    strings = (
        f'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY xxe SYSTEM "file://{secret}">'
        '<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2" uniqueCount="2">'
        "<si><t>&xxe;</t></si><si><t>&c;</t></si></sst>"
    ).encode()
    book = io.BytesIO()
    import xlsxwriter

    with xlsxwriter.Workbook(book) as wb:
        ws = wb.add_worksheet("Sheet1")
        ws.write_string(0, 0, "one")
        ws.write_string(1, 0, "two")
    data = replaced(book.getvalue(), "xl/sharedStrings.xml", strings)
    try:
        cells = [c for row in read(data, "xxe.xlsx") for c in row]
    except WorkbookError as error:
        cells = error.lines("en")
    assert not any("TOP-SECRET" in str(c) for c in cells)
    assert not any("a" * 100 in str(c) for c in cells)


# ---------------------------------------------------------------- how much a file may hold


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in members.items():
            archive.writestr(name, body)
    return buffer.getvalue()


def sheet_xml(body: bytes) -> bytes:
    return (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + body
        + (b"</sheetData></worksheet>")
    )


def xlsx_with_sheet(sheet: bytes) -> bytes:
    """A real workbook whose only sheet is `sheet` (the XML of a worksheet part)."""
    return replaced(xlsx_bytes([("a",)]), "xl/worksheets/sheet1.xml", sheet)


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    bomb = zipped({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>",
                   "xl/worksheets/sheet1.xml": bytes(20 * 2**20)})  # fmt: skip
    assert len(bomb) < 100_000
    assert problems(lambda: read(bomb, "bomb.xlsx", Limits())) == [
        "bomb.xlsx: compressed more than 200:1 (a zip bomb?)"
    ]


def test_identical_rows_past_what_the_import_can_need_are_refused_unopened():
    # The county-sized import allows 8 MB plus 300 bytes a cell; this unpacks to about 12 MB at under 200:1.
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (i, i, i) for i in range(1, 300_001))
    data = xlsx_with_sheet(sheet_xml(rows))
    limits = Limits(rows=210, columns=92, why="100 centres in scope")
    found = problems(lambda: Upload(data, "many.xlsx", limits))
    assert len(found) == 1
    assert found[0].startswith("many.xlsx: unpacks to 1")
    assert found[0].endswith(
        "MB, more than 14 MB; a sheet for this import holds at most 210 rows and 92 columns (100 centres in scope)"
    )


def test_a_file_larger_than_the_limit(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_FILE", 100)
    assert problems(lambda: read(bytes(200), "huge.xlsx")) == [
        "huge.xlsx: the file is larger than 0 KB; a sheet for this import holds at most 20 rows and 10 columns (a test)"
    ]


def test_rows_past_the_limits_are_refused_once_parsed():
    data = xlsx_bytes([("a", "b")] * 25)
    assert problems(lambda: read(data, "a.xlsx")) == [
        "Sheet1: 25 rows and 2 columns; a sheet for this import holds at most 20 rows and 10 columns (a test)"
    ]
    data = xlsx_bytes([tuple(range(12))])
    assert problems(lambda: read(data, "a.xlsx"))[0].startswith("Sheet1: 1 rows and 12 columns;")


@pytest.mark.parametrize("kind", ["xls", "ods"])
def test_rows_past_the_limits_in_other_formats(kind):
    data, name = file_of(kind, [("a", 1)] * 25)
    assert problems(lambda: read(data, name))[0].startswith("Sheet1: 25 rows and 2 columns;")


def test_csv_reading_stops_at_the_first_row_past_the_limits():
    data = b"a,b\n" * 1000
    assert problems(lambda: read(data, "a.csv")) == [
        "a.csv!21: past the last row this import can take; "
        "a sheet for this import holds at most 20 rows and 10 columns (a test)"
    ]
    assert problems(lambda: read(b"a," * 30 + b"\n", "w.csv"))[0].startswith("w.csv!1: 31 columns;")


# ---------------------------------------------------------------- cells reaching far, refused before parsing

FAR = "a sheet for this import holds at most 20 rows and 10 columns (a test)"


@pytest.mark.parametrize(
    ("body", "reach"),
    [
        (
            b'<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
            "row 1,048,576, column 16,384",
        ),
        (b'<row r="1"><c r="A1"><v>1</v></c><c r="XFD1"><v>1</v></c></row>', "row 1, column 16,384"),
        (b'<row r="1"><c r="A1"><v>1</v></c><c r="xfd1"><v>1</v></c></row>', "row 1, column 16,384"),
        (b'<row r="1"><c r="A1001"><v>1</v></c></row>', "row 1,001, column 1"),
        (b'<row r="1"><c r="A0001001"><v>1</v></c></row>', "row 1,001, column 1"),
    ],
)
def test_a_cell_far_away_is_refused_before_parsing(body, reach):
    found = problems(lambda: read(xlsx_with_sheet(sheet_xml(body)), "far.xlsx"))
    assert found == [f"Sheet1: cells reach {reach}; {FAR}"]


@pytest.mark.parametrize(
    "body",
    [
        # cells without references count on from the last one, as calamine reads them
        b'<row r="1">' + b"<c><v>1</v></c>" * 300 + b"</row>",
        # rows without references count on too
        b"<row><c><v>1</v></c></row>" * 1200,
        # prefixed elements, single quotes and spaces around `=` are read the slow, exact way
        b"<x:row r='1'><x:c r='A1'><x:v>1</x:v></x:c><x:c r = 'ZZ1'><x:v>1</x:v></x:c></x:row>",
        b'<row r="2"><c t="n" r="A2"><v>1</v></c><c r="A3" r="XFD3"><v>1</v></c></row>',
        # a second reference behind white space before its `=`, of each kind XML allows
        *(b'<row r="1"><c r="A1" r' + space + b'="XFD1"><v>1</v></c></row>' for space in (b" ", b"\t", b"\n", b"\r")),
    ],
)
def test_unusual_sheets_are_checked_exactly(body):
    xml = sheet_xml(body).replace(
        b"<worksheet ", b'<worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    )
    found = problems(lambda: read(xlsx_with_sheet(xml), "odd.xlsx"))
    assert found[0].startswith("Sheet1: cells reach") and found[0].endswith(FAR), found


def test_an_unusual_sheet_within_bounds_is_read():
    body = b"<x:row r='1'><x:c r='A1' t='inlineStr'><x:is><x:t>hi</x:t></x:is></x:c><x:c><x:v>2</x:v></x:c></x:row>"
    xml = sheet_xml(body).replace(
        b"<worksheet ", b'<worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    )
    assert read(xlsx_with_sheet(xml), "odd.xlsx") == [["hi", 2]]


def ods_with_content(rows_xml: bytes) -> bytes:
    """An .ods whose one table holds `rows_xml`."""
    content = (
        b'<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        b'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        b'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        b'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        b'<office:body><office:spreadsheet><table:table table:name="Sheet1">'
        + rows_xml
        + b"</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    return replaced(ods_bytes([("a",)]), "content.xml", content)


CELL = b'<table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell>'


def test_ods_trailing_empty_repeats_as_libreoffice_writes_them_are_fine():
    rows = (
        b"<table:table-row>" + CELL + b'<table:table-cell table:number-columns-repeated="16383"/></table:table-row>'
        b'<table:table-row table:number-rows-repeated="1048575"><table:table-cell table:number-columns-repeated="16384"/>'
        b"</table:table-row>"
    )
    assert read(ods_with_content(rows), "lo.ods") == [[1.0]]


@pytest.mark.parametrize(
    "rows",
    [
        b'<table:table-row table:number-rows-repeated="1000000">' + CELL + b"</table:table-row>",
        b"<table:table-row>"
        + CELL.replace(b"<table:table-cell ", b'<table:table-cell table:number-columns-repeated="16384" ')
        + b"</table:table-row>",
        b"<table:table-row>" + CELL + b'</table:table-row><table:table-row table:number-rows-repeated="5000"/>'
        b"<table:table-row>" + CELL + b"</table:table-row>",
    ],
)
def test_ods_repeats_holding_values_are_refused_before_parsing(rows):
    found = problems(lambda: read(ods_with_content(rows), "rep.ods"))
    assert found[0].startswith("Sheet1: cells reach") and found[0].endswith(FAR), found


def test_an_xls_cell_far_away_is_refused_before_parsing():
    data = xls_bytes([("a",)] + [()] * 1500 + [("far",)])
    found = problems(lambda: read(data, "far.xls"))
    assert found == [f"far.xls: sheet 1's cells reach row 1,502, column 1; {FAR}"]


def biff(*records: tuple[int, bytes]) -> bytes:
    return b"".join(struct.pack("<HH", typ, len(body)) + body for typ, body in records)


def xls_stream(*sheet: tuple[int, bytes], entries: int = 1) -> bytes:
    """A BIFF workbook stream: `entries` sheet entries all pointing at one sheet of `sheet` records."""
    entry_size = 4 + 9
    at = entries * entry_size + 4  # the sheet starts after the entries and the globals' EOF
    entry = (bounds.BOUNDSHEET, struct.pack("<I", at) + b"\x00\x00\x01\x00a")
    return biff(*[entry] * entries, (bounds.EOF, b""), (bounds.BOF, bytes(16)), *sheet, (bounds.EOF, b""))


def dimensions(rows: int, columns: int) -> tuple[int, bytes]:
    return bounds.DIMENSIONS, struct.pack("<IIHHH", 0, rows, 0, columns, 0)


def test_xls_declared_dimensions_and_cell_records_are_checked():
    assert bounds.check_xls(xls_stream(dimensions(10, 3)), 1000, 256) == 4 + 16 + 4 + 14 + 4
    with pytest.raises(bounds.ReachError):  # calamine would reserve room for 65,536 × 256 cells
        bounds.check_xls(xls_stream(dimensions(65536, 256)), 1000, 256)
    mulrk = (bounds.MULRK, struct.pack("<HH", 0, 250) + bytes(6 * 51) + struct.pack("<H", 300))
    with pytest.raises(bounds.ReachError):
        bounds.check_xls(xls_stream(dimensions(1, 1), mulrk), 1000, 256)
    number = (0x0203, struct.pack("<HHH", 5000, 0, 0) + bytes(8))
    with pytest.raises(bounds.ReachError):
        bounds.check_xls(xls_stream(number), 1000, 256)


def test_xls_sheet_entries_pointing_at_one_sheet_count_it_each_time():
    one = bounds.check_xls(xls_stream(dimensions(10, 3)), 1000, 256)
    assert bounds.check_xls(xls_stream(dimensions(10, 3), entries=10), 1000, 256) == 10 * one


def test_a_workbook_with_a_password_is_named_as_such():
    # What Excel saves with a password is a compound file holding an encrypted package.
    data = _compound_file({"EncryptedInfo": b"x" * 64, "EncryptedPackage": b"y" * 5000})
    assert problems(lambda: read(data, "secret.xlsx")) == [
        "secret.xlsx: the workbook is protected by a password; save it without one"
    ]


def _compound_file(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE2 compound file (version 3, 512-byte sectors) holding `streams` in regular sectors."""
    sector = 512
    names = list(streams)
    bodies = [streams[n] + bytes(-len(streams[n]) % sector) for n in names]
    starts, at = [], 0
    for body in bodies:
        starts.append(at)
        at += len(body) // sector
    directory_sector = at
    fat_sector = at + 1
    fat = []
    for body, start in zip(bodies, starts, strict=True):
        n = len(body) // sector
        fat += [start + i + 1 for i in range(n - 1)] + [0xFFFFFFFE]
    fat += [0xFFFFFFFE, 0xFFFFFFFD]  # the directory, the FAT itself
    fat += [0xFFFFFFFF] * (sector // 4 - len(fat))

    def entry(name: str, kind: int, start: int, size: int, child: int = 0xFFFFFFFF, right: int = 0xFFFFFFFF) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        return (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBB", len(encoded), kind, 1)
            + struct.pack("<III", 0xFFFFFFFF, right, child)
            + bytes(16 + 4 + 16)
            + struct.pack("<IQ", start, size)
        )

    entries = [entry("Root Entry", 5, 0xFFFFFFFE, 0, child=1)]
    for i, (name, start) in enumerate(zip(names, starts, strict=True), start=1):
        right = i + 1 if i < len(names) else 0xFFFFFFFF
        entries.append(entry(name, 2, start, len(streams[name]), right=right))
    directory = b"".join(entries).ljust(sector, b"\0")
    header = (
        uploads.OLE_MAGIC
        + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<IIII", 0, 1, directory_sector, 0)
        + struct.pack("<IIIII", 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
        + struct.pack("<I", fat_sector)
        + b"\xff\xff\xff\xff" * 108
    )
    return header + b"".join(bodies) + directory + struct.pack(f"<{sector // 4}I", *fat)


def test_the_fast_pass_reads_a_sheet_in_pieces(monkeypatch):
    """A sheet read a few bytes at a time: checks agree across pieces, and what follows the sheet
    data (validations with `operator=`) does not send a usual sheet to the exact pass."""
    monkeypatch.setattr(bounds, "CHUNK", 64)

    def exact(*args):
        raise AssertionError("a usual sheet took the exact pass")

    monkeypatch.setattr(bounds, "_check_xlsx_tags", exact)
    body = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c><c r="B%d"/></row>' % (i, i, i, i) for i in range(1, 20))
    tail = b'<dataValidations count="1"><dataValidation type="whole" operator="greaterThan" sqref="A1:A9">'
    tail += b"<formula1>0</formula1></dataValidation></dataValidations>"
    xml = sheet_xml(body).replace(b"</sheetData>", b"</sheetData>" + tail)
    assert len(read(xlsx_with_sheet(xml), "ok.xlsx")) == 19
    far = xml.replace(b'<c r="B7"/>', b'<c r="B1001"><v>1</v></c>')
    assert problems(lambda: read(xlsx_with_sheet(far), "far.xlsx")) == [
        f"Sheet1: cells reach row 1,001, column 2; {FAR}"
    ]
