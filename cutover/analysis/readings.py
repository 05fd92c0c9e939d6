"""Values a mapping's money and number transforms reject that the control reader reads.

A whole column read with the wrong decimal separator loses every value to rejects; a column
with a few values typed another way loses those. ``cutover check`` runs each money and decimal
column's transforms over the data, reads the same raw values with the control's tolerant
reader (:mod:`cutover.control.readers`), and names the rows only the control could read, with
examples and the setting that would read them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from cutover.control.readers import read_decimal, read_money
from cutover.mapping.model import ColumnRule, EntityMapping
from cutover.mapping.transforms import REGISTRY as TRANSFORMS

NUMBER_READERS = {"money": "money", "debt_minus_advance": "money", "kopecks": "kopecks", "decimal": "decimal"}
EXAMPLES = 3


@dataclass(frozen=True)
class ReadingWarning:
    """Values of one column rule that its transforms reject and the control reads."""

    entity: str
    where: str  # "entities/balance.toml: columns[5]"
    column: str
    transform: str
    rows: int
    examples: tuple[tuple[int, str], ...]  # (row, raw value)
    advice: str


def decimal_mark(text: str) -> str | None:
    """The decimal point a number is written with (the last of ``,`` and ``.``), or None."""
    marks = [(text.rfind(mark), mark) for mark in (",", ".") if mark in text]
    if not marks:
        return None
    _, mark = max(marks)
    if len(marks) == 1 and text.count(mark) > 1:
        return None  # 1.234.567: thousands, no point
    return mark


def _marks(values: pd.Series) -> set[str]:
    return {mark for mark in (decimal_mark(str(value)) for value in values.dropna().unique()) if mark is not None}


def _advice(transform: str, rejected: pd.Series, accepted: pd.Series, decimal: str) -> str:
    """What would read the values: a setting, when the whole column is written one other way."""
    if transform == "kopecks":
        return ("they are written as roubles with decimals, and the kopecks transform reads whole kopecks only: "
                "use the money transform if the column holds roubles")
    theirs, others = _marks(rejected), _marks(accepted)
    if len(theirs) == 1 and not others:
        mark = next(iter(theirs))
        return f"they use {mark!r} as the decimal point: set decimal = \"{mark}\" on this transform"
    if theirs and others:
        return (f"they use {' and '.join(sorted(map(repr, theirs)))} as the decimal point where the column's other "
                f"values use {' and '.join(sorted(map(repr, others)))}: no one decimal setting reads the whole "
                f"column; correct these values in the source, or their rows stay rejected (their money is counted "
                f"as rejected)")
    return f"correct them in the source (the transform reads '{decimal}' as the decimal point)"


def _rule_warning(entity: EntityMapping, rule: ColumnRule, rows: pd.DataFrame) -> ReadingWarning | None:
    step = next((s for s in rule.steps if s.name in NUMBER_READERS), None)
    if step is None or not rule.inputs:
        return None
    reader = NUMBER_READERS[step.name]
    values = rows[list(rule.inputs)] if len(rule.inputs) > 1 else rows[rule.inputs[0]]
    rejected = TRANSFORMS[step.name].function(values, **step.params).errors.notna()
    if not rejected.any():
        return None
    readable = pd.Series(True, index=rows.index)
    for column in rule.inputs:
        raw = rows[column]
        read = read_decimal(raw, step.params.get("scale", 7), step.params.get("precision", 22)) \
            if reader == "decimal" else read_money(raw, "kopecks" if reader == "kopecks" else "roubles")
        readable &= ~read.unreadable
    only_control = rejected & readable
    if not only_control.any():
        return None
    shown = rows.loc[only_control, list(rule.inputs)].astype("str").agg("; ".join, axis=1)
    examples = tuple(zip(rows.loc[only_control, "_row"].astype("int64").head(EXAMPLES).tolist(),
                         shown.head(EXAMPLES).tolist()))
    def raw(which: pd.Series) -> pd.Series:
        return pd.concat([rows.loc[which, c].astype("str") for c in rule.inputs], ignore_index=True)

    return ReadingWarning(entity.entity, rule.where, rule.source or "", step.name, int(only_control.sum()), examples,
                          _advice(step.name, raw(only_control), raw(~rejected), step.params.get("decimal", ",")))


def reading_warnings(entity: EntityMapping, rows: pd.DataFrame) -> list[ReadingWarning]:
    """The warnings of every money and decimal column rule of ``entity`` over its shaped ``rows``."""
    found = [_rule_warning(entity, rule, rows) for rule in entity.columns]
    return [warning for warning in found if warning is not None]
