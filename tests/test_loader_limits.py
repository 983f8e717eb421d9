"""Limits: no instrument, however large or intricate, keeps a worker busy; each limit is a located problem."""

import json

import pytest
from helpers import INSTRUMENT_CASES, yaml_data

import instruments
from instruments import InstrumentError
from instruments.library import every_version
from instruments.loading import limits

BASIC = yaml_data(INSTRUMENT_CASES / "basic.yaml")


def problems_of(source) -> list[str]:
    with pytest.raises(InstrumentError) as caught:
        instruments.load(source)
    return [str(p) for p in caught.value.problems]


def instrument(indicators, items=("a", "b")):
    return {
        "id": "limits-test",
        "version": "1",
        "title": "t",
        "sections": [{"id": "s", "title": "s", "items": [{"id": i, "type": "integer", "label": i} for i in items]}],
        "indicators": indicators,
    }


def chain(length, width=1):
    """Indicators each computed from the one before and `width` items: i0, i1 = i0 + …, i2 = i1 + …"""
    items = [f"x{j}" for j in range(width)]
    terms = " + ".join(items)
    indicators = [
        {"id": f"i{k}", "label": f"i{k}", "formula": terms if k == 0 else f"i{k - 1} + {terms}", "target": ">= 1e9"}
        for k in range(length)
    ]
    return instrument(indicators, items)


def test_a_chain_of_600_indicators_is_refused():
    assert problems_of(chain(600)) == ["indicators: 600 entries; at most 500"]


def test_a_chain_is_refused_where_it_grows_too_deep():
    assert problems_of(chain(300)) == [
        "indicators[i21].formula: computed through 21 levels of other indicators (i21 → i20 → i19 → i18 → …); at most 20"
    ]


def test_a_chain_as_deep_as_allowed_loads():
    assert len(instruments.load(chain(limits.MAX_INDICATOR_DEPTH + 1)).indicators) == 21


def test_indicators_too_intricate_to_search_for_gaps_are_refused():
    assert problems_of(chain(20, width=20)) == [
        "indicators[i19].formula: the indicators are too intricate to score quickly: searching their gaps takes "
        "205,680 steps, at most 200,000 (this indicator alone 19,632)"
    ]


def test_too_many_operations_in_all_are_refused():
    terms = " + ".join(f"x{j}" for j in range(70))  # 139 operations
    indicators = [{"id": f"i{k}", "label": f"i{k}", "formula": terms} for k in range(150)]
    found = problems_of(instrument(indicators, [f"x{j}" for j in range(70)]))
    assert found == ["the expressions together hold 20,850 operations; at most 20,000"]


def test_the_bundled_instruments_are_far_inside_the_limits():
    for loaded in every_version():
        assert sum(limits.gap_work(loaded).values()) * 20 < limits.MAX_GAP_WORK, loaded.version
        assert limits.operations(loaded) * 20 < limits.MAX_OPERATIONS, loaded.version


def counted_formula_steps(loaded) -> list[int]:
    """Wrap every indicator's compiled formula to count the operations evaluated."""
    steps = [0]
    for indicator in loaded.indicators:
        formula, evaluate = indicator.formula, indicator.formula.evaluate

        def counting(env, evaluate=evaluate, size=formula.size):
            steps[0] += size
            return evaluate(env)

        object.__setattr__(formula, "evaluate", counting)
    return steps


@pytest.mark.parametrize("length,width", [(21, 1), (20, 5), (8, 12), (1, 60), (19, 20)])
def test_a_scorecard_evaluates_within_twice_the_gap_work(length, width):
    """The gap-work limit bounds one scorecard: the operations it evaluates stay within twice that work,
    however many items a formula reaches (they are searched together)."""
    loaded = instruments.load(chain(length, width))
    steps = counted_formula_steps(loaded)
    card = instruments.score(loaded, {f"x{j}": 1 for j in range(width)})
    assert all(result.met is False for result in card.indicators.values())  # every gap was searched
    assert 0 < steps[0] <= 2 * sum(limits.gap_work(loaded).values())


def test_a_diamond_of_indicators_is_scored_without_walking_every_path():
    """Each indicator uses the two before it: 2^40 paths, reached once each through a remembered walk."""
    indicators = [{"id": "i0", "label": "i0", "formula": "a"}, {"id": "i1", "label": "i1", "formula": "i0 + b"}]
    indicators += [{"id": f"i{k}", "label": f"i{k}", "formula": f"i{k - 1} + i{k - 2}"} for k in range(2, 20)]
    indicators[-1]["target"] = ">= 1e9"
    loaded = instruments.load(instrument(indicators))
    steps = counted_formula_steps(loaded)
    card = instruments.score(loaded, {"a": 1, "b": 1})
    assert loaded.items_behind("i19") == ("a", "b")
    assert card.indicators["i19"].met is False and steps[0] < 20_000


def test_text_larger_than_the_limit_is_refused_before_it_is_read():
    text = "id: big\n" + "# " + "x" * limits.MAX_SIZE + "\n"
    assert problems_of(text) == ["larger than 2,000,000 characters"]


def test_too_many_values_are_refused_while_reading():
    text = "id: many\nlist: [" + "1, " * (limits.MAX_VALUES + 1) + "1]\n"
    (problem,) = problems_of(text)
    assert problem.startswith("line 2, column ")
    assert problem.endswith(": more than 100,000 values in all (lists, mappings and single values)")


def test_nesting_is_limited():
    text = "a: " + "[" * (limits.MAX_NESTING + 5) + "]" * (limits.MAX_NESTING + 5) + "\n"
    assert problems_of(text) == ["line 1, column 53: nested too deeply to be an instrument"]


@pytest.mark.parametrize("part,limit", sorted(limits.MAX_ENTRIES.items()))
def test_each_list_is_limited(part, limit):
    data = json.loads(json.dumps(BASIC))
    data[part] = [{"id": f"x{i}"} for i in range(limit + 1)]
    assert problems_of(data) == [f"{part}: {limit + 1:,} entries; at most {limit:,}"]


def test_items_are_limited_in_all_sections_together():
    data = json.loads(json.dumps(BASIC))
    data["sections"] = [
        {
            "id": f"s{s}",
            "title": "s",
            "items": [{"id": f"x{s}_{i}", "type": "integer", "label": "x"} for i in range(300)],
        }
        for s in range(4)
    ]
    assert problems_of(data) == ["sections: 1,200 items in all; at most 1,000"]


def test_choices_are_limited():
    data = json.loads(json.dumps(BASIC))
    data["sections"][0]["items"][2].update(type="choice", min=None,
                                           choices=[{"value": f"c{i}", "label": "c"} for i in range(201)])  # fmt: skip
    assert problems_of(data) == ["sections[staff].items[gps].choices: 201 entries; at most 200"]


def test_expressions_are_limited_in_length():
    data = json.loads(json.dumps(BASIC))
    data["indicators"][0]["formula"] = " + ".join(["staff_total"] * 200)
    assert "indicators[prof_tech_share].formula: longer than 2000 characters" in problems_of(data)
