"""Instruments: upload a version (YAML, JSON or an XLSForm workbook), list them, read one, compare two."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from exports.errors import WorkbookError
from instruments import Instrument, InstrumentError
from instruments.diff import diff

from .. import assessment
from ..auth import login_required
from ..site import language
from ..store import NotFoundError, StoreError
from ..store.versions import get_instrument, list_instruments
from ..web_db import get_db
from . import bp
from .forms import InstrumentUploadForm


@dataclass(frozen=True)
class Version:
    """One stored version as the list shows it."""

    instrument: Instrument
    loaded_at: str


def catalogue() -> dict[str, list[Version]]:
    """Every stored version, grouped by instrument id, each group oldest first."""
    out: dict[str, list[Version]] = {}
    for instrument, loaded_at in list_instruments(get_db()):
        out.setdefault(instrument.id, []).append(Version(instrument, loaded_at))
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
                flash(_("问卷 %(id)s 版本 %(version)s 已存在，内容相同，未重复载入。",
                        id=instrument.id, version=instrument.version), "info")  # fmt: skip
            return redirect(url_for("admin.instrument", instrument_id=instrument.id, version=instrument.version))
    return render_template("admin/instruments.html", form=form, problems=problems, catalogue=catalogue())


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
