"""Tests for parsing free-text legacy addresses (cutover.mapping.address)."""

import numpy as np
import pandas as pd
import pytest

from cutover.mapping.address import parse_address, premise_key

COLUMNS = [
    "region", "settlement", "street", "house", "building", "apartment", "error",
]


def _parse_one(address):
    """Parse a single address; return its row with missing values as None."""
    row = parse_address(pd.Series([address])).iloc[0]
    return tuple(None if pd.isna(item) else item for item in row)


def _ok(region, settlement, street, house, building=None, apartment=None):
    return (region, settlement, street, house, building, apartment, None)


ENSK_LENINA_5_2_12A = _ok(None, "г. Энск", "ул. Ленина", "5", "2", "12а")


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        # Style A, prefix markers.
        (
            "Энская обл., г. Энск, ул. Ленина, д. 5, корп. 2, кв. 12а",
            _ok("Энская обл.", "г. Энск", "ул. Ленина", "5", "2", "12а"),
        ),
        ("г. Энск, ул. Ленина, д. 5, корп. 2, кв. 12а", ENSK_LENINA_5_2_12A),
        ("г. Энск, ул. Ленина, д. 5", _ok(None, "г. Энск", "ул. Ленина", "5")),
        # Style B, suffix markers and a compact house part.
        ("Энск г, Ленина ул, д.5 к.2 кв.12а", ENSK_LENINA_5_2_12A),
        ("Энск г., Ленина ул., д. 5 корп. 2 кв. 12а", ENSK_LENINA_5_2_12A),
        (
            "Энская обл, Энск г, Ленина ул, д.5",
            _ok("Энская обл.", "г. Энск", "ул. Ленина", "5"),
        ),
        # Upper case.
        (
            "Г. ЭНСК, УЛ. КАРЛА МАРКСА, Д. 5, КОРП. 2, КВ. 12А",
            _ok(None, "г. Энск", "ул. Карла Маркса", "5", "2", "12а"),
        ),
        ("ЭНСК Г, ЛЕНИНА УЛ, Д.5 К.2 КВ.12А", ENSK_LENINA_5_2_12A),
        # Dots missing, spaces after markers missing, marker glued to number.
        ("г Энск, ул Ленина, д 5, корп 2, кв 12а", ENSK_LENINA_5_2_12A),
        ("г.Энск, ул.Ленина, д.5, корп.2, кв.12а", ENSK_LENINA_5_2_12A),
        ("г.Энск,ул.Ленина,д5,корп2,кв12А", ENSK_LENINA_5_2_12A),
        ("Энск г, Ленина ул, д.5к.2кв.12а", ENSK_LENINA_5_2_12A),
        ("Энск г, Ленина ул, д5к2кв12а", ENSK_LENINA_5_2_12A),
        # Whitespace: double spaces, NBSP, tabs, embedded newlines.
        (
            "  г.  Энск,\n ул.\u00a0Ленина,\r\n\tд. 5,  корп. 2,\nкв. 12а ",
            ENSK_LENINA_5_2_12A,
        ),
        # A trailing or doubled comma carries no information.
        ("г. Энск, ул. Ленина,, д. 5, корп. 2, кв. 12а,", ENSK_LENINA_5_2_12A),
        # Regions.
        (
            "Энская область, г. Энск, ул. Ленина, д. 5",
            _ok("Энская обл.", "г. Энск", "ул. Ленина", "5"),
        ),
        (
            "обл. Энская, г. Энск, ул. Ленина, д. 5",
            _ok("Энская обл.", "г. Энск", "ул. Ленина", "5"),
        ),
        (
            "Пермский край, г. Пермь, ул. Ленина, д. 5",
            _ok("Пермский край", "г. Пермь", "ул. Ленина", "5"),
        ),
        (
            "респ. Коми, г. Сыктывкар, ул. Ленина, д. 5",
            _ok("Коми респ.", "г. Сыктывкар", "ул. Ленина", "5"),
        ),
        # Settlements, prefix and suffix.
        ("город Энск, ул. Ленина, д. 5", _ok(None, "г. Энск", "ул. Ленина", "5")),
        (
            "пос. Заречный, ул. Мира, д. 1",
            _ok(None, "пос. Заречный", "ул. Мира", "1"),
        ),
        ("п Заречный, ул. Мира, д. 1", _ok(None, "пос. Заречный", "ул. Мира", "1")),
        ("Заречный п., Мира ул, д.1", _ok(None, "пос. Заречный", "ул. Мира", "1")),
        ("Заречный пос, Мира ул, д.1", _ok(None, "пос. Заречный", "ул. Мира", "1")),
        ("пгт Заря, ул. Мира, д. 1", _ok(None, "пгт Заря", "ул. Мира", "1")),
        ("Заря пгт, Мира ул, д.1", _ok(None, "пгт Заря", "ул. Мира", "1")),
        ("с. Ивановка, ул. Мира, д. 1", _ok(None, "с. Ивановка", "ул. Мира", "1")),
        ("село Ивановка, ул. Мира, д. 1", _ok(None, "с. Ивановка", "ул. Мира", "1")),
        ("Ивановка с, Мира ул, д.1", _ok(None, "с. Ивановка", "ул. Мира", "1")),
        ("дер. Дубки, ул. Мира, д. 1", _ok(None, "дер. Дубки", "ул. Мира", "1")),
        # A village house may have no street.
        ("с. Ивановка, д. 3", _ok(None, "с. Ивановка", None, "3")),
        ("дер Дубки, д 2", _ok(None, "дер. Дубки", None, "2")),
        ("Дубки дер., д.2 кв.1", _ok(None, "дер. Дубки", None, "2", None, "1")),
        # "д" is a house, "дер" a village.
        ("ДЕР. ДУБКИ, Д. 2", _ok(None, "дер. Дубки", None, "2")),
        # Names: ё kept, several words, hyphens, ordinals, initials.
        (
            "г. Энск, ул. Молодёжная, д. 17А",
            _ok(None, "г. Энск", "ул. Молодёжная", "17а"),
        ),
        (
            "г. Ростов-на-Дону, ул. Мамина-Сибиряка, д. 1",
            _ok(None, "г. Ростов-на-Дону", "ул. Мамина-Сибиряка", "1"),
        ),
        (
            "Г. ЭНСК, УЛ. 1-Я ПАРКОВАЯ, Д. 1",
            _ok(None, "г. Энск", "ул. 1-я Парковая", "1"),
        ),
        ("г. Энск, ул. 8 марта, д. 1", _ok(None, "г. Энск", "ул. 8 Марта", "1")),
        # the word a number governs stays small ("Лет" is wrong in Russian); the name after it does not
        ("Г. ЭНСК, УЛ. 40 ЛЕТ ПОБЕДЫ, Д. 3", _ok(None, "г. Энск", "ул. 40 лет Победы", "3")),
        ("г. Энск, ш. 23 км, д. 1", _ok(None, "г. Энск", "ш. 23 км", "1")),
        ("г. Энск, ул. К. Маркса, д. 1", _ok(None, "г. Энск", "ул. К. Маркса", "1")),
        # House, building and apartment spellings.
        ("г. Энск, ул. Мира, дом 7", _ok(None, "г. Энск", "ул. Мира", "7")),
        ("г. Энск, ул. Мира, д. 5/1", _ok(None, "г. Энск", "ул. Мира", "5/1")),
        ("г. Энск, ул. Мира, д. 5-А", _ok(None, "г. Энск", "ул. Мира", "5а")),
        (
            "г. Энск, ул. Мира, д. 5, стр. 1",
            _ok(None, "г. Энск", "ул. Мира", "5", "1"),
        ),
        (
            "г. Энск, ул. Мира, д. 5, корп. Б",
            _ok(None, "г. Энск", "ул. Мира", "5", "б"),
        ),
        (
            "г. Энск, ул. Мира, д. 5, квартира 7",
            _ok(None, "г. Энск", "ул. Мира", "5", None, "7"),
        ),
        # A room in a communal flat is kept as the apartment.
        (
            "г. Энск, ул. Мира, д. 5, ком. 3",
            _ok(None, "г. Энск", "ул. Мира", "5", None, "3"),
        ),
        # "к" is a building, "кв" an apartment.
        ("Энск г, Мира ул, д.5 к.2", _ok(None, "г. Энск", "ул. Мира", "5", "2")),
        (
            "Энск г, Мира ул, д.5 кв.2",
            _ok(None, "г. Энск", "ул. Мира", "5", None, "2"),
        ),
    ],
)
def test_parse_address(address, expected):
    assert _parse_one(address) == expected


@pytest.mark.parametrize(
    ("marker", "street"),
    [
        ("ул.", "ул. Садовая"),
        ("улица", "ул. Садовая"),
        ("пр-т", "пр-т Садовая"),
        ("пр.", "пр-т Садовая"),
        ("проспект", "пр-т Садовая"),
        ("пер.", "пер. Садовая"),
        ("переулок", "пер. Садовая"),
        ("б-р", "б-р Садовая"),
        ("бульвар", "б-р Садовая"),
        ("ш.", "ш. Садовая"),
        ("шоссе", "ш. Садовая"),
        ("пл.", "пл. Садовая"),
        ("площадь", "пл. Садовая"),
        ("наб.", "наб. Садовая"),
        ("мкр", "мкр Садовая"),
    ],
)
def test_street_markers_prefix_and_suffix(marker, street):
    prefix_form = f"г. Энск, {marker} Садовая, д. 1"
    suffix_form = f"Энск г, Садовая {marker.upper()}, д.1"
    expected = _ok(None, "г. Энск", street, "1")
    assert _parse_one(prefix_form) == expected
    assert _parse_one(suffix_form) == expected


@pytest.mark.parametrize(
    ("address", "message"),
    [
        (None, "address is empty"),
        (np.nan, "address is empty"),
        ("", "address is empty"),
        (" \n\t\u00a0", "address is empty"),
        (" , ,", "address is empty"),
        ("г. Энск, ул. Ленина", "no house number in 'г. Энск, ул. Ленина'"),
        (
            "г. Энск, ул. Ленина, кв. 5",
            "no house number in 'г. Энск, ул. Ленина, кв. 5'",
        ),
        # Whitespace is folded in the message too.
        ("г. Энск,\r\n  ул. Ленина", "no house number in 'г. Энск, ул. Ленина'"),
        ("ул. Ленина, д. 5", "no settlement in 'ул. Ленина, д. 5'"),
        ("г. Энск, д. 5", "no street in 'г. Энск, д. 5'"),
        ("пос. Заречный, д. 1", "no street in 'пос. Заречный, д. 1'"),
        (
            "г. Энск, ул. Ленина, д. 5, xyz",
            "cannot read 'xyz' in 'г. Энск, ул. Ленина, д. 5, xyz'",
        ),
        # The part is quoted as typed.
        (
            "Г. ЭНСК, УЛ. ЛЕНИНА, Д. 5, XYZ",
            "cannot read 'XYZ' in 'Г. ЭНСК, УЛ. ЛЕНИНА, Д. 5, XYZ'",
        ),
        # A settlement without a marker is not guessed.
        ("Энск, ул. Ленина, д. 5", "cannot read 'Энск' in 'Энск, ул. Ленина, д. 5'"),
        # "д." is a house, never a village.
        ("д. Дубки, д. 2", "cannot read 'д. Дубки' in 'д. Дубки, д. 2'"),
        # A second settlement, street or house is not guessed between.
        (
            "г. Энск, Г. ЭНСК, ул. Ленина, д. 5",
            "cannot read 'Г. ЭНСК' in 'г. Энск, Г. ЭНСК, ул. Ленина, д. 5'",
        ),
        (
            "г. Энск, ул. Ленина, ул. Мира, д. 5",
            "cannot read 'ул. Мира' in 'г. Энск, ул. Ленина, ул. Мира, д. 5'",
        ),
        (
            "Энск г, Ленина ул, д.5 д.6",
            "cannot read 'д.5 д.6' in 'Энск г, Ленина ул, д.5 д.6'",
        ),
        (
            "г. Энск, ул. Ленина, д. 5, д. 6",
            "cannot read 'д. 6' in 'г. Энск, ул. Ленина, д. 5, д. 6'",
        ),
        # A street name with no letters is more likely a misplaced number.
        ("г. Энск, ул. 5, д. 5", "cannot read 'ул. 5' in 'г. Энск, ул. 5, д. 5'"),
        # House and apartment numbers start with a digit.
        ("г. Энск, ул. Мира, д. А", "cannot read 'д. А' in 'г. Энск, ул. Мира, д. А'"),
    ],
)
def test_parse_address_errors(address, message):
    assert _parse_one(address) == (None,) * 6 + (message,)


SAME_PREMISE = [
    "Энская обл., г. Энск, ул. Ленина, д. 5, корп. 2, кв. 12а",
    "Энск г, Ленина ул, д.5 к.2 кв.12а",
    "Г. ЭНСК, УЛ. ЛЕНИНА, Д. 5, КОРП. 2, КВ. 12А",
    "ЭНСК Г, ЛЕНИНА УЛ, Д5 К2 КВ12А",
    "г.Энск,\nул.Ленина,\nд.5,\nкорп.2,\nкв.12а",
]


def test_same_premise_in_every_style_gives_one_key():
    keys = premise_key(parse_address(pd.Series(SAME_PREMISE)))
    assert keys.tolist() == ["г. энск|ул. ленина|5|2|12а"] * len(SAME_PREMISE)


def test_premise_key_format_and_errors():
    addresses = pd.Series(
        [
            "с. Ивановка, д. 3",
            "г. Энск, ул. Молодёжная, д. 1",
            "г. Энск, ул. Молодежная, д. 1",
            "ул. Ленина, д. 5",
            None,
        ],
        index=["a", "b", "c", "d", "e"],
    )
    keys = premise_key(parse_address(addresses))
    assert list(keys.index) == ["a", "b", "c", "d", "e"]
    assert keys.dtype == "str"
    # Missing parts are empty; "ё" and "е" spellings meet.
    assert keys["a"] == "с. ивановка||3||"
    assert keys["b"] == keys["c"] == "г. энск|ул. молодежная|1||"
    assert keys[["d", "e"]].isna().all()


def test_parse_address_keeps_index_and_maps_repeats():
    addresses = pd.Series(
        ["Энск г, Ленина ул, д.5", None, "Энск г, Ленина ул, д.5", "xyz"],
        index=[40, 10, 40, 20],
    )
    result = parse_address(addresses)
    assert list(result.columns) == COLUMNS
    assert list(result.index) == [40, 10, 40, 20]
    assert all(result[column].dtype == "str" for column in COLUMNS)
    assert result["street"].tolist()[0] == "ул. Ленина"
    assert result["street"].tolist()[2] == "ул. Ленина"
    assert result.loc[10, "error"] == "address is empty"
    assert result.loc[20, "error"] == "cannot read 'xyz' in 'xyz'"


def test_parse_address_empty_series():
    result = parse_address(pd.Series([], dtype="str"))
    assert list(result.columns) == COLUMNS
    assert result.empty
    assert premise_key(result).empty
