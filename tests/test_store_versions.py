"""Retiring an instrument version: no new round opens on it, rounds already on it carry on, and it can come back."""

import pytest
from test_store import COMPLETE, TOWNSHIP, UNITS, counts

import instruments
from survey import db as database
from survey.store import NotFoundError, StoreError
from survey.store.editing import save_answers
from survey.store.orgs import save_units
from survey.store.results import rescore
from survey.store.rounds import create_round, get_round, round_instrument
from survey.store.scores import round_scores, stored_scores
from survey.store.versions import restore_version, retire_version, retirements, save_instrument

NEXT = instruments.load_text(TOWNSHIP.source.replace('version: "2025.1"', 'version: "2026.1"'))


@pytest.fixture
def db(tmp_path):
    db = database.connect(tmp_path / "survey.db")
    save_units(db, UNITS)
    save_instrument(db, TOWNSHIP)
    save_instrument(db, NEXT)
    return db


def audit_rows(db):
    return [dict(row) for row in db.query("SELECT * FROM audit WHERE action = 'instrument.retired' ORDER BY id")]


def test_a_version_is_retired_and_restored_each_time_audited(db):
    retire_version(db, TOWNSHIP.id, "2025.1", username="admin")
    found = retirements(db)[(TOWNSHIP.id, "2025.1")]
    assert found.by == "admin" and found.at
    assert (TOWNSHIP.id, "2026.1") not in retirements(db)
    retire_version(db, TOWNSHIP.id, "2025.1", username="other")  # already retired: nothing changes
    assert retirements(db)[(TOWNSHIP.id, "2025.1")] == found
    restore_version(db, TOWNSHIP.id, "2025.1", username="admin2")
    assert retirements(db) == {}
    rows = audit_rows(db)
    assert [(r["username"], r["item_id"], r["old"], r["new"]) for r in rows] == [
        ("admin", "township-health-centre 2025.1", 0, 1),
        ("admin2", "township-health-centre 2025.1", 1, 0),
    ]
    assert all(r["at"] for r in rows)


def test_the_last_version_in_use_cannot_be_retired(db):
    retire_version(db, TOWNSHIP.id, "2026.1", username="admin")
    before = counts(db) | {"retired": len(retirements(db)), "trail": len(audit_rows(db))}
    with pytest.raises(StoreError) as refused:
        retire_version(db, TOWNSHIP.id, "2025.1", username="admin")
    assert refused.value.text("zh") == (
        "版本 2025.1 是问卷 township-health-centre 唯一未停用的版本，不能停用；请先载入或恢复使用另一个版本"
    )
    assert "only version of township-health-centre in use" in refused.value.text("en")
    assert counts(db) | {"retired": len(retirements(db)), "trail": len(audit_rows(db))} == before


def test_an_unknown_version_is_not_found(db):
    with pytest.raises(NotFoundError, match="version 9.9"):
        retire_version(db, TOWNSHIP.id, "9.9", username="admin")
    with pytest.raises(NotFoundError, match="version 9.9"):
        restore_version(db, TOWNSHIP.id, "9.9", username="admin")
    assert audit_rows(db) == []


def test_a_round_opened_without_a_version_gets_the_latest_not_retired(db):
    assert create_round(db, TOWNSHIP.id, "2025", "甲").version == "2026.1"
    retire_version(db, TOWNSHIP.id, "2026.1", username="admin")
    assert create_round(db, TOWNSHIP.id, "2026", "乙").version == "2025.1"
    restore_version(db, TOWNSHIP.id, "2026.1", username="admin")
    assert create_round(db, TOWNSHIP.id, "2027", "丙").version == "2026.1"


def test_a_retired_version_asked_for_is_refused_and_nothing_written(db):
    retire_version(db, TOWNSHIP.id, "2025.1", username="admin")
    rounds = db["rounds"].count
    with pytest.raises(StoreError) as refused:
        create_round(db, TOWNSHIP.id, "2025", "2025年度评估", version="2025.1")
    assert refused.value.text("zh").startswith("问卷 township-health-centre 的版本 2025.1 已停用")
    assert refused.value.text("en").startswith("township-health-centre version 2025.1 is retired")
    assert db["rounds"].count == rounds


def test_a_round_running_on_a_retired_version_keeps_it_and_still_scores(db):
    round_ = create_round(db, TOWNSHIP.id, "2025", "2025年度评估", version="2025.1", scope_code="6199")
    save_answers(db, round_, TOWNSHIP, "619901001", COMPLETE, username="c", source="web")
    expected = stored_scores(db, round_).scores.value("prof_tech_share", 0)
    retire_version(db, TOWNSHIP.id, "2025.1", username="admin")
    round_ = get_round(db, round_.id)
    assert round_.version == "2025.1" and round_instrument(db, round_).version == "2025.1"
    save_answers(db, round_, TOWNSHIP, "619901002", {**COMPLETE, "staff_prof_tech": 50}, username="c", source="web")
    assert rescore(db, round_) == 2
    assert round_scores(db, round_).scores.value("prof_tech_share", 0) == pytest.approx(expected)
    assert stored_scores(db, round_).scores.value("prof_tech_share", 1) == pytest.approx(50 / 53)


def test_migrating_keeps_stored_versions_in_use(db):
    assert {"retired_at", "retired_by"} <= set(db["instruments"].columns_dict)
    assert db.execute("SELECT count(*) FROM instruments WHERE retired_at IS NULL").fetchone()[0] == 2
