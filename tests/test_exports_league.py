"""The league workbook: template → answers → scores → league, read back cell by cell."""

import csv
import io
import zipfile
from types import SimpleNamespace

import numpy as np
import openpyxl
import pytest
from test_exports_responses import INJECTIONS, fill, template

import instruments
from exports import excel, league, tables
from exports.league import write_league
from exports.responses import read_responses
from exports.tables import Centre
from instruments.library import get
from instruments.synthetic import answers_from_columns, township_columns

TOWNSHIP = get("township-health-centre", "2025.1")
GREEN, RED, GREY = "FFC6EFCE", "FFFFC7CE", "FFE7E6E6"
N = 24


def league_bytes(instrument, scores, centres, **options) -> bytes:
    codes = [c.code for c in centres]
    parents = {c.code: f"county{i % 2}" for i, c in enumerate(centres)} | {"county0": "city", "county1": "city"}
    figures = instruments.regional(scores, instruments.membership(codes, parents))
    names = {"county0": ("甲县", "county"), "county1": ("乙县", "county"), "city": ("某市", "city")}
    buffer = io.BytesIO()
    write_league(buffer, instrument, scores, centres, figures, names, **options)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def round_trip():
    """Answers typed into the template, read back, scored and written as a league table."""
    answers = answers_from_columns(TOWNSHIP, township_columns(N, seed=11, instrument=TOWNSHIP))
    answers = [{k: v for k, v in a.items() if v != []} for a in answers]
    answers[1].pop("staff_public_health", None)  # one centre leaves an item blank
    centres = [Centre(f"6101{i:04d}", f"第{i}乡镇卫生院", f"县{i % 2}", "某市") for i in range(N)]
    centres[:5] = [Centre(f"inj{i}", name, "县0", "某市") for i, name in enumerate(INJECTIONS)]
    filled = fill(template(TOWNSHIP, [(c.code, c.name) for c in centres]), TOWNSHIP, answers)
    rows = read_responses(filled, "filled.xlsx", TOWNSHIP, round_id=5)
    assert [r.answers for r in rows] == [
        {k: tuple(v) if isinstance(v, list) else v for k, v in a.items()} for a in answers
    ]
    scores = instruments.score_many(TOWNSHIP, [r.answers for r in rows])
    data = league_bytes(TOWNSHIP, scores, centres, title="2025年度评估", scope="某市", note="含未审核数据")
    return SimpleNamespace(scores=scores, centres=centres, data=data, book=openpyxl.load_workbook(io.BytesIO(data)))


def row_of(sheet, code, column=2, first=4):
    return next(r for r in range(first, sheet.max_row + 1) if sheet.cell(r, column).value == code)


def test_the_four_required_sheets_come_first_in_order_then_the_chart(round_trip):
    required = ["排名", "地区汇总", "指标说明", "data"]  # workbooks.md: "at least these sheets, in this order"
    assert round_trip.book.sheetnames[:4] == required
    assert round_trip.book.sheetnames == [*required, "达标率"]


def test_the_league_sheet(round_trip):
    sheet, scores = round_trip.book["排名"], round_trip.scores
    assert sheet["A1"].value == "乡镇卫生院服务能力评估 · 2025年度评估 · 某市"
    assert sheet["A2"].value == "含未审核数据"
    assert [c.value for c in sheet[3]][:7] == ["排名", "机构编码", "机构名称", "所属县（区）", "所属市", "总分", "等级"]
    assert sheet.freeze_panes == "D4"
    assert sheet.auto_filter.ref.startswith("A3:") and sheet.auto_filter.ref.endswith(str(3 + N))
    ranks = instruments.rank(scores.total)
    centre = 7
    row = row_of(sheet, round_trip.centres[centre].code)
    assert sheet.cell(row, 1).value == ranks[centre]
    assert sheet.cell(row, 3).value == round_trip.centres[centre].name
    assert sheet.cell(row, 6).value == pytest.approx(scores.total[centre])
    assert sheet.cell(row, 6).number_format == "0.0"
    best = row_of(sheet, round_trip.centres[int(np.argmax(scores.total))].code)
    assert best == 4 and sheet.cell(4, 1).value == 1
    ranked = [sheet.cell(r, 1).value for r in range(4, 4 + N)]
    assert ranked == sorted(ranked)


def test_indicator_cells_carry_value_format_and_fill(round_trip):
    sheet, scores = round_trip.book["排名"], round_trip.scores
    headers = [c.value for c in sheet[3]]
    share = headers.index("专业技术人员占比\n≥ 90%") + 1
    for centre in range(N):
        cell = sheet.cell(row_of(sheet, round_trip.centres[centre].code), share)
        assert cell.value == pytest.approx(scores.value("prof_tech_share", centre))
        assert cell.number_format == "0.0%"
        assert cell.fill.fgColor.rgb == (GREEN if scores.met["prof_tech_share"][centre] == 1 else RED)
    booking = headers.index("提供在线预约\n= 是") + 1
    cell = sheet.cell(row_of(sheet, round_trip.centres[9].code), booking)
    assert cell.value == ("是" if scores.value("online_booking", 9) else "否")
    missing = sheet.cell(
        row_of(sheet, round_trip.centres[1].code), headers.index("防保人员占卫生技术人员比例\n≥ 20%") + 1
    )
    assert (missing.value, missing.fill.fgColor.rgb) == ("未填报", GREY)


def test_the_data_sheet(round_trip):
    sheet, scores = round_trip.book["data"], round_trip.scores
    assert [c.value for c in sheet[1]] == ["org_code", "org_name", "indicator_id", "value", "met", "points"]
    numeric = [i for i in TOWNSHIP.indicators if TOWNSHIP.is_numeric(i)]
    assert sheet.max_row == 1 + N * len(numeric)
    code = round_trip.centres[7].code
    rows = {row[2]: row for row in sheet.iter_rows(min_row=2, values_only=True) if row[0] == code}
    value, met, points = rows["prof_tech_share"][3:]
    assert value == pytest.approx(scores.value("prof_tech_share", 7))
    assert met == scores.met["prof_tech_share"][7]
    assert points == pytest.approx(scores.points["prof_tech_share"][7])
    assert rows["online_booking"][3] in (0, 1)
    assert rows["intermediate_title_share"][4:] == (None, None)  # not scored
    missing = {
        row[2]: row for row in sheet.iter_rows(min_row=2, values_only=True) if row[0] == round_trip.centres[1].code
    }
    assert missing["public_health_staff_share"][3:5] == (None, None)


def test_the_regional_and_indicator_sheets(round_trip):
    regions = round_trip.book["地区汇总"]
    assert [c.value for c in regions[1]][:8] == [
        "地区编码",
        "地区",
        "层级",
        "指标",
        "目标值",
        "填报机构数",
        "达标机构数",
        "达标率",
    ]
    city = [row for row in regions.iter_rows(min_row=2, values_only=True) if row[0] == "city"]
    share = next(row for row in city if row[3] == "专业技术人员占比")
    assert share[1:3] == ("某市", "市")
    assert share[5] == N and share[7] == pytest.approx(share[6] / N)
    assert share[10] is not None and share[11] in ("是", "否")  # pooled
    assert regions.cell(2, 8).number_format == "0.0%"
    definitions = round_trip.book["指标说明"]
    assert [row[0] for row in definitions.iter_rows(min_row=2, values_only=True)] == [i.id for i in TOWNSHIP.indicators]
    first = [c.value for c in definitions[2]]
    assert first[1:4] == ["专业技术人员占比", "staff_prof_tech / staff_total", "≥ 90%"]
    assert first[8] == "《关于乡镇卫生院机构编制标准的指导意见》(2011)"


def test_a_chart_of_shares_follows(round_trip):
    with zipfile.ZipFile(io.BytesIO(round_trip.data)) as archive:
        names = archive.namelist()
        assert "xl/charts/chart1.xml" in names
        assert "xl/drawings/drawing1.xml" in names
        assert b"drawing" in archive.read("xl/worksheets/_rels/sheet5.xml.rels")
    shares = round_trip.book["达标率"]
    assert shares["E2"].number_format == "0.0%"


def test_centre_names_stay_text_in_the_league(round_trip):
    league, data = round_trip.book["排名"], round_trip.book["data"]
    for i, name in enumerate(INJECTIONS):
        cell = league.cell(row_of(league, f"inj{i}"), 3)
        assert (cell.value, cell.data_type) == (name, "s")
        cell = data.cell(row_of(data, f"inj{i}", column=1, first=2), 2)
        assert (cell.value, cell.data_type) == (name, "s")


def small_sheets(monkeypatch, basic, n=30):
    """A league of `n` centres whose tidy rows pass a sheet of 100 rows."""
    monkeypatch.setattr(excel, "MAX_ROWS", 100)
    answers = [{"staff_total": 50, "staff_prof_tech": 45 + i % 5, "gps": 3, "population": 20_000} for i in range(n)]
    scores = instruments.score_many(basic, answers)
    centres = [Centre(f"c{i:02d}", f"卫生院{i}", "甲县", "某市") for i in range(n)]
    centres[3] = Centre("c03", "=1+1", "甲县", "某市")
    return scores, centres


def test_tidy_rows_past_one_sheet_go_to_a_csv_beside_the_workbook(basic, monkeypatch, tmp_path):
    scores, centres = small_sheets(monkeypatch, basic)
    numeric = [ind for ind in basic.indicators if basic.is_numeric(ind)]
    assert league.data_overflows(basic, scores, centres)
    target, data_csv = tmp_path / "排名.xlsx", tmp_path / league.data_csv_name(tmp_path / "排名.xlsx")
    assert data_csv.name == "排名-data.csv"
    told = []  # the CSV is written by another process while this one writes the workbook: its rows told here too
    wrote = write_league(
        target, basic, scores, centres, [], {}, title="t", scope="s", data_csv=data_csv, progress=told.append
    )
    assert wrote is True
    assert sum(told) == league.rows_to_write(basic, scores, centres, [])
    book = openpyxl.load_workbook(target)
    assert book.sheetnames[:4] == ["排名", "地区汇总", "指标说明", "data"]
    lines = [row for row in book["data"].iter_rows(values_only=True)]
    assert len(lines) == 1 and "排名-data.csv" in lines[0][0] and f"{30 * len(numeric):,} 行" in lines[0][0]
    raw = data_csv.read_bytes()
    assert raw.startswith("\ufeff".encode())  # UTF-8 with a BOM, so Excel and WPS read the Chinese right
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["org_code", "org_name", "indicator_id", "value", "met", "points"]
    assert len(rows) == 1 + 30 * len(numeric)
    share = {r[0]: r for r in rows[1:] if r[2] == "prof_tech_share"}
    assert share["c00"][3:] == [f"{45 / 50:.15g}", "1", share["c00"][5]]
    assert float(share["c01"][3]) == pytest.approx(46 / 50)
    assert share["c03"][1] == "'=1+1"  # a spreadsheet would take it for a formula


def test_a_csv_that_cannot_be_written_fails_the_workbook_s_writing_with_its_reason(basic, monkeypatch, tmp_path):
    scores, centres = small_sheets(monkeypatch, basic)
    nowhere = tmp_path / "gone" / "排名-data.csv"
    with pytest.raises(FileNotFoundError, match="gone"):
        write_league(tmp_path / "排名.xlsx", basic, scores, centres, [], {}, title="t", scope="s", data_csv=nowhere)
    assert not nowhere.parent.exists()


def test_a_csv_to_a_stream_is_written_in_this_process_with_the_same_bytes(basic, monkeypatch, tmp_path):
    scores, centres = small_sheets(monkeypatch, basic)
    stream = io.BytesIO()
    write_league(io.BytesIO(), basic, scores, centres, [], {}, title="t", scope="s", data_csv=stream)
    write_league(
        tmp_path / "排名.xlsx", basic, scores, centres, [], {}, title="t", scope="s", data_csv=tmp_path / "d.csv"
    )
    assert stream.getvalue() == (tmp_path / "d.csv").read_bytes()


def test_the_tidy_csv_by_columns_is_byte_for_byte_the_row_writers(basic, monkeypatch):
    scores, centres = small_sheets(monkeypatch, basic)
    centres[4] = Centre("c04", '卫生院,"东"\n分院', "甲县", "某市")  # a comma, quotes and a line break: quoted
    centres[5] = Centre("+c05", "-卫生院", "甲县", "某市")
    by_rows, by_columns = io.BytesIO(), io.BytesIO()
    told = []
    written = league.write_csv(by_rows, tables.data(basic, scores, centres).rows)
    assert league.write_data_csv(by_columns, tables.data_chunks(basic, scores, centres), told.append) == written
    assert by_columns.getvalue() == by_rows.getvalue()
    assert sum(told) == written == len(centres) * len([ind for ind in basic.indicators if basic.is_numeric(ind)])
    rows = list(csv.reader(io.StringIO(by_columns.getvalue().decode("utf-8-sig"))))
    assert {tuple(r[:2]) for r in rows[1:]} >= {("c04", '卫生院,"东"\n分院'), ("'+c05", "'-卫生院")}


def test_without_a_csv_target_an_overflow_is_refused(basic, monkeypatch):
    scores, centres = small_sheets(monkeypatch, basic)
    with pytest.raises(ValueError, match="tidy rows pass one sheet"):
        write_league(io.BytesIO(), basic, scores, centres, [], {}, title="t", scope="s")


def test_tidy_rows_that_fit_stay_on_the_data_sheet(basic, monkeypatch):
    scores, centres = small_sheets(monkeypatch, basic, n=5)
    assert not league.data_overflows(basic, scores, centres)
    told = []
    buffer = io.BytesIO()
    wrote = write_league(buffer, basic, scores, centres, [], {}, title="t", scope="s", progress=told.append)
    assert wrote is False
    book = openpyxl.load_workbook(buffer)
    assert book["data"].max_row == 1 + 5 * len([i for i in basic.indicators if basic.is_numeric(i)])
    assert sum(told) == league.rows_to_write(basic, scores, centres, [])


def test_unranked_centres_come_last():
    ranks, order = tables.ranking(SimpleNamespace(total=np.array([50.0, np.nan, 80.0, 50.0])))
    assert ranks.tolist() == [2, 0, 1, 2]
    assert order.tolist() == [2, 0, 3, 1]


def test_a_mismatch_of_centres_and_scores_is_refused(basic):
    scores = instruments.score_many(basic, [{}])
    with pytest.raises(ValueError, match="2 centres for 1 rows"):
        write_league(io.BytesIO(), basic, scores, [Centre("a", "甲"), Centre("b", "乙")], [], {}, title="t", scope="s")
