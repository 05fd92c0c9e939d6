"""Tests for splitting legacy full names (cutover.mapping.names)."""

import unicodedata

import numpy as np
import pandas as pd
import pytest

from cutover.mapping.names import (
    LATIN_LOOKALIKES,
    collapse_spaces,
    fix_lookalikes,
    split_full_name,
)

COLUMNS = ["last_name", "first_name", "patronymic", "error"]


def _split_one(value):
    """Split a single value and return its row with missing values as None."""
    row = split_full_name(pd.Series([value])).iloc[0]
    return tuple(None if pd.isna(item) else item for item in row)


@pytest.mark.parametrize(
    ("full_name", "expected"),
    [
        ("ИВАНОВ ИВАН ИВАНОВИЧ", ("Иванов", "Иван", "Иванович", None)),
        ("иванов иван иванович", ("Иванов", "Иван", "Иванович", None)),
        ("иВАНОВ иВАН иВАНОВИЧ", ("Иванов", "Иван", "Иванович", None)),
        # A missing patronymic is legal.
        ("ПЕТРОВА ОЛЬГА", ("Петрова", "Ольга", None, None)),
        # Hyphenated surnames: each part capitalised.
        (
            "РИМСКИЙ-КОРСАКОВ НИКОЛАЙ АНДРЕЕВИЧ",
            ("Римский-Корсаков", "Николай", "Андреевич", None),
        ),
        ("ИВАНОВА-ПЕТРОВА АННА", ("Иванова-Петрова", "Анна", None, None)),
        # ё is kept, not flattened to е.
        ("ЁЛКИН ПЁТР СЕМЁНОВИЧ", ("Ёлкин", "Пётр", "Семёнович", None)),
        # Turkic particles stay lower case; the rest joins the patronymic.
        ("АЛИЕВ РАШИД МАМЕД ОГЛЫ", ("Алиев", "Рашид", "Мамед оглы", None)),
        ("ГАСАНОВА АЙГЮН ВАГИФ КЫЗЫ", ("Гасанова", "Айгюн", "Вагиф кызы", None)),
        ("НУРЛАНОВ АСКАР ЕРЛАН УЛЫ", ("Нурланов", "Аскар", "Ерлан улы", None)),
        ("АСАНОВ БАКЫТ ТАЛАНТ УУЛУ", ("Асанов", "Бакыт", "Талант уулу", None)),
        ("МАМЕДОВ ИЛЬХАМ ГЕЙДАР-ОГЛЫ", ("Мамедов", "Ильхам", "Гейдар-оглы", None)),
        # Apostrophe is allowed; the letter after it stays lower case
        # (Ukrainian-style "Мар'яна").
        ("ГРИГОР'ЕВА МАР'ЯНА", ("Григор'ева", "Мар'яна", None, None)),
        ("Д'АРТАНЬЯН ШАРЛЬ", ("Д'артаньян", "Шарль", None, None)),
        # Latin look-alikes inside Cyrillic words are repaired:
        # Latin O, C, H, e, p.
        ("ИВАНOВ ИВАН ИВАНОВИЧ", ("Иванов", "Иван", "Иванович", None)),
        ("CИДОРОВ ПЕТР", ("Сидоров", "Петр", None, None)),
        ("Пeтров Юрий Cepгeeвич", ("Петров", "Юрий", "Сергеевич", None)),
        ("КУЗHЕЦОВ ЮРИЙ", ("Кузнецов", "Юрий", None, None)),
        ("гycев юрий", ("Гусев", "Юрий", None, None)),  # Latin y
        # Whitespace: doubled spaces, NBSP, tabs, embedded newlines.
        ("ИВАНОВ  ИВАН   ИВАНОВИЧ", ("Иванов", "Иван", "Иванович", None)),
        (
            "  ИВАНОВ\u00a0ИВАН\tИВАНОВИЧ  ",
            ("Иванов", "Иван", "Иванович", None),
        ),
        ("ИВАНОВ\r\nИВАН\nИВАНОВИЧ", ("Иванов", "Иван", "Иванович", None)),
    ],
)
def test_split_full_name_parses(full_name, expected):
    assert _split_one(full_name) == expected


# Mojibake: "Петров Олег" written as UTF-8 and read as cp1251 / latin-1.
CP1251_MOJIBAKE = "РџРµС‚СЂРѕРІ РћР»РµРі"
LATIN1_MOJIBAKE = "Ð\x9fÐµÑ\x82Ñ\x80Ð¾Ð² Ð\x9eÐ»ÐµÐ³"


@pytest.mark.parametrize(
    ("full_name", "message"),
    [
        (None, "full name is empty"),
        (np.nan, "full name is empty"),
        ("", "full name is empty"),
        (" \u00a0\t\r\n ", "full name is empty"),
        ("ИВАНОВ", "expected at least surname and first name, got 'ИВАНОВ'"),
        ("  ИВАНОВ  ", "expected at least surname and first name, got 'ИВАНОВ'"),
        (
            CP1251_MOJIBAKE,
            "unexpected characters 'џµ‚ЂѕІћ»і' in 'РџРµС‚СЂРѕРІ РћР»РµРі'; "
            "the file may be in another encoding",
        ),
        (
            LATIN1_MOJIBAKE,
            "unexpected characters 'Ð\\x9fµÑ\\x82\\x80¾²\\x9e»³' in "
            "'Ð\\x9fÐµÑ\\x82Ñ\\x80Ð¾Ð² Ð\\x9eÐ»ÐµÐ³'; "
            "the file may be in another encoding",
        ),
        # A fully Latin word is not "repaired": beside Cyrillic ones it is reported
        # (a name wholly in Latin loads: tests/test_names_scripts.py).
        (
            "ИВАНОВ TOMA",
            "'ИВАНОВ TOMA' mixes Cyrillic words and Latin ones ('TOMA'); "
            "expected the whole name in one alphabet",
        ),
        (
            "ИВАНОВ ИВАН 2",
            "unexpected characters '2' in 'ИВАНОВ ИВАН 2'; "
            "the file may be in another encoding",
        ),
        (
            "ИВАНОВ ИВАН ИВАНОВИЧ.",
            "unexpected characters '.' in 'ИВАНОВ ИВАН ИВАНОВИЧ.'; "
            "the file may be in another encoding",
        ),
        # Separators must sit between letters.
        ("ИВАНОВ - ИВАН", "malformed word '-' in 'ИВАНОВ - ИВАН'"),
        ("ИВАНОВ-- ИВАН", "malformed word 'ИВАНОВ--' in 'ИВАНОВ-- ИВАН'"),
    ],
)
def test_split_full_name_errors(full_name, message):
    assert _split_one(full_name) == (None, None, None, message)


def test_mojibake_constants_are_what_they_claim():
    original = "Петров Олег".encode("utf-8")
    assert original.decode("cp1251") == CP1251_MOJIBAKE
    assert original.decode("latin-1") == LATIN1_MOJIBAKE


def test_split_full_name_keeps_index_and_maps_repeats():
    names = pd.Series(
        ["ИВАНОВ ИВАН", None, "ИВАНОВ ИВАН", "ПЕТРОВ", "ИВАНОВ  ИВАН"],
        index=[10, 7, 10, 3, 99],
    )
    result = split_full_name(names)
    assert list(result.columns) == COLUMNS
    assert list(result.index) == [10, 7, 10, 3, 99]
    assert all(result[column].dtype == "str" for column in COLUMNS)
    assert result["last_name"].tolist()[:1] == ["Иванов"]
    assert result["last_name"].isna().tolist() == [False, True, False, True, False]
    assert result.loc[99, "first_name"] == "Иван"
    assert result.loc[7, "error"] == "full name is empty"
    assert result.loc[3, "error"] == (
        "expected at least surname and first name, got 'ПЕТРОВ'"
    )
    assert result["patronymic"].isna().all()


def test_split_full_name_empty_series():
    result = split_full_name(pd.Series([], dtype="str"))
    assert list(result.columns) == COLUMNS
    assert result.empty


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ИВАНOВ", "ИВАНОВ"),  # Latin O in a Cyrillic word
        ("ИВАНOВ JOHN", "ИВАНОВ JOHN"),  # the fully Latin word is untouched
        ("JOHN", "JOHN"),
        ("Пeтpoв", "Петров"),
        ("КОРСАКОВ-PИМСКИЙ", "КОРСАКОВ-РИМСКИЙ"),  # hyphenated word is one word
        ("", ""),
    ],
)
def test_fix_lookalikes(text, expected):
    assert fix_lookalikes(text) == expected


def test_latin_lookalikes_map_latin_to_cyrillic():
    for latin in "ABCEHKMOPTXacopxy":
        assert latin in LATIN_LOOKALIKES
    assert LATIN_LOOKALIKES["y"] == "у"
    for latin, cyrillic in LATIN_LOOKALIKES.items():
        assert "LATIN" in unicodedata.name(latin)
        assert "CYRILLIC" in unicodedata.name(cyrillic)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  a  b  ", "a b"),
        ("a\u00a0b", "a b"),
        ("a\t\tb", "a b"),
        ("a\r\n b\nc", "a b c"),
        (" \u00a0\n", ""),
    ],
)
def test_collapse_spaces(text, expected):
    assert collapse_spaces(text) == expected
