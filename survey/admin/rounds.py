"""Survey rounds: open one on an instrument version, list them with how far each centre has got, close, reopen."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from ..auth import login_required
from ..confirm import ask, confirmed
from ..db import writing
from ..site import language
from ..store import NotFoundError, StoreError
from ..store.appeals import AppealsPendingError, check_closable
from ..store.lifecycle import status_counts
from ..store.orgs import names
from ..store.rounds import Round, change_status, create_round, get_round, list_rounds, round_instrument
from ..store.versions import list_instruments, retirements
from ..web_db import get_db
from ..words import joined, thing_name
from . import bp
from .forms import ActionForm, NewRoundForm


@bp.get("/rounds")
@login_required("admin")
def rounds() -> str:
    """调查轮次: every round, newest first, with its centres counted by status, and close or reopen."""
    db = get_db()
    found = list_rounds(db)[::-1]
    return render_template(
        "admin/rounds.html",
        rounds=found,
        counts={r.id: status_counts(db, r) for r in found},
        units=names(db, (r.scope_code for r in found)),
        action=ActionForm(),
    )


def _instrument_choices() -> list[SelectChoice]:
    """Each stored instrument version not retired, newest first: `id@version` with its title."""
    lang = language()
    retired = retirements(get_db())
    return [
        SelectChoice(
            f"{instrument.id}@{instrument.version}",
            f"{instrument.title.get(lang)} · {instrument.id} · {_('版本')} {instrument.version}",
        )
        for instrument, _loaded in reversed(list_instruments(get_db()))
        if (instrument.id, instrument.version) not in retired
    ]


@bp.route("/rounds/new", methods=("GET", "POST"))
@login_required("admin")
def new_round() -> Response | str:
    """Open a round: an instrument version, the period and title, a scope, a deadline, review levels."""
    form = NewRoundForm()
    form.instrument.choices = _instrument_choices()
    if form.validate_on_submit():
        instrument_id, version = form.chosen()
        try:
            created = create_round(
                get_db(),
                instrument_id,
                form.period.data,
                form.title.data,
                version=version,
                scope_code=form.scope_code.data or None,
                review_levels=form.review_levels.data,
                deadline=form.deadline.data.isoformat() if form.deadline.data else None,
            )
        except StoreError as error:
            flash(_("未创建轮次：%(reason)s", reason=error.text(language())), "error")
        else:
            flash(_("已开启调查轮次 %(id)d：%(title)s。", id=created.id, title=created.title), "success")
            return redirect(url_for("admin.rounds"))
    return render_template("admin/round_new.html", form=form)


def _round(round_id: int) -> Round:
    try:
        return get_round(get_db(), round_id)
    except NotFoundError:
        abort(404)


@bp.post("/rounds/<int:round_id>/<any(close, reopen):change>")
@login_required("admin")
def round_status(round_id: int, change: str) -> Response | str:
    """Close a round (centres can no longer save or submit), asked again first; or reopen it."""
    found = _round(round_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    status = "closed" if change == "close" else "open"
    if status == "closed" and not confirmed():
        return ask(
            _("结束轮次 %(id)d：%(title)s？", id=found.id, title=found.title),
            _("结束后，机构不能再保存、上传或提交此轮次的填报，评审结果和申诉也不能再改动；需要时可以重新开启。"),
            _("确认结束轮次"),
            url_for("admin.rounds") + f"#round-{found.id}",
        )
    db = get_db()
    try:
        with writing(db):  # no appeal slips in between the check and the close
            if status == "closed":
                check_closable(db, found)
            change_status(db, found, status, username=g.user.username)
    except AppealsPendingError as error:
        units = names(db, (code for code, _item in error.pending))
        instrument = round_instrument(db, found)
        waiting = joined(
            (
                f"{units.get(code, code)} {thing_name(instrument, item_id, language())}"
                for code, item_id in error.pending
            ),
            language(),
        )
        flash(
            _(
                "未结束轮次 %(id)d：还有 %(n)d 项申诉等待处理：%(list)s。",
                id=found.id,
                n=len(error.pending),
                list=waiting,
            ),
            "error",
        )
        return redirect(url_for("admin.rounds"))
    if status == "closed":
        flash(_("已结束轮次 %(id)d：机构不能再保存或提交。", id=found.id), "success")
    else:
        flash(_("已重新开启轮次 %(id)d。", id=found.id), "success")
    return redirect(url_for("admin.rounds"))
