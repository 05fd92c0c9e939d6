"""The migrated meters late readings name, as the target holds them: by the legacy meter key
(the key map) or by the legacy account number and the meter's serial; each with its digit
capacity and the last reading the target holds of each of its zones. Also which legacy keys
the migration rejected, and why, so a reading of one says so as the migration did.

Only read, in chunks of keys (never a whole table), so a file of a few readings costs a few
queries whatever the size of the target.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from cutover.schema.tables import target_metadata
from cutover.target import runs

KEYS_PER_QUERY = 500


@dataclass(frozen=True)
class Meter:
    """A migrated meter: its id in the target and what the checks of its readings need."""

    id: int
    serial: str
    account_number: str
    legacy_account_number: str
    digit_capacity: int
    status: str


def _chunks(values: Iterable, size: int = KEYS_PER_QUERY) -> Iterator[list]:
    values = sorted(set(values))
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _meters(connection: sa.Connection, where) -> list[Meter]:
    tables = target_metadata().tables
    meter, account = tables["meter"], tables["account"]
    query = (sa.select(meter.c.id, meter.c.serial, account.c.account_number, account.c.legacy_account_number,
                       meter.c.digit_capacity, meter.c.status)
             .join(account, account.c.id == meter.c.account_id).where(where))
    return [Meter(int(row.id), row.serial, row.account_number, row.legacy_account_number, int(row.digit_capacity),
                  row.status) for row in connection.execute(query)]


def by_key(connection: sa.Connection, keys: Iterable[str]) -> dict[str, Meter]:
    """Legacy meter key -> the migrated meter (keys the key map does not hold are not in it)."""
    tables = target_metadata().tables
    key_map, meter = tables["key_map"], tables["meter"]
    found: dict[str, Meter] = {}
    for chunk in _chunks(keys):
        ids = dict(connection.execute(sa.select(key_map.c.target_id, key_map.c.legacy_key)
                                      .where(key_map.c.entity == "meter", key_map.c.legacy_key.in_(chunk))).all())
        for each in _meters(connection, meter.c.id.in_(list(ids))):
            found[ids[each.id]] = each
    return found


def by_account(connection: sa.Connection, accounts: Iterable[str]) -> dict[str, list[Meter]]:
    """Legacy account number -> the meters of its migrated account (an account with none: an
    empty list; an account not migrated is not in it)."""
    account = target_metadata().tables["account"]
    found: dict[str, list[Meter]] = {}
    for chunk in _chunks(accounts):
        for number in connection.execute(sa.select(account.c.legacy_account_number)
                                         .where(account.c.legacy_account_number.in_(chunk))).scalars():
            found.setdefault(number, [])
        for each in _meters(connection, account.c.legacy_account_number.in_(chunk)):
            found[each.legacy_account_number].append(each)
    return found


def last_readings(connection: sa.Connection, meter_ids: Iterable[int]) -> dict[tuple[int, str], tuple]:
    """(meter id, zone) -> (read on, value as canonical text) of the latest reading the target holds."""
    reading = target_metadata().tables["reading"]
    found: dict[tuple[int, str], tuple] = {}
    for chunk in _chunks(meter_ids):
        latest = (sa.select(reading.c.meter_id, reading.c.zone, sa.func.max(reading.c.read_on).label("read_on"))
                  .where(reading.c.meter_id.in_(chunk)).group_by(reading.c.meter_id, reading.c.zone).subquery())
        query = (sa.select(reading.c.meter_id, reading.c.zone, reading.c.read_on, reading.c.value)
                 .join(latest, sa.and_(reading.c.meter_id == latest.c.meter_id, reading.c.zone == latest.c.zone,
                                       reading.c.read_on == latest.c.read_on)))
        for meter_id, zone, read_on, value in connection.execute(query):
            found[(int(meter_id), zone)] = (read_on, canonical(value))
    return found


def canonical(value) -> str:
    """A reading's value as canonical decimal text (``Decimal('12.5000000')`` -> ``"12.5"``)."""
    text = format(Decimal(str(value)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def loaded_run(connection: sa.Connection) -> tuple[str | None, bool]:
    """The run whose rows the target holds, and whether it is the switch (else a dry run: a rehearsal)."""
    done = runs.switched(connection) if sa.inspect(connection).has_table("cutover_step") else None
    if done is not None:
        return done.run_id, True
    return runs.loaded_run(connection), False


def rejected_keys(connection: sa.Connection, run_id: str | None, entity: str, keys: Iterable[str]) -> dict[str, str]:
    """Legacy key -> the first rule that rejected it in ``run_id`` (an error, not a warning)."""
    if run_id is None:
        return {}
    reject = target_metadata().tables["reject"]
    found: dict[str, str] = {}
    for chunk in _chunks(keys):
        query = (sa.select(reject.c.legacy_key, reject.c.rule)
                 .where(reject.c.run_id == run_id, reject.c.entity == entity, reject.c.severity == "error",
                        reject.c.legacy_key.in_(chunk)).order_by(reject.c.id))
        for key, rule in connection.execute(query):
            found.setdefault(key, rule)
    return found
