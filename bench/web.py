"""Every page at national scale: a national, a province and a county user, and a centre.

Builds once (kept with --keep DIR) a database of 50,000 township health centres
(5 provinces × 10 cities × 10 counties × 100 centres) with a response from each,
imported through the store (answers written and scored by columns, results and
flags stored), then a share submitted and approved as in a live round. Then
times each page in-process (Flask's test client: no network) — the median of
--runs requests after one that warms the process — and reports the size of its
HTML. Two baselines measured in the same run: a trivial page (the sign-in
form), and what every report page did before results were stored (scoring the
jurisdiction's answers: `round_scores`).

    .venv/bin/python bench/web.py [--centres 50000] [--keep DIR] [--runs 5] [--only TEXT] [--users WHO,…]

Targets (issue 11): official and evaluator pages median ≤ 300 ms for a national
user, ≤ 100 ms for a county user, ≤ 1 MB of HTML.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROUND = 1
PASSWORD = "bench-Pa55word!"


def build(path: Path, n: int) -> None:
    """The national database: units, a round, every centre's answers imported and scored, review states."""
    from national import national_units

    from instruments.synthetic import answers_from_columns, township_columns
    from survey import assessment
    from survey import db as database
    from survey.store.editing import import_answers
    from survey.store.orgs import save_units
    from survey.store.rounds import create_round, round_instrument
    from survey.store.users import add_user

    db = database.connect(path)
    assessment.load_bundled(db)
    units = national_units(n)
    save_units(db, units)
    centres = [(unit.code, unit.name) for unit in units if unit.level == "township"]
    round_ = create_round(db, "township-health-centre", "2025", "全国测试轮次", review_levels=2)
    instrument = round_instrument(db, round_)
    answers = answers_from_columns(instrument, township_columns(n, seed=50))
    start = time.perf_counter()
    import_answers(db, round_, instrument, zip([c for c, _ in centres], answers, strict=True), username="bench")
    print(
        f"  import through the store (answers, scores, flags) of {n:,} responses: {time.perf_counter() - start:.1f} s"
    )
    # a live round: half submitted (awaiting the county), a fifth approved, the rest drafts
    db.execute("UPDATE responses SET status = 'submitted', submitted_at = updated_at WHERE id % 10 < 5")
    db.execute("UPDATE responses SET status = 'approved', review_level = 2 WHERE id % 10 IN (5, 6)")
    accounts = [
        ("national", "admin", None),
        ("province", "official", "p0"),
        ("county", "official", "p0c0k0"),
        ("prov-eval", "evaluator", "p0"),
        ("county-eval", "evaluator", "p0c0k0"),
        ("centre", "centre", centres[0][0]),
    ]
    for username, role, org in accounts:
        add_user(db, username, PASSWORD, role, org)
    db.close()


def signed_in(app, username: str):
    """A test client of `app` signed in as `username` (a session opened in the store, as the tests do)."""
    from survey import db as database
    from survey.store import sessions
    from survey.store.users import get_user

    client = app.test_client()
    db = database.connect(app.config["DATABASE"], migrate=False)
    token = sessions.start(db, get_user(db, username).id)
    db.close()
    with client.session_transaction() as session:
        session["token"] = token
    return client


def timed(client, path: str, runs: int) -> tuple[float, float, int, int]:
    """(first ms, median ms, bytes, status) of GET `path`."""
    times = []
    size = status = 0
    for _ in range(runs + 1):
        start = time.perf_counter()
        response = client.get(path)
        body = response.get_data()
        times.append((time.perf_counter() - start) * 1000)
        size, status = len(body), response.status_code
        response.close()
    return times[0], statistics.median(times[1:]), size, status


def pages(centre: str, county_centre: str) -> dict[str, list[str]]:
    league = f"/reports/rounds/{ROUND}"
    official = [
        "/reports/",
        league,
        f"{league}?sort=total&order=asc&page=7",
        f"{league}?q=卫生院0123",
        f"{league}/regions",
        f"{league}/regions?level=province",
        f"{league}/centres/{county_centre}",
        f"{league}/league.xlsx",
    ]
    evaluator = [
        f"/review/?round={ROUND}",
        f"/review/?round={ROUND}&status=approved&page=3",
        f"/review/rounds/{ROUND}/quality",
        f"/review/rounds/{ROUND}/quality?kind=median&page=2",
        f"/review/rounds/{ROUND}/responses/{county_centre}",
    ]
    return {
        "national": official,
        "province": official,
        "county": official,
        "prov-eval": evaluator,
        "county-eval": evaluator,
        "centre": [f"/rounds/{ROUND}", f"/rounds/{ROUND}/sections/staff"],
    }


def before(path: Path) -> None:
    """What each report page did before results were stored: score the jurisdiction's answers."""
    from survey import db as database
    from survey.store.rounds import get_round
    from survey.store.scores import round_scores

    db = database.connect(path, migrate=False)
    round_ = get_round(db, ROUND)
    for who, scope in (("national", None), ("province", "p0"), ("county", "p0c0k0")):
        start = time.perf_counter()
        result = round_scores(db, round_, scope)
        print(
            f"  {who:<12} scoring {len(result.centres):>6,} responses from their answers: "
            f"{(time.perf_counter() - start) * 1000:8.0f} ms"
        )
    db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--centres", type=int, default=50_000)
    parser.add_argument("--keep", type=Path, help="Keep (and reuse) the database in this folder.")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default="", help="Time only the pages whose path contains this text.")
    parser.add_argument("--users", default="", help="Time only these users (comma-separated: national,county,…).")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="survey-web-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "web.db"
    try:
        print(f"{args.centres:,} township health centres; database {path}")
        if not path.exists():
            build(path, args.centres)
        from survey import create_app

        app = create_app({"DATABASE": str(path), "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False})
        from survey import db as database

        db = database.connect(path, migrate=False)
        centre = db.execute("SELECT org_code FROM responses ORDER BY id LIMIT 1").fetchone()[0]
        county_centre = db.execute(
            "SELECT org_code FROM responses WHERE org_code LIKE 'p0c0k0t%' ORDER BY id LIMIT 1"
        ).fetchone()[0]
        db.close()
        print("baselines (same run):")
        first, median, size, _ = timed(app.test_client(), "/auth/login", args.runs)
        print(f"  {'trivial page':<12} /auth/login{'':<46} {median:8.1f} ms {size / 1024:8.1f} KB")
        before(path)
        print(f"pages (median of {args.runs} after a first request; first in brackets):")
        worst: dict[str, tuple[float, int]] = {}
        users = set(filter(None, args.users.split(",")))
        for who, paths in pages(centre, county_centre).items():
            if users and who not in users:
                continue
            client = signed_in(app, who)
            for page in [p for p in paths if args.only in p]:
                first, median, size, status = timed(client, page, args.runs)
                print(f"  {who:<12} {page:<58} {median:8.1f} ms ({first:7.1f}) {size / 1024:8.1f} KB  {status}")
                slowest, biggest = worst.get(who, (0.0, 0))
                worst[who] = (max(slowest, median), max(biggest, size))
        print("slowest page and largest HTML by user:")
        for who, (slowest, biggest) in worst.items():
            print(f"  {who:<12} {slowest:8.1f} ms   {biggest / 1024:8.1f} KB")
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
