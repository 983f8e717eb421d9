"""The loader's messages live in the core's one catalogue, `instruments.messages`.

`render(code, params)` gives a problem's English text, for the workbook readers that
still build their own English lines; they move to `Problem.text(lang)` with their own
codes in the catalogue, and this module goes with them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import messages


def render(code: str, params: Mapping[str, Any]) -> str:
    """The English text of a problem."""
    return messages.render(code, params, "en")
