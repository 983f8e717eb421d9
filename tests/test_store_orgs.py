"""Units in the store: attributes from the unit import kept, updated and used for grouping; names and
titles that would break downloads refused."""

import pytest
from helpers import xlsx_bytes

import instruments
from exports.errors import WorkbookError
from instruments.library import get
from survey import assessment
from survey import db as database
from survey.store import StoreError
from survey.store.orgs import (
    Unit,
    all_units,
    attribute_groups,
    attribute_names,
    by_name,
    children,
    get_unit,
    save_units,
)
from survey.store.rounds import create_round
from survey.store.versions import save_instrument

TOWNSHIP = get("township-health-centre", "2025.1")  # indicators only: staff figures alone make an indicator
HEADER = ("code", "name", "level", "parent_code", "kind", "隶属关系", "举办主体")
FILE = [
    HEADER,
    ("61", "陕西省", "province", None, "region", None, None),
    ("6101", "西安市", "city", "61", "region", None, None),
    ("c1", "甲卫生院", "township", "6101", "township_health_centre", "县属", "政府办"),
    ("c2", "乙卫生院", "township", "6101", "township_health_centre", "市属", "政府办"),
    ("c3", "丙卫生院", "township", "6101", "township_health_centre", "县属", None),
    ("c4", "丁卫生院", "township", "6101", "township_health_centre", None, None),
]


@pytest.fixture
def db(tmp_path):
    db = database.connect(tmp_path / "survey.db")
    assessment.import_orgs(db, xlsx_bytes(FILE), "units.xlsx")
    return db


def test_attributes_are_kept_with_their_units(db):
    assert get_unit(db, "c1").attributes == {"隶属关系": "县属", "举办主体": "政府办"}
    assert get_unit(db, "c3").attributes == {"隶属关系": "县属"}
    assert get_unit(db, "c4").attributes == {}
    assert all_units(db)["c2"].attributes == {"隶属关系": "市属", "举办主体": "政府办"}
    below = {u.code: u.attributes for u in children(db, "6101")}
    assert [below["c1"], below["c2"]] == [
        {"隶属关系": "县属", "举办主体": "政府办"},
        {"隶属关系": "市属", "举办主体": "政府办"},
    ]
    assert attribute_names(db) == [("举办主体", 2), ("隶属关系", 3)]


def test_units_sort_by_pinyin(db):
    assert [u.name for u in children(db, "6101")] == [
        "丙卫生院",
        "丁卫生院",
        "甲卫生院",
        "乙卫生院",
    ]  # bing ding jia yi
    save_units(db, [Unit(f"p{n}", name, "township", "6101", "township_health_centre", None)
                    for n, name in enumerate(["大王卫生院", "重庆卫生院", "阿坝卫生院", "长安卫生院"])])  # fmt: skip
    named = [u.name for u in children(db, "6101") if u.code.startswith("p")]
    assert named == ["阿坝卫生院", "长安卫生院", "重庆卫生院", "大王卫生院"]  # a < chang < chong (not zhong) < da
    save_units(db, [Unit("p0", "安康卫生院", "township", "6101", "township_health_centre", None)])  # renamed: re-keyed
    assert [u.name for u in children(db, "6101") if u.code.startswith("p")][:2] == ["阿坝卫生院", "安康卫生院"]


def test_names_and_attributes_are_listed_in_pinyin_order_not_code_point_order(db):
    save_units(db, [Unit(f"p{n}", name, "township", "6101", "township_health_centre", None, {name[:2]: "有"})
                    for n, name in enumerate(["大王卫生院", "重庆卫生院", "阿坝卫生院", "长安卫生院"])])  # fmt: skip
    codes = ["p0", "p1", "p2", "p3", "nowhere"]
    pinyin = ["阿坝卫生院", "长安卫生院", "重庆卫生院", "大王卫生院"]  # a, chang, chong (not zhong), da
    assert sorted(pinyin) == pinyin[::-1]  # by code point the order is reversed
    assert by_name(db, codes) == list(zip(["p2", "p3", "p1", "p0"], pinyin, strict=True))
    assert [name for name, _n in attribute_names(db)] == ["阿坝", "长安", "重庆", "大王", "举办主体", "隶属关系"]


def test_a_reimport_updates_attributes_it_names_and_leaves_the_others(db):
    again = [
        ("code", "name", "level", "parent_code", "kind", "隶属关系", "医共体成员"),
        ("c1", "甲卫生院", "township", "6101", "township_health_centre", "市属", "是"),
        ("c3", "丙卫生院", "township", "6101", "township_health_centre", None, "否"),
    ]
    assert assessment.import_orgs(db, xlsx_bytes(again), "again.xlsx") == (0, 2)
    assert get_unit(db, "c1").attributes == {"隶属关系": "市属", "举办主体": "政府办", "医共体成员": "是"}
    assert get_unit(db, "c3").attributes == {"医共体成员": "否"}  # an empty cell unsets 隶属关系


def test_centres_grouped_by_an_attribute(db):
    codes = ["c4", "c1", "c2", "c3", "nowhere"]
    assert attribute_groups(db, "隶属关系", codes) == {"县属": [1, 3], "市属": [2]}
    assert list(attribute_groups(db, "隶属关系", codes)) == ["市属", "县属"]  # shi before xian; 县 < 市 by code point
    assert attribute_groups(db, "举办主体", codes) == {"政府办": [1, 2]}
    assert attribute_groups(db, "没有的属性", codes) == {}


def test_groups_feed_the_regional_figures(db):
    answers = [{"staff_total": n, "staff_prof_tech": n} for n in (10, 20, 30)]
    scores = instruments.score_many(TOWNSHIP, answers)
    figures = instruments.regional(scores, attribute_groups(db, "隶属关系", ["c1", "c2", "c3"]))
    staff = {f.region: f for f in figures if f.indicator == figures[0].indicator}
    assert set(staff) == {"县属", "市属"}
    assert (staff["县属"].reporting, staff["市属"].reporting) == (2, 1)


def test_saving_units_made_in_code_keeps_their_attributes(db):
    save_units(db, [Unit("c5", "戊卫生院", "township", "6101", "township_health_centre", None, {"隶属关系": "县属"})])
    save_units(db, [Unit("c5", "戊卫生院", "township", "6101", "township_health_centre", 9000)])
    assert get_unit(db, "c5").attributes == {"隶属关系": "县属"}
    assert get_unit(db, "c5").population == 9000


def test_a_bad_unit_file_writes_nothing(db):
    before = {t: db[t].count for t in ("org_units", "org_attributes")}
    bad = [HEADER, ("c9", "壬\n卫生院", "township", "6101", "township_health_centre", "县属", None)]
    with pytest.raises(WorkbookError):
        assessment.import_orgs(db, xlsx_bytes(bad), "bad.xlsx")
    assert {t: db[t].count for t in ("org_units", "org_attributes")} == before


@pytest.mark.parametrize(
    ("period", "title", "message"),
    [
        ("2025", "2025年度\r\n评估", "the round's title holds the control character U+000D"),
        ("2025\t", "评估", None),  # trailing whitespace is trimmed, as before
        ("20\x0b25", "评估", "the round's period holds the control character U+000B"),
    ],
)
def test_round_titles_and_periods_without_control_characters(db, period, title, message):
    save_instrument(db, TOWNSHIP)
    if message is None:
        assert create_round(db, TOWNSHIP.id, period, title).period == "2025"
        return
    with pytest.raises(StoreError) as caught:
        create_round(db, TOWNSHIP.id, period, title)
    assert str(caught.value).startswith(message)
    assert db["rounds"].count == 0


def test_the_demo_units_carry_owner_level_and_ownership(app_db):
    """The demo's centres can be grouped as the Sichuan paper's tables are: by owner level (隶属关系)."""
    assert dict(attribute_names(app_db)) == {"举办主体": 25, "医共体成员": 7, "隶属关系": 25}
    xixian = [code for code, unit in all_units(app_db).items() if code.startswith("6199") and unit.kind != "region"]
    groups = attribute_groups(app_db, "隶属关系", xixian)
    assert {owner: len(rows) for owner, rows in groups.items()} == {"县属": 5, "乡镇属": 13}
    assert get_unit(app_db, "510727002").attributes == {
        "隶属关系": "县属",
        "举办主体": "政府办",
        "医共体成员": "平武县医共体",
    }
