"""What a name or a code may hold, checked wherever one comes in.

A name (a unit's, a round's title, an attribute's) is shown in pages, sheet
titles and download file names, so it holds no control characters: a CR or LF
in one breaks the `Content-Disposition` header of every download naming it. A
code is part of URLs (`/official/centre/<code>`), so it holds only ASCII
letters, digits, `-`, `_` and `.`, and is not `.` or `..`, which browsers
fold away. Names sort by their pinyin (`name_key`), everywhere a list is in
name order: pages, workbooks and the store's `org_units.name_key`.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from pypinyin import Style, lazy_pinyin

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


TONES = {"\u0304": "1", "\u0301": "2", "\u030c": "3", "\u0300": "4"}  # the marks of 阴平 阳平 上声 去声


def name_key(name: str) -> str:
    """A unit's name as it sorts: its pinyin, syllable by syllable with the tone (阿坝 `a1 ba4` < 长安 `chang2 an1`
    < 重庆 `chong2 qing4` < 大王), words in a phrase read as the phrase reads them (重庆, not zhòng); other
    characters as they are, lower case (digits sort before letters)."""
    return " ".join(_syllable(part) for part in lazy_pinyin(name, style=Style.TONE))


@functools.cache
def _syllable(marked: str) -> str:
    """`zhòng` → `zhong4`, `lǜ` → `lv4` (ü after u, as dictionaries order them); a neutral tone has no digit."""
    letters, tone = [], ""
    for char in unicodedata.normalize("NFD", marked.strip().lower()):
        if char in TONES:
            tone = TONES[char]
        elif char == "\u0308":  # the dots of ü
            letters[-1] = "v"
        else:
            letters.append(char)
    return "".join(letters) + tone
