"""The turnover sheet of report.xlsx (оборотно-сальдовая ведомость) of the run's period.

Row 1 names the sheet and the period, row 2 is the header: the service's code and name (from the
target's service table), then the opening balance, charged, recalculated, paid and the closing
balance, first as the mapping read them from the source, then as the target holds them, then of
the rejected rows. One row per target service, as the summary lists them; below them, outside the
filter, the totals: ``SUBTOTAL(9, ...)`` of exactly the service rows, so that a filter leaves out
what it hides and a plain SUM over a column does not count the total twice (SUBTOTAL leaves other
SUBTOTALs out). Money is Decimal roubles from the summary's kopecks: Excel holds the exact value.
"""

from __future__ import annotations

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from cutover.money import kopecks_to_decimal
from cutover.reconcile.result import Amounts, RunSummary
from cutover.report.sheets import BOLD, ROUBLES, cells, print_setup, widths
from cutover.report.words import MEASURES, say

SIDES = ("source", "target", "rejected")
SIDE_WORDS = {"ru": {"source": "Источник", "target": "Новая система", "rejected": "Отклонено"},
              "en": {"source": "Source", "target": "Target", "rejected": "Rejected"}}
TITLE_ROWS = 2  # the title and the header, frozen and printed on every page
FIRST_MONEY_COLUMN = 3


def turnover_header(language: str) -> list[str]:
    """``Код услуги``, ``Услуга``, then ``<side>: <measure>`` for every side and measure."""
    sides = SIDE_WORDS.get(language, SIDE_WORDS["en"])
    measures = [say(language, measure) for measure in MEASURES]
    if language == "ru":
        measures = [measure[0].lower() + measure[1:] for measure in measures]
    return [say(language, "Service code"), say(language, "Service"),
            *(f"{sides[side]}: {measure}" for side in SIDES for measure in measures)]


def turnover_rows(summary: RunSummary, names: dict[str, str]) -> list[list]:
    """A row per target service: code, name (the code where the target has none), then the money of
    :func:`turnover_header` in Decimal roubles (None for a measure the summary lacks)."""
    if summary.money is None:
        return []
    rows = []
    for code, measures in summary.money.services.items():
        money = []
        for side in SIDES:
            for measure in MEASURES:
                line: Amounts | None = measures.get(measure)
                money.append(None if line is None else kopecks_to_decimal(getattr(line, side)))
        rows.append([code, names.get(code, code), *money])
    return rows


def write_turnover(workbook, title: str, summary: RunSummary, names: dict[str, str], language: str) -> None:
    """Add the turnover sheet, named ``title``, to a write-only workbook."""
    sheet = workbook.create_sheet(title)
    header = turnover_header(language)
    widths(sheet, [16, 34, *[16] * (len(header) - 2)])
    sheet.freeze_panes = f"C{TITLE_ROWS + 1}"  # the header, and the service's code and name
    print_setup(sheet, TITLE_ROWS)
    period = "" if summary.money is None else summary.money.period
    heading = (f"{say(language, 'Turnover')} за {period}, руб." if language == "ru"
               else f"Turnover of {period}, roubles")
    sheet.append(cells(sheet, [heading], Font(bold=True, size=12)))
    sheet.append(cells(sheet, header, BOLD))
    rows = turnover_rows(summary, names)
    for values in rows:
        sheet.append(cells(sheet, values))
    first, last = TITLE_ROWS + 1, TITLE_ROWS + len(rows)
    if rows:
        sheet.append(_totals(sheet, language, len(header), first, last))
    sheet.auto_filter.ref = f"A{TITLE_ROWS}:{get_column_letter(len(header))}{max(last, first)}"


def _totals(sheet, language: str, columns: int, first: int, last: int) -> list:
    total = WriteOnlyCell(sheet, value=say(language, "Total"))
    total.font = BOLD
    row = [WriteOnlyCell(sheet, value=None), total]
    for column in range(FIRST_MONEY_COLUMN, columns + 1):
        letter = get_column_letter(column)
        cell = WriteOnlyCell(sheet, value=f"=SUBTOTAL(9,{letter}{first}:{letter}{last})")
        cell.number_format, cell.font = ROUBLES, BOLD
        row.append(cell)
    return row
