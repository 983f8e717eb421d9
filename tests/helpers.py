"""Small helpers shared by the tests."""

import copy
import functools
import io
from pathlib import Path

import openpyxl
import yaml

from survey import db as database
from survey.store.orgs import Unit, save_units
from survey.store.rounds import create_round
from survey.store.versions import save_instrument

XIXIAN = [  # 西咸新区: two counties, three township health centres
    Unit("61", "陕西省", "province", None, "region", None),
    Unit("6199", "西咸新区", "city", "61", "region", None),
    Unit("619901", "沣东新城", "county", "6199", "region", None),
    Unit("619902", "沣西新城", "county", "6199", "region", None),
    Unit("619901001", "斗门卫生院", "township", "619901", "township_health_centre", None),
    Unit("619901002", "王寺卫生院", "township", "619901", "township_health_centre", None),
    Unit("619902001", "大王卫生院", "township", "619902", "township_health_centre", None),
]


INSTRUMENT_CASES = Path(__file__).parent / "cases" / "instruments"


@functools.cache
def _parsed(path: Path):
    return yaml.load(path.read_text("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506


def yaml_data(path: Path):
    """A YAML file's data, parsed once per run with libyaml; each call gets its own copy to change."""
    return copy.deepcopy(_parsed(Path(path)))


def store_with(path, units, instrument):
    """A new database at `path` holding these units and this instrument."""
    db = database.connect(path)
    save_units(db, units)
    save_instrument(db, instrument)
    return db


def county_round(path, n, instrument):
    """A store at `path` with `n` township centres in one county (6199010001, …) and a round of `instrument`:
    (db, round, codes)."""
    codes = [f"619901{k:04d}" for k in range(1, n + 1)]
    units = [*XIXIAN[:3], *(Unit(code, f"第{k}卫生院", "township", "619901", "township_health_centre", None)
                            for k, code in enumerate(codes, start=1))]  # fmt: skip
    db = store_with(path, units, instrument)
    return db, create_round(db, instrument.id, "2025", "2025年度评估", review_levels=2), codes


def stored_results(db):
    """Every stored result of the database, all its figures, in code order (for comparing two scorings)."""
    sql = "SELECT response_id, org_code, county, total, grade, failed, scores, figures FROM results ORDER BY org_code"
    return db.execute(sql).fetchall()


def xixian_round(db, instrument):
    """The 2025 round of `instrument` over 西咸新区, reviewed by the county and then the city."""
    return create_round(db, instrument.id, "2025", "2025年度评估", scope_code="6199", review_levels=2)


def xlsx_bytes(rows, title: str = "Sheet1") -> bytes:
    """A workbook of one sheet holding `rows`, as a person would save it from Excel."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def filled(data: bytes, **cells) -> bytes:
    """The offline template `data` with `cells` (item id or org_code: value) typed into the first centre's row."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["填报"]
    ids_row = next(r for r in range(1, 11) if sheet.cell(r, 1).value == "org_code")
    columns = {sheet.cell(ids_row, c).value: c for c in range(1, sheet.max_column + 1)}
    for name, value in cells.items():
        sheet.cell(ids_row + 1, columns[name], value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
