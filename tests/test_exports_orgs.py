"""Organisation units in: any order, parents first out, every problem located."""

from pathlib import Path

import pytest
from helpers import xlsx_bytes
from sheets import csv_bytes, file_of

from exports.errors import WorkbookError
from exports.orgs import OrgUnit, read_orgs

CASES = Path(__file__).parent / "cases" / "workbooks"
HEADER = ("code", "name", "level", "parent_code", "kind")


def problems(data: bytes, filename: str = "orgs.xlsx", known=None) -> list[str]:
    with pytest.raises(WorkbookError) as caught:
        read_orgs(data, filename, known or {})
    return caught.value.lines("en")


def test_a_csv_in_any_order_comes_back_parents_first():
    units = read_orgs((CASES / "orgs.csv").read_bytes(), "orgs.csv")
    codes = [u.code for u in units]
    assert sorted(codes) == ["61", "6101", "610102", "610102001", "610102101"]
    for unit in units:
        if unit.parent_code:
            assert codes.index(unit.parent_code) < codes.index(unit.code)
    first = next(u for u in units if u.code == "610102001")
    assert first == OrgUnit(
        "610102001", "正阳街道社区卫生服务中心", "community", "610102", "community_health_centre", 52000
    )
    assert next(u for u in units if u.code == "61").parent_code is None


def test_chinese_headers_levels_and_kinds_in_gbk():
    data = (CASES / "orgs-zh.csv").read_text(encoding="utf-8").encode("gbk")
    units = {u.code: u for u in read_orgs(data, "机构.csv")}
    assert units["6111"].level == "city"
    assert units["611101"].level == "county"
    assert units["611101001"].kind == "township_health_centre"
    assert units["611101001001"] == OrgUnit(
        "611101001001", "东王寺村卫生室", "village", "611101001", "village_clinic", 1200
    )


def test_numeric_codes_in_a_workbook_read_as_text():
    data = xlsx_bytes([(*HEADER, "population"), (610102, "新城区", "county", 6101, "region", None),
                 (610102001, "正阳", "community", 610102, "community_health_centre", 52000.0)])  # fmt: skip
    units = read_orgs(data, "orgs.xlsx", {"6101": "61"})
    assert [(u.code, u.parent_code, u.population) for u in units] == [
        ("610102", "6101", None),
        ("610102001", "610102", 52000),
    ]


def test_a_parent_already_known_is_enough():
    data = xlsx_bytes([HEADER, ("c1", "甲卫生院", "township", "county9", "township_health_centre")])
    assert read_orgs(data, "orgs.xlsx", {"county9": "city1"})[0].parent_code == "county9"


def test_a_duplicate_code_names_both_rows():
    rows = [HEADER] + [(f"c{i}", f"卫生院{i}", "township", None, "township_health_centre") for i in range(7)]
    rows.append(("c2", "重复", "township", None, "township_health_centre"))
    assert problems(xlsx_bytes(rows)) == ["Sheet1!A9: duplicate code 'c2' (also row 4)"]


def test_an_unknown_parent():
    data = xlsx_bytes([HEADER, ("c1", "甲", "township", "nowhere", "township_health_centre")])
    assert problems(data) == ["Sheet1!D2: parent 'nowhere' is neither in this file nor already known"]


def test_a_cycle_in_the_file():
    data = xlsx_bytes([HEADER, ("a", "甲", "county", "b", "region"), ("b", "乙", "county", "a", "region")])
    found = problems(data)
    assert "Sheet1!D2: the parents form a loop: a → b → a" in found


def test_a_cycle_through_the_database():
    # "city1" is known with parent "c1"; the file makes c1 a child of city1.
    data = xlsx_bytes([HEADER, ("c1", "甲", "township", "city1", "township_health_centre")])
    assert problems(data, known={"city1": "c1"}) == ["Sheet1!D2: the parents form a loop: c1 → city1 → c1"]


def test_a_unit_cannot_be_its_own_parent():
    data = xlsx_bytes([HEADER, ("a", "甲", "county", "a", "region")])
    assert problems(data) == ["Sheet1!D2: the parents form a loop: a → a"]


def test_an_unknown_level():
    data = xlsx_bytes([HEADER, ("a", "甲", "district", None, "region")])
    assert problems(data) == [
        "Sheet1!C2: 'district' is not a level "
        "(one of province, city, county, township, community, village; 省 市 县 乡镇 社区 村)"
    ]


@pytest.mark.parametrize(("parent_level", "child_level"), [("county", "county"), ("township", "city")])
def test_a_parent_must_sit_above_its_child(parent_level, child_level):
    data = xlsx_bytes([HEADER, ("p", "上级", parent_level, None, "region"), ("c", "下级", child_level, "p", "region")])
    found = problems(data)
    assert len(found) == 1
    assert found[0].startswith(f"Sheet1!D3: parent 'p' is a {parent_level}, not above this {child_level}")


def test_row_problems_are_all_collected():
    data = xlsx_bytes([(*HEADER, "population"),
                 (None, "无编码", "county", None, "region", None),
                 ("b", None, "县", None, "region", "十二"),
                 ("c", "丙", "county", None, None, -5)])  # fmt: skip
    assert problems(data) == [
        "Sheet1!A2: missing code",
        "Sheet1!B3: missing name",
        "Sheet1!F3: '十二' is not a whole number",
        "Sheet1!E4: missing kind (e.g. township_health_centre, community_health_centre, region)",
        "Sheet1!F4: -5 is below the minimum 0",
    ]


def test_missing_headers_are_named():
    data = xlsx_bytes([("code", "name", "parent_code"), ("a", "甲", None)])
    assert problems(data) == [
        "Sheet1!A1: missing column 'level' (层级)",
        "Sheet1!A1: missing column 'kind' (类型)",
    ]


def test_csv_locations_use_the_file_name():
    data = "code,name,level,parent_code,kind\na,甲,county,zz,region\n".encode()
    assert problems(data, "units.csv") == ["units.csv!D2: parent 'zz' is neither in this file nor already known"]


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "orgs.csv", "orgs.csv: the file is empty"),
        (b"\n\n", "orgs.csv", "orgs.csv: no rows (the first row should hold the headers)"),
        (bytes(range(256)), "orgs.xlsx", "orgs.xlsx: not an Excel .xlsx workbook (save it from Excel or WPS as .xlsx)"),
        (b"code,name", "orgs.txt", "orgs.txt: a .txt file cannot be read; use .xlsx, .xls, .ods or .csv"),
        (
            b"<table><tr><td>61</td></tr></table>",
            "orgs.xls",
            "orgs.xls: not an Excel .xls workbook (a web page or "
            "XML file with a workbook's name; open it in Excel or WPS and save it as .xlsx)",
        ),
    ],
)
def test_files_that_are_not_org_lists(data, filename, message):
    assert problems(data, filename) == [message]


def test_headers_only_is_an_error():
    assert problems(xlsx_bytes([HEADER])) == ["Sheet1: no organisation units below the header row"]


# ---------------------------------------------------------------- every format

UNITS = [
    (*HEADER, "population", "隶属关系", "举办主体"),
    ("61", "陕西省", "省", None, "地区", None, None, None),
    ("6101", "西安市", "市", 61, "地区", None, None, None),
    ("610102", "新城区", "county", "6101", "region", None, None, None),
    ("610102001", "正阳卫生院", "township", "610102", "乡镇卫生院", 52000, "县属", "政府办"),
]


@pytest.mark.parametrize("kind", ["xlsx", "xls", "ods", "csv"])
def test_units_in_every_format(kind):
    data, name = file_of(kind, UNITS)
    units = {u.code: u for u in read_orgs(data, name)}
    assert list(units) == ["61", "6101", "610102", "610102001"]
    assert units["6101"].parent_code == "61"  # a number in the cell, a code in the tree
    assert units["610102001"] == OrgUnit(
        "610102001", "正阳卫生院", "township", "610102", "township_health_centre", 52000,
        {"隶属关系": "县属", "举办主体": "政府办"},
    )  # fmt: skip
    assert units["61"].attributes == {"隶属关系": None, "举办主体": None}


@pytest.mark.parametrize("kind", ["xlsx", "xls", "ods", "csv"])
def test_unit_errors_are_located_in_every_format(kind):
    rows = [(*HEADER, "population"), ("a", "甲", "county", None, "region", "十二")]
    data, name = file_of(kind, rows)
    sheet = name if kind == "csv" else "Sheet1"
    assert problems(data, name) == [f"{sheet}!F2: '十二' is not a whole number"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_units_in_a_csv_in_utf8_or_gbk(encoding):
    units = read_orgs(csv_bytes(UNITS, encoding), "机构.csv")
    assert units[-1].attributes == {"隶属关系": "县属", "举办主体": "政府办"}


# ---------------------------------------------------------------- attributes


def test_every_further_column_is_an_attribute():
    data = xlsx_bytes(
        [(*HEADER, "医共体成员", "备注"), ("c1", "甲", "township", None, "township_health_centre", "是", None)]
    )
    assert read_orgs(data, "orgs.xlsx")[0].attributes == {"医共体成员": "是", "备注": None}


def test_a_column_without_a_header_is_left_alone():
    data = xlsx_bytes([(*HEADER, None), ("c1", "甲", "township", None, "township_health_centre", "x")])
    assert read_orgs(data, "orgs.xlsx")[0].attributes == {}


def test_attribute_headers_must_be_usable_names():
    data = xlsx_bytes(
        [(*HEADER, "隶属关系", "隶属关系", "举办\n主体"), ("c1", "甲", "township", None, "region", 1, 2, 3)]
    )
    assert problems(data) == [
        "Sheet1!G1: a second '隶属关系' column (also Sheet1!F1)",
        "Sheet1!H1: the attribute name holds the control character U+000A (a line break, tab or similar); remove it",
    ]


def test_attribute_values_without_control_characters():
    data = xlsx_bytes([(*HEADER, "隶属关系"), ("c1", "甲", "township", None, "region", "县\n属")])
    assert problems(data) == [
        "Sheet1!F2: the value of '隶属关系' holds the control character U+000A (a line break, tab or similar); remove it"
    ]


# ---------------------------------------------------------------- names and codes


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("甲\r\n卫生院", "000D"),
        ("甲\t卫生院", "0009"),
        ("甲\x1b乙", "001B"),
        ("甲\u2028乙", "2028"),
        ("甲\x85乙", "0085"),
    ],
)
def test_a_name_with_control_characters_is_refused(name, code):
    data = csv_bytes([HEADER, ("c1", name, "township", None, "township_health_centre")])
    assert problems(data, "orgs.csv") == [
        f"orgs.csv!B2: the name holds the control character U+{code} (a line break, tab or similar); remove it"
    ]


@pytest.mark.parametrize("code", ["61/01", "61 01", "61\\01", "..", "六一", "a?b", "x" * 65])
def test_a_code_outside_the_safe_set_is_refused(code):
    data = xlsx_bytes([HEADER, (code, "甲", "township", None, "township_health_centre")])
    found = problems(data)
    assert len(found) == 1 and found[0].startswith("Sheet1!A2: code '"), found


def test_safe_codes_are_kept():
    rows = [HEADER] + [(c, "甲", "county", None, "region") for c in ("610102", "SX-01", "a_b.c", "X9")]
    assert [u.code for u in read_orgs(xlsx_bytes(rows), "orgs.xlsx")] == ["610102", "SX-01", "a_b.c", "X9"]
