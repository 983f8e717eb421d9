"""Loading instruments: every kind of mistake gives a located message, all at once."""

import copy
import json
from pathlib import Path

import pytest
from helpers import yaml_data

import instruments
from instruments import InstrumentError

BASIC = Path(__file__).parent / "cases" / "instruments" / "basic.yaml"


@pytest.fixture
def data():
    return yaml_data(BASIC)


def problems_of(source) -> list[str]:
    with pytest.raises(InstrumentError) as caught:
        instruments.load(source)
    return [str(p) for p in caught.value.problems]


def item(data, index):
    return data["sections"][0]["items"][index]


def test_basic_instrument_loads_from_yaml_and_json(data):
    from_yaml = instruments.load(BASIC)
    from_json = instruments.load_text(json.dumps(data, ensure_ascii=False))
    assert from_yaml.id == from_json.id == "basic-test"
    assert [i.id for i in from_yaml.items] == [i.id for i in from_json.items]
    assert from_yaml.indicator["prof_tech_share"].target.value == 0.9
    assert from_yaml.item["staff_total"].label.get("en") == "Staff on post"


def test_the_contracts_example_loads():
    text = Path(__file__).parent.joinpath("cases", "instruments", "basic.yaml").read_text("utf-8")
    assert instruments.load_text(text).title.zh == "测试问卷"


MISTAKES = [
    # (what, change to the basic instrument, expected located message)
    ("unknown name", lambda d: d["indicators"][3].update(formula="contracted / staff_totl"),
     "indicators[contract_rate].formula: unknown name 'staff_totl' (did you mean 'staff_total'?)"),
    ("syntax", lambda d: d["indicators"][0].update(formula="staff_prof_tech / staff_total)"),
     "indicators[prof_tech_share].formula: unexpected ')' at column 30"),
    ("unclosed parenthesis", lambda d: d["indicators"][0].update(formula="(staff_prof_tech"),
     "indicators[prof_tech_share].formula: expected ')' at column 17, found end of expression"),
    ("unknown function", lambda d: d["indicators"][0].update(formula="rund(staff_total)"),
     "indicators[prof_tech_share].formula: unknown function 'rund' at column 1 (did you mean 'round'?)"),
    ("single =", lambda d: item(d, 1).update(constraint="staff_prof_tech = staff_total"),
     "sections[staff].items[staff_prof_tech].constraint: '=' at column 17: write '==' to compare"),
    ("arity", lambda d: d["indicators"][0].update(formula="abs(staff_total, gps)"),
     "indicators[prof_tech_share].formula: abs() at column 1 takes 1 arguments, not 2"),
    ("chained comparison", lambda d: item(d, 1).update(constraint="0 <= staff_prof_tech <= staff_total"),
     "comparisons cannot be chained (column 22); join them with 'and'"),
    ("constraint not a condition", lambda d: item(d, 1).update(constraint="staff_total - 1"),
     "sections[staff].items[staff_prof_tech].constraint: must be a condition (true or false), not a number"),
    ("missing required key", lambda d: d.pop("id"), "id: is required"),
    ("bad instrument id", lambda d: d.update(id="Basic Test"),
     "id: 'Basic Test' is not a valid id (lower-case letters, digits and '-')"),
    ("version as a number", lambda d: d.update(version=2025.1),
     "version: must be text, not 2025.1 (write it in quotes)"),
    ("unknown key", lambda d: item(d, 0).update(requried=True),
     "sections[staff].items[staff_total].requried: unknown key (did you mean 'required'?)"),
    ("duplicate item id", lambda d: item(d, 1).update(id="staff_total"),
     "sections[staff].items[1].id: duplicate id 'staff_total' (also at sections[staff].items[0].id)"),
    ("indicator id taken by an item", lambda d: d["indicators"][0].update(id="gps"),
     "indicators[gps].id: 'gps' is already an item id"),
    ("duplicate indicator id", lambda d: d["indicators"][1].update(id="prof_tech_share"),
     "indicators[1].id: duplicate indicator id 'prof_tech_share' (also at indicators[0].id)"),
    ("keyword as id", lambda d: item(d, 2).update(id="and"),
     "sections[staff].items[and].id: 'and' is a word of the expression language; choose another id"),
    ("unknown type", lambda d: item(d, 0).update(type="integr"),
     "sections[staff].items[staff_total].type: unknown type 'integr' (did you mean 'integer'?); use one of"),
    ("choice without choices", lambda d: item(d, 0).update(type="choice", min=None),
     "sections[staff].items[staff_total].choices: a choice item needs a list of choices"),
    ("min on a boolean", lambda d: d["sections"][1]["items"][0].update(min=0),
     "sections[services].items[has_inpatient].min: only number items take min, not boolean"),
    ("min above max", lambda d: item(d, 0).update(min=10, max=5),
     "sections[staff].items[staff_total].max: 5 is below min 10"),
    ("label of the wrong kind", lambda d: item(d, 0).update(label=["在岗职工"]),
     "sections[staff].items[staff_total].label: must be text or {zh: …, en: …}, not a list"),
    ("relevance loop", lambda d: (item(d, 2).update(relevant="population > 0"),
                                  item(d, 3).update(relevant="gps > 0")),
     "relevance loops back on itself: gps → population → gps"),
    ("relevance on itself", lambda d: item(d, 2).update(relevant="gps > 0"),
     "sections[staff].items[gps].relevant: relevance loops back on itself: gps → gps"),
    ("indicator loop", lambda d: (d["indicators"][0].update(formula="gps_per_10k / 10"),
                                  d["indicators"][1].update(formula="prof_tech_share * 2")),
     "indicators refer to each other in a loop: prof_tech_share → gps_per_10k → prof_tech_share"),
    ("must_meet names no indicator", lambda d: d["grades"][0].update(must_meet=["prof_tech_shar"]),
     "grades[recommended].must_meet[0]: names no indicator: 'prof_tech_shar' (did you mean 'prof_tech_share'?)"),
    ("must_meet without target", lambda d: d["grades"][0].update(must_meet=["staff_count"]),
     "grades[recommended].must_meet[0]: indicator 'staff_count' has no target to meet"),
    ("target on a text indicator",
     lambda d: (item(d, 0).update(type="choice", min=None, choices=[{"value": "a", "label": "甲"}]),
                d["indicators"][4].update(target=">= 1", format=None)),
     "indicators[staff_count].target: a text indicator cannot have a target"),
    ("malformed target", lambda d: d["indicators"][0].update(target="at least 90%"),
     "indicators[prof_tech_share].target: must be a comparison such as \">= 0.90\" or \"== true\""),
    ("boolean target on a number", lambda d: d["indicators"][0].update(target="== true"),
     "indicators[prof_tech_share].target: compares with true but the formula gives a number"),
    ("linear without floor", lambda d: d["indicators"][3].pop("floor"),
     "indicators[contract_rate].floor: linear scoring needs a floor (the value that earns nothing)"),
    ("floor on the wrong side", lambda d: d["indicators"][3].update(floor=0.5),
     "indicators[contract_rate].floor: 0.5 must be below the target 0.3"),
    ("floor without linear", lambda d: d["indicators"][0].update(floor=0.5),
     "indicators[prof_tech_share].floor: a floor is only used with scoring: linear"),
    ("unknown scoring", lambda d: d["indicators"][0].update(scoring="liner"),
     "indicators[prof_tech_share].scoring: must be one of threshold, linear, not 'liner' (did you mean 'linear'?)"),
    ("negative weight", lambda d: d["indicators"][0].update(weight=-1),
     "indicators[prof_tech_share].weight: must not be negative"),
    ("unknown dimension", lambda d: d["indicators"][0].update(dimension="staffng"),
     "indicators[prof_tech_share].dimension: no dimension 'staffng' (did you mean 'staffing'?)"),
    ("mean of no dimensions", lambda d: (d.update(total="mean_of_dimensions"), d.pop("dimensions"),
                                         [i.pop("dimension", None) for i in d["indicators"]]),
     "total: mean_of_dimensions needs dimensions"),
    ("format that does not fit", lambda d: d["indicators"][0].update(format="boolean"),
     "indicators[prof_tech_share].format: 'boolean' does not fit a formula that gives a number"),
    ("text item in a formula", lambda d: item(d, 2).update(type="text", min=None),
     "indicators[gps_per_10k].formula: 'gps' is a text or date item and cannot be used here"),
    ("unknown choice value",
     lambda d: (item(d, 2).update(type="choice", min=None,
                                  choices=[{"value": "yes", "label": "有"}, {"value": "no", "label": "无"}]),
                d["indicators"][1].update(formula="if(gps == 'maybe', 1, 0)")),
     "indicators[gps_per_10k].formula: 'maybe' at column 8 is not one of the choices (yes, no)"),
    ("choice compared with a number",
     lambda d: (item(d, 2).update(type="choice", min=None, choices=[{"value": "a", "label": "甲"}]),
                d["indicators"][1].update(formula="if(gps == 1, 1, 0)")),
     "compares a choice with a number; compare it with one of its values in quotes"),
    ("pooled choice", lambda d: (item(d, 2).update(type="choice", min=None, choices=[{"value": "a", "label": "甲"}]),
                                 d["indicators"][1].update(formula="if(gps == 'a', population, 0)")),
     "indicators[gps_per_10k].pooled: choice item 'gps' cannot be summed over a region"),
    ("no sections", lambda d: d.update(sections=[]), "sections: needs at least one section"),
    ("min_score out of range", lambda d: d["grades"][0].update(min_score=120),
     "grades[recommended].min_score: must be between 0 and 100"),
]  # fmt: skip


@pytest.mark.parametrize("change,message", [m[1:] for m in MISTAKES], ids=[m[0] for m in MISTAKES])
def test_each_mistake_is_located(data, change, message):
    change(data)
    found = problems_of(json.dumps(data, ensure_ascii=False))
    assert any(message in p for p in found), found


def test_every_problem_is_reported_together(data):
    data["indicators"][0]["formula"] = "staff_prof_tech / staff_totl"
    data["sections"][0]["items"][0]["type"] = "integr"
    data["grades"][0]["must_meet"] = ["nothing"]
    data.pop("version")
    found = problems_of(json.dumps(data, ensure_ascii=False))
    assert "version: is required" in found
    assert any(p.startswith("sections[staff].items[staff_total].type: unknown type 'integr'") for p in found)
    assert any(p.startswith("indicators[prof_tech_share].formula: unknown name 'staff_totl'") for p in found)
    assert any(p.startswith("grades[recommended].must_meet[0]: names no indicator: 'nothing'") for p in found)


@pytest.mark.parametrize(
    "text,message",
    [
        ("id: a\n  version: 1\n", "line 2, column 10: not valid YAML"),
        ("id: a\nid: b\n", "line 2, column 1: not valid YAML: duplicate key 'id'"),
        ('{"id": "a", "id": "b"}', "duplicate key 'id' in JSON"),
        ('{"id": "a",}', "line 1, column 12: not valid JSON"),
        ("- just\n- a list\n", "an instrument must be a mapping of keys, not a list"),
        ("", "an instrument must be a mapping of keys, not nothing"),
        ("a: &x [1]\nb: *x\n", "aliases (*name) are not allowed in an instrument"),
        ("when: 2025-13-45\n", "not valid YAML: month must be in 1..12"),
        ("[" * 60 + "]" * 60, "line 1, column 51: nested too deeply to be an instrument"),
        ("missing-file.yaml", "missing-file.yaml: cannot be read"),
    ],
)
def test_unreadable_text_is_located(text, message):
    found = problems_of(text)
    assert any(message in p for p in found), found


def test_errors_name_every_problem_in_one_message(data):
    data["indicators"][0]["formula"] = "staff_totl"
    data["indicators"][1]["formula"] = "gps /"
    with pytest.raises(InstrumentError) as caught:
        instruments.load(copy.deepcopy(data))
    lines = str(caught.value).splitlines()
    assert lines[0].startswith("indicators[prof_tech_share].formula: unknown name 'staff_totl'")
    assert lines[1] == "indicators[gps_per_10k].formula: expression ends too early"


def test_a_broken_indicator_named_in_must_meet_is_reported_once(data):
    data["indicators"][0]["formula"] = "staff_prof_tech / staff_totl"
    found = problems_of(json.dumps(data, ensure_ascii=False))
    assert [p for p in found if "prof_tech_share" in p or "staff_totl" in p] == [
        "indicators[prof_tech_share].formula: unknown name 'staff_totl' (did you mean 'staff_total'?)"
    ]
