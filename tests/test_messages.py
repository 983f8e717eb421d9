"""The core's one catalogue: every code in Chinese and English, every parameter given where it is raised,
every problem the loader tests provoke readable in both languages, and the command line in the user's language."""

import ast
import copy
import re
import string
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from helpers import yaml_data
from test_expressions import SYMBOLS
from test_loader import BASIC, MISTAKES
from test_loader_clauses import CLAUSES, MISUSES

import instruments
from instruments import AnswerError, ExpressionError, InstrumentError
from instruments.errors import Position, Problem
from instruments.expressions import BOOLEAN, CHOICE, NUMBER, STRING, TEXT, Symbol, compile_expression, kind_words
from instruments.item_types import ITEM_TYPES, LARGEST, MAX_TEXT
from instruments.messages import LANGUAGES, MESSAGES, Message
from instruments.ratings import rating
from survey.cli import cli, friendly

CORE = Path(instruments.__file__).parent
CHINESE = re.compile(r"[\u4e00-\u9fff]")
# Words of the instrument file and its expression language, which a Chinese message quotes as they are written.
TECHNICAL = {"id", "zh", "en", "JSON", "YAML", "name", "min", "true", "false", "and", "round", "if", "text", "when",
             "credit", "weight", "floor", "scoring", "linear", "total", "mean_of_dimensions", "constraint",
             "relevant", "YYYY", "MM", "DD"}  # fmt: skip


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_code_reads_in_both_languages_with_the_same_parameters():
    for code, texts in MESSAGES.items():
        assert set(texts) == set(LANGUAGES) and all(t.strip() for t in texts.values()), code
        assert fields(texts["zh"]) == fields(texts["en"]), code


def test_the_chinese_texts_say_nothing_in_english():
    for code, texts in MESSAGES.items():
        literal = "".join(part for part, *_ in string.Formatter().parse(texts["zh"]))
        assert set(re.findall(r"[A-Za-z_]{2,}", literal)) <= TECHNICAL, code


# ---------------------------------------------------------------- every place a code is raised


def _own_nodes(function: ast.FunctionDef):
    """The nodes of a function's body, not those of functions defined inside it."""
    todo = list(function.body)
    while todo:
        node = todo.pop()
        yield node
        todo.extend(c for c in ast.iter_child_nodes(node) if not isinstance(c, ast.FunctionDef | ast.Lambda))


def _calls(tree: ast.AST):
    """(call, code expression, names of the parameters given, enclosing function) for each place a code is given."""
    for function in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)):
        for node in _own_nodes(function):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name in ("ExpressionError", "AnswerError", "CodedError") and node.args:
                yield node, node.args[0], {k.arg for k in node.keywords}, function
            elif name in ("problem", "_problem") and len(node.args) > 1:
                yield node, node.args[1], {k.arg for k in node.keywords}, function
            elif name in ("Message", "render") and node.args:
                given = node.args[1] if len(node.args) > 1 else ast.Dict(keys=[], values=[])
                keys = {k.value for k in given.keys} if isinstance(given, ast.Dict) else None
                yield node, node.args[0], keys, function
            elif name == "unique" and len(node.args) > 3:  # checker.unique(where, value, seen, what): a word
                yield node, node.args[3], set(), function


def _codes(expr: ast.expr, function: ast.AST, module: ast.Module) -> set[str] | None:
    """The codes an expression can hold; None when it passes on a code given to the function or an object."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return {expr.value}
    if isinstance(expr, ast.IfExp):
        return _codes(expr.body, function, module) | _codes(expr.orelse, function, module)
    if isinstance(expr, ast.Name):
        arguments = getattr(function, "args", None)
        if arguments and expr.id in {a.arg for a in arguments.args}:
            return None
        assigned = [n.value for n in _own_nodes(function) if isinstance(n, ast.Assign)
                    and any(isinstance(t, ast.Name) and t.id == expr.id for t in n.targets)]  # fmt: skip
        return set().union(*(_codes(value, function, module) for value in assigned))
    if isinstance(expr, ast.Subscript) and isinstance(expr.value, ast.Name):
        table = next(n.value for n in module.body if isinstance(n, ast.Assign) and n.targets[0].id == expr.value.id)
        return {v.value for v in table.values}
    if isinstance(expr, ast.Subscript) and ast.unparse(expr.value) == "self.taken":
        return {"already_item_id", "already_indicator_id"}  # the ids the loader hands the clause reader
    if isinstance(expr, ast.Attribute) or (isinstance(expr, ast.BinOp) and ast.unparse(expr.left) == "'kind_'"):
        return None  # a code carried by an error or problem; kind words are rendered below, one by one
    raise AssertionError(f"cannot tell which code {ast.unparse(expr)} holds")


def raised() -> dict[str, set[str]]:
    """Every code given somewhere in the core, with the files that give it; each place checked as it is found."""
    out: dict[str, set[str]] = {}
    for path in sorted(CORE.rglob("*.py")):
        module = ast.parse(path.read_text("utf-8"))
        for call, code_expr, given, function in _calls(module):
            codes = _codes(code_expr, function, module)
            if codes is None or given is None:
                continue
            place = f"{path.relative_to(CORE)}:{call.lineno}"
            for code in codes:
                assert code in MESSAGES, f"{place}: no message for {code}"
                needed = fields(MESSAGES[code]["en"]) - {"hint"}
                assert needed <= given, f"{place}: {code} needs {sorted(needed - given)}"
                if "hint" in fields(MESSAGES[code]["en"]):
                    assert "suggestion" in given, f"{place}: {code} offers a suggestion but is given none"
                if len(codes) == 1:
                    assert given <= needed | {"suggestion"}, f"{place}: {code} is given {sorted(given - needed)}"
                out.setdefault(code, set()).add(str(path.relative_to(CORE)))
    return out


def test_every_code_raised_has_its_message_and_parameters_and_every_message_is_used():
    used = set(raised()) | {f"kind_{kind}" for kind in (NUMBER, BOOLEAN, CHOICE, TEXT, STRING)}
    assert set(MESSAGES) - used == set()


@pytest.mark.parametrize("kind", [NUMBER, BOOLEAN, CHOICE, TEXT, STRING])
def test_each_kind_of_value_has_words(kind):
    words = kind_words(kind, "x")
    assert CHINESE.search(words.text("zh")) and words.text("en") == str(words)


# ---------------------------------------------------------------- what the loader tests provoke, in both languages


def assert_reads_in_both_languages(problem: Problem) -> None:
    zh, en = problem.text("zh"), problem.text("en")
    assert en == str(problem) and zh != en
    assert CHINESE.search(zh.removeprefix(problem.where)), zh
    assert "did you mean" not in zh and "（是否应为" not in en
    if problem.where and not isinstance(problem.where, Position):
        assert zh.startswith(problem.where + "：") and en.startswith(problem.where + ": ")


@pytest.mark.parametrize(
    "source,change",
    [(BASIC, m[1]) for m in MISTAKES] + [(CLAUSES, m[1]) for m in MISUSES],
    ids=[m[0] for m in MISTAKES] + [f"clauses: {m[0]}" for m in MISUSES],
)
def test_every_problem_the_loader_tests_provoke_reads_in_both_languages(source, change):
    data = yaml_data(source)
    change(data)
    with pytest.raises(InstrumentError) as caught:
        instruments.load(copy.deepcopy(data))
    for problem in caught.value.problems:
        assert_reads_in_both_languages(problem)
    assert caught.value.text("en") == str(caught.value)


@pytest.mark.parametrize(
    "text,zh,en",
    [
        ("id: a\n  version: 1\n", "第 2 行第 10 列：不是有效的 YAML：", "line 2, column 10: not valid YAML: "),
        (
            "id: a\nid: b\n",
            "第 2 行第 1 列：不是有效的 YAML：键 'id' 重复",
            "line 2, column 1: not valid YAML: duplicate key 'id'",
        ),
        (
            "a: &x [1]\nb: *x\n",
            "第 2 行第 4 列：不是有效的 YAML：问卷中不能使用别名（*name）",
            "aliases (*name) are not allowed",
        ),
        ('{"id": "a",}', "第 1 行第 12 列：不是有效的 JSON：", "line 1, column 12: not valid JSON: "),
        ("", "问卷应为键值映射，而不是空值", "an instrument must be a mapping of keys, not nothing"),
        ("- a\n", "问卷应为键值映射，而不是列表", "an instrument must be a mapping of keys, not a list"),
        ("[" * 60 + "]" * 60, "第 1 行第 51 列：嵌套层数过多，不能作为问卷", "line 1, column 51: nested too deeply"),
    ],
)
def test_unreadable_text_is_located_in_both_languages(text, zh, en):
    with pytest.raises(InstrumentError) as caught:
        instruments.load_text(text)
    (problem,) = caught.value.problems
    assert problem.text("zh").startswith(zh) and en in str(problem)


def test_a_misspelt_name_is_offered_its_correction_in_each_language():
    data = yaml_data(BASIC)
    data["indicators"][3]["formula"] = "contracted / staff_totl"
    with pytest.raises(InstrumentError) as caught:
        instruments.load(data)
    (problem,) = caught.value.problems
    assert problem.text() == "indicators[contract_rate].formula：未知的名称 'staff_totl'（是否应为 'staff_total'？）"
    assert problem.text("en") == (
        "indicators[contract_rate].formula: unknown name 'staff_totl' (did you mean 'staff_total'?)"
    )
    assert (problem.code, problem.params) == ("unknown_name", {"name": "staff_totl", "suggestion": "staff_total"})


def test_chinese_keeps_a_space_between_chinese_and_latin_words_or_digits():
    assert Message("too_many_items", {"count": 1200, "limit": 1000}).text() == "题目共 1,200 个，最多 1,000 个"
    assert Message("not_list", {"found": "'abc'"}).text() == "应为列表，而不是 'abc'"
    assert Message("not_list", {"found": Message("found_mapping")}).text() == "应为列表，而不是键值映射"
    assert Message("not_whole_number", {"raw": "十二"}).text() == "'十二' 不是整数"


# ---------------------------------------------------------------- expressions and answers: every code, both languages

EXPRESSIONS = ["'abc", "a.real", "${a b}", "a = 1", "(a", "", "a b", "(" * 100 + "a" + ")" * 100, "a < b < 1",
               "a and or b", "a +", "rund(a)", "kind + 1", "if(kind, a, b)", "zz", "note + 1", "a == 'x'",
               "kind == 'zz'", "kind == a", "abs(a, b)", "min()", "round(a, 1, 2)", "round(a, b)",
               "if(flag, kind, a)", "'x'", "a +" * 1000, "(a b", "flag and and"]  # fmt: skip


def test_every_expression_error_reads_in_both_languages():
    symbols = {**SYMBOLS, "note": Symbol(TEXT)}
    seen = set()
    for source in [*EXPRESSIONS, 3]:
        with pytest.raises(ExpressionError) as caught:
            compile_expression(source, symbols)
        error = caught.value
        words = [v for value in error.params.values() for v in (value if isinstance(value, tuple) else (value,))]
        seen |= {error.code, *(w.code for w in words if isinstance(w, Message))}
        assert str(error) == error.text("en") and CHINESE.search(error.text("zh")), error.code
    assert {code for code, files in raised().items() if "expressions.py" in files} <= seen


ITEMS = instruments.load_text("""
id: kinds
version: "1"
title: 题型
sections:
  - id: all
    title: 全部
    items:
      - {id: staff, type: integer, label: 在岗职工数, min: 0, max: 500}
      - {id: area, type: number, label: 业务用房面积, min: 0}
      - {id: booking, type: boolean, label: 是否提供在线预约}
      - {id: owner, type: choice, label: 举办主体, choices: [{value: public, label: 政府办}, {value: other, label: 其他}]}
      - {id: tests, type: multi_choice, label: 检验项目, choices: [{value: blood, label: 血常规}]}
      - {id: note, type: text, label: 备注}
      - {id: day, type: date, label: 日期}
""")
CLAUSE_INSTRUMENT = instruments.load(CLAUSES)
ANSWERS = [
    ("staff", "40.5", "'40.5' 不是整数", "'40.5' is not a whole number"),
    ("staff", True, "'True' 不是整数", "'True' is not a whole number"),
    ("staff", "-3", "-3 小于最小值 0", "-3 is below the minimum 0"),
    ("staff", "1,200", "1,200 大于最大值 500", "1,200 is above the maximum 500"),
    ("area", "1,5", "'1,5' 不是数字", "'1,5' is not a number"),
    ("area", "inf", "'inf' 不是数字", "'inf' is not a number"),
    ("area", False, "'False' 不是数字", "'False' is not a number"),
    ("area", str(LARGEST * 10), f"'{LARGEST * 10}' 超出可填报的范围（绝对值最大 1,000,000,000,000,000）",
     f"'{LARGEST * 10}' is too large to be reported (at most 1,000,000,000,000,000 either way)"),
    ("booking", "maybe", "'maybe' 不是“是”或“否”", "'maybe' is not yes or no (是/否)"),
    ("owner", "公办", "'公办' 不是可选的选项（政府办、其他）", "'公办' is not one of the choices (政府办、其他)"),
    ("tests", ["blood", "（无）"], "选了“无”就不能再选其他选项", "'none' cannot be picked together with other options"),
    ("note", "x" * (MAX_TEXT + 1), "超过 32767 个字符", "longer than 32767 characters"),
    ("day", "2025-02-30", "'2025-02-30' 不是日期（格式为 YYYY-MM-DD）", "'2025-02-30' is not a date (YYYY-MM-DD)"),
]  # fmt: skip


@pytest.mark.parametrize("item_id,raw,zh,en", ANSWERS)
def test_an_answer_that_does_not_fit_says_why_in_both_languages(item_id, raw, zh, en):
    item = ITEMS.item[item_id]
    with pytest.raises(AnswerError) as caught:
        ITEM_TYPES[item.type].parse(raw, item)
    assert caught.value.text() == zh and caught.value.text("en") == str(caught.value) == en


def test_every_answer_error_of_items_and_ratings_is_covered_in_both_languages():
    seen = set()
    for item_id, raw, *_ in ANSWERS:
        try:
            ITEM_TYPES[ITEMS.item[item_id].type].parse(raw, ITEMS.item[item_id])
        except AnswerError as error:
            seen.add(error.code)
    for clause_id, raw, zh in [("records", "D", "'D' 不是条款 records 的级别（可填：C、B、A、未达到、不适用）"),
                               ("prof_tech_staffing", "B", "条款 prof_tech_staffing 按填报数据自动评级，不能手工评级")]:  # fmt: skip
        with pytest.raises(AnswerError) as caught:
            rating(CLAUSE_INSTRUMENT.clause[clause_id], raw)
        assert caught.value.text() == zh
        seen.add(caught.value.code)
    codes = raised()
    assert seen == {c for c, files in codes.items() if {"item_types.py", "ratings.py"} & files}


def test_an_answer_error_is_located_at_a_cell_in_both_languages():
    """How a workbook reader puts an item type's refusal at its cell, keeping its code and parameters."""
    with pytest.raises(AnswerError) as caught:
        ITEM_TYPES["integer"].parse("十二", None)
    problem = Problem.at("Sheet1!D7", caught.value)
    assert problem.text() == "Sheet1!D7：'十二' 不是整数"
    assert (
        str(problem) == "Sheet1!D7: '十二' is not a whole number" and problem.message == "'十二' is not a whole number"
    )
    assert (problem.code, problem.params) == ("not_whole_number", {"raw": "十二"})


# ---------------------------------------------------------------- the command line


def test_the_cli_gives_an_instrument_s_problems_in_chinese_or_as_asked(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nversion: '1'\ntitle: t\nsections: []\n", encoding="utf-8")
    db = ["--db", str(tmp_path / "survey.db")]
    for env, line in [({}, "sections：至少需要一个部分"), ({"SURVEY_LANG": "fr"}, "sections：至少需要一个部分"),
                      ({"SURVEY_LANG": "en"}, "sections: needs at least one section")]:  # fmt: skip
        result = CliRunner().invoke(cli, ["instruments", "load", str(bad), *db], env=env)
        assert result.exit_code == 1 and line in result.output, result.output
    listing = CliRunner().invoke(cli, ["instruments", "list", *db]).output
    assert not any(row.startswith("x\t") for row in listing.splitlines())


def test_the_cli_gives_an_answer_error_in_chinese_or_as_asked():
    @click.command()
    @friendly
    def read():
        ITEM_TYPES["integer"].parse("40.5", None)

    result = CliRunner().invoke(read, [])
    assert result.exit_code == 1 and "'40.5' 不是整数" in result.output
    result = CliRunner().invoke(read, [], env={"SURVEY_LANG": "en"})
    assert result.exit_code == 1 and "'40.5' is not a whole number" in result.output
