"""Organisation units in: a sheet of provinces down to centres, checked as a tree.

The sheet (.xlsx, .xls, .ods or .csv) has one unit a row, in any order, under
the headers `code, name, level, parent_code, kind` and optionally
`population` (or their Chinese names). Any further column is an attribute of
the unit kept under its header (`隶属关系`: 省属/市属/县属, `举办主体`, …); an
empty cell leaves that attribute unset. Every row is checked on its own (codes
of safe characters, names without control characters), then the file as a
tree together with the units already in the database: each parent must exist
in one or the other, sit above its child (province > city > county >
township/community > village), and no chain of parents may loop. Units come
back parents first, so they can be inserted in order; any problem and nothing
comes back at all.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from instruments.errors import AnswerError, Problem
from instruments.item_types import ITEM_TYPES
from instruments.messages import Message

from . import excel, uploads
from .errors import WorkbookError, problem
from .names import code_problem, name_problem

LEVELS = ("province", "city", "county", "township", "community", "village")
LEVEL_RANK = {"province": 0, "city": 1, "county": 2, "township": 3, "community": 3, "village": 4}
LEVEL_WORDS = {
    "province": "省",
    "city": "市",
    "county": "县（区）",
    "township": "乡镇（街道）",
    "community": "社区",
    "village": "村",
}
_LEVEL_ALIASES = {
    "省": "province",
    "市": "city",
    "县": "county",
    "区": "county",
    "县区": "county",
    "县(区)": "county",
    "县（区）": "county",
    "乡镇": "township",
    "乡": "township",
    "镇": "township",
    "街道": "township",
    "乡镇(街道)": "township",
    "乡镇（街道）": "township",
    "社区": "community",
    "村": "village",
}
_KIND_ALIASES = {
    "乡镇卫生院": "township_health_centre",
    "中心卫生院": "township_health_centre",
    "社区卫生服务中心": "community_health_centre",
    "村卫生室": "village_clinic",
    "地区": "region",
    "行政区": "region",
}
COLUMNS = {  # field: accepted headers, English first
    "code": ("code", "编码", "机构编码", "代码"),
    "name": ("name", "名称", "机构名称"),
    "level": ("level", "层级", "级别"),
    "parent_code": ("parent_code", "上级编码", "上级代码"),
    "kind": ("kind", "类型", "机构类型"),
    "population": ("population", "人口", "服务人口"),
}
REQUIRED = ("code", "name", "level", "parent_code", "kind")
MAX_ATTRIBUTES = 20
LIMITS = uploads.Limits(
    rows=uploads.MAX_ROWS,
    columns=len(COLUMNS) + MAX_ATTRIBUTES,
    why=Message("why_units", {"count": MAX_ATTRIBUTES}),
)


@dataclass(frozen=True)
class OrgUnit:
    """One unit as read; `attributes` maps each attribute column of the file to its value (None: unset)."""

    code: str
    name: str
    level: str
    parent_code: str | None
    kind: str
    population: int | None = None
    attributes: dict[str, str | None] = field(default_factory=dict)


def text(value: Any) -> str:
    """A cell as text: 610100 stays 610100 whether the cell held a number or a string."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_orgs(
    data: bytes,
    filename: str,
    known: Mapping[str, str | None] = {},
    progress: uploads.Progress = uploads.no_progress,
) -> list[OrgUnit]:
    """The units of an .xlsx, .xls, .ods or .csv file, parents first; WorkbookError listing every problem.

    `progress` wraps the rows while they are read (e.g. in a click progress bar).
    """
    upload = uploads.Upload(data, filename, LIMITS)
    sheet = upload.sheet_names[0]
    with progress(upload.rows(sheet)) as rows:
        units, where, columns, problems = _read(sheet, iter(rows))
    problems += _tree_problems(sheet, units, where, columns["parent_code"] + 1, known)
    if problems:
        raise WorkbookError(problems)
    return _parents_first(units)


def _read(
    sheet: str, rows: Iterator[list[Any]]
) -> tuple[dict[str, OrgUnit], dict[str, int], dict[str, int], list[Problem]]:
    """The units of the sheet's rows, each checked on its own: units, their rows, the columns, problems."""
    header = next(rows, None)
    if header is None or not any(text(h) for h in header):
        raise WorkbookError([problem(sheet, "no_header_row")])
    problems: list[Problem] = []
    columns, attributes = _columns(sheet, header, problems)
    if problems:
        raise WorkbookError(problems)

    units: dict[str, OrgUnit] = {}
    where: dict[str, int] = {}  # code: row number
    for number, row in enumerate(rows, start=2):
        cells = {field: row[col] if col < len(row) else None for field, col in columns.items()}
        values = {name: text(row[col]) if col < len(row) else "" for name, col in attributes.items()}
        if not any(text(v) for v in cells.values()) and not any(values.values()):
            continue
        unit = _unit(sheet, number, cells, columns, problems)
        unit = _with_attributes(sheet, number, unit, values, attributes, problems)
        if unit is None:
            continue
        if unit.code in units:
            spot = excel.location(sheet, number, columns["code"] + 1)
            problems.append(problem(spot, "duplicate_code", code=unit.code, row=where[unit.code]))
            continue
        units[unit.code] = unit
        where[unit.code] = number
    if not units and not problems:
        problems.append(problem(sheet, "no_units"))
    return units, where, columns, problems


def _columns(sheet: str, header: Sequence[Any], problems: list[Problem]) -> tuple[dict[str, int], dict[str, int]]:
    """Each field's column index from the header row, and each attribute's."""
    lookup = {alias.casefold(): field for field, aliases in COLUMNS.items() for alias in aliases}
    found: dict[str, int] = {}
    attributes: dict[str, int] = {}
    for col, raw in enumerate(header):
        name = text(raw)
        field = lookup.get(name.casefold())
        spot = excel.location(sheet, 1, col + 1)
        if field is None:
            if not name:
                continue  # a column without a header holds nothing we keep
            bad = name_problem(name)
            if bad is not None:
                problems.append(problem(spot, "attribute_name_bad", problem=bad))
            elif name in attributes:
                also = excel.location(sheet, 1, attributes[name] + 1)
                problems.append(problem(spot, "second_column", name=name, other=also))
            else:
                attributes[name] = col
            continue
        if field in found:
            also = excel.location(sheet, 1, found[field] + 1)
            problems.append(problem(spot, "second_column", name=field, other=also))
            continue
        found[field] = col
    for field in REQUIRED:
        if field not in found:
            problems.append(
                problem(excel.location(sheet, 1, 1), "missing_column", field=field, alias=COLUMNS[field][1])
            )
    if len(attributes) > MAX_ATTRIBUTES:
        spot = excel.location(sheet, 1, 1)
        problems.append(problem(spot, "too_many_attributes", count=len(attributes), limit=MAX_ATTRIBUTES))
    return found, attributes


def _with_attributes(
    sheet: str,
    number: int,
    unit: OrgUnit | None,
    values: dict[str, str],
    attributes: dict[str, int],
    problems: list[Problem],
) -> OrgUnit | None:
    """`unit` with the row's attribute values (None for an empty cell), or None after a bad value."""
    bad = False
    for name, value in values.items():
        found = name_problem(value)
        if found is not None:
            spot = excel.location(sheet, number, attributes[name] + 1)
            problems.append(problem(spot, "attribute_value_bad", name=name, problem=found))
            bad = True
    if unit is None or bad:
        return None
    return replace(unit, attributes={name: value or None for name, value in values.items()})


def _unit(
    sheet: str, number: int, cells: dict[str, Any], columns: dict[str, int], problems: list[Problem]
) -> OrgUnit | None:
    """One row as a unit, or None after noting what is wrong with it."""
    before = len(problems)

    def bad(field: str, said: Message | AnswerError) -> None:
        problems.append(Problem.at(excel.location(sheet, number, columns[field] + 1), said))

    code, name = text(cells["code"]), text(cells["name"])
    if not code:
        bad("code", Message("missing_code"))
    elif (found := code_problem(code)) is not None:
        bad("code", found)
    if not name:
        bad("name", Message("missing_name"))
    elif (found := name_problem(name)) is not None:
        bad("name", Message("name_bad", {"problem": found}))
    raw_level = text(cells["level"])
    level = raw_level.lower() if raw_level.lower() in LEVELS else _LEVEL_ALIASES.get(raw_level)
    if level is None and not raw_level:
        bad("level", Message("missing_level"))
    elif level is None:
        bad("level", Message("not_a_unit_level", {"raw": raw_level, "levels": ", ".join(LEVELS)}))
    kind = text(cells["kind"])
    kind = _KIND_ALIASES.get(kind, kind)
    if not kind:
        bad("kind", Message("missing_kind"))
    population = None
    if "population" in columns:
        try:
            population = ITEM_TYPES["integer"].parse(cells["population"], None)
        except AnswerError as error:
            bad("population", error)
        else:
            if population is not None and population < 0:
                bad("population", Message("below_minimum", {"value": population, "low": 0}))
    if len(problems) > before:
        return None
    parent = text(cells["parent_code"]) or None
    return OrgUnit(code, name, level, parent, kind, population)


def _tree_problems(
    sheet: str,
    units: dict[str, OrgUnit],
    where: dict[str, int],
    parent_col: int,
    known: Mapping[str, str | None],
) -> list[Problem]:
    """Unknown parents, parents not above their children, and cycles."""
    problems = []
    parent_of: dict[str, str | None] = dict(known)
    parent_of.update({code: unit.parent_code for code, unit in units.items()})
    for code, unit in units.items():
        spot = excel.location(sheet, where[code], parent_col)
        parent = unit.parent_code
        if parent is None or parent == code:
            continue  # a root, or a loop reported below
        if parent not in units and parent not in known:
            problems.append(problem(spot, "unknown_parent", parent=parent))
            continue
        above = units.get(parent)
        if above is not None and LEVEL_RANK[above.level] >= LEVEL_RANK[unit.level]:
            above_level, level = Message("level_" + above.level), Message("level_" + unit.level)
            problems.append(problem(spot, "parent_not_above", parent=parent, above=above_level, level=level))
    reported: set[str] = set()
    for code in units:
        chain = [code]
        parent = parent_of.get(code)
        while parent is not None and parent not in chain and len(chain) <= len(parent_of):
            chain.append(parent)
            parent = parent_of.get(parent)
        if parent is None or parent != code or code in reported:
            continue  # no loop, or a loop that does not pass through this unit
        reported.update(chain)
        loop = " → ".join([*chain, code])
        spot = excel.location(sheet, where[code], parent_col)
        problems.append(problem(spot, "parent_loop", path=loop))
    return problems


def _parents_first(units: dict[str, OrgUnit]) -> list[OrgUnit]:
    """Units ordered so that each comes after its parent when the parent is in the file."""
    done: dict[str, OrgUnit] = {}

    def visit(code: str) -> None:
        stack = []
        while code in units and code not in done and code not in stack:
            stack.append(code)
            code = units[code].parent_code or ""
        for c in reversed(stack):
            done[c] = units[c]

    for code in units:
        visit(code)
    return list(done.values())
