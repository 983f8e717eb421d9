"""Small evidence files for the demo: one-page PDFs and PNG images, made here so the demo needs nothing from outside.

Each PDF names the clause it supports (in ASCII: the standard font of a bare PDF has
no Chinese); each PNG is a small coloured test card. Both are real files of their
type, recognised by content as any upload is.
"""

from __future__ import annotations

import struct
import zlib

import numpy as np

from instruments import Instrument

PHOTO_CLAUSES = ("equipment", "emergency", "disinfection", "waste", "fire")  # clause ids with these read as photos


def pdf(text: str) -> bytes:
    """A one-page A4 PDF showing `text` (ASCII)."""
    safe = text.encode("ascii", "replace").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    stream = b"BT /F1 16 Tf 72 770 Td (" + safe + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    table = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, table)
    return bytes(out)


def png(seed: int = 0, width: int = 96, height: int = 64) -> bytes:
    """A small PNG: a test card of coloured bands, different for each seed."""
    rng = np.random.default_rng(seed)
    colours = rng.integers(40, 230, (6, 3), dtype=np.uint8)
    band = np.repeat(colours, -(-width // 6), axis=0)[:width]
    pixels = np.broadcast_to(band, (height, width, 3))
    raw = b"".join(b"\x00" + row.tobytes() for row in pixels)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def evidence_files(instrument: Instrument) -> dict[str, tuple[str, bytes]]:
    """A file (name, content) for each onsite clause taking evidence: a photo for equipment and sites, else a PDF."""
    out = {}
    for index, clause in enumerate(instrument.onsite_clauses):
        if clause.evidence == "none":
            continue
        number = clause.number or clause.id
        if any(word in clause.id for word in PHOTO_CLAUSES):
            out[clause.id] = (f"{number} 现场照片.png", png(seed=index))
        else:
            out[clause.id] = (f"{number} 制度与记录.pdf", pdf(f"Evidence for clause {number} ({clause.id})"))
    return out
