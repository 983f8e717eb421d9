"""The views of evaluators: read the request, call cases/store, render. Outside one's jurisdiction is 404."""

from __future__ import annotations

from dataclasses import replace

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from .. import clause_rows, jobs
from ..auth import login_required
from ..site import language
from ..store import ConflictError, NotFoundError, StoreError, lifecycle, standings
from ..store import quality as quality_store
from ..store.access import names_within, open_round, reviewer_level, visible_rounds
from ..store.lifecycle import NEW, SHOWN, missing_evidence, status_counts
from ..store.reviews import NotCleanError, approve_by, approve_many, audit_trail, history, return_by
from ..store.rounds import Round, centres_named, round_instrument
from ..store.verification import verify
from ..web_db import get_db
from ..words import FLAG_WORDS, LEVEL_WORDS, STATUS_WORDS, joined, mark, thing_name
from . import bp, cases, pages
from .forms import (
    NOTE,
    VERIFY,
    ApproveForm,
    BulkForm,
    DecideForm,
    FilterForm,
    ReturnForm,
    VerifyForm,
    return_form,
    verify_data,
    verify_form,
)

REFUSALS = {
    "outside": _l("不在您的辖区内"),
    "stale": _l("在您打开页面后已被修改，请刷新后再试"),
    "not_awaiting": _l("当前不在待您审核的状态"),
    "not_clean": _l("有未填的必填项或未通过的校验"),
}
STALE = _l("未操作：此填报在您打开页面后已被修改。请查看最新内容后再操作。")
STALE_KEPT = _l("未保存：此填报在您打开页面后已被修改。您填写的核实值和意见都保留在页面上，请对照最新内容后再操作。")
NOT_YOURS = _l("未操作：此填报当前不在待您这一级审核的状态（已被处理，或等待其他级别）。")


@bp.context_processor
def context() -> dict:
    """The field name prefixes of the review forms, for every template of the blueprint."""
    return {"prefix": {"verify": VERIFY, "note": NOTE}}


def _page() -> int:
    """The `page` query parameter; 404 when it is not a page number."""
    raw = request.args.get("page", "1")
    if not raw.isdigit():
        abort(404)
    return int(raw)


def _round(round_id: int) -> tuple[Round, str | None]:
    try:
        return open_round(get_db(), round_id, g.user)
    except NotFoundError:
        abort(404)


def _case(round_id: int, org_code: str) -> cases.Case:
    try:
        return cases.open_case(get_db(), round_id, org_code, g.user)
    except NotFoundError:
        abort(404)


BULK_NOW = 200  # picks approved within the request; more become a background job


def _filters(db, round_: Round, scope: str | None) -> FilterForm:
    filters = FilterForm(request.args)
    filters.status.choices = [("", _("全部")), *((k, str(v)) for k, v in STATUS_WORDS.items() if k in SHOWN)]
    filters.county.choices = [("", _("全部")), *cases.counties(db, round_, scope)]
    filters.validate()
    for field in (filters.status, filters.county):
        if field.errors:
            field.data = ""
    return filters


@bp.get("/")
@login_required("evaluator")
def queue() -> str:
    """审核: the responses awaiting the evaluator's level, then every centre in the jurisdiction, filtered, paged.

    Without a round chosen, the evaluator lands on the first round with responses awaiting them."""
    db = get_db()
    visible = visible_rounds(db, g.user)
    rounds = [round_ for round_, _scope in visible]
    waiting_in = cases.waiting_counts(db, visible, g.user)
    chosen = request.args.get("round")
    if chosen is not None and not any(str(r.id) == chosen for r in rounds):
        abort(404)
    found = cases.landing(visible, waiting_in) if chosen is None else next(p for p in visible if str(p[0].id) == chosen)
    if found is None:
        return render_template("review/queue.html", rounds=rounds, round=None)
    round_, scope = found
    filters = _filters(db, round_, scope)
    level = reviewer_level(db, g.user)
    query = request.args.get("q", "")[:50]
    waiting = standings.Filter(region=filters.county.data, awaiting_level=level if level else -1)
    awaiting = cases.queue(db, round_, scope, g.user, waiting, _number("wpage"))
    if filters.status.data == NEW:
        listed = cases.not_started_page(db, round_, scope, filters.county.data, query, _number("page"))
    else:
        everything = standings.Filter(region=filters.county.data, status=filters.status.data, search=query)
        listed = cases.queue(db, round_, scope, g.user, everything, _number("page"))
    counts = status_counts(db, round_, scope)
    return render_template(
        "review/queue.html",
        rounds=rounds,
        round=round_,
        awaiting=awaiting,
        listed=listed,
        filters=filters,
        bulk=BulkForm(),
        query=query,
        waiting_in=waiting_in,
        all_picked=request.args.get("pick") == "all",
        counts=counts,
        centres=sum(counts.values()),
        started=sum(counts.values()) - counts[NEW],
        appeals=[
            (row, name, thing_name(round_instrument(db, round_), row["item_id"], language()))
            for row, name in cases.appeals_waiting(db, round_, g.user)
        ],
    )


def _number(name: str) -> int:
    raw = request.args.get(name, "1")
    return int(raw) if raw.isdigit() and len(raw) < 8 else 1


@bp.post("/rounds/<int:round_id>/approve")
@login_required("evaluator")
def approve_picked(round_id: int) -> Response:
    """批量通过: approve each picked response (or all that await and match the filter) that is clean."""
    round_, scope = _round(round_id)
    back = redirect(url_for("review.queue", round=round_id, county=request.form.get("county") or None))
    form = BulkForm()
    db = get_db()
    if form.validate_on_submit() and request.form.get("all") == "1":
        level = reviewer_level(db, g.user)
        picks = standings.picks(
            db,
            round_,
            scope,
            standings.Filter(region=request.form.get("county", ""), awaiting_level=level if level else -1),
        )
        if len(picks) > BULK_NOW:
            job = jobs.create(db, "approve", g.user.id, round_.id, scope, {"picks": picks}, lang=language())
            jobs.start(current_app.config["DATABASE"], job)
            return redirect(url_for("jobs.job", job_id=job.id))
    else:
        picks = form.picks() if form.validate_on_submit() else None
    if not picks:
        flash(_("请先勾选要通过的填报。") if picks is not None else _("勾选的内容无效，请刷新页面后重试。"), "error")
        return back
    try:
        result = approve_many(db, round_, round_instrument(db, round_), picks, g.user)
    except StoreError:
        flash(_("未操作：此轮次已结束，或您的账号不能审核。"), "error")
        return back
    names, lang = names_within(db, g.user, picks), language()
    if result.approved:
        flash(
            _(
                "已通过 %(n)d 份：%(names)s",
                n=len(result.approved),
                names=joined((names.get(c, c) for c in result.approved[:50]), lang, "、"),
            ),
            "success",
        )
    for refusal in result.refused[:50]:
        more = ""
        if refusal.problems:
            more = mark("（", lang) + lifecycle.refusal(refusal.problems).text(lang) + mark("）", lang)
        flash(
            _(
                "未通过 %(name)s：%(reason)s",
                name=names.get(refusal.org_code, refusal.org_code),
                reason=str(REFUSALS[refusal.reason]) + more,
            ),
            "error",
        )
    return back


def _render_case(
    case: cases.Case,
    approve: ApproveForm | None = None,
    send_back: ReturnForm | None = None,
    verifying: VerifyForm | None = None,
) -> str:
    db, lang = get_db(), language()
    found = cases.details(db, case)
    version = {"version": str(case.response.version)}
    card, reported = pages.indicator_cards(case, found, lang)
    missing = {clause.id for clause in missing_evidence(case.instrument, found.effective, set(found.files))}
    return render_template(
        "review/response.html",
        case=case,
        found=found,
        chapters=clause_rows.rows(case.instrument, card, found.ratings, found.files, missing, lang),
        decide=DecideForm(formdata=None),
        sections=pages.answer_rows(case, found, lang),
        card=card,
        reported=reported,
        flags=pages.flag_rows(case.instrument, found.flags, card, lang),
        approve=approve or ApproveForm(formdata=None, data=version),
        send_back=send_back or return_form(case.instrument)(formdata=None, data=version),
        verifying=verifying
        or verify_form(case.instrument)(
            formdata=None, data=verify_data(case.instrument, found.verified, case.response.version, lang)
        ),
    )


@bp.get("/rounds/<int:round_id>/responses/<org_code>")
@login_required("evaluator")
def response(round_id: int, org_code: str) -> str:
    """One response: answers beside the scored indicators, flags, verified values, review actions, history."""
    return _render_case(_case(round_id, org_code))


def _actionable(round_id: int, org_code: str) -> cases.Case | Response:
    """The case when the signed-in evaluator may act on it now, else a redirect back to it saying why not."""
    case = _case(round_id, org_code)
    if case.awaiting_me:
        return case
    flash(str(NOT_YOURS), "error")
    return redirect(url_for("review.response", round_id=round_id, org_code=org_code))


def _acted(case: cases.Case, action, **kwargs) -> Response | None:
    """Run a store action on the case; flash why it was refused (None when it was not)."""
    try:
        action(get_db(), case.round, case.instrument, case.response, g.user, **kwargs)
    except NotFoundError:
        abort(404)
    except ConflictError:
        flash(str(STALE), "error")
    except NotCleanError as error:
        problems = lifecycle.refusal(error.problems).text(language())
        flash(_("未通过：请先核实或退回修改以下各项：%(problems)s", problems=problems), "error")
    except StoreError:
        flash(str(NOT_YOURS), "error")
    else:
        return None
    return redirect(url_for("review.response", round_id=case.round.id, org_code=case.centre.code))


def _typed_verified(case: cases.Case) -> VerifyForm | None:
    """The verified values posted with an action (the review page sends them with 通过), None when none were."""
    if not any(key.startswith(VERIFY) for key in request.form):
        return None
    return verify_form(case.instrument)()


def _keep_typed(case: cases.Case, verifying: VerifyForm, message: str) -> str:
    """The review page again with every typed value kept and `message` said, ready for the response as it is now."""
    flash(message, "error")
    current = cases.open_case(get_db(), case.round.id, case.centre.code, g.user)
    approve = ApproveForm()
    for form in (approve, verifying):
        form.version.data = str(current.response.version)
    return _render_case(current, approve=approve, verifying=verifying)


@bp.post("/rounds/<int:round_id>/responses/<org_code>/approve")
@login_required("evaluator")
def approve(round_id: int, org_code: str) -> Response | str:
    """Approve at the evaluator's level (the last level locks the response), with an optional comment; verified
    values typed on the page are saved first, so approving never throws them away."""
    case = _actionable(round_id, org_code)
    if not isinstance(case, cases.Case):
        return case
    form = ApproveForm()
    verifying = _typed_verified(case)
    if not form.validate_on_submit():
        return _render_case(case, approve=form, verifying=verifying)
    expected = form.opened_version()
    if verifying is not None:
        values = verifying.values()
        if values is None:
            flash(_("未通过：核实值有误，请改正下面标出的问题。您填写的内容都保留在页面上，尚未保存。"), "error")
            return _render_case(case, approve=form, verifying=verifying)
        try:
            saved, changed = verify(
                get_db(), case.round, case.instrument, case.response, values, g.user, expected_version=expected
            )
        except NotFoundError:
            abort(404)
        except ConflictError:
            return _keep_typed(case, verifying, str(STALE_KEPT))
        except StoreError:
            flash(str(NOT_YOURS), "error")
            return redirect(url_for("review.response", round_id=round_id, org_code=org_code))
        if changed:
            flash(_("已保存核实值，%(n)d 项有改动。", n=changed), "success")
        case, expected = replace(case, response=saved), saved.version
    refused = _acted(case, approve_by, comment=form.comment.data or "", expected_version=expected)
    if refused:
        return refused
    flash(_("已通过：%(name)s（%(level)s）", name=case.centre.name, level=LEVEL_WORDS[case.level]), "success")
    return redirect(url_for("review.queue", round=round_id))


@bp.post("/rounds/<int:round_id>/responses/<org_code>/return")
@login_required("evaluator")
def send_back(round_id: int, org_code: str) -> Response | str:
    """Return to the centre with an overall comment and comments on items."""
    case = _actionable(round_id, org_code)
    if not isinstance(case, cases.Case):
        return case
    form = return_form(case.instrument)()
    if not form.validate_on_submit():
        flash(_("未退回：请先改正下面标出的问题。"), "error")
        return _render_case(case, send_back=form)
    refused = _acted(
        case,
        return_by,
        comment=form.comment.data or "",
        item_comments=form.item_comments(),
        expected_version=form.opened_version(),
    )
    if refused:
        return refused
    flash(_("已退回 %(name)s，等待机构修改后重新提交。", name=case.centre.name), "success")
    return redirect(url_for("review.queue", round=round_id))


@bp.post("/rounds/<int:round_id>/responses/<org_code>/verify")
@login_required("evaluator")
def record_verified(round_id: int, org_code: str) -> Response | str:
    """Record verified values from a site visit beside the reported ones; each change is audited."""
    case = _actionable(round_id, org_code)
    if not isinstance(case, cases.Case):
        return case
    form = verify_form(case.instrument)()
    values = form.values() if form.validate_on_submit() else None
    if values is None:
        flash(_("未保存核实值：请先改正下面标出的问题。您填写的内容都保留在页面上。"), "error")
        return _render_case(case, approve=ApproveForm(), verifying=form)
    try:
        _response, changed = verify(
            get_db(), case.round, case.instrument, case.response, values, g.user, expected_version=form.opened_version()
        )
    except NotFoundError:
        abort(404)
    except ConflictError:
        return _keep_typed(case, form, str(STALE_KEPT))
    except StoreError:
        flash(str(NOT_YOURS), "error")
    else:
        flash(_("已保存核实值，%(n)d 项有改动。", n=changed), "success")
    return redirect(url_for("review.response", round_id=round_id, org_code=org_code) + "#answers")


@bp.get("/rounds/<int:round_id>/responses/<org_code>/audit")
@login_required("evaluator", "official", "admin")
def audit(round_id: int, org_code: str) -> str:
    """审计记录: who changed what and when, old → new, imports, status changes, verifications, reviews; newest
    first, filtered by kind of event and by person, a page at a time."""
    case = _case(round_id, org_code)
    db = get_db()
    steps = history(db, case.response.id)
    events = pages.timeline(case.instrument, audit_trail(db, case.response.id), steps, language())
    kinds, people = pages.kinds_of(events), sorted({event.who for event in events})
    kind = request.args.get("kind", "") if request.args.get("kind", "") in dict(kinds) else ""
    who = request.args.get("who", "") if request.args.get("who", "") in people else ""
    chosen = pages.chosen_events(events, kind, who)
    shown = pages.page_of(chosen, _page())
    if shown is None:
        abort(404)
    return render_template(
        "review/audit.html",
        case=case,
        events=shown[0],
        pages=shown[1],
        page=_page(),
        count=len(events),
        found=len(chosen),
        kinds=kinds,
        people=people,
        kind=kind,
        who=who,
    )


QUALITY_PAGE = pages.PAGE_SIZE


@bp.get("/rounds/<int:round_id>/quality")
@login_required("evaluator")
def quality(round_id: int) -> str:
    """数据质量: the counts of failed checks and outliers in the jurisdiction by item and by centre; then the flags,
    drilled down to one kind, item or centre, a page at a time."""
    round_, scope = _round(round_id)
    db = get_db()
    instrument = round_instrument(db, round_)
    counted = quality_store.counts(db, round_, scope)
    kind = request.args.get("kind", "")
    chosen = quality_store.FlagFilter(
        kind if kind in quality_store.KINDS else "",
        request.args.get("name", "") if request.args.get("name", "") in instrument.order else "",
        request.args.get("centre", "")[:40],
    )
    number = _page()
    if number < 1:
        abort(404)
    flags, total = quality_store.listed(db, round_, scope, chosen, (number - 1) * QUALITY_PAGE, QUALITY_PAGE)
    page_count = max(1, -(-total // QUALITY_PAGE))
    if number > page_count:
        abort(404)
    lang = language()
    codes = {flag.org_code for flag in flags} | {code for code, _ in counted.by_centre}
    centres = centres_named(db, round_, scope, sorted(codes))
    listed = [
        (
            flag,
            centres.get(flag.org_code, {"name": flag.org_code, "county": ""}),
            pages.flag_rows(instrument, [flag], None, lang)[0],
        )
        for flag in flags
    ]
    return render_template(
        "review/quality.html",
        round=round_,
        instrument=instrument,
        counted=counted,
        centres=centres,
        listed=listed,
        chosen=chosen,
        total=total,
        pages=page_count,
        page=number,
        kinds=FLAG_WORDS,
    )
