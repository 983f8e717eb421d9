"""The instruments that ship with the platform, as YAML data files."""

from __future__ import annotations

from pathlib import Path

from ..loader import load
from ..model import Instrument

FOLDER = Path(__file__).parent


def paths() -> dict[str, Path]:
    """Bundled instrument files by instrument id."""
    return {path.stem: path for path in sorted(FOLDER.glob("*.yaml"))}


def bundled() -> dict[str, Instrument]:
    """Every bundled instrument, loaded, by id."""
    return {name: load(path) for name, path in paths().items()}
