"""A second step before a change that cannot simply be undone (closing a round, disabling an account,
removing a file): the button's POST shows what will happen and asks again, and only a POST that says
`confirm=yes` makes the change. Plain forms, so it works without JavaScript and from the keyboard.
"""

from __future__ import annotations

from flask import render_template, request

CONFIRM = "confirm"


def confirmed() -> bool:
    """Whether this POST is the second step, the one that was asked for."""
    return request.form.get(CONFIRM) == "yes"


def ask(title: str, message: str, button: str, back: str) -> str:
    """The page that asks: what will happen, a button that posts here again with confirm=yes, a way back."""
    return render_template("confirm.html", title=title, message=message, button=button, back=back)
