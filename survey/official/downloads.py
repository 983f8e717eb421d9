"""The workbooks an official downloads: the league workbook, every report card as a zip, one centre's card.

Each is written by `assessment` (the same code as `survey export`) into a
temporary folder that is gone when the download is ready. No Flask here.
"""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path
from typing import IO

from sqlite_utils import Database

from .. import assessment
from ..store.rounds import Round

SPOOL = 32 * 1024 * 1024  # a zip larger than this goes to a temporary file on disk


def league_workbook(db: Database, round_: Round, scope: str | None, approved_only: bool, by: str = "") -> bytes:
    """The league workbook of `scope` (排名, 地区汇总, 指标说明, data; with `by`, a unit attribute, 分组汇总 too);
    StoreError when no centre has responded."""
    with tempfile.TemporaryDirectory(prefix="league-") as folder:
        path = Path(folder) / "league.xlsx"
        assessment.write_league(db, round_, path, scope, approved_only, by=by or None)
        return path.read_bytes()


def cards_zip(db: Database, round_: Round, scope: str | None, approved_only: bool = False) -> IO[bytes]:
    """Every centre's report card in `scope`, zipped, as an open (spooled) temporary file at its start."""
    archive = tempfile.SpooledTemporaryFile(max_size=SPOOL)  # the response closes it
    try:
        with tempfile.TemporaryDirectory(prefix="cards-") as folder:
            assessment.write_cards(db, round_, folder, scope, approved_only=approved_only)
            with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
                for card in sorted(Path(folder).iterdir()):
                    zipped.write(card, card.name)
    except BaseException:
        archive.close()
        raise
    archive.seek(0)
    return archive


def centre_card(db: Database, round_: Round, scope: str | None, code: str, approved_only: bool = False) -> bytes:
    """One centre's report card, ranked within its county; StoreError when the centre has no response."""
    with tempfile.TemporaryDirectory(prefix="card-") as folder:
        path = Path(folder) / "card.xlsx"
        assessment.write_card(db, round_, path, code, scope, approved_only)
        return path.read_bytes()
