"""Contracts of the load: a failed load leaves the target as it was; keys and new account
numbers are stable when legacy accounts come and go between runs."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from support import dry_run_project, query

from cutover.config import load_project
from cutover.pipeline import load
from cutover.run import stream
from cutover.run.dry_run import dry_run
from cutover.target import bulk

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "sample_legacy"
DATA_TABLES = ("period", "service", "person", "premise", "account", "meter", "reading", "balance", "key_map")


def snapshot(url: str) -> dict[str, list[tuple]]:
    return {name: query(url, f"SELECT * FROM {name} ORDER BY 1, 2") for name in DATA_TABLES}


def test_a_load_that_fails_half_way_leaves_the_target_unchanged(target_url, tmp_path, monkeypatch):
    dry_run_project(tmp_path / "first", "sample_legacy", SAMPLE, target_url=target_url)
    before = snapshot(target_url)
    real_insert = bulk.insert_frame

    def insert_until_readings(connection, table, frame, definition):
        if table.name == "reading":  # services ... meters are in, and deleted old rows are gone
            raise RuntimeError("the disk is full")
        real_insert(connection, table, frame, definition)

    monkeypatch.setattr(load, "insert_frame", insert_until_readings)
    with pytest.raises(RuntimeError, match="the disk is full"):
        dry_run_project(tmp_path / "second", "sample_legacy", SAMPLE, target_url=target_url)
    assert snapshot(target_url) == before
    runs = query(target_url, "SELECT status, summary_json FROM run ORDER BY started_at, run_id")
    assert [status for status, _ in runs] == ["reconciled", "failed"]
    assert "internal error: RuntimeError: the disk is full" in runs[1][1]


def _extract_without(folder: Path, removed: set[str], added: list[str]) -> Path:
    """A copy of the sample with some accounts' abonent rows removed and new ones appended."""
    extract = folder / "extract"
    shutil.copytree(SAMPLE, extract)
    abonent = extract / "abonent.csv"
    lines = abonent.read_bytes().decode("cp1251").split("\r\n")
    kept = [line for line in lines if line.split(";")[0] not in removed and line.strip(";")]
    abonent.write_bytes(("\r\n".join(kept + added) + "\r\n").encode("cp1251"))
    return extract


def _numbers(url: str) -> dict[str, str]:
    return dict(query(url, "SELECT legacy_account_number, account_number FROM account"))


def test_account_numbers_survive_accounts_coming_and_going(target_url, tmp_path):
    dry_run_project(tmp_path / "one", "sample_legacy", SAMPLE, target_url=target_url)
    first = _numbers(target_url)
    gone = sorted(first)[:3]
    newcomers = [f"99-00000{i};НОВИКОВ ИВАН ПЕТРОВИЧ;г. Энск, ул. Новая, д. {i}, кв. 1;;40,0;1;01.10.2026" for i in (1, 2)]
    extract = _extract_without(tmp_path / "two", set(gone), newcomers)
    dry_run_project(tmp_path / "two", "sample_legacy", extract, target_url=target_url)
    second = _numbers(target_url)
    assert set(gone).isdisjoint(second)
    assert {k: second[k] for k in first if k not in gone} == {k: v for k, v in first.items() if k not in gone}
    new_numbers = [second["99-000001"], second["99-000002"]]
    assert min(new_numbers) > max(first.values())  # next numbers, never one of a removed account
    assert len(set(second.values())) == len(second)
    dry_run_project(tmp_path / "three", "sample_legacy", SAMPLE, target_url=target_url)
    third = _numbers(target_url)
    assert {k: third[k] for k in gone} == {k: first[k] for k in gone}  # a returning account gets its number back
    assert third == first


def test_a_failure_while_a_part_is_written_behind_the_run_waits_for_it(target_url, tmp_path, monkeypatch):
    """A part's rows are written on the load's own thread while the run checks the next part: a
    check that fails then still waits for that write, so the rollback finds the connection idle,
    and nothing of the run stays."""
    dry_run_project(tmp_path / "first", "sample_legacy", SAMPLE, target_url=target_url)
    before = snapshot(target_url)
    real_insert, real_check = bulk.insert_frame, stream.check_rows
    written, checked = [], []

    def slow_insert(connection, table, frame, definition):
        if table.name == "reading":
            time.sleep(1.0)  # still writing the first part when the second one's check fails
        real_insert(connection, table, frame, definition)
        written.append(table.name)

    def check_until_second_part(mapped, *args):
        if mapped.entity == "reading":
            checked.append(len(mapped.frame))
            if len(checked) == 2:
                raise RuntimeError("a check failed")
        real_check(mapped, *args)

    monkeypatch.setattr(load, "insert_frame", slow_insert)
    monkeypatch.setattr(stream, "check_rows", check_until_second_part)
    folder = tmp_path / "second"
    folder.mkdir()
    (folder / "cutover.toml").write_text(
        f'[project]\nmapping = "sample_legacy"\nsource_dir = "{SAMPLE.as_posix()}"\nperiod = "2026-10"\n'
        f'partition_rows = 2000\n[target]\nurl = "{target_url}"\n[gates]\naccept_unreadable_rows = 2\n',
        encoding="utf-8")
    with pytest.raises(RuntimeError, match="a check failed"):
        dry_run(load_project(folder))
    assert written.count("reading") == 1  # the first part's write was waited for before the error left the run
    assert snapshot(target_url) == before
