"""Writing cells and tables in openpyxl sheets, safely, for every workbook cutover writes.

Every text cell is written as text: a value that begins with ``=``, ``+``, ``-`` or ``@``
(a formula to a spreadsheet) stays a plain string, whatever the legacy data held. Control
characters a worksheet cannot hold (a DBF's ``\\x1a``, a stray ``\\x00``) are written as their
escape, ``\\x1a``, so one odd legacy value does not stop the whole workbook.

Numbers keep their type: Decimal roubles as ``#,##0.00``, counts (where the caller says a table's
whole numbers are counts) as ``#,##0``, dates and times as ``dd.mm.yyyy`` and a month
(:class:`Month`) as ``mm.yyyy``. Excel's number formats are locale-independent codes: Russian
Excel shows ``#,##0.00`` as ``1 234 567,89``. Every sheet gets :func:`print_setup`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

BOLD = Font(bold=True)
ROUBLES = "#,##0.00"  # money (Decimal roubles)
SHARE = "0.0%"  # shares (floats between 0 and 1; never money)
COUNT = "#,##0"  # counts of rows, records, accounts
DATE, DATE_TIME, MONTH = "dd.mm.yyyy", "dd.mm.yyyy hh:mm:ss", "mm.yyyy"


class Month(dt.date):
    """A month as a real date cell (its first day), shown ``mm.yyyy``: Excel filters and sorts it as a date."""

    @classmethod
    def of(cls, text: str) -> "Month | str":
        """``"2026-10"`` as a Month; anything else (``"?"``, a month nobody can read) as the text it is."""
        try:
            year, month = text.split("-")
            return cls(int(year), int(month), 1)
        except (AttributeError, ValueError):
            return text


def moment(text: str | None) -> dt.datetime | str | None:
    """An ISO timestamp of a run (``2026-11-22T18:00:00``) as a datetime cell; other text as it is."""
    try:
        return dt.datetime.fromisoformat(text) if text else text
    except (TypeError, ValueError):
        return text


def _number_format(value, counts: bool) -> str | None:
    if isinstance(value, Decimal):
        return ROUBLES
    if isinstance(value, float):
        return SHARE
    if isinstance(value, dt.datetime):
        return DATE_TIME
    if isinstance(value, Month):
        return MONTH
    if isinstance(value, dt.date):
        return DATE
    if counts and isinstance(value, int) and not isinstance(value, bool):
        return COUNT
    return None


def _storable(text: str) -> str:
    """The text with each control character a worksheet refuses written as its escape (``\\x1a``)."""
    if ILLEGAL_CHARACTERS_RE.search(text) is None:
        return text
    return ILLEGAL_CHARACTERS_RE.sub(lambda found: f"\\x{ord(found.group()):02x}", text)


def _typed(cell, value, counts: bool = False) -> None:
    """Give a cell its value: text as text, Decimal money in roubles, a float as a share, dates as
    dates, whole numbers as counts if ``counts``."""
    cell.value = _storable(value) if isinstance(value, str) else value
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text begins with
        return
    number_format = _number_format(value, counts)
    if number_format is not None:
        cell.number_format = number_format


def put(sheet: Worksheet, row: int, column: int, value, counts: bool = False) -> None:
    """Write one cell of an ordinary sheet (see :func:`_typed`)."""
    _typed(sheet.cell(row=row, column=column), value, counts)


def table(sheet: Worksheet, top: int, header: list[str], rows: list[list], counts: bool = False) -> int:
    """Write a bold header and rows from row ``top``; return the first free row after a gap.
    ``counts``: the rows' whole numbers are counts (``#,##0``)."""
    for column, name in enumerate(header, start=1):
        put(sheet, top, column, name)
        sheet.cell(row=top, column=column).font = BOLD
    for offset, values in enumerate(rows, start=1):
        for column, value in enumerate(values, start=1):
            put(sheet, top + offset, column, value, counts)
    return top + len(rows) + 2


def print_setup(sheet, title_rows: int = 1) -> None:
    """A4 landscape, fitted to the page's width (as many pages down as it takes), the first
    ``title_rows`` rows printed again at the top of every page. Works on write-only sheets too."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # 0: no limit on the pages down
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    if title_rows:
        sheet.print_title_rows = f"1:{title_rows}"


def widths(sheet: Worksheet, column_widths: list[int]) -> None:
    """Set the widths of the first columns."""
    for column, width in enumerate(column_widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width


def cells(sheet, values: list, font: Font | None = None, counts: bool = False) -> list:
    """A row for a write-only sheet (``sheet.append``): text as text, money in roubles, shares as
    shares, dates as dates, whole numbers as counts if ``counts``, as :func:`put` writes them in an
    ordinary sheet. Plain values go as they are (fast); only text a spreadsheet would read as a
    formula, numbers to format and styled cells are wrapped in cells of their own."""
    from openpyxl.cell import WriteOnlyCell

    row = []
    for value in values:
        if isinstance(value, str):
            value = _storable(value)
        formula_like = isinstance(value, str) and value[:1] in _FORMULA_STARTS
        if font is None and not formula_like and (isinstance(value, str) or _number_format(value, counts) is None):
            row.append(value)
            continue
        cell = WriteOnlyCell(sheet)
        _typed(cell, value, counts)
        if font is not None:
            cell.font = font
        row.append(cell)
    return row


_FORMULA_STARTS = ("=", "+", "-", "@")
