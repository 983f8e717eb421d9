"""The web platform for health centres, built by `create_app` in the shape of Flask's tutorial (flaskr)."""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

from .store import sessions

MAX_UPLOAD = 20 * 1024 * 1024
# Scripts, styles and images only from our own static files (no inline code), fetches only to
# ourselves, forms posted only here, and never shown inside another site's frame (clickjacking).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",  # data: for the empty favicon that spares a request
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # Flask-WTF checks the referrer of a POST over HTTPS: same-site only
}


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Create and configure the application."""
    app = Flask(__name__, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(
        SECRET_KEY=secret_key(app.instance_path),
        DATABASE=os.environ.get("SURVEY_DB") or os.path.join(app.instance_path, "survey.db"),
        MAX_CONTENT_LENGTH=MAX_UPLOAD,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_IDLE=sessions.IDLE,  # a session unused this long ends
        PERMANENT_SESSION_LIFETIME=sessions.LIFETIME,  # and any session ends this long after sign-in
        TRUSTED_PROXIES=0,  # reverse proxies in front whose X-Forwarded-For/-Proto are believed
        WTF_CSRF_ENABLED=True,
        WTF_CSRF_TIME_LIMIT=None,  # a section may stay open for hours: the token lasts as long as the session
        BABEL_DEFAULT_LOCALE="zh",
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.from_mapping(test_config)

    if app.config["TRUSTED_PROXIES"]:
        proxies = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)

    from flask_babel import Babel
    from flask_wtf.csrf import CSRFProtect

    from . import attachments, auth, site, web_db
    from .admin import bp as admin_bp
    from .centre import bp as centre_bp
    from .official import bp as official_bp
    from .review import bp as review_bp

    web_db.init_app(app)
    app.after_request(security_headers)
    CSRFProtect(app)
    Babel(app, locale_selector=site.language)
    app.register_blueprint(site.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(centre_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(official_bp)
    app.register_blueprint(review_bp)
    app.register_blueprint(attachments.bp)
    return app


def security_headers(response: Response) -> Response:
    """Every response gets SECURITY_HEADERS; what a signed-in user sees (pages, downloads) is never stored."""
    response.headers.update(SECURITY_HEADERS)
    if g.get("user") is not None and request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"
    return response


def secret_key(folder: str) -> str:
    """The key that signs sessions, kept in `instance/secret_key` and made on first run."""
    path = os.path.join(folder, "secret_key")
    if not os.path.exists(path):
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".secret_key.")
        try:
            with os.fdopen(handle, "w", encoding="ascii") as file:
                file.write(secrets.token_hex(32))
            with contextlib.suppress(FileExistsError):  # another worker made it first: use theirs
                os.link(temporary, path)
        finally:
            os.remove(temporary)
    with open(path, encoding="ascii") as file:
        return file.read().strip()
