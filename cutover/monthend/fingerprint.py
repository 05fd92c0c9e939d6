"""The fingerprint of a month's balances in the target, per service: rows, kopecks and a SHA-256.

The month-end's opening step records the fingerprint of the closed month's closing balances and
of the next month's opening balances (the journal's ``opening`` detail, ``fingerprint``);
``cutover verify`` computes the same fingerprint every night, with this one function, so the
migration's figures stay provable after the switch: a service whose fingerprint differs has had
a balance changed, added or removed since.

Only the balances of migrated accounts count (those the key map holds): an account the new
system opens after the switch is its own business. The SHA-256 of a service is over one line
``<account id>;<kopecks>\\n`` per balance, ordered by the account's id (an integer: the same
order on every database), read a chunk at a time as Arrow columns (by COPY on PostgreSQL): the
lines of a chunk are made and joined by Arrow's kernels and hashed in one update per service,
never a Python string per balance.
"""

from __future__ import annotations

import hashlib

import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from cutover.schema.tables import target_metadata
from cutover.target import copy_out

MEASURES = ("opening", "closing")
CHUNK_ROWS = 50_000


def migrated(balance: sa.Table) -> sa.ColumnElement[bool]:
    """The balance is of a migrated account (one the key map holds)."""
    key_map = target_metadata().tables["key_map"]
    return sa.exists().where(key_map.c.entity == "account", key_map.c.target_id == balance.c.account_id)


def balances_fingerprint(connection: sa.Connection, period: str, measure: str,
                         chunk_rows: int = CHUNK_ROWS) -> dict[str, dict]:
    """Per service code: ``{"rows", "kopecks", "sha256"}`` of ``measure`` (opening or closing) of
    the balances of ``period``; a service with no balance of the month is not in it."""
    if measure not in MEASURES:
        raise ValueError(f"measure {measure!r}: expected one of {MEASURES}")
    tables = target_metadata().tables
    balance, service = tables["balance"], tables["service"]
    query = (sa.select(service.c.code, balance.c.account_id, balance.c[f"{measure}_kopecks"])
             .join(service, service.c.id == balance.c.service_id)
             .where(balance.c.period == period, migrated(balance))
             .order_by(service.c.code, balance.c.account_id))
    found: dict[str, dict] = {}
    digests: dict[str, hashlib._Hash] = {}
    for chunk in copy_out.tables(connection, query, chunk_rows):
        kopecks = chunk.column(2)
        lines = pc.binary_join_element_wise(pc.cast(chunk.column(1), pa.string()), pc.cast(kopecks, pa.string()), ";")
        codes = chunk.column(0).combine_chunks()
        starts = [0, *(int(at) + 1 for at in pc.indices_nonzero(pc.not_equal(codes[1:], codes[:-1])).to_numpy()),
                  len(codes)]
        for start, end in zip(starts, starts[1:]):  # the chunk's rows of one service, together (ordered by code)
            code = codes[start].as_py()
            line = found.setdefault(code, {"rows": 0, "kopecks": 0})
            line["rows"] += end - start
            line["kopecks"] += pc.sum(kopecks.slice(start, end - start)).as_py() or 0
            text = pc.binary_join(pa.ListArray.from_arrays([0, end - start], lines.slice(start, end - start)
                                                           .combine_chunks()), "\n")[0].as_py() + "\n"
            digests.setdefault(code, hashlib.sha256()).update(text.encode())
    for code, digest in digests.items():
        found[code]["sha256"] = digest.hexdigest()
    return found


def month_end_fingerprint(connection: sa.Connection, period: str, following: str) -> dict[str, dict]:
    """What the opening step records: the closing of ``period`` and the opening of ``following``."""
    return {"closing": {"period": period, "services": balances_fingerprint(connection, period, "closing")},
            "opening": {"period": following, "services": balances_fingerprint(connection, following, "opening")}}
