"""The instruments that ship with the platform, as YAML data files, several versions side by side.

Each file holds one version of one instrument and is named `<id>@<version>.yaml`. Old
versions stay: a round keeps scoring on the version it was opened with, and an
administrator can compare two versions. `bundled()` gives each instrument's default
version, `every_version()` all of them.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from ..loader import load
from ..model import Instrument

FOLDER = Path(__file__).parent
FILE_NAME = re.compile(r"(?P<id>[a-z0-9][a-z0-9-]*)@(?P<version>[^@/]+)\.yaml")


def version_key(version: str) -> tuple:
    """Order versions as people read them: "2025.2" before "2025.10"."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", version) if part)


def files() -> dict[str, dict[str, Path]]:
    """Bundled files by instrument id, then version, oldest version first."""
    found: dict[str, dict[str, Path]] = {}
    for path in FOLDER.glob("*.yaml"):
        name = FILE_NAME.fullmatch(path.name)
        if name is None:
            raise ValueError(f"{path.name}: a bundled instrument file is named <id>@<version>.yaml")
        found.setdefault(name["id"], {})[name["version"]] = path
    return {
        key: dict(sorted(files.items(), key=lambda pair: version_key(pair[0]))) for key, files in sorted(found.items())
    }


@cache
def _load(path: Path) -> Instrument:
    return load(path)


def paths() -> dict[str, Path]:
    """The file of each bundled instrument's default version, by id."""
    return {key: versions[default_version(key)] for key, versions in files().items()}


def get(instrument_id: str, version: str) -> Instrument:
    """One bundled version of one instrument."""
    return _load(files()[instrument_id][version])


def default_version(instrument_id: str) -> str:
    """The version an instrument runs by default (a round opened without a version gets it): the newest."""
    return next(reversed(files()[instrument_id]))


def bundled() -> dict[str, Instrument]:
    """Every bundled instrument at its default version, by id."""
    return {key: _load(path) for key, path in paths().items()}


def every_version() -> list[Instrument]:
    """Every bundled version; each instrument's default comes last, so that a database
    filled from this list opens rounds on the default when no version is asked for."""
    out = []
    for key, versions in files().items():
        default = default_version(key)
        out += [get(key, version) for version in versions if version != default]
        out.append(get(key, default))
    return out
