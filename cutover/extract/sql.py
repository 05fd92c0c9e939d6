"""Legacy SQL databases (SQLite, PostgreSQL, MariaDB/MySQL, anything SQLAlchemy reaches).

A source is a table or a read-only query. Rows are streamed through a server-side cursor in
chunks, so memory is bounded by the chunk, not by the table. Values arrive as exact text:
``Decimal`` through ``format(d, "f")`` (never a float), dates and datetimes as ISO text,
``NULL`` as blank. ``_row`` is the row's 1-based position in the ordered result (ordered by
``order_by``, else by a table's primary key), which is what makes it stable between runs.

Every row of the result is a record and is yielded: a row of NULLs is still a row the
database holds, so a tally of a sql source has no blank, deleted or comment records.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Iterator
from urllib.parse import quote

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection

from cutover.errors import ExtractError
from cutover.extract import (
    Extractor,
    Options,
    RecordTally,
    register,
    require_columns,
    text_frame,
)
from cutover.target.db import driver_reason, expand_url, mask_url

OPTIONS = {"url": str, "table": str, "query": str, "order_by": list, "schema": str, "name": str}
_URL_SETTING = "the url of a sql source in system.toml"


def _skip_quoted(query: str, start: int) -> int:
    """Index just after the literal, quoted name or comment that starts at ``start``."""
    opener = query[start]
    if query.startswith("--", start):
        end = query.find("\n", start)
        return len(query) if end < 0 else end + 1
    if query.startswith("/*", start):
        end = query.find("*/", start + 2)
        return len(query) if end < 0 else end + 2
    end = start + 1
    while True:
        end = query.find(opener, end)
        if end < 0:
            return len(query)
        if query.startswith(opener * 2, end):  # a doubled quote stands for itself
            end += 2
            continue
        return end + 1


def _words_outside_quotes(query: str) -> tuple[str, list[str]]:
    """The query without its comments and literals (each a space), and its upper-case words."""
    kept, position = [], 0
    while position < len(query):
        char = query[position]
        if char in "'\"`" or query.startswith(("--", "/*"), position):
            kept.append(" ")
            position = _skip_quoted(query, position)
        else:
            kept.append(char)
            position += 1
    bare = "".join(kept)
    words = "".join(c if c.isalnum() or c == "_" else " " for c in bare).upper().split()
    return bare, words


def check_select(query: str, where: str) -> str:
    """Return ``query`` without a trailing ``;`` if it is one SELECT (or WITH ... SELECT) statement.

    A legacy database is only ever read: anything else (several statements, INSERT, UPDATE,
    DELETE, DDL, SELECT ... INTO, locking reads) is refused before it reaches the database.

    Raises
    ------
    ExtractError
        Naming the source and what was found.
    """
    statement = query.strip().rstrip(";").rstrip()
    bare, words = _words_outside_quotes(statement)
    if not words or words[0] not in ("SELECT", "WITH"):
        found = words[0] if words else "nothing"
        raise ExtractError(f"{where}: a query must be one SELECT (or WITH ... SELECT) statement, "
                           f"but it starts with {found}")
    if ";" in bare:
        raise ExtractError(f"{where}: a query must be one SELECT statement, but it holds several (a ';' inside)")
    forbidden = sorted({"INSERT", "UPDATE", "DELETE", "MERGE", "INTO", "LOCK", "CREATE", "DROP", "ALTER",
                        "TRUNCATE", "GRANT", "CALL"} & set(words))
    if forbidden:
        raise ExtractError(f"{where}: a query must only read, but it holds {', '.join(forbidden)}")
    return statement


def describe_query(query: str) -> str:
    """The query's first 40 characters, white space folded, for rejects and reports."""
    text = " ".join(query.split())
    return text if len(text) <= 40 else text[:40] + "..."


def _sqlite_read_only(connection: Connection) -> None:
    connection.exec_driver_sql("PRAGMA query_only = ON")


def _set_transaction_read_only(connection: Connection) -> None:
    # PostgreSQL: the first statement of the (auto-begun) transaction; MariaDB: applies to the
    # transaction the next statement starts. Either way nothing the query does can write.
    connection.exec_driver_sql("SET TRANSACTION READ ONLY")


# How each dialect is told not to write; the connection is rolled back at the end in any case.
_READ_ONLY = {"sqlite": _sqlite_read_only, "postgresql": _set_transaction_read_only,
              "mysql": _set_transaction_read_only, "mariadb": _set_transaction_read_only}


def _text(value) -> str:
    """One database value as exact text (blank for NULL)."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):  # PostgreSQL boolean reads like MariaDB's TINYINT(1) and SQLite's 0/1
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, float):
        # The shortest text that reads back as the same float, without an exponent. A float
        # column holds no exact decimals: money belongs in DECIMAL or integer kopecks.
        return format(Decimal(repr(value)), "f")
    if isinstance(value, (dt.date, dt.time)):  # datetime is a date
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    return str(value)


def _where(options: Options, source_dir: Path) -> str:
    """The source as messages name it: masked URL and table or query."""
    return f"{mask_url(_url(options, source_dir))}, {describe(options, source_dir)}"


def describe(options: Options, source_dir: Path) -> str:
    """``table lic_schet``, ``table legacy.lic_schet``, ``query SELECT ...`` (40 characters) or,
    for a query given a ``name``, ``query debts_2026``."""
    if "query" in options and "name" in options:
        return f"query {options['name']}"
    if "query" in options:
        return f"query {describe_query(options['query'])}"
    schema = options.get("schema")
    return f"table {schema + '.' if schema else ''}{options['table']}"


def source_url(options: Options, source_dir: Path) -> URL:
    """The database a sql source reads: its url with ``${NAME}`` expanded and a relative SQLite
    file taken from ``source_dir``."""
    return _url(options, source_dir)


def _url(options: Options, source_dir: Path) -> URL:
    expanded = expand_url(options["url"], setting=_URL_SETTING)
    try:
        url = sa.make_url(expanded)
    except sa.exc.ArgumentError:
        raise ExtractError(
            f"cannot parse the source url {mask_url(options['url'])!r}; expected dialect+driver://user:password@"
            "host:port/database or sqlite:///legacy.db (relative to source_dir)"
        ) from None
    if _sqlite_file(url):
        url = url.set(database=os.path.abspath(source_dir / url.database))
    return url


def _sqlite_file(url: URL) -> str | None:
    """The file of a SQLite URL (not an in-memory database or a ``file:`` URI), else None."""
    database = url.database
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:" or database.startswith("file:"):
        return None
    return database


def _sqlite_creator(path: str, where: str):
    """Open the legacy SQLite file read-only: never create it, never write to it."""
    if not Path(path).is_file():
        raise ExtractError(f"{where}: the database file {path} is not there")
    uri = f"file:{quote(path)}?mode=ro"
    return lambda: sqlite3.connect(uri, uri=True, check_same_thread=False)


@contextmanager
def _connection(options: Options, source_dir: Path) -> Iterator[Connection]:
    """A read-only connection to the source database, rolled back and closed at the end."""
    url, where = _url(options, source_dir), _where(options, source_dir)
    engine_options: dict = {"poolclass": sa.NullPool}
    if _sqlite_file(url):
        engine_options["creator"] = _sqlite_creator(url.database, where)
    elif url.get_backend_name() == "postgresql":
        engine_options["connect_args"] = {"connect_timeout": 10}
    try:
        engine = sa.create_engine(url, **engine_options)
    except (sa.exc.NoSuchModuleError, ImportError) as exc:
        raise ExtractError(
            f"{where}: the url names a database driver that is not installed ({exc}); "
            "pip install 'cutover[postgres]' or 'cutover[mariadb]'"
        ) from None
    try:
        try:
            connection = engine.connect()
        except sa.exc.DBAPIError as exc:
            raise ExtractError(f"{where}: cannot connect: {driver_reason(exc, url)}") from None
        with connection:
            read_only = _READ_ONLY.get(connection.dialect.name)
            if read_only is not None:
                read_only(connection)
            try:
                yield connection
            finally:
                connection.rollback()
    finally:
        engine.dispose()


def _order_by(options: Options, source_dir: Path) -> list[str]:
    order_by = options.get("order_by", [])
    if not all(isinstance(name, str) and name for name in order_by):
        raise ExtractError(f"{_where(options, source_dir)}: order_by must be a list of column names, got {order_by!r}")
    return order_by


def _table_columns(connection: Connection, options: Options, source_dir: Path) -> tuple[list[str], list[str]]:
    """The table's column names and its primary key; ExtractError when there is no such table."""
    inspector = sa.inspect(connection)
    table, schema = options["table"], options.get("schema")
    try:
        columns = [column["name"] for column in inspector.get_columns(table, schema=schema)]
        primary_key = inspector.get_pk_constraint(table, schema=schema).get("constrained_columns") or []
    except sa.exc.NoSuchTableError:
        tables = sorted(inspector.get_table_names(schema=schema) + inspector.get_view_names(schema=schema))
        raise ExtractError(f"{_where(options, source_dir)}: no such table; the database has {tables}") from None
    return columns, primary_key


def _statement(connection: Connection, options: Options, source_dir: Path,
               limit_zero: bool = False) -> tuple[str, list[str] | None]:
    """The SELECT to run and, for a table, its columns (a query's come with its result)."""
    quote_name = connection.dialect.identifier_preparer.quote
    order_by = _order_by(options, source_dir)
    if "query" in options:
        query = check_select(options["query"], _where(options, source_dir))
        if order_by or limit_zero:
            order = f" ORDER BY {', '.join(quote_name(c) for c in order_by)}" if order_by and not limit_zero else ""
            query = f"SELECT * FROM ({query}\n) AS cutover_source{order}{' LIMIT 0' if limit_zero else ''}"
        return query, None
    columns, primary_key = _table_columns(connection, options, source_dir)
    missing = [c for c in order_by if c not in columns]
    if missing:
        raise ExtractError(f"{_where(options, source_dir)}: order_by names no column(s) {missing}; it has {columns}")
    schema = options.get("schema")
    table = (connection.dialect.identifier_preparer.quote_schema(schema) + "." if schema else "") + quote_name(
        options["table"])
    order = ", ".join(quote_name(c) for c in order_by or primary_key)
    return f"SELECT {', '.join(quote_name(c) for c in columns)} FROM {table}{' ORDER BY ' + order if order else ''}", \
        columns


def _result_columns(result, options: Options, source_dir: Path) -> list[str]:
    columns = list(result.keys())
    twice = sorted({c for c in columns if columns.count(c) > 1})
    if twice:
        raise ExtractError(f"{_where(options, source_dir)}: the result has the column(s) {twice} more than once; "
                           "give every column its own name (AS ...)")
    return columns


def _execute(connection: Connection, statement: str, options: Options, source_dir: Path):
    if connection.dialect.paramstyle in ("format", "pyformat"):
        # The driver formats the statement even without parameters: LIKE '0%' must stay '0%'.
        statement = statement.replace("%", "%%")
    try:
        return connection.exec_driver_sql(statement)
    except sa.exc.DBAPIError as exc:
        raise ExtractError(f"{_where(options, source_dir)}: the database refused the statement: "
                           f"{driver_reason(exc, connection.engine.url)}") from None


def _check_options(options: Options, source_dir: Path) -> None:
    """Refuse a query that is not one SELECT, or a bad order_by, before connecting."""
    _order_by(options, source_dir)
    if "query" in options:
        check_select(options["query"], _where(options, source_dir))


def header(options: Options, source_dir: Path) -> list[str]:
    """The column names of the table or of the query's result (the query returns no rows here)."""
    _check_options(options, source_dir)
    with _connection(options, source_dir) as connection:
        statement, columns = _statement(connection, options, source_dir, limit_zero=True)
        if columns is not None:
            return columns
        result = _execute(connection, statement, options, source_dir)
        try:
            return _result_columns(result, options, source_dir)
        finally:
            result.close()


def read_sql(options: Options, source_dir: Path, needed: set[str], chunk_rows: int, *,
             tally: RecordTally | None = None) -> Iterator[pd.DataFrame]:
    """Yield the table's or query's rows as text frames of at most ``chunk_rows`` rows.

    Parameters
    ----------
    tally
        When given, counts the rows as they are read (every one is yielded).

    Raises
    ------
    ExtractError
        The database cannot be reached, the table or a needed column is not there, the query is
        not a single SELECT or the database refuses it: naming the masked URL and table or query.
    """
    _check_options(options, source_dir)
    with _connection(options, source_dir) as connection:
        statement, _ = _statement(connection, options, source_dir)
        streaming = connection.execution_options(stream_results=True, yield_per=chunk_rows)
        result = _execute(streaming, statement, options, source_dir)
        with result:
            columns = _result_columns(result, options, source_dir)
            require_columns(_where(options, source_dir), columns, needed)
            position = 0
            try:
                for rows in result.partitions(chunk_rows):
                    records = [[_text(value) for value in row] for row in rows]
                    if tally is not None:
                        tally.add_read(len(rows))
                    yield text_frame(records, list(range(position + 1, position + len(rows) + 1)), columns)
                    position += len(rows)
                if not position:  # an empty table still shows its columns in the snapshot
                    yield text_frame([], [], columns)
            except sa.exc.DBAPIError as exc:
                raise ExtractError(f"{_where(options, source_dir)}: reading row {position + 1} failed: "
                                   f"{driver_reason(exc, connection.engine.url)}") from None


EXTRACTOR = register(Extractor(
    format="sql",
    options=OPTIONS,
    required=(("url",), ("table", "query")),
    read=read_sql,
    header=header,
    describe=describe,
))
