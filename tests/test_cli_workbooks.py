"""The command line with every file format: units and answers from .xls, .ods and .csv (GBK), and a
league whose tidy rows pass one sheet written beside the workbook as CSV."""

import csv
import io

import openpyxl
import pytest
from sheets import csv_bytes, ods_bytes, xls_bytes
from test_cli import UNITS, assessment, run, snapshot  # noqa: F401 (fixtures used by name)

from exports import excel

UNIT_ROWS = list(csv.reader(io.StringIO(UNITS)))
ANSWERS = [
    ("org_code", "org_name", "staff_total", "staff_prof_tech", "has_inpatient"),
    ("619901001", "斗门卫生院", 53, 45, "是"),
    ("619901002", "王寺卫生院", 50, 45, "否"),
]
WRITERS = {
    "xls": xls_bytes,
    "ods": ods_bytes,
    "csv": lambda rows: csv_bytes(rows, "gbk"),
}


@pytest.mark.parametrize("kind", ["xls", "ods", "csv"])
def test_units_and_answers_in_other_formats(run, tmp_path, kind):  # noqa: F811
    run("init")
    units = [(*UNIT_ROWS[0], "隶属关系"), *((*row, "县属" if row[2] == "township" else None) for row in UNIT_ROWS[1:])]
    (tmp_path / f"units.{kind}").write_bytes(WRITERS[kind](units))
    assert f"已从 units.{kind} 导入机构：新增 7 个，更新 0 个。" in run("orgs", "import", tmp_path / f"units.{kind}")
    run("rounds", "create", "--instrument", "township-health-centre", "--period", "2025", "--title", "评估",
        "--scope", "6199")  # fmt: skip
    (tmp_path / f"answers.{kind}").write_bytes(WRITERS[kind](ANSWERS))
    out = run("responses", "import", "--round", 1, tmp_path / f"answers.{kind}", lang="en")
    assert out.startswith("2 responses created, 0 updated, 0 unchanged")


@pytest.mark.parametrize("kind", ["xls", "ods", "csv"])
def test_a_bad_cell_in_any_format_is_located_and_nothing_is_written(run, assessment, kind):  # noqa: F811
    bad = [*ANSWERS[:2], ("619901002", "王寺卫生院", "十二", 45, "否")]
    (assessment / f"bad.{kind}").write_bytes(WRITERS[kind](bad))
    before = snapshot(run.db)
    out = run("responses", "import", "--round", 1, assessment / f"bad.{kind}", ok=False)
    sheet = f"bad.{kind}" if kind == "csv" else "Sheet1"
    assert f"{sheet}!C3：'十二' 不是整数" in out
    assert snapshot(run.db) == before


def test_a_unit_name_with_a_line_break_is_refused_and_nothing_is_written(run, tmp_path):  # noqa: F811
    run("init")
    (tmp_path / "units.csv").write_text('code,name,level,parent_code,kind\n61,"陕西\r\n省",province,,region\n')
    out = run("orgs", "import", tmp_path / "units.csv", ok=False, lang="en")
    assert "units.csv!B2: the name holds the control character U+000D" in out
    assert snapshot(run.db)["org_units"] == 0


def test_a_round_title_with_a_line_break_is_refused(run, assessment):  # noqa: F811
    out = run("rounds", "create", "--instrument", "township-health-centre", "--period", "2026", "--title", "a\nb",
              ok=False)  # fmt: skip
    assert "轮次的标题含有控制字符 U+000A（换行符、制表符之类），请删除" in out


def test_a_league_past_one_sheet_reports_both_files(run, assessment, monkeypatch):  # noqa: F811
    monkeypatch.setattr(excel, "MAX_ROWS", 60)  # one region × 47 indicators fit; two centres' tidy rows do not
    (assessment / "answers.csv").write_bytes(csv_bytes(ANSWERS))
    run("responses", "import", "--round", 1, assessment / "answers.csv")
    out = run("export", "league", "--round", 1, "--scope", "619901", "-o", assessment / "排名.xlsx", lang="en")
    data_csv = assessment / "排名-data.csv"
    assert out.strip() == (
        f"League table of 2 centres written to {assessment / '排名.xlsx'}; "
        f"its tidy rows, past one sheet, to {data_csv}."
    )
    book = openpyxl.load_workbook(assessment / "排名.xlsx", read_only=True)
    line = next(book["data"].iter_rows(values_only=True))[0]
    assert "排名-data.csv" in line
    rows = list(csv.reader(io.StringIO(data_csv.read_text("utf-8-sig"))))
    assert rows[0] == ["org_code", "org_name", "indicator_id", "value", "met", "points"]
    assert {r[0] for r in rows[1:]} == {"619901001", "619901002"}
    assert not list(assessment.glob(".*.part"))  # no half-written file left behind


OWNERS = {"619901001": "县属", "619901002": "市属"}  # the third centre has no 隶属关系


def test_a_league_grouped_by_a_unit_attribute(run, tmp_path):  # noqa: F811
    run("init")
    units = [(*UNIT_ROWS[0], "隶属关系"), *((*row, OWNERS.get(row[0])) for row in UNIT_ROWS[1:])]
    (tmp_path / "units.csv").write_bytes(csv_bytes(units))
    run("orgs", "import", tmp_path / "units.csv")
    run("rounds", "create", "--instrument", "township-health-centre", "--version", "2025.1", "--period", "2025",
        "--title", "评估", "--scope", "6199")  # fmt: skip
    answers = [*ANSWERS, ("619902001", "", 40, 39, "是")]
    (tmp_path / "answers.csv").write_bytes(csv_bytes(answers))
    run("responses", "import", "--round", 1, tmp_path / "answers.csv")
    out = run("export", "league", "--round", 1, "-o", tmp_path / "排名.xlsx", "--by", "隶属关系", lang="en")
    assert out.strip() == f"League table of 3 centres written to {tmp_path / '排名.xlsx'}, grouped by 隶属关系."
    book = openpyxl.load_workbook(tmp_path / "排名.xlsx")
    assert book.sheetnames[:5] == ["排名", "地区汇总", "指标说明", "data", "分组汇总"]
    sheet = book["分组汇总"]
    assert [c.value for c in sheet[3]][:3] == ["隶属关系", "机构数", "指标"]
    share = {row[0]: row for row in sheet.iter_rows(min_row=4, values_only=True) if row[2] == "专业技术人员占比"}
    assert list(share) == ["市属", "县属", "（未设置）"]  # pinyin: shi before xian
    assert [share[group][4:7] for group in share] == [(1, 1, 1), (1, 0, 0), (1, 1, 1)]  # 45/50, 45/53, 39/40


def test_grouping_by_an_attribute_no_unit_has_is_refused_and_nothing_is_written(run, assessment):  # noqa: F811
    units = [(*UNIT_ROWS[0], "隶属关系"), *((*row, OWNERS.get(row[0])) for row in UNIT_ROWS[1:])]
    (assessment / "units.csv").write_bytes(csv_bytes(units))
    run("orgs", "import", assessment / "units.csv")
    (assessment / "answers.csv").write_bytes(csv_bytes(ANSWERS))
    run("responses", "import", "--round", 1, assessment / "answers.csv")
    out = run("export", "league", "--round", 1, "-o", assessment / "排名.xlsx", "--by", "隶属", ok=False)
    assert "没有机构有属性 '隶属'（是否应为 '隶属关系'？）" in out
    out = run("export", "league", "--round", 1, "-o", assessment / "排名.xlsx", "--by", "举办主体", ok=False, lang="en")
    assert "no unit has the attribute '举办主体' (attributes: 隶属关系)" in out
    assert not (assessment / "排名.xlsx").exists() and not list(assessment.glob(".*.part"))
