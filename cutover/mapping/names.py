"""Split the legacy one-field payer name (``ФИО``) into surname, first name
and patronymic.

The legacy system keeps "ИВАНОВ ИВАН ИВАНОВИЧ" in a single free-text field
typed by hand over many years, so the values carry stray whitespace, Latin
letters that look like Cyrillic ones, and occasionally whole files decoded in
the wrong code page. This module cleans what can be cleaned safely and turns
everything else into a per-row error message instead of guessing.

A name is written wholly in one alphabet: the Russian one, or the Latin one
(A-Z) of a foreign holder (``SMITH JOHN``), which loads as written, only its
case put like a Russian name's. A name that mixes the two (``ИВАНОВ TOMA``) is
an error: Latin look-alikes are repaired inside Cyrillic words, but a whole
word in Latin beside Cyrillic ones may be either and is never guessed. Latin
letters with diacritics (``MÜLLER``) are not taken: ``Ð``, ``Ñ``, ``Ã`` are
exactly what Cyrillic UTF-8 read as cp1252 or latin-1 looks like.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

__all__ = [
    "LATIN_LOOKALIKES",
    "NAME_PARTICLES",
    "collapse_spaces",
    "fix_lookalikes",
    "split_full_name",
]

#: Latin letters that are visually indistinguishable from Cyrillic ones in
#: common fonts, mapped to the Cyrillic letter an operator meant to type.
#: ``Y``/``y`` map to ``У``/``у`` and ``Ë``/``ë`` to ``Ё``/``ё``: inside a
#: word that already holds Cyrillic there is no other plausible reading.
LATIN_LOOKALIKES: dict[str, str] = {
    "A": "А", "B": "В", "C": "С", "E": "Е", "H": "Н", "K": "К", "M": "М",
    "O": "О", "P": "Р", "T": "Т", "X": "Х", "Y": "У", "Ë": "Ё",
    "a": "а", "c": "с", "e": "е", "o": "о", "p": "р", "x": "х", "y": "у",
    "ë": "ё",
}

#: Turkic patronymic particles ("Мамед оглы" = "son of Mamed"); by
#: convention they are written in lower case even inside a capitalised name.
NAME_PARTICLES: frozenset[str] = frozenset({"оглы", "кызы", "улы", "уулу"})

_LOOKALIKE_TABLE = str.maketrans(LATIN_LOOKALIKES)
_LOOKALIKE_CHARS = re.compile("[" + "".join(LATIN_LOOKALIKES) + "]")
_WORD = re.compile(r"\S+")
_CYRILLIC = re.compile("[\u0400-\u04ff]")
# Anything outside the Russian and the Latin alphabet, hyphen, apostrophe and space.
_NOT_NAME_CHAR = re.compile(r"[^А-Яа-яЁёA-Za-z' \-]")
_LATIN = re.compile(r"[A-Za-z]")
# A word is letters, optionally joined by single hyphens or apostrophes;
# this rejects stray "-" tokens and doubled or dangling separators.
_NAME_WORD = r"[А-Яа-яЁё]+(?:[-'][А-Яа-яЁё]+)*"
_NAME_WORD_RE = re.compile(_NAME_WORD)
# The whole name checked in one call: the common case must stay cheap.
_NAME_TEXT = re.compile(rf"{_NAME_WORD}(?: {_NAME_WORD})*")
# The same in Latin letters: a foreign holder's name (SMITH JOHN, O'Brien Patrick).
_LATIN_WORD = r"[A-Za-z]+(?:[-'][A-Za-z]+)*"
_LATIN_WORD_RE = re.compile(_LATIN_WORD)
_LATIN_TEXT = re.compile(rf"{_LATIN_WORD}(?: {_LATIN_WORD})*")
# str.title() also capitalises after an apostrophe; Ukrainian-style names
# ("Мар'яна", "Григор'єв" transliterated as "Григор'ев") must not get that.
_AFTER_APOSTROPHE = re.compile(r"'[А-ЯЁ]")
_PARTICLE = re.compile(
    r"(?<![А-Яа-яЁё'])(?:"
    + "|".join(sorted(p.capitalize() for p in NAME_PARTICLES))
    + r")(?![А-Яа-яЁё'])"
)

_COLUMNS = ["last_name", "first_name", "patronymic", "error"]


def collapse_spaces(text: str) -> str:
    """Strip the text and fold every run of whitespace into one space.

    Parameters
    ----------
    text : str
        Raw text. Spaces, no-break spaces (U+00A0), tabs, CR and LF all
        count as whitespace.

    Returns
    -------
    str
        The text with single spaces between words and none at the ends.

    Examples
    --------
    >>> collapse_spaces(" ИВАНОВ\\u00a0 ИВАН\\r\\nИВАНОВИЧ ")
    'ИВАНОВ ИВАН ИВАНОВИЧ'
    """
    # str.split() without arguments splits on all Unicode whitespace,
    # NBSP included, and drops empty pieces.
    return " ".join(text.split())


def _fix_word(match: re.Match[str]) -> str:
    word = match.group(0)
    if _CYRILLIC.search(word):
        return word.translate(_LOOKALIKE_TABLE)
    return word


def fix_lookalikes(text: str) -> str:
    """Replace Latin look-alike letters with Cyrillic inside Cyrillic words.

    Only words (runs of non-whitespace) that already contain at least one
    Cyrillic letter are touched: a fully Latin word is left alone, because
    it is either a genuinely foreign name (``SMITH``) or a Russian word
    typed in Latin that should surface as an error later (`split_full_name`
    rejects a name mixing Latin and Cyrillic words) rather than be
    disguised as Russian.

    Parameters
    ----------
    text : str
        Text to repair.

    Returns
    -------
    str
        The text with the letters from `LATIN_LOOKALIKES` replaced in
        mixed-script words.

    Examples
    --------
    >>> fix_lookalikes("ИВАНOВ JOHN")  # the O in ИВАНOВ is Latin
    'ИВАНОВ JOHN'
    """
    # Fast path: almost all names contain no Latin letters at all.
    if not _LOOKALIKE_CHARS.search(text):
        return text
    return _WORD.sub(_fix_word, text)


def _lower_match(match: re.Match[str]) -> str:
    return match.group(0).lower()


def _name_error(text: str, fixed: str) -> str:
    """Explain why a full name failed validation, most basic problem first."""
    bad = _NOT_NAME_CHAR.findall(fixed)
    if bad:
        chars = "".join(dict.fromkeys(bad))  # unique, in order of appearance
        return (
            f"unexpected characters {chars!r} in {text!r}; "
            "the file may be in another encoding"
        )
    if " " not in fixed:
        return f"expected at least surname and first name, got {text!r}"
    words = fixed.split(" ")
    mixed = next((w for w in words if _CYRILLIC.search(w) and _LATIN.search(w)), None)
    if mixed is not None:  # what is left after the look-alikes were repaired
        return f"word {mixed!r} in {text!r} mixes Cyrillic and Latin letters"
    malformed = [w for w in words if not (_NAME_WORD_RE.fullmatch(w) or _LATIN_WORD_RE.fullmatch(w))]
    if malformed:
        return f"malformed word {malformed[0]!r} in {text!r}"
    latin = next(w for w in words if _LATIN.search(w))
    return (
        f"{text!r} mixes Cyrillic words and Latin ones ({latin!r}); "
        "expected the whole name in one alphabet"
    )


def _latin_case(word: str) -> str:
    """A Latin word in one case as a name (SMITH, smith -> Smith; O'BRIEN ->
    O'Brien); one in mixed case was typed so on purpose (McDonald) and is kept."""
    return word.title() if word.isupper() or word.islower() else word


def _parse_latin(fixed: str) -> tuple[str | None, str | None, str | None, str | None]:
    """Parse a name written wholly in Latin letters (SMITH JOHN PAUL): the words
    after the second, a middle name, go to the patronymic."""
    last, first, *rest = (_latin_case(word) for word in fixed.split(" "))
    return last, first, " ".join(rest) or None, None


def _parse_one(value: str) -> tuple[str | None, str | None, str | None, str | None]:
    """Parse one full name into (last, first, patronymic, error)."""
    text = collapse_spaces(value)
    if not text:
        return None, None, None, "full name is empty"
    fixed = fix_lookalikes(text)
    # One regex validates the whole name on the common, valid path; the
    # error is worked out only for the rare invalid one.
    if " " not in fixed:
        return None, None, None, _name_error(text, fixed)
    if _NAME_TEXT.fullmatch(fixed) is None:
        if _LATIN_TEXT.fullmatch(fixed) is not None:
            return _parse_latin(fixed)
        return None, None, None, _name_error(text, fixed)
    # Only letters, single hyphens and apostrophes are left, so title()
    # capitalises exactly the first letter of each word and hyphen part.
    titled = fixed.title()
    if "'" in titled:
        titled = _AFTER_APOSTROPHE.sub(_lower_match, titled)
    last, first, *rest = titled.split(" ")
    if not rest:
        return last, first, None, None
    patronymic = " ".join(rest)
    # A particle always follows a name ("Мамед оглы", "Мамед-оглы"), so a
    # one-part patronymic, the usual case, needs no search.
    if len(rest) > 1 or "-" in patronymic:
        patronymic = _PARTICLE.sub(_lower_match, patronymic)
    return last, first, patronymic, None


def split_full_name(full_names: pd.Series) -> pd.DataFrame:
    """Split legacy full names into surname, first name and patronymic.

    Each value is cleaned (`collapse_spaces`, then `fix_lookalikes`) and
    split on spaces: the first word is the surname, the second the first
    name and the rest, joined by a space, the patronymic. Words are put in
    Title Case, each part of a hyphenated word separately ("Римский-Корсаков";
    the letter after an apostrophe stays lower case: "Мар'яна"); the
    particles in `NAME_PARTICLES` stay lower case within the patronymic.
    A name written wholly in Latin letters A-Z is a foreign holder's and
    loads as written ("SMITH JOHN PAUL" -> "Smith", "John", "Paul"; a word
    in mixed case such as "McDonald" keeps its case; after an apostrophe a
    capital: "O'Brien").

    Parameters
    ----------
    full_names : pandas.Series
        Full names such as ``"ИВАНОВ ИВАН ИВАНОВИЧ"``. Missing values are
        allowed and reported as errors.

    Returns
    -------
    pandas.DataFrame
        Indexed like `full_names`, with ``str`` columns ``last_name``,
        ``first_name``, ``patronymic`` and ``error``. ``patronymic`` is
        missing when the name has only two words. When ``error`` is set
        (empty value, fewer than two words, a character outside the
        Russian and Latin alphabets, hyphen, apostrophe and space, Latin and
        Cyrillic letters in one name, or a word that does not start and end
        with a letter) all name columns are missing.

    Examples
    --------
    >>> split_full_name(pd.Series(["АЛИЕВ РАШИД МАМЕД ОГЛЫ"])).iloc[0].tolist()
    ['Алиев', 'Рашид', 'Мамед оглы', nan]
    """
    # Names repeat a lot (family members, re-registrations), so parse each
    # distinct value once and broadcast the results back to the rows.
    codes, uniques = pd.factorize(full_names, use_na_sentinel=True)
    rows = [_parse_one(str(value)) for value in uniques.tolist()]
    rows.append((None, None, None, "full name is empty"))  # missing values
    # Build each column over the distinct values and take it by code: with
    # Arrow-backed strings the take is far cheaper than converting every row.
    take = np.where(codes < 0, len(rows) - 1, codes)
    return pd.DataFrame(
        {
            column: pd.array(list(values), dtype="str")[take]
            for column, values in zip(_COLUMNS, zip(*rows))
        },
        index=full_names.index,
    )
