"""Bulk insertion of a frame into a target table, by the fastest path of each database.

PostgreSQL gets COPY through psycopg 3; SQLite and MariaDB/MySQL get the driver's own
``executemany`` (sqlite3's C loop; PyMySQL folds it into multi-row INSERTs); any other
database SQLAlchemy's executemany. All of them run on the caller's connection, inside its
transaction, so a failure anywhere still rolls the whole load back. Values leave as exact
text or integers: decimals as their canonical text, money as integer kopecks.
"""

from __future__ import annotations

from typing import Callable, Iterator

import pandas as pd
import sqlalchemy as sa

from cutover.decimals import fixed_text
from cutover.schema.definition import TableDef

BATCH_ROWS = 10_000


def _column_values(values: pd.Series, kind: str, scale: int | None, dialect: str) -> list:
    if kind == "date":
        values = values.dt.date
    elif kind == "datetime":
        values = values.dt.to_pydatetime()
    elif kind == "decimal" and dialect == "sqlite":
        values = fixed_text(values, scale)  # what ExactDecimal stores on SQLite
    return values.astype("object").where(values.notna(), None).tolist()


def _rows(frame: pd.DataFrame, table: TableDef, dialect: str) -> Iterator[list[tuple]]:
    """The frame as batches of tuples of plain Python values, column order as in the frame."""
    for start in range(0, len(frame), BATCH_ROWS):
        part = frame.iloc[start:start + BATCH_ROWS]
        columns = [_column_values(part[name], table.column(name).type, table.column(name).scale, dialect)
                   for name in frame.columns]
        yield list(zip(*columns))


def _copy_postgres(connection: sa.Connection, table: sa.Table, frame: pd.DataFrame, definition: TableDef) -> None:
    quote = connection.dialect.identifier_preparer.quote
    statement = f"COPY {quote(table.name)} ({', '.join(quote(c) for c in frame.columns)}) FROM STDIN"
    with connection.connection.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
        for batch in _rows(frame, definition, "postgresql"):
            for row in batch:
                copy.write_row(row)


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
    loader(connection, table, frame, definition)
