"""Compare two sides row by row on a key, in buckets, so memory stays bounded at any size.

Each side arrives as frames a chunk at a time. Rows are spread over buckets by a hash of
their key and set aside on disk (one bucket needs no disk), then each bucket's two sides
are joined and compared. Missing values are equal to each other and to nothing else.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator

import numpy as np
import pandas as pd

from cutover.frames.spill import SpillFile

SIDES = ("left", "right")


def bucket_count(rows: int, partition_rows: int) -> int:
    """Buckets of at most about ``partition_rows`` rows for ``rows`` rows on the larger side."""
    return max(1, -(-rows // max(partition_rows, 1)))


def bucket_numbers(frame: pd.DataFrame, key: list[str], buckets: int) -> np.ndarray:
    """The bucket (0 .. buckets - 1) of each row, by a hash of its key."""
    text = frame[key].astype("str").fillna("")
    hashes = pd.util.hash_pandas_object(text, index=False).to_numpy()
    return (hashes % np.uint64(buckets)).astype("int64")


class _Side:
    """One side's rows, spread over buckets."""

    def __init__(self, name: str, key: list[str], buckets: int, scratch: Path) -> None:
        self.key, self.buckets = key, buckets
        self.held: list[pd.DataFrame] = []
        self.files = [SpillFile(scratch / f"{name}.{number}.pickle") for number in range(buckets)] if buckets > 1 else []

    def add(self, frame: pd.DataFrame) -> None:
        if frame.empty:
            return
        if self.buckets == 1:
            self.held.append(frame)
            return
        numbers = bucket_numbers(frame, self.key, self.buckets)
        for number in np.unique(numbers):
            self.files[number].append(frame[numbers == number])

    def bucket(self, number: int, columns: list[str]) -> pd.DataFrame:
        parts = self.held if self.buckets == 1 else list(self.files[number])
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)

    def remove(self) -> None:
        for file in self.files:
            file.remove()


def compare_keyed(left: Iterable[pd.DataFrame], right: Iterable[pd.DataFrame], key: list[str], values: list[str],
                  buckets: int, scratch: Path) -> Iterator[pd.DataFrame]:
    """Join the two sides on ``key``, bucket by bucket.

    Yields, per bucket, the rows that are on one side only or whose ``values`` differ, with
    the key, ``<value>_left`` / ``<value>_right`` and ``side`` ("left", "right" or "both").
    Keys are unique on each side.
    """
    columns = key + values
    sides = [_Side(name, key, buckets, scratch) for name in SIDES]
    try:
        for side, frames in zip(sides, (left, right)):
            for frame in frames:
                side.add(frame[columns])
        for number in range(buckets):
            found = _differing(*(side.bucket(number, columns) for side in sides), key, values)
            if not found.empty:
                yield found
    finally:
        for side in sides:
            side.remove()


def _text(series: pd.Series) -> pd.Series:
    return series.astype("object").where(series.notna(), None)


def _differ(a: pd.Series, b: pd.Series) -> pd.Series:
    """Where two columns of the same kind differ; missing equals missing only. Compared in their
    own dtype (Int64 kopecks, text), which is far faster than as Python objects."""
    try:
        equal = (a == b).fillna(False).astype(bool)
    except TypeError:  # kinds pandas will not compare directly
        equal = (_text(a) == _text(b)).astype(bool)
    return ~(equal | (a.isna() & b.isna()))


def _differing(left: pd.DataFrame, right: pd.DataFrame, key: list[str], values: list[str]) -> pd.DataFrame:
    left = left.assign(**{k: left[k].astype("str") for k in key})
    right = right.assign(**{k: right[k].astype("str") for k in key})
    joined = left.merge(right, on=key, how="outer", suffixes=("_left", "_right"), indicator="side")
    joined["side"] = joined["side"].astype("str").replace({"left_only": "left", "right_only": "right"})
    differs = joined["side"] != "both"
    for value in values:
        differs |= (joined["side"] == "both") & _differ(joined[f"{value}_left"], joined[f"{value}_right"])
    return joined[differs].reset_index(drop=True)


def value_changes(found: pd.DataFrame, values: list[str]) -> pd.DataFrame:
    """For rows on both sides, one row per value that differs: the key columns, ``column``,
    ``left`` and ``right``."""
    both = found[found["side"] == "both"]
    rows = []
    for value in values:
        changed = _differ(both[f"{value}_left"], both[f"{value}_right"])
        if changed.any():
            a, b = _text(both[f"{value}_left"]), _text(both[f"{value}_right"])
            rows.append(pd.DataFrame({"_at": both.index[changed], "column": value, "left": a[changed].to_numpy(),
                                      "right": b[changed].to_numpy()}))
    if not rows:
        return pd.DataFrame(columns=["_at", "column", "left", "right"])
    return pd.concat(rows, ignore_index=True).sort_values("_at", kind="stable")
