"""kill -9 in the middle of an import and of a centre's saves: nothing acknowledged is lost, nothing half-written.

Two worker processes write to one database in a loop and print a line only after
each write has returned (what a user would see as "saved"), pausing between
writes as people and scripts do (two loops with no gap at all can starve each
other's 30-second wait for the write lock). Both are killed with
SIGKILL at an arbitrary moment; the database is then opened again and must hold
every acknowledged write whole: an import's two items from the same import for every
centre, the saver's two items from the same save, the version counter matching the
saves, and stored results equal to scoring the answers afresh.
"""

import os
import signal
import subprocess
import sys
import textwrap

from instruments.library import bundled
from survey import db as database
from survey.store.orgs import Unit, save_units
from survey.store.results import rescore
from survey.store.rounds import create_round, get_round
from survey.store.versions import save_instrument

TOWNSHIP = bundled()["township-health-centre"]
IMPORTED = [f"c{i:03d}" for i in range(40)]
SAVER = "s000"

WORKER = textwrap.dedent(
    """
    import sys
    import time
    from instruments.library import bundled
    from survey import db as database
    from survey.store.editing import import_answers, save_answers
    from survey.store.rounds import get_round

    path, kind = sys.argv[1], sys.argv[2]
    db = database.connect(path)
    round_ = get_round(db, 1)
    instrument = bundled()["township-health-centre"]
    codes = [f"c{i:03d}" for i in range(40)]
    n = 0
    while True:
        n += 1
        values = {"staff_total": 100 + n, "service_population": 1000 * n}
        if kind == "import":
            import_answers(db, round_, instrument, [(code, values) for code in codes], username="importer")
            time.sleep(0.05)  # the next import
        else:
            save_answers(db, round_, instrument, "s000", values, username="centre", source="web")
            time.sleep(0.02)  # a person saving again
        print(n, flush=True)
    """
)


def _start(path, kind):
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, str(path), kind], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _acknowledged_until(worker, wanted):
    """Read the worker's acknowledgements until `wanted` of them have arrived; the last one."""
    last = 0
    while last < wanted:
        line = worker.stdout.readline()
        assert line, worker.stderr.read()
        last = int(line)
    return last


def _kill(worker):
    """SIGKILL the worker; the last write it acknowledged, counting lines already printed."""
    os.kill(worker.pid, signal.SIGKILL)
    rest = worker.stdout.read()  # the same buffered reader as the lines read so far
    worker.stdout.close()
    worker.stderr.close()
    assert worker.wait(timeout=60) == -signal.SIGKILL
    return [int(line) for line in rest.split()]


def _answers(db, code):
    rows = db.query(
        "SELECT a.item_id, a.value FROM answers a JOIN responses r ON r.id = a.response_id WHERE r.org_code = ?",
        [code],
    )
    return {row["item_id"]: row["value"] for row in rows}


def _results(db):
    return list(db.query("SELECT org_code, total, grade, scores, figures FROM results ORDER BY org_code"))


def test_killed_import_and_saver_lose_nothing_acknowledged_and_leave_nothing_half_written(tmp_path):
    path = tmp_path / "survey.db"
    db = database.connect(path)
    units = [Unit("k", "县", "county", None, "region", None)]
    units += [Unit(code, code, "township", "k", "township_health_centre", None) for code in [*IMPORTED, SAVER]]
    save_units(db, units)
    save_instrument(db, TOWNSHIP)
    create_round(db, TOWNSHIP.id, "2025", "断电测试")
    db.conn.close()

    importer, saver = _start(path, "import"), _start(path, "save")
    imported = _acknowledged_until(importer, 3)
    saved = _acknowledged_until(saver, 10)
    imported = max([imported, *_kill(importer)])
    saved = max([saved, *_kill(saver)])

    db = database.connect(path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # the import: every centre holds the same whole import, the last acknowledged one or the one after it
    stands = {code: _answers(db, code) for code in IMPORTED}
    landed = {answers["staff_total"] - 100 for answers in stands.values()}
    assert len(landed) == 1 and landed <= {imported, imported + 1}
    (n,) = landed
    assert all(answers["service_population"] == 1000 * n for answers in stands.values())
    # the saver: its last acknowledged save or the next one, both items from the same save, one version per save
    mine = _answers(db, SAVER)
    n = mine["staff_total"] - 100
    assert n in {saved, saved + 1} and mine["service_population"] == 1000 * n
    version = db.execute("SELECT version FROM responses WHERE org_code = ?", [SAVER]).fetchone()[0]
    assert version == n + 1
    # stored results are those of the answers as they stand: scoring afresh changes nothing
    stored = _results(db)
    assert len(stored) == len(IMPORTED) + 1
    rescore(db, get_round(db, 1))
    assert _results(db) == stored
    db.conn.close()
