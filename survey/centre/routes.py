"""The views of a centre: read the request, call filling/forms/scorecard, render."""

from __future__ import annotations

from collections.abc import Sequence

from flask import abort, flash, g, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from exports.errors import WorkbookError
from instruments.checks import Check
from instruments.item_types import NONE_CHOICE
from instruments.model import Chapter, Section

from .. import clause_rows, scorecard
from ..auth import login_required
from ..confirm import ask, confirmed
from ..files import attachment
from ..site import language
from ..store import ConflictError, NotFoundError, StoreError
from ..store.appeals import AppealError
from ..store.evidence import EvidenceError
from ..store.lifecycle import submit as submit_response
from ..store.orgs import get_unit
from ..store.ratings import RatingError
from ..web_db import get_db
from ..words import thing_name
from . import bp, filling
from .forms import (
    AppealForm,
    EvidenceForm,
    RatingForm,
    SectionForm,
    UploadForm,
    rating_data,
    rating_form,
    section_form,
    shown,
)

# A refused upload's problems wait in the session for the page the upload redirects to (so that reloading it
# or switching the language works): the first few, each clipped, to stay well within a cookie.
REFUSED_UPLOAD = "refused_upload"
LISTED_PROBLEMS = 20
MAX_PROBLEM = 300


def _open(round_id: int) -> filling.Filling:
    """The signed-in centre's filling of a round; 404 when the round is not the centre's."""
    try:
        return filling.open_filling(get_db(), round_id, g.user)
    except NotFoundError:
        abort(404)


def _render_overview(
    found: filling.Filling,
    upload: UploadForm | None = None,
    upload_problems: Sequence[str] = (),
    appealing: AppealForm | None = None,
) -> str:
    lang = language()
    db = get_db()
    comment, item_comments = filling.comments(db, found)
    return render_template(
        "centre/round.html",
        filling=found,
        card=scorecard.card(found.check, lang),
        problems=found.check.problems(lang=lang),
        missing=found.missing_evidence,
        chapters=clause_rows.chapters(found.instrument),
        disputed=filling.disputed(db, found),
        appealing=appealing,
        comment=comment,
        item_comments=item_comments,
        upload=upload or UploadForm(),
        upload_problems=upload_problems,
    )


@bp.get("/rounds")
@login_required("centre")
def rounds() -> str:
    """我的填报: every round the centre answers, with status, deadline and progress."""
    db = get_db()
    return render_template(
        "centre/rounds.html", fillings=filling.my_rounds(db, g.user), unit=get_unit(db, g.user.org_code)
    )


@bp.get("/rounds/<int:round_id>")
@login_required("centre")
def overview(round_id: int) -> str:
    """One round: sections with progress, what is missing, the scorecard, submission, the offline template;
    after a refused upload, why it was refused."""
    found = _open(round_id)
    refused = session.pop(REFUSED_UPLOAD, None)
    if not refused or refused.get("round") != round_id:
        return _render_overview(found)
    form = UploadForm()
    form.workbook.errors = list(refused.get("errors", []))
    problems = list(refused.get("problems", []))
    if refused.get("more"):
        problems.append(_("另有问题未列出：请先改正以上各项，再上传一次查看其余问题。"))
    return _render_overview(found, upload=form, upload_problems=problems)


def _open_section(round_id: int, section_id: str) -> tuple[filling.Filling, Section]:
    """The centre's filling of a round and one of its sections; 404 when either is not there."""
    found = _open(round_id)
    try:
        return found, found.section(section_id)
    except NotFoundError:
        abort(404)


def _render_section(
    found: filling.Filling, part: Section, form: SectionForm, conflict: bool = False, refused: bool = False
) -> str:
    check = Check(found.instrument, {**found.values, **form.answers()}) if request.method == "POST" else found.check
    return render_template(
        "centre/section.html",
        filling=found,
        section=part,
        form=form,
        check=check,
        card=scorecard.card(check, form.lang),
        related=scorecard.related(found.instrument, part),
        item_comments=filling.comments(get_db(), found)[1],
        conflict=conflict,
        refused=refused,
        chapters=clause_rows.chapters(found.instrument),
        none_choice=NONE_CHOICE,
    )


@bp.route("/rounds/<int:round_id>/sections/<section_id>", methods=("GET", "POST"))
@login_required("centre")
def section(round_id: int, section_id: str) -> Response | str:
    """Fill in one section; POST saves it as a draft (and goes on to the next with action=next)."""
    found, part = _open_section(round_id, section_id)
    form_class = section_form(found.instrument, part, language())
    if request.method == "GET":
        return _render_section(found, part, form_class(data=shown(part, found.values, found.version)))
    if not found.editable:
        flash(_("此填报已提交或轮次已结束，不能修改。"), "error")
        return redirect(request.path)
    form = form_class()
    if not form.check(found.instrument, found.values):
        return _render_section(found, part, form, refused=True)
    try:
        filling.save(get_db(), found, form.answers(), form.opened_version(), g.user, form.checked)
    except ConflictError:
        return _render_section(found, part, form, conflict=True)
    except StoreError as error:
        flash(_("未能保存：%(reason)s", reason=error.text(language())), "error")
        return _render_section(found, part, form)
    flash(_("已保存。"), "success")
    following = found.next_section(part) if request.form.get("action") == "next" else part
    if following is None:
        return redirect(url_for("centre.overview", round_id=round_id))
    return redirect(url_for("centre.section", round_id=round_id, section_id=following.id))


@bp.post("/rounds/<int:round_id>/sections/<section_id>/preview")
@login_required("centre")
def preview(round_id: int, section_id: str) -> Response:
    """Score the page's current values without saving: relevance, field errors, scorecard (JSON)."""
    found, part = _open_section(round_id, section_id)
    form = section_form(found.instrument, part, language())()
    form.check(found.instrument, found.values)
    check = Check(found.instrument, {**found.values, **form.answers()})
    return jsonify(
        relevant=check.relevance(),
        errors={item.id: [str(e) for e in field.errors] for item, field in form.item_fields() if field.errors},
        scorecard=scorecard.card(check, form.lang).as_json(),
    )


@bp.post("/rounds/<int:round_id>/submit")
@login_required("centre")
def submit(round_id: int) -> Response | str:
    """Submit for review, once every required item is answered and every constraint holds."""
    found = _open(round_id)
    if not found.editable:
        flash(_("此填报已提交或轮次已结束，不能再提交。"), "error")
    elif found.response is None or found.check.problems() or found.missing_evidence:
        flash(_("还不能提交：请先完成下列各项。"), "error")
        return _render_overview(found)
    else:
        try:
            submit_response(
                get_db(), found.round, found.instrument, found.response, username=g.user.username, user_id=g.user.id
            )
        except StoreError as error:
            flash(_("未能提交：%(reason)s", reason=error.text(language())), "error")
        else:
            flash(_("已提交，等待审核。"), "success")
    return redirect(url_for("centre.overview", round_id=round_id))


@bp.get("/rounds/<int:round_id>/template")
@login_required("centre")
def template(round_id: int) -> Response:
    """Download the offline template with this centre's row."""
    found = _open(round_id)
    data = filling.template(get_db(), found)
    name = f"{found.round.title}-{get_unit(get_db(), found.org_code).name}.xlsx"
    return attachment(data, name)


@bp.route("/rounds/<int:round_id>/upload", methods=("GET", "POST"))
@login_required("centre")
def upload(round_id: int) -> Response | str:
    """Upload the filled-in template: every answer is imported, or nothing and every problem is listed on the
    round's page (the redirect after the post; a GET of this address goes there too)."""
    found = _open(round_id)
    back = url_for("centre.overview", round_id=round_id) + "#offline"
    if request.method == "GET":
        return redirect(back)
    form = UploadForm()
    if not form.validate_on_submit():
        session[REFUSED_UPLOAD] = {"round": round_id, "errors": [str(e) for e in form.workbook.errors]}
        return redirect(back)
    file = form.workbook.data
    try:
        summary = filling.upload(get_db(), found, file.read(), file.filename or "upload.xlsx", g.user)
    except filling.ForeignFileError as error:
        flash(
            _(
                "未导入：%(whose)s，不是本机构（%(code)s）的。请下载本机构的模板填写后再上传。",
                whose=_whose(error.owners),
                code=found.org_code,
            ),
            "error",
        )
    except WorkbookError as error:
        flash(_("未导入：文件中有问题，请改正后重新上传。"), "error")
        said = error.lines(language())
        shown = [problem[:MAX_PROBLEM] for problem in said[:LISTED_PROBLEMS]]
        session[REFUSED_UPLOAD] = {"round": round_id, "problems": shown, "more": len(said) > len(shown)}
    except StoreError as error:
        flash(_("未导入：%(reason)s", reason=error.text(language())), "error")
    else:
        flash(_("已导入，%(n)d 项答案有改动。", n=summary.changes), "success")
    return redirect(back)


def _whose(owners: list[tuple[str, str]]) -> str:
    """Whose rows a file holds, in words: 这是上林卫生院（619901002）的文件."""
    named = [_("%(name)s（%(code)s）", name=name, code=code) if name else code for code, name in owners]
    return _("这是%(units)s的文件", units=_("、").join(named))


def _open_chapter(round_id: int, chapter_id: str) -> tuple[filling.Filling, Chapter]:
    found = _open(round_id)
    try:
        return found, found.chapter(chapter_id)
    except NotFoundError:
        abort(404)


def _render_chapter(found: filling.Filling, chapter: Chapter, form: RatingForm, conflict: bool = False) -> str:
    lang = language()
    check = Check(found.instrument, {**found.values, **form.levels()}) if request.method == "POST" else found.check
    card = scorecard.card(check, lang)
    missing = {clause.id for clause in found.missing_evidence}
    shown_rows = clause_rows.rows(found.instrument, card, found.ratings, found.files, missing, lang, [chapter.id])
    return render_template(
        "centre/chapter.html",
        filling=found,
        chapter=chapter,
        chapter_rows=shown_rows[0],
        form=form,
        card=card,
        chapters=clause_rows.chapters(found.instrument),
        conflict=conflict,
    )


@bp.route("/rounds/<int:round_id>/chapters/<chapter_id>", methods=("GET", "POST"))
@login_required("centre")
def chapter(round_id: int, chapter_id: str) -> Response | str:
    """自评: one chapter's clauses, each level's requirement shown; POST saves the self-ratings and notes."""
    found, part = _open_chapter(round_id, chapter_id)
    clauses = clause_rows.in_chapter(found.instrument, part.id)
    form_class = rating_form(clauses, language())
    if request.method == "GET":
        return _render_chapter(found, part, form_class(data=rating_data(clauses, found.ratings, found.version)))
    if not found.editable:
        flash(_("此填报已提交或轮次已结束，不能修改。"), "error")
        return redirect(request.path)
    form = form_class()
    if not form.check(found.instrument):
        flash(_("未保存：请先改正下面标出的问题。"), "error")
        return _render_chapter(found, part, form)
    try:
        filling.rate(get_db(), found, form.given(), form.opened_version(), g.user)
    except ConflictError:
        return _render_chapter(found, part, form, conflict=True)
    except RatingError as error:  # checked above; a clause gone from the page is refused here
        flash(
            _(
                "未保存：%(where)s：%(reason)s",
                where=thing_name(found.instrument, error.clause_id, language()),
                reason=error.text(language()),
            ),
            "error",
        )
        return _render_chapter(found, part, form)
    except StoreError as error:
        flash(_("未能保存：%(reason)s", reason=error.text(language())), "error")
        return _render_chapter(found, part, form)
    flash(_("已保存自评。"), "success")
    return redirect(url_for("centre.chapter", round_id=round_id, chapter_id=part.id))


def _back_to(found: filling.Filling, item_id: str) -> Response:
    """The page where an item or clause is filled in, at its place."""
    instrument = found.instrument
    if item_id in instrument.item:
        section = instrument.item[item_id].section
        return redirect(
            url_for("centre.section", round_id=found.round.id, section_id=section) + f"#wrap-item_{item_id}"
        )
    if item_id in instrument.clause:
        chapter_id = instrument.clause[item_id].chapter or clause_rows.OTHER
        return redirect(
            url_for("centre.chapter", round_id=found.round.id, chapter_id=chapter_id) + f"#clause-{item_id}"
        )
    return redirect(url_for("centre.overview", round_id=found.round.id))


@bp.post("/rounds/<int:round_id>/evidence")
@login_required("centre")
def add_evidence(round_id: int) -> Response:
    """Attach a file to an item or clause: recognised by content, at most 10 MB; refused with the reason."""
    found = _open(round_id)
    form = EvidenceForm()
    target = form.target.data or ""
    where = thing_name(found.instrument, target, language())
    if not form.validate_on_submit():
        flash(_("未上传：%(where)s：请选择文件。", where=where), "error")
        return _back_to(found, target)
    file = form.file.data
    try:
        added = filling.attach(get_db(), found, target, file.filename or "", file.read(), g.user)
    except EvidenceError as error:
        flash(
            _(
                "未上传：%(where)s：“%(name)s”：%(reason)s。",
                where=where,
                name=error.name,
                reason=error.text(language()),
            ),
            "error",
        )
    else:
        flash(_("已上传佐证材料“%(name)s”：%(where)s。", name=added.name, where=where), "success")
    return _back_to(found, target)


@bp.post("/rounds/<int:round_id>/evidence/<int:evidence_id>/remove")
@login_required("centre")
def remove_evidence(round_id: int, evidence_id: int) -> Response | str:
    """Remove one of the response's evidence files (audited), asked again first; only while the centre may change
    its answers."""
    found = _open(round_id)
    if found.editable and not confirmed():
        attached = next((e for files in found.files.values() for e in files if e.id == evidence_id), None)
        if attached is None:
            abort(404)
        return ask(
            _("删除佐证材料“%(name)s”？", name=attached.name),
            _(
                "删除后，%(where)s将不再附有此文件；审计记录保留文件名。需要时可以重新上传。",
                where=thing_name(found.instrument, attached.item_id, language()),
            ),
            _("确认删除"),
            url_for("centre.overview", round_id=round_id),
        )
    try:
        removed = filling.detach(get_db(), found, evidence_id, g.user)
    except NotFoundError:
        abort(404)
    except EvidenceError as error:
        flash(_("未删除：%(reason)s。", reason=error.text(language())), "error")
        return redirect(url_for("centre.overview", round_id=round_id))
    flash(_("已删除佐证材料“%(name)s”。", name=removed.name), "success")
    return _back_to(found, removed.item_id)


@bp.post("/rounds/<int:round_id>/appeals")
@login_required("centre")
def appeal(round_id: int) -> Response | str:
    """申诉: appeal an evaluator's verified value or level, with a reason and optionally a file."""
    found = _open(round_id)
    form = AppealForm()
    item_id = form.item.data or ""
    where = thing_name(found.instrument, item_id, language())
    if not form.validate_on_submit():
        flash(_("未提交申诉：%(where)s：请改正下面标出的问题。", where=where), "error")
        return _render_overview(found, appealing=form)
    upload = form.file.data
    file = (upload.filename or "", upload.read()) if upload and upload.filename else None
    try:
        filling.appeal(get_db(), found, item_id, form.reason.data or "", form.response_id(), file, g.user)
    except AppealError as error:
        flash(_("未提交申诉：%(where)s：%(reason)s。", where=where, reason=error.text(language())), "error")
        return _render_overview(found, appealing=form)
    except EvidenceError as error:
        flash(
            _(
                "未提交申诉：%(where)s：“%(name)s”：%(reason)s。",
                where=where,
                name=error.name,
                reason=error.text(language()),
            ),
            "error",
        )
        return _render_overview(found, appealing=form)
    flash(_("已提交申诉：%(where)s。等待评审处理。", where=where), "success")
    return redirect(url_for("centre.overview", round_id=round_id) + "#appeals")
