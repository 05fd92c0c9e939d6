"""`cutover readings translate`: late readings of the sample, by legacy account and meter, become
readings of the new meters, checked by the migration's own rules.

The file and what each of its 34 lines must become come from sample_data/late_readings/generate.py,
which works them out from the sample's legacy files alone (expected.json there): 24 readings taken
(half named by КодПУ, half by ЛС and ЗавНомер), and one line each of READ_DECREASE,
ORPHAN_READING (a meter key and an account nobody has), PARENT_REJECTED (a meter the migration
rejected, ORPHAN_METER), READ_FUTURE, READ_NOT_AFTER_LAST, BAD_NUMBER, BAD_DATE and two of
DUPLICATE_KEY. The target is the session's dry run of the sample (a rehearsal: the translation
only reads it), and a copy of it switched at the end of 2026-10.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import ROOT, query, write_project

from cutover.cli import cli

LATE = ROOT / "sample_data" / "late_readings"
EXPECTED = json.loads((LATE / "expected.json").read_text(encoding="utf-8"))
FILE = LATE / EXPECTED["file"]


def _generator():
    spec = importlib.util.spec_from_file_location("late_readings_generate", LATE / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def project(shipped_run, tmp_path_factory) -> tuple[Path, str]:
    """A project of the sample on the session's dry run of it, with the shipped layout readings/sample.toml."""
    _, url = shipped_run("sample_legacy")
    folder = write_project(tmp_path_factory.mktemp("late"), "sample_legacy", ROOT / "sample_data" / "sample_legacy",
                           target_url=url)
    shutil.copytree(ROOT / "readings", folder / "readings")
    return folder, url


def translate(folder: Path, file: Path, *args: str):
    return CliRunner().invoke(cli, ["--project", str(folder), "readings", "translate", str(file), "--layout", "sample",
                                    "--period", EXPECTED["period"], *args], catch_exceptions=False)


def _csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as written:
        return list(csv.DictReader(written, delimiter=";"))


def test_the_committed_sample_is_what_its_generator_writes(tmp_path):
    _generator().write(tmp_path)
    assert (tmp_path / EXPECTED["file"]).read_bytes() == FILE.read_bytes()
    assert json.loads((tmp_path / "expected.json").read_text(encoding="utf-8")) == EXPECTED


def test_the_sample_file_is_translated_line_by_line_as_the_generator_expects(project, tmp_path):
    folder, url = project
    result = translate(folder, FILE, "--out", str(tmp_path / "out"))
    assert result.exit_code == 1, result.output  # some rejected
    assert result.output.startswith("readings_2026-11.csv: 34 lines, 24 readings accepted, 10 rejected, 0 warnings "
                                    "(rehearsal: the project is not switched yet)\n")
    meter_ids = dict(query(url, "SELECT legacy_key, target_id FROM key_map WHERE entity = 'meter'"))
    accepted = {int(row["line"]): row for row in _csv(tmp_path / "out" / "readings_2026-11.accepted.csv")}
    rejected = {int(row["line"]): row for row in _csv(tmp_path / "out" / "readings_2026-11.rejected.csv")}
    for line in EXPECTED["lines"]:
        if line["expect"] == "accepted":  # the right new meter, zone, day and exact value
            row = accepted.pop(line["line"])
            assert (int(row["meter_id"]), row["zone"], row["read_on"], row["value"]) == (
                meter_ids[line["meter_key"]], line["zone"], line["read_on"], line["value"]), line
        else:
            assert rejected.pop(line["line"])["rule"] == line["rule"], line
    assert accepted == {} and rejected == {}
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert (summary["lines"], summary["accepted"], summary["rejected"]) == (34, 24, 10)
    assert summary["by_rule"] == EXPECTED["by_rule"] and summary["rehearsal"] is True


def test_a_decrease_and_an_unknown_meter_are_rejected_with_the_migrations_rules_and_messages(project, tmp_path):
    folder, _ = project
    assert translate(folder, FILE, "--out", str(tmp_path)).exit_code == 1
    rejected = {int(row["line"]): row for row in _csv(tmp_path / "readings_2026-11.rejected.csv")}
    decrease = next(line for line in EXPECTED["lines"] if line.get("rule") == "READ_DECREASE")
    row = rejected[decrease["line"]]
    assert (row["rule"], row["column"], row["value"]) == ("READ_DECREASE", "Показание",
                                                          decrease["value"].replace(".", ","))
    # the message of cutover/pipeline/rules.py's reading_decrease, word for word
    assert row["message"] == (f"reading {decrease['value']} is below the previous {decrease['previous']} and is not "
                              f"a rollover of the meter's digit capacity")
    unknown = next(line for line in EXPECTED["lines"] if line.get("meter_key") == "999999")
    row = rejected[unknown["line"]]
    assert (row["rule"], row["column"], row["value"], row["message"]) == (
        "ORPHAN_READING", "КодПУ", "999999", "meter '999999' is not in the target: no migrated meter has that legacy key")
    assert row["КодПУ"] == "999999" and row["Дата"] == "21.11.2026"  # the line's own fields follow
    rejected_meter = next(line for line in EXPECTED["lines"] if line.get("rule") == "PARENT_REJECTED")
    assert rejected[rejected_meter["line"]]["message"] == (f"meter '{rejected_meter['meter_key']}' was rejected "
                                                           f"(ORPHAN_METER) at the migration")


def _lines(tmp_path: Path, rows: list[list[str]], name: str = "late.csv") -> Path:
    path = tmp_path / name
    with path.open("w", encoding="cp1251", newline="") as out:
        csv.writer(out, delimiter=";", lineterminator="\r\n").writerows([["ЛС", "ЗавНомер", "КодПУ", "Зона", "Дата",
                                                                          "Показание"], *rows])
    return path


def test_a_file_all_taken_exits_0_and_a_rollover_within_it_is_a_warning(project, tmp_path):
    folder, url = project
    taken = next(line for line in EXPECTED["lines"] if line["expect"] == "accepted")
    digits = query(url, "SELECT m.digit_capacity FROM meter m JOIN key_map k ON k.target_id = m.id AND "
                        "k.entity = 'meter' WHERE k.legacy_key = :key", key=taken["meter_key"])[0][0]
    top = 10 ** digits - 5  # just under the meter's capacity, then past it: a roll-over, loaded with a warning
    zone = {"T1": "1", "T2": "2", "T3": "3"}[taken["zone"]]
    path = _lines(tmp_path, [["", "", taken["meter_key"], zone, "21.11.2026", str(top)],
                             ["", "", taken["meter_key"], zone, "28.11.2026", "12"]])
    result = translate(folder, path, "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "2 readings accepted, 0 rejected, 1 warnings" in result.output and "  READ_ROLLOVER: 1\n" in result.output
    rows = _csv(tmp_path / "out" / "late.accepted.csv")
    assert [row["value"] for row in rows] == [str(top), "12"]
    assert rows[1]["warning"] == f"READ_ROLLOVER: meter rolled over: {top} -> 12"


@pytest.mark.parametrize("content, message", [
    (b"\xcb\xd1;;\r\n;;100216;1;21.11.2026;\x98\r\n", "late.csv: line 2: byte 98 is not cp1251"),
    ("ЛС;КодПУ;Дата\r\n".encode("cp1251"), "late.csv: no column 'ЗавНомер' (meter_serial in "),
])
def test_a_file_that_cannot_be_read_by_its_layout_is_refused_with_exit_2(project, tmp_path, content, message):
    folder, _ = project
    (tmp_path / "late.csv").write_bytes(content)
    result = translate(folder, tmp_path / "late.csv")
    assert result.exit_code == 2 and message in result.output, result.output
    assert "Traceback" not in result.output


def test_an_unknown_or_wrong_layout_is_refused_naming_the_file_and_key(project, tmp_path):
    folder, _ = project
    result = CliRunner().invoke(cli, ["--project", str(folder), "readings", "translate", str(FILE), "--layout", "bank"])
    assert result.exit_code == 2
    assert f"--layout bank: there is no {folder / 'readings' / 'bank.toml'}; the layouts of this project: sample" \
           in result.output
    (folder / "readings" / "broken.toml").write_text('[columns]\nread_on = "Дата"\nvalue = "Показание"\n'
                                                      'meter = "КодПУ"\n', encoding="utf-8")
    try:
        result = CliRunner().invoke(cli, ["--project", str(folder), "readings", "translate", str(FILE), "--layout",
                                          "broken"])
    finally:
        (folder / "readings" / "broken.toml").unlink()
    assert result.exit_code == 2
    assert "broken.toml: [columns] meter: unknown field; expected one of account, meter_serial, meter_key, zone, " \
           "read_on, value" in result.output


@pytest.fixture(scope="module")
def switched_project(shipped_run, tmp_path_factory) -> Path:
    """The sample switched at the end of 2026-10, on a copy of the session's dry run target."""
    _, url = shipped_run("sample_legacy")
    folder = tmp_path_factory.mktemp("late-switched")
    for suffix in ("", "-wal", "-shm"):  # the database and, if SQLite left them, its write-ahead log
        if Path(url.removeprefix("sqlite:///") + suffix).exists():
            shutil.copy(url.removeprefix("sqlite:///") + suffix, folder / f"target.db{suffix}")
    project = write_project(folder / "project", "sample_legacy", ROOT / "sample_data" / "sample_legacy",
                            target_url=f"sqlite:///{(folder / 'target.db').as_posix()}")
    shutil.copytree(ROOT / "readings", project / "readings")
    result = CliRunner().invoke(cli, ["--project", str(project), "month-end", "--period", "2026-10"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return project


def test_after_the_switch_the_open_period_bounds_the_dates_and_the_switch_names_the_rejected(switched_project,
                                                                                              tmp_path):
    result = CliRunner().invoke(cli, ["--project", str(switched_project), "readings", "translate", str(FILE),
                                      "--layout", "sample", "--out", str(tmp_path)], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    assert result.output.startswith("readings_2026-11.csv: 34 lines, 24 readings accepted, 10 rejected, 0 warnings\n")
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["read_after"] == "2026-11-30"  # the month the switch opened, without --period
    assert summary["rehearsal"] is False and summary["by_rule"] == EXPECTED["by_rule"]
    assert "-month-end-" in summary["loaded_run"]  # the rejects it names are the switch's
