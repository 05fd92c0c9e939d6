"""What the switch protocol says, as data: the acceptance document the customer signs.

``protocol.xlsx`` and ``protocol.html`` are both rendered from one :class:`ProtocolData`
(``protocol_workbook.py``, ``protocol_html.py``). Money is integer kopecks here; the
renderers show roubles.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ServiceTotals:
    """One service (or the total, code ``"total"``): legacy closing of the closed month against
    the target's closing of it and its opening of the next month, in kopecks.

    ``legacy_closing`` is read from the raw source by the control, not through the mapping
    (the mapping's own reading where the control cannot follow it)."""

    code: str
    name: str
    legacy_closing: int  # every legacy balance of the closed month, rejected ones included
    rejected_closing: int  # among them, the balances rejected (and accepted as such)
    target_closing: int  # the closed month's closing balances in the target
    new_opening: int  # the next month's opening balances in the target
    filtered_closing: int = 0  # balances the mapping's filter left out
    unreadable_rows: int = 0  # rows whose closing balance nobody can read: in no sum above
    declared_closing: int | None = None  # the legacy system's own statement, where the project gives it

    @property
    def difference(self) -> int:
        """Legacy closing not accounted for: zero when the switch is exact."""
        return self.legacy_closing - self.rejected_closing - self.filtered_closing - self.new_opening


@dataclass(frozen=True)
class CountLine:
    """One entity: rows in the legacy extract, loaded, rejected."""

    entity: str  # plural: accounts, meters, ...
    source_rows: int
    loaded: int
    rejected: int


@dataclass(frozen=True)
class RecordLine:
    """One source's physical records and, per entity built from it, what they became."""

    source: str  # file or table
    records: int | None  # physical records (None: not counted)
    read: int
    blank: int
    deleted: int
    entity: str  # "" on a lookup's line
    filtered: int
    rows: int
    loaded: int
    rejected: int


@dataclass(frozen=True)
class UnreadableLine:
    """A money value nobody can read, accepted with the switch by ``[gates] accept_unreadable_rows``."""

    source: str
    row: int
    legacy_key: str
    measure: str
    column: str
    value: str
    problem: str


@dataclass(frozen=True)
class AcceptedReject:
    """Rows rejected by one rule, accepted with the switch (they stay in the legacy system; their
    money is in :attr:`ServiceTotals.rejected_closing`)."""

    entity: str
    rule: str
    severity: str  # "error" (not loaded) or "warning" (loaded)
    rows: int


@dataclass(frozen=True)
class FileHash:
    """Evidence: a file (source file, snapshot part) or legacy check, and its SHA-256."""

    what: str  # "legacy close", "source file", "snapshot"
    name: str
    sha256: str
    rows: int | None = None


@dataclass(frozen=True)
class StepTiming:
    """One runbook step as the journal recorded it."""

    step: str
    title: str
    status: str  # started, done, failed, rolled_back
    started_at: str  # ISO, seconds
    finished_at: str | None
    seconds: float | None


@dataclass(frozen=True)
class Check:
    """One line of the checklist, ticked automatically."""

    title: str
    passed: bool
    detail: str


@dataclass(frozen=True)
class TraceLine:
    """One sample account traced end to end: legacy values against the target's, per service."""

    legacy_account: str
    new_account: str
    service: str
    legacy_closing: int  # kopecks, as the legacy extract has it
    target_closing: int | None  # the closed month in the target (None: not there)
    new_opening: int | None  # the next month's opening in the target (None: not there)

    @property
    def passed(self) -> bool:
        return self.legacy_closing == self.target_closing == self.new_opening


@dataclass(frozen=True)
class ProtocolData:
    """Everything the protocol shows."""

    system: str  # the mapping's name (the legacy system)
    period: str  # the month closed, YYYY-MM
    next_period: str  # the month opened, YYYY-MM
    run_id: str
    target: str  # the target's URL, password masked
    legacy: str  # where the legacy data came from (masked URL or folder)
    made_at: str  # when the protocol was made, ISO seconds
    services: list[ServiceTotals]  # one per service, then the total
    counts: list[CountLine]
    accepted_rejects: list[AcceptedReject]
    hashes: list[FileHash]
    steps: list[StepTiming]
    checklist: list[Check]
    traces: list[TraceLine]
    forced_reason: str | None = None  # set when preflight's gate was overridden with --force
    broken_locks: list[str] = field(default_factory=list)  # the run's lock broken with --break-lock, and why
    records: list[RecordLine] = field(default_factory=list)
    unreadable: list[UnreadableLine] = field(default_factory=list)  # accepted; the first ones
    unreadable_rows: int = 0  # how many rows hold unreadable money in all
    notes: list[str] = field(default_factory=list)  # accepted falls, measures the control cannot follow
    signatures: list[str] = field(default_factory=lambda: [
        "Handed over (legacy system) / Сдал", "Accepted (new system) / Принял", "Migration engineer / Инженер миграции"])

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checklist)
