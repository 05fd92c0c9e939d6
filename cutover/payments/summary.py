"""What a translation did, as data: count and sum in = translated + returned, to the kopeck.

Frozen dataclasses with ``to_dict()`` (summary.json); the command line renders them as text.
Money is integer kopecks here and decimal text (``"1234.50"``) in the JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cutover.money import kopecks_to_roubles_text, kopecks_to_text

# Why a payment goes back to the agent: code -> (Russian, English) text of the return registry.
REASONS = {
    "MALFORMED": ("строка не читается", "the line cannot be read"),
    "DUPLICATE_PAYMENT": ("платёж уже принят", "the payment was taken before"),
    "UNKNOWN_ACCOUNT": ("лицевой счёт не найден", "no such account"),
    "REJECTED_ACCOUNT": ("лицевой счёт не перенесён при миграции", "the account was rejected at the migration"),
    "CLOSED_ACCOUNT": ("лицевой счёт закрыт", "the account is closed"),
    "AMBIGUOUS_ACCOUNT": ("лицевому счёту соответствует несколько счетов", "several accounts have this number"),
}


@dataclass
class Totals:
    """A count of payments and their sum in kopecks."""

    count: int = 0
    kopecks: int = 0

    def add(self, kopecks: int) -> None:
        self.count += 1
        self.kopecks += kopecks

    def to_dict(self) -> dict:
        return {"count": self.count, "sum": kopecks_to_text(self.kopecks)}

    def shown(self) -> str:
        return f"{self.count} payment(s), {kopecks_to_roubles_text(self.kopecks)}"


@dataclass(frozen=True)
class Returned:
    """A payment that goes back to the agent, and why."""

    line: int
    payment_id: str
    legacy_account: str
    kopecks: int
    reason: str  # a code of REASONS
    detail: str  # what exactly: the file, line, column and value, the reject, the closing date...

    def to_dict(self) -> dict:
        return {"line": self.line, "payment_id": self.payment_id, "legacy_account": self.legacy_account,
                "sum": kopecks_to_text(self.kopecks), "reason": self.reason, "detail": self.detail}


@dataclass
class Group:
    """One billing month and service: payments in, translated, returned."""

    period: str
    service: str
    received: Totals = field(default_factory=Totals)
    translated: Totals = field(default_factory=Totals)
    returned: Totals = field(default_factory=Totals)

    def to_dict(self) -> dict:
        return {"period": self.period, "service": self.service, "in": self.received.to_dict(),
                "translated": self.translated.to_dict(), "returned": self.returned.to_dict()}


@dataclass(frozen=True)
class Translation:
    """A registry translated: its totals, what went back and why, and the files written."""

    registry: Path
    agent: str
    sha256: str
    run_id: str
    switched: bool
    footer: Totals
    received: Totals
    translated: Totals
    returned: Totals
    by_reason: dict[str, Totals]
    groups: list[Group]
    returns: list[Returned]
    translated_file: Path
    returned_file: Path | None
    summary_file: Path

    @property
    def balanced(self) -> bool:
        """In = translated + returned, in count and in kopecks."""
        return (self.received.count == self.translated.count + self.returned.count
                and self.received.kopecks == self.translated.kopecks + self.returned.kopecks)

    def to_dict(self) -> dict:
        return {
            "registry": str(self.registry), "agent": self.agent, "sha256": self.sha256,
            "target_run": self.run_id, "after_switch": self.switched,
            "footer": self.footer.to_dict(), "in": self.received.to_dict(),
            "translated": self.translated.to_dict(), "returned": self.returned.to_dict(),
            "returned_by_reason": {reason: totals.to_dict() for reason, totals in self.by_reason.items()},
            "by_period_service": [group.to_dict() for group in self.groups],
            "returns": [item.to_dict() for item in self.returns],
            "files": {"translated": str(self.translated_file),
                      "returned": str(self.returned_file) if self.returned_file else None,
                      "summary": str(self.summary_file)},
        }
