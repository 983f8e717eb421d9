"""The gap to a target: the smallest change to one reported item that would meet it.

For an indicator a centre does not meet, every item its formula reaches is
tried in turn with the other answers held: counts move up or down one step at
a time (0.01 for decimal items), yes/no items flip, choice items take each
other choice. A candidate counts only when the target is met, the item stays
within its min and max, and every constraint that involves it still holds
(so professional-technical staff never pass staff on post). The search runs
over all candidates at once on the compiled formulas — a coarse grid, then
refinement — so nothing is written per indicator. The smallest change wins;
on a tie, the item named first in the formula.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from . import formatting
from .evaluation import evaluate, met_target
from .expressions import BOOLEAN, OK
from .item_types import ITEM_TYPES
from .model import Instrument, Item

_COARSE = np.unique(np.concatenate([np.arange(1, 65), np.round(64 * 1.25 ** np.arange(1, 110))])).astype(
    float
)  # 1..64, then +25% a step up to about 2e12
_FINE = np.arange(1, 65) / 64


@dataclass(frozen=True)
class Gap:
    """Changing `item` from `current` to `proposed` would meet the indicator's target."""

    indicator: str
    item: str
    current: float | bool | str
    proposed: float | bool | str
    change: float | None  # proposed - current for numbers
    value: float | bool  # the indicator's value after the change


def find_gaps(
    instrument: Instrument, data: Mapping[str, np.ndarray], indicator_id: str, rows: Sequence[int]
) -> list[Gap | None]:
    """The gap for `indicator_id` at each of `rows` (None where no single change meets it)."""
    rows = np.asarray(rows, dtype=int)
    held = {name: np.asarray(col, dtype=float)[rows][:, None] for name, col in data.items()}
    base = evaluate(instrument, held, [indicator_id, *instrument.items_behind(indicator_id)])
    best_size = np.full(len(rows), np.inf)
    best: list[Gap | None] = [None] * len(rows)
    for item_id in instrument.items_behind(indicator_id):
        item = instrument.item[item_id]
        search = _Search(instrument, held, indicator_id, item)
        answered = base[item_id].status[:, 0] == OK
        current = np.broadcast_to(base[item_id].value, (len(rows), 1))
        size, proposed = search.best(current, answered)
        better = size < best_size
        if not better.any():
            continue
        after = search.value(np.where(better[:, None], proposed, current))
        for row in np.flatnonzero(better):
            best_size[row] = size[row]
            best[row] = _gap(instrument, indicator_id, item, current[row, 0], proposed[row, 0], after[row, 0])
    return best


class _Search:
    """Candidates for one item: which meet the target without breaking a constraint."""

    def __init__(self, instrument: Instrument, held: dict, indicator_id: str, item: Item):
        self.instrument, self.held, self.indicator_id, self.item = (
            instrument,
            held,
            indicator_id,
            item,
        )
        self.constraints = [
            other
            for other in instrument.items
            if other.constraint is not None and (other.id == item.id or item.id in other.constraint.names)
        ]
        self.needed = [indicator_id] + [
            name for other in self.constraints for name in (other.id, *other.constraint.names)
        ]
        self.type = ITEM_TYPES[item.type]
        self.low, self.high = self.type.limits(item)

    def _env(self, candidates: np.ndarray):
        data = dict(self.held)
        data[self.item.id] = candidates
        return evaluate(self.instrument, data, self.needed)

    def feasible(self, candidates: np.ndarray) -> np.ndarray:
        env = self._env(candidates)
        ok = met_target(self.instrument, self.indicator_id, env[self.indicator_id])
        if self.low is not None:
            ok &= candidates >= self.low
        if self.high is not None:
            ok &= candidates <= self.high
        for other in self.constraints:
            rule = other.constraint.evaluate(env)
            ok &= (env[other.id].status != OK) | (rule.status != OK) | (rule.value != 0)
        return ok

    def value(self, candidates: np.ndarray) -> np.ndarray:
        return self._env(candidates)[self.indicator_id].value

    def best(self, current: np.ndarray, answered: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per row: the size of the smallest meeting change (inf if none) and the value after it."""
        if self.type.step is not None:
            return self._stepped(current, answered, self.type.step)
        choices = self.type.options(self.item)
        if choices is None:
            return np.full(len(current), np.inf), current
        options = np.broadcast_to(choices[None, :], (len(current), len(choices)))
        ok = self.feasible(options) & (options != current) & answered[:, None]
        found = ok.any(axis=1)
        first = np.argmax(ok, axis=1)
        proposed = options[np.arange(len(current)), first][:, None]
        return np.where(found, 1.0, np.inf), np.where(found[:, None], proposed, current)

    def _stepped(self, current: np.ndarray, answered: np.ndarray, step: float):
        size = np.full(len(current), np.inf)
        proposed = current.copy()
        for sign in (1.0, -1.0):
            k = self._steps(current, answered, sign * step)
            better = k * step < size
            size = np.where(better, k * step, size)
            proposed = np.where(better[:, None], current + sign * step * k[:, None], proposed)
        return size, np.round(proposed, 6)

    def _steps(self, current: np.ndarray, answered: np.ndarray, step: float) -> np.ndarray:
        """Fewest steps of `step` that meet the target, per row (inf if none within range)."""
        ok = self.feasible(current + step * _COARSE[None, :]) & answered[:, None]
        found = ok.any(axis=1)
        first = np.argmax(ok, axis=1)
        hi = np.where(found, _COARSE[first], np.inf)
        lo = np.where(found & (first > 0), _COARSE[np.maximum(first - 1, 0)], 0.0)
        while True:  # between lo (fails) and hi (meets), narrow to one step
            open_ = found & (hi - lo > 1)
            if not open_.any():
                return hi
            span = np.where(open_, hi - lo, 0.0)
            points = lo[:, None] + np.ceil(span[:, None] * _FINE[None, :])
            ok = self.feasible(current + step * points)
            first = np.argmax(ok, axis=1)
            new_hi = points[np.arange(len(points)), first]
            new_lo = np.where(first > 0, points[np.arange(len(points)), np.maximum(first - 1, 0)], lo)
            hi = np.where(open_, new_hi, hi)
            lo = np.where(open_, new_lo, lo)


def _gap(instrument: Instrument, indicator_id: str, item: Item, current, proposed, after) -> Gap:
    after = bool(after) if instrument.indicator[indicator_id].kind == BOOLEAN else float(after)
    kind = ITEM_TYPES[item.type]
    if kind.step is None:
        return Gap(indicator_id, item.id, kind.value_of(current, item), kind.value_of(proposed, item), None, after)
    change = round(float(proposed) - float(current), 6)
    return Gap(indicator_id, item.id, float(current), float(proposed), change, after)


def describe(instrument: Instrument, gap: Gap, lang: str = "zh") -> str:
    """The gap in a sentence: 专业技术人员数再增加 3 人（45 → 48），即可达到 ≥ 90%."""
    item = instrument.item[gap.item]
    indicator = instrument.indicator[gap.indicator]
    if isinstance(gap.value, bool):
        outcome = {"zh": "即可达标", "en": "would meet the target"}[lang]
    else:
        goal = formatting.target(indicator, lang)
        reached = formatting.value(indicator, gap.value, lang)
        outcome = f"即可达到 {goal}（{reached}）" if lang == "zh" else f"would reach {goal} ({reached})"
    change = ITEM_TYPES[item.type].change_words(item, gap.current, gap.proposed, gap.change, lang)
    return f"{change} {outcome}" if lang == "en" else f"{change}，{outcome}"
