"""Parse free-text legacy addresses into a structured premise.

Operators typed addresses in at least two house styles over the years:

* style A, prefix markers, comma separated:
  ``Энская обл., г. Энск, ул. Ленина, д. 5, корп. 2, кв. 12а``;
* style B, suffix markers for settlement and street and a compact house
  part: ``Энск г, Ленина ул, д.5 к.2 кв.12а``;

either of them in any letter case, with or without the dots and the spaces
after markers. Both must come out as the same premise so that the premise
key can match meters, accounts and addresses across the two systems.
Anything the rules below cannot read becomes a per-row error rather than a
guess: a wrong premise is worse than a rejected one.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .names import collapse_spaces

__all__ = [
    "BUILDING_MARKERS",
    "REGION_MARKERS",
    "SETTLEMENT_MARKERS",
    "STREET_MARKERS",
    "parse_address",
    "premise_key",
]

#: Region marker (lower case, without dot) -> canonical marker, written
#: after the name: ``Энская обл.``.
REGION_MARKERS: dict[str, str] = {
    "обл": "обл.", "область": "обл.", "край": "край", "респ": "респ.",
}

#: Settlement marker -> canonical prefix: ``г. Энск``.
SETTLEMENT_MARKERS: dict[str, str] = {
    "г": "г.", "город": "г.",
    "пос": "пос.", "п": "пос.",
    "пгт": "пгт",
    "с": "с.", "село": "с.",
    "дер": "дер.",
}

#: Street marker -> canonical prefix: ``ул. Ленина``.
STREET_MARKERS: dict[str, str] = {
    "ул": "ул.", "улица": "ул.",
    "пр-т": "пр-т", "пр": "пр-т", "проспект": "пр-т",
    "пер": "пер.", "переулок": "пер.",
    "б-р": "б-р", "бульвар": "б-р",
    "ш": "ш.", "шоссе": "ш.",
    "пл": "пл.", "площадь": "пл.",
    "наб": "наб.",
    "мкр": "мкр",
}

#: House, building and apartment markers -> the output column they fill.
#: A room (``ком``) in a communal flat is billed like an apartment.
BUILDING_MARKERS: dict[str, str] = {
    "д": "house", "дом": "house",
    "корп": "building", "к": "building", "стр": "building",
    "кв": "apartment", "квартира": "apartment", "ком": "apartment",
}

#: Settlements where a private house may have no street.
_VILLAGE_PREFIXES = ("с.", "дер.")

_COLUMNS = [
    "region", "settlement", "street", "house", "building", "apartment", "error",
]
_KEY_COLUMNS = ["settlement", "street", "house", "building", "apartment"]


def _alternation(markers: dict[str, str]) -> str:
    # Longest first, so the longer marker wins ("корп" over "к", "пгт" over
    # "п") without relying on what follows it.
    return "|".join(
        re.escape(marker) for marker in sorted(markers, key=len, reverse=True)
    )


# A settlement or street name: starts with a letter or digit and holds
# letters, digits, dots ("К. Маркса"), hyphens, apostrophes and spaces.
_NAME = r"[а-яё0-9][а-яё0-9.\-' ]*"
_HAS_LETTER = re.compile("[а-яё]")
# After a prefix marker comes a dot, a space, or both.
_AFTER_PREFIX = r"(?:\.\s*|\s+)"

_NAMED_PARTS = [
    ("region", REGION_MARKERS),
    ("settlement", SETTLEMENT_MARKERS),
    ("street", STREET_MARKERS),
]
_PREFIX_FORMS = [
    (field, markers, re.compile(
        rf"(?P<marker>{_alternation(markers)}){_AFTER_PREFIX}(?P<name>{_NAME})"
    ))
    for field, markers in _NAMED_PARTS
]
_SUFFIX_FORMS = [
    (field, markers, re.compile(
        rf"(?P<name>{_NAME})\s+(?P<marker>{_alternation(markers)})\.?"
    ))
    for field, markers in _NAMED_PARTS
]

# One "marker value" pair of the house part, e.g. "д.5", "корп 2", "кв12а".
# The marker may be glued to a number ("кв12"). The value is a number with
# an optional "/n" and an optional letter ("17а", "5-а", "5/1"); a single
# letter is also accepted (for "корп. б"). A letter followed by a dot,
# another letter or a digit is not part of the value, so that "д.5к.2" and
# "д.5к2" read as house 5, building 2.
_UNIT = re.compile(
    rf"\s*(?P<marker>{_alternation(BUILDING_MARKERS)})"
    r"(?:\.\s*|\s+|(?=\d))"
    r"(?P<value>\d+(?:/\d+)?(?:-?[а-яё](?![а-яё.\d]))?|[а-яё](?![а-яё.\d]))"
)

_Fields = dict[str, str]


def _title(name: str) -> str:
    """Title-case a settlement or street name, word by word.

    Hyphenated parts are capitalised too ("Мамина-Сибиряка"), except the
    ending of an ordinal number ("1-я Парковая") and the prepositions of
    names like "Ростов-на-Дону".
    """
    words = []
    for word in name.split(" "):
        parts = word.split("-")
        out = [parts[0][:1].upper() + parts[0][1:]]
        for previous, part in zip(parts, parts[1:]):
            if previous.isdigit() or part in ("на", "под", "над"):
                out.append(part)
            else:
                out.append(part[:1].upper() + part[1:])
        words.append("-".join(out))
    return " ".join(words)


def _named_part(
    field: str, markers: dict[str, str], marker: str, name: str
) -> _Fields | None:
    # A bare number after "ул." is more likely a misplaced house number.
    if not _HAS_LETTER.search(name):
        return None
    canonical = markers[marker]
    if field == "region":
        return {field: f"{_title(name)} {canonical}"}
    return {field: f"{canonical} {_title(name)}"}


def _building_part(part: str) -> _Fields | None:
    """Read a run of "marker value" pairs such as ``д.5 к.2 кв.12а``."""
    fields: dict[str, str] = {}
    position = 0
    while position < len(part):
        match = _UNIT.match(part, position)
        if match is None:
            return None
        field = BUILDING_MARKERS[match["marker"]]
        # "5-а" and "5а" are the same house; keep the compact spelling.
        value = match["value"].replace("-", "")
        if field in fields or (field != "building" and not value[0].isdigit()):
            return None
        fields[field] = value
        position = match.end()
    return fields or None


def _read_part(part: str) -> _Fields | None:
    """Classify one lower-case comma-separated part of an address.

    Returns the {column: value} it provides (empty for an empty part, as
    left by a stray or trailing comma), or None if unreadable.
    """
    if not part:
        return {}
    units = _building_part(part)
    if units is not None:
        return units
    # Prefix forms are tried before suffix forms: in "с. Ленина ул" the
    # leading marker is the one the operator meant.
    for forms in (_PREFIX_FORMS, _SUFFIX_FORMS):
        for field, markers, pattern in forms:
            match = pattern.fullmatch(part)
            if match is not None:
                fields = _named_part(
                    field, markers, match["marker"], match["name"]
                )
                if fields is not None:
                    return fields
    return None


def _error(message: str) -> tuple[str | None, ...]:
    return (None,) * (len(_COLUMNS) - 1) + (message,)


def _parse_one(value: str, part_cache: dict[str, _Fields | None]) -> tuple:
    """Parse one address into a row of `_COLUMNS`.

    This runs once per distinct address, so it is kept lean: the text is
    lower-cased once and each comma part, spaces included, is looked up in
    `part_cache` (`_read_part` strips it).
    """
    text = collapse_spaces(value)
    fields: dict[str, str] = {}
    for index, part in enumerate(text.lower().split(",")):
        try:
            parsed = part_cache[part]
        except KeyError:
            parsed = part_cache[part] = _read_part(part.strip())
        if parsed is not None:
            known = len(fields)
            fields.update(parsed)
            if len(fields) == known + len(parsed):
                continue
        # Unreadable, or a second street, house, etc.
        # Lower-casing keeps the commas, so the index finds the part as
        # the operator typed it.
        raw_part = text.split(",")[index].strip()
        return _error(f"cannot read {raw_part!r} in {text!r}")
    if not fields:
        return _error("address is empty")
    settlement = fields.get("settlement")
    if settlement is None:
        return _error(f"no settlement in {text!r}")
    if "street" not in fields and not settlement.startswith(_VILLAGE_PREFIXES):
        return _error(f"no street in {text!r}")
    if "house" not in fields:
        return _error(f"no house number in {text!r}")
    get = fields.get
    return (
        get("region"), settlement, get("street"), get("house"),
        get("building"), get("apartment"), None,
    )


def parse_address(addresses: pd.Series) -> pd.DataFrame:
    """Parse free-text addresses into region, settlement, street and units.

    Parameters
    ----------
    addresses : pandas.Series
        Addresses in style A (``г. Энск, ул. Ленина, д. 5, кв. 12а``) or
        style B (``Энск г, Ленина ул, д.5 кв.12а``), any letter case, with
        or without dots and spaces after markers. Missing values allowed.

    Returns
    -------
    pandas.DataFrame
        Indexed like `addresses`, with ``str`` columns ``region``
        (``Энская обл.``), ``settlement`` (``г. Энск``), ``street``
        (``ул. Ленина``), ``house``, ``building``, ``apartment`` (lower
        case, e.g. ``17а``) and ``error``. When ``error`` is set all other
        columns are missing. Errors: ``address is empty``, ``cannot read
        '<part>' in '<address>'``, ``no settlement in '<address>'``,
        ``no street in '<address>'`` (outside villages ``с.``/``дер.``)
        and ``no house number in '<address>'``.

    Notes
    -----
    Each comma-separated part must be one of: region, settlement or street
    (marker before or after the name), or a run of house/building/apartment
    pairs. A part that is none of these, or repeats a column already
    filled, is reported rather than guessed. The region is always written
    name first (``Пермский край``, ``Коми респ.``); settlement and street
    markers always come first (``пос. Заречный``, ``пр-т Мира``).

    Examples
    --------
    >>> parse_address(pd.Series(["Энск г, Ленина ул, д.5 кв.12А"])).iloc[0].tolist()
    [nan, 'г. Энск', 'ул. Ленина', '5', nan, '12а', nan]
    """
    # Parse each distinct address once; within those, streets and
    # settlements repeat, so each distinct comma part is read once too.
    codes, uniques = pd.factorize(addresses, use_na_sentinel=True)
    part_cache: dict[str, _Fields | None] = {}
    rows = [_parse_one(str(value), part_cache) for value in uniques.tolist()]
    rows.append(_error("address is empty"))  # for missing values (code -1)
    # Build each column over the distinct values and take it by code: with
    # Arrow-backed strings the take is far cheaper than converting every row.
    take = np.where(codes < 0, len(rows) - 1, codes)
    return pd.DataFrame(
        {
            column: pd.array(list(values), dtype="str")[take]
            for column, values in zip(_COLUMNS, zip(*rows))
        },
        index=addresses.index,
    )


def premise_key(frame: pd.DataFrame) -> pd.Series:
    """Build a key that identifies a premise regardless of address style.

    Parameters
    ----------
    frame : pandas.DataFrame
        Output of `parse_address`.

    Returns
    -------
    pandas.Series
        Indexed like `frame`: settlement, street, house, building and
        apartment casefolded and joined with ``"|"`` (a missing part is an
        empty string), e.g. ``"г. энск|ул. ленина|5||12а"``. The region is
        left out because legacy addresses often omit it. ``ё`` is folded
        to ``е`` because operators type "Молодежная" and "Молодёжная" for
        the same street. Missing where ``error`` is set.
    """
    # A plain comprehension is several times faster here than chained
    # vectorised string concatenation on the python-backed str dtype.
    parts = [
        frame[column].to_numpy(dtype=object, na_value="")
        for column in _KEY_COLUMNS
    ]
    keys = ["|".join(row).casefold().replace("ё", "е") for row in zip(*parts)]
    key = pd.Series(keys, index=frame.index, dtype="str", name="premise_key")
    return key.where(frame["error"].isna(), None)
