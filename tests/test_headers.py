"""Security headers on every response; what a signed-in user sees is never stored; templates hold no inline code."""

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).parent.parent / "survey" / "templates"
ANONYMOUS = ["/auth/login", "/nowhere", "/static/site.css", "/static/fill.js"]
SIGNED_IN = ["/rounds", "/rounds/2", "/rounds/2/sections/staff", "/auth/password", "/nowhere"]


def policy(response) -> dict[str, str]:
    """The Content-Security-Policy as {directive: sources}."""
    parts = (part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts}


def get(client, path):
    """The response, read and closed (static files are streamed from open files)."""
    with client.get(path) as response:
        response.get_data()
    return response


def responses(client, auth):
    for path in ANONYMOUS:
        yield path, get(client, path)
    auth.as_user("doumen")
    for path in [*SIGNED_IN, "/rounds/2/template"]:
        yield path, get(client, path)


def test_content_security_policy_allows_only_our_own_files(client, auth):
    for path, response in responses(client, auth):
        csp = policy(response)
        assert csp["default-src"] == "'none'", path
        assert csp["script-src"] == "'self'" and csp["style-src"] == "'self'", path
        assert csp["connect-src"] == "'self'" and csp["form-action"] == "'self'", path
        assert csp["base-uri"] == "'none'", path
        assert "unsafe" not in response.headers["Content-Security-Policy"], path


def test_no_framing(client, auth):
    for path, response in responses(client, auth):
        assert policy(response)["frame-ancestors"] == "'none'", path
        assert response.headers["X-Frame-Options"] == "DENY", path


def test_no_sniffing(client, auth):
    for path, response in responses(client, auth):
        assert response.headers["X-Content-Type-Options"] == "nosniff", path


def test_referrer_stays_on_the_site(client, auth):
    for path, response in responses(client, auth):
        assert response.headers["Referrer-Policy"] == "same-origin", path


def test_signed_in_pages_and_downloads_are_never_stored(client, auth):
    for path in ANONYMOUS:
        assert "no-store" not in get(client, path).headers.get("Cache-Control", ""), path
    auth.as_user("doumen")
    for path in SIGNED_IN:
        assert get(client, path).headers["Cache-Control"] == "no-store", path
    template = get(client, "/rounds/2/template")
    assert template.status_code == 200 and template.mimetype.endswith("spreadsheetml.sheet")
    assert template.headers["Cache-Control"] == "no-store"
    assert "no-store" not in get(client, "/static/site.css").headers.get("Cache-Control", "")  # public, cacheable


def test_an_official_download_is_never_stored(client, auth):
    auth.as_user("xixian")
    response = client.get("/reports/rounds/2/league.xlsx")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "a script without src"),
    (re.compile(r"<style\b", re.I), "a style element"),
    (re.compile(r"\sstyle\s*=", re.I), "a style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an event handler attribute"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
]


@pytest.mark.parametrize("template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_templates_hold_nothing_the_policy_would_block(template):
    text = template.read_text("utf-8")
    for pattern, what in INLINE:
        assert not pattern.search(text), f"{template.name}: {what}"
