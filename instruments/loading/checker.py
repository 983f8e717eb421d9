"""The checker: reads plain data into model values, collecting located problems as it goes.

Every part of an instrument is located by a path. An entry of a list is named by
its id where the id is usable — valid and not repeated in that list — as in
`indicators[prof_tech_share].formula` or `clauses[k12].levels[B].when`, and by
its place in the list otherwise (`indicators[3]`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from typing import Any

from ..errors import ExpressionError, Problem, closest
from ..expressions import BOOLEAN, Expression, Symbol, compile_expression, kind_words, referenced_names
from ..messages import Message
from ..model import Standard, Text

INSTRUMENT_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
PART_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]{0,63}")
INVALID_ID = {INSTRUMENT_ID: "invalid_instrument_id", NAME: "invalid_name", PART_ID: "invalid_id"}


def describe(value: Any) -> str | Message:
    """A value as a message quotes it: the value itself, or words for what it is (nothing, a list…)."""
    if value is None:
        return Message("found_nothing")
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return f"'{value[:40]}'"
    if isinstance(value, dict | list):
        return Message("found_mapping" if isinstance(value, dict) else "found_list")
    return Message("found_type", {"name": type(value).__name__})


def join(where: str, key: Any) -> str:
    return f"{where}.{key}" if where else str(key)


def locations(where: str, entries: list, key: str = "id") -> list[str]:
    """The path of each entry of a list: by its `key` where usable, else by its place."""
    ids = [
        entry.get(key) if isinstance(entry, Mapping) and isinstance(entry.get(key), str) else None for entry in entries
    ]
    usable = [i if i is not None and PART_ID.fullmatch(i) else None for i in ids]
    counts: dict[str, int] = {}
    for i in usable:
        if i is not None:
            counts[i] = counts.get(i, 0) + 1
    return [f"{where}[{i if i is not None and counts[i] == 1 else n}]" for n, i in enumerate(usable)]


class Checker:
    """Collects located problems while reading plain data into the model."""

    def __init__(self, keys: Mapping[str, tuple[str, ...]], required: Mapping[str, tuple[str, ...]]) -> None:
        self.problems: list[Problem] = []
        self.keys = keys
        self.required = required

    def problem(self, where: str, code: str, **params: Any) -> None:
        self.problems.append(Problem(where, code, params))

    def record(self, where: str, value: Any, kind: str) -> dict | None:
        """A mapping checked for the contract's keys of `kind`, or None when it is not a mapping.

        Unknown keys and missing required keys are reported; what is there is still read.
        """
        if not isinstance(value, Mapping):
            self.problem(where, "not_mapping", found=describe(value))
            return None
        for key in value:
            if key not in self.keys[kind]:
                self.problem(join(where, key), "unknown_key", suggestion=closest(key, self.keys[kind]))
        for key in self.required[kind]:
            if value.get(key) is None:
                self.problem(join(where, key), "required")
        return dict(value)

    def listing(self, where: str, value: Any) -> list:
        if value is None:  # a required list that is absent was reported by record()
            return []
        if not isinstance(value, list):
            self.problem(where, "not_list", found=describe(value))
            return []
        return value

    def entries(self, where: str, value: Any, key: str = "id") -> list[tuple[str, Any]]:
        """Each entry of a list with its path (see `locations`)."""
        listing = self.listing(where, value)
        return list(zip(locations(where, listing, key), listing, strict=True))

    def string(self, where: str, value: Any, pattern: re.Pattern | None = None) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            code = "not_text_quote" if isinstance(value, int | float) and not isinstance(value, bool) else "not_text"
            self.problem(where, code, found=describe(value))
            return None
        if pattern and not pattern.fullmatch(value):
            self.problem(where, INVALID_ID[pattern], value=value)
            return None
        return value.strip()

    def text(self, where: str, value: Any) -> Text | None:
        if value is None:
            return None
        if isinstance(value, str) and value.strip():
            return Text(value.strip())
        if isinstance(value, Mapping):
            unknown = [k for k in value if k not in ("zh", "en")]
            for key in unknown:
                self.problem(join(where, key), "unknown_language")
            zh = self.string(join(where, "zh"), value.get("zh"))
            en = self.string(join(where, "en"), value.get("en"))
            if not (zh or en):
                if not unknown and "zh" not in value and "en" not in value:
                    self.problem(where, "text_needs_zh")
                return None
            return Text(zh or en or "", en)
        self.problem(where, "not_text_or_languages", found=describe(value))
        return None

    def number(self, where: str, value: Any) -> float | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            self.problem(where, "not_number", found=describe(value))
            return None
        return float(value)

    def share(self, where: str, value: Any) -> float | None:
        """A number from 0 to 1."""
        number = self.number(where, value)
        if number is not None and not 0 <= number <= 1:
            self.problem(where, "between_0_and_1")
            return None
        return number

    def flag(self, where: str, value: Any, default: bool = False) -> bool:
        if value is None:
            return default
        if not isinstance(value, bool):
            self.problem(where, "not_flag", found=describe(value))
            return default
        return value

    def one_of(self, where: str, value: Any, allowed: tuple[str, ...], default: str | None) -> str | None:
        if value is None:
            return default
        if value not in allowed:
            hint = closest(value, allowed) if isinstance(value, str) else None
            self.problem(where, "not_one_of", allowed=", ".join(allowed), found=describe(value), suggestion=hint)
            return None if default is None else default
        return value

    def unique(self, where: str, value: str | None, seen: dict[str, str], what: str) -> bool:
        """Whether `value` is new in `seen` (which remembers where each was first); `what` is a catalogue word."""
        if value is None:
            return False
        if value in seen:
            self.problem(where, "duplicate", what=Message(what), value=value, other=seen[value])
            return False
        seen[value] = where
        return True

    def expression(
        self,
        where: str,
        source: Any,
        symbols: Mapping[str, Symbol],
        condition: bool = False,
        broken: Collection[str] = (),
    ) -> Expression | None:
        """A compiled expression; None without a problem when it uses a name that failed to load itself."""
        if broken and isinstance(source, str):
            try:
                if any(name in broken for name in referenced_names(source)):
                    return None
            except ExpressionError:
                pass  # the syntax error is reported by compiling below
        try:
            expr = compile_expression(source, symbols)
        except ExpressionError as exc:
            self.problems.append(Problem.at(where, exc))
            return None
        if condition and expr.kind != BOOLEAN:
            self.problem(where, "not_condition", kind=kind_words(expr.kind))
            return None
        return expr

    def standard(self, where: str, raw: Any) -> Standard | None:
        """A standard's source, original wording and note."""
        if raw is None:
            return None
        record = self.record(where, raw, "standard")
        if record is None:
            return None
        source = self.string(f"{where}.source", record.get("source"))
        text = self.string(f"{where}.text", record.get("text"))
        note = self.string(f"{where}.note", record.get("note"))
        return Standard(source, text, note) if source and text else None

    def groups(self, where: str, raw: Any, frameworks: Mapping[str, Collection[str]]) -> dict[str, str]:
        """An indicator's or clause's group in each framework it is tagged in."""
        if raw is None:
            return {}
        if not isinstance(raw, Mapping):
            self.problem(where, "not_mapping", found=describe(raw))
            return {}
        out = {}
        for framework, group in raw.items():
            at = join(where, framework)
            if framework not in frameworks:
                self.problem(at, "unknown_framework", value=framework, suggestion=closest(framework, frameworks))
                continue
            group_id = self.string(at, group)
            if group_id is None:
                continue
            if group_id not in frameworks[framework]:
                hint = closest(group_id, frameworks[framework])
                self.problem(at, "unknown_group", framework=framework, value=group_id, suggestion=hint)
                continue
            out[str(framework)] = group_id
        return out
