"""Storage on a real SQLite database: units, users, instruments, rounds, answers, audit, reviews."""

import os
import sqlite3

import pytest
from helpers import XIXIAN, county_round, store_with, stored_results, xixian_round

import instruments
from instruments.library import get
from instruments.synthetic import answers_from_columns, township_columns
from survey import db as database
from survey.store import ConflictError, NotFoundError, StoreError, results
from survey.store.editing import import_answers, save_answers
from survey.store.lifecycle import approve, send_back, submit
from survey.store.orgs import Unit, is_under, under
from survey.store.responses import answers, get_response
from survey.store.results import rescore
from survey.store.reviews import history
from survey.store.rounds import centres, create_round, get_round, set_status
from survey.store.scores import round_scores, stored_scores
from survey.store.users import add_user, verify_password
from survey.store.versions import get_instrument, save_instrument

TOWNSHIP = get("township-health-centre", "2025.1")  # indicators only (clauses: test_store_clauses.py)
UNITS = [*XIXIAN, Unit("619902100", "沣西社区卫生服务中心", "community", "619902", "community_health_centre", None)]
COMPLETE = answers_from_columns(
    TOWNSHIP, township_columns(1, 5, staff=[53], prof_tech=[45], blank_share=0, instrument=TOWNSHIP)
)[0]


@pytest.fixture
def db(tmp_path):
    return store_with(tmp_path / "survey.db", UNITS, TOWNSHIP)


@pytest.fixture
def round_(db):
    return xixian_round(db, TOWNSHIP)


def counts(db):
    return {t: db[t].count for t in ("responses", "answers", "audit", "reviews", "results", "flags")}


def test_database_is_wal_with_foreign_keys(db):
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO org_units (code, name, level, parent_code) VALUES ('x', 'x', 'county', 'nowhere')")


def test_migrations_run_once(tmp_path):
    path = tmp_path / "again.db"
    database.connect(path)
    again = database.connect(path)
    assert [m.name for m in database.migrations.applied(again)] == [
        "m001_initial",
        "m003_sessions_and_signin_attempts",
        "m004_unit_attributes",
        "m005_ratings_evidence_appeals",
        "m006_stored_results",
        "m007_name_keys",
        "m008_jurisdiction_indexes",
        "m009_retired_versions",
        "m010_required_flags_of_locked_responses",
    ]


def test_units_below_a_region(db):
    assert set(under(db, "619901")) == {"619901", "619901001", "619901002"}
    assert is_under(db, "619902001", "61") and not is_under(db, "619902001", "619901")
    with pytest.raises(NotFoundError, match="no organisation unit 'nowhere'"):
        under(db, "nowhere")


def test_users_have_hashed_passwords_and_roles(db):
    add_user(db, "doumen", "kept-s3cret-pass", "centre", "619901001")
    stored = db.execute("SELECT password_hash FROM users").fetchone()[0]
    assert "kept-s3cret-pass" not in stored
    assert verify_password(db, "doumen", "kept-s3cret-pass").role == "centre"
    assert verify_password(db, "doumen", "wrong-pass") is None
    for args, message in [
        (("doumen", "long-enough-pass", "centre", "619901002"), "user 'doumen' already exists"),
        (("xx1", "short", "centre", "619901001"), "A password needs at least 8 characters"),
        (("xx2", "long-enough", "centre", "619901"), "a centre user belongs to a township or community unit"),
        (("xx3", "long-enough", "official", None), "needs an organisation unit"),
        (("xx4", "long-enough", "boss", None), "unknown role 'boss'"),
        (("xx5", "long-enough", "evaluator", "nowhere"), "no organisation unit 'nowhere'"),
    ]:
        with pytest.raises(StoreError, match=message):
            add_user(db, *args)
    assert db["users"].count == 1


def test_instrument_versions(db):
    assert save_instrument(db, TOWNSHIP) is False  # the same version again is a no-op
    changed = TOWNSHIP.source.replace('version: "2025.1"', 'version: "2025.1"\n# changed')
    with pytest.raises(StoreError, match="already loaded with different content"):
        save_instrument(
            db,
            instruments.load_text(changed.replace("title: {zh: 乡镇卫生院服务能力评估", "title: {zh: 乡镇卫生院评估")),
        )
    assert get_instrument(db, TOWNSHIP.id).version == "2025.1"


def test_round_centres_are_those_the_instrument_applies_to(db, round_):
    assert [c["code"] for c in centres(db, round_)] == ["619901001", "619901002", "619902001"]
    assert centres(db, round_)[0] == {
        "code": "619901001",
        "name": "斗门卫生院",
        "county": "沣东新城",
        "city": "西咸新区",
    }
    with pytest.raises(NotFoundError, match="no round 99"):
        get_round(db, 99)
    with pytest.raises(NotFoundError, match="no instrument nothing"):
        create_round(db, "nothing", "2025", "x")


def test_saving_answers_audits_each_change_and_bumps_the_version(db, round_):
    response, changed = save_answers(
        db, round_, TOWNSHIP, "619901001", {"staff_total": 50}, username="u1", source="web"
    )
    assert (changed, response.version) == (1, 2)
    response, changed = save_answers(db, round_, TOWNSHIP, "619901001", {"staff_total": 53, "has_inpatient": True},
                                     username="u2", source="web", expected_version=2)  # fmt: skip
    assert (changed, response.version) == (2, 3)
    trail = list(db.query("SELECT username, item_id, old, new FROM audit ORDER BY id"))
    assert trail == [
        {"username": "u1", "item_id": "staff_total", "old": None, "new": 50},
        {"username": "u2", "item_id": "staff_total", "old": 50, "new": 53},
        {"username": "u2", "item_id": "has_inpatient", "old": None, "new": 1},
    ]
    assert answers(db, TOWNSHIP, response.id) == {"staff_total": 53, "has_inpatient": True}
    assert isinstance(answers(db, TOWNSHIP, response.id)["has_inpatient"], bool)


def test_a_save_from_an_old_version_is_refused_and_writes_nothing(db, round_):
    save_answers(db, round_, TOWNSHIP, "619901001", {"staff_total": 50}, username="tab1", source="web")
    before = counts(db)
    with pytest.raises(ConflictError, match="changed elsewhere"):
        save_answers(db, round_, TOWNSHIP, "619901001", {"staff_total": 60}, username="tab2", source="web",
                     expected_version=1)  # fmt: skip
    assert counts(db) == before
    assert answers(db, TOWNSHIP, get_response(db, round_.id, "619901001").id) == {"staff_total": 50}


def test_import_skips_submitted_and_approved_responses(db, round_):
    save_answers(db, round_, TOWNSHIP, "619901001", COMPLETE, username="c", source="web")
    submit(db, round_, TOWNSHIP, get_response(db, round_.id, "619901001"), username="c")
    summary = import_answers(db, round_, TOWNSHIP, [("619901001", {"staff_total": 1}), ("619901002", {"staff_total": 2})],
                             username="cli")  # fmt: skip
    assert summary.skipped == ["619901001"] and summary.created == 1
    assert answers(db, TOWNSHIP, get_response(db, round_.id, "619901001").id)["staff_total"] == 53


def test_an_import_stores_each_answer_exactly_as_a_save_does(db, round_, tmp_path):
    area = 0.1 + 0.2  # a float whose shortest text has 17 digits
    given = {**COMPLETE, "floor_area": area, "ownership": COMPLETE["ownership"]}
    import_answers(db, round_, TOWNSHIP, [("619901001", given)], username="importer")
    other = store_with(tmp_path / "saved.db", UNITS, TOWNSHIP)
    saved_round = xixian_round(other, TOWNSHIP)
    save_answers(other, saved_round, TOWNSHIP, "619901001", given, username="centre", source="web")
    sql = "SELECT item_id, value, typeof(value) FROM answers ORDER BY item_id"
    imported, saved = db.execute(sql).fetchall(), other.execute(sql).fetchall()
    assert imported == saved and len(imported) == len([v for v in given.values() if v is not None])
    assert ("floor_area", area, "real") in imported
    assert answers(db, TOWNSHIP, get_response(db, round_.id, "619901001").id) == answers(
        other, TOWNSHIP, get_response(other, saved_round.id, "619901001").id
    )


def test_an_import_with_a_bad_item_writes_nothing(db, round_):
    before = counts(db)
    with pytest.raises(StoreError, match="'staff_totl' is not an item"):
        import_answers(db, round_, TOWNSHIP, [("619901002", {"staff_total": 2}), ("619902001", {"staff_totl": 1})],
                       username="cli")  # fmt: skip
    assert counts(db) == before


def test_an_import_naming_units_that_do_not_answer_the_round_writes_nothing(db, round_):
    """A community centre (the round is for township centres), a county and no unit at all: named, none written."""
    before = counts(db)
    rows = [("619901002", {"staff_total": 2}), ("619902100", {"staff_total": 3}), ("619901", {}), ("nowhere", {})]
    with pytest.raises(StoreError, match="these units do not answer round 1: 619902100, 619901, nowhere") as refused:
        import_answers(db, round_, TOWNSHIP, rows, username="cli")
    assert refused.value.text("zh") == "以下机构不是轮次 1 的参评机构：619902100, 619901, nowhere"
    assert counts(db) == before
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1  # looked up again after a bulk write
    import_answers(db, round_, TOWNSHIP, rows[:1], username="cli")
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO answers (response_id, item_id, value) VALUES (999, 'staff_total', 1)")


def test_review_state_machine(db, round_):
    save_answers(db, round_, TOWNSHIP, "619901001", {"staff_total": 53}, username="c", source="web")
    response = get_response(db, round_.id, "619901001")
    with pytest.raises(StoreError, match="cannot submit yet: Service population: required") as refused:
        submit(db, round_, TOWNSHIP, response, username="c")
    assert refused.value.text("zh").startswith("还不能提交：服务人口：必填；")
    with pytest.raises(StoreError, match="the response is draft, not awaiting review"):
        approve(db, round_, response, level=1, username="e")
    save_answers(db, round_, TOWNSHIP, "619901001", COMPLETE, username="c", source="web")
    response = submit(db, round_, TOWNSHIP, get_response(db, round_.id, "619901001"), username="c")
    assert (response.status, response.review_level) == ("submitted", 0)
    with pytest.raises(StoreError, match="cannot be changed"):
        save_answers(db, round_, TOWNSHIP, "619901001", {"staff_total": 1}, username="c", source="web")
    with pytest.raises(StoreError, match="the response is already submitted"):
        submit(db, round_, TOWNSHIP, response, username="c")
    with pytest.raises(StoreError, match="awaits county review, not city re-check"):
        approve(db, round_, response, level=2, username="city")
    with pytest.raises(StoreError, match="say what to correct"):
        send_back(db, round_, response, level=1, username="county")
    response = send_back(db, round_, response, level=1, username="county", comment="请核对",
                               item_comments={"staff_prof_tech": "与人事报表不一致"})  # fmt: skip
    assert response.status == "returned"
    response = submit(db, round_, TOWNSHIP, response, username="c")
    response = approve(db, round_, response, level=1, username="county")
    assert (response.status, response.review_level) == ("submitted", 1)
    response = approve(db, round_, response, level=2, username="city")
    assert (response.status, response.review_level) == ("approved", 2)
    with pytest.raises(StoreError, match="the response is approved, not awaiting review"):
        send_back(db, round_, response, level=2, username="city", comment="x")
    with pytest.raises(StoreError, match="round .* has no review level 3"):
        approve(db, round_, response, level=3, username="province")
    assert [h["action"] for h in history(db, response.id)] == ["submit", "return", "submit", "approve", "approve"]
    assert history(db, response.id)[1]["item_comments"] == {"staff_prof_tech": "与人事报表不一致"}


def test_stale_review_is_refused(db, round_):
    save_answers(db, round_, TOWNSHIP, "619901001", COMPLETE, username="c", source="web")
    stale = submit(db, round_, TOWNSHIP, get_response(db, round_.id, "619901001"), username="c")
    approve(db, round_, stale, level=1, username="county")
    steps = history(db, stale.id)
    with pytest.raises(ConflictError, match="changed elsewhere"):
        approve(db, round_, stale, level=1, username="county-again")
    assert history(db, stale.id) == steps and get_response(db, round_.id, "619901001").review_level == 1


def test_a_round_with_no_review_levels_approves_on_submit(db):
    round_ = create_round(db, TOWNSHIP.id, "2025", "自评", review_levels=0)
    save_answers(db, round_, TOWNSHIP, "619901001", COMPLETE, username="c", source="web")
    assert submit(db, round_, TOWNSHIP, get_response(db, round_.id, "619901001"), username="c").status == "approved"


def test_closed_round_takes_no_answers(db, round_):
    set_status(db, round_, "closed")
    with pytest.raises(StoreError, match="is closed"):
        save_answers(
            db, get_round(db, round_.id), TOWNSHIP, "619901001", {"staff_total": 1}, username="c", source="web"
        )


def test_scores_use_verified_values_and_are_stored_when_answers_change(db, round_):
    save_answers(db, round_, TOWNSHIP, "619901001", COMPLETE, username="c", source="web")
    save_answers(db, round_, TOWNSHIP, "619901002", {**COMPLETE, "staff_prof_tech": 50}, username="c", source="web")
    response = get_response(db, round_.id, "619901001")
    assert stored_scores(db, round_).scores.value("prof_tech_share", 0) == pytest.approx(45 / 53)
    db.execute("UPDATE answers SET verified = 48 WHERE response_id = ? AND item_id = 'staff_prof_tech'", [response.id])
    result = round_scores(db, round_)
    assert result.scores.value("prof_tech_share", 0) == pytest.approx(48 / 53)
    assert stored_scores(db, round_).scores.value("prof_tech_share", 0) == pytest.approx(45 / 53)  # written behind
    assert rescore(db, round_) == 2
    stored = stored_scores(db, round_)
    assert stored.scores.value("prof_tech_share", 0) == pytest.approx(48 / 53)
    row = db.execute("SELECT total, grade FROM results WHERE response_id = ?", [response.id]).fetchone()
    assert row[0] == result.scores.total[0] and row[1] == result.scores.grade_id(0)
    save_answers(db, round_, TOWNSHIP, "619901001", {"staff_total": 60}, username="c", source="web")
    assert stored_scores(db, round_).scores.value("prof_tech_share", 0) == pytest.approx(48 / 60)


def test_clearing_an_answer_keeps_the_verified_value_beside_it(db, round_):
    save_answers(db, round_, TOWNSHIP, "619901001", {"staff_total": 53}, username="c", source="web")
    response = get_response(db, round_.id, "619901001")
    db.execute("UPDATE answers SET verified = 50 WHERE response_id = ? AND item_id = 'staff_total'", [response.id])
    save_answers(db, round_, TOWNSHIP, "619901001", {"staff_total": None}, username="c", source="web")
    row = db.execute("SELECT value, verified FROM answers WHERE response_id = ?", [response.id]).fetchall()
    assert row == [(None, 50)]
    assert answers(db, TOWNSHIP, response.id) == {"staff_total": None}
    assert answers(db, TOWNSHIP, response.id, verified=True) == {"staff_total": 50}
    assert list(db.query("SELECT old, new FROM audit WHERE item_id = 'staff_total' ORDER BY id"))[-1] == {
        "old": 53,
        "new": None,
    }


def test_requests_do_not_migrate(app, client, auth, monkeypatch):
    """The app factory migrated the file; a request's connection does no schema work."""
    from survey import db as database

    auth.as_user("doumen")

    def refuse(db):
        raise AssertionError("a request ran the migrations")

    monkeypatch.setattr(database.migrations, "pending", refuse)
    monkeypatch.setattr(database.migrations, "apply", refuse)
    assert "斗门卫生院" in client.get("/rounds").get_data(as_text=True)


def test_the_live_card_and_the_league_score_the_demo_alike(app_db, client, auth, tmp_path):
    """One scoring path: every response scores the same on the centre's live card (answers read one by one),
    in the stored results the league page shows, and in the league workbook written from them; clause levels
    included, the evaluator's level before the centre's own."""
    import math
    import re

    import openpyxl

    import instruments
    from survey.assessment import write_league
    from survey.store.ratings import clause_ratings
    from survey.store.rounds import list_rounds, round_instrument

    compared, clauses_compared, verified_first = 0, 0, 0
    auth.as_user("admin")
    for round_ in list_rounds(app_db):
        instrument = round_instrument(app_db, round_)
        league = stored_scores(app_db, round_)
        html = client.get(f"/reports/rounds/{round_.id}?page=1").get_data(as_text=True)
        shown = dict(re.findall(r'<tr data-code="(\w+)">.*?data-total>([^<]*)</td>', html, re.S))
        path = tmp_path / f"league-{round_.id}.xlsx"
        write_league(app_db, round_, path, None)
        book = openpyxl.load_workbook(path, read_only=True)
        data = {(row[0], row[2]): row for row in book["data"].iter_rows(min_row=2, values_only=True)}
        book.close()
        for row, response in enumerate(league.responses):
            live = instruments.score(instrument, answers(app_db, instrument, response.id, verified=True))
            total = float(league.scores.total[row])
            assert live.total == (None if math.isnan(total) else total), response.org_code
            assert live.grade == league.scores.grade_id(row)
            assert shown[response.org_code] == ("—" if live.total is None else f"{live.total:.1f}")
            for ind in instrument.indicators:
                assert live.indicators[ind.id].value == league.scores.value(ind.id, row), (response.org_code, ind.id)
                assert live.indicators[ind.id].status == league.scores.status(ind.id, row)
                cells = data[(response.org_code, ind.id)]
                value = live.indicators[ind.id].value
                if isinstance(value, bool):
                    value = float(value)
                if value is None or isinstance(value, float):  # a workbook keeps 15 significant digits
                    assert cells[3] == (None if value is None else pytest.approx(value, rel=1e-14)), ind.id
                if ind.scored:
                    met = live.indicators[ind.id].met
                    assert cells[4] == (None if met is None else int(met)), (response.org_code, ind.id)
            for clause in instrument.clauses:
                assert live.clauses[clause.id] == league.scores.clause(clause.id, row), (response.org_code, clause.id)
                clauses_compared += 1
            assert live.requirements == league.scores.requirement_results(row)
            for clause_id, rated in clause_ratings(app_db, instrument, response.id).items():
                if (
                    rated.verified not in (None, rated.reported)
                    and rated.verified in instrument.clause[clause_id].level_ids
                ):
                    assert live.clauses[clause_id].level == rated.verified
                    verified_first += 1
            compared += 1
    assert compared == 18 * 2 + 6 + 5  # both years of Xixian, Pingwu's 2024 and 2025 (one has not started)
    assert clauses_compared == 23 * 99 and verified_first > 0  # the 2025 round is clause-based, rated by counties


def _stored_totals(db, round_):
    return dict(db.execute("SELECT org_code, total FROM results WHERE round_id = ?", [round_.id]).fetchall())


def test_every_centre_of_a_large_import_is_scored_from_its_own_answers(tmp_path):
    """Scored together past one IN (...) list of 500: each centre's stored total is its own answers' total."""
    db, round_, codes = county_round(tmp_path / "large.db", 650, TOWNSHIP)
    given = answers_from_columns(TOWNSHIP, township_columns(len(codes), 11, instrument=TOWNSHIP))
    import_answers(db, round_, TOWNSHIP, list(zip(codes, given, strict=True)), username="importer")
    stored = _stored_totals(db, round_)
    expected = instruments.score_many(TOWNSHIP, given).total
    assert [stored[code] for code in codes] == pytest.approx(expected.tolist(), nan_ok=True)
    rescore(db, round_)  # `survey score` scores the round again the same way, from the answers read back
    assert _stored_totals(db, round_) == stored


def test_a_round_scored_again_by_forked_readers_stores_what_one_process_stores(tmp_path, monkeypatch):
    """`survey score` past one batch: other processes read the batches, this one scores and writes them."""
    db, round_, codes = county_round(tmp_path / "large.db", 650, TOWNSHIP)
    given = answers_from_columns(TOWNSHIP, township_columns(len(codes), 12, instrument=TOWNSHIP))
    import_answers(db, round_, TOWNSHIP, list(zip(codes, given, strict=True)), username="importer")
    db.execute("DELETE FROM results")
    db.conn.commit()
    monkeypatch.setattr(results, "SCORE_BATCH", 1_000)  # one batch: read here
    assert rescore(db, round_) == 650
    alone = stored_results(db)
    read = results.round_columns

    def spy(db, round_, instrument, codes, **kwargs):
        (tmp_path / f"read-{os.getpid()}-{codes[0]}").touch()  # the reader is another process: tell by a file
        return read(db, round_, instrument, codes, **kwargs)

    monkeypatch.setattr(results, "round_columns", spy)
    monkeypatch.setattr(results, "SCORE_BATCH", 100)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    db.execute("DELETE FROM results")
    db.conn.commit()
    assert rescore(db, round_) == 650
    read_by = [int(path.name.split("-")[1]) for path in tmp_path.glob("read-*")]
    assert len(read_by) == 7 and os.getpid() not in read_by
    assert stored_results(db) == alone
    assert len({row[3] for row in alone}) > 100  # every centre scored from its own answers


def test_a_round_in_memory_is_scored_again_by_this_process_alone(tmp_path, monkeypatch):
    """No other process can open a database in memory: past one batch, its batches are read here."""
    db, round_, codes = county_round(":memory:", 30, TOWNSHIP)
    given = answers_from_columns(TOWNSHIP, township_columns(len(codes), 5, instrument=TOWNSHIP))
    import_answers(db, round_, TOWNSHIP, list(zip(codes, given, strict=True)), username="importer")
    stored = _stored_totals(db, round_)
    read, readers = results.round_columns, []

    def spy(db, round_, instrument, codes, **kwargs):
        readers.append(os.getpid())  # a forked reader's list is its own: this one stays empty
        return read(db, round_, instrument, codes, **kwargs)

    monkeypatch.setattr(results, "round_columns", spy)
    monkeypatch.setattr(results, "SCORE_BATCH", 10)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    db.execute("DELETE FROM results")
    assert rescore(db, round_) == 30
    assert readers == [os.getpid()] * 3
    assert _stored_totals(db, round_) == stored


def test_an_import_of_new_and_existing_centres_scores_each_from_its_answers_as_they_stand(tmp_path):
    """New centres are scored from the answers just read, existing ones from what is stored after the import."""
    db, round_, codes = county_round(tmp_path / "large.db", 40, TOWNSHIP)
    first = answers_from_columns(TOWNSHIP, township_columns(20, 3, instrument=TOWNSHIP))
    import_answers(db, round_, TOWNSHIP, list(zip(codes[:20], first, strict=True)), username="importer")
    second = answers_from_columns(TOWNSHIP, township_columns(40, 4, instrument=TOWNSHIP))
    changed = [{item_id: second[k][item_id] for item_id in list(second[k])[:10]} for k in range(10)]
    import_answers(
        db, round_, TOWNSHIP, [*zip(codes[:10], changed, strict=True), *zip(codes[20:], second[20:], strict=True)],
        username="importer",
    )  # fmt: skip
    now = [{**first[k], **changed[k]} for k in range(10)] + first[10:20] + second[20:]
    expected = instruments.score_many(TOWNSHIP, now).total
    stored = _stored_totals(db, round_)
    assert [stored[code] for code in codes] == pytest.approx(expected.tolist(), nan_ok=True)
    assert len(set(stored.values())) > 20  # the centres' totals differ: each was scored from its own answers
    rescore(db, round_)
    assert _stored_totals(db, round_) == stored
