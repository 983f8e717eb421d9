"""Ratings of onsite clauses: one representation in answers, read from people's words, refused when wrong."""

import math
import re
from pathlib import Path

import numpy as np
import pytest

import instruments
from instruments import BELOW, NOT_APPLICABLE, AnswerError, level_number, rating

INSTRUMENT = instruments.load(Path(__file__).parent / "cases" / "instruments" / "clauses.yaml")
RECORDS = INSTRUMENT.clause["records"]  # onsite, levels C B A
TRAINING = INSTRUMENT.clause["training"]  # onsite, levels C B
STAFFING = INSTRUMENT.clause["prof_tech_staffing"]  # auto


@pytest.mark.parametrize(
    "raw,value",
    [
        ("C", "C"), ("b", "B"), (" A ", "A"), ("Ｂ", "B"), ("B级", "B"), ("B 级", "B"), ("level a", "A"),
        ("未达到", BELOW), ("below", BELOW), ("Below", BELOW), ("not reached", BELOW),
        ("不适用", NOT_APPLICABLE), ("not applicable", NOT_APPLICABLE), ("N/A", NOT_APPLICABLE),
        ("not_applicable", NOT_APPLICABLE),
        (None, None), ("", None), ("  ", None), ("未评级", None), ("unrated", None), (math.nan, None),
    ],
)  # fmt: skip
def test_people_s_words_read_as_one_value(raw, value):
    assert rating(RECORDS, raw) == value


@pytest.mark.parametrize("raw", ["D", "AA", "优", "1", 2, "B+"])
def test_a_level_the_clause_does_not_have_is_refused(raw):
    message = f"'{raw}' is not a level of clause records (C、B、A、未达到、不适用)"
    with pytest.raises(AnswerError, match=re.escape(message)):
        rating(RECORDS, raw)


def test_a_level_of_another_clause_is_refused():
    with pytest.raises(AnswerError, match=r"'A' is not a level of clause training \(C、B、未达到、不适用\)"):
        rating(TRAINING, "A")


@pytest.mark.parametrize("raw", ["B", "未达到", "不适用"])
def test_an_auto_clause_takes_no_rating(raw):
    with pytest.raises(AnswerError, match="clause prof_tech_staffing is rated from the answers, not by people"):
        rating(STAFFING, raw)
    assert rating(STAFFING, None) is None and rating(STAFFING, "") is None


def test_values_become_the_numbers_scoring_columns_carry():
    assert [level_number(RECORDS, v) for v in ("C", "B", "A", BELOW, NOT_APPLICABLE)] == [1, 2, 3, 0, -1]
    assert math.isnan(level_number(RECORDS, None))
    assert math.isnan(level_number(TRAINING, "A"))  # a stored level the clause no longer has: unrated


def test_answer_dicts_become_clause_columns():
    data = instruments.columns(INSTRUMENT, [{"records": "b", "training": "不适用"}, {"records": "未达到"}, {}])
    assert np.array_equal(data["records"], [2, 0, np.nan], equal_nan=True)
    assert np.array_equal(data["training"], [-1, np.nan, np.nan], equal_nan=True)
    assert "prof_tech_staffing" not in data  # an auto clause's level follows from the items


def test_a_rating_for_an_auto_clause_in_answers_is_refused():
    with pytest.raises(AnswerError, match="clause booking is rated from the answers"):
        instruments.columns(INSTRUMENT, [{"booking": "B"}])
