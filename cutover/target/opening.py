"""The next month in the target: its period, its opening balances and its base readings.

The closing balance of the closed month of every (account, service) becomes the opening
balance of the next month (nothing charged or paid yet, so closing = opening); the last
reading of every meter and zone up to the month's last day becomes the next month's base
reading. Both are one ``INSERT ... SELECT`` in the target, on the caller's transaction.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from cutover.errors import CutoverError
from cutover.schema.tables import target_metadata


class OpeningError(CutoverError):
    """The next month cannot be opened from what was loaded (exit code 2)."""


def last_day(period: str) -> dt.date:
    year, month = (int(part) for part in period.split("-"))
    return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


def _count(connection: sa.Connection, table: sa.Table, *where) -> int:
    return connection.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar_one()


def open_next_month(connection: sa.Connection, period: str, following: str) -> dict:
    """Write the next month's period row (not opened yet), opening balances and base readings.

    Raises
    ------
    OpeningError
        No closing balances of ``period`` were loaded (the extract is not the month's final one),
        or the target holds balances of ``following`` already.
    """
    tables = target_metadata().tables
    period_table, balance, reading, base = tables["period"], tables["balance"], tables["reading"], tables["base_reading"]
    closing_rows = _count(connection, balance, balance.c.period == period)
    if closing_rows == 0:
        raise OpeningError(f"no closing balances of {period} were loaded: the extract does not hold the month "
                           f"being closed (is the legacy month closed, and is [project] period right?)")
    if _count(connection, balance, balance.c.period == following):
        raise OpeningError(f"the extract holds balances of {following} already: the month after the one being "
                           f"closed must not be migrated (filter it out in the mapping)")
    connection.execute(period_table.insert().values(month=following, status="closed", opened_at=None, closed_at=None))
    connection.execute(balance.insert().from_select(
        ["account_id", "service_id", "period", "opening_kopecks", "charged_kopecks", "recalculated_kopecks",
         "paid_kopecks", "closing_kopecks"],
        sa.select(balance.c.account_id, balance.c.service_id, sa.literal(following, sa.String(7)),
                  balance.c.closing_kopecks, sa.literal(0, sa.BigInteger), sa.literal(0, sa.BigInteger),
                  sa.literal(0, sa.BigInteger), balance.c.closing_kopecks).where(balance.c.period == period)))
    latest = (sa.select(reading.c.meter_id, reading.c.zone, sa.func.max(reading.c.read_on).label("read_on"))
              .where(reading.c.read_on <= last_day(period)).group_by(reading.c.meter_id, reading.c.zone).subquery())
    connection.execute(base.insert().from_select(
        ["meter_id", "zone", "period", "read_on", "value"],
        sa.select(reading.c.meter_id, reading.c.zone, sa.literal(following, sa.String(7)), reading.c.read_on,
                  reading.c.value)
        .join(latest, sa.and_(reading.c.meter_id == latest.c.meter_id, reading.c.zone == latest.c.zone,
                              reading.c.read_on == latest.c.read_on))))
    return {"opening_balances": _count(connection, balance, balance.c.period == following),
            "base_readings": _count(connection, base, base.c.period == following)}


def open_period(connection: sa.Connection, period: str, following: str, now: dt.datetime) -> None:
    """The closed month closed as of ``now``, the next one open."""
    table = target_metadata().tables["period"]
    connection.execute(table.update().where(table.c.month == period).values(status="closed", closed_at=now))
    connection.execute(table.update().where(table.c.month == following).values(status="open", opened_at=now))


def opening_totals(connection: sa.Connection, period: str, following: str) -> dict[str, dict[str, int]]:
    """Per service code: the closed month's closing and the next month's opening (kopecks, row counts)."""
    tables = target_metadata().tables
    balance, service = tables["balance"], tables["service"]
    totals: dict[str, dict[str, int]] = {}
    for month, measure in ((period, "closing"), (following, "opening")):
        column = balance.c[f"{measure}_kopecks"]
        query = (sa.select(service.c.code, sa.func.coalesce(sa.func.sum(column), 0), sa.func.count())
                 .join(service, service.c.id == balance.c.service_id).where(balance.c.period == month)
                 .group_by(service.c.code))
        for code, kopecks, rows in connection.execute(query):
            line = totals.setdefault(code, {"closing": 0, "opening": 0, "closing_rows": 0, "opening_rows": 0})
            line[measure], line[f"{measure}_rows"] = int(kopecks), int(rows)
    return totals


def opening_problems(connection: sa.Connection, period: str, following: str) -> list[str]:
    """What makes the next month's opening not the closed month's closing; empty when exact."""
    problems = []
    for code, line in sorted(opening_totals(connection, period, following).items()):
        if line["closing"] != line["opening"] or line["closing_rows"] != line["opening_rows"]:
            problems.append(f"{code}: opening of {following} {line['opening']} kopecks in {line['opening_rows']} rows, "
                            f"closing of {period} {line['closing']} kopecks in {line['closing_rows']} rows")
    tables = target_metadata().tables
    reading, base = tables["reading"], tables["base_reading"]
    zones = sa.select(reading.c.meter_id, reading.c.zone).where(reading.c.read_on <= last_day(period)).distinct().subquery()
    expected = connection.execute(sa.select(sa.func.count()).select_from(zones)).scalar_one()
    found = _count(connection, base, base.c.period == following)
    if expected != found:
        problems.append(f"base readings of {following}: {found}, but {expected} meters and zones have readings "
                        f"up to {last_day(period)}")
    return problems
