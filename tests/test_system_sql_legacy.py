"""The shipped system sql_legacy: a normalised legacy database read through sql sources.

sample_data/sql_legacy/create_legacy_db.py makes the database (SQLite, PostgreSQL or MariaDB)
and expected.json from what it put in, independently of the engine. Its dirt, written down
in expected.json: service 15 has no target code (UNKNOWN_CODE, its 21 balances
PARENT_REJECTED), meter 100172 belongs to a deleted account (ORPHAN_METER, its 6 readings
PARENT_REJECTED), two balance rows break the identity (BAL_IDENTITY). The open period 202611
is left out by the saldo source's query, so its rows are no source rows.

The dry run reads the committed SQLite copy always, and the same database created on a fresh
PostgreSQL schema or MariaDB database when those servers are configured; the target is SQLite.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from cutover import db
from cutover.config import load_project
from cutover.pipeline.run import dry_run

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_data" / "sql_legacy"
MAPPING = REPO / "mappings" / "sql_legacy"
EXPECTED = json.loads((SAMPLE / "expected.json").read_text(encoding="utf-8"))
MEASURES = ("opening", "charged", "recalculated", "paid", "closing")
COMMITTED_URL = "sqlite:///legacy.db"


def _script():
    spec = importlib.util.spec_from_file_location("create_legacy_db", SAMPLE / "create_legacy_db.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CREATE = _script()


def legacy(seed: int = EXPECTED["generator"]["seed"]):
    return CREATE.Legacy(EXPECTED["generator"]["accounts"], seed).build()


def make_project(folder: Path, legacy_url: str | None = None) -> Path:
    """A project dry-running sql_legacy into SQLite; from the committed copy, or from ``legacy_url``."""
    folder.mkdir(parents=True, exist_ok=True)
    if legacy_url is not None:  # the project's own copy of the mapping, pointing at the server
        shutil.copytree(MAPPING, folder / "mappings" / "sql_legacy")
        system = folder / "mappings" / "sql_legacy" / "system.toml"
        text = system.read_text(encoding="utf-8")
        assert text.count(f'url = "{COMMITTED_URL}"') == 7
        system.write_text(text.replace(f'url = "{COMMITTED_URL}"', f'url = "{legacy_url}"'), encoding="utf-8")
    (folder / "cutover.toml").write_text(
        f'[project]\nmapping = "sql_legacy"\nsource_dir = "{SAMPLE.as_posix()}"\nperiod = "2026-10"\n'
        f'[target]\nurl = "sqlite:///{(folder / "target.db").as_posix()}"\n', encoding="utf-8")
    return folder


@pytest.fixture
def legacy_url(target_url) -> str | None:
    """None for the committed SQLite copy, else a fresh server database the script filled."""
    if target_url.startswith("sqlite"):
        return None
    CREATE.write_database(target_url, legacy())
    return target_url


def target_totals(url: str) -> dict:
    engine = db.create_target_engine(url)
    columns = ", ".join(f"SUM(b.{m}_kopecks)" for m in MEASURES)
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.text(
                f"SELECT b.period, s.code, {columns} FROM balance b JOIN service s ON s.id = b.service_id "
                "GROUP BY b.period, s.code")).all()
    finally:
        engine.dispose()
    totals: dict = {}
    for period, code, *sums in rows:
        totals.setdefault(period, {})[code] = dict(zip(MEASURES, (int(s) for s in sums)))
    return totals


def query(url: str, sql: str, **params) -> list[tuple]:
    engine = db.create_target_engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(sa.text(sql), params)]
    finally:
        engine.dispose()


def kopecks(text: str) -> int:
    return int(text.replace(".", ""))


@pytest.fixture(scope="module")
def committed_run(tmp_path_factory):
    """One dry run of the committed SQLite copy, shared by the read-only tests."""
    folder = make_project(tmp_path_factory.mktemp("sql_legacy"))
    return dry_run(load_project(folder)), f"sqlite:///{folder / 'target.db'}"


def test_the_dry_run_matches_the_script_on_every_database(legacy_url, tmp_path):
    folder = make_project(tmp_path / "project", legacy_url)
    summary = dry_run(load_project(folder)).summary
    assert summary["status"] == "reconciled", (summary["differences"], summary["gate_failures"])
    got = {name: {k: v for k, v in counts.items() if k != "warnings"} for name, counts in summary["entities"].items()}
    assert got == EXPECTED["entities"]
    assert summary["rejects_by_rule"] == EXPECTED["rejects_by_rule"]
    assert summary["warnings_by_rule"] == EXPECTED["warnings_by_rule"]
    money = summary["money"]
    assert money["period"] == EXPECTED["money"]["period"]
    assert {code: {k: kopecks(v) for k, v in line.items()} for code, line in money["services"].items()} == \
        EXPECTED["money"]["services"]
    assert {k: kopecks(v) for k, v in money["total"].items()} == EXPECTED["money"]["total"]
    assert target_totals(f"sqlite:///{folder / 'target.db'}") == EXPECTED["target_totals"]


def test_each_kind_of_dirt_is_rejected_with_its_rule(committed_run):
    result, url = committed_run
    for dirt in EXPECTED["dirt"]:
        keys = {key for (key,) in query(url, "SELECT legacy_key FROM reject WHERE run_id = :run AND rule = :rule",
                                        run=result.run_id, rule=dirt["rule"])}
        assert keys == set(dirt["keys"]), dirt["code"]
        for entity, count in dirt["cascade_parent_rejected"].items():
            messages = query(url, "SELECT message FROM reject WHERE run_id = :run AND rule = 'PARENT_REJECTED' "
                                  "AND entity = :entity", run=result.run_id, entity=entity.removesuffix("s"))
            assert sum(f"'{dirt['keys'][0]}' was rejected ({dirt['rule']})" in m for (m,) in messages) == count


def test_rejects_name_the_table_or_the_query(committed_run):
    result, url = committed_run
    sources = dict(query(url, "SELECT entity, MIN(source) FROM reject WHERE run_id = :run GROUP BY entity",
                         run=result.run_id))
    assert sources["meter"] == "table schetchik"
    assert sources["service"] == "table usluga"
    assert sources["balance"] == "query SELECT s.lic_schet_id, s.usluga_kod, s.p..."


def test_the_open_period_is_not_migrated(committed_run):
    _, url = committed_run
    assert query(url, "SELECT DISTINCT period FROM balance ORDER BY period") == [
        ("2026-08",), ("2026-09",), ("2026-10",)]


def test_a_communal_flat_is_one_premise_with_the_sums_of_its_accounts(committed_run):
    _, url = committed_run
    made = legacy()
    shared = {}
    for account in made.rows["lic_schet"]:
        shared.setdefault(account["adres_id"], []).append(account)
    flats = {address: accounts for address, accounts in shared.items() if len(accounts) > 1}
    assert len(flats) == 3
    rows = query(url, "SELECT k.legacy_key, p.total_area, p.residents FROM premise p "
                      "JOIN key_map k ON k.entity = 'premise' AND k.target_id = p.id")
    loaded = {key: (Decimal(str(area)), residents) for key, area, residents in rows}
    for address, accounts in flats.items():
        assert loaded[str(address)] == (sum(a["ploshad"] for a in accounts), sum(a["prozhivaet"] for a in accounts))


def test_the_committed_copy_is_what_the_script_makes(tmp_path):
    made = legacy()
    assert made.expected() == EXPECTED
    CREATE.write_database(f"sqlite:///{tmp_path / 'legacy.db'}", made)
    committed, fresh = (sqlite3.connect(f"file:{path}?mode=ro", uri=True)
                        for path in (SAMPLE / "legacy.db", tmp_path / "legacy.db"))
    try:
        for name, table in CREATE.legacy_tables().tables.items():
            dump = f"SELECT * FROM {name} ORDER BY {', '.join(table.columns.keys())}"
            assert committed.execute(dump).fetchall() == fresh.execute(dump).fetchall(), table
    finally:
        committed.close()
        fresh.close()


def test_the_script_is_deterministic_and_its_seed_matters():
    assert legacy().rows == legacy().rows
    assert legacy(seed=1).rows != legacy().rows
