"""Loading the ways an instrument is laid out beside its sections: chapters and frameworks of groups."""

from __future__ import annotations

from typing import Any

from ..model import Chapter, Framework, Group
from .checker import PART_ID, Checker


def chapters(check: Checker, raw: Any) -> list[Chapter]:
    out, seen = [], {}
    for where, entry in check.entries("chapters", raw):
        record = check.record(where, entry, "chapter")
        if record is None:
            continue
        chapter_id = check.string(f"{where}.id", record.get("id"), PART_ID)
        number = printed_number(check, f"{where}.number", record.get("number"))
        title = check.text(f"{where}.title", record.get("title"))
        if check.unique(f"{where}.id", chapter_id, seen, "chapter_id") and title:
            out.append(Chapter(chapter_id, title, number))
    return out


def printed_number(check: Checker, where: str, raw: Any) -> str | None:
    """A number as printed in the standard ("一", "1.3.2"); a whole number may be written without quotes."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        return str(raw)
    return check.string(where, raw)


def frameworks(check: Checker, raw: Any) -> list[Framework]:
    out, seen = [], {}
    for where, entry in check.entries("frameworks", raw):
        record = check.record(where, entry, "framework")
        if record is None:
            continue
        framework_id = check.string(f"{where}.id", record.get("id"), PART_ID)
        title = check.text(f"{where}.title", record.get("title"))
        groups, group_ids = [], {}
        entries = check.entries(f"{where}.groups", record.get("groups"))
        if isinstance(record.get("groups"), list) and not entries:
            check.problem(f"{where}.groups", "no_groups")
        for group_where, group_entry in entries:
            group = check.record(group_where, group_entry, "group")
            if group is None:
                continue
            group_id = check.string(f"{group_where}.id", group.get("id"), PART_ID)
            group_title = check.text(f"{group_where}.title", group.get("title"))
            if check.unique(f"{group_where}.id", group_id, group_ids, "group_id") and group_title:
                groups.append(Group(group_id, group_title))
        if check.unique(f"{where}.id", framework_id, seen, "framework_id") and title and groups:
            out.append(Framework(framework_id, title, tuple(groups)))
    return out
