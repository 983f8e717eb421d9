"""Clause ratings, evidence files and appeals in the store, on the clause-based township instrument (2026.1)."""

import io
import os
import zipfile

import openpyxl
import pytest
from helpers import XIXIAN, county_round, store_with, stored_results, xixian_round

from instruments.library import get
from instruments.synthetic import answers_from_columns, township_columns
from survey import db as database
from survey.demo_files import pdf, png
from survey.store import ConflictError, NotFoundError, StoreError, results
from survey.store import appeals as appeal_store
from survey.store import evidence as evidence_store
from survey.store.editing import import_answers, save_answers
from survey.store.lifecycle import approve, submit
from survey.store.ratings import RatingError, clause_ratings, rate, self_rate, write_ratings
from survey.store.responses import answers, get_response, round_columns
from survey.store.results import rescore
from survey.store.rounds import change_status, get_round
from survey.store.users import User

TOWNSHIP = get("township-health-centre", "2026.1")
DOUMEN, WANGSI = "619901001", "619901002"
CENTRE = User(1, "doumen", "centre", DOUMEN, True)
OTHER_CENTRE = User(2, "wangsi", "centre", WANGSI, True)
COUNTY = User(3, "fengdong", "evaluator", "619901", True)
OTHER_COUNTY = User(4, "fengxi", "evaluator", "619902", True)
CITY = User(5, "xixian-city", "evaluator", "6199", True)
COMPLETE = answers_from_columns(
    TOWNSHIP, township_columns(1, 5, staff=[53], prof_tech=[45], blank_share=0, instrument=TOWNSHIP)
)[0]
REQUIRED = [c.id for c in TOWNSHIP.onsite_clauses if c.evidence == "required"]
ONSITE = next(c for c in TOWNSHIP.onsite_clauses if c.evidence == "optional")  # a clause to rate
AUTO = next(c for c in TOWNSHIP.clauses if c.auto)


@pytest.fixture
def db(tmp_path):
    return store_with(tmp_path / "survey.db", XIXIAN, TOWNSHIP)


@pytest.fixture
def round_(db):
    return xixian_round(db, TOWNSHIP)


def counts(db):
    tables = ("responses", "answers", "answer_notes", "audit", "evidence", "appeals")
    return {t: db[t].count for t in tables}


def stored_files(db):
    folder = evidence_store.folder(db)
    return sorted(p.name for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def xlsx() -> bytes:
    book, buffer = openpyxl.Workbook(), io.BytesIO()
    book.active["A1"] = "设备台账"
    book.save(buffer)
    return buffer.getvalue()


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def jpeg() -> bytes:
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"


def submitted(db, round_, code=DOUMEN, user=CENTRE):
    """A complete response with every required file attached, submitted."""
    save_answers(db, round_, TOWNSHIP, code, COMPLETE, username="c", source="web")
    for clause_id in REQUIRED:
        evidence_store.add_evidence(db, round_, TOWNSHIP, code, clause_id, "制度.pdf", pdf(clause_id), user)
    return submit(db, round_, TOWNSHIP, get_response(db, round_.id, code), username="c")


# ---------------------------------------------------------------- ratings


def test_a_self_rating_is_an_answer_keyed_by_the_clause_audited_and_versioned(db, round_):
    response, changed = self_rate(db, round_, TOWNSHIP, DOUMEN, {ONSITE.id: ("b级", "有制度和记录")}, username="doumen")
    assert (changed, response.version) == (2, 2)  # the level and the note
    assert answers(db, TOWNSHIP, response.id)[ONSITE.id] == "B"
    assert clause_ratings(db, TOWNSHIP, response.id)[ONSITE.id].note == "有制度和记录"
    trail = list(db.query("SELECT action, item_id, old, new FROM audit ORDER BY id"))
    assert trail == [
        {"action": "self_rating", "item_id": ONSITE.id, "old": None, "new": "B"},
        {"action": "self_rating_note", "item_id": ONSITE.id, "old": None, "new": "有制度和记录"},
    ]
    columns = round_columns(db, get_round(db, round_.id), TOWNSHIP, [DOUMEN, WANGSI])
    assert columns[ONSITE.id][0] == 2 and columns[ONSITE.id][1] != columns[ONSITE.id][1]  # B is the 2nd level; NaN
    response, changed = self_rate(db, round_, TOWNSHIP, DOUMEN, {ONSITE.id: ("B", "有制度和记录")}, username="doumen",
                                  expected_version=2)  # fmt: skip
    assert (changed, response.version) == (0, 2)  # nothing changed, nothing written
    with pytest.raises(ConflictError, match="changed elsewhere"):
        self_rate(db, round_, TOWNSHIP, DOUMEN, {ONSITE.id: ("A", "")}, username="doumen", expected_version=1)


def test_a_self_rating_cleared_leaves_no_row_unless_an_evaluator_s_level_stands_beside_it(db, round_):
    response, _ = self_rate(db, round_, TOWNSHIP, DOUMEN, {ONSITE.id: ("B", ""), REQUIRED[0]: ("C", "")}, username="d")
    write_ratings(
        db, TOWNSHIP, response, {REQUIRED[0]: ("A", "")}, verified=True, username="c", source="review", level=1
    )
    response, changed = self_rate(db, round_, TOWNSHIP, DOUMEN, {ONSITE.id: ("", ""), REQUIRED[0]: (None, "")},
                                  username="d")  # fmt: skip
    assert changed == 2
    rows = db.execute("SELECT item_id, value, verified FROM answers WHERE response_id = ?", [response.id]).fetchall()
    assert rows == [(REQUIRED[0], None, "A")]  # the cleared self-rating with no evaluator's level has no row
    assert answers(db, TOWNSHIP, response.id, verified=True) == {REQUIRED[0]: "A"}


@pytest.mark.parametrize(
    "given, code, message",
    [
        ({"__x": ("B", "")}, "rating_unknown_clause", "not a clause of this instrument"),
        ({AUTO.id: ("B", "")}, "rated_from_answers", "is rated from the answers"),
        ({ONSITE.id: ("D", "")}, "not_a_level", "'D' is not a level of clause"),
        ({ONSITE.id: ("不适用", "")}, "rating_needs_reason", "give a reason when choosing"),
        ({ONSITE.id: ("C", "很" * 2001)}, "rating_note_too_long", "at most 2,000 characters"),
    ],
)
def test_a_rating_that_does_not_fit_writes_nothing(db, round_, given, code, message):
    self_rate(db, round_, TOWNSHIP, DOUMEN, {REQUIRED[0]: ("C", "")}, username="doumen")
    before = counts(db)
    with pytest.raises(RatingError, match=message) as refused:
        self_rate(db, round_, TOWNSHIP, DOUMEN, {REQUIRED[0]: ("A", ""), **given}, username="doumen")
    assert refused.value.code == code and refused.value.clause_id == next(iter(given))
    assert counts(db) == before
    assert answers(db, TOWNSHIP, get_response(db, round_.id, DOUMEN).id)[REQUIRED[0]] == "C"


def test_the_evaluator_s_level_is_verified_scored_first_and_the_self_rating_stays(db, round_):
    response = submitted(db, round_)
    with pytest.raises(StoreError, match="submitted and awaits review"):
        self_rate(db, round_, TOWNSHIP, DOUMEN, {ONSITE.id: ("A", "")}, username="doumen")
    with pytest.raises(StoreError, match="awaits county review, not city re-check"):
        rate(db, round_, TOWNSHIP, response, {ONSITE.id: ("C", "")}, CITY)
    with pytest.raises(NotFoundError):
        rate(db, round_, TOWNSHIP, response, {ONSITE.id: ("C", "")}, OTHER_COUNTY)
    self_rated = clause_ratings(db, TOWNSHIP, response.id).get(ONSITE.id)
    response, changed = rate(db, round_, TOWNSHIP, response, {ONSITE.id: ("未达到", "现场未见记录")}, COUNTY,
                             expected_version=response.version)  # fmt: skip
    assert changed == 2
    rated = clause_ratings(db, TOWNSHIP, response.id)[ONSITE.id]
    assert (rated.verified, rated.comment, rated.verified_level) == ("below", "现场未见记录", 1)
    assert rated.reported == (self_rated.reported if self_rated else None)
    assert answers(db, TOWNSHIP, response.id, verified=True)[ONSITE.id] == "below"
    columns = round_columns(db, get_round(db, round_.id), TOWNSHIP, [DOUMEN])
    assert columns[ONSITE.id][0] == 0  # below the first level
    with pytest.raises(RatingError, match="give a reason when choosing"):
        rate(db, round_, TOWNSHIP, response, {ONSITE.id: ("not_applicable", " ")}, COUNTY)


# ---------------------------------------------------------------- evidence


@pytest.mark.parametrize(
    "make, kind",
    [(lambda: pdf("x"), "pdf"), (lambda: png(1), "png"), (jpeg, "jpeg"), (xlsx, "xlsx"), (docx, "docx")],
)
def test_evidence_is_recognised_by_content_and_stored_by_hash(db, round_, make, kind):
    data = make()
    found = evidence_store.add_evidence(db, round_, TOWNSHIP, DOUMEN, ONSITE.id, "任意名称.bin", data, CENTRE)
    assert (found.kind, found.size, found.name) == (kind, len(data), "任意名称.bin")
    with evidence_store.open_file(db, found) as file:
        assert file.read() == data
    again = evidence_store.add_evidence(db, round_, TOWNSHIP, DOUMEN, "staff_total", "again", data, CENTRE)
    assert again.sha256 == found.sha256 and stored_files(db) == [found.sha256]  # one file, two attachments
    audit = list(db.query("SELECT action, item_id, new FROM audit WHERE action = 'evidence_add' ORDER BY id"))
    assert audit[0] == {"action": "evidence_add", "item_id": ONSITE.id, "new": "任意名称.bin"}


def zip_of(*names):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "x")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "name, data, code",
    [
        ("制度.pdf", b"just text, named like a PDF", "evidence_type"),
        ("photo.png", b"GIF89a" + b"\x00" * 40, "evidence_type"),
        ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>', "evidence_type"),
        ("archive.docx", zip_of("readme.txt"), "evidence_type"),
        ("slides.pptx", zip_of("[Content_Types].xml", "ppt/presentation.xml"), "evidence_type"),
        ("empty.pdf", b"", "file_empty"),
        ("big.pdf", pdf("x") + b"\x00" * (10 * 1024 * 1024), "evidence_size"),
    ],
)
def test_a_file_of_another_type_or_too_large_is_refused_and_nothing_stored(db, round_, name, data, code):
    before = counts(db)
    with pytest.raises(evidence_store.EvidenceError) as refused:
        evidence_store.add_evidence(db, round_, TOWNSHIP, DOUMEN, ONSITE.id, name, data, CENTRE)
    assert refused.value.code == code and refused.value.name == name
    assert counts(db) == before and stored_files(db) == []


def test_a_response_holds_at_most_its_share_of_files(db, round_, monkeypatch):
    monkeypatch.setattr(evidence_store, "MAX_RESPONSE", len(pdf("a")) + len(pdf("b")))
    evidence_store.add_evidence(db, round_, TOWNSHIP, DOUMEN, ONSITE.id, "a.pdf", pdf("a"), CENTRE)
    evidence_store.add_evidence(db, round_, TOWNSHIP, DOUMEN, ONSITE.id, "b.pdf", pdf("b"), CENTRE)
    before, files = counts(db), stored_files(db)
    with pytest.raises(evidence_store.EvidenceError, match="may not exceed .* in all") as refused:
        evidence_store.add_evidence(db, round_, TOWNSHIP, DOUMEN, ONSITE.id, "c.pdf", pdf("c"), CENTRE)
    assert refused.value.code == "evidence_total" and counts(db) == before and stored_files(db) == files


@pytest.mark.parametrize(
    "user, target, code",
    [
        (OTHER_CENTRE, ONSITE.id, "evidence_other_centre"),
        (COUNTY, ONSITE.id, "evidence_other_centre"),
        (CENTRE, AUTO.id, "evidence_target"),
        (CENTRE, "__nothing", "evidence_target"),
    ],
)
def test_a_file_for_another_centre_or_no_item_is_refused(db, round_, user, target, code):
    before = counts(db)
    with pytest.raises(evidence_store.EvidenceError) as refused:
        evidence_store.add_evidence(db, round_, TOWNSHIP, DOUMEN, target, "a.pdf", pdf("a"), user)
    assert refused.value.code == code and counts(db) == before and stored_files(db) == []


def test_files_wait_while_the_response_is_reviewed_and_removal_is_audited(db, round_):
    response = submitted(db, round_)
    before = counts(db)
    with pytest.raises(evidence_store.EvidenceError) as refused:
        evidence_store.add_evidence(db, round_, TOWNSHIP, DOUMEN, ONSITE.id, "late.pdf", pdf("late"), CENTRE)
    assert refused.value.code == "evidence_locked" and counts(db) == before
    first = evidence_store.evidence_of(db, response.id)[REQUIRED[0]][0]
    with pytest.raises(evidence_store.EvidenceError, match="can no longer be added or removed"):
        evidence_store.remove_evidence(db, round_, response, first.id, CENTRE)
    with pytest.raises(NotFoundError):
        evidence_store.remove_evidence(db, round_, response, first.id, OTHER_CENTRE)
    assert counts(db) == before


def test_submission_waits_for_every_required_file_unless_rated_not_applicable(db, round_):
    save_answers(db, round_, TOWNSHIP, DOUMEN, COMPLETE, username="c", source="web")
    for clause_id in REQUIRED[1:]:
        evidence_store.add_evidence(db, round_, TOWNSHIP, DOUMEN, clause_id, "制度.pdf", pdf(clause_id), CENTRE)
    number = TOWNSHIP.clause[REQUIRED[0]].number
    with pytest.raises(StoreError, match=f"clause {number}: evidence must be uploaded"):
        submit(db, round_, TOWNSHIP, get_response(db, round_.id, DOUMEN), username="c")
    self_rate(db, round_, TOWNSHIP, DOUMEN, {REQUIRED[0]: ("不适用", "本院不开展")}, username="doumen")
    assert submit(db, round_, TOWNSHIP, get_response(db, round_.id, DOUMEN), username="c").status == "submitted"


def test_a_removed_file_leaves_the_store_and_a_backup_copies_what_it_names(db, round_, tmp_path):
    found = evidence_store.add_evidence(db, round_, TOWNSHIP, DOUMEN, ONSITE.id, "a.png", png(3), CENTRE)
    kept = evidence_store.add_evidence(db, round_, TOWNSHIP, DOUMEN, ONSITE.id, "b.pdf", pdf("b"), CENTRE)
    response = get_response(db, round_.id, DOUMEN)
    evidence_store.remove_evidence(db, round_, response, found.id, CENTRE)
    assert [e.id for e in evidence_store.evidence_of(db, response.id)[ONSITE.id]] == [kept.id]
    assert list(db.query("SELECT action, old FROM audit WHERE action = 'evidence_remove'")) == [
        {"action": "evidence_remove", "old": "a.png"}
    ]
    from survey import assessment

    backup = tmp_path / "backups" / "copy.db"
    assessment.backup(db, backup)
    copied = sorted(p.name for p in (backup.parent / "evidence").rglob("*") if p.is_file())
    assert copied == [kept.sha256]  # the removed one is no longer named by the database copied
    again = database.connect(backup)
    with evidence_store.open_file(again, evidence_store.get_evidence(again, kept.id)) as file:
        assert file.read() == pdf("b")  # the backup folder is an instance folder of its own
    again.close()


# ---------------------------------------------------------------- appeals


@pytest.fixture
def disputed(db, round_):
    """Doumen self-rated a clause B and attached its files; the county rated it C and approved."""
    self_rate(db, round_, TOWNSHIP, DOUMEN, {ONSITE.id: ("B", "")}, username="doumen")
    response = submitted(db, round_)
    rate(db, round_, TOWNSHIP, response, {ONSITE.id: ("C", "记录不全")}, COUNTY)
    approve(db, round_, get_response(db, round_.id, DOUMEN), level=1, username="fengdong")
    return get_response(db, round_.id, DOUMEN)


def test_an_appeal_accepted_makes_the_centre_s_level_the_verified_one(db, round_, disputed):
    assert appeal_store.disputes(db, TOWNSHIP, disputed.id)[ONSITE.id].level == 1
    lodged = appeal_store.lodge(db, round_, TOWNSHIP, DOUMEN, ONSITE.id, "记录已补齐", CENTRE,
                                response_id=disputed.id, file=("补充记录.pdf", pdf("more")))  # fmt: skip
    assert (lodged.status, lodged.reported, lodged.verified, lodged.level) == ("pending", "B", "C", 1)
    assert evidence_store.evidence_of(db, disputed.id)[ONSITE.id][-1].appeal_id == lodged.id
    assert [row["id"] for row in appeal_store.for_evaluator(db, round_, COUNTY)] == [lodged.id]
    assert appeal_store.for_evaluator(db, round_, CITY) == []  # decided at the county's level
    with pytest.raises(appeal_store.AppealError, match="decided by the review level that verified"):
        appeal_store.decide(db, round_, TOWNSHIP, lodged.id, True, "", CITY)
    with pytest.raises(appeal_store.AppealsPendingError, match=f"{DOUMEN} {ONSITE.id}"):
        appeal_store.check_closable(db, round_)
    version = get_response(db, round_.id, DOUMEN).version
    decided = appeal_store.decide(db, round_, TOWNSHIP, lodged.id, True, "", COUNTY)
    assert (decided.status, decided.decided_by) == ("accepted", "fengdong")
    assert answers(db, TOWNSHIP, disputed.id, verified=True)[ONSITE.id] == "B"
    assert get_response(db, round_.id, DOUMEN).version == version + 1
    assert list(db.query("SELECT action, old, new, source FROM audit WHERE item_id = ? AND action = 'rating' "
                         "ORDER BY id", [ONSITE.id]))[-1] == {"action": "rating", "old": "C", "new": "B",
                                                               "source": "appeal"}  # fmt: skip
    appeal_store.check_closable(db, round_)  # nothing waits now
    with pytest.raises(appeal_store.AppealError, match="nothing to appeal"):
        appeal_store.lodge(db, round_, TOWNSHIP, DOUMEN, ONSITE.id, "再申诉", CENTRE)


def test_an_appeal_rejected_needs_a_reason_and_keeps_the_verified_level(db, round_, disputed):
    lodged = appeal_store.lodge(db, round_, TOWNSHIP, DOUMEN, ONSITE.id, "记录已补齐", CENTRE)
    before = counts(db)
    with pytest.raises(appeal_store.AppealError, match="give a reason when rejecting"):
        appeal_store.decide(db, round_, TOWNSHIP, lodged.id, False, " ", COUNTY)
    assert counts(db) == before
    decided = appeal_store.decide(db, round_, TOWNSHIP, lodged.id, False, "补充的记录日期晚于检查日", COUNTY)
    assert (decided.status, decided.decision) == ("rejected", "补充的记录日期晚于检查日")
    assert answers(db, TOWNSHIP, disputed.id, verified=True)[ONSITE.id] == "C"
    with pytest.raises(appeal_store.AppealError, match="decided already"):
        appeal_store.decide(db, round_, TOWNSHIP, lodged.id, True, "", COUNTY)


@pytest.mark.parametrize(
    "user, item_id, options, code",
    [
        (OTHER_CENTRE, ONSITE.id, {}, "appeal_other_centre"),  # wangsi appealing for doumen
        (CENTRE, ONSITE.id, {"response_id": 999}, "appeal_other_centre"),  # a response not its own
        (CENTRE, REQUIRED[0], {}, "appeal_not_disputed"),  # the county did not change it
        (CENTRE, AUTO.id, {}, "appeal_unknown"),  # auto clauses follow from the answers
        (CENTRE, ONSITE.id, {"reason": " "}, "appeal_reason"),
        (CENTRE, ONSITE.id, {"file": ("notes.txt", b"plain text")}, None),  # the file's refusal undoes the appeal
    ],
)
def test_a_bad_appeal_writes_nothing(db, round_, disputed, user, item_id, options, code):
    options = {"reason": "记录已补齐", **options}
    before, files = counts(db), stored_files(db)
    with pytest.raises(StoreError) as refused:
        appeal_store.lodge(db, round_, TOWNSHIP, DOUMEN, item_id, options.pop("reason"), user, **options)
    if code:
        assert refused.value.code == code and refused.value.item_id == item_id
    else:
        assert isinstance(refused.value, evidence_store.EvidenceError) and refused.value.code == "evidence_type"
    assert counts(db) == before and stored_files(db) == files


def test_a_second_pending_appeal_on_the_same_clause_and_one_in_a_closed_round_are_refused(db, round_, disputed):
    appeal_store.lodge(db, round_, TOWNSHIP, DOUMEN, ONSITE.id, "记录已补齐", CENTRE)
    before = counts(db)
    with pytest.raises(appeal_store.AppealError, match="already pending") as refused:
        appeal_store.lodge(db, round_, TOWNSHIP, DOUMEN, ONSITE.id, "再说一次", CENTRE)
    assert refused.value.code == "appeal_pending" and counts(db) == before
    db.execute("UPDATE appeals SET status = 'rejected'")
    change_status(db, round_, "closed", username="admin")
    with pytest.raises(appeal_store.AppealError, match="is closed"):
        appeal_store.lodge(db, get_round(db, round_.id), TOWNSHIP, DOUMEN, ONSITE.id, "记录已补齐", CENTRE)


def test_ratings_imported_for_more_than_one_part_of_500_are_each_stored_and_audited(tmp_path):
    """Past one IN (...) list: every response's first self-ratings audited once, a later change on its own row."""
    db, round_, codes = county_round(tmp_path / "large.db", 650, TOWNSHIP)
    first, second = TOWNSHIP.onsite_clauses[0], TOWNSHIP.onsite_clauses[1]
    top, below = first.level_ids[-1], second.level_ids[0]
    import_answers(db, round_, TOWNSHIP, [(code, {first.id: top, second.id: below}) for code in codes], username="a")
    rows = db.execute("SELECT item_id, value, count(*) FROM answers GROUP BY item_id, value").fetchall()
    assert sorted(rows) == sorted([(first.id, top, 650), (second.id, below, 650)])
    said = db.execute("SELECT action, item_id, new, count(*) FROM audit GROUP BY action, item_id, new").fetchall()
    assert said == [("import", None, "0 answers", 650), ("import", None, "2 self-ratings, 0 notes", 650)]
    import_answers(db, round_, TOWNSHIP, [(code, {second.id: top}) for code in codes], username="a")
    changed = db.execute("SELECT item_id, old, new, count(*) FROM audit WHERE action = 'self_rating' GROUP BY 1, 2, 3")
    assert changed.fetchall() == [(second.id, below, top, 650)]
    assert db.execute("SELECT count(*) FROM answers WHERE value = ?", [top]).fetchone()[0] == 1300


def test_centres_an_import_creates_without_ratings_are_stored_as_scoring_them_again_stores(tmp_path):
    """Scored from the answers the import holds (no clause read back): the same figures as `survey score`'s."""
    db, round_, codes = county_round(tmp_path / "held.db", 30, TOWNSHIP)
    given = answers_from_columns(TOWNSHIP, township_columns(len(codes), 8, instrument=TOWNSHIP))
    import_answers(db, round_, TOWNSHIP, list(zip(codes, given, strict=True)), username="a")
    held = stored_results(db)
    rescore(db, round_)
    assert stored_results(db) == held
    assert len({row[3] for row in held}) > 10


def test_the_levels_an_import_rates_are_scored_as_they_will_stand_without_reading_them_back(tmp_path):
    """New responses' answers and ratings, and ratings over stored ones, are scored from what the import holds:
    an evaluator's level first, a note alone keeping the stored level; the same figures as `survey score`'s."""
    db, round_, codes = county_round(tmp_path / "rated.db", 30, TOWNSHIP)
    first, second, third = TOWNSHIP.onsite_clauses[:3]
    given = answers_from_columns(TOWNSHIP, township_columns(len(codes), 10, instrument=TOWNSHIP))
    rows = [
        (code, {**answered, first.id: first.level_ids[k % 3], second.id: second.level_ids[-1]})
        for k, (code, answered) in enumerate(zip(codes, given, strict=True))
    ]
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    import_answers(db, round_, TOWNSHIP, rows, username="a")
    assert not [sql for sql in statements if "FROM answers a" in sql]  # nothing read back to score
    held = stored_results(db)
    rescore(db, round_)
    assert stored_results(db) == held
    for code in codes[:5]:  # as a county's rating stands when a response is sent back to the centre
        response = get_response(db, round_.id, code)
        write_ratings(
            db, TOWNSHIP, response, {first.id: ("C", "")}, verified=True, username="c", source="review", level=1
        )
    statements.clear()
    rated = [(code, {first.id: "A", third.id: "不适用"}) for code in codes]
    notes = {code: {second.id: "已整改", third.id: "本院不涉及"} for code in codes}
    import_answers(db, round_, TOWNSHIP, rated, username="a", notes=notes)
    read = [sql for sql in statements if "FROM answers a" in sql]
    assert read and not [sql for sql in read if any(f"'{c.id}'" in sql for c in (first, second, third))]
    held = stored_results(db)
    levels = results.stored_for(db, round_, TOWNSHIP, codes).levels
    assert levels[first.id].value.tolist() == [1.0] * 5 + [3.0] * 25  # the evaluator's C, else the centre's A
    assert levels[second.id].value.tolist() == [3.0] * 30  # a note alone: the level stays
    rescore(db, round_)
    assert stored_results(db) == held


def test_an_import_of_ratings_alone_has_the_items_read_apart_and_stores_what_scoring_again_stores(
    tmp_path, monkeypatch
):
    """Its items' rows stand as committed: forked readers read them while the import reads the clauses it wrote."""
    db, round_, codes = county_round(tmp_path / "apart.db", 100, TOWNSHIP)
    given = answers_from_columns(TOWNSHIP, township_columns(len(codes), 9, instrument=TOWNSHIP))
    import_answers(db, round_, TOWNSHIP, list(zip(codes, given, strict=True)), username="a")
    read = results.round_columns

    def spy(db, round_, instrument, codes, **kwargs):
        (tmp_path / f"read-{os.getpid()}-{codes[0]}-{len(list(tmp_path.glob('read-*')))}").touch()
        return read(db, round_, instrument, codes, **kwargs)

    monkeypatch.setattr(results, "round_columns", spy)
    monkeypatch.setattr(results, "SCORE_BATCH", 20)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    clauses = TOWNSHIP.onsite_clauses[:3]
    rated = [(code, {c.id: c.level_ids[k % len(c.level_ids)] for c in clauses}) for k, code in enumerate(codes)]

    def readers():
        found = {int(path.name.split("-")[1]) for path in tmp_path.glob("read-*")}
        for path in tmp_path.glob("read-*"):
            path.unlink()
        return found - {os.getpid()}

    import_answers(db, round_, TOWNSHIP, rated, username="a")
    assert readers()  # the items were read by other processes
    stored = stored_results(db)
    rescore(db, round_)
    assert stored_results(db) == stored
    readers()
    both = [(code, {**ratings, "staff_total": 60 + k}) for k, (code, ratings) in enumerate(rated)]
    import_answers(db, round_, TOWNSHIP, both, username="a")  # an item written too: everything read here
    assert not readers()
    stored = stored_results(db)
    rescore(db, round_)
    assert stored_results(db) == stored
