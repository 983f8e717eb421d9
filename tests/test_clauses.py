"""Clause columns, requirement counts and the words for levels, beyond the golden cases."""

import dataclasses
from pathlib import Path

import numpy as np
import pytest

import instruments
from instruments import formatting
from instruments.clauses import needed, requirements_by_grade
from instruments.library import paths
from instruments.loader import parse
from instruments.model import Requirement, Selector
from instruments.synthetic import clause_ratings, township_columns, with_clauses

INSTRUMENT = instruments.load(Path(__file__).parent / "cases" / "instruments" / "clauses.yaml")
FULL = {"staff_total": 100, "staff_prof_tech": 96, "medical_staff": 40, "population": 30000, "has_inpatient": True,
        "beds": 25, "has_booking": True, "online_share": 0.4}  # fmt: skip


@pytest.mark.parametrize(
    "share,counted,reached,wanted",
    [(0.6, 20, 11, 1), (0.6, 20, 12, 0), (0.6, 3, 0, 2), (1.0, 7, 5, 2), (0.0, 4, 0, 0), (0.7, 10, 6, 1)],
)
def test_the_fewest_clauses_that_must_rise(share, counted, reached, wanted):
    """0.6 × 20 is 12.000000000000002 in floating point: still 12 clauses, not 13."""
    requirement = Requirement(Selector(), "C", share)
    assert needed(requirement, reached, counted) == wanted


def test_a_requirement_over_clauses_that_do_not_apply_holds():
    scores = instruments.score_many(INSTRUMENT, [{**FULL, "has_inpatient": False, "beds": None}])
    beds_only = Requirement(Selector(ids=("beds_clause",)), "B", 1.0)
    grade = dataclasses.replace(INSTRUMENT.grades[0], requires=(beds_only,))
    alone = dataclasses.replace(INSTRUMENT, grades=(grade,))
    (columns,) = requirements_by_grade(alone, scores.levels, 1)[grade.id]
    assert (int(columns.counted[0]), bool(columns.met[0])) == (0, True) and np.isnan(columns.share[0])


def test_onsite_clauses_without_columns_are_unrated():
    scores = instruments.score_columns(INSTRUMENT, {"staff_total": np.array([10.0, 20.0])})
    assert [scores.clause("records", row).status for row in (0, 1)] == ["unrated", "unrated"]
    assert scores.clause("infection_control", 0).points == 0.0  # unrated earns nothing but keeps its weight


def test_scoring_answers_and_columns_agree():
    answers = [{**FULL, "infection_control": "B", "records": "不适用", "training": "C"}, {**FULL, "records": "A"}]
    by_answers = instruments.score_many(INSTRUMENT, answers)
    by_columns = instruments.score_columns(INSTRUMENT, instruments.columns(INSTRUMENT, answers))
    for row in (0, 1):
        assert by_answers.card(row) == by_columns.card(row)


@pytest.mark.parametrize(
    "level,status,lang,shown",
    [("B", "reached", "zh", "B"), (None, "below", "zh", "未达到"), (None, "unrated", "zh", "未评级"),
     (None, "not_applicable", "zh", "不适用"), (None, "below", "en", "below"), (None, "unrated", "en", "not rated")],
)  # fmt: skip
def test_ratings_read_in_both_languages(level, status, lang, shown):
    assert formatting.clause_rating(level, status, lang) == shown


def test_clause_kinds_and_levels_read_in_both_languages():
    control, booking = INSTRUMENT.clause["infection_control"], INSTRUMENT.clause["booking"]
    assert formatting.clause_kind(control) == "基本标准 ★"
    assert formatting.clause_kind(booking, "en") == "recommended standard"
    assert (formatting.level("B"), formatting.level("B", "en")) == ("B 级", "level B")
    assert formatting.share(0.5556) == "55.6%"


def test_the_synthetic_clause_standard_loads_and_is_rated():
    document = with_clauses(parse(paths()["township-health-centre"].read_text(encoding="utf-8")), count=20)
    instrument = instruments.load_data(document)
    assert len(instrument.clauses) == 20 and sum(c.auto for c in instrument.clauses) == 8
    data = {**township_columns(200, seed=1), **clause_ratings(instrument, 200, seed=1)}
    scores = instruments.score_columns(instrument, data)
    statuses = {scores.clause(c.id, row).status for c in instrument.clauses for row in range(200)}
    assert statuses == {"reached", "below", "unrated", "not_applicable"}
    assert set(scores.grade.tolist()) >= {1, 3}  # some basic, some below


def test_cards_of_many_centres_evaluate_a_grade_s_when_once():
    """Each card's gap to the next grade reads the grades' `when` columns computed once for all centres."""
    instrument = instruments.load(Path(__file__).parent / "cases" / "instruments" / "clauses.yaml")
    when = instrument.grades[2].when
    calls, evaluate = [], when.evaluate
    object.__setattr__(when, "evaluate", lambda env: calls.append(1) or evaluate(env))
    rated = {**FULL, "infection_control": "A", "records": "B", "training": "B"}
    scores = instruments.score_many(instrument, [rated, {**rated, "records": "C"}, {"staff_total": 5}])
    cards = [scores.card(row) for row in range(3)]
    assert [card.next_grade is None for card in cards] == [True, False, False]
    assert len(calls) == 1
