"""report.xlsx for accountants: a summary sheet and the rejected rows.

Every text cell is written as text: a value that begins with ``=``, ``+``, ``-`` or ``@``
(a formula to a spreadsheet) stays a plain string.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from cutover.report.sheets import BOLD, put, table, widths

VERDICT = {"reconciled": "GO: reconciled", "differences": "NO-GO: differences", "failed": "NO-GO: the run failed"}


def _summary_sheet(sheet: Worksheet, summary: dict) -> None:
    sheet.title = "Summary"
    put(sheet, 1, 1, f"Run {summary['run_id']} ({summary['kind']})")
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    put(sheet, 2, 1, VERDICT.get(summary["status"], summary["status"]))
    sheet.cell(row=2, column=1).font = Font(bold=True, size=12)
    reasons = summary.get("differences", []) + summary.get("gate_failures", [])
    if summary.get("error"):
        reasons.append(summary["error"])
    for offset, reason in enumerate(reasons):
        put(sheet, 3 + offset, 1, reason)
    top = 4 + len(reasons)
    put(sheet, top, 1, f"Mapping {summary['mapping']}, period {summary['period']}, target {summary['target']}")
    top += 2
    entities = summary.get("entities", {})
    top = table(sheet, top, ["Entity", "Source rows", "Loaded", "Rejected", "Warnings"],
                 [[name, c["source_rows"], c["loaded"], c["rejected"], c["warnings"]] for name, c in entities.items()])
    money = summary.get("money")
    if money:
        put(sheet, top, 1, f"Closing balances of {money['period']}, roubles")
        sheet.cell(row=top, column=1).font = BOLD
        lines = [[code, Decimal(m["source"]), Decimal(m["target"]), Decimal(m["rejected"])]
                 for code, m in money["services"].items()]
        total = money["total"]
        lines.append(["total", Decimal(total["source"]), Decimal(total["target"]), Decimal(total["rejected"])])
        table(sheet, top + 1, ["Service", "Source", "Target", "Rejected"], lines)
    widths(sheet, [28, 18, 18, 18, 12])


def _rejects_sheet(sheet: Worksheet, rejects: pd.DataFrame) -> None:
    header = ["Severity", "Entity", "Rule", "Message", "File", "Row", "Legacy key", "Column", "Value"]
    columns = ["severity", "entity", "rule", "message", "source", "row_number", "legacy_key", "column_name", "raw_value"]
    ordered = rejects.sort_values(["severity", "entity", "rule", "row_number"], kind="stable")
    rows = [
        [None if pd.isna(v) else (int(v) if c == "row_number" else str(v)) for c, v in zip(columns, record)]
        for record in ordered[columns].itertuples(index=False)
    ]
    table(sheet, 1, header, rows)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{max(len(rows) + 1, 2)}"
    for cell in sheet[1]:
        cell.alignment = Alignment(vertical="top")
    widths(sheet, [9, 10, 18, 70, 16, 8, 22, 14, 30])


def write_workbook(path: Path, summary: dict, rejects: pd.DataFrame) -> None:
    """Write the run's workbook: Summary (verdict, counts, money) and Rejects (every row)."""
    workbook = Workbook()
    _summary_sheet(workbook.active, summary)
    _rejects_sheet(workbook.create_sheet("Rejects"), rejects)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
