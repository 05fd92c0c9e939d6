"""``cutover keymap export --agent NAME``: the account map in the agent's own layout.

Some agents load a file of old number; new number; address into their own systems rather than
send registries to be translated. The columns, their order and, for a fixed-width agent, their
widths are the layout's ``[keymap]``; the encoding and delimiter are its registry's. Accounts
are read in chunks of rows with their premises, ordered by the legacy number, so a million
accounts take no more memory than a thousand.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from cutover.errors import ConfigError
from cutover.payments.layout import Layout
from cutover.schema.tables import target_metadata
from cutover.target import db
from cutover.target.account_map import CHUNK_ROWS, require_accounts


def address(settlement, street, house, building, apartment) -> str:
    """A premise as agents print it: ``г. Энск, ул. Лесная, д. 1, корп. 2, кв. 3``."""
    parts = [settlement, street, f"д. {house}" if house else None,
             f"корп. {building}" if building else None, f"кв. {apartment}" if apartment else None]
    return ", ".join(str(part).strip() for part in parts if part and str(part).strip())


def _rows(connection: sa.Connection):
    tables = target_metadata().tables
    account, premise = tables["account"], tables["premise"]
    query = (sa.select(account.c.legacy_account_number, account.c.account_number, premise.c.settlement,
                       premise.c.street, premise.c.house, premise.c.building, premise.c.apartment)
             .join(premise, premise.c.id == account.c.premise_id)
             .order_by(account.c.legacy_account_number, account.c.account_number))
    for _, rows in db.row_chunks(connection, query, CHUNK_ROWS):
        yield [{"legacy_account": legacy, "account_number": number, "address": address(*place)}
               for legacy, number, *place in rows]


def _line(layout: Layout, row: dict) -> str:
    if layout.format == "fixed":
        return "".join(spot.fitted(row[spot.name])[:spot.width] for spot in layout.keymap_columns)
    return layout.delimiter.join(row[spot.name].replace(layout.delimiter, ",") for spot in layout.keymap_columns)


def _check_fits(layout: Layout, row: dict) -> None:
    for spot in layout.keymap_columns:  # an address is cut to its column; an account number never is
        if spot.name != "address" and spot.width and len(row[spot.name]) > spot.width:
            raise ConfigError(f"{layout.path}: [keymap] {spot.name}: {row[spot.name]!r} does not fit its "
                              f"{spot.width} characters; widen the column")


def export_agent_keymap(engine: sa.Engine, layout: Layout, path: Path) -> int:
    """Write the account map to ``path`` in ``layout``; the accounts written.

    Raises
    ------
    ConfigError
        The target holds no accounts yet, or a new account number does not fit its fixed-width
        column (exit code 2).
    """
    ending = "\r\n"
    written = 0
    with engine.connect() as connection:
        require_accounts(connection)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".part")
        try:
            with partial.open("w", encoding=layout.encoding, errors="replace", newline="") as out:
                if layout.keymap_header:
                    out.write(layout.keymap_header + ending)
                for rows in _rows(connection):
                    for row in rows:
                        _check_fits(layout, row)
                        out.write(_line(layout, row) + ending)
                    written += len(rows)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    partial.replace(path)  # never a half-written map under the published name
    return written
