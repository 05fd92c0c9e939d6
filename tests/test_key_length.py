"""A legacy key longer than the key map keeps is a reject of its row, never a failed load (issue #14).

The committed sample with one clean meter's КодПУ, or one clean account's ЛС, made 300 characters
long everywhere it occurs. Before, PostgreSQL failed the COPY into key_map (or into reject) with
StringDataRightTruncation, MariaDB failed with error 1406, SQLite loaded the key. Now the row is
rejected with KEY_TOO_LONG, its children follow with PARENT_REJECTED (not as orphans: they name
the parent by the same cut key), and everything else loads as expected.json says.

The account's ЛС is checked by the sample's source rules too (pattern and length): the mapping
copy here leaves them out, so that the key's length is the account's only error, and a second
case keeps them, so that rows rejected anyway still write rejects that fit the reject table.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import io
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from support import assert_counts_match, dry_run_project, query

from cutover.mapping.apply.fit import (
    cut_key,
    fit_columns,
    fit_keys,
    key_length,
    too_long_messages,
)
from cutover.schema.definition import target_schema

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "sample_legacy"
MAPPING = ROOT / "mappings" / "sample_legacy"
EXPECTED = json.loads((SAMPLE / "expected.json").read_text(encoding="utf-8"))
FILES = ("abonent.csv", "usluga.csv", "schetchik.csv", "pokazanie.csv", "saldo.csv")
LS_RULES = "pattern = '^\\d{2}-\\d{6}$'\nmax_length = 30\n"  # in the shipped source_rules.toml


def rows_of(name: str) -> list[list[str]]:
    text = (SAMPLE / name).read_bytes().decode("cp1251")
    return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=";") if any(row)][1:]


def dirty_keys() -> set[str]:
    """Every key the generator lists for a kind of dirt (all of them: two of each but R4's,
    which is repaired), split into its parts (КодПУ:Зона:Дата, Период:ЛС:КодУсл)."""
    return {part for dirt in EXPECTED["dirt"] if dirt["code"] != "R4" for key in dirt["keys"] for part in key.split(":")}


def clean_meter() -> tuple[str, int]:
    """An active meter of a clean account, no replacement either way, with readings and no dirt:
    its КодПУ and its readings."""
    meters, readings, dirty = rows_of("schetchik.csv"), rows_of("pokazanie.csv"), dirty_keys()
    replacing = {row[11] for row in meters if row[11]}
    per_meter = pd.Series([row[0] for row in readings]).value_counts()
    for code, account, *_, status, replaced_by in meters:
        if status == "Р" and not replaced_by and code not in replacing and code not in dirty and account not in dirty:
            if per_meter.get(code, 0):
                return code, int(per_meter[code])
    raise AssertionError("no clean meter in the sample")


def clean_account() -> tuple[str, dict[str, int]]:
    """An account whose premise is its own, with meters, and no dirt anywhere in its rows (nor
    service 12): its ЛС and its rows per child entity."""
    accounts, meters, readings, balances = (rows_of(n) for n in ("abonent.csv", "schetchik.csv", "pokazanie.csv",
                                                                 "saldo.csv"))
    dirty = dirty_keys()
    lines = [row[0] for row in accounts]
    for position, (ls, *_) in enumerate(accounts):
        if ls in dirty or not 0 < position < len(lines) - 1:
            continue
        # A communal flat's two accounts are neighbours in the file: keep away from both.
        own_meters = [row[0] for row in meters if row[1] == ls]
        own_balances = [row for row in balances if row[1] == ls]
        if not own_meters or any(code in dirty for code in own_meters) or any(row[2] == "12" for row in own_balances):
            continue
        if _address(accounts[position]) in {_address(accounts[position - 1]), _address(accounts[position + 1])}:
            continue
        return ls, {"meters": len(own_meters), "readings": sum(row[0] in own_meters for row in readings),
                    "balances": len(own_balances)}
    raise AssertionError("no clean account in the sample")


def _address(row: list[str]) -> str:
    return re.sub(r"\D", "", row[2])  # house and flat numbers: enough to tell neighbours' flats apart


def long_key(key: str) -> str:
    return key + "-" + "7" * (299 - len(key))


def write_extract(folder: Path, replace: dict[str, list[tuple[str, str]]]) -> Path:
    """The sample's files with each (pattern, replacement) of ``replace[file]`` applied line by line."""
    extract = folder / "extract"
    extract.mkdir(parents=True)
    for name in FILES:
        data = (SAMPLE / name).read_bytes()
        if name in replace:
            text = data.decode("cp1251")
            for pattern, new in replace[name]:
                text, found = re.subn(pattern, new, text, flags=re.MULTILINE)
                assert found, (name, pattern)
            data = text.encode("cp1251")
        (extract / name).write_bytes(data)
    return extract


def mapping_copy(folder: Path, source_rules: bool) -> Path:
    """A project folder holding a copy of the sample mapping (without the ЛС source rules unless
    ``source_rules``), so that the project's mapping resolves to it."""
    mapping = folder / "mappings" / "sample_legacy"
    shutil.copytree(MAPPING, mapping)
    if not source_rules:
        rules = mapping / "source_rules.toml"
        text = rules.read_text(encoding="utf-8")
        assert LS_RULES in text
        rules.write_text(text.replace(LS_RULES, ""), encoding="utf-8")
    return folder


def moved(counts: dict[str, dict[str, int]], more: dict[str, int]) -> dict:
    """expected.json with rejects added: ``counts`` rule counts by entity, ``more`` rows rejected
    (from loaded) by entity."""
    expected = copy.deepcopy(EXPECTED)
    for entity, rules in counts.items():
        by_rule = expected["rejects_by_rule"].setdefault(entity, {})
        for rule, rows in rules.items():
            by_rule[rule] = by_rule.get(rule, 0) + rows
    for entity, rows in more.items():
        expected["entities"][entity]["loaded"] -= rows
        expected["entities"][entity]["rejected"] += rows
    return expected


def rejects(url: str, run_id: str, entity: str) -> list[tuple]:
    return query(url, "SELECT rule, legacy_key, column_name, raw_value, message FROM reject WHERE run_id = :run "
                      "AND entity = :entity AND severity = 'error' AND legacy_key LIKE :key ORDER BY rule",
                 run=run_id, entity=entity, key="%…(300 characters, %")


def message(key: str) -> str:
    return f"legacy key '{key[:40]}…' has 300 characters; the key map holds at most 200"


def test_a_300_character_meter_code_is_one_reject_and_its_readings_follow(target_url, tmp_path):
    code, readings = clean_meter()
    key = long_key(code)
    extract = write_extract(tmp_path, {"schetchik.csv": [(rf"^{code};", f"{key};")],
                                       "pokazanie.csv": [(rf"^{code};", f"{key};")]})
    result = dry_run_project(tmp_path, "sample_legacy", extract, target_url=target_url,
                             extra="[gates]\naccept_unreadable_rows = 2\n")
    assert_counts_match(result.summary, moved({"meters": {"KEY_TOO_LONG": 1}, "readings": {"PARENT_REJECTED": readings}},
                                              {"meters": 1, "readings": readings}))
    cut = cut_key(key)
    assert rejects(target_url, result.run_id, "meter") == [("KEY_TOO_LONG", cut, "КодПУ", key, message(key))]
    fallen = query(target_url, "SELECT DISTINCT rule, message FROM reject WHERE run_id = :run AND entity = 'reading' "
                               "AND raw_value = :cut", run=result.run_id, cut=cut)
    assert fallen == [("PARENT_REJECTED", f"meter {cut!r} was rejected (KEY_TOO_LONG)")]
    assert query(target_url, "SELECT COUNT(*) FROM key_map WHERE legacy_key LIKE :key", key=f"{code}-%") == [(0,)]


@pytest.mark.parametrize("source_rules", [False, True], ids=["key-only", "source-rules-too"])
def test_a_300_character_account_number_is_one_reject_and_its_rows_follow(target_url, tmp_path, source_rules):
    ls, children = clean_account()
    key = long_key(ls)
    extract = write_extract(tmp_path, {"abonent.csv": [(rf"^{ls};", f"{key};")],
                                       "schetchik.csv": [(rf"^([^;\r\n]*);{ls};", rf"\g<1>;{key};")],
                                       "saldo.csv": [(rf"^(\d{{6}});{ls};", rf"\g<1>;{key};")]})
    project = mapping_copy(tmp_path / "project", source_rules)
    result = dry_run_project(project, "sample_legacy", extract, target_url=target_url,
                             extra="[gates]\naccept_unreadable_rows = 2\n")
    cascade = {"meters": {"PARENT_REJECTED": children["meters"]}, "readings": {"PARENT_REJECTED": children["readings"]},
               "balances": {"PARENT_REJECTED": children["balances"]}}
    rows = {"persons": 1, "premises": 1, "accounts": 1, **children}
    cut = cut_key(key)
    too_long = ("KEY_TOO_LONG", cut, "ЛС", key, message(key))
    if source_rules:  # every entity of the row breaks the ЛС rules, person, premise and account alike
        broken = {"SOURCE_LENGTH": 1, "SOURCE_PATTERN": 1}
        expected = moved({"persons": {**broken, "KEY_TOO_LONG": 1}, "accounts": {**broken, "KEY_TOO_LONG": 1},
                          "premises": broken, **cascade}, rows)
        assert_counts_match(result.summary, expected)
        for entity in ("person", "account"):
            found = rejects(target_url, result.run_id, entity)
            assert [row[0] for row in found] == ["KEY_TOO_LONG", "SOURCE_LENGTH", "SOURCE_PATTERN"], entity
            assert found[0] == too_long
            assert {row[1] for row in found} == {cut} and {len(row[3]) for row in found} == {300}
    else:
        expected = moved({"persons": {"KEY_TOO_LONG": 1}, "accounts": {"KEY_TOO_LONG": 1},
                          "premises": {"ACCOUNT_REJECTED": 1}, **cascade}, rows)
        assert_counts_match(result.summary, expected)
        assert rejects(target_url, result.run_id, "person") == [too_long]
        assert rejects(target_url, result.run_id, "account") == [too_long]
        assert query(target_url, "SELECT COUNT(*) FROM reject WHERE run_id = :run AND entity = 'premise' "
                                 "AND rule = 'ACCOUNT_REJECTED' AND message = :message", run=result.run_id,
                     message=f"account {cut!r} was rejected (KEY_TOO_LONG)") == [(1,)]
    # The children name the account by its cut key, and its first error rule (a source rule's, when
    # the source rules reject the row first).
    fallen = query(target_url, "SELECT entity, message, COUNT(*) FROM reject WHERE run_id = :run "
                               "AND rule = 'PARENT_REJECTED' AND raw_value = :cut GROUP BY entity, message "
                               "ORDER BY entity", run=result.run_id, cut=cut)
    first_rule = "SOURCE_PATTERN" if source_rules else "KEY_TOO_LONG"
    because = f"account {cut!r} was rejected ({first_rule})"
    assert fallen == [("balance", because, children["balances"]), ("meter", because, children["meters"])]
    assert query(target_url, "SELECT COUNT(*) FROM account WHERE legacy_account_number LIKE :key",
                 key=f"{ls}%") == [(0,)]


def test_a_cut_key_is_short_distinct_and_the_same_wherever_it_is_made():
    first, second = "1" * 250 + "a", "1" * 250 + "b"
    assert cut_key(first) != cut_key(second) and len(cut_key(first)) < 100
    assert cut_key(first) == f"{'1' * 40}…(251 characters, {hashlib.sha1(first.encode()).hexdigest()[:12]})"
    keys = pd.Series(["short", "x" * key_length(), "x" * (key_length() + 1), None], dtype="object")
    fitted, cut = fit_keys(keys)
    assert cut.tolist() == [False, False, True, False]
    assert fitted[:2].tolist() == keys[:2].tolist() and pd.isna(fitted[3])
    assert fitted[2] == cut_key(keys[2])
    assert too_long_messages(keys[cut]).tolist() == [
        f"legacy key '{'x' * 40}…' has {key_length() + 1} characters; the key map holds at most {key_length()}"]


def test_every_text_a_reject_stores_fits_its_column():
    table = target_schema().table("reject")
    frame = pd.DataFrame({"entity": ["meter"], "severity": ["error"], "rule": ["R"], "message": ["m" * 600],
                          "source": ["s" * 250], "row_number": [2], "legacy_key": ["k" * 300],
                          "column_name": ["c" * 120], "raw_value": [None]})
    fitted = fit_columns(frame, table).iloc[0]
    assert fitted["message"] == "m" * 499 + "…" and fitted["source"] == "s" * 199 + "…"
    assert fitted["column_name"] == "c" * 99 + "…" and fitted["legacy_key"] == cut_key("k" * 300)
    assert fitted["raw_value"] is None and fitted["entity"] == "meter"
