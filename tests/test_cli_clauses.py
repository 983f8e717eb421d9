"""The command line on a clause-based instrument (township 2026.1): self-ratings in the template and in plain
sheets of every format, stored as the centres' self-ratings and audited, then the league and the report cards."""

import io
import sqlite3

import openpyxl
import pytest
from sheets import file_of
from test_cli import UNITS, run, snapshot  # noqa: F401 (fixtures used by name)
from test_exports_responses import fill

from instruments.library import get
from instruments.synthetic import answers_from_columns, township_columns

TOWNSHIP = get("township-health-centre", "2026.1")
CODES = ["619901001", "619901002", "619902001"]
ONSITE = [clause.id for clause in TOWNSHIP.onsite_clauses]  # functions, licensed_practice, …
AUTO = next(clause.id for clause in TOWNSHIP.clauses if clause.auto)


@pytest.fixture
def clause_round(run, tmp_path):  # noqa: F811
    """A database with units and a round on the township 2026.1 instrument (round 1)."""
    run("init")
    (tmp_path / "units.csv").write_text(UNITS, encoding="utf-8")
    run("orgs", "import", tmp_path / "units.csv")
    run("rounds", "create", "--instrument", "township-health-centre", "--version", "2026.1", "--period", "2025",
        "--title", "2025年度评估", "--scope", "6199")  # fmt: skip
    return tmp_path


def query(run, sql, *args):  # noqa: F811
    with sqlite3.connect(run.db) as conn:
        return conn.execute(sql, args).fetchall()


def ratings_of(run, code):  # noqa: F811
    rows = query(run, "SELECT a.item_id, a.value FROM answers a JOIN responses r ON r.id = a.response_id "
                 "WHERE r.org_code = ?", code)  # fmt: skip
    return {item_id: value for item_id, value in rows if item_id in ONSITE}


def test_self_ratings_from_the_template_reach_the_league_and_the_cards(run, clause_round):  # noqa: F811
    tmp = clause_round
    run("template", "--round", 1, "-o", tmp / "template.xlsx")
    assert openpyxl.load_workbook(tmp / "template.xlsx", read_only=True).sheetnames[:2] == ["填报", "条款自评"]
    answers = answers_from_columns(TOWNSHIP, township_columns(3, seed=5, blank_share=0, instrument=TOWNSHIP))
    answers = [{k: v for k, v in a.items() if v != []} for a in answers]
    answers[0] |= {ONSITE[0]: "B", ONSITE[1]: "A", ONSITE[2]: "未达到"}
    answers[1] |= {ONSITE[0]: "不适用", f"{ONSITE[0]}.note": "本院未设该科室", ONSITE[1]: "c"}
    filled = fill((tmp / "template.xlsx").read_bytes(), TOWNSHIP, answers)
    (tmp / "filled.xlsx").write_bytes(filled)
    out = run("responses", "import", "--round", 1, tmp / "filled.xlsx")
    assert out.startswith("新建填报 3 份，更新 0 份，未变 0 份")

    assert ratings_of(run, "619901001") == {ONSITE[0]: "B", ONSITE[1]: "A", ONSITE[2]: "below"}
    assert ratings_of(run, "619901002") == {ONSITE[0]: "not_applicable", ONSITE[1]: "C"}
    assert ratings_of(run, "619902001") == {}
    assert query(run, "SELECT note FROM answer_notes WHERE item_id = ?", ONSITE[0]) == [("本院未设该科室",)]
    audited = query(run, "SELECT r.org_code, a.action, a.item_id, a.old, a.new, a.source FROM audit a "
                    "JOIN responses r ON r.id = a.response_id WHERE a.new LIKE '%self-ratings%' ORDER BY a.id")  # fmt: skip
    assert audited == [  # a response's first self-ratings are audited once, as its first answers are
        ("619901001", "import", None, None, "3 self-ratings, 0 notes", "import"),
        ("619901002", "import", None, None, "2 self-ratings, 1 notes", "import"),
    ]

    run("score", "--round", 1)
    run("export", "league", "--round", 1, "-o", tmp / "league.xlsx")
    book = openpyxl.load_workbook(tmp / "league.xlsx", read_only=True)
    assert book.sheetnames[:5] == ["排名", "地区汇总", "指标说明", "条款汇总", "data"]
    data = {(row[0], row[2]): row[3:] for row in book["data"].iter_rows(min_row=2, values_only=True)}
    assert data["619901001", ONSITE[0]][:2] == ("B", 1)
    assert data["619901002", ONSITE[0]] == ("not_applicable", None, None)
    assert data["619902001", ONSITE[0]][:2] == (None, None)
    summary = {row[0]: row for row in book["条款汇总"].iter_rows(min_row=4, values_only=True)}
    assert summary[ONSITE[0]][7:9] == (3, 1)  # three centres, one rated (B); one not applicable, one unrated

    run("export", "cards", "--round", 1, "-o", tmp / "cards")
    card = openpyxl.load_workbook(next((tmp / "cards").glob("619901001-*.xlsx")))["报告卡"]
    labels = [row[0] for row in card.iter_rows(values_only=True)]
    assert "距下一等级" in labels and "下一等级" in labels


def test_re_importing_changes_a_self_rating_audited_and_keeps_its_note(run, clause_round):  # noqa: F811
    tmp = clause_round
    first = [("org_code", ONSITE[0], f"{ONSITE[0]}.note"), ("619901001", "C", "制度已建立")]
    (tmp / "first.csv").write_bytes(file_of("csv", first)[0])
    run("responses", "import", "--round", 1, tmp / "first.csv")
    (tmp / "again.csv").write_bytes(file_of("csv", [("org_code", ONSITE[0]), ("619901001", "B")])[0])
    out = run("responses", "import", "--round", 1, tmp / "again.csv", lang="en")
    assert out.startswith("0 responses created, 1 updated, 0 unchanged (1 answers changed)")
    assert ratings_of(run, "619901001") == {ONSITE[0]: "B"}
    assert query(run, "SELECT note FROM answer_notes WHERE item_id = ?", ONSITE[0]) == [("制度已建立",)]
    changes = query(run, "SELECT action, item_id, old, new FROM audit WHERE action != 'status' ORDER BY id")
    assert changes == [  # the first import created the response, then audited its first self-rating once
        ("import", None, None, "1 self-ratings, 1 notes"),
        ("import", None, None, "0 answers"),
        ("self_rating", ONSITE[0], "C", "B"),
    ]
    assert run("responses", "import", "--round", 1, tmp / "again.csv").startswith("新建填报 0 份，更新 0 份，未变 1 份")


@pytest.mark.parametrize("kind", ["xlsx", "xls", "ods", "csv"])
def test_a_rating_that_does_not_fit_is_located_in_any_format_and_nothing_is_written(run, clause_round, kind):  # noqa: F811
    rows = [
        ("org_code", "staff_total", ONSITE[0], ONSITE[1], AUTO),
        ("619901001", 50, "B", "D", None),
        ("619901002", 40, "C", "A", "B"),
    ]
    data, name = file_of(kind, rows)
    (clause_round / name).write_bytes(data)
    before = snapshot(run.db)
    out = run("responses", "import", "--round", 1, clause_round / name, ok=False, lang="en")
    sheet = name if kind == "csv" else "Sheet1"
    levels = "、".join([*TOWNSHIP.clause[ONSITE[1]].level_ids, "未达到", "不适用"])
    assert f"{sheet}!D2: 'D' is not a level of clause {ONSITE[1]} ({levels})" in out
    assert f"{sheet}!E3: clause {AUTO} is rated from the answers, not by people; it takes no rating" in out
    assert snapshot(run.db) == before


@pytest.mark.parametrize("kind", ["xlsx", "xls", "ods", "csv"])
def test_not_applicable_without_a_reason_is_located_and_nothing_is_written(run, clause_round, kind):  # noqa: F811
    rows = [
        ("org_code", "staff_total", ONSITE[0], ONSITE[1], f"{ONSITE[1]}.note"),
        ("619901001", 50, "B", "不适用", "本院不开展"),  # fits: not applicable with its reason
        ("619901002", 40, "不适用", None, "x" * 2001),
    ]
    data, name = file_of(kind, rows)
    (clause_round / name).write_bytes(data)
    before = snapshot(run.db)
    out = run("responses", "import", "--round", 1, clause_round / name, ok=False)
    sheet = name if kind == "csv" else "Sheet1"
    assert f"{sheet}!C3：选择“不适用”时须在 '{ONSITE[0]}.note' 列写明理由" in out
    assert f"{sheet}!E3：说明不能超过 2000 字" in out
    assert snapshot(run.db) == before
    assert query(run, "SELECT count(*) FROM answer_notes") == [(0,)]


def test_the_template_of_a_clause_round_saved_as_xls_keeps_every_column(clause_round, run):  # noqa: F811
    """WPS saves .xls with at most 256 columns a sheet: items and clauses each fit on their own sheet."""
    run("template", "--round", 1, "-o", clause_round / "template.xlsx")
    book = openpyxl.load_workbook(clause_round / "template.xlsx", read_only=True)
    assert max(book[name].max_column for name in ("填报", "条款自评")) <= 256
    assert book["条款自评"].max_column == 2 + 2 * len(ONSITE)


def test_help_names_the_by_option():
    from click.testing import CliRunner

    from survey.cli import cli

    out = CliRunner().invoke(cli, ["export", "league", "--help"]).output
    assert "--by" in out and "分组汇总" in out


def test_units_attributes_group_a_clause_league(run, clause_round):  # noqa: F811
    tmp = clause_round
    units = (
        "code,name,level,parent_code,kind,隶属关系\n619901001,斗门卫生院,township,619901,township_health_centre,县属\n"
    )
    (tmp / "owners.csv").write_text(units, encoding="utf-8")
    run("orgs", "import", tmp / "owners.csv")
    rated = [("org_code", ONSITE[0]), ("619901001", "A"), ("619901002", "B")]
    (tmp / "rated.csv").write_bytes(file_of("csv", rated)[0])
    run("responses", "import", "--round", 1, tmp / "rated.csv")
    run("export", "league", "--round", 1, "-o", tmp / "league.xlsx", "--by", "隶属关系")
    book = openpyxl.load_workbook(io.BytesIO((tmp / "league.xlsx").read_bytes()), read_only=True)
    assert book.sheetnames[5:7] == ["分组汇总", "分组条款汇总"]
    rows = [row for row in book["分组条款汇总"].iter_rows(min_row=4, values_only=True) if row[1] == ONSITE[0]]
    assert [(row[0], row[8], row[9]) for row in rows] == [("县属", 1, 1), ("（未设置）", 1, 1)]
