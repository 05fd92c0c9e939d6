"""The pieces of a reconciliation that every comparison rests on: values made comparable, buckets."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from cutover.reconcile.compare import compare_keyed, value_changes
from cutover.reconcile.source_side import canonical_values, iso_dates


def test_reading_values_from_a_file_and_from_any_database_compare_equal():
    from_file = pd.Series(["2833", "0", "12.5000000", "0.1234567", None], dtype="object")
    from_database = pd.Series([Decimal("2833.0000000"), Decimal("0E-7"), Decimal("12.5"), Decimal("1.234567E-1"), None],
                              dtype="object")
    assert canonical_values(from_file).tolist() == ["2833", "0", "12.5", "0.1234567", None]
    assert canonical_values(from_database).tolist() == ["2833", "0", "12.5", "0.1234567", None]


def test_dates_from_a_frame_and_from_a_database_are_the_same_text():
    import datetime as dt

    assert iso_dates(pd.Series([pd.Timestamp("2026-10-25"), pd.NaT])).tolist() == ["2026-10-25", None]
    assert iso_dates(pd.Series([dt.date(2026, 10, 25), None], dtype="object")).tolist() == ["2026-10-25", None]


def _frames(rows: list[tuple], size: int = 2):
    frame = pd.DataFrame(rows, columns=["key", "closing_kopecks"]).astype({"closing_kopecks": "Int64"})
    return (frame.iloc[start:start + size] for start in range(0, len(frame), size))


def test_a_comparison_in_many_buckets_finds_what_one_bucket_finds(tmp_path):
    """Keys 0..99 on the left; on the right 3 gone, 2 new, 4 changed (one to missing): the same nine
    rows whether the sides are compared whole or spread over 7 buckets on disk."""
    left = [(f"k{n}", n * 100) for n in range(100)]
    right = [(k, v) for k, v in left if k not in ("k3", "k50", "k99")] + [("k100", 1), ("k101", 2)]
    right = [(k, v + 1 if k in ("k10", "k20", "k30") else (None if k == "k40" else v)) for k, v in right]
    found = {}
    for buckets in (1, 7):
        frames = list(compare_keyed(_frames(left), _frames(right), ["key"], ["closing_kopecks"], buckets, tmp_path))
        merged = pd.concat(frames, ignore_index=True)
        changes = value_changes(merged, ["closing_kopecks"])
        found[buckets] = (sorted(merged.loc[merged["side"] == "left", "key"]),
                          sorted(merged.loc[merged["side"] == "right", "key"]),
                          sorted(zip(merged.loc[changes["_at"], "key"], changes["left"], changes["right"]),
                                 key=lambda row: row[0]))
    assert found[1] == found[7] == (
        ["k3", "k50", "k99"], ["k100", "k101"],
        [("k10", 1000, 1001), ("k20", 2000, 2001), ("k30", 3000, 3001), ("k40", 4000, None)])
    assert list(tmp_path.iterdir()) == []  # the buckets on disk are gone
