"""Parse free-text legacy addresses into a structured premise.

Operators typed addresses in several house styles over the years, often all
in one column:

* style A, prefix markers, comma separated:
  ``Энская обл., г. Энск, ул. Ленина, д. 5, корп. 2, кв. 12а``;
* style B, suffix markers for settlement and street and a compact house
  part: ``Энск г, Ленина ул, д.5 к.2 кв.12а``;
* marker-less, comma separated, in the order settlement, street (its type
  before or after the name), house, flat: ``САМАРА,ЛЕНИНА УЛ,12,34``, a
  building written after the house: ``18 К2``;
* markers and no commas, sometimes glued to the name:
  ``г.Самара ул.Ленина д.12 кв.34``, ``б-рИвана Финютина``;

any of them in any letter case, with or without the dots and the spaces
after markers. All must come out as the same premise so that the premise
key can match meters, accounts and addresses across the systems. Street and
settlement types are data (`cutover.mapping.address_types`); the form a street
type is written in is the mapping's choice (``street_type``). Layouts the
grammar cannot read are given by position (``fields``). Anything the rules
cannot read becomes a per-row error rather than a guess: a wrong premise is
worse than a rejected one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .address_types import SETTLEMENT_TYPES, STREET_TYPES, AddressType, spellings
from .names import collapse_spaces

__all__ = [
    "BUILDING_MARKERS",
    "FIELDS",
    "HOUSE_LETTERS",
    "REGION_MARKERS",
    "SETTLEMENT_MARKERS",
    "STREET_MARKERS",
    "STREET_TYPE_FORMS",
    "options_problem",
    "parse_address",
    "premise_key",
]

#: Region marker (lower case, without dot) -> canonical marker, written
#: after the name: ``Энская обл.``.
REGION_MARKERS: dict[str, str] = {
    "обл": "обл.", "область": "обл.", "край": "край", "респ": "респ.",
}

#: Settlement type (lower case, without dot) -> canonical prefix: ``г. Энск``.
#: Before or after the name; ``д`` (деревня) only after it (`_SETTLEMENT_AFTER`).
SETTLEMENT_MARKERS: dict[str, str] = {
    spelling: kind.canonical for kind in SETTLEMENT_TYPES for spelling in spellings(kind)
}
_SETTLEMENT_AFTER: dict[str, str] = {
    spelling: kind.canonical for kind in SETTLEMENT_TYPES for spelling in kind.after_only
}

#: Street type -> canonical prefix: ``ул. Ленина``, ``пр-т Мира``.
STREET_MARKERS: dict[str, str] = {
    spelling: kind.canonical for kind in STREET_TYPES for spelling in spellings(kind)
}
_STREET_KINDS: dict[str, AddressType] = {
    spelling: kind for kind in STREET_TYPES for spelling in spellings(kind)
}

#: House, building and apartment markers -> the output column they fill.
#: A room (``ком``) in a communal flat is billed like an apartment, and so is
#: a non-residential ``пом.``; a литера, строение, сооружение is the building.
BUILDING_MARKERS: dict[str, str] = {
    "д": "house", "дом": "house",
    "вл": "house", "влд": "house", "владение": "house", "домовладение": "house",
    "корп": "building", "корпус": "building", "к": "building",
    "стр": "building", "строение": "building",
    "лит": "building", "литера": "building",
    "соор": "building", "сооружение": "building",
    "кв": "apartment", "квартира": "apartment",
    "ком": "apartment", "комн": "apartment", "комната": "apartment",
    "пом": "apartment", "помещение": "apartment",
}

#: ``street_type``: how the street type is written in ``street``.
STREET_TYPE_FORMS = ("canonical", "official", "full", "as_written")
#: ``house_letters``: the letter case of house, building and apartment numbers.
HOUSE_LETTERS = ("lower", "upper", "as_written")
#: ``fields``: what each part of a positional address is.
FIELDS = ("region", "settlement", "street", "house", "building", "apartment", "skip")

#: Settlements where a private house may have no street.
_VILLAGE_PREFIXES = tuple(f"{kind.canonical} " for kind in SETTLEMENT_TYPES if kind.village)

_COLUMNS = [
    "region", "settlement", "street", "house", "building", "apartment", "error",
]
_KEY_COLUMNS = ["settlement", "street", "house", "building", "apartment"]
# The order of the parts of an address without commas.
_RANK = {column: rank for rank, column in enumerate(_COLUMNS[:-1])}


def _check_spellings() -> None:
    """A spelling means one thing where it may stand: before a name, or after it."""
    before = {"region": REGION_MARKERS, "settlement": SETTLEMENT_MARKERS, "street": STREET_MARKERS,
              "house, building or apartment": BUILDING_MARKERS}
    after = {"region": REGION_MARKERS, "settlement": {**SETTLEMENT_MARKERS, **_SETTLEMENT_AFTER},
             "street": STREET_MARKERS}
    for where in (before, after):
        seen: dict[str, str] = {}
        for what, markers in where.items():
            for spelling in markers:
                if seen.setdefault(spelling, what) != what:
                    raise ValueError(f"address marker {spelling!r} is both a {seen[spelling]} and a {what}")


_check_spellings()


def _alternation(markers) -> str:
    # Longest first, so the longer marker wins ("корп" over "к", "пгт" over
    # "п") without relying on what follows it.
    return "|".join(
        re.escape(marker) for marker in sorted(markers, key=len, reverse=True)
    )


# A settlement or street name: starts with a letter or digit and holds
# letters, digits, dots ("К. Маркса"), hyphens, apostrophes and spaces.
_NAME = r"[а-яё0-9][а-яё0-9.\-' ]*"
_HAS_LETTER = re.compile("[а-яё]", re.IGNORECASE)
_SMALL_LETTER = re.compile("[а-яё]")
_NAME_WORDS = re.compile(r"[^\s.]+\.?")  # "г.Красное Село" -> "г.", "Красное", "Село"
# What no name is: one ending in a number after a word ("Самара 8", inside a part without
# commas), one ending in one letter ("Красное Село С."), one holding a house number ("Ленина д.12").
_ENDS_IN_NUMBER = re.compile(r"\S\s+[0-9]+$")
_ENDS_IN_LETTER = re.compile(r"\s[а-яё]\.?$", re.IGNORECASE)
_HOLDS_NUMBER = re.compile(rf"(?<![а-яё])(?:{_alternation(BUILDING_MARKERS)})\.?\s?[0-9]", re.IGNORECASE)
# After a prefix marker comes a dot, a space, or both.
_AFTER_PREFIX = r"(?:(?P<dot>\.)\s*|\s+)"

_NAMED_PARTS = [
    ("region", REGION_MARKERS, REGION_MARKERS),
    ("settlement", SETTLEMENT_MARKERS, {**SETTLEMENT_MARKERS, **_SETTLEMENT_AFTER}),
    ("street", STREET_MARKERS, STREET_MARKERS),
]
_PREFIX_FORMS = {
    field: re.compile(
        rf"(?P<marker>{_alternation(before)}){_AFTER_PREFIX}(?P<name>{_NAME})", re.IGNORECASE
    )
    for field, before, _ in _NAMED_PARTS
}
_SUFFIX_FORMS = {
    field: re.compile(
        rf"(?P<name>{_NAME})\s+(?P<marker>{_alternation(after)})(?P<dot>\.)?", re.IGNORECASE
    )
    for field, _, after in _NAMED_PARTS
}
_AFTER_KINDS = {field: after for field, _, after in _NAMED_PARTS}
# A name without a marker (the settlement of the marker-less layout, a part of
# the positional form): no dots, so nothing that looks like an abbreviation.
_UNMARKED = re.compile(r"[а-яё][а-яё0-9\-' ]*", re.IGNORECASE)

# A marker that may start a part of an address written without commas: at
# the start of a word, followed by a dot, a space or (house, building,
# apartment) a digit.
_PREFIX_KINDS: dict[str, str] = {
    **{m: "region" for m in REGION_MARKERS}, **{m: "settlement" for m in SETTLEMENT_MARKERS},
    **{m: "street" for m in STREET_MARKERS}, **{m: "unit" for m in BUILDING_MARKERS},
}
_CANDIDATE = re.compile(
    rf"(?<!\S)(?P<marker>{_alternation(_PREFIX_KINDS)})(?=[.\s0-9])", re.IGNORECASE
)
# A settlement, street or region type glued to the name it precedes, typed in
# lower case before a capital: "б-рИвана Финютина", "улЛенина".
_GLUED = re.compile(
    rf"(?<!\S)({_alternation(m for m, kind in _PREFIX_KINDS.items() if kind != 'unit')})(?=[А-ЯЁ])"
)
# The types that may follow a name.
_AFTER_NAME = {**REGION_MARKERS, **SETTLEMENT_MARKERS, **_SETTLEMENT_AFTER, **STREET_MARKERS}
# The types that may follow a name and are not a whole word ("ул", not "набережная").
_ABBREVIATED = set(_AFTER_NAME) - {
    spelling for kind in (*SETTLEMENT_TYPES, *STREET_TYPES)
    for spelling in (kind.full, kind.full.replace("ё", "е"))
} - {"область", "край"}
# Whole-word types that are also usual names.
_NAME_LIKE = {
    spelling for kind in STREET_TYPES if kind.also_a_name
    for spelling in (kind.full, kind.full.replace("ё", "е"))
}


def _likeness(word: str, capitals: bool) -> int:
    """How much a word of a name looks like a type: 0 not a type; 1 a capital letter (it may be
    an initial: "С. Лазо") or a capitalised type that is also a usual name ("Набережная"); 2 a
    capitalised type ("Село"), a type also a name in small letters, or one letter in an address
    written in capitals; 3 an abbreviation, a word with a dot ("ул", "пос.", "улица."), or a type
    in small letters ("село", "г."): names are capitalised, types are not."""
    bare = word.rstrip(".").lower()
    if bare not in _AFTER_NAME:
        return 0
    small = word[0].islower()
    if len(bare) == 1:
        return 3 if small else 2 if capitals else 1
    if word.endswith(".") or bare in _ABBREVIATED:
        return 3
    return (1 if bare in _NAME_LIKE else 2) + small


def _name_likeness(name: str, capitals: bool) -> int:
    """The sum of `_likeness` over the words of a name (a dot ends a word: "г.Красное")."""
    return sum(_likeness(word, capitals) for word in _NAME_WORDS.findall(name))


# A type written after its name, where a piece of a part without commas may end.
_SUFFIX_END = re.compile(
    rf"(?<!\S)(?:{_alternation(_AFTER_NAME)})"
    r"\.?\s+",  # the piece ends where the next word starts
    re.IGNORECASE,
)
_WORD = re.compile(r"(?<!\S)\S")
# A part with more split points than this is read as one piece.
_MAX_BOUNDS = 16

# A house, building or apartment number: digits with an optional "/n" and an
# optional letter ("17а", "5-а", "5/1"). A letter followed by a dot, another
# letter or a digit is not part of the value, so that "д.5к.2" and "д.5к2"
# read as house 5, building 2. Digits are ASCII 0-9 only.
_VALUE = r"[0-9]+(?:/[0-9]+)?(?:-?[а-яё](?![а-яё.0-9]))?"
# One "marker value" pair of the house part, e.g. "д.5", "корп 2", "кв12а".
# The marker may be glued to a number ("кв12"). A single letter is also
# accepted as a value (for "корп. б").
_UNIT = re.compile(
    rf"\s*(?P<marker>{_alternation(BUILDING_MARKERS)})"
    r"(?:\.\s*|\s+|(?=[0-9]))"
    rf"(?P<value>{_VALUE}|[а-яё](?![а-яё.0-9]))",
    re.IGNORECASE,
)
# A house number without a marker, perhaps followed by its building: "12",
# "12А", "18 К2", "18К2", "7 стр. 1".
_BARE = re.compile(rf"(?P<value>{_VALUE})(?P<rest>.*)", re.IGNORECASE)

_Fields = dict[str, str]


@dataclass(frozen=True)
class _Reading:
    """What one comma part of an address is."""

    kind: str  # "fields" (marked parts), "bare" (a number: house or flat) or "name" (unmarked)
    fields: _Fields
    first: str = ""  # the column of the fields that comes first in an address, and last
    last: str = ""


def _reading_of(kind: str, fields: _Fields) -> _Reading:
    ordered = sorted(fields, key=_RANK.__getitem__)
    return _Reading(kind, fields, ordered[0], ordered[-1])


_EMPTY = _Reading("fields", {})


_AFTER_NUMBERS = ("лет", "года", "км")  # words a number governs: "40 лет Победы", "23 км"


def _title(name: str) -> str:
    """Title-case a settlement or street name, word by word.

    Hyphenated parts are capitalised too ("Мамина-Сибиряка"), except the
    ending of an ordinal number ("1-я Парковая"), the prepositions of
    names like "Ростов-на-Дону", and the words a number governs in names
    like "40 лет Победы" or "23 км".
    """
    words = []
    for word in name.split(" "):
        if words and words[-1].isdigit() and word in _AFTER_NUMBERS:
            words.append(word)
            continue
        parts = word.split("-")
        out = [parts[0][:1].upper() + parts[0][1:]]
        for previous, part in zip(parts, parts[1:]):
            if previous.isdigit() or part in ("на", "под", "над"):
                out.append(part)
            else:
                out.append(part[:1].upper() + part[1:])
        words.append("-".join(out))
    return " ".join(words)


def _known_settlement_type(written: str) -> str | None:
    spelling = written.strip().lower().rstrip(".").replace("ё", "е")
    return SETTLEMENT_MARKERS.get(spelling) or _SETTLEMENT_AFTER.get(spelling)


def options_problem(params: dict) -> str | None:
    """The problem with the ``address`` transform's parameters, or None (checked at load)."""
    problem = _options_problem(params)
    return f"transform 'address': {problem}" if problem else None


def _options_problem(params: dict) -> str | None:
    street_type = params.get("street_type", "canonical")
    if street_type not in STREET_TYPE_FORMS:
        return f"street_type = {street_type!r} is not one of {list(STREET_TYPE_FORMS)}"
    letters = params.get("house_letters", "lower")
    if letters not in HOUSE_LETTERS:
        return f"house_letters = {letters!r} is not one of {list(HOUSE_LETTERS)}"
    settlement_type = params.get("settlement_type")
    if settlement_type is not None and _known_settlement_type(settlement_type) is None:
        return (f"settlement_type = {settlement_type!r} is not a settlement type (г, пос, с, дер, ...: "
                "see docs/mapping.md, Addresses)")
    fields = params.get("fields")
    if fields is None:
        if "separator" in params:
            return "separator is the separator of the positional form: give fields too"
        return None
    if not fields or not all(isinstance(field, str) for field in fields):
        return f"fields must list the parts' names, from {list(FIELDS)}; got {fields!r}"
    unknown = [field for field in fields if field not in FIELDS]
    if unknown:
        return f"fields: {unknown[0]!r} is not one of {list(FIELDS)}"
    repeated = [field for field in FIELDS if field != "skip" and fields.count(field) > 1]
    if repeated:
        return f"fields names {repeated[0]!r} more than once"
    for needed in ("settlement", "house"):
        if needed not in fields:
            return f"fields must name the {needed}: {list(fields)}"
    if params.get("separator", ",") == "":
        return "separator must not be empty, e.g. separator = \",\""
    return None


def _error(message: str) -> tuple[str | None, ...]:
    return (None,) * (len(_COLUMNS) - 1) + (message,)


class _Parser:
    """Parses addresses with one set of options, each distinct comma part once."""

    def __init__(self, street_type: str = "canonical", settlement_type: str | None = None,
                 house_letters: str = "lower", fields: list[str] | None = None,
                 separator: str = ","):
        problem = options_problem({
            "street_type": street_type, "house_letters": house_letters,
            **({"settlement_type": settlement_type} if settlement_type is not None else {}),
            **({"fields": fields, "separator": separator} if fields is not None else {}),
        })
        if problem:
            raise ValueError(problem)
        self.street_type = street_type
        self.settlement_type = (
            _known_settlement_type(settlement_type) if settlement_type is not None else None
        )
        self.letters = house_letters
        self.fields = tuple(fields) if fields is not None else None
        self.separator = separator
        self.part_cache: dict[str, _Reading | None] = {}
        self.piece_cache: dict[tuple[str, bool, bool], list[tuple[int, int, _Fields]]] = {}

    # -- the pieces of a part ------------------------------------------------

    def _value(self, value: str) -> str:
        # "5-а" and "5а" are the same house; keep the compact spelling.
        value = value.replace("-", "")
        if self.letters == "lower":
            return value.lower()
        return value.upper() if self.letters == "upper" else value

    def _street_type(self, marker: str, dot: str | None) -> str:
        kind = _STREET_KINDS[marker]
        if self.street_type == "canonical":
            return kind.canonical
        if self.street_type == "official":
            return kind.official
        if self.street_type == "full":
            return kind.full
        return marker + (dot or "")

    def _named(self, field: str, marker: str, dot: str | None, name: str) -> _Fields | None:
        marker = marker.lower()
        name = name.lower()
        # A bare number after "ул." is more likely a misplaced house number;
        # not after "мкр", "кв-л", "км", "линия".
        if not _HAS_LETTER.search(name) and not (field == "street" and _STREET_KINDS[marker].numbered):
            return None
        # Initials come before a surname: a name that ends in one letter ("Красное Село С.") has
        # taken the initial of the next name; and no name holds a house number ("Ленина д.12").
        if _ENDS_IN_LETTER.search(name) or _HOLDS_NUMBER.search(name):
            return None
        if field == "region":
            return {field: f"{_title(name)} {REGION_MARKERS[marker]}"}
        if field == "settlement":
            canonical = SETTLEMENT_MARKERS.get(marker) or _SETTLEMENT_AFTER[marker]
            return {field: f"{canonical} {_title(name)}"}
        return {field: f"{self._street_type(marker, dot)} {_title(name)}"}

    def _typed(self, part: str, fields: tuple[str, ...] = ("region", "settlement", "street"),
               closing: bool = True, whole: bool = True) -> list[tuple[int, int, _Fields]]:
        """The readings of one region, settlement or street, its type before or after the name:
        (how much the name looks like a type, 0 for a type before the name and 1 after, fields),
        the likelier first.

        Where the part reads both ways ("Набережная ул", "С. Лазо б-р", "ул. Набережная"), the
        reading whose name looks less like a type wins (`_name_likeness`); between equals, the
        type before the name ("ПРОЕЗД ПЕРЕУЛОК" is "пр-д Переулок"). A one-letter type after a name ("Энск г") is one only where the part ends
        (`closing`): inside a part written without commas it is rather the initial of the next
        name. There, too, a piece of a part (not `whole`) has no name that ends in a number
        ("г.Самара 8"): the number starts the next name ("8 Марта").
        """
        readings = []
        capitals = not _SMALL_LETTER.search(part)
        # Only the form whose marker the part starts or ends with can match: look it up first.
        first = _CANDIDATE.match(part)
        if first is not None and _PREFIX_KINDS[first["marker"].lower()] in fields:
            field = _PREFIX_KINDS[first["marker"].lower()]
            readings.append((0, field, _PREFIX_FORMS[field].fullmatch(part)))
        last = part.rpartition(" ")[2].lower().rstrip(".")
        for field in fields:
            if last in _AFTER_KINDS[field] and (closing or len(last) > 1):
                readings.append((1, field, _SUFFIX_FORMS[field].fullmatch(part)))
        found = [
            (_name_likeness(match["name"], capitals), after, named)
            for after, field, match in readings if match is not None
            if whole or not _ENDS_IN_NUMBER.search(match["name"])
            for named in [self._named(field, match["marker"], match["dot"], match["name"])]
            if named is not None
        ]
        return sorted(found, key=lambda reading: reading[:2])

    def _units(self, part: str, allowed: tuple[str, ...] = ("house", "building", "apartment")
               ) -> _Fields | None:
        """Read a run of "marker value" pairs such as ``д.5 к.2 кв.12а``."""
        fields: dict[str, str] = {}
        position = 0
        while position < len(part):
            match = _UNIT.match(part, position)
            if match is None:
                return None
            field = BUILDING_MARKERS[match["marker"].lower()]
            value = match["value"]
            if field in fields or field not in allowed or (field != "building" and not value[0].isdigit()):
                return None
            fields[field] = self._value(value)
            position = match.end()
        return fields or None

    def _bare(self, part: str) -> _Fields | None:
        """A number without a marker, and perhaps its building: ``12А``, ``18 К2``."""
        match = _BARE.fullmatch(part)
        if match is None:
            return None
        fields = {"house": self._value(match["value"])}
        if match["rest"].strip():
            building = self._units(match["rest"], allowed=("building",))
            if building is None:
                return None
            fields.update(building)
        return fields

    def _pieces(self, text: str, closing: bool = True, whole: bool = True) -> list[tuple[int, int, _Fields]]:
        """The readings of one region, settlement or street, or of a run of house, building and
        apartment pairs, the likelier first (see `_typed`)."""
        key = (text, closing, whole)
        try:
            return self.piece_cache[key]
        except KeyError:
            units = self._units(text)
            readings = self.piece_cache[key] = (
                [(0, 0, units)] if units else self._typed(text, closing=closing, whole=whole))
            return readings

    def _segmented(self, part: str) -> _Fields | None:
        """Read a part that holds one or several marked pieces: ``г.Самара ул.Ленина д.12``.

        The part may be split before a marker at the start of a word and after a type written
        after its name (``Московское ш.``) into pieces that each read as one region,
        settlement, street or run of house, building and apartment, in that order. The split
        into the most pieces wins (a marker word inside a name, as in ``с. Красное Село`` or
        ``ул. С. Лазо``, makes no piece of its own there), then the one whose names look least
        like types, then the one with fewer types after their names (`_typed`); two different
        readings as good as each other are not guessed between.
        """
        starts = {0}  # where a piece may start with its marker
        for match in _CANDIDATE.finditer(part):
            if _PREFIX_KINDS[match["marker"].lower()] == "unit" or not part[match.end()].isdigit():
                starts.add(match.start())
        ends = {len(part)} | {match.end() for match in _SUFFIX_END.finditer(part)}
        # A piece with its type after the name may start at any word.
        words = {match.start() for match in _WORD.finditer(part)} if len(ends) > 1 else set()
        bounds = sorted(starts | ends | words)
        if len(bounds) == 2 or len(bounds) > _MAX_BOUNDS:
            readings = self._pieces(part)
            return readings[0][2] if readings else None
        # Whether the piece that ends at a bound closes the part or comes before a marker.
        closing = [bound == len(part) or bound in starts for bound in bounds]

        def piece(i: int, j: int) -> list[tuple[int, int, _Fields]]:
            if bounds[i] not in starts and bounds[j] not in ends:
                return []  # a piece holds a marker at its start or a type at its end
            text = part[bounds[i]:bounds[j]].strip()
            return self._pieces(text, closing[j], i == 0 and j == len(bounds) - 1) if text else []

        # Split at every bound: the most pieces there can be, so if they all read, in order,
        # that is the reading (the usual case: "г.Самара ул.Ленина д.12 кв.34").
        whole: _Fields = {}
        last = -1
        for i in range(len(bounds) - 1):
            readings = piece(i, i + 1)
            if not readings or min(_RANK[field] for field in readings[0][2]) <= last:
                break
            whole.update(readings[0][2])
            last = max(_RANK[field] for field in readings[0][2])
        else:
            return whole

        ambiguous = object()
        best: dict[tuple[int, int], tuple[int, int, int, object] | None] = {}

        def read_from(i: int, last: int) -> tuple[int, int, int, object] | None:
            """The best reading of the part from bound i, after a piece of rank `last`: (pieces,
            minus how much the names look like types, minus the types after their names, fields
            or `ambiguous`)."""
            if (i, last) in best:
                return best[i, last]
            found: tuple[int, int, int, object] | None = None
            for j in range(i + 1, len(bounds)):
                for likeness, after, fields in piece(i, j):
                    ranks = [_RANK[field] for field in fields]
                    if min(ranks) <= last:
                        continue
                    if j == len(bounds) - 1:
                        option: tuple[int, int, int, object] = (1, -likeness, -after, fields)
                    else:
                        rest = read_from(j, max(ranks))
                        if rest is None:
                            continue
                        merged = rest[3] if rest[3] is ambiguous else {**fields, **rest[3]}
                        option = (1 + rest[0], rest[1] - likeness, rest[2] - after, merged)
                    if found is None or option[:3] > found[:3]:
                        found = option
                    elif option[:3] == found[:3] and option[3] != found[3]:
                        found = (*found[:3], ambiguous)
            best[i, last] = found
            return found

        result = read_from(0, -1)
        if result is None or result[3] is ambiguous:
            return None
        return result[3]

    def _read_part(self, part: str) -> _Reading | None:
        """Classify one comma-separated part of an address (stripped), or None if unreadable."""
        if not part:
            return _EMPTY
        fields = self._segmented(part)
        if fields is not None:
            return _reading_of("fields", fields)
        fields = self._bare(part)
        if fields is not None:
            return _reading_of("bare", fields)
        if _UNMARKED.fullmatch(part) and not _CANDIDATE.match(part):
            return _reading_of("name", {"settlement": self._unmarked_settlement(part)})
        return None

    def _unmarked_settlement(self, name: str) -> str:
        title = _title(name.lower())
        return f"{self.settlement_type} {title}" if self.settlement_type else title

    def _reading(self, part: str) -> _Reading | None:
        try:
            return self.part_cache[part]
        except KeyError:
            # no comma is added: the parts stay those of the text
            reading = self.part_cache[part] = self._read_part(_GLUED.sub(r"\1 ", part).strip())
            return reading

    # -- whole addresses -----------------------------------------------------

    def parse(self, value: str) -> tuple:
        """Parse one address into a row of `_COLUMNS` (this runs once per distinct address)."""
        text = collapse_spaces(value)
        if self.fields is not None:
            return self._positional(text)
        raw_parts = text.split(",")
        fields: dict[str, str] = {}
        # A first part without a marker ("САМАРА") is the settlement only in the marker-less
        # layout: settlement, street (with its type), house number without "д.", flat.
        unmarked: int | None = None
        after_street = False
        bare_house = False
        previous = None  # the last column the parts before filled
        for index, part in enumerate(raw_parts):
            reading = self._reading(part)
            if reading is _EMPTY:
                continue
            accepted = reading is not None
            if accepted and reading.kind == "name":
                accepted = not fields or set(fields) == {"region"}
                if accepted:
                    unmarked = index
            elif accepted and reading.kind == "bare":
                if "house" not in fields and previous in ("street", "settlement"):
                    bare_house = True
                elif bare_house and previous in ("house", "building") and reading.last == "house":
                    reading = _reading_of("bare", {"apartment": reading.fields["house"]})
                else:
                    accepted = False
            if accepted:
                if unmarked is not None and index != unmarked and previous == "settlement":
                    after_street = reading.first == "street"
                known = len(fields)
                fields.update(reading.fields)
                if len(fields) == known + len(reading.fields):
                    previous = reading.last
                    continue
            # Unreadable, or a second street, house, etc. A settlement without a marker that the
            # layout has not yet shown to be one is the part reported.
            if unmarked is not None and not (after_street and bare_house):
                index = unmarked
            return _error(f"cannot read {raw_parts[index].strip()!r} in {text!r}")
        if not fields:
            return _error("address is empty")
        if unmarked is not None and not (after_street and bare_house):
            return _error(f"cannot read {raw_parts[unmarked].strip()!r} in {text!r}")
        return self._complete(fields, text)

    def _complete(self, fields: _Fields, text: str) -> tuple:
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

    def _positional_field(self, field: str, part: str) -> _Fields | None:
        if field == "house":
            fields = self._units(part) if _UNIT.match(part) else self._bare(part)
            return fields if fields and "house" in fields else None
        if field in ("building", "apartment"):
            if _UNIT.match(part):
                return self._units(part, allowed=(field,))
            if re.fullmatch(_VALUE if field == "apartment" else rf"{_VALUE}|[а-яё]", part, re.IGNORECASE):
                return {field: self._value(part)}
            return None
        readings = self._typed(part, (field,))
        fields = readings[0][2] if readings else None
        if fields is not None:
            return fields
        if not _UNMARKED.fullmatch(part) or _CANDIDATE.match(part):
            return None
        if field == "settlement":
            return {field: self._unmarked_settlement(part)}
        return {field: _title(part.lower())}

    def _positional(self, text: str) -> tuple:
        """An address whose parts are given by position (``fields``), split by ``separator``."""
        fields: dict[str, str] = {}
        names = ", ".join(self.fields)
        for index, shown in enumerate(text.split(self.separator)):
            shown = shown.strip()
            if not shown:
                continue
            part = _GLUED.sub(r"\1 ", shown)
            if index >= len(self.fields):
                return _error(f"cannot read {shown!r} in {text!r}: more parts than fields ({names})")
            field = self.fields[index]
            if field == "skip":
                continue
            read = self._positional_field(field, part)
            if read is None:
                what = {"house": "a house number", "building": "a building number",
                        "apartment": "an apartment number"}.get(field, f"a {field}")
                return _error(f"cannot read {shown!r} in {text!r}: not {what} (part {index + 1}"
                              f" of {names})")
            known = len(fields)
            fields.update(read)
            if len(fields) != known + len(read):
                return _error(f"cannot read {shown!r} in {text!r}: a second "
                              f"{next(f for f in read if f in fields)}")
        if not fields:
            return _error("address is empty")
        return self._complete(fields, text)


def parse_address(addresses: pd.Series, *, street_type: str = "canonical",
                  settlement_type: str | None = None, house_letters: str = "lower",
                  fields: list[str] | None = None, separator: str = ",") -> pd.DataFrame:
    """Parse free-text addresses into region, settlement, street and units.

    Parameters
    ----------
    addresses : pandas.Series
        Addresses in style A (``г. Энск, ул. Ленина, д. 5, кв. 12а``), style
        B (``Энск г, Ленина ул, д.5 кв.12а``), marker-less
        (``САМАРА,ЛЕНИНА УЛ,12,34``) or without commas
        (``г.Самара ул.Ленина д.12 кв.34``), mixed, any letter case, with
        or without dots and spaces after markers. Missing values allowed.
    street_type : str
        How the street type is written: ``"canonical"`` (cutover's form:
        ``ул.``, ``пр-т``, ``пер.``), ``"official"`` (the ГАР short form:
        ``пр-кт``, ``мкр.``), ``"full"`` (``проспект``) or ``"as_written"``
        (the spelling typed, lower case, its dot if it had one). The type is
        always written before the name.
    settlement_type : str, optional
        The type of a settlement written without one (``САМАРА,...``), e.g.
        ``"г"``; without it such a settlement is its name alone.
    house_letters : str
        The letter case of house, building and apartment numbers:
        ``"lower"`` (``12а``), ``"upper"`` (``12А``) or ``"as_written"``.
    fields : list of str, optional
        The positional form: the address is split by `separator` and each
        part is the column named at its position (``"skip"``: ignored).
    separator : str
        The separator of the positional form.

    Returns
    -------
    pandas.DataFrame
        Indexed like `addresses`, with ``str`` columns ``region``
        (``Энская обл.``), ``settlement`` (``г. Энск``), ``street``
        (``ул. Ленина``), ``house``, ``building``, ``apartment`` (e.g.
        ``17а``) and ``error``. When ``error`` is set all other columns are
        missing. Errors: ``address is empty``, ``cannot read '<part>' in
        '<address>'`` (in the positional form followed by what the part is
        not), ``no settlement in '<address>'``, ``no street in
        '<address>'`` (outside villages ``с.``/``дер.``/``х.``/``аул``) and
        ``no house number in '<address>'``.

    Notes
    -----
    Each comma-separated part must be one of: region, settlement or street
    (type before or after the name), a run of house/building/apartment
    pairs, or several of these in that order without commas. In the
    marker-less layout a part without a marker is the settlement when it
    comes first and is followed by a street with its type and a house
    number without a marker; a bare number after the street is the house,
    one after the house the flat. A part that is none of these, or repeats a
    column already filled, is reported rather than guessed. The region is
    always written name first (``Пермский край``, ``Коми респ.``);
    settlement and street types always come first (``пос. Заречный``,
    ``пр-т Мира``).

    Examples
    --------
    >>> parse_address(pd.Series(["Энск г, Ленина ул, д.5 кв.12А"])).iloc[0].tolist()
    [nan, 'г. Энск', 'ул. Ленина', '5', nan, '12а', nan]
    """
    parser = _Parser(street_type, settlement_type, house_letters, fields, separator)
    # Parse each distinct address once; within those, streets and
    # settlements repeat, so each distinct comma part is read once too.
    codes, uniques = pd.factorize(addresses, use_na_sentinel=True)
    rows = [parser.parse(str(value)) for value in uniques.tolist()]
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
