"""protocol.xlsx: the switch protocol as a workbook, one view of :class:`ProtocolData`.

Sheets, in order: Protocol (what was switched, the verdict, control totals per service, counts,
records per source, the checklist and the lines to sign), Accepted rejects, Unreadable money
(when the project accepted some), Sample accounts, Evidence, Steps.
Money is shown in roubles (Decimal). Every text cell is written as text (see
:mod:`cutover.report.sheets`), so a legacy account such as ``=HYPERLINK(...)`` stays a string.

The rows of each table are built here by small public functions that ``protocol_html.py``
renders too, so the two views cannot drift apart. They speak English; the workbook writes its
sheet names, labels and headers in Russian (:mod:`cutover.report.words`) unless ``[report]
language = "en"``, its dates as date cells and its counts as ``#,##0``, and every sheet prints
on A4 landscape fitted to the width, its header repeated on every page.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from cutover.money import kopecks_to_decimal
from cutover.monthend.protocol_data import ProtocolData
from cutover.report.sheets import BOLD, Month, moment, print_setup, put, table, widths
from cutover.report.words import say, say_all

TITLE = "Switch protocol / Протокол переключения"
MISSING = "—"  # a sample account's value the target does not have
SIGNATURE_LINES = ["Name / ФИО: ____________", "Signature / Подпись: ____________", "Date / Дата: ____________"]
DIFFERENCE_NOTE_RU = ("Суммы в рублях. Сальдо на конец старой системы прочитано из исходной выгрузки собственным "
                      "чтением cutover, не через маппинг. Расхождение = Сальдо старой системы − Отклонено (принято) "
                      "− Отфильтровано − Сальдо на начало нового месяца.")
DIFFERENCE_NOTE = ("Money in roubles. Legacy closing is read from the raw legacy extract by cutover's own reader, "
                   "not through the mapping. Difference = Legacy closing − Rejected (accepted) − Filtered − New opening.")

SERVICE_HEADER = ["Service code", "Service", "Legacy closing", "Rejected (accepted)", "Target closing", "New opening",
                  "Difference"]
# Columns a protocol shows only when they hold something: the legacy statement where the project
# gives one, money the mapping's filter left out, rows whose money nobody can read.
STATEMENT, FILTERED, UNREADABLE = "Legacy statement", "Filtered", "Unreadable rows"
COUNT_HEADER = ["Entity", "Legacy rows", "Loaded", "Rejected"]
RECORD_HEADER = ["Source", "Records", "Read", "Blank", "Deleted", "Entity", "Filtered", "Rows", "Rows loaded",
                 "Rows rejected"]
UNREADABLE_HEADER = ["File", "Row", "Legacy key", "Measure", "Column", "Value", "Problem"]
CHECK_HEADER = ["Check", "Result", "Detail"]
REJECT_HEADER = ["Entity", "Rule", "Severity", "Rows"]
TRACE_HEADER = ["Legacy account", "New account", "Service", "Legacy closing", "Target closing", "New opening",
                "Result"]
EVIDENCE_HEADER = ["What", "Name", "SHA-256", "Rows"]
STEP_HEADER = ["Step", "Title", "Status", "Started", "Finished", "Seconds"]

_RED = PatternFill("solid", fgColor="FDE2E1")
_GREEN = PatternFill("solid", fgColor="DFF3E3")
_WRAP = Alignment(wrap_text=True, vertical="top")


def verdict(data: ProtocolData) -> str:
    """The overall verdict: "ACCEPTED — every check passed" or "NOT ACCEPTED — N check(s) failed"."""
    failed = sum(not check.passed for check in data.checklist)
    return "ACCEPTED — every check passed" if not failed else f"NOT ACCEPTED — {failed} check(s) failed"


def facts(data: ProtocolData) -> list[tuple[str, str]]:
    """What was switched, as (label, value) lines; the forced reason and broken locks only when
    there are any (labels in :data:`OVERRIDES`, which the renderings mark)."""
    lines = [("System", data.system), ("Period closed", data.period), ("Period opened", data.next_period),
             ("Run", data.run_id), ("Target", data.target), ("Legacy", data.legacy), ("Made at", data.made_at)]
    if data.forced_reason:
        lines.append(("Forced past preflight", data.forced_reason))
    lines += [("Lock broken", broken) for broken in data.broken_locks]
    return lines


OVERRIDES = ("Forced past preflight", "Lock broken")  # what an operator overrode: marked in red


def check_result(passed: bool) -> str:
    return "✔ passed" if passed else "✘ FAILED"


def _optional(data: ProtocolData) -> list[str]:
    """The optional money columns this protocol shows."""
    wanted = [(STATEMENT, any(s.declared_closing is not None for s in data.services)),
              (FILTERED, any(s.filtered_closing for s in data.services)),
              (UNREADABLE, any(s.unreadable_rows for s in data.services))]
    return [name for name, shown in wanted if shown]


def service_header(data: ProtocolData) -> list[str]:
    optional = _optional(data)
    return [*SERVICE_HEADER[:3], *(c for c in optional if c == STATEMENT), SERVICE_HEADER[3],
            *(c for c in optional if c != STATEMENT), *SERVICE_HEADER[4:]]


def service_rows(data: ProtocolData) -> list[list]:
    """Control totals per service (the total last, as the data has it), money in Decimal roubles,
    in the columns of :func:`service_header`."""
    optional = _optional(data)
    rows = []
    for s in data.services:
        statement = [_maybe_roubles(s.declared_closing)] if STATEMENT in optional else []
        extra = ([kopecks_to_decimal(s.filtered_closing)] if FILTERED in optional else []) + \
            ([s.unreadable_rows] if UNREADABLE in optional else [])
        rows.append([s.code, s.name, kopecks_to_decimal(s.legacy_closing), *statement,
                     kopecks_to_decimal(s.rejected_closing), *extra,
                     *(kopecks_to_decimal(k) for k in (s.target_closing, s.new_opening, s.difference))])
    return rows


def record_rows(data: ProtocolData) -> list[list]:
    return [[r.source, r.records, r.read, r.blank, r.deleted, r.entity, r.filtered, r.rows, r.loaded, r.rejected]
            for r in data.records]


def unreadable_rows(data: ProtocolData) -> list[list]:
    return [[u.source, u.row, u.legacy_key, u.measure, u.column, u.value, u.problem] for u in data.unreadable]


def count_rows(data: ProtocolData) -> list[list]:
    return [[c.entity, c.source_rows, c.loaded, c.rejected] for c in data.counts]


def check_rows(data: ProtocolData) -> list[list]:
    return [[c.title, check_result(c.passed), c.detail] for c in data.checklist]


def reject_rows(data: ProtocolData) -> list[list]:
    return [[r.entity, r.rule, r.severity, r.rows]
            for r in data.accepted_rejects]


def _maybe_roubles(kopecks: int | None) -> Decimal | str:
    return MISSING if kopecks is None else kopecks_to_decimal(kopecks)


def trace_rows(data: ProtocolData) -> list[list]:
    """Sample accounts; a value the target does not have is shown as "—"."""
    return [[t.legacy_account, t.new_account, t.service, kopecks_to_decimal(t.legacy_closing),
             _maybe_roubles(t.target_closing), _maybe_roubles(t.new_opening), "passed" if t.passed else "FAILED"]
            for t in data.traces]


def evidence_rows(data: ProtocolData) -> list[list]:
    return [[h.what, h.name, h.sha256, h.rows] for h in data.hashes]


def step_rows(data: ProtocolData) -> list[list]:
    """Runbook steps; seconds rounded to tenths (None while a step has not finished)."""
    return [[s.step, s.title, s.status, s.started_at, s.finished_at,
             None if s.seconds is None else round(s.seconds, 1)] for s in data.steps]


def _heading(sheet: Worksheet, row: int, text: str) -> None:
    put(sheet, row, 1, text)
    sheet.cell(row=row, column=1).font = BOLD


def _fill_row(sheet: Worksheet, row: int, columns: int, fill: PatternFill) -> None:
    for column in range(1, columns + 1):
        sheet.cell(row=row, column=column).fill = fill


def _verdict(data: ProtocolData, language: str) -> str:
    failed = sum(not check.passed for check in data.checklist)
    if language != "ru":
        return verdict(data)
    return "ПРИНЯТО — все проверки пройдены" if not failed else f"НЕ ПРИНЯТО — не пройдено проверок: {failed}"


_MONTHS, _MOMENTS = ("Period closed", "Period opened"), ("Made at",)


def _protocol_sheet(sheet: Worksheet, data: ProtocolData, language: str = "en") -> None:
    sheet.title = say(language, "Protocol")
    put(sheet, 1, 1, TITLE)
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    # A document, not one table: its title row is frozen and printed on every page, no filter.
    sheet.freeze_panes = "A2"
    print_setup(sheet)
    row = 3
    for label, value in facts(data):
        put(sheet, row, 1, say(language, label))
        put(sheet, row, 2, Month.of(value) if label in _MONTHS else moment(value) if label in _MOMENTS else value)
        sheet.cell(row=row, column=1).font = BOLD
        if label in OVERRIDES:
            sheet.cell(row=row, column=2).fill = _RED
        row += 1
    row += 1
    put(sheet, row, 1, _verdict(data, language))
    sheet.cell(row=row, column=1).font = Font(bold=True, size=12)
    sheet.cell(row=row, column=1).fill = _GREEN if data.passed else _RED

    _heading(sheet, row + 2, say(language, "Control totals per service"))
    put(sheet, row + 3, 1, DIFFERENCE_NOTE_RU if language == "ru" else DIFFERENCE_NOTE)
    top = row + 4
    header = service_header(data)
    row = table(sheet, top, say_all(language, header), service_rows(data), counts=True)
    for offset, service in enumerate(data.services, start=1):
        if service.code == "total":
            for column in range(1, len(header) + 1):
                sheet.cell(row=top + offset, column=column).font = BOLD
        if service.difference or (service.declared_closing is not None
                                  and service.declared_closing != service.legacy_closing):
            _fill_row(sheet, top + offset, len(header), _RED)

    _heading(sheet, row, say(language, "Counts"))
    row = table(sheet, row + 1, say_all(language, COUNT_HEADER), count_rows(data), counts=True)
    if data.records:
        _heading(sheet, row, say(language, "Records per source"))
        row = table(sheet, row + 1, say_all(language, RECORD_HEADER), record_rows(data), counts=True)
    if data.unreadable_rows:
        _heading(sheet, row, f"Unreadable money accepted ({data.unreadable_rows} rows; sheet Unreadable money)")
        row += 2
    for note in data.notes:
        put(sheet, row, 1, note)
        row += 1
    row += 1 if data.notes else 0

    _heading(sheet, row, say(language, "Checklist"))
    top = row + 1
    checks = [[title, say(language, result), detail] for title, result, detail in check_rows(data)]
    row = table(sheet, top, say_all(language, CHECK_HEADER), checks)
    for offset, check in enumerate(data.checklist, start=1):
        if not check.passed:
            _fill_row(sheet, top + offset, len(CHECK_HEADER), _RED)

    _heading(sheet, row, "Signatures / Подписи")
    for label in data.signatures:
        row += 1
        for column, value in enumerate([label, *SIGNATURE_LINES], start=1):
            put(sheet, row, column, value)
            sheet.cell(row=row, column=column).alignment = _WRAP
        sheet.row_dimensions[row].height = 36  # room to sign
    widths(sheet, [36, 34, 22, 22, 18, 18, 18])


def _list_sheet(workbook: Workbook, title: str, header: list[str], rows: list[list],
                column_widths: list[int], language: str = "en", counts: bool = True) -> Worksheet:
    """A sheet of one table from its first row, with a frozen header, a filter over its rows and
    the page set up; its title and header in ``language``."""
    sheet = workbook.create_sheet(say(language, title))
    table(sheet, 1, say_all(language, header), rows, counts)
    sheet.freeze_panes = "A2"
    print_setup(sheet)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{max(len(rows) + 1, 2)}"
    widths(sheet, column_widths)
    return sheet


def write_protocol_workbook(path: Path, data: ProtocolData, language: str = "ru") -> None:
    """Write protocol.xlsx: Protocol, Accepted rejects, Sample accounts, Evidence and Steps.

    Parameters
    ----------
    path : Path
        Where to write the workbook; its folder is created if missing.
    data : ProtocolData
        What the protocol says; money in kopecks, shown in roubles.
    language : str
        ``"ru"`` (the default) or ``"en"``: ``[report] language`` of cutover.toml.
    """
    workbook = Workbook()
    _protocol_sheet(workbook.active, data, language)
    _list_sheet(workbook, "Accepted rejects", REJECT_HEADER, [[e, r, say(language, v), n] for e, r, v, n in
                                                              reject_rows(data)], [14, 24, 14, 10], language)
    if data.unreadable:
        _list_sheet(workbook, "Unreadable money", UNREADABLE_HEADER, unreadable_rows(data), [18, 8, 22, 12, 18, 18, 50],
                    language, counts=False)  # its numbers are rows of a file
    traces = _list_sheet(workbook, "Sample accounts", TRACE_HEADER,
                         [[*values[:-1], say(language, values[-1])] for values in trace_rows(data)],
                         [22, 22, 18, 18, 18, 18, 12], language)
    for offset, trace in enumerate(data.traces, start=2):
        if not trace.passed:
            _fill_row(traces, offset, len(TRACE_HEADER), _RED)
    _list_sheet(workbook, "Evidence", EVIDENCE_HEADER, evidence_rows(data), [16, 40, 68, 12], language)
    steps_rows = [[step, title, status, moment(started), moment(finished), seconds]
                  for step, title, status, started, finished, seconds in step_rows(data)]
    steps = _list_sheet(workbook, "Steps", STEP_HEADER, steps_rows, [18, 40, 12, 20, 20, 10], language)
    for row in range(2, len(data.steps) + 2):
        steps.cell(row=row, column=6).number_format = "0.0"  # put() shows a float as a share
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
