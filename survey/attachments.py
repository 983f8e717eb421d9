"""Evidence files served to whoever reaches the response they belong to: the centre itself, and the evaluators,
officials and administrators above it (`store.access`); anyone else gets 404.

Images (PNG, JPEG) are sent inline with their own type, so the review page can show them as thumbnails; every
other kind is sent as an attachment to download. The file's type is the one recognised by content when it was
stored, never the name it was uploaded under, and every response says `nosniff` (set app-wide).
"""

from __future__ import annotations

from flask import Blueprint, abort, g, send_file
from werkzeug.wrappers import Response

from .auth import login_required
from .store import NotFoundError
from .store.access import open_response
from .store.evidence import get_evidence, open_file
from .web_db import get_db

bp = Blueprint("attachments", __name__)


@bp.get("/rounds/<int:round_id>/responses/<org_code>/evidence/<int:evidence_id>")
@login_required()
def evidence(round_id: int, org_code: str, evidence_id: int) -> Response:
    """One evidence file of a response in the user's jurisdiction."""
    db = get_db()
    try:
        reached = open_response(db, round_id, org_code, g.user)
        found = get_evidence(db, evidence_id)
        if found.response_id != reached.response.id:
            raise NotFoundError("no_evidence", evidence=evidence_id)
        file = open_file(db, found)
    except NotFoundError:
        abort(404)
    return send_file(file, mimetype=found.mimetype, as_attachment=not found.image, download_name=found.name)
