"""What one legacy value looks like: its shape, its number, its script and its encoding.

The functions on one value define what is measured. :func:`numbers_of` and the
``*_candidates`` filters do the same on a whole series of distinct values at once (pandas
string methods, run in C), because a money column of a million rows has nearly a million
distinct values; only the few candidates they leave are looked at one by one.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pandas as pd

from cutover.mapping.names import LATIN_LOOKALIKES

_SHAPE_TABLE = str.maketrans(
    {chr(c): "А" for c in range(ord("А"), ord("Я") + 1)} | {"Ё": "А"}
    | {chr(c): "а" for c in range(ord("а"), ord("я") + 1)} | {"ё": "а"}
    | {chr(c): "A" for c in range(ord("A"), ord("Z") + 1)}
    | {chr(c): "a" for c in range(ord("a"), ord("z") + 1)}
    | {chr(c): "9" for c in range(ord("0"), ord("9") + 1)}
)
# A shape longer than this is cut, so that free text (addresses) does not fill a report
# with one shape per value; the cut is marked so nobody reads it as the whole value.
SHAPE_LENGTH = 40

# A number as legacy exports write it: optional sign, digits, optionally grouped by a space
# or a no-break space in threes, and a decimal comma or point.
# ASCII digits only, spelled [0-9]: Python's \d would also take other scripts' digits.
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:([.,])[0-9]+)?")
# The group separators are written as the characters themselves: pandas hands these patterns
# to Arrow's RE2, which does not read \u escapes (and silently falls back to slow Python re).
_GROUP_SPACES = " \u00a0\u202f"  # space, no-break space, narrow no-break space
_GROUPED_NUMBER = re.compile("[+-]?[0-9]{1,3}(?:[" + _GROUP_SPACES + "][0-9]{3})+(?:([.,])[0-9]+)?")
_GROUP_SEPARATORS = str.maketrans("", "", _GROUP_SPACES)

_CYRILLIC = re.compile("[\u0400-\u04ff]")
_LOOKALIKE = re.compile("[" + "".join(LATIN_LOOKALIKES) + "]")
_WORD = re.compile(r"\S+")
# Date shapes: a column whose usual shape is one of these holds dates.
DATE_SHAPES = frozenset({"99.99.9999", "9999-99-99", "99/99/9999", "99.99.99", "9999.99.99", "99-99-9999"})


def shape(value: str) -> str:
    """The value with every letter and digit replaced by its class, length kept.

    Cyrillic capitals become ``А``, Cyrillic small letters ``а``, Latin ones ``A`` and
    ``a``, digits ``9``; punctuation and spaces stay as they are.

    Examples
    --------
    >>> shape("01.02.2026")
    '99.99.9999'
    >>> shape("Иванов Иван")
    'Аааааа Аааа'
    """
    text = value.translate(_SHAPE_TABLE)
    if len(text) > SHAPE_LENGTH:
        return text[:SHAPE_LENGTH] + "…"
    return text


def parse_number(value: str) -> tuple[Decimal, str, bool] | None:
    """The exact number a value spells, its decimal separator and whether digits are grouped.

    Returns ``None`` when the value is not a number. Never goes through a float.

    Examples
    --------
    >>> parse_number("-1 234,50")
    (Decimal('-1234.50'), ',', True)
    >>> parse_number("н/д") is None
    True
    """
    text = value.strip()
    match = _PLAIN_NUMBER.fullmatch(text)
    grouped = False
    if match is None:
        match = _GROUPED_NUMBER.fullmatch(text)
        grouped = match is not None
    if match is None:
        return None
    separator = match.group(1) or ""
    digits = text.translate(_GROUP_SEPARATORS).replace(",", ".")
    return Decimal(digits), separator, grouped


def has_lookalikes(value: str) -> bool:
    """Whether a word holding Cyrillic letters also holds Latin letters that look like them.

    Examples
    --------
    >>> has_lookalikes("ИВАНOВ ИВАН")  # a Latin O
    True
    >>> has_lookalikes("ООО ROMASHKA")
    False
    """
    if not _LOOKALIKE.search(value) or not _CYRILLIC.search(value):
        return False
    return any(_CYRILLIC.search(word) and _LOOKALIKE.search(word) for word in _WORD.findall(value))


def misdecoded(value: str, encoding: str) -> str | None:
    """The text a value was meant to be when UTF-8 bytes were read as ``encoding``, else None.

    A UTF-8 name inside a cp1251 file reads as ``РќРёРЅР°`` (Нина): encoding it back to cp1251 gives
    valid UTF-8 with Cyrillic letters. Real cp1251 Russian text almost never does, because
    its letters are bytes UTF-8 does not allow in that order.

    Examples
    --------
    >>> misdecoded("РќРёРЅР°", "cp1251")
    'Нина'
    >>> misdecoded("Нина", "cp1251") is None
    True
    """
    if value.isascii():
        return None
    try:
        meant = value.encode(encoding).decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError, LookupError):
        return None
    if meant != value and _CYRILLIC.search(meant):
        return meant
    return None


def single_byte_encoding(options: dict) -> str:
    """The encoding in which a source's misread UTF-8 would show: its own when single-byte.

    A UTF-8 source cannot hold misread UTF-8 of its own; text converted to UTF-8 from a
    misread cp1251 file still can, so cp1251 is tried there.
    """
    encoding = str(options.get("encoding", "utf-8")).lower().replace("_", "-")
    return "cp1251" if encoding.startswith("utf") else encoding


def numbers_of(values: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """For every value: whether it is a number, whether its digits are grouped, and its
    text ready for ``Decimal`` (group separators dropped, decimal point); see :func:`parse_number`."""
    text = values.str.strip()
    plain = text.str.fullmatch(_PLAIN_NUMBER.pattern)
    grouped = ~plain & text.str.fullmatch(_GROUPED_NUMBER.pattern)
    digits = text.str.replace("[" + _GROUP_SPACES + "]", "", regex=True).str.replace(",", ".", regex=False)
    return plain | grouped, grouped, digits


def lookalike_candidates(values: pd.Series) -> pd.Series:
    """Values that may hold look-alike letters: a Cyrillic and a look-alike Latin letter somewhere."""
    return values.str.contains(_LOOKALIKE.pattern, regex=True) & values.str.contains(_CYRILLIC.pattern, regex=True)


def misdecoded_candidates(values: pd.Series, encoding: str) -> pd.Series:
    """Values that may be misread UTF-8: they hold what ``encoding`` makes of a UTF-8 lead byte
    of Cyrillic (0xD0, 0xD1: ``Р``, ``С`` in cp1251), without which no misread Cyrillic exists."""
    try:
        leads = bytes([0xD0, 0xD1]).decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return ~values.str.fullmatch("[\\x00-\\x7f]*")
    return values.str.contains("[" + re.escape(leads) + "]", regex=True)
