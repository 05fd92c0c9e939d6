"""Exact decimals travel as canonical text (``"-1234.5"``); these helpers compute with them
as integers, vectorised, so no float ever holds a value and no Python loop runs per row.

Numbers are read in ASCII digits only, everywhere. Python's ``\\d``, ``int()`` and ``Decimal()``
also take every other script's decimal digits (Arabic-Indic ``١٢٣``, fullwidth ``１２３``), which
Arrow, the databases and the control do not: a value holding one is unreadable, with the reason
:func:`foreign_digit_note` gives, never read and never a crash further down.
"""

from __future__ import annotations

import unicodedata

import numpy as np
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


_FOREIGN_DIGIT = r"[^\P{Nd}0-9]"  # RE2 (Arrow): a decimal digit of any script but 0-9


def foreign_digits(text: pd.Series) -> np.ndarray:
    """Which values hold a decimal digit other than ASCII 0-9 (``"１２"``, ``"٣ года"``)."""
    array = _arrow(text)
    return pc.fill_null(pc.match_substring_regex(array, _FOREIGN_DIGIT), False).to_numpy(zero_copy_only=False)


def foreign_digit_note(text: str) -> str | None:
    """Why a value with a digit other than 0-9 is not read, or None if it holds none.

    Examples
    --------
    >>> foreign_digit_note("１２,５")
    "'１' is U+FF11 FULLWIDTH DIGIT ONE, not an ASCII digit 0-9"
    >>> foreign_digit_note("12,5") is None
    True
    """
    digit = next((char for char in text if char.isdecimal() and not "0" <= char <= "9"), None)
    if digit is None:
        return None
    return f"{digit!r} is U+{ord(digit):04X} {unicodedata.name(digit, 'DIGIT')}, not an ASCII digit 0-9"


def with_digit_notes(messages: pd.Series, text: pd.Series) -> pd.Series:
    """``messages`` with ``"; <the note>"`` added where ``text`` holds a digit other than 0-9."""
    foreign = foreign_digits(text)
    if not foreign.any():
        return messages
    noted = messages.copy()
    noted[foreign] = messages[foreign] + "; " + text[foreign].astype("str").map(foreign_digit_note)
    return noted


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
