"""The result of a reconciliation as data: counts, money, row-level differences, the verdict.

Rendering (summary.json, report.xlsx, report.html, the terminal) lives in ``cutover.report``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

MEASURES = ("opening", "charged", "recalculated", "paid", "closing")  # balance money, in the order of the identity


def entity_label(entity: str) -> str:
    """The plural name reports use: person -> persons."""
    return f"{entity}s"


@dataclass(frozen=True)
class EntityCount:
    """One entity's items: in the source, in the target, rejected, and warnings among the loaded."""

    source_rows: int
    loaded: int
    rejected: int
    warnings: int

    @property
    def balanced(self) -> bool:
        return self.source_rows == self.loaded + self.rejected

    def to_dict(self) -> dict:
        return {"source_rows": self.source_rows, "loaded": self.loaded, "rejected": self.rejected,
                "warnings": self.warnings}


@dataclass(frozen=True)
class MoneyLine:
    """Kopecks of one measure of one service (or the total): in the source, in the target, rejected."""

    source: int
    target: int
    rejected: int

    @property
    def balanced(self) -> bool:
        return self.source == self.target + self.rejected

    @property
    def difference(self) -> int:
        """What neither the target nor the rejects explain."""
        return self.source - self.target - self.rejected


@dataclass(frozen=True)
class ServiceMoney:
    """Every measure of one service's balances in the period."""

    measures: dict[str, MoneyLine]  # measure (MEASURES) -> line

    @property
    def closing(self) -> MoneyLine:
        return self.measures["closing"]


@dataclass(frozen=True)
class RowDifferences:
    """Row-level differences: how many of each kind, and where the rows are."""

    by_kind: dict[str, int]  # "balance: differs" -> rows
    path: Path | None = None  # a Parquet file of every difference (DIFFERENCE_COLUMNS), if any

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())


@dataclass(frozen=True)
class Reconciliation:
    """The verdict of a run and the numbers behind it."""

    entities: dict[str, EntityCount]  # by label
    money_period: str
    money: dict[str, ServiceMoney]  # service code -> measures
    total: ServiceMoney
    rejects_by_rule: dict[str, dict[str, int]]
    warnings_by_rule: dict[str, dict[str, int]]
    rows: RowDifferences = field(default_factory=lambda: RowDifferences({}))
    differences: list[str] = field(default_factory=list)
    gate_failures: list[str] = field(default_factory=list)
    filtered: dict[str, int] = field(default_factory=dict)  # source rows each entity's filter left out
    rejected_kopecks_absolute: int = 0  # closing balances among rejected rows, debts and prepayments alike

    @property
    def status(self) -> str:
        return "differences" if self.differences or self.gate_failures else "reconciled"
