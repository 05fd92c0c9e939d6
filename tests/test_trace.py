"""`cutover trace LEGACY_KEY` on the sample's dry run (the shared ``shipped_run``, only read).

The keys come from the generator's expected.json, not from the engine's output: D2a is an account
whose ФИО is one word (its person rejected BAD_NAME, the account and every balance of it rejected
PARENT_REJECTED); the first account of abonent.csv is loaded, its balances carrying the thousands
separators of R4. What the trace says is compared with the CSV files read here, independently of
the engine (cp1251, ``;``, decimal comma, payments stored negative).
"""

from __future__ import annotations

import csv
import json
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import ROOT, SAMPLE, dry_run_project, write_project

from cutover.cli import cli

MEASURES = {"opening": "СальдоВх", "charged": "Начислено", "recalculated": "Перерасчет", "paid": "Оплачено",
            "closing": "СальдоИсх"}


def _records(name: str) -> list[tuple[int, dict[str, str]]]:
    """(row number as rejects count it: the header is row 1, a record a row), the record's fields."""
    with open(SAMPLE / name, encoding="cp1251", newline="") as file:
        reader = csv.DictReader(file, delimiter=";")
        return [(number, row) for number, row in enumerate(reader, start=2) if any(row.values())]


def _kopecks(text: str) -> int:
    return int(Decimal(text.replace("\u00a0", "").replace(" ", "").replace(",", ".")) * 100)


@pytest.fixture(scope="module")
def project(shipped_run) -> Path:
    result, _ = shipped_run("sample_legacy")
    return result.report_dir.parent.parent  # the run's project folder: its cutover.toml names the target


@pytest.fixture(scope="module")
def expected() -> dict:
    return json.loads((SAMPLE / "expected.json").read_text(encoding="utf-8"))


def _trace(project: Path, *args: str):
    return CliRunner().invoke(cli, ["--project", str(project), "trace", *args], catch_exceptions=False)


def _dirt(expected: dict, code: str) -> dict:
    return next(dirt for dirt in expected["dirt"] if dirt["code"] == code)


def test_a_rejected_account_shows_its_rows_and_rules(project, expected):
    key = _dirt(expected, "D2a")["keys"][0]
    done = _trace(project, key, "--json")
    assert done.exit_code == 0, done.output
    journey = json.loads(done.output)
    assert journey["key_map"] is None and journey["account"] is None
    (run,) = journey["runs"]
    assert run["snapshot"] and run["target_holds_its_rows"]

    (abonent_row,) = [number for number, row in _records("abonent.csv") if row["ЛС"] == key]
    saldo_rows = {number for number, row in _records("saldo.csv") if row["ЛС"] == key}
    assert len(saldo_rows) == 24  # 8 services x 3 months
    found = {(row["source"], row["row"]) for row in run["rows"]}
    assert ("abonent.csv", abonent_row) in found
    assert {row for source, row in found if source == "saldo.csv"} == saldo_rows
    (person,) = [row for row in run["rows"] if row["source"] == "abonent.csv"]
    assert {"account", "person", "premise"} <= set(person["entities"])

    rejects = run["rejects"]
    bad_name = [r for r in rejects if r["rule"] == "BAD_NAME"]
    assert [(r["entity"], r["source"], r["row"], r["column"]) for r in bad_name] == [
        ("person", "abonent.csv", abonent_row, "ФИО")]
    assert any(r["entity"] == "account" and r["rule"] == "PARENT_REJECTED" and r["row"] == abonent_row
               for r in rejects)
    balances = {r["row"] for r in rejects if r["entity"] == "balance" and r["rule"] == "PARENT_REJECTED"}
    assert balances == saldo_rows

    text = _trace(project, key)
    assert text.exit_code == 0
    assert f"error BAD_NAME (person, abonent.csv row {abonent_row}, column ФИО" in text.output
    assert "Key map: no entry (never loaded into this target)" in text.output


def test_a_loaded_account_shows_its_balances_per_service_to_the_kopeck(project):
    codes = tomllib.loads((ROOT / "mappings" / "sample_legacy" / "dictionaries" / "services.toml")
                          .read_text(encoding="utf-8"))["codes"]
    number, first = _records("abonent.csv")[0]
    key = first["ЛС"]
    done = _trace(project, key, "--json")
    assert done.exit_code == 0, done.output
    journey = json.loads(done.output)
    account = journey["account"]
    assert account["legacy_account_number"] == key
    assert journey["key_map"]["last_run_id"] == journey["loaded_run"]

    expected = {}
    for _, row in _records("saldo.csv"):
        if row["ЛС"] == key:
            period = f"{row['Период'][:4]}-{row['Период'][4:]}"
            money = {measure: _kopecks(row[column]) for measure, column in MEASURES.items()}
            money["paid"] = -money["paid"]  # stored negative in this legacy system
            expected[(period, codes[row["КодУсл"]])] = money
    traced = {(b["period"], b["service"]): {m: b[f"{m}_kopecks"] for m in MEASURES} for b in account["balances"]}
    assert traced == expected
    assert len(traced) == 24

    meters = {row["КодПУ"] for _, row in _records("schetchik.csv") if row["ЛС"] == key}
    readings = {meter: sum(1 for _, row in _records("pokazanie.csv") if row["КодПУ"] == meter) for meter in meters}
    assert {m["legacy_key"]: m["readings"] for m in account["meters"]} == readings
    (run,) = journey["runs"]
    assert ("abonent.csv", number) in {(row["source"], row["row"]) for row in run["rows"]}
    assert run["rejects"] == []


def test_an_unknown_key_exits_1_with_the_nearest_key(project, expected):
    key = _dirt(expected, "D2a")["keys"][0]
    mistyped = key[:-2] + key[-1] + key[-2]  # the last two digits swapped
    done = _trace(project, mistyped)
    assert done.exit_code == 1
    assert f"account {mistyped!r} is in none of the latest 1 run(s)" in done.output
    assert "did you mean" in done.output


def test_bad_usage_exits_2(project):
    unknown = _trace(project, "02-001612", "--run", "20991231-000000-dry-run-0000")
    assert unknown.exit_code == 2
    assert "no run 20991231-000000-dry-run-0000 in the target's journal" in unknown.output
    blank = _trace(project, " ")
    assert blank.exit_code == 2 and "give the legacy account's key" in blank.output
    both = _trace(project, "02-001612", "--run", "x", "--runs", "2")
    assert both.exit_code == 2
    assert "give --run RUN or --runs N, not both" in both.output


def test_the_account_across_runs_and_a_pruned_snapshot(tmp_path, expected):
    """Two dry runs of the same extract: the account is in both, the target holds the second's rows;
    after `runs prune --keep 1` the first run's snapshot is gone, its rejects stay in the journal."""
    folder = write_project(tmp_path, "sample_legacy", SAMPLE, target_url=f"sqlite:///{tmp_path / 'target.db'}")
    run = CliRunner()
    first, second = (run.invoke(cli, ["--project", str(folder), "dry-run", "--quiet"]).output.split()[0]
                     for _ in range(2))
    key = _dirt(expected, "D2a")["keys"][0]
    journey = json.loads(_trace(folder, key, "--json").output)
    assert [(r["run_id"], r["target_holds_its_rows"]) for r in journey["runs"]] == [(second, True), (first, False)]
    assert journey["runs"][0]["rows"] == journey["runs"][1]["rows"] and journey["runs"][1]["rejects"]
    only = json.loads(_trace(folder, key, "--run", first, "--json").output)
    assert [r["run_id"] for r in only["runs"]] == [first]
    assert run.invoke(cli, ["--project", str(folder), "runs", "prune", "--keep", "1"]).exit_code == 0
    pruned = json.loads(_trace(folder, key, "--runs", "2", "--json").output)["runs"][1]
    assert (pruned["run_id"], pruned["snapshot"], pruned["rows"]) == (first, False, [])
    assert {r["rule"] for r in pruned["rejects"]} >= {"BAD_NAME", "PARENT_REJECTED"}  # by its key, from the journal
    shown = _trace(folder, key, "--runs", "2").output
    assert "its snapshot is no longer kept (`cutover runs prune`): source rows not shown" in shown


def test_trace_reads_every_target_database(target_url, tmp_path, expected):
    """The look-ups (by key, by a key the account's begins, by file and row) on SQLite, PostgreSQL
    and MariaDB, where they are configured."""
    dry_run_project(tmp_path, "sample_legacy", SAMPLE, target_url=target_url)
    key = _dirt(expected, "D2a")["keys"][0]
    (run,) = json.loads(_trace(tmp_path, key, "--json").output)["runs"]
    saldo_rows = {number for number, row in _records("saldo.csv") if row["ЛС"] == key}
    assert {r["row"] for r in run["rejects"] if r["entity"] == "balance"} == saldo_rows
    assert [r["rule"] for r in run["rejects"] if r["entity"] == "person"] == ["BAD_NAME"]
    _, first = _records("abonent.csv")[0]
    loaded = json.loads(_trace(tmp_path, first["ЛС"], "--json").output)["account"]
    closing = {b["service"]: b["closing_kopecks"] for b in loaded["balances"] if b["period"] == "2026-10"}
    codes = tomllib.loads((ROOT / "mappings" / "sample_legacy" / "dictionaries" / "services.toml")
                          .read_text(encoding="utf-8"))["codes"]
    assert closing == {codes[row["КодУсл"]]: _kopecks(row["СальдоИсх"]) for _, row in _records("saldo.csv")
                       if row["ЛС"] == first["ЛС"] and row["Период"] == "202610"}
