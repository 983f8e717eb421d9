"""Two imports at once: both land whole, nothing lost, nothing interleaved."""

import subprocess
import sys
import textwrap

from instruments.library import bundled
from survey import db as database
from survey.store.orgs import Unit, save_units
from survey.store.rounds import create_round
from survey.store.versions import save_instrument

TOWNSHIP = bundled()["township-health-centre"]
CENTRES = [f"c{i:03d}" for i in range(60)]

IMPORT = textwrap.dedent(
    """
    import sys
    from instruments.library import bundled
    from survey import db as database
    from survey.store.editing import import_answers
    from survey.store.rounds import get_round

    path, who, offset = sys.argv[1], sys.argv[2], int(sys.argv[3])
    db = database.connect(path)
    round_ = get_round(db, 1)
    instrument = bundled()["township-health-centre"]
    codes = [f"c{i:03d}" for i in range(60)]
    for repeat in range(5):
        rows = [(code, {"staff_total": 100 + offset + repeat, "service_population": 1000 * (offset + 1)})
                for code in codes]
        import_answers(db, round_, instrument, rows, username=who)
    """
)


def test_two_imports_at_once_both_land_whole(tmp_path):
    path = tmp_path / "survey.db"
    db = database.connect(path)
    save_units(db, [Unit("k", "县", "county", None, "region", None)]
               + [Unit(code, code, "township", "k", "township_health_centre", None) for code in CENTRES])  # fmt: skip
    save_instrument(db, TOWNSHIP)
    create_round(db, TOWNSHIP.id, "2025", "并发测试")
    workers = [
        subprocess.Popen([sys.executable, "-c", IMPORT, str(path), who, offset], stderr=subprocess.PIPE, text=True)
        for who, offset in (("first", "0"), ("second", "50"))
    ]
    for worker in workers:
        _, errors = worker.communicate(timeout=120)
        assert worker.returncode == 0, errors
    assert db["responses"].count == 60
    finals = {row["value"] for row in db.query("SELECT value FROM answers WHERE item_id = 'staff_total'")}
    assert len(finals) == 1 and finals <= {104, 154}  # every centre ends with the same last import
    populations = {row["value"] for row in db.query("SELECT value FROM answers WHERE item_id = 'service_population'")}
    assert len(populations) == 1  # never one import's staff with the other's population
    # every change is audited: 60 centres × 2 items × 10 imports, less the ones that changed nothing
    audited = db.execute("SELECT count(*) FROM audit WHERE action = 'answer'").fetchone()[0]
    versions = db.execute("SELECT sum(version - 1) FROM responses").fetchone()[0]
    assert audited >= 60 * 2 * 5 and versions >= 60 * 5
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
