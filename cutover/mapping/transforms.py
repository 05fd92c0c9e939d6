"""The registry of named transforms that mapping files may use.

A mapping file names transforms; it never holds code. Each transform is a small function
over a pandas Series of source text (or of the previous transform's output) that returns
the converted values and, for each row that cannot be converted, an error message. Rows
with an error become rejects with the transform's rule code.

Money becomes integer kopecks straight from the text: no float ever holds it. Numbers are read
in ASCII digits 0-9 only (patterns say ``[0-9]``, never ``\\d``, which Python's ``re`` lets match
``١٢٣`` or ``１２３``): a value with another script's digit is the transform's usual error, its
message naming the digit (:func:`cutover.decimals.foreign_digit_note`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cutover.decimals import foreign_digits, with_digit_notes
from cutover.errors import MappingError
from cutover.frames.text import arrow_text, text_series
from cutover.mapping import address, names


@dataclass(frozen=True)
class Transformed:
    """What a transform returns: values (a Series, or a frame for several target columns)
    and an index-aligned Series of error messages (missing where the row converted)."""

    values: pd.Series | pd.DataFrame
    errors: pd.Series


@dataclass(frozen=True)
class Transform:
    """A registered transform: its function, rule code, parameters and output columns."""

    name: str
    function: Callable[..., Transformed]
    rule: str
    doc: str
    params: dict[str, type | tuple[type, ...]] = field(default_factory=dict)
    required_params: frozenset[str] = frozenset()
    outputs: tuple[str, ...] | None = None  # several target columns, in this order
    takes: str = "text"  # the kind of value it reads: text, number (money too), columns, or any
    reads: int = 1  # how many source columns a transform that takes columns reads
    gives: str = "text"  # the kind it returns: text, number, money, decimal, date, or same
    # checks a mapping's parameters when the mapping is loaded: the problem, or None if they are fine
    check: Callable[[dict], str | None] | None = None


REGISTRY: dict[str, Transform] = {}


def register(name: str, *, rule: str = "BAD_VALUE", params: dict | None = None,
             required: tuple[str, ...] = (), outputs: tuple[str, ...] | None = None,
             takes: str = "text", gives: str = "text", reads: int = 1,
             check: Callable[[dict], str | None] | None = None):
    """Add a transform to the registry under ``name`` (decorator)."""

    def decorate(function: Callable[..., Transformed]) -> Callable[..., Transformed]:
        REGISTRY[name] = Transform(
            name=name, function=function, rule=rule, doc=(function.__doc__ or "").strip(),
            params=params or {}, required_params=frozenset(required), outputs=outputs,
            takes=takes, gives=gives, reads=reads, check=check,
        )
        return function

    return decorate


def _no_errors(values: pd.Series) -> pd.Series:
    return pd.Series(pd.NA, index=values.index, dtype="object")


def _ok(values: pd.Series | pd.DataFrame, index: pd.Index) -> Transformed:
    return Transformed(values, pd.Series(pd.NA, index=index, dtype="object"))


def _blank(values: pd.Series) -> pd.Series:
    return values.isna() | (values.astype("str").str.strip() == "")


def _as_text(values: pd.Series) -> pd.Series:
    return values.astype("str").where(~values.isna(), None).astype("str")


@register("trim")
def trim(values: pd.Series) -> Transformed:
    """Strip surrounding white space; a blank value becomes missing."""
    text = values.astype("str").str.strip()
    return _ok(text.where(~_blank(values), None), values.index)


@register("collapse_spaces")
def collapse_spaces(values: pd.Series) -> Transformed:
    """Fold every run of white space (spaces, no-break spaces, tabs, newlines) into one space."""
    text = values.astype("str").str.replace(r"\s+", " ", regex=True).str.strip()
    return _ok(text.where(~_blank(values), None), values.index)


@register("upper")
def upper(values: pd.Series) -> Transformed:
    """Upper case."""
    return _ok(values.str.upper(), values.index)


@register("lower")
def lower(values: pd.Series) -> Transformed:
    """Lower case."""
    return _ok(values.str.lower(), values.index)


@register("title")
def title(values: pd.Series) -> Transformed:
    """Title Case (ИВАНОВ -> Иванов)."""
    return _ok(values.str.title(), values.index)


@register("fix_lookalikes")
def fix_lookalikes(values: pd.Series) -> Transformed:
    """Replace latin look-alike letters inside Cyrillic words (Иванoв with a latin o)."""
    return _ok(values.map(names.fix_lookalikes, na_action="ignore"), values.index)


@register("full_name", rule="BAD_NAME", outputs=("last_name", "first_name", "patronymic"))
def full_name(values: pd.Series) -> Transformed:
    """Split one full-name field (ФИО) into surname, first name and optional patronymic."""
    parts = names.split_full_name(values)
    return Transformed(parts[["last_name", "first_name", "patronymic"]], parts["error"])


@register("address", rule="BAD_ADDRESS",
          params={"street_type": str, "settlement_type": str, "house_letters": str, "fields": list,
                  "separator": str},
          check=address.options_problem,
          outputs=("region", "settlement", "street", "house", "building", "apartment"))
def parse_address(values: pd.Series, **options) -> Transformed:
    """Parse a free-text address (several styles mixed, street types before or after the name;
    or parts by position, ``fields``) into region, settlement, street, house, building and
    apartment; ``street_type`` is the form the street type is written in."""
    problem = address.options_problem(options)
    if problem:
        raise MappingError(problem)
    parts = address.parse_address(values, **options)
    columns = ["region", "settlement", "street", "house", "building", "apartment"]
    return Transformed(parts[columns], parts["error"])


_MONEY_SPACES = re.compile(r"[\s\u00a0\u202f']")
_THOUSANDS_SEPARATORS = "[\\s\u00a0\u202f']"  # the same, for Arrow's RE2 (the characters themselves)


def _unread(values: pd.Series, bad: pd.Series, before: str, after: str = "") -> pd.Series:
    """The error column: ``before`` + the value shown + ``after`` on the ``bad`` rows (and the
    digit other than 0-9 a value holds, named), missing elsewhere."""
    errors = _no_errors(values)
    if bad.any():
        shown = values[bad].astype("str")
        errors[bad] = with_digit_notes(before + shown.map(repr) + after, shown)
    return errors


def _arrow_text(values: pd.Series) -> pa.Array:
    """The values as an Arrow string array, for Arrow's fast string kernels."""
    array = pa.array(values.astype("str"))
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks() if array.num_chunks else pa.array([], type=pa.string())
    return array.cast(pa.string())


AUTO = "auto"  # decimal = "auto": either separator, as each value is written
DECIMAL_SEPARATORS = (",", ".", AUTO)
# decimal = "auto": values with both separators, or one of them repeated, are read only where one
# of them separates groups of three digits: (pattern, the separator dropped). Any other value's
# one separator is its point, so "1,234" is one and a bit, never a thousand.
_AUTO_GROUPED = (
    (r"^[+-]?[0-9]{1,3}(?:\.[0-9]{3})+,[0-9]*$", "."),   # 1.234,56
    (r"^[+-]?[0-9]{1,3}(?:,[0-9]{3})+\.[0-9]*$", ","),   # 1,234.56
    (r"^[+-]?[0-9]{1,3}(?:,[0-9]{3}){2,}$", ","),         # 1,234,567
    (r"^[+-]?[0-9]{1,3}(?:\.[0-9]{3}){2,}$", "."),       # 1.234.567
)


def _decimal_problem(params: dict) -> str | None:
    decimal = params.get("decimal", ",")
    if decimal not in DECIMAL_SEPARATORS:
        return f"decimal = {decimal!r} is not one of {list(DECIMAL_SEPARATORS)}"
    return None


def _auto_point(text: pa.Array) -> pa.Array:
    """``decimal = "auto"``: each value's own point made ``.``, separators of groups dropped."""
    done = pc.replace_substring(text, ",", ".")
    for pattern, grouping in reversed(_AUTO_GROUPED):
        grouped = pc.fill_null(pc.match_substring_regex(text, pattern), False)
        read = pc.replace_substring(pc.replace_substring(text, grouping, ""), ",", ".")
        done = pc.if_else(grouped, read, done)
    return done


def _point_decimal(values: pd.Series, decimal: str) -> pd.Series:
    """Number text with thousands separators dropped and ``decimal`` as the point.

    Only the named separator counts: with ``decimal=","`` a ``.`` makes the value invalid
    (``1.234`` may be a thousand or one and a bit: it is never guessed). With ``decimal="auto"``
    a value's one ``,`` or ``.`` is its point, and both (or one repeated) are read where one of
    them separates groups of three digits (``1.234,56``, ``1,234.56``, ``1 234 567``).
    """
    text = pc.replace_substring_regex(_arrow_text(values), _THOUSANDS_SEPARATORS, "")
    if decimal == AUTO:
        text = _auto_point(text)
    elif decimal != ".":
        text = pc.replace_substring(pc.replace_substring(text, ".", "?"), decimal, ".")
    return pd.Series(pd.arrays.ArrowStringArray(text), index=values.index).astype("str")


def _point_named(decimal: str) -> str:
    return "the point (',' or '.')" if decimal == AUTO else f"'{decimal}'"


def _both_separators(values: pd.Series, bad: pd.Series, decimal: str, errors: pd.Series) -> pd.Series:
    """``decimal = "auto"``: an unreadable value holding both separators names both readings."""
    if decimal != AUTO or not bad.any():
        return errors
    text = values.astype("str")
    both = bad & text.str.contains(",", regex=False).fillna(False) & text.str.contains(".", regex=False).fillna(False)
    if both.any():
        errors = errors.copy()
        errors[both] = (errors[both].str.replace(r" \(expected .*\)$", "", regex=True)
                        + " (it holds both ',' and '.', and reads neither way: with ',' as the point a '.' must "
                          "separate groups of three digits, with '.' as the point a ',' must)")
    return errors


def _kopecks_of_point_text(text: pd.Series, blank: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Integer kopecks of text like ``-1234.5`` (Arrow's string kernels: fast, exact), and validity."""
    arrow = _arrow_text(text)
    valid = pc.fill_null(pc.match_substring_regex(arrow, r"^[+-]?[0-9]{1,16}(?:\.[0-9]{1,2})?$"), False)
    roubles = pc.replace_substring_regex(pc.replace_substring(arrow, "+", ""), r"\..*$", "")
    fraction = pc.utf8_rpad(pc.replace_substring_regex(arrow, r"^[^.]*\.?", ""), 2, "0")
    digits = pc.if_else(valid, pc.binary_join_element_wise(roubles, fraction, ""), "0")
    kopecks = pc.cast(digits, pa.int64()).to_numpy()
    mask = ~valid.to_numpy(zero_copy_only=False) | blank.to_numpy()
    return pd.Series(pd.arrays.IntegerArray(kopecks, mask), index=text.index), pd.Series(~mask, index=text.index)


@register("money", rule="BAD_MONEY", params={"decimal": str}, gives="money", check=_decimal_problem)
def money(values: pd.Series, decimal: str = ",") -> Transformed:
    """Exact money text (``1 234,56``, ``-12,5``) to integer kopecks.

    Thousands separators (space, no-break space, apostrophe) are dropped; at most two
    digits after the decimal separator; a blank value stays missing.
    """
    blank = _blank(values)
    kopecks, valid = _kopecks_of_point_text(_point_decimal(values, decimal), blank)
    bad = ~valid & ~blank
    errors = _unread(values, bad, "not an amount of money: ",
                     f" (expected digits with {_point_named(decimal)} and at most two decimals)")
    return Transformed(kopecks, _both_separators(values, bad, decimal, errors))


def _whole_numbers(values: pd.Series, text: pd.Series, digits: int, what: str) -> Transformed:
    blank = _blank(values)
    valid = text.str.fullmatch(rf"[+-]?[0-9]{{1,{digits}}}").fillna(False).astype(bool) & ~blank
    result = pd.Series(pd.NA, index=values.index, dtype="Int64")
    result[valid] = text[valid].astype("int64")
    bad = ~valid & ~blank
    errors = _unread(values, bad, f"not a whole number{what}: ")
    return Transformed(result, errors)


@register("kopecks", rule="BAD_MONEY", gives="money")
def kopecks(values: pd.Series) -> Transformed:
    """Money already held as whole kopecks (``123456`` = 1 234,56)."""
    return _whole_numbers(values, values.astype("str").str.strip(), 18, " of kopecks")


@register("debt_minus_advance", rule="BAD_MONEY", params={"decimal": str}, takes="columns", gives="money", reads=2,
          check=_decimal_problem)
def debt_minus_advance(columns: pd.DataFrame, decimal: str = ",") -> Transformed:
    """A signed balance from two non-negative money columns: debt minus advance (prepayment).

    Reads two source columns (``from = ["DOLG", "AVANS"]``); a blank one counts as 0, both
    blank stay missing.
    """
    debt, advance = (money(columns.iloc[:, i], decimal) for i in (0, 1))
    both_blank = debt.values.isna() & advance.values.isna() & debt.errors.isna() & advance.errors.isna()
    balance = (debt.values.fillna(0) - advance.values.fillna(0)).astype("Int64").where(~both_blank, pd.NA)
    errors = debt.errors.where(debt.errors.notna(), advance.errors)
    return Transformed(balance.where(errors.isna(), pd.NA), errors)


@register("negate", rule="BAD_MONEY", takes="number", gives="same")
def negate(values: pd.Series) -> Transformed:
    """Reverse the sign (a legacy system that stores payments as negative numbers)."""
    return _ok(-values, values.index)


@register("decimal", rule="BAD_NUMBER", params={"decimal": str, "scale": int, "precision": int}, gives="decimal",
          check=_decimal_problem)
def exact_decimal(values: pd.Series, decimal: str = ",", scale: int = 7, precision: int = 22) -> Transformed:
    """An exact decimal number as canonical text (``1234,5`` -> ``1234.5``); never a float."""
    blank = _blank(values)
    whole_digits = precision - scale
    parts = pc.extract_regex(_arrow_text(_point_decimal(values, decimal)),
                             rf"^(?P<sign>[+-]?)0*(?P<whole>[0-9]{{1,{whole_digits}}})(?:\.(?P<fraction>[0-9]{{1,{scale}}}))?$")
    sign, whole, fraction = (pc.struct_field(parts, [i]) for i in range(3))
    fraction = pc.utf8_rtrim(fraction, characters="0")
    has_fraction = pc.not_equal(fraction, "")
    sign = pc.if_else(pc.or_(pc.not_equal(whole, "0"), has_fraction), pc.replace_substring(sign, "+", ""), "")  # no "-0"
    point_fraction = pc.if_else(has_fraction, pc.binary_join_element_wise(".", fraction, ""), "")
    canonical = pc.binary_join_element_wise(sign, whole, point_fraction, "")
    valid = pd.Series(pc.is_valid(parts).to_numpy(zero_copy_only=False), index=values.index) & ~blank
    result = pd.Series(pd.arrays.ArrowStringArray(canonical), index=values.index).astype("str").where(valid, None)
    bad = ~valid & ~blank
    errors = _unread(values, bad, "not a number: ",
                     f" (expected at most {precision - scale} digits before {_point_named(decimal)} and {scale} after)")
    return Transformed(result, _both_separators(values, bad, decimal, errors))


@register("integer", rule="BAD_NUMBER", params={"decimal": str}, gives="number", check=_decimal_problem)
def integer(values: pd.Series, decimal: str = ",") -> Transformed:
    """A whole number (``5``; ``5,0`` is accepted as 5, but ``1.000`` is not guessed; with
    ``decimal = "auto"`` ``5.0`` and ``5,0`` are both 5)."""
    zeros = r"[.,]0+$" if decimal == AUTO else rf"{re.escape(decimal)}0+$"
    return _whole_numbers(values, values.astype("str").str.strip().str.replace(zeros, "", regex=True), 9, "")


@register("date", rule="BAD_DATE", params={"formats": list}, required=("formats",), gives="date")
def date(values: pd.Series, formats: list[str]) -> Transformed:
    """A date in one of the explicit strptime ``formats`` (tried in order); never guessed."""
    blank = _blank(values)
    text = values.astype("str").str.strip()
    # strptime's own patterns take any script's digits: such a value is not tried at all
    readable = ~blank & ~foreign_digits(text)
    result = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us]")
    for fmt in formats:
        todo = result.isna() & readable
        if not todo.any():
            break
        parsed = pd.to_datetime(text[todo], format=fmt, errors="coerce")
        result[todo] = parsed.astype("datetime64[us]")
    bad = result.isna() & ~blank
    errors = _unread(values, bad, "not a date: ", f" (expected {' or '.join(formats)})")
    return Transformed(result, errors)


@register("excel_date", rule="BAD_DATE", gives="date")
def excel_date(values: pd.Series) -> Transformed:
    """An Excel serial day number (``45596`` = 2024-10-31; days since 1899-12-30)."""
    blank = _blank(values)
    text = values.astype("str").str.strip().str.replace(r"\.0+$", "", regex=True)
    valid = text.str.fullmatch(r"[0-9]{1,6}").fillna(False).astype(bool) & ~blank
    days = pd.to_numeric(text.where(valid, "0"), downcast=None).astype("int64")
    result = (pd.Timestamp("1899-12-30") + pd.to_timedelta(days, unit="D")).astype("datetime64[us]")
    result = result.where(valid, pd.NaT)
    bad = ~valid & ~blank
    return Transformed(result, _unread(values, bad, "not an Excel serial date: "))


FIRST_INTEGER_DIGITS = 9  # any 9 digits fit the target's INTEGER (int32, up to 2 147 483 647)


@register("first_integer", rule="BAD_NUMBER", gives="number")
def first_integer(values: pd.Series) -> Transformed:
    """The first whole number in the text (``"4 года"`` -> 4, ``"6 лет"`` -> 6).

    A number of more than 9 digits is an error, never cut to its first nine; so is a text with
    a digit other than 0-9 anywhere (``"1２ лет"`` is not read as 1).
    """
    blank = _blank(values)
    text = values.astype("str")
    found = text.str.extract(r"([0-9]+)")[0]
    foreign = pd.Series(foreign_digits(text), index=values.index)
    too_long = (found.str.len() > FIRST_INTEGER_DIGITS).fillna(False).astype(bool) & ~foreign
    valid = found.notna() & ~foreign & ~too_long & ~blank
    result = pd.Series(pd.NA, index=values.index, dtype="Int64")
    result[valid] = found[valid].astype("int64")
    errors = _unread(values, found.isna() & ~foreign & ~blank, "no number in ")
    errors = errors.where(~foreign, _unread(values, foreign, "cannot read the number in "))
    if too_long.any():
        errors[too_long] = ("the number " + found[too_long].map(repr) + " in " + text[too_long].map(repr) +
                            " has " + found[too_long].str.len().astype("str") +
                            f" digits, more than the {FIRST_INTEGER_DIGITS} an integer column holds")
    return Transformed(result, errors)


@register("prefix", params={"text": str}, required=("text",))
def prefix(values: pd.Series, text: str) -> Transformed:
    """Put ``text`` before every non-blank value (``"ул. "`` + ``"Ленина"``)."""
    blank = _blank(values)
    return _ok((text + values.astype("str").str.strip()).where(~blank, None), values.index)


# The text tools: separators and replaced text are literal, and a pattern is data that Arrow's
# RE2 compiles and runs; nothing in a mapping executes.

def _refuse(name: str, params: dict) -> None:
    """Parameters the mapping loader should have refused (its ``Transform.check``): a mapping error."""
    problem = REGISTRY[name].check(params)
    if problem:
        raise MappingError(problem)


def _trimmed(values: pd.Series) -> pa.Array:
    """The values trimmed (Unicode white space, as ``str.strip``), a blank one null."""
    trimmed = pc.utf8_trim_whitespace(arrow_text(values.astype("str")))
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, trimmed.type), trimmed)


# reads=0 is model.ANY_NUMBER_OF_COLUMNS (from = [...] of two columns or more); model imports this module
@register("concat", params={"separator": str}, takes="columns", reads=0)
def concat(columns: pd.DataFrame, separator: str = " ") -> Transformed:
    """Join the columns, each trimmed, in order with ``separator`` (``"ул."`` and ``"Ленина"`` ->
    ``"ул. Ленина"``); a blank one is left out (no double separator), all blank -> missing."""
    glue = pa.scalar(separator, pa.large_string())
    joined = _trimmed(columns.iloc[:, 0])
    for position in range(1, columns.shape[1]):
        part = _trimmed(columns.iloc[:, position])
        # not binary_join_element_wise(..., null_handling="skip"): in pyarrow 26 it drops the
        # rows where every part is null from its result
        both = pc.binary_join_element_wise(joined, part, glue)
        joined = pc.if_else(pc.is_null(joined), part, pc.if_else(pc.is_null(part), joined, both))
    return _ok(text_series(joined, columns.index), columns.index)


def _split_problem(params: dict) -> str | None:
    if params.get("separator") == "":
        return "transform 'split' needs a separator that is not empty, e.g. separator = \",\""
    part = params.get("part")
    if isinstance(part, bool) or part == 0:
        return f"transform 'split' counts parts from 1 (the first) or from -1 (the last), not part = {part!r}"
    return None


@register("split", rule="BAD_TEXT", params={"separator": str, "part": int}, required=("separator", "part"), check=_split_problem)
def split(values: pd.Series, separator: str, part: int) -> Transformed:
    """Part ``part`` (1 the first; -1 the last) of the value split on the literal ``separator``,
    trimmed; a value with fewer parts is an error; blank, or a blank part, -> missing."""
    _refuse("split", {"separator": separator, "part": part})
    blank = _blank(values)
    pieces = pc.split_pattern(arrow_text(values.astype("str")), pattern=separator)
    counts = pc.fill_null(pc.list_value_length(pieces), 0).to_numpy(zero_copy_only=False)
    offsets = pieces.offsets.to_numpy(zero_copy_only=False)  # into pieces.values (a fresh array: not sliced)
    wanted = abs(part)
    present = counts >= wanted
    at = offsets[:-1] + (part - 1) if part > 0 else offsets[1:] + part
    chosen = pc.take(pieces.values, pa.array(np.where(present, at, 0), mask=~present))
    result = text_series(_trimmed(text_series(chosen, values.index)), values.index)
    errors = _no_errors(values)
    bad = pd.Series(~present, index=values.index) & ~blank
    if bad.any():
        count = pd.Series(counts, index=values.index)[bad]
        errors[bad] = (values[bad].astype("str").map(repr) + " has " + count.astype("str") +
                       count.map({1: " part"}).fillna(" parts") + f" split by {separator!r}, not {wanted}" +
                       (f" (part {part} counts from the end)" if part < 0 else ""))
    return Transformed(result.where(~bad, None), errors)


def _replace_problem(params: dict) -> str | None:
    if params.get("old") == "":
        return "transform 'replace' needs old text that is not empty, e.g. old = \"пр-т\""
    return None


@register("replace", params={"old": str, "new": str}, required=("old",), check=_replace_problem)
def replace(values: pd.Series, old: str, new: str = "") -> Transformed:
    """Replace every occurrence of the literal text ``old`` (not a pattern) with ``new``; the
    value is not trimmed; blank -> missing."""
    _refuse("replace", {"old": old, "new": new})
    replaced = pc.replace_substring(arrow_text(values.astype("str")), pattern=old, replacement=new)
    return _ok(text_series(replaced, values.index).where(~_blank(values), None), values.index)


REGEX_PATTERN_CHARACTERS = 200  # the longest pattern a mapping may give
REGEX_VALUE_CHARACTERS = 1000  # a longer value is not matched (an error), to bound the work per row


@lru_cache(maxsize=256)
def _regex_problem(pattern: str, group: str) -> str | None:
    """What is wrong with a pattern and group of ``regex_extract``, or None; RE2 compiles it."""
    where = "transform 'regex_extract'"
    if len(pattern) > REGEX_PATTERN_CHARACTERS:
        return f"{where}: the pattern has {len(pattern)} characters, more than {REGEX_PATTERN_CHARACTERS}"
    try:
        fields = pc.extract_regex(pa.array([], pa.large_string()), pattern).type
    except pa.ArrowInvalid as exc:
        if "unnamed groups" in str(exc):
            return (f"{where}: every group of the pattern '{pattern}' must be named, (?P<name>...), "
                    f"or not capture, (?:...)")
        return f"{where}: the pattern '{pattern}' is not a regular expression RE2 reads: " + \
            str(exc).removeprefix("Invalid regular expression: ")
    names = [fields.field(i).name for i in range(fields.num_fields)]
    if names.count(group) != 1:
        return (f"{where}: the pattern '{pattern}' names the group {group!r} twice" if group in names else
                f"{where}: the pattern '{pattern}' has no group (?P<{group}>...); its groups are {names}")
    return None


def _regex_params_problem(params: dict) -> str | None:
    return _regex_problem(params["pattern"], params["group"])


@register("regex_extract", rule="BAD_TEXT", params={"pattern": str, "group": str}, required=("pattern", "group"),
          check=_regex_params_problem)
def regex_extract(values: pd.Series, pattern: str, group: str) -> Transformed:
    """The text of the named ``group`` of the first match of ``pattern`` (RE2 syntax, searched
    anywhere in the value), trimmed; no match is an error; an empty group or a blank value -> missing.

    RE2 runs in time linear in the value (no backtracking). Its ``\\d``, ``\\w``, ``\\s`` and
    ``\\b`` are ASCII only (``\\d`` never matches ``١٢٣``); still write ``[0-9]``, as everywhere
    in cutover, and ``\\p{L}`` or ``\\p{Cyrillic}`` for letters.
    """
    _refuse("regex_extract", {"pattern": pattern, "group": group})
    blank = _blank(values)
    text = arrow_text(values.astype("str"))
    lengths = pc.fill_null(pc.utf8_length(text), 0).to_numpy(zero_copy_only=False)
    too_long = lengths > REGEX_VALUE_CHARACTERS
    found = pc.extract_regex(pc.if_else(pa.array(too_long), pa.scalar(None, text.type), text), pattern)
    names = [found.type.field(i).name for i in range(found.type.num_fields)]
    result = text_series(_trimmed(text_series(pc.struct_field(found, [names.index(group)]), values.index)),
                         values.index)
    matched = pc.is_valid(found).to_numpy(zero_copy_only=False)
    errors = _no_errors(values)
    unmatched = pd.Series(~matched & ~too_long, index=values.index) & ~blank
    if unmatched.any():
        errors[unmatched] = values[unmatched].astype("str").map(repr) + f" does not match the pattern '{pattern}'"
    long = pd.Series(too_long, index=values.index) & ~blank
    if long.any():
        errors[long] = ("a value of " + pd.Series(lengths, index=values.index)[long].astype("str") +
                        f" characters is longer than {REGEX_VALUE_CHARACTERS} characters: not matched "
                        f"against the pattern '{pattern}'")
    return Transformed(result, errors)


@register("period", rule="BAD_DATE", params={"formats": list}, required=("formats",))
def period(values: pd.Series, formats: list[str]) -> Transformed:
    """A billing month in one of ``formats`` (``202610`` with ``%Y%m``) as ``YYYY-MM``."""
    parsed = date(values, formats)
    months = parsed.values.dt.strftime("%Y-%m").where(parsed.values.notna(), None)
    errors = parsed.errors.str.replace("not a date", "not a billing month", regex=False)
    return Transformed(months.astype("str").where(parsed.values.notna(), None), errors)


@register("dictionary", rule="UNKNOWN_CODE", params={"file": str, "values": dict})
def dictionary(values: pd.Series, table: dict[str, str], name: str) -> Transformed:
    """Map legacy codes to target codes through a dictionary (``file = "services"`` names
    ``dictionaries/services.toml`` of the mapping folder); an unknown code is an error."""
    text = values.astype("str").str.strip()
    blank = _blank(values)
    mapped = text.map(table)
    errors = _no_errors(values)
    bad = mapped.isna() & ~blank
    errors[bad] = "code " + text[bad].map(repr) + f" is not in dictionary {name!r}"
    return Transformed(mapped.astype("str").where(~mapped.isna(), None), errors)


@register("default", params={"value": (str, int, bool)}, required=("value",), takes="any", gives="same")
def default(values: pd.Series, value) -> Transformed:
    """Use ``value`` where the source is blank."""
    return _ok(values.where(~_blank(values), value), values.index)


def describe() -> list[tuple[str, str, str]]:
    """(name, rule, first line of the doc) for every transform."""
    return [(t.name, t.rule, t.doc.splitlines()[0] if t.doc else "") for t in REGISTRY.values()]
