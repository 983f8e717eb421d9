import os
import sqlite3

import numpy
import pytest

QUICK_HASH = "pbkdf2:sha256:1000"
MEMORY = "/dev/shm"  # a folder in memory: SQLite's commits wait for no disk there

if os.path.isdir(MEMORY) and os.access(MEMORY, os.W_OK):
    # Temporary folders (each test's copy of the demo database among them) live in memory when the machine has it.
    os.environ.setdefault("PYTEST_DEBUG_TEMPROOT", MEMORY)


@pytest.fixture(scope="session", autouse=True)
def quick_password_hashes():
    """Hash passwords with a cheap method in tests: the demo alone has 16 users, and scrypt is slow by design.

    Checking a password reads the method from the stored hash, so sign-in works exactly as in production.
    """
    from functools import partial

    from werkzeug import security

    from survey.store import users

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(users, "generate_password_hash", partial(security.generate_password_hash, method=QUICK_HASH))
        yield


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
    """The demo database, built once per run: hashing its users' passwords and scoring it are slow.

    Under pytest-xdist the workers share one build: the first to take the lock builds it, the others wait for it.
    """
    import fcntl
    import os

    from survey import db as database
    from survey.demo import create_demo

    if os.environ.get("PYTEST_XDIST_WORKER"):
        folder = tmp_path_factory.getbasetemp().parent / "demo"  # this run's own folder, shared by its workers
        folder.mkdir(exist_ok=True)
    else:
        folder = tmp_path_factory.mktemp("demo")
    path = folder / "demo.db"
    with open(folder / "build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / "built").exists():
            db = database.connect(path)
            create_demo(db)
            db.close()  # the last connection checkpoints the WAL: the file alone is the database
            (folder / "built").touch()
    return path


@pytest.fixture
def db_path(demo_path, tmp_path):
    """A private copy of the demo database, and of its evidence files beside it, for one test.

    The evidence files are hard links: the store names a file by its content and never writes into one (a new file
    is written aside and renamed into place), so a test cannot change the demo's files through its copy.
    """
    import os
    import shutil

    path = tmp_path / "survey.db"
    shutil.copyfile(demo_path, path)
    shutil.copytree(demo_path.parent / "evidence", tmp_path / "evidence", copy_function=os.link)
    return path


@pytest.fixture(scope="session")
def shared_app(demo_path, tmp_path_factory):
    """One app for the whole run: building one compiles every URL rule, which costs more than most tests."""
    import shutil

    from survey import create_app

    path = tmp_path_factory.mktemp("app") / "survey.db"
    shutil.copyfile(demo_path, path)
    return create_app({**TEST_CONFIG, "DATABASE": str(path)})


@pytest.fixture
def app(shared_app, db_path):
    """The app on the test's own database, its settings as created again afterwards (a test may change them)."""
    settings = dict(shared_app.config)
    shared_app.config["DATABASE"] = str(db_path)
    yield shared_app
    shared_app.config.clear()
    shared_app.config.update(settings)


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


# ---------------------------------------------------------------- the browser tests (Chromium via Playwright)

# Debian's headless build of Chromium draws pages with about half the CPU of the full browser; the full one serves
# when only it is installed.
HEADLESS_SHELL = "/usr/bin/chromium-headless-shell"
CHROMIUM = HEADLESS_SHELL if os.path.exists(HEADLESS_SHELL) else "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole run: each test opens its own context (cookies, storage) in it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_server(db_path):
    """The app on a free local port, in a thread, with CSRF and the Content-Security-Policy on as in production."""
    import threading

    from werkzeug.serving import make_server

    from survey import create_app

    app = create_app({"DATABASE": str(db_path), "SECRET_KEY": "browser-test"})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
    server.server_close()
