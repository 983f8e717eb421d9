"""Evaluation: answers to columns, and columns to every item's and indicator's value and status."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from .expressions import MISSING, NOT_APPLICABLE, OK, Column
from .item_types import ITEM_TYPES
from .model import Instrument
from .ratings import level_number, rating


def columns(instrument: Instrument, answers: Sequence[Mapping[str, Any]]) -> dict[str, np.ndarray]:
    """One float column per item and per onsite clause from answer dicts (NaN where unanswered or unrated)."""
    out = {}
    for item in instrument.items:
        item_type = ITEM_TYPES[item.type]
        column = np.full(len(answers), np.nan)
        for row, answer in enumerate(answers):
            value = item_type.parse(answer.get(item.id), item)
            if value is not None:
                column[row] = item_type.number(value, item)
        out[item.id] = column
    for clause in instrument.clauses:
        ratings = [rating(clause, answer.get(clause.id)) for answer in answers]
        if not clause.auto:
            out[clause.id] = np.array([level_number(clause, value) for value in ratings], dtype=float)
    return out


def evaluate(
    instrument: Instrument,
    data: Mapping[str, np.ndarray],
    names: Iterable[str] | None = None,
    relevance: bool = True,
) -> dict[str, Column]:
    """Each item's and indicator's column, for `names` and what they need (default all).

    Columns may be any broadcastable shape; the result has their common shape.
    With relevance=False every item counts as relevant (used for summed regions).
    """
    shape = np.broadcast_shapes(*(np.shape(c) for c in data.values())) if data else (1,)
    env: dict[str, Column] = {}
    with np.errstate(all="ignore"):
        for name in instrument.order if names is None else instrument.plan(names):
            item = instrument.item.get(name)
            if item is None:
                value, status = instrument.indicator[name].formula.evaluate(env)
                env[name] = Column(_shaped(value, shape), _shaped(status, shape))
                continue
            raw = _shaped(np.asarray(data.get(name, np.nan), dtype=float), shape)
            status = np.where(np.isnan(raw), np.uint8(MISSING), np.uint8(OK))
            if relevance and item.relevant is not None:
                rule = item.relevant.evaluate(env)
                applies = (rule.status == OK) & (rule.value != 0)
                status = np.where(applies, status, np.uint8(NOT_APPLICABLE))
            env[name] = Column(raw, _shaped(status, shape))
    return env


def _shaped(array: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    return array if np.shape(array) == shape else np.broadcast_to(array, shape)


def met_target(instrument: Instrument, indicator_id: str, column: Column) -> np.ndarray:
    """Where the indicator was computed and meets its target."""
    target = instrument.indicator[indicator_id].target
    return (column.status == OK) & target.met(column.value)


def unanswered_required(instrument: Instrument, env: Mapping[str, Column]) -> dict[str, np.ndarray]:
    """For each required item, where it is relevant but unanswered."""
    return {item.id: env[item.id].status == MISSING for item in instrument.items if item.required and item.id in env}


def broken_constraints(instrument: Instrument, env: Mapping[str, Column]) -> dict[str, np.ndarray]:
    """For each item with a constraint, where it is answered and its constraint is false."""
    out = {}
    with np.errstate(all="ignore"):
        for item in instrument.items:
            if item.constraint is None or item.id not in env:
                continue
            rule = item.constraint.evaluate(env)
            out[item.id] = (env[item.id].status == OK) & (rule.status == OK) & (rule.value == 0)
    return out
