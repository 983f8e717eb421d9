"""The pages of administrators: instruments and their versions, organisation units, users, survey rounds."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from . import home, instruments, orgs, rounds, users  # noqa: E402, F401  (register the views on bp)
