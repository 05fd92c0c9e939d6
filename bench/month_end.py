"""Time and memory of a month-end switch of the sample legacy system (file exports), per step,
and of a rollback after the target was loaded.

    python bench/month_end.py [--accounts 10000 | --source DIR] [--target URL] [--rollback]

Runs a dry run (the switch's preflight wants one that passed), then ``cutover month-end``, in
this process, into a fresh SQLite file (or ``--target``). With ``--rollback`` the month-end is
stopped after it opened the next period and rolled back instead, which restores the target's
rows from their saved copies. Prints each step's seconds from the journal and the peak memory.
Nothing asserts a time; numbers go in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


class _Stop(BaseException):
    """Stops the month-end after a step, as a crash would."""


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _steps(url: str, run_id: str) -> list[tuple[str, str, float | None]]:
    from cutover.monthend.steps import STEP_NAMES
    from cutover.target import db, journal

    engine = db.create_target_engine(url)
    try:
        with engine.connect() as connection:
            records = journal.steps(connection, run_id)
    finally:
        engine.dispose()
    return [(name, records[name].status, records[name].seconds) for name in (*STEP_NAMES, "rollback")
            if name in records]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--source", type=Path, help="an extract made by sample_data/generate.py (else one is made)")
    parser.add_argument("--target", help="target URL (default: a fresh SQLite file)")
    parser.add_argument("--rollback", action="store_true", help="stop after open_period and roll back")
    args = parser.parse_args()

    from dry_run import unreadable_rows

    from cutover.config import load_project
    from cutover.monthend import runbook
    from cutover.run.dry_run import dry_run

    with tempfile.TemporaryDirectory(prefix="bench-month-end-") as scratch:
        folder = Path(scratch)
        source = args.source
        if source is None:
            source = folder / "source"
            subprocess.run([sys.executable, str(REPO / "sample_data" / "generate.py"), "--accounts",
                            str(args.accounts), "--out", str(source)], check=True)
        url = args.target or f"sqlite:///{folder / 'target.db'}"
        (folder / "cutover.toml").write_text(
            f'[project]\nmapping = "sample_legacy"\nsource_dir = "{source.resolve().as_posix()}"\nperiod = "2026-10"\n'
            f'[target]\nurl = "{url}"\n[gates]\naccept_unreadable_rows = {unreadable_rows(source)}\n', encoding="utf-8")
        project = load_project(folder)
        started = time.perf_counter()
        result = dry_run(project)
        print(f"dry run {result.run_id}: {result.status} in {time.perf_counter() - started:.1f} s")
        if args.rollback:
            original = runbook._run_step

            def run_step(switch, name):
                original(switch, name)
                if name == "open_period":
                    raise _Stop

            runbook._run_step = run_step
        started = time.perf_counter()
        try:
            switched = runbook.month_end(project, "2026-10")
            run_id = switched.run_id
            print(f"month-end {run_id}: {switched.status} in {time.perf_counter() - started:.1f} s")
        except _Stop:
            runbook._run_step = original
            print(f"month-end stopped after open_period in {time.perf_counter() - started:.1f} s")
            started = time.perf_counter()
            undone = runbook.rollback(project, "2026-10")
            run_id = undone.run_id
            print(f"rollback: {time.perf_counter() - started:.1f} s, rows restored {undone.rollback.get('restored')}")
        for name, status, seconds in _steps(url, run_id):
            print(f"  {name:<13} {status:<12} {seconds if seconds is not None else float('nan'):>8.1f} s")
        print(f"peak memory {_peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
