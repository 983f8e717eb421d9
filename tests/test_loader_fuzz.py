"""Whatever the text, an instrument either loads (and scores) or fails with located problems."""

import json
from pathlib import Path

from helpers import yaml_data
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import instruments
from instruments import InstrumentError

CASES = Path(__file__).parent / "cases" / "instruments"
BASIC = yaml_data(CASES / "basic.yaml")
CLAUSES = yaml_data(CASES / "clauses.yaml")
FUZZ = settings(max_examples=300, derandomize=True, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])  # fmt: skip

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["staff_total", "a / b", "(", "== true", ">= 0.9", "integer", "choice",
                     "x and", "round(1, 2, 3)", "if(1, 2)", "'t'", "${gps}", "staff_total / 0"]),
)  # fmt: skip
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.text(max_size=10), st.sampled_from(sorted(BASIC))), inner, max_size=4),
    ),
    max_leaves=20,
)


def loads_or_locates(source) -> None:
    """Loads (and then scores, with and without answers), or fails with located problems."""
    try:
        loaded = instruments.load(source)
    except InstrumentError as error:
        assert error.problems
        assert all(isinstance(p.message, str) and p.message for p in error.problems)
        return
    answers = {  # a value each number item accepts
        item.id: item.min if item.min is not None else min(1, item.max if item.max is not None else 1)
        for item in loaded.items
        if item.type == "number" or (item.type == "integer" and float(item.min or 0).is_integer())
    }
    for card in (instruments.score(loaded, {}), instruments.score(loaded, answers)):
        assert set(card.clauses) == set(loaded.clause)


@FUZZ
@given(st.text(max_size=300))
def test_any_text(text):
    loads_or_locates(text)


@FUZZ
@given(values)
def test_any_structure(data):
    loads_or_locates(json.dumps(data, default=str) if isinstance(data, dict) else data)


def paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, child in node.items():
            yield from paths(child, (*prefix, key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from paths(child, (*prefix, index))


PATHS = [p for p in paths(BASIC) if p]
CLAUSE_PATHS = [p for p in paths(CLAUSES) if p and p[0] in ("clauses", "grades", "chapters", "frameworks")]


def changed(base, changes):
    data = json.loads(json.dumps(base))
    for path, value in changes:
        node = data
        try:
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    return data


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(PATHS), values), min_size=1, max_size=3))
def test_any_change_to_a_valid_instrument(changes):
    loads_or_locates(changed(BASIC, changes))


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(CLAUSE_PATHS), values), min_size=1, max_size=3))
def test_any_change_to_clauses_grades_chapters_or_frameworks(changes):
    loads_or_locates(changed(CLAUSES, changes))
