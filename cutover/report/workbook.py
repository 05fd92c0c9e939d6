"""report.xlsx for accountants: a summary sheet and the rejected rows.

Every text cell is written as text: a value that begins with ``=``, ``+``, ``-`` or ``@``
(a formula to a spreadsheet) stays a plain string.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from cutover.report.sheets import BOLD, cells, widths

VERDICT = {"reconciled": "GO: reconciled", "differences": "NO-GO: differences", "failed": "NO-GO: the run failed"}


def _summary_rows(summary: dict) -> list[tuple[list, Font | None]]:
    """The Summary sheet, row by row: (values, font)."""
    reasons = summary.get("differences", []) + summary.get("gate_failures", [])
    if summary.get("error"):
        reasons.append(summary["error"])
    rows: list[tuple[list, Font | None]] = [
        ([f"Run {summary['run_id']} ({summary['kind']})"], Font(bold=True, size=14)),
        ([VERDICT.get(summary["status"], summary["status"])], Font(bold=True, size=12)),
        *(([reason], None) for reason in reasons),
        ([], None),
        ([f"Mapping {summary['mapping']}, period {summary['period']}, target {summary['target']}"], None),
        ([], None),
        (["Entity", "Source rows", "Loaded", "Rejected", "Warnings"], BOLD),
        *(([name, c["source_rows"], c["loaded"], c["rejected"], c["warnings"]], None)
          for name, c in summary.get("entities", {}).items()),
    ]
    money = summary.get("money")
    if money:
        lines = [(code, m) for code, m in money["services"].items()] + [("total", money["total"])]
        rows += [([], None), ([f"Closing balances of {money['period']}, roubles"], BOLD),
                 (["Service", "Source", "Target", "Rejected"], BOLD)]
        rows += [([code, Decimal(m["source"]), Decimal(m["target"]), Decimal(m["rejected"])], None)
                 for code, m in lines]
    return rows


SHEET_HEADER = ["Severity", "Entity", "Rule", "Message", "File", "Row", "Legacy key", "Column", "Value"]
SHEET_COLUMNS = ["severity", "entity", "rule", "message", "source", "row_number", "legacy_key", "column_name",
                  "raw_value"]


EXCEL_DATA_ROWS = 1_048_575  # rows below the header that a sheet can hold (Excel's limit is 1,048,576)


def write_workbook(path: Path, summary: dict, rejects: pd.DataFrame) -> None:
    """Write the run's workbook: Summary (verdict, counts, money) and Rejects (every row).

    The workbook is written in openpyxl's write-only mode, row by row, so a run with many
    rejects does not hold a cell object per value in memory. Rejects beyond what one sheet
    can hold continue on "Rejects 2", "Rejects 3" and so on.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Summary")
    widths(sheet, [28, 18, 18, 18, 12])
    for values, font in _summary_rows(summary):
        sheet.append(cells(sheet, values, font))
    ordered = rejects.sort_values(["severity", "entity", "rule", "row_number"], kind="stable")
    for number, start in enumerate(range(0, max(len(ordered), 1), EXCEL_DATA_ROWS), start=1):
        _rejects_sheet(workbook, "Rejects" if number == 1 else f"Rejects {number}",
                       ordered.iloc[start:start + EXCEL_DATA_ROWS])
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)


def _rejects_sheet(workbook: Workbook, title: str, rejects: pd.DataFrame) -> None:
    sheet = workbook.create_sheet(title)
    widths(sheet, [9, 10, 18, 70, 16, 8, 22, 14, 30])
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(SHEET_HEADER))}{max(len(rejects) + 1, 2)}"
    sheet.append(cells(sheet, SHEET_HEADER, BOLD))
    for record in rejects[SHEET_COLUMNS].itertuples(index=False):
        sheet.append(cells(sheet, [None if pd.isna(v) else (int(v) if c == "row_number" else str(v))
                                   for c, v in zip(SHEET_COLUMNS, record)]))
