"""Text that fits the columns the target schema sizes: legacy keys, and what a reject stores.

A legacy key is written to the key map (``key_map.legacy_key``) and to every reject of its row
(``reject.legacy_key``). One longer than those columns fails the whole load on PostgreSQL
(``StringDataRightTruncation`` in the COPY) and on MariaDB (error 1406, with the row's values in
the message), and loads whole on SQLite. So the map stage cuts a key longer than the shorter of
the two columns, the same way wherever it occurs (a row's own key, a child's reference to it):
its first characters, its length and a digest of the whole, so that cut keys stay apart and a
child still finds its parent. A row of a key-mapped entity with such a key is rejected
(``KEY_TOO_LONG``); any other entity's key only lives in its rejects, where the cut form does.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

import pandas as pd

from cutover.schema.definition import TableDef, target_schema

KEY_TOO_LONG = "KEY_TOO_LONG"
SHOWN = 40  # characters of a cut value that a message or a cut key keeps


@lru_cache(maxsize=1)
def key_length() -> int:
    """The longest legacy key that both the key map and the reject table hold."""
    schema = target_schema()
    return min(schema.table("key_map").column("legacy_key").length, schema.table("reject").column("legacy_key").length)


def shown(value: str) -> str:
    """A long value as a message shows it: its first characters, then ``…``."""
    return value if len(value) <= SHOWN else value[:SHOWN] + "…"


def cut_key(value: str) -> str:
    """The stored form of a key too long to store: first characters, length and digest (under 100
    characters, and the same for the same key everywhere)."""
    digest = hashlib.sha1(value.encode("utf-8")).hexdigest()[:12]
    return f"{value[:SHOWN]}…({len(value)} characters, {digest})"


def fit_keys(keys: pd.Series) -> tuple[pd.Series, pd.Series]:
    """``keys`` with every key longer than ``key_length()`` in its cut form, and which were cut."""
    long = (keys.str.len() > key_length()).fillna(False).astype(bool)
    if not long.any():
        return keys, long
    keys = keys.copy()
    keys[long] = keys[long].map(cut_key)
    return keys, long


def too_long_messages(keys: pd.Series) -> pd.Series:
    """The KEY_TOO_LONG message of each of ``keys`` (the keys as read, before the cut)."""
    limit = key_length()
    return ("legacy key " + keys.map(lambda key: repr(shown(key))) + " has " + keys.str.len().astype("str")
            + f" characters; the key map holds at most {limit}")


def fit_text(values: pd.Series, length: int) -> pd.Series:
    """Text of at most ``length`` characters: a longer value is cut, ``…`` ending what is kept."""
    long = (values.str.len() > length).fillna(False).astype(bool)
    if not long.any():
        return values
    values = values.copy()
    values[long] = values[long].str.slice(0, length - 1) + "…"
    return values


def fit_columns(frame: pd.DataFrame, table: TableDef) -> pd.DataFrame:
    """``frame`` with each of its text columns that ``table`` sizes cut to fit (a legacy key to its
    cut form, so that it still names its row as the map stage named it)."""
    fitted = {}
    for column in table.columns:
        if column.type != "text" or not column.length or column.name not in frame:
            continue
        values = frame[column.name]
        text = values.astype("object").where(values.notna(), None)
        present = text.notna()
        if not present.any():
            continue
        strings = text[present].astype("str")
        if column.name == "legacy_key" and column.length >= key_length():
            strings = fit_keys(strings)[0]
        strings = fit_text(strings, column.length)
        fitted[column.name] = text.where(~present, strings)
    return frame.assign(**fitted) if fitted else frame
