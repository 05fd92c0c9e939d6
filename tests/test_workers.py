"""A run that maps on two worker processes gives the very result of a run on one: the same
summary, the same rejects (every column, in the journal's order), the same target rows and ids."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from support import assert_counts_match, query, target_totals
from test_partitions import _project

from cutover.config import DEFAULT_WORKERS, load_project
from cutover.errors import ConfigError
from cutover.mapping.apply.rejects import REJECT_COLUMNS
from cutover.run import workers as workers_module
from cutover.run.dry_run import dry_run
from cutover.schema.tables import target_metadata
from cutover.target import db

REPO = Path(__file__).resolve().parents[1]
EXPECTED = json.loads((REPO / "sample_data" / "sample_legacy" / "expected.json").read_text(encoding="utf-8"))


def _rejects_in_order(url: str, run_id: str) -> list[tuple]:
    reject = target_metadata().tables["reject"]
    columns = [reject.c[name] for name in REJECT_COLUMNS]
    engine = db.create_target_engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(
                sa.select(*columns).where(reject.c.run_id == run_id).order_by(reject.c.id))]
    finally:
        engine.dispose()


def _target_rows(url: str) -> dict[str, list[tuple]]:
    return {
        "accounts": query(url, "SELECT id, account_number, person_id, premise_id FROM account ORDER BY id"),
        "people": query(url, "SELECT id, last_name, first_name, patronymic, birth_date FROM person ORDER BY id"),
        "premises": query(url, "SELECT id, street, house, apartment, total_area, residents FROM premise ORDER BY id"),
        "meters": query(url, "SELECT id, account_id, serial, replaced_by_id FROM meter ORDER BY id"),
        "readings": query(url, "SELECT meter_id, zone, read_on, value FROM reading ORDER BY meter_id, zone, read_on"),
        "key_map": query(url, "SELECT entity, legacy_key, target_id FROM key_map ORDER BY entity, legacy_key"),
    }


def _run(folder: Path, target_url: str, lines: str):
    result = dry_run(load_project(_project(folder, target_url, lines)))
    assert_counts_match(result.summary, EXPECTED)
    return (result, _rejects_in_order(target_url, result.run_id), _target_rows(target_url),
            target_totals(target_url))


def test_two_workers_give_what_one_worker_and_one_part_give(tmp_path, sqlite_url):
    # Batches of 300 rows: every entity of more than 300 rows is mapped in the workers; in parts of 500.
    # On SQLite only: the workers map, and what they give is loaded by the run's own process as any
    # part is; that a run in parts loads the same on every database is tests/test_partitions.py's.
    target_url = sqlite_url
    one, one_rejects, one_rows, one_totals = _run(tmp_path / "one", target_url,
                                                  "workers = 1\nchunk_rows = 300\npartition_rows = 500\n")
    two, two_rejects, two_rows, two_totals = _run(tmp_path / "two", target_url,
                                                  "workers = 2\nchunk_rows = 300\npartition_rows = 500\n")
    # (a run in parts equals a run in one part: tests/test_partitions.py; and the second run here
    # deletes the first one's meters, which MariaDB refused while one named another of a higher id)
    for key in ("entities", "filtered", "rejects_by_rule", "warnings_by_rule", "money", "money_by_measure", "control",
                "records"):
        assert one.summary[key] == two.summary[key], key
    # every error and warning the generator put in the sample (its expected.json, not the engine)
    planted = sum(n for kind in ("rejects_by_rule", "warnings_by_rule") for rules in EXPECTED[kind].values()
                  for n in rules.values())
    assert len(one_rejects) == planted == 695
    assert one_rejects == two_rejects
    assert one_rows == two_rows
    assert one_totals == two_totals


def test_the_workers_map_the_batches(tmp_path, sqlite_url, monkeypatch):
    """The batches of an entity read in more than one go are mapped in the workers, in order."""
    seen = []

    class Recording(workers_module.MapWorkers):
        def _start(self):
            pool = super()._start()
            seen.append((id(pool), pool._max_workers))
            return pool

    monkeypatch.setattr("cutover.run.stream.MapWorkers", Recording)
    result = dry_run(load_project(_project(tmp_path / "p", sqlite_url, "workers = 2\nchunk_rows = 300\n")))
    assert result.status == "reconciled"
    # the entities read in more than one batch (people, premises, accounts, meters, readings, balances)
    # are mapped on one pool of two processes, started once for the run
    assert len(seen) == 6 and len(set(seen)) == 1 and seen[0][1] == 2


def test_one_worker_never_starts_a_process(tmp_path, sqlite_url, monkeypatch):
    def refuse(self):
        raise AssertionError("a pool was started")

    monkeypatch.setattr(workers_module.MapWorkers, "_start", refuse)
    result = dry_run(load_project(_project(tmp_path / "p", sqlite_url, "workers = 1\nchunk_rows = 300\n")))
    assert result.status == "reconciled"


def test_workers_default_to_the_cores_up_to_four(tmp_path):
    project = load_project(_project(tmp_path / "p", "sqlite:///t.db", ""))
    assert project.workers == DEFAULT_WORKERS == max(1, min(__import__("os").cpu_count() or 1, 4))


@pytest.mark.parametrize("value", [0, 65, "two", 1.5, True])
def test_workers_must_be_a_whole_number_of_processes(tmp_path, value):
    folder = _project(tmp_path / "p", "sqlite:///t.db", f"workers = {json.dumps(value)}\n")
    with pytest.raises(ConfigError) as error:
        load_project(folder)
    assert str(error.value) == (f"{folder / 'cutover.toml'}: [project] workers must be a whole number of processes "
                                f"from 1 to 64, got {value!r}")
