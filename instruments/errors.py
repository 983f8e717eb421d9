"""The exceptions of the instrument core.

    InstrumentError        an instrument failed to load; .problems lists every one
    ExpressionError        one expression failed to parse or check (located by column)
    AnswerError            an answer does not fit its item (wrong type, out of range)

Loading never raises anything else: whatever the text, it either loads or
fails with an InstrumentError naming where each problem is.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One located problem: `where` is a path such as `indicators[prof_tech_share].formula`.

    `code` and `params` say the same as `message` in a form another language can be rendered from.
    """

    where: str
    message: str
    code: str = ""
    params: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


def closest(name: object, candidates: Iterable[str]) -> str | None:
    """The candidate closest to a misspelt name, when one is close enough to be what was meant."""
    close = difflib.get_close_matches(str(name), sorted(candidates), n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(name: object, candidates: Iterable[str]) -> str:
    """The words offering the closest candidate after a message about a misspelt name (nothing when none is close)."""
    return suggested(closest(name, candidates))


def suggested(close: str | None) -> str:
    """The words that offer `close` in place of a misspelt name: (did you mean 'staff_total'?)."""
    return f" (did you mean '{close}'?)" if close else ""


class InstrumentError(ValueError):
    """An instrument failed to load; `problems` holds every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ExpressionError(ValueError):
    """An expression is malformed or refers to something it may not."""


class AnswerError(ValueError):
    """A reported value does not fit its item."""
