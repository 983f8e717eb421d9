"""The expression language of formulas, constraints and relevance rules.

Text is tokenised and parsed by a small precedence-climbing parser into a tree
of a few node types; the tree is type-checked against the instrument's names
and compiled once into nested closures over numpy arrays. Nothing is ever
passed to `eval`.

A compiled expression takes an environment mapping each name to a `Column`
(an array of values and an array of statuses, one element per centre) and
returns a `Column`. Statuses are ordered so that combining two is a maximum:
OK < NOT_COMPUTABLE < MISSING < NOT_APPLICABLE. An expression that touches
an unanswered item is therefore missing, one that touches an item that was not
relevant is not applicable, and a division by zero is not computable.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from .errors import ExpressionError, closest
from .messages import Message

OK, NOT_COMPUTABLE, MISSING, NOT_APPLICABLE = 0, 1, 2, 3
STATUS_NAMES = ("ok", "not_computable", "missing", "not_applicable")

NUMBER, BOOLEAN, CHOICE, TEXT, STRING = "number", "boolean", "choice", "text", "string"

KEYWORDS = frozenset({"and", "or", "not", "true", "false"})
FUNCTIONS = frozenset({"min", "max", "abs", "round", "sum", "count", "if", "coalesce"})
MAX_LENGTH = 2000
MAX_DEPTH = 60
TOLERANCE = 1e-9  # relative: 45/50 meets ">= 0.90" however the division rounds


class Column(NamedTuple):
    """Values and statuses of one name or sub-expression for many centres."""

    value: np.ndarray
    status: np.ndarray


@dataclass(frozen=True)
class Symbol:
    """What a name stands for: its kind, and for choice items the choice values."""

    kind: str
    choices: tuple[str, ...] = ()


Compiled = Callable[[Mapping[str, Column]], Column]


@dataclass(frozen=True)
class Expression:
    """A parsed, checked and compiled expression."""

    source: str
    kind: str
    names: tuple[str, ...]  # names used, in order of first appearance
    evaluate: Compiled = field(compare=False, repr=False)
    choices: tuple[str, ...] = ()
    size: int = field(default=1, compare=False, repr=False)  # operations one evaluation performs

    def __str__(self) -> str:
        return self.source


# ---------------------------------------------------------------- tokens

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)
    | \$\{(?P<ref>[^}]*)\}
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<string>'[^']*'|"[^"]*")
    | (?P<op><=|>=|==|!=|[-+*/(),<>=])
    | (?P<bad>\S)
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class _Token:
    kind: str  # number, name, string, op, end
    text: str
    col: int  # 1-based column


def _tokens(text: str) -> list[_Token]:
    out: list[_Token] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:  # only trailing white space is left
            break
        pos = m.end()
        kind = m.lastgroup or "end"
        col = m.start(kind) + 1
        value = m.group(kind)
        if kind == "bad":
            if value in "'\"":
                raise ExpressionError("unclosed_string", col=col)
            raise ExpressionError("unexpected_character", char=repr(value), col=col)
        if kind == "ref":
            kind = "name"
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value):
                raise ExpressionError("reference_not_name", value=value, col=col)
        if kind == "op" and value == "=":
            raise ExpressionError("single_equals", col=col)
        out.append(_Token(kind, value, col))
    out.append(_Token("end", "", len(text) + 1))
    return out


# ---------------------------------------------------------------- tree


@dataclass(frozen=True)
class _Node:
    col: int


@dataclass(frozen=True)
class _Literal(_Node):
    kind: str
    value: float | str


@dataclass(frozen=True)
class _Name(_Node):
    name: str


@dataclass(frozen=True)
class _Unary(_Node):
    op: str
    operand: _Node


@dataclass(frozen=True)
class _Binary(_Node):
    op: str
    left: _Node
    right: _Node


@dataclass(frozen=True)
class _Call(_Node):
    function: str
    args: tuple[_Node, ...]


_COMPARISONS = ("<", "<=", ">", ">=", "==", "!=")


class _Parser:
    """Precedence, loosest first: or, and, not, comparison, + -, * /, unary -."""

    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.i = 0
        self.depth = 0

    def peek(self) -> _Token:
        return self.tokens[self.i]

    def take(self) -> _Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def expect(self, text: str) -> None:
        token = self.take()
        if token.text != text or token.kind not in ("op",):
            if token.kind == "end":
                raise ExpressionError("expected_at_end", text=text, col=token.col)
            raise ExpressionError("expected", text=text, col=token.col, found=token.text)

    def parse(self) -> _Node:
        if self.peek().kind == "end":
            raise ExpressionError("empty_expression")
        node = self.or_()
        token = self.peek()
        if token.kind != "end":
            raise ExpressionError("unexpected", token=token.text, col=token.col)
        return node

    def deeper(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError("nested_too_deep_expression", limit=MAX_DEPTH)

    def or_(self) -> _Node:
        node = self.and_()
        while self.peek().kind == "name" and self.peek().text == "or":
            col = self.take().col
            node = _Binary(col, "or", node, self.and_())
        return node

    def and_(self) -> _Node:
        node = self.not_()
        while self.peek().kind == "name" and self.peek().text == "and":
            col = self.take().col
            node = _Binary(col, "and", node, self.not_())
        return node

    def not_(self) -> _Node:
        token = self.peek()
        if token.kind == "name" and token.text == "not":
            self.take()
            self.deeper()
            node = _Unary(token.col, "not", self.not_())
            self.depth -= 1
            return node
        return self.comparison()

    def comparison(self) -> _Node:
        node = self.additive()
        token = self.peek()
        if token.kind == "op" and token.text in _COMPARISONS:
            self.take()
            node = _Binary(token.col, token.text, node, self.additive())
            after = self.peek()
            if after.kind == "op" and after.text in _COMPARISONS:
                raise ExpressionError("chained_comparison", col=after.col)
        return node

    def additive(self) -> _Node:
        node = self.term()
        while self.peek().kind == "op" and self.peek().text in "+-":
            token = self.take()
            node = _Binary(token.col, token.text, node, self.term())
        return node

    def term(self) -> _Node:
        node = self.unary()
        while self.peek().kind == "op" and self.peek().text in "*/":
            token = self.take()
            node = _Binary(token.col, token.text, node, self.unary())
        return node

    def unary(self) -> _Node:
        token = self.peek()
        if token.kind == "op" and token.text in "+-":
            self.take()
            self.deeper()
            node = _Unary(token.col, token.text, self.unary())
            self.depth -= 1
            return node
        return self.primary()

    def primary(self) -> _Node:
        token = self.take()
        if token.kind == "number":
            return _Literal(token.col, NUMBER, float(token.text))
        if token.kind == "string":
            return _Literal(token.col, STRING, token.text[1:-1])
        if token.kind == "op" and token.text == "(":
            self.deeper()
            node = self.or_()
            self.depth -= 1
            self.expect(")")
            return node
        if token.kind == "name":
            if token.text in ("true", "false"):
                return _Literal(token.col, BOOLEAN, 1.0 if token.text == "true" else 0.0)
            if token.text in KEYWORDS:
                raise ExpressionError("unexpected", token=token.text, col=token.col)
            if self.peek().kind == "op" and self.peek().text == "(":
                return self.call(token)
            return _Name(token.col, token.text)
        if token.kind == "end":
            raise ExpressionError("ends_too_early")
        raise ExpressionError("unexpected", token=token.text, col=token.col)

    def call(self, token: _Token) -> _Node:
        if token.text not in FUNCTIONS:
            hint = closest(token.text, FUNCTIONS)
            raise ExpressionError("unknown_function", name=token.text, col=token.col, suggestion=hint)
        self.take()  # (
        self.deeper()
        args: list[_Node] = []
        if not (self.peek().kind == "op" and self.peek().text == ")"):
            args.append(self.or_())
            while self.peek().kind == "op" and self.peek().text == ",":
                self.take()
                args.append(self.or_())
        self.depth -= 1
        self.expect(")")
        return _Call(token.col, token.text, tuple(args))


# ---------------------------------------------------------------- checking and compiling

_ARITY = {  # function: (fewest, most) arguments
    "min": (1, None),
    "max": (1, None),
    "sum": (1, None),
    "count": (1, None),
    "abs": (1, 1),
    "round": (1, 2),
    "if": (3, 3),
    "coalesce": (2, None),
}


def _const(value: float) -> Column:
    return Column(np.float64(value), np.uint8(OK))


def _worst(*statuses: np.ndarray) -> np.ndarray:
    out = statuses[0]
    for status in statuses[1:]:
        out = np.maximum(out, status)
    return out


def _truth(column: Column) -> np.ndarray:
    return column.value != 0


def compare(op: str, a: Any, b: Any) -> Any:
    """Compare numbers with a small relative tolerance: 45/50 meets ">= 0.9"."""
    if np.ndim(b) == 0:  # the usual case, a column against a number: one pass fewer over the column
        tol = TOLERANCE * np.maximum(np.abs(a), max(1.0, abs(float(b))))
    else:
        tol = TOLERANCE * np.maximum(1.0, np.maximum(np.abs(a), np.abs(b)))
    if op == ">=":
        return a >= b - tol
    if op == ">":
        return a > b + tol
    if op == "<=":
        return a <= b + tol
    if op == "<":
        return a < b - tol
    if op == "==":
        return np.abs(a - b) <= tol
    return np.abs(a - b) > tol  # !=


@dataclass(frozen=True)
class _Typed:
    kind: str
    fn: Compiled
    choices: tuple[str, ...] = ()
    literal: str | None = None  # the text of a string literal


def _numeric(typed: _Typed, what: str | Message, col: int) -> None:
    if typed.kind not in (NUMBER, BOOLEAN):
        raise ExpressionError("needs_numbers", what=what, col=col, kind=_kind_words(typed))


def kind_words(kind: str, literal: str | None = None) -> Message:
    """What an expression of `kind` gives, in words for a message: a number, a choice, the text 'x'."""
    return Message("kind_" + kind, {"literal": literal} if kind == STRING else {})


def _kind_words(typed: _Typed) -> Message:
    return kind_words(typed.kind, typed.literal)


class _Compiler:
    def __init__(self, symbols: Mapping[str, Symbol]) -> None:
        self.symbols = symbols
        self.names: list[str] = []
        self.size = 0

    def build(self, node: _Node) -> _Typed:
        self.size += 1
        method = getattr(self, "_" + type(node).__name__.lstrip("_").lower())
        return method(node)

    def _literal(self, node: _Literal) -> _Typed:
        if node.kind == STRING:
            return _Typed(STRING, lambda env: None, literal=str(node.value))
        column = _const(float(node.value))
        return _Typed(node.kind, lambda env: column)

    def _name(self, node: _Name) -> _Typed:
        name = node.name
        symbol = self.symbols.get(name)
        if symbol is None:
            raise ExpressionError("unknown_name", name=name, suggestion=closest(name, self.symbols))
        if symbol.kind == TEXT:
            raise ExpressionError("text_item_in_expression", name=name)
        if name not in self.names:
            self.names.append(name)
        return _Typed(symbol.kind, lambda env: env[name], symbol.choices)

    def _unary(self, node: _Unary) -> _Typed:
        inner = self.build(node.operand)
        fn = inner.fn
        _numeric(inner, f"'{node.op}'", node.col)
        if node.op == "not":
            return _Typed(BOOLEAN, _mapped(fn, lambda v: (v == 0).astype(float)))
        if node.op == "+":
            return _Typed(NUMBER, fn)
        return _Typed(NUMBER, _mapped(fn, np.negative))

    def _binary(self, node: _Binary) -> _Typed:
        left, right = self.build(node.left), self.build(node.right)
        if node.op in ("==", "!=") and CHOICE in (left.kind, right.kind):
            return self._choice_equality(node, left, right)
        if node.op in ("==", "!=") and STRING in (left.kind, right.kind):
            other = right if left.kind == STRING else left
            raise ExpressionError("compares_text", op=node.op, col=node.col, kind=_kind_words(other))
        _numeric(left, f"'{node.op}'", node.col)
        _numeric(right, f"'{node.op}'", node.col)
        lf, rf, op = left.fn, right.fn, node.op
        if op in ("and", "or"):
            combine = np.logical_and if op == "and" else np.logical_or

            def logic(env: Mapping[str, Column]) -> Column:
                a, b = lf(env), rf(env)
                return Column(combine(_truth(a), _truth(b)).astype(float), _worst(a.status, b.status))

            return _Typed(BOOLEAN, logic)
        if op in _COMPARISONS:

            def comparison(env: Mapping[str, Column]) -> Column:
                a, b = lf(env), rf(env)
                return Column(compare(op, a.value, b.value).astype(float), _worst(a.status, b.status))

            return _Typed(BOOLEAN, comparison)
        if op == "/":

            def divide(env: Mapping[str, Column]) -> Column:
                a, b = lf(env), rf(env)
                zero = np.where(b.value == 0, np.uint8(NOT_COMPUTABLE), np.uint8(OK))
                return Column(a.value / b.value, _worst(a.status, b.status, zero))

            return _Typed(NUMBER, divide)
        arithmetic = {"+": np.add, "-": np.subtract, "*": np.multiply}[op]

        def arith(env: Mapping[str, Column]) -> Column:
            a, b = lf(env), rf(env)
            return Column(arithmetic(a.value, b.value), _worst(a.status, b.status))

        return _Typed(NUMBER, arith)

    def _choice_equality(self, node: _Binary, left: _Typed, right: _Typed) -> _Typed:
        choice, other = (left, right) if left.kind == CHOICE else (right, left)
        if other.kind == STRING:
            if other.literal not in choice.choices:
                allowed = ", ".join(choice.choices)
                raise ExpressionError("expression_not_a_choice", value=other.literal, col=node.col, allowed=allowed)
            code = _const(float(choice.choices.index(other.literal)))
            other = _Typed(CHOICE, lambda env: code, choice.choices)
        elif other.kind != CHOICE or other.choices != choice.choices:
            raise ExpressionError("compares_choice", op=node.op, col=node.col, kind=_kind_words(other))
        lf, rf, op = choice.fn, other.fn, node.op

        def equality(env: Mapping[str, Column]) -> Column:
            a, b = lf(env), rf(env)
            same = a.value == b.value
            return Column((same if op == "==" else ~same).astype(float), _worst(a.status, b.status))

        return _Typed(BOOLEAN, equality)

    def _call(self, node: _Call) -> _Typed:
        name, args = node.function, node.args
        fewest, most = _ARITY[name]
        if len(args) < fewest or (most is not None and len(args) > most):
            code = "arguments_exactly" if fewest == most else "arguments_between" if most else "arguments_at_least"
            raise ExpressionError(code, name=name, col=node.col, fewest=fewest, most=most, count=len(args))
        typed = [self.build(arg) for arg in args]
        fns = [t.fn for t in typed]
        if name in ("if", "coalesce"):
            return self._branching(node, typed)
        for t, arg in zip(typed, args, strict=True):
            _numeric(t, f"{name}()", arg.col)
        if name == "round" and len(args) == 2:
            digits = args[1]
            if not (isinstance(digits, _Literal) and digits.kind == NUMBER and float(digits.value).is_integer()):
                raise ExpressionError("round_digits", col=node.col)
            return _Typed(NUMBER, _rounding(fns[0], int(digits.value)))
        if name == "round":
            return _Typed(NUMBER, _rounding(fns[0], 0))
        if name == "abs":
            return _Typed(NUMBER, _mapped(fns[0], np.abs))
        if name == "count":
            return _Typed(NUMBER, _folding(fns, np.add, _truth))
        reduce = {"min": np.minimum, "max": np.maximum, "sum": np.add}[name]
        kind = BOOLEAN if name != "sum" and all(t.kind == BOOLEAN for t in typed) else NUMBER
        return _Typed(kind, _folding(fns, reduce, lambda c: c.value))

    def _branching(self, node: _Call, typed: list[_Typed]) -> _Typed:
        if node.function == "if":
            condition, *branches = typed
            _numeric(condition, Message("if_condition"), node.args[0].col)
        else:
            branches = typed
        kinds = {t.kind for t in branches}
        if kinds <= {NUMBER, BOOLEAN}:
            kind, choices = (BOOLEAN if kinds == {BOOLEAN} else NUMBER), ()
        elif kinds == {CHOICE} and len({t.choices for t in branches}) == 1:
            kind, choices = CHOICE, branches[0].choices
        else:
            kinds = tuple(sorted({_kind_words(t) for t in branches}, key=str))
            raise ExpressionError("mixes_kinds", function=node.function, col=node.col, kinds=kinds)
        fns = [t.fn for t in branches]
        if node.function == "if":
            cf, af, bf = typed[0].fn, fns[0], fns[1]

            def choose(env: Mapping[str, Column]) -> Column:
                c, a, b = cf(env), af(env), bf(env)
                pick = _truth(c)
                value = np.where(pick, a.value, b.value)
                return Column(value, _worst(c.status, np.where(pick, a.status, b.status)))

            return _Typed(kind, choose, choices)

        def first_answered(env: Mapping[str, Column]) -> Column:
            columns = [fn(env) for fn in fns]
            value, status = columns[-1].value, columns[-1].status
            for column in reversed(columns[:-1]):
                answered = column.status == OK
                value = np.where(answered, column.value, value)
                status = np.where(answered, column.status, status)
            return Column(value, status)

        return _Typed(kind, first_answered, choices)


def _mapped(fn: Compiled, transform: Callable[[np.ndarray], np.ndarray]) -> Compiled:
    def mapped(env: Mapping[str, Column]) -> Column:
        c = fn(env)
        return Column(transform(c.value), c.status)

    return mapped


def plain(value: Any) -> float | None:
    """One number of a column as plain data: None where it is NaN."""
    value = float(value)
    return None if math.isnan(value) else value


def round_half_up(value: Any, digits: int = 0) -> Any:
    """Round half away from zero, as people round (numpy rounds half to even)."""
    scale = 10.0**digits
    return np.sign(value) * np.floor(np.abs(value) * scale + 0.5 + TOLERANCE) / scale


def _rounding(fn: Compiled, digits: int) -> Compiled:
    return _mapped(fn, lambda v: round_half_up(v, digits))


def _folding(
    fns: list[Compiled], reduce: Callable[[np.ndarray, np.ndarray], np.ndarray], take: Callable[[Column], Any]
) -> Compiled:
    def folded(env: Mapping[str, Column]) -> Column:
        columns = [fn(env) for fn in fns]
        value = np.asarray(take(columns[0]), dtype=float)
        for column in columns[1:]:
            value = reduce(value, np.asarray(take(column), dtype=float))
        return Column(value, _worst(*(c.status for c in columns)))

    return folded


def compile_expression(source: str, symbols: Mapping[str, Symbol]) -> Expression:
    """Parse, check and compile `source`; raise ExpressionError saying what is wrong."""
    if not isinstance(source, str):
        raise ExpressionError("expression_not_text")
    if len(source) > MAX_LENGTH:
        raise ExpressionError("longer_than", limit=MAX_LENGTH)
    tree = _Parser(source).parse()
    compiler = _Compiler(symbols)
    typed = compiler.build(tree)
    if typed.kind == STRING:
        raise ExpressionError("string_alone")
    return Expression(source.strip(), typed.kind, tuple(compiler.names), typed.fn, typed.choices, compiler.size)


def referenced_names(source: str) -> tuple[str, ...]:
    """The names an expression uses, in order of first appearance (syntax must be valid)."""
    if len(source) > MAX_LENGTH:
        raise ExpressionError("longer_than", limit=MAX_LENGTH)
    names: list[str] = []

    def walk(node: _Node) -> None:
        if isinstance(node, _Name) and node.name not in names:
            names.append(node.name)
        for child in _children(node):
            walk(child)

    walk(_Parser(source).parse())
    return tuple(names)


def _children(node: _Node) -> tuple[_Node, ...]:
    if isinstance(node, _Unary):
        return (node.operand,)
    if isinstance(node, _Binary):
        return (node.left, node.right)
    if isinstance(node, _Call):
        return node.args
    return ()
