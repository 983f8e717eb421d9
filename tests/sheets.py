"""Test files in every format the importers read: .xlsx, .xls, .ods and .csv, made here.

`.xls` is written by xlwt and `.ods` by odfpy (both only in tests), as WPS,
older Excel and LibreOffice users send them.
"""

import csv
import datetime as dt
import io

import openpyxl
import xlwt
from helpers import xlsx_bytes
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableCell, TableRow
from odf.text import P


def xls_bytes(rows, title: str = "Sheet1") -> bytes:
    """An old binary .xls workbook of one sheet holding `rows`."""
    return xls_book({title: rows})


def ods_bytes(rows, title: str = "Sheet1") -> bytes:
    """An OpenDocument spreadsheet of one sheet holding `rows`."""
    return ods_book({title: rows})


def xls_book(sheets: dict) -> bytes:
    """An old binary .xls workbook with a sheet of rows for each name of `sheets`."""
    book = xlwt.Workbook(encoding="utf-8")
    dates = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for title, rows in sheets.items():
        sheet = book.add_sheet(title)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, dt.date):
                    sheet.write(r, c, value, dates)
                else:
                    sheet.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def ods_book(sheets: dict) -> bytes:
    """An OpenDocument spreadsheet with a sheet of rows for each name of `sheets`."""
    doc = OpenDocumentSpreadsheet()
    for title, rows in sheets.items():
        table = Table(name=title)
        for row in rows:
            line = TableRow()
            for value in row:
                line.addElement(_ods_cell(value))
            table.addElement(line)
        doc.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    doc.write(buffer)
    return buffer.getvalue()


def _ods_cell(value) -> TableCell:
    if value is None:
        return TableCell()
    if isinstance(value, bool):
        cell = TableCell(valuetype="boolean", booleanvalue="true" if value else "false")
    elif isinstance(value, int | float):
        cell = TableCell(valuetype="float", value=value)
    elif isinstance(value, dt.date):
        cell = TableCell(valuetype="date", datevalue=value.isoformat())
    else:
        cell = TableCell(valuetype="string")
    cell.addElement(P(text=str(value)))
    return cell


BOOKS = {"xls": xls_book, "ods": ods_book}


def resaved(data: bytes, kind: str) -> bytes:
    """An .xlsx workbook saved again as .xls or .ods, every sheet's cell values as they were (WPS, LibreOffice)."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    return BOOKS[kind]({ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in book.worksheets})


def csv_bytes(rows, encoding: str = "utf-8") -> bytes:
    """A CSV file of `rows` as Excel saves it (UTF-8 with BOM is `utf-8-sig`, Chinese Excel `gbk`)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["" if v is None else v for v in row] for row in rows])
    return buffer.getvalue().encode(encoding)


FORMATS = {
    "xlsx": xlsx_bytes,
    "xls": xls_bytes,
    "ods": ods_bytes,
    "csv": csv_bytes,
}


def file_of(kind: str, rows, title: str = "Sheet1") -> tuple[bytes, str]:
    """`rows` as a file of `kind`, with a name to match; a CSV's sheet is named after the file."""
    if kind == "csv":
        return csv_bytes(rows), "Sheet1.csv"
    return FORMATS[kind](rows, title), f"upload.{kind}"
