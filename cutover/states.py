"""The statuses a run and a month-end step have in the target's journal, spelled once.

They are ``StrEnum`` members: each is equal to its text, so the journal's column, summary.json
and comparisons with text read the same, and a typo is a NameError rather than a silent miss.
``tests/test_states.py`` proves the schema's ``isin`` lists say the same.
"""

from __future__ import annotations

from enum import StrEnum


class RunStatus(StrEnum):
    """A run in the journal (``run.status``)."""

    RUNNING = "running"  # at work, or killed (shown INTERRUPTED once its process is gone)
    RECONCILED = "reconciled"  # a dry run whose gates passed
    DIFFERENCES = "differences"  # a dry run that finished with differences or a failed gate
    FAILED = "failed"  # stopped by an error; a dry run failed after its load can still be reconciled
    SWITCHED = "switched"  # a month-end that switched the project
    ROLLED_BACK = "rolled_back"  # a month-end undone
    # Stored for a run stopped by Ctrl-C (SIGINT); shown for a run the journal has running whose
    # process is gone (killed: nothing could record it).
    INTERRUPTED = "interrupted"


STORED = tuple(RunStatus)
LOADED = (RunStatus.RECONCILED, RunStatus.DIFFERENCES)  # a dry run that finished: its rows are in the target


class StepStatus(StrEnum):
    """A step of a month-end in the journal (``cutover_step.status``)."""

    STARTED = "started"  # committed before its work begins
    DONE = "done"  # committed with its work (in the target), or right after it
    FAILED = "failed"
    ROLLED_BACK = "rolled_back"
