"""Whatever the text, an instrument either loads or fails with located problems."""

import json
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import instruments
from instruments import InstrumentError

BASIC = yaml.safe_load((Path(__file__).parent / "cases" / "instruments" / "basic.yaml").read_text("utf-8"))
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
    try:
        instruments.load(source)
    except InstrumentError as error:
        assert error.problems
        assert all(isinstance(p.message, str) and p.message for p in error.problems)


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


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(PATHS), values), min_size=1, max_size=3))
def test_any_change_to_a_valid_instrument(changes):
    data = json.loads(json.dumps(BASIC))
    for path, value in changes:
        node = data
        try:
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    loads_or_locates(data)
