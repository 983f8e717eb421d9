"""The views of officials and administrators: read the query, call reports/regions/profile/downloads, render."""

from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ..auth import login_required
from ..files import attachment
from ..site import language
from ..store import NotFoundError, StoreError, standings
from ..store.access import find_centre, open_round, scope_of
from ..store.orgs import attribute_names
from ..store.rounds import Round
from ..web_db import get_db
from ..words import UNIT_LEVEL_WORDS, joined
from . import bp, downloads, forms, graphs, profile, regions, reports

ROLES = ("official", "admin")
PARAMETERS = (
    "approved_only",
    "county",
    "grade",
    "q",
    "groups",
    "sort",
    "order",
    "page",
    "level",
    "indicator",
    "region",
    "by",
    "clause",
)  # never url_for's _x
BIG = 30  # centres: a download of more is made by a background job


@bp.context_processor
def helpers() -> dict:
    """Words and the link builder every template of the blueprint uses."""
    return {"here": here}


def here(**changes: str | None) -> str:
    """This page's address with some query parameters changed (None drops one); unknown parameters are left out."""
    args = {key: value for key, value in request.args.items() if key in PARAMETERS}
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(request.endpoint, **{**args, **(request.view_args or {})})


def _open(round_id: int) -> tuple[Round, str | None]:
    """The round and the scope the user sees of it; 404 when none of it is theirs."""
    try:
        return open_round(get_db(), round_id, g.user)
    except NotFoundError:
        abort(404)


def _approved_only() -> bool:
    return forms.read(forms.ReportQuery, request.args)[0].only_approved


def _notice(ignored: list[str]) -> None:
    if ignored:
        flash(_("已忽略无效的参数：%(names)s", names=joined(ignored, language(), "，")), "info")


@bp.get("/")
@login_required(*ROLES)
def rounds() -> str:
    """排名与汇总: every round in the jurisdiction, with how many centres are in each state."""
    db = get_db()
    try:
        jurisdiction = scope_of(g.user)
    except NotFoundError:
        abort(404)
    return render_template(
        "official/rounds.html",
        summaries=reports.my_rounds(db, g.user),
        user_unit=reports.scope_name(db, jurisdiction),
    )


def _groups(table: reports.League, wanted: str | None) -> standings.GroupSet | None:
    """The set of group scores asked for (the first on offer by default)."""
    return table.group_set(wanted or "") or (table.group_sets[0] if table.group_sets else None)


@bp.get("/rounds/<int:round_id>")
@login_required(*ROLES)
def league(round_id: int) -> str:
    """The league table: ranked, sorted, filtered and searched in SQL, 100 centres a page, with the score histogram."""
    round_, scope = _open(round_id)
    db = get_db()
    table = reports.league(db, round_, scope, _approved_only())
    lang = language()
    groups = _groups(table, request.args.get("groups"))
    choices = {
        "county": [("", _("全部县（区）")), *reports.counties(db, table)],
        "grade": [
            ("", _("全部等级")),
            *((gr.id, gr.label.get(lang)) for gr in table.instrument.grades),
            (reports.NO_GRADE, _("无等级")),
        ],
        "sort": [(key, key) for key in table.sort_keys(groups)],
        "groups": [(g.id, g.id) for g in table.group_sets] or [("", "")],
    }
    form, ignored = forms.read(forms.LeagueQuery, request.args, choices, {"groups": groups.id if groups else ""})
    key = form.sort.data
    descending = form.order.data == "desc" if form.order.data else reports.default_descending(key)
    chosen = standings.Filter(region=form.county.data, grade=form.grade.data, search=form.q.data or "")
    page = reports.page(db, table, chosen, key, descending, form.page.data, groups)
    if page.number != form.page.data:
        ignored.append(f"page={form.page.data}")
    _notice(ignored)
    counts, unscored = standings.histogram(db, round_, scope, table.approved_only, chosen)
    return render_template(
        "official/league.html",
        league=table,
        form=form,
        page=page,
        sort=key,
        descending=descending,
        chart=graphs.distribution(counts, unscored),
        filtered=chosen.any,
        groups=groups,
        group_words=_group_words(table, lang),
        by_choices=attribute_choices(),
    )


def _group_words(table: reports.League, lang: str) -> dict[str, str]:
    """What each set of group scores is called."""
    words = {"dimension": _("维度"), "chapter": _("章")}
    words.update({f.id: f.title.get(lang) for f in table.instrument.frameworks})
    return words


def _regions_form(table: reports.League, scope: str | None, lang: str) -> forms.RegionsQuery:
    """The regional pages' query: level, indicator, grouping attribute, clause, page."""
    db = get_db()
    region = request.args.get("region") or scope
    try:
        levels = regions.levels_below(db, region)
    except NotFoundError:
        levels = ()
    scored = [ind for ind in table.instrument.indicators if ind.scored]
    choices = {
        "level": [(level, UNIT_LEVEL_WORDS[level]) for level in levels] or [("", "")],
        "indicator": [(ind.id, ind.label.get(lang)) for ind in scored] or [("", "")],
        "by": [("", _("按地区")), *((name, name) for name, _n in attribute_names(db))],
        "clause": [("", ""), *((c.id, c.id) for c in table.instrument.clauses)],
    }
    defaults = {"level": regions.default_level(levels) or "", "indicator": scored[0].id if scored else ""}
    form, ignored = forms.read(forms.RegionsQuery, request.args, choices, defaults)
    _notice(ignored)
    return form


@bp.get("/rounds/<int:round_id>/regions")
@login_required(*ROLES)
def regional(round_id: int) -> str:
    """The regional summary: every indicator's figures for a region and the regions one level below it."""
    round_, scope = _open(round_id)
    db = get_db()
    table = reports.league(db, round_, scope, _approved_only())
    lang = language()
    form = _regions_form(table, scope, lang)
    try:
        summary = regions.summary(
            db,
            table,
            form.level.data or None,
            lang,
            request.args.get("region") or None,
            form.by.data or "",
            form.page.data,
        )
    except NotFoundError:
        abort(404)
    chosen = table.instrument.indicator.get(form.indicator.data)
    return render_template(
        "official/regions.html",
        league=table,
        summary=summary,
        form=form,
        chosen=chosen,
        shares=graphs.shares(summary, chosen.id, chosen.label.get(lang)) if chosen else "",
        heat=graphs.heat(summary, lang) if chosen else "",
    )


@bp.get("/rounds/<int:round_id>/clauses")
@login_required(*ROLES)
def clauses(round_id: int) -> str:
    """The clause view: per clause, the centres at each level in a region, and one clause by the regions below it."""
    round_, scope = _open(round_id)
    db = get_db()
    table = reports.league(db, round_, scope, _approved_only())
    form = _regions_form(table, scope, language())
    try:
        parts, every, chosen = regions.clause_view(
            db,
            table,
            form.level.data or None,
            request.args.get("region") or None,
            form.by.data or "",
            form.page.data,
            form.clause.data or "",
        )
    except NotFoundError:
        abort(404)
    return render_template(
        "official/clauses.html",
        league=table,
        summary=parts,
        form=form,
        every=every,
        chosen=chosen,
        percent=regions.percent,
    )


@bp.get("/rounds/<int:round_id>/centres/<org_code>")
@login_required(*ROLES)
def centre(round_id: int, org_code: str) -> str:
    """One centre's profile: total, grade, ranks, group scores against the jurisdiction's mean, every indicator."""
    round_, scope = _open(round_id)
    db = get_db()
    form, ignored = forms.read(forms.ReportQuery, request.args)
    table = reports.league(db, round_, scope, form.only_approved)
    try:
        found = profile.profile(db, table, org_code, language(), table.group_set(request.args.get("groups", "")))
    except NotFoundError:
        abort(404)
    _notice(ignored)
    chart = graphs.dimension_profile(found) if found.row else ""
    return render_template("official/centre.html", league=table, found=found, form=form, chart=chart)


def _download(
    round_id: int, query: type[forms.ReportQuery] = forms.ReportQuery, choices: dict | None = None
) -> tuple[Round, str | None, forms.ReportQuery]:
    """The round, the user's scope of it and the download's query; a bad query is a 400, not a guess."""
    round_, scope = _open(round_id)
    form, ignored = forms.read(query, request.args, choices)
    if ignored:
        abort(400)
    return round_, scope, form


def attribute_choices() -> list[tuple[str, str]]:
    """The unit attributes a league workbook may group its centres by (分组汇总), after 'no grouping'."""
    return [("", _("不分组")), *((name, name) for name, _n in attribute_names(get_db()))]


def _size(round_: Round, scope: str | None, approved_only: bool) -> int:
    page = standings.league_page(get_db(), round_, scope, approved_only, limit=0)
    return page.total


def _as_job(kind: str, round_: Round, size: int, form: forms.ReportQuery) -> str:
    """A page offering to make the download in the background (a link never starts work by itself)."""
    by = form.by.data if isinstance(form, forms.LeagueDownload) else ""
    return render_template(
        "jobs/ask.html", kind=kind, round=round_, size=size, approved_only=form.approved_only.data, by=by
    )


@bp.get("/rounds/<int:round_id>/league.xlsx")
@login_required(*ROLES)
def league_workbook(round_id: int) -> Response | str:
    """Download the league workbook of the jurisdiction; approved_only=1 leaves out unapproved responses, by=NAME
    adds 分组汇总 with the centres grouped by that unit attribute.

    A jurisdiction of more than BIG centres gets its workbook from a background job (a zip with the tidy
    rows' CSV when they pass one sheet).
    """
    round_, scope, form = _download(round_id, forms.LeagueDownload, {"by": attribute_choices()})
    db = get_db()
    name = f"{round_.title}-{reports.scope_name(db, scope) or '全部地区'}-排名表"
    size = _size(round_, scope, form.only_approved)
    if not size:
        flash(_("当前数据范围内没有可排名的填报，未生成排名表。"), "error")
        return redirect(url_for("official.league", round_id=round_id, approved_only=form.approved_only.data))
    if size > current_app.config.get("JOBS_FROM", BIG):
        return _as_job("league", round_, size, form)
    data = downloads.league_workbook(db, round_, scope, form.only_approved, form.by.data or "")
    return attachment(data, f"{name}.xlsx")


@bp.get("/rounds/<int:round_id>/cards.zip")
@login_required(*ROLES)
def cards(round_id: int) -> Response | str:
    """Download every report card of the jurisdiction as a zip; approved_only=1 leaves out unapproved responses."""
    round_, scope, form = _download(round_id)
    db = get_db()
    name = f"{round_.title}-{reports.scope_name(db, scope) or '全部地区'}-报告卡"
    size = _size(round_, scope, form.only_approved)
    if not size:
        flash(_("辖区内还没有填报，未生成报告卡。"), "error")
        return redirect(url_for("official.league", round_id=round_id))
    if size > current_app.config.get("JOBS_FROM", BIG):
        return _as_job("cards", round_, size, form)
    archive = downloads.cards_zip(db, round_, scope, form.only_approved)
    return attachment(archive, f"{name}.zip")


@bp.get("/rounds/<int:round_id>/centres/<org_code>/card.xlsx")
@login_required(*ROLES)
def card(round_id: int, org_code: str) -> Response:
    """Download one centre's report card; approved_only=1 ranks it among approved responses only."""
    round_, scope, form = _download(round_id)
    db = get_db()
    try:
        found = find_centre(db, round_, scope, org_code)
    except NotFoundError:
        abort(404)
    try:
        data = downloads.centre_card(db, round_, scope, org_code, form.only_approved)
    except StoreError:
        flash(_("此机构本轮没有填报，无法生成报告卡。"), "error")
        return redirect(url_for("official.centre", round_id=round_id, org_code=org_code))
    name = f"{round_.title}-{found['name']}-报告卡.xlsx"
    return attachment(data, name)
