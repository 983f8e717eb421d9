"""Loading clauses, chapters, frameworks and grade requirements: each misuse is a located problem."""

import json
from pathlib import Path

import pytest
from helpers import yaml_data

import instruments
from instruments import InstrumentError

CLAUSES = Path(__file__).parent / "cases" / "instruments" / "clauses.yaml"


@pytest.fixture
def data():
    return yaml_data(CLAUSES)


def problems_of(data) -> list[str]:
    with pytest.raises(InstrumentError) as caught:
        instruments.load_text(json.dumps(data, ensure_ascii=False))
    return [str(p) for p in caught.value.problems]


def clause(data, clause_id):
    return next(c for c in data["clauses"] if c["id"] == clause_id)


def grade(data, grade_id):
    return next(g for g in data["grades"] if g["id"] == grade_id)


def test_the_clause_instrument_loads():
    instrument = instruments.load(CLAUSES)
    staffing = instrument.clause["prof_tech_staffing"]
    assert staffing.auto and staffing.core is False and staffing.standard == "basic"
    assert staffing.level_ids == ("C", "B", "A") and staffing.levels[1].when.names == ("prof_tech_share",)
    assert staffing.credits == pytest.approx((1 / 3, 2 / 3, 1.0))
    control = instrument.clause["infection_control"]
    assert (control.rated, control.evidence, control.weight, control.credit) == (
        "onsite",
        "required",
        2.0,
        (0.6, 0.8, 1.0),
    )
    assert control.levels[0].text.zh == "有制度，有专人负责" and control.groups == {"yanan": "precision"}
    assert [c.id for c in instrument.chapters] == ["resources", "management"] and instrument.chapters[0].number == "一"
    assert [g.id for g in instrument.frameworks[0].groups] == ["coverage", "strength", "precision", "effect"]
    assert instrument.indicator["prof_tech_share"].groups == {"yanan": "strength"}
    qualified = instrument.grades[2]
    assert qualified.when.names == ("medical_staff", "population")
    assert qualified.requires[0].clauses.core is True and qualified.requires[0].clauses.standard == "basic"
    assert [c.id for c in instrument.selected(qualified.requires[0].clauses)] == ["infection_control"]


MISUSES = [
    # (what, change to the clause instrument, expected located message)
    ("level the selected clauses lack", lambda d: grade(d, "recommended")["requires"][1].update(level="A"),
     "grades[recommended].requires[1].level: level 'A' is not a level of clause beds_clause, booking, training"),
    ("when on an onsite clause", lambda d: clause(d, "records")["levels"][1].update(when="beds > 1"),
     "clauses[records].levels[B].when: an onsite clause is rated by people: its levels take a text, not a when"),
    ("auto clause without when", lambda d: clause(d, "beds_clause")["levels"][0].pop("when"),
     "clauses[beds_clause].levels[C].when: a level of an auto clause needs a when (the condition for reaching it)"),
    ("onsite level without text", lambda d: clause(d, "training")["levels"][1].pop("text"),
     "clauses[training].levels[B].text: a level of an onsite clause needs a text (what reaching it takes)"),
    ("when that is not a condition", lambda d: clause(d, "booking")["levels"][1].update(when="online_share * 2"),
     "clauses[booking].levels[B].when: must be a condition (true or false), not a number"),
    ("when with an unknown name", lambda d: clause(d, "booking")["levels"][0].update(when="has_bookng"),
     "clauses[booking].levels[C].when: unknown name 'has_bookng' (did you mean 'has_booking'?)"),
    ("when naming a clause", lambda d: clause(d, "booking")["levels"][0].update(when="records"),
     "clauses[booking].levels[C].when: unknown name 'records'"),
    ("unknown chapter", lambda d: clause(d, "booking").update(chapter="managment"),
     "clauses[booking].chapter: no chapter 'managment' (did you mean 'management'?)"),
    ("unknown standard", lambda d: clause(d, "booking").update(standard="basik"),
     "clauses[booking].standard: must be one of basic, recommended, not 'basik' (did you mean 'basic'?)"),
    ("unknown rated", lambda d: clause(d, "booking").update(rated="automatic"),
     "clauses[booking].rated: must be one of auto, onsite, not 'automatic'"),
    ("rated missing", lambda d: clause(d, "booking").pop("rated"), "clauses[booking].rated: is required"),
    ("unknown evidence", lambda d: clause(d, "records").update(evidence="photos"),
     "clauses[records].evidence: must be one of required, optional, none, not 'photos'"),
    ("unknown clause key", lambda d: clause(d, "records").update(evidance="required"),
     "clauses[records].evidance: unknown key (did you mean 'evidence'?)"),
    ("no levels", lambda d: clause(d, "records").update(levels=[]), "clauses[records].levels: needs at least one level"),
    ("too many levels", lambda d: clause(d, "records").update(levels=[{"id": f"L{i}", "text": "x"} for i in range(11)]),
     "clauses[records].levels: 11 levels; at most 10"),
    ("duplicate clause id", lambda d: clause(d, "booking").update(id="beds_clause"),
     "clauses[2].id: duplicate clause id 'beds_clause' (also at clauses[1].id)"),
    ("clause id taken by an item", lambda d: clause(d, "booking").update(id="beds"),
     "clauses[beds].id: 'beds' is already an item id"),
    ("clause id taken by an indicator", lambda d: clause(d, "booking").update(id="beds_per_1k"),
     "clauses[beds_per_1k].id: 'beds_per_1k' is already an indicator id"),
    ("duplicate level id", lambda d: clause(d, "training")["levels"][1].update(id="c"),
     "clauses[training].levels[c].id: duplicate level id 'c' (also at clauses[training].levels[C].id)"),
    ("level id that reads as a status", lambda d: clause(d, "training")["levels"][0].update(id="below"),
     "clauses[training].levels[below].id: 'below' reads as a rating status (below, not applicable, unrated)"),
    ("credit for an unknown level", lambda d: clause(d, "infection_control")["credit"].update(AA=1.0),
     "clauses[infection_control].credit.AA: no level 'AA' in this clause (did you mean 'A'?)"),
    ("credit above 1", lambda d: clause(d, "infection_control")["credit"].update(A=1.5),
     "clauses[infection_control].credit.A: must be between 0 and 1"),
    ("credit that is not a number", lambda d: clause(d, "infection_control")["credit"].update(A="all"),
     "clauses[infection_control].credit.A: must be a number, not 'all'"),
    ("credit missing a level", lambda d: clause(d, "infection_control")["credit"].pop("A"),
     "clauses[infection_control].credit: gives no credit for level A"),
    ("credit falling", lambda d: clause(d, "infection_control")["credit"].update(C=0.9),
     "clauses[infection_control].credit.B: level B earns less than level C below it"),
    ("credit without weight", lambda d: clause(d, "records").update(credit={"C": 0.5, "B": 0.8, "A": 1}),
     "clauses[records].credit: credit is only used with a weight"),
    ("negative clause weight", lambda d: clause(d, "records").update(weight=-2),
     "clauses[records].weight: must not be negative"),
    ("weighted clause in a mean of dimensions",
     lambda d: (d.update(total="mean_of_dimensions"), d["indicators"][1].update(dimension="staffing")),
     "clauses[prof_tech_staffing].weight: total is mean_of_dimensions, so a clause cannot carry a weight"),
    ("share above 1", lambda d: grade(d, "recommended")["requires"][1].update(share=60),
     "grades[recommended].requires[1].share: must be between 0 and 1"),
    ("share below 0", lambda d: grade(d, "recommended")["requires"][1].update(share=-0.1),
     "grades[recommended].requires[1].share: must be between 0 and 1"),
    ("requirement without level", lambda d: grade(d, "basic")["requires"][0].pop("level"),
     "grades[basic].requires[0].level: is required"),
    ("requirement selecting nothing", lambda d: grade(d, "basic")["requires"][0].update(clauses={"chapter": "resources", "core": True}),
     "grades[basic].requires[0].clauses: selects no clause"),
    ("requirement naming no clause", lambda d: grade(d, "basic")["requires"][0].update(clauses={"ids": ["recods"]}),
     "grades[basic].requires[0].clauses.ids[0]: names no clause: 'recods' (did you mean 'records'?)"),
    ("requirement with an unknown chapter", lambda d: grade(d, "basic")["requires"][0].update(clauses={"chapter": "resource"}),
     "grades[basic].requires[0].clauses.chapter: no chapter 'resource' (did you mean 'resources'?)"),
    ("requirement with an unknown selector key", lambda d: grade(d, "basic")["requires"][0].update(clauses={"standrd": "basic"}),
     "grades[basic].requires[0].clauses.standrd: unknown key (did you mean 'standard'?)"),
    ("grade when that is not a condition", lambda d: grade(d, "qualified").update(when="medical_staff + 1"),
     "grades[qualified].when: must be a condition (true or false), not a number"),
    ("grade when with an unknown name", lambda d: grade(d, "qualified").update(when="medical_staf < 10"),
     "grades[qualified].when: unknown name 'medical_staf' (did you mean 'medical_staff'?)"),
    ("unknown framework", lambda d: d["indicators"][0].update(groups={"yanann": "strength"}),
     "indicators[prof_tech_share].groups.yanann: no framework 'yanann' (did you mean 'yanan'?)"),
    ("unknown group", lambda d: clause(d, "infection_control").update(groups={"yanan": "precison"}),
     "clauses[infection_control].groups.yanan: framework 'yanan' has no group 'precison' (did you mean 'precision'?)"),
    ("groups not a mapping", lambda d: clause(d, "infection_control").update(groups=["precision"]),
     "clauses[infection_control].groups: must be a mapping of keys, not a list"),
    ("framework without groups", lambda d: d["frameworks"][0].update(groups=[]),
     "frameworks[yanan].groups: needs at least one group"),
    ("duplicate group", lambda d: d["frameworks"][0]["groups"][1].update(id="coverage"),
     "frameworks[yanan].groups[1].id: duplicate group id 'coverage' (also at frameworks[yanan].groups[0].id)"),
    ("chapter without title", lambda d: d["chapters"][0].pop("title"), "chapters[resources].title: is required"),
    ("duplicate chapter", lambda d: d["chapters"][1].update(id="resources"),
     "chapters[1].id: duplicate chapter id 'resources' (also at chapters[0].id)"),
]  # fmt: skip


@pytest.mark.parametrize("change,message", [m[1:] for m in MISUSES], ids=[m[0] for m in MISUSES])
def test_each_misuse_is_located(data, change, message):
    change(data)
    found = problems_of(data)
    assert any(p.startswith(message) for p in found), found


def test_every_problem_of_a_file_comes_in_one_pass(data):
    """A formula error does not hide a dimension typo beside it, nor clause and grade mistakes after it."""
    share = data["indicators"][0]
    share.update(formula="staff_prof_tech / staff_totl", dimension="staffng", weight=-1)
    clause(data, "records")["levels"][1]["when"] = "beds > 1"
    clause(data, "infection_control")["credit"]["A"] = 1.5
    grade(data, "recommended")["requires"][1]["share"] = 60
    data["sections"][0]["items"][0]["min"] = "none"
    found = problems_of(data)
    assert found == [
        "sections[staff].items[staff_total].min: must be a number, not 'none'",
        "indicators[prof_tech_share].formula: unknown name 'staff_totl' (did you mean 'staff_total'?)",
        "indicators[prof_tech_share].weight: must not be negative",
        "indicators[prof_tech_share].dimension: no dimension 'staffng' (did you mean 'staffing'?)",
        "clauses[infection_control].credit.A: must be between 0 and 1",
        "clauses[records].levels[B].when: an onsite clause is rated by people: its levels take a text, not a when",
        "grades[recommended].requires[1].share: must be between 0 and 1",
    ]


def test_a_broken_indicator_is_not_reported_again_by_what_uses_it(data):
    data["indicators"][0]["formula"] = "staff_prof_tech / staff_totl"  # used by prof_tech_staffing's levels
    assert problems_of(data) == [
        "indicators[prof_tech_share].formula: unknown name 'staff_totl' (did you mean 'staff_total'?)"
    ]


def test_entries_without_a_usable_id_are_located_by_place(data):
    data["indicators"][1].pop("id")
    clause(data, "records")["id"] = "records and more"
    found = problems_of(data)
    assert "indicators[1].id: is required" in found
    assert (
        "clauses[4].id: 'records and more' is not a valid id (letters, digits and '_', not starting with a digit, at most 64)"
        in found
    )


def test_problems_carry_a_code_and_parameters(data):
    clause(data, "booking")["chapter"] = "managment"
    with pytest.raises(InstrumentError) as caught:
        instruments.load_text(json.dumps(data, ensure_ascii=False))
    (problem,) = caught.value.problems
    assert (problem.where, problem.code) == ("clauses[booking].chapter", "unknown_chapter")
    assert problem.params == {"value": "managment", "suggestion": "management"}
