"""SQLAlchemy tables built from the schema definition."""

from __future__ import annotations

from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.dialects.mysql import LONGTEXT

from cutover.schema.definition import ColumnDef, SchemaDef, TableDef, target_schema
from cutover.schema.types import ExactDecimal

# Constraint names are explicit so Alembic migrations are the same on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _sql_type(column: ColumnDef) -> sa.types.TypeEngine:
    kind = column.type
    if kind in ("id", "ref", "bigint", "money"):
        return sa.BigInteger()
    if kind in ("serial", "integer"):
        return sa.Integer()
    if kind == "text":
        # MariaDB's TEXT stops at 64 KiB; a run summary or a step detail can be longer.
        return sa.String(column.length) if column.length else sa.Text().with_variant(LONGTEXT(), "mysql", "mariadb")
    if kind == "decimal":
        return ExactDecimal(column.precision, column.scale)
    if kind == "date":
        return sa.Date()
    if kind == "datetime":
        return sa.DateTime()
    if kind == "boolean":
        return sa.Boolean()
    raise AssertionError(f"unhandled column type {kind}")  # definition.py rejects unknown types


def _leads_primary_key(table: TableDef, column: ColumnDef) -> bool:
    return bool(table.primary_key) and table.primary_key[0] == column.name


def _sql_column(table: TableDef, column: ColumnDef) -> sa.Column:
    args: list = [_sql_type(column)]
    if column.references:
        target_column = "month" if column.references == "period" else "id"
        args.append(sa.ForeignKey(f"{column.references}.{target_column}"))
    return sa.Column(
        column.name,
        *args,
        primary_key=column.primary_key or column.type in ("id", "serial"),
        autoincrement=column.type == "serial",
        nullable=column.nullable,
        unique=column.unique or None,
        # A reference is indexed (unless it leads the primary key, which is an index already):
        # deleting or joining parents must not scan the children once per parent.
        index=bool(column.references) and not _leads_primary_key(table, column) or None,
        comment=column.comment,
    )


SAVED_PREFIX = "saved_"


def saved_name(table: str) -> str:
    """The table month-end copies ``table`` into before its load."""
    return f"{SAVED_PREFIX}{table}"


def _saved_table(table: TableDef, metadata: sa.MetaData) -> sa.Table:
    """A bare copy of ``table``'s columns (no keys, no constraints): rows as they were before a month-end."""
    return sa.Table(
        saved_name(table.name),
        metadata,
        *(sa.Column(c.name, _sql_type(c), nullable=True, autoincrement=False) for c in table.columns),
        comment=f"{table.name} as it was before the month-end load (to roll back to)",
    )


def build_metadata(schema: SchemaDef) -> sa.MetaData:
    """Build SQLAlchemy metadata for every table of ``schema`` (and the saved copy of each saved one)."""
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    for table in schema.tables:
        constraints = [sa.UniqueConstraint(*cols) for cols in table.unique]
        sa.Table(
            table.name,
            metadata,
            *(_sql_column(table, c) for c in table.columns),
            *constraints,
            comment=table.gloss or None,
        )
    for table in schema.tables:
        if table.saved:
            _saved_table(table, metadata)
    return metadata


@lru_cache(maxsize=1)
def target_metadata() -> sa.MetaData:
    """Metadata of the shipped target schema (what the migrations must match)."""
    return build_metadata(target_schema())
