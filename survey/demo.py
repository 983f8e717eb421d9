"""The demo: Xixian New Area's 18 township health centres and Pingwu County, a year apart.

Xixian's published totals (《关于推进新区基层医疗服务高质量建设的调研报告》): 18
township health centres in its five new cities, 1,371 staff on post of whom 1,116
professional-technical (81.4%, short of the 90% national guidance). Pingwu's
central township health centres are named in the Pingwu county medical community
paper. The split of the totals between centres, and every other answer, is
synthetic but plausible; Xixian's establishment posts are the illustrative ones
of the golden case `tests/cases/xixian-establishment.yaml`. Two rounds: 2024 on
the indicator-only township instrument (2025.1; closed, approved) and 2025 on the
clause-based one (2026.1; open, with answers in every state of the review): the
centres rate themselves clause by clause and attach evidence files (small
generated PDFs and PNGs), county evaluators rate the clauses of what they
reviewed, and one centre's appeal against a county rating waits for a decision.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sqlite_utils import Database

from instruments import BELOW, NOT_APPLICABLE, Instrument
from instruments.expressions import BOOLEAN
from instruments.item_types import ITEM_TYPES
from instruments.library import get
from instruments.synthetic import answers_from_columns, clause_ratings, ratings_from_columns, township_columns

from . import assessment, demo_files
from .store.appeals import lodge
from .store.editing import save_answers
from .store.evidence import add_evidence
from .store.lifecycle import approve, send_back, submit
from .store.orgs import Unit, save_units
from .store.ratings import write_ratings
from .store.responses import get_response
from .store.rounds import create_round, set_status
from .store.users import User, add_user

PASSWORD = "demo-2025!"
XIXIAN = {  # new city: (login of its evaluator, its township health centres)
    "沣东新城": ("fengdong", ["斗门", "王寺", "上林"]),
    "沣西新城": ("fengxi", ["大王", "高桥", "马王"]),
    "秦汉新城": ("qinhan", ["窑店", "正阳", "渭城", "周陵", "双照"]),
    "空港新城": ("konggang", ["底张", "太平", "北杜"]),
    "泾河新城": ("jinghe", ["永乐", "崇文", "泾干", "高庄"]),
}
XIXIAN_STAFF = [62, 95, 71, 48, 83, 120, 57, 66, 74, 88, 53, 79, 102, 45, 69, 58, 91, 110]
XIXIAN_PROF_TECH = [50, 80, 56, 44, 66, 95, 47, 54, 60, 71, 42, 64, 82, 41, 56, 47, 74, 87]
XIXIAN_ESTABLISHMENT = [58, 85, 64, 45, 75, 105, 50, 62, 64, 80, 46, 72, 90, 42, 60, 55, 80, 97]
PINGWU_STAFF, PINGWU_PROF_TECH, PINGWU_ESTABLISHMENT = (
    [35, 68, 54, 41, 39, 30],
    [29, 60, 47, 35, 34, 25],
    [
        32,
        62,
        50,
        38,
        36,
        28,
    ],
)
EARLIER_VERSION = "2025.1"  # the 2024 round's instrument: indicators only, as before clauses were rated
NOT_APPLICABLE_NOTE = "本院未开展此项服务"
APPEALING = "619901003"  # 上林卫生院: appeals a county rating
PINGWU = [
    "龙安镇卫生院",
    "江油关镇中心卫生院",
    "古城镇中心卫生院",
    "平通镇中心卫生院",
    "豆叩镇中心卫生院",
    "水晶镇卫生院",
]


@dataclass
class Logins:
    password: str
    users: list[tuple[str, str, str]] = field(default_factory=list)  # username, role, unit name


def _units() -> list[Unit]:
    units = [
        Unit("61", "陕西省", "province", None, "region", 39_560_000),
        Unit("6199", "西咸新区", "city", "61", "region", 1_000_000),
        Unit("51", "四川省", "province", None, "region", 83_740_000),
        Unit("5107", "绵阳市", "city", "51", "region", 4_870_000),
        Unit("510727", "平武县", "county", "5107", "region", 160_000),
    ]
    for c, (city, (_, towns)) in enumerate(XIXIAN.items(), start=1):
        city_code = f"6199{c:02d}"
        units.append(Unit(city_code, city, "county", "6199", "region", None))
        for t, town in enumerate(towns, start=1):
            code, name = f"{city_code}{t:03d}", f"{town}卫生院"
            owner = "县属" if t == 1 else "乡镇属"  # the first of each new city stands for its central centre
            units.append(Unit(code, name, "township", city_code, "township_health_centre", None, _attributes(owner)))
    for t, name in enumerate(PINGWU, start=1):
        owner = "县属" if "中心卫生院" in name else "乡镇属"
        attributes = {**_attributes(owner), "医共体成员": "平武县医共体"}
        units.append(Unit(f"510727{t:03d}", name, "township", "510727", "township_health_centre", None, attributes))
    community = {**_attributes("县属"), "医共体成员": "平武县医共体"}
    units.append(
        Unit(
            "510727100", "平武县龙安社区卫生服务中心", "community", "510727", "community_health_centre", None, community
        )
    )
    return units


def _attributes(owner: str) -> dict[str, str]:
    """A centre's 隶属关系 (county- or township-run: the Sichuan paper's tables are by owner level) and 举办主体."""
    return {"隶属关系": owner, "举办主体": "政府办"}


DEMO_USERS = ("admin", "xixian", "fengdong", "doumen")


def self_ratings(instrument: Instrument, n: int, seed: int) -> list[dict[str, tuple[str, str]]]:
    """Each centre's self-ratings of the onsite clauses as written (level, note), a little above evaluators'."""
    rows = ratings_from_columns(instrument, clause_ratings(instrument, n, seed))
    generous = np.random.default_rng(seed).random((n, len(instrument.onsite_clauses))) < 0.85
    out = []
    for row, values in enumerate(rows):
        rated = {}
        for column, clause in enumerate(instrument.onsite_clauses):
            value = values.get(clause.id)
            if value in (BELOW, None) and generous[row, column]:
                value = clause.level_ids[0]  # a centre rarely finds itself short, or leaves a clause unrated
            elif value in clause.level_ids[:-1] and generous[row, column]:
                value = clause.level_ids[clause.level_ids.index(value) + 1]
            if value is not None:
                rated[clause.id] = (value, NOT_APPLICABLE_NOTE if value == NOT_APPLICABLE else "")
        out.append(rated)
    return out


def county_ratings(instrument: Instrument, rated: dict[str, tuple[str, str]], seed: int) -> dict[str, tuple[str, str]]:
    """A county evaluator's ratings: the centre's own mostly, one level lower on about one clause in six."""
    rng = np.random.default_rng(seed)
    out = {}
    for clause in instrument.onsite_clauses:
        value, note = rated.get(clause.id, (None, ""))
        if value in clause.level_ids[1:] and rng.random() < 1 / 6:
            lower = clause.level_ids[clause.level_ids.index(value) - 1]
            out[clause.id] = (lower, f"现场查看：仅达到{lower}级要求")
        elif value is not None:
            out[clause.id] = (value, note)
    return out


def _a_year_earlier(instrument, columns: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Last year's answers: every count a little lower (one factor per centre, so every
    constraint between counts still holds) and a few services not yet in place."""
    rng = np.random.default_rng(2024)
    n = len(columns["staff_total"])
    factor = rng.uniform(0.9, 1.0, n)
    asking = {name for item in instrument.items if item.relevant for name in item.relevant.names}
    earlier = {}
    for item in instrument.items:
        column, kind = columns[item.id], ITEM_TYPES[item.type]
        if kind.quantity:
            column = np.round(np.floor(column * factor / kind.step) * kind.step, 6)
        elif kind.kind == BOOLEAN and item.id not in asking:
            column = np.where(rng.random(n) < 0.1, 0.0, column)
        earlier[item.id] = column
    return earlier


def _well_equipped(instrument: Instrument, n: int) -> dict[str, np.ndarray]:
    """Three centres in four have one working unit of each basic device and every basic department, emergency
    technique and laboratory test the standard lists (so the demo's grades spread over the national ones)."""
    rng = np.random.default_rng(2026)
    equipped = rng.random(n) < 0.75
    fixed = {}
    for item in instrument.items:
        if item.id.startswith("eq_") and item.id != "eq_computers" and item.id.removesuffix("_ok") != "eq_computers":
            fixed[item.id] = np.where(equipped, 1.0, rng.integers(0, 2, n))
        elif item.id in ("depts_basic", "emergency_techniques", "lab_tests_basic"):
            fixed[item.id] = np.where(equipped, len(item.choices), len(item.choices) - rng.integers(0, 3, n))
    return fixed


def demo_logins(db: Database) -> list[tuple[str, str, str]]:
    """The demo's logins (username, role, unit name) when `db` holds the demo, else []."""
    rows = list(
        db.query(
            """SELECT u.username, u.role, coalesce(o.name, '全部') AS unit FROM users u
               LEFT JOIN org_units o ON o.code = u.org_code ORDER BY u.id"""
        )
    )
    names = {row["username"] for row in rows}
    return [(r["username"], r["role"], r["unit"]) for r in rows] if set(DEMO_USERS) <= names else []


def create_demo(db: Database) -> Logins:
    """Fill an empty database with the demo region, users, two rounds and answers."""
    assessment.load_bundled(db)
    units = _units()
    save_units(db, units)
    centres = [u for u in units if u.kind == "township_health_centre"]
    logins = Logins(PASSWORD)
    county_evaluators = {f"6199{c:02d}": login for c, (login, _) in enumerate(XIXIAN.values(), 1)}
    county_evaluators["510727"] = "pingwu"
    city_evaluators = {"6199": "xixian-city", "5107": "mianyang"}
    users = [
        ("admin", "admin", None),
        ("shaanxi", "official", "61"),
        ("xixian", "official", "6199"),
        ("xixian-city", "evaluator", "6199"),
        ("mianyang", "evaluator", "5107"),
        *[(login, "evaluator", code) for code, login in county_evaluators.items()],
        ("doumen", "centre", "619901001"),
        ("wangsi", "centre", "619901002"),
        ("shanglin", "centre", APPEALING),
        ("yaodian", "centre", "619903001"),
        ("longan", "centre", "510727001"),
    ]
    names = {u.code: u.name for u in units}
    ids = {}
    for username, role, org in users:
        ids[username] = add_user(db, username, PASSWORD, role, org).id
        logins.users.append((username, role, names.get(org, "全部")))

    earlier = get("township-health-centre", EARLIER_VERSION)
    instrument = assessment.bundled()["township-health-centre"]
    previous = create_round(
        db, earlier.id, "2024", "2024年度乡镇卫生院服务能力评估", version=earlier.version, review_levels=2
    )
    current = create_round(
        db,
        instrument.id,
        "2025",
        "2025年度乡镇卫生院服务能力评估",
        version=instrument.version,
        review_levels=2,
        deadline="2026-03-31",
    )
    staff = np.array(XIXIAN_STAFF + PINGWU_STAFF, dtype=float)
    prof = np.array(XIXIAN_PROF_TECH + PINGWU_PROF_TECH, dtype=float)
    establishment = np.array(XIXIAN_ESTABLISHMENT + PINGWU_ESTABLISHMENT, dtype=float)
    n = len(centres)
    columns = township_columns(
        n,
        2025,
        staff,
        prof,
        blank_share=0,
        instrument=instrument,
        establishment=establishment,
        fixed=_well_equipped(instrument, n),
    )
    this_year = answers_from_columns(instrument, columns)
    before = township_columns(n, 2025, staff, prof, blank_share=0, instrument=earlier)
    last_year = answers_from_columns(earlier, _a_year_earlier(earlier, before))
    rated_by_centres = self_ratings(instrument, n, 2025)
    files = demo_files.evidence_files(instrument)

    def fill(round_, form, centre, values):
        save_answers(db, round_, form, centre.code, values, username="demo", source="demo")
        return get_response(db, round_.id, centre.code)

    def reviewer(centre, level):
        county = centre.parent_code
        return county_evaluators[county] if level == 1 else city_evaluators[county[:4]]

    def review(round_, centre, response, *levels):
        for level in levels:
            login = reviewer(centre, level)
            response = approve(db, round_, response, level=level, username=login, user_id=ids[login])
        return response

    def rate_self(centre, response, rated):
        write_ratings(db, instrument, response, rated, verified=False, username="demo", source="demo")

    def attach(centre, rated):
        member = User(0, "demo", "centre", centre.code, True)
        for clause in instrument.onsite_clauses:
            if clause.id in files and (clause.evidence == "required" or rated.get(clause.id, ("",))[0] == "A"):
                name, data = files[clause.id]
                add_evidence(db, current, instrument, centre.code, clause.id, name, data, member, source="demo")

    def rate_county(centre, response, rated, seed):
        login = reviewer(centre, 1)
        found = county_ratings(instrument, rated, seed)
        write_ratings(db, instrument, response, found, verified=True, username=login, source="review", level=1)
        return found

    for centre, values in zip(centres, last_year, strict=True):
        response = submit(
            db, previous, earlier, fill(previous, earlier, centre, values), username="demo", source="demo"
        )
        review(previous, centre, response, 1, 2)
    set_status(db, previous, "closed")

    for index, (centre, values, rated) in enumerate(zip(centres, this_year, rated_by_centres, strict=True)):
        if centre.code == "510727006":
            continue  # 水晶镇卫生院 has not started
        if centre.code in ("619901001", "510727001"):  # the demo centre logins: a draft half done
            half = dict(list(values.items())[: len(values) // 2])
            response = fill(current, instrument, centre, half)
            rate_self(centre, response, dict(list(rated.items())[: len(rated) // 3]))
            continue
        response = fill(current, instrument, centre, values)
        rate_self(centre, response, rated)
        attach(centre, rated)
        response = submit(
            db, current, instrument, get_response(db, current.id, centre.code), username="demo", source="demo"
        )
        if index % 5 == 1:
            login = reviewer(centre, 1)
            send_back(
                db,
                current,
                response,
                level=1,
                username=login,
                user_id=ids[login],
                comment="请核实在岗职工与专业技术人员数",
                item_comments={"staff_prof_tech": "与人事报表不一致，请核对"},
            )
        elif index % 5 in (2, 3):
            found = rate_county(centre, response, rated, index)
            response = review(current, centre, get_response(db, current.id, centre.code), 1)
            if centre.code == APPEALING:
                _appeal(db, current, instrument, centre, rated, found)
            elif index % 5 == 3:
                review(current, centre, response, 2)
    assessment.score(db, previous)
    assessment.score(db, current)
    return logins


def _appeal(db: Database, round_, instrument: Instrument, centre: Unit, rated: dict, found: dict) -> None:
    """The centre appeals the first clause the county rated lower than it did, with a reason and a photo."""
    clause_id = next(key for key, (level, _) in found.items() if level != rated[key][0])
    member = User(0, "demo", "centre", centre.code, True)
    lodge(
        db,
        round_,
        instrument,
        centre.code,
        clause_id,
        "我院已按要求整改，现场检查时资料未及时提供，现补充佐证材料",
        member,
        file=("整改后现场照片.png", demo_files.png(seed=7)),
    )
