"""Centre users under load: saving a section and viewing the live scorecard, against gunicorn.

Runs on the national database that `bench/web.py --keep DIR` built (50,000
centres). Adds one account for each of --users centres whose responses are
drafts, starts gunicorn with `gunicorn.conf.py` on 127.0.0.1, and drives the
users with locust (headless) for --seconds: each signs in once, then, waiting
--think seconds between tasks, saves the staffing section (every field as the
page showed it, the staff count changed to a value of its own) three times for
every time it views the live scorecard (the section's preview). Reports the p95
of each request, errors, the server's CPU time per request, and checks that
every save the server acknowledged (a redirect) is in the audit trail. Traffic
goes to 127.0.0.1 only, and stops by itself.

    .venv/bin/python bench/load.py --db DIR/web.db [--users 50] [--seconds 60] [--think 0.2,1.0]
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PASSWORD = "bench-Pa55word!"
SECTION = "staff"
ROUND = 1

try:  # the locust side: loaded by locust itself from this file
    from locust import HttpUser, between, task

    class Centre(HttpUser):
        """One centre's user: saves the staffing section, now and then looks at the scorecard."""

        wait_time = between(*(float(s) for s in os.environ.get("LOAD_THINK", "0.2,1.0").split(",")))
        logins = itertools.count()

        def on_start(self) -> None:
            # signed in beforehand (sessions opened in the store): fifty sign-ins from one address would be
            # throttled as the attack they look like, and sign-in is not what is measured
            sessions = json.loads(Path(os.environ["LOAD_SESSIONS"]).read_text())
            self.name = f"load{next(Centre.logins) % len(sessions)}"
            self.client.cookies.set("session", sessions[self.name], domain="127.0.0.1", path="/")
            self.counter = itertools.count(int(os.environ["LOAD_FIRST_VALUE"]))
            self.log = open(os.environ["LOAD_ACKS"] + f".{os.getpid()}", "a", encoding="utf-8")  # noqa: SIM115

        def _form(self) -> dict[str, str]:
            page = self.client.get(f"/rounds/{ROUND}/sections/{SECTION}", name="section page").text
            fields = dict(re.findall(r'<input[^>]*?name="([^"]+)"[^>]*?value="([^"]*)"', page))
            return {k: v for k, v in fields.items() if not k.startswith("lang")}

        @task(3)
        def save(self) -> None:
            form = self._form()
            value = next(self.counter)
            form["item_staff_total"] = str(value)
            form["item_staff_prof_tech"] = str(value - 100)
            response = self.client.post(
                f"/rounds/{ROUND}/sections/{SECTION}", data=form, allow_redirects=False, name="save section"
            )
            if response.status_code == 302 and "/sections/" in response.headers.get("Location", ""):
                self.log.write(json.dumps([self.name, value]) + "\n")
                self.log.flush()

        @task(1)
        def scorecard(self) -> None:
            form = self._form()
            with self.client.post(
                f"/rounds/{ROUND}/sections/{SECTION}/preview", data=form, name="scorecard", catch_response=True
            ) as response:
                if response.status_code != 200 or "scorecard" not in response.text:
                    response.failure(f"no scorecard: {response.status_code}")

except ImportError:  # the script side needs no locust until it runs it
    pass


def prepare(db_path: Path, users: int, folder: Path) -> Path:
    """One centre account per draft response (load0, load1, …), made once, each with a session cookie."""
    from survey import create_app
    from survey import db as database
    from survey.store import sessions
    from survey.store.users import add_user, get_user

    db = database.connect(db_path)
    known = {row[0] for row in db.execute("SELECT username FROM users WHERE username LIKE 'load%'")}
    sql = "SELECT org_code FROM responses WHERE round_id = ? AND status = 'draft' ORDER BY id LIMIT ?"
    codes = [row[0] for row in db.execute(sql, [ROUND, users])]
    for k, code in enumerate(codes):
        if f"load{k}" not in known:
            add_user(db, f"load{k}", PASSWORD, "centre", code)
    app = create_app({"DATABASE": str(db_path)})  # the instance's own secret key signs the cookies
    serializer = app.session_interface.get_signing_serializer(app)
    cookies = {
        f"load{k}": serializer.dumps({"token": sessions.start(db, get_user(db, f"load{k}").id)})
        for k in range(len(codes))
    }
    db.close()
    path = folder / "sessions.json"
    path.write_text(json.dumps(cookies))
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="The database bench/web.py --keep built.")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument(
        "--think",
        default="0.2,1.0",
        help="Seconds each user waits between tasks, MIN,MAX (default 0.2,1.0: far busier than a person typing).",
    )
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="survey-load-"))
    cookies = prepare(args.db, args.users, folder)
    port = free_port()
    env = {
        **os.environ,
        "SURVEY_DB": str(args.db),
        "SURVEY_BIND": f"127.0.0.1:{port}",
        "SURVEY_JOBS": str(folder / "jobs.db"),
        "LOAD_ACKS": str(folder / "acks"),
        "LOAD_SESSIONS": str(cookies),
        "LOAD_THINK": args.think,
        # staff counts of this run's own (a run on a database kept from an earlier one must not save a value
        # already stored: that save changes nothing, so it leaves no audit row to find)
        "LOAD_FIRST_VALUE": str(1000 + int(time.time()) // 60 % 1000 * 100),
    }
    root = Path(__file__).resolve().parent.parent
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(root / "gunicorn.conf.py"),
            "--access-logfile",
            "/dev/null",
            "wsgi:app",
        ],
        cwd=root,
        env=env,
        start_new_session=True,
    )
    try:
        for _ in range(300):  # until every worker has started and answers
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        warm(port, json.loads(cookies.read_text()))
        cpu_before = server_cpu(server.pid)
        started = time.time()
        ran = subprocess.run(
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                __file__,
                "--headless",
                "-u",
                str(args.users),
                "-r",
                str(max(1, args.users // 5)),
                "-t",
                f"{args.seconds}s",
                "--host",
                f"http://127.0.0.1:{port}",
                "--csv",
                str(folder / "load"),
                "--only-summary",
            ],
            env=env,
            check=False,
            timeout=args.seconds + 120,
        )
        cpu = server_cpu(server.pid) - cpu_before
        if not (folder / "load_stats.csv").exists():
            sys.exit(f"locust did not run (exit status {ran.returncode}); `make bench` installs it")
        report(args.db, folder, started, cpu)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def warm(port: int, cookies: dict[str, str]) -> None:
    """A few requests at once, twice, so that the workers have loaded the instrument before the clock starts."""
    import http.client
    from concurrent.futures import ThreadPoolExecutor

    def fetch(name: str) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request("GET", f"/rounds/{ROUND}/sections/{SECTION}", headers={"Cookie": f"session={cookies[name]}"})
        connection.getresponse().read()
        connection.close()

    with ThreadPoolExecutor(10) as pool:
        for _ in range(2):
            list(pool.map(fetch, list(cookies)[:20]))


def server_cpu(leader: int) -> float:
    """CPU seconds (user + system) used so far by the server's processes (its process group, Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == leader:  # the process group (the server was started in a session of its own)
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def report(db_path: Path, folder: Path, started: float, cpu: float) -> None:
    from survey import db as database

    print(f"{'request':<16} {'count':>7} {'errors':>7} {'median ms':>10} {'p95 ms':>8} {'req/s':>7}")
    with open(folder / "load_stats.csv", encoding="utf-8") as file:
        for row in csv.DictReader(file):
            print(
                f"{row['Name']:<16} {row['Request Count']:>7} {row['Failure Count']:>7} "
                f"{row['Median Response Time']:>10} {row['95%']:>8} {float(row['Requests/s']):>7.1f}"
            )
    with open(folder / "load_stats.csv", encoding="utf-8") as file:
        served = sum(int(row["Request Count"]) for row in csv.DictReader(file) if row["Name"] == "Aggregated")
    print(f"server CPU: {cpu:.1f} s for {served} requests, {1000 * cpu / max(served, 1):.0f} ms a request")
    acks = []
    for part in folder.glob("acks.*"):
        acks += [json.loads(line) for line in part.read_text(encoding="utf-8").splitlines()]
    db = database.connect(db_path, migrate=False)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(started - 1))
    stored = {
        (row[0], int(row[1]))
        for row in db.execute(
            """SELECT u.username, a.new FROM audit a JOIN responses r ON r.id = a.response_id
               JOIN users u ON u.org_code = r.org_code AND u.username LIKE 'load%'
               WHERE a.item_id = 'staff_total' AND a.at >= ?""",
            [stamp],
        )
    }
    missing = [ack for ack in acks if tuple(ack) not in stored]
    print(
        f"acknowledged saves: {len(acks)}; found in the audit trail: {len(acks) - len(missing)}; "
        f"missing: {len(missing)}"
    )


if __name__ == "__main__":
    main()
