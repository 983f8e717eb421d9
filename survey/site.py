"""The site around the role pages: the home page, the language switch and the error pages."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from . import words
from .auth import login_required, safe_next
from .files import TABLE_ACCEPT
from .store import BusyError, lifecycle

bp = Blueprint("site", __name__)

LANGUAGES = ("zh", "en")
LANGUAGE_COOKIE = "lang"
YEAR = 365 * 24 * 3600
ERRORS = {
    400: (_l("请求有误"), _l("页面收到的内容不完整或已过期。请返回上一页，刷新后再试。")),
    403: (_l("没有权限"), _l("您的账号不能访问此页面。")),
    404: (_l("页面不存在"), _l("找不到此页面，或您无权查看它。")),
    405: (_l("不支持的操作"), _l("此页面不接受这种请求。")),
    413: (_l("文件太大"), _l("上传的文件超过 20 MB。请删去多余的工作表或内容后再试。")),
    500: (_l("服务器出错"), _l("处理请求时出错，已记录。您的数据没有被改动，请稍后再试。")),
    503: (_l("系统繁忙"), _l("系统繁忙，请稍后再试。")),
}
HOMES = {"centre": "centre.rounds", "evaluator": "review.queue", "official": "official.rounds", "admin": "admin.index"}
CSRF_MESSAGE = _l("表单已过期（安全令牌无效或缺失）。请刷新页面后重新提交。")


def language() -> str:
    """The interface language: the `lang` cookie when it names one we have, else Chinese."""
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    return chosen if chosen in LANGUAGES else LANGUAGES[0]


@bp.app_context_processor
def inject() -> dict:
    return {
        "lang": language(),
        "user": g.get("user"),
        "words": words,
        "lifecycle": lifecycle,
        "TABLE_ACCEPT": TABLE_ACCEPT,
    }


@bp.app_template_global("mark")
def mark(char: str) -> str:
    """A Chinese punctuation mark as the interface language writes it (macros see it without the page's context)."""
    return words.mark(char, language())


@bp.app_template_filter("when")
def when(stamp: str) -> str:
    """A stored UTC timestamp as people read it: 2025-06-30 14:05 UTC."""
    return dt.datetime.fromisoformat(stamp).strftime("%Y-%m-%d %H:%M UTC")


@bp.get("/")
@login_required()
def index() -> Response:
    """Each role's home: a centre's rounds, an evaluator's queue, an official's reports, the admin pages."""
    return redirect(url_for(HOMES[g.user.role]))


@bp.post("/language")
def set_language() -> Response:
    """Switch the interface language and go back to the page it was switched on."""
    chosen = request.form.get("lang", "")
    response = redirect(safe_next(request.form.get("next"), url_for("site.index")))
    if chosen in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, chosen, max_age=YEAR, httponly=True, samesite="Lax")
    return response


@bp.app_errorhandler(HTTPException)
def error_page(error: HTTPException) -> tuple[str, int]:
    """Every HTTP error, unexpected failures (500) included, in the site's layout: never a traceback."""
    title, message = ERRORS.get(error.code, (error.name, error.description))
    if isinstance(error, CSRFError):
        message = CSRF_MESSAGE
    return render_template("error.html", code=error.code, title=title, message=message), error.code


@bp.app_errorhandler(BusyError)
def busy_page(error: BusyError) -> tuple[str, int]:
    """Other writes kept the database busy past the wait: nothing was written; say so (503), never a 500."""
    title = ERRORS[503][0]
    return render_template("error.html", code=503, title=title, message=error.text(language())), 503
