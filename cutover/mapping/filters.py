"""An entity's ``[filter]``: which input rows are the entity's at all, as engineers say it.

Each column of the table names one condition, on the column's trimmed text:

- ``MES = "202610"`` or ``MES = ["202609", "202610"]``: one of the values (exact, case-sensitive);
- ``MES = { not = "202608" }`` (or a list): none of them (a blank value is none of them);
- ``LS = { not_blank = true }``: not blank (missing, empty or only white space);
- ``MES = { from = "202601", to = "202612" }`` (either bound may be left out): in the range,
  both ends included. Bounds that are numbers (``"-5"``, ``"20,5"``) compare numbers, exactly;
  a value that is not a number, or blank, is out of such a range. Other bounds compare text
  (``"2026-01"`` .. ``"2026-12"``); a blank value is out of it.

Conditions of one table combine (``{ not_blank = true, not = "0" }``), and a row must pass every
column's. Rows a filter leaves out are counted, never lost (``filtered`` in the summary; the
money control lists the money they hold).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cutover.errors import MappingError
from cutover.mapping.source_rules import NUMBER

_CONDITIONS = {"not", "not_blank", "from", "to"}


def _number(text: str) -> Decimal | None:
    return Decimal(text.replace(",", ".")) if NUMBER.fullmatch(text) else None


@dataclass(frozen=True)
class FilterRule:
    """One column's condition: one of ``values`` (when given), none of ``excluded``, not blank,
    and within ``low`` .. ``high`` (when given)."""

    column: str
    values: tuple[str, ...] | None = None
    excluded: tuple[str, ...] = ()
    not_blank: bool = False
    low: str | None = None
    high: str | None = None

    @property
    def numeric(self) -> bool:
        """Whether the range compares numbers (every bound given is one)."""
        bounds = [b for b in (self.low, self.high) if b is not None]
        return bool(bounds) and all(_number(b) is not None for b in bounds)

    def keeps(self, column: pd.Series) -> pd.Series:
        """Which rows of ``column`` pass."""
        text = column.astype("str").str.strip().where(column.notna(), "")
        keep = pd.Series(True, index=column.index)
        if self.values is not None:
            keep &= text.isin(self.values)
        if self.excluded:
            keep &= ~text.isin(self.excluded)
        if self.not_blank:
            keep &= text != ""
        if self.low is not None or self.high is not None:
            keep &= self._in_range(text)
        return keep

    def _in_range(self, text: pd.Series) -> pd.Series:
        codes, distinct = pd.factorize(text)  # a filtered column holds few distinct values: each judged once
        inside = np.array([self._inside(value) for value in distinct], dtype=bool)
        return pd.Series(inside[codes], index=text.index)

    def _inside(self, value: str) -> bool:
        if value == "":
            return False
        if self.numeric:
            number = _number(value)
            if number is None:
                return False
            return ((self.low is None or number >= _number(self.low))
                    and (self.high is None or number <= _number(self.high)))
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)


def _texts(where: str, value: Any) -> tuple[str, ...]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
        raise MappingError(f"{where}: expected a text value or a list of them, e.g. \"202610\"")
    return tuple(values)


def _conditions(where: str, column: str, spec: dict) -> FilterRule:
    unknown = sorted(set(spec) - _CONDITIONS)
    if unknown or not spec:
        raise MappingError(f"{where}: expected a value, a list of values, or a table of {sorted(_CONDITIONS)}"
                           + (f", not {unknown}" if unknown else ""))
    if "not_blank" in spec and spec["not_blank"] is not True:
        raise MappingError(f"{where}.not_blank: expected true (leave it out to let blank values through)")
    for bound in ("from", "to"):
        if bound in spec and not isinstance(spec[bound], str):
            raise MappingError(f"{where}.{bound}: expected text, e.g. \"202601\" (a bound that is a number is "
                               f"compared as a number, exactly)")
    excluded = _texts(f"{where}.not", spec["not"]) if "not" in spec else ()
    return FilterRule(column, None, excluded, "not_blank" in spec, spec.get("from"), spec.get("to"))


def filter_rules(path: Path, spec: Any) -> tuple[FilterRule, ...]:
    """The ``[filter]`` table of an entity file, checked."""
    if not isinstance(spec, dict):
        raise MappingError(f"{path}: filter: expected a table of column = value, [values] or {{ condition = ... }}")
    rules = []
    for column, value in spec.items():
        where = f"{path}: filter.{column}"
        if isinstance(value, dict):
            rules.append(_conditions(where, column, value))
        else:
            rules.append(FilterRule(column, _texts(where, value)))
    return tuple(rules)


def kept(frame: pd.DataFrame, rules: tuple[FilterRule, ...]) -> pd.Series:
    """Which rows of ``frame`` every rule keeps."""
    keep = pd.Series(True, index=frame.index)
    for rule in rules:
        keep &= rule.keeps(frame[rule.column])
    return keep
