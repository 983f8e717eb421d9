import sqlite3

import numpy
import pytest


def pytest_report_header(config):
    return f"SQLite {sqlite3.sqlite_version}, numpy {numpy.__version__}"


@pytest.fixture
def basic():
    from pathlib import Path

    import instruments

    return instruments.load(Path(__file__).parent / "cases" / "instruments" / "basic.yaml")
