"""The exceptions of the instrument core, and the located problem they report.

    ValueError
     ├── InstrumentError     an instrument failed to load; .problems lists every one
     └── CodedError          an error said as a code of the catalogue and its parameters
          ├── ExpressionError    one expression failed to parse or check (located by column)
          └── AnswerError        an answer does not fit its item (wrong type, out of range)

Loading never raises anything else: whatever the text, it either loads or
fails with an InstrumentError naming where each problem is.

Every error and every `Problem` carries a code and parameters (`instruments.messages`)
and is put into words only when shown: `text(lang)` in Chinese ("zh", the default)
or English ("en"); `str()` is English, for logs and tracebacks. A location — a path
such as `indicators[prof_tech_share].formula`, a cell such as `Sheet1!D7` — reads
the same in both languages; a line and column of the text (`Position`) is put into
words too. `Problem.at(where, error)` locates an AnswerError or ExpressionError, as a
workbook reader does with a cell's answer.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .messages import Message, render

SEPARATOR = {"zh": "：", "en": ": "}  # between a location and its message


class Position(str):
    """A line and column of an instrument's text as a location: `line 3, column 5` / 第 3 行第 5 列."""

    line: int
    column: int

    def __new__(cls, line: int, column: int) -> Position:
        position = super().__new__(cls, render("position", {"line": line, "column": column}, "en"))
        position.line, position.column = line, column
        return position

    def text(self, lang: str = "zh") -> str:
        """The position in `lang`."""
        return render("position", {"line": self.line, "column": self.column}, lang)


@dataclass(frozen=True)
class Problem:
    """One located problem: `where` (a path, a cell, a `Position` or "") and what is wrong there, as a code."""

    where: str
    code: str
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)

    @classmethod
    def at(cls, where: str, error: CodedError | Message) -> Problem:
        """`error` located at `where`: an answer at its workbook cell, an expression at its formula."""
        return cls(where, error.code, dict(error.params))

    @property
    def message(self) -> str:
        """What is wrong, in English, without the location."""
        return render(self.code, self.params, "en")

    def text(self, lang: str = "zh") -> str:
        """The problem with its location, in `lang`."""
        message = render(self.code, self.params, lang)
        where = self.where.text(lang) if isinstance(self.where, Position) else self.where
        return f"{where}{SEPARATOR[lang]}{message}" if where else message

    def __str__(self) -> str:
        return self.text("en")


def closest(name: object, candidates: Iterable[str]) -> str | None:
    """The candidate closest to a misspelt name, when one is close enough to be what was meant."""
    close = difflib.get_close_matches(str(name), sorted(candidates), n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(name: object, candidates: Iterable[str]) -> str:
    """English words offering the closest candidate after a misspelt name (nothing when none is close)."""
    close = closest(name, candidates)
    return render("hint", {"close": close}, "en") if close else ""


class InstrumentError(ValueError):
    """An instrument failed to load; `problems` holds every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def text(self, lang: str = "zh") -> str:
        """Every problem in `lang`, one a line."""
        return "\n".join(p.text(lang) for p in self.problems)


class CodedError(ValueError):
    """An error raised as a code of the catalogue (`instruments.messages`) with its parameters."""

    def __init__(self, code: str, /, **params: Any) -> None:
        self.code = code
        self.params = params
        super().__init__(render(code, params, "en"))

    def text(self, lang: str = "zh") -> str:
        """The error in `lang`."""
        return render(self.code, self.params, lang)

    def __reduce__(self) -> tuple:
        """Pickled whole, whatever a subclass's own arguments (a worker process hands it back)."""
        return _rebuilt, (type(self), self.args), self.__dict__


def _rebuilt(cls: type[CodedError], args: tuple) -> CodedError:
    error = cls.__new__(cls)
    error.args = args
    return error


class ExpressionError(CodedError):
    """An expression is malformed or refers to something it may not."""


class AnswerError(CodedError):
    """A reported value does not fit its item."""
