"""Instruments: upload a version (YAML, JSON or an XLSForm workbook), list them, read one, compare two, retire one."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from exports.errors import WorkbookError
from instruments import Instrument, InstrumentError
from instruments.diff import diff

from .. import assessment
from ..auth import login_required
from ..confirm import ask, confirmed
from ..site import language
from ..store import NotFoundError, StoreError
from ..store.versions import (
    Retirement,
    get_instrument,
    list_instruments,
    restore_version,
    retire_version,
    retirements,
)
from ..web_db import get_db
from . import bp
from .forms import ActionForm, InstrumentUploadForm


@dataclass(frozen=True)
class Version:
    """One stored version as the list shows it."""

    instrument: Instrument
    loaded_at: str
    retired: Retirement | None


def catalogue() -> dict[str, list[Version]]:
    """Every stored version, grouped by instrument id, each group oldest first."""
    out: dict[str, list[Version]] = {}
    retired = retirements(get_db())
    for instrument, loaded_at in list_instruments(get_db()):
        found = retired.get((instrument.id, instrument.version))
        out.setdefault(instrument.id, []).append(Version(instrument, loaded_at, found))
    return out


@bp.route("/instruments", methods=("GET", "POST"))
@login_required("admin")
def instruments() -> Response | str:
    """问卷: the versions of each instrument, and the upload of a new one; a bad file stores nothing."""
    form = InstrumentUploadForm()
    problems: list[str] = []
    if form.validate_on_submit():
        file = form.file.data
        try:
            instrument, new = assessment.load_instrument(get_db(), file.read(), file.filename or "instrument.yaml")
        except InstrumentError as error:
            problems = [problem.text(language()) for problem in error.problems]
        except WorkbookError as error:
            problems = error.lines(language())
        except StoreError as error:
            problems = [error.text(language())]
        else:
            if new:
                flash(
                    _("已载入问卷 %(id)s 版本 %(version)s。", id=instrument.id, version=instrument.version), "success"
                )
            else:
                flash(
                    _(
                        "问卷 %(id)s 版本 %(version)s 已存在，内容相同，未重复载入。",
                        id=instrument.id,
                        version=instrument.version,
                    ),
                    "info",
                )
            return redirect(url_for("admin.instrument", instrument_id=instrument.id, version=instrument.version))
    return render_template(
        "admin/instruments.html", form=form, problems=problems, catalogue=catalogue(), action=ActionForm()
    )


def _version(instrument_id: str, version: str) -> Instrument:
    """A stored version; 404 when there is none."""
    try:
        return get_instrument(get_db(), instrument_id, version)
    except NotFoundError:
        abort(404)


@bp.get("/instruments/<instrument_id>/versions/<path:version>")
@login_required("admin")
def instrument(instrument_id: str, version: str) -> str:
    """One version: its sections and items, indicators with formula, target, weight and standard, grades."""
    found = _version(instrument_id, version)
    versions = catalogue().get(instrument_id, [])
    return render_template("admin/instrument.html", instrument=found, versions=versions)


@bp.get("/instruments/<instrument_id>/diff")
@login_required("admin")
def compare(instrument_id: str) -> str:
    """What changed between two versions of one instrument (by default the last two loaded)."""
    versions = [v.instrument.version for v in catalogue().get(instrument_id, [])]
    if not versions:
        abort(404)
    old = request.args.get("old") or versions[max(len(versions) - 2, 0)]
    new = request.args.get("new") or versions[-1]
    before, after = _version(instrument_id, old), _version(instrument_id, new)
    return render_template("admin/diff.html", versions=versions, result=diff(before, after), before=before, after=after)


@bp.post("/instruments/<instrument_id>/versions/<path:version>/<any(retire, restore):change>")
@login_required("admin")
def retirement(instrument_id: str, version: str, change: str) -> Response | str:
    """Retire a version (asked again first): no new round opens on it, rounds on it carry on; or restore it."""
    found = _version(instrument_id, version)
    if not ActionForm().validate_on_submit():
        abort(400)
    named = {"id": found.id, "version": found.version}
    if change == "retire" and not confirmed():
        return ask(
            _("停用问卷 %(id)s 版本 %(version)s？", **named),
            _(
                "停用后，开启新的调查轮次时不再提供此版本；已在使用此版本的轮次照常填报、评分、审核和导出。可以随时恢复使用。"
            ),
            _("确认停用此版本"),
            url_for("admin.instruments"),
        )
    try:
        if change == "retire":
            retire_version(get_db(), found.id, found.version, username=g.user.username)
        else:
            restore_version(get_db(), found.id, found.version, username=g.user.username)
    except StoreError as error:
        flash(_("未停用：%(reason)s", reason=error.text(language())), "error")
    else:
        if change == "retire":
            flash(_("已停用问卷 %(id)s 版本 %(version)s：新的轮次不再使用此版本。", **named), "success")
        else:
            flash(_("已恢复使用问卷 %(id)s 版本 %(version)s。", **named), "success")
    return redirect(url_for("admin.instruments"))
