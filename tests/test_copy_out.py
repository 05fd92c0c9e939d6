"""The target's rows read back by COPY on PostgreSQL (cutover/target/copy_out.py; elsewhere a cursor) are the rows a
cursor reads: every account, meter, balance and last reading of a loaded sample, value for value,
NULL and the empty string apart."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pandas as pd
import pytest
import sqlalchemy as sa
from conftest import _fresh_database
from support import dry_run_project

from cutover.reconcile import target_side
from cutover.target import copy_out, db

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_data" / "sample_legacy"


def _read(engine: sa.Engine, reader, through_cursor: bool, monkeypatch, chunk_rows: int) -> pd.DataFrame:
    if through_cursor:
        monkeypatch.setattr(copy_out, "_by_copy", lambda connection: False)
        monkeypatch.setattr(copy_out, "frames", lambda connection, query, rows: db.frames(connection, query, rows))
    monkeypatch.setattr(target_side, "CHUNK_ROWS", chunk_rows)
    with engine.connect() as connection:
        # balances and accounts come as Arrow tables (for the comparison's join), last readings as frames
        frames = [part.to_pandas() if hasattr(part, "schema") else part for part in reader(connection)]
    monkeypatch.undo()
    return pd.concat(frames, ignore_index=True).astype(object).where(lambda f: f.notna(), None)


@pytest.mark.parametrize("reader", [target_side.accounts, target_side.meters, target_side.balances,
                                    target_side.last_readings], ids=lambda reader: reader.__name__)
def test_copy_reads_what_a_cursor_reads(tmp_path, sqlite_or_postgres_url, monkeypatch, reader):
    dry_run_project(tmp_path / "p", "sample_legacy", SAMPLE, target_url=sqlite_or_postgres_url)
    engine = db.create_target_engine(sqlite_or_postgres_url)
    try:
        by_cursor = _read(engine, reader, True, monkeypatch, 100_000)
        by_copy = _read(engine, reader, False, monkeypatch, 700)  # and in chunks of 700 rows
        assert len(by_cursor) > 100
        pd.testing.assert_frame_equal(by_copy, by_cursor)
    finally:
        engine.dispose()


@pytest.fixture
def postgres(tmp_path, server_engines) -> Iterator[sa.Connection]:
    """A transaction on a fresh PostgreSQL schema of this test's own (skipped without the server,
    failed in CI)."""
    for url in _fresh_database("postgres", tmp_path, server_engines):
        engine = db.create_target_engine(url)
        try:
            with engine.begin() as connection:
                yield connection
        finally:
            engine.dispose()


@pytest.mark.postgres
def test_null_and_empty_text_stay_apart(postgres):
    postgres.exec_driver_sql("CREATE TEMP TABLE t (id bigint, name text, amount bigint)")
    postgres.exec_driver_sql("INSERT INTO t VALUES (1, '', NULL), (2, NULL, 5), (3, 'a;\"b\"\nc', -7)")
    table = sa.table("t", sa.column("id", sa.BigInteger), sa.column("name", sa.Text),
                     sa.column("amount", sa.BigInteger))
    (frame,) = copy_out.frames(postgres, sa.select(table).order_by(table.c.id), 10)
    assert frame["name"].tolist()[0] == "" and pd.isna(frame["name"].tolist()[1])
    assert frame["name"].tolist()[2] == 'a;"b"\nc'
    assert frame["amount"].dtype == "Int64" and frame["amount"].tolist()[1:] == [5, -7]
    assert frame["amount"].isna().tolist() == [True, False, False]


@pytest.mark.postgres
def test_arrow_tables_keep_whole_numbers_exact_and_null_apart_from_empty_text(postgres):
    postgres.exec_driver_sql("CREATE TEMP TABLE t (id bigint, name text, amount bigint)")
    postgres.exec_driver_sql("INSERT INTO t VALUES (1, '', NULL), (2, NULL, 9007199254740993)")
    table = sa.table("t", sa.column("id", sa.BigInteger), sa.column("name", sa.Text),
                     sa.column("amount", sa.BigInteger))
    (arrow,) = copy_out.tables(postgres, sa.select(table).order_by(table.c.id), 10)
    assert arrow.column_names == ["id", "name", "amount"]
    assert arrow["name"].to_pylist() == ["", None]
    assert arrow["amount"].to_pylist() == [None, 9007199254740993]  # 2**53 + 1: no float on the way


@pytest.mark.postgres
def test_a_query_of_no_rows_gives_no_frame(postgres):
    postgres.exec_driver_sql("CREATE TEMP TABLE t (id bigint)")
    table = sa.table("t", sa.column("id", sa.BigInteger))
    assert list(copy_out.frames(postgres, sa.select(table), 10)) == []
