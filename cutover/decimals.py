"""Exact decimals travel as canonical text (``"-1234.5"``); these helpers compute with them
as integers, vectorised, so no float ever holds a value and no Python loop runs per row."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def _arrow(text: pd.Series) -> pa.Array:
    array = pa.array(text.astype("str"))
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks() if array.num_chunks else pa.array([], type=pa.string())
    return array.cast(pa.string())


def _integers(array: pa.Array, index: pd.Index) -> pd.Series:
    mask = pc.is_null(array).to_numpy(zero_copy_only=False)
    values = pc.fill_null(array, 0).to_numpy(zero_copy_only=False)
    return pd.Series(pd.arrays.IntegerArray(values.astype("int64"), mask), index=index)


def decimal_parts(text: pd.Series, scale: int) -> tuple[pd.Series, pd.Series]:
    """Whole part and fraction (in units of 10^-scale) of canonical decimal text, both carrying
    the sign: ``"-1.5"`` with scale 7 -> (-1, -5000000). Missing stays missing."""
    array = _arrow(text)
    negative = pc.fill_null(pc.starts_with(array, "-"), False)
    whole = pc.cast(pc.replace_substring_regex(array, r"\..*$", ""), pa.int64())
    digits = pc.utf8_rpad(pc.replace_substring_regex(array, r"^[^.]*\.?", ""), scale, "0")
    fraction = pc.cast(pc.utf8_slice_codeunits(digits, 0, scale), pa.int64())
    fraction = pc.if_else(negative, pc.negate(fraction), fraction)
    return _integers(whole, text.index), _integers(fraction, text.index)


def scaled(text: pd.Series, scale: int) -> pd.Series:
    """Canonical decimal text as an integer count of 10^-scale (``"12.5"``, 2 -> 1250)."""
    whole, fraction = decimal_parts(text, scale)
    return whole * 10 ** scale + fraction


def from_scaled(values: pd.Series, scale: int) -> pd.Series:
    """Integer counts of 10^-scale back to canonical decimal text (``1250``, 2 -> ``"12.5"``)."""
    negative = values < 0
    magnitude = values.abs()
    whole = (magnitude // 10 ** scale).astype("str")
    fraction = (magnitude % 10 ** scale).astype("str").str.zfill(scale).str.rstrip("0")
    text = whole.where(fraction == "", whole + "." + fraction)
    text = ("-" + text).where(negative, text)
    return text.where(values.notna(), None).astype("str")


def less_than(left: tuple[pd.Series, pd.Series], right: tuple[pd.Series, pd.Series]) -> pd.Series:
    """Exact ``left < right`` of two (whole, fraction) pairs; False where either is missing."""
    (lw, lf), (rw, rf) = left, right
    return ((lw < rw) | ((lw == rw) & (lf < rf))).fillna(False).astype(bool)


def fixed_text(text: pd.Series, scale: int) -> pd.Series:
    """Canonical decimal text with exactly ``scale`` digits after the point (``"12.5"``, 3 ->
    ``"12.500"``), as ExactDecimal stores it on SQLite."""
    whole, fraction = decimal_parts(text, scale)
    negative = text.astype("str").str.startswith("-").fillna(False).astype(bool)
    digits = fraction.abs().astype("str").str.zfill(scale)
    body = whole.abs().astype("str") + ("." + digits if scale else "")
    return ("-" + body).where(negative, body).where(text.notna(), None).astype("str")
