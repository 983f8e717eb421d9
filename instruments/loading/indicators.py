"""Loading indicators: formulas compiled in dependency order, targets, scoring, groups, and limits on depth."""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from typing import Any

from ..errors import ExpressionError, closest
from ..expressions import BOOLEAN, CHOICE, NUMBER, Expression, Symbol, kind_words, referenced_names
from ..model import Dimension, Indicator, Target
from .checker import Checker, describe
from .graphs import cycles, depths, topological
from .limits import MAX_INDICATOR_DEPTH
from .questionnaire import name

FORMATS = ("percent", "number", "integer", "boolean")
SCORINGS = ("threshold", "linear")
TARGET = re.compile(r"\s*(>=|<=|==|!=|>|<)\s*(\S.*?)\s*")


def indicators(
    check: Checker,
    raw: Any,
    item_symbols: dict[str, Symbol],
    dimensions: list[Dimension],
    frameworks: Mapping[str, Collection[str]],
    total: str,
) -> tuple[list[Indicator], set[str], dict[str, Symbol]]:
    """The indicators that load, the ids of those declared that do not, and the names expressions may use."""
    records: dict[str, tuple[str, dict]] = {}
    ids: dict[str, str] = {}
    unplaced: list[tuple[str, dict]] = []  # entries without a usable id: still checked field by field
    for where, entry in check.entries("indicators", raw):
        record = check.record(where, entry, "indicator")
        if record is None:
            continue
        ind_id = name(check, f"{where}.id", record.get("id"))
        if ind_id in item_symbols:
            check.problem(f"{where}.id", "already_item_id", value=ind_id)
        elif check.unique(f"{where}.id", ind_id, ids, "indicator_id"):
            records[ind_id] = (where, record)
            continue
        unplaced.append((where, record))

    graph: dict[str, tuple[str, ...]] = {}
    for ind_id, (_, record) in records.items():
        try:
            graph[ind_id] = referenced_names(record.get("formula"))
        except (ExpressionError, TypeError):
            graph[ind_id] = ()
    broken: set[str] = set()
    for loop in cycles(graph):
        check.problem(f"{records[loop[0]][0]}.formula", "indicator_loop", path=" → ".join(loop))
        broken.update(loop)
    order = topological(graph)
    broken |= _too_deep(check, records, graph, order)

    symbols = dict(item_symbols)
    compiled: dict[str, Indicator] = {}
    fields = _Fields(check, {d.id for d in dimensions}, frameworks, item_symbols, total)
    for ind_id in order:
        where, record = records[ind_id]
        formula = None
        if ind_id not in broken and not any(dep in broken for dep in graph[ind_id]):
            formula = check.expression(f"{where}.formula", record.get("formula"), symbols)
        if formula is None:
            broken.add(ind_id)
        else:
            symbols[ind_id] = Symbol(formula.kind, formula.choices)
        indicator = fields.indicator(where, record, formula)
        if indicator is not None:
            compiled[ind_id] = indicator
    for where, record in unplaced:
        fields.indicator(where, record, None)
    declared = {record.get("id") for _, record in unplaced if isinstance(record.get("id"), str)}
    loaded = [compiled[ind_id] for ind_id in records if ind_id in compiled]
    usable = {**item_symbols, **{ind.id: symbols[ind.id] for ind in loaded}}
    return loaded, (set(records) - set(compiled)) | declared, usable


def _too_deep(check: Checker, records: dict, graph: dict[str, tuple[str, ...]], order: list[str]) -> set[str]:
    """Indicators computed through more levels of other indicators than allowed (each reported where it starts)."""
    depth = depths(graph, order)
    out: set[str] = set()
    for ind_id in order:
        level, through = depth[ind_id]
        if level <= MAX_INDICATOR_DEPTH:
            continue
        out.add(ind_id)
        if through is not None and depth[through][0] > MAX_INDICATOR_DEPTH:
            continue  # the one it is computed through is reported already
        path = [ind_id]
        while through is not None and len(path) < 4:
            path.append(through)
            through = depth[through][1]
        shown = " → ".join(path) + (" → …" if through is not None else "")
        check.problem(
            f"{records[ind_id][0]}.formula", "indicators_too_deep", depth=level, path=shown, limit=MAX_INDICATOR_DEPTH
        )
    return out


class _Fields:
    """Checks an indicator's fields besides its formula (which may have failed: then what can be is checked)."""

    def __init__(
        self,
        check: Checker,
        dimension_ids: set[str],
        frameworks: Mapping[str, Collection[str]],
        item_symbols: dict[str, Symbol],
        total: str,
    ) -> None:
        self.check, self.dimension_ids, self.frameworks = check, dimension_ids, frameworks
        self.item_symbols, self.total = item_symbols, total

    def indicator(self, where: str, raw: dict, formula: Expression | None) -> Indicator | None:
        check = self.check
        before = len(check.problems)
        label = check.text(f"{where}.label", raw.get("label"))
        kind = formula.kind if formula is not None else None
        default_format = "boolean" if kind == BOOLEAN else "number"
        fmt = check.one_of(f"{where}.format", raw.get("format"), FORMATS, default_format)
        if raw.get("format") in FORMATS and kind is not None:
            if kind == CHOICE:
                check.problem(f"{where}.format", "format_of_choice")
            elif (fmt == "boolean") != (kind == BOOLEAN):
                check.problem(f"{where}.format", "format_mismatch", format=fmt, kind=kind_words(kind))
        target = _target(check, f"{where}.target", raw.get("target"), kind)
        weight = check.number(f"{where}.weight", raw.get("weight"))
        if weight is not None and weight < 0:
            check.problem(f"{where}.weight", "negative")
        scoring = check.one_of(f"{where}.scoring", raw.get("scoring"), SCORINGS, "threshold")
        floor = check.number(f"{where}.floor", raw.get("floor"))
        if scoring == "linear":
            _linear(check, where, target, floor, raw)
        elif raw.get("floor") is not None:
            check.problem(f"{where}.floor", "floor_without_linear")
        pooled = check.flag(f"{where}.pooled", raw.get("pooled"))
        if pooled and formula is not None:
            unsummable = [n for n in formula.names if self.item_symbols.get(n, Symbol(NUMBER)).kind == CHOICE]
            if unsummable:
                check.problem(f"{where}.pooled", "pooled_choice", item=unsummable[0])
            elif kind not in (NUMBER, BOOLEAN):
                check.problem(f"{where}.pooled", "pooled_not_number")
        dimension = check.string(f"{where}.dimension", raw.get("dimension"))
        if dimension is not None and dimension not in self.dimension_ids:
            check.problem(
                f"{where}.dimension",
                "unknown_dimension",
                value=dimension,
                suggestion=closest(dimension, self.dimension_ids),
            )
        if self.total == "mean_of_dimensions" and raw.get("target") is not None and raw.get("dimension") is None:
            check.problem(f"{where}.dimension", "dimension_needed")
        standard = check.standard(f"{where}.standard", raw.get("standard"))
        groups = check.groups(f"{where}.groups", raw.get("groups"), self.frameworks)
        if len(check.problems) > before or label is None or formula is None:
            return None
        return Indicator(
            id=raw["id"],
            label=label,
            formula=formula,
            dimension=dimension,
            format=fmt if kind != CHOICE else "text",
            target=target,
            weight=1.0 if weight is None else weight,
            scoring=scoring,
            floor=floor,
            pooled=pooled,
            standard=standard,
            groups=groups,
        )


def _target(check: Checker, where: str, raw: Any, kind: str | None) -> Target | None:
    """A target; with `kind` None (the formula failed) only its own form is checked."""
    if raw is None:
        return None
    if kind == CHOICE:
        check.problem(where, "target_on_text")
        return None
    match = TARGET.fullmatch(raw) if isinstance(raw, str) else None
    if match is None:
        check.problem(where, "target_malformed", found=describe(raw))
        return None
    op, word = match.groups()
    if word in ("true", "false"):
        if kind is not None and kind != BOOLEAN:
            check.problem(where, "target_true_on_number", word=word)
            return None
        if op not in ("==", "!="):
            check.problem(where, "target_true_operator", op=op)
            return None
        return Target(op, 1.0 if word == "true" else 0.0, raw.strip(), boolean=True)
    try:
        value = float(word[:-1]) / 100 if word.endswith("%") else float(word)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        check.problem(where, "target_not_number", word=word)
        return None
    return Target(op, value, raw.strip())


def _linear(check: Checker, where: str, target: Target | None, floor: float | None, raw: dict) -> None:
    if target is None:
        if raw.get("target") is None:
            check.problem(f"{where}.scoring", "linear_needs_target")
        return
    if target.boolean or target.op in ("==", "!="):
        check.problem(f"{where}.scoring", "linear_needs_inequality", target=str(target))
        return
    if floor is None:
        if raw.get("floor") is None:
            check.problem(f"{where}.floor", "linear_needs_floor")
        return
    rising = target.op in (">=", ">")
    if (rising and floor >= target.value) or (not rising and floor <= target.value):
        code = "floor_not_below" if rising else "floor_not_above"
        check.problem(f"{where}.floor", code, floor=f"{floor:g}", target=f"{target.value:g}")
