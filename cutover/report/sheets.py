"""Writing cells and tables in openpyxl sheets, safely, for every workbook cutover writes.

Every text cell is written as text: a value that begins with ``=``, ``+``, ``-`` or ``@``
(a formula to a spreadsheet) stays a plain string, whatever the legacy data held. Control
characters a worksheet cannot hold (a DBF's ``\\x1a``, a stray ``\\x00``) are written as their
escape, ``\\x1a``, so one odd legacy value does not stop the whole workbook.
"""

from __future__ import annotations

from decimal import Decimal

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

BOLD = Font(bold=True)
ROUBLES = "#,##0.00"  # money (Decimal roubles)
SHARE = "0.0%"  # shares (floats between 0 and 1; never money)


def _storable(text: str) -> str:
    """The text with each control character a worksheet refuses written as its escape (``\\x1a``)."""
    if ILLEGAL_CHARACTERS_RE.search(text) is None:
        return text
    return ILLEGAL_CHARACTERS_RE.sub(lambda found: f"\\x{ord(found.group()):02x}", text)


def _typed(cell, value) -> None:
    """Give a cell its value: text as text, Decimal money in roubles, a float as a share."""
    cell.value = _storable(value) if isinstance(value, str) else value
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text begins with
    elif isinstance(value, Decimal):
        cell.number_format = ROUBLES
    elif isinstance(value, float):
        cell.number_format = SHARE


def put(sheet: Worksheet, row: int, column: int, value) -> None:
    """Write one cell of an ordinary sheet (see :func:`_typed`)."""
    _typed(sheet.cell(row=row, column=column), value)


def table(sheet: Worksheet, top: int, header: list[str], rows: list[list]) -> int:
    """Write a bold header and rows from row ``top``; return the first free row after a gap."""
    for column, name in enumerate(header, start=1):
        put(sheet, top, column, name)
        sheet.cell(row=top, column=column).font = BOLD
    for offset, values in enumerate(rows, start=1):
        for column, value in enumerate(values, start=1):
            put(sheet, top + offset, column, value)
    return top + len(rows) + 2


def widths(sheet: Worksheet, column_widths: list[int]) -> None:
    """Set the widths of the first columns."""
    for column, width in enumerate(column_widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width


def cells(sheet, values: list, font: Font | None = None) -> list:
    """A row for a write-only sheet (``sheet.append``): text as text, money in roubles, shares as
    shares, as :func:`put` writes them in an ordinary sheet. Plain values go as they are (fast);
    only text a spreadsheet would read as a formula, numbers to format and styled cells are
    wrapped in cells of their own."""
    from openpyxl.cell import WriteOnlyCell

    row = []
    for value in values:
        if isinstance(value, str):
            value = _storable(value)
        formula_like = isinstance(value, str) and value[:1] in _FORMULA_STARTS
        if font is None and not formula_like and not isinstance(value, (Decimal, float)):
            row.append(value)
            continue
        cell = WriteOnlyCell(sheet)
        _typed(cell, value)
        if font is not None:
            cell.font = font
        row.append(cell)
    return row


_FORMULA_STARTS = ("=", "+", "-", "@")
