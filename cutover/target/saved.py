"""The target's rows as they were before the month-end load, to roll back to.

Every table the schema marks ``saved`` has a bare copy, ``saved_<name>``. The load step fills
the copies on its own transaction before it replaces the rows, so they hold exactly what the
target held when the month-end began; a rollback puts those rows back in one transaction.
"""

from __future__ import annotations

import sqlalchemy as sa

from cutover.schema.definition import target_schema
from cutover.schema.tables import saved_name, target_metadata


def saved_tables() -> list[str]:
    """The saved tables, parents first."""
    return [table.name for table in target_schema().tables if table.saved]


def _pairs() -> list[tuple[sa.Table, sa.Table]]:
    metadata = target_metadata()
    return [(metadata.tables[name], metadata.tables[saved_name(name)]) for name in saved_tables()]


def save(connection: sa.Connection) -> dict[str, int]:
    """Copy every saved table into its copy; rows copied per table."""
    copied = {}
    for table, copy in _pairs():
        connection.execute(copy.delete())
        columns = [column.name for column in table.columns]
        connection.execute(copy.insert().from_select(columns, sa.select(*(table.c[name] for name in columns))))
        copied[table.name] = _rows(connection, copy)
    return copied


def _rows(connection: sa.Connection, table: sa.Table) -> int:
    """Rows in ``table``: counted, since ``INSERT ... SELECT`` tells no row count through psycopg (-1)."""
    return connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def restore(connection: sa.Connection) -> dict[str, int]:
    """Put the saved rows back in place of what the month-end wrote; rows restored per table."""
    pairs = _pairs()
    for table, _ in reversed(pairs):
        connection.execute(table.delete())
    restored = {}
    for table, copy in pairs:
        columns = [column.name for column in table.columns]
        connection.execute(table.insert().from_select(columns, sa.select(*(copy.c[name] for name in columns))))
        restored[table.name] = _rows(connection, table)
    return restored


def clear(connection: sa.Connection) -> None:
    """Empty the copies: once switched, the month-end is never rolled back."""
    for _, copy in _pairs():
        connection.execute(copy.delete())
