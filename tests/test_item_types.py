"""Item types own every conversion of an answer; each one reads back what it writes."""

import math

import pytest

import instruments
from instruments import AnswerError
from instruments.item_types import ITEM_TYPES, LARGEST, answer_words

INSTRUMENT = instruments.load_text("""
id: kinds
version: "1"
title: 题型
sections:
  - id: all
    title: 全部
    items:
      - {id: staff, type: integer, label: {zh: 在岗职工数, en: Staff}, unit: {zh: 人, en: persons}, min: 0}
      - {id: area, type: number, label: 业务用房面积, unit: 平方米, min: 0, max: 100000}
      - {id: booking, type: boolean, label: {zh: 是否提供在线预约, en: Online booking}}
      - id: owner
        type: choice
        label: 举办主体
        choices: [{value: public, label: {zh: 政府办, en: Government}}, {value: other, label: {zh: 其他, en: Other}}]
      - id: tests
        type: multi_choice
        label: 检验项目
        choices: [{value: blood, label: 血常规}, {value: urine, label: 尿常规}, {value: stool, label: 便常规}]
      - {id: note, type: text, label: 备注}
      - {id: day, type: date, label: 日期}
indicators:
  - {id: n, label: 人数, formula: staff}
""")
VALUES = {
    "staff": 45,
    "area": 1250.5,
    "booking": True,
    "owner": "other",
    "tests": ("blood", "stool"),
    "note": "含村卫生室",
    "day": "2025-06-30",
}


@pytest.mark.parametrize("item_id", list(VALUES))
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_typed_text_reads_back_to_the_value(item_id, lang):
    item = INSTRUMENT.item[item_id]
    kind = ITEM_TYPES[item.type]
    assert kind.parse(kind.typed(VALUES[item_id], item, lang), item) == VALUES[item_id]


@pytest.mark.parametrize("item_id", list(VALUES))
def test_stored_values_read_back_and_score_as_the_live_value(item_id):
    item = INSTRUMENT.item[item_id]
    kind = ITEM_TYPES[item.type]
    stored = kind.to_stored(VALUES[item_id], item)
    assert kind.from_stored(stored, item) == VALUES[item_id]
    number, live = kind.stored_number(stored, item), kind.number(VALUES[item_id], item)
    assert number == live or (math.isnan(number) and math.isnan(live))


@pytest.mark.parametrize("item_id", ["booking", "owner"])
def test_a_formula_number_turns_back_into_the_answer(item_id):
    item = INSTRUMENT.item[item_id]
    kind = ITEM_TYPES[item.type]
    assert kind.value_of(kind.number(VALUES[item_id], item), item) == VALUES[item_id]


@pytest.mark.parametrize(
    ("item_id", "value", "lang", "words"),
    [
        ("staff", 45, "zh", "45 人"),
        ("staff", 45, "en", "45 persons"),
        ("area", 1250.5, "zh", "1,250.5 平方米"),
        ("booking", False, "zh", "否"),
        ("booking", True, "en", "yes"),
        ("owner", "public", "en", "Government"),
        ("tests", ("blood", "urine"), "zh", "血常规、尿常规"),
        ("tests", (), "zh", "（无）"),
        ("tests", (), "en", "(none)"),
        ("staff", None, "zh", ""),
    ],
)
def test_words(item_id, value, lang, words):
    assert answer_words(INSTRUMENT.item[item_id], value, lang) == words


@pytest.mark.parametrize(
    ("item_id", "rule", "validation"),
    [
        ("staff", "整数 ≥ 0", ("whole", 0, 999_999_999_999, ())),
        ("area", "数值 0～100,000", ("decimal", 0, 100_000, ())),
        ("booking", "选择 是/否", ("list", None, None, ("是", "否"))),
        ("owner", "下拉选择一项", ("list", None, None, ("政府办", "其他"))),
        ("tests", "多选，用、或逗号分隔", ("any", None, None, ())),
        ("day", "日期 YYYY-MM-DD", ("date", None, None, ())),
        ("note", "文字", ("any", None, None, ())),
    ],
)
def test_what_the_template_asks_for(item_id, rule, validation):
    item = INSTRUMENT.item[item_id]
    found = ITEM_TYPES[item.type].validation(item)
    assert ITEM_TYPES[item.type].rule(item) == rule
    assert (found.kind, found.minimum, found.maximum, found.options) == validation


@pytest.mark.parametrize(
    "item_id,raw,value",
    [("staff", "1,234", 1234), ("staff", "+1,234,567", 1234567), ("area", "12,345.5", 12345.5),
     ("staff", str(LARGEST), LARGEST)],
)  # fmt: skip
def test_commas_that_group_thousands_are_read_and_numbers_up_to_the_largest(item_id, raw, value):
    item = INSTRUMENT.item[item_id]
    assert ITEM_TYPES[item.type].parse(raw, item) == value


@pytest.mark.parametrize(
    "item_id,raw,code",
    [("staff", "1,2", "not_whole_number"), ("staff", "12,34", "not_whole_number"), ("area", "1,5", "not_a_number"),
     ("area", "1,2345", "not_a_number"), ("staff", str(LARGEST + 1), "number_too_large"),
     ("area", "1e16", "number_too_large"), ("staff", -LARGEST - 1, "number_too_large")],
)  # fmt: skip
def test_other_commas_and_numbers_beyond_the_largest_are_refused(item_id, raw, code):
    """1,5 is not read as 15; a number SQLite could not store exactly is refused, not stored wrong or failing."""
    item = INSTRUMENT.item[item_id]
    with pytest.raises(AnswerError) as caught:
        ITEM_TYPES[item.type].parse(raw, item)
    assert caught.value.code == code
