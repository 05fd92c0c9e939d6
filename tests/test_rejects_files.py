"""rejects.csv and rejects.parquet beside report.xlsx, past ``[project] rejects_in_workbook``.

The committed sample (sample_data/sample_legacy) has 695 reject rows (rejects and warnings) in
21 rules; two of them have more than the 100 rows the Rejects sheet keeps of a rule then:
balances PARENT_REJECTED (303 rows) and readings PARENT_REJECTED (276), so a cut sheet holds
695 - 203 - 176 = 316 rows. Its DUPLICATE_KEY messages hold a ``;`` ("... occurs 2 times; none
of them is loaded"), the CSV's separator. With ``rejects_in_workbook = 5`` the files are
written; with the default (10,000) they are not.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from support import SAMPLE, query, write_project

from cutover.cli import cli
from cutover.config import load_project
from cutover.report.data import REJECT_COLUMNS, RejectFiles, ReportData
from cutover.report.paths import shown
from cutover.report.reject_files import write_reject_files
from cutover.report.workbook import SHEET_COLUMNS, SHEET_HEADER, write_workbook
from cutover.run.dry_run import dry_run

SAMPLE_REJECTS = 695  # reject rows of the sample's run: rejects and warnings
CUT_SHEET_ROWS = 316  # the first 100 of each rule
BOM = b"\xef\xbb\xbf"
HEADER_LINE = "Severity;Entity;Rule;Message;File;Row;Legacy key;Column;Value\r\n"
NOTE = (f"{SAMPLE_REJECTS:,} rejects and warnings: the sheet Rejects shows the first 100 of each rule; "
        "every one is in rejects.csv (for Excel) and rejects.parquet beside this workbook.")


def sample_project(folder: Path, setting: str = "") -> Path:
    """A project of the committed sample into SQLite ``folder/target.db``, ``setting`` a line of [project];
    its workbook in English (the sheets' names these tests read: test_accountant_workbook.py reads the Russian)."""
    write_project(folder, "sample_legacy", SAMPLE, target_url=f"sqlite:///{folder / 'target.db'}",
                  extra='[report]\nlanguage = "en"\n')
    toml = folder / "cutover.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("[project]\n", f"[project]\n{setting}"),
                    encoding="utf-8")
    return folder


def target_rejects(url: str, run_id: str) -> list[list[str]]:
    """Every reject row of the run as the target holds it, as the CSV's text, in the sheet's columns."""
    columns = ", ".join(SHEET_COLUMNS)
    rows = query(url, f"SELECT {columns} FROM reject WHERE run_id = :run "
                      "ORDER BY severity, entity, rule, row_number, id", run=run_id)
    return [["" if value is None else str(value) for value in row] for row in rows]


def read_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as text:
        return list(csv.reader(text, delimiter=";"))


def sheet_rows(path: Path, title: str = "Rejects") -> list[tuple]:
    workbook = load_workbook(path, read_only=True)
    try:
        return list(workbook[title].iter_rows(min_row=2, values_only=True))
    finally:
        workbook.close()


def summary_texts(path: Path, title: str = "Summary") -> list[str]:
    workbook = load_workbook(path, read_only=True)
    try:
        return [str(row[0]) for row in workbook[title].iter_rows(values_only=True) if row and row[0]]
    finally:
        workbook.close()


@pytest.fixture(scope="module")
def cut_run(tmp_path_factory):
    """The sample dry-run with ``rejects_in_workbook = 5``: (the run's result, the target's URL)."""
    folder = sample_project(tmp_path_factory.mktemp("cut"), "rejects_in_workbook = 5\n")
    return dry_run(load_project(folder)), f"sqlite:///{folder / 'target.db'}"


def test_the_csv_holds_every_reject_for_excel(cut_run):
    result, url = cut_run
    path = result.report_dir / "rejects.csv"
    raw = path.read_bytes()
    assert raw.startswith(BOM + HEADER_LINE.encode("utf-8"))
    assert raw.decode("utf-8-sig").count("\r\n") == SAMPLE_REJECTS + 1  # no message holds a line break
    rows = read_csv(path)
    assert rows[0] == SHEET_HEADER
    expected = target_rejects(url, result.run_id)
    assert len(expected) == SAMPLE_REJECTS
    assert rows[1:] == expected  # every row, every value as text, in the target's order
    # The summary counts items per rule (a row with two problems under one rule once); the sample has none such.
    counted = sum(n for by_rule in (result.summary["rejects_by_rule"], result.summary["warnings_by_rule"])
                  for rules in by_rule.values() for n in rules.values())
    assert counted == len(rows) - 1 == SAMPLE_REJECTS


def test_a_value_holding_the_separator_is_quoted_and_reads_back(cut_run):
    result, _ = cut_run
    text = (result.report_dir / "rejects.csv").read_bytes().decode("utf-8-sig")
    line = next(line for line in text.split("\r\n") if line.startswith("error;account;DUPLICATE_KEY;"))
    assert line == ("error;account;DUPLICATE_KEY;\"legacy key '02-001622' occurs 2 times; none of them is loaded\";"
                    "abonent.csv;22;02-001622;ЛС;02-001622")
    assert next(csv.reader([line], delimiter=";"))[3] == "legacy key '02-001622' occurs 2 times; none of them is loaded"


def test_the_parquet_holds_every_reject_with_the_reject_tables_columns(cut_run):
    result, url = cut_run
    table = pq.read_table(result.report_dir / "rejects.parquet")
    assert table.num_rows == SAMPLE_REJECTS
    assert table.schema.names == REJECT_COLUMNS
    assert {str(table.schema.field(name).type) for name in REJECT_COLUMNS if name != "row_number"} == {"string"}
    assert table.schema.field("row_number").type == pa.int64()
    frame = table.to_pandas()
    assert [["" if pd.isna(v) else str(v) for v in row]
            for row in frame[SHEET_COLUMNS].itertuples(index=False, name=None)] == target_rejects(url, result.run_id)


def test_the_rejects_sheet_keeps_the_first_100_of_every_rule_and_the_summary_says_where_the_rest_are(cut_run):
    result, url = cut_run
    rows = sheet_rows(result.report_dir / "report.xlsx")
    per_rule = Counter((row[0], row[1], row[2]) for row in rows)
    in_target = {(severity, entity, rule): n for severity, entity, rule, n in
                 query(url, "SELECT severity, entity, rule, COUNT(*) FROM reject WHERE run_id = :run "
                            "GROUP BY severity, entity, rule", run=result.run_id)}
    assert dict(per_rule) == {rule: min(n, 100) for rule, n in in_target.items()}
    assert len(in_target) == 21 and len(rows) == CUT_SHEET_ROWS
    assert in_target[("error", "balance", "PARENT_REJECTED")] == 303
    assert in_target[("error", "reading", "PARENT_REJECTED")] == 276
    rule = ("error", "balance", "PARENT_REJECTED")
    first = [values for values in target_rejects(url, result.run_id) if tuple(values[:3]) == rule]
    shown = [["" if v is None else str(v) for v in row] for row in rows if row[:3] == rule]
    assert shown == first[:100]  # the first rows, in the order they come
    texts = summary_texts(result.report_dir / "report.xlsx")
    assert texts.count(NOTE) == 1
    assert texts.index(NOTE) > texts.index("Rejects by rule")
    assert sum(row[3] for row in sheet_rows(result.report_dir / "report.xlsx", "Rejects by rule")) == SAMPLE_REJECTS


def test_the_page_links_the_csv(cut_run):
    result, _ = cut_run
    page = (result.report_dir / "report.html").read_text(encoding="utf-8")
    assert (f'<p>{SAMPLE_REJECTS} rejects and warnings: every one is in <a href="rejects.csv">rejects.csv</a> '
            "(or rejects.parquet) beside this page; the sheet Rejects of report.xlsx shows the first 100 of each "
            "rule.</p>") in page
    assert '283 more in <a href="rejects.csv">rejects.csv</a> (or rejects.parquet).' in page  # 303 - 20 shown
    assert not list(result.report_dir.glob("*.tmp"))


def test_with_the_default_setting_no_files_are_written_and_the_sheet_lists_every_reject(shipped_run, tmp_path):
    result, url = shipped_run("sample_legacy")  # a project of the sample without the setting
    assert load_project(sample_project(tmp_path)).rejects_in_workbook == 10_000
    assert not (result.report_dir / "rejects.csv").exists()
    assert not (result.report_dir / "rejects.parquet").exists()
    rows = sheet_rows(result.report_dir / "report.xlsx", "Отказы")  # the session's run: the Russian workbook
    severity = {"error": "отказ", "warning": "предупреждение"}
    assert [["" if v is None else str(v) for v in row] for row in rows] == [
        [severity[row[0]], *row[1:]] for row in target_rejects(url, result.run_id)]
    assert len(rows) == SAMPLE_REJECTS
    assert not [text for text in summary_texts(result.report_dir / "report.xlsx", "Сводка") if "rejects.csv" in text]
    assert "rejects.csv" not in (result.report_dir / "report.html").read_text(encoding="utf-8")


def test_reconciling_at_a_higher_setting_removes_the_files_and_below_it_writes_them_again(tmp_path):
    folder = sample_project(tmp_path, "rejects_in_workbook = 5\n")
    toml = folder / "cutover.toml"

    def run(*args: str):
        return CliRunner().invoke(cli, ["--project", str(folder), *args], catch_exceptions=False)

    def set_to(value: int) -> None:
        text = toml.read_text(encoding="utf-8")
        toml.write_text("\n".join(f"rejects_in_workbook = {value}" if line.startswith("rejects_in_workbook")
                                  else line for line in text.split("\n")), encoding="utf-8")

    done = run("dry-run")
    assert done.exit_code == 0
    report_dir = next(path for path in (folder / "reports").iterdir() if path.is_dir())  # not index.html
    files = (report_dir / "rejects.csv", report_dir / "rejects.parquet")
    assert all(path.is_file() for path in files)
    told = f"Rejects: {shown(files[0])} (every one; the sheet Rejects has the first 100 of each rule)"
    assert told in done.stdout.splitlines()
    set_to(SAMPLE_REJECTS)  # at the setting: the sheet lists every one
    done = run("reconcile")
    assert done.exit_code == 0
    assert not any(path.exists() for path in files)
    assert "Report:  " in done.stdout and "Rejects:" not in done.stdout
    assert len(sheet_rows(report_dir / "report.xlsx")) == SAMPLE_REJECTS
    set_to(SAMPLE_REJECTS - 1)  # one above it: the files again
    assert run("reconcile").exit_code == 0
    assert len(read_csv(files[0])) == SAMPLE_REJECTS + 1
    assert pq.read_metadata(files[1]).num_rows == SAMPLE_REJECTS
    assert len(sheet_rows(report_dir / "report.xlsx")) == CUT_SHEET_ROWS
    assert not list(report_dir.glob("*.tmp"))


@pytest.mark.parametrize("value, shown", [("0", "0"), ("-3", "-3"), ('"many"', "'many'"), ("true", "True"),
                                          ("2.5", "2.5")])
def test_a_setting_that_is_no_whole_number_above_0_exits_2(tmp_path, value, shown):
    folder = sample_project(tmp_path, f"rejects_in_workbook = {value}\n")
    result = CliRunner().invoke(cli, ["--project", str(folder), "dry-run"], catch_exceptions=False)
    assert result.exit_code == 2
    assert result.stderr == (f"Error: {folder / 'cutover.toml'}: [project] rejects_in_workbook must be a whole "
                             f"number of rows above 0, got {shown}\n")


REJECT = {"entity": "person", "severity": "error", "rule": "BAD_NAME", "message": 'name "Иванов; И." is odd',
          "source": "abonent.csv", "row_number": 7, "legacy_key": "01-7", "column_name": "ФИО",
          "raw_value": 'Иванов; "И."\r\nвторая строка'}


def frames(*rows: dict) -> list[pd.DataFrame]:
    """One frame per row: a rule's rows span frames as a target's chunks do."""
    return [pd.DataFrame([row], columns=REJECT_COLUMNS) for row in rows]


def test_quotes_separators_and_line_breaks_read_back_exactly(tmp_path):
    rows = [REJECT, {**REJECT, "row_number": None, "legacy_key": None, "raw_value": "=1+1"}]
    files = write_reject_files(tmp_path, ReportData({}, rejects=lambda: iter(frames(*rows))), 1)
    assert files == RejectFiles(2)
    assert read_csv(tmp_path / "rejects.csv")[1:] == [
        ["error", "person", "BAD_NAME", 'name "Иванов; И." is odd', "abonent.csv", "7", "01-7", "ФИО",
         'Иванов; "И."\r\nвторая строка'],
        ["error", "person", "BAD_NAME", 'name "Иванов; И." is odd', "abonent.csv", "", "", "ФИО", "=1+1"]]
    table = pq.read_table(tmp_path / "rejects.parquet").to_pylist()
    assert table == [REJECT, {**REJECT, "row_number": None, "legacy_key": None, "raw_value": "=1+1"}]


def test_at_the_setting_nothing_is_written_and_stale_files_go(tmp_path):
    (tmp_path / "rejects.csv").write_text("old", encoding="utf-8")
    (tmp_path / "rejects.parquet").write_text("old", encoding="utf-8")
    data = ReportData({}, rejects=lambda: iter(frames(REJECT, REJECT)))
    assert write_reject_files(tmp_path, data, 2) is None
    assert sorted(path.name for path in tmp_path.iterdir()) == []


def test_a_failed_write_leaves_no_half_file(tmp_path):
    def broken():
        yield from frames(REJECT)
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_reject_files(tmp_path, ReportData({}, rejects=broken, reject_count=lambda: 3), 1)
    assert sorted(path.name for path in tmp_path.iterdir()) == []


def test_the_cut_sheet_counts_a_rules_rows_across_frames(tmp_path):
    other = {**REJECT, "entity": "account", "rule": "DUPLICATE_KEY"}
    rows = [{**REJECT, "row_number": n} for n in (2, 3, 4)] + [{**other, "row_number": n} for n in (5, 6, 7)]
    data = ReportData({"run_id": "r", "kind": "dry-run", "status": "reconciled"},
                      rejects=lambda: iter(frames(*rows)), reject_files=RejectFiles(6, first_of_each_rule=2),
                      language="en")
    write_workbook(tmp_path / "report.xlsx", data)
    assert [(row[1], row[5]) for row in sheet_rows(tmp_path / "report.xlsx")] == [
        ("person", 2), ("person", 3), ("account", 5), ("account", 6)]
    assert summary_texts(tmp_path / "report.xlsx")[-2:] == [
        "Rejects", "6 rejects and warnings: the sheet Rejects shows the first 2 of each rule; every one is in "
                   "rejects.csv (for Excel) and rejects.parquet beside this workbook."]

