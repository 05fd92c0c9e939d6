"""report.xlsx and report.html of one small run, compared with reviewed snapshots.

The run (``report_data``), period 2026-10, two services:

- cold_water: closing source 1 234 567,89 but target 1 234 567,88, nothing rejected: one kopeck
  differs (the balance of account 01-0001); the other measures agree.
- heating: closing -250,00 in the source (overpaid) = target -300,00 + rejected 50,00.
- row differences: the kopeck balance, account 01-0003 missing in target, meter +7-0042 in the
  target but not in the source, the last reading of meter M-0001 1520 in the source but 1521
  in the target.
- rejects: person P-7 BAD_NAME (name ``=HYPERLINK("http://x","y")``), person P-9 BAD_NAME (name
  ``<script>alert(1)</script>``), account 01-0004 ORPHAN_PERSON; one warning, person P-8
  PHONE_FORMAT. They come in two frames, as a spill file yields them.
- changes since run 20261121-180000-dry-run-0f0f: BAD_NAME of P-9 is new, ORPHAN_ACCOUNT of
  meter M-0003 is fixed, account 01-0004 was added, the cold_water closing balance of 01-0001
  changed from 1234567.00 to 1234567.89.
- history: three nights, 20, 21 and 22 November (this run), errors per rule 5, 2 and 3.

Regenerate the snapshots after an intended change with
``CUTOVER_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/test_report_render.py`` and review the diff.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pandas as pd
import pytest
from openpyxl import load_workbook
from snapshot import assert_snapshot, workbook_text

from cutover.report.data import CHANGE_COLUMNS, DIFFERENCE_COLUMNS, REJECT_COLUMNS, ReportData, RunHistory
from cutover.report.run_html import render_html, write_html
from cutover.report.workbook import write_workbook

RUN_ID = "20261122-180000-dry-run-abcd"
PREVIOUS_RUN = "20261121-180000-dry-run-0f0f"
FORMULA_NAME = '=HYPERLINK("http://x","y")'
EXTRA_METER = "+7-0042"
MEASURES = ("opening", "charged", "recalculated", "paid", "closing")


def _money(source: str, target: str, rejected: str = "0.00") -> dict:
    return {"source": source, "target": target, "rejected": rejected}


MONEY_BY_MEASURE = {
    "period": "2026-10",
    "services": {
        "cold_water": {"opening": _money("1200000.00", "1200000.00"), "charged": _money("40000.00", "40000.00"),
                       "recalculated": _money("-432.11", "-432.11"), "paid": _money("5000.00", "5000.00"),
                       "closing": _money("1234567.89", "1234567.88")},
        "heating": {"opening": _money("-100.00", "-150.00", "50.00"), "charged": _money("850.00", "850.00"),
                    "recalculated": _money("0.00", "0.00"), "paid": _money("1000.00", "1000.00"),
                    "closing": _money("-250.00", "-300.00", "50.00")},
    },
    "total": {"opening": _money("1199900.00", "1199850.00", "50.00"), "charged": _money("40850.00", "40850.00"),
              "recalculated": _money("-432.11", "-432.11"), "paid": _money("6000.00", "6000.00"),
              "closing": _money("1234317.89", "1234267.88", "50.00")},
}

DIFFERENCE_ROWS = [
    ["balance", "differs", "01-0001/cold_water/2026-10", "closing_kopecks", "1234567.89", "1234567.88"],
    ["account", "missing in target", "01-0003", None, None, None],
    ["meter", "not in source", EXTRA_METER, None, None, None],
    ["last reading", "differs", "M-0001", "value", "1520", "1521"],
]
REJECT_ROWS = [
    ["person", "error", "BAD_NAME", "name looks like a formula", "abonent.csv", 7, "P-7", "ФИО", FORMULA_NAME],
    ["person", "warning", "PHONE_FORMAT", "phone is not +7 and ten digits", "abonent.csv", 8, "P-8", "телефон",
     "8 (900) 123"],
    ["person", "error", "BAD_NAME", "name holds markup", "abonent.csv", 9, "P-9", "ФИО", "<script>alert(1)</script>"],
    ["account", "error", "ORPHAN_PERSON", "person P-9 was rejected", "lic.csv", 4, "01-0004", "person_key", "P-9"],
]
CHANGE_ROWS = [
    ["reject new", "person", "BAD_NAME", "P-9", "ФИО", None, None],
    ["reject fixed", "meter", "ORPHAN_ACCOUNT", "M-0003", "account_key", None, None],
    ["account added", "account", None, "01-0004", None, None, None],
    ["balance changed", "balance", None, "01-0001/cold_water/2026-10", "closing_kopecks", "1234567.00", "1234567.89"],
]

SUMMARY = {
    "run_id": RUN_ID, "kind": "dry-run", "status": "differences", "cutover_version": "0.1.0",
    "mapping": "sample_legacy", "target": "postgresql+psycopg://app:***@db/billing", "period": "2026-10",
    "started_at": "2026-11-22T18:00:00", "finished_at": "2026-11-22T18:20:31",
    "entities": {"persons": {"source_rows": 3, "loaded": 2, "rejected": 1, "warnings": 1},
                 "accounts": {"source_rows": 4, "loaded": 3, "rejected": 1, "warnings": 0},
                 "meters": {"source_rows": 3, "loaded": 3, "rejected": 0, "warnings": 0}},
    "rejects_by_rule": {"persons": {"BAD_NAME": 2}, "accounts": {"ORPHAN_PERSON": 1}},
    "warnings_by_rule": {"persons": {"PHONE_FORMAT": 1}},
    "money_by_measure": MONEY_BY_MEASURE,
    "differences": ["money cold_water closing: source 1234567.89 but target 1234567.88 + rejected 0.00",
                    "account: 1 missing in target", "meter: 1 not in source", "last reading: 1 differs"],
    "gate_failures": [],
    "row_differences": {"total": 4, "by_kind": {"balance: differs": 1, "account: missing in target": 1,
                                                "meter: not in source": 1, "last reading: differs": 1},
                        "rows": [dict(zip(DIFFERENCE_COLUMNS, row)) for row in DIFFERENCE_ROWS]},
    "changes": {"previous_run": PREVIOUS_RUN, "note": None,
                "rejects": {"persons": {"BAD_NAME": {"new": 1, "fixed": 0}},
                            "meters": {"ORPHAN_ACCOUNT": {"new": 0, "fixed": 1}}},
                "accounts": {"added": 1, "removed": 0}, "meters": {"added": 0, "removed": 0},
                "balances": {"changed": 1, "added": 0, "removed": 0},
                "rows": [dict(zip(CHANGE_COLUMNS, row)) for row in CHANGE_ROWS]},
}
HISTORY = [
    RunHistory("20261120-180000-dry-run-1a1a", "2026-11-20T18:00:00", "differences",
               {"persons": {"BAD_NAME": 3}, "meters": {"ORPHAN_ACCOUNT": 2}}),
    RunHistory(PREVIOUS_RUN, "2026-11-21T18:00:00", "differences",
               {"persons": {"BAD_NAME": 1}, "meters": {"ORPHAN_ACCOUNT": 1}}),
    RunHistory(RUN_ID, "2026-11-22T18:00:00", "differences", SUMMARY["rejects_by_rule"]),
]
FAILED = {"run_id": "20261123-180000-dry-run-dead", "kind": "dry-run", "status": "failed", "mapping": "sample_legacy",
          "target": "sqlite:///cutover.db", "period": "2026-10", "started_at": "2026-11-23T18:00:00",
          "finished_at": "2026-11-23T18:00:04",
          "error": "reading saldo.csv: row 12, column summa: '12,3,4' is not a number"}


def _frames(rows: list[list], columns: list[str], chunk: int = 2):
    def frames():
        for start in range(0, len(rows), chunk):
            yield pd.DataFrame(rows[start:start + chunk], columns=columns)
    return frames


def report_data(**changed) -> ReportData:
    """The run described in the module docstring; keyword arguments replace its fields."""
    fields = {"summary": SUMMARY, "rejects": _frames(REJECT_ROWS, REJECT_COLUMNS),
              "differences": _frames(DIFFERENCE_ROWS, DIFFERENCE_COLUMNS),
              "changes": _frames(CHANGE_ROWS, CHANGE_COLUMNS), "history": HISTORY}
    return ReportData(**{**fields, **changed})


@pytest.fixture
def written(tmp_path):
    """Both reports of the run, written to ``tmp_path``: (workbook path, html text)."""
    write_workbook(tmp_path / "report.xlsx", report_data())
    write_html(tmp_path / "report.html", report_data())
    return tmp_path / "report.xlsx", (tmp_path / "report.html").read_text(encoding="utf-8")


def test_workbook_matches_its_snapshot(written):
    assert_snapshot("report_workbook.txt", workbook_text(written[0]))


def test_html_matches_its_snapshot(written, tmp_path):
    html = written[1]
    assert str(tmp_path) not in html
    assert_snapshot("report.html", html)


def test_html_opens_offline(written):
    html = written[1]
    assert "<svg" in html
    assert "<script" not in html.lower()
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.IGNORECASE)
    assert "url(" not in html and "@import" not in html


def test_html_escapes_legacy_values(written):
    html = written[1]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;)" in html


def test_formula_like_legacy_values_stay_text_in_the_workbook(written):
    workbook = load_workbook(written[0])
    name = next(c for row in workbook["Rejects"].iter_rows() for c in row if c.value == FORMULA_NAME)
    meter = next(c for row in workbook["Differences"].iter_rows() for c in row if c.value == EXTRA_METER)
    assert (name.data_type, meter.data_type) == ("s", "s")


def test_row_sheets_have_a_frozen_header_and_a_filter_over_their_rows(written):
    workbook = load_workbook(written[0])
    expected = {"Differences": "A1:F5", "Rejects by rule": "A1:D4", "Rejects": "A1:I5", "Changes": "A1:G5"}
    assert {name: workbook[name].auto_filter.ref for name in expected} == expected
    assert {workbook[name].freeze_panes for name in expected} == {"A2"}


def test_money_is_in_roubles_with_the_difference_of_each_measure(written):
    rows = list(load_workbook(written[0])["Summary"].iter_rows())
    closing = next(row for row in rows if [c.value for c in row[:2]] == ["cold_water", "closing"])
    assert [Decimal(str(c.value)) for c in closing[2:6]] == [Decimal("1234567.89"), Decimal("1234567.88"), 0,
                                                             Decimal("0.01")]
    assert {c.number_format for c in closing[2:6]} == {"#,##0.00"}


def test_differences_beyond_a_sheet_continue_on_the_next(tmp_path, monkeypatch):
    monkeypatch.setattr("cutover.report.workbook.EXCEL_DATA_ROWS", 3)
    write_workbook(tmp_path / "report.xlsx", report_data())
    workbook = load_workbook(tmp_path / "report.xlsx")
    assert workbook.sheetnames == ["Summary", "Differences", "Differences 2", "Rejects by rule", "Rejects",
                                   "Rejects 2", "Changes", "Changes 2"]
    assert [workbook[name].auto_filter.ref for name in ("Differences", "Differences 2")] == ["A1:F4", "A1:F2"]


def test_html_lists_the_first_rows_and_says_how_many_more(tmp_path, monkeypatch):
    monkeypatch.setattr("cutover.report.run_html.ROW_LIMIT", 3)
    html = render_html(report_data())
    assert "1 more in report.xlsx (sheet Differences)" in html
    assert "1 more in report.xlsx (sheet Changes)" in html
    assert "M-0001" not in html.split("<h2>Rejects by rule</h2>")[0].split("<h2>Differences</h2>")[1]


def test_html_samples_stop_reading_rejects_once_every_rule_has_its_rows():
    read = []

    def rejects():
        for start in range(0, len(REJECT_ROWS), 2):
            read.append(start)
            yield pd.DataFrame(REJECT_ROWS[start:start + 2], columns=REJECT_COLUMNS)
        read.append("past the end")

    summary = {**SUMMARY, "rejects_by_rule": {"persons": {"BAD_NAME": 1}}, "warnings_by_rule": {}}
    html = render_html(report_data(summary=summary, rejects=rejects))
    assert read == [0]
    assert "=HYPERLINK(&quot;" in html and "alert(1)" not in html


def test_a_failed_run_renders_its_verdict_and_error(tmp_path):
    failed = ReportData(FAILED, history=HISTORY[:2])
    write_workbook(tmp_path / "report.xlsx", failed)
    write_html(tmp_path / "report.html", failed)
    summary = [c.value for row in load_workbook(tmp_path / "report.xlsx")["Summary"].iter_rows() for c in row]
    assert summary[:3] == [f"Run {FAILED['run_id']} (dry-run)", "NO-GO: the run failed", FAILED["error"]]
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "NO-GO: the run failed" in html
    assert "reading saldo.csv: row 12, column summa: &#x27;12,3,4&#x27; is not a number" in html


def test_a_first_run_says_why_nothing_was_compared(tmp_path):
    note = "this is the first finished run of the project: nothing to compare with"
    first = report_data(summary={**SUMMARY, "changes": {"previous_run": None, "note": note}},
                        changes=_frames([], CHANGE_COLUMNS))
    write_workbook(tmp_path / "report.xlsx", first)
    summary = [row[0] for row in load_workbook(tmp_path / "report.xlsx")["Summary"].iter_rows(values_only=True)]
    assert summary[summary.index("Changes since the previous run") + 1] == note
    assert f"<h2>Changes since the previous run</h2>\n<p>{note}</p>" in render_html(first)
