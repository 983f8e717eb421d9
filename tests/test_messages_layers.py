"""The one catalogue across the layers: the workbook readers', the store's and the command line's tables join the
core's; every code reads in both languages with the same parameters, each message is said once, every code given
in a layer is in the catalogue with its parameters, and every code of a layer is given somewhere."""

import ast
import string
from pathlib import Path

import exports
import survey
from exports.messages import WORKBOOK_MESSAGES
from instruments.messages import CATALOGUE, LANGUAGES, MESSAGES
from survey.cli_messages import CLI_MESSAGES
from survey.store.messages import STORE_MESSAGES

TABLES = {"core": MESSAGES, "workbooks": WORKBOOK_MESSAGES, "store": STORE_MESSAGES, "cli": CLI_MESSAGES}
LAYERS = {"workbooks": Path(exports.__file__).parent, "store": Path(survey.__file__).parent}
# Calls that take a code: the position of the code among their arguments.
CODE_AT = {"StoreError": 0, "NotFoundError": 0, "ConflictError": 0, "EvidenceError": 0, "AppealError": 0,
           "WeakPasswordError": 0, "WrongPasswordError": 0, "SelfLockoutError": 0, "CodedError": 0, "AnswerError": 0,
           "ExpressionError": 0, "say": 0, "RatingError": 1, "problem": 1, "Message": 0, "render": 0}  # fmt: skip


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_code_of_every_layer_reads_in_both_languages_with_the_same_parameters():
    assert set(CATALOGUE) == set().union(*TABLES.values())
    for code, texts in CATALOGUE.items():
        assert set(texts) == set(LANGUAGES), code
        assert all(texts[lang].strip() for lang in LANGUAGES), code
        assert fields(texts["zh"]) == fields(texts["en"]), code  # both parsed: each is a well-formed template


def test_each_code_belongs_to_one_table():
    seen: dict[str, str] = {}
    for name, table in TABLES.items():
        for code in table:
            assert code not in seen, f"{code} is in the {seen.get(code)} and the {name} tables"
            seen[code] = name


def test_no_message_is_said_twice():
    said: dict[tuple[str, str], str] = {}
    for code, texts in CATALOGUE.items():
        key = (texts["zh"], texts["en"])
        assert key not in said, f"{code} says what {said.get(key)} says"
        said[key] = code


def _calls(tree: ast.AST):
    """(call, code expression, parameter names or None when not all are known) for each place a code is given."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        at = CODE_AT.get(name)
        if at is None or len(node.args) <= at:
            continue
        if name in ("Message", "render"):
            given = node.args[1] if len(node.args) > 1 else ast.Dict(keys=[], values=[])
            known = isinstance(given, ast.Dict) and None not in given.keys  # no **unpacking
            keys = {k.value for k in given.keys if isinstance(k, ast.Constant)} if known else None
            yield node, node.args[at], keys
        else:
            unpacked = any(k.arg is None for k in node.keywords)
            yield node, node.args[at], None if unpacked else {k.arg for k in node.keywords}


def _constant_codes(expr: ast.expr) -> set[str]:
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return {expr.value}
    if isinstance(expr, ast.IfExp):
        return _constant_codes(expr.body) | _constant_codes(expr.orelse)
    return set()  # a code passed on, or made of a prefix and a value (checked by the families below)


def test_every_code_given_in_a_layer_is_in_the_catalogue_with_its_parameters():
    checked = 0
    for folder in LAYERS.values():
        for path in sorted(folder.rglob("*.py")):
            for call, expr, given in _calls(ast.parse(path.read_text("utf-8"))):
                for code in _constant_codes(expr):
                    place = f"{path.name}:{call.lineno}"
                    assert code in CATALOGUE, f"{place}: no message for {code}"
                    if given is None:
                        continue
                    needed = fields(CATALOGUE[code]["en"]) - {"hint"}
                    assert needed <= given, f"{place}: {code} needs {sorted(needed - given)}"
                    checked += 1
    assert checked > 150


def test_every_code_of_a_layer_is_given_somewhere():
    words: set[str] = set()
    prefixes: set[str] = set()
    for folder in LAYERS.values():
        for path in folder.rglob("*.py"):
            if path.name in ("messages.py", "cli_messages.py"):
                continue
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    words.add(node.value)
                if isinstance(node, ast.BinOp) and isinstance(node.left, ast.Constant):
                    prefixes.add(str(node.left.value))  # "role_" + role: a family of codes
    for name in ("workbooks", "store", "cli"):
        unused = {c for c in TABLES[name] if c not in words and not any(c.startswith(p) for p in prefixes if p)}
        assert unused == set(), name
