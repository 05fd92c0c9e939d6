"""The result of a reconciliation as data: counts, money, row-level differences, the verdict.

Rendering (summary.json, report.xlsx, report.html, the terminal) lives in ``cutover.report``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path

from cutover.results.gates import Gate
from cutover.states import RunStatus

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
    """Kopecks of one measure of one service (or the total) in the period.

    ``control`` is what the control read of the raw source (every row, the rows the filter left
    out included); ``source`` what the mapping read of it; ``rejected`` the control's reading of
    the rows the run rejected, ``filtered`` of the rows the mapping's filter left out;
    ``unreadable`` the rows whose value nobody can read, so in no sum; ``declared`` what the
    legacy system's own statement says, where the project gives it. Exact when the control is
    the target plus the rejected and the filtered money, the mapping's reading agrees (what it
    read of the loaded rows is the target), and the statement, where given, is the control.
    """

    source: int
    target: int
    rejected: int
    control: int | None = None  # None: not read by the control (a summary of an older run)
    filtered: int = 0
    unreadable: int = 0
    declared: int | None = None
    mapped_rejected: int | None = None  # the mapping's reading of the rejected rows (default: rejected)

    @property
    def balanced(self) -> bool:
        mapped_rejected = self.rejected if self.mapped_rejected is None else self.mapped_rejected
        controlled = self.control is None or self.difference == 0
        declared = self.declared is None or self.control is None or self.declared == self.control
        return self.source == self.target + mapped_rejected and controlled and declared

    @property
    def difference(self) -> int:
        """What neither the target nor the rejects explain: control (else source) - target -
        rejected - filtered."""
        read = self.source if self.control is None else self.control
        return read - self.target - self.rejected - self.filtered


@dataclass(frozen=True)
class ControlLine:
    """One measure of one legacy service in one month, as the control holds the target to it (kopecks).

    ``service`` is the legacy service code as the source spells it (``*`` for the month's total,
    ``""`` for rows with no code); ``period`` is ``YYYY-MM``, or ``?`` and the raw text for rows
    whose month cannot be read. The fields are those of :class:`MoneyLine`; ``rows`` is how many
    source rows the line holds.
    """

    service: str
    code: str | None  # the target service code the legacy code maps to, if any
    period: str
    measure: str
    control: int | None  # None: the control cannot follow this measure's transforms
    source: int
    target: int
    rejected: int
    filtered: int
    unreadable: int
    rows: int
    declared: int | None = None
    source_rejected: int = 0  # the mapping's reading of the rejected rows

    @property
    def difference(self) -> int:
        read = self.source if self.control is None else self.control
        return read - self.target - self.rejected - self.filtered

    @property
    def balanced(self) -> bool:
        read = self.source if self.control is None else self.control
        return (self.difference == 0 and self.source == self.target + self.source_rejected
                and (self.declared is None or self.declared == read))


@dataclass(frozen=True)
class UnreadableValue:
    """A money value nobody can read: not the mapping, not the control."""

    source: str  # file or table
    row: int
    legacy_key: str
    service: str
    period: str
    measure: str
    column: str
    value: str  # as the source holds it (two columns: "debt; advance")
    problem: str
    status: str  # "kept" (loaded if the mapping could read it), "rejected", "filtered"


UNREADABLE_COLUMNS = [f.name for f in fields(UnreadableValue)]  # reconcile/unreadable.parquet, the reports' sheet

# The row formats of a run's row sets (summary.json lists the first rows of each, report.xlsx all).
# The journal's rejects (reject table), as the reports list them.
REJECT_COLUMNS = ["entity", "severity", "rule", "message", "source", "row_number", "legacy_key", "column_name",
                  "raw_value"]

# Row-level differences (reconcile/differences.parquet):
# kind: "account", "meter", "balance", "last reading"
# problem: "missing in target", "not in source", "differs"
# column: for "differs", the column that differs (closing, paid..., read_on, value)
# source, target: the values as text (money in roubles: "1234.56")
DIFFERENCE_COLUMNS = ["kind", "problem", "legacy_key", "column", "source", "target"]

# What changed since the last run (reconcile/changes.parquet):
# change: "reject new", "reject fixed", "account added", "account removed", "meter added",
#         "meter removed", "balance changed", "balance added", "balance removed"
# before, after: values as text (money in roubles)
CHANGE_COLUMNS = ["change", "entity", "rule", "legacy_key", "column", "before", "after"]


@dataclass(frozen=True)
class UnreadableMoney:
    """Every unreadable money value of the run: how many rows hold one, how many of them the
    project accepts, the first values, and the Parquet file of all of them."""

    rows: int = 0  # rows (not left out by the filter) holding at least one unreadable value
    accepted: int = 0  # [gates] accept_unreadable_rows
    values: tuple[UnreadableValue, ...] = ()
    total_values: int = 0
    path: Path | None = None

    @property
    def blocking(self) -> bool:
        return self.rows > self.accepted


@dataclass(frozen=True)
class RecordCount:
    """What became of one source's records in one entity: left out by the filter, made no row
    (an unpivot's blank cells), made rows; and the rows they made, rejected or loaded."""

    entity: str  # label: "readings"
    read: int
    filtered: int
    without_rows: int
    rows: int
    rejected_rows: int
    merged: bool = False  # rows of one legacy key are one item (a premise on several accounts' rows)

    @property
    def with_rows(self) -> int:
        return self.read - self.filtered - self.without_rows

    @property
    def loaded_rows(self) -> int:
        return self.rows - self.rejected_rows


@dataclass(frozen=True)
class SourceRecords:
    """Every physical record of one source: read, blank, deleted (DBF), comment lines; then per
    entity built from it, what its records became."""

    name: str
    location: str
    records: int | None  # None: not counted (a run recorded before records were)
    read: int
    blank: int = 0
    blank_rows: tuple[int, ...] = ()
    deleted: int = 0
    deleted_rows: tuple[int, ...] = ()
    comments: int = 0
    entities: tuple[RecordCount, ...] = ()
    lookup_of: tuple[str, ...] = ()  # entities that join this source's rows as a lookup

    @property
    def balanced(self) -> bool:
        physical = self.records is None or self.records == self.read + self.blank + self.deleted + self.comments
        return physical and all(count.read == self.read for count in self.entities)


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
    control: tuple[ControlLine, ...] = ()  # every legacy service, month and measure, and each month's total
    unreadable: UnreadableMoney = field(default_factory=UnreadableMoney)
    records: tuple[SourceRecords, ...] = ()
    notes: tuple[str, ...] = ()  # what a person should know that is not a failure (a measure not controlled)
    falls: tuple[str, ...] = ()  # falls since the last good run, accepted for this run (else gate failures)
    volume: dict[str, int] = field(default_factory=dict)  # legacy service -> |closing| of the period, kopecks
    gates: tuple[Gate, ...] = ()  # every gate, held or broken, with what the run measured (gate_failures: the broken)

    @property
    def status(self) -> str:
        return RunStatus.DIFFERENCES if self.differences or self.gate_failures else RunStatus.RECONCILED
