"""Data quality over a round (failed checks, outliers) and verified values, on a small hand-made region.

The flags computed over columns are compared with a plain per-centre reference
written here with loops and `statistics.median`, so the two must agree exactly.
"""

import statistics
from pathlib import Path

import pytest
from helpers import INSTRUMENT_CASES, store_with

import instruments
from instruments.checks import Check
from survey import db as database
from survey.store import ConflictError, NotFoundError, StoreError
from survey.store.access import reviewer_level
from survey.store.editing import import_answers, save_answers
from survey.store.lifecycle import send_back, submit
from survey.store.orgs import Unit, save_units
from survey.store.quality import (
    CHANGE_FLOOR,
    CHANGE_SHARE,
    MEDIAN_FACTOR,
    MEDIAN_MIN_REPORTING,
    FlagFilter,
    check_round,
    counts,
    listed,
    numeric_names,
)
from survey.store.responses import answers, get_response
from survey.store.results import rescore
from survey.store.reviews import approve_by, approve_many, check_reviewer
from survey.store.rounds import create_round, get_round, jurisdiction, previous_round, set_status
from survey.store.scores import round_scores
from survey.store.users import User
from survey.store.verification import verified_values, verify
from survey.store.versions import save_instrument

BASIC = instruments.load(Path(__file__).parent / "cases" / "instruments" / "basic.yaml")
UNITS = [
    Unit("61", "陕西省", "province", None, "region", None),
    Unit("6199", "西咸新区", "city", "61", "region", None),
    Unit("619901", "沣东新城", "county", "6199", "region", None),
    Unit("619902", "沣西新城", "county", "6199", "region", None),
    *[Unit(f"61990100{i}", f"东{i}卫生院", "township", "619901", "township_health_centre", None) for i in range(1, 5)],
    *[Unit(f"61990200{i}", f"西{i}卫生院", "township", "619902", "township_health_centre", None) for i in range(1, 3)],
]
A1, A2, A3, A4, B1, B2 = "619901001", "619901002", "619901003", "619901004", "619902001", "619902002"


def facts(staff, prof, gps, population=10_000, beds=None, contracted=3_000):
    values = {"staff_total": staff, "staff_prof_tech": prof, "gps": gps, "population": population,
              "contracted": contracted, "has_inpatient": beds is not None}  # fmt: skip
    if beds is not None:
        values["beds"] = beds
    return values


LAST_YEAR = {
    A1: facts(10, 9, 2, beds=8),
    A2: facts(12, 11, 2),
    A3: facts(11, 10, 1),
    A4: facts(40, 36, 3, beds=20),
    B1: facts(5, 4, 1),
}
THIS_YEAR = {
    A1: facts(14, 13, 2, beds=8),  # staff 10 → 14: +40% and +4, a large change
    A2: facts(12, 11, 2),
    A3: facts(11, 10, 2),  # GPs 1 → 2: +100% but only +1, not flagged
    A4: facts(40, 36, 3, beds=20),  # 40 staff against a county median of 13: far from it
    B1: facts(5, 6, 1),  # more professional-technical staff than staff: a broken constraint
    B2: facts(100, 90, 9),  # far from B1, but a county of two has no median to speak of
}


@pytest.fixture
def db(tmp_path):
    db = database.connect(tmp_path / "quality.db")
    save_units(db, UNITS)
    save_instrument(db, BASIC)
    return db


@pytest.fixture
def rounds(db):
    """Last year's round (closed) and this year's, both on the basic instrument."""
    last = create_round(db, BASIC.id, "2024", "2024年度", review_levels=2)
    for code, values in LAST_YEAR.items():
        save_answers(db, last, BASIC, code, values, username="test", source="test")
    set_status(db, last, "closed")
    this = create_round(db, BASIC.id, "2025", "2025年度", review_levels=2)
    for code, values in THIS_YEAR.items():
        save_answers(db, this, BASIC, code, values, username="test", source="test")
    # A2 was submitted complete; its answer to a required item was lost afterwards (data from before the checks)
    import_answers(db, this, BASIC, [(A2, {})], username="test", submit=True)
    db.execute(
        "DELETE FROM answers WHERE item_id = 'staff_prof_tech' AND response_id = ?", [get_response(db, this.id, A2).id]
    )
    rescore(db, this)  # a change behind the store's back is scored again as `survey score` would
    return get_round(db, last.id), this


def reference(db, round_, previous, codes):
    """The flags of `codes`, worked out one centre at a time with plain Python."""
    units = {u.code: u for u in UNITS}
    values, before, expected = {}, {}, set()
    for code in codes:
        response = get_response(db, round_.id, code)
        stored = answers(db, BASIC, response.id, verified=True)
        values[code] = _named(stored)
        old = get_response(db, previous.id, code)
        before[code] = _named(answers(db, BASIC, old.id, verified=True)) if old else {}
        for problem in Check(BASIC, stored).problems():
            if problem.kind == "constraint" or response.status in ("submitted", "approved"):
                expected.add((code, problem.item.id, problem.kind))
    for name in numeric_names(BASIC):
        for code in codes:
            value = values[code].get(name)
            if value is None:
                continue
            county = [values[c][name] for c in codes if units[c].parent_code == units[code].parent_code]
            county = [v for v in county if v is not None]
            median = statistics.median(county)
            if len(county) >= MEDIAN_MIN_REPORTING and median > 0:
                if value > MEDIAN_FACTOR * median or value < median / MEDIAN_FACTOR:
                    expected.add((code, name, "median"))
            old = before[code].get(name)
            floor = CHANGE_FLOOR["item"] if name in BASIC.item else CHANGE_FLOOR[BASIC.indicator[name].format]
            if old is not None and abs(value - old) > floor and abs(value - old) > CHANGE_SHARE * abs(old):
                expected.add((code, name, "change"))
    return expected


def _named(stored):
    """Every numeric item's and indicator's value for one centre (None when it has none)."""
    card = instruments.score(BASIC, stored)
    out = {item_id: stored.get(item_id) for item_id in BASIC.item}
    out.update({ind_id: result.value for ind_id, result in card.indicators.items() if result.status == "ok"})
    return {name: (None if out.get(name) is None else float(out[name])) for name in numeric_names(BASIC)}


def found(quality):
    return {(flag.org_code, flag.name, flag.kind) for flag in quality.flags}


def test_flags_agree_with_a_centre_by_centre_reference(db, rounds):
    last, this = rounds
    quality = check_round(db, this)
    assert quality.previous == last and previous_round(db, last) is None
    assert found(quality) == reference(db, this, last, list(THIS_YEAR))
    assert {(A4, "staff_total", "median"), (A1, "staff_total", "change"), (B1, "staff_prof_tech", "constraint"),
            (A2, "staff_prof_tech", "required")} <= found(quality)  # fmt: skip
    assert (A3, "gps", "change") not in found(quality)  # +1 is below the floor
    assert not {f for f in found(quality) if f[0] == B2 and f[2] == "median"}  # only two centres in its county


def test_flag_values_and_references(db, rounds):
    flags = {(f.org_code, f.name, f.kind): f for f in check_round(db, rounds[1]).flags}
    median = flags[(A4, "staff_total", "median")]
    assert (median.value, median.reference) == (40.0, 13.0)  # median of 14, 12, 11, 40
    change = flags[(A1, "staff_total", "change")]
    assert (change.value, change.reference) == (14.0, 10.0)
    assert flags[(A2, "staff_prof_tech", "required")].value is None


def test_required_items_count_only_on_submitted_responses(db, rounds):
    _, this = rounds
    save_answers(db, this, BASIC, A3, {"staff_total": None}, username="test", source="test")  # A3 is a draft
    assert (A3, "staff_total", "required") not in found(check_round(db, this))


def stored_required(db, round_, code):
    """The required flags kept for a centre's response (what the checks page counts once it is submitted)."""
    response_id = get_response(db, round_.id, code).id
    sql = "SELECT name FROM flags WHERE kind = 'required' AND response_id = ?"
    return {row[0] for row in db.execute(sql, [response_id])}


def test_a_draft_keeps_no_required_flags_and_a_returned_response_drops_its_own_when_saved(db, rounds):
    _, this = rounds
    save_answers(db, this, BASIC, A3, {"staff_total": None}, username="test", source="test")
    assert stored_required(db, this, A3) == set()  # a national import of drafts stores none of these
    assert stored_required(db, this, A2) == {"staff_prof_tech"}  # submitted: kept and counted
    response = get_response(db, this.id, A2)
    send_back(db, this, response, level=1, username="fengdong", comment="请补填专业技术人员数")
    assert (A2, "staff_prof_tech", "required") not in found(check_round(db, this))  # returned: no longer counted
    save_answers(db, this, BASIC, A2, {"gps": 3}, username="test", source="test")
    assert stored_required(db, this, A2) == set()


def test_a_submission_stores_the_required_flags_its_verified_values_make(tmp_path):
    text = (INSTRUMENT_CASES / "basic.yaml").read_text("utf-8")
    asked = "relevant: has_inpatient, min: 0}"
    assert asked in text
    instrument = instruments.load_text(text.replace(asked, "relevant: has_inpatient, required: true, min: 0}"))
    assert instrument.item["beds"].required  # asked only of a centre with inpatient beds
    db = store_with(tmp_path / "beds.db", UNITS, instrument)
    round_ = create_round(db, instrument.id, "2025", "2025年度", review_levels=2)
    save_answers(db, round_, instrument, A1, facts(10, 9, 2), username="test", source="test")  # no inpatient beds
    response = submit(db, round_, instrument, get_response(db, round_.id, A1), username="doumen")
    response, _ = verify(db, round_, instrument, response, {"has_inpatient": True}, FENGDONG)  # it has them
    send_back(db, round_, response, level=1, username="fengdong", comment="请填报实际开放床位数")
    save_answers(db, round_, instrument, A1, {"gps": 3}, username="test", source="test")
    assert stored_required(db, round_, A1) == set()  # returned and saved: none kept
    submit(db, round_, instrument, get_response(db, round_.id, A1), username="doumen")  # its own answers pass
    assert (A1, "beds", "required") in found(check_round(db, round_))  # the scored values ask for beds


def test_the_migration_drops_the_required_flags_of_drafts(db, rounds):
    _, this = rounds
    draft = get_response(db, this.id, A3).id
    db.execute("INSERT INTO flags (response_id, kind, name, position) VALUES (?, 'required', 'gps', 0)", [draft])
    db.execute("DELETE FROM _sqlite_migrations WHERE name = 'm010_required_flags_of_locked_responses'")
    database.migrate_db(db)
    assert stored_required(db, this, A3) == set()
    assert stored_required(db, this, A2) == {"staff_prof_tech"}


def test_scope_counts_and_failed_targets(db, rounds):
    _, this = rounds
    quality = check_round(db, this, "619901")
    assert all(flag.org_code.startswith("619901") for flag in quality.flags)
    assert db.execute("SELECT DISTINCT county FROM results WHERE round_id = ?", [this.id]).fetchall() == [
        ("619901",), ("619902",)]  # fmt: skip
    result = round_scores(db, this, "619901")
    assert [c["code"] for c in result.centres] == [A1, A2, A3, A4]
    for row, centre in enumerate(result.centres):
        failed = db.execute("SELECT failed FROM results WHERE round_id = ? AND org_code = ?", [this.id, centre["code"]])
        scores = result.scores
        assert failed.fetchone()[0] == sum(int(scores.met[i.id][row] == 0) for i in BASIC.scored_indicators)
    by_centre = dict(quality.count_by("org_code"))
    assert sum(c.total() for c in by_centre.values()) == len(quality.flags) == sum(quality.totals.values())
    assert quality.count_by("name")[0][1].total() >= quality.count_by("name")[-1][1].total()
    counted = counts(db, this, "619901")
    assert counted.totals == quality.totals and counted.by_name == quality.count_by("name")
    assert counted.by_centre == quality.count_by("org_code") and counted.centres == len(by_centre)
    listed_flags, total = listed(db, this, "619901", FlagFilter(kind="median"), offset=0, limit=2)
    assert total == quality.totals["median"] and listed_flags == [f for f in quality.flags if f.kind == "median"][:2]


def test_an_empty_round_has_no_flags(db):
    round_ = create_round(db, BASIC.id, "2026", "2026年度")
    assert check_round(db, round_).flags == [] and counts(db, round_, None).flagged == 0


# ---------------------------------------------------------------- evaluators: levels, jurisdiction, verified values

FENGDONG = User(1, "fengdong", "evaluator", "619901", True)
CITY = User(2, "city", "evaluator", "6199", True)
OFFICIAL = User(3, "official", "official", "6199", True)


@pytest.fixture(autouse=True)
def users(db):
    """The users above, stored (reviews refer to them); the hash is cheap to make here."""
    for user in (FENGDONG, CITY, OFFICIAL):
        db.execute(
            "INSERT INTO users (id, username, password_hash, role, org_code, created_at) VALUES (?, ?, 'x', ?, ?, '')",
            [user.id, user.username, user.role, user.org_code],
        )


@pytest.fixture
def submitted(db, rounds):
    """A1's response submitted for review."""
    _, this = rounds
    return this, submit(db, this, BASIC, get_response(db, this.id, A1), username="a1")


def test_levels_and_jurisdiction(db, rounds):
    _, this = rounds
    assert (reviewer_level(db, FENGDONG), reviewer_level(db, CITY), reviewer_level(db, OFFICIAL)) == (1, 2, None)
    assert jurisdiction(db, this, "619901") == "619901" and jurisdiction(db, this, None) is None
    scoped = create_round(db, BASIC.id, "2025", "沣东专项", scope_code="619901")
    assert jurisdiction(db, scoped, "6199") == "619901"
    with pytest.raises(NotFoundError):
        jurisdiction(db, scoped, "619902")


def test_reviewer_checks(db, submitted):
    this, response = submitted
    assert check_reviewer(db, this, response, FENGDONG) == 1
    with pytest.raises(StoreError, match="awaits county review, not city re-check"):
        check_reviewer(db, this, response, CITY)
    with pytest.raises(StoreError, match="not an evaluator"):
        check_reviewer(db, this, response, OFFICIAL)
    with pytest.raises(NotFoundError):
        check_reviewer(db, this, response, User(93, "fengxi", "evaluator", "619902", True))
    with pytest.raises(ConflictError):
        check_reviewer(db, this, response, FENGDONG, expected_version=response.version - 1)


def test_verified_values_are_kept_beside_reported_ones_audited_and_scored(db, submitted):
    this, response = submitted
    before = round_scores(db, this).scores
    row = [c["code"] for c in round_scores(db, this).centres].index(A1)
    assert before.value("prof_tech_share", row) == pytest.approx(13 / 14)
    response, changed = verify(db, this, BASIC, response, {"staff_prof_tech": 12, "beds": 10}, FENGDONG,
                               expected_version=response.version)  # fmt: skip
    assert changed == 2
    assert answers(db, BASIC, response.id)["staff_prof_tech"] == 13  # the reported value stays
    assert verified_values(db, BASIC, response.id) == {"staff_prof_tech": 12, "beds": 10}
    assert round_scores(db, this).scores.value("prof_tech_share", row) == pytest.approx(12 / 14)
    audit = list(db.query("SELECT username, item_id, old, new, source FROM audit WHERE action = 'verify' ORDER BY id"))
    assert audit == [
        {"username": "fengdong", "item_id": "staff_prof_tech", "old": None, "new": 12, "source": "review"},
        {"username": "fengdong", "item_id": "beds", "old": None, "new": 10, "source": "review"},
    ]
    again, changed = verify(db, this, BASIC, response, {"staff_prof_tech": 12, "beds": None}, FENGDONG)
    assert changed == 1 and again.version == response.version + 1
    assert verified_values(db, BASIC, response.id) == {"staff_prof_tech": 12}
    with pytest.raises(StoreError, match="awaits county review"):
        verify(db, this, BASIC, again, {"gps": 5}, CITY)
    with pytest.raises(StoreError, match="not an item"):
        verify(db, this, BASIC, again, {"nothing": 5}, FENGDONG)


def test_a_verified_value_for_an_item_left_unanswered(db, rounds):
    _, this = rounds
    response = get_response(db, this.id, A2)  # submitted by import without its professional-technical staff
    assert approve_many(db, this, BASIC, {A2: response.version}, FENGDONG).refused[0].reason == "not_clean"
    response, _ = verify(db, this, BASIC, response, {"staff_prof_tech": 11}, FENGDONG)
    assert answers(db, BASIC, response.id).get("staff_prof_tech") is None
    assert answers(db, BASIC, response.id, verified=True)["staff_prof_tech"] == 11
    assert (A2, "staff_prof_tech", "required") not in found(check_round(db, this))
    result = approve_many(db, this, BASIC, {A2: response.version}, FENGDONG)
    assert result.approved == [A2]


def test_clearing_a_verified_value_leaves_no_empty_answer(db, rounds):
    _, this = rounds
    response = get_response(db, this.id, A2)
    response, _ = verify(db, this, BASIC, response, {"staff_prof_tech": 11}, FENGDONG)
    verify(db, this, BASIC, response, {"staff_prof_tech": None}, FENGDONG)
    rows = db.execute(
        "SELECT count(*) FROM answers WHERE response_id = ? AND item_id = 'staff_prof_tech'", [response.id]
    )
    assert rows.fetchone()[0] == 0


def test_approval_needs_clean_verified_values(db, submitted):
    this, response = submitted
    verify(db, this, BASIC, response, {"staff_prof_tech": 20}, FENGDONG)  # now above staff on post
    result = approve_many(db, this, BASIC, {A1: get_response(db, this.id, A1).version}, FENGDONG)
    assert result.approved == [] and result.refused[0].reason == "not_clean"
    assert [p.text("zh") for p in result.refused[0].problems] == ["专业技术人员数：不能超过在岗职工总数"]
    verify(db, this, BASIC, response, {"staff_prof_tech": None}, FENGDONG)
    approved = approve_by(db, this, BASIC, get_response(db, this.id, A1), FENGDONG)
    assert (approved.status, approved.review_level) == ("submitted", 1)
