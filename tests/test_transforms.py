"""Transforms turn legacy text into target values exactly, and say why when they cannot."""

from __future__ import annotations

import pandas as pd
import pytest

from cutover.mapping import transforms as t


def text(*values) -> pd.Series:
    return pd.Series(values, dtype="str")


def as_list(series: pd.Series) -> list:
    return [None if pd.isna(v) else v for v in series]


@pytest.mark.parametrize(("raw", "kopecks"), [
    ("1234,56", 123456), ("1 234,56", 123456), ("1\u00a0234,5", 123450), ("-12,30", -1230),
    ("0,00", 0), ("5", 500), ("+7,1", 710), ("99999999999999,99", 9999999999999999),
])
def test_money_is_exact_integer_kopecks(raw, kopecks):
    result = t.money(text(raw))
    assert result.values.dtype == "Int64"
    assert as_list(result.values) == [kopecks]
    assert as_list(result.errors) == [None]


@pytest.mark.parametrize(("raw", "message"), [
    ("н/д", "not an amount of money: 'н/д' (expected digits with ',' and at most two decimals)"),
    ("12,345", "not an amount of money: '12,345' (expected digits with ',' and at most two decimals)"),
    ("1.234,56", "not an amount of money: '1.234,56' (expected digits with ',' and at most two decimals)"),
])
def test_money_that_is_not_money_is_an_error(raw, message):
    result = t.money(text(raw))
    assert as_list(result.values) == [None]
    assert as_list(result.errors) == [message]


def test_blank_money_stays_missing_without_an_error():
    result = t.money(text("", "  "))
    assert as_list(result.values) == [None, None]
    assert as_list(result.errors) == [None, None]


def test_negate_reverses_payments_stored_negative():
    assert as_list(t.negate(t.money(text("-100,50", "0,00")).values).values) == [10050, 0]


def test_kopecks_read_whole_numbers():
    result = t.kopecks(text("123456", "-5", "1,5"))
    assert as_list(result.values) == [123456, -5, None]
    assert as_list(result.errors) == [None, None, "not a whole number of kopecks: '1,5'"]


def test_decimal_is_canonical_text_never_a_float():
    result = t.exact_decimal(text("00123,4500", "0", "123456789012345,1234567", "1,23456789"), scale=7, precision=22)
    assert as_list(result.values) == ["123.45", "0", "123456789012345.1234567", None]
    assert as_list(result.errors)[3] == "not a number: '1,23456789' (expected at most 15 digits before ',' and 7 after)"


def test_date_uses_only_the_formats_given():
    result = t.date(text("01.02.2020", "2020-02-01", "31.02.2020", ""), formats=["%d.%m.%Y"])
    assert as_list(result.values) == [pd.Timestamp("2020-02-01"), None, None, None]
    assert as_list(result.errors) == [None, "not a date: '2020-02-01' (expected %d.%m.%Y)",
                                      "not a date: '31.02.2020' (expected %d.%m.%Y)", None]


def test_date_tries_several_formats_in_order():
    result = t.date(text("01.02.2020", "2020-02-03"), formats=["%d.%m.%Y", "%Y-%m-%d"])
    assert as_list(result.values) == [pd.Timestamp("2020-02-01"), pd.Timestamp("2020-02-03")]


def test_period_gives_year_and_month():
    result = t.period(text("202610", "2026"), formats=["%Y%m"])
    assert as_list(result.values) == ["2026-10", None]
    assert as_list(result.errors) == [None, "not a billing month: '2026' (expected %Y%m)"]


def test_dictionary_maps_codes_and_names_unknown_ones():
    result = t.dictionary(text("01", " 02 ", "12"), table={"01": "cold_water", "02": "hot_water"}, name="services")
    assert as_list(result.values) == ["cold_water", "hot_water", None]
    assert as_list(result.errors) == [None, None, "code '12' is not in dictionary 'services'"]


def test_integer_and_default():
    assert as_list(t.integer(text("5", "1,0", "")).values) == [5, 1, None]
    assert as_list(t.default(text("", "2"), value="1").values) == ["1", "2"]


def test_trim_and_collapse_spaces_make_blank_missing():
    assert as_list(t.trim(text("  a ", "   ")).values) == ["a", None]
    assert as_list(t.collapse_spaces(text("г. Энск,\r\n  ул.  Ленина", "")).values) == ["г. Энск, ул. Ленина", None]


def test_every_transform_has_a_rule_and_a_doc():
    for name, transform in t.REGISTRY.items():
        assert transform.rule.isupper(), name
        assert transform.doc, name
