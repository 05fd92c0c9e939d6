"""The gates of a run as data: each one's name, what the run measured, its limit, and whether it held.

A gate is a limit of ``[gates]`` in cutover.toml (or a check with no number, such as an entity
with no rows). summary.json lists every gate, held or broken (``gates``); ``gate_failures`` keeps
the sentence of each broken one, as people and older scripts read it. Money is integer kopecks
here and roubles as decimal text in JSON (``"150.00"``), never a float; a share is a fraction
(``0.0277`` for 2.77%), rows a count.

Light: nothing but the standard library (``cutover runs show`` renders them without pandas).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

# What a gate's numbers are: a fraction of 1, money in kopecks (roubles in JSON), rows.
SHARE, MONEY, ROWS = "share", "money", "rows"

# The gates' names: the [gates] setting each one reads.
REJECT_SHARE = "max_reject_share"
ENTITY_REJECT_SHARE = "entities.max_reject_share"  # one per entity with a limit of its own
REJECTED_MONEY = "max_rejected_money"
REJECTED_MONEY_SHARE = "max_rejected_money_share"
UNREADABLE_ROWS = "accept_unreadable_rows"
FALL = "max_fall"
NOT_EMPTY = "entities_not_empty"  # no number: every mapped entity has rows, the period has balances


@dataclass(frozen=True)
class Gate:
    """One gate of one run.

    ``measured`` and ``limit`` are in ``unit`` (None for a gate with no number); ``entity`` is
    the label of the entity a per-entity gate weighs (``meters``); ``failure`` the sentence the
    run's ``gate_failures`` holds when the gate broke.
    """

    name: str
    measured: float | int | None
    limit: float | int | None
    passed: bool
    unit: str = ""
    entity: str | None = None
    failure: str | None = None

    @property
    def margin(self) -> float | int | None:
        """How far the run is from the limit (negative: past it), in ``unit``."""
        if self.measured is None or self.limit is None:
            return None
        return self.limit - self.measured

    def to_dict(self) -> dict:
        found = {"name": self.name, "passed": self.passed, "unit": self.unit,
                 "measured": _json(self.measured, self.unit), "limit": _json(self.limit, self.unit)}
        if self.entity is not None:
            found["entity"] = self.entity
        if self.failure is not None:
            found["failure"] = self.failure
        return found

    @classmethod
    def from_dict(cls, found: dict) -> Gate:
        unit = found.get("unit", "")
        return cls(found["name"], _value(found.get("measured"), unit), _value(found.get("limit"), unit),
                   bool(found["passed"]), unit, found.get("entity"), found.get("failure"))


def _json(value: float | int | None, unit: str):
    if value is None:
        return None
    if unit == MONEY:
        return f"{Decimal(int(value)).scaleb(-2):.2f}"
    return value


def _value(value, unit: str) -> float | int | None:
    if value is None:
        return None
    if unit == MONEY:
        return int(Decimal(str(value)).scaleb(2))
    return value


def failures(gates: list[Gate] | tuple[Gate, ...]) -> list[str]:
    """The sentences of the broken gates, in the gates' order."""
    return [gate.failure or gate.name for gate in gates if not gate.passed]
