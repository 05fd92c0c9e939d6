"""What people read: the workbook, the console table, the summary file."""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import load_workbook

from cutover.progress import Progress, TerminalProgress, progress_for
from cutover.report.console import render_run
from cutover.report.data import REJECT_COLUMNS, ReportData
from cutover.report.workbook import write_workbook

SUMMARY = {
    "run_id": "20261122-180000-dry-run-abcd", "kind": "dry-run", "status": "differences",
    "mapping": "sample_legacy", "period": "2026-10", "target": "postgresql+psycopg://app:***@db/x",
    "entities": {"accounts": {"source_rows": 3, "loaded": 2, "rejected": 1, "warnings": 0}},
    "money": {"period": "2026-10", "measure": "closing",
              "services": {"cold_water": {"source": "1234567.89", "target": "1234567.88", "rejected": "0.00"}},
              "total": {"source": "1234567.89", "target": "1234567.88", "rejected": "0.00"}},
    "money_by_measure": {
        "period": "2026-10",
        "services": {"cold_water": {"closing": {"source": "1234567.89", "target": "1234567.88", "rejected": "0.00"}}},
        "total": {"closing": {"source": "1234567.89", "target": "1234567.88", "rejected": "0.00"}}},
    "differences": ["money cold_water: source 123456789 kopecks but target 123456788 + rejected 0"],
    "gate_failures": [],
}


# The same run as the reconciliation reads it now: closing balances of 2026-10 held to the control
# totals read from the raw source. Control 1 234 587,89 = target 1 234 467,88 + rejected 100,00 +
# filtered 20,00, and one kopeck no one explains; the mapping read 1 234 557,89 of the rows it kept,
# 10,00 less than the control (a balance it could not read), the legacy statement says 1 234 587,89,
# and that row's value nobody can read at all, accepted by the project. saldo.dbf holds a deleted
# record and a row the filter leaves out; abonent.csv is read plainly, so it gets no line.
CONTROLLED = {
    **SUMMARY,
    "money": {"period": "2026-10", "measure": "closing", "services": {},
              "total": {"source": "1234557.89", "target": "1234467.88", "rejected": "100.00", "control": "1234587.89",
                        "filtered": "20.00", "unreadable": 1, "difference": "0.01", "declared": "1234587.89"}},
    "money_by_measure": None,
    "control": {"period": "2026-10", "lines": [], "volume": {},
                "unreadable": {"rows": 1, "accepted": 1, "values": 1, "blocking": False, "first": []},
                "notes": ["not controlled: recalculated (its transform sums two columns)"],
                "falls_accepted": ["saldo.dbf (source saldo): 10 records read, 50% fewer than the 20 of "
                                   "20261121-180000-dry-run-0f0f, the last run that reconciled"]},
    "records": [
        {"name": "abonent", "location": "abonent.csv", "records": 3, "read": 3, "blank": 0, "blank_rows": [],
         "deleted": 0, "deleted_rows": [], "comments": 0, "lookup_of": [], "balanced": True,
         "entities": [{"entity": "accounts", "read": 3, "filtered": 0, "without_rows": 0, "rows": 3,
                       "rejected_rows": 1, "loaded_rows": 2}]},
        {"name": "saldo", "location": "saldo.dbf", "records": 11, "read": 10, "blank": 0, "blank_rows": [],
         "deleted": 1, "deleted_rows": [17], "comments": 0, "lookup_of": [], "balanced": True,
         "entities": [{"entity": "balances", "read": 10, "filtered": 1, "without_rows": 0, "rows": 9,
                       "rejected_rows": 2, "loaded_rows": 7}]}],
}


def rejects(*rows: dict) -> pd.DataFrame:
    base = dict.fromkeys(REJECT_COLUMNS)
    return pd.DataFrame([{**base, **row} for row in rows], columns=REJECT_COLUMNS)


def report(summary: dict, rejected: pd.DataFrame) -> ReportData:
    """The run's report data with these rejects, in two frames as a spill file would yield them."""
    middle = len(rejected) // 2
    return ReportData(summary, rejects=lambda: iter([rejected.iloc[:middle], rejected.iloc[middle:]]),
                      language="en")  # the English workbook: test_accountant_workbook.py reads the Russian one


def test_formula_like_values_are_written_as_text(tmp_path):
    path = tmp_path / "report.xlsx"
    frame = rejects(
        {"entity": "person", "severity": "error", "rule": "BAD_NAME", "message": "=HYPERLINK(\"http://x\")",
         "source": "abonent.csv", "row_number": 7, "legacy_key": "+79001234567", "column_name": "ФИО",
         "raw_value": "@SUM(A1:A9)"},
        {"entity": "person", "severity": "error", "rule": "BAD_NAME", "message": "-1+2",
         "source": "abonent.csv", "row_number": 8, "legacy_key": "01-2", "column_name": "ФИО", "raw_value": "=1+1"},
    )
    write_workbook(path, report(SUMMARY, frame))
    sheet = load_workbook(path)["Rejects"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    types = {cell.data_type for row in sheet.iter_rows(min_row=2) for cell in row if isinstance(cell.value, str)}
    assert types == {"s"}
    assert values[0][3] == '=HYPERLINK("http://x")'
    assert values[0][6] == "+79001234567"
    assert values[0][8] == "@SUM(A1:A9)"
    assert values[1][8] == "=1+1"


def test_workbook_has_verdict_counts_money_and_a_filtered_rejects_sheet(tmp_path):
    path = tmp_path / "report.xlsx"
    write_workbook(path, report(SUMMARY, rejects()))
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["Summary", "Turnover", "Control totals", "Unreadable money", "Differences", "Rejects by rule",
                                   "Rejects", "Changes"]
    summary = workbook["Summary"]
    assert summary["A2"].value == "NO-GO: differences"
    assert summary["A3"].value == SUMMARY["differences"][0]
    cells = {c.value: c for row in summary.iter_rows() for c in row if c.value is not None}
    money = next(c for c in summary["D"] if str(c.value) == "1234567.89")  # Service, Measure, Control, As mapped
    assert money.number_format == "#,##0.00"
    assert "accounts" in cells
    rejects_sheet = workbook["Rejects"]
    assert rejects_sheet.freeze_panes == "A2"
    assert rejects_sheet.auto_filter.ref == "A1:I2"
    assert [c.value for c in rejects_sheet[1]] == ["Severity", "Entity", "Rule", "Message", "File", "Row",
                                                   "Legacy key", "Column", "Value"]


def test_console_table_and_money_line_of_a_summary_without_control_totals(tmp_path):
    text = render_run(SUMMARY, tmp_path / "r")
    assert text.splitlines()[0] == "Run 20261122-180000-dry-run-abcd: DIFFERENCES"
    assert "accounts           3         2         1         0" in text
    assert ("closing balances 2026-10: source 1 234 567,89 but target 1 234 567,88 + rejected 0,00 "
            "(difference 0,01)") in text
    assert "! money cold_water: source 123456789 kopecks but target 123456788 + rejected 0" in text
    assert "note:" not in text and "accepted:" not in text and "records" not in text


def test_console_holds_the_target_to_the_control_and_accounts_for_every_record(tmp_path):
    lines = render_run(CONTROLLED, tmp_path / "r").splitlines()
    assert lines[:13] == [
        "Run 20261122-180000-dry-run-abcd: DIFFERENCES",
        "",
        "entity        source    loaded  rejected  warnings",
        "accounts           3         2         1         0",
        "",
        "saldo.dbf: 11 records: 10 read, 1 deleted (record 17) -> balances (1 filtered): 9 rows: 7 loaded, 2 rejected",
        "",
        "closing balances 2026-10: control 1 234 587,89 but target 1 234 467,88 + rejected 100,00 + filtered 20,00 "
        "(difference 0,01); the mapping read 1 234 557,89; the legacy statement says 1 234 587,89; "
        "1 row unreadable (accepted)",
        "note: not controlled: recalculated (its transform sums two columns)",
        "accepted: saldo.dbf (source saldo): 10 records read, 50% fewer than the 20 of 20261121-180000-dry-run-0f0f, "
        "the last run that reconciled",
        "accepted: 1 row holds money nobody can read (1 value), so it is in no total ([gates] "
        "accept_unreadable_rows = 1); the Unreadable money sheet of report.xlsx lists them",
        "! money cold_water: source 123456789 kopecks but target 123456788 + rejected 0",
        ""]


def test_console_money_line_that_adds_up_says_so_plainly(tmp_path):
    total = {"source": "100.00", "target": "90.00", "rejected": "10.00", "control": "100.00", "filtered": "0.00",
             "unreadable": 0, "difference": "0.00"}
    summary = {**CONTROLLED, "money": {**CONTROLLED["money"], "total": total}, "records": [],
               "control": {**CONTROLLED["control"], "notes": [], "falls_accepted": [],
                           "unreadable": {"rows": 2, "accepted": 1, "values": 2, "blocking": True, "first": []}}}
    lines = render_run(summary, tmp_path / "r").splitlines()
    assert "closing balances 2026-10: control 100,00 = target 90,00 + rejected 10,00" in lines
    assert not [line for line in lines if line.startswith(("accepted:", "note:"))]  # a blocking one is a gate failure


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_shows_on_a_terminal_and_stays_quiet_in_cron():
    terminal = FakeTerminal()
    progress = progress_for(terminal)
    assert isinstance(progress, TerminalProgress)
    progress.stage("extract saldo.csv")
    progress.advance(50_000)
    progress._show(force=True)
    assert "extract saldo.csv: 50,000 rows" in terminal.getvalue()
    assert type(progress_for(io.StringIO())) is Progress
    assert type(progress_for(terminal, quiet=True)) is Progress


def test_rejects_beyond_what_a_sheet_holds_continue_on_the_next_sheet(tmp_path, monkeypatch):
    monkeypatch.setattr("cutover.report.workbook.EXCEL_DATA_ROWS", 2)  # Excel's limit is 1,048,575 rows
    path = tmp_path / "report.xlsx"
    frame = rejects(*({"entity": "balance", "severity": "error", "rule": "BAL_IDENTITY", "message": "m",
                       "source": "saldo.csv", "row_number": n, "legacy_key": f"k{n}"} for n in range(2, 7)))
    write_workbook(path, report(SUMMARY, frame))
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["Summary", "Turnover", "Control totals", "Unreadable money", "Differences", "Rejects by rule",
                                   "Rejects", "Rejects 2", "Rejects 3", "Changes"]
    rows = [[r[5] for r in workbook[name].iter_rows(min_row=2, values_only=True)]
            for name in ("Rejects", "Rejects 2", "Rejects 3")]
    assert rows == [[2, 3], [4, 5], [6]]
    assert workbook["Rejects 3"]["A1"].value == "Severity"
    assert [workbook[name].auto_filter.ref for name in ("Rejects", "Rejects 2", "Rejects 3")] == [
        "A1:I3", "A1:I3", "A1:I2"]
    assert {workbook[name].freeze_panes for name in ("Rejects", "Rejects 2", "Rejects 3")} == {"A2"}


def test_a_control_character_in_legacy_data_is_written_as_its_escape(tmp_path):
    path = tmp_path / "report.xlsx"
    frame = rejects({"entity": "person", "severity": "error", "rule": "BAD_NAME", "message": "m",
                     "source": "abonent.dbf", "row_number": 3, "legacy_key": "P-3", "raw_value": "Иванов\x1a"})
    write_workbook(path, report(SUMMARY, frame))
    assert load_workbook(path)["Rejects"]["I2"].value == "Иванов\\x1a"


def test_a_summary_with_closing_balances_only_shows_them_as_the_closing_measure(tmp_path):
    path = tmp_path / "report.xlsx"
    summary = {key: value for key, value in SUMMARY.items() if key != "money_by_measure"}
    write_workbook(path, report(summary, rejects()))
    rows = [list(row) for row in load_workbook(path)["Summary"].iter_rows(values_only=True)]
    # written before the control: no control, filtered, unreadable rows or statement to show
    expected = ["cold_water", "closing", None, 1234567.89, 1234567.88, 0, None, None, None, 0.01]
    assert expected in [row[:10] for row in rows]
