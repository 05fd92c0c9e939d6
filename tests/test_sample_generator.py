"""The sample legacy export generator (sample_data/generate.py) and its committed 500-account copy.

The committed copy in sample_data/sample_legacy/ must be exactly what the script writes with its
defaults (--accounts 500 --seed 20261031); expected.json must add up; the files must have the
shape the legacy system writes (cp1251, `;`, CRLF, a header, csv quoting only where needed).
"""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "sample_data" / "generate.py"
COMMITTED = ROOT / "sample_data" / "sample_legacy"
CSV_FILES = ["abonent.csv", "usluga.csv", "schetchik.csv", "pokazanie.csv", "saldo.csv"]
EMPTY_TRAILING = {"abonent.csv": 2, "saldo.csv": 2}


def run_generator(out: Path, *args: str) -> None:
    proc = subprocess.run([sys.executable, str(SCRIPT), "--out", str(out), *args],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample") / "sample_legacy"
    run_generator(out)
    return out


@pytest.fixture(scope="module")
def expected() -> dict:
    return json.loads((COMMITTED / "expected.json").read_text(encoding="utf-8"))


def read_rows(path: Path) -> list[list[str]]:
    text = path.read_bytes().decode("cp1251")  # strict: raises on an undecodable byte
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def test_committed_copy_matches_the_script(fresh: Path) -> None:
    names = sorted(p.name for p in fresh.iterdir())
    assert names == sorted(p.name for p in COMMITTED.iterdir())
    for name in names:
        assert (fresh / name).read_bytes() == (COMMITTED / name).read_bytes(), (
            f"{name} drifted: run python3 sample_data/generate.py and commit sample_data/sample_legacy")


def test_other_seed_gives_other_data(tmp_path: Path) -> None:
    run_generator(tmp_path, "--seed", "7", "--accounts", "500")
    for name in ["abonent.csv", "schetchik.csv", "pokazanie.csv", "saldo.csv", "expected.json"]:
        assert (tmp_path / name).read_bytes() != (COMMITTED / name).read_bytes(), name
    assert json.loads((tmp_path / "expected.json").read_text("utf-8"))["generator"]["seed"] == 7


def test_expected_json_is_consistent(expected: dict) -> None:
    assert expected["generator"] == {"seed": 20261031, "accounts": 500}
    entities = expected["entities"]
    assert set(entities) == {"persons", "premises", "accounts", "services", "meters", "readings",
                             "balances"}
    for name, e in entities.items():
        assert e["source_rows"] == e["loaded"] + e["rejected"], name
        by_rule = expected["rejects_by_rule"].get(name, {})
        assert sum(by_rule.values()) >= e["rejected"], name
        assert all(v > 0 for v in by_rule.values()), name
    assert entities["services"] == {"source_rows": 9, "loaded": 8, "rejected": 1}
    money = expected["money"]
    assert (money["period"], money["measure"]) == ("2026-10", "closing")
    for svc, m in money["services"].items():
        assert m["source"] == m["target"] + m["rejected"], svc
    assert money["services"]["legacy:12"]["target"] == 0
    for k in ("source", "target", "rejected"):
        assert money["total"][k] == sum(m[k] for m in money["services"].values()), k
    assert money["total"]["source"] == money["total"]["target"] + money["total"]["rejected"]
    # The loaded closing of 2026-10 per service is the money target.
    for svc, t in expected["target_totals"]["2026-10"].items():
        assert t["closing"] == money["services"][svc]["target"], svc
    for period, services in expected["target_totals"].items():
        for svc, t in services.items():
            assert t["closing"] == t["opening"] + t["charged"] + t["recalculated"] - t["paid"], (period, svc)
            assert t["paid"] >= 0
    # Row counts agree with the files.
    for name in CSV_FILES:
        rows = read_rows(COMMITTED / name)
        assert len(rows) - 1 - EMPTY_TRAILING.get(name, 0) == expected["files"][name]["data_rows"], name


def test_files_are_cp1251_semicolon_csv_with_crlf(expected: dict) -> None:
    for name in CSV_FILES:
        raw = (COMMITTED / name).read_bytes()
        assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b""), name
        rows = read_rows(COMMITTED / name)
        header = rows[0]
        assert len(header) > 2 and all(header), name
        for i, row in enumerate(rows[1:], start=2):
            assert len(row) == len(header), (name, i, row)
        empties = [r for r in rows[1:] if not any(r)]
        assert empties == rows[len(rows) - EMPTY_TRAILING.get(name, 0):], name
    abonent = read_rows(COMMITTED / "abonent.csv")
    assert any("\r\n" in row[2] for row in abonent), "the quoted multi-line address (R3) is missing"
    saldo = read_rows(COMMITTED / "saldo.csv")
    assert any("\xa0" in v for row in saldo for v in row), "no thousands separator U+00A0 (R4)"


def kopecks(text: str) -> int:
    text = text.replace(" ", "").replace("\xa0", "")
    sign = -1 if text.startswith("-") else 1
    units, cents = text.lstrip("-").split(",")
    assert len(cents) == 2, text
    return sign * (int(units) * 100 + int(cents))


def test_balance_identity_breaks_only_where_the_dirt_says(expected: dict) -> None:
    dirt = {d["code"]: d for d in expected["dirt"]}
    broken, not_a_number = set(), set()
    for row in read_rows(COMMITTED / "saldo.csv")[1:]:
        if not any(row):
            continue
        key = ":".join(row[:3])
        assert row[6] == "0,00" or row[6].startswith("-"), row  # payments are stored negative
        if row[4] == "н/д":
            not_a_number.add(key)
            continue
        opening, charged, recalc, paid, closing = (kopecks(v) for v in row[3:8])
        if opening + charged + recalc + paid != closing:
            broken.add(key)
    assert broken == set(dirt["D8"]["keys"])
    assert not_a_number == set(dirt["D9"]["keys"])
