"""The pages of health centres: their rounds, the fill-in by section, the live scorecard, submission."""

from flask import Blueprint

bp = Blueprint("centre", __name__)

from . import routes  # noqa: E402, F401  (registers the views on bp)
