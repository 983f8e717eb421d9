"""Small helpers shared by the tests."""

import io

import openpyxl


def xlsx_bytes(rows, title: str = "Sheet1") -> bytes:
    """A workbook of one sheet holding `rows`, as a person would save it from Excel."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
