"""The pages of background jobs: one's own jobs, a job's progress, its file. Only the person who asked sees them."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from . import jobs
from .auth import login_required
from .files import attachment
from .site import language
from .store import NotFoundError
from .store.access import open_round
from .store.orgs import attribute_names, names
from .web_db import get_db

bp = Blueprint("jobs", __name__, url_prefix="/jobs")


def scope_name(db, scope: str | None) -> str:
    return names(db, [scope]).get(scope, "") if scope else ""


def _mine(job_id: str) -> jobs.Job:
    """The signed-in user's job, still within their jurisdiction; 404 otherwise (whether or not it exists)."""
    db = get_db()
    job = jobs.get_job(db, job_id)
    if job is None or job.user_id != g.user.id:
        abort(404)
    if job.round_id is not None:
        try:
            _round, scope = open_round(db, job.round_id, g.user)
        except NotFoundError:
            abort(404)
        if scope != job.scope_code:
            abort(404)
    return job


@bp.get("/")
@login_required()
def mine() -> str:
    """我的任务: the signed-in user's jobs of the last day."""
    db = get_db()
    jobs.sweep(db, current_app.config["DATABASE"])
    return render_template("jobs/list.html", jobs=jobs.jobs_of(db, g.user.id))


DOWNLOADS = {"league": "排名表", "cards": "报告卡"}  # the kinds of download an official may ask for, and their files


@bp.post("/")
@login_required("official", "admin")
def ask() -> Response:
    """Start a download of the user's jurisdiction in the background, and show its progress."""
    kind = request.form.get("kind", "")
    if kind not in DOWNLOADS:
        abort(400)
    db = get_db()
    try:
        round_, scope = open_round(db, request.form.get("round", ""), g.user)
    except NotFoundError:
        abort(404)
    approved_only = request.form.get("approved_only") == "1"
    by = request.form.get("by", "") if kind == "league" else ""
    if by and by not in {name for name, _n in attribute_names(db)}:
        abort(400)
    name = f"{round_.title}-{scope_name(db, scope) or '全部地区'}-{DOWNLOADS[kind]}"
    options = {"approved_only": approved_only, "name": name, **({"by": by} if by else {})}
    job = jobs.create(db, kind, g.user.id, round_.id, scope, options, lang=language())
    jobs.start(current_app.config["DATABASE"], job)
    return redirect(url_for("jobs.job", job_id=job.id))


@bp.get("/<job_id>")
@login_required()
def job(job_id: str) -> str:
    """One job: how far it got (the page reloads itself while it runs), then its file or why it failed."""
    return render_template("jobs/job.html", job=_mine(job_id))


@bp.get("/<job_id>/file")
@login_required()
def file(job_id: str) -> Response:
    """Download the file a finished job made."""
    found = _mine(job_id)
    if found.status != jobs.DONE or not found.file:
        abort(404)
    try:
        handle = open(found.file, "rb")  # noqa: SIM115 - the response closes it
    except OSError:
        abort(404)
    return attachment(handle, found.filename)
