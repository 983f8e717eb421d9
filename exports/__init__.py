"""Workbooks in and out: python-calamine reads what people hand in, XlsxWriter writes what they take away.

    excel       Excel's limits and the guarded writer every module uses
    uploads     files handed in (.xlsx, .xls, .ods, .csv), read within what the import can need
    bounds      how far a workbook's cells reach, found before it is parsed
    names       what a name or a unit code may hold
    orgs        organisation units in (read_orgs)
    template    the offline fill-in template (write_template)
    responses   filled-in answers in (read_responses)
    tables      neutral rows of the league workbook
    league      the league-table workbook (write_league), its tidy rows as CSV past one sheet
    cards       a centre's report card (write_card)
    forking     how many forked processes may share long work

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
