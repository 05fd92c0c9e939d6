"""The old-to-new account map as the target holds it: legacy account number -> new account number.

Read in chunks of rows (never a data frame), ordered by the legacy number, so a million accounts take
no more memory than a thousand. :mod:`cutover.report.keymap` writes it out for the payment agents.
"""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa

from cutover.errors import ConfigError
from cutover.schema.tables import target_metadata
from cutover.target import db

CHUNK_ROWS = 50_000


def account_count(connection: sa.Connection) -> int:
    """The accounts the target holds (0 before the first load, or before the schema exists)."""
    if not sa.inspect(connection).has_table("account"):
        return 0
    account = target_metadata().tables["account"]
    return connection.execute(sa.select(sa.func.count()).select_from(account)).scalar_one()


def require_accounts(connection: sa.Connection) -> None:
    """Refuse an account map of a target that holds no accounts yet (ConfigError, exit code 2)."""
    if not account_count(connection):
        raise ConfigError("the target holds no accounts yet: the account map comes after a load "
                          "(`cutover dry-run` or `cutover month-end`)")


def account_pairs(connection: sa.Connection, chunk_rows: int = CHUNK_ROWS) -> Iterator[list[tuple[str, str]]]:
    """Chunks of (legacy account number, account number), ordered by the legacy number."""
    account = target_metadata().tables["account"]
    query = (sa.select(account.c.legacy_account_number, account.c.account_number)
             .order_by(account.c.legacy_account_number, account.c.account_number))
    return (rows for _, rows in db.row_chunks(connection, query, chunk_rows))
