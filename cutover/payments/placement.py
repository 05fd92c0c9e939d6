"""Where a payment's legacy account number leads in the target: a new account, or the reason it cannot go.

The target is read as the run that holds its rows left it: the month-end that switched the
project, or, before the switch (a rehearsal), the dry run whose rows the target holds. Only the
accounts a registry names are read (in batches), so a registry of any size needs no more than
its own numbers in memory.

A legacy number leads to one of:

- the new account number (an account of the target has it as its legacy number);
- ``REJECTED_ACCOUNT``: the migration rejected it (the held run's rejects of the account), with
  the rule and message of the reject;
- ``CLOSED_ACCOUNT``: the account was closed on or before the payment's date;
- ``AMBIGUOUS_ACCOUNT``: several target accounts have that legacy number;
- ``UNKNOWN_ACCOUNT``: none of these.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from cutover.errors import ConfigError
from cutover.schema.tables import target_metadata
from cutover.target import runs

BATCH = 500  # numbers named in one IN (...): well under every driver's parameter limit


@dataclass(frozen=True)
class Account:
    """A target account a legacy number leads to."""

    account_number: str
    closed_on: dt.date | None


@dataclass(frozen=True)
class Rejected:
    """Why the migration rejected a legacy account."""

    rule: str
    message: str


@dataclass(frozen=True)
class Accounts:
    """What the target says of the legacy numbers of one registry."""

    run_id: str
    switched: bool
    accounts: dict[str, list[Account]]
    rejected: dict[str, Rejected]


def held_run(connection: sa.Connection) -> tuple[str, bool]:
    """The run whose rows the target holds, and whether it is the switch.

    Raises
    ------
    ConfigError
        The target holds no loaded run (exit code 2).
    """
    switch = runs.switched(connection)
    if switch is not None:
        return switch.run_id, True
    loaded = runs.loaded_run(connection)
    if loaded is None:
        raise ConfigError("the target holds no accounts of a load yet: registries are translated after the switch "
                          "(`cutover month-end`), or, to rehearse, after a dry run (`cutover dry-run`)")
    return loaded, False


def _batches(numbers: list[str]):
    for start in range(0, len(numbers), BATCH):
        yield numbers[start:start + BATCH]


def look_up(connection: sa.Connection, legacy_numbers: set[str]) -> Accounts:
    """The target's accounts and the held run's account rejects for ``legacy_numbers``."""
    if not sa.inspect(connection).has_table("account"):
        raise ConfigError("the target has no cutover schema: run `cutover dry-run` (or `cutover db upgrade`) first")
    run_id, switched = held_run(connection)
    tables = target_metadata().tables
    account, reject = tables["account"], tables["reject"]
    found: dict[str, list[Account]] = {}
    rejected: dict[str, Rejected] = {}
    numbers = sorted(legacy_numbers)
    for batch in _batches(numbers):
        query = (sa.select(account.c.legacy_account_number, account.c.account_number, account.c.closed_on)
                 .where(account.c.legacy_account_number.in_(batch)).order_by(account.c.account_number))
        for legacy, number, closed_on in connection.execute(query):
            found.setdefault(legacy, []).append(Account(number, closed_on))
    missing = [number for number in numbers if number not in found]
    for batch in _batches(missing):
        query = (sa.select(reject.c.legacy_key, reject.c.rule, reject.c.message)
                 .where(reject.c.run_id == run_id, reject.c.entity == "account", reject.c.severity == "error",
                        reject.c.legacy_key.in_(batch)).order_by(reject.c.id))
        for legacy, rule, message in connection.execute(query):
            rejected.setdefault(legacy, Rejected(rule, message))
    return Accounts(run_id, switched, found, rejected)
