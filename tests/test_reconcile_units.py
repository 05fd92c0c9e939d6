"""The pieces of a reconciliation that every comparison rests on: values made comparable, the join."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from cutover.reconcile.compare import FactsFile, compare_keyed, value_changes
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


def _found(frames) -> tuple[list, list, list]:
    merged = pd.concat(frames, ignore_index=True)
    changes = value_changes(merged, ["closing_kopecks"])
    return (list(merged.loc[merged["side"] == "left", "key"]), list(merged.loc[merged["side"] == "right", "key"]),
            list(zip(merged.loc[changes["_at"], "key"], changes["left"], changes["right"])))


def test_a_comparison_lists_what_is_on_one_side_only_and_what_differs_in_key_order(tmp_path):
    """Keys 0..99 on the left; on the right 3 gone, 2 new, 4 changed (one to missing): the nine
    rows, in key order, and the scratch folder left empty."""
    left = [(f"k{n}", n * 100) for n in range(100)]
    right = [(k, v) for k, v in left if k not in ("k3", "k50", "k99")] + [("k100", 1), ("k101", 2)]
    right = [(k, v + 1 if k in ("k10", "k20", "k30") else (None if k == "k40" else v)) for k, v in right]
    found = _found(compare_keyed(_frames(left), _frames(right), ["key"], ["closing_kopecks"], tmp_path))
    assert found == (
        ["k3", "k50", "k99"], ["k100", "k101"],
        [("k10", 1000, 1001), ("k20", 2000, 2001), ("k30", 3000, 3001), ("k40", 4000, None)])
    assert list(tmp_path.iterdir()) == []  # the join's files and what it spilled are gone


def test_a_facts_file_side_is_its_accepted_rows_the_first_of_each_key(tmp_path):
    """The facts of a run hold rejected rows too, and a key may repeat (copies kept by
    ``on_duplicate``): only rows not rejected count, and the first row of a key in the file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    facts = tmp_path / "facts.parquet"
    pq.write_table(pa.table({"key": ["a", "b", "b", "c", "d"], "closing_kopecks": [100, 200, 999, 300, 400],
                             "rejected": [False, False, False, True, False]}), facts)
    target = [("a", 100), ("b", 200), ("c", 300), ("d", 401)]
    scratch = tmp_path / "scratch"
    found = _found(compare_keyed(FactsFile(facts, accepted=True), _frames(target), ["key"], ["closing_kopecks"],
                                 scratch))
    assert found == ([], ["c"], [("d", 400, 401)])  # c was rejected: the target's c is not the source's
    assert list(scratch.iterdir()) == []


def test_an_empty_side_makes_every_row_of_the_other_one_sided(tmp_path):
    found = _found(compare_keyed(_frames([("a", 1), ("b", 2)]), iter(()), ["key"], ["closing_kopecks"], tmp_path))
    assert found == (["a", "b"], [], [])
    assert list(compare_keyed(iter(()), iter(()), ["key"], ["closing_kopecks"], tmp_path)) == []
