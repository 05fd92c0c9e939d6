"""report.xlsx for accountants: the Summary, then every difference, reject and change of a run.

The workbook is one view of :class:`~cutover.report.data.ReportData` (report.html is the other).
The small tables both views show come from :mod:`cutover.report.tables`.

Sheets, in order: Summary, Turnover (оборотно-сальдовая ведомость, :mod:`cutover.report.turnover`),
Control totals, Unreadable money, Differences, Rejects by rule, Rejects, Changes; their names and
headers in Russian (:mod:`cutover.report.words`) unless ``[report] language = "en"``, services by
the target's names. Every sheet has its header frozen and printed on every page (A4 landscape,
fitted to the width); every sheet of rows has a filter over them. A row sheet that outgrows Excel continues on "<name> 2", "<name> 3"... With
more rejects than the project's ``rejects_in_workbook`` (``ReportData.reject_files``), the Rejects
sheet keeps the first ``FIRST_OF_EACH_RULE`` of each rule and the Summary says where every one is
(rejects.csv and rejects.parquet, written by :mod:`cutover.report.reject_files`). Every
text cell is written as text (see :mod:`cutover.report.sheets`), so a legacy value such as
``=HYPERLINK(...)`` stays a string; money is Decimal roubles, so Excel sums it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from cutover.reconcile.result import RunSummary, run_summary
from cutover.report.data import (
    CHANGE_COLUMNS,
    DIFFERENCE_COLUMNS,
    UNREADABLE_COLUMNS,
    RejectFiles,
    ReportData,
)
from cutover.report.sheets import BOLD, Month, cells, moment, print_setup, widths
from cutover.report.tables import (
    CHANGE_KEYED_HEADER,
    CHANGE_REJECTS_HEADER,
    CONTROL_HEADER,
    DIFFERENCE_RULE,
    ENTITY_HEADER,
    MONEY_HEADER,
    RECORDS_HEADER,
    VERDICT,
    amounts,
    change_counts,
    changes_title,
    control_notes,
    control_row,
    legacy_lines,
    money_lines,
    records_rows,
    rule_counts,
    unreadable_money,
)
from cutover.report.turnover import write_turnover
from cutover.report.words import say, say_all

Row = tuple[list, Font | None]
DIFFERS = Font(bold=True, color="9C0006")  # a line that does not add up, or that the legacy statement contradicts
DIFFERS_FILL = PatternFill("solid", start_color="FFC7CE", end_color="FFC7CE")  # the row of a DIFFERS line


DIFFERENCE_RULE_RU = ("Расхождение = Контроль (если нет — Прочитано маппингом) − Новая система − Отклонено − "
                      "Отфильтровано. Прочитано маппингом — то, что преобразования маппинга прочли из строк, "
                      "оставленных его фильтром, включая отклонённые (непрочитанное значение считается 0); "
                      "нечитаемые строки не входят ни в одну сумму. Все месяцы и услуги старой системы — на листе "
                      "«Контрольные суммы».")


def _summary_rows(summary: RunSummary, reject_files: RejectFiles | None = None, language: str = "en",
                  names: dict[str, str] | None = None) -> list[Row]:
    """The Summary sheet, row by row: (values, font). Blocks the summary has no data for are left out.
    The sentences the run's checks write (reasons, notes) stay as the checks word them."""
    gap: Row = ([], None)
    names = names or {}
    ru = language == "ru"
    rows: list[Row] = [
        ([f"{'Прогон' if ru else 'Run'} {summary.run_id} ({summary.kind})"], Font(bold=True, size=14)),
        ([say(language, VERDICT.get(summary.status, summary.status))], Font(bold=True, size=12)),
        *(([reason], None) for reason in summary.reasons),
        *(([note], None) for note in control_notes(summary)),
        gap,
        ([say(language, "Mapping"), summary.mapping], None),
        ([say(language, "Period"), Month.of(summary.period)], None),
        ([say(language, "Target"), summary.target], None),
        ([say(language, "Started"), moment(summary.started_at)], None),
        ([say(language, "Finished"), moment(summary.finished_at)], None),
    ]
    if summary.entities is not None:
        rows += [gap, (say_all(language, ENTITY_HEADER), BOLD)]
        rows += [([name, c.source_rows, c.loaded, c.rejected, c.warnings], None)
                 for name, c in summary.entities.items()]
    period, money = money_lines(summary)
    if money:
        title = f"Контрольные суммы за {period}, руб." if ru else f"Control totals of {period}, roubles"
        rows += [gap, ([title], BOLD), (say_all(language, MONEY_HEADER), BOLD)]
        rows += [([("Итого" if ru else "total") if line.service == "total" else names.get(line.service, line.service),
                   say(language, line.measure), *amounts(line)], DIFFERS if line.differs else None)
                 for line in money]
        rows.append(([DIFFERENCE_RULE_RU if ru else
                      DIFFERENCE_RULE + " The sheet Control totals has every month and legacy service."], None))
    unreadable = unreadable_money(summary)
    if unreadable:
        rows += [gap, ([say(language, "Unreadable money")], BOLD),
                 ([f"{unreadable.text}. The sheet Unreadable money lists every value."],
                  DIFFERS if unreadable.blocking else None)]
    records = records_rows(summary)
    if records:
        rows += [gap, ([say(language, "Records of every source")], BOLD), (say_all(language, RECORDS_HEADER), BOLD)]
        rows += [(values, None) for values in records]
    rejects = rule_counts(summary, ("error",))
    if rejects:
        rows += [gap, ([say(language, "Rejects by rule")], BOLD), (say_all(language, ["Entity", "Rule", "Rows"]), BOLD)]
        rows += [([count.entity, count.rule, count.rows], None) for count in rejects]
    if reject_files is not None:  # a run of warnings only has no block of rejects above
        rows += [] if rejects else [gap, ([say(language, "Rejects")], BOLD)]
        rows.append(([reject_files.note], None))
    changes = summary.changes
    if changes is not None:
        title = changes_title(changes)
        if ru:
            title = f"Изменения с прогона {changes.previous_run}" if changes.previous_run else say(language, title)
        rows += [gap, ([title], BOLD)]
        if changes.note:
            rows.append(([changes.note], None))
        by_rule, keyed = change_counts(changes)
        if by_rule:
            rows += [(say_all(language, CHANGE_REJECTS_HEADER), BOLD), *((values, None) for values in by_rule)]
        if keyed:
            rows += [(say_all(language, CHANGE_KEYED_HEADER), BOLD),
                     *(([say(language, values[0]), *values[1:]], None) for values in keyed)]
    return rows


@dataclass(frozen=True)
class RowSheet:
    """A sheet of every row of one kind: its title, header, the frame columns behind it, widths."""

    title: str
    header: list[str]
    columns: list[str]
    column_widths: list[int]
    whole_numbers: frozenset[str] = frozenset()  # columns written as integers, not text
    counts: bool = False  # its whole numbers are counts (#,##0), not row numbers of a file
    words: frozenset[str] = frozenset()  # columns whose values are words of the workbook's language (severity)


SHEET_HEADER = ["Severity", "Entity", "Rule", "Message", "File", "Row", "Legacy key", "Column", "Value"]
SHEET_COLUMNS = ["severity", "entity", "rule", "message", "source", "row_number", "legacy_key", "column_name",
                 "raw_value"]
REJECTS = RowSheet("Rejects", SHEET_HEADER, SHEET_COLUMNS, [9, 10, 18, 70, 16, 8, 22, 14, 30],
                   frozenset({"row_number"}), words=frozenset({"severity"}))
DIFFERENCES = RowSheet("Differences", ["Kind", "Problem", "Legacy key", "Column", "Source", "Target"],
                       DIFFERENCE_COLUMNS, [14, 20, 28, 18, 22, 22])
CHANGES = RowSheet("Changes", ["Change", "Entity", "Rule", "Legacy key", "Column", "Before", "After"],
                   CHANGE_COLUMNS, [18, 12, 18, 28, 18, 22, 22])
UNREADABLE = RowSheet("Unreadable money", ["File", "Row", "Legacy key", "Service", "Month", "Measure", "Column",
                                           "Value", "Problem", "Status"],
                      UNREADABLE_COLUMNS, [16, 8, 26, 10, 10, 13, 16, 22, 40, 10], frozenset({"row"}))
# Its rows are the summary's control lines (tables.control_row), not the columns of a frame.
CONTROL = RowSheet("Control totals", [*CONTROL_HEADER[:2], "Target service", *CONTROL_HEADER[3:]], [],
                   [12, 16, 30, 16, 8, 18, 18, 18, 16, 16, 10, 18, 16], counts=True)
RULES = RowSheet("Rejects by rule", ["Entity", "Severity", "Rule", "Rows"], ["entity", "severity", "rule", "rows"],
                 [14, 14, 24, 12], frozenset({"rows"}), counts=True, words=frozenset({"severity"}))


EXCEL_DATA_ROWS = 1_048_575  # rows below the header that a sheet can hold (Excel's limit is 1,048,576)


def write_workbook(path: Path, data: ReportData) -> None:
    """Write report.xlsx: Summary, Turnover, Control totals, Unreadable money, Differences, Rejects
    by rule, Rejects and Changes (named in ``data.language``).

    Parameters
    ----------
    path : Path
        Where to write the workbook; its folder is created if missing.
    data : ReportData
        The run's summary (a :class:`RunSummary`, or summary.json's data) and the row sets behind it. ``unreadable``, ``rejects``,
        ``differences`` and ``changes`` are each read once, a frame at a time.

    Notes
    -----
    The workbook is written in openpyxl's write-only mode: each row goes to the sheet's
    temporary file as it is read, so memory holds one frame of rows, never a cell per value
    of millions of rows. Rows go in the order the row sets yield them.
    """
    run = run_summary(data.summary)
    language, names = data.language, data.service_names
    workbook = Workbook(write_only=True)
    summary = workbook.create_sheet(say(language, "Summary"))
    widths(summary, [28, 14, 18, 18, 18, 18, 18, 16, 18, 18, 12, 12, 12])
    # A document of small tables, not one table: its title row is frozen and printed on every
    # page, but a filter over blocks of different tables would hide their headings, so it has none.
    summary.freeze_panes = "A2"
    print_setup(summary)
    for values, font in _summary_rows(run, data.reject_files, language, names):
        summary.append(_styled(cells(summary, values, font, counts=True), font))
    write_turnover(workbook, say(language, "Turnover"), run, names, language)
    _write_values(workbook, CONTROL, ((_control_row(line, language, names), line.differs)
                                      for line in legacy_lines(run)), language)
    _write_rows(workbook, UNREADABLE, data.unreadable(), language)
    _write_rows(workbook, DIFFERENCES, data.differences(), language)
    _write_rows(workbook, RULES, iter([pd.DataFrame(rule_counts(run), columns=RULES.columns)]), language)
    rejects = data.rejects()
    if data.reject_files is not None:
        rejects = first_of_each_rule(rejects, data.reject_files.first_of_each_rule)
    _write_rows(workbook, REJECTS, rejects, language)
    _write_rows(workbook, CHANGES, data.changes(), language)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)


def first_of_each_rule(frames: Iterator[pd.DataFrame], first: int) -> Iterator[pd.DataFrame]:
    """The first ``first`` rows of each entity and rule among reject frames, in the order they come.

    A rule's rows may span frames (reject rows come ordered by severity, entity and rule), so
    the rows already kept of each rule are counted across them.
    """
    kept: dict[tuple[str, str], int] = {}
    for frame in frames:
        rules = list(zip(frame["entity"], frame["rule"]))
        keep = []
        for rule in rules:
            before = kept.get(rule, 0)
            keep.append(before < first)
            kept[rule] = before + 1
        yield frame if all(keep) else frame[keep]  # all([]): an empty frame goes as it is


def _control_row(line, language: str, names: dict[str, str]) -> list:
    """A line of the Control totals sheet: :func:`control_row` with its month a date cell, the
    target service by name and the measure in the workbook's language."""
    values = control_row(line)
    month, service, code, measure = values[:4]
    return [Month.of(month), service, names.get(code, code), say(language, measure), *values[4:]]


def _write_rows(workbook: Workbook, kind: RowSheet, frames: Iterator[pd.DataFrame], language: str = "en") -> None:
    """Stream every row of ``frames`` onto the kind's sheet, going on to "<title> 2" when one is full."""
    _write_values(workbook, kind, ((values, False) for values in _frame_rows(kind, frames, language)), language)


def _frame_rows(kind: RowSheet, frames: Iterator[pd.DataFrame], language: str) -> Iterator[list]:
    for frame in frames:
        for record in frame.reindex(columns=kind.columns).itertuples(index=False, name=None):
            yield [_cell_value(column, value, kind, language) for column, value in zip(kind.columns, record)]


def _write_values(workbook: Workbook, kind: RowSheet, rows: Iterable[tuple[list, bool]], language: str = "en") -> None:
    """Write rows of cell values (each with whether it differs, to stand out) onto the kind's sheet,
    going on to "<title> 2" when one is full."""
    title = say(language, kind.title)
    number, sheet, written = 1, _open_sheet(workbook, kind, title, language), 0
    for values, differs in rows:
        if written == EXCEL_DATA_ROWS:
            _close_sheet(sheet, kind, written)
            number += 1
            sheet, written = _open_sheet(workbook, kind, f"{title} {number}", language), 0
        font = DIFFERS if differs else None
        sheet.append(_styled(cells(sheet, values, font, kind.counts), font))
        written += 1
    _close_sheet(sheet, kind, written)


def _styled(row: list, font: Font | None) -> list:
    """A row of :func:`cells`; a row in the DIFFERS font is filled too, so that it stands out."""
    if font is DIFFERS:
        for cell in row:  # with a font, every value is a cell of its own
            cell.fill = DIFFERS_FILL
    return row


def _cell_value(column: str, value, kind: RowSheet, language: str = "en"):
    if value is None or pd.isna(value):
        return None
    if column in kind.whole_numbers:
        return int(value)
    return say(language, str(value)) if column in kind.words else str(value)


def _open_sheet(workbook: Workbook, kind: RowSheet, title: str, language: str = "en"):
    # Widths, the frozen header and the page go before the first row: write-only sheets write them first.
    sheet = workbook.create_sheet(title)
    widths(sheet, kind.column_widths)
    sheet.freeze_panes = "A2"
    print_setup(sheet)
    sheet.append(cells(sheet, say_all(language, kind.header), BOLD))
    return sheet


def _close_sheet(sheet, kind: RowSheet, rows: int) -> None:
    # The auto filter is written after the rows, when the workbook is saved, so it can be set
    # once the rows are counted: nothing has to be held back to know the sheet's size.
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(kind.header))}{max(rows + 1, 2)}"
