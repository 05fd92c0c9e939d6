"""profile.xlsx: the profile of a legacy extract for the people who will map it.

Sheets: Findings (worst first, frozen header, filter), Sources (one row per source), then
one sheet per source with its column profiles, top values and shapes. Every text cell is
written as text, as in report.xlsx: a legacy value beginning with ``=`` stays a string.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from cutover.report.sheets import BOLD, put, table, widths

if TYPE_CHECKING:  # annotations only: the profile's results stand above their rendering (cutover/layers.py)
    from cutover.analysis.columns import ColumnProfile
    from cutover.analysis.profile import ProfileResult, SourceProfile


WRAP = Alignment(wrap_text=True, vertical="top")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _findings_sheet(sheet: Worksheet, result: ProfileResult) -> None:
    sheet.title = "Findings"
    header = ["Severity", "Check", "Source", "Column", "What", "Count", "Examples"]
    rows = [[f.severity, f.check, f.source, f.column, f.what, f.count, "\n".join(f.examples)]
            for f in result.findings]
    table(sheet, 1, header, rows)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{max(len(rows) + 1, 2)}"
    for row in sheet.iter_rows(min_row=2, min_col=5, max_col=7):
        for cell in row:
            cell.alignment = WRAP
    widths(sheet, [9, 20, 14, 16, 80, 9, 40])


def _sources_sheet(sheet: Worksheet, result: ProfileResult, titles: dict[str, str]) -> None:
    header = ["Source", "Location", "Format", "Rows", "Columns", "Entities", "Errors", "Warnings", "Sheet",
              "Read error"]
    rows = []
    for source in result.sources:
        severities = [f.severity for f in result.findings if f.source == source.name]
        rows.append([source.name, source.location, source.format, source.rows, len(source.columns),
                     ", ".join(source.entities), severities.count("error"), severities.count("warning"),
                     titles[source.name], source.error or ""])
    put(sheet, 1, 1, f"Profile {result.run_id}: mapping {result.mapping}, extract {result.source_dir}")
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    table(sheet, 3, header, rows)
    sheet.freeze_panes = "A4"
    widths(sheet, [14, 30, 11, 10, 9, 30, 8, 9, 14, 60])


def _column_row(column: ColumnProfile) -> list:
    top_shape, top_count = column.top_shapes[0] if column.top_shapes else ("", 0)
    numbers = column.numbers
    return [column.name, ", ".join(column.used_by), column.rows, column.blanks,
            _share(column.blanks, column.rows), column.distinct_text if column.distinct_capped else column.distinct,
            top_shape, _share(top_count, column.filled),
            column.shape_count, numbers.minimum if numbers else "", numbers.maximum if numbers else "",
            column.lookalikes, column.misdecoded,
            column.filled - column.numeric_values if column.numeric_values else ""]


def _source_sheet(sheet: Worksheet, source: SourceProfile) -> None:
    title = f"{source.location} ({source.format}): {source.rows} rows, {len(source.columns)} columns"
    put(sheet, 1, 1, title + (f"; read error: {source.error}" if source.error else ""))
    sheet.cell(row=1, column=1).font = Font(bold=True, size=12)
    header = ["Column", "Used by", "Rows", "Blank", "Blank share", "Distinct", "Top shape", "Top shape share",
              "Shapes", "Min", "Max", "Look-alike values", "Misdecoded values", "Not numbers"]
    top = table(sheet, 3, header, [_column_row(c) for c in source.columns])
    sheet.freeze_panes = "B4"
    values = [[c.name, value, count, _share(count, c.filled)] for c in source.columns for value, count in c.top_values]
    put(sheet, top, 1, "Top values")
    sheet.cell(row=top, column=1).font = BOLD
    top = table(sheet, top + 1, ["Column", "Value", "Count", "Share of non-blank"], values)
    shapes = [[c.name, shape, count, _share(count, c.filled)] for c in source.columns for shape, count in c.top_shapes]
    put(sheet, top, 1, "Shapes (А а: Cyrillic, A a: Latin, 9: digit)")
    sheet.cell(row=top, column=1).font = BOLD
    table(sheet, top + 1, ["Column", "Shape", "Count", "Share of non-blank"], shapes)
    widths(sheet, [16, 40, 10, 10, 10, 12, 24, 10, 8, 14, 14, 10, 10, 10])


def sheet_titles(sources: list[SourceProfile]) -> dict[str, str]:
    """A valid, unique sheet title for each source (Excel: 31 characters, no []:*?/\\, any case)."""
    taken = {"findings", "sources"}
    titles = {}
    for source in sources:
        base = _SHEET_FORBIDDEN.sub("_", source.name)[:31] or "source"
        title, number = base, 1
        while title.casefold() in taken:
            number += 1
            title = f"{base[:31 - len(str(number)) - 1]}_{number}"
        taken.add(title.casefold())
        titles[source.name] = title
    return titles


def write_profile_workbook(path: Path, result: ProfileResult) -> None:
    """Write profile.xlsx: Findings, Sources, then one sheet per source."""
    workbook = Workbook()
    titles = sheet_titles(result.sources)
    _findings_sheet(workbook.active, result)
    _sources_sheet(workbook.create_sheet("Sources"), result, titles)
    for source in result.sources:
        _source_sheet(workbook.create_sheet(titles[source.name]), source)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
