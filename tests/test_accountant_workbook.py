"""report.xlsx as the accountants who sign the switch read it, and the account map for payment agents.

One dry run of the shipped sample_legacy into SQLite (the session's ``shipped_run``) gives the
workbook: Russian by default (sheet names, headers, the services by the names the target's service
table holds), a turnover sheet whose SUBTOTAL row adds up exactly the service rows to the summary's
kopecks, numbers as numbers in ``#,##0`` / ``#,##0.00``, dates as dates, frozen headers, filters and
an A4 landscape page setup on every sheet. ``[report] language = "en"`` gives English.

The sample's legacy account numbers begin with a zero (``01-000001``, ``02-001612``): keymap.csv
(``;``, UTF-8 with a BOM) and keymap.xlsx (text cells) keep it.
"""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from support import query

from cutover.config import load_project
from cutover.errors import ConfigError
from cutover.money import kopecks_to_decimal
from cutover.report.data import ReportData
from cutover.report.keymap import export_keymap
from cutover.report.turnover import SIDES
from cutover.report.words import MEASURES
from cutover.report.workbook import write_workbook
from cutover.target import db

SHEETS_RU = ["Сводка", "Оборотно-сальдовая ведомость", "Контрольные суммы", "Нечитаемые суммы", "Расхождения",
             "Отказы по правилам", "Отказы", "Изменения"]
SHEETS_EN = ["Summary", "Turnover", "Control totals", "Unreadable money", "Differences", "Rejects by rule", "Rejects",
             "Changes"]
TURNOVER_HEADER_RU = ["Код услуги", "Услуга"] + [
    f"{side}: {measure}" for side in ("Источник", "Новая система", "Отклонено")
    for measure in ("сальдо на начало", "начислено", "перерасчёт", "оплачено", "сальдо на конец")]


@pytest.fixture(scope="module")
def run(shipped_run):
    """The sample's dry run: (its result, the target's URL, report.xlsx opened)."""
    result, url = shipped_run("sample_legacy")
    return result, url, load_workbook(result.report_dir / "report.xlsx")


def test_sheet_names_and_headers_are_russian(run):
    workbook = run[2]
    assert workbook.sheetnames == SHEETS_RU
    assert [c.value for c in workbook["Отказы"][1]] == [
        "Важность", "Сущность", "Правило", "Сообщение", "Файл", "Строка файла", "Ключ в старой системе", "Колонка",
        "Значение"]
    assert [c.value for c in workbook["Оборотно-сальдовая ведомость"][2]] == TURNOVER_HEADER_RU
    assert workbook["Контрольные суммы"]["C1"].value == "Услуга"
    assert {row[0] for row in workbook["Отказы"].iter_rows(min_row=2, values_only=True)} <= {"отказ", "предупреждение"}


def test_the_turnover_sheet_names_every_service_as_the_target_does(run):
    result, url, workbook = run
    names = dict(query(url, "SELECT code, name FROM service"))
    services = list(result.run_summary.money.services)
    sheet = workbook["Оборотно-сальдовая ведомость"]
    assert sheet["A1"].value == f"Оборотно-сальдовая ведомость за {result.run_summary.period}, руб."
    rows = [row[:2] for row in sheet.iter_rows(min_row=3, max_row=2 + len(services), values_only=True)]
    # a legacy service the mapping sends to no target service keeps its code (legacy:12)
    assert rows == [(code, names.get(code, code)) for code in services]
    named = [name for code, name in rows if code in names]
    assert len(named) == len(names) > 1 and all(any("а" <= letter <= "я" for letter in name.lower()) for name in named)


def test_the_turnover_totals_are_subtotals_of_exactly_the_service_rows_and_equal_the_summary(run):
    result, _, workbook = run
    money = result.run_summary.money
    sheet = workbook["Оборотно-сальдовая ведомость"]
    first, last = 3, 2 + len(money.services)
    assert sheet.max_row == last + 1 and sheet[f"B{last + 1}"].value == "Итого"
    assert sheet.auto_filter.ref == f"A2:Q{last}"  # the totals row is outside the filter
    assert sheet.freeze_panes == "C3" and sheet.print_title_rows == "$1:$2"
    column = 3
    for side in SIDES:
        for measure in MEASURES:
            letter = get_column_letter(column)
            assert sheet[f"{letter}{last + 1}"].value == f"=SUBTOTAL(9,{letter}{first}:{letter}{last})"
            cells = [sheet[f"{letter}{row}"] for row in range(first, last + 1)]
            assert all(isinstance(c.value, (int, float)) and c.number_format == "#,##0.00" for c in cells)
            added = sum(Decimal(str(c.value)) for c in cells)  # what the SUBTOTAL adds up, exactly
            assert added == kopecks_to_decimal(getattr(money.total[measure], side)), (side, measure)
            column += 1
    assert column == 18  # Q: 2 + 3 sides x 5 measures


def test_numbers_dates_frozen_headers_filters_and_page_setup_on_every_sheet(run):
    result, _, workbook = run
    for sheet in workbook:
        assert sheet.page_setup.orientation == "landscape", sheet.title
        assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4) == 9
        assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
        assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
        assert sheet.print_title_rows in ("$1:$1", "$1:$2")
        assert sheet.freeze_panes is not None
        # the Summary is a document of small tables: no filter across them (see write_workbook)
        assert (sheet.auto_filter.ref is None) == (sheet.title == "Сводка"), sheet.title
    summary = {row[0].value: row for row in workbook["Сводка"].iter_rows() if row[0].value}
    started = summary["Начало"][1]
    assert started.value == dt.datetime.fromisoformat(result.run_summary.started_at)
    assert started.number_format == "dd.mm.yyyy hh:mm:ss"
    assert summary["Период"][1].value == dt.datetime(*map(int, result.run_summary.period.split("-")), 1)
    assert summary["Период"][1].number_format == "mm.yyyy"
    accounts = next(row for row in workbook["Сводка"].iter_rows() if row[0].value == "accounts")  # the counts
    counts = result.run_summary.entities["accounts"]
    assert [c.value for c in accounts[1:5]] == [counts.source_rows, counts.loaded, counts.rejected, counts.warnings]
    assert {c.number_format for c in accounts[1:5]} == {"#,##0"}
    rules = workbook["Отказы по правилам"]
    assert {row[3].number_format for row in rules.iter_rows(min_row=2)} == {"#,##0"}


def test_english_when_the_project_says_so(run, tmp_path):
    result = run[0]
    write_workbook(tmp_path / "report.xlsx", ReportData(result.summary, language="en"))
    workbook = load_workbook(tmp_path / "report.xlsx")
    assert workbook.sheetnames == SHEETS_EN
    assert workbook["Turnover"]["C2"].value == "Source: opening"
    assert workbook["Turnover"]["B3"].value == next(iter(result.run_summary.money.services))  # no names given


def _project(tmp_path, report: str):
    (tmp_path / "cutover.toml").write_text(
        f'[project]\nmapping = "sample_legacy"\nsource_dir = "."\nperiod = "2026-10"\n{report}', encoding="utf-8")
    return load_project(tmp_path)


def test_the_report_language_is_russian_unless_set_and_nothing_else_is_taken(tmp_path):
    assert _project(tmp_path, "").report_language == "ru"
    assert _project(tmp_path, '[report]\nlanguage = "en"\n').report_language == "en"
    with pytest.raises(ConfigError) as refused:
        _project(tmp_path, '[report]\nlanguage = "de"\n')
    assert str(refused.value) == (f'{tmp_path / "cutover.toml"}: [report] language must be "ru" (Russian, the default) '
                                  "or \"en\" (English); got 'de'")


def test_keymap_csv_and_xlsx_keep_the_leading_zeros(run, tmp_path):
    _, url, _ = run
    expected = [tuple(row) for row in query(url, "SELECT legacy_account_number, account_number FROM account "
                                                 "ORDER BY legacy_account_number")]
    assert expected[0][0].startswith("0")  # the sample's first legacy account numbers begin with 0
    engine = db.create_target_engine(url)
    try:
        assert export_keymap(engine, tmp_path / "keymap.csv") == len(expected)  # .csv: the format of the suffix
        assert export_keymap(engine, tmp_path / "keymap.xlsx") == len(expected)
    finally:
        engine.dispose()
    assert (tmp_path / "keymap.csv").read_bytes()[:3] == b"\xef\xbb\xbf"
    with (tmp_path / "keymap.csv").open(encoding="utf-8-sig", newline="") as written:
        rows = list(csv.reader(written, delimiter=";"))
    assert rows[0] == ["legacy_account_number", "account_number"]
    assert [tuple(row) for row in rows[1:]] == expected
    sheet = load_workbook(tmp_path / "keymap.xlsx")["Account map"]
    cells = list(sheet.iter_rows(min_row=2))
    assert [(a.value, b.value) for a, b in cells] == expected
    assert {c.data_type for row in cells for c in row} == {"s"}
    assert sheet.auto_filter.ref == f"A1:B{len(expected) + 1}" and sheet.page_setup.orientation == "landscape"
