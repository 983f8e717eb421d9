"""The whole pipeline at national scale: import responses, score, export the league workbook.

Sets up a database with 50,000 township health centres (5 provinces, 50 cities,
500 counties) and a filled-in response workbook of 50,000 rows (org_code and
the item ids as headers) — for a clause-based instrument a second one with
every onsite clause's self-rating (a note beside each 不适用), as one file of
both would unpack past what an upload may — then times each step in a fresh
process and reports its peak memory (maximum resident set size of that process):

- import: `survey responses import`'s work, against two bare reads of the
  same file: openpyxl's read-only pass, and python-calamine's (the reader the
  import uses, so the rest is checking and storing); then the self-ratings'
  import (each response's ratings written and audited by `write_ratings`);
- score: `survey score`'s work (read every answer back from SQLite, score, cache);
- export: `survey export league`'s work (past one sheet its tidy rows go to
  a CSV beside the workbook), against a bare XlsxWriter constant-memory dump
  of the same cell values, all in the workbook, with no formats, widths,
  freeze panes or chart (the rows come from the same neutral tables, so table
  building is in both; its time alone is printed too).

    .venv/bin/python bench/pipeline.py [--centres 50000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path


def step(name: str, fn, *args) -> tuple[float, float, object]:
    """Run fn(*args) in a fresh process, as the command line would run it: (seconds, peak MB, result).

    The process is not a pool's daemonic worker, so the step may fork helpers as the command
    line does (`survey score`'s readers, the league's CSV writer); their own peak is printed
    beside the step's. A step closes its database as the command line does when it exits: a
    write-ahead log left open would be recovered (seconds) by the next step.
    """
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        seconds, peak, helpers, result = pool.submit(_measured, fn, *args).result()
    forked = f"   (forked helpers {helpers:,.0f} MB)" if helpers else ""
    print(f"  {name:<28} {seconds:8.1f} s   peak {peak:7.0f} MB{forked}")
    return seconds, peak, result


def _measured(fn, *args):
    start = time.perf_counter()
    result = fn(*args)
    seconds = time.perf_counter() - start
    peak, helpers = (
        resource.getrusage(who).ru_maxrss / 1024 for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return seconds, peak, helpers, result


def setup(folder: Path, n: int) -> None:
    """The database (units, a round) and the filled-in workbook."""
    import xlsxwriter
    from national import national_units

    from instruments.library import bundled
    from instruments.synthetic import answers_from_columns, clause_ratings, township_columns
    from survey import assessment
    from survey import db as database
    from survey.store.orgs import save_units
    from survey.store.rounds import create_round

    db = database.connect(folder / "survey.db")
    assessment.load_bundled(db)
    units = national_units(n)
    save_units(db, units)
    centres = [(unit.code, unit.name) for unit in units if unit.level == "township"]
    create_round(db, "township-health-centre", "2025", "全国测试轮次")
    db.close()
    instrument = bundled()["township-health-centre"]
    answers = answers_from_columns(instrument, township_columns(n, seed=50))
    labels = {item.id: {c.value: c.label.zh for c in item.choices} for item in instrument.items}
    book = xlsxwriter.Workbook(folder / "responses.xlsx", {"constant_memory": True})
    sheet = book.add_worksheet("Sheet1")
    ids = [item.id for item in instrument.items]
    for col, header in enumerate(["org_code", *ids]):
        sheet.write_string(0, col, header)
    for row, ((code, _), values) in enumerate(zip(centres, answers, strict=True), start=1):
        sheet.write_string(row, 0, code)
        for col, item_id in enumerate(ids, start=1):
            value = values.get(item_id)
            if value is None:
                continue
            if isinstance(value, bool):
                sheet.write_string(row, col, "是" if value else "否")
            elif isinstance(value, list):
                sheet.write_string(row, col, "、".join(labels[item_id][v] for v in value))
            elif isinstance(value, str):
                sheet.write_string(row, col, labels[item_id].get(value, value))
            else:
                sheet.write_number(row, col, value)
    book.close()
    if instrument.onsite_clauses:
        _ratings_workbook(
            folder / "ratings.xlsx", [code for code, _ in centres], instrument, clause_ratings(instrument, n, 50)
        )


def _ratings_workbook(path: Path, codes: list[str], instrument, ratings) -> None:
    """The self-ratings of every centre: org_code, then each onsite clause and its note."""
    import xlsxwriter

    columns = _ratings(instrument, ratings)
    book = xlsxwriter.Workbook(path, {"constant_memory": True})
    sheet = book.add_worksheet("Sheet1")
    for col, header in enumerate(["org_code", *columns]):
        sheet.write_string(0, col, header)
    for row, code in enumerate(codes, start=1):
        sheet.write_string(row, 0, code)
        for col, cells in enumerate(columns.values(), start=1):
            if cells[row - 1]:
                sheet.write_string(row, col, cells[row - 1])
    book.close()


def _ratings(instrument, ratings) -> dict[str, list[str]]:
    """Each onsite clause's self-ratings as people type them, and a note beside each 不适用, by column."""
    out = {}
    for clause in instrument.onsite_clauses:
        words = {0.0: "未达到", -1.0: "不适用", **{float(k): level for k, level in enumerate(clause.level_ids, 1)}}
        codes = ratings[clause.id].tolist()
        out[clause.id] = [words.get(code, "") for code in codes]  # NaN (unrated) is no key: an empty cell
        out[f"{clause.id}.note"] = ["本院不涉及" if code == -1.0 else "" for code in codes]
    return out


def bare_read(path: Path) -> int:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    cells = sum(len(row) for row in book.worksheets[0].iter_rows(values_only=True))
    book.close()
    return cells


def bare_calamine(path: Path) -> int:
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_path(str(path))
    cells = sum(len(row) for row in book.get_sheet_by_index(0).iter_rows())
    book.close()
    return cells


@contextmanager
def _round(folder: Path):
    """The bench database and its round, closed at the end as the command line closes it on exit."""
    from survey import db as database
    from survey.store.rounds import get_round

    db = database.connect(folder / "survey.db")
    try:
        yield db, get_round(db, 1)
    finally:
        db.close()


def run_import(folder: Path, name: str = "responses.xlsx") -> str:
    from survey import assessment

    data = (folder / name).read_bytes()
    with _round(folder) as (db, round_):
        summary = assessment.import_responses(db, round_, data, name, username="bench")
    return f"{summary.created + summary.updated:,} responses, {summary.changes:,} answers"


def run_score(folder: Path) -> str:
    from survey import assessment

    with _round(folder) as (db, round_):
        scored = assessment.score(db, round_)
    return f"{scored:,} centres scored and stored"


def run_export(folder: Path) -> str:
    from survey import assessment

    with _round(folder) as (db, round_):
        _, data_csv = assessment.write_league(db, round_, folder / "league.xlsx", None)
    made = f"{(folder / 'league.xlsx').stat().st_size / 1_048_576:.0f} MB"
    if data_csv is not None:
        made += f", tidy rows in {data_csv.name} ({data_csv.stat().st_size / 1_048_576:.0f} MB)"
    return made


def _tables(folder: Path):
    """The league workbook's neutral tables, built exactly as the export builds them."""
    import instruments
    from exports import league, tables
    from survey import db as database
    from survey.store import orgs
    from survey.store.rounds import get_round
    from survey.store.scores import round_scores

    db = database.connect(folder / "survey.db")
    result = round_scores(db, get_round(db, 1))
    centres = [tables.Centre(c["code"], c["name"], c["county"], c["city"]) for c in result.centres]
    units = orgs.all_units(db)
    regions = instruments.membership([c.code for c in centres], {k: u.parent_code for k, u in units.items()})
    figures = instruments.regional(result.scores, regions)
    names = {code: (units[code].name, units[code].level) for code in regions}
    before, data, after = league.league_tables(
        result.instrument, result.scores, centres, figures, names, title="全国测试轮次", scope="全部地区"
    )
    return [*before, data, *after]


def _plain(cell):
    return cell[0] if cell.__class__ is tuple else cell


def build_tables(folder: Path) -> int:
    """Only the work of turning scores into cell values."""
    return sum(1 for table in _tables(folder) for _ in table.rows)


def bare_dump(folder: Path) -> int:
    """The same cell values, dumped by XlsxWriter in constant-memory mode with no formats."""
    import xlsxwriter

    from exports.excel import MAX_ROWS

    book = xlsxwriter.Workbook(folder / "bare.xlsx", {"constant_memory": True})
    cells = 0
    for table in _tables(folder):
        sheet, row = book.add_worksheet(table.name), 0
        for values in table.rows:
            if row == MAX_ROWS:
                sheet, row = book.add_worksheet(f"{table.name}_{len(book.worksheets())}"), 0
            for col, cell in enumerate(values):
                cell = _plain(cell)
                if cell is None:
                    continue
                if cell.__class__ is str:
                    sheet.write_string(row, col, cell)
                else:
                    sheet.write_number(row, col, cell)
                cells += 1
            row += 1
    book.close()
    return cells


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--centres", type=int, default=50_000)
    parser.add_argument("--keep", type=Path, help="Keep the files in this folder.")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="survey-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        print(f"{args.centres:,} township health centres; files in {folder}")
        step("set-up (not timed)", setup, folder, args.centres)
        print(f"  workbook: {(folder / 'responses.xlsx').stat().st_size / 1_048_576:.0f} MB")
        read_s, _, cells = step("bare openpyxl read", bare_read, folder / "responses.xlsx")
        calamine_s, _, _ = step("bare calamine read", bare_calamine, folder / "responses.xlsx")
        import_s, import_mb, what = step("import responses", run_import, folder)
        print(f"    {what}; {cells:,} cells read")
        rated_s = 0.0
        if (folder / "ratings.xlsx").exists():
            print(f"  ratings workbook: {(folder / 'ratings.xlsx').stat().st_size / 1_048_576:.0f} MB")
            rated_s, rated_mb, what = step("import self-ratings", run_import, folder, "ratings.xlsx")
            import_mb = max(import_mb, rated_mb)
            print(f"    {what}")
        score_s, score_mb, what = step("score", run_score, folder)
        print(f"    {what}")
        export_s, export_mb, what = step("export league workbook", run_export, folder)
        print(f"    {what}")
        build_s, _, _ = step("  table building alone", build_tables, folder)
        dump_s, _, dumped = step("bare XlsxWriter dump", bare_dump, folder)
        print(f"    {dumped:,} cells")
        total = import_s + rated_s + score_s + export_s
        peak = max(import_mb, score_mb, export_mb)
        print(f"pipeline (imports + score + export): {total:.1f} s; peak memory {peak:.0f} MB")
        print(f"import / bare openpyxl read:  {import_s / read_s:.2f}x")
        print(f"import / bare calamine read:  {import_s / calamine_s:.2f}x")
        print(f"export / bare dump:           {export_s / dump_s:.2f}x")
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
