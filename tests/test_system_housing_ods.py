"""The shipped housing_ods system: a housing management company's .ods workbook through its
mapping, end to end.

sample_data/housing_ods/expected.json is written by make_housing_ods.py from what it put in the
workbook, independently of the engine: 120 accounts whose addresses are typed in three styles,
numbers as number cells beside text with a decimal comma (and a no-break space), meters that
name their account by the register's row id, initial readings on the meter sheet loaded beside
the readings sheet, balances wide (four amounts under each service), rows numbered but never
filled in (filtered), a meter row exported twice (loaded once) and one serial on two differing
rows (rejected), unreadable optional values (warnings), and the dirt D1-D6 of its README.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from support import assert_counts_match, assert_money_matches, dry_run_project, query

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_data" / "housing_ods"
EXPECTED = json.loads((SAMPLE / "expected.json").read_text(encoding="utf-8"))
SERVICE_CODES = {"СЖ": "maintenance", "КР": "capital_repair", "ХВС": "cold_water", "ГВС": "hot_water",
                 "ВО": "sewage", "ЭЭ": "electricity", "ОТ": "heating"}


def entity_of(label: str) -> str:
    """The reject table's entity of a summary label ("meters" -> "meter")."""
    return label[:-1]


@pytest.fixture(scope="module")
def housing_run(shipped_run):
    """One dry run into SQLite, shared by the read-only tests below."""
    return shipped_run("housing_ods")


def test_the_generator_rewrites_the_committed_workbook_byte_for_byte(tmp_path):
    # In a fresh interpreter, as it is run: odfpy keeps process-wide state (its styles.xml came out
    # otherwise after another test of the process had written an .ods with odfpy)
    made = subprocess.run([sys.executable, str(SAMPLE / "make_housing_ods.py"), "--out", str(tmp_path)],
                          capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "housing.ods").read_bytes() == (SAMPLE / "housing.ods").read_bytes()
    assert (tmp_path / "expected.json").read_text(encoding="utf-8") == (SAMPLE / "expected.json").read_text(
        encoding="utf-8")


def test_counts_and_money_match_the_generator_to_the_kopeck(target_url, tmp_path):
    """On SQLite, PostgreSQL and MariaDB: every entity adds up to the generator's counts, rejects
    and warnings per rule, and the money per service and in total to the kopeck."""
    summary = dry_run_project(tmp_path, "housing_ods", SAMPLE, target_url=target_url).summary
    assert_counts_match(summary, EXPECTED)
    assert summary["money"]["period"] == "2026-10"
    assert_money_matches(summary, EXPECTED, target_url)


def test_filtered_rows_and_blank_rows_are_counted_as_the_generator_wrote_them(housing_run):
    result, _ = housing_run
    assert result.summary["filtered"] == EXPECTED["filtered"]
    records = {source["location"]: source for source in result.summary["records"]}
    for sheet, rows in EXPECTED["blank_rows"].items():
        assert records[f"housing.ods:{sheet}"]["blank_rows"] == rows, sheet
    # every record of every sheet accounted for (as tests/test_control_records.py checks the other
    # systems; its rows-are-items check does not hold here: keep_first_if_identical counts items)
    for source in records.values():
        assert source["records"] == source["read"] + source["blank"] + source["deleted"] + source["comments"], source
        assert source["balanced"], source
        for count in source["entities"]:
            assert count["rows"] == count["loaded_rows"] + count["rejected_rows"], (source["location"], count)


def test_every_reject_and_warning_is_the_generators(housing_run):
    """The whole reject table: entity, rule, legacy key and sheet of every error and warning."""
    result, url = housing_run
    for severity, listed in (("error", "rejects"), ("warning", "warnings")):
        found = query(url, "SELECT entity, rule, legacy_key, source FROM reject WHERE run_id = :run "
                           "AND severity = :severity", run=result.run_id, severity=severity)
        want = [(entity_of(label), rule, key, source) for label, rule, key, source in EXPECTED[listed]]
        assert sorted(found) == sorted(want), severity


@pytest.mark.parametrize("dirt", EXPECTED["dirt"], ids=lambda d: f"{d['code']}-{d['rule']}")
def test_each_kind_of_dirt_ends_as_a_reject_with_its_rule_and_keys(housing_run, dirt):
    result, url = housing_run
    found = query(url, "SELECT legacy_key, source FROM reject WHERE run_id = :run AND entity = :entity "
                       "AND rule = :rule AND severity = 'error'",
                  run=result.run_id, entity=entity_of(dirt["entity"]), rule=dirt["rule"])
    assert sorted(key for key, _ in found) == sorted(dirt["keys"])
    assert len(found) == dirt["rows"] > 0
    if dirt["file"]:
        assert {source for _, source in found} == {dirt["file"]}


def test_the_messages_of_the_duplicates_the_orphan_id_and_the_typographic_minus(housing_run):
    result, url = housing_run
    messages = dict(query(url, "SELECT rule || ' ' || entity, message FROM reject WHERE run_id = :run AND rule IN "
                               "('DUPLICATE_COPY', 'ORPHAN_METER', 'BAD_MONEY') AND entity IN ('meter', 'balance')",
                          run=result.run_id))
    assert messages["ORPHAN_METER meter"] == "account № п/п '999' is not in housing.ods:Лицевые счета"
    assert messages["DUPLICATE_COPY meter"].startswith("an identical copy of row ")
    assert messages["BAD_MONEY balance"].startswith("not an amount of money: '\u2212")
    [(rows,)] = query(url, "SELECT message FROM reject WHERE run_id = :run AND entity = 'meter' "
                           "AND rule = 'DUPLICATE_KEY' LIMIT 1", run=result.run_id)
    assert "rows differ (in ID ЛС)" in rows
    [(column,)] = query(url, "SELECT DISTINCT column_name FROM reject WHERE run_id = :run AND rule = 'BAD_MONEY'",
                        run=result.run_id)
    assert column.endswith("/ Вх. сальдо")


@pytest.mark.parametrize("sample", EXPECTED["samples"]["addresses"], ids=lambda s: s["written"])
def test_an_address_in_each_style_becomes_its_premise(housing_run, sample):
    _, url = housing_run
    found = query(url, "SELECT p.settlement, p.street, p.house, p.building, p.apartment FROM premise p "
                       "JOIN account a ON a.premise_id = p.id WHERE a.legacy_account_number = :number",
                  number=sample["account"])
    want = sample["premise"]
    assert found == [(want["settlement"], want["street"], want["house"], want["building"], want["apartment"])]


def test_text_numbers_and_a_reference_by_row_id_become_target_values(housing_run):
    """An area typed as text with a decimal comma, an amount typed with a no-break space between
    thousands, a meter that names its account by the register's row id, its initial reading."""
    _, url = housing_run
    samples = EXPECTED["samples"]
    area = samples["text_area"]
    [(total_area,)] = query(url, "SELECT p.total_area FROM premise p JOIN account a ON a.premise_id = p.id "
                                 "WHERE a.legacy_account_number = :number", number=area["account"])
    assert "," in area["written"] and str(total_area).rstrip("0").rstrip(".") == area["total_area"]

    money = samples["grouped_money"]
    assert "\u00a0" in money["written"]
    number, code, month = money["key"].split("|")
    [(kopecks,)] = query(url, f"SELECT b.{money['measure']}_kopecks FROM balance b JOIN account a ON a.id = "
                              "b.account_id JOIN service s ON s.id = b.service_id WHERE a.legacy_account_number = "
                              ":number AND s.code = :code AND b.period = :period",
                         number=number, code=SERVICE_CODES[code], period=f"{month[:4]}-{month[4:]}")
    assert int(kopecks) == money["kopecks"]

    meter = samples["meter_by_row_id"]
    assert query(url, "SELECT a.legacy_account_number FROM meter m JOIN account a ON a.id = m.account_id "
                      "WHERE m.serial = :serial", serial=meter["serial"]) == [(meter["account"],)]
    sources = query(url, "SELECT r.source, COUNT(*) FROM reading r JOIN meter m ON m.id = r.meter_id "
                         "WHERE m.serial = :serial GROUP BY r.source", serial=meter["serial"])
    assert dict(sources)["inspection"] == 1  # the initial reading, from the meter sheet
    assert sum(count for _, count in sources) == 5


def test_the_profile_reads_renamed_and_unpivoted_columns_and_finds_the_orphans(tmp_path):
    """cutover profile on the workbook: the columns a rename or an unpivot with several values
    reads are found (no MISSING_COLUMN), and the orphans are D1 (a meter's ID ЛС no register row
    has) and D6 (the three wide balance rows, 08-10.2026, of an account not in the register)."""
    from support import write_project

    from cutover.analysis import profile_project
    from cutover.config import load_project

    profiled = profile_project(load_project(write_project(tmp_path, "housing_ods", SAMPLE)))
    assert [f.what for f in profiled.findings if f.check == "MISSING_COLUMN"] == []
    orphans = {(f.source, f.column): f for f in profiled.findings if f.check == "ORPHAN"}
    assert sorted(orphans) == [("pribory", "ID ЛС"), ("saldo", "Лицевой счёт")]
    assert orphans["pribory", "ID ЛС"].count == EXPECTED["dirt"][0]["rows"] == 1
    balance_account = {key.split("|")[0] for key in EXPECTED["dirt"][5]["keys"]}
    assert (orphans["saldo", "Лицевой счёт"].count, set(orphans["saldo", "Лицевой счёт"].examples)) == (
        3, balance_account)
