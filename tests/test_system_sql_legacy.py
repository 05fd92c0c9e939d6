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
import secrets
import shutil
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from support import assert_counts_match, assert_money_matches, dry_run_project, query

from cutover.config import load_project
from cutover.money import kopecks_to_text
from cutover.run.dry_run import dry_run, reconcile

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_data" / "sql_legacy"
MAPPING = REPO / "mappings" / "sql_legacy"
EXPECTED = json.loads((SAMPLE / "expected.json").read_text(encoding="utf-8"))
COMMITTED_URL = "sqlite:///legacy.db"


def _script():
    spec = importlib.util.spec_from_file_location("create_legacy_db", SAMPLE / "create_legacy_db.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CREATE = _script()


def legacy(seed: int = EXPECTED["generator"]["seed"]):
    return CREATE.Legacy(EXPECTED["generator"]["accounts"], seed).build()


def run_sql_legacy(folder: Path, legacy_url: str | None = None):
    """A dry run of sql_legacy into SQLite at ``folder/target.db``; from the committed copy, or from ``legacy_url``."""
    folder.mkdir(parents=True, exist_ok=True)
    if legacy_url is not None:  # the project's own copy of the mapping, pointing at the server
        shutil.copytree(MAPPING, folder / "mappings" / "sql_legacy")
        system = folder / "mappings" / "sql_legacy" / "system.toml"
        text = system.read_text(encoding="utf-8")
        assert text.count(f'url = "{COMMITTED_URL}"') == 7
        system.write_text(text.replace(f'url = "{COMMITTED_URL}"', f'url = "{legacy_url}"'), encoding="utf-8")
    return dry_run_project(folder, "sql_legacy", SAMPLE, target_url=f"sqlite:///{(folder / 'target.db').as_posix()}")


@pytest.fixture
def legacy_url(target_url) -> str | None:
    """None for the committed SQLite copy, else a fresh server database the script filled."""
    if target_url.startswith("sqlite"):
        return None
    CREATE.write_database(target_url, legacy())
    return target_url


@pytest.fixture(scope="module")
def committed_run(shipped_run):
    """One dry run of the committed SQLite copy, shared by the read-only tests."""
    return shipped_run("sql_legacy")


def test_the_dry_run_matches_the_script_on_every_database(legacy_url, tmp_path):
    folder = tmp_path / "project"
    summary = run_sql_legacy(folder, legacy_url).summary
    assert_counts_match(summary, EXPECTED)
    assert_money_matches(summary, EXPECTED, f"sqlite:///{folder / 'target.db'}")


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


@pytest.fixture
def mariadb_legacy_postgres_target(server_engines):
    """(legacy URL on MariaDB filled by the script, fresh PostgreSQL target URL)."""
    from conftest import _mariadb_database, _postgres_schema, server_engine

    name = f"t_{secrets.token_hex(6)}"
    legacy_db = _mariadb_database(server_engine("mariadb", server_engines), name)
    target = _postgres_schema(server_engine("postgres", server_engines), name)
    legacy_url = next(legacy_db)
    try:
        CREATE.write_database(legacy_url, legacy())
        yield legacy_url, next(target)
    finally:
        legacy_db.close()
        target.close()


@pytest.mark.postgres
@pytest.mark.mariadb
def test_live_reconcile_of_a_legacy_database_on_mariadb_against_postgresql(mariadb_legacy_postgres_target, tmp_path):
    """The month-end case: the legacy SQL database, live, against the PostgreSQL target. Equal at
    first; then a payment booked in the legacy database after the run is found, to the kopeck."""
    legacy_url, target = mariadb_legacy_postgres_target
    folder = tmp_path / "project"
    run_sql_legacy(folder, legacy_url)
    project = load_project(folder, target)
    run_id = dry_run(project).run_id
    live = reconcile(project, live=True)
    assert (live.run_id, live.status, live.summary["row_differences"]["total"]) == (run_id, "reconciled", 0)
    engine = sa.create_engine(legacy_url)
    with engine.begin() as connection:
        account, service = connection.execute(sa.text(
            "SELECT s.lic_schet_id, s.usluga_kod FROM saldo s WHERE s.period = 202610 AND s.lic_schet_id IN "
            "(SELECT lic_schet_id FROM lic_schet) ORDER BY s.lic_schet_id, s.usluga_kod LIMIT 1")).one()
        before = connection.execute(sa.text("SELECT opl_kop, ish_kop FROM saldo WHERE lic_schet_id = :a AND "
                                            "usluga_kod = :s AND period = 202610"), {"a": account, "s": service}).one()
        connection.execute(sa.text("UPDATE saldo SET opl_kop = opl_kop + 1, ish_kop = ish_kop - 1 WHERE "
                                   "lic_schet_id = :a AND usluga_kod = :s AND period = 202610"),
                           {"a": account, "s": service})
    engine.dispose()
    found = reconcile(project, live=True)
    key = f"{account}|{service}|2026-10"
    assert found.status == "differences"
    assert [(r["legacy_key"], r["column"], r["source"], r["target"]) for r in found.summary["row_differences"]["rows"]] == [
        (key, "paid", kopecks_to_text(before.opl_kop + 1), kopecks_to_text(before.opl_kop)),
        (key, "closing", kopecks_to_text(before.ish_kop - 1), kopecks_to_text(before.ish_kop)),
    ]
    assert reconcile(project).status == "reconciled"  # the run's own snapshot still agrees with the target
