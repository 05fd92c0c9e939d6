"""The steps of the month-end runbook, in order, with the names the journal and `cutover status` use."""

from __future__ import annotations

from typing import NamedTuple


class Step(NamedTuple):
    name: str
    title: str


STEPS = (
    Step("preflight", "Preflight: configuration, mapping, schema, connections, the latest dry run"),
    Step("close_legacy", "Close the month in the legacy system"),
    Step("extract", "Final extract (snapshot, hashed)"),
    Step("load", "Load into the target"),
    Step("opening", "Opening balances and base readings of the next month"),
    Step("open_period", "Open the next period, mark the closed one closed"),
    Step("reconcile", "Reconcile: the gate"),
    Step("protocol", "Protocol and the account map"),
    Step("done", "Mark the project switched"),
)
STEP_NAMES = tuple(step.name for step in STEPS)
TITLES = {step.name: step.title for step in STEPS} | {"rollback": "Rollback: target and legacy system as they were"}


def next_period(period: str) -> str:
    """The month after ``period`` (``YYYY-MM``)."""
    year, month = (int(part) for part in period.split("-"))
    return f"{year + month // 12:04d}-{month % 12 + 1:02d}"
