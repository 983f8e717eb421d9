"""Plausible synthetic health centres, for the demo, tests and benchmarks.

`township_columns` answers any version of the township instrument (the default
one unless another is given), or any other instrument: a model of township
returns gives the items it knows by id — 20–150 staff on post, about 80–95% of
them professional-technical, a service population of roughly 8,000–60,000,
online booking / consultation / mobile payment at the Yan'an shares (36.4%,
27.3%, 13.6%) — and each other item takes what its item type draws
(`ItemType.synthetic`). Then every item that is not asked is left blank, every
constraint is made to hold (a value that breaks one is lowered, within the
item's limits, to a little below the largest value that keeps it), and by
default 1% of the answers other than the three core counts are left blank, as
in real returns. `answers_from_columns` gives the same centres as answer dicts,
each value as its item type answers a number.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import ratings
from .evaluation import evaluate
from .expressions import NOT_APPLICABLE, OK
from .item_types import ITEM_TYPES
from .model import Instrument, Item
from .ratings import NOT_APPLICABLE_NUMBER

# The share of centres answering "yes" (or having one such device), per item.
YES_SHARES = {
    "is_central": 0.25,
    "has_inpatient": 0.85,
    "needs_renovation": 0.3,
    "eq_dr": 0.85,
    "eq_ultrasound": 0.9,
    "eq_ecg": 0.97,
    "eq_biochem": 0.85,
    "eq_hematology": 0.95,
    "eq_urine": 0.93,
    "eq_defibrillator": 0.8,
    "eq_monitor": 0.9,
    "eq_resuscitator": 0.92,
    "eq_gastric_lavage": 0.75,
    "eq_ambulance": 0.8,
    "eq_autoclave": 0.9,
    "eq_gastroscope": 0.2,
    "eq_ct": 0.4,
    "has_tcm_hall": 0.8,
    "has_digital_vaccination_clinic": 0.6,
    "platform_interconnected": 0.7,
    "has_online_booking": 0.364,
    "has_online_consultation": 0.273,
    "has_mobile_payment": 0.136,
    "residents_online_records": 0.4,
    "in_medical_community": 0.75,
    "has_telemedicine": 0.6,
}
DISEASE_LISTS = {  # each list's share of the 66 conditions the 2022 standard lists
    "diseases_internal": 20 / 66,
    "diseases_surgical": 16 / 66,
    "diseases_women_children": 18 / 66,
    "diseases_other": 12 / 66,
}
REQUIRED_ANSWERED = ("service_population", "staff_total", "staff_prof_tech")
KEPT_SHARE = (0.8, 1.0)  # a value lowered to keep a constraint lands this far below the largest that keeps it
REPAIRS = 2  # passes over the constraints (a repair may break an earlier item's constraint on a later one)


def township_columns(
    n: int,
    seed: int = 0,
    staff: np.ndarray | None = None,
    prof_tech: np.ndarray | None = None,
    blank_share: float = 0.01,
    instrument: Instrument | None = None,
    establishment: np.ndarray | None = None,
    fixed: dict[str, np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """Answers of `n` township health centres to `instrument` (the default township version), one float column per item.

    `staff`, `prof_tech` and `establishment` fix staff on post, professional-technical
    staff and establishment posts (e.g. to published figures); everything that depends
    on them follows. `fixed` sets other items' columns outright (constraints still hold).
    `blank_share` of the optional answers are left blank.
    """
    if instrument is None:
        from .library import bundled

        instrument = bundled()["township-health-centre"]
    rng = np.random.default_rng(seed)
    known = {**_township_model(n, rng, staff, prof_tech, establishment), **(fixed or {})}
    columns = synthetic_columns(instrument, n, np.random.default_rng([seed, 1]), known)
    for name, column in columns.items():
        if name not in REQUIRED_ANSWERED:
            column[rng.random(n) < blank_share] = np.nan
    return columns


def _township_model(
    n: int,
    rng: np.random.Generator,
    staff: np.ndarray | None,
    prof_tech: np.ndarray | None,
    establishment: np.ndarray | None,
) -> dict[str, np.ndarray]:
    """What the model of township returns knows, by item id (items of every version of the instrument)."""

    def share(low: float, high: float) -> np.ndarray:
        return rng.uniform(low, high, n)

    def part(whole: np.ndarray, low: float, high: float) -> np.ndarray:
        return np.floor(whole * share(low, high))

    c: dict[str, np.ndarray] = {k: (rng.random(n) < p).astype(float) for k, p in YES_SHARES.items()}
    population = np.round(np.exp(rng.normal(np.log(25_000), 0.45, n)).clip(6_000, 90_000))
    c["service_population"] = population
    c["ownership"] = rng.choice(3, n, p=[0.9, 0.05, 0.05]).astype(float)
    c["staff_total"] = rng.integers(20, 151, n).astype(float)
    c["staff_prof_tech"] = np.round(c["staff_total"] * share(0.78, 0.97))
    if staff is not None:
        c["staff_total"] = np.asarray(staff, dtype=float)
    if prof_tech is not None:
        c["staff_prof_tech"] = np.asarray(prof_tech, dtype=float)
    c["staff_health_tech"] = part(c["staff_prof_tech"], 0.85, 1.0)
    c["physicians"] = part(c["staff_health_tech"], 0.3, 0.45)
    c["nurses"] = np.minimum(part(c["staff_health_tech"], 0.25, 0.5), c["staff_health_tech"] - c["physicians"])
    c["gps"] = part(c["physicians"], 0.2, 0.6)
    c["tcm_physicians"] = part(c["physicians"], 0.1, 0.35)
    c["ph_physicians"] = part(c["physicians"], 0.0, 0.1)
    c["staff_public_health"] = part(c["staff_health_tech"], 0.1, 0.3)
    c["staff_intermediate_plus"] = part(c["staff_health_tech"], 0.15, 0.45)
    c["physicians_left"] = part(c["physicians"], 0.0, 0.12)
    c["floor_area"] = np.round(share(800, 6_000), 1)
    inpatient = c["has_inpatient"] == 1
    c["beds_open"] = np.where(inpatient, np.round(population / 1000 * share(0.4, 1.6)), np.nan)
    c["lab_tests_basic"] = rng.choice([6, 7, 8, 9, 10], n, p=[0.05, 0.1, 0.15, 0.2, 0.5]).astype(float)
    c["lab_tests_extended"] = rng.integers(0, 5, n).astype(float)
    c["visits_outpatient"] = np.round(population * share(1, 4))
    c["diseases_treatable"] = rng.integers(30, 91, n).astype(float)
    c["surgery_level"] = np.where(inpatient, rng.choice(4, n, p=[0.3, 0.45, 0.2, 0.05]), np.nan)
    c["tcm_techniques"] = rng.integers(2, 11, n).astype(float)
    c["home_sickbeds"] = rng.integers(0, 51, n).astype(float)
    c["health_records"] = part(population, 0.7, 0.95)
    c["contracted_residents"] = part(population, 0.15, 0.5)
    c["key_pop_total"] = part(population, 0.2, 0.35)
    c["key_pop_contracted"] = np.minimum(part(c["key_pop_total"], 0.4, 0.9), c["contracted_residents"])
    c["elderly_pop"] = part(population, 0.1, 0.2)
    c["elderly_managed"] = part(c["elderly_pop"], 0.5, 0.8)
    c["hypertension_managed"] = part(population, 0.05, 0.1)
    c["hypertension_standard_managed"] = part(c["hypertension_managed"], 0.6, 0.9)
    c["diabetes_managed"] = part(population, 0.015, 0.03)
    c["diabetes_standard_managed"] = part(c["diabetes_managed"], 0.6, 0.9)
    c["bed_days_open"] = c["beds_open"] * 365
    c["bed_days_occupied"] = part(c["bed_days_open"], 0.3, 0.95)
    c["discharges"] = np.floor(c["bed_days_occupied"] / share(5, 9))
    c["discharge_bed_days"] = np.floor(c["discharges"] * share(5, 9))
    c["referrals_up"] = rng.integers(50, 801, n).astype(float)
    c["referrals_down"] = part(c["referrals_up"], 0.1, 0.6)
    c["expert_visits"] = rng.integers(0, 101, n).astype(float)
    telemedicine = c["has_telemedicine"] == 1
    c["telemedicine_sessions_available"] = np.where(telemedicine, rng.integers(50, 301, n), np.nan)
    c["telemedicine_sessions_used"] = part(c["telemedicine_sessions_available"], 0.05, 0.5)
    c["regional_centres_used"] = rng.integers(0, 6, n).astype(float)
    c["village_clinics_total"] = rng.integers(5, 31, n).astype(float)
    c["village_clinics_integrated"] = part(c["village_clinics_total"], 0.6, 1.0)
    # Items of the 2026 standard (a second stream, so the figures above stay as they were).
    more = np.random.default_rng(rng.integers(2**32))

    def later(whole: np.ndarray, low: float, high: float) -> np.ndarray:
        return np.floor(whole * more.uniform(low, high, n))

    c["staff_establishment"] = (
        np.asarray(establishment, dtype=float)
        if establishment is not None
        else np.round(c["staff_total"] * more.uniform(0.8, 1.05, n))
    )
    c["beds"] = c["beds_open"]
    c["visits_total"] = np.round(population * more.uniform(1.5, 4.5, n))
    c["eq_computers"] = np.round(c["staff_total"] * more.uniform(0.3, 0.8, n))
    c["drug_varieties"] = more.integers(300, 701, n).astype(float)
    c["em_varieties"] = later(c["drug_varieties"], 0.4, 0.7)
    c["drug_purchase"] = np.round(c["staff_total"] * more.uniform(3, 8, n), 2)  # 万元
    c["em_purchase"] = np.round(c["drug_purchase"] * more.uniform(0.5, 0.8, n), 2)
    c["health_lectures"] = more.integers(6, 25, n).astype(float)
    c["health_consultations"] = more.integers(6, 13, n).astype(float)
    c["live_births"] = later(population, 0.006, 0.01)
    c["children_0_6"] = later(population, 0.05, 0.08)
    c["children_0_3"] = later(c["children_0_6"], 0.4, 0.5)
    c["children_managed"] = later(c["children_0_6"], 0.85, 0.98)
    c["tcm_children_managed"] = later(c["children_0_3"], 0.6, 0.9)
    c["immunization_due"] = later(c["children_0_6"], 1.5, 2.5)
    c["immunization_given"] = later(c["immunization_due"], 0.9, 1.0)
    c["early_pregnancy_registered"] = later(c["live_births"], 0.85, 0.98)
    c["postpartum_visited"] = later(c["live_births"], 0.85, 0.98)
    c["tcm_elderly_managed"] = later(c["elderly_managed"], 0.6, 0.9)
    c["smi_registered"] = later(population, 0.003, 0.005)
    c["smi_standard_managed"] = later(c["smi_registered"], 0.75, 0.95)
    c["tb_notified"] = more.integers(0, 16, n).astype(float)
    c["tb_managed"] = later(c["tb_notified"], 0.9, 1.0)
    c["infectious_reports"] = more.integers(10, 121, n).astype(float)
    c["infectious_reports_timely"] = later(c["infectious_reports"], 0.95, 1.0)
    c["satisfaction_surveyed"] = more.integers(100, 401, n).astype(float)
    c["satisfaction_satisfied"] = later(c["satisfaction_surveyed"], 0.8, 0.97)
    for device in [name for name in YES_SHARES if name.startswith("eq_")]:
        c[f"{device}_ok"] = np.where(more.random(n) < 0.05, np.maximum(c[device] - 1, 0), c[device])  # a few broken
    c["eq_computers_ok"] = later(c["eq_computers"], 0.85, 1.0)
    for name, of_all in DISEASE_LISTS.items():  # the conditions treated, split over the standard's lists
        c[name] = np.round(c["diseases_treatable"] * of_all)
    return c


def synthetic_columns(
    instrument: Instrument, n: int, rng: np.random.Generator, known: dict[str, np.ndarray] | None = None
) -> dict[str, np.ndarray]:
    """One float column per item of `instrument`: `known` columns where given, else what the item type draws;
    then blank where an item is not asked, and lowered where a constraint would break."""
    known = known or {}
    data = {}
    for item in instrument.items:
        kind = ITEM_TYPES[item.type]
        column = known.get(item.id)
        if column is None:
            data[item.id] = kind.synthetic(item, rng, n)
            continue
        low, high = kind.limits(item)
        data[item.id] = np.clip(np.asarray(column, dtype=float), low, high)
    env = evaluate(instrument, data)
    for item in instrument.items:
        data[item.id] = np.where(env[item.id].status == NOT_APPLICABLE, np.nan, data[item.id])
    for _ in range(REPAIRS):
        for item in instrument.items:
            if item.constraint is not None:
                _keep_constraint(instrument, item, data, rng)
    return data


def _holds(
    instrument: Instrument, item: Item, data: dict[str, np.ndarray], rows: np.ndarray, values: np.ndarray
) -> np.ndarray:
    """Whether the item's constraint holds on `rows` with the item at `values` there."""
    names = [item.id, *item.constraint.names]
    trial = {name: data[name][rows] for name in instrument.closure(names) if name in instrument.item}
    trial[item.id] = values
    env = evaluate(instrument, trial, names)
    rule = item.constraint.evaluate(env)
    return np.broadcast_to((rule.status != OK) | (rule.value != 0), rows.shape)


def _keep_constraint(instrument: Instrument, item: Item, data: dict[str, np.ndarray], rng: np.random.Generator) -> None:
    """Lower the item where its constraint breaks, a little below the largest value within its limits that keeps it."""
    kind = ITEM_TYPES[item.type]
    env = evaluate(instrument, data, [item.id, *item.constraint.names])
    rule = item.constraint.evaluate(env)
    broken = np.flatnonzero((env[item.id].status == OK) & (rule.status == OK) & (rule.value == 0))
    if not len(broken):
        return
    step = kind.step or 1.0
    lowest = kind.limits(item)[0]
    low = np.full(len(broken), 0.0 if lowest is None else lowest)
    high = data[item.id][broken].copy()
    fits = _holds(instrument, item, data, broken, low)
    while True:  # bisect: `low` keeps the constraint, `high` breaks it
        wide = fits & (high - low > step)
        if not wide.any():
            break
        middle = np.where(wide, np.floor((low + high) / 2 / step) * step, low)
        keeps = _holds(instrument, item, data, broken, middle)
        low = np.where(wide & keeps, middle, low)
        high = np.where(wide & ~keeps, middle, high)
    shaded = np.round(low * rng.uniform(*KEPT_SHARE, len(broken)) / step) * step
    chosen = np.where(_holds(instrument, item, data, broken, shaded), shaded, low)
    data[item.id][broken] = np.where(fits, chosen, np.nan if not item.required else data[item.id][broken])


def answers_from_columns(instrument: Instrument, data: dict[str, np.ndarray]) -> list[dict[str, Any]]:
    """The same centres as answer dicts, as a centre would report them."""
    n = len(next(iter(data.values())))
    rows: list[dict[str, Any]] = [{} for _ in range(n)]
    for item in instrument.items:
        column = data.get(item.id)
        if column is None:
            continue
        kind = ITEM_TYPES[item.type]
        for row, number in enumerate(column.tolist()):
            if number == number:  # NaN: unanswered
                rows[row][item.id] = kind.answer_of(number, item)
    return rows


CHAPTERS = ("resources", "services", "public_health", "management", "informatization")
YANAN = ("coverage", "strength", "precision", "effect")


def with_clauses(document: dict[str, Any], count: int = 150, auto_share: float = 0.4) -> dict[str, Any]:
    """A copy of an instrument's document with `count` clauses, as a clause-based standard has.

    Auto clauses are rated from the indicators with a `>=` target (C, B and A at 80%, 90%
    and 100% of it, the thresholds moving a little from clause to clause); the rest are
    rated on site. A third of the clauses carry a weight, one in five is core, the first
    60% are basic and the rest recommended. Grades follow the national method, with 合格
    for small centres, and indicators and clauses are grouped in the Yan'an four dimensions.
    """
    out = dict(document)
    rising = [ind for ind in document["indicators"] if str(ind.get("target", "")).startswith(">=")]
    autos = round(count * auto_share)
    clauses = []
    for k in range(count):
        clause: dict[str, Any] = {
            "id": f"clause_{k + 1}",
            "number": f"{k % len(CHAPTERS) + 1}.{k // len(CHAPTERS) + 1}",
            "chapter": CHAPTERS[k % len(CHAPTERS)],
            "standard": "basic" if k < count * 0.6 else "recommended",
            "core": k % 5 == 0,
            "text": {"zh": f"条款 {k + 1}", "en": f"Clause {k + 1}"},
            "groups": {"yanan": YANAN[k % len(YANAN)]},
        }
        if k < autos:
            indicator = rising[k % len(rising)]
            goal = float(indicator["target"].lstrip(">= ").rstrip("%")) * (0.97 + 0.01 * (k % 7))
            clause["rated"] = "auto"
            clause["levels"] = [
                {"id": level, "when": f"{indicator['id']} >= {goal * share:.4g}"}
                for level, share in (("C", 0.8), ("B", 0.9), ("A", 1.0))
            ]
        else:
            clause["rated"] = "onsite"
            clause["levels"] = [{"id": level, "text": {"zh": f"{level} 级要求"}} for level in ("C", "B", "A")]
        if k % 3 == 0:
            clause["weight"] = 1 + k % 3
        clauses.append(clause)
    out["chapters"] = [{"id": c, "number": str(n + 1), "title": c} for n, c in enumerate(CHAPTERS)]
    out["clauses"] = clauses
    out["frameworks"] = [{"id": "yanan", "title": "延安四维度", "groups": [{"id": g, "title": g} for g in YANAN]}]
    out["indicators"] = [{**ind, "groups": {"yanan": YANAN[n % len(YANAN)]}} for n, ind in enumerate(rising)]
    out["indicators"] += [ind for ind in document["indicators"] if ind not in rising]
    out["grades"] = [
        {
            "id": "recommended",
            "label": "达到推荐标准",
            "requires": [
                {"clauses": {"core": True}, "level": "C", "share": 1.0},
                {"clauses": {"standard": "recommended"}, "level": "B", "share": 0.6},
            ],
        },
        {
            "id": "basic",
            "label": "达到基本标准",
            "requires": [{"clauses": {"standard": "basic"}, "level": "C", "share": 0.8}],
        },
        {
            "id": "qualified",
            "label": "合格",
            "when": "staff_total < 40 and service_population < 15000",
            "requires": [{"clauses": {"standard": "basic", "core": True}, "level": "C", "share": 1.0}],
        },
        {"id": "below", "label": "未达到基本标准"},
    ]
    return out


# How often an onsite clause is rated at each level: below, C, B, A, unrated, not applicable.
RATING_SHARES = (0.08, 0.3, 0.37, 0.2, 0.03, 0.02)


def clause_ratings(instrument: Instrument, n: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Evaluators' ratings of every onsite clause for `n` centres, one column each (see `ratings`)."""
    rng = np.random.default_rng(seed)
    out = {}
    for clause in instrument.onsite_clauses:
        top = len(clause.levels)
        codes = np.array([0.0, *range(1, top + 1), np.nan, NOT_APPLICABLE_NUMBER])
        shares = np.array([RATING_SHARES[0], *np.resize(RATING_SHARES[1:4], top), *RATING_SHARES[4:]])
        out[clause.id] = rng.choice(codes, n, p=shares / shares.sum())
    return out


def ratings_from_columns(instrument: Instrument, data: dict[str, np.ndarray]) -> list[dict[str, str]]:
    """Clause ratings columns (see `clause_ratings`) as the answers' values, one dict per centre (unrated left out)."""
    n = len(next(iter(data.values()))) if data else 0
    rows: list[dict[str, str]] = [{} for _ in range(n)]
    for clause in instrument.onsite_clauses:
        for row, number in enumerate(data.get(clause.id, np.full(n, np.nan)).tolist()):
            if number != number:
                continue
            if number == NOT_APPLICABLE_NUMBER:
                rows[row][clause.id] = ratings.NOT_APPLICABLE
            else:
                rows[row][clause.id] = clause.level_ids[int(number) - 1] if number >= 1 else ratings.BELOW
    return rows
