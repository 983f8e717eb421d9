"""Background jobs on the web: big downloads and 'approve all that match' run as jobs (at once in tests),
their progress page and file are only for the person who asked, within their jurisdiction."""

import io
import re
import zipfile

import openpyxl
import pytest
from conftest import TEST_CONFIG

from survey import create_app, jobs
from survey.store.responses import get_response


@pytest.fixture
def app(db_path):
    """Every download counts as big: it becomes a job, run at once (huey's immediate mode)."""
    return create_app({**TEST_CONFIG, "DATABASE": str(db_path), "JOBS_FROM": 0})


def ask(client, kind, round_id=2, approved_only="0"):
    """Ask for a download as the page's button does; returns the job's page."""
    response = client.post("/jobs/", data={"kind": kind, "round": str(round_id), "approved_only": approved_only})
    assert response.status_code == 302, response.status_code
    return response.headers["Location"]


def test_a_big_league_download_is_offered_as_a_job_and_read_only_until_asked(client, auth, app_db):
    auth.as_user("xixian")
    before = app_db.execute("SELECT count(*) FROM jobs").fetchone()[0]
    html = client.get("/reports/rounds/2/league.xlsx").get_data(as_text=True)
    assert "开始生成" in html and 'name="kind" value="league"' in html and "18 家机构" in html
    assert app_db.execute("SELECT count(*) FROM jobs").fetchone()[0] == before  # a GET starts nothing


def test_the_league_job_makes_the_workbook_for_the_one_who_asked(client, auth, app_db):
    auth.as_user("xixian")
    where = ask(client, "league")
    html = client.get(where).get_data(as_text=True)
    assert 'data-job-status="done"' in html and "已完成" in html and "http-equiv" not in html
    link = re.search(r'href="(/jobs/\w+/file)" data-job-file', html).group(1)
    response = client.get(link)
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    data = response.data
    response.close()
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    assert book.sheetnames[:5] == ["排名", "地区汇总", "指标说明", "条款汇总", "data"]
    ranked = [row for row in book["排名"].iter_rows(values_only=True) if row and isinstance(row[0], int)]
    book.close()
    assert len(ranked) == 18
    listing = client.get("/jobs/").get_data(as_text=True)
    assert where in listing and "排名表" in listing
    # another official (even of a wider jurisdiction) sees neither the job nor its file
    auth.as_user("shaanxi")
    assert client.get(where).status_code == 404 and client.get(link).status_code == 404


def test_the_cards_job_zips_every_card(client, auth):
    auth.as_user("xixian")
    html = client.get(ask(client, "cards", approved_only="1")).get_data(as_text=True)
    link = re.search(r'href="(/jobs/\w+/file)" data-job-file', html).group(1)
    response = client.get(link)
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    response.close()
    assert len(archive.namelist()) == 3 and all(name.endswith(".xlsx") for name in archive.namelist())


def test_a_job_outside_the_jurisdiction_or_of_an_unknown_kind_is_refused(client, auth, app_db):
    auth.as_user("xixian")
    before = app_db.execute("SELECT count(*) FROM jobs").fetchone()[0]
    assert client.post("/jobs/", data={"kind": "league", "round": "999"}).status_code == 404
    assert client.post("/jobs/", data={"kind": "shell", "round": "2"}).status_code == 400
    auth.as_user("fengdong")  # an evaluator asks for no downloads
    assert client.post("/jobs/", data={"kind": "league", "round": "2"}).status_code == 403
    assert app_db.execute("SELECT count(*) FROM jobs").fetchone()[0] == before


def test_a_failed_job_says_why_and_offers_no_file(client, auth, app_db, monkeypatch):
    def broken(db, job, folder, progress):
        raise RuntimeError("disk full")

    monkeypatch.setitem(jobs.WORK, "league", broken)
    auth.as_user("xixian")
    html = client.get(ask(client, "league")).get_data(as_text=True)
    assert 'data-job-status="failed"' in html and "任务出错" in html and "disk full" not in html
    assert "data-job-file" not in html


def test_a_job_refused_by_the_store_says_why_in_the_asker_s_language(client, auth, app_db, monkeypatch):
    from survey.store import StoreError

    def refused(db, job, folder, progress):
        raise StoreError("no_responses_in_scope")

    monkeypatch.setitem(jobs.WORK, "league", refused)
    auth.as_user("xixian")
    before = app_db.execute("SELECT count(*) FROM responses").fetchone()[0]
    assert "范围内没有填报" in client.get(ask(client, "league")).get_data(as_text=True)
    client.post("/language", data={"lang": "en"})
    html = client.get(ask(client, "league")).get_data(as_text=True)
    assert 'data-job-status="failed"' in html and "no responses in scope" in html and "范围内" not in html
    assert app_db.execute("SELECT count(*) FROM responses").fetchone()[0] == before


def test_approve_all_that_match_runs_as_a_job_past_the_limit(client, auth, app_db, monkeypatch):
    from survey.review import routes

    monkeypatch.setattr(routes, "BULK_NOW", 0)
    auth.as_user("fengxi")
    queue = client.get("/review/?round=2").get_data(as_text=True)
    assert "通过全部符合条件的 2 份" in queue
    response = client.post("/review/rounds/2/approve", data={"all": "1", "county": ""})
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-job-status="done"' in html and "已通过" in html
    statuses = {code: get_response(app_db, 2, code).status for code in ("619902002", "619902003")}
    assert statuses == {"619902002": "submitted", "619902003": "submitted"}  # both moved on to the city
    levels = {code: get_response(app_db, 2, code).review_level for code in statuses}
    assert levels == {"619902002": 1, "619902003": 1}


def test_old_jobs_and_their_files_are_swept(client, auth, app_db, db_path):
    auth.as_user("xixian")
    job_id = ask(client, "league").rsplit("/", 1)[1]
    folder = jobs.folder_of(db_path, job_id)
    assert any(folder.iterdir())
    app_db.execute("UPDATE jobs SET created_at = '2000-01-01T00:00:00+00:00' WHERE id = ?", [job_id])
    assert jobs.sweep(app_db, db_path) == 1
    assert not folder.exists() and jobs.get_job(app_db, job_id) is None


def test_the_league_job_groups_by_the_attribute_asked_for(client, auth, app_db):
    auth.as_user("xixian")  # the demo's centres carry 隶属关系
    html = client.get("/reports/rounds/2/league.xlsx?by=隶属关系").get_data(as_text=True)
    assert 'name="by" value="隶属关系"' in html  # the offer carries the grouping
    response = client.post("/jobs/", data={"kind": "league", "round": "2", "approved_only": "0", "by": "隶属关系"})
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    link = re.search(r'href="(/jobs/\w+/file)" data-job-file', html).group(1)
    response = client.get(link)
    book = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
    response.close()
    assert "分组汇总" in book.sheetnames
    book.close()
    before = app_db.execute("SELECT count(*) FROM jobs").fetchone()[0]
    assert client.post("/jobs/", data={"kind": "league", "round": "2", "by": "床位规模"}).status_code == 400
    assert app_db.execute("SELECT count(*) FROM jobs").fetchone()[0] == before
