"""Evidence files (佐证材料) a centre attaches to an item or an onsite clause of its response.

The files live on disk beside the database, in `evidence/` (under the instance
folder by default), named by the SHA-256 of their content (`evidence/ab/abcd…`):
the same file uploaded twice is stored once, a stored file never changes, and it
is written to a temporary name and moved into place, so a failure never leaves
half a file. The `evidence` table says which file supports which item or clause
of which response; removing an attachment removes that row (audited) and leaves
the file, which the audit trail may still name. `back_up` copies the files a
database backup refers to into the same layout beside the backup, so a backup
folder is itself an instance folder.

A file is recognised by its content, never its name: PDF, JPEG and PNG by their
signatures (the `filetype` library), XLSX and DOCX — zip archives — by looking
inside for a workbook or a document part. At most MAX_FILE bytes a file and
MAX_RESPONSE a response. A centre attaches files to its own response only, while
its answers may change, or to the item or clause of an appeal it is lodging.
Every refusal is an EvidenceError with a `code` the web words for people; nothing
is stored then.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

import filetype
from sqlite_utils import Database

from exports.uploads import file_size
from instruments import Instrument

from ..db import writing
from . import NotFoundError, StoreError, now
from .lifecycle import check_editable
from .responses import Response, ensure_response, record
from .rounds import Round
from .users import User

FOLDER = "evidence"
MAX_FILE = 10 * 1024 * 1024
MAX_RESPONSE = 200 * 1024 * 1024
MAX_NAME = 200  # characters of a file's name kept
TYPES = {  # kind: the type it is served as
    "pdf": "application/pdf",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
IMAGES = frozenset({"jpeg", "png"})  # shown inline as thumbnails; every other kind only downloads
SIGNATURES = {"application/pdf": "pdf", "image/jpeg": "jpeg", "image/png": "png"}
OFFICE_PARTS = {"xl/workbook.xml": "xlsx", "word/document.xml": "docx"}  # the part that makes a zip one of these


class EvidenceError(StoreError):
    """A file `name` not stored: its code says why (evidence_type, evidence_size, evidence_locked, …)."""

    def __init__(self, code: str, /, *, name: str = "", **params: object):
        self.name = name
        super().__init__(code, **params)


@dataclass(frozen=True)
class Evidence:
    id: int
    response_id: int
    item_id: str
    appeal_id: int | None
    name: str
    kind: str
    size: int
    sha256: str
    username: str
    added_at: str

    @property
    def image(self) -> bool:
        return self.kind in IMAGES

    @property
    def mimetype(self) -> str:
        return TYPES[self.kind]


def sniff(data: bytes) -> str | None:
    """The kind of a file by its content (pdf, jpeg, png, xlsx, docx), or None when it is none of them."""
    guess = filetype.guess(data[:8192])
    if guess is None:
        return None
    if guess.mime in SIGNATURES:
        return SIGNATURES[guess.mime]
    if not data.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    kinds = {kind for part, kind in OFFICE_PARTS.items() if part in names}
    return kinds.pop() if len(kinds) == 1 else None


def folder(db: Database) -> Path:
    """The evidence store of a database: `evidence/` beside its file."""
    path = next((row[2] for row in db.execute("PRAGMA database_list") if row[1] == "main"), "")
    if not path:
        raise StoreError("no_evidence_store")
    return Path(path).parent / FOLDER


def _blob(store: Path, sha256: str) -> Path:
    return store / sha256[:2] / sha256


def _keep(store: Path, data: bytes, sha256: str) -> None:
    """Write the file under its hash, atomically; a file already there is the same content."""
    path = _blob(store, sha256)
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def clean_name(name: str) -> str:
    """A file's name as kept and offered for download: no folders, no control characters, not too long."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip() or "file"
    return name[-MAX_NAME:]


def attachable(instrument: Instrument, item_id: str) -> bool:
    """Whether evidence may support `item_id`: any item, and an onsite clause that takes evidence."""
    if item_id in instrument.item:
        return True
    clause = instrument.clause.get(item_id)
    return clause is not None and not clause.auto and clause.evidence != "none"


def add_evidence(
    db: Database,
    round_: Round,
    instrument: Instrument,
    org_code: str,
    item_id: str,
    name: str,
    data: bytes,
    user: User,
    *,
    appeal_id: int | None = None,
    source: str = "web",
) -> Evidence:
    """Store a file supporting `item_id` of `org_code`'s response, uploaded by `user`; EvidenceError when refused.

    A centre user adds to its own unit's response only, while its answers may change,
    or (with `appeal_id`) to the item or clause of its pending appeal.
    """
    name = clean_name(name)
    if user.role != "centre" or user.org_code != org_code:
        raise EvidenceError("evidence_other_centre", name=name)
    if not attachable(instrument, item_id):
        raise EvidenceError("evidence_target", name=name)
    if not data:
        raise EvidenceError("file_empty", name=name)
    if len(data) > MAX_FILE:
        raise EvidenceError("evidence_size", name=name, limit=file_size(MAX_FILE))
    kind = sniff(data)
    if kind is None:
        raise EvidenceError("evidence_type", name=name)
    sha256 = hashlib.sha256(data).hexdigest()
    store = folder(db)
    with writing(db):
        response = ensure_response(db, round_.id, org_code)
        if appeal_id is None:
            try:
                check_editable(round_, response)
            except StoreError:
                raise EvidenceError("evidence_locked", name=name) from None
        else:
            _check_appeal(db, response, appeal_id, item_id, name)
        used = db.execute("SELECT coalesce(sum(size), 0) FROM evidence WHERE response_id = ?", [response.id])
        if used.fetchone()[0] + len(data) > MAX_RESPONSE:
            raise EvidenceError("evidence_total", name=name, limit=file_size(MAX_RESPONSE))
        _keep(store, data, sha256)  # inside the transaction: a row never names a file not yet written
        stamp = now()
        cursor = db.execute(
            """INSERT INTO evidence (response_id, item_id, appeal_id, name, kind, size, sha256, username, added_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [response.id, item_id, appeal_id, name, kind, len(data), sha256, user.username, stamp],
        )
        record(db, [(stamp, user.username, response.id, "evidence_add", item_id, None, name, source)])
    return get_evidence(db, cursor.lastrowid)


def _check_appeal(db: Database, response: Response, appeal_id: int, item_id: str, name: str) -> None:
    found = db.execute(
        "SELECT 1 FROM appeals WHERE id = ? AND response_id = ? AND item_id = ? AND status = 'pending'",
        [appeal_id, response.id, item_id],
    ).fetchone()
    if found is None:
        raise EvidenceError("evidence_appeal", name=name)


def remove_evidence(db: Database, round_: Round, response: Response, evidence_id: int, user: User) -> Evidence:
    """Remove an attachment of the centre's own response while its answers may change (audited; the file stays)."""
    found = get_evidence(db, evidence_id)
    if user.role != "centre" or user.org_code != response.org_code or found.response_id != response.id:
        raise NotFoundError("no_evidence", evidence=evidence_id)
    with writing(db):
        try:
            check_editable(round_, response)
        except StoreError:
            raise EvidenceError("evidence_locked", name=found.name) from None
        db.execute("DELETE FROM evidence WHERE id = ?", [evidence_id])
        record(db, [(now(), user.username, response.id, "evidence_remove", found.item_id, found.name, None, "web")])
    return found


def get_evidence(db: Database, evidence_id: int) -> Evidence:
    """One attachment; NotFoundError when there is none."""
    rows = list(db.query("SELECT * FROM evidence WHERE id = ?", [evidence_id]))
    if not rows:
        raise NotFoundError("no_evidence", evidence=evidence_id)
    return Evidence(**{key: rows[0][key] for key in Evidence.__dataclass_fields__})


def evidence_of(db: Database, response_id: int) -> dict[str, list[Evidence]]:
    """A response's attachments by the item or clause they support, oldest first."""
    out: dict[str, list[Evidence]] = {}
    for row in db.query("SELECT * FROM evidence WHERE response_id = ? ORDER BY id", [response_id]):
        out.setdefault(row["item_id"], []).append(Evidence(**{k: row[k] for k in Evidence.__dataclass_fields__}))
    return out


def open_file(db: Database, evidence: Evidence) -> io.BufferedReader:
    """The stored file of an attachment, open for reading."""
    try:
        return _blob(folder(db), evidence.sha256).open("rb")
    except FileNotFoundError:
        raise NotFoundError("evidence_file_missing", evidence=evidence.id) from None


def back_up(db: Database, backup: str | Path) -> int:
    """Copy the files the backup database `backup` refers to into its own evidence store; returns how many copied.

    Files are never changed once stored, so one already in the backup's store is skipped.
    """
    source, target = folder(db), Path(backup).parent / FOLDER
    copy = Database(str(backup))
    try:
        hashes = [row[0] for row in copy.execute("SELECT DISTINCT sha256 FROM evidence")]
    finally:
        copy.close()
    copied = 0
    for sha256 in hashes:
        destination = _blob(target, sha256)
        if destination.exists():
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=destination.parent, prefix=".", suffix=".part")
        os.close(handle)
        try:
            shutil.copyfile(_blob(source, sha256), temporary)
            os.replace(temporary, destination)
        finally:
            if os.path.exists(temporary):
                os.remove(temporary)
        copied += 1
    return copied
