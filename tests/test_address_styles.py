"""Addresses in the styles operators really typed (issue 17, item 2), all in one column:

* marker-less, comma separated: ``САМАРА,ЛЕНИНА УЛ,12,34`` (the building after the house: ``18 К2``);
* markers, no commas, sometimes glued: ``г.Самара ул.Ленина д.12 кв.34``, ``б-рИвана Финютина``;
* markers and commas: ``г. Самара, ул. Ленина, д. 12, корп. 2, кв. 34``;

street types before or after the name, every ГАР (ФИАС) street type and the spellings operators
use. The table below is generated from the ingredients in this file, and each row's expected parts
(settlement, street type, street name, house, building, flat) are put together from the same
ingredients, never by the parser.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from cutover.errors import MappingError
from cutover.extract.snapshot import ExtractedSource, ExtractResult
from cutover.mapping import address
from cutover.mapping.address import parse_address, premise_key
from cutover.mapping.apply.mapstage import map_entity
from cutover.mapping.apply.rejects import RejectLog
from cutover.mapping.apply.shape import shape_rows
from cutover.mapping.model import load_mapping
from cutover.mapping.transforms import REGISTRY
from cutover.schema.definition import target_schema

MAPPING_DOC = Path(__file__).resolve().parent.parent / "docs" / "mapping.md"


@dataclass(frozen=True)
class StreetType:
    full: str
    official: str  # the ГАР short form
    canonical: str  # what cutover writes by default
    spellings: tuple[str, ...]  # as operators type them (any case, a dot after any of them allowed)
    numbered: bool = False  # "мкр 5": a name of digits alone


# Every ГАР road-network type and the planning-structure types a street may be, written out here
# (not taken from the parser's data) so that a spelling lost from the data fails the test.
STREET_TYPES = [
    StreetType("аллея", "ал.", "ал.", ("аллея", "ал")),
    StreetType("бульвар", "б-р", "б-р", ("бульвар", "б-р", "бул", "бульв")),
    StreetType("взвоз", "взв.", "взв.", ("взвоз", "взв")),
    StreetType("въезд", "взд.", "взд.", ("въезд", "взд")),
    StreetType("дорога", "дор.", "дор.", ("дорога", "дор")),
    StreetType("заезд", "ззд.", "ззд.", ("заезд", "ззд")),
    StreetType("километр", "км", "км", ("километр", "км"), numbered=True),
    StreetType("кольцо", "к-цо", "к-цо", ("кольцо", "к-цо")),
    StreetType("коса", "коса", "коса", ("коса",)),
    StreetType("линия", "лн.", "лн.", ("линия", "лн"), numbered=True),
    StreetType("магистраль", "мгстр.", "мгстр.", ("магистраль", "мгстр")),
    StreetType("набережная", "наб.", "наб.", ("набережная", "наб", "набер")),
    StreetType("переезд", "пер-д", "пер-д", ("переезд", "пер-д")),
    StreetType("переулок", "пер.", "пер.", ("переулок", "пер", "переул")),
    StreetType("площадка", "пл-ка", "пл-ка", ("площадка", "пл-ка")),
    StreetType("площадь", "пл.", "пл.", ("площадь", "пл", "пл-дь", "площ")),
    StreetType("проезд", "пр-д", "пр-д", ("проезд", "пр-д", "пр-зд")),
    StreetType("просек", "пр-к", "пр-к", ("просек", "пр-к")),
    StreetType("просека", "пр-ка", "пр-ка", ("просека", "пр-ка")),
    StreetType("просёлок", "пр-лок", "пр-лок", ("просёлок", "проселок", "пр-лок")),
    StreetType("проспект", "пр-кт", "пр-т", ("проспект", "пр-кт", "пр-т", "пркт", "просп", "пр")),
    StreetType("проулок", "проул.", "проул.", ("проулок", "проул")),
    StreetType("разъезд", "рзд.", "рзд.", ("разъезд", "рзд")),
    StreetType("ряд", "ряд", "ряд", ("ряд", "ряды")),
    StreetType("сквер", "с-р", "с-р", ("сквер", "с-р")),
    StreetType("спуск", "с-к", "с-к", ("спуск", "с-к", "сп")),
    StreetType("съезд", "сзд.", "сзд.", ("съезд", "сзд")),
    StreetType("тракт", "тракт", "тракт", ("тракт", "тр-т")),
    StreetType("тупик", "туп.", "туп.", ("тупик", "туп")),
    StreetType("улица", "ул.", "ул.", ("улица", "ул")),
    StreetType("шоссе", "ш.", "ш.", ("шоссе", "ш", "шос")),
    StreetType("микрорайон", "мкр.", "мкр", ("микрорайон", "мкр", "мкрн", "мкр-н", "мк-н"), numbered=True),
    StreetType("квартал", "кв-л", "кв-л", ("квартал", "кв-л", "кварт"), numbered=True),
    StreetType("территория", "тер.", "тер.", ("территория", "тер", "терр")),
    StreetType("жилой район", "жилрайон", "жилрайон", ("жилрайон", "ж/р")),
    StreetType("промышленная зона", "промзона", "промзона", ("промзона",)),
]

# (type as typed, what cutover writes, a private house may have no street)
SETTLEMENT_TYPES = [
    ("г", "г.", False), ("гор", "г.", False), ("город", "г.", False),
    ("пгт", "пгт", False), ("рп", "рп", False), ("кп", "кп", False), ("дп", "дп", False),
    ("п", "пос.", False), ("пос", "пос.", False), ("посёлок", "пос.", False), ("поселок", "пос.", False),
    ("с", "с.", True), ("село", "с.", True),
    ("дер", "дер.", True), ("деревня", "дер.", True),
    ("х", "х.", True), ("хутор", "х.", True),
    ("ст-ца", "ст-ца", False), ("станица", "ст-ца", False),
    ("аул", "аул", True), ("сл", "сл.", False), ("слобода", "сл.", False), ("нп", "нп", False),
]
SETTLEMENT_NAMES = ["Самара", "Новый Уренгой", "Ростов-на-Дону", "Заречный", "Сергиев Посад", "Красное Село"]
STREET_NAMES = ["Ленина", "Ивана Финютина", "Молодёжная", "8 Марта", "1-я Парковая", "К. Маркса", "Мира",
                "Мамина-Сибиряка", "Героев Труда", "С. Лазо"]

# (house as typed after "д.", house, building) and the flats; "12А" is written "12а" by default.
HOUSES = [("12", "12", None), ("12А", "12а", None), ("5/1", "5/1", None), ("18", "18", "2"),
          ("7", "7", "1"), ("3-Б", "3б", None), ("40", "40", "а")]
FLATS = [("34", "34"), (None, None), ("7а", "7а"), ("120", "120"), (None, None)]


@dataclass(frozen=True)
class Case:
    address: str
    style: str
    settlement: str
    street_type: str | None  # as cutover writes it by default
    street: str | None  # the name, Title Case
    house: str
    building: str | None
    flat: str | None

    def expected(self) -> tuple:
        street = f"{self.street_type} {self.street}" if self.street_type else None
        return (self.settlement, street, self.house, self.building, self.flat)


def _building_after_house(style: str, index: int, building: str) -> str:
    """The building as each style writes it (a letter never glued to "к")."""
    if building.isalpha():
        return {"commas": ", лит. {}", "glued": " лит.{}"}.get(style, " ЛИТ {}").format(building)
    if style == "commas":
        return [", корп. {}", ", к. {}", ", стр. {}", ", лит. {}", ", корпус {}"][index % 5].format(building)
    if style == "glued":
        return [" к.{}", " корп.{}", " стр.{}", " К{}", " лит.{}"][index % 5].format(building)
    return [" К{}", "К{}", " КОРП {}", " СТР {}", " ЛИТ {}"][index % 5].format(building.upper())


def _render(style: str, index: int, settlement: tuple, street: tuple | None, house: tuple, flat: tuple) -> str:
    """One address as an operator of that style typed it: settlement (type, name), street (spelling,
    name, type after the name?), house (as typed, -, building) and flat."""
    (stype, sname), (typed_house, _, building), (typed_flat, _) = settlement, house, flat
    dot = "." if index % 2 == 0 else ""
    if style == "commas":  # г. Самара, ул. Ленина, д. 12, корп. 2, кв. 34
        parts = [f"{stype}. {sname}" if stype else sname]
        if street:
            spelling, name, after = street
            parts.append(f"{name} {spelling}{dot}" if after else f"{spelling}{dot} {name}")
        text = ", ".join(parts) + f", {['д.', 'д', 'дом'][index % 3]} {typed_house}"
        if building:
            text += _building_after_house(style, index, building)
        if typed_flat:
            text += f", {['кв.', 'кв', 'квартира'][index % 3]} {typed_flat}"
        return text
    if style == "glued":  # г.Самара ул.Ленина д.12 кв.34, б-рИвана Финютина
        text = f"{stype}.{sname}"
        if street:
            spelling, name, after = street
            if after:
                text += f" {name} {spelling}{dot}"
            elif name[0].isalpha() and index % 3 != 2:
                text += f" {spelling}{name}"  # glued: the type in lower case, the name capitalised
            else:
                text += f" {spelling}.{name}"
        text += f" д.{typed_house}"
        if building:
            text += _building_after_house(style, index, building)
        if typed_flat:
            text += f" кв.{typed_flat}"
        return text
    # marker-less: САМАРА,ЛЕНИНА УЛ,12,34 (a type before the name too: УЛ ЛЕНИНА)
    parts = [f"{sname} {stype}".upper() if stype else sname.upper()]
    if street:
        spelling, name, after = street
        parts.append((f"{name} {spelling}" if after else f"{spelling} {name}").upper())
    text = ",".join(parts) + "," + typed_house.upper().replace("-", "")
    if building:
        text += _building_after_house(style, index, building)
    if typed_flat:
        text += "," + typed_flat.upper()
    return text


def _cases() -> list[Case]:
    """Every street type spelling in every style, before and after the name, with settlements,
    houses, buildings and flats taken in turn; then every settlement type, villages without a
    street, and private houses without a flat."""
    cases = []
    counter = itertools.count()
    for kind in STREET_TYPES:
        for spelling in kind.spellings:
            for style, after in (("commas", False), ("commas", True), ("glued", False), ("glued", True),
                                 ("markerless", True), ("markerless", False)):
                index = next(counter)
                # Without commas, a street with its type after the name shows no end of the
                # settlement's name: "г.Новый Уренгой Ивана Финютина б-р" reads several ways and is
                # not guessed (see the rejects); with one-word names it is clear.
                one_word = style == "glued" and after
                names = [n for n in STREET_NAMES if " " not in n] if one_word else STREET_NAMES
                name = names[index % len(names)]
                # marker-less, "КРАСНОЕ СЕЛО" is "с. Красное" (the type after the name, as it is typed)
                names = SETTLEMENT_NAMES[:5] if style == "markerless" else SETTLEMENT_NAMES
                names = [n for n in names if " " not in n] if one_word else names
                settlement_name = names[index % len(names)]
                house = HOUSES[index % len(HOUSES)]
                flat = FLATS[index % len(FLATS)]
                stype = None if style == "markerless" else "г"
                text = _render(style, index, (stype, settlement_name), (spelling, name, after), house, flat)
                cases.append(Case(text, style, f"г. {settlement_name}" if stype else settlement_name,
                                  kind.canonical, name, house[1], house[2], flat[1]))
    for spelling, canonical, village in SETTLEMENT_TYPES:
        for style in ("commas", "glued"):
            index = next(counter)
            name = SETTLEMENT_NAMES[index % len(SETTLEMENT_NAMES)]
            house, flat = HOUSES[index % len(HOUSES)], FLATS[index % len(FLATS)]
            text = _render(style, index, (spelling, name), ("ул", "Ленина", False), house, flat)
            cases.append(Case(text, style, f"{canonical} {name}", "ул.", "Ленина", house[1], house[2], flat[1]))
        # the type after the name: "Самара г, Ленина ул, ..." and "САМАРА Г,ЛЕНИНА УЛ,12,34"
        index = next(counter)
        name = SETTLEMENT_NAMES[index % len(SETTLEMENT_NAMES)]
        house, flat = HOUSES[index % len(HOUSES)], FLATS[index % len(FLATS)]
        text = _render("markerless", index, (spelling, name), ("ул", "Мира", True), house, flat)
        cases.append(Case(text, "markerless", f"{canonical} {name}", "ул.", "Мира", house[1], house[2], flat[1]))
        if village:  # a private house in a village: no street, no flat
            for style in ("commas", "glued", "markerless"):
                index = next(counter)
                house = HOUSES[index % len(HOUSES)]
                text = _render(style, index, (spelling, "Ивановка"), None, house, (None, None))
                cases.append(Case(text, style, f"{canonical} Ивановка", None, None, house[1], house[2], None))
    # the issue's own examples
    cases += [
        Case("САМАРА,ЛЕНИНА УЛ,12,34", "markerless", "Самара", "ул.", "Ленина", "12", None, "34"),
        Case("САМАРА,ЛЕНИНА УЛ,18 К2,34", "markerless", "Самара", "ул.", "Ленина", "18", "2", "34"),
        Case("г.Самара ул.Ленина д.12 кв.34", "glued", "г. Самара", "ул.", "Ленина", "12", None, "34"),
        Case("г.Самара б-рИвана Финютина д.5", "glued", "г. Самара", "б-р", "Ивана Финютина", "5", None, None),
        Case("г. Самара, ул. Ленина, д. 12, корп. 2, кв. 34", "commas", "г. Самара", "ул.", "Ленина", "12", "2",
             "34"),
    ]
    # деревня written "д" only after its name (before it, "д." is a house)
    cases.append(Case("Дубки д, д. 3", "commas", "дер. Дубки", None, None, "3", None, None))
    cases.append(Case("ДУБКИ Д,3", "markerless", "дер. Дубки", None, None, "3", None, None))
    return cases


CASES = _cases()


def _parsed(addresses, **options) -> list[tuple]:
    frame = parse_address(pd.Series(addresses), **options)
    return [tuple(None if pd.isna(v) else v for v in row) for row in frame.itertuples(index=False)]


def test_the_table_covers_every_style_type_and_spelling():
    assert len(CASES) >= 200
    assert {case.style for case in CASES} == {"commas", "glued", "markerless"}
    typed = {spelling for kind in STREET_TYPES for spelling in kind.spellings}
    # every street type the parser accepts is in the table, and nothing more
    assert typed == set(address.STREET_MARKERS)
    assert {spelling for spelling, _, _ in SETTLEMENT_TYPES} | {"д"} == (
        set(address.SETTLEMENT_MARKERS) | {"д"})
    for spelling in typed:
        found = [case for case in CASES if re.search(rf"(?<![а-яё]){re.escape(spelling)}(?![а-яё])",
                                                      case.address, re.IGNORECASE)]
        assert {case.style for case in found} == {"commas", "glued", "markerless"}, spelling
    # buildings after the house, private houses without a flat, letters in house numbers
    assert any("18 К2" in case.address for case in CASES)
    assert any(case.flat is None and case.street is not None for case in CASES)
    assert any(case.street is None for case in CASES)
    assert any("12А" in case.address for case in CASES)
    assert any("б-рИвана Финютина" in case.address for case in CASES)


def test_every_address_of_the_table_gives_its_parts():
    rows = _parsed([case.address for case in CASES])
    wrong = [(case.address, row[1:6], case.expected()) for case, row in zip(CASES, rows)
             if row[1:6] != case.expected() or row[0] is not None or row[6] is not None]
    assert not wrong, "\n".join(f"{a!r}: got {got}, expected {expected}" for a, got, expected in wrong[:20])


def test_the_three_styles_in_one_column_give_one_premise():
    column = ["САМАРА,ЛЕНИНА УЛ,18 К2,34", "г.Самара ул.Ленина д.18 к.2 кв.34",
              "г. Самара, ул. Ленина, д. 18, корп. 2, кв. 34", "Самара г, Ленина ул, д.18 к.2 кв.34",
              "САМАРА,УЛ ЛЕНИНА,18К2,34"]
    keys = premise_key(parse_address(pd.Series(column), settlement_type="г"))
    assert keys.tolist() == ["г. самара|ул. ленина|18|2|34"] * len(column)
    # without settlement_type the marker-less settlement is its name alone: another premise
    assert premise_key(parse_address(pd.Series(column[:1]))).tolist() == ["самара|ул. ленина|18|2|34"]


@pytest.mark.parametrize("form", ["official", "full"])
def test_street_type_official_and_full(form):
    for kind in STREET_TYPES:
        written = kind.official if form == "official" else kind.full
        addresses = [f"г. Самара, {spelling} Мира, д. 1" for spelling in kind.spellings]
        addresses += [f"САМАРА,МИРА {spelling.upper()},1" for spelling in kind.spellings]
        streets = [row[2] for row in _parsed(addresses, street_type=form)]
        assert streets == [f"{written} Мира"] * len(addresses), kind.full


def test_street_type_as_written():
    rows = _parsed(["САМАРА,ЛЕНИНА УЛ,12,34", "г.Самара ул.Ленина д.12", "г.Самара б-рИвана Финютина д.5",
                    "г. Самара, Московское Ш., д. 1", "г. Самара, ПРОСП. Мира, д. 1", "г. Самара, пр-кт Мира, д. 1"],
                   street_type="as_written")
    assert [row[2] for row in rows] == ["ул Ленина", "ул. Ленина", "б-р Ивана Финютина", "ш. Московское",
                                        "просп. Мира", "пр-кт Мира"]


def test_house_letters():
    address_ = ["г. Самара, ул. Ленина, д. 12А, корп. Б, кв. 7а"]
    assert _parsed(address_)[0][3:6] == ("12а", "б", "7а")
    assert _parsed(address_, house_letters="upper")[0][3:6] == ("12А", "Б", "7А")
    assert _parsed(address_, house_letters="as_written")[0][3:6] == ("12А", "Б", "7а")


def test_numbered_streets():
    rows = _parsed(["г. Самара, мкр 5, д. 3", "г. Самара, 5 мкр., д. 3", "г. Самара, кв-л 12, д. 3",
                    "г. Самара лн.5 д.1", "САМАРА,14 КМ,2"])
    assert [row[2] for row in rows] == ["мкр 5", "мкр 5", "кв-л 12", "лн. 5", "км 14"]


def test_marker_words_inside_names_are_not_split():
    rows = _parsed(["с. Красное Село ул. Мира д. 1", "г. Энск ул. С. Лазо д. 5", "г. Энск ул. Набережная д. 1",
                    "Энск г, Набережная ул, д.1", "Набережная село, Мира ул, д.1", "г.Самара Московское ш. д.5",
                    "пос. Дом Отдыха ул. Мира д. 2", "Кольцо село, Мира ул, д.1", "С. Лазо набережная, Энск г, д. 1",
                    "ПРОЕЗД ПЕРЕУЛОК, ЭНСК Г, Д. 1", "КРАСНОЕ СЕЛО,ЛЕНИНА УЛ,1"])
    assert [row[1:3] for row in rows] == [
        ("с. Красное Село", "ул. Мира"), ("г. Энск", "ул. С. Лазо"), ("г. Энск", "ул. Набережная"),
        ("г. Энск", "ул. Набережная"), ("с. Набережная", "ул. Мира"), ("г. Самара", "ш. Московское"),
        ("пос. Дом Отдыха", "ул. Мира"), ("с. Кольцо", "ул. Мира"), ("г. Энск", "наб. С. Лазо"),
        # in capitals the type before the name wins between equals; a type after a name is one
        ("г. Энск", "пр-д Переулок"), ("с. Красное", "ул. Ленина"),
    ]


@pytest.mark.parametrize(("text", "message"), [
    ("г. Самара, ул. Ленина, дом без номера", "cannot read 'дом без номера' in 'г. Самара, ул. Ленина, дом без номера'"),
    # the marker-less layout needs the street's type and a house number without "д."
    ("САМАРА,ЛЕНИНА,12,34", "cannot read 'САМАРА' in 'САМАРА,ЛЕНИНА,12,34'"),
    ("САМАРА,ЛЕНИНА УЛ,Д.12,34", "cannot read 'САМАРА' in 'САМАРА,ЛЕНИНА УЛ,Д.12,34'"),
    ("г. Самара, Ленина, д. 5", "cannot read 'Ленина' in 'г. Самара, Ленина, д. 5'"),
    ("САМАРА,ЛЕНИНА УЛ,12,34,56", "cannot read '56' in 'САМАРА,ЛЕНИНА УЛ,12,34,56'"),
    ("САМАРА,ЛЕНИНА УЛ,12,34 К2", "cannot read '34 К2' in 'САМАРА,ЛЕНИНА УЛ,12,34 К2'"),
    ("г.Самара ул.Ленина", "no house number in 'г.Самара ул.Ленина'"),
    ("г.Самара ул.Ленина д.12 д.14", "cannot read 'г.Самара ул.Ленина д.12 д.14' in 'г.Самара ул.Ленина д.12 д.14'"),
    # a type glued to the name in capitals cannot be told from the name
    ("Г.САМАРА Б-РИВАНА ФИНЮТИНА Д.5", "no street in 'Г.САМАРА Б-РИВАНА ФИНЮТИНА Д.5'"),
    # two readings in as many pieces are not guessed between
    ("г Энск ул Мира ул Ленина д 5", "cannot read 'г Энск ул Мира ул Ленина д 5' in 'г Энск ул Мира ул Ленина д 5'"),
    # without commas a type after the street's name shows no end of the settlement's name:
    # "г. Новый + б-р Уренгой Ивана Финютина", "г. Новый Уренгой + б-р Ивана Финютина", ...
    ("г.Новый Уренгой Ивана Финютина б-р д.12", "cannot read 'г.Новый Уренгой Ивана Финютина б-р д.12' in "
                                               "'г.Новый Уренгой Ивана Финютина б-р д.12'"),
    ("г.Красное Село 8 Марта аллея д.18", "cannot read 'г.Красное Село 8 Марта аллея д.18' in "
                                         "'г.Красное Село 8 Марта аллея д.18'"),
    ("г. Самара, ул. Ленина, д. 12, корп. 2, корп. 3",
     "cannot read 'корп. 3' in 'г. Самара, ул. Ленина, д. 12, корп. 2, корп. 3'"),
    # a number with a digit of another script is not a house number
    ("г. Самара, ул. Ленина, д. ١٢", "cannot read 'д. ١٢' in 'г. Самара, ул. Ленина, д. ١٢'"),
    ("Самара, 12", "cannot read 'Самара' in 'Самара, 12'"),
])
def test_what_it_cannot_read_is_a_reject_naming_the_part(text, message):
    assert _parsed([text]) == [(None,) * 6 + (message,)]


POSITIONAL = {"fields": ["skip", "settlement", "street", "house", "apartment"], "separator": ";"}


def test_the_positional_form():
    rows = _parsed(["443001;САМАРА;ЛЕНИНА;12;34", "443001;Самара;ул. Ленина;18 К2;", "; г. Самара;Ленина ул;д. 5",
                    "443001;САМАРА;б-рИвана Финютина;12А;7", ";Ивановка с;;3"], **POSITIONAL)
    assert rows == [
        (None, "Самара", "Ленина", "12", None, "34", None),
        (None, "Самара", "ул. Ленина", "18", "2", None, None),
        (None, "г. Самара", "ул. Ленина", "5", None, None, None),
        (None, "Самара", "б-р Ивана Финютина", "12а", None, "7", None),
        (None, "с. Ивановка", None, "3", None, None, None),
    ]
    assert _parsed(["САМАРА,ЛЕНИНА УЛ,12"], fields=["settlement", "street", "house"], settlement_type="г.") == [
        (None, "г. Самара", "ул. Ленина", "12", None, None, None)]
    assert _parsed(["САМАРА|ЛЕНИНА|12 К2|3"], fields=["settlement", "street", "house", "building"],
                   separator="|") == [(None,) * 6 + ("cannot read '3' in 'САМАРА|ЛЕНИНА|12 К2|3': a second building",)]


@pytest.mark.parametrize(("text", "message"), [
    ("1;САМАРА;ЛЕНИНА;дом;34", "cannot read 'дом' in '1;САМАРА;ЛЕНИНА;дом;34': not a house number "
                               "(part 4 of skip, settlement, street, house, apartment)"),
    ("1;САМАРА;ЛЕНИНА;12;34;5", "cannot read '5' in '1;САМАРА;ЛЕНИНА;12;34;5': more parts than fields "
                                "(skip, settlement, street, house, apartment)"),
    ("1;САМАРА;ЛЕНИНА;12;кв 3 к 2", "cannot read 'кв 3 к 2' in '1;САМАРА;ЛЕНИНА;12;кв 3 к 2': not an apartment "
                                    "number (part 5 of skip, settlement, street, house, apartment)"),
    ("1;САМАРА;ЛЕНИНА;12 К2;к 3", "cannot read 'к 3' in '1;САМАРА;ЛЕНИНА;12 К2;к 3': not an apartment number "
                                  "(part 5 of skip, settlement, street, house, apartment)"),
    ("1;САМАРА;;12", "no street in '1;САМАРА;;12'"),
    ("1;;ЛЕНИНА;12", "no settlement in '1;;ЛЕНИНА;12'"),
    ("1;САМАРА;ЛЕНИНА", "no house number in '1;САМАРА;ЛЕНИНА'"),
    (";;;", "address is empty"),
])
def test_the_positional_form_rejects_what_it_cannot_read(text, message):
    assert _parsed([text], **POSITIONAL) == [(None,) * 6 + (message,)]


def check(**params) -> str | None:
    return REGISTRY["address"].check(params)


def test_parameters_are_checked_when_the_mapping_loads():
    assert check() is None
    assert check(street_type="official", house_letters="upper", settlement_type="г.") is None
    assert check(fields=["settlement", "street", "house"], separator=";") is None
    assert check(street_type="short") == (
        "transform 'address': street_type = 'short' is not one of ['canonical', 'official', 'full', 'as_written']")
    assert check(house_letters="title") == (
        "transform 'address': house_letters = 'title' is not one of ['lower', 'upper', 'as_written']")
    assert check(settlement_type="мегаполис") == (
        "transform 'address': settlement_type = 'мегаполис' is not a settlement type (г, пос, с, дер, ...: "
        "see docs/mapping.md, Addresses)")
    assert check(separator=";") == (
        "transform 'address': separator is the separator of the positional form: give fields too")
    assert check(fields=["settlement", "flat", "house"]) == (
        "transform 'address': fields: 'flat' is not one of ['region', 'settlement', 'street', 'house', "
        "'building', 'apartment', 'skip']")
    assert check(fields=["settlement", "house", "house"]) == "transform 'address': fields names 'house' more than once"
    assert check(fields=["settlement", "street"]) == (
        "transform 'address': fields must name the house: ['settlement', 'street']")
    assert check(fields=["settlement", "house"], separator="") == (
        "transform 'address': separator must not be empty, e.g. separator = \",\"")
    with pytest.raises(MappingError, match="^transform 'address': street_type = 'short'"):
        REGISTRY["address"].function(pd.Series(["г. Энск, ул. Мира, д. 1"]), street_type="short")


SYSTEM = """
[system]
name = "styles"
[sources.adr]
file = "adr.csv"
"""

PREMISE = """
[entity]
name = "premise"
source = "adr"
key = ["ID"]
[[columns]]
to = ["region", "settlement", "street", "house", "building", "apartment"]
from = "ADR"
transforms = [{ name = "address", street_type = "official", settlement_type = "г" }]
"""


def _write(folder: Path, premise: str) -> Path:
    (folder / "entities").mkdir(parents=True)
    (folder / "system.toml").write_text(SYSTEM, encoding="utf-8")
    (folder / "entities" / "premise.toml").write_text(premise, encoding="utf-8")
    return folder


def test_a_mapping_with_address_parameters_loads_and_maps_rows(tmp_path):
    premise = load_mapping(_write(tmp_path / "ok", PREMISE)).entity("premise")
    rows = pd.DataFrame({"_row": [2, 3, 4], "ID": ["1", "2", "3"],
                         "ADR": ["САМАРА,ЛЕНИНА ПР,12,34", "г.Самара пр-тЛенина д.12 кв.34", "САМАРА,ЛЕНИНА,12,34"]})
    extracted = ExtractResult({"adr": ExtractedSource(name="adr", location="adr.csv", held=rows, sha256=None,
                                                      details={}, snapshot=None)})
    rejects = RejectLog()
    frame = map_entity(premise, target_schema().table("premise"), "adr.csv", shape_rows(premise, extracted).frame,
                       rejects).frame
    assert frame["street"].tolist()[:2] == ["пр-кт Ленина", "пр-кт Ленина"]
    assert frame["settlement"].tolist()[:2] == ["г. Самара", "г. Самара"]
    found = rejects.frame("premise")[["row_number", "rule", "message"]].values.tolist()
    assert found == [[4, "BAD_ADDRESS", "cannot read 'САМАРА' in 'САМАРА,ЛЕНИНА,12,34'"]]
    with pytest.raises(MappingError) as caught:
        load_mapping(_write(tmp_path / "bad", PREMISE.replace('"official"', '"short"')))
    assert str(caught.value).endswith(
        "columns[0].transforms[0]: transform 'address': street_type = 'short' is not one of "
        "['canonical', 'official', 'full', 'as_written']")


def test_each_distinct_address_is_parsed_once(monkeypatch):
    seen = []
    parse = address._Parser.parse
    monkeypatch.setattr(address._Parser, "parse", lambda self, value: seen.append(value) or parse(self, value))
    result = parse_address(pd.Series(["САМАРА,ЛЕНИНА УЛ,12,34"] * 500 + ["г.Самара ул.Ленина д.1"] * 500 + [None]))
    assert sorted(seen) == sorted(["г.Самара ул.Ленина д.1", "САМАРА,ЛЕНИНА УЛ,12,34"])
    assert result["street"].nunique() == 1 and result["error"].tolist()[-1] == "address is empty"


def _addresses_section() -> str:
    text = MAPPING_DOC.read_text(encoding="utf-8")
    assert "\n#### Addresses\n" in text
    return text.split("\n#### Addresses\n", 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]


def test_the_docs_list_every_marker_and_type_accepted():
    section = _addresses_section()
    listed = set(re.findall(r"`([^`]+)`", section))
    markers = (set(address.STREET_MARKERS) | set(address.SETTLEMENT_MARKERS) | set(address.REGION_MARKERS)
               | set(address.BUILDING_MARKERS) | {"д"})
    missing = sorted(marker for marker in markers if marker not in listed)
    assert not missing, f"docs/mapping.md, Addresses, does not list {missing}"
    for kind in STREET_TYPES:
        assert f"`{kind.official}`" in section, kind.full
    for parameter in ("street_type", "settlement_type", "house_letters", "fields", "separator"):
        assert f"`{parameter}`" in section, parameter
