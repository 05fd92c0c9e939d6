"""The target side of a reconciliation: what the database holds, read with its own queries.

Counts and money totals are computed by the database (grouping pushed down); the rows the
comparison needs (accounts, meters, balances, the last reading per meter and zone) come back
a chunk at a time with their legacy keys from the key map. A row with no key map entry (put
there by hand) is named ``#id<target id>``.
"""

from __future__ import annotations

from typing import Iterator

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from cutover.reconcile.source_side import canonical_values, iso_dates
from cutover.results.model import MEASURES
from cutover.schema.tables import target_metadata
from cutover.target import copy_out

MONEY = [f"{measure}_kopecks" for measure in MEASURES]
CHUNK_ROWS = 100_000


def _tables(*names: str) -> list[sa.Table]:
    return [target_metadata().tables[name] for name in names]


def _migrated(balance: sa.Table, opened: str | None):
    """Balances migrated from the source: not those of the month a switch ``opened`` (made in the target)."""
    return sa.true() if opened is None else balance.c.period != opened


def count_rows(connection: sa.Connection, table: str, opened: str | None = None) -> int:
    """Rows of ``table`` (of balances, not those of the month a switch ``opened``)."""
    sql_table = target_metadata().tables[table]
    where = _migrated(sql_table, opened) if table == "balance" else sa.true()
    return connection.execute(sa.select(sa.func.count()).select_from(sql_table).where(where)).scalar_one()


def money_by_service(connection: sa.Connection, period: str) -> pd.DataFrame:
    """service code and the period's sum of every measure, in kopecks (one row per service)."""
    balance, service = _tables("balance", "service")
    query = (
        sa.select(service.c.code.label("service"), *(sa.func.sum(balance.c[c]).label(c) for c in MONEY))
        .select_from(balance.join(service, balance.c.service_id == service.c.id))
        .where(balance.c.period == period)
        .group_by(service.c.code)
    )
    rows = connection.execute(query).all()
    frame = pd.DataFrame(rows, columns=["service", *MONEY])
    for column in MONEY:
        frame[column] = frame[column].map(int).astype("int64") if len(frame) else frame[column].astype("int64")
    return frame


def money_by_service_key(connection: sa.Connection, opened: str | None = None) -> pd.DataFrame:
    """service (its legacy key, ``#id<n>`` without one), period and the sum of every measure in
    kopecks, for every period (not the month a switch ``opened``): one row per service and period."""
    balance, key_map = _tables("balance", "key_map")
    on = sa.and_(key_map.c.entity == "service", key_map.c.target_id == balance.c.service_id)
    query = (sa.select(key_map.c.legacy_key, balance.c.service_id, balance.c.period,
                       *(sa.func.sum(balance.c[c]).label(c) for c in MONEY))
             .select_from(balance.outerjoin(key_map, on)).where(_migrated(balance, opened))
             .group_by(key_map.c.legacy_key, balance.c.service_id, balance.c.period))
    frame = pd.DataFrame(connection.execute(query).all(), columns=["key", "service_id", "period", *MONEY])
    frame["service"] = _named(frame, "key", "service_id") if len(frame) else pd.Series(dtype="object")
    for column in MONEY:
        frame[column] = frame[column].map(int).astype("int64") if len(frame) else frame[column].astype("int64")
    return frame[["service", "period", *MONEY]]


def _legacy(entity: str, id_column: sa.ColumnElement, name: str):
    """A key map alias joined on ``id_column`` and the legacy key column it gives."""
    key_map = target_metadata().tables["key_map"].alias(name)
    on = sa.and_(key_map.c.entity == entity, key_map.c.target_id == id_column)
    return key_map, on, key_map.c.legacy_key


def _named(frame: pd.DataFrame, key: str, ids: str) -> pd.Series:
    return frame[key].where(frame[key].notna(), "#id" + frame[ids].astype("str"))


def _named_arrow(table: pa.Table, key: str, ids: str) -> pa.ChunkedArray:
    """The legacy key, ``#id<target id>`` where the key map has none (as :func:`_named`)."""
    if not table[key].null_count:
        return table[key]
    by_id = pc.binary_join_element_wise("#id", pc.cast(table[ids], pa.string()), "")
    return pc.coalesce(table[key], by_id)


def accounts(connection: sa.Connection) -> Iterator[pa.Table]:
    """legacy_key of every account in the target."""
    (account,) = _tables("account")
    key_map, on, key = _legacy("account", account.c.id, "ka")
    query = sa.select(account.c.id, key.label("key")).select_from(account.outerjoin(key_map, on))
    for table in copy_out.tables(connection, query, CHUNK_ROWS):
        yield pa.table({"legacy_key": _named_arrow(table, "key", "id")})


def meters(connection: sa.Connection) -> Iterator[pa.Table]:
    """legacy_key and account (its legacy key) of every meter in the target."""
    (meter,) = _tables("meter")
    meter_map, meter_on, meter_key = _legacy("meter", meter.c.id, "km")
    account_map, account_on, account_key = _legacy("account", meter.c.account_id, "ka")
    query = (sa.select(meter.c.id, meter.c.account_id, meter_key.label("key"), account_key.label("account"))
             .select_from(meter.outerjoin(meter_map, meter_on).outerjoin(account_map, account_on)))
    for table in copy_out.tables(connection, query, CHUNK_ROWS):
        yield pa.table({"legacy_key": _named_arrow(table, "key", "id"),
                        "account": _named_arrow(table, "account", "account_id")})


def balances(connection: sa.Connection, opened: str | None = None) -> Iterator[pa.Table]:
    """account, service (legacy keys), period and every measure of every balance in the target
    (not those of the month a switch ``opened``), as Arrow tables: millions of rows that only
    DuckDB's join reads (cutover/reconcile/compare.py)."""
    (balance,) = _tables("balance")
    account_map, account_on, account_key = _legacy("account", balance.c.account_id, "ka")
    service_map, service_on, service_key = _legacy("service", balance.c.service_id, "ks")
    query = (sa.select(balance.c.account_id, balance.c.service_id, account_key.label("account"),
                       service_key.label("service"), balance.c.period, *(balance.c[c] for c in MONEY))
             .select_from(balance.outerjoin(account_map, account_on).outerjoin(service_map, service_on))
             .where(_migrated(balance, opened)))
    for table in copy_out.tables(connection, query, CHUNK_ROWS):
        yield pa.table({"account": _named_arrow(table, "account", "account_id"),
                        "service": _named_arrow(table, "service", "service_id"), "period": table["period"],
                        **{column: table[column] for column in MONEY}})


def last_readings(connection: sa.Connection) -> Iterator[pd.DataFrame]:
    """meter (legacy key), zone, read_on and value of the last reading of every meter and zone."""
    (reading,) = _tables("reading")
    latest = (sa.select(reading.c.meter_id, reading.c.zone, sa.func.max(reading.c.read_on).label("read_on"))
              .group_by(reading.c.meter_id, reading.c.zone).subquery("latest"))
    meter_map, meter_on, meter_key = _legacy("meter", reading.c.meter_id, "km")
    query = (
        sa.select(reading.c.meter_id, meter_key.label("meter"), reading.c.zone, reading.c.read_on, reading.c.value)
        .select_from(reading.join(latest, sa.and_(latest.c.meter_id == reading.c.meter_id,
                                                  latest.c.zone == reading.c.zone,
                                                  latest.c.read_on == reading.c.read_on))
                     .outerjoin(meter_map, meter_on))
    )
    for frame in copy_out.frames(connection, query, CHUNK_ROWS):
        yield pd.DataFrame({"meter": _named(frame, "meter", "meter_id"), "zone": frame["zone"].astype("object"),
                            "read_on": iso_dates(frame["read_on"]), "value": canonical_values(frame["value"])})
