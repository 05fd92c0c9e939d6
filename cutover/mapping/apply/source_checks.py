"""Source rules, checked on the raw legacy rows before any mapping (``source_rules.toml``).

Each source with rules gets one pandera schema of text checks, validated lazily so that every
failing value of the source is found at once. A source row that fails is rejected in every
entity built from it, as an error of the row's own, so its children get ``PARENT_REJECTED``.
Numbers are compared exactly, as integers: no value ever passes through a float.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

import pandas as pd
import pandera.pandas as pa

from cutover.extract.snapshot import ExtractedSource, ExtractResult
from cutover.mapping.apply.rejects import RejectLog
from cutover.mapping.model import SystemMapping
from cutover.mapping.source_rules import NUMBER, ColumnChecks, SourceRules, bound_value

FAILURE_COLUMNS = ["_source", "_row", "rule", "column", "raw", "message"]

Test = Callable[[pd.Series], pd.Series]  # text values -> passes
Message = Callable[[pd.Series], pd.Series]  # trimmed text of failing values -> why


def _trimmed(values: pd.Series) -> pd.Series:
    return values.fillna("").astype("str").str.strip()


def _blank_or(test: Test) -> Test:
    """A blank value passes every check but ``required``."""
    return lambda values: (lambda text: (text == "") | test(text))(_trimmed(values))


def _matches(pattern: str) -> Test:
    compiled = re.compile(pattern)
    # Object dtype keeps Python's re semantics whatever string storage pandas picks.
    return lambda text: text.astype(object).str.fullmatch(compiled).fillna(False).astype(bool)


def _within(low: str, high: str) -> Test:
    """Exactly ``low <= value <= high`` for a number with ',' or '.' as decimal separator."""
    (low_count, low_scale), (high_count, high_scale) = bound_value(low), bound_value(high)
    scale = max(low_scale, high_scale)
    low_count *= 10 ** (scale - low_scale)
    high_count *= 10 ** (scale - high_scale)
    # Every bound is below 10^digits, so a value with more whole digits is outside the range.
    digits = len(str(max(abs(low_count), abs(high_count)) // 10 ** scale))

    def test(text: pd.Series) -> pd.Series:
        # Whole-string regex replacements stay in pandas' native string storage (str.extract would
        # run a Python loop per row).
        number = text.str.fullmatch(NUMBER.pattern).fillna(False).astype(bool)
        body = text.where(number, "0").str.lstrip("+-")
        whole = body.str.replace(r"[.,].*$", "", regex=True).str.lstrip("0")
        huge = whole.str.len() > digits
        fraction = body.str.replace(r"^[0-9]*[.,]?", "", regex=True)
        kept = fraction.str.slice(0, scale).str.ljust(scale, "0") if scale else ""
        # Digits beyond the bounds' scale put the value strictly past its truncation.
        beyond = fraction.str.slice(scale).str.strip("0") != ""
        magnitude = (whole.where(number & ~huge, "") + kept).replace("", "0").astype("int64")
        negative = text.str.startswith("-") & number
        value = magnitude.where(~negative, -magnitude)
        above = (value > high_count) | ((value == high_count) & beyond & ~negative)
        below = (value < low_count) | ((value == low_count) & beyond & negative)
        return (number & ~huge & ~above & ~below).astype(bool)

    return test


def _checks(column: ColumnChecks) -> list[tuple[str, Test, Message]]:
    """(rule code, test on the raw values, message for the trimmed failing values) per check."""
    name = column.column
    found: list[tuple[str, Test, Message]] = []
    if column.required:
        found.append(("SOURCE_REQUIRED", lambda values: _trimmed(values) != "",
                      lambda text: pd.Series(f"{name} is required but blank", index=text.index)))
    if column.pattern is not None:
        found.append(("SOURCE_PATTERN", _blank_or(_matches(column.pattern)),
                      lambda text: f"{name} " + text.map(repr) + f" does not match {column.pattern}"))
    if column.range is not None:
        low, high = column.range
        found.append(("SOURCE_RANGE", _blank_or(_within(low, high)),
                      lambda text: f"{name} " + text.map(repr) + f" is not a number within [{low}, {high}]"))
    if column.isin is not None:
        allowed = list(column.isin)
        found.append(("SOURCE_ISIN", _blank_or(lambda text: text.isin(allowed)),
                      lambda text: f"{name} " + text.map(repr) + f" is not one of {allowed}"))
    if column.max_length is not None:
        limit = column.max_length
        found.append(("SOURCE_LENGTH", _blank_or(lambda text: text.str.len() <= limit),
                      lambda text: f"{name} " + text.map(repr) + f" is longer than {limit} characters ("
                      + text.str.len().astype("str") + ")"))
    return found


def source_schema(rules: SourceRules) -> pa.DataFrameSchema:
    """The pandera schema of one source's rules: a check named after its rule code per check."""
    return pa.DataFrameSchema({
        column.column: pa.Column(None, nullable=True, checks=[
            pa.Check(test, name=code, ignore_na=False) for code, test, _ in _checks(column)])
        for column in rules.columns
    }, name=rules.source)


def _failures(rules: SourceRules, source: ExtractedSource, batch_rows: int) -> pd.DataFrame:
    """One row per value of the source that fails a check, batch by batch of the source."""
    columns = list(dict.fromkeys(["_row", *(c.column for c in rules.columns)]))
    parts = [_batch_failures(rules, source.location, rows) for rows in source.batches(batch_rows, columns)]
    parts = [part for part in parts if not part.empty]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=FAILURE_COLUMNS)


def _batch_failures(rules: SourceRules, location: str, rows: pd.DataFrame) -> pd.DataFrame:
    """One row per value of ``rows`` that fails a check, in the order the rules list them."""
    if rows.empty:  # nothing to reject
        return pd.DataFrame(columns=FAILURE_COLUMNS)
    # The extract stage reads every column the rules check, or stops naming the missing one.
    try:
        source_schema(rules).validate(rows[[c.column for c in rules.columns]], lazy=True)
        return pd.DataFrame(columns=FAILURE_COLUMNS)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    parts = []
    for column in rules.columns:
        for code, _, message in _checks(column):
            index = pd.Index(cases.loc[(cases["column"] == column.column) & (cases["check"] == code), "index"]
                             .astype("int64").unique()).sort_values()
            if index.empty:
                continue
            raw = rows.loc[index, column.column].fillna("").astype("str")
            parts.append(pd.DataFrame({"_source": location, "_row": rows.loc[index, "_row"].astype("int64"),
                                       "rule": code, "column": column.column, "raw": raw,
                                       "message": message(raw.str.strip())}, index=index))
    return pd.concat(parts, ignore_index=True)[FAILURE_COLUMNS] if parts else pd.DataFrame(columns=FAILURE_COLUMNS)


@dataclass(frozen=True)
class SourceFailures:
    """Every value of a run's sources that breaks a source rule, with the row it is on."""

    frame: pd.DataFrame  # FAILURE_COLUMNS: source location, row number, rule, column, raw text, message

    def reject(self, entity: str, source_file: str, rows: pd.DataFrame, rejects: RejectLog) -> pd.Series:
        """Reject each of an entity's ``rows`` (with ``_source``, ``_row``, ``_key``) that was built
        from a failing source row, once per failure; return which rows were."""
        broken = pd.Series(False, index=rows.index)
        if self.frame.empty:
            return broken
        found = rows[["_source", "_row"]].reset_index(names="_index").merge(self.frame, on=["_source", "_row"])
        for (column, rule), group in found.groupby(["column", "rule"], sort=False):
            index = pd.Index(group["_index"])
            rejects.add(entity, source_file, rows.loc[index], rule=rule, column=column,
                        message=pd.Series(group["message"].values, index=index),
                        raw=pd.Series(group["raw"].values, index=index))
            broken[index] = True
        return broken


def check_sources(mapping: SystemMapping, extracted: ExtractResult, batch_rows: int = 250_000) -> SourceFailures:
    """Check every source that has rules, each once, whichever entities are built from it."""
    parts = [_failures(rules, extracted.sources[name], batch_rows) for name, rules in mapping.source_rules.items()
             if name in extracted.sources]
    parts = [part for part in parts if not part.empty]
    return SourceFailures(pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=FAILURE_COLUMNS))
