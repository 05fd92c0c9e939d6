"""A dry run split into parts (``[project] partition_rows``) gives the very result of a run in
one part: the same counts, rejects, money and target rows, on every database. And the plan
keeps together the rows each check compares."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa
from support import assert_counts_match, dry_run_project, query, target_totals

from cutover.config import load_project
from cutover.errors import ConfigError
from cutover.mapping.apply.rejects import REJECT_COLUMNS
from cutover.mapping.model import load_mapping
from cutover.pipeline.partition import PartitionPlan, plan_partitions
from cutover.run.dry_run import dry_run
from cutover.schema.tables import target_metadata
from cutover.target import db

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_data" / "sample_legacy"
EXPECTED = json.loads((SAMPLE / "expected.json").read_text(encoding="utf-8"))


def _project(folder: Path, target_url: str, project_lines: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "cutover.toml").write_text(
        f'[project]\nmapping = "sample_legacy"\nsource_dir = "{SAMPLE.as_posix()}"\nperiod = "2026-10"\n'
        f'{project_lines}[target]\nurl = "{target_url}"\n'
        "[gates]\naccept_unreadable_rows = 2\n",  # the sample's dirt D9, as its own cutover.toml accepts it
        encoding="utf-8")
    return folder


def _rejects(url: str, run_id: str) -> list[tuple]:
    reject = target_metadata().tables["reject"]  # row_number is a reserved word in MariaDB: let SQLAlchemy quote it
    columns = [reject.c[name] for name in REJECT_COLUMNS]
    engine = db.create_target_engine(url)
    try:
        with engine.connect() as connection:
            return sorted(tuple(row) for row in connection.execute(sa.select(*columns).where(reject.c.run_id == run_id)))
    finally:
        engine.dispose()


def _target_rows(url: str) -> dict[str, list[tuple]]:
    return {
        "accounts": sorted(query(url, "SELECT id, account_number, person_id, premise_id FROM account")),
        "premises": sorted(query(url, "SELECT id, street, house, apartment, total_area, residents FROM premise")),
        "meters": sorted(query(url, "SELECT id, account_id, serial, replaced_by_id FROM meter")),
        "readings": sorted(query(url, "SELECT meter_id, zone, read_on, value FROM reading")),
        "periods": sorted(query(url, "SELECT month FROM period")),
        "key_map": sorted(query(url, "SELECT entity, legacy_key, target_id FROM key_map")),
    }


def test_a_run_in_small_parts_equals_a_run_in_one_part(tmp_path, target_url):
    whole = dry_run_project(tmp_path / "whole", "sample_legacy", SAMPLE, target_url=target_url)
    assert_counts_match(whole.summary, EXPECTED)
    rejects, rows, totals = _rejects(target_url, whole.run_id), _target_rows(target_url), target_totals(target_url)
    # At most 400 rows a part: 27 parts of balances, 29 of readings, 3 of meters; 8 of the 16
    # replacements link meters in different parts.
    small = dry_run(load_project(_project(tmp_path / "small", target_url, "partition_rows = 400\nchunk_rows = 600\n")))
    assert_counts_match(small.summary, EXPECTED)
    for key in ("entities", "rejects_by_rule", "warnings_by_rule", "money"):
        assert small.summary[key] == whole.summary[key], key
    assert _rejects(target_url, small.run_id) == rejects
    assert _target_rows(target_url) == rows
    assert target_totals(target_url) == totals


def test_the_parts_of_a_run_leave_no_files_behind(tmp_path, sqlite_url):
    result = dry_run(load_project(_project(tmp_path / "p", sqlite_url, "partition_rows = 1000\n")))
    assert result.status == "reconciled"
    assert sorted(p.name for p in result.report_dir.iterdir()) == ["reconcile", "report.html", "report.xlsx", "run.log",
                                                                    "snapshot", "summary.json"]
    # the comparison ran in buckets of 1,000 rows; only its facts stay (no differences: no file of them),
    # recorded complete (facts.json), and the sample's two unreadable values (dirt D9)
    assert sorted(p.name for p in (result.report_dir / "reconcile").iterdir()) == [
        "accounts.parquet", "balances.parquet", "facts.json", "last_readings.parquet", "meters.parquet",
        "unreadable.parquet"]


@pytest.mark.parametrize("value", [0, -5, "many", 1.5, True])
def test_partition_rows_must_be_a_positive_whole_number(tmp_path, value):
    folder = _project(tmp_path / "p", "sqlite:///t.db", f"partition_rows = {json.dumps(value)}\n")
    with pytest.raises(ConfigError) as error:
        load_project(folder)
    assert str(error.value) == (f"{folder / 'cutover.toml'}: [project] partition_rows must be a whole number of "
                                f"rows above 0, got {value!r}")


def _entity(name: str):
    return next(e for e in load_mapping(REPO / "mappings" / "sample_legacy").entities if e.entity == name)


def test_readings_are_split_by_meter_and_balances_by_their_key():
    # 22 readings of a meter stay together for READ_DECREASE; the reading key contains the meter's.
    assert plan_partitions(_entity("reading"), 22_000_000, 500_000) == PartitionPlan("_ref_meter_id", 44)
    assert plan_partitions(_entity("balance"), 21_000_001, 500_000) == PartitionPlan("_key", 43)
    assert plan_partitions(_entity("account"), 10, 500_000) == PartitionPlan("_key", 1)


def test_an_entity_that_refers_to_itself_is_split_by_its_key():
    # Checked in two passes: replacement chains are followed over the slim columns of every part.
    assert plan_partitions(_entity("meter"), 1_500_000, 500_000) == PartitionPlan("_key", 3)


def test_readings_whose_key_does_not_hold_the_meter_stay_in_one_part():
    reading = _entity("reading")
    loose = replace(reading, key=("Зона", "Дата"))  # rows of one meter could land in several parts
    assert plan_partitions(loose, 22_000_000, 500_000) == PartitionPlan("_key", 1)
