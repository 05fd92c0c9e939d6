"""What the target's journal says about a run: its rejects, read back from the reject table."""

from __future__ import annotations

from typing import Iterator

import pandas as pd
import sqlalchemy as sa

from cutover.frames.keyindex import KeyIndex
from cutover.results.identity import row_identity
from cutover.results.model import REJECT_COLUMNS
from cutover.schema.tables import target_metadata
from cutover.target import db


def _items(reject: sa.Table):
    """One row of a sheet unpivoted into zones, or the same row number in two united files,
    are several items: an item is its file, its row and its key."""
    return (reject.c.source, reject.c.row_number, reject.c.legacy_key)


def rejected_rows(connection: sa.Connection, run_id: str, entity: str) -> KeyIndex:
    """The identities (``row_identity``) of the run's rows of ``entity`` kept out by an error."""
    reject = target_metadata().tables["reject"]
    query = (sa.select(*_items(reject)).where(reject.c.run_id == run_id, reject.c.entity == entity,
                                              reject.c.severity == "error").distinct())
    frame = pd.DataFrame(connection.execute(query).all(), columns=["source", "row_number", "legacy_key"])
    if frame.empty:
        return KeyIndex.of(pd.Series([], dtype="str"))
    return KeyIndex.of(row_identity(frame["source"], frame["row_number"], frame["legacy_key"]))


def rejected_items(connection: sa.Connection, run_id: str, entity: str, merges: bool) -> int:
    """How many of the entity's items an error kept out of the target: rows, or for a merging
    entity (a premise on several accounts' rows) keys none of whose rows was loaded."""
    reject, key_map = (target_metadata().tables[t] for t in ("reject", "key_map"))
    errors = sa.and_(reject.c.run_id == run_id, reject.c.entity == entity, reject.c.severity == "error")
    if merges:
        loaded_keys = sa.select(key_map.c.legacy_key).where(key_map.c.entity == entity, key_map.c.last_run_id == run_id)
        items = sa.select(reject.c.legacy_key).where(errors, reject.c.legacy_key.not_in(loaded_keys))
    else:
        items = sa.select(*_items(reject)).where(errors)
    return connection.execute(sa.select(sa.func.count()).select_from(items.distinct().subquery())).scalar_one()


def by_rule(connection: sa.Connection, run_id: str, severity: str) -> dict[str, dict[str, int]]:
    """Items per entity and rule (an item with two problems under one rule counts once)."""
    reject = target_metadata().tables["reject"]
    items = (
        sa.select(reject.c.entity, reject.c.rule, *_items(reject))
        .where(reject.c.run_id == run_id, reject.c.severity == severity)
        .distinct()
        .subquery()
    )
    query = (
        sa.select(items.c.entity, items.c.rule, sa.func.count())
        .group_by(items.c.entity, items.c.rule)
        .order_by(items.c.entity, items.c.rule)
    )
    result: dict[str, dict[str, int]] = {}
    for entity, rule, rows in connection.execute(query):
        result.setdefault(entity, {})[rule] = rows
    return result


def reject_rows(engine: sa.Engine, run_id: str, chunk_rows: int = 100_000) -> Iterator[pd.DataFrame]:
    """Every reject and warning of the run, ordered by severity, entity, rule and row, a chunk at a time."""
    reject = target_metadata().tables["reject"]
    query = (sa.select(*(reject.c[c] for c in REJECT_COLUMNS)).where(reject.c.run_id == run_id)
             .order_by(reject.c.severity, reject.c.entity, reject.c.rule, reject.c.row_number, reject.c.id))
    with engine.connect() as connection:
        found = False
        for rows in db.frames(connection, query, chunk_rows):
            found = True
            yield rows.set_axis(REJECT_COLUMNS, axis=1)
        if not found:
            yield pd.DataFrame(columns=REJECT_COLUMNS)
