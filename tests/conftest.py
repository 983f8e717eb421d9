import sqlite3

import numpy
import pytest


def pytest_report_header(config):
    return f"SQLite {sqlite3.sqlite_version}, numpy {numpy.__version__}"


@pytest.fixture
def basic():
    from pathlib import Path

    import instruments

    return instruments.load(Path(__file__).parent / "cases" / "instruments" / "basic.yaml")


# ---------------------------------------------------------------- the web platform (flaskr's fixtures)

USERS = {"centre": "doumen", "evaluator": "fengdong", "official": "xixian", "admin": "admin"}
TEST_CONFIG = {"TESTING": True, "WTF_CSRF_ENABLED": False, "SECRET_KEY": "test"}


@pytest.fixture(scope="session")
def demo_path(tmp_path_factory):
    """The demo database, built once per session: hashing its users' passwords is slow."""
    from survey import db as database
    from survey.demo import create_demo

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    db = database.connect(path)
    create_demo(db)
    db.close()  # the last connection checkpoints the WAL: the file alone is the database
    return path


@pytest.fixture
def db_path(demo_path, tmp_path):
    """A private copy of the demo database, and of its evidence files beside it, for one test."""
    import shutil

    path = tmp_path / "survey.db"
    shutil.copyfile(demo_path, path)
    shutil.copytree(demo_path.parent / "evidence", tmp_path / "evidence")
    return path


@pytest.fixture
def app(db_path):
    from survey import create_app

    return create_app({**TEST_CONFIG, "DATABASE": str(db_path)})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def app_db(db_path):
    """The test's database, for reading what the app wrote."""
    from survey import db as database

    db = database.connect(db_path)
    yield db
    db.close()


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, username="doumen", password=None, **kwargs):
        """Sign in through the page (the demo's password unless another is given)."""
        from survey.demo import PASSWORD

        data = {"username": username, "password": password or PASSWORD}
        return self._client.post("/auth/login", data=data, **kwargs)

    def as_user(self, username):
        """Sign in without the password check, which is slow by design: a session opened in the store."""
        from survey import db as database
        from survey.store import sessions
        from survey.store.users import get_user

        db = database.connect(self._client.application.config["DATABASE"])
        token = sessions.start(db, get_user(db, username).id)
        db.close()
        with self._client.session_transaction() as session:
            session.clear()
            session["token"] = token

    def logout(self):
        return self._client.post("/auth/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


DOUMEN = "619901001"  # 斗门卫生院: its 2025 response is a half-filled draft


def stored(db, code=DOUMEN):
    """A centre's 2025 response and its answers, as stored."""
    from survey.store.responses import answers, get_response
    from survey.store.rounds import get_round, round_instrument

    instrument = round_instrument(db, get_round(db, 2))
    response = get_response(db, 2, code)
    return response, answers(db, instrument, response.id)


def fill_completely(db, code=DOUMEN, evidence=True):
    """Answer every item of the 2025 round for a centre, and attach a file to each clause that requires one
    (unless `evidence` is false), through the store."""
    from instruments.synthetic import answers_from_columns, township_columns
    from survey.demo_files import pdf
    from survey.store.editing import save_answers
    from survey.store.evidence import add_evidence
    from survey.store.rounds import get_round, round_instrument
    from survey.store.users import User

    round_ = get_round(db, 2)
    instrument = round_instrument(db, round_)
    columns = township_columns(1, 7, staff=[60], prof_tech=[55], blank_share=0, instrument=instrument)
    values = answers_from_columns(instrument, columns)[0]
    save_answers(db, round_, instrument, code, values, username="test", source="test")
    member = User(0, "test", "centre", code, True)
    for clause in instrument.onsite_clauses:
        if evidence and clause.evidence == "required":
            add_evidence(db, round_, instrument, code, clause.id, f"{clause.number}.pdf", pdf(clause.id), member)


@pytest.fixture
def doumen(client, auth):
    """A client signed in as 斗门卫生院."""
    auth.as_user("doumen")
    return client
