"""The load stage: accepted rows into the target, atomically.

A dry run replaces the previous dry run's rows: in one transaction the data tables are
emptied and filled again, the key map is extended, and the run's rejects are written.
A failure anywhere rolls the whole load back and leaves the target as it was.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

import pandas as pd
import sqlalchemy as sa

from cutover.mapping.model import ENTITY_ORDER
from cutover.pipeline.bulk import insert_frame
from cutover.pipeline.checks import accepted_rows
from cutover.pipeline.keys import account_numbers, assign_ids
from cutover.pipeline.mapstage import MappedEntity
from cutover.pipeline.rejects import REJECT_COLUMNS
from cutover.schema.definition import SchemaDef, TableDef
from cutover.schema.tables import target_metadata

DATA_TABLES = ("period",) + ENTITY_ORDER


@dataclass(frozen=True)
class AccountNumbering:
    """How new account numbers are built (``[accounts]`` in cutover.toml)."""

    prefix: str = "77"
    width: int = 8


@dataclass(frozen=True)
class LoadResult:
    """Rows written per target table."""

    rows: dict[str, int]


def _target_rows(mapped: MappedEntity, table: TableDef, ids: dict[str, pd.Series], numbering: AccountNumbering) -> pd.DataFrame:
    rows = accepted_rows(mapped)
    names = [c.name for c in table.columns if c.name in rows.columns]
    target = rows[names].copy()
    if table.key_mapped:
        target.insert(0, "id", rows["_key"].map(ids[mapped.entity]).astype("int64"))
    for ref in mapped.mapping.refs:
        if ref.entity != mapped.entity:
            target[ref.target] = rows[f"_ref_{ref.target}"].map(ids[ref.entity]).astype("Int64")
    if mapped.entity == "account":
        target["account_number"] = account_numbers(target["id"], numbering.prefix, numbering.width)
    return target


def _self_references(mapped: MappedEntity, ids: dict[str, pd.Series]) -> dict[str, list[dict]]:
    """Per column, the updates for references within a table (a meter replaced by a meter).

    They are written after the table's rows, since a row may refer to one inserted later.
    """
    rows = accepted_rows(mapped)
    updates = {}
    for ref in (r for r in mapped.mapping.refs if r.entity == mapped.entity):
        own_ids = ids[mapped.entity]  # a table that refers to itself is key-mapped
        linked = rows[rows[f"_ref_{ref.target}"].notna()]
        updates[ref.target] = [
            {"row_id": int(own_ids[key]), "value": int(own_ids[parent])}
            for key, parent in zip(linked["_key"], linked[f"_ref_{ref.target}"])
        ]
    return updates


@contextmanager
def _foreign_keys_checked_once(connection: sa.Connection, tables: list[sa.Table]) -> Iterator[None]:
    """On PostgreSQL, check the data tables' foreign keys once per table instead of per row.

    The constraints are dropped inside the load's transaction and added back at its end, which
    validates every row in one pass; a violation fails the load, which rolls back whole (DDL is
    transactional there). Elsewhere the database checks each row as it arrives.
    """
    if connection.dialect.name != "postgresql":
        yield
        return
    constraints = [fk for table in tables for fk in table.foreign_key_constraints]
    for constraint in constraints:
        connection.execute(sa.schema.DropConstraint(constraint))
    yield
    for constraint in constraints:
        connection.execute(sa.schema.AddConstraint(constraint))


def _replace_data(connection: sa.Connection, entities: dict[str, MappedEntity], ids: dict[str, pd.Series],
                  schema: SchemaDef, numbering: AccountNumbering) -> dict[str, int]:
    """Empty the data tables and fill them with the accepted rows; rows written per table."""
    metadata = target_metadata()
    for name in reversed(DATA_TABLES):
        connection.execute(metadata.tables[name].delete())
    periods = sorted(set().union(*(set(accepted_rows(m)["period"]) for m in entities.values() if "period" in m.frame)))
    insert_frame(connection, metadata.tables["period"], pd.DataFrame({"month": periods, "status": "closed"}),
                 schema.table("period"))
    counts = {"period": len(periods)}
    for name in (n for n in ENTITY_ORDER if n in entities):
        table, sql_table = schema.table(name), metadata.tables[name]
        target = _target_rows(entities[name], table, ids, numbering)
        insert_frame(connection, sql_table, target, table)
        counts[name] = len(target)
        for column, updates in _self_references(entities[name], ids).items():
            if updates:
                connection.execute(
                    sql_table.update().where(sql_table.c.id == sa.bindparam("row_id"))
                    .values({column: sa.bindparam("value")}),
                    updates,
                )
    return counts


def load_target(engine: sa.Engine, entities: dict[str, MappedEntity], rejects: pd.DataFrame, run_id: str,
                schema: SchemaDef, numbering: AccountNumbering) -> LoadResult:
    """Replace the target's data with the accepted rows of ``entities``, in one transaction."""
    metadata = target_metadata()
    with engine.begin() as connection:
        ids = {
            name: assign_ids(connection, name, accepted_rows(mapped)["_key"], run_id)
            for name, mapped in entities.items()
            if schema.table(name).key_mapped
        }
        with _foreign_keys_checked_once(connection, [metadata.tables[name] for name in DATA_TABLES]):
            counts = _replace_data(connection, entities, ids, schema, numbering)
        journal = rejects[REJECT_COLUMNS].assign(
            run_id=run_id,
            message=rejects["message"].astype("str").str.slice(0, 500),
            raw_value=rejects["raw_value"].astype("str").str.slice(0, 500).where(rejects["raw_value"].notna(), None),
        )
        insert_frame(connection, metadata.tables["reject"], journal, schema.table("reject"))
    return LoadResult(rows=counts)
