"""The pages of officials and administrators: rounds, league tables, regional summaries, centre profiles, downloads."""

from flask import Blueprint

bp = Blueprint("official", __name__, url_prefix="/reports")

from . import routes  # noqa: E402, F401  (registers the views on bp)
