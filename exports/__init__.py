"""Workbooks in and out: openpyxl reads what people hand in, XlsxWriter writes what they take away.

    excel       Excel's limits and the guarded reader/writer every module uses
    orgs        organisation units in (read_orgs)
    template    the offline fill-in template (write_template)
    responses   filled-in answers in (read_responses)
    tables      neutral rows of the league workbook
    league      the league-table workbook (write_league)
    cards       a centre's report card (write_card)

Every bad input file raises WorkbookError with located problems. Imports no
Flask and nothing from `survey`.
"""

from .cards import write_card
from .errors import WorkbookError
from .league import write_league
from .orgs import OrgUnit, read_orgs
from .responses import ResponseRow, read_responses
from .tables import Centre
from .template import write_template

__all__ = [
    "Centre",
    "OrgUnit",
    "ResponseRow",
    "WorkbookError",
    "read_orgs",
    "read_responses",
    "write_card",
    "write_league",
    "write_template",
]
