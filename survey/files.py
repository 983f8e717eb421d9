"""Files the pages send: a workbook, an archive or a table, as an attachment of its own type."""

from __future__ import annotations

import io
from pathlib import PurePath
from typing import IO

from flask import send_file
from werkzeug.wrappers import Response

TYPES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".zip": "application/zip",
    ".csv": "text/csv; charset=utf-8",
}


def attachment(data: bytes | IO[bytes], name: str) -> Response:
    """Send `data` (bytes, or an open file at its start) for download as `name`."""
    body = io.BytesIO(data) if isinstance(data, bytes) else data
    return send_file(body, mimetype=TYPES[PurePath(name).suffix], as_attachment=True, download_name=name)
