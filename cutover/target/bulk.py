"""Bulk insertion of a frame into a target table, by the fastest path of each database.

PostgreSQL gets COPY through psycopg 3, the rows written as CSV by Arrow; SQLite and MariaDB/MySQL get the driver's own
``executemany`` (sqlite3's C loop; PyMySQL folds it into multi-row INSERTs); any other
database SQLAlchemy's executemany. All of them run on the caller's connection, inside its
transaction, so a failure anywhere still rolls the whole load back. Values leave as exact
text or integers: decimals as their canonical text, money as integer kopecks.
"""

from __future__ import annotations

import io
from typing import Callable, Iterable, Iterator

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import sqlalchemy as sa

from cutover.decimals import fixed_text
from cutover.errors import TargetError
from cutover.schema.definition import TableDef

BATCH_ROWS = 10_000
COPY_ROWS = 100_000  # rows a COPY block carries to PostgreSQL


def _column_values(values: pd.Series, kind: str, scale: int | None, dialect: str) -> list:
    if kind == "date":
        values = values.dt.date
    elif kind == "datetime":
        values = values.dt.to_pydatetime()
    elif kind == "decimal" and dialect == "sqlite":
        values = fixed_text(values, scale)  # what ExactDecimal stores on SQLite
    if kind in ("date", "datetime"):
        # .dt.date of a column of only NaT stays datetime64, whose to_numpy keeps NaT for None
        return values.astype("object").where(values.notna(), None).tolist()
    return values.to_numpy(dtype=object, na_value=None).tolist()  # missing as None, ints as Python ints


def _rows(frame: pd.DataFrame, table: TableDef, dialect: str) -> Iterator[list[tuple]]:
    """The frame as batches of tuples of plain Python values, column order as in the frame."""
    for start in range(0, len(frame), BATCH_ROWS):
        part = frame.iloc[start:start + BATCH_ROWS]
        columns = [_column_values(part[name], table.column(name).type, table.column(name).scale, dialect)
                   for name in frame.columns]
        yield list(zip(*columns))


def _arrow_column(values: pd.Series, kind: str) -> pa.Array:
    """A column as Arrow sees it for CSV: dates as dates, everything else as it is (decimals
    are canonical text already, money integer kopecks)."""
    if kind == "date":
        return pa.Array.from_pandas(values.astype("datetime64[us]")).cast(pa.date32())
    if kind in ("id", "serial", "ref", "integer", "bigint", "money"):
        return pa.Array.from_pandas(values.astype("Int64"))
    if kind in ("text", "decimal"):
        return pa.Array.from_pandas(values.astype("object").where(values.notna(), None), type=pa.string())
    return pa.Array.from_pandas(values)


def _copy_postgres(connection: sa.Connection, table: sa.Table, frame: pd.DataFrame, definition: TableDef) -> None:
    """COPY in CSV written by Arrow, a block at a time: no Python object per value. Text is
    always quoted and NULL never is, so an empty string and a NULL stay apart."""
    blocks = (pa.table({name: _arrow_column(part[name], definition.column(name).type) for name in frame.columns})
              for part in (frame.iloc[start:start + COPY_ROWS] for start in range(0, len(frame), COPY_ROWS)))
    copy_blocks(connection, table.name, list(frame.columns), blocks)


def copy_blocks(connection: sa.Connection, table: str, columns: list[str], blocks: Iterable[pa.Table]) -> None:
    """COPY Arrow tables (of ``columns``, in order) into ``table`` of PostgreSQL (psycopg 3), as
    CSV Arrow writes: text always quoted, NULL never, so an empty string and a NULL stay apart."""
    quote = connection.dialect.identifier_preparer.quote
    statement = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN (FORMAT csv)"
    options = pacsv.WriteOptions(include_header=False, quoting_style="needed")
    with connection.connection.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
        for block in blocks:
            buffer = io.BytesIO()
            pacsv.write_csv(block, buffer, options)
            copy.write(buffer.getbuffer())


def _driver_executemany(connection: sa.Connection, table: sa.Table, frame: pd.DataFrame, definition: TableDef) -> None:
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    statement = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in frame.columns)}) "
                 f"VALUES ({', '.join([marker] * len(frame.columns))})")
    for batch in _rows(frame, definition, dialect.name):
        connection.exec_driver_sql(statement, batch)


def _sqlalchemy_executemany(connection: sa.Connection, table: sa.Table, frame: pd.DataFrame,
                            definition: TableDef) -> None:
    for batch in _rows(frame, definition, connection.dialect.name):
        connection.execute(table.insert(), [dict(zip(frame.columns, row)) for row in batch])


LOADERS: dict[str, Callable[[sa.Connection, sa.Table, pd.DataFrame, TableDef], None]] = {
    "postgresql": _copy_postgres,
    "sqlite": _driver_executemany,
    "mysql": _driver_executemany,
    "mariadb": _driver_executemany,
}


def insert_frame(connection: sa.Connection, table: sa.Table, frame: pd.DataFrame, definition: TableDef) -> None:
    """Insert every row of ``frame`` (columns named as the table's) on ``connection``."""
    if frame.empty:
        return
    loader = LOADERS.get(connection.dialect.name, _sqlalchemy_executemany)
    if loader is _copy_postgres and connection.dialect.driver != "psycopg":
        loader = _sqlalchemy_executemany  # COPY needs psycopg 3
    driver_error = getattr(connection.dialect.dbapi, "Error", ())
    try:
        loader(connection, table, frame, definition)
    except sa.exc.DBAPIError as exc:
        raise refused(table.name, exc.orig) from None
    except driver_error as exc:  # COPY and executemany on the driver's own cursor
        raise refused(table.name, exc) from None


def refused(table: str, reason: BaseException) -> TargetError:
    """The target refusing rows every check passed: what it said, and where to look."""
    said = str(reason).strip().splitlines()[0] if str(reason).strip() else type(reason).__name__
    hint = ""
    if any(word in said.lower() for word in ("unique", "duplicate")):
        hint = ("; rows the mapping keys apart are one row to the target's unique constraint: check the entity's "
                "key (a reading's date written two ways is two keys: key = [meter, zone] with key_from_target = "
                "[\"read_on\"] keys it by the parsed date, docs/mapping.md)")
    return TargetError(f"the target refused rows of {table}: {said}{hint}; nothing of the run is loaded")
