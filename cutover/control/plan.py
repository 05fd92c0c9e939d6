"""Where the control reads each money measure: the raw columns of a balance mapping, by its shape.

The control takes from a balance mapping only what the legacy system's layout says, never how
its transforms parse: which source column (or which two, debt and advance) holds a measure,
whether the legacy system keeps whole kopecks (``kopecks``) or roubles (``money``), whether it
stores the measure with the opposite sign (``negate``), and which columns spell the service's
legacy code and the billing month. It reads those raw values with its own readers
(:mod:`cutover.control.readers`).
"""

from __future__ import annotations

from dataclasses import dataclass

from cutover.mapping.model import ColumnRule, EntityMapping, SystemMapping
from cutover.results.model import MEASURES

# Transforms that only tidy text, or stand in for a blank value: the control reads the raw
# value itself (a blank is no money) and makes nothing of them.
NEUTRAL = frozenset({"trim", "collapse_spaces", "default"})
READERS = {"money": ("roubles", 1), "kopecks": ("kopecks", 1), "debt_minus_advance": ("roubles", 2)}


@dataclass(frozen=True)
class MeasureSource:
    """The raw source of one money measure."""

    measure: str  # opening, charged, recalculated, paid, closing
    columns: tuple[str, ...]  # one column, or debt and advance (debt minus advance)
    constant: str | None  # a constant the mapping gives instead of a column
    unit: str  # "roubles" or "kopecks"
    sign: int  # -1 where the legacy system stores the measure negated


@dataclass(frozen=True)
class ControlPlan:
    """What the control reads of a balance mapping's source rows."""

    entity: EntityMapping
    measures: tuple[MeasureSource, ...]
    uncontrolled: tuple[str, ...]  # measures mapped through transforms the control cannot follow, and why
    service: tuple[str, ...]  # source columns that spell the service's legacy code
    period_column: str | None
    period_constant: str | None


def _measure(measure: str, rule: ColumnRule) -> MeasureSource | str:
    """The measure's raw source, or why the control cannot read it independently."""
    names = [step.name for step in rule.steps]
    readers = [name for name in names if name in READERS]
    others = sorted(set(names) - NEUTRAL - set(READERS) - {"negate"})
    if len(readers) != 1 or others:
        return (f"{measure} ({rule.where}): its transforms {names} are not one money reader and sign changes, "
                f"so the control cannot read its source column independently")
    unit, reads = READERS[readers[0]]
    if rule.inputs and len(rule.inputs) != reads:
        return f"{measure} ({rule.where}): {readers[0]} reads {reads} column(s), the rule gives {len(rule.inputs)}"
    sign = -1 if names.count("negate") % 2 else 1
    constant = None if rule.inputs else str(rule.constant)
    return MeasureSource(measure, rule.inputs, constant, unit, sign)


def control_plan(mapping: SystemMapping) -> ControlPlan | None:
    """The control's plan for the mapping's balances (None when it maps no balances)."""
    entity = mapping.entity("balance")
    if entity is None:
        return None
    measures, uncontrolled = [], []
    by_target = {target: rule for rule in entity.columns for target in rule.targets}
    for measure in MEASURES:
        rule = by_target.get(f"{measure}_kopecks")
        if rule is None:
            continue
        found = _measure(measure, rule)
        (uncontrolled if isinstance(found, str) else measures).append(found)
    service = next((ref.key for ref in entity.refs if ref.entity == "service"), ())
    period = by_target.get("period")
    column = period.inputs[0] if period is not None and period.inputs else None
    constant = str(period.constant) if period is not None and not period.inputs else None
    return ControlPlan(entity, tuple(measures), tuple(uncontrolled), service, column, constant)
