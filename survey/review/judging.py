"""The evaluator's views on clauses and appeals: rate one clause with a click, decide an appeal."""

from __future__ import annotations

from flask import abort, flash, g, redirect, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ..auth import login_required
from ..site import language
from ..store import ConflictError, NotFoundError, StoreError
from ..store import appeals as appeal_store
from ..store.access import open_response
from ..store.ratings import RatingError, rate
from ..store.responses import response_by_id
from ..store.rounds import round_instrument
from ..web_db import get_db
from ..words import thing_name
from . import bp, cases
from .forms import DecideForm, RateForm
from .routes import NOT_YOURS, STALE, _actionable, _round


@bp.post("/rounds/<int:round_id>/responses/<org_code>/clauses/<clause_id>")
@login_required("evaluator")
def rate_clause(round_id: int, org_code: str, clause_id: str) -> Response:
    """Rate one onsite clause at the level of the button pressed (or 不适用 with a reason), with a comment."""
    case = _actionable(round_id, org_code)
    if not isinstance(case, cases.Case):
        return case
    back = redirect(url_for("review.response", round_id=round_id, org_code=org_code) + f"#rate-{clause_id}")
    form = RateForm()
    where = thing_name(case.instrument, clause_id, language())
    if not form.validate_on_submit():
        flash(_("未保存评级：%(where)s：意见不能超过 2000 字。", where=where), "error")
        return back
    try:
        rate(
            get_db(),
            case.round,
            case.instrument,
            case.response,
            {clause_id: (form.level.data, form.comment.data)},
            g.user,
            expected_version=form.opened_version(),
        )
    except NotFoundError:
        abort(404)
    except RatingError as error:
        flash(_("未保存评级：%(where)s：%(reason)s。", where=where, reason=error.text(language())), "error")
    except ConflictError:
        flash(str(STALE), "error")
    except StoreError:
        flash(str(NOT_YOURS), "error")
    else:
        flash(_("已保存评级：%(where)s。", where=where), "success")
    return back


@bp.post("/rounds/<int:round_id>/appeals/<int:appeal_id>")
@login_required("evaluator")
def decide_appeal(round_id: int, appeal_id: int) -> Response:
    """Accept an appeal (the centre's value becomes the verified one) or reject it with a reason."""
    round_, _scope = _round(round_id)
    db = get_db()
    instrument = round_instrument(db, round_)
    form = DecideForm()
    try:
        appeal = appeal_store.get_appeal(db, appeal_id)
        org_code = response_by_id(db, appeal.response_id).org_code
        open_response(db, round_id, org_code, g.user)  # outside the evaluator's unit: 404, as for the response
    except NotFoundError:
        abort(404)
    back = redirect(url_for("review.response", round_id=round_id, org_code=org_code) + "#appeals")
    where = thing_name(instrument, appeal.item_id, language())
    if not form.validate_on_submit():
        flash(_("未处理申诉：%(where)s：请选择采纳或不予采纳，意见不超过 2000 字。", where=where), "error")
        return back
    accept = form.decision.data == "accept"
    try:
        appeal_store.decide(db, round_, instrument, appeal_id, accept, form.reason.data or "", g.user)
    except NotFoundError:
        abort(404)
    except appeal_store.AppealError as error:
        flash(_("未处理申诉：%(where)s：%(reason)s。", where=where, reason=error.text(language())), "error")
        return back
    if accept:
        flash(_("已采纳申诉：%(where)s，核实结果改为机构上报的值。", where=where), "success")
    else:
        flash(_("已不予采纳申诉：%(where)s。", where=where), "success")
    return back
