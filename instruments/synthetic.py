"""Plausible synthetic township health centres, for the demo, tests and benchmarks.

Numbers follow the shape of real returns: 20–150 staff on post, about 80–95%
of them professional-technical, a service population of roughly 8,000–60,000,
online booking / consultation / mobile payment at the Yan'an shares (36.4%,
27.3%, 13.6%), and every constraint of the township instrument respected.
By default 1% of the answers other than the three core counts are left blank, as in real returns.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .model import Instrument
from .ratings import NOT_APPLICABLE_NUMBER

# The share of centres answering "yes", per yes/no item.
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
REQUIRED_ANSWERED = ("service_population", "staff_total", "staff_prof_tech")


def township_columns(
    n: int,
    seed: int = 0,
    staff: np.ndarray | None = None,
    prof_tech: np.ndarray | None = None,
    blank_share: float = 0.01,
) -> dict[str, np.ndarray]:
    """Answers of `n` township health centres, one float column per item.

    `staff` and `prof_tech` fix staff on post and professional-technical staff
    (e.g. to published figures); everything that depends on them follows.
    `blank_share` of the optional answers are left blank.
    """
    rng = np.random.default_rng(seed)

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
    c["nurses"] = np.minimum(part(c["staff_health_tech"], 0.25, 0.5),
                             c["staff_health_tech"] - c["physicians"])  # fmt: skip
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
    for name, column in c.items():
        if name not in REQUIRED_ANSWERED:
            column[rng.random(n) < blank_share] = np.nan
    return c


def answers_from_columns(instrument: Instrument, data: dict[str, np.ndarray]) -> list[dict[str, Any]]:
    """The same centres as answer dicts, as a centre would report them."""
    n = len(next(iter(data.values())))
    rows: list[dict[str, Any]] = [{} for _ in range(n)]
    for item in instrument.items:
        column = data.get(item.id)
        if column is None:
            continue
        for row, number in enumerate(column.tolist()):
            if number != number:  # NaN: unanswered
                continue
            if item.type == "boolean":
                value: Any = bool(number)
            elif item.type == "choice":
                value = item.choices[int(number)].value
            elif item.type == "multi_choice":
                value = list(item.choice_values[: int(number)])
            elif item.type == "integer":
                value = int(number)
            else:
                value = number
            rows[row][item.id] = value
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
        {"id": "recommended", "label": "达到推荐标准",
         "requires": [{"clauses": {"core": True}, "level": "C", "share": 1.0},
                      {"clauses": {"standard": "recommended"}, "level": "B", "share": 0.6}]},
        {"id": "basic", "label": "达到基本标准",
         "requires": [{"clauses": {"standard": "basic"}, "level": "C", "share": 0.8}]},
        {"id": "qualified", "label": "合格", "when": "staff_total < 40 and service_population < 15000",
         "requires": [{"clauses": {"standard": "basic", "core": True}, "level": "C", "share": 1.0}]},
        {"id": "below", "label": "未达到基本标准"},
    ]  # fmt: skip
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
