"""A name written wholly in Latin letters is a foreign holder's and loads; Cyrillic names keep their
look-alike repair, and names nobody can read stay BAD_NAME.

The end-to-end run reads a copy of the sample with one ФИО changed: ``03-001382`` holds ``БЕЛОВА``
in the sample (dirt D2a, one word only: the person is BAD_NAME, the account PARENT_REJECTED, and
its meters, readings and balances PARENT_REJECTED); the copy holds ``SMITH JOHN``. Everything of
that account then loads: the rejects of the rules that account fell under are the sample's
expected.json less exactly that account's rows, counted here from the copy's files, and every
other count is the clean run's of the same code (which tests/test_dry_run.py holds to
expected.json), but for the premise of the account's row if the clean run rejected it only for
its account.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from support import ROOT, SAMPLE, accepting_sample_dirt, dry_run_project, query

from cutover.mapping.names import split_full_name
from cutover.mapping.transforms import REGISTRY

EXPECTED = json.loads((SAMPLE / "expected.json").read_text(encoding="utf-8"))
ACCOUNT = "03-001382"  # dirt D2a in the sample: its ФИО is one word, БЕЛОВА
FOREIGN = "SMITH JOHN"


def split(value: str) -> tuple:
    row = split_full_name(pd.Series([value], dtype="str")).iloc[0]
    return tuple(None if pd.isna(item) else item for item in row)


@pytest.mark.parametrize(("full_name", "parts"), [
    ("SMITH JOHN", ("Smith", "John", None)),
    ("Smith John Paul", ("Smith", "John", "Paul")),
    ("O'Brien Patrick", ("O'Brien", "Patrick", None)),
    ("O'BRIEN PATRICK", ("O'Brien", "Patrick", None)),
    ("smith-jones mary", ("Smith-Jones", "Mary", None)),
    ("McDonald  Ronald\u00a0James", ("McDonald", "Ronald", "James")),  # mixed case kept; spaces folded
])
def test_a_name_wholly_in_latin_loads_as_written(full_name, parts):
    assert split(full_name) == (*parts, None)


@pytest.mark.parametrize(("full_name", "parts"), [
    ("ИВАНOВ ИВАН", ("Иванов", "Иван", None)),  # a Latin O
    ("Смирнова Анна Семёнoвна", ("Смирнова", "Анна", "Семёновна")),  # a Latin o
    ("ПETPOB ПЕТР", ("Петров", "Петр", None)),  # Latin E, T, P, O, B
])
def test_latin_lookalikes_inside_a_cyrillic_name_are_repaired(full_name, parts):
    assert split(full_name) == (*parts, None)


@pytest.mark.parametrize(("full_name", "message"), [
    ("SMITH", "expected at least surname and first name, got 'SMITH'"),
    ("БЕЛОВА", "expected at least surname and first name, got 'БЕЛОВА'"),
    ("Ð˜Ð²Ð°Ð½ Ð˜Ð²Ð°Ð½", "unexpected characters 'Ð˜²°½' in 'Ð˜Ð²Ð°Ð½ Ð˜Ð²Ð°Ð½'; the file may be in another encoding"),
    ("SMITH JOHN 2", "unexpected characters '2' in 'SMITH JOHN 2'; the file may be in another encoding"),
    ("SMITH\x00 JOHN", "unexpected characters '\\x00' in 'SMITH\\x00 JOHN'; the file may be in another encoding"),
    ("MÜLLER HANS", "unexpected characters 'Ü' in 'MÜLLER HANS'; the file may be in another encoding"),
    ("ИВАНОВ TOMA", "'ИВАНОВ TOMA' mixes Cyrillic words and Latin ones ('TOMA'); expected the whole name in one alphabet"),
    ("SMITH ИВАН", "'SMITH ИВАН' mixes Cyrillic words and Latin ones ('SMITH'); expected the whole name in one alphabet"),
    ("ИВАНОВd ИВАН", "word 'ИВАНОВd' in 'ИВАНОВd ИВАН' mixes Cyrillic and Latin letters"),  # d is no look-alike
    ("SMITH - JOHN", "malformed word '-' in 'SMITH - JOHN'"),
])
def test_a_name_nobody_can_read_is_still_an_error(full_name, message):
    assert split(full_name) == (None, None, None, message)
    result = REGISTRY["full_name"].function(pd.Series([full_name], dtype="str"))
    assert REGISTRY["full_name"].rule == "BAD_NAME"
    assert result.errors.tolist() == [message]


def test_utf8_read_as_cp1251_stays_an_error_as_in_the_sample_dirt_d2b():
    mojibake = "Алексеева Нина Юрьевна".encode("utf-8").decode("cp1251")  # as the generator makes D2b
    message = split(mojibake)[3]
    assert message.startswith("unexpected characters '")
    assert message.endswith(f" in {mojibake!r}; the file may be in another encoding")


def _read(path: Path) -> list[dict[str, str]]:
    text = path.read_bytes().decode("cp1251")
    return [row for row in csv.DictReader(io.StringIO(text, newline=""), delimiter=";") if any(row.values())]


def _rename(source_dir: Path, account: str, full_name: str) -> None:
    """Write ``full_name`` as the ФИО of ``account`` in the copy's abonent.csv (cp1251, CRLF)."""
    path = source_dir / "abonent.csv"
    lines = path.read_bytes().decode("cp1251").split("\r\n")
    at = next(i for i, line in enumerate(lines) if line.startswith(account + ";"))
    fields = lines[at].split(";")
    fields[1] = full_name
    lines[at] = ";".join(fields)
    path.write_bytes("\r\n".join(lines).encode("cp1251"))


@pytest.fixture(scope="module")
def foreign_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("latin-name")
    source_dir = folder / "extract"
    shutil.copytree(SAMPLE, source_dir)
    _rename(source_dir, ACCOUNT, FOREIGN)
    url = f"sqlite:///{folder / 'target.db'}"
    # the copy keeps the sample's two unreadable values (dirt D9): accepted, as the sample's cutover.toml does
    result = dry_run_project(folder, "sample_legacy", source_dir, target_url=url, extra=accepting_sample_dirt(""))
    return result, url, source_dir


def _children(source_dir: Path) -> dict[str, int]:
    """The rows of ACCOUNT in the copy's files: balances and meters of a mapped service, and the
    readings of those meters."""
    codes = tomllib.loads((ROOT / "mappings" / "sample_legacy" / "dictionaries" / "services.toml")
                          .read_text(encoding="utf-8"))["codes"]
    balances = [row for row in _read(source_dir / "saldo.csv") if row["ЛС"] == ACCOUNT and row["КодУсл"] in codes]
    meters = {row["КодПУ"] for row in _read(source_dir / "schetchik.csv")
              if row["ЛС"] == ACCOUNT and row["КодУсл"] in codes}
    readings = [row for row in _read(source_dir / "pokazanie.csv") if row["КодПУ"] in meters]
    return {"balances": len(balances), "meters": len(meters), "readings": len(readings)}


def test_the_sample_account_is_the_d2a_dirt_and_has_children():
    d2a = next(dirt for dirt in EXPECTED["dirt"] if dirt["code"] == "D2a")
    assert ACCOUNT in d2a["keys"]
    # no other dirt touches the account, so all its children were rejected for its name alone
    others = [dirt["code"] for dirt in EXPECTED["dirt"] if dirt["code"] != "D2a"
              and any(ACCOUNT in key.split(":") or ACCOUNT == key for key in dirt["keys"])]
    assert others == []
    assert all(count > 0 for count in _children(SAMPLE).values())


def test_a_latin_name_loads_the_person_account_and_everything_of_it(foreign_run, shipped_run):
    result, url, source_dir = foreign_run
    clean, clean_url = shipped_run("sample_legacy")
    children = _children(source_dir)
    assert result.status == "reconciled", (result.summary["gate_failures"], result.summary["differences"])
    rejects = result.summary["rejects_by_rule"]
    assert rejects["persons"]["BAD_NAME"] == EXPECTED["rejects_by_rule"]["persons"]["BAD_NAME"] - 1 == 3
    assert rejects["accounts"]["PARENT_REJECTED"] == EXPECTED["rejects_by_rule"]["accounts"]["PARENT_REJECTED"] - 1
    for entity, count in children.items():
        assert rejects[entity]["PARENT_REJECTED"] == EXPECTED["rejects_by_rule"][entity]["PARENT_REJECTED"] - count
    # against the clean run of the same code: that account's rows, and the premise of its row if
    # the clean run rejected that premise for its account alone
    premise = query(clean_url, "SELECT p.rule FROM reject p JOIN reject a ON a.run_id = p.run_id "
                               "AND a.row_number = p.row_number AND a.source = p.source WHERE p.entity = 'premise' "
                               "AND a.entity = 'account' AND a.legacy_key = :account", account=ACCOUNT)
    assert premise in ([], [("ACCOUNT_REJECTED",)])
    moved = {("persons", "BAD_NAME"): 1, ("accounts", "PARENT_REJECTED"): 1,
             **{(entity, "PARENT_REJECTED"): count for entity, count in children.items()},
             **({("premises", "ACCOUNT_REJECTED"): 1} if premise else {})}
    want = {entity: {rule: count - moved.get((entity, rule), 0) for rule, count in rules.items()
                     if count - moved.get((entity, rule), 0)}
            for entity, rules in clean.summary["rejects_by_rule"].items()}
    assert rejects == {entity: rules for entity, rules in want.items() if rules}
    for entity, was in clean.summary["entities"].items():
        back = sum(count for (name, _), count in moved.items() if name == entity)
        got = result.summary["entities"][entity]
        assert (got["source_rows"], got["loaded"], got["rejected"]) == (
            was["source_rows"], was["loaded"] + back, was["rejected"] - back), entity
    assert result.summary["warnings_by_rule"] == clean.summary["warnings_by_rule"]
    assert query(url, "SELECT p.last_name, p.first_name, p.patronymic FROM account a JOIN person p ON p.id = a.person_id "
                      "WHERE a.legacy_account_number = :account", account=ACCOUNT) == [("Smith", "John", None)]
    (balances,), = query(url, "SELECT COUNT(*) FROM balance b JOIN account a ON a.id = b.account_id "
                              "WHERE a.legacy_account_number = :account", account=ACCOUNT)
    (meters,), = query(url, "SELECT COUNT(*) FROM meter m JOIN account a ON a.id = m.account_id "
                            "WHERE a.legacy_account_number = :account", account=ACCOUNT)
    assert (balances, meters) == (children["balances"], children["meters"])
    assert query(url, "SELECT COUNT(*) FROM reject WHERE legacy_key = :account OR legacy_key LIKE :balance",
                 account=ACCOUNT, balance=f"{ACCOUNT}|%") == [(0,)]
