"""The bundled instruments load, several versions side by side, carry their standards, and score a sample centre."""

import re

import numpy as np
import pytest

import instruments
from instruments.library import FOLDER, bundled, every_version, files, get, paths
from instruments.synthetic import answers_from_columns, township_columns

LIBRARY = bundled()
CENTRES = ("township-health-centre", "community-health-centre")
DIMENSIONS = {"staffing", "facilities", "equipment", "services", "public_health",
              "informatization", "efficiency", "integration"}  # fmt: skip


def test_three_instruments_ship():
    assert set(LIBRARY) == {
        "township-health-centre",
        "community-health-centre",
        "sara-general-readiness",
    }


def test_versions_ship_side_by_side():
    assert {key: list(versions) for key, versions in files().items()} == {
        "community-health-centre": ["2025.1", "2026.1"],
        "sara-general-readiness": ["2025.1"],
        "township-health-centre": ["2025.1", "2026.1"],
    }
    for key, versions in files().items():
        for version, path in versions.items():
            assert path.parent == FOLDER and path.name == f"{key}@{version}.yaml"
            instrument = get(key, version)
            assert (instrument.id, instrument.version) == (key, version), path.name
    assert {key: i.version for key, i in bundled().items()} == {  # the newest runs by default
        "community-health-centre": "2026.1",
        "sara-general-readiness": "2025.1",
        "township-health-centre": "2026.1",
    }


def test_every_version_lists_each_default_last():
    """A database filled in this order opens a round on the default version when none is asked for."""
    order = [(i.id, i.version) for i in every_version()]
    assert len(order) == 5
    for key, default in LIBRARY.items():
        mine = [version for instrument_id, version in order if instrument_id == key]
        assert mine[-1] == default.version
        assert sorted(mine) == sorted(files()[key])
        assert paths()[key] == files()[key][default.version]


def test_both_centre_defaults_are_the_clause_based_versions():
    """A round opened without a version runs the clause-based 2026.1 of either centre instrument."""
    for key in ("township-health-centre", "community-health-centre"):
        assert LIBRARY[key].version == "2026.1" and LIBRARY[key].clauses


@pytest.mark.parametrize("name", CENTRES)
def test_2025_centre_instruments_cover_the_standards(name):
    instrument = get(name, "2025.1")
    assert len(instrument.items) >= 40
    assert len(instrument.scored_indicators) >= 25
    assert {d.id for d in instrument.dimensions} == DIMENSIONS
    assert {ind.dimension for ind in instrument.scored_indicators} == DIMENSIONS
    assert [g.label.zh for g in instrument.grades] == ["达到推荐标准", "达到基本标准", "未达标"]
    for ind in instrument.scored_indicators:
        assert ind.standard and ind.standard.source and ind.standard.text, ind.id
    unverified = [i for i in instrument.scored_indicators if i.standard.note and "待与官方原文核对" in i.standard.note]
    assert unverified, "figures not checked against the official text must say so"


def test_sara_is_the_mean_of_five_domains():
    sara = LIBRARY["sara-general-readiness"]
    assert sara.total == "mean_of_dimensions"
    assert len(sara.dimensions) == 5
    assert all(ind.target.source == "== true" for ind in sara.scored_indicators)


def test_2025_township_scores_a_sample_centre():
    instrument = get("township-health-centre", "2025.1")
    answers = {
        "service_population": 30000, "ownership": "政府办", "is_central": "否", "has_inpatient": "是",
        "staff_total": 53, "staff_prof_tech": 45, "staff_health_tech": 44, "physicians": 16,
        "gps": 10, "tcm_physicians": 4, "ph_physicians": 1, "nurses": 18, "staff_public_health": 9,
        "staff_intermediate_plus": 12, "physicians_left": 2, "floor_area": 2400, "beds_open": 24,
        "lab_tests_basic": ["blood_routine", "urine_routine", "血糖"],
    }  # fmt: skip
    card = instruments.score(instrument, answers)
    share = card.indicators["prof_tech_share"]
    assert share.value == pytest.approx(45 / 53) and share.met is False
    assert (share.gap.item, share.gap.proposed) == ("staff_prof_tech", 48)
    assert (
        instruments.describe(instrument, share.gap) == "专业技术人员数再增加 3 人（45 → 48），即可达到 ≥ 90%（90.6%）"
    )
    assert instruments.describe(instrument, share.gap, "en") == (
        "Professional-technical staff: 3 more (45 → 48) would reach ≥ 90% (90.6%)"
    )
    assert card.indicators["gps_per_10k"].value == pytest.approx(10 / 30000 * 10000)
    assert card.indicators["has_ct"].status == "not_applicable"  # CT is asked of central centres only
    assert card.indicators["online_booking"].status == "missing"
    assert card.indicators["lab_tests_basic_rate"].value == pytest.approx(0.3)
    assert 0 <= card.total <= 100
    assert card.grade == "below"


@pytest.mark.parametrize("instrument", every_version(), ids=lambda i: f"{i.id}@{i.version}")
def test_every_bundled_version_scores_a_complete_centre(instrument):
    answers = {clause.id: clause.level_ids[-1] for clause in instrument.onsite_clauses}
    for item in instrument.items:
        answers[item.id] = {
            "integer": 10, "number": 10.0, "boolean": True, "text": "—", "date": "2025-06-30",
            "choice": item.choice_values[-1] if item.choices else None,
            "multi_choice": list(item.choice_values),
        }[item.type]  # fmt: skip
    card = instruments.score(instrument, answers)
    statuses = {r.status for r in card.indicators.values()}
    assert statuses <= {"ok", "not_applicable"}, statuses
    assert {r.status for r in card.clauses.values()} <= {"reached", "below", "not_applicable"}
    assert card.total is not None and 0 <= card.total <= 100
    assert card.grade in {g.id for g in instrument.grades}


@pytest.mark.parametrize("version", ["2025.1", "2026.1"])
def test_synthetic_township_centres_keep_every_constraint(version):
    instrument = get("township-health-centre", version)
    data = township_columns(2000, seed=7, instrument=instrument)
    env = instruments.evaluate(instrument, data)
    for item in instrument.items:
        if item.constraint is not None:
            rule = item.constraint.evaluate(env)
            broken = (env[item.id].status == 0) & (rule.status == 0) & (rule.value == 0)
            assert not broken.any(), item.id
    staff = data["staff_total"]
    assert staff.min() >= 20 and staff.max() <= 150
    share = data["staff_prof_tech"] / staff
    assert 0.75 <= share.min() and share.max() <= 0.98


def test_scoring_the_same_centres_by_column_or_one_by_one_agrees():
    instrument = get("township-health-centre", "2025.1")
    data = township_columns(40, seed=3, instrument=instrument)
    together = instruments.score_columns(instrument, data)
    one_by_one = instruments.score_many(instrument, answers_from_columns(instrument, data))
    np.testing.assert_array_equal(together.total, one_by_one.total)
    np.testing.assert_array_equal(together.grade, one_by_one.grade)


def test_the_readme_table_gives_every_bundled_version():
    readme = (FOLDER.parents[1] / "README.md").read_text("utf-8")
    rows = re.findall(r"^\| `([a-z-]+)` [^|]+\| ([\d.]+) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$", readme, re.M)
    table = {
        (key, version): (chapters.strip(), clauses.strip(), indicators.strip())
        for key, version, chapters, clauses, indicators in rows
    }
    expected = {}
    for instrument in every_version():
        auto = sum(c.auto for c in instrument.clauses)
        core = sum(c.core for c in instrument.clauses)
        scored = len(instrument.scored_indicators)
        expected[(instrument.id, instrument.version)] = (
            str(len(instrument.chapters)) if instrument.chapters else "—",
            f"{len(instrument.clauses)} ({auto} / {len(instrument.clauses) - auto} / {core})"
            if instrument.clauses
            else "—",
            f"{len(instrument.indicators)} ({scored} / {len(instrument.indicators) - scored})",
        )
    assert table == expected
