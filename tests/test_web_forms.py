"""Forms from an instrument: one field per item of every type, read back through the core's parsers."""

import pytest

import instruments
from survey.centre.forms import section_form, shown

EVERY_TYPE = """
id: every-type
version: "1"
title: 每种题型
sections:
  - id: all
    title: {zh: 全部, en: All}
    items:
      - {id: people, type: integer, label: {zh: 人数, en: People}, unit: {zh: 人, en: persons}, min: 0, max: 100}
      - {id: area, type: number, label: 面积, hint: {zh: 按平方米, en: In m²}}
      - {id: open, type: boolean, label: 是否开放, required: true}
      - id: kind
        type: choice
        label: 类型
        choices: [{value: a, label: {zh: 甲, en: A}}, {value: b, label: {zh: 乙, en: B}}]
      - id: tests
        type: multi_choice
        label: 项目
        choices: [{value: x, label: 血常规}, {value: y, label: 尿常规}, {value: z, label: 便常规}]
      - {id: note, type: text, label: 备注}
      - {id: day, type: date, label: 日期}
      - {id: data, type: integer, label: 与表单属性同名的题目}
indicators:
  - {id: staff, label: 人数, formula: people}
"""
TYPED = {
    "item_people": "42",
    "item_area": "120.5",
    "item_open": "1",
    "item_kind": "b",
    "item_tests": ["x", "z"],
    "item_note": "  外墙翻新  ",
    "item_day": "2025-06-30",
    "item_data": "7",
}
VALUES = {
    "people": 42,
    "area": 120.5,
    "open": True,
    "kind": "b",
    "tests": ("x", "z"),
    "note": "外墙翻新",
    "day": "2025-06-30",
    "data": 7,
}


@pytest.fixture
def instrument():
    return instruments.load_text(EVERY_TYPE)


def test_every_type_reads_back_as_the_core_holds_it(app, instrument):
    form_class = section_form(instrument, instrument.sections[0], "zh")
    with app.test_request_context(method="POST", data={"version": "3", **TYPED}):
        form = form_class()
        assert form.check(instrument, {})
        assert form.answers() == VALUES and form.opened_version() == 3


def test_blank_fields_are_unanswered(app, instrument):
    form_class = section_form(instrument, instrument.sections[0], "zh")
    with app.test_request_context(method="POST", data={"version": "0"}):
        form = form_class()
        assert form.check(instrument, {})  # required items are checked at submission, not in a draft
        assert form.answers() == dict.fromkeys(VALUES)


def test_stored_values_fill_the_fields(app, instrument):
    form_class = section_form(instrument, instrument.sections[0], "en")
    with app.test_request_context():
        form = form_class(data=shown(instrument.sections[0], VALUES, 5))
        assert form.answers() == VALUES
        page = "".join(str(field()) for _, field in form.item_fields())
        assert form.version.data == "5"
    assert 'type="text"' in page and 'inputmode="numeric"' in page and 'inputmode="text"' in page  # typos are sent
    assert 'type="date"' in page
    assert 'value="b" selected' in page or 'selected value="b"' in page
    assert page.count('type="checkbox"') == 4 and page.count("checked") == 3  # two picks (and none) and 是
    assert form["item_people"].label.text == "People (persons)" and form["item_area"].description == "In m²"


def test_every_item_type_has_a_field():
    """A new item type is one class in the core; the web form needs one field builder for it, and this says so."""
    from instruments.item_types import ITEM_TYPES
    from survey.centre.forms import FIELDS

    assert set(FIELDS) == set(ITEM_TYPES)


def test_none_of_a_multiple_choice_is_an_answer_and_exclusive(app, instrument):
    form_class = section_form(instrument, instrument.sections[0], "zh")
    with app.test_request_context(method="POST", data={"version": "1", "item_tests": ["（无）"]}):
        form = form_class()
        assert form.check(instrument, {}) and form.answers()["tests"] == ()
    with app.test_request_context(method="POST", data={"version": "1", "item_tests": ["x", "（无）"]}):
        form = form_class()
        assert not form.check(instrument, {}) and form.answers()["tests"] is None
        assert form["item_tests"].errors == ["选了“无”就不能再选其他选项"]
    with app.test_request_context():
        page = str(form_class(data=shown(instrument.sections[0], {"tests": ()}, 1))["item_tests"]())
        assert (
            page.count("checked") == 1
            and 'checked id="item_tests-3" name="item_tests" type="checkbox" value="（无）"' in page
        )
        blank = str(form_class(data=shown(instrument.sections[0], {}, 1))["item_tests"]())
        assert "checked" not in blank


def test_a_yes_no_answer_can_be_cleared(app, instrument):
    form_class = section_form(instrument, instrument.sections[0], "en")
    with app.test_request_context(method="POST", data={"version": "1", "item_open": ""}):
        form = form_class()
        assert form.check(instrument, {"open": True}) and form.answers()["open"] is None
    with app.test_request_context():
        unanswered = str(form_class(data=shown(instrument.sections[0], {}, 1))["item_open"]())
        answered = str(form_class(data=shown(instrument.sections[0], {"open": False}, 1))["item_open"]())
    assert 'checked id="item_open-2" name="item_open" type="radio" value=""' in unanswered and "未答" in unanswered
    assert answered.count("checked") == 1 and 'checked id="item_open-1"' in answered
