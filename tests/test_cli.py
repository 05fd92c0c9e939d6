"""The command line as a user runs it: output, exit codes and error messages."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import accepting_sample_dirt, write_project

from cutover.cli import cli
from cutover.target import db

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_data" / "sample_legacy"
MAPPING = REPO / "mappings" / "sample_legacy"


def project(folder: Path, source_dir: Path = SAMPLE, extra: str = "") -> Path:
    """A project of the sample (or a copy of it), its two unreadable values accepted as its own
    cutover.toml accepts them."""
    return write_project(folder, "sample_legacy", source_dir, extra=accepting_sample_dirt(extra))


def copy_sample(folder: Path) -> Path:
    target = folder / "extract"
    shutil.copytree(SAMPLE, target)
    return target


def own_mapping(folder: Path) -> Path:
    """A project-local copy of the sample mapping (it takes precedence over the built-in one)."""
    target = folder / "mappings" / "sample_legacy"
    shutil.copytree(MAPPING, target)
    return target


def run(folder: Path, *args: str):
    return CliRunner().invoke(cli, ["--project", str(folder), *args], catch_exceptions=False)


def latest_summary(folder: Path) -> dict:
    path = sorted((folder / "reports").glob("*/summary.json"))[-1]
    return json.loads(path.read_text(encoding="utf-8"))


def test_dry_run_prints_run_id_counts_and_report_path(tmp_path):
    result = run(project(tmp_path), "dry-run")
    assert result.exit_code == 0, result.output
    summary = latest_summary(tmp_path)
    lines = result.stdout.splitlines()
    assert lines[0] == f"Run {summary['run_id']}: reconciled"
    accounts = summary["entities"]["accounts"]
    assert f"{'accounts':<10} {accounts['source_rows']:>9} {accounts['loaded']:>9} {accounts['rejected']:>9}" in result.stdout
    report = tmp_path / "reports" / summary["run_id"] / "report.xlsx"
    assert report.is_file()
    assert any(line.startswith("Report:") and line.endswith("report.xlsx") for line in lines)
    assert (tmp_path / "cutover.db").is_file()  # the default target lives in the project folder


def test_quiet_prints_one_line(tmp_path):
    result = run(project(tmp_path), "dry-run", "--quiet")
    assert result.exit_code == 0
    summary = latest_summary(tmp_path)
    assert result.stdout == f"{summary['run_id']} reconciled\n"


def test_more_rejects_than_the_gate_allows_exits_1(tmp_path):
    result = run(project(tmp_path, extra="[gates]\nmax_reject_share = 0.01\n"), "dry-run")
    assert result.exit_code == 1
    summary = latest_summary(tmp_path)
    assert summary["status"] == "differences"
    assert summary["gate_failures"][0].endswith("more than the 1.00% allowed by [gates] max_reject_share")
    assert f"! {summary['gate_failures'][0]}" in result.stdout


def test_missing_source_file_exits_2_naming_it(tmp_path):
    extract = copy_sample(tmp_path)
    (extract / "schetchik.csv").unlink()
    result = run(project(tmp_path, extract), "dry-run")
    assert result.exit_code == 2
    assert result.stderr == f"Error: {extract / 'schetchik.csv'}: file not found\n"
    assert latest_summary(tmp_path)["status"] == "failed"


def test_file_in_another_encoding_exits_2_naming_file_and_line(tmp_path):
    extract = copy_sample(tmp_path)
    text = (extract / "abonent.csv").read_text(encoding="cp1251")
    (extract / "abonent.csv").write_text(text, encoding="utf-8")
    result = run(project(tmp_path, extract), "dry-run")
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {extract / 'abonent.csv'}: line 1: byte 0x98 cannot be read as cp1251; "
        "the text reads as utf-8: set encoding = \"utf-8\" in the mapping's system.toml\n"
    )


def test_mapping_naming_a_missing_column_exits_2(tmp_path):
    mapping = own_mapping(tmp_path)
    person = mapping / "entities" / "person.toml"
    person.write_text(person.read_text(encoding="utf-8").replace('from = "ФИО"', 'from = "Фио"'), encoding="utf-8")
    result = run(project(tmp_path), "dry-run")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {SAMPLE / 'abonent.csv'}: no column(s) ['Фио']; it has ['ЛС', 'ФИО',")
    assert result.stderr.endswith("'ДатаОткр']; did you mean 'ФИО' for 'Фио'?\n")  # case aside, the nearest
    assert "Traceback" not in result.output


def test_wrong_separator_gets_a_hint(tmp_path):
    extract = copy_sample(tmp_path)
    usluga = extract / "usluga.csv"
    usluga.write_text(usluga.read_text(encoding="cp1251").replace(";", "|"), encoding="cp1251")
    result = run(project(tmp_path, extract), "dry-run")
    assert result.exit_code == 2
    assert result.stderr.endswith("the header looks separated by '|', not ';': check separator in system.toml\n")


def test_truncated_file_exits_2_naming_the_row(tmp_path):
    extract = copy_sample(tmp_path)
    usluga = extract / "usluga.csv"
    lines = usluga.read_text(encoding="cp1251").splitlines()
    usluga.write_text("\r\n".join(lines[:-1] + [lines[-1].split(";")[0]]) + "\r\n", encoding="cp1251")
    result = run(project(tmp_path, extract), "dry-run")
    assert result.exit_code == 2
    assert result.stderr == f"Error: {usluga}: row {len(lines)} has 1 field, fewer than the header's 3; is the file truncated?\n"


def test_unknown_transform_names_file_key_and_choices(tmp_path):
    mapping = own_mapping(tmp_path)
    person = mapping / "entities" / "person.toml"
    person.write_text(person.read_text(encoding="utf-8").replace('["full_name"]', '["fullname"]'), encoding="utf-8")
    result = run(project(tmp_path), "dry-run")
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"Error: {person}: columns[0].transforms[0]: unknown transform 'fullname'; did you mean 'full_name' for "
        f"'fullname'?; expected one of ['address',"
    )


def test_no_project_file_exits_2(tmp_path):
    result = run(tmp_path, "dry-run")
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: no cutover.toml in {tmp_path.resolve()}; run cutover in the project folder or pass --project DIR\n"
    )


def test_password_variable_not_set_exits_2_without_leaking(tmp_path, monkeypatch):
    monkeypatch.delenv("CUTOVER_TEST_SECRET", raising=False)
    result = run(project(tmp_path), "dry-run", "--target", "postgresql+psycopg://app:${CUTOVER_TEST_SECRET}@db/x")
    assert result.exit_code == 2
    assert "CUTOVER_TEST_SECRET" in result.stderr


def test_db_upgrade_reports_the_revision(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    result = run(tmp_path, "db", "upgrade", "--target", url)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{url} is at revision {db.head_revision()}\n"


@pytest.mark.parametrize("args", [["dry-run", "--nope"], ["no-such-command"]])
def test_bad_usage_exits_2(tmp_path, args):
    assert run(project(tmp_path), *args).exit_code == 2


def test_check_lists_legacy_codes_with_no_mapping_and_exits_1(tmp_path):
    result = run(project(tmp_path), "check")
    assert result.exit_code == 1
    assert "  service    Код              services           12               1" in result.stdout
    assert result.stdout.endswith(
        "1 code(s) have no mapping: add them to the dictionaries or expect their rows to be rejected (UNKNOWN_CODE)\n")


def test_check_passes_when_every_code_is_mapped(tmp_path):
    mapping = own_mapping(tmp_path)
    services = mapping / "dictionaries" / "services.toml"
    services.write_text(services.read_text(encoding="utf-8") + '"12" = "maintenance"\n', encoding="utf-8")
    result = run(project(tmp_path), "check")
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith("Every source has the columns the mapping reads, every legacy code is mapped, "
                                  "every value keeps the source rules, and the mapping reads every amount cutover's "
                                  "own reader reads.\n")


def test_check_lists_values_that_break_the_source_rules_and_exits_1(tmp_path):
    extract = copy_sample(tmp_path)
    saldo = extract / "saldo.csv"
    lines = saldo.read_bytes().split(b"\r\n")
    lines[2] = lines[2].replace(b"202608;", b"2026-08;", 1)  # spreadsheet row 3
    lines[4] = lines[4].replace(b"202608;", b"08.2026;", 1)  # row 5
    saldo.write_bytes(b"\r\n".join(lines))
    result = run(project(tmp_path, extract), "check")
    assert result.exit_code == 1, result.output
    assert result.stdout.endswith(
        "Values that break the source rules (source_rules.toml):\n"
        "  source           column           rule                rows  first\n"
        "  saldo.csv        Период           SOURCE_PATTERN         2  row 3: Период '2026-08' does not match ^\\d{6}$\n"
        "2 value(s) break the source rules: their rows will be rejected\n")


def test_check_names_every_missing_column_and_file_and_exits_2(tmp_path):
    extract = copy_sample(tmp_path)
    (extract / "usluga.csv").unlink()
    mapping = own_mapping(tmp_path)
    person = mapping / "entities" / "person.toml"
    person.write_text(person.read_text(encoding="utf-8").replace('from = "ДатаРожд"', 'from = "ДатаР"'), encoding="utf-8")
    result = run(project(tmp_path, extract), "check")
    assert result.exit_code == 2
    assert f"! {extract / 'usluga.csv'}: file not found" in result.stdout
    assert "! abonent.csv (source abonent): no column(s) ['ДатаР'] that the mapping reads; it has ['ЛС'," in result.stdout


def test_check_shows_nothing_of_a_file_holding_none_of_the_columns(tmp_path):
    extract = copy_sample(tmp_path)
    (extract / "usluga.csv").write_text("root:x:0:0:TOPSECRET:/root:/bin/bash\nline2\n", encoding="utf-8")
    result = run(project(tmp_path, extract), "check")
    assert result.exit_code == 2
    assert ("! usluga.csv (source usluga): no column(s) ['ЕдИзм', 'Код', 'Наименование'] that the mapping reads; "
            "it has none of them: is it the right file?") in result.stdout
    assert "TOPSECRET" not in result.stdout + result.stderr


def test_check_with_an_invalid_mapping_exits_2(tmp_path):
    mapping = own_mapping(tmp_path)
    (mapping / "entities" / "meter.toml").write_text("[entity]\nname = 'meter'\n", encoding="utf-8")
    result = run(project(tmp_path), "check")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {mapping / 'entities' / 'meter.toml'}: missing key(s) ['columns']")


def test_profile_writes_both_reports_and_lists_the_worst_first(tmp_path):
    result = run(project(tmp_path), "profile")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Profile ") and lines[0].endswith(" info")
    assert lines[2].split() == ["abonent", "abonent.csv", "502", "rows"]
    assert lines[8].startswith("error   ")
    assert lines[-2].startswith("Report: ") and lines[-1].startswith("Page:   ")
    report_dir = next((tmp_path / "reports").glob("*-profile-*"))
    assert (report_dir / "profile.xlsx").is_file() and (report_dir / "profile.html").is_file()
