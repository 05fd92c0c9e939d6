"""Run the cutover command line, and kill it with SIGKILL at a chosen point of a month-end.

Used by tests/test_month_end.py: ``CUTOVER_CRASH_AT`` says where.

- ``after:<step>``   the step's checkpoint is committed, the next step has not begun
- ``mid:load``       the load has written a few parts (its transaction is open)
- ``mid:close_legacy`` the legacy close statements committed, the step's checkpoint not
- ``hold:<step>``    hold the lock before the step until the file ``$CUTOVER_RELEASE`` appears
                     (``$CUTOVER_HOLDING`` is created once it waits): a second process can try
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

from cutover import cli
from cutover.monthend import legacy, runbook
from cutover.pipeline import load


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _after(step: str) -> None:
    original = runbook._run_step

    def run_step(switch, name):
        original(switch, name)
        if name == step:
            _die()

    runbook._run_step = run_step


def _mid_load() -> None:
    original, parts = load.TargetLoad.load, []

    def load_part(self, mapped):
        written = original(self, mapped)
        parts.append(mapped.entity)
        if mapped.entity == "reading":  # persons, accounts, meters... are in; the transaction is open
            _die()
        return written

    load.TargetLoad.load = load_part


def _mid_close() -> None:
    original = legacy.close

    def close(*args, **kwargs):
        original(*args, **kwargs)
        _die()

    legacy.close = close


def _hold(step: str) -> None:
    original = runbook._run_step

    def run_step(switch, name):
        if name == step:
            Path(os.environ["CUTOVER_HOLDING"]).write_text(switch.run_id)
            deadline = time.monotonic() + 120
            while not Path(os.environ["CUTOVER_RELEASE"]).exists() and time.monotonic() < deadline:
                time.sleep(0.05)
        original(switch, name)

    runbook._run_step = run_step


def main() -> None:
    where, step = os.environ["CUTOVER_CRASH_AT"].split(":")
    if where == "after":
        _after(step)
    elif (where, step) == ("mid", "load"):
        _mid_load()
    elif (where, step) == ("mid", "close_legacy"):
        _mid_close()
    elif where == "hold":
        _hold(step)
    else:
        raise SystemExit(f"CUTOVER_CRASH_AT={where}:{step}: not a crash point")
    sys.argv = ["cutover", *sys.argv[1:]]
    cli.main()


if __name__ == "__main__":
    main()
