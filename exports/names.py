"""What a name or a code may hold, checked wherever one comes in.

A name (a unit's, a round's title, an attribute's) is shown in pages, sheet
titles and download file names, so it holds no control characters: a CR or LF
in one breaks the `Content-Disposition` header of every download naming it. A
code is part of URLs (`/official/centre/<code>`), so it holds only ASCII
letters, digits, `-`, `_` and `.`, and is not `.` or `..`, which browsers
fold away.
"""

from __future__ import annotations

import re
import unicodedata

from instruments.messages import Message

from . import messages  # noqa: F401 - registers the workbook messages

MAX_CODE = 64
_CODE = re.compile(r"[A-Za-z0-9._-]+")
_BREAKING = {"Cc", "Zl", "Zp"}  # control characters, line and paragraph separators


def name_problem(name: str) -> Message | None:
    """Why `name` cannot be used as a name (said after the name: "holds the control character…"), or None."""
    for ch in name:
        if unicodedata.category(ch) in _BREAKING:
            return Message("control_character", {"char": f"U+{ord(ch):04X}"})
    return None


def code_problem(code: str) -> Message | None:
    """Why `code` cannot be used as a unit code, or None when it can."""
    if not _CODE.fullmatch(code) or set(code) == {"."}:
        return Message("code_characters", {"code": code})
    if len(code) > MAX_CODE:
        return Message("code_too_long", {"code": code[:20], "limit": MAX_CODE})
    return None
