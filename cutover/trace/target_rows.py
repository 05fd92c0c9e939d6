"""What the target and its journal hold of one legacy account: its key-map entry, its rejects in a
run, and (for the run whose rows the target holds) its account, meters and balances.

Plain rows, read by key: no data frames, so a trace costs a few indexed look-ups whatever the
size of the target.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from cutover.schema.tables import target_metadata

ROW_CHUNK = 500  # row numbers per IN (...) of a reject look-up
MONEY = ("opening", "charged", "recalculated", "paid", "closing")


@dataclass(frozen=True)
class KeyMapEntry:
    """The account's line in the key map: its target id, the runs that first and last loaded it."""

    target_id: int
    first_run_id: str
    last_run_id: str

    def to_dict(self) -> dict:
        return {"target_id": self.target_id, "first_run_id": self.first_run_id, "last_run_id": self.last_run_id}


@dataclass(frozen=True)
class Reject:
    """A reject (or warning) of a run that names one of the account's rows or its key."""

    entity: str
    severity: str
    rule: str
    message: str
    source: str
    row: int | None
    legacy_key: str | None
    column: str | None
    value: str | None

    def to_dict(self) -> dict:
        return {"entity": self.entity, "severity": self.severity, "rule": self.rule, "message": self.message,
                "source": self.source, "row": self.row, "legacy_key": self.legacy_key, "column": self.column,
                "value": self.value}


@dataclass(frozen=True)
class Meter:
    serial: str
    service: str
    status: str
    legacy_key: str | None
    readings: int

    def to_dict(self) -> dict:
        return {"serial": self.serial, "service": self.service, "status": self.status, "legacy_key": self.legacy_key,
                "readings": self.readings}


@dataclass(frozen=True)
class Balance:
    """One service's balance of one period, kopecks (closing = opening + charged + recalculated - paid)."""

    service: str
    service_name: str
    period: str
    kopecks: dict[str, int]  # measure -> kopecks

    def to_dict(self) -> dict:
        return {"service": self.service, "service_name": self.service_name, "period": self.period,
                **{f"{measure}_kopecks": self.kopecks[measure] for measure in MONEY}}


@dataclass(frozen=True)
class TargetAccount:
    """The account as the target holds it."""

    account_number: str
    legacy_account_number: str
    opened_on: str | None
    closed_on: str | None
    meters: tuple[Meter, ...]
    balances: tuple[Balance, ...]

    def to_dict(self) -> dict:
        return {"account_number": self.account_number, "legacy_account_number": self.legacy_account_number,
                "opened_on": self.opened_on, "closed_on": self.closed_on,
                "meters": [meter.to_dict() for meter in self.meters],
                "balances": [balance.to_dict() for balance in self.balances]}


def _tables(*names: str) -> list[sa.Table]:
    tables = target_metadata().tables
    return [tables[name] for name in names]


def key_map_entry(connection: sa.Connection, legacy_key: str, entity: str = "account") -> KeyMapEntry | None:
    (key_map,) = _tables("key_map")
    row = connection.execute(sa.select(key_map.c.target_id, key_map.c.first_run_id, key_map.c.last_run_id)
                             .where(key_map.c.entity == entity, key_map.c.legacy_key == legacy_key)).first()
    return None if row is None else KeyMapEntry(int(row.target_id), row.first_run_id, row.last_run_id)


def rejects_of(connection: sa.Connection, run_id: str, legacy_key: str,
               rows: dict[str, list[int]]) -> list[Reject]:
    """The run's rejects and warnings on the account's source ``rows`` (location -> row numbers),
    or keyed by the account itself (its key, or a key it begins: ``02-001612|01|202610``)."""
    (reject,) = _tables("reject")
    columns = (reject.c.entity, reject.c.severity, reject.c.rule, reject.c.message, reject.c.source,
               reject.c.row_number, reject.c.legacy_key, reject.c.column_name, reject.c.raw_value, reject.c.id)
    prefix = legacy_key + "|"
    conditions = [reject.c.legacy_key == legacy_key,
                  sa.func.substr(reject.c.legacy_key, 1, len(prefix)) == prefix]
    for location, numbers in rows.items():
        for start in range(0, len(numbers), ROW_CHUNK):
            conditions.append(sa.and_(reject.c.source == location,
                                      reject.c.row_number.in_(numbers[start:start + ROW_CHUNK])))
    found: dict[int, Reject] = {}
    for condition in conditions:  # one query each: an OR of them all defeats the indexes
        query = sa.select(*columns).where(reject.c.run_id == run_id, condition)
        for row in connection.execute(query):
            found[row.id] = Reject(row.entity, row.severity, row.rule, row.message, row.source,
                                   None if row.row_number is None else int(row.row_number), row.legacy_key,
                                   row.column_name, row.raw_value)
    return sorted(found.values(), key=lambda r: (r.source, r.row if r.row is not None else -1, r.entity, r.rule))


def target_account(connection: sa.Connection, account_id: int) -> TargetAccount | None:
    """The account ``account_id`` with its meters (and how many readings each has) and its balances."""
    account, meter, reading, balance, service, key_map = _tables("account", "meter", "reading", "balance", "service",
                                                                 "key_map")
    row = connection.execute(sa.select(account).where(account.c.id == account_id)).first()
    if row is None:
        return None
    own = sa.select(meter.c.id).where(meter.c.account_id == account_id)  # never a count over every reading
    readings = (sa.select(reading.c.meter_id, sa.func.count().label("readings")).where(reading.c.meter_id.in_(own))
                .group_by(reading.c.meter_id).subquery())
    meter_key = sa.and_(key_map.c.entity == "meter", key_map.c.target_id == meter.c.id)
    meters = connection.execute(
        sa.select(meter.c.serial, service.c.code, meter.c.status, key_map.c.legacy_key,
                  sa.func.coalesce(readings.c.readings, 0))
        .select_from(meter.join(service, service.c.id == meter.c.service_id)
                     .outerjoin(readings, readings.c.meter_id == meter.c.id).outerjoin(key_map, meter_key))
        .where(meter.c.account_id == account_id).order_by(meter.c.id))
    balances = connection.execute(
        sa.select(service.c.code, service.c.name, balance.c.period,
                  *(balance.c[f"{measure}_kopecks"] for measure in MONEY))
        .select_from(balance.join(service, service.c.id == balance.c.service_id))
        .where(balance.c.account_id == account_id).order_by(balance.c.period, service.c.code))
    return TargetAccount(
        row.account_number, row.legacy_account_number, _day(row.opened_on), _day(row.closed_on),
        tuple(Meter(serial, code, status, legacy, int(count)) for serial, code, status, legacy, count in meters),
        tuple(Balance(code, name, period, {measure: int(value) for measure, value in zip(MONEY, money)})
              for code, name, period, *money in balances))


def _day(value) -> str | None:
    return None if value is None else value.isoformat()


def close_keys(connection: sa.Connection, run_ids: list[str], entity: str = "account") -> list[str]:
    """The legacy keys of accounts the target knows (the key map) and the runs rejected: what a
    mistyped key is compared with."""
    key_map, reject = _tables("key_map", "reject")
    keys = {key for (key,) in connection.execute(sa.select(key_map.c.legacy_key).where(key_map.c.entity == entity))}
    if run_ids:
        keys |= {key for (key,) in connection.execute(
            sa.select(reject.c.legacy_key).where(reject.c.run_id.in_(run_ids), reject.c.entity == entity).distinct())
            if key}
    return sorted(keys)
