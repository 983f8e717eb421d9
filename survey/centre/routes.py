"""The views of a centre: read the request, call filling/forms/scorecard, render."""

from __future__ import annotations

from collections.abc import Sequence

from flask import abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from exports.errors import WorkbookError
from instruments.checks import Check
from instruments.model import Section

from .. import scorecard
from ..auth import login_required
from ..files import attachment
from ..site import language
from ..store import ConflictError, NotFoundError, StoreError
from ..store.lifecycle import submit as submit_response
from ..store.orgs import get_unit
from ..web_db import get_db
from . import bp, filling
from .forms import SectionForm, UploadForm, section_form, shown


def _open(round_id: int) -> filling.Filling:
    """The signed-in centre's filling of a round; 404 when the round is not the centre's."""
    try:
        return filling.open_filling(get_db(), round_id, g.user)
    except NotFoundError:
        abort(404)


def _render_overview(
    found: filling.Filling, upload: UploadForm | None = None, upload_problems: Sequence[str] = ()
) -> str:
    lang = language()
    comment, item_comments = filling.comments(get_db(), found)
    return render_template(
        "centre/round.html",
        filling=found,
        card=scorecard.card(found.instrument, found.values, lang),
        problems=found.check.problems(lang=lang),
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
    """One round: sections with progress, what is missing, the scorecard, submission, the offline template."""
    return _render_overview(_open(round_id))


def _open_section(round_id: int, section_id: str) -> tuple[filling.Filling, Section]:
    """The centre's filling of a round and one of its sections; 404 when either is not there."""
    found = _open(round_id)
    try:
        return found, found.section(section_id)
    except NotFoundError:
        abort(404)


def _render_section(found: filling.Filling, part: Section, form: SectionForm, conflict: bool = False) -> str:
    values = {**found.values, **form.answers()} if request.method == "POST" else found.values
    return render_template(
        "centre/section.html",
        filling=found,
        section=part,
        form=form,
        check=Check(found.instrument, values),
        card=scorecard.card(found.instrument, values, form.lang),
        related=scorecard.related(found.instrument, part),
        item_comments=filling.comments(get_db(), found)[1],
        conflict=conflict,
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
        flash(_("未保存：请先改正下面标出的问题。"), "error")
        return _render_section(found, part, form)
    try:
        filling.save(get_db(), found, form.answers(), form.opened_version(), g.user)
    except ConflictError:
        return _render_section(found, part, form, conflict=True)
    except StoreError:
        flash(_("未能保存：此填报当前不能修改。"), "error")
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
    values = {**found.values, **form.answers()}
    return jsonify(
        relevant=Check(found.instrument, values).relevance(),
        errors={item.id: [str(e) for e in field.errors] for item, field in form.item_fields() if field.errors},
        scorecard=scorecard.card(found.instrument, values, form.lang).as_json(),
    )


@bp.post("/rounds/<int:round_id>/submit")
@login_required("centre")
def submit(round_id: int) -> Response | str:
    """Submit for review, once every required item is answered and every constraint holds."""
    found = _open(round_id)
    if not found.editable:
        flash(_("此填报已提交或轮次已结束，不能再提交。"), "error")
    elif found.response is None or found.check.problems():
        flash(_("还不能提交：请先完成下列各项。"), "error")
        return _render_overview(found)
    else:
        try:
            submit_response(get_db(), found.round, found.instrument, found.response,
                            username=g.user.username, user_id=g.user.id)  # fmt: skip
        except StoreError as error:
            flash(_("未能提交：%(reason)s", reason=str(error)), "error")
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


@bp.post("/rounds/<int:round_id>/upload")
@login_required("centre")
def upload(round_id: int) -> Response | str:
    """Upload the filled-in template: every answer is imported, or nothing and every problem is listed."""
    found = _open(round_id)
    form = UploadForm()
    if not form.validate_on_submit():
        return _render_overview(found, upload=form)
    file = form.workbook.data
    try:
        summary = filling.upload(get_db(), found, file.read(), file.filename or "upload.xlsx", g.user)
    except WorkbookError as error:
        flash(_("未导入：文件中有问题，请改正后重新上传。"), "error")
        return _render_overview(found, upload=form, upload_problems=error.problems)
    except StoreError as error:
        flash(_("未导入：%(reason)s", reason=str(error)), "error")
    else:
        flash(_("已导入，%(n)d 项答案有改动。", n=summary.changes), "success")
    return redirect(url_for("centre.overview", round_id=round_id))
