"""The engine's own tolerant readers: numbers and billing months as people and programs write them.

A control must read every honest spelling of a value, whatever one decimal separator a mapping
file names, and name what it cannot read. These readers never guess between two readings:

Numbers (money, decimals)
    ``1234.56``, ``1234,56``, ``1 234,56`` (a space, a no-break space, a narrow or thin space
    between groups of three digits), ``1'234.56``, ``-0,00``, a leading ``+`` or ``−`` (U+2212),
    SQL DECIMAL text (``1234.5600``), an Excel number cell as the extractor writes it (the
    shortest text that reads back as the stored double). A lone ``.`` or ``,`` is the decimal
    point; both in one value are read when one of them separates groups of three digits
    (``1.234,56``, ``1,234.56``) or several groups stand without a point (``1.234.567``).
    Anything else is unreadable, with the reason: ``12-34``, ``1.2.3``, ``1,5e3``, a currency
    sign, more than two decimals in money (``1,234`` is one rouble and 23.4 kopecks, not whole
    kopecks; it is never taken for a thousand), a digit other than ASCII 0-9 (``１２３``, ``١٢٣``:
    the mapping's transforms do not read them either).

Billing months
    ``202610``, ``102026``, ``2026-10``, ``2026.10``, ``10.2026``, ``10/2026``, ``01.10.2026``,
    ``2026-10-01`` (a date cell), ``20261001``, ``октябрь 2026``, ``окт. 2026``, ``Oct 2026``;
    in ASCII digits 0-9 only, as numbers.

Everything is vectorised over the usual spellings (Arrow's string kernels); only values in a
rarer spelling, and the unreadable ones, are read one by one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cutover.decimals import with_digit_notes

# One value's spellings (a point, groups of three, a billing month) are defined once, pandas-free,
# in cutover/spellings.py; the columns below are read by the same rules. read_amount is re-exported.
from cutover.spellings import (  # noqa: F401
    GAP_CLASS,
    MONEY_DIGITS,
    point_text,
    read_amount,
    read_period,
)


@dataclass(frozen=True)
class ReadValues:
    """What a reader made of a column: the values (missing where blank or unreadable), which
    were blank, and why each unreadable one could not be read (missing where it could)."""

    values: pd.Series
    blank: pd.Series
    problem: pd.Series

    @property
    def unreadable(self) -> pd.Series:
        return self.problem.notna()


def _arrow(values: pd.Series) -> pa.Array:
    try:  # text columns are Arrow-backed already: no copy
        array = pa.array(values, type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):  # other values among the text
        array = pa.array(values.astype("object").where(values.notna(), None).map(
            lambda value: value if value is None else str(value)).to_numpy(), type=pa.string(), from_pandas=True)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks() if array.num_chunks else pa.array([], type=pa.string())
    return pc.utf8_trim_whitespace(array)  # Unicode white space: no-break spaces too


def _mask(array: pa.Array) -> np.ndarray:
    return pc.fill_null(array, False).to_numpy(zero_copy_only=False)


_PARTS = "^(?P<sign>[+\\-\u2212]?)(?P<whole>{whole})(?:[.,](?P<fraction>[0-9]+))?$"  # RE2: the minus itself
_PLAIN_PARTS = _PARTS.format(whole=r"[0-9]+")
_SPACED_PARTS = _PARTS.format(whole=rf"[0-9]{{1,3}}(?:{GAP_CLASS}[0-9]{{3}})+")


@dataclass(frozen=True)
class _Numbers:
    """A column of numbers taken apart: sign, whole digits, fraction digits (Arrow arrays, null
    where blank or unreadable), which were blank, and why the unreadable ones are not numbers."""

    negative: np.ndarray
    whole: pa.Array
    fraction: pa.Array
    blank: np.ndarray
    problem: pd.Series

    @property
    def readable(self) -> np.ndarray:
        return _mask(pc.is_valid(self.whole))


def _put(column: pa.Array, positions: np.ndarray, values: pa.Array) -> pa.Array:
    """``column`` with ``values`` at ``positions`` (in order)."""
    mask = np.zeros(len(column), dtype=bool)
    mask[positions] = True
    return pc.replace_with_mask(column, pa.array(mask), values)


def _fields(parts: pa.StructArray) -> tuple[pa.Array, pa.Array, pa.Array]:
    """Sign, whole and fraction of ``extract_regex``'s matches; null where a value did not match
    (Arrow leaves the fields of a null struct as empty strings)."""
    matched = pc.is_valid(parts)
    return tuple(pc.if_else(matched, parts.field(name), pa.scalar(None, pa.string()))
                 for name in ("sign", "whole", "fraction"))


def _numbers(values: pd.Series) -> _Numbers:
    """Take every value apart; the usual spellings in Arrow, the others one by one."""
    array = _arrow(values)
    blank = _mask(pc.or_kleene(pc.is_null(array), pc.equal(array, "")))
    parts = pc.extract_regex(array, _PLAIN_PARTS)
    sign, whole, fraction = _fields(parts)
    todo = ~_mask(pc.is_valid(parts)) & ~blank
    if todo.any():  # groups of three apart ("1 234,56"): a whole column may be written so
        positions = np.flatnonzero(todo)
        rest = array.take(pa.array(positions))
        found = _mask(pc.match_substring_regex(rest, _SPACED_PARTS))
        if found.any():
            joined = pc.extract_regex(pc.replace_substring_regex(rest.filter(pa.array(found)), GAP_CLASS, ""),
                                      _PLAIN_PARTS)
            at = positions[found]
            sign, whole, fraction = (_put(column, at, field) for column, field in
                                     zip((sign, whole, fraction), _fields(joined)))
            todo[at] = False
    problem = pd.Series(None, index=values.index, dtype="object")
    if todo.any():  # the rare spellings, and what is not a number at all
        positions = np.flatnonzero(todo)
        originals = array.take(pa.array(positions)).to_pylist()
        read = {original: point_text(original) for original in set(originals)}
        problem.iloc[positions] = [read[original][1] for original in originals]
        texts = pa.array([read[original][0] for original in originals], type=pa.string())
        parts = pc.extract_regex(pc.coalesce(texts, ""), r"^(?P<sign>-?)(?P<whole>[0-9]+)(?:\.(?P<fraction>[0-9]+))?$")
        sign, whole, fraction = (_put(column, positions, field) for column, field in
                                 zip((sign, whole, fraction), _fields(parts)))
    negative = _mask(pc.or_kleene(pc.equal(sign, "-"), pc.equal(sign, "\u2212")))
    fraction = pc.if_else(pc.is_valid(whole), pc.coalesce(fraction, ""), None)
    return _Numbers(negative, whole, fraction, blank, problem)


def _significant(fraction: pa.Array) -> np.ndarray:
    """Digits after the point that count: trailing zeros do not (``12.5000`` has one)."""
    return pc.fill_null(pc.utf8_length(pc.utf8_rtrim(fraction, "0")), 0).to_numpy(zero_copy_only=False)


def _digits(whole: pa.Array) -> np.ndarray:
    return pc.fill_null(pc.utf8_length(pc.utf8_ltrim(whole, "0")), 0).to_numpy(zero_copy_only=False)


def _shown(values: pd.Series, rows: np.ndarray) -> pd.Series:
    return values[rows].astype("object").map(repr)


def read_money(values: pd.Series, unit: str = "roubles") -> ReadValues:
    """Integer kopecks of money text in any honest spelling; blank is blank (no money).

    Parameters
    ----------
    values : pd.Series
        Raw text, as the extractor wrote it.
    unit : {"roubles", "kopecks"}
        Roubles with at most two decimals that are not zero (``12,50``, ``12.5000``), or whole
        kopecks (``1250``; ``1250.00`` too) where the legacy system keeps integers.

    Returns
    -------
    ReadValues
        ``values`` as nullable Int64 kopecks.
    """
    numbers = _numbers(values)
    allowed = 0 if unit == "kopecks" else 2
    readable = numbers.readable
    too_fine = readable & (_significant(numbers.fraction) > allowed)
    too_long = readable & (_digits(numbers.whole) > MONEY_DIGITS + 2 - allowed)
    good = readable & ~too_fine & ~too_long
    keep = pa.array(good)
    whole = pc.if_else(keep, numbers.whole, "0")
    amount = pc.cast(whole, pa.int64()).to_numpy(zero_copy_only=False)
    if allowed:
        cents = pc.if_else(keep, pc.utf8_rpad(pc.utf8_slice_codeunits(numbers.fraction, 0, 2), 2, "0"), "0")
        amount = amount * 100 + pc.cast(cents, pa.int64()).to_numpy(zero_copy_only=False)
    amount = np.where(numbers.negative, -amount, amount)
    kopecks = pd.Series(pd.arrays.IntegerArray(amount.astype("int64"), ~good), index=values.index)
    problem = numbers.problem
    if too_fine.any():
        what = "whole kopecks" if unit == "kopecks" else "at most two decimals (whole kopecks)"
        problem[too_fine] = _shown(values, too_fine) + f" is not money in {what}"
    if too_long.any():
        problem[too_long] = _shown(values, too_long) + " is too large an amount"
    return ReadValues(kopecks, pd.Series(numbers.blank, index=values.index), problem)


def read_decimal(values: pd.Series, scale: int = 7, precision: int = 22) -> ReadValues:
    """Canonical decimal text (``"-1234.5"``) of numbers in any honest spelling."""
    numbers = _numbers(values)
    readable = numbers.readable
    bad = readable & ((_significant(numbers.fraction) > scale) | (_digits(numbers.whole) > precision - scale))
    good = readable & ~bad
    whole = pc.if_else(pc.equal(pc.coalesce(pc.replace_substring_regex(numbers.whole, r"^0+", ""), ""), ""), "0",
                       pc.replace_substring_regex(numbers.whole, r"^0+", ""))
    fraction = pc.replace_substring_regex(numbers.fraction, r"0+$", "")
    body = pc.if_else(pc.equal(fraction, ""), whole, pc.binary_join_element_wise(whole, fraction, "."))
    negative = pc.and_(pa.array(numbers.negative), pc.not_equal(body, "0"))
    signed = pc.if_else(negative, pc.binary_join_element_wise("-", body, ""), body)
    canonical = pd.Series(signed.to_pandas(), index=values.index, dtype="object").where(good, None)
    problem = numbers.problem
    if bad.any():
        problem[bad] = _shown(values, bad) + f" has more than {precision - scale} digits before the point or {scale} after"
    return ReadValues(canonical, pd.Series(numbers.blank, index=values.index), problem)


def read_periods(values: pd.Series) -> ReadValues:
    """Billing months (``YYYY-MM``) of a column; a column holds few distinct ones, each read once."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)  # a column holds few distinct months
    texts = [str(value).strip() for value in uniques]
    read = np.array([read_period(text) if text else None for text in texts] + [None], dtype=object)
    periods = pd.Series(read[codes], index=values.index, dtype="object")  # code -1 (missing) takes the last
    text = pd.Series(np.array(texts + [""], dtype=object)[codes], index=values.index, dtype="object")
    blank = text == ""
    problem = pd.Series(None, index=values.index, dtype="object")
    unread = ~blank & periods.isna()
    if unread.any():
        problem[unread] = with_digit_notes(text[unread].map(repr) + " is not a billing month", text[unread])
    return ReadValues(periods, blank, problem)
