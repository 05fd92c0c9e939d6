"""The sql extractor on SQLite, PostgreSQL and MariaDB.

Each test fills a fresh database (the ``target_url`` fixture, used here as a legacy database)
with a tiny ``lic_schet`` table:

====  ==========  ========  ==========  ========
id    nomer       ploshad   data_otkr   prozhivaet
====  ==========  ========  ==========  ========
3     03-000003   NULL      NULL        NULL
1     01-000001   1234.56   2016-10-11  2
2     02-000002   0.10      2024-02-29  1
5     05-000005   -5.00     1999-12-31  0
4     04-000004   999999999999.99  2026-10-31  7
====  ==========  ========  ==========  ========

inserted in that order, so only the primary key puts them in order 1..5.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from cutover.errors import ExtractError, MappingError
from cutover.extract import REGISTRY, RecordTally
from cutover.extract.sql import check_select, describe_query
from cutover.mapping.model import load_mapping

SQL = REGISTRY["sql"]
ROWS = [
    (3, "03-000003", None, None, None),
    (1, "01-000001", Decimal("1234.56"), dt.date(2016, 10, 11), 2),
    (2, "02-000002", Decimal("0.10"), dt.date(2024, 2, 29), 1),
    (5, "05-000005", Decimal("-5.00"), dt.date(1999, 12, 31), 0),
    (4, "04-000004", Decimal("999999999999.99"), dt.date(2026, 10, 31), 7),
]
COLUMNS = ["id", "nomer", "ploshad", "data_otkr", "prozhivaet"]


def _metadata() -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Table("lic_schet", metadata,
             sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
             sa.Column("nomer", sa.String(20), nullable=False),
             sa.Column("ploshad", sa.Numeric(14, 2)),
             sa.Column("data_otkr", sa.Date),
             sa.Column("prozhivaet", sa.Integer))
    sa.Table("no_key", metadata, sa.Column("kod", sa.String(5)), sa.Column("naim", sa.String(40)))
    return metadata


@pytest.fixture
def legacy_url(target_url) -> str:
    """A fresh database holding the table of the module docstring."""
    engine = sa.create_engine(target_url, poolclass=sa.NullPool)
    metadata = _metadata()
    try:
        with engine.begin() as connection:
            metadata.create_all(connection)
            table = metadata.tables["lic_schet"]
            for row in ROWS:  # one by one, in this order: the heap order is not the key order
                connection.execute(table.insert().values(dict(zip(COLUMNS, row))))
            connection.execute(metadata.tables["no_key"].insert(), [{"kod": "b", "naim": "x"}, {"kod": "a", "naim": "y"}])
    finally:
        engine.dispose()
    return target_url


def read(options: dict, source_dir: Path = Path("."), needed: set[str] = frozenset(), chunk_rows: int = 1000):
    frames = list(SQL.read(options, source_dir, set(needed), chunk_rows))
    return pd.concat(frames, ignore_index=True), frames


def error_of(options: dict, needed: set[str] = frozenset(), source_dir: Path = Path(".")) -> str:
    with pytest.raises(ExtractError) as caught:
        read(options, source_dir, needed)
    return str(caught.value)


def where(url: str, what: str) -> str:
    return f"{sa.make_url(url).render_as_string(hide_password=True)}, {what}"


def test_a_table_comes_out_as_exact_text_in_key_order(legacy_url):
    frame, _ = read({"url": legacy_url, "table": "lic_schet"}, needed={"nomer", "ploshad"})
    assert list(frame.columns) == ["_row", *COLUMNS]
    assert frame["_row"].dtype == "int64" and list(frame["_row"]) == [1, 2, 3, 4, 5]
    assert all(frame[c].dtype == "str" for c in COLUMNS)
    assert list(frame["id"]) == ["1", "2", "3", "4", "5"]
    assert frame.loc[0, "ploshad"] == "1234.56"
    # SQLite keeps no exact decimal (0.10 is stored as the REAL 0.1); the value is still exact.
    assert [Decimal(v) if v else None for v in frame["ploshad"]] == [
        Decimal("1234.56"), Decimal("0.10"), None, Decimal("999999999999.99"), Decimal("-5.00")]
    if not legacy_url.startswith("sqlite"):
        assert list(frame["ploshad"]) == ["1234.56", "0.10", "", "999999999999.99", "-5.00"]
    assert list(frame["data_otkr"]) == ["2016-10-11", "2024-02-29", "", "2026-10-31", "1999-12-31"]
    assert list(frame["prozhivaet"]) == ["2", "1", "", "7", "0"]


def test_chunks_add_up_to_the_whole(legacy_url):
    whole, _ = read({"url": legacy_url, "table": "lic_schet"})
    chunked, frames = read({"url": legacy_url, "table": "lic_schet"}, chunk_rows=2)
    assert [len(f) for f in frames] == [2, 2, 1]
    pd.testing.assert_frame_equal(chunked, whole)


def test_the_tally_counts_every_row_read(legacy_url):
    tally = RecordTally()
    frame = pd.concat(SQL.read({"url": legacy_url, "table": "lic_schet"}, Path("."), set(), 2, tally=tally),
                      ignore_index=True)
    assert tally.to_dict() == {"records": 5, "read": 5, "blank": 0, "blank_rows": [], "deleted": 0,
                               "deleted_rows": [], "comments": 0}
    assert tally.read == len(frame)


def test_a_row_of_nulls_is_a_row_read_not_a_blank_one(legacy_url):
    engine = sa.create_engine(legacy_url, poolclass=sa.NullPool)
    try:
        with engine.begin() as connection:
            connection.execute(_metadata().tables["no_key"].insert(), [{"kod": None, "naim": None}])
    finally:
        engine.dispose()
    tally = RecordTally()
    frame = pd.concat(SQL.read({"url": legacy_url, "table": "no_key", "order_by": ["kod"]}, Path("."), set(), 1000,
                               tally=tally), ignore_index=True)
    assert len(frame) == 3 and (tally.records, tally.read, tally.blank) == (3, 3, 0)


def test_an_empty_result_tallies_no_records(legacy_url):
    tally = RecordTally()
    [frame] = SQL.read({"url": legacy_url, "query": "SELECT * FROM lic_schet WHERE id < 0"}, Path("."), set(), 1000,
                       tally=tally)
    assert len(frame) == 0 and (tally.records, tally.read) == (0, 0)


def test_rows_stream_through_a_server_side_cursor(legacy_url):
    """PostgreSQL gets a named cursor, MariaDB PyMySQL's unbuffered one: memory stays bounded."""
    cursors = []

    def remember(connection, cursor, statement, parameters, context, executemany):
        cursors.append(type(cursor).__name__)

    sa.event.listen(sa.Engine, "before_cursor_execute", remember)
    try:
        read({"url": legacy_url, "table": "lic_schet"}, chunk_rows=2)
    finally:
        sa.event.remove(sa.Engine, "before_cursor_execute", remember)
    expected = {"sqlite": "Cursor", "postgresql": "ServerCursor", "mysql": "SSCursor"}
    assert cursors[-1] == expected[sa.make_url(legacy_url).get_backend_name()]


def test_order_by_decides_the_row_numbers(legacy_url):
    frame, _ = read({"url": legacy_url, "table": "lic_schet", "order_by": ["nomer"]})
    assert list(zip(frame["_row"], frame["nomer"])) == [
        (1, "01-000001"), (2, "02-000002"), (3, "03-000003"), (4, "04-000004"), (5, "05-000005")]
    keyless, _ = read({"url": legacy_url, "table": "no_key", "order_by": ["kod"]})
    assert list(keyless["kod"]) == ["a", "b"]


def test_a_table_in_a_named_schema(legacy_url):
    url = sa.make_url(legacy_url)
    schema = {"sqlite": "main", "postgresql": url.query.get("options", "").partition("search_path=")[2],
              "mysql": url.database}[url.get_backend_name()]
    frame, _ = read({"url": legacy_url, "table": "lic_schet", "schema": schema}, needed={"nomer"})
    assert list(frame["nomer"]) == sorted(r[1] for r in ROWS)
    options = {"url": legacy_url, "table": "lic_schet", "schema": schema}
    assert SQL.describe(options, Path(".")) == f"table {schema}.lic_schet"


def test_a_query_source(legacy_url):
    options = {"url": legacy_url, "order_by": ["nomer"],
               "query": "SELECT l.nomer, l.ploshad AS area\n  FROM lic_schet l  -- only the open ones\n"
                        "WHERE l.nomer LIKE '0%' AND l.prozhivaet > 0;"}
    assert SQL.header(options, Path(".")) == ["nomer", "area"]
    frame, frames = read(options, needed={"nomer", "area"}, chunk_rows=2)
    assert [len(f) for f in frames] == [2, 1]
    assert list(frame.columns) == ["_row", "nomer", "area"]
    assert list(frame["_row"]) == [1, 2, 3]
    assert list(frame["nomer"]) == ["01-000001", "02-000002", "04-000004"]
    assert frame.loc[0, "area"] == "1234.56"
    assert SQL.describe(options, Path(".")) == "query SELECT l.nomer, l.ploshad AS area FROM l..."


@pytest.mark.parametrize("query, message", [
    ("DELETE FROM lic_schet", "a query must be one SELECT (or WITH ... SELECT) statement, but it starts with DELETE"),
    ("-- all\nUPDATE lic_schet SET nomer = ''", "a query must be one SELECT (or WITH ... SELECT) statement, "
                                                "but it starts with UPDATE"),
    ("SELECT 1; DROP TABLE lic_schet", "a query must be one SELECT statement, but it holds several (a ';' inside)"),
    ("WITH d AS (DELETE FROM lic_schet RETURNING *) SELECT * FROM d", "a query must only read, but it holds DELETE"),
    ("SELECT * INTO copy FROM lic_schet", "a query must only read, but it holds INTO"),
    ("SELECT * FROM lic_schet FOR UPDATE", "a query must only read, but it holds UPDATE"),
    ("", "a query must be one SELECT (or WITH ... SELECT) statement, but it starts with nothing"),
])
def test_a_query_that_is_not_one_select_is_refused_before_connecting(tmp_path, query, message):
    url = "postgresql+psycopg://cutover:secret@127.0.0.1:9/legacy"  # nobody listens there
    assert error_of({"url": url, "query": query}) == where(url, f"query {describe_query(query)}: {message}")


def test_quotes_and_comments_are_not_read_as_statements():
    query = "SELECT 'a;b', \"delete\", `x;` /* ; insert */ FROM t -- ; drop\n;"
    assert check_select(query, "here") == query[:-1].rstrip()


def test_a_server_runs_the_query_in_a_read_only_transaction(legacy_url):
    """A SELECT can still write (a sequence's next value); the transaction refuses it."""
    if legacy_url.startswith("sqlite"):
        pytest.skip("SQLite files are opened read-only (see the test of the relative path)")
    postgres = legacy_url.startswith("postgresql")
    engine = sa.create_engine(legacy_url, poolclass=sa.NullPool)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE SEQUENCE numbers")
    engine.dispose()
    message = error_of({"url": legacy_url, "query": "SELECT nextval('numbers')" if postgres else "SELECT nextval(numbers)"})
    assert ("cannot execute nextval() in a read-only transaction" if postgres
            else "Cannot execute statement in a READ ONLY transaction") in message


def test_a_missing_table_is_named_with_the_tables_there_are(legacy_url):
    assert error_of({"url": legacy_url, "table": "lic_schot"}) == where(
        legacy_url, "table lic_schot: no such table; the database has ['lic_schet', 'no_key']")


def test_a_missing_column_is_named_with_the_columns_there_are(legacy_url):
    assert error_of({"url": legacy_url, "table": "lic_schet"}, needed={"nomer", "fio"}) == where(
        legacy_url, f"table lic_schet: no column(s) ['fio']; it has {COLUMNS}")
    query = "SELECT nomer FROM lic_schet"
    assert error_of({"url": legacy_url, "query": query}, needed={"fio"}) == where(
        legacy_url, f"query {query}: no column(s) ['fio']; it has ['nomer']")
    assert error_of({"url": legacy_url, "table": "lic_schet", "order_by": ["fio"]}) == where(
        legacy_url, f"table lic_schet: order_by names no column(s) ['fio']; it has {COLUMNS}")


def test_bad_sql_is_named_with_the_database_reason(legacy_url):
    query = "SELECT fio FROM lic_schet"
    message = error_of({"url": legacy_url, "query": query})
    assert message.startswith(where(legacy_url, f"query {query}: the database refused the statement: "))
    assert "fio" in message


def test_a_column_twice_in_a_query_is_refused(legacy_url):
    query = "SELECT l.id, n.kod AS id FROM lic_schet l, no_key n"
    assert error_of({"url": legacy_url, "query": query}) == where(
        legacy_url, f"query {describe_query(query)}: the result has the column(s) ['id'] more than once; "
                    "give every column its own name (AS ...)")


@pytest.mark.parametrize("url", ["postgresql+psycopg://cutover:${CUTOVER_TEST_SECRET}@127.0.0.1:9/legacy",
                                 "mysql+pymysql://cutover:${CUTOVER_TEST_SECRET}@127.0.0.1:9/legacy"])
def test_an_unreachable_server_is_named_with_the_password_masked(monkeypatch, url):
    monkeypatch.setenv("CUTOVER_TEST_SECRET", "s3cr:et@x")
    message = error_of({"url": url, "table": "lic_schet"})
    masked = url.replace("${CUTOVER_TEST_SECRET}", "***")
    assert message.startswith(f"{masked}, table lic_schet: cannot connect: ")
    assert "s3cr" not in message and "s3cr%3Aet%40x" not in message


def test_a_relative_sqlite_path_is_in_the_source_dir_and_opened_read_only(tmp_path):
    source_dir = tmp_path / "extract"
    source_dir.mkdir()
    path = source_dir / "legacy.db"
    engine = sa.create_engine(f"sqlite:///{path}")
    _metadata().create_all(engine)
    engine.dispose()
    before = path.read_bytes()
    frame, _ = read({"url": "sqlite:///legacy.db", "table": "lic_schet"}, source_dir)
    assert frame.empty and list(frame.columns) == ["_row", *COLUMNS]
    assert path.read_bytes() == before and sorted(p.name for p in source_dir.iterdir()) == ["legacy.db"]
    assert error_of({"url": "sqlite:///other.db", "table": "lic_schet"}, source_dir=source_dir) == (
        f"sqlite:///{source_dir / 'other.db'}, table lic_schet: the database file {source_dir / 'other.db'} is not there")
    assert not (source_dir / "other.db").exists()


def test_values_of_every_type_become_exact_text():
    from cutover.extract.sql import _text

    assert [_text(v) for v in (None, "", " a ", 7, -12, True, False, Decimal("1.50"), Decimal("1E+2"),
                               0.1, 1e-05, 1.5e16, dt.date(2026, 10, 1), dt.datetime(2026, 10, 1, 8, 30),
                               b"\x00\xff")] == [
        "", "", " a ", "7", "-12", "1", "0", "1.50", "100", "0.1", "0.00001", "15000000000000000",
        "2026-10-01", "2026-10-01T08:30:00", "00ff"]


def test_describe_names_the_table_or_the_start_of_the_query():
    assert SQL.describe({"url": "sqlite:///x.db", "table": "lic_schet"}, Path(".")) == "table lic_schet"
    assert SQL.describe({"url": "sqlite:///x.db", "table": "lic_schet", "schema": "old"}, Path(".")) == \
        "table old.lic_schet"
    assert describe_query("SELECT   a,\n b FROM t") == "SELECT a, b FROM t"


def test_a_mapping_checks_the_options_of_a_sql_source(tmp_path):
    (tmp_path / "entities").mkdir()
    (tmp_path / "system.toml").write_text(
        '[system]\nname = "x"\n[sources.ls]\nformat = "sql"\nurl = "sqlite:///legacy.db"\ntable = "lic_schet"\n'
        'query = "SELECT 1"\n', encoding="utf-8")
    with pytest.raises(MappingError, match=r"sources.ls: a sql source needs table or query, not both"):
        load_mapping(tmp_path)
    (tmp_path / "system.toml").write_text(
        '[system]\nname = "x"\n[sources.ls]\nformat = "sql"\nurl = "sqlite:///legacy.db"\ntable = "lic_schet"\n'
        'order_by = "id"\n', encoding="utf-8")
    with pytest.raises(MappingError, match=r"sources.ls.order_by: expected list, got 'id'"):
        load_mapping(tmp_path)


def _system(folder: Path, text: str) -> Path:
    (folder / "entities").mkdir(exist_ok=True)
    (folder / "system.toml").write_text('[system]\nname = "x"\n' + text, encoding="utf-8")
    return folder


def test_sources_read_through_one_named_connection(legacy_url, tmp_path):
    """[connections.legacy] names the database once; each sql source refers to it, and a query
    given a name is called by it in rejects and reports (issue 17, item 10)."""
    mapping = load_mapping(_system(tmp_path, (
        f'[connections.legacy]\nurl = "{legacy_url}"\n'
        '[sources.ls]\nformat = "sql"\nconnection = "legacy"\ntable = "lic_schet"\n'
        '[sources.lived_in]\nformat = "sql"\nconnection = "legacy"\nname = "lived-in accounts"\n'
        'query = "SELECT nomer FROM lic_schet WHERE prozhivaet > 0"\norder_by = ["nomer"]\n')))
    accounts, lived_in = mapping.sources["ls"].options, mapping.sources["lived_in"].options
    assert accounts["url"] == lived_in["url"] == legacy_url
    assert list(read(accounts, needed={"nomer"})[0]["nomer"]) == [
        "01-000001", "02-000002", "03-000003", "04-000004", "05-000005"]
    assert list(read(lived_in, needed={"nomer"})[0]["nomer"]) == ["01-000001", "02-000002", "04-000004"]
    assert SQL.describe(lived_in, Path(".")) == "query lived-in accounts"
    assert SQL.describe(accounts, Path(".")) == "table lic_schet"


@pytest.mark.parametrize("text, message", [
    ('[connections.legacy]\nurl = "sqlite:///legacy.db"\n[sources.ls]\nformat = "sql"\nconnection = "old"\n'
     'table = "t"\n', "sources.ls.connection: 'old' is not a connection of system.toml; expected one of ['legacy']"),
    ('[sources.ls]\nformat = "sql"\nconnection = "old"\ntable = "t"\n',
     "sources.ls.connection: 'old' is not a connection of system.toml; expected none: add "
     "[connections.<name>] url = \"...\""),
    ('[connections.legacy]\nurl = "sqlite:///legacy.db"\n[sources.ls]\nformat = "sql"\nconnection = "legacy"\n'
     'url = "sqlite:///other.db"\ntable = "t"\n', "sources.ls: give url or connection, not both"),
    ('[connections.legacy]\nurl = "sqlite:///legacy.db"\n[sources.ls]\nfile = "ls.csv"\nconnection = "legacy"\n',
     "sources.ls.connection: only a sql source reads through a connection"),
    ('[connections.legacy]\nhost = "db"\n[sources.ls]\nfile = "ls.csv"\n',
     "connections.legacy: unknown key(s) ['host']"),
])
def test_a_connection_mistake_names_the_source_and_what_was_expected(tmp_path, text, message):
    with pytest.raises(MappingError) as caught:
        load_mapping(_system(tmp_path, text))
    assert message in str(caught.value)
