"""The pages of evaluators: the review queue, one response side by side with its scores, verified values,
clause ratings on the evidence, appeals to decide, approval and return with comments, data quality of a
round, and the audit trail."""

from flask import Blueprint

bp = Blueprint("review", __name__, url_prefix="/review")

from . import judging, routes  # noqa: E402, F401  (registers the views on bp)
