"""schemas/target.toml is the one definition: tables and pandera checks agree with it.

(The migrations are checked against the same tables by tests/test_migrations.py.)
"""

from __future__ import annotations

import sqlalchemy as sa

from cutover.schema.definition import target_schema
from cutover.schema.frames import frame_schema
from cutover.schema.tables import target_metadata
from cutover.schema.types import ExactDecimal


def test_every_defined_column_is_a_table_column_with_the_same_nullability():
    metadata = target_metadata()
    for table in target_schema().tables:
        sql_table = metadata.tables[table.name]
        assert [c.name for c in sql_table.columns] == [c.name for c in table.columns]
        for column in table.columns:
            assert sql_table.c[column.name].nullable == (column.nullable and not column.primary_key), (table.name, column.name)


def test_money_is_integer_kopecks_and_decimals_are_exact():
    metadata = target_metadata()
    for table in target_schema().tables:
        for column in table.columns:
            sql_type = metadata.tables[table.name].c[column.name].type
            if column.type == "money":
                assert isinstance(sql_type, sa.BigInteger), (table.name, column.name)
            if column.type == "decimal":
                assert isinstance(sql_type, ExactDecimal), (table.name, column.name)


def test_pandera_checks_follow_the_definition():
    for table in target_schema().tables:
        names = [c.name for c in table.columns]
        schema = frame_schema(table, names)
        for column in table.columns:
            if column.type in ("id", "serial", "ref"):
                assert column.name not in schema.columns
                continue
            checked = schema.columns[column.name]
            assert checked.nullable == column.nullable, (table.name, column.name)
            if column.type == "money":
                assert str(checked.dtype) == "Int64"
            if column.isin:
                assert any("isin" in str(check) for check in checked.checks), (table.name, column.name)
