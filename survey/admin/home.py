"""The administrators' start page: where each kind of work is done."""

from __future__ import annotations

from flask import render_template

from ..auth import login_required
from . import bp


@bp.get("/")
@login_required("admin")
def index() -> str:
    """系统管理: links to instruments, units, users and rounds."""
    return render_template("admin/index.html")
