"""The transforms rewritten on Arrow kernels (issue 16) give exactly what their pandas versions
gave: the same value, or the same reject with the same message, on any text (hypothesis).

The reference implementations below are the previous code, kept here verbatim.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from properties import examples

from cutover.mapping import transforms
from cutover.mapping.transforms import Transformed, _blank, _point_decimal, _unread


def _reference_decimal(values: pd.Series, decimal: str = ",", scale: int = 7, precision: int = 22) -> Transformed:
    blank = _blank(values)
    text = _point_decimal(values, decimal)
    parts = text.str.extract(rf"^([+-]?)0*([0-9]{{1,{precision - scale}}})(?:\.([0-9]{{1,{scale}}}))?$")
    valid = parts[1].notna() & ~blank
    fraction = parts[2].fillna("").str.rstrip("0")
    sign = parts[0].fillna("").str.replace("+", "")
    sign = sign.where((parts[1].fillna("") != "0") | (fraction != ""), "")
    canonical = sign + parts[1].fillna("") + np.where(fraction != "", "." + fraction, "")
    result = pd.Series(canonical, index=values.index, dtype="str").where(valid, None)
    bad = ~valid & ~blank
    errors = _unread(values, bad, "not a number: ",
                     f" (expected at most {precision - scale} digits before '{decimal}' and {scale} after)")
    return Transformed(result, errors)


NUMBER_TEXT = st.one_of(
    st.text(alphabet=st.sampled_from(list("0123456789,.-+ \xa0'")), max_size=24),
    st.from_regex(r"[+-]?0{0,3}[0-9]{1,17}([,.][0-9]{0,9}0{0,3})?", fullmatch=True),
    st.sampled_from(["", " ", "0", "-0", "+0,000", "-0,0", "00012,3400", "١٢", "1e5", "NaN", "12,5,6"]),
)


@settings(max_examples=examples(300), deadline=None)
@given(texts=st.lists(NUMBER_TEXT, max_size=40), decimal=st.sampled_from([",", "."]),
       scale=st.sampled_from([1, 2, 3, 7]), whole=st.sampled_from([1, 9, 15]))
def test_decimal_gives_what_the_pandas_version_gave(texts, decimal, scale, whole):
    values = pd.Series(texts, dtype="str", index=pd.RangeIndex(5, 5 + len(texts)))
    got = transforms.exact_decimal(values, decimal, scale, scale + whole)
    want = _reference_decimal(values, decimal, scale, scale + whole)
    pd.testing.assert_series_equal(got.values, want.values)
    pd.testing.assert_series_equal(got.errors, want.errors)
