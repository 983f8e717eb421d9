"""Officials' reports: who sees what, the league table (rank, sort, filter, pages), the data toggle,
regional figures, a centre's profile, the downloads, and the charts on the pages."""

import io
import re
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter

import numpy as np
import openpyxl
import pytest
from conftest import fill_completely

import instruments
from exports.names import name_key
from survey.official import profile, reports
from survey.store.editing import save_answers
from survey.store.orgs import all_units
from survey.store.ratings import write_ratings
from survey.store.responses import answers, get_response, statuses
from survey.store.rounds import centres, create_round, get_round, round_instrument
from survey.store.scores import round_scores

WANGSI = "619901002"  # 王寺卫生院, 沣东新城: returned in 2025
SHANGLIN = "619901003"  # 上林卫生院, 沣东新城: short of 90% of its establishment posts
PINGWU_CENTRE = "510727001"
ROUTES = [
    "/reports/",
    "/reports/rounds/2",
    "/reports/rounds/2/regions",
    "/reports/rounds/2/clauses",
    f"/reports/rounds/2/centres/{WANGSI}",
    f"/reports/rounds/2/centres/{WANGSI}/card.xlsx",
    "/reports/rounds/2/league.xlsx",
    "/reports/rounds/2/cards.zip",
]
XIXIAN_COUNTIES = {  # as regions are listed: by name in pinyin order (feng dong, feng xi, jing, kong, qin)
    "619901": "沣东新城",
    "619902": "沣西新城",
    "619905": "泾河新城",
    "619904": "空港新城",
    "619903": "秦汉新城",
}


def page(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def league_rows(html):
    """(code, rank, total) of each row of the league table, in page order."""
    rows = re.findall(r'<tr data-code="(\w+)">\s*<td class="num" data-rank>([^<]*)</td>(.*?)</tr>', html, re.S)
    out = []
    for code, rank, rest in rows:
        total = re.search(r"<td class=\"num\" data-total>([^<]*)</td>", rest).group(1)
        out.append((code, int(rank) if rank.strip().isdigit() else 0, None if total == "—" else float(total)))
    return out


# ---------------------------------------------------------------- who may see what


def test_every_report_route_is_read_only(app):
    """No report route changes anything, so none takes a POST (and none needs a CSRF token)."""
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("official.")]
    assert len(rules) == len(ROUTES)
    assert all(rule.methods <= {"GET", "HEAD", "OPTIONS"} for rule in rules)


@pytest.mark.parametrize(
    "path",
    [
        f"/reports/rounds/2/centres/{PINGWU_CENTRE}",
        f"/reports/rounds/2/centres/{PINGWU_CENTRE}/card.xlsx",
        "/reports/rounds/2/centres/nowhere",
        "/reports/rounds/2/centres/6199",  # a region, not a centre
        "/reports/rounds/999",
        "/reports/rounds/999/regions",
        "/reports/rounds/x",
        "/reports/rounds/99999999999999999999999",
    ],
)
def test_outside_the_jurisdiction_is_404(client, auth, path):
    auth.as_user("xixian")
    response = client.get(path)
    assert response.status_code == 404 and "页面不存在" in response.get_data(as_text=True)


@pytest.fixture
def pingwu_round(app_db):
    """A round for Pingwu county only: outside Shaanxi altogether."""
    return create_round(app_db, "township-health-centre", "2025", "平武县专项评估", scope_code="510727")


@pytest.mark.parametrize("user", ["xixian", "shaanxi"])
def test_a_round_outside_the_jurisdiction_is_not_there(client, auth, pingwu_round, user):
    auth.as_user(user)
    assert "平武县专项评估" not in page(client, "/reports/")
    for path in ROUTES[1:]:
        assert client.get(path.replace("/rounds/2", f"/rounds/{pingwu_round.id}")).status_code == 404


def test_a_round_below_the_jurisdiction_shows_its_own_scope(client, auth, app_db):
    create_round(app_db, "township-health-centre", "2025", "秦汉新城专项评估", scope_code="619903")
    auth.as_user("xixian")
    html = page(client, "/reports/")
    assert "秦汉新城专项评估" in html
    assert "机构填报情况（共 5 家）" in html


def test_each_sees_their_own_centres(client, auth):
    auth.as_user("shaanxi")
    shaanxi = league_rows(page(client, "/reports/rounds/2"))
    auth.as_user("xixian")
    xixian = league_rows(page(client, "/reports/rounds/2"))
    auth.as_user("admin")
    everyone = league_rows(page(client, "/reports/rounds/2"))
    assert sorted(shaanxi) == sorted(xixian) and len(xixian) == 18
    assert all(code.startswith("6199") for code, _, _ in xixian)
    assert len(everyone) == 23  # 18 in Xixian, 5 of Pingwu's 6 (水晶镇 has not started)
    assert PINGWU_CENTRE in {code for code, _, _ in everyone}


def test_the_rounds_page_counts_by_status(client, auth, app_db):
    auth.as_user("xixian")
    html = page(client, "/reports/")
    round_ = get_round(app_db, 2)
    codes = {c["code"] for c in centres(app_db, round_, "6199")}
    expected = {"new": 0, "draft": 0, "submitted": 0, "returned": 0, "approved": 0}
    for code, response in statuses(app_db, round_).items():
        if code in codes:
            expected[response.status] += 1
    assert expected == {"new": 0, "draft": 1, "submitted": 10, "returned": 4, "approved": 3}
    card = html.split("2025年度乡镇卫生院服务能力评估")[1].split("</li>")[0]
    for status, n in expected.items():
        assert re.search(rf'<tr data-status="{status}">.*?<td class="num">{n}</td>', card, re.S)
    assert html.index("2025年度") < html.index("2024年度")  # the open round first


def test_the_nav_links_officials_to_their_reports(client, auth):
    auth.as_user("xixian")
    assert 'href="/reports/"' in page(client, "/auth/password")
    auth.as_user("doumen")
    assert 'href="/reports/"' not in page(client, "/rounds")


# ---------------------------------------------------------------- the league table


def test_the_league_is_ranked_like_the_core(client, auth, app_db):
    auth.as_user("xixian")
    rows = league_rows(page(client, "/reports/rounds/2"))
    result = round_scores(app_db, get_round(app_db, 2), "6199")
    ranks = instruments.rank(result.scores.total)
    expected = {c["code"]: int(r) for c, r in zip(result.centres, ranks, strict=True)}
    assert {code: rank for code, rank, _ in rows} == expected
    assert [rank for _, rank, _ in rows] == sorted(rank for _, rank, _ in rows)
    totals = [total for _, _, total in rows]
    assert totals == sorted(totals, reverse=True)


def test_equal_totals_share_a_rank(client, auth, app_db):
    round_ = get_round(app_db, 2)
    instrument = round_instrument(app_db, round_)
    auth.as_user("xixian")
    before = league_rows(page(client, "/reports/rounds/2"))
    best = before[0][0]
    copied = answers(app_db, instrument, get_response(app_db, 2, best).id, verified=True)
    items = {key: value for key, value in copied.items() if key in instrument.item}
    save_answers(app_db, round_, instrument, "619901001", items, username="test", source="test", replace=True)
    levels = {c.id: (copied.get(c.id), "照抄") for c in instrument.onsite_clauses}  # the clause levels too
    write_ratings(app_db, instrument, get_response(app_db, 2, "619901001"), levels, verified=False, username="test",
                  source="test")  # fmt: skip
    rows = league_rows(page(client, "/reports/rounds/2"))
    assert [(rank, total) for _, rank, total in rows[:2]] == [(1, before[0][2])] * 2
    assert {rows[0][0], rows[1][0]} == {best, "619901001"}
    assert rows[2][1] == 3  # 1, 1, 3


@pytest.mark.parametrize(
    ("query", "key", "descending"),
    [
        ("sort=total&order=asc", "total", False),
        ("sort=total", "total", True),
        ("sort=rank&order=desc", "rank", True),
        ("sort=staffing", "staffing", True),
        ("sort=informatization&order=asc", "informatization", False),
    ],
)  # round 1 runs 2025.1, whose dimensions the league sorts by
def test_sort_by_query(client, auth, app_db, query, key, descending):
    auth.as_user("xixian")
    html = page(client, f"/reports/rounds/1?{query}")
    codes = [code for code, _, _ in league_rows(html)]
    assert codes == [r["code"] for r in sorted_reference(reference_rows(app_db, round_id=1), key, descending)]
    sort = "descending" if descending else "ascending"
    assert f'aria-sort="{sort}"' in html and "已忽略" not in html


def reference_rows(db, scope="6199", round_id=2):
    """The league worked out afresh from the answers (the core's scoring and ranking), one dict per centre."""
    from instruments import rank
    from instruments.ranking import rank_within
    from survey.store.scores import round_scores

    result = round_scores(db, get_round(db, round_id), scope)
    ranks = rank(result.scores.total)
    counties = [c["county"] for c in result.centres]
    within = rank_within(result.scores.total, counties)
    return [
        {"code": c["code"], "rank": int(ranks[row]), "county_rank": int(within[row]), "county": c["county"],
         "total": None if np.isnan(result.scores.total[row]) else float(result.scores.total[row]),
         "dimensions": {d: None if np.isnan(v[row]) else float(v[row]) for d, v in result.scores.dimensions.items()},
         "groups": {g: None if np.isnan(v[row]) else float(v[row])  # what the profile charts: dimensions, else chapters
                    for g, v in (result.scores.dimensions or result.scores.chapters).items()}}
        for row, c in enumerate(result.centres)
    ]  # fmt: skip


def sorted_reference(rows, key, descending):
    """Rows by `key`, ties by rank, centres without a value last (the order the league promises)."""
    value = {"rank": lambda r: r["rank"] or None, "total": lambda r: r["total"]}.get(key) or (
        lambda r: r["dimensions"].get(key)
    )
    ordered = sorted(rows, key=lambda r: (r["rank"] == 0, r["rank"], r["code"]))
    present = sorted((r for r in ordered if value(r) is not None), key=value, reverse=descending)
    return present + [r for r in ordered if value(r) is None]


def test_sort_by_name_and_county(client, auth):
    auth.as_user("xixian")
    names = re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a>', page(client, "/reports/rounds/2?sort=name"))
    assert names == sorted(names, key=name_key) and len(names) == 18  # pinyin: 北杜 bei … 周陵 zhou
    assert names[0] == "北杜卫生院" and names[-1] == "周陵卫生院"
    html = page(client, "/reports/rounds/2?sort=county&order=desc")
    counties = re.findall(r"<td data-county>([^<]+)</td>", html)
    assert counties == sorted(counties, key=name_key, reverse=True)


@pytest.mark.parametrize(
    "query",
    ["sort=bogus", "order=sideways", "page=x", "page=0", "page=-2", "county=nowhere", "grade=gold",
     "approved_only=7", "sort=<script>", "page=99999999999999999999"],
)  # fmt: skip
def test_bad_parameters_are_ignored_and_named(client, auth, query):
    auth.as_user("xixian")
    response = client.get(f"/reports/rounds/2?{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "已忽略无效的参数" in html and "<script>" not in html
    assert len(league_rows(html)) == 18  # the default view


def test_links_keep_only_known_parameters(client, auth):
    auth.as_user("xixian")
    html = page(client, "/reports/rounds/2?_external=1&_scheme=javascript&_anchor=x&sort=total&evil=1")
    links = re.findall(r'href="([^"]*)"', html)
    assert not [link for link in links if "javascript" in link or "evil" in link or "#x" in link]
    assert re.search(r'<a href="/reports/rounds/2\?sort=total&amp;approved_only=1">仅含已通过</a>', html)


def test_filter_by_county_and_grade(client, auth, app_db):
    auth.as_user("xixian")
    html = page(client, "/reports/rounds/2?county=619903")
    assert len(league_rows(html)) == 5 and "（已筛选；全辖区 18 家）" in html
    assert set(re.findall(r"<td data-county>([^<]+)</td>", html)) == {"秦汉新城"}
    assert '<option selected value="619903">秦汉新城</option>' in html
    result = round_scores(app_db, get_round(app_db, 2), "6199")  # worked out afresh from the answers
    grades = Counter(result.scores.grade_id(row) for row in range(result.scores.n))
    below = page(client, "/reports/rounds/2?grade=below")
    assert 0 < grades["below"] == len(league_rows(below)) == below.count("<td>未达到基本标准</td>")
    missing = next(g for g in ("recommended", "basic", "qualified") if not grades[g])  # a grade nobody reached
    assert league_rows(page(client, f"/reports/rounds/2?grade={missing}")) == []
    assert "没有符合条件的机构" in page(client, f"/reports/rounds/2?grade={missing}")


def test_county_options_are_the_jurisdictions(client, auth):
    auth.as_user("xixian")
    html = page(client, "/reports/rounds/2")
    options = dict(re.findall(r'<option (?:selected )?value="(\d+)">([^<]+)</option>', html.split('name="county"')[1]
                              .split("</select>")[0]))  # fmt: skip
    assert options == XIXIAN_COUNTIES


def test_pages_of_rows(client, auth, monkeypatch):
    monkeypatch.setattr(reports, "PAGE_SIZE", 5)
    auth.as_user("xixian")
    first = page(client, "/reports/rounds/2")
    assert [rank for _, rank, _ in league_rows(first)] == [1, 2, 3, 4, 5]
    assert "第 1 / 4 页" in first and 'rel="next"' in first and 'rel="prev"' not in first
    second = page(client, "/reports/rounds/2?page=2")
    assert [rank for _, rank, _ in league_rows(second)] == [6, 7, 8, 9, 10]
    last = page(client, "/reports/rounds/2?page=9")
    assert "第 4 / 4 页" in last and len(league_rows(last)) == 3 and "page=9" in last


# ---------------------------------------------------------------- the data toggle


def test_the_toggle_changes_the_rows_and_is_labelled(client, auth):
    auth.as_user("xixian")
    everything = page(client, "/reports/rounds/2")
    approved = page(client, "/reports/rounds/2?approved_only=1")
    assert len(league_rows(everything)) == 18 and len(league_rows(approved)) == 3
    assert "含未审核数据（草稿、已提交、已退回与已通过）" in everything
    assert "仅含已审核通过的数据" in approved
    assert set(re.findall(r'class="status s-(\w+)"', approved)) == {"approved"}
    assert "approved_only=1" in approved.split('id="downloads-title"')[1].split("</section>")[0]
    assert "approved_only=0" in everything.split('id="downloads-title"')[1].split("</section>")[0]
    # the ranks are those among approved centres only
    assert [rank for _, rank, _ in league_rows(approved)] == [1, 2, 3]


@pytest.mark.parametrize(
    "path", ["/reports/rounds/2", "/reports/rounds/2/regions", f"/reports/rounds/2/centres/{WANGSI}"]
)
def test_every_report_page_carries_the_toggle(client, auth, path):
    auth.as_user("xixian")
    html = page(client, path)
    assert "数据范围" in html and "含未审核数据" in html and "仅含已通过" in html
    assert re.search(r'<a href="[^"]*approved_only=1[^"]*">仅含已通过</a>', html)
    assert "仅含已审核通过的数据" in page(client, f"{path}?approved_only=1")


def test_the_toggle_keeps_the_other_parameters(client, auth):
    auth.as_user("xixian")
    html = page(client, "/reports/rounds/2?sort=total&county=619903&page=1")
    link = re.search(r'<a href="([^"]*)">仅含已通过</a>', html).group(1).replace("&amp;", "&")
    assert "sort=total" in link and "county=619903" in link and "approved_only=1" in link and "page=" not in link


# ---------------------------------------------------------------- regions


def test_regional_figures_are_the_cores(app_db):
    round_ = get_round(app_db, 2)
    table = reports.league(app_db, round_, "6199", False)
    from survey.official import regions

    summary = regions.summary(app_db, table, "county")
    assert [r.code for r in summary.regions] == list(XIXIAN_COUNTIES)
    result = round_scores(app_db, round_, "6199")
    tree = {code: unit.parent_code for code, unit in all_units(app_db).items()}
    members = instruments.membership([c["code"] for c in result.centres], tree)
    wanted = {code: members[code] for code in ["6199", *XIXIAN_COUNTIES]}
    expected = instruments.regional(result.scores, wanted)
    got = [line.figure for item in summary.indicators for line in item.lines]
    assert got == expected
    on_post = summary.lines_of("prof_tech_share_on_post")[0]  # 1,116 of 1,371 staff on post, as Xixian reported
    assert on_post.region.code == "6199" and on_post.pooled == "81.4%" and on_post.figure.pooled_met is None
    share = summary.lines_of("prof_tech_share")[0]  # of the 1,230 establishment posts, as the 2011 guidance counts
    assert share.region.code == "6199" and share.pooled == "90.7%" and share.figure.pooled_met is True


def test_kept_regional_figures_follow_a_write(app_db):
    from survey.official import regions

    round_ = get_round(app_db, 2)
    instrument = round_instrument(app_db, round_)
    table = reports.league(app_db, round_, "6199", False)
    before = regions.summary(app_db, table, "county")
    assert before.parts.kept  # worked out once, kept with the held figures of a database file
    assert [line.figure for item in before.indicators for line in item.lines] == [
        line.figure for item in regions.summary(app_db, table, "county").indicators for line in item.lines
    ]
    centre = "619901001"
    copied = answers(app_db, instrument, get_response(app_db, 2, centre).id, verified=True)
    items = {key: value for key, value in copied.items() if key in instrument.item}
    items["staff_prof_tech"] = 0
    save_answers(app_db, round_, instrument, centre, items, username="test", source="test", replace=True)
    after = regions.summary(app_db, table, "county")
    result = round_scores(app_db, round_, "6199")
    tree = {code: unit.parent_code for code, unit in all_units(app_db).items()}
    members = instruments.membership([c["code"] for c in result.centres], tree)
    expected = instruments.regional(result.scores, {code: members[code] for code in ["6199", *XIXIAN_COUNTIES]})
    got = [line.figure for item in after.indicators for line in item.lines]
    assert got == expected
    assert after.lines_of("prof_tech_share")[0].figure != before.lines_of("prof_tech_share")[0].figure


def test_kept_regions_follow_a_unit_moved(app_db):
    from survey.official import regions
    from survey.store.orgs import Unit, get_unit, save_units

    round_ = get_round(app_db, 2)
    table = reports.league(app_db, round_, "6199", False)
    before = regions.summary(app_db, table, "county")
    sizes = {code: len(rows) for code, rows in before.parts.members.items()}
    centre = get_unit(app_db, "619901001")
    save_units(app_db, [Unit(centre.code, centre.name, centre.level, "619902", centre.kind, centre.population)])
    after = regions.summary(app_db, table, "county")
    moved = {code: len(rows) for code, rows in after.parts.members.items()}
    assert moved["619901"] == sizes["619901"] - 1 and moved["619902"] == sizes["619902"] + 1
    result = round_scores(app_db, round_, "6199")
    tree = {code: unit.parent_code for code, unit in all_units(app_db).items()}
    members = instruments.membership([c["code"] for c in result.centres], tree)
    expected = instruments.regional(result.scores, {code: members[code] for code in ["6199", *XIXIAN_COUNTIES]})
    assert [line.figure for item in after.indicators for line in item.lines] == expected


def test_xixian_pooled_share_on_post_is_short_of_ninety(client, auth):
    auth.as_user("xixian")
    html = page(client, "/reports/rounds/2/regions")
    group = html.split('data-indicator="prof_tech_share_on_post"')[1].split("</tbody>")[0]
    xixian = group.split('data-region="6199"')[1].split("</tr>")[0]
    assert "西咸新区" in xixian and '<td class="num" data-pooled>81.4%</td>' in xixian
    group = html.split('data-indicator="prof_tech_share"')[1].split("</tbody>")[0]
    xixian = group.split('data-region="6199"')[1].split("</tr>")[0]
    assert '<td class="num" data-pooled>90.7%</td>' in xixian and "达标" in xixian and "目标 ≥ 90%" in group
    assert all(f'data-region="{code}"' in group for code in XIXIAN_COUNTIES)


def test_the_level_chooses_the_regions(client, auth):
    auth.as_user("shaanxi")
    by_city = page(client, "/reports/rounds/2/regions?level=city")
    group = by_city.split('data-indicator="prof_tech_share"')[1].split("</tbody>")[0]
    assert re.findall(r'data-region="(\d+)"', group) == ["61", "6199"]
    by_county = page(client, "/reports/rounds/2/regions")
    group = by_county.split('data-indicator="prof_tech_share"')[1].split("</tbody>")[0]
    assert re.findall(r'data-region="(\d+)"', group) == ["61", *XIXIAN_COUNTIES]
    auth.as_user("xixian")
    ignored = page(client, "/reports/rounds/2/regions?level=city&indicator=nothing")
    assert "已忽略无效的参数" in ignored and "level=city" in ignored and "indicator=nothing" in ignored


def test_the_admin_sees_all_regions_together(client, auth):
    auth.as_user("admin")
    html = page(client, "/reports/rounds/2/regions?level=province")
    group = html.split('data-indicator="prof_tech_share"')[1].split("</tbody>")[0]
    assert re.findall(r'data-region="(\d*)"', group) == ["", "61", "51"] and "全部地区" in group  # 陕西 shan, 四川 si


def test_the_regions_toggle_changes_the_figures(client, auth):
    auth.as_user("xixian")
    approved = page(client, "/reports/rounds/2/regions?approved_only=1")
    xixian = approved.split('data-indicator="prof_tech_share"')[1].split('data-region="6199"')[1].split("</tr>")[0]
    assert re.findall(r'<td class="num">(\d+)</td>', xixian)[0] == "3"


def test_the_regions_charts(client, auth, app_db):
    auth.as_user("xixian")
    html = page(client, "/reports/rounds/2/regions?indicator=gps_per_10k")
    shares = ET.fromstring(re.search(r'<svg[^>]*aria-labelledby="shares-title.*?</svg>', html, re.S).group(0))
    labels = [t.text for t in shares.iter("{http://www.w3.org/2000/svg}text") if t.get("class") == "label"]
    assert labels == ["西咸新区", *XIXIAN_COUNTIES.values()]
    assert "每万服务人口全科医生数" in shares.find("{http://www.w3.org/2000/svg}title").text
    heat = ET.fromstring(re.search(r'<svg[^>]*aria-labelledby="heat-title.*?</svg>', html, re.S).group(0))
    cells = [r for r in heat.iter("{http://www.w3.org/2000/svg}rect") if r.get("class") == "cell"]
    scored = len(round_instrument(app_db, get_round(app_db, 2)).scored_indicators)
    assert len(cells) == scored * 5


# ---------------------------------------------------------------- a centre's profile


def test_the_profile(client, auth, app_db):
    auth.as_user("xixian")
    html = page(client, f"/reports/rounds/2/centres/{SHANGLIN}")
    table = reports.league(app_db, get_round(app_db, 2), "6199", False)
    row = next(r for r in reference_rows(app_db) if r["code"] == SHANGLIN)
    assert "上林卫生院" in html and "沣东新城" in html
    assert f"<dd data-total>{row['total']:.1f}</dd>" in html
    assert f"第 {row['rank']} 名 / 共 18 家" in html
    assert re.search(rf"<dd data-county-rank>第 {row['county_rank']} 名 / 共 3 家</dd>", html)
    assert "专业技术人员数再增加" in html and "即可达到 ≥ 90%" in html  # the gap in a sentence
    instrument = table.instrument
    assert html.count('<tr class="st-') == len(instrument.indicators)
    svg = ET.fromstring(re.search(r'<svg[^>]*aria-labelledby="profile-title.*?</svg>', html, re.S).group(0))
    bars = [r for r in svg.iter("{http://www.w3.org/2000/svg}rect") if r.get("class") == "bar"]
    markers = [g for g in svg.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "marker"]
    assert len(bars) == len([v for v in row["groups"].values() if v is not None]) > 0
    assert len(markers) == len(row["groups"]) + 1


def test_the_profile_shows_the_grade_requirements_and_prints(client, auth, app_db):
    auth.as_user("xixian")
    html = page(client, f"/reports/rounds/2/centres/{SHANGLIN}")
    card = profile.profile(app_db, reports.league(app_db, get_round(app_db, 2), "6199", False), SHANGLIN, "zh")
    requirements = html.split("data-requirements>")[1].split("</ul>")[0]
    assert requirements.count("data-requirement>") == len(card.card.requirements) > 0
    for requirement in card.card.requirements:
        assert requirement.words in requirements
    assert card.card.next_grade and f'<p class="gap next-grade" data-next-grade>{card.card.next_grade}</p>' in html
    assert '<button type="button" class="print-button" data-print hidden>打印</button>' in html  # shown by print.js
    assert '<script src="/static/print.js"></script>' in html


def test_the_profile_without_data_in_the_chosen_scope(client, auth):
    auth.as_user("xixian")
    html = page(client, f"/reports/rounds/2/centres/{WANGSI}?approved_only=1")
    assert "此机构本轮没有填报数据" in html and "仅含已审核通过的数据" in html


def test_the_profile_links_from_the_league(client, auth):
    auth.as_user("xixian")
    html = page(client, "/reports/rounds/2?approved_only=1")
    assert re.search(r'href="/reports/rounds/2/centres/\d+\?approved_only=1"', html)


# ---------------------------------------------------------------- downloads


def workbook(response):
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return openpyxl.load_workbook(io.BytesIO(response.data))


def test_the_league_download(client, auth):
    auth.as_user("xixian")
    book = workbook(client.get("/reports/rounds/2/league.xlsx?approved_only=0"))
    assert book.sheetnames[:5] == ["排名", "地区汇总", "指标说明", "条款汇总", "data"]  # the round grades by clauses
    sheet = book["排名"]
    assert "西咸新区" in sheet["A1"].value
    assert sheet["A2"].value.startswith("含未审核数据")
    codes = [sheet.cell(r, 2).value for r in range(4, sheet.max_row + 1)]
    assert len(codes) == 18 and all(code.startswith("6199") for code in codes)
    regions = {row[0] for row in book["地区汇总"].iter_rows(min_row=2, values_only=True)}
    assert "510727" not in regions and "6199" in regions


def test_the_league_download_of_approved_only(client, auth):
    auth.as_user("xixian")
    response = client.get("/reports/rounds/2/league.xlsx?approved_only=1")
    sheet = workbook(response)["排名"]
    assert sheet["A2"].value == "仅含已审核通过的数据"
    assert sheet.max_row - 3 == 3
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]


def test_a_bad_toggle_on_a_download_is_400(client, auth):
    auth.as_user("xixian")
    response = client.get("/reports/rounds/2/league.xlsx?approved_only=yes")
    assert response.status_code == 400 and "请求有误" in response.get_data(as_text=True)


def test_the_league_download_with_nothing_to_rank(client, auth, app_db):
    round_ = create_round(app_db, "township-health-centre", "2026", "2026年度评估")
    auth.as_user("xixian")
    response = client.get(f"/reports/rounds/{round_.id}/league.xlsx", follow_redirects=True)
    assert response.status_code == 200 and "没有可排名的填报" in response.get_data(as_text=True)
    response = client.get(f"/reports/rounds/{round_.id}/cards.zip", follow_redirects=True)
    assert response.status_code == 200 and "未生成报告卡" in response.get_data(as_text=True)


def test_the_cards_zip(client, auth):
    auth.as_user("xixian")
    response = client.get("/reports/rounds/2/cards.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    data = response.data
    response.close()
    with zipfile.ZipFile(io.BytesIO(data)) as zipped:
        names = zipped.namelist()
        assert len(names) == 18 and all(name.startswith("6199") for name in names)
        name = next(n for n in names if n.startswith(WANGSI))
        sheet = openpyxl.load_workbook(io.BytesIO(zipped.read(name)))["报告卡"]
    labelled = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row[0]}
    assert labelled["机构名称"] == "王寺卫生院" and labelled["县内排名"].endswith("/ 共 3 家")


def test_the_cards_zip_of_approved_responses_only(client, auth):
    auth.as_user("xixian")
    response = client.get("/reports/rounds/2/cards.zip?approved_only=1")
    data = response.data
    response.close()
    with zipfile.ZipFile(io.BytesIO(data)) as zipped:
        assert len(zipped.namelist()) == 3  # the three approved Xixian responses of the demo
    assert client.get("/reports/rounds/2/cards.zip?approved_only=yes").status_code == 400


def test_one_centres_card(client, auth):
    auth.as_user("xixian")
    response = client.get(f"/reports/rounds/2/centres/{WANGSI}/card.xlsx")
    sheet = workbook(response)["报告卡"]
    labelled = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row[0]}
    assert labelled["机构名称"] == "王寺卫生院" and labelled["所属县（区）"] == "沣东新城"
    assert labelled["县内排名"].endswith("/ 共 3 家")


def test_a_card_for_a_centre_without_a_response(client, auth, app_db):
    auth.as_user("admin")
    response = client.get("/reports/rounds/2/centres/510727006/card.xlsx", follow_redirects=True)
    assert response.status_code == 200 and "无法生成报告卡" in response.get_data(as_text=True)


# ---------------------------------------------------------------- the histogram


def test_the_league_shows_the_distribution(client, auth, app_db):
    fill_completely(app_db)  # 斗门 moves from its half-filled draft to a full one
    auth.as_user("xixian")
    html = page(client, "/reports/rounds/2")
    svg = ET.fromstring(re.search(r'<svg[^>]*aria-labelledby="distribution-title.*?</svg>', html, re.S).group(0))
    ns = "{http://www.w3.org/2000/svg}"
    assert len([r for r in svg.iter(f"{ns}rect") if r.get("class") == "bar"]) == 10
    counts = [int(t.text) for t in svg.iter(f"{ns}text") if t.get("class") == "count"]
    totals = [total for _, _, total in league_rows(html)]
    assert sum(counts) == len([t for t in totals if t is not None]) == 18
    assert svg.find(f"{ns}title").text == "总分分布" and "18 家机构" in svg.find(f"{ns}desc").text
    filtered = page(client, "/reports/rounds/2?county=619903")
    assert "5 家机构的总分分布" in filtered


def test_the_workbooks_regions_run_as_the_web_page_shows_them(client, auth):
    auth.as_user("xixian")
    book = workbook(client.get("/reports/rounds/2/league.xlsx"))
    rows = list(book["地区汇总"].iter_rows(min_row=2, values_only=True))
    first = rows[0][3]  # the first indicator's rows: the city, then its counties by code
    in_workbook = [row[0] for row in rows if row[3] == first]
    assert in_workbook == ["6199", *XIXIAN_COUNTIES]
    html = page(client, "/reports/rounds/2/regions")
    first_group = html.split("<tbody data-indicator=")[1]
    assert re.findall(r'<tr data-region="(\w+)">', first_group) == in_workbook

    auth.as_user("admin")  # everywhere: provinces, then cities, then counties
    rows = list(
        workbook(client.get("/reports/rounds/2/league.xlsx"))["地区汇总"].iter_rows(min_row=2, values_only=True)
    )
    levels = [row[2] for row in rows if row[3] == first]
    assert levels == sorted(levels, key=["省", "市", "县（区）"].index) and levels[0] == "省"


def owned_by(db):
    """One of Xixian's centres becomes 市属 and one carries no 隶属关系 (the demo has 县属 and 乡镇属)."""
    db.execute("UPDATE org_attributes SET value = '市属' WHERE org_code = ? AND name = '隶属关系'", [WANGSI])
    db.execute("DELETE FROM org_attributes WHERE org_code = '619901001' AND name = '隶属关系'")
    db.conn.commit()


def test_the_league_download_groups_by_a_unit_attribute(client, auth, app_db):
    owned_by(app_db)
    auth.as_user("xixian")
    html = page(client, "/reports/rounds/2")
    assert 'name="by"' in html and '<option value="隶属关系">隶属关系</option>' in html
    book = workbook(client.get("/reports/rounds/2/league.xlsx?approved_only=0&by=隶属关系"))
    assert "分组汇总" in book.sheetnames
    groups = {row[0] for row in book["分组汇总"].iter_rows(min_row=4, values_only=True) if row[0]}
    assert {"县属", "市属", "（未设置）"} <= groups
    assert "分组汇总" not in workbook(client.get("/reports/rounds/2/league.xlsx?by=")).sheetnames
    assert client.get("/reports/rounds/2/league.xlsx?by=床位规模").status_code == 400  # no unit carries it
    grouped = page(client, "/reports/rounds/2/regions?by=隶属关系")
    assert "/reports/rounds/2/league.xlsx?approved_only=0&amp;by=%E9%9A%B6%E5%B1%9E%E5%85%B3%E7%B3%BB" in grouped


def test_the_league_page_offers_no_grouping_without_attributes(client, auth, app_db):
    app_db.execute("DELETE FROM org_attributes")
    app_db.conn.commit()
    auth.as_user("xixian")
    assert 'name="by"' not in page(client, "/reports/rounds/2")
