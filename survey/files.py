"""Files the pages send (workbooks, archives, tables: each as an attachment of its type) and the tables they take."""

from __future__ import annotations

import io
from pathlib import PurePath
from typing import IO

from flask import send_file
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed
from werkzeug.wrappers import Response

TYPES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".zip": "application/zip",
    ".csv": "text/csv; charset=utf-8",
}


# The tables people hand in (centres' answers, units): read by `exports.uploads`.
TABLE_SUFFIXES = ("xlsx", "xlsm", "xls", "ods", "csv")
TABLE_ACCEPT = ",".join(f".{suffix}" for suffix in TABLE_SUFFIXES)


def tables_only() -> FileAllowed:
    """A form's check that an uploaded file is a workbook or a CSV table."""
    return FileAllowed(TABLE_SUFFIXES, _l("只接受 .xlsx、.xls、.ods 或 .csv 文件"))


def attachment(data: bytes | IO[bytes], name: str) -> Response:
    """Send `data` (bytes, or an open file at its start) for download as `name`."""
    body = io.BytesIO(data) if isinstance(data, bytes) else data
    return send_file(body, mimetype=TYPES[PurePath(name).suffix], as_attachment=True, download_name=name)
