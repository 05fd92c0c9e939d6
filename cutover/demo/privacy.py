"""The privacy check every demo build ends with.

It reads the real identities from the target the demo is built from: every person's full
name (surname, first name and patronymic together), every premise's full address (street,
house and apartment together) and every account number, legacy and new. Then it scans
every text cell of the training database. A real account number in any cell, a real full name
in any cell or as a person's three names, or a real full address as a premise's three parts
fails the build. A common surname alone may recur by chance; a whole identity may not. A real
meter serial as a meter's serial fails it too (only there: a short serial such as ``12`` may be
any flat's number); a serial with no digit or letter to replace (``-``) is not looked for.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from cutover.demo.replace import normal, serial_alphabet
from cutover.schema.tables import target_metadata

SCANNED = ("period", "service", "person", "premise", "account", "meter", "reading", "balance", "base_reading")


@dataclass(frozen=True)
class RealIdentities:
    """The identities the demo must not hold, as the source target has them."""

    names: set[tuple[str, str, str | None]]
    addresses: set[tuple[str | None, str, str | None]]
    accounts: set[str]
    serials: set[str] = frozenset()  # every meter serial, as the source holds it

    def replaceable_serials(self) -> set[str]:
        """The serials a demo must not hold (trimmed): those with a digit or letter to replace."""
        return {serial.strip() for serial in self.serials if any(map(serial_alphabet, serial))}

    def normal_names(self) -> set[tuple[str, str, str]]:
        return {(normal(last), normal(first), normal(patronymic)) for last, first, patronymic in self.names}

    def full_names(self) -> set[str]:
        return {" ".join(part for part in name if part) for name in self.normal_names()}

    def normal_addresses(self) -> set[tuple[str, str, str]]:
        return {(normal(street), normal(house), normal(apartment)) for street, house, apartment in self.addresses}


def real_identities(connection: sa.Connection) -> RealIdentities:
    tables = target_metadata().tables
    person, premise, account = tables["person"], tables["premise"], tables["account"]
    names = {tuple(row) for row in connection.execute(
        sa.select(person.c.last_name, person.c.first_name, person.c.patronymic))}
    addresses = {tuple(row) for row in connection.execute(
        sa.select(premise.c.street, premise.c.house, premise.c.apartment))}
    accounts = set()
    for legacy_number, number in connection.execute(sa.select(account.c.legacy_account_number,
                                                              account.c.account_number)):
        accounts.update({legacy_number.strip(), number.strip()})
    meter = tables["meter"]
    serials = {serial for (serial,) in connection.execute(sa.select(meter.c.serial).distinct())}
    return RealIdentities(names, addresses, accounts, serials)


@dataclass(frozen=True)
class PrivacyReport:
    """What the scan found: text cells read, and real identities among them."""

    cells: int
    names: int
    addresses: int
    accounts: int
    serials: int = 0  # real meter serials as meters' serials

    @property
    def clean(self) -> bool:
        return self.names == self.addresses == self.accounts == self.serials == 0

    def describe(self) -> str:
        found = f"{self.names} real full names, {self.addresses} real full addresses, {self.accounts} real account numbers"
        if self.serials:  # named when found; a clean build's line reads as it always has
            found += f", {self.serials} real meter serials"
        return f"{found} in {self.cells} text cells"

    def to_dict(self) -> dict:
        return {"cells": self.cells, "names": self.names, "addresses": self.addresses, "accounts": self.accounts,
                "serials": self.serials, "clean": self.clean}


def check_privacy(connection: sa.Connection, real: RealIdentities) -> PrivacyReport:
    """Scan every text cell of the demo database at ``connection`` for ``real`` identities."""
    tables = target_metadata().tables
    full_names, names, addresses = real.full_names(), real.normal_names(), real.normal_addresses()
    serials = real.replaceable_serials()
    cells = found_names = found_addresses = found_accounts = found_serials = 0
    for name in SCANNED:
        table = tables[name]
        text_columns = [column for column in table.columns if isinstance(column.type, sa.String)]
        if not text_columns:
            continue
        for row in connection.execute(sa.select(*text_columns)):
            for value in row:
                if value is None:
                    continue
                cells += 1
                found_accounts += value.strip() in real.accounts
                found_names += normal(value) in full_names
            if name == "person":
                values = dict(zip((c.name for c in text_columns), row))
                found_names += (normal(values["last_name"]), normal(values["first_name"]),
                                normal(values["patronymic"])) in names
            elif name == "premise":
                values = dict(zip((c.name for c in text_columns), row))
                found_addresses += (normal(values["street"]), normal(values["house"]),
                                    normal(values["apartment"])) in addresses
            elif name == "meter":
                values = dict(zip((c.name for c in text_columns), row))
                found_serials += values["serial"].strip() in serials
    return PrivacyReport(cells, found_names, found_addresses, found_accounts, found_serials)
