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

from collections.abc import Iterable, Mapping, Sequence
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
    items = instrument.items_behind(indicator_id)
    read = instrument.plan(_read_by(instrument, indicator_id, _constrained(instrument, items)))
    held = {name: np.asarray(data[name], dtype=float)[rows][:, None] for name in read if name in data}
    base = evaluate(instrument, held, [indicator_id, *items])
    sizes = np.full((len(items), len(rows)), np.inf)
    proposals = np.zeros((len(items), len(rows)))
    for kind in ("stepped", "options"):
        searched = [i for i, item_id in enumerate(items) if _kind(instrument.item[item_id]) == kind]
        if searched:
            search = _Search(instrument, held, indicator_id, [instrument.item[items[i]] for i in searched], len(rows))
            current = np.concatenate([np.broadcast_to(base[items[i]].value, (len(rows), 1)) for i in searched])
            answered = np.concatenate([base[items[i]].status[:, 0] == OK for i in searched])
            size, proposed = search.best(current, answered)
            sizes[searched] = size.reshape(len(searched), len(rows))
            proposals[searched] = proposed[:, 0].reshape(len(searched), len(rows))
    best: list[Gap | None] = [None] * len(rows)
    if not items:
        return best
    winner = np.argmin(sizes, axis=0)  # the first item with the smallest change wins a tie
    for row in np.flatnonzero(np.isfinite(sizes.min(axis=0))):
        item = instrument.item[items[winner[row]]]
        current = float(np.broadcast_to(base[item.id].value, (len(rows), 1))[row, 0])
        after = _Search(instrument, held, indicator_id, [item], len(rows)).value(
            np.full((len(rows), 1), current), proposals[winner[row], row], row
        )
        best[row] = _gap(instrument, indicator_id, item, current, proposals[winner[row], row], after)
    return best


def _constrained(instrument: Instrument, item_ids: Iterable[str]) -> list[Item]:
    """The items whose constraint involves any of `item_ids` (their own or another's that names them), in order."""
    involved = {other for item_id in item_ids for other in instrument.constraints_on[item_id]}
    return [item for item in instrument.items if item.id in involved]


def _read_by(instrument: Instrument, indicator_id: str, constrained: list[Item]) -> list[str]:
    """What a search evaluates: the indicator, and the constrained items with the names in their rules."""
    return [indicator_id] + [name for other in constrained for name in (other.id, *other.constraint.names)]


def _kind(item: Item) -> str | None:
    """How the search varies an item: by steps, through its options, or not at all."""
    kind = ITEM_TYPES[item.type]
    if kind.step is not None:
        return "stepped"
    return "options" if kind.options(item) is not None else None


class _Search:
    """Candidates for several items at once, one lane per (item, centre): which meet the target unbroken.

    Lane k*rows + r varies item k for centre r, all other answers held, so one evaluation of the
    formulas serves every item — the cost of a search grows with the formulas, not with their items.
    """

    def __init__(self, instrument: Instrument, held: dict, indicator_id: str, items: list[Item], rows: int) -> None:
        self.instrument, self.indicator_id, self.items = instrument, indicator_id, items
        lanes = len(items) * rows
        self.varied = {item.id: np.repeat(np.arange(len(items)) == k, rows)[:, None] for k, item in enumerate(items)}
        self.constraints = _constrained(instrument, [item.id for item in items])
        self.applies = {
            other.id: np.repeat([other.id == item.id or item.id in other.constraint.names for item in items], rows)[
                :, None
            ]
            for other in self.constraints
        }
        self.needed = _read_by(instrument, indicator_id, self.constraints)
        used = instrument.plan(self.needed)  # only the answers the formulas read are laid out per lane
        self.held = {name: np.tile(held[name], (len(items), 1)) for name in used if name in held}
        low, high = zip(*(ITEM_TYPES[item.type].limits(item) for item in items), strict=True)
        self.low = np.repeat([-np.inf if v is None else v for v in low], rows)[:, None]
        self.high = np.repeat([np.inf if v is None else v for v in high], rows)[:, None]
        self.step = np.repeat([ITEM_TYPES[item.type].step or 1.0 for item in items], rows)[:, None]
        choices = [ITEM_TYPES[item.type].options(item) for item in items]
        self.options = np.full((lanes, max((len(c) for c in choices if c is not None), default=0)), np.nan)
        for k, options in enumerate(choices):
            if options is not None:
                self.options[k * rows : (k + 1) * rows, : len(options)] = options

    def _env(self, candidates: np.ndarray) -> dict:
        data = dict(self.held)
        for item_id, varied in self.varied.items():
            data[item_id] = np.where(varied, candidates, self.held[item_id])
        return evaluate(self.instrument, data, self.needed)

    def feasible(self, candidates: np.ndarray) -> np.ndarray:
        env = self._env(candidates)
        ok = met_target(self.instrument, self.indicator_id, env[self.indicator_id])
        ok &= (candidates >= self.low) & (candidates <= self.high)
        for other in self.constraints:
            rule = other.constraint.evaluate(env)
            holds = (env[other.id].status != OK) | (rule.status != OK) | (rule.value != 0)
            ok &= holds | ~self.applies[other.id]
        return ok

    def value(self, current: np.ndarray, proposed: float, row: int) -> float | bool:
        """The indicator's value for centre `row` after the change (a search of one item)."""
        candidates = current.copy()
        candidates[row, 0] = proposed
        return float(self._env(candidates)[self.indicator_id].value[row, 0])

    def best(self, current: np.ndarray, answered: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per lane: the size of the smallest meeting change (inf if none) and the value after it."""
        if not self.options.shape[1]:
            return self._stepped(current, answered)
        ok = self.feasible(self.options) & (self.options != current) & answered[:, None]
        found = ok.any(axis=1)
        first = np.argmax(ok, axis=1)
        proposed = self.options[np.arange(len(current)), first][:, None]
        return np.where(found, 1.0, np.inf), np.where(found[:, None], proposed, current)

    def _stepped(self, current: np.ndarray, answered: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        size = np.full(len(current), np.inf)
        proposed = current.copy()
        step = self.step[:, 0]
        for sign in (1.0, -1.0):
            k = self._steps(current, answered, sign * self.step)
            better = k * step < size
            size = np.where(better, k * step, size)
            proposed = np.where(better[:, None], current + sign * self.step * k[:, None], proposed)
        return size, np.round(proposed, 6)

    def _steps(self, current: np.ndarray, answered: np.ndarray, step: np.ndarray) -> np.ndarray:
        """Fewest steps of `step` that meet the target, per lane (inf if none within range)."""
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


def _gap(
    instrument: Instrument, indicator_id: str, item: Item, current: float, proposed: float, after: float | bool
) -> Gap:
    after = bool(after) if instrument.indicator[indicator_id].kind == BOOLEAN else float(after)
    kind = ITEM_TYPES[item.type]
    if kind.step is None:
        return Gap(indicator_id, item.id, kind.value_of(current, item), kind.value_of(proposed, item), None, after)
    change = round(float(proposed) - float(current), 6)
    return Gap(indicator_id, item.id, float(current), float(proposed), change, after)


def describe(instrument: Instrument, gap: Gap, lang: str = "zh") -> str:
    """The gap in a sentence: 专业技术人员数再增加 3 人（45 → 48），即可达到 ≥ 90%; 提供在线预约即可达标."""
    item = instrument.item[gap.item]
    indicator = instrument.indicator[gap.indicator]
    if isinstance(gap.value, bool):
        outcome = {"zh": "即可达标", "en": "would meet the target"}[lang]
    else:
        goal = formatting.target(indicator, lang)
        reached = formatting.value(indicator, gap.value, lang)
        outcome = f"即可达到 {goal}（{reached}）" if lang == "zh" else f"would reach {goal} ({reached})"
    change = ITEM_TYPES[item.type].change_words(item, gap.current, gap.proposed, gap.change, lang)
    if ITEM_TYPES[item.type].kind == BOOLEAN:  # an action to take: 开通在线预约即可达标
        if lang == "en":
            return f"{outcome[0].upper()}{outcome[1:]} with this in place: {change}"
        return f"{change}{outcome}" if isinstance(gap.value, bool) else f"{change}，{outcome}"
    return f"{change} {outcome}" if lang == "en" else f"{change}，{outcome}"
