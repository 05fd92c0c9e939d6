"""The compact key lookup a run keeps of its parents: exact matches only, missing stays missing."""

from __future__ import annotations

import pandas as pd

from cutover.frames.keyindex import KeyIndex


def test_keys_are_found_exactly_and_missing_ones_are_not():
    ids = KeyIndex.of(pd.Index(["01-000001", "01-000002", "ё-1"]), [10, 20, 30])
    keys = pd.Series(["01-000002", None, "01-00000", "ё-1", "Ё-1"], index=[7, 8, 9, 10, 11])
    assert ids.contains(keys).to_dict() == {7: True, 8: False, 9: False, 10: True, 11: False}
    assert ids.get(keys).tolist() == [20, pd.NA, pd.NA, 30, pd.NA]
    assert ids.get(keys).index.tolist() == [7, 8, 9, 10, 11]


def test_parts_are_united_with_their_values():
    first, second = KeyIndex.of(pd.Index(["a"]), [1]), KeyIndex.of(pd.Index(["b", "c"]), [2, 3])
    both = KeyIndex.union([first, second])
    assert len(both) == 3
    assert both.get(pd.Series(["c", "a"])).tolist() == [3, 1]
    assert len(KeyIndex.union([])) == 0
