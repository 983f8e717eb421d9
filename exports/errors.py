"""The one exception of the exports package.

    WorkbookError      a workbook or CSV file handed in cannot be used; .problems
                       lists every located problem (`Sheet1!D7: '十二' is not a whole number`)

Readers collect every problem before raising, so a county office fixes its
file once rather than once per error; a junk file raises this too, never a
zipfile or XML parser traceback.
"""

from __future__ import annotations

MAX_PROBLEMS = 200


class WorkbookError(ValueError):
    """A file handed in cannot be used; `problems` holds each located problem (at most 200).

    `more` counts problems found but not listed; past 200 a last line says how many.
    """

    def __init__(self, problems: list[str], more: int = 0) -> None:
        problems = list(problems)
        if len(problems) > MAX_PROBLEMS:
            more += len(problems) - MAX_PROBLEMS
            problems = problems[:MAX_PROBLEMS]
        self._given = (list(problems), more)
        if more:
            problems.append(f"… and {more:,} more problems")
        self.problems = problems
        super().__init__("\n".join(problems))

    def __reduce__(self) -> tuple:
        """Pickled as made (a background job or a worker process hands it back whole)."""
        return type(self), self._given
