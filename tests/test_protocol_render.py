"""protocol.xlsx and protocol.html of one small, hand-made switch.

The switch (``DATA``), 2026-10 closed and 2026-11 opened, two services:

- cold_water: legacy closing 1 234,56 = target closing = new opening; nothing rejected.
- heating: legacy closing 1 000,00, of which 50,00 rejected and accepted; the new opening is
  949,99, so one kopeck is not accounted for (difference 0,01).
- the total sums both: 2 234,56 legacy, 50,00 rejected, 2 184,55 opened, difference 0,01.
- two accepted rejects, two hashes, three steps (the last not finished), a checklist whose
  "Totals agree" check failed, two sample accounts: the first, whose legacy number is a
  formula (``=HYPERLINK(...)``), agrees; the second is not in the next month's opening.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from cutover.monthend.protocol import money_check
from cutover.monthend.protocol_data import (
    AcceptedReject,
    Check,
    CountLine,
    FileHash,
    ProtocolData,
    RecordLine,
    ServiceTotals,
    StepTiming,
    TraceLine,
    UnreadableLine,
)
from cutover.monthend.protocol_html import render_protocol_html, write_protocol_html
from cutover.monthend.protocol_workbook import verdict, write_protocol_workbook

FORMULA_ACCOUNT = '=HYPERLINK("http://x.example","1")'
SCRIPT_DETAIL = "<script>alert(1)</script>"

DATA = ProtocolData(
    system="sample_legacy", period="2026-10", next_period="2026-11", run_id="20261101-020000-monthend-abcd",
    target="postgresql://cutover:***@db/billing", legacy="/data/extract/2026-10", made_at="2026-11-01T03:15:00",
    services=[
        ServiceTotals("cold_water", "Cold water", 123456, 0, 123456, 123456),
        ServiceTotals("heating", "Heating", 100000, 5000, 100000, 94999),
        ServiceTotals("total", "Total", 223456, 5000, 223456, 218455),
    ],
    counts=[CountLine("accounts", 3, 2, 1), CountLine("meters", 5, 5, 0)],
    accepted_rejects=[AcceptedReject("accounts", "ORPHAN_PERSON", "error", 1),
                      AcceptedReject("persons", "PHONE_FORMAT", "warning", 2)],
    hashes=[FileHash("source file", "accounts.csv", "a" * 64, 3), FileHash("legacy close", "closed 2026-10", "b" * 64)],
    steps=[StepTiming("preflight", "Preflight", "done", "2026-11-01T02:00:00", "2026-11-01T02:00:05", 5.25),
           StepTiming("load", "Load the closing month", "done", "2026-11-01T02:00:05", "2026-11-01T02:10:05", 600.0),
           StepTiming("open", "Open 2026-11", "started", "2026-11-01T02:10:05", None, None)],
    checklist=[Check("Legacy month closed", True, "closed by the legacy system"),
               Check("Totals agree", False, f"heating differs by 0,01 {SCRIPT_DETAIL}")],
    traces=[TraceLine(FORMULA_ACCOUNT, "N-1", "cold_water", 123456, 123456, 123456),
            TraceLine("01-0002", "N-2", "heating", 100000, 100000, None)],
)


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    path = tmp_path_factory.mktemp("protocol") / "out" / "protocol.xlsx"
    write_protocol_workbook(path, DATA, "en")  # the labels these tests read; the Russian one: below
    return load_workbook(path)


@pytest.fixture(scope="module")
def page() -> str:
    return render_protocol_html(DATA)


def _read(value):
    """A cell's value as written: money comes back from the file as a float, compared as a Decimal."""
    return Decimal(str(value)) if isinstance(value, float) else value


def _rows(sheet) -> list[tuple]:
    return [tuple(_read(value) for value in row) for row in sheet.iter_rows(values_only=True)
            if any(value is not None for value in row)]


def _row_starting(sheet, first):
    """The cells of the first row whose first cell is ``first``."""
    for row in sheet.iter_rows():
        if row[0].value == first:
            return row
    raise AssertionError(f"no row starts with {first!r}")


def test_workbook_has_the_sheets_in_order(workbook):
    assert workbook.sheetnames == ["Protocol", "Accepted rejects", "Sample accounts", "Evidence", "Steps"]


def test_protocol_sheet_says_what_was_switched_and_the_verdict(workbook):
    sheet = workbook["Protocol"]
    assert sheet["A1"].value == "Switch protocol / Протокол переключения"
    values = {row[0]: row[1] for row in _rows(sheet)}
    assert values["System"] == "sample_legacy"
    # months and moments are date cells now (shown mm.yyyy and dd.mm.yyyy hh:mm:ss)
    assert values["Period closed"] == dt.datetime(2026, 10, 1) and values["Period opened"] == dt.datetime(2026, 11, 1)
    assert values["Run"] == "20261101-020000-monthend-abcd"
    assert "Forced past preflight" not in values
    assert "NOT ACCEPTED — 1 check(s) failed" in values


def test_control_totals_are_decimal_roubles_with_the_difference(workbook):
    sheet = workbook["Protocol"]
    header = [cell.value for cell in _row_starting(sheet, "Service code")][:7]
    assert header == ["Service code", "Service", "Legacy closing", "Rejected (accepted)", "Target closing",
                      "New opening", "Difference"]
    lines = {code: [_read(cell.value) for cell in _row_starting(sheet, code)][:7]
             for code in ("cold_water", "heating", "total")}
    assert lines["cold_water"] == ["cold_water", "Cold water", Decimal("1234.56"), Decimal("0.00"), Decimal("1234.56"),
                                   Decimal("1234.56"), Decimal("0.00")]
    assert lines["heating"] == ["heating", "Heating", Decimal("1000.00"), Decimal("50.00"), Decimal("1000.00"),
                                Decimal("949.99"), Decimal("0.01")]
    assert lines["total"] == ["total", "Total", Decimal("2234.56"), Decimal("50.00"), Decimal("2234.56"),
                              Decimal("2184.55"), Decimal("0.01")]
    assert _row_starting(sheet, "heating")[6].number_format == "#,##0.00"
    assert _row_starting(sheet, "heating")[6].fill.fgColor.rgb.endswith("FDE2E1")
    assert _row_starting(sheet, "cold_water")[6].fill.fill_type is None


def test_counts_and_checklist_with_the_failed_check_marked(workbook):
    sheet = workbook["Protocol"]
    assert [cell.value for cell in _row_starting(sheet, "accounts")][:4] == ["accounts", 3, 2, 1]
    assert [cell.value for cell in _row_starting(sheet, "Legacy month closed")][:2] == ["Legacy month closed",
                                                                                      "✔ passed"]
    failed = _row_starting(sheet, "Totals agree")
    assert failed[1].value == "✘ FAILED"
    assert failed[1].fill.fgColor.rgb.endswith("FDE2E1")


def test_signature_lines_close_the_protocol_sheet(workbook):
    sheet = workbook["Protocol"]
    for label in DATA.signatures:
        assert [cell.value for cell in _row_starting(sheet, label)][:4] == [
            label, "Name / ФИО: ____________", "Signature / Подпись: ____________", "Date / Дата: ____________"]
    assert _rows(sheet)[-1][0] == "Migration engineer / Инженер миграции"


def test_formula_like_account_stays_text_in_the_workbook(workbook):
    cell = workbook["Sample accounts"]["A2"]
    assert cell.value == FORMULA_ACCOUNT
    assert cell.data_type == "s"


def test_list_sheets(workbook):
    assert _rows(workbook["Accepted rejects"])[1:] == [("accounts", "ORPHAN_PERSON", "error", 1),
                                                      ("persons", "PHONE_FORMAT", "warning", 2)]
    assert _rows(workbook["Sample accounts"])[2] == ("01-0002", "N-2", "heating", Decimal("1000.00"),
                                                    Decimal("1000.00"), "—", "FAILED")
    assert _rows(workbook["Evidence"])[1:] == [("source file", "accounts.csv", "a" * 64, 3),
                                              ("legacy close", "closed 2026-10", "b" * 64, None)]
    steps = workbook["Steps"]
    assert _rows(steps)[1] == ("preflight", "Preflight", "done", dt.datetime(2026, 11, 1, 2, 0, 0),
                               dt.datetime(2026, 11, 1, 2, 0, 5), Decimal("5.2"))
    assert _rows(steps)[3] == ("open", "Open 2026-11", "started", dt.datetime(2026, 11, 1, 2, 10, 5), None, None)
    assert steps["F2"].number_format == "0.0"  # seconds, not a share
    for title in ("Accepted rejects", "Sample accounts", "Evidence", "Steps"):
        assert workbook[title].freeze_panes == "A2"
    assert workbook["Steps"].auto_filter.ref == "A1:F4"


def test_forced_reason_is_shown_when_set(tmp_path):
    forced = replace(DATA, forced_reason="legacy close hash unchanged", checklist=[])
    write_protocol_workbook(tmp_path / "protocol.xlsx", forced, "en")
    values = {row[0]: row[1] for row in _rows(load_workbook(tmp_path / "protocol.xlsx")["Protocol"])}
    assert values["Forced past preflight"] == "legacy close hash unchanged"
    assert "ACCEPTED — every check passed" in values
    assert "legacy close hash unchanged" in render_protocol_html(forced)


def test_html_is_one_printable_page_in_russian(page):
    assert page.startswith("<!DOCTYPE html>\n<html lang=\"ru\">")
    assert "@media print" in page and "size: A4" in page
    for external in ("<script", "<link", "src=", "http://x.example\"", "@import"):
        assert external not in page


def test_html_escapes_every_value(page):
    assert "=HYPERLINK(&quot;http://x.example&quot;,&quot;1&quot;)" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_html_shows_money_in_roubles_and_marks_what_differs(page):
    """Money is grouped by a no-break space (U+00A0): ``1 000,00`` never breaks across lines."""
    assert ('<tr class="differs"><td>heating</td><td>Heating</td><td class="n">1\u00a0000,00</td>'
            '<td class="n">50,00</td><td class="n">1\u00a0000,00</td><td class="n">949,99</td><td class="n">0,01</td>'
            '</tr>' in page)
    assert '<tr><td>cold_water</td>' in page  # no difference, no mark
    assert '<tr class="total differs"><td>total</td><td>Total</td><td class="n">2\u00a0234,56</td>' in page
    assert "1 000,00" not in page


def test_html_marks_the_failed_check_and_states_the_verdict(page):
    assert ('<section class="banner nogo">\n<p class="verdict">NOT ACCEPTED — 1 check(s) failed</p>\n'
            "<ul><li><b>Totals agree</b>: heating differs by 0,01 &lt;script&gt;alert(1)&lt;/script&gt;</li></ul>"
            in page)
    assert '<tr class="failed"><td>Totals agree</td><td>✘ FAILED</td>' in page
    assert "<tr><td>Legacy month closed</td><td>✔ passed</td>" in page


def test_html_ends_with_the_lines_to_sign(page):
    signatures = page[page.index('class="signatures"'):]
    for fact in (DATA.run_id, DATA.period, DATA.next_period, "2\u00a0234,56", "2\u00a0184,55", "0,01",
                 "NOT ACCEPTED"):
        assert fact in signatures  # what the signatures sign for is on their page
    for label in DATA.signatures:
        assert f"<b>{label}</b>" in signatures
    assert signatures.count('<span class="line"></span>') == 3 * len(DATA.signatures)
    assert signatures.rstrip().endswith("</section>\n</body></html>")


def test_write_protocol_html_creates_its_folder(tmp_path):
    path = tmp_path / "month" / "protocol.html"
    write_protocol_html(path, DATA)
    assert path.read_text(encoding="utf-8") == render_protocol_html(DATA)


# ---- what the controls add: the legacy statement, filtered and unreadable money, records ----

CONTROLLED = replace(
    DATA,
    services=[
        ServiceTotals("cold_water", "Cold water", 123456, 0, 123456, 123456, declared_closing=123456),
        ServiceTotals("heating", "Heating", 100000, 5000, 95000, 95000, filtered_closing=0, unreadable_rows=1,
                      declared_closing=100001),
        ServiceTotals("total", "Total", 223456, 5000, 218456, 218456, unreadable_rows=1, declared_closing=223457),
    ],
    records=[RecordLine("saldo.csv", 10721, 10719, 2, 0, "balances", 0, 10719, 10364, 355),
             RecordLine("ULICY.DBF", 10, 10, 0, 0, "lookup of premises", 0, 0, 0, 0)],
    unreadable=[UnreadableLine("saldo.csv", 2113, "01-001534|09|202608", "charged", "Начислено", "н/д",
                               "'н/д' is not a number")],
    unreadable_rows=1,
    notes=["accepted for this run: saldo.csv (source saldo): 300 records read, 97% fewer than the 10,719 of X"],
)


def _values(row) -> list:
    values = [cell.value for cell in row]
    while values and values[-1] is None:
        values.pop()
    return values


def test_the_legacy_statement_and_the_unreadable_rows_get_columns_only_when_there_are_some(tmp_path):
    path = tmp_path / "protocol.xlsx"
    write_protocol_workbook(path, CONTROLLED, "en")
    sheet = load_workbook(path)["Protocol"]
    assert _values(_row_starting(sheet, "Service code")) == [
        "Service code", "Service", "Legacy closing", "Legacy statement", "Rejected (accepted)", "Unreadable rows",
        "Target closing", "New opening", "Difference"]
    heating = [_read(value) for value in _values(_row_starting(sheet, "heating"))]
    assert heating == ["heating", "Heating", Decimal("1000"), Decimal("1000.01"), Decimal("50"), 1, Decimal("950"),
                       Decimal("950"), Decimal("0")]
    assert _row_starting(sheet, "heating")[0].fill.fgColor.rgb.endswith("FDE2E1")  # the statement disagrees
    plain = tmp_path / "plain.xlsx"
    write_protocol_workbook(plain, DATA, "en")
    assert _values(_row_starting(load_workbook(plain)["Protocol"], "Service code")) == [
        "Service code", "Service", "Legacy closing", "Rejected (accepted)", "Target closing", "New opening",
        "Difference"]


def test_records_per_source_and_the_accepted_unreadable_money_are_listed(tmp_path):
    path = tmp_path / "protocol.xlsx"
    write_protocol_workbook(path, CONTROLLED, "en")
    workbook = load_workbook(path)
    assert _values(_row_starting(workbook["Protocol"], "saldo.csv")) == [
        "saldo.csv", 10721, 10719, 2, 0, "balances", 0, 10719, 10364, 355]
    assert _rows(workbook["Unreadable money"]) == [
        ("File", "Row", "Legacy key", "Measure", "Column", "Value", "Problem"),
        ("saldo.csv", 2113, "01-001534|09|202608", "charged", "Начислено", "н/д", "'н/д' is not a number")]
    page = render_protocol_html(CONTROLLED)
    assert "<h2>Unreadable money accepted (1 rows)</h2>" in page and "<h2>Records per source</h2>" in page
    assert "accepted for this run: saldo.csv (source saldo): 300 records read" in page


def _summary(control: str, rejected: str, unreadable: int = 0, accepted: int = 0, declared: str | None = None) -> dict:
    line = {"source": control, "target": "900.00", "rejected": rejected, "control": control, "filtered": "0.00",
            "unreadable": unreadable, "difference": "0.00"}
    if declared is not None:
        line["declared"] = declared
    return {"money_by_measure": {"period": "2026-10", "services": {"heating": {"closing": line}},
                                 "total": {"closing": dict(line)}},
            "control": {"unreadable": {"rows": unreadable, "accepted": accepted}}}


@pytest.mark.parametrize("summary, passed, detail", [
    (_summary("1000.00", "100.00"), True, "every service and measure of 2026-10"),
    (_summary("1000.01", "100.00"), False, "differs: heating closing, total closing"),
    (_summary("1000.00", "100.00", declared="1000.01"), False, "differs: heating closing, total closing"),
    (_summary("1000.00", "100.00", unreadable=2, accepted=1), False,
     "every service and measure of 2026-10; 2 row(s) hold unreadable money, 1 accepted"),
    (_summary("1000.00", "100.00", unreadable=2, accepted=2), True,
     "every service and measure of 2026-10; 2 row(s) of unreadable money accepted, listed below"),
])
def test_the_money_check_ticks_only_when_the_raw_source_is_target_plus_rejected(summary, passed, detail):
    """The protocol cannot say ACCEPTED while control != target + rejected, while the legacy
    statement disagrees, or while unreadable money remains that the project did not accept."""
    check = money_check(summary)
    assert (check.passed, check.detail) == (passed, detail)
    assert verdict(replace(DATA, checklist=[check])) == (
        "ACCEPTED — every check passed" if passed else "NOT ACCEPTED — 1 check(s) failed")


def test_the_protocol_workbook_is_russian_by_default(tmp_path):
    write_protocol_workbook(tmp_path / "protocol.xlsx", DATA)
    workbook = load_workbook(tmp_path / "protocol.xlsx")
    assert workbook.sheetnames[:5] == ["Протокол", "Принятые отказы", "Выборочные счета", "Доказательства", "Шаги"]
    sheet = workbook["Протокол"]
    assert sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)
