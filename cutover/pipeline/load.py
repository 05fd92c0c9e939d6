"""The load stage: accepted rows into the target, atomically.

A dry run replaces the previous dry run's rows: in one transaction the data tables are
emptied and filled again, part by part, the key map is extended, and the run's rejects
are written. A failure anywhere rolls the whole load back and leaves the target as it was.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from cutover.config import AccountNumbering
from cutover.frames.keyindex import KeyIndex
from cutover.mapping.apply.fit import fit_columns
from cutover.mapping.apply.mapstage import MappedEntity
from cutover.mapping.apply.rejects import REJECT_COLUMNS
from cutover.pipeline.checks import accepted_rows
from cutover.schema.definition import SchemaDef, TableDef, target_schema
from cutover.schema.tables import target_metadata
from cutover.target.bulk import insert_frame
from cutover.target.keys import KeyMap, account_numbers

DATA_TABLES = target_schema().data_tables  # parents first; base readings come from a month-end


@dataclass(frozen=True)
class LoadResult:
    """Rows written per target table."""

    rows: dict[str, int]


def _target_rows(mapped: MappedEntity, table: TableDef, ids: dict, numbering: AccountNumbering) -> pd.DataFrame:
    """The rows to insert; ``ids`` holds this part's own ids (a Series by legacy key) and the
    parents' (a KeyIndex each)."""
    rows = accepted_rows(mapped)
    names = [c.name for c in table.columns if c.name in rows.columns]
    target = rows[names].copy()
    if table.key_mapped:
        target.insert(0, "id", rows["_key"].map(ids[mapped.entity]).astype("int64"))
    for ref in mapped.mapping.refs:
        if ref.entity != mapped.entity:
            target[ref.target] = ids[ref.entity].get(rows[f"_ref_{ref.target}"])
    if mapped.entity == "account":
        target["account_number"] = account_numbers(target["id"], numbering.prefix, numbering.width)
    return target


def _self_references(mapped: MappedEntity) -> list[pd.DataFrame]:
    """References within a table (a meter replaced by a meter): per column, the legacy keys of
    the referring rows and of the rows they name. They are written once the whole table is in,
    since a row may refer to one in a later part."""
    rows = accepted_rows(mapped)
    found = []
    for ref in (r for r in mapped.mapping.refs if r.entity == mapped.entity):
        linked = rows[rows[f"_ref_{ref.target}"].notna()]
        found.append(pd.DataFrame({"column": ref.target, "key": linked["_key"].to_numpy(),
                                   "parent": linked[f"_ref_{ref.target}"].to_numpy()}))
    return found


def _foreign_keys(tables: list[sa.Table]) -> list[sa.ForeignKeyConstraint]:
    return [fk for table in tables for fk in table.foreign_key_constraints]


class TargetLoad:
    """The load of one run, entity by entity and part by part, on the caller's transaction.

    It starts by emptying the data tables; the key map is extended as parts arrive; rejects
    are written as they are found. On PostgreSQL the data tables' foreign keys are dropped
    for the load and added back by ``finish``, which checks every row in one pass per table;
    elsewhere the database checks each row as it arrives. Whatever fails, the caller's
    transaction rolls back and the target is as it was (DDL is transactional on PostgreSQL).
    """

    def __init__(self, connection: sa.Connection, run_id: str, schema: SchemaDef,
                 numbering: AccountNumbering) -> None:
        self.connection, self.run_id, self.schema, self.numbering = connection, run_id, schema, numbering
        self.metadata = target_metadata()
        self.rows: dict[str, int] = {"period": 0}
        self._key_maps: dict[str, KeyMap] = {}
        self._periods: set[str] = set()
        self._links: dict[str, list[pd.DataFrame]] = {}  # references within a table, written at its end
        self._writer: ThreadPoolExecutor | None = None  # writes a part's rows behind the run (``load``)
        self._pending: Future | None = None
        if connection.dialect.name == "postgresql":
            # Fresh statistics for the key map: right after the previous run's bulk load the planner
            # takes it for nearly empty, and scans all of it once per batch of reused keys (at
            # 50,000 accounts a dry run over the previous one took 359 s instead of 80 s).
            connection.exec_driver_sql(f"ANALYZE {self.metadata.tables['key_map'].name}")
        _empty(connection, [self.metadata.tables[name] for name in DATA_TABLES])
        self._constraints = []
        if connection.dialect.name == "postgresql":
            self._constraints = _foreign_keys([self.metadata.tables[name] for name in DATA_TABLES])
            for constraint in self._constraints:
                connection.execute(sa.schema.DropConstraint(constraint))

    def ids(self, entity: str) -> KeyIndex:
        """Legacy key -> target id of every row of ``entity`` loaded so far."""
        self._settle()
        if entity not in self._key_maps:
            self._key_maps[entity] = KeyMap(self.connection, entity, self.run_id)
        return self._key_maps[entity].ids()

    def key_mapped(self, entity: str) -> bool:
        return self.schema.table(entity).key_mapped

    def load(self, mapped: MappedEntity) -> int:
        """Write the accepted rows of one part of an entity; rows written.

        The rows are written behind the run, on a thread of the load's own: the run goes on to check
        the next part while the database takes these (its server, or SQLite's C code, outside
        Python's lock). Everything else the load does first waits for that write, and a write that
        failed raises there; so the connection is only ever used by one thread at a time."""
        self._settle()
        name = mapped.entity
        table, sql_table = self.schema.table(name), self.metadata.tables[name]
        rows = accepted_rows(mapped)
        if "period" in rows:
            self._add_periods(rows["period"])
        ids = {ref.entity: self.ids(ref.entity) for ref in mapped.mapping.refs if ref.entity != name}
        if table.key_mapped:
            if name not in self._key_maps:
                self._key_maps[name] = KeyMap(self.connection, name, self.run_id)
            ids[name] = self._key_maps[name].assign(rows["_key"])
        target = _target_rows(mapped, table, ids, self.numbering)
        self._writer = self._writer or ThreadPoolExecutor(1, thread_name_prefix=f"load {self.run_id}")
        self._pending = self._writer.submit(insert_frame, self.connection, sql_table, target, table)
        self._links.setdefault(name, []).extend(_self_references(mapped))
        self.rows[name] = self.rows.get(name, 0) + len(target)
        return len(target)

    def end_entity(self, name: str) -> None:
        """Write the references within the entity's table, now that every row of it is in."""
        self._settle()
        if name in self._key_maps:
            self._key_maps[name].settle()
        links = [part for part in self._links.pop(name, []) if not part.empty]
        if not links:
            return
        sql_table, ids = self.metadata.tables[name], self.ids(name)
        for column, rows in pd.concat(links, ignore_index=True).groupby("column", sort=False):
            updates = [{"row_id": int(row_id), "value": int(value)}
                       for row_id, value in zip(ids.get(rows["key"]), ids.get(rows["parent"]))]
            self.connection.execute(
                sql_table.update().where(sql_table.c.id == sa.bindparam("row_id")).values({column: sa.bindparam("value")}),
                updates,
            )

    def _add_periods(self, periods: pd.Series) -> None:
        new = sorted(set(periods.dropna().unique()) - self._periods)
        if new:
            insert_frame(self.connection, self.metadata.tables["period"], pd.DataFrame({"month": new, "status": "closed"}),
                         self.schema.table("period"))
            self._periods.update(new)
            self.rows["period"] = len(self._periods)

    def add_rejects(self, rejects: pd.DataFrame) -> None:
        """Write rejects and warnings to the run's journal."""
        self._settle()
        if rejects.empty:
            return
        # A reject must fit the columns it is written to, or it fails the load it reports on: each
        # text is cut to its column's length (a long legacy key to the cut form rows know it by).
        table = self.schema.table("reject")
        journal = rejects[REJECT_COLUMNS].assign(run_id=self.run_id, message=rejects["message"].astype("str"))
        journal = fit_columns(journal, table)
        insert_frame(self.connection, self.metadata.tables["reject"], journal, table)

    def finish(self) -> LoadResult:
        """Add back what the load set aside (PostgreSQL's foreign keys, checked now); rows written."""
        self._settle()
        self._stop_writer()
        for constraint in self._constraints:
            self.connection.execute(sa.schema.AddConstraint(constraint))
        return LoadResult(rows=dict(self.rows))

    def abandon(self) -> None:
        """Wait for a write still under way, whatever its end, so that the caller can roll back on an
        idle connection (the run failed elsewhere, or was interrupted)."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.exception()  # waits; its error, if any, is the lesser news
        self._stop_writer()

    def _settle(self) -> None:
        """Wait for the part being written behind the run; its error, if it failed, raises here."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def _stop_writer(self) -> None:
        if self._writer is not None:
            self._writer.shutdown(wait=True)
            self._writer = None


def _empty(connection: sa.Connection, tables: list[sa.Table]) -> None:
    """Empty the data tables (parents first in ``tables``), inside the caller's transaction.

    PostgreSQL truncates them in one statement: a DELETE of millions of rows checks every
    deleted parent against its children's foreign keys and leaves the tables full of dead rows
    (deleting the previous run's 9.4M rows at 200,000 accounts took up to 300 s, the whole load
    70 s). TRUNCATE is transactional there: a failed load rolls it back. It locks the tables
    until the commit, as the dry run's write exclusion already keeps other writers out."""
    if connection.dialect.name == "postgresql":
        quote = connection.dialect.identifier_preparer.quote
        connection.exec_driver_sql(f"TRUNCATE {', '.join(quote(table.name) for table in tables)}")
        return
    for table in reversed(tables):
        if connection.dialect.name in ("mysql", "mariadb"):
            _unlink_within(connection, table)
        connection.execute(table.delete())


def _unlink_within(connection: sa.Connection, table: sa.Table) -> None:
    """Clear a table's references to its own rows (a meter replaced by a meter) before its rows are
    deleted: MariaDB checks each deleted row at once, in its id order, and refuses to delete a meter
    that a meter of a higher id still names (the previous run loaded in parts)."""
    for column in {key.parent for key in table.foreign_keys if key.column.table is table}:
        connection.execute(table.update().where(column.is_not(None)).values({column.name: None}))
