"""The DOS-era DBF system dbf_legacy: its generator, and its dry run against expected.json.

sample_data/dbf_legacy/expected.json is written by make_dbf_legacy.py from what it put in the
tables (the dirt is listed in sample_data/dbf_legacy/README.md), independently of the engine.
"""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from support import assert_counts_match, assert_money_matches, dry_run_project, query

from cutover.extract import REGISTRY

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "sample_data" / "dbf_legacy"
SCRIPT = DATA / "make_dbf_legacy.py"
EXPECTED = json.loads((DATA / "expected.json").read_text(encoding="utf-8"))
TABLES = ["LIC.DBF", "LIC.FPT", "ULICY.DBF", "USLUGI.DBF", "SCHET.DBF", "POKAZ.DBF", "SALDO.DBF", "expected.json"]


def test_the_committed_tables_are_what_the_generator_writes(tmp_path):
    proc = subprocess.run([sys.executable, str(SCRIPT), "--out", str(tmp_path)], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(TABLES)
    for name in TABLES:
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), (
            f"{name} drifted: run python sample_data/dbf_legacy/make_dbf_legacy.py and commit sample_data/dbf_legacy")


def test_expected_counts_add_up():
    for name, counts in EXPECTED["entities"].items():
        assert counts["source_rows"] == counts["loaded"] + counts["rejected"], name
        assert sum(EXPECTED["rejects_by_rule"].get(name, {}).values()) == counts["rejected"], name
    for code, line in EXPECTED["money"]["services"].items():
        assert line["source"] == line["target"] + line["rejected"], code
        assert line["target"] == EXPECTED["target_totals"]["2026-10"][code]["closing"], code
    for measures in (m for codes in EXPECTED["target_totals"].values() for m in codes.values()):
        assert measures["closing"] == (measures["opening"] + measures["charged"] + measures["recalculated"]
                                       - measures["paid"])


def run_system(folder: Path, target_url: str):
    return dry_run_project(folder, "dbf_legacy", DATA, target_url=target_url)


@pytest.fixture(scope="module")
def system_run(shipped_run):
    """One dry run into SQLite, shared by the read-only tests."""
    return shipped_run("dbf_legacy")


def test_the_dry_run_matches_the_generator_and_reconciles(target_url, tmp_path):
    result = run_system(tmp_path, target_url)
    assert result.status == "reconciled"
    assert_counts_match(result.summary, EXPECTED)
    assert_money_matches(result.summary, EXPECTED, target_url)


def record_numbers(table: str, column: str, values: list[str]) -> set[int]:
    """The DBF record numbers of the records whose ``column`` is one of ``values``."""
    frame = pd.concat(REGISTRY["dbf"].read({"file": table}, DATA, {column}, 1000))
    return set(frame.loc[frame[column].isin(values), "_row"])


DIRT = {d["code"]: d for d in EXPECTED["dirt"]}


def test_a_street_code_missing_from_the_dictionary_rejects_the_premise_and_its_account(system_run):
    _, url = system_run
    dirt = DIRT["D1"]
    premises = query(url, "SELECT source, row_number, column_name, raw_value, message FROM reject "
                          "WHERE entity = 'premise' AND rule = 'JOIN_MISSING'")
    assert {row[1] for row in premises} == record_numbers("LIC.DBF", "LCHET", dirt["keys"])
    assert {(source, column, raw, message) for source, _, column, raw, message in premises} == {
        ("LIC.DBF", "KOD_UL", "120", "no row of ulicy (ULICY.DBF) has '120'")}
    accounts = query(url, "SELECT legacy_key FROM reject WHERE entity = 'account' AND rule = 'PARENT_REJECTED'")
    assert sorted(key for key, in accounts) == sorted(dirt["keys"])


@pytest.mark.parametrize("code", ["D2", "D3"])
def test_each_rejected_kind_of_dirt_names_its_rows(system_run, code):
    _, url = system_run
    dirt = DIRT[code]
    found = query(url, "SELECT legacy_key, source FROM reject WHERE rule = :rule", rule=dirt["rule"])
    assert sorted(found) == sorted((key, dirt["file"]) for key in dirt["keys"])


def test_rejects_carry_dbf_record_numbers_counting_deleted_records(system_run):
    """LIC.DBF record 18 is deleted; the account after it is still record 19, as a DBF viewer shows."""
    _, url = system_run
    deleted = DIRT["S1"]["keys"][0]
    assert query(url, "SELECT COUNT(*) FROM account WHERE legacy_account_number = :n", n=deleted) == [(0,)]
    meters = query(url, "SELECT row_number, raw_value FROM reject WHERE rule = 'ORPHAN_METER' ORDER BY row_number")
    assert {row for row, _ in meters} == record_numbers("SCHET.DBF", "LCHET", [deleted])
    assert {raw for _, raw in meters} == {deleted}


def test_names_and_addresses_are_repaired_and_built_from_the_dictionary(system_run):
    _, url = system_run
    rows = query(url, "SELECT a.legacy_account_number, p.last_name, p.first_name, p.patronymic, pr.settlement, "
                      "pr.street, pr.house, pr.apartment FROM account a JOIN person p ON p.id = a.person_id "
                      "JOIN premise pr ON pr.id = a.premise_id")
    by_account = {row[0]: row[1:] for row in rows}
    for key in DIRT["R1"]["keys"]:  # a Latin look-alike letter in FAM
        last_name = by_account[key][0]
        assert last_name == last_name.title() and not any("a" <= ch.lower() <= "z" for ch in last_name), last_name
    assert {row[3] for row in by_account.values()} == {"г. Энск"}
    streets = {row[4] for row in by_account.values()}
    assert all(street.startswith("ул. ") and street[4:] == street[4:].title() for street in streets)
    assert {"ул. Карла Маркса", "ул. Молодёжная"} <= streets


def test_a_communal_flat_is_one_premise_with_summed_area_and_residents(system_run):
    _, url = system_run
    shared = query(url, "SELECT premise_id, COUNT(*) FROM account GROUP BY premise_id HAVING COUNT(*) > 1")
    assert len(shared) == 2
    lic = pd.concat(REGISTRY["dbf"].read({"file": "LIC.DBF"}, DATA, set(), 1000))
    for premise_id, _ in shared:
        numbers = [n for n, in query(url, "SELECT legacy_account_number FROM account WHERE premise_id = :p",
                                     p=premise_id)]
        rows = lic[lic["LCHET"].isin(numbers)]
        area, residents = query(url, "SELECT total_area, residents FROM premise WHERE id = :p", p=premise_id)[0]
        assert Decimal(str(area)) == sum(Decimal(a) for a in rows["PLOSH"])
        assert residents == sum(int(r) for r in rows["PROPIS"])
