"""Sign-in and access: sessions, throttled sign-in, sign-out, password change, `login_required`."""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable
from urllib.parse import unquote, urlsplit

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.urls import iri_to_uri
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField
from wtforms.validators import EqualTo, InputRequired, ValidationError

from .store import StoreError, sessions
from .store.throttle import LockedError
from .store.users import (
    MIN_PASSWORD,
    WeakPasswordError,
    WrongPasswordError,
    authenticate,
    change_password,
    check_strength,
    get_user_by_id,
)
from .web_db import get_db

bp = Blueprint("auth", __name__, url_prefix="/auth")


class LoginForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[InputRequired()], render_kw={"autocomplete": "username"})
    password = PasswordField(_l("密码"), validators=[InputRequired()], render_kw={"autocomplete": "current-password"})


class PasswordForm(FlaskForm):
    current = PasswordField(
        _l("当前密码"), validators=[InputRequired()], render_kw={"autocomplete": "current-password"}
    )
    new = PasswordField(_l("新密码"), validators=[InputRequired()], render_kw={"autocomplete": "new-password"})
    again = PasswordField(
        _l("再次输入新密码"),
        validators=[InputRequired(), EqualTo("new", message=_l("两次输入的新密码不一致"))],
        render_kw={"autocomplete": "new-password"},
    )

    def validate_new(self, field: PasswordField) -> None:
        try:
            check_strength(field.data, g.user.username)
        except WeakPasswordError as error:
            raise ValidationError(password_problem(error)) from None


def password_problem(error: WeakPasswordError) -> str:
    """Why a password was refused, in the reader's language."""
    return _reader(error)


def _reader(error: StoreError) -> str:
    from .site import language  # site's pages import this module

    return error.text(language())


def login_required(*roles: str) -> Callable:
    """Send the anonymous to sign in, and refuse (403) users whose role is not among `roles` (any if none)."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(**kwargs):
            if g.user is None:
                wanted = request.full_path if request.query_string else request.path
                return redirect(url_for("auth.login", next=wanted if request.method == "GET" else None))
            if roles and g.user.role not in roles:
                abort(403)
            return view(**kwargs)

        return wrapped

    return decorator


def safe_next(target: str | None, default: str) -> str:
    """`target` as a URI when it is a path on this site, else `default`: no open redirect, no bad header.

    Browsers drop tabs and newlines from a URL and read a backslash as a slash, so a
    slash, a tab and `/evil.example` would leave the site: any control character or
    backslash is refused, and so is a target that leaves the site once percent-decoded.
    """
    if not target or not _same_site_path(target) or not _same_site_path(unquote(target)):
        return default
    return iri_to_uri(target)


def _same_site_path(target: str) -> bool:
    if any(char == "\\" or unicodedata.category(char).startswith("C") for char in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//")


@bp.before_app_request
def load_logged_in_user() -> None:
    """Put the signed-in user on `g`: None when signed out, the session has ended, or the account is inactive."""
    g.user = None
    token = session.get("token")
    if not isinstance(token, str):
        return
    config = current_app.config
    user_id = sessions.user_id(
        get_db(), token, idle=config["SESSION_IDLE"], lifetime=config["PERMANENT_SESSION_LIFETIME"]
    )
    user = get_user_by_id(get_db(), user_id) if user_id is not None else None
    if user is None or not user.active:
        session.pop("token")  # ended on the server: the cookie stops carrying it
        return
    g.user = user


def client_address() -> str:
    """The address the request came from (the proxies' X-Forwarded-For only when TRUSTED_PROXIES says so)."""
    return request.remote_addr or ""


def _open_session(user_id: int) -> None:
    """A new session for this browser: nothing carried over from before (no session fixation)."""
    session.clear()
    session["token"] = sessions.start(get_db(), user_id, lifetime=current_app.config["PERMANENT_SESSION_LIFETIME"])


@bp.route("/login", methods=("GET", "POST"))
def login() -> Response | str:
    """Sign in; too many failures for an account or from an address are refused for a while."""
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = authenticate(get_db(), form.username.data.strip(), form.password.data, client_address())
        except LockedError as error:
            flash(_reader(error), "error")
        else:
            if user is None:
                flash(_("用户名或密码不正确，或账号已停用。"), "error")
            else:
                _open_session(user.id)
                return redirect(safe_next(request.args.get("next"), url_for("site.index")))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout() -> Response:
    """Sign out: the session ends on the server too, so a copy of the cookie is worth nothing."""
    token = session.get("token")
    if isinstance(token, str):
        sessions.end(get_db(), token)
    session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=("GET", "POST"))
@login_required()
def password() -> Response | str:
    """Change one's own password: the current one, then the new one twice. Every other session ends."""
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            change_password(get_db(), g.user.username, form.current.data, form.new.data, client_address())
        except LockedError as error:
            form.current.errors.append(_("密码错误次数过多，请 %(minutes)d 分钟后再试。", minutes=error.minutes))
        except WrongPasswordError as error:
            form.current.errors.append(_reader(error))
        else:
            _open_session(g.user.id)
            flash(_("密码已修改。"), "success")
            return redirect(url_for("site.index"))
    return render_template("auth/password.html", form=form, min_password=MIN_PASSWORD)
