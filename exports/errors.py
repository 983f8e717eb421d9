"""The one exception of the exports package.

    WorkbookError      a workbook or CSV file handed in cannot be used; .problems
                       lists every located problem (`Sheet1!D7: '十二' is not a whole number`)

Readers collect every problem before raising, so a county office fixes its
file once rather than once per error; a junk file raises this too, never a
zipfile or XML parser traceback. Each problem is the core's `Problem`: a
location (a file, a sheet, a cell) and a code of the catalogue with its
parameters (`exports.messages`), put into words by `text(lang)` / `lines(lang)`
in Chinese (the default) or English; `str()` is English.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from instruments.errors import Problem
from instruments.messages import render

from . import messages  # noqa: F401 - registers the workbook messages

MAX_PROBLEMS = 200


def problem(where: str, code: str, /, **params: Any) -> Problem:
    """What is wrong at `where` (a file, a sheet, a cell), as a code of the catalogue and its parameters."""
    return Problem(where, code, params)


class WorkbookError(ValueError):
    """A file handed in cannot be used; `problems` holds each located problem (at most 200).

    `more` counts problems found but not listed; past 200 a last line says how many.
    """

    def __init__(self, problems: Iterable[Problem], more: int = 0) -> None:
        problems = list(problems)
        if len(problems) > MAX_PROBLEMS:
            more += len(problems) - MAX_PROBLEMS
            problems = problems[:MAX_PROBLEMS]
        self.problems = problems
        self.more = more
        super().__init__("\n".join(self.lines("en")))

    def lines(self, lang: str = "zh") -> list[str]:
        """Each problem in `lang`, then how many more were found when not all are listed."""
        said = [p.text(lang) for p in self.problems]
        if self.more:
            said.append(render("more_problems", {"count": self.more}, lang))
        return said

    def text(self, lang: str = "zh") -> str:
        """Every problem in `lang`, one a line."""
        return "\n".join(self.lines(lang))

    def __reduce__(self) -> tuple:
        """Pickled as made (a background job or a worker process hands it back whole)."""
        return type(self), (self.problems, self.more)
