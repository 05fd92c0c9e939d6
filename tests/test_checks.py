"""Checks on tiny extracts whose every difference is written in the test.

Each test writes a small legacy export in the sample system's layout (cp1251, ';') and
runs a dry run into SQLite with the sample mapping.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support import dry_run_project, query, write_sample_extract

from cutover.errors import ConfigError, MappingError

MAPPING = Path(__file__).resolve().parents[1] / "mappings" / "sample_legacy"
SERVICES = ["01;Холодное водоснабжение;м3", "05;Электроэнергия;кВт*ч"]
ACCOUNT = "01-000001;ИВАНОВ ИВАН ИВАНОВИЧ;г. Энск, ул. Ленина, д. 1, кв. 1;;50,5;2;01.01.2010"
METER = "{id};01-000001;01;SN-{id};5;1;01.01.2024;01.01.2024;6;1;{status};{replaced_by}"


def meter(meter_id: int, status: str = "Р", replaced_by: str = "") -> str:
    return METER.format(id=meter_id, status=status, replaced_by=replaced_by)


# A meter, a reading and a balance: a run whose extract has none of an entity is NO-GO.
BALANCE = "202610;01-000001;01;100,00;50,00;0,00;-30,00;120,00"
READING = "{meter};1;20.10.2026;12,5;А"


def run(tmp_path, gates: str = "", **files: list[str]):
    write_sample_extract(tmp_path, {"abonent.csv": [ACCOUNT], "usluga.csv": SERVICES,
                                    **{f"{name}.csv": lines for name, lines in files.items()}})
    result = dry_run_project(tmp_path, "sample_legacy", "extract", extra=gates)
    return result, f"sqlite:///{tmp_path / 'cutover.db'}"


def test_a_clean_extract_has_no_rejects(tmp_path):
    result, url = run(tmp_path, schetchik=[meter(1)], pokazanie=["1;1;20.10.2026;12,5;А"],
                      saldo=["202610;01-000001;01;100,00;50,00;0,00;-30,00;120,00"])
    assert result.status == "reconciled"
    assert {k: v["rejected"] for k, v in result.summary["entities"].items()} == dict.fromkeys(
        ["services", "persons", "premises", "accounts", "meters", "readings", "balances"], 0)
    assert query(url, "SELECT opening_kopecks, charged_kopecks, paid_kopecks, closing_kopecks FROM balance") == [
        (10000, 5000, 3000, 12000)]
    assert query(url, "SELECT value FROM reading") == [("12.5000000",)]


# A run in parts of one row each: every meter of a chain is checked in a part of its own.
IN_ONE_PART, ROW_BY_ROW = "", "partition_rows = 1\n"


@pytest.mark.parametrize("parts", [IN_ONE_PART, ROW_BY_ROW])
def test_a_chain_of_replacements_fails_from_its_rejected_end(tmp_path, parts):
    """Meter 1 was replaced by 2, 2 by 3; meter 3 belongs to an unknown account, so 3 is an
    orphan, 2 and then 1 fall with it, each pointing at the meter that replaced it."""
    orphan = "3;99-999999;01;SN-3;5;1;01.01.2024;01.01.2024;6;1;Р;"
    result, url = run(tmp_path, parts, schetchik=[meter(1, "А", "2"), meter(2, "А", "3"), orphan])
    assert result.summary["entities"]["meters"] == {"source_rows": 3, "loaded": 0, "rejected": 3, "warnings": 0}
    assert query(url, "SELECT legacy_key, rule, message FROM reject WHERE entity = 'meter' ORDER BY legacy_key") == [
        ("1", "PARENT_REJECTED", "meter '2' was rejected (PARENT_REJECTED)"),
        ("2", "PARENT_REJECTED", "meter '3' was rejected (ORPHAN_METER)"),
        ("3", "ORPHAN_METER", "account '99-999999' is not in abonent.csv"),
    ]


@pytest.mark.parametrize("parts", [IN_ONE_PART, ROW_BY_ROW])
def test_a_replacement_loads_with_its_link(tmp_path, parts):
    result, url = run(tmp_path, parts, schetchik=[meter(1, "А", "2"), meter(2)], pokazanie=[READING.format(meter=2)],
                      saldo=[BALANCE])
    assert result.status == "reconciled"
    assert query(url, "SELECT id, status, replaced_by_id FROM meter ORDER BY id") == [(1, "archived", 2), (2, "active", None)]


def test_a_reading_is_compared_with_the_previous_loaded_one(tmp_path):
    """100 then 50 then 60: 50 goes down and is rejected; 60 is then compared with 100 and is
    rejected too; nothing that goes down is loaded."""
    result, url = run(tmp_path, schetchik=[meter(1)], pokazanie=[
        "1;1;20.08.2026;100;А", "1;1;20.09.2026;50;А", "1;1;20.10.2026;60;А"])
    assert query(url, "SELECT read_on, value FROM reading") == [("2026-08-20", "100.0000000")]
    assert query(url, "SELECT row_number, message FROM reject WHERE rule = 'READ_DECREASE' ORDER BY row_number") == [
        (3, "reading 50 is below the previous 100 and is not a rollover of the meter's digit capacity"),
        (4, "reading 60 is below the previous 100 and is not a rollover of the meter's digit capacity"),
    ]


def test_a_rollover_past_the_digit_capacity_loads_with_a_warning(tmp_path):
    result, url = run(tmp_path, schetchik=[meter(1)], pokazanie=["1;1;20.09.2026;99950;А", "1;1;20.10.2026;30;А"])
    assert result.summary["entities"]["readings"] == {"source_rows": 2, "loaded": 2, "rejected": 0, "warnings": 1}
    assert query(url, "SELECT rule, severity, message FROM reject") == [
        ("READ_ROLLOVER", "warning", "meter rolled over: 99950 -> 30")]


def test_a_communal_flat_is_one_premise_with_summed_area_and_residents(tmp_path):
    second = "01-000002;ПЕТРОВА АННА СЕРГЕЕВНА;Энск г, Ленина ул, д.1 кв.1;;19,25;1;01.01.2012"
    result, url = run(tmp_path, abonent=[ACCOUNT, second])
    assert result.summary["entities"]["premises"] == {"source_rows": 1, "loaded": 1, "rejected": 0, "warnings": 0}
    assert query(url, "SELECT settlement, street, house, apartment, total_area, residents FROM premise") == [
        ("г. Энск", "ул. Ленина", "1", "1", "69.7500", 3)]
    assert query(url, "SELECT COUNT(DISTINCT premise_id), COUNT(*) FROM account") == [(1, 2)]


def test_a_negative_reading_fails_the_target_schema(tmp_path):
    result, url = run(tmp_path, schetchik=[meter(1)], pokazanie=["1;1;20.10.2026;-5;А"])
    assert query(url, "SELECT rule, column_name, raw_value, message FROM reject") == [
        ("TARGET_SCHEMA", "Показание", "-5", "value fails the target schema check non_negative: '-5'")]


def test_a_money_value_with_a_point_is_not_guessed(tmp_path):
    """The mapping says decimal comma: 1.234 could be a thousand or one and a bit."""
    result, url = run(tmp_path, saldo=["202610;01-000001;01;1.234;0,00;0,00;0,00;1.234"])
    assert query(url, "SELECT rule, column_name, raw_value FROM reject ORDER BY column_name") == [
        ("BAD_MONEY", "СальдоВх", "1.234"), ("BAD_MONEY", "СальдоИсх", "1.234")]


def test_a_gate_per_entity_takes_the_singular_or_plural_name(tmp_path):
    orphan = "2;99-999999;01;SN-2;5;1;01.01.2024;01.01.2024;6;1;Р;"
    result, _ = run(tmp_path, gates="[gates]\nmax_reject_share = 1\n[gates.entities.meter]\nmax_reject_share = 0.1\n",
                    schetchik=[meter(1), orphan], pokazanie=[READING.format(meter=1)], saldo=[BALANCE])
    assert result.status == "differences"
    assert result.summary["gate_failures"] == ["meters: 1 of 2 rows rejected (50.00%), more than the 10.00% allowed"]


def test_money_mapped_without_a_money_transform_is_a_mapping_error(tmp_path):
    mapping = tmp_path / "mappings" / "sample_legacy"
    shutil.copytree(MAPPING, mapping)
    balance = mapping / "entities" / "balance.toml"
    text = balance.read_text(encoding="utf-8")
    balance.write_text(text.replace('from = "СальдоИсх"\ntransforms = ["money"]', 'from = "СальдоИсх"\ntransforms = ["trim"]'),
                       encoding="utf-8")
    with pytest.raises(MappingError) as caught:
        run(tmp_path, saldo=["202610;01-000001;01;100,00;50,00;0,00;-30,00;120,00"])
    assert str(caught.value) == (
        f"{balance}: columns[5]: 'closing_kopecks' is money (integer kopecks); its transforms must include "
        "money or kopecks, but they give text")


def test_a_replacing_meter_rejected_by_the_target_schema_takes_the_replaced_one_with_it(tmp_path):
    too_many_digits = "2;01-000001;01;SN-2;20;1;01.01.2024;01.01.2024;6;1;Р;"
    result, url = run(tmp_path, schetchik=[meter(1, "А", "2"), too_many_digits])
    assert result.summary["entities"]["meters"]["rejected"] == 2
    assert query(url, "SELECT legacy_key, rule FROM reject WHERE entity = 'meter' ORDER BY legacy_key") == [
        ("1", "PARENT_REJECTED"), ("2", "TARGET_SCHEMA")]


def test_a_premise_loads_whole_or_not_at_all(tmp_path):
    """Two accounts share a flat; one row's area is negative, so the premise is rejected whole
    and both accounts with it."""
    second = "01-000002;ПЕТРОВА АННА СЕРГЕЕВНА;Энск г, Ленина ул, д.1 кв.1;;-19,25;1;01.01.2012"
    result, url = run(tmp_path, abonent=[ACCOUNT, second])
    assert result.summary["entities"]["premises"] == {"source_rows": 1, "loaded": 0, "rejected": 1, "warnings": 0}
    assert result.summary["entities"]["accounts"]["rejected"] == 2
    assert query(url, "SELECT row_number, rule FROM reject WHERE entity = 'premise' ORDER BY row_number") == [
        (2, "MERGED_ROW_REJECTED"), (3, "TARGET_SCHEMA")]


def test_a_merged_sum_is_checked_against_the_target_schema(tmp_path):
    crowded = "01-000002;ПЕТРОВА АННА СЕРГЕЕВНА;Энск г, Ленина ул, д.1 кв.1;;19,25;99;01.01.2012"
    result, url = run(tmp_path, abonent=[ACCOUNT, crowded])
    assert result.summary["entities"]["premises"]["rejected"] == 1
    messages = query(url, "SELECT message FROM reject WHERE entity = 'premise' AND row_number = 2")
    assert messages == [("another row of the same premise makes a sum that fails the target schema: residents 101",)]


def test_a_gate_on_rejected_money_counts_debts_and_prepayments_alike(tmp_path):
    """Two balances of the switch month are orphans: a debt of 120,00 and a prepayment of 30,00;
    together 150,00 of money is left out, more than the 100,00 allowed."""
    gates = '[gates]\nmax_reject_share = 1\nmax_rejected_money_share = 1\nmax_rejected_money = "100.00"\n'
    result, _ = run(tmp_path, gates=gates, schetchik=[meter(1)], pokazanie=[READING.format(meter=1)], saldo=[
        BALANCE, "202610;99-000001;01;0,00;0,00;0,00;0,00;120,00", "202610;99-000002;01;0,00;0,00;0,00;0,00;-30,00"])
    assert result.status == "differences"
    assert result.summary["gate_failures"] == [
        "rejected balances of 2026-10 hold 150,00 roubles (debts and prepayments alike, as the control "
        "reads them), more than the 100,00 allowed by [gates] max_rejected_money"]


def test_a_gate_on_the_share_of_rejected_money(tmp_path):
    """Of 270,00 of closing balances (debts and prepayments alike), the orphans' 150,00 are left out."""
    result, _ = run(tmp_path, gates="[gates]\nmax_reject_share = 1\n", schetchik=[meter(1)],
                    pokazanie=[READING.format(meter=1)], saldo=[
                        BALANCE, "202610;99-000001;01;0,00;0,00;0,00;0,00;120,00",
                        "202610;99-000002;01;0,00;0,00;0,00;0,00;-30,00"])
    assert result.summary["gate_failures"] == [
        "rejected balances of 2026-10 hold 150,00 of 270,00 roubles (55.56%, debts and prepayments "
        "alike), more than the 5.00% allowed by [gates] max_rejected_money_share"]


def test_a_money_limit_written_as_a_float_is_refused(tmp_path):
    with pytest.raises(ConfigError) as caught:
        run(tmp_path, gates="[gates]\nmax_rejected_money = 100.5\n")
    assert str(caught.value).endswith(
        "[gates] max_rejected_money must be roubles written as text, e.g. \"5000.00\"; got 100.5")


def test_keep_first_loads_the_first_row_of_a_repeated_key_and_rejects_the_rest(tmp_path):
    """Meter 1 is exported twice (rows 2 and 3); the mapping says keep the first."""
    mapping = tmp_path / "mappings" / "sample_legacy"
    shutil.copytree(MAPPING, mapping)
    meter_file = mapping / "entities" / "meter.toml"
    meter_file.write_text(meter_file.read_text(encoding="utf-8").replace(
        'key = ["КодПУ"]', 'key = ["КодПУ"]\non_duplicate = "keep_first"'), encoding="utf-8")
    result, url = run(tmp_path, schetchik=[meter(1), meter(1).replace("SN-1", "SN-1B")])
    assert result.summary["entities"]["meters"] == {"source_rows": 2, "loaded": 1, "rejected": 1, "warnings": 0}
    assert query(url, "SELECT serial FROM meter") == [("SN-1",)]
    assert query(url, "SELECT row_number, message FROM reject WHERE rule = 'DUPLICATE_KEY'") == [
        (3, "legacy key '1' occurs 2 times; row 2 is loaded (on_duplicate = \"keep_first\")")]


def test_the_project_can_make_a_warning_an_error(tmp_path):
    """Meter 1 was last verified in 2015 with a 6-year interval: a warning by default, here an
    error by [rules], so the meter and its reading are rejected."""
    old = "1;01-000001;01;SN-1;5;1;01.01.2015;01.01.2015;6;1;Р;"
    result, url = run(tmp_path, gates='[gates]\nmax_reject_share = 1\n[rules]\nVERIFY_EXPIRED = "error"\n',
                      schetchik=[old], pokazanie=["1;1;20.10.2026;12,5;А"])
    assert result.summary["entities"]["meters"] == {"source_rows": 1, "loaded": 0, "rejected": 1, "warnings": 0}
    assert result.summary["rejects_by_rule"] == {"meters": {"VERIFY_EXPIRED": 1}, "readings": {"PARENT_REJECTED": 1}}


def test_only_domain_rules_can_change_severity(tmp_path):
    with pytest.raises(ConfigError) as caught:
        run(tmp_path, gates='[rules]\nBAD_MONEY = "warning"\n')
    assert "[rules] BAD_MONEY: not a rule whose severity can be set; expected one of ['BAL_IDENTITY'," in str(caught.value)
