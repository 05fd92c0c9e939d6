"""The steps of the month-end runbook, in order: one table of names, titles and whether the work
is in the target."""

from __future__ import annotations

from typing import NamedTuple


class Step(NamedTuple):
    """One step of the month-end runbook: the name the journal and `cutover status` use, its title,
    and whether its work is in the target (work and checkpoint then commit together)."""

    name: str
    title: str
    in_target: bool = False


# The runbook, in order. Each step's work is the function of its name in runbook.py (WORK there,
# checked against this table when it loads); the table stays here, apart from the work, so that
# `cutover status` reads it without importing the pipeline.
STEPS = (
    Step("preflight", "Preflight: configuration, mapping, schema, connections, the latest dry run"),
    Step("close_legacy", "Close the month in the legacy system"),
    Step("extract", "Final extract (snapshot, hashed)"),
    Step("load", "Load into the target", in_target=True),
    Step("opening", "Opening balances and base readings of the next month", in_target=True),
    Step("open_period", "Open the next period, mark the closed one closed", in_target=True),
    Step("reconcile", "Reconcile: the gate"),
    Step("protocol", "Protocol and the account map"),
    Step("done", "Mark the project switched", in_target=True),
)
STEP_NAMES = tuple(step.name for step in STEPS)
BY_NAME = {step.name: step for step in STEPS}
TITLES = {step.name: step.title for step in STEPS} | {"rollback": "Rollback: target and legacy system as they were"}

