"""Run the cutover command line, and kill it with SIGKILL (or stop it) at a chosen point.

Used by tests/test_month_end.py and tests/test_overlap.py: ``CUTOVER_CRASH_AT`` says where.

- ``after:<step>``   the step's checkpoint is committed, the next step has not begun
- ``mid:load``       the load has written a few parts (its transaction is open)
- ``mid:close_legacy`` the legacy close statements committed, the step's checkpoint not
- ``hold:<step>``    hold the lock before the step until the file ``$CUTOVER_RELEASE`` appears
                     (``$CUTOVER_HOLDING`` is created once it waits): a second process can try
- ``begin:locked``   the month-end took its lock, its transaction (journalling the run) is open
- ``begin:journalled`` the run is journalled too, the transaction not committed
- ``begin:committed`` lock and run committed, the first checkpoint not written
- ``stop:extract``   a dry run stops itself (SIGSTOP) as its extract begins, its run journalled
- ``stop:load``      a dry run stops itself in its load (its transaction open), before the readings
- ``kill:reconcile`` a dry run is killed once its load committed, as its reconciliation begins
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

from cutover import cli
from cutover.monthend import legacy, lock, runbook
from cutover.pipeline import load
from cutover.run import dry_run as run
from cutover.target import journal


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
            # Written whole, then renamed: the test reads it as soon as it exists (an empty file, created
            # and not yet written, gave it no run id to look for on a loaded machine).
            holding = Path(os.environ["CUTOVER_HOLDING"])
            holding.with_name(holding.name + ".part").write_text(switch.run_id)
            os.replace(holding.with_name(holding.name + ".part"), holding)
            deadline = time.monotonic() + 120
            while not Path(os.environ["CUTOVER_RELEASE"]).exists() and time.monotonic() < deadline:
                time.sleep(0.05)
        original(switch, name)

    runbook._run_step = run_step


def _die_after(module, name: str) -> None:
    original = getattr(module, name)

    def then_die(*args, **kwargs):
        original(*args, **kwargs)
        _die()

    setattr(module, name, then_die)


def _stop_before(module, name: str, when=lambda *args: True, sig: int = signal.SIGSTOP) -> None:
    original = getattr(module, name)

    def stop_first(*args, **kwargs):
        if when(*args):
            os.kill(os.getpid(), sig)
        return original(*args, **kwargs)

    setattr(module, name, stop_first)


BEGIN = {"locked": (lock, "take"), "journalled": (journal, "start_run"), "committed": (runbook, "_begin")}


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
    elif where == "begin":
        _die_after(*BEGIN[step])
    elif (where, step) == ("stop", "extract"):
        _stop_before(run, "extract_sources")
    elif (where, step) == ("stop", "load"):
        _stop_before(load.TargetLoad, "load", lambda _self, mapped: mapped.entity == "reading")
    elif (where, step) == ("kill", "reconcile"):
        _stop_before(run, "reconcile_and_report", sig=signal.SIGKILL)
    else:
        raise SystemExit(f"CUTOVER_CRASH_AT={where}:{step}: not a crash point")
    sys.argv = ["cutover", *sys.argv[1:]]
    cli.main()


if __name__ == "__main__":
    main()
