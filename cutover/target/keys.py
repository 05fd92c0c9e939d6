"""The key map: legacy key -> target id, kept in the target so ids never change.

An id, once issued for a legacy key, is reused by every later run; new keys get the
next ids after the highest ever issued, so ids are never reused. A new account number
is built from the account's id, so it is just as stable.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import sqlalchemy as sa

from cutover.frames.keyindex import KeyIndex
from cutover.frames.text import arrow_text
from cutover.schema.definition import target_schema
from cutover.schema.tables import target_metadata
from cutover.target import copy_out
from cutover.target.bulk import copy_blocks, insert_frame

KEYS_PER_UPDATE = 500  # keys named in one UPDATE ... IN (...): well under every driver's parameter limit


def luhn_digit(digits: str) -> str:
    """The Luhn check digit for a string of digits (what payment terminals verify)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def account_numbers(ids: pd.Series, prefix: str, width: int) -> pd.Series:
    """New account numbers: prefix + id zero-padded to ``width`` + a Luhn check digit."""
    body = prefix + ids.astype("int64").astype("str").str.zfill(width)
    return body + body.map(luhn_digit)


class KeyMap:
    """One entity's key map during a run: the ids issued before, read once, and the ids
    issued or reused so far, part after part. Every key is recorded as seen by the run."""

    def __init__(self, connection: sa.Connection, entity: str, run_id: str) -> None:
        self.connection, self.entity, self.run_id = connection, entity, run_id
        key_map = target_metadata().tables["key_map"]
        query = sa.select(key_map.c.legacy_key, key_map.c.target_id).where(key_map.c.entity == entity)
        read = list(copy_out.frames(connection, query, 1_000_000))  # by COPY on PostgreSQL
        existing = pd.concat(read, ignore_index=True) if read else pd.DataFrame(columns=["legacy_key", "target_id"])
        self._known = pd.Series(existing["target_id"].astype("int64").values,
                                index=existing["legacy_key"].astype("str"))
        self._next = int(self._known.max()) + 1 if len(self._known) else 1
        self._parts: list[KeyIndex] = []
        self._all: KeyIndex | None = None

    def assign(self, keys: pd.Series) -> pd.Series:
        """Ids of ``keys`` (legacy key -> id), issuing the next ids for keys never seen before."""
        key_map = target_metadata().tables["key_map"]
        unique_keys = pd.Index(keys.unique())
        new_keys = unique_keys.difference(self._known.index, sort=False)
        issued = pd.Series(range(self._next, self._next + len(new_keys)), index=new_keys, dtype="int64")
        self._next += len(new_keys)
        if len(new_keys):
            insert_frame(self.connection, key_map, pd.DataFrame({
                "entity": self.entity, "legacy_key": issued.index.astype("str"), "target_id": issued.to_numpy(),
                "first_run_id": self.run_id, "last_run_id": self.run_id,
            }), target_schema().table("key_map"))
        reused = unique_keys.intersection(self._known.index, sort=False)
        self._seen_again(reused)
        ids = pd.concat([self._known.loc[reused], issued])
        self._parts.append(KeyIndex.of(ids.index, ids.to_numpy()))
        self._all = None
        return ids

    def _seen_again(self, reused: pd.Index) -> None:
        """Record the run as the last to see each of the ``reused`` keys."""
        key_map = target_metadata().tables["key_map"]
        if self.connection.dialect.name == "postgresql" and self.connection.dialect.driver == "psycopg" \
                and len(reused) > KEYS_PER_UPDATE:
            # The keys copied into a table of the transaction and joined in one UPDATE: 400 statements
            # of 500 keys each took 4-6 s per entity at 200,000 accounts.
            quote = self.connection.dialect.identifier_preparer.quote
            self.connection.exec_driver_sql("CREATE TEMP TABLE IF NOT EXISTS cutover_seen_keys (legacy_key text) "
                                            "ON COMMIT DROP")
            self.connection.exec_driver_sql("TRUNCATE cutover_seen_keys")
            copy_blocks(self.connection, "cutover_seen_keys", ["legacy_key"],
                        [pa.table({"legacy_key": arrow_text(reused.astype("str"))})])
            with self.connection.connection.driver_connection.cursor() as cursor:
                table = quote(key_map.name)
                cursor.execute(f"UPDATE {table} SET last_run_id = %s FROM cutover_seen_keys s "
                               f"WHERE {table}.entity = %s AND {table}.legacy_key = s.legacy_key",
                               (self.run_id, self.entity))
            return
        for start in range(0, len(reused), KEYS_PER_UPDATE):  # one statement per batch of keys, not per key
            batch = list(reused[start:start + KEYS_PER_UPDATE])
            self.connection.execute(
                key_map.update()
                .where(key_map.c.entity == self.entity, key_map.c.legacy_key.in_(batch))
                .values(last_run_id=self.run_id)
            )

    def settle(self) -> None:
        """The entity is loaded: forget the ids of earlier runs that this run did not see."""
        self._known = self._known.iloc[:0]

    def ids(self) -> KeyIndex:
        """Every id the run has assigned so far, by legacy key."""
        if self._all is None:
            self._all = KeyIndex.union(self._parts)
            self._parts = [self._all]
        return self._all

