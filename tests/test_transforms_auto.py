"""``decimal = "auto"`` (issue 17, item 1): a column where numbers are written every honest way
(Excel numbers beside text typed with a comma, a hand-edited value with a thousands separator)
is read value by value, each with its own point; never guessed between two readings.

The oracle is the control's own reader (``cutover.control.readers.read_money``), written
independently of the mapping's transforms: whatever ``money`` with ``decimal = "auto"`` reads,
the control reads as the same kopecks (hypothesis).
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from properties import examples

from cutover.control.readers import read_money
from cutover.errors import MappingError
from cutover.mapping.model import _step
from cutover.mapping.transforms import exact_decimal, integer, money

INDEX = [10, 11, 12, 13, 14, 15, 16, 17, 18]


def test_money_reads_each_value_with_its_own_point():
    values = pd.Series(["54,3", "54.3", "14\u00a0999,61", "1.234,56", "1,234.56", "1,234,567", "-0,5", "", None],
                       index=INDEX)
    read = money(values, "auto")
    assert read.values.tolist() == [5430, 5430, 1499961, 123456, 123456, 123456700, -50, pd.NA, pd.NA]
    assert read.errors.isna().all()
    assert read.values.index.tolist() == INDEX


@pytest.mark.parametrize("value, message", [
    ("1,234", "not an amount of money: '1,234' (expected digits with the point (',' or '.') and at most two "
              "decimals)"),   # one separator is the point: one rouble and 23.4 kopecks, never a thousand
    ("12,", "not an amount of money: '12,' (expected digits with the point (',' or '.') and at most two decimals)"),
    ("1,2.3", "not an amount of money: '1,2.3' (it holds both ',' and '.', and reads neither way: with ',' as the "
              "point a '.' must separate groups of three digits, with '.' as the point a ',' must)"),
    ("1.234,5,6", "not an amount of money: '1.234,5,6' (it holds both ',' and '.', and reads neither way: with ',' "
                  "as the point a '.' must separate groups of three digits, with '.' as the point a ',' must)"),
])
def test_money_names_why_a_value_reads_neither_way(value, message):
    assert money(pd.Series([value]), "auto").errors.tolist() == [message]


def test_decimal_and_integer_read_either_point():
    values = pd.Series(["40,5", "40.25", "1 040,5", "1,040.5"])
    assert exact_decimal(values, "auto", 4, 12).values.tolist() == ["40.5", "40.25", "1040.5", "1040.5"]
    assert integer(pd.Series(["5,0", "5.00", "7"]), "auto").values.tolist() == [5, 5, 7]
    assert exact_decimal(pd.Series(["1,2.3"]), "auto", 4, 12).errors.tolist() == [
        "not a number: '1,2.3' (it holds both ',' and '.', and reads neither way: with ',' as the point a '.' must "
        "separate groups of three digits, with '.' as the point a ',' must)"]


def test_a_single_separator_still_refuses_the_other():
    assert money(pd.Series(["54.3"]), ",").errors.tolist() == [
        "not an amount of money: '54.3' (expected digits with ',' and at most two decimals)"]


def test_an_unknown_separator_is_refused_when_the_mapping_is_loaded(tmp_path):
    with pytest.raises(MappingError) as caught:
        _step("entities/balance.toml: columns[2].transforms[0]", {"name": "money", "decimal": ";"}, tmp_path)
    assert str(caught.value) == ("entities/balance.toml: columns[2].transforms[0]: decimal = ';' is not one of "
                                 "[',', '.', 'auto']")


NUMBER_TEXT = st.one_of(
    st.text(alphabet=st.sampled_from(list("0123456789,.-+ \xa0'")), max_size=16),
    st.from_regex(r"-?[0-9]{1,3}([ .,'\xa0][0-9]{3}){0,3}([.,][0-9]{0,3})?", fullmatch=True),
)


@settings(max_examples=examples(400), deadline=None)
@given(st.lists(NUMBER_TEXT, min_size=1, max_size=20))
def test_what_auto_and_the_control_both_read_is_the_same_kopecks(texts):
    """Where both read a value, the same kopecks. (The mapping also drops a stray space or
    apostrophe outside groups of three, ``0'``, as it always has with one separator; the control
    does not read such a value, and names it as unreadable money in the reconciliation.)"""
    values = pd.Series(texts)
    mapped, control = money(values, "auto"), read_money(values)
    both = (mapped.values.notna() & control.values.notna()).to_numpy()
    assert control.values[both].astype("int64").tolist() == mapped.values[both].astype("int64").tolist()
    honest = "|".join([r"-?[0-9]{1,3}(\.[0-9]{3}){2,}", r"-?[0-9]{1,3}(,[0-9]{3}){2,}",
                       r"-?[0-9]{1,3}(\.[0-9]{3})+,[0-9]{1,2}", r"-?[0-9]{1,3}(,[0-9]{3})+\.[0-9]{1,2}",
                       r"-?[0-9]+([.,][0-9]{1,2})?"])
    grouped = values.str.fullmatch(honest).fillna(False)
    assert mapped.values[grouped.to_numpy()].notna().all()  # every honest spelling is read
