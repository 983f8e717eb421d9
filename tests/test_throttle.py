"""Sign-in throttling in the store: per address, per account and per both, atomic, the same work for any name."""

import datetime as dt
import threading

import pytest

from survey import db as database
from survey.demo import PASSWORD
from survey.store import throttle, users
from survey.store.throttle import PER_ACCOUNT, PER_ADDRESS, PER_PAIR, WINDOW, LockedError
from survey.store.users import authenticate, get_user, reset_password, set_active

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
GUESSER = "203.0.113.9"
OFFICE = "198.51.100.7"


def fail(db, username, address, times=1, at=T0):
    """Count `times` failed attempts (what a wrong password leaves), without hashing anything."""
    for _ in range(times):
        throttle.reserve(db, username, address, at=at)


def test_one_address_can_lock_only_itself_out_of_an_account(app_db):
    fail(app_db, "admin", GUESSER, PER_PAIR)
    with pytest.raises(LockedError) as locked:
        throttle.reserve(app_db, "admin", GUESSER, at=T0 + dt.timedelta(minutes=1))
    assert locked.value.minutes == 14
    throttle.reserve(app_db, "admin", OFFICE, at=T0 + dt.timedelta(minutes=1))


def test_the_lock_lifts_as_the_oldest_failure_leaves_the_window(app_db):
    fail(app_db, "admin", GUESSER, PER_PAIR - 1)
    fail(app_db, "admin", GUESSER, at=T0 + dt.timedelta(minutes=10))
    with pytest.raises(LockedError):
        throttle.reserve(app_db, "admin", GUESSER, at=T0 + WINDOW - dt.timedelta(seconds=1))
    fail(app_db, "admin", GUESSER, PER_PAIR - 1, at=T0 + WINDOW)  # the first four have left the window
    with pytest.raises(LockedError) as locked:  # the one at ten minutes still counts
        throttle.reserve(app_db, "admin", GUESSER, at=T0 + WINDOW)
    assert locked.value.minutes == 10


def test_one_address_trying_many_accounts_is_stopped(app_db):
    for n in range(PER_ADDRESS):
        fail(app_db, f"name{n}", GUESSER)
    with pytest.raises(LockedError):
        throttle.reserve(app_db, "doumen", GUESSER, at=T0)
    throttle.reserve(app_db, "doumen", OFFICE, at=T0)


def test_guesses_from_many_addresses_stop_the_account(app_db):
    for n in range(PER_ACCOUNT):
        fail(app_db, "admin", f"192.0.2.{n // PER_PAIR}")
    with pytest.raises(LockedError):
        throttle.reserve(app_db, "admin", OFFICE, at=T0)
    throttle.reserve(app_db, "doumen", OFFICE, at=T0)


def test_a_right_password_forgives_its_address_only(app_db):
    fail(app_db, "doumen", GUESSER, PER_PAIR - 1)
    fail(app_db, "doumen", OFFICE, PER_PAIR - 1)
    attempt = throttle.reserve(app_db, "doumen", OFFICE, at=T0)
    throttle.forgive(app_db, attempt)
    fail(app_db, "doumen", OFFICE, PER_PAIR - 1)
    fail(app_db, "doumen", GUESSER)
    with pytest.raises(LockedError):
        throttle.reserve(app_db, "doumen", GUESSER, at=T0)


def test_a_reset_password_lifts_the_lock(app_db):
    fail(app_db, "doumen", GUESSER, PER_PAIR, at=dt.datetime.now(dt.UTC))
    with pytest.raises(LockedError):
        authenticate(app_db, "doumen", PASSWORD, GUESSER)
    reset_password(app_db, get_user(app_db, "doumen").id, "fresh-start-9", acting=get_user(app_db, "admin"))
    assert authenticate(app_db, "doumen", "fresh-start-9", GUESSER).username == "doumen"


def test_a_huge_typed_name_is_counted_by_its_start(app_db):
    fail(app_db, "x" * 100_000, GUESSER, PER_PAIR)
    with pytest.raises(LockedError):
        throttle.reserve(app_db, "x" * 100_000 + "y", GUESSER, at=T0)
    assert max(len(row["username"]) for row in app_db.query("SELECT username FROM signin_attempts")) == throttle.KEPT


@pytest.fixture
def hash_checks(monkeypatch):
    """The stored hashes that password checks compared against, in order."""
    checked = []
    real = users.check_password_hash

    def check(stored, password):
        checked.append(stored)
        return real(stored, password)

    monkeypatch.setattr(users, "check_password_hash", check)
    return checked


def test_unknown_and_disabled_names_check_a_hash_as_real_ones_do(app_db, hash_checks):
    set_active(app_db, get_user(app_db, "wangsi").id, False, acting=get_user(app_db, "admin"))
    assert authenticate(app_db, "doumen", "wrong-password", OFFICE) is None
    assert authenticate(app_db, "nobody-at-all", "wrong-password", OFFICE) is None
    assert authenticate(app_db, "wangsi", PASSWORD, OFFICE) is None  # the right password of a disabled account
    assert len(hash_checks) == 3
    method = hash_checks[0].split("$")[0]  # e.g. scrypt:32768:8:1: the same cost for every name
    assert [stored.split("$")[0] for stored in hash_checks] == [method] * 3
    assert hash_checks[1] not in {row["password_hash"] for row in app_db.query("SELECT password_hash FROM users")}


def test_parallel_guesses_cannot_pass_the_limit(db_path, hash_checks):
    guesses = 40
    start = threading.Barrier(guesses)
    outcomes = []

    def guess(n):
        db = database.connect(db_path)
        try:
            start.wait()
            outcomes.append(authenticate(db, "admin", f"guess-{n}", GUESSER))
        except LockedError:
            outcomes.append("locked")
        finally:
            db.close()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(guesses)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(hash_checks) == PER_PAIR
    assert outcomes.count(None) == PER_PAIR and outcomes.count("locked") == guesses - PER_PAIR
