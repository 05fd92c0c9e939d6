"""The legacy record is the unit (issue #14): a person or premise built for accounts that are all
rejected is rejected with them (ACCOUNT_REJECTED), unless a loaded account refers to it or no
account refers to it at all.

Tiny extracts in the sample layout (one abonent.csv row builds a person, a premise and an
account), each run in one part and row by row (``partition_rows = 1``: every person, premise and
account part waits on disk until the accounts are decided), and the committed sample's dirt D1,
D2a, D2b and D3 (sample_data/sample_legacy/expected.json).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from support import dry_run_project, query, write_sample_extract

ROOT = Path(__file__).resolve().parents[1]
MAPPING = ROOT / "mappings" / "sample_legacy"
EXPECTED = json.loads((ROOT / "sample_data" / "sample_legacy" / "expected.json").read_text(encoding="utf-8"))
SERVICES = ["01;Холодное водоснабжение;м3"]
CLEAN = "01-000001;ИВАНОВ ИВАН ИВАНОВИЧ;г. Энск, ул. Ленина, д. 1, кв. 1;;50,5;2;01.01.2010"
# A meter, a reading and a balance of the clean account: a run without them is NO-GO.
CHILDREN = {"schetchik.csv": ["1;01-000001;01;SN-1;5;1;01.01.2024;01.01.2024;6;1;Р;"],
            "pokazanie.csv": ["1;1;20.10.2026;12,5;А"],
            "saldo.csv": ["202610;01-000001;01;100,00;50,00;0,00;-30,00;120,00"]}
PARTS = pytest.mark.parametrize("parts", ["", "partition_rows = 1\n"], ids=["one-part", "row-by-row"])
GATES = "[gates]\nmax_reject_share = 1\n"
EVERY_REJECT = "SELECT entity, row_number, legacy_key, rule, message, column_name, raw_value FROM reject " \
               "WHERE severity = 'error' ORDER BY entity, row_number, rule"


def run(folder: Path, abonent: list[str], parts: str = "", mapping_edits: list[tuple[str, str, str]] = ()):
    """Dry-run the extract (the clean account and its children, plus ``abonent``) into SQLite with a
    copy of the sample mapping edited by ``mapping_edits`` ((file, old, new)); the summary and URL."""
    if mapping_edits:
        copy = folder / "mappings" / "sample_legacy"
        shutil.copytree(MAPPING, copy)
        for name, old, new in mapping_edits:
            text = (copy / name).read_text(encoding="utf-8")
            assert old in text, (name, old)
            (copy / name).write_text(text.replace(old, new), encoding="utf-8")
    write_sample_extract(folder, {"abonent.csv": [CLEAN, *abonent], "usluga.csv": SERVICES, **CHILDREN})
    result = dry_run_project(folder, "sample_legacy", "extract", extra=parts + GATES)
    assert result.summary["status"] == "reconciled", (result.summary["differences"], result.summary["gate_failures"])
    return result.summary, f"sqlite:///{folder / 'cutover.db'}"


def counts(summary: dict) -> dict[str, tuple[int, int, int]]:
    return {name: (c["source_rows"], c["loaded"], c["rejected"]) for name, c in summary["entities"].items()}


def unlived(url: str) -> list[tuple]:
    """Persons without an account and premises nobody lives in, as the target holds them."""
    return query(url, "SELECT 'person', last_name FROM person WHERE id NOT IN (SELECT person_id FROM account) "
                      "UNION ALL SELECT 'premise', street || ' ' || house FROM premise "
                      "WHERE id NOT IN (SELECT premise_id FROM account) ORDER BY 1")


@PARTS
def test_an_account_rejected_for_its_payers_name_takes_its_premise_with_it(tmp_path, parts):
    """Row 3 (01-000002): a one-word name. Its person is BAD_NAME, its account PARENT_REJECTED,
    and its premise (its own flat) ACCOUNT_REJECTED, naming the account and the account's rule."""
    bad_name = "01-000002;БЕЛОВА;г. Энск, ул. Мира, д. 2, кв. 5;;40,0;1;01.01.2012"
    summary, url = run(tmp_path, [bad_name], parts)
    premise = "г. энск|ул. мира|2||5"
    assert query(url, EVERY_REJECT) == [
        ("account", 3, "01-000002", "PARENT_REJECTED", "person '01-000002' was rejected (BAD_NAME)", "ЛС", "01-000002"),
        ("person", 3, "01-000002", "BAD_NAME", "expected at least surname and first name, got 'БЕЛОВА'",
         "ФИО", "БЕЛОВА"),
        ("premise", 3, premise, "ACCOUNT_REJECTED", "account '01-000002' was rejected (PARENT_REJECTED)", None,
         premise),
    ]
    assert summary["rejects_by_rule"] == {"persons": {"BAD_NAME": 1}, "accounts": {"PARENT_REJECTED": 1},
                                          "premises": {"ACCOUNT_REJECTED": 1}}
    assert counts(summary) == {"services": (1, 1, 0), "persons": (2, 1, 1), "premises": (2, 1, 1),
                               "accounts": (2, 1, 1), "meters": (1, 1, 0), "readings": (1, 1, 0),
                               "balances": (1, 1, 0)}
    assert query(url, "SELECT street, house FROM premise") == [("ул. Ленина", "1")]
    assert unlived(url) == []


@PARTS
def test_a_communal_premise_shared_with_a_loaded_account_stays(tmp_path, parts):
    """Rows 3 and 4 share a flat (written in two styles); row 3's name is one word. Its person and
    account are rejected; the premise stays, whole (area and residents of both rows, as the
    legacy data gives them), with row 4's account on it."""
    bad_name = "01-000002;БЕЛОВА;г. Энск, ул. Мира, д. 2, кв. 5;;40,0;1;01.01.2012"
    flatmate = "01-000003;СИДОРОВ ПЁТР ИЛЬИЧ;Энск г, Мира ул, д.2 кв.5;;20,0;2;01.01.2013"
    summary, url = run(tmp_path, [bad_name, flatmate], parts)
    assert summary["rejects_by_rule"] == {"persons": {"BAD_NAME": 1}, "accounts": {"PARENT_REJECTED": 1}}
    assert counts(summary)["premises"] == (2, 2, 0)
    assert query(url, "SELECT a.legacy_account_number, p.street, p.total_area, p.residents FROM account a "
                      "JOIN premise p ON p.id = a.premise_id ORDER BY 1") == [
        ("01-000001", "ул. Ленина", "50.5000", 2), ("01-000003", "ул. Мира", "60.0000", 3)]
    assert unlived(url) == []


def test_a_communal_premise_whose_accounts_are_all_rejected_is_rejected_naming_one_and_counting_the_others(tmp_path):
    """Rows 3 and 4 share a flat, and both names are one word."""
    summary, url = run(tmp_path, ["01-000002;БЕЛОВА;г. Энск, ул. Мира, д. 2, кв. 5;;40,0;1;01.01.2012",
                                  "01-000003;ОРЛОВ;Энск г, Мира ул, д.2 кв.5;;20,0;2;01.01.2013"])
    assert query(url, "SELECT row_number, message FROM reject WHERE rule = 'ACCOUNT_REJECTED' ORDER BY 1") == [
        (3, "account '01-000002' was rejected (PARENT_REJECTED), and 1 more of its accounts"),
        (4, "account '01-000002' was rejected (PARENT_REJECTED), and 1 more of its accounts")]
    assert summary["rejects_by_rule"]["premises"] == {"ACCOUNT_REJECTED": 2}  # rows; the premise is one item
    assert counts(summary)["premises"] == (2, 1, 1)
    assert unlived(url) == []


@PARTS
def test_a_premise_rejected_takes_its_person_with_it(tmp_path, parts):
    """Row 3's address has no house number (the sample's dirt D3): its premise is BAD_ADDRESS, its
    account PARENT_REJECTED, its person ACCOUNT_REJECTED."""
    bad_address = "01-000002;ПЕТРОВА АННА СЕРГЕЕВНА;г. Энск, ул. Мира;;40,0;1;01.01.2012"
    summary, url = run(tmp_path, [bad_address], parts)
    rejects = query(url, EVERY_REJECT)
    assert [row[:4] for row in rejects] == [("account", 3, "01-000002", "PARENT_REJECTED"),
                                            ("person", 3, "01-000002", "ACCOUNT_REJECTED"),
                                            ("premise", 3, "#row3", "BAD_ADDRESS")]
    assert rejects[1][4:] == ("account '01-000002' was rejected (PARENT_REJECTED)", None, "01-000002")
    assert counts(summary)["persons"] == (2, 1, 1)
    assert query(url, "SELECT last_name FROM person") == [("Иванов",)]
    assert unlived(url) == []


@PARTS
def test_a_payer_another_loaded_account_refers_to_stays_and_so_does_one_no_account_refers_to(tmp_path, parts):
    """A copy of the mapping keys persons by name (one payer, several accounts) and leaves the
    accounts opened on 01.01.2015 out of the accounts ([filter]). ПЕТРОВ holds row 3's account,
    loaded, and row 4's, rejected (BAD_DATE): he stays. СИДОРОВ (row 5) has no account the
    mapping reads: he stays, and so does his premise. Row 4's premise, its own, goes with row 4."""
    edits = [("entities/person.toml", 'key = ["ЛС"]\non_duplicate = "reject_all"', 'key = ["ФИО"]\non_duplicate = "merge"'),
             ("entities/account.toml", 'entity = "person"\nkey = ["ЛС"]', 'entity = "person"\nkey = ["ФИО"]'),
             ("entities/account.toml", 'on_duplicate = "reject_all"',
              'on_duplicate = "reject_all"\n\n[filter]\n"ДатаОткр" = ["01.01.2010", "01.01.2012", "2012-01-01"]')]
    petrov = "ПЕТРОВ ПЁТР ПЕТРОВИЧ"
    summary, url = run(tmp_path, [f"01-000002;{petrov};г. Энск, ул. Мира, д. 2, кв. 5;;40,0;1;01.01.2012",
                                  f"01-000003;{petrov};г. Энск, ул. Мира, д. 3, кв. 7;;40,0;1;2012-01-01",
                                  "01-000004;СИДОРОВ ПЁТР ИЛЬИЧ;г. Энск, ул. Мира, д. 4, кв. 9;;40,0;1;01.01.2015"],
                       parts, edits)
    assert query(url, EVERY_REJECT) == [
        ("account", 4, "01-000003", "BAD_DATE", "not a date: '2012-01-01' (expected %d.%m.%Y)", "ДатаОткр",
         "2012-01-01"),
        ("premise", 4, "г. энск|ул. мира|3||7", "ACCOUNT_REJECTED", "account '01-000003' was rejected (BAD_DATE)", None,
         "г. энск|ул. мира|3||7"),
    ]
    assert counts(summary) == {"services": (1, 1, 0), "persons": (3, 3, 0), "premises": (4, 3, 1),
                               "accounts": (3, 2, 1), "meters": (1, 1, 0), "readings": (1, 1, 0),
                               "balances": (1, 1, 0)}
    assert summary["filtered"] == {"accounts": 1}
    assert query(url, "SELECT p.last_name, COUNT(a.id) FROM person p LEFT JOIN account a ON a.person_id = p.id "
                      "GROUP BY p.last_name ORDER BY 1") == [("Иванов", 1), ("Петров", 1), ("Сидоров", 0)]
    assert unlived(url) == [("person", "Сидоров"), ("premise", "ул. Мира 4")]  # СИДОРОВ and his flat: the legacy data says so


@pytest.fixture(scope="module")
def sample(shipped_run):
    return shipped_run("sample_legacy")


def _dirt(code: str) -> dict:
    return next(d for d in EXPECTED["dirt"] if d["code"] == code)


@pytest.mark.parametrize("code, entity, why", [("D1", "premise", "DUPLICATE_KEY"), ("D2a", "premise", "PARENT_REJECTED"),
                                               ("D2b", "premise", "PARENT_REJECTED"), ("D3", "person", "PARENT_REJECTED")])
def test_the_samples_rejected_accounts_take_what_was_built_for_them(sample, code, entity, why):
    """Each row of a rejected account of the sample's dirt: the person or premise of the same row
    is ACCOUNT_REJECTED, naming the account and its rule; expected.json counts them."""
    result, url = sample
    dirt = _dirt(code)
    found = [row for row in query(url, "SELECT a.legacy_key, r.message FROM reject r JOIN reject a "
                                       "ON a.run_id = r.run_id AND a.entity = 'account' AND a.row_number = r.row_number "
                                       "WHERE r.run_id = :run AND r.entity = :entity AND r.rule = 'ACCOUNT_REJECTED' "
                                       "ORDER BY 1", run=result.run_id, entity=entity) if row[0] in dirt["keys"]]
    rows = 2 if code == "D1" else 1  # a duplicated ЛС is two rows, each with a premise of its own
    assert found == sorted((key, f"account '{key}' was rejected ({why})") for key in dirt["keys"] for _ in range(rows))
    assert dirt["cascade_account_rejected"] == {f"{entity}s": len(found)}


def test_the_sample_target_holds_no_payer_without_an_account_nor_an_empty_premise(sample):
    result, url = sample
    assert unlived(url) == []
    rejected = EXPECTED["rejects_by_rule"]
    assert result.summary["rejects_by_rule"]["persons"]["ACCOUNT_REJECTED"] == rejected["persons"]["ACCOUNT_REJECTED"] == 2
    assert result.summary["rejects_by_rule"]["premises"]["ACCOUNT_REJECTED"] == rejected["premises"]["ACCOUNT_REJECTED"] == 8
    assert EXPECTED["entities"]["persons"]["loaded"] == EXPECTED["entities"]["accounts"]["loaded"] == 492
