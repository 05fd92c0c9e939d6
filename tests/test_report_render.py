"""report.xlsx and report.html of one small run, compared with reviewed snapshots.

The run (``report_data``), period 2026-10, two services: legacy code 01 (cold_water) and 04
(heating). The control reads every balance row of saldo.csv from the raw source:

- cold_water: closing control 1 234 567,89 (the mapping read the same) but target
  1 234 567,88, nothing rejected: one kopeck differs (the balance of account 01-0001); the
  legacy statement says 1 234 567,89. The other measures agree.
- heating: closing control -230,00 = target -300,00 + rejected 50,00 + filtered 20,00 (a row
  of an account closed in the legacy system, which the mapping's filter leaves out; the mapping
  read -250,00, all it kept); the legacy statement says -200,00: 30,00 more than the extract
  holds. The rejected row (saldo.csv row 5) holds "н/д" as its charge, unreadable; the filtered
  row (row 6) holds "=SUM(E2:E9)" as its payment, unreadable too, but left out by the filter:
  1 row (2 values) of unreadable money, accepted by the project.
- September: every line exact (one row of each service). One row (row 7, cold_water) has the
  month "13.2026", which nobody can read: its 10,00 are in the lines of month "?", rejected
  (BAD_DATE), and a note says so.
- records: abonent.csv 5 records = 3 read + 1 blank (row 6) + 1 comment line; lic.dbf 5 records
  = 4 read + 1 deleted (record 3); schetchik.csv 2 records, an unpivot that made 3 meters; ulica.csv
  4 records, a lookup of accounts; saldo.csv 7 records, 1 filtered, 6 balance rows: 4 loaded,
  2 rejected.
- row differences: the kopeck balance, account 01-0003 missing in target, meter +7-0042 in the
  target but not in the source, the last reading of meter M-0001 1520 in the source but 1521
  in the target.
- rejects: person P-7 BAD_NAME (name ``=HYPERLINK("http://x","y")``), person P-9 BAD_NAME (name
  ``<script>alert(1)</script>``), account 01-0004 ORPHAN_PERSON; one warning, person P-8
  PHONE_FORMAT. They come in two frames, as a spill file yields them.
- changes since run 20261121-180000-dry-run-0f0f: BAD_NAME of P-9 is new, ORPHAN_ACCOUNT of
  meter M-0003 is fixed, account 01-0004 was added, the cold_water closing balance of 01-0001
  changed from 1234567.00 to 1234567.89.
- history: three nights, 20, 21 and 22 November (this run), errors 5, 2 and 5.

Regenerate the snapshots after an intended change with
``CUTOVER_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/test_report_render.py`` and review the diff.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pandas as pd
import pytest
from openpyxl import load_workbook
from snapshot import assert_snapshot, workbook_text

from cutover.report.data import (
    CHANGE_COLUMNS,
    DIFFERENCE_COLUMNS,
    REJECT_COLUMNS,
    UNREADABLE_COLUMNS,
    ReportData,
    RunHistory,
)
from cutover.report.run_html import render_html, write_html
from cutover.report.workbook import write_workbook

RUN_ID = "20261122-180000-dry-run-abcd"
PREVIOUS_RUN = "20261121-180000-dry-run-0f0f"
FORMULA_NAME = '=HYPERLINK("http://x","y")'
FORMULA_PAYMENT = "=SUM(E2:E9)"
EXTRA_METER = "+7-0042"
MEASURES = ("opening", "charged", "recalculated", "paid", "closing")
CODES = {"01": "cold_water", "04": "heating"}
ZERO = "0.00"


def _line(period: str, service: str, rows: int, control: tuple, source: tuple | None = None,
          target: tuple | None = None, rejected: tuple | None = None, filtered: tuple | None = None,
          unreadable: tuple = (0,) * 5, declared: dict | None = None) -> list[dict]:
    """The control lines of one legacy service and month, a measure each (amounts in MEASURES order;
    the mapping's reading and the target default to the control, rejected and filtered to nothing)."""
    nothing = (ZERO,) * 5
    source, target = source or control, target or control
    rejected, filtered = rejected or nothing, filtered or nothing
    found = []
    for n, measure in enumerate(MEASURES):
        difference = Decimal(control[n]) - Decimal(target[n]) - Decimal(rejected[n]) - Decimal(filtered[n])
        found.append({"service": service, "code": CODES.get(service), "period": period, "measure": measure,
                      "control": control[n], "source": source[n], "target": target[n], "rejected": rejected[n],
                      "filtered": filtered[n], "unreadable": unreadable[n], "rows": rows,
                      "declared": (declared or {}).get(measure), "difference": f"{difference:.2f}"})
    return found


def _month_total(lines: list[dict]) -> list[dict]:
    """The month's total (service ``*``) of the lines of one month."""
    found = []
    for measure in MEASURES:
        of_measure = [line for line in lines if line["measure"] == measure]
        sums = {key: f"{sum(Decimal(line[key]) for line in of_measure):.2f}"
                for key in ("control", "source", "target", "rejected", "filtered", "difference")}
        found.append({"service": "*", "code": None, "period": of_measure[0]["period"], "measure": measure, **sums,
                      "unreadable": sum(line["unreadable"] for line in of_measure),
                      "rows": sum(line["rows"] for line in of_measure), "declared": None})
    return found


SEPTEMBER = (_line("2026-09", "01", 1, ("1165000.00", "40000.00", ZERO, "5000.00", "1200000.00"))
             + _line("2026-09", "04", 1, ("-30.00", "800.00", ZERO, "850.00", "-80.00")))
OCTOBER = (
    _line("2026-10", "01", 1, ("1200000.00", "40000.00", "-432.11", "5000.00", "1234567.89"),
          target=("1200000.00", "40000.00", "-432.11", "5000.00", "1234567.88"), declared={"closing": "1234567.89"})
    + _line("2026-10", "04", 3, ("-80.00", "850.00", ZERO, "1000.00", "-230.00"),
            source=("-100.00", "850.00", ZERO, "1000.00", "-250.00"),
            target=("-150.00", "850.00", ZERO, "1000.00", "-300.00"),
            rejected=("50.00", ZERO, ZERO, ZERO, "50.00"), filtered=("20.00", ZERO, ZERO, ZERO, "20.00"),
            unreadable=(0, 1, 0, 1, 0), declared={"closing": "-200.00"}))
UNREAD_MONTH = _line("?", "01", 1, ("10.00", ZERO, ZERO, ZERO, "10.00"), target=(ZERO,) * 5,
                     rejected=("10.00", ZERO, ZERO, ZERO, "10.00"))
CONTROL_LINES = (SEPTEMBER + _month_total(SEPTEMBER) + OCTOBER + _month_total(OCTOBER) + UNREAD_MONTH
                 + _month_total(UNREAD_MONTH))


def _money(line: dict) -> dict:
    """A control line of the period as a line of the money table (summary.json's ``money_by_measure``)."""
    found = {key: line[key] for key in ("source", "target", "rejected", "control", "filtered", "unreadable",
                                        "difference")}
    return found | ({"declared": line["declared"]} if line["declared"] is not None else {})


MONEY_BY_MEASURE = {
    "period": "2026-10",
    "services": {CODES[service]: {line["measure"]: _money(line) for line in OCTOBER if line["service"] == service}
                 for service in ("01", "04")},
    "total": {line["measure"]: _money(line) for line in _month_total(OCTOBER)},
}
UNREADABLE_ROWS = [
    ["saldo.csv", 5, "04-0002|04|202610", "04", "2026-10", "charged", "Начислено", "н/д", "'н/д' is not a number",
     "rejected"],
    ["saldo.csv", 6, "04-0003|04|202610", "04", "2026-10", "paid", "Оплачено", FORMULA_PAYMENT,
     f"{FORMULA_PAYMENT!r} is not a number", "filtered"],
]
NOTE = "1 balance row(s) have a month the control cannot read, so their money is in the lines of month \"?\": " \
       "'13.2026' (1 rows)"


def _records(name: str, location: str, records: int, read: int, entities: list[tuple], blank_rows: tuple = (),
             deleted_rows: tuple = (), comments: int = 0, lookup_of: tuple = ()) -> dict:
    """One source of summary.json's ``records``; an entity is (label, filtered, rows, rejected rows)."""
    return {"name": name, "location": location, "records": records, "read": read, "blank": len(blank_rows),
            "blank_rows": list(blank_rows), "deleted": len(deleted_rows), "deleted_rows": list(deleted_rows),
            "comments": comments, "lookup_of": list(lookup_of), "balanced": True,
            "entities": [{"entity": label, "read": read, "filtered": filtered, "without_rows": 0, "rows": rows,
                          "rejected_rows": rejected, "loaded_rows": rows - rejected}
                         for label, filtered, rows, rejected in entities]}


RECORDS = [
    _records("abonent", "abonent.csv", 5, 3, [("persons", 0, 3, 1)], blank_rows=(6,), comments=1),
    _records("lic", "lic.dbf", 5, 4, [("accounts", 0, 4, 1)], deleted_rows=(3,)),
    _records("schetchik", "schetchik.csv", 2, 2, [("meters", 0, 3, 0)]),
    _records("ulica", "ulica.csv", 4, 4, [], lookup_of=("accounts",)),
    _records("saldo", "saldo.csv", 7, 7, [("balances", 1, 6, 2)]),
]

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
    ["account", "error", "ORPHAN_PERSON", "person P-9 was rejected", "lic.dbf", 4, "01-0004", "person_key", "P-9"],
    ["balance", "error", "BAD_MONEY", "'н/д' is not a number", "saldo.csv", 5, "04-0002|04|202610", "Начислено",
     "н/д"],
    ["balance", "error", "BAD_DATE", "'13.2026' is not a month", "saldo.csv", 7, "01-0009|01|13.2026", "Период",
     "13.2026"],
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
                 "meters": {"source_rows": 3, "loaded": 3, "rejected": 0, "warnings": 0},
                 "balances": {"source_rows": 6, "loaded": 4, "rejected": 2, "warnings": 0}},
    "filtered": {"balances": 1},
    "rejects_by_rule": {"persons": {"BAD_NAME": 2}, "accounts": {"ORPHAN_PERSON": 1},
                        "balances": {"BAD_DATE": 1, "BAD_MONEY": 1}},
    "warnings_by_rule": {"persons": {"PHONE_FORMAT": 1}},
    "money": {"period": "2026-10", "measure": "closing",
              "services": {code: measures["closing"] for code, measures in MONEY_BY_MEASURE["services"].items()},
              "total": MONEY_BY_MEASURE["total"]["closing"]},
    "money_by_measure": MONEY_BY_MEASURE,
    "control": {"period": "2026-10", "lines": CONTROL_LINES, "volume": {"01": "123456789", "04": "30000"},
                "unreadable": {"rows": 1, "accepted": 1, "values": 2, "blocking": False,
                               "first": [dict(zip(UNREADABLE_COLUMNS, row)) for row in UNREADABLE_ROWS]},
                "notes": [NOTE], "falls_accepted": []},
    "records": RECORDS,
    "differences": ["money service 01 (cold_water) closing 2026-10: the source holds 1 234 567,89, but target "
                    "1 234 567,88 + rejected 0,00 (difference 0,01)",
                    "money service 01 (cold_water) closing 2026-10: the mapping read 1 234 567,89, but target "
                    "1 234 567,88 + rejected 0,00 (difference 0,01)",
                    "the legacy statement says -200,00 for service 04 (heating) closing 2026-10; the extract holds "
                    "-230,00 (difference 30,00)",
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
              "unreadable": _frames(UNREADABLE_ROWS, UNREADABLE_COLUMNS, chunk=1),
              "changes": _frames(CHANGE_ROWS, CHANGE_COLUMNS), "history": HISTORY,
              "language": "en"}  # the English workbook; test_accountant_workbook.py reads the Russian one
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
    expected = {"Control totals": "A1:M41", "Unreadable money": "A1:J3", "Differences": "A1:F5",
                "Rejects by rule": "A1:D6", "Rejects": "A1:I7", "Changes": "A1:G5"}
    assert {name: workbook[name].auto_filter.ref for name in expected} == expected
    assert {workbook[name].freeze_panes for name in expected} == {"A2"}


def test_money_is_in_roubles_with_the_difference_of_each_measure(written):
    rows = list(load_workbook(written[0])["Summary"].iter_rows())
    header = next(row for row in rows if row[0].value == "Service")
    assert [c.value for c in header[:10]] == ["Service", "Measure", "Control (raw source)", "As mapped", "Target",
                                              "Rejected", "Filtered", "Unreadable rows", "Legacy statement",
                                              "Difference"]
    closing = next(row for row in rows if [c.value for c in row[:2]] == ["cold_water", "closing"])
    assert [Decimal(str(c.value)) for c in closing[2:10]] == [
        Decimal("1234567.89"), Decimal("1234567.89"), Decimal("1234567.88"), 0, 0, 0, Decimal("1234567.89"),
        Decimal("0.01")]
    assert {c.number_format for c in closing[2:10] if c.column != 8} == {"#,##0.00"}
    heating = next(row for row in rows if [c.value for c in row[:2]] == ["heating", "closing"])
    assert [Decimal(str(c.value)) for c in heating[2:10]] == [
        Decimal("-230"), Decimal("-250"), Decimal("-300"), Decimal("50"), Decimal("20"), 0, Decimal("-200"), 0]
    charged = next(row for row in rows if [c.value for c in row[:2]] == ["total", "charged"])
    assert charged[7].value == 1  # the row whose charge is "н/д"
    # the legacy statement of heating differs, the kopeck of cold_water is a difference: both stand out
    marked = {(row[0].value, row[1].value) for row in rows
              if row[0].font.bold and row[0].fill.fgColor.rgb == "00FFC7CE"}
    assert marked == {("cold_water", "closing"), ("heating", "closing"), ("total", "closing")}


def test_the_summary_accounts_for_every_record_and_the_unreadable_money(written):
    rows = [list(row) for row in load_workbook(written[0])["Summary"].iter_rows(values_only=True)]
    top = rows.index(["Records of every source", *[None] * (len(rows[0]) - 1)])
    assert [row[:13] for row in rows[top + 1:top + 8]] == [
        ["File", "Records", "Read", "Blank", "Deleted", "Comment lines", "Not read", "Entity", "Filtered",
         "Every cell blank", "Rows", "Loaded", "Rejected"],
        ["abonent.csv", 5, 3, 1, 0, 1, "blank: row 6", "persons", 0, 0, 3, 2, 1],
        ["lic.dbf", 5, 4, 0, 1, 0, "deleted: record 3", "accounts", 0, 0, 4, 3, 1],
        ["schetchik.csv", 2, 2, 0, 0, 0, None, "meters", 0, 0, 3, 3, 0],
        ["ulica.csv", 4, 4, 0, 0, 0, None, "lookup of accounts", None, None, None, None, None],
        ["saldo.csv", 7, 7, 0, 0, 0, None, "balances", 1, 0, 6, 4, 2],
        [None] * 13]
    first = [row[0] for row in rows]
    assert first[first.index("Unreadable money") + 1] == (
        "1 row holds money nobody can read (2 values), so it is in no total: accepted by [gates] "
        "accept_unreadable_rows = 1. The sheet Unreadable money lists every value.")
    assert f"note: {NOTE}" in first[:12]


def test_the_control_totals_sheet_has_every_month_service_and_measure(written):
    sheet = load_workbook(written[0])["Control totals"]
    rows = list(sheet.iter_rows())
    assert [c.value for c in rows[0]] == ["Month", "Legacy service", "Target service", "Measure", "Rows",
                                          "Control (raw source)", "As mapped", "Target", "Rejected", "Filtered",
                                          "Unreadable rows", "Legacy statement", "Difference"]
    values = [[c.value for c in row] for row in rows[1:]]
    assert len(values) == len(CONTROL_LINES) == 40
    september, october = dt.datetime(2026, 9, 1), dt.datetime(2026, 10, 1)  # months are date cells, mm.yyyy
    assert {row[0] for row in values} == {september, october, "? (month cannot be read)"}
    assert {row[0].number_format for row in rows[1:] if row[0].value != "? (month cannot be read)"} == {"mm.yyyy"}
    heating = next(row for row in rows[1:] if [c.value for c in row[:4]] == [october, "04", "heating", "closing"])
    assert [c.value for c in heating[4:]] == [3, -230, -250, -300, 50, 20, 0, -200, 0]
    assert heating[1].data_type == "s"  # the legacy code "04" stays text, not the number 4
    assert {c.number_format for c in heating[5:10]} == {"#,##0.00"}
    assert heating[0].fill.fgColor.rgb == "00FFC7CE"  # the statement says -200,00
    total = next(row for row in rows[1:] if [c.value for c in row[:4]] == [october, "all services", None, "closing"])
    assert [c.value for c in total[4:]] == [4, 1234337.89, 1234317.89, 1234267.88, 50, 20, 0, None, 0.01]
    exact = next(row for row in rows[1:] if [c.value for c in row[:4]] == [september, "01", "cold_water", "paid"])
    assert exact[0].fill.fgColor.rgb != "00FFC7CE"
    assert sheet.freeze_panes == "A2"


def test_the_unreadable_money_sheet_lists_every_value_as_text(written):
    sheet = load_workbook(written[0])["Unreadable money"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values == [["File", "Row", "Legacy key", "Service", "Month", "Measure", "Column", "Value", "Problem",
                       "Status"], *UNREADABLE_ROWS]
    assert (sheet["H3"].value, sheet["H3"].data_type) == (FORMULA_PAYMENT, "s")
    assert sheet["D2"].data_type == "s"


def test_html_holds_the_control_of_every_month_the_unreadable_money_and_the_records(written):
    html = written[1]
    months = re.findall(r"<details( open)?><summary>(.*?)</summary>", html.split("<h2>Unreadable money</h2>")[0])
    assert months == [
        ("", "<b>2026-09</b>: 2 rows of 2 legacy service(s), 15 lines, every line exact"),
        (" open", "<b>2026-10</b>: 4 rows of 2 legacy service(s), 15 lines, <b>3 differ</b>"),
        ("", "<b>? (month cannot be read)</b>: 1 row of 1 legacy service(s), 10 lines, every line exact")]
    assert ('<tr class="differs"><td>04</td><td>heating</td><td>closing</td><td class="n">3</td>'
            '<td class="n">-230,00</td><td class="n">-250,00</td><td class="n">-300,00</td><td class="n">50,00</td>'
            '<td class="n">20,00</td><td class="n">0</td><td class="n">-200,00</td>'
            '<td class="n">0,00</td></tr>') in html
    assert ("<p>1 row holds money nobody can read (2 values), so it is in no total: accepted by [gates] "
            "accept_unreadable_rows = 1.</p>") in html
    assert "<td><code>=SUM(E2:E9)</code></td>" in html
    assert ("<li>abonent.csv: 5 records: 3 read, 1 blank (row 6), 1 comment line -&gt; persons: 3 rows: 2 loaded, "
            "1 rejected</li>") in html
    assert ("<li>schetchik.csv: 2 records: 2 read -&gt; meters: 2 records made 3 rows: 3 loaded, 0 rejected</li>"
            in html)
    assert "ulica.csv: " not in html.split("<h2>Records of every source</h2>")[1].split("<table>")[0]
    assert "<li>note: 1 balance row(s) have a month the control cannot read" in html
    assert "<h3>Closing balances, control against target + rejected, one scale</h3>" in html


def test_differences_beyond_a_sheet_continue_on_the_next(tmp_path, monkeypatch):
    monkeypatch.setattr("cutover.report.workbook.EXCEL_DATA_ROWS", 3)
    write_workbook(tmp_path / "report.xlsx", report_data())
    workbook = load_workbook(tmp_path / "report.xlsx")
    control = [f"Control totals {n}" for n in range(2, 15)]  # 40 control lines, 3 a sheet
    assert workbook.sheetnames == ["Summary", "Turnover", "Control totals", *control, "Unreadable money", "Differences",
                                   "Differences 2", "Rejects by rule", "Rejects by rule 2", "Rejects", "Rejects 2",
                                   "Changes", "Changes 2"]
    assert [workbook[name].auto_filter.ref for name in ("Differences", "Differences 2")] == ["A1:F4", "A1:F2"]


def test_html_lists_the_first_rows_and_says_how_many_more(tmp_path, monkeypatch):
    monkeypatch.setattr("cutover.report.run_html.ROW_LIMIT", 3)
    html = render_html(report_data())
    assert "1 more in report.xlsx (sheet Differences)" in html
    assert "1 more in report.xlsx (sheet Changes)" in html
    monkeypatch.setattr("cutover.report.run_html.ROW_LIMIT", 1)
    html = render_html(report_data())
    assert "1 more in report.xlsx (sheet Unreadable money)" in html
    assert FORMULA_PAYMENT not in html
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
    failed = ReportData(FAILED, history=HISTORY[:2], language="en")
    write_workbook(tmp_path / "report.xlsx", failed)
    write_html(tmp_path / "report.html", failed)
    summary = [row[0] for row in load_workbook(tmp_path / "report.xlsx")["Summary"].iter_rows(values_only=True)]
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


def test_a_summary_written_before_the_control_still_renders(tmp_path):
    old = {key: value for key, value in SUMMARY.items() if key not in ("control", "records", "money", "filtered")}
    old["money_by_measure"] = {
        "period": "2026-10",
        "services": {"heating": {"closing": {"source": "-250.00", "target": "-300.00", "rejected": "50.00"}}},
        "total": {"closing": {"source": "-250.00", "target": "-310.00", "rejected": "50.00"}}}
    data = report_data(summary=old, unreadable=_frames([], UNREADABLE_COLUMNS))
    write_workbook(tmp_path / "report.xlsx", data)
    workbook = load_workbook(tmp_path / "report.xlsx")
    rows = [list(row) for row in workbook["Summary"].iter_rows(values_only=True)]
    assert ["heating", "closing", None, -250, -300, 50, None, None, None, 0] in [row[:10] for row in rows]
    assert ["total", "closing", None, -250, -310, 50, None, None, None, 10] in [row[:10] for row in rows]
    assert "Records of every source" not in [row[0] for row in rows]
    assert workbook["Control totals"].max_row == 1
    html = render_html(data)
    assert ('<tr><td>heating</td><td>closing</td><td class="n"></td><td class="n">-250,00</td>'
            '<td class="n">-300,00</td><td class="n">50,00</td><td class="n"></td><td class="n"></td>'
            '<td class="n"></td><td class="n">0,00</td></tr>') in html
    assert "<h3>Closing balances, source against target + rejected, one scale</h3>" in html
    assert "<h2>Control totals per month</h2>" not in html and "<h2>Unreadable money</h2>" not in html


def test_the_banner_names_the_cause_and_the_share_of_rejects(tmp_path):
    html = render_html(report_data())
    assert ('<section class="banner nogo">\n<p class="verdict">NO-GO: money differences, row differences</p>\n'
            '<p class="margins">rejects 25% of 16 rows (4 rejected)</p>') in html
    gate = "30 of 1000 rows rejected (3.00%), more than the 2.00% allowed by [gates] max_reject_share"
    summary = {**SUMMARY, "differences": [], "row_differences": None, "gate_failures": [gate],
               "money_by_measure": None, "money": None, "control": None}
    html = render_html(report_data(summary=summary))
    assert '<p class="verdict">NO-GO: reject gate</p>' in html and f"<li>{gate}</li>" in html


def test_the_money_chart_has_one_axis_and_fits_1280_px_whatever_the_services():
    from cutover.report.charts import MONEY_WIDTH, ServiceBars, source_against_target

    services = [ServiceBars(f"service {n}", Decimal(10 ** n), Decimal(10 ** n) - 1, Decimal(1)) for n in range(12)]
    chart = source_against_target(services)
    assert f'width="{MONEY_WIDTH}"' in chart and MONEY_WIDTH <= 1280 - 60
    assert chart.count('text-anchor="middle"') == 6  # the ticks of the one shared axis: 0 .. 100 000 000 000
    assert "100\u00a0000\u00a0000\u00a0000" in chart
