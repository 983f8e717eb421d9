"""What changed between two versions of an instrument, as a list of located, readable changes.

`diff(old, new)` compares part by part — the instrument's own fields, sections,
items, indicators, dimensions, grades, chapters, clauses and their levels,
frameworks — and names each change by its path, the
way load errors are named: `indicators.prof_tech_share.target: ">= 0.85" → ">= 0.90"`.
Items, indicators and the rest are matched by id, so a renamed id shows as one
removed and one added. Expressions and targets are compared by meaning where it
is cheap to (white space in a formula, `>= 0.9` against `>= 0.90`), so only
changes that can alter an answer, a score or what people read are listed (the
weight of an indicator not scored in one of the two versions is not: its target's
change already says it is no longer, or not yet, scored).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .expressions import Expression
from .model import (
    Chapter,
    Choice,
    Clause,
    Dimension,
    Framework,
    Grade,
    Indicator,
    Instrument,
    Item,
    Requirement,
    Section,
    Standard,
    Target,
    Text,
)

ADDED, REMOVED, CHANGED = "added", "removed", "changed"
PARTS = ("sections", "items", "indicators", "dimensions", "grades", "chapters", "clauses", "frameworks")

ITEM_FIELDS = (
    "label",
    "type",
    "section",
    "unit",
    "hint",
    "required",
    "min",
    "max",
    "constraint",
    "constraint_message",
    "relevant",
)
INDICATOR_FIELDS = (
    "label",
    "formula",
    "target",
    "weight",
    "scoring",
    "floor",
    "dimension",
    "pooled",
    "format",
    "standard",
    "groups",
)
GRADE_FIELDS = ("label", "min_score", "must_meet", "when", "requires")
CLAUSE_FIELDS = (
    "text",
    "number",
    "chapter",
    "standard",
    "core",
    "rated",
    "evidence",
    "weight",
    "credit",
    "standard_ref",
    "groups",
)
TOKEN = re.compile(r"""[\w.]+|'[^']*'|"[^"]*"|\$\{[^}]*\}|\S""")  # enough to compare two formulas' tokens


@dataclass(frozen=True)
class Change:
    """One difference: where it is (part, id, field), and the old and new values as shown."""

    part: str  # "" for the instrument itself, else one of PARTS
    id: str | None  # the section, item, indicator, dimension or grade id
    field: str | None  # None when the whole thing was added or removed
    old: str | None  # None when there was nothing before
    new: str | None  # None when there is nothing now

    @property
    def where(self) -> str:
        """The path of the change, e.g. `indicators.prof_tech_share.target`."""
        return ".".join(part for part in (self.part, self.id, self.field) if part)

    @property
    def kind(self) -> str:
        """added, removed or changed."""
        if self.old is None:
            return ADDED
        return REMOVED if self.new is None else CHANGED

    def __str__(self) -> str:
        if self.field is None and self.kind != CHANGED:
            return f"{self.where}: {self.kind}"
        return f"{self.where}: {_or_none(self.old)} → {_or_none(self.new)}"


@dataclass(frozen=True)
class Diff:
    """Every change from `old_version` to `new_version` of one instrument, in the instruments' order."""

    instrument_id: str
    old_version: str
    new_version: str
    changes: tuple[Change, ...]

    def __bool__(self) -> bool:
        return bool(self.changes)

    def added(self, part: str) -> tuple[str, ...]:
        """Ids of the `part` (items, indicators, …) that the new version adds."""
        return tuple(c.id for c in self.changes if c.part == part and c.field is None and c.kind == ADDED)

    def removed(self, part: str) -> tuple[str, ...]:
        """Ids of the `part` that the new version drops."""
        return tuple(c.id for c in self.changes if c.part == part and c.field is None and c.kind == REMOVED)

    def changed(self, part: str) -> dict[str, tuple[Change, ...]]:
        """The `part` kept in both versions but changed: id → its changes."""
        out: dict[str, list[Change]] = {}
        for change in self.changes:
            if change.part == part and change.field is not None and change.id is not None:
                out.setdefault(change.id, []).append(change)
        return {key: tuple(value) for key, value in out.items()}

    def lines(self) -> list[str]:
        """Each change as one human-readable line."""
        return [str(change) for change in self.changes]


def diff(old: Instrument, new: Instrument) -> Diff:
    """What changed from `old` to `new`, located by path."""
    changes = [
        *_fields("", None, old, new, ("id", "title", "applies_to", "total")),
        *_keyed("sections", old.sections, new.sections, ("title",)),
        *_order("sections", old.sections, new.sections),
        *_keyed("items", old.items, new.items, ITEM_FIELDS, _choices),
        *_keyed("indicators", old.indicators, new.indicators, INDICATOR_FIELDS),
        *_keyed("dimensions", old.dimensions, new.dimensions, ("title",)),
        *_keyed("grades", old.grades, new.grades, GRADE_FIELDS),
        *_order("grades", old.grades, new.grades),  # the first matching grade wins: order is meaning
        *_keyed("chapters", old.chapters, new.chapters, ("title", "number")),
        *_keyed("clauses", old.clauses, new.clauses, CLAUSE_FIELDS, _levels),
        *_keyed("frameworks", old.frameworks, new.frameworks, ("title",), _groups),
    ]
    return Diff(new.id, old.version, new.version, tuple(changes))


Part = Section | Item | Indicator | Dimension | Grade | Chapter | Clause | Framework


def _keyed(
    part: str,
    old: Iterable[Part],
    new: Iterable[Part],
    fields: tuple[str, ...],
    more: Callable[[str, str, Any, Any], Iterator[Change]] | None = None,
) -> Iterator[Change]:
    """Changes to things matched by id: removed ones, then each in the new order, added or changed."""
    before = {thing.id: thing for thing in old}
    after = {thing.id: thing for thing in new}
    for key in before:
        if key not in after:
            yield Change(part, key, None, key, None)
    for key, thing in after.items():
        if key not in before:
            yield Change(part, key, None, None, key)
            continue
        yield from _fields(part, key, before[key], thing, fields)
        if more is not None:
            yield from more(part, key, before[key], thing)


def _fields(
    part: str, key: str | None, old: Any, new: Any, fields: tuple[str, ...], prefix: str = ""
) -> Iterator[Change]:
    """A change for each field whose meaning differs; a label's languages each on their own."""
    for name in fields:
        if name == "weight" and isinstance(old, Indicator) and not (old.scored and new.scored):
            continue
        a, b = getattr(old, name), getattr(new, name)
        if isinstance(a, Text) or isinstance(b, Text):
            yield from _texts(part, key, prefix + name, a, b)
        elif isinstance(a, Standard) or isinstance(b, Standard):
            yield from _standards(part, key, prefix + name, a, b)
        elif _meaning(a) != _meaning(b):
            yield Change(part, key, prefix + name, _show(a), _show(b))


def _texts(part: str, key: str | None, name: str, old: Text | None, new: Text | None) -> Iterator[Change]:
    for lang in ("zh", "en"):
        a = getattr(old, lang) if old is not None else None
        b = getattr(new, lang) if new is not None else None
        if a != b:
            yield Change(part, key, f"{name}.{lang}", _show(a), _show(b))


def _standards(part: str, key: str | None, name: str, old: Standard | None, new: Standard | None) -> Iterator[Change]:
    for field in ("source", "text", "note"):
        a = getattr(old, field) if old is not None else None
        b = getattr(new, field) if new is not None else None
        if a != b:
            yield Change(part, key, f"{name}.{field}", _show(a), _show(b))


def _choices(part: str, key: str, old: Item, new: Item) -> Iterator[Change]:
    """Choices matched by value: removed, added, relabelled, and their order when only that moved."""
    before: Mapping[str, Choice] = {c.value: c for c in old.choices}
    after: Mapping[str, Choice] = {c.value: c for c in new.choices}
    for value in before:
        if value not in after:
            yield Change(part, key, f"choices.{value}", _show(before[value].label.zh), None)
    for value, choice in after.items():
        if value not in before:
            yield Change(part, key, f"choices.{value}", None, _show(choice.label.zh))
        else:
            yield from _texts(part, key, f"choices.{value}.label", before[value].label, choice.label)
    kept_before = [v for v in before if v in after]
    kept_after = [v for v in after if v in before]
    if kept_before != kept_after:
        yield Change(part, key, "choices.order", _show(tuple(kept_before)), _show(tuple(kept_after)))


def _levels(part: str, key: str, old: Clause, new: Clause) -> Iterator[Change]:
    """A clause's levels: which it has (in order — the order is what they mean), each one's when and text."""
    if old.level_ids != new.level_ids:
        yield Change(part, key, "levels", _show(old.level_ids), _show(new.level_ids))
    before = {level.id: level for level in old.levels}
    for level in new.levels:
        if level.id in before:
            yield from _fields(part, key, before[level.id], level, ("when",), prefix=f"levels.{level.id}.")
            yield from _texts(part, key, f"levels.{level.id}.text", before[level.id].text, level.text)


def _groups(part: str, key: str, old: Framework, new: Framework) -> Iterator[Change]:
    """A framework's groups: added, removed, retitled."""
    before, after = {g.id: g for g in old.groups}, {g.id: g for g in new.groups}
    for group_id in before:
        if group_id not in after:
            yield Change(part, key, f"groups.{group_id}", _show(before[group_id].title.zh), None)
    for group_id, group in after.items():
        if group_id not in before:
            yield Change(part, key, f"groups.{group_id}", None, _show(group.title.zh))
        else:
            yield from _texts(part, key, f"groups.{group_id}.title", before[group_id].title, group.title)


def _order(part: str, old: Iterable[Part], new: Iterable[Part]) -> Iterator[Change]:
    """A change when the things kept in both versions come in another order."""
    after_ids = [thing.id for thing in new]
    before_ids = [thing.id for thing in old]
    kept_before = [key for key in before_ids if key in after_ids]
    kept_after = [key for key in after_ids if key in before_ids]
    if kept_before != kept_after:
        yield Change(part, None, "order", _show(tuple(kept_before)), _show(tuple(kept_after)))


def _meaning(value: Any) -> Any:
    """What a value means, for comparing: an expression's text without spacing, a target's test."""
    if isinstance(value, Expression):
        return tuple(TOKEN.findall(value.source))
    if isinstance(value, Target):
        return (value.op, value.value, value.boolean)
    if isinstance(value, tuple):
        return tuple(_meaning(v) for v in value)
    return value


def _show(value: Any) -> str | None:
    """A value as it reads in a change line: strings quoted, numbers plain, lists bracketed."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, Expression | Target):
        return json.dumps(value.source, ensure_ascii=False)
    if isinstance(value, Requirement):
        return _requirement(value)
    if isinstance(value, tuple):
        return "[" + ", ".join(_show(v) if isinstance(v, Requirement | float) else str(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {v}" for k, v in value.items()) + "}"
    return json.dumps(str(value), ensure_ascii=False)


def _requirement(requirement: Requirement) -> str:
    """A grade requirement as it reads in a change line: core standard=basic at C ≥ 1."""
    selector = requirement.clauses
    chosen = [
        f"{name}={_show(value)}" if name != "ids" else f"ids={','.join(value)}"
        for name, value in (
            ("core", selector.core),
            ("standard", selector.standard),
            ("chapter", selector.chapter),
            ("ids", selector.ids),
        )
        if value not in (None, ())
    ]
    return f"{' '.join(chosen) or 'all'} at {requirement.level} ≥ {_show(requirement.share)}"


def _or_none(shown: str | None) -> str:
    return "(none)" if shown is None else shown
