"""Legacy keys joined on Arrow kernels (issue 16) are exactly the keys the pandas version built:
the same text, trimmed of the same white space, missing where every part is blank (hypothesis).
The lookups of a KeyIndex give the same answers from an Arrow-backed column as from objects.

The reference implementation below is the previous code, kept here verbatim.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from properties import examples

from cutover.frames.keyindex import KeyIndex
from cutover.mapping.apply.mapstage import KEY_SEPARATOR, join_key


def _reference_join_key(parts: pd.DataFrame) -> pd.Series:
    columns = [parts[c].astype("str").str.strip().where(parts[c].notna(), "") for c in parts.columns]
    key = columns[0].str.cat(columns[1:], sep=KEY_SEPARATOR) if len(columns) > 1 else columns[0]
    blank = pd.concat(columns, axis=1).eq("").all(axis=1)
    return key.astype("str").where(~blank, None)


KEY_TEXT = st.one_of(
    st.none(),
    st.text(alphabet=st.sampled_from(list("0a Я|\t\n\xa0\u2003\u3000-")), max_size=8),
    st.sampled_from(["", " ", "\xa0", "007", " 12 ", "nan", "None"]),
)


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(st.tuples(KEY_TEXT, KEY_TEXT, st.one_of(st.none(), st.integers(-5, 5))), max_size=30),
       st.sampled_from(["str", "object"]))
def test_join_key_is_the_pandas_key(rows, dtype):
    frame = pd.DataFrame({"a": pd.Series([r[0] for r in rows], dtype=dtype),
                          "b": pd.Series([r[1] for r in rows], dtype=dtype),
                          "n": pd.Series([r[2] for r in rows], dtype="object")},
                         index=np.arange(len(rows)) * 3 + 1)
    for columns in (["a"], ["a", "b"], ["n", "a"], ["b", "n", "a"]):
        expected, got = _reference_join_key(frame[columns]), join_key(frame[columns])
        assert got.dtype == expected.dtype
        assert got.index.equals(expected.index)
        assert got.isna().tolist() == expected.isna().tolist()
        assert got.dropna().tolist() == expected.dropna().tolist()


def test_join_key_examples():
    frame = pd.DataFrame({"ls": pd.Series([" 0012\xa0", None, "  ", "7"], dtype="str"),
                          "usl": pd.Series(["01", None, "", None], dtype="object")})
    assert join_key(frame).tolist()[:1] + join_key(frame).tolist()[3:] == ["0012|01", "7|"]
    assert join_key(frame).isna().tolist() == [False, True, True, False]


def test_key_index_answers_the_same_from_arrow_and_from_objects():
    index = KeyIndex.of(pd.Series(["a", "b", "c"], dtype="str"), np.array([10, 20, 30]))
    for dtype in ("str", "object"):
        asked = pd.Series(["c", None, "a", "zz", "b"], dtype=dtype, index=[5, 6, 7, 8, 9])
        assert index.contains(asked).tolist() == [True, False, True, False, True]
        assert index.get(asked).tolist() == [30, pd.NA, 10, pd.NA, 20]
        assert index.get(asked).index.tolist() == [5, 6, 7, 8, 9]
