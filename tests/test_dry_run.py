"""The dry run of the bundled sample, checked against what the generator expects.

sample_data/sample_legacy/expected.json is written by sample_data/generate.py from what it
put in the files (including every deliberate kind of dirt), independently of the engine.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import assert_counts_match, assert_money_matches, dry_run_project, query

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_data" / "sample_legacy"
EXPECTED = json.loads((SAMPLE / "expected.json").read_text(encoding="utf-8"))
DATA_TABLES = ("period", "service", "person", "premise", "account", "meter", "reading", "balance")


def run_sample(folder: Path, target_url: str):
    return dry_run_project(folder, "sample_legacy", SAMPLE, target_url=target_url)


def dump_tables(url: str) -> dict[str, list[tuple]]:
    return {name: query(url, f"SELECT * FROM {name} ORDER BY 1, 2, 3") for name in DATA_TABLES}


@pytest.fixture(scope="module")
def sample_run(shipped_run):
    """One dry run of the sample into SQLite, shared by the read-only tests below."""
    return shipped_run("sample_legacy")


def test_every_entity_adds_up_and_matches_the_generator(target_url, tmp_path):
    result = run_sample(tmp_path, target_url)
    assert result.status == "reconciled"
    assert_counts_match(result.summary, EXPECTED)


def test_money_matches_the_generator_to_the_kopeck(target_url, tmp_path):
    summary = run_sample(tmp_path, target_url).summary
    assert summary["money"]["period"] == "2026-10"
    assert_money_matches(summary, EXPECTED, target_url)


def test_two_dry_runs_leave_identical_tables_and_account_numbers(target_url, tmp_path):
    run_sample(tmp_path / "first", target_url)
    first = dump_tables(target_url)
    run_sample(tmp_path / "second", target_url)
    second = dump_tables(target_url)
    assert len(first["account"]) == EXPECTED["entities"]["accounts"]["loaded"]
    for name in DATA_TABLES:
        assert second[name] == first[name], name


def _reject_keys(url: str, rule: str, severity: str = "error") -> set[str]:
    """Legacy keys of the rows rejected by ``rule``; for a premise (keyed by its address,
    which could not be read) the account number of the same source row."""
    return {key for key, in query(
        url, "SELECT CASE WHEN r.entity = 'premise' THEN a.legacy_key ELSE r.legacy_key END "
             "FROM reject r LEFT JOIN reject a ON a.run_id = r.run_id AND a.entity = 'account' "
             "AND a.row_number = r.row_number WHERE r.rule = :rule AND r.severity = :severity",
        rule=rule, severity=severity)}


def _engine_key(dirt_key: str, file: str) -> str:
    """The generator writes balance keys as period:account:service and reading keys as
    meter:zone:date; the mapping keys them as account|service|period and meter|zone|date."""
    parts = dirt_key.split(":")
    if file == "saldo.csv" and len(parts) == 3:
        return "|".join((parts[1], parts[2], parts[0]))
    return "|".join(parts)


@pytest.mark.parametrize("dirt", [d for d in EXPECTED["dirt"] if not d["rule"].startswith(("FIX_", "SKIP_", "NEGATE_"))],
                         ids=lambda d: f"{d['code']}-{d['rule']}")
def test_each_kind_of_dirt_ends_as_a_reject_with_its_rule(sample_run, dirt):
    _, url = sample_run
    severity = "warning" if dirt["rule"].startswith(("VERIFY_", "READ_ROLLOVER")) else "error"
    found = _reject_keys(url, dirt["rule"], severity)
    expected = {_engine_key(k, dirt["file"]) for k in dirt["keys"]}
    missing = {k for k in expected if not any(f == k or f.startswith(k + "|") for f in found)}
    assert not missing, f"{dirt['code']} {dirt['rule']}: no reject for {sorted(missing)}"


def test_repaired_names_and_addresses_load_clean(sample_run):
    _, url = sample_run
    keys = [k for d in EXPECTED["dirt"] if d["code"] in ("R1", "R2", "R3") for k in d["keys"]]
    rows = query(url, "SELECT a.legacy_account_number, p.last_name, p.first_name, p.patronymic, pr.street, pr.house "
                      "FROM account a JOIN person p ON p.id = a.person_id JOIN premise pr ON pr.id = a.premise_id")
    by_account = {row[0]: row[1:] for row in rows}
    assert set(keys) <= set(by_account)
    for key in keys:
        text = " ".join(v for v in by_account[key] if v)
        assert not any("a" <= ch.lower() <= "z" for ch in text), (key, text)
        assert "  " not in text and "\n" not in text, (key, text)


def test_every_reject_names_file_row_key_column_and_value(sample_run):
    result, url = sample_run
    [row] = query(url, "SELECT source, row_number, legacy_key, column_name, raw_value, message FROM reject "
                       "WHERE run_id = :run AND rule = 'BAD_MONEY' ORDER BY row_number LIMIT 1", run=result.run_id)
    source, row_number, legacy_key, column, raw, message = row
    assert (source, column, raw) == ("saldo.csv", "Начислено", "н/д")
    assert row_number > 1 and legacy_key.count("|") == 2
    assert message == "not an amount of money: 'н/д' (expected digits with ',' and at most two decimals)"


def test_a_domain_rule_reject_shows_the_value_as_written_in_the_file(sample_run):
    result, url = sample_run
    rows = query(url, "SELECT column_name, raw_value, message FROM reject WHERE run_id = :run AND rule = 'BAL_IDENTITY'",
                 run=result.run_id)
    assert len(rows) == EXPECTED["rejects_by_rule"]["balances"]["BAL_IDENTITY"]
    for column, raw, message in rows:
        assert column == "СальдоИсх"
        assert "," in raw  # the legacy text, decimal comma and all, not kopecks
        assert message.startswith(f"closing {raw.replace(chr(160), ' ')}") or message.startswith("closing ")
