"""Organisation units: import a sheet of them (all rows or none), browse the tree with the centres below each unit."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from exports.errors import WorkbookError

from .. import assessment
from ..auth import login_required
from ..site import language
from ..store import NotFoundError, StoreError
from ..store.orgs import Unit, ancestors, centre_counts, children, get_unit
from ..web_db import get_db
from . import bp
from .forms import OrgImportForm


def _render(unit: Unit | None, form: OrgImportForm | None = None, problems: list[str] | None = None) -> str:
    db = get_db()
    return render_template(
        "admin/orgs.html",
        unit=unit,
        trail=ancestors(db, unit.code) if unit else [],
        children=children(db, unit.code if unit else None),
        counts=centre_counts(db),
        form=form or OrgImportForm(),
        problems=problems or [],
    )


@bp.route("/orgs", methods=("GET", "POST"))
@login_required("admin")
def orgs() -> Response | str:
    """机构: the top-level units, and the import of a CSV or XLSX sheet of units; a bad file imports nothing."""
    form = OrgImportForm()
    if not form.validate_on_submit():
        return _render(None, form)
    file = form.file.data
    try:
        added, updated = assessment.import_orgs(get_db(), file.read(), file.filename or "orgs.csv")
    except (WorkbookError, StoreError) as error:
        flash(_("未导入：文件中有下列问题，没有导入任何机构。"), "error")
        problems = error.lines(language()) if isinstance(error, WorkbookError) else [error.text(language())]
        return _render(None, form, problems)
    flash(_("已导入：新增 %(added)d 个机构，更新 %(updated)d 个。", added=added, updated=updated), "success")
    return redirect(url_for("admin.orgs"))


@bp.get("/orgs/<code>")
@login_required("admin")
def org(code: str) -> str:
    """One unit: the units above it, the units directly below it, and how many centres each holds."""
    try:
        unit = get_unit(get_db(), code)
    except NotFoundError:
        abort(404)
    return _render(unit)
