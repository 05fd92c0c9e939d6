"""The readings' neighbour rules on integer codes (issue 16) find what the sort of text found:
READ_DECREASE and READ_ROLLOVER give the same messages on the same rows, on any readings
(hypothesis). The reference is the previous code, kept here verbatim."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from properties import examples

from cutover.decimals import decimal_parts
from cutover.frames.keyindex import KeyIndex
from cutover.pipeline import rules
from cutover.pipeline.rules import RuleContext
from cutover.schema.definition import target_schema


def _reference_previous_and_capacity(rows: pd.DataFrame, context: RuleContext) -> pd.DataFrame:
    whole, fraction = decimal_parts(rows["value"], target_schema().table("reading").column("value").scale)
    work = pd.DataFrame({
        "meter": rows["_ref_meter_id"], "zone": rows["zone"], "read_on": rows["read_on"],
        "value": rows["value"], "whole": whole, "fraction": fraction,
    }).sort_values(["meter", "zone", "read_on"], kind="stable")
    previous = work.groupby(["meter", "zone"], sort=False)[["value", "whole", "fraction"]].shift(1)
    work[["previous", "previous_whole", "previous_fraction"]] = previous.to_numpy()
    work["digits"] = context.parents["meter"]["digit_capacity"].get(work["meter"])
    return work.reindex(rows.index)


READING = st.tuples(
    st.sampled_from(["m1", "m2", "m10", "m3", None]),
    st.sampled_from(["T1", "T2", None]),
    st.one_of(st.none(), st.dates(dt.date(2025, 1, 1), dt.date(2025, 1, 20))),
    st.sampled_from(["0", "5", "12.5", "99999.9", "99995", "100000", "3.0000001", "12.4999999", "950", "40"]),
)


@settings(max_examples=examples(300), deadline=None)
@given(readings=st.lists(READING, max_size=40), start=st.integers(0, 5))
def test_decreases_and_rollovers_are_what_the_sort_of_text_found(readings, start):
    rows = pd.DataFrame({
        "_ref_meter_id": pd.Series([r[0] for r in readings], dtype="str"),
        "zone": pd.Series([r[1] for r in readings], dtype="str"),
        "read_on": pd.Series(pd.to_datetime([r[2] for r in readings]), dtype="datetime64[us]"),
        "value": pd.Series([r[3] for r in readings], dtype="str"),
    })
    rows.index = pd.RangeIndex(start, start + len(rows)) * 3  # an index as a part of a frame has
    capacity = KeyIndex.of(pd.Index(["m1", "m2", "m10"]), np.array([5, 5, 3]))
    context = RuleContext(dt.date(2026, 10, 31), {"meter": {"digit_capacity": capacity}})
    got = [rules.reading_decrease(rows, context), rules.reading_rollover(rows, context)]
    real = rules._previous_and_capacity
    try:
        rules._previous_and_capacity = _reference_previous_and_capacity
        context = RuleContext(context.period_end, context.parents)  # its own memo (see rules._decreases)
        want = [rules.reading_decrease(rows, context), rules.reading_rollover(rows, context)]
    finally:
        rules._previous_and_capacity = real
    for found, expected in zip(got, want):
        pd.testing.assert_series_equal(found, expected)


def test_a_decrease_and_a_rollover_on_one_meter():
    rows = pd.DataFrame({
        "_ref_meter_id": pd.Series(["m1", "m1", "m1", "m1"], dtype="str"),
        "zone": pd.Series(["T1"] * 4, dtype="str"),
        "read_on": pd.Series(pd.to_datetime(["2025-01-03", "2025-01-01", "2025-01-02", "2025-01-04"]),
                             dtype="datetime64[us]"),
        "value": pd.Series(["99990", "100", "99980", "5"], dtype="str"),
    })
    context = RuleContext(dt.date(2026, 10, 31),
                          {"meter": {"digit_capacity": KeyIndex.of(pd.Index(["m1"]), np.array([5]))}})
    assert rules.reading_decrease(rows, context).dropna().to_dict() == {}
    assert rules.reading_rollover(rows, context).dropna().to_dict() == {3: "meter rolled over: 99990 -> 5"}
    rows.loc[2, "value"] = "50"  # 100 on the 1st, then 50 on the 2nd: down, and no rollover
    context = RuleContext(context.period_end, context.parents)  # (a part's rules never see a value change)
    assert rules.reading_decrease(rows, context).dropna().to_dict() == {
        2: "reading 50 is below the previous 100 and is not a rollover of the meter's digit capacity"}
