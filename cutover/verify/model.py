"""What `cutover verify` found, as data: each check, the services' fingerprints and the rows that
changed. The reports (report.xlsx, report.html, summary.json) are views of one :class:`Verification`.
Money is integer kopecks here; the workbook and the page show roubles.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

INTACT = "intact"
CHANGED = "changed"


@dataclass(frozen=True)
class Check:
    """One line of the verification: what was checked, whether it holds, and what was found."""

    name: str  # legacy_month, opening_balances, accounts
    title: str
    passed: bool
    detail: str
    findings: tuple[str, ...] = ()  # one message per change found


@dataclass(frozen=True)
class ServiceLine:
    """One service's balances of one month: as the switch recorded them and as the target has them now."""

    measure: str  # "opening" (the first month in the new system) or "closing" (the closed month)
    period: str
    service: str
    rows_at_switch: int | None  # None: the service had no balance of the month then
    kopecks_at_switch: int | None
    rows_now: int | None
    kopecks_now: int | None
    same: bool  # the SHA-256 of its rows is the one recorded


@dataclass(frozen=True)
class BalanceChange:
    """A balance of the first month whose opening is not what the switch loaded."""

    service: str
    account_number: str
    legacy_account_number: str
    at_switch: int | None  # kopecks the switch loaded (the closed month's closing); None: not loaded then
    now: int | None  # kopecks in the target now; None: the row is gone


@dataclass(frozen=True)
class Verification:
    """The whole nightly check after the switch."""

    switch_run: str
    period: str  # the month closed at the switch
    next_period: str  # the first month in the new system
    switched_at: str
    checked_at: str
    target: str  # masked URL
    legacy: str  # masked URL or folder
    checks: list[Check]
    services: list[ServiceLine] = field(default_factory=list)
    balance_changes: list[BalanceChange] = field(default_factory=list)
    balance_changes_total: int = 0  # all of them; the list keeps the first ones
    notes: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return all(check.passed for check in self.checks)

    @property
    def status(self) -> str:
        return INTACT if self.intact else CHANGED

    def to_dict(self) -> dict:
        return {"status": self.status, **dataclasses.asdict(self)}
