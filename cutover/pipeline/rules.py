"""Domain rules of the target: checks on mapped rows that no single field shows.

Every rule has a stable code (documented in docs/rules.md) and a severity: ``error``
rejects the row, ``warning`` loads it and lists it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from cutover.decimals import decimal_parts, less_than
from cutover.frames.keyindex import KeyIndex
from cutover.money import kopecks_to_roubles_text
from cutover.schema.definition import target_schema


@dataclass(frozen=True)
class RuleContext:
    """What the rules need besides the rows: the switch period and accepted parents."""

    period_end: dt.date
    parents: dict[str, dict[str, KeyIndex]]  # entity -> column -> value of each accepted legacy key
    severities: dict[str, str] = field(default_factory=dict)  # the project's [rules]: code -> severity
    # What a rule computed that the next rule of the same rows needs again (see ``_decreases``);
    # emptied before and after the rules of each part (``checks._check_rules``).
    memo: dict = field(default_factory=dict, compare=False, repr=False)

    def severity(self, rule: "DomainRule") -> str:
        return self.severities.get(rule.code, rule.severity)


@dataclass(frozen=True)
class DomainRule:
    """A rule: code, severity, the target column it reports, and the check itself."""

    code: str
    severity: str
    column: str
    check: Callable[[pd.DataFrame, RuleContext], pd.Series]  # -> message where broken, else NA
    repeat: bool = False  # run again on the rows left until none breaks it (neighbour comparisons)
    needs: tuple[str, ...] = ()  # columns it reads besides ``column``; a mapping without them skips it


def _messages(broken: pd.Series, text: Callable[[pd.Index], pd.Series] | str) -> pd.Series:
    """The message of each broken row (missing elsewhere); ``text`` builds the messages for the
    broken rows only (given their index), so a rule costs nothing per clean row."""
    result = pd.Series(pd.NA, index=broken.index, dtype="object")
    if broken.any():
        result[broken] = text if isinstance(text, str) else text(broken.index[broken.to_numpy()])
    return result


def balance_identity(rows: pd.DataFrame, context: RuleContext) -> pd.Series:
    expected = rows["opening_kopecks"] + rows["charged_kopecks"] + rows["recalculated_kopecks"] - rows["paid_kopecks"]
    broken = (rows["closing_kopecks"] != expected).fillna(False).astype(bool)
    return _messages(broken, lambda at: (
        "closing " + rows.loc[at, "closing_kopecks"].map(kopecks_to_roubles_text)
        + " is not opening + charged + recalculated - paid = " + expected[at].map(kopecks_to_roubles_text)
    ))


def reading_in_future(rows: pd.DataFrame, context: RuleContext) -> pd.Series:
    end = pd.Timestamp(context.period_end)
    broken = (rows["read_on"] > end).fillna(False).astype(bool)
    return _messages(broken, f"read after the end of the period {context.period_end:%d.%m.%Y}")


def _previous_and_capacity(rows: pd.DataFrame, context: RuleContext) -> pd.DataFrame:
    """Each reading beside the previous reading of the same meter and zone, and its meter's
    digit capacity. Values are compared exactly as (whole, fraction) integer pairs.

    "Previous" is the row before it when the readings of a meter and zone are ordered by date,
    stably (a date read twice keeps the file's order; a reading without a date comes last); a
    reading without a meter or zone has none. The order is one ``np.lexsort`` of integer codes
    (meter and zone factorised, dates as integers), not a sort of text."""
    whole, fraction = decimal_parts(rows["value"], target_schema().table("reading").column("value").scale)
    meters, zones = pd.factorize(rows["_ref_meter_id"])[0], pd.factorize(rows["zone"])[0]
    group = np.where((meters < 0) | (zones < 0), -1, meters * (zones.max(initial=0) + 1) + zones)
    dates = rows["read_on"].to_numpy(dtype="datetime64[us]").view("int64").copy()
    dates[np.isnat(rows["read_on"].to_numpy(dtype="datetime64[us]"))] = np.iinfo(np.int64).max
    order = np.lexsort((dates, group))  # by group, then date; stable
    ordered = group[order]
    follows = (ordered[1:] == ordered[:-1]) & (ordered[1:] >= 0)
    previous_at = np.full(len(rows), -1, dtype=np.int64)
    previous_at[order[1:][follows]] = order[:-1][follows]
    has_previous = previous_at >= 0

    def previous(values: pd.Series) -> pd.Series:
        taken = values.iloc[np.where(has_previous, previous_at, 0)].reset_index(drop=True) if len(values) else values
        return pd.Series(taken.to_numpy(), index=rows.index, dtype=values.dtype).where(has_previous)

    return pd.DataFrame({
        "meter": rows["_ref_meter_id"], "zone": rows["zone"], "read_on": rows["read_on"],
        "value": rows["value"], "whole": whole, "fraction": fraction,
        "previous": previous(rows["value"]), "previous_whole": previous(whole), "previous_fraction": previous(fraction),
        "digits": context.parents["meter"]["digit_capacity"].get(rows["_ref_meter_id"]),
    }, index=rows.index)


def _decreases(rows: pd.DataFrame, context: RuleContext) -> tuple[pd.Series, pd.Series, pd.DataFrame]:
    """Which readings went down, which of those rolled over, and the work behind them. READ_ROLLOVER
    asks about the rows READ_DECREASE last left (the sort is the dearest part of checking
    readings): within one part's rules, rows with the same index are the same rows, since
    rules only mark rows failed."""
    held = context.memo.get("decreases")
    if held is not None and held[0].equals(rows.index):
        return held[1]
    found = _find_decreases(rows, context)
    context.memo["decreases"] = (rows.index, found)
    return found


def _find_decreases(rows: pd.DataFrame, context: RuleContext) -> tuple[pd.Series, pd.Series, pd.DataFrame]:
    work = _previous_and_capacity(rows, context)
    value = (work["whole"].astype("Int64"), work["fraction"].astype("Int64"))
    previous = (work["previous_whole"].astype("Int64"), work["previous_fraction"].astype("Int64"))
    decreased = less_than(value, previous)  # False where there is no previous reading
    # A rollover: the previous value above 90% of 10^digits and the new one below 10% of it.
    tenth = 10 ** (work["digits"] - 1)
    high = (previous[0] > 9 * tenth) | ((previous[0] == 9 * tenth) & (previous[1] > 0))
    low = value[0] < tenth
    rollover = decreased & (high & low).fillna(False).astype(bool)
    return decreased, rollover, work


def reading_decrease(rows: pd.DataFrame, context: RuleContext) -> pd.Series:
    decreased, rollover, work = _decreases(rows, context)
    broken = decreased & ~rollover
    return _messages(broken, lambda at: (
        "reading " + work.loc[at, "value"].astype("str") + " is below the previous "
        + work.loc[at, "previous"].astype("str") + " and is not a rollover of the meter's digit capacity"
    ))


def reading_rollover(rows: pd.DataFrame, context: RuleContext) -> pd.Series:
    decreased, rollover, work = _decreases(rows, context)
    return _messages(rollover, lambda at: (
        "meter rolled over: " + work.loc[at, "previous"].astype("str") + " -> " + work.loc[at, "value"].astype("str")
    ))


def _expiry_reached(rows: pd.DataFrame, context: RuleContext) -> pd.Series:
    verified = rows["verified_on"]
    expiry = (verified.dt.year + rows["verification_interval_years"]) * 10000 + verified.dt.month * 100 + verified.dt.day
    end = context.period_end
    return (expiry < end.year * 10000 + end.month * 100 + end.day).fillna(False).astype(bool)


def verification_missing(rows: pd.DataFrame, context: RuleContext) -> pd.Series:
    broken = (rows["status"] == "active") & rows["verified_on"].isna()
    return _messages(broken, "active meter without a verification date")


def verification_expired(rows: pd.DataFrame, context: RuleContext) -> pd.Series:
    broken = (rows["status"] == "active") & _expiry_reached(rows, context)
    return _messages(broken, lambda at: (
        "verification of " + rows.loc[at, "verified_on"].dt.strftime("%d.%m.%Y") + " expired after "
        + rows.loc[at, "verification_interval_years"].astype("str") + " years"
    ))


# Entity -> rules in the order they run; each sees only rows no earlier error rejected.
RULES: dict[str, tuple[DomainRule, ...]] = {
    "balance": (DomainRule("BAL_IDENTITY", "error", "closing_kopecks", balance_identity),),
    "reading": (
        DomainRule("READ_FUTURE", "error", "read_on", reading_in_future),
        DomainRule("READ_DECREASE", "error", "value", reading_decrease, repeat=True),
        DomainRule("READ_ROLLOVER", "warning", "value", reading_rollover),
    ),
    "meter": (
        DomainRule("VERIFY_MISSING", "warning", "verified_on", verification_missing, needs=("status",)),
        DomainRule("VERIFY_EXPIRED", "warning", "verified_on", verification_expired,
                   needs=("status", "verification_interval_years")),
    ),
}

# Entity -> the parent whose rows its rules compare with each other (readings of one meter):
# a partitioned run keeps those rows in one part.
GROUPED_BY: dict[str, str] = {"reading": "meter"}

# Parent entity -> the columns of its accepted rows that the rules of its children read.
PARENT_COLUMNS: dict[str, tuple[str, ...]] = {"meter": ("digit_capacity",)}

# Entity -> the parents the legacy data builds for it (a payer and a premise for each account):
# a parent row that rows of the entity refer to, none of them loaded, is rejected with them
# (ACCOUNT_REJECTED, see cutover/pipeline/units.py), so that the target holds no payer without an
# account and no premise nobody lives in. A parent no row refers to at all stays.
UNIT_PARENTS: dict[str, tuple[str, ...]] = {"account": ("person", "premise")}
