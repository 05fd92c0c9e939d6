"""pandera schemas for mapped frames, built from the same definition as the tables."""

from __future__ import annotations

import pandera.pandas as pa

from cutover.schema.definition import ColumnDef, TableDef

# Columns cutover fills itself (ids, references) are checked by the database, not here.
_ENGINE_TYPES = ("id", "serial", "ref")


def _checks(column: ColumnDef) -> list[pa.Check]:
    checks = []
    if column.type == "text" and column.length:
        checks.append(pa.Check.str_length(max_value=column.length))
    if column.isin:
        checks.append(pa.Check.isin(list(column.isin)))
    if column.type in ("integer", "bigint", "money"):
        if column.minimum is not None:
            checks.append(pa.Check.ge(column.minimum))
        if column.maximum is not None:
            checks.append(pa.Check.le(column.maximum))
    if column.type == "decimal" and column.minimum == 0:
        # Decimals travel as canonical text (never floats): non-negative means no minus sign.
        checks.append(pa.Check(lambda values: ~values.str.startswith("-"), name="non_negative"))
    return checks


def _dtype(column: ColumnDef):
    # Money must arrive as integer kopecks: a float here is a defect, caught by the dtype.
    return "Int64" if column.type == "money" else None


def frame_schema(table: TableDef, columns: list[str]) -> pa.DataFrameSchema:
    """A pandera schema checking ``columns`` of a mapped frame for ``table``."""
    return pa.DataFrameSchema(
        {
            c.name: pa.Column(_dtype(c), checks=_checks(c), nullable=c.nullable)
            for c in table.columns
            if c.name in columns and c.type not in _ENGINE_TYPES
        },
        name=table.name,
    )
