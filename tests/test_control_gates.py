"""The gates the independent controls feed, on copies of the shipped sample (500 accounts):
a decimal separator set wrong for a whole column, the legacy statement, a period with no data,
an extract cut short, and a mapping that maps one target column twice.

Expected money comes from sample_data/sample_legacy/expected.json, which the generator wrote
from what it put in the files, not from the engine.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner
from openpyxl import load_workbook
from support import SAMPLE, kopecks, write_project

from cutover.cli import cli
from cutover.config import load_project
from cutover.money import kopecks_to_roubles_text
from cutover.run.dry_run import dry_run

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = json.loads((SAMPLE / "expected.json").read_text(encoding="utf-8"))
SOURCE_CLOSING = EXPECTED["money"]["total"]["source"]  # 10 016 732,03: every closing balance of 2026-10
SERVICES = {"01": "cold_water", "04": "heating"}  # legacy codes of the sample (usluga.csv) and their targets


def cutover(folder: Path, *args: str):
    return CliRunner().invoke(cli, ["--project", str(folder), *args], catch_exceptions=False)


def project(folder: Path, source: Path = SAMPLE, extra: str = "", mapping_edit: tuple[str, str] | None = None) -> Path:
    """A project reading ``source`` with the sample mapping (a copy edited by ``mapping_edit``)."""
    if mapping_edit is not None:
        mapping = folder / "mappings" / "sample_legacy"
        shutil.copytree(ROOT / "mappings" / "sample_legacy", mapping)
        balance = mapping / "entities" / "balance.toml"
        text = balance.read_text(encoding="utf-8")
        assert mapping_edit[0] in text
        balance.write_text(text.replace(*mapping_edit), encoding="utf-8")
    return write_project(folder, "sample_legacy", source, target_url=f"sqlite:///{folder / 'target.db'}",
                         extra="[gates]\naccept_unreadable_rows = 2\n" + extra)


def summary_of(folder: Path, output: str) -> dict:
    run_id = re.search(r"Run (\S+):", output).group(1)
    return json.loads((folder / "reports" / run_id / "summary.json").read_text(encoding="utf-8"))


def test_a_decimal_separator_set_wrong_for_a_whole_column_is_no_go_with_the_money_shown(tmp_path):
    """The closing balances are written 825,97; the mapping reads them with a point, so it rejects
    every balance. The control still reads every kopeck: it is rejected money, never 0 = 0 + 0."""
    folder = project(tmp_path, mapping_edit=('from = "СальдоИсх"\ntransforms = ["money"]',
                                             'from = "СальдоИсх"\ntransforms = [{ name = "money", decimal = "." }]'))
    result = cutover(folder, "dry-run")
    assert result.exit_code == 1
    summary = summary_of(folder, result.output)
    total = summary["money"]["total"]
    assert {key: kopecks(total[key]) for key in ("control", "source", "target", "rejected", "difference")} == {
        "control": SOURCE_CLOSING, "source": 0, "target": 0, "rejected": SOURCE_CLOSING, "difference": 0}
    assert summary["entities"]["balances"]["loaded"] == 0
    assert summary["rejects_by_rule"]["balances"]["BAD_MONEY"] == 10_719
    assert (f"rejected balances of 2026-10 hold {kopecks_to_roubles_text(_absolute_closing())} of "
            f"{kopecks_to_roubles_text(_absolute_closing())} roubles (100.00%, debts and prepayments alike), more "
            f"than the 5.00% allowed by [gates] max_rejected_money_share") in summary["gate_failures"]
    assert f"control {kopecks_to_roubles_text(SOURCE_CLOSING)} = target 0,00" in result.output


def _absolute_closing() -> int:
    """Debts and prepayments of 2026-10 alike, read from saldo.csv here (cp1251, ';', decimal comma)."""
    total = 0
    lines = (SAMPLE / "saldo.csv").read_bytes().decode("cp1251").splitlines()
    header = lines[0].split(";")
    for line in lines[1:]:
        fields = line.split(";")
        if len(fields) == len(header) and fields[0] == "202610":
            closing = fields[header.index("СальдоИсх")].replace(" ", "").replace("\u00a0", "").replace(",", ".")
            total += abs(int(Decimal(closing) * 100)) if closing else 0
    return total


def declared(period: str, service: str, closing: int) -> str:
    return (f'[[declared.totals]]\nperiod = "{period}"\nservice = "{service}"\n'
            f'closing = "{kopecks_to_roubles_text(closing)}"\n')


def test_a_legacy_statement_one_kopeck_off_is_a_difference_named_in_every_report(tmp_path):
    """The statement gives the month's total closing one kopeck off, and heating's to the kopeck:
    the total is a difference named in summary.json, report.xlsx, report.html and the console;
    heating agrees and is no difference (a statement agreeing everywhere reconciles: see the query
    test below)."""
    heating = EXPECTED["money"]["services"]["heating"]["source"]
    folder = project(tmp_path, extra=declared("2026-10", "*", SOURCE_CLOSING + 1) + declared("2026-10", "04", heating))
    result = cutover(folder, "dry-run")
    assert result.exit_code == 1
    said = (f"the legacy statement says {kopecks_to_roubles_text(SOURCE_CLOSING + 1)} for all services closing "
            f"2026-10; the extract holds {kopecks_to_roubles_text(SOURCE_CLOSING)} (difference 0,01)")
    summary = summary_of(folder, result.output)
    assert summary["differences"] == [said]
    assert kopecks(summary["money"]["total"]["declared"]) == SOURCE_CLOSING + 1
    assert kopecks(summary["money"]["services"]["heating"]["declared"]) == heating
    lines = {(line["service"], line["measure"]): line for line in summary["control"]["lines"]
             if line["period"] == "2026-10"}
    assert kopecks(lines[("04", "closing")]["declared"]) == heating and lines[("04", "opening")]["declared"] is None
    report = folder / "reports" / summary["run_id"]
    cells = [cell.value for row in load_workbook(report / "report.xlsx")["Сводка"].iter_rows() for cell in row]
    assert said in cells
    assert said.replace("'", "&#x27;") in (report / "report.html").read_text(encoding="utf-8")
    assert said in result.output


def test_a_period_with_no_balances_is_refused_by_check_and_no_go_in_a_dry_run(tmp_path):
    folder = project(tmp_path)
    toml = folder / "cutover.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('period = "2026-10"', 'period = "2026-11"'),
                    encoding="utf-8")
    checked = cutover(folder, "check")
    assert checked.exit_code == 2
    assert ("! the extract holds no balances of 2026-11 ([project] period in cutover.toml): the balances cover "
            "2026-08..2026-10") in checked.output
    ran = cutover(folder, "dry-run")
    assert ran.exit_code == 1
    assert "the extract holds no balances of 2026-11; the balances cover 2026-08..2026-10" in \
        summary_of(folder, ran.output)["gate_failures"]


def _saldo_lines() -> list[str]:
    return (SAMPLE / "saldo.csv").read_bytes().decode("cp1251").split("\r\n")


def test_a_balance_file_cut_short_is_no_go_unless_the_run_accepts_the_fall(tmp_path):
    """After a good run, saldo.csv is replaced by its header alone, then by its first 301 lines
    (300 balances, all of 2026-08: the file lists the months in order): NO-GO both times, naming
    the source and the fall. A smaller extract that still covers every month (every tenth
    balance) is GO when the run says the extract really shrank (--accept-fall), the falls of the
    source and of every service then listed as accepted."""
    source = tmp_path / "extract"
    shutil.copytree(SAMPLE, source)
    folder = project(tmp_path / "project", source)
    good = cutover(folder, "dry-run", "--quiet")
    assert good.exit_code == 0, good.output
    good_run = good.output.split()[0]
    lines = _saldo_lines()

    def fell(records: int, share: str) -> str:
        return (f"saldo.csv (source saldo): {records:,} records read, {share} fewer than the 10,719 of {good_run}, "
                f"the last run that reconciled; if the extract really shrank, run again with --accept-fall")

    (source / "saldo.csv").write_bytes((lines[0] + "\r\n").encode("cp1251"))
    header_only = cutover(folder, "dry-run")
    assert header_only.exit_code == 1
    failures = summary_of(folder, header_only.output)["gate_failures"]
    assert fell(0, "100%") in failures
    assert ("balances: the mapping maps balance and saldo.csv holds no records: an entity with no rows is not a "
            "migration") in failures

    (source / "saldo.csv").write_bytes(("\r\n".join(lines[:301]) + "\r\n").encode("cp1251"))
    cut = cutover(folder, "dry-run")
    assert cut.exit_code == 1
    failures = summary_of(folder, cut.output)["gate_failures"]
    assert fell(300, "97%") in failures
    assert "the extract holds no balances of 2026-10; the balances cover 2026-08" in failures

    data = [line for line in lines[1:] if line.strip(";")]
    smaller = [lines[0], *data[::10]]
    (source / "saldo.csv").write_bytes(("\r\n".join(smaller) + "\r\n").encode("cp1251"))
    accepted = cutover(folder, "dry-run", "--accept-fall")
    assert accepted.exit_code == 0, accepted.output
    summary = summary_of(folder, accepted.output)
    assert summary["gate_failures"] == []
    assert fell(len(smaller) - 1, "90%").removesuffix("; if the extract really shrank, run again with --accept-fall") \
        in summary["control"]["falls_accepted"]
    assert any(f.startswith("service 01: closing balances of 2026-10 hold ") for f in
               summary["control"]["falls_accepted"])
    assert "accepted: saldo.csv (source saldo)" in accepted.output


def test_a_target_column_mapped_twice_is_refused_naming_the_file_and_the_key(tmp_path):
    folder = project(tmp_path, mapping_edit=('to = "closing_kopecks"\nfrom = "СальдоИсх"',
                                             'to = "opening_kopecks"\nfrom = "СальдоИсх"'))
    for command in ("check", "dry-run"):
        result = cutover(folder, command)
        assert result.exit_code == 2
        assert result.output == (f"Error: {folder / 'mappings' / 'sample_legacy' / 'entities' / 'balance.toml'}: "
                                 f"columns[5].to: target column 'opening_kopecks' is already mapped by columns[1]; "
                                 f"map each target column once\n")


def test_check_prints_the_control_totals_of_every_month_and_service(tmp_path):
    result = cutover(project(tmp_path), "check")
    lines = result.output.splitlines()
    heading = next(i for i, line in enumerate(lines) if line.startswith("Control totals of the balances"))
    assert lines[heading + 1].split() == ["month", "service", "rows", "opening", "charged", "recalculated", "paid",
                                          "closing", "unreadable"]
    total = next(line for line in lines if line.startswith("  2026-10 * total"))
    assert kopecks_to_roubles_text(SOURCE_CLOSING) in total
    heating = next(line for line in lines if line.startswith("  2026-10 * 04 "))
    assert kopecks_to_roubles_text(EXPECTED["money"]["services"]["heating"]["source"]) in heating


def _statement_table(legacy: Path, off_by: int = 0) -> int:
    """The legacy system's turnover statement as a table of its own (amounts as text, in roubles),
    summed here from the legacy rows themselves; the first service's closing of 202610 is
    ``off_by`` kopecks off."""
    with sqlite3.connect(legacy) as connection:
        sums = connection.execute(
            "SELECT s.period, s.usluga_kod, SUM(s.vh_kop), SUM(s.ish_kop) FROM saldo s JOIN period p ON "
            "p.period = s.period WHERE p.zakryt = 1 GROUP BY s.period, s.usluga_kod ORDER BY 1, 2").fetchall()
        connection.execute("CREATE TABLE osv (mesyac TEXT, usluga TEXT, pokazatel TEXT, summa TEXT)")
        first = min(service for period, service, _, _ in sums if period == 202610)
        for period, service, opening, closing in sums:
            closing += off_by if (period, service) == (202610, first) else 0
            for measure, kopecks in (("opening", opening), ("closing", closing)):
                connection.execute("INSERT INTO osv VALUES (?, ?, ?, ?)",
                                   (str(period), str(service), measure, kopecks_to_roubles_text(kopecks)))
    return 2 * len(sums)


QUERY = ('[declared]\nquery = "SELECT mesyac AS period, usluga AS service, pokazatel AS measure, summa AS amount '
         'FROM osv"\n')


def test_a_legacy_statement_read_by_a_query_on_the_legacy_database(tmp_path):
    for off_by, status in ((0, "reconciled"), (1, "differences")):
        source = tmp_path / f"legacy-{off_by}"
        shutil.copytree(ROOT / "sample_data" / "sql_legacy", source)
        amounts = _statement_table(source / "legacy.db", off_by)
        folder = write_project(tmp_path / f"project-{off_by}", "sql_legacy", source,
                               target_url=f"sqlite:///{tmp_path / f'target-{off_by}.db'}", extra=QUERY)
        result = dry_run(load_project(folder))
        assert result.status == status, result.summary["differences"]
        declared_lines = [line for line in result.summary["control"]["lines"] if line["declared"] is not None]
        assert len(declared_lines) == amounts == 60  # three months, ten legacy services, two measures
    assert result.summary["differences"] == [
        next(d for d in result.summary["differences"] if d.startswith("the legacy statement says ")),
    ]
    said = result.summary["differences"][0]
    assert re.fullmatch(r"the legacy statement says [\d ]+,\d\d for service 1 \(cold_water\) closing 2026-10; the "
                        r"extract holds [\d ]+,\d\d \(difference 0,01\)", said), said


def test_check_names_amounts_only_cutovers_own_reader_reads_and_what_would_read_them(tmp_path):
    """gis_excel's workbook has two Начислено cells typed as text with a decimal comma (dirt D3)
    in a column of number cells the mapping reads with a point; a copy of the sample mapping read
    with a point everywhere rejects every closing balance, written with a comma."""
    gis = write_project(tmp_path / "gis", "gis_excel", ROOT / "sample_data" / "gis_excel")
    result = cutover(gis, "check")
    assert result.exit_code == 1
    warning = next(line for line in result.output.splitlines() if "columns[2] (Начислено, money)" in line)
    assert warning.endswith(": 2 row(s), e.g. row 419 '426,46', row 1130 '3118,04'; they use ',' as the decimal point "
                            "where the column's other values use '.': no one decimal setting reads the whole column; "
                            "correct these values in the source, or their rows stay rejected (their money is counted "
                            "as rejected)")
    wrong = project(tmp_path / "sample", mapping_edit=('from = "СальдоИсх"\ntransforms = ["money"]',
                                                        'from = "СальдоИсх"\ntransforms = [{ name = "money", '
                                                        'decimal = "." }]'))
    result = cutover(wrong, "check")
    assert result.exit_code == 1
    assert "columns[5] (СальдоИсх, money): 10719 row(s), e.g. row 2 '825,97'" in result.output
    assert "they use ',' as the decimal point: set decimal = \",\" on this transform" in result.output


def test_a_total_line_the_filter_leaves_out_is_filtered_money_not_money_left_behind(tmp_path):
    """The legacy program ends saldo.csv with its own total of October's closing balances (a row
    with no account and no service); the mapping's filter keeps only rows of the nine service
    codes. The total line is filtered money of 2026-10, named in a note, and no share of the
    migrated money: the run stays GO."""
    source = tmp_path / "extract"
    shutil.copytree(SAMPLE, source)
    lines = _saldo_lines()
    total = kopecks_to_roubles_text(SOURCE_CLOSING).replace(" ", "")
    (source / "saldo.csv").write_bytes(("\r\n".join([*lines[:-1], f"202610;ИТОГО;;;;;;{total}", ""])).encode("cp1251"))
    codes = '", "'.join(["01", "02", "03", "04", "05", "07", "08", "09", "12"])
    folder = project(tmp_path / "project", source, mapping_edit=(
        '[[columns]]\nto = "period"', f'[filter]\n"КодУсл" = ["{codes}"]\n\n[[columns]]\nto = "period"'))
    result = cutover(folder, "dry-run")
    assert result.exit_code == 0, result.output
    summary = summary_of(folder, result.output)
    total_line = summary["money"]["total"]
    assert {key: kopecks(total_line[key]) for key in ("control", "source", "filtered", "difference")} == {
        "control": 2 * SOURCE_CLOSING, "source": SOURCE_CLOSING, "filtered": SOURCE_CLOSING, "difference": 0}
    assert (f"1 balance row(s) of 2026-10 holding {kopecks_to_roubles_text(SOURCE_CLOSING)} roubles (debts and "
            f"prepayments alike) are left out by the filter of balance.toml: not migrated, in the Filtered column") \
        in summary["control"]["notes"]
