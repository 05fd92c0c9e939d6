"""The control's own readers: every honest spelling of money, numbers and months, and exactly
what they refuse. The expected values are written here by hand (or, for the round trip, built
from integers the test chose), never taken from the readers."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from cutover.control.readers import (
    read_amount,
    read_decimal,
    read_money,
    read_period,
    read_periods,
)


def money(*values: str, unit: str = "roubles") -> list:
    read = read_money(pd.Series(values, dtype="object"), unit)
    return [None if pd.isna(v) else int(v) for v in read.values]


def problems(*values: str, unit: str = "roubles") -> list:
    read = read_money(pd.Series(values, dtype="object"), unit)
    return [None if pd.isna(p) else p for p in read.problem]


@pytest.mark.parametrize("text, kopecks", [
    ("1234.56", 123456), ("1234,56", 123456), ("1 234,56", 123456), ("1\u00a0234,56", 123456),
    ("14\u202f999,61", 1499961), ("1'234.56", 123456), ("1\u2019234.56", 123456), ("-0,00", 0), ("+5", 500),
    ("\u22121,5", -150), ("- 5", -500), ("1234.5600", 123456), ("12.340", 1234), ("007,5", 750),
    ("1.234,56", 123456), ("1,234.56", 123456), ("1.234.567", 123456700), ("1,234,567.8", 123456780),
    ("  -12 345 678,90 ", -1234567890), ("0", 0), ("1935.53", 193553), ("-1 234", -123400),
])
def test_every_honest_spelling_of_money_reads_to_the_kopeck(text, kopecks):
    assert money(text) == [kopecks]


@pytest.mark.parametrize("text, problem", [
    ("12-34", "'12-34' is not a number"),
    ("н/д", "'н/д' is not a number"),
    ("12 34", "'12 34' is not a number"),
    ("1.2.3", "'1.2.3' is not a number"),
    ("1,5e3", "'1,5e3' is in scientific notation, which holds no exact amount"),
    ("1,234", "'1,234' is not money in at most two decimals (whole kopecks)"),
    ("0.30000000000000004", "'0.30000000000000004' is not money in at most two decimals (whole kopecks)"),
    ("1.23,45", "'1.23,45' has both a comma and a dot, and neither separates groups of three digits "
                "(neither '123.45' nor '1.2345' reads)"),
    ("99999999999999999", "'99999999999999999' is too large an amount"),
    ("123,45 руб.", "'123,45 руб.' is not a number"),
])
def test_what_nobody_can_read_is_named_with_the_reason(text, problem):
    assert money(text) == [None]
    assert problems(text) == [problem]


def test_a_blank_value_is_blank_not_unreadable():
    read = read_money(pd.Series(["", "  ", None, "\u00a0"], dtype="object"))
    assert read.blank.tolist() == [True, True, True, True]
    assert read.unreadable.tolist() == [False] * 4
    assert read.values.isna().all()


def test_whole_kopecks_where_the_legacy_system_keeps_integers():
    assert money("123456", "1 234", "12.00", "-7", "+0", unit="kopecks") == [123456, 1234, 12, -7, 0]
    assert problems("12.5", unit="kopecks") == ["'12.5' is not money in whole kopecks"]
    assert problems("11 396,39", unit="kopecks") == ["'11 396,39' is not money in whole kopecks"]


def test_decimals_read_to_canonical_text():
    read = read_decimal(pd.Series(["1234,5", "-0,000", "007.100", "1 234,5", "0", "1e5", ""], dtype="object"))
    assert read.values.tolist()[:5] == ["1234.5", "0", "7.1", "1234.5", "0"]
    assert read.values.iloc[5] is None and read.problem.iloc[5] == "'1e5' is in scientific notation, which holds no exact amount"
    assert bool(read.blank.iloc[6])
    too_fine = read_decimal(pd.Series(["1.12345678"]), scale=7)
    assert too_fine.problem.iloc[0] == "'1.12345678' has more than 15 digits before the point or 7 after"


def test_twenty_thousand_spellings_chosen_at_random_read_back_to_their_kopecks():
    """Each amount is written in a spelling drawn at random (decimal comma or point, groups of
    three apart by a space, no-break space, narrow space or apostrophe, a sign, trailing zeros)."""
    chooser = random.Random(20261201)
    amounts = [chooser.randrange(-10**12, 10**12) for _ in range(20_000)]
    texts = []
    for kopecks in amounts:
        whole, cents = divmod(abs(kopecks), 100)
        digits = f"{whole:,}".replace(",", chooser.choice([" ", "\u00a0", "\u202f", "'", ""]))
        point = chooser.choice([",", "."])
        fraction = chooser.choice([f"{point}{cents:02d}", f"{point}{cents:02d}00"]) if cents or chooser.random() < .5 \
            else ""
        sign = "-" if kopecks < 0 else chooser.choice(["", "+"])
        texts.append(f"{sign}{digits}{fraction}")
    assert money(*texts) == amounts


@pytest.mark.parametrize("text, period", [
    ("202610", "2026-10"), ("102026", "2026-10"), ("2026-10", "2026-10"), ("2026.10", "2026-10"),
    ("10.2026", "2026-10"), ("10/2026", "2026-10"), ("1.2026", "2026-01"), ("01.10.2026", "2026-10"),
    ("2026-10-01", "2026-10"), ("2026-10-31 00:00:00", "2026-10"), ("20261001", "2026-10"),
    ("октябрь 2026", "2026-10"), ("Октябрь 2026 г.", "2026-10"), ("окт. 2026", "2026-10"), ("Oct 2026", "2026-10"),
    ("13.2026", None), ("202613", None), ("", None), ("н/д", None),
])
def test_billing_months_in_every_usual_spelling(text, period):
    assert read_period(text) == period


def test_months_of_a_column_name_what_they_cannot_read():
    read = read_periods(pd.Series(["202610", "13.2026", ""], dtype="object"))
    assert read.values.tolist() == ["2026-10", None, None]
    assert read.problem.tolist()[1] == "'13.2026' is not a billing month"
    assert read.blank.tolist() == [False, False, True]


def test_one_amount_as_typed_into_cutover_toml():
    assert read_amount("1 234 567,89") == (123456789, None)
    assert read_amount("") == (None, "the amount is blank")
    assert read_amount("12-34") == (None, "'12-34' is not a number")
