"""The command line, end to end: a whole assessment without a browser."""

import functools
import gc
import getpass
import os
import re
import sqlite3
from pathlib import Path

import click
import openpyxl
import pytest
from click.testing import CliRunner
from flask import Flask

import survey
import survey.assessment
from instruments.library import get
from instruments.synthetic import answers_from_columns, township_columns
from survey.cli import cli

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text("utf-8")
TOWNSHIP = get("township-health-centre", "2025.1")  # indicators only: its responses need no evidence files
UNITS = """code,name,level,parent_code,kind
619901001,斗门卫生院,township,619901,township_health_centre
619901002,王寺卫生院,township,619901,township_health_centre
61,陕西省,province,,region
6199,西咸新区,city,61,region
619901,沣东新城,county,6199,region
619902,沣西新城,county,6199,region
619902001,"=HYPERLINK(""http://x"",""y"")",township,619902,township_health_centre
"""


def commands(group: click.Group, prefix=()):
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from commands(command, (*prefix, name))
        else:
            yield (*prefix, name), command


def test_every_command_has_help_and_is_in_the_readme():
    for path, command in commands(cli):
        assert command.help, path
        assert f"survey {' '.join(path)}" in README, path
        result = CliRunner().invoke(cli, [*path, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output


@pytest.fixture
def run(tmp_path):
    db = tmp_path / "survey.db"

    def run(*args, input=None, ok=True, lang=None):
        env = {"SURVEY_LANG": lang} if lang else {}
        result = CliRunner().invoke(cli, [*map(str, args), "--db", str(db)], input=input, env=env)
        if ok:
            assert result.exit_code == 0, result.output
        else:
            assert result.exit_code == 1, result.output
            assert (
                "Traceback" not in result.output
                and result.exception is None
                or isinstance(result.exception, SystemExit)
            )
        return result.output

    run.db = db
    return run


@pytest.fixture
def assessment(run, tmp_path):
    """A database with units, a round on the township instrument (round 1), and a template."""
    run("init")
    (tmp_path / "units.csv").write_text(UNITS, encoding="utf-8")
    run("orgs", "import", tmp_path / "units.csv")
    run("rounds", "create", "--instrument", "township-health-centre", "--version", TOWNSHIP.version, "--period", "2025",
        "--title", "2025年度评估", "--scope", "6199")  # fmt: skip
    run("template", "--round", 1, "-o", tmp_path / "template.xlsx")
    return tmp_path


def fill(template: Path, out: Path, answers: dict[str, dict]) -> None:
    """Fill the template as a county office would, in Excel: by the machine-header row."""
    book = openpyxl.load_workbook(template)
    sheet = book["填报"]
    header_row = next(r for r in sheet.iter_rows() if r[0].value == "org_code")
    columns = {cell.value: cell.column for cell in header_row}
    for row in sheet.iter_rows(min_row=header_row[0].row + 1):
        code = row[0].value
        for item_id, value in answers.get(code, {}).items():
            if isinstance(value, bool):
                value = "是" if value else "否"
            elif isinstance(value, list):
                value = "、".join(TOWNSHIP.item[item_id].choices[TOWNSHIP.item[item_id].choice_values.index(v)].label.zh
                                  for v in value)  # fmt: skip
            elif item_id in ("ownership", "surgery_level"):
                value = {c.value: c.label.zh for c in TOWNSHIP.item[item_id].choices}[value]
            sheet.cell(row=row[0].row, column=columns[item_id], value=value)
    book.save(out)


def complete(n: int, staff, prof) -> list[dict]:
    columns = township_columns(n, 3, staff=staff, prof_tech=prof, blank_share=0, instrument=TOWNSHIP)
    return answers_from_columns(TOWNSHIP, columns)


def test_a_whole_assessment(run, assessment):
    tmp = assessment
    first, second, injected = complete(3, [53, 50, 40], [45, 45, 39])
    fill(tmp / "template.xlsx", tmp / "filled.xlsx", {"619901001": first, "619901002": second, "619902001": injected})
    out = run("responses", "import", "--round", 1, tmp / "filled.xlsx", "--submit")
    assert out.startswith("新建填报 3 份，更新 0 份，未变 0 份") and "；已提交 3 份。" in out
    assert "已为轮次 1 的 3 份填报评分，总分中位数" in run("score", "--round", 1)
    assert "已写出 3 个机构的排名表：" in run("export", "league", "--round", 1, "-o", tmp / "league.xlsx")
    book = openpyxl.load_workbook(tmp / "league.xlsx", read_only=True)
    assert book.sheetnames[:4] == ["排名", "地区汇总", "指标说明", "data"]
    data = list(book["data"].iter_rows(values_only=True))
    assert data[0] == ("org_code", "org_name", "indicator_id", "value", "met", "points")
    share = {row[0]: row for row in data if row[2] == "prof_tech_share"}
    assert share["619901001"][3] == pytest.approx(45 / 53) and share["619901001"][4] == 0
    assert share["619901002"][3] == pytest.approx(0.9) and share["619901002"][4] == 1
    assert share["619902001"][1] == '=HYPERLINK("http://x","y")'  # text, never a formula
    assert "已写出 3 份报告卡：" in run("export", "cards", "--round", 1, "-o", tmp / "cards")
    cards = sorted(p.name for p in (tmp / "cards").iterdir())
    assert len(cards) == 3 and cards[0].startswith("619901001")
    card = openpyxl.load_workbook(tmp / "cards" / cards[0], read_only=True)
    text = [str(v) for row in card.worksheets[0].iter_rows(values_only=True) for v in row if v is not None]
    assert any("专业技术人员数再增加 3 人（45 → 48）" in t for t in text)
    assert "已写出备份：" in run("backup", tmp / "copy.db")
    with sqlite3.connect(tmp / "copy.db") as copy:
        assert copy.execute("SELECT count(*) FROM answers").fetchone()[0] > 3 * 40


def test_the_command_line_speaks_english_when_asked(run, assessment):
    tmp = assessment
    first, second, _ = complete(3, [53, 50, 40], [45, 45, 39])
    fill(tmp / "template.xlsx", tmp / "filled.xlsx", {"619901001": first, "619901002": second})
    out = run("responses", "import", "--round", 1, tmp / "filled.xlsx", "--submit", lang="en")
    assert out.startswith("2 responses created, 0 updated, 0 unchanged (") and out.endswith("; 2 submitted.\n")
    assert "Scored 2 responses of round 1; median total" in run("score", "--round", 1, lang="en")
    assert "League table of 2 centres written to" in run(
        "export", "league", "--round", 1, "-o", tmp / "l.xlsx", lang="en"
    )
    assert "2 report cards written to" in run("export", "cards", "--round", 1, "-o", tmp / "cards", lang="en")
    assert "Backup written to" in run("backup", tmp / "copy.db", lang="en")
    out = run("responses", "import", "--round", 1, tmp / "filled.xlsx", lang="en")
    assert "; skipped 2 already submitted or approved: 619901001, 619901002." in out
    out = run("responses", "import", "--round", 1, tmp / "filled.xlsx", lang="fr")  # a language it lacks: Chinese
    assert "；跳过已提交或已通过的 2 份：619901001, 619901002。" in out


def test_reimport_audits_changes_and_skips_submitted(run, assessment):
    tmp = assessment
    first, second, _ = complete(3, [53, 50, 40], [45, 45, 39])
    fill(tmp / "template.xlsx", tmp / "a.xlsx", {"619901001": first, "619901002": second})
    run("responses", "import", "--round", 1, tmp / "a.xlsx")
    fill(tmp / "template.xlsx", tmp / "b.xlsx", {"619901001": {**first, "staff_prof_tech": 48}, "619901002": second})
    out = run("responses", "import", "--round", 1, tmp / "b.xlsx", "--submit")
    assert out.startswith("新建填报 0 份，更新 1 份，未变 1 份（改动答案 1 项）")
    with sqlite3.connect(run.db) as db:
        assert db.execute(
            "SELECT old, new FROM audit WHERE item_id = 'staff_prof_tech' AND old IS NOT NULL"
        ).fetchall() == [(45, 48)]
    out = run("responses", "import", "--round", 1, tmp / "b.xlsx")
    assert "；跳过已提交或已通过的 2 份：619901001, 619901002。" in out


def test_submitting_by_import_runs_the_web_s_checks(run, assessment):
    """A stored draft plus an imported row that together break a constraint cannot be submitted; nothing is written."""
    tmp = assessment
    (first,) = complete(1, [53], [45])
    fill(tmp / "template.xlsx", tmp / "draft.xlsx", {"619901001": first})
    run("responses", "import", "--round", 1, tmp / "draft.xlsx")
    # the row alone is fine (no professional-technical count in it), but the stored 45 exceeds 40 staff
    fill(tmp / "template.xlsx", tmp / "fewer.xlsx", {"619901001": {"staff_total": 40}})
    before = snapshot(run.db)
    out = run("responses", "import", "--round", 1, tmp / "fewer.xlsx", "--submit", ok=False)
    assert re.search(r"填报!\d+：不能提交：专业技术人员数：不能超过在岗职工总数", out)
    out = run("responses", "import", "--round", 1, tmp / "fewer.xlsx", "--submit", ok=False, lang="en")
    assert re.search(r"填报!\d+: cannot be submitted: Professional-technical staff: .+", out), out
    assert snapshot(run.db) == before
    with sqlite3.connect(run.db) as db:
        assert db.execute("SELECT status FROM responses").fetchall() == [("draft",)]


def test_submitting_by_import_needs_every_required_item(run, assessment):
    tmp = assessment
    fill(tmp / "template.xlsx", tmp / "partial.xlsx", {"619901002": {"staff_total": 40}})
    before = snapshot(run.db)
    out = run("responses", "import", "--round", 1, tmp / "partial.xlsx", "--submit", ok=False)
    assert re.search(r"填报!\d+：不能提交：专业技术人员数：必填", out)
    assert snapshot(run.db) == before


def snapshot(db: Path) -> dict:
    with sqlite3.connect(db) as conn:
        return {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("org_units", "responses", "answers", "audit")
        }


@pytest.mark.parametrize(
    "answers,message",
    [
        ({"619901001": {"staff_total": "十二"}}, "填报!"),
        ({"619901001": {"staff_total": -3}}, "-3 小于最小值 0"),
        ({"619901001": {"staff_total": 10, "staff_prof_tech": 20}}, "不能超过在岗职工总数"),
    ],
)
def test_bad_answers_are_located_and_nothing_is_written(run, assessment, answers, message):
    fill(assessment / "template.xlsx", assessment / "bad.xlsx", answers)
    before = snapshot(run.db)
    out = run("responses", "import", "--round", 1, assessment / "bad.xlsx", ok=False)
    assert message in out
    assert snapshot(run.db) == before


def test_an_import_runs_with_garbage_collection_paused_and_turns_it_back_on_even_when_refused(
    run, assessment, monkeypatch
):
    seen = []
    store = survey.assessment.import_answers

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return store(*args, **kwargs)

    monkeypatch.setattr(survey.assessment, "import_answers", spy)
    fill(assessment / "template.xlsx", assessment / "good.xlsx", {"619901001": {"staff_total": 12}})
    fill(assessment / "template.xlsx", assessment / "bad.xlsx", {"619901001": {"staff_total": -3}})
    assert run("responses", "import", "--round", 1, assessment / "good.xlsx").startswith("新建填报 1 份")
    assert gc.isenabled()
    assert "-3 小于最小值 0" in run("responses", "import", "--round", 1, assessment / "bad.xlsx", ok=False)
    assert seen == [False] and gc.isenabled()


def test_text_in_a_number_cell_names_sheet_cell_and_reason(run, assessment):
    fill(assessment / "template.xlsx", assessment / "bad.xlsx", {"619901001": {"staff_total": "十二"}})
    before = snapshot(run.db)
    out = run("responses", "import", "--round", 1, assessment / "bad.xlsx", ok=False)
    assert "错误：填报!G6：'十二' 不是整数" in out, out
    out = run("responses", "import", "--round", 1, assessment / "bad.xlsx", ok=False, lang="en")
    assert out == "Error: 填报!G6: '十二' is not a whole number\n"  # the sheet's own name and value, else English
    assert snapshot(run.db) == before


@pytest.mark.parametrize(
    "content,name,message",
    [
        (b"org_code,staff_total\n999999,5\n", "plain.csv", "plain.csv!A2：未知的机构编码 '999999'"),
        (b"\x00\x01junk" * 100, "junk.xlsx", "junk.xlsx：不是 Excel .xlsx 工作簿（请用 Excel 或 WPS 另存为 .xlsx）"),
        (b"", "empty.csv", "empty.csv：文件是空的"),
        (b"org_code,staff_totl\n619901001,5\n", "typo.csv", "未知的题目 'staff_totl'（是否应为 'staff_total'？）"),
    ],
)
def test_bad_files_are_refused_whole(run, assessment, content, name, message):
    (assessment / name).write_bytes(content)
    before = snapshot(run.db)
    out = run("responses", "import", "--round", 1, assessment / name, ok=False)
    assert message in out
    assert snapshot(run.db) == before


def test_a_template_of_another_round_is_refused(run, assessment):
    run("rounds", "create", "--instrument", "township-health-centre", "--period", "2026", "--title", "2026年度评估")
    fill(assessment / "template.xlsx", assessment / "filled.xlsx", {"619901001": {"staff_total": 5}})
    before = snapshot(run.db)
    out = run("responses", "import", "--round", 2, assessment / "filled.xlsx", ok=False)
    assert "filled.xlsx：此模板属于轮次 1，不是轮次 2" in out
    assert snapshot(run.db) == before


@pytest.mark.parametrize(
    "args,zh,en",
    [
        (("score", "--round", 99), "没有轮次 99", "no round 99"),
        (("score", "--round", "abc"), "'abc' 不是轮次编号", "'abc' is not a round number"),
        (("template", "--round", 1, "-o", "x.xlsx", "--scope", "nowhere"), "没有机构 'nowhere'",
         "no organisation unit 'nowhere'"),
        (("rounds", "create", "--instrument", "nothing", "--period", "1", "--title", "t"), "没有问卷 nothing",
         "no instrument nothing"),
        (("users", "add", "bob", "--role", "centre", "--org", "6199", "--password-stdin"),
         "基层医疗卫生机构账号只能属于乡镇（街道）或社区，不能属于市",
         "a centre user belongs to a township or community unit, not a city"),
        (("users", "add", "bob", "--role", "centre", "--org", "619901001", "--password-stdin"),
         "此密码太常见或太容易被猜到", "This password is too common"),
    ],
)  # fmt: skip
def test_mistakes_exit_with_a_message_in_chinese_or_as_asked(run, assessment, args, zh, en):
    password = "long-enough-pass\n" if "bob" not in args or "6199" in args else "password1\n"
    assert zh in run(*args, input=password, ok=False)
    assert en in run(*args, input=password, ok=False, lang="en")


def test_orgs_import_errors_write_nothing(run, tmp_path):
    run("init")
    (tmp_path / "units.csv").write_text("code,name,level,parent_code,kind\na,甲,county,b,region\nb,乙,city,a,region\n",
                                        encoding="utf-8")  # fmt: skip
    out = run("orgs", "import", tmp_path / "units.csv", ok=False)
    assert "units.csv!D2：上级关系形成循环：a → b → a" in out
    out = run("orgs", "import", tmp_path / "units.csv", ok=False, lang="en")
    assert "units.csv!D2: the parents form a loop: a → b → a" in out
    assert snapshot(run.db)["org_units"] == 0


def test_users_and_instruments(run, tmp_path):
    run("init")
    (tmp_path / "units.csv").write_text(UNITS, encoding="utf-8")
    run("orgs", "import", tmp_path / "units.csv")
    assert "已添加用户 doumen，角色：基层医疗卫生机构，所属机构：619901001。" in run(
        "users", "add", "doumen", "--role", "centre", "--org", "619901001", "--password-stdin", input="s3cret-pass-9\n"
    )
    listing = run("instruments", "list")
    assert "township-health-centre\t2025.1\t70 个题目\t47 个指标\t乡镇卫生院服务能力评估" in listing
    english = run("instruments", "list", lang="en")
    assert "township-health-centre\t2025.1\t70 items\t47 indicators\tTownship health centre" in english
    basic = ROOT / "tests" / "cases" / "instruments" / "basic.yaml"
    assert run("instruments", "load", basic).startswith("已载入 basic-test 1：题目")
    assert "basic-test 1 already loaded: " in run("instruments", "load", basic, lang="en")
    (tmp_path / "bad.yaml").write_text("id: x\nversion: '1'\ntitle: t\nsections: []\n", encoding="utf-8")
    assert "sections：至少需要一个部分" in run("instruments", "load", tmp_path / "bad.yaml", ok=False)


def test_demo_prints_logins_and_is_kept(run):
    out = run("demo")
    assert "doumen" in out and "demo-2025!" in out
    assert "演示数据库已在" in run("demo") and "Demo database already at" in run("demo", lang="en")
    with sqlite3.connect(run.db) as db:
        statuses = dict(
            db.execute("SELECT status, count(*) FROM responses WHERE round_id = 2 GROUP BY status").fetchall()
        )
    assert set(statuses) == {"draft", "submitted", "returned", "approved"}
    totals = dict(
        db.execute(
            """SELECT a.item_id, sum(a.value) FROM answers a JOIN responses r ON r.id = a.response_id
           WHERE r.round_id = 2 AND r.org_code LIKE '6199%' AND a.item_id IN ('staff_total', 'staff_prof_tech')
           GROUP BY a.item_id"""
        ).fetchall()
    )
    assert totals == {"staff_total": 1371, "staff_prof_tech": 1116}  # Xixian's published figures


def test_backup_never_replaces_the_live_database(run, assessment, monkeypatch):
    fill(assessment / "template.xlsx", assessment / "a.xlsx", {"619901001": complete(1, [53], [45])[0]})
    run("responses", "import", "--round", 1, assessment / "a.xlsx")
    before = snapshot(run.db)
    (assessment / "link.db").symlink_to(run.db)
    os.link(run.db, assessment / "hard.db")
    (assessment / "sub").mkdir()
    monkeypatch.chdir(assessment)
    for same in (run.db, "survey.db", "./sub/../survey.db", "link.db", "hard.db", f"{run.db}-wal", "survey.db-shm"):
        assert "是正在使用的数据库" in run("backup", same, ok=False)
    assert snapshot(run.db) == before
    with sqlite3.connect(run.db) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


@pytest.mark.parametrize("place", ["/proc/x.db", "/proc/nowhere/x.db", "/dev/null/x.db"])
def test_backup_to_a_place_that_cannot_be_written(run, place):
    run("init")
    out = run("backup", place, ok=False)
    assert f"{place}：无法写入备份" in out


def test_serve_keeps_the_instance_config_and_replaces_only_the_database(tmp_path, monkeypatch):
    configured = str(tmp_path / "configured.db")
    (tmp_path / "config.py").write_text(f"SESSION_COOKIE_SECURE = True\nDATABASE = {configured!r}\n")
    monkeypatch.setattr(survey, "Flask", functools.partial(Flask, instance_path=str(tmp_path)))
    served = []
    monkeypatch.setattr(Flask, "run", lambda app, **options: served.append(app))
    for args, database in ((["--db", str(tmp_path / "other.db")], str(tmp_path / "other.db")), ([], configured)):
        result = CliRunner().invoke(cli, ["serve", *args])
        assert result.exit_code == 0, result.output
        assert served[-1].config["SESSION_COOKIE_SECURE"] is True
        assert served[-1].config["DATABASE"] == database


def test_instrument_versions_are_retired_and_restored(run):
    run("init")  # township-health-centre 2025.1, then 2026.1
    retired = run("instruments", "retire", "township-health-centre", "2026.1")
    assert retired == "已停用 township-health-centre 2026.1：新的轮次不再使用此版本，已有轮次照常进行。\n"
    listing = run("instruments", "list").splitlines()
    assert any(line.startswith("township-health-centre\t2026.1\t") and "\t已停用（" in line for line in listing)
    assert not any(line.startswith("township-health-centre\t2025.1\t") and "已停用" in line for line in listing)
    opened = run("rounds", "create", "--instrument", "township-health-centre", "--period", "2025", "--title", "甲")
    assert "township-health-centre" in opened and "2025.1" in opened and "2026.1" not in opened

    def written():
        with sqlite3.connect(run.db) as conn:
            retired = conn.execute("SELECT version, retired_at, retired_by FROM instruments ORDER BY id").fetchall()
            return snapshot(run.db), conn.execute("SELECT count(*) FROM rounds").fetchone()[0], retired

    before = written()
    refused = run("rounds", "create", "--instrument", "township-health-centre", "--version", "2026.1",
                  "--period", "2026", "--title", "乙", ok=False)  # fmt: skip
    assert "错误：问卷 township-health-centre 的版本 2026.1 已停用" in refused
    english = run("rounds", "create", "--instrument", "township-health-centre", "--version", "2026.1",
                  "--period", "2026", "--title", "乙", ok=False, lang="en")  # fmt: skip
    assert "Error: township-health-centre version 2026.1 is retired and opens no new round" in english
    last = run("instruments", "retire", "township-health-centre", "2025.1", ok=False)
    assert "错误：版本 2025.1 是问卷 township-health-centre 唯一未停用的版本，不能停用" in last
    last_en = run("instruments", "retire", "township-health-centre", "2025.1", ok=False, lang="en")
    assert "Error: version 2025.1 is the only version of township-health-centre in use and cannot be retired" in last_en
    assert written() == before
    assert "township-health-centre 2026.1 restored" in run(
        "instruments", "restore", "township-health-centre", "2026.1", lang="en"
    )
    assert "已停用" not in run("instruments", "list")
    trail = (
        sqlite3.connect(run.db)
        .execute("SELECT username, item_id, old, new FROM audit WHERE action = 'instrument.retired' ORDER BY id")
        .fetchall()
    )
    user = f"cli:{getpass.getuser()}"
    assert trail == [(user, "township-health-centre 2026.1", 0, 1), (user, "township-health-centre 2026.1", 1, 0)]


def test_many_cards_are_written_by_forked_processes_each_whole(run, assessment, monkeypatch):
    tmp = assessment
    answers = dict(zip(["619901001", "619901002", "619902001"], complete(3, [53, 50, 40], [45, 45, 39]), strict=True))
    fill(tmp / "template.xlsx", tmp / "filled.xlsx", answers)
    run("responses", "import", "--round", 1, tmp / "filled.xlsx")
    write = survey.assessment._write_card

    def spy(context, staging, row):
        (tmp / f"card-{os.getpid()}-{row}").touch()
        write(context, staging, row)

    monkeypatch.setattr(survey.assessment, "_write_card", spy)
    monkeypatch.setattr(survey.assessment, "PARALLEL_FROM", 2)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert "已写出 3 份报告卡：" in run("export", "cards", "--round", 1, "-o", tmp / "cards")
    writers = {int(path.name.split("-")[1]) for path in tmp.glob("card-*")}
    assert writers and os.getpid() not in writers
    cards = sorted((tmp / "cards").iterdir())
    assert [card.name[:9] for card in cards] == ["619901001", "619901002", "619902001"]
    for card in cards:
        assert openpyxl.load_workbook(card, read_only=True).sheetnames[0] == "报告卡"
