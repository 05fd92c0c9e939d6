"""Runs that meet, and runs that are killed: nothing of a switched target is lost, no lock is stuck.

A dry run and a month-end exclude each other for the whole load (tests/crash_month_end.py
stops or kills the process at a chosen point with a real signal). A killed run's lock and
journal are judged by its heartbeat and its process; ``--break-lock`` is the way out for
what no check can decide. The target is SQLite, and PostgreSQL when ``CUTOVER_TEST_POSTGRES_URL``
is set; the legacy system is sql_legacy's (see tests/test_month_end.py).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook
from test_month_end import (  # noqa: F401
    CRASH,
    FORCE,
    OPEN_OCTOBER,
    PERIOD,
    _sql,
    crash,
    cutover,
    legacy_periods,
    legacy_url,
    make_project,
    month_end,
    project,
    rehearse,
    switch_target,
    target_state,
)

from cutover.monthend import lock
from cutover.schema.tables import target_metadata
from cutover.target import db, heartbeat

CLOSE_OCTOBER = "UPDATE period SET zakryt = 1 WHERE period = 202610"
OPEN_OCTOBER_SQL = "UPDATE period SET zakryt = 0 WHERE period = 202610"


def _start(folder: Path, point: str, *args: str) -> subprocess.Popen:
    """The command line in a process of its own, stopped or killed at ``point``."""
    env = {**os.environ, "CUTOVER_CRASH_AT": point, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.Popen([sys.executable, str(CRASH), "--project", str(folder), *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_stopped(process: subprocess.Popen) -> None:
    """Until ``process`` has stopped itself with SIGSTOP."""
    for _ in range(2400):
        if process.poll() is not None:
            pytest.fail(f"the process ended instead of stopping: {process.communicate()}")
        state = Path(f"/proc/{process.pid}/stat").read_text()
        if state[state.rindex(")") + 2] == "T":
            return
        time.sleep(0.05)
    pytest.fail("the process never stopped")


def _runs(url: str) -> dict[str, tuple[str, str]]:
    return {run_id: (kind, status) for run_id, kind, status in _sql(url, "SELECT run_id, kind, status FROM run")}


def _running_dry_run(url: str) -> str:
    found = [run_id for run_id, (kind, status) in _runs(url).items() if kind == "dry-run" and status == "running"]
    assert len(found) == 1, _runs(url)
    return found[0]


def _switch_state(url: str) -> dict:
    """The target's saved tables and rejects, and its periods (the open month among them)."""
    return {**target_state(url), "period": _sql(url, "SELECT month, status FROM period ORDER BY month")}


# ---- a dry run and a month-end meet ----------------------------------------------------------

def test_a_dry_run_begun_before_a_month_end_cannot_touch_the_switched_target(project, legacy_url, switch_target):
    assert rehearse(project, legacy_url) == "reconciled"
    night = _start(project, "stop:extract", "dry-run")
    try:
        _wait_stopped(night)
        dry_run_id = _running_dry_run(switch_target)
        refused = month_end(project)  # the preflight sees the dry run at work
        assert refused.exit_code == 2
        assert (f"the latest dry run must pass its gates before the switch, and dry run {dry_run_id} of mapping "
                f"sql_legacy is still running") in refused.output
        switched = month_end(project, *FORCE)
        assert switched.exit_code == 0, switched.output
        month_end_id = re.search(r"Month-end (\S+): SWITCHED", switched.output).group(1)
        before = _switch_state(switch_target)
        assert ("2026-11", "open") in before["period"]
    finally:
        os.kill(night.pid, signal.SIGCONT)
        out, err = night.communicate(timeout=300)
    assert night.returncode == 2, (out, err)
    assert re.search(rf"^Error: \S+ was switched on [0-9-]+ [0-9:]+ by month-end {month_end_id}: it holds the live "
                     rf"data, which a dry run would replace ", err, re.M), err
    assert _switch_state(switch_target) == before
    assert _runs(switch_target)[dry_run_id] == ("dry-run", "failed")
    assert "SWITCHED on" in cutover(project, "status").output


def test_a_month_end_is_refused_while_a_dry_run_loads_and_the_dry_run_finishes(project, legacy_url, switch_target):
    """The two loads never run together (on PostgreSQL they used to deadlock)."""
    _sql(legacy_url, CLOSE_OCTOBER)  # the night's dry run rehearses a closed October
    night = _start(project, "stop:load", "dry-run")
    try:
        _wait_stopped(night)
        dry_run_id = _running_dry_run(switch_target)
        _sql(legacy_url, OPEN_OCTOBER_SQL)
        refused = month_end(project, *FORCE)
        assert refused.exit_code == 2, refused.output
        assert re.search(rf"^Error: dry-run {dry_run_id} \(process {night.pid} on \S+, since [0-9-]+ [0-9:]+\) is "
                         rf"writing the target \S+ now, so month-end \S+ is refused; wait for it to finish "
                         rf"\(`cutover runs`, `cutover status`\)$", refused.output, re.M), refused.output
        assert legacy_periods(legacy_url) == OPEN_OCTOBER  # the legacy month was not closed
    finally:
        os.kill(night.pid, signal.SIGCONT)
        out, err = night.communicate(timeout=300)
    assert night.returncode == 0, err
    assert _runs(switch_target)[dry_run_id] == ("dry-run", "reconciled")
    assert not _sql(switch_target, "SELECT * FROM cutover_lock")
    switched = month_end(project)
    assert switched.exit_code == 0, switched.output


# ---- a kill between the lock and the first checkpoint ------------------------------------------

LOCK_POINTS = ["begin:locked", "begin:journalled", "begin:committed"]


@pytest.mark.one_database_each(LOCK_POINTS)
@pytest.mark.parametrize("point", LOCK_POINTS)
@pytest.mark.parametrize("then", ["--resume", "--rollback"])
def test_a_month_end_killed_as_it_takes_its_lock_leaves_no_lock_stuck(point, then, project, legacy_url,
                                                                     switch_target):
    assert rehearse(project, legacy_url) == "reconciled"
    killed = crash(project, point)
    assert killed.returncode == -9, killed.stderr
    after = month_end(project, then)
    if point != "begin:committed":  # lock and run are one transaction: nothing of it is left
        assert not _sql(switch_target, "SELECT * FROM cutover_lock")
        assert after.exit_code == 2
        assert after.output == ("Error: there is no month-end to " + ("resume" if then == "--resume" else "roll back")
                                + ": none was begun, or the last one was rolled back\n")
        again = month_end(project)
        assert again.exit_code == 0, again.output
        assert "SWITCHED" in again.output
        return
    assert after.exit_code == 0, after.output
    if then == "--resume":
        assert "SWITCHED" in after.output
    else:
        assert "ROLLED BACK" in after.output
        assert legacy_periods(legacy_url) == OPEN_OCTOBER
    assert not _sql(switch_target, "SELECT * FROM cutover_lock")


# ---- the lock's holder, judged by its heartbeat --------------------------------------------------

def _running_month_end(url: str, host: str, pid: int, key: str, beat: dt.datetime) -> str:
    """A month-end the journal has running, holding the lock, as a process left it."""
    run_id = "20261031-230000-month-end-0a0a"
    tables = target_metadata().tables
    engine = db.create_target_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(tables["run"].insert().values(
                run_id=run_id, kind="month-end", mapping="sql_legacy", status="running", started_at=beat,
                summary_json='{"period": "2026-10"}', host=host, pid=pid, process_key=key, heartbeat_at=beat))
            connection.execute(tables["cutover_lock"].insert().values(
                name=lock.NAME, run_id=run_id, host=host, pid=pid, acquired_at=beat))
    finally:
        engine.dispose()
    return run_id


@pytest.mark.parametrize("who", ["reused pid after a reboot", "recreated container"])
def test_a_lock_whose_heartbeat_stopped_is_taken_over(who, project, switch_target):
    old = dt.datetime.now() - heartbeat.STALE_AFTER - dt.timedelta(seconds=5)
    me = heartbeat.this_process()
    host, pid, key = ((me.host, me.pid, "another-boot:12345") if who.startswith("reused") else
                      ("cutover-7f9c4d-old", 4242, "boot:1"))
    run_id = _running_month_end(switch_target, host, pid, key, old)
    refused = month_end(project, *FORCE)
    assert refused.exit_code == 2
    assert f"a month-end was interrupted: run {run_id}, process {pid} on {host}, since " in refused.output
    assert "interrupted (that process is gone)" in cutover(project, "status").output
    rolled_back = month_end(project, "--rollback")
    assert rolled_back.exit_code == 0, rolled_back.output
    assert f"Month-end {run_id} ROLLED BACK" in rolled_back.output
    not_a_dry_run = cutover(project, "reconcile", "--run", run_id)
    assert not_a_dry_run.exit_code == 2
    assert not_a_dry_run.output == (f"Error: run {run_id} is a month-end, not a dry run: reconcile compares a dry "
                                    f"run's source with the target (a month-end reconciles itself, in its reconcile "
                                    f"step)\n")


def test_a_lock_with_a_fresh_heartbeat_on_another_host_holds(project, switch_target):
    run_id = _running_month_end(switch_target, "billing-2", 4242, "boot:1", dt.datetime.now())
    for args in ([*FORCE], ["--resume"], ["--rollback"]):
        refused = month_end(project, *args)
        assert refused.exit_code == 2
        assert (f"Error: a month-end is running: run {run_id}, process 4242 on billing-2, since "
                in refused.output), refused.output


def test_break_lock_needs_a_reason_and_is_recorded_in_the_journal_and_the_protocol(project, legacy_url,
                                                                                    switch_target):
    assert rehearse(project, legacy_url) == "reconciled"
    run_id = _running_month_end(switch_target, "billing-2", 4242, "boot:1", dt.datetime.now())
    no_reason = month_end(project, "--break-lock")
    assert no_reason.exit_code == 2
    assert "Error: --break-lock needs --reason \"...\" (recorded in the journal and the protocol)" in no_reason.output
    broken = month_end(project, "--break-lock", "--reason", "billing-2 was decommissioned; its month-end is dead")
    assert broken.exit_code == 0, broken.output
    assert broken.output.startswith(f"Lock broken: it was held by run {run_id}, process 4242 on billing-2, since ")
    assert not _sql(switch_target, "SELECT * FROM cutover_lock")
    status = cutover(project, "status").output
    line = re.search(r"lock broken at \S+ by process \d+ on \S+ \(it was held by run \S+, process 4242 on billing-2, "
                     r"since [^)]+\): billing-2 was decommissioned; its month-end is dead", status)
    assert line, status
    again = month_end(project, "--break-lock", "--reason", "once more")
    assert again.exit_code == 2
    assert again.output == "Error: no month-end holds the lock: there is nothing to break (`cutover status`)\n"
    # the broken run has no step done: resuming it runs the whole switch, and its protocol says what was broken
    resumed = month_end(project, "--resume")
    assert resumed.exit_code == 0, resumed.output
    protocol = (project / "reports" / run_id / "protocol.html").read_text(encoding="utf-8")
    assert re.search(r'<tr><th>Lock broken</th><td class="forced">lock broken at [^<]+ \(it was held by run '
                     + run_id + r', process 4242 on billing-2, since [^)]+\): billing-2 was decommissioned; its '
                     r'month-end is dead</td></tr>', protocol), protocol[:3000]
    sheet = load_workbook(project / "reports" / run_id / "protocol.xlsx")["Протокол"]  # Russian, the default
    assert [row for row in sheet.iter_rows(values_only=True) if row[0] == "Снята блокировка"][0][1].endswith(
        "billing-2 was decommissioned; its month-end is dead")


# ---- a dry run killed after its load committed -----------------------------------------------

def test_a_dry_run_killed_after_its_load_is_the_one_reconcile_finishes(project, legacy_url, switch_target):
    assert rehearse(project, legacy_url) == "reconciled"
    (previous,) = [run_id for run_id, (kind, _) in _runs(switch_target).items() if kind == "dry-run"]
    _sql(legacy_url, CLOSE_OCTOBER)
    killed = _start(project, "kill:reconcile", "dry-run")
    out, err = killed.communicate(timeout=300)
    assert killed.returncode == -9, err
    killed_id = _running_dry_run(switch_target)
    listed = cutover(project, "runs").output
    assert re.search(rf"^{killed_id} +dry-run +interrupted ", listed, re.M), listed
    assert re.search(rf"^{previous} +dry-run +reconciled ", listed, re.M), listed
    refused = month_end(project)
    assert refused.exit_code == 2
    assert f"dry run {killed_id} of mapping sql_legacy was interrupted (`cutover reconcile` finishes it" in refused.output

    result = cutover(project, "reconcile", "--run", killed_id)
    assert result.exit_code == 0, result.output
    assert _runs(switch_target)[killed_id] == ("dry-run", "reconciled")
    assert _runs(switch_target)[previous] == ("dry-run", "reconciled")  # the run before keeps its verdict
    assert (project / "reports" / killed_id / "report.xlsx").exists()


# ---- smaller: rows counted, copies emptied, rejects kept for a fortnight -------------------------

def test_a_rollback_counts_the_rows_it_restores_and_empties_the_copies(project, legacy_url, switch_target,
                                                                       monkeypatch):
    from cutover.monthend import runbook

    assert rehearse(project, legacy_url) == "reconciled"
    accounts = _sql(switch_target, "SELECT COUNT(*) FROM account")[0][0]
    original = runbook._run_step

    def stop_after_opening(switch, name):
        original(switch, name)
        if name == "opening":
            raise KeyboardInterrupt

    monkeypatch.setattr(runbook, "_run_step", stop_after_opening)
    assert month_end(project).exit_code != 0
    monkeypatch.undo()
    load = json.loads(_sql(switch_target, "SELECT detail FROM cutover_step WHERE step = 'load'")[0][0])
    assert load["saved"]["account"] == accounts  # counted: psycopg says -1 for INSERT ... SELECT
    result = month_end(project, "--rollback")
    assert result.exit_code == 0, result.output
    assert f"account {accounts}" in result.output
    for table in ("saved_account", "saved_balance", "saved_key_map", "saved_meter"):
        assert _sql(switch_target, f"SELECT COUNT(*) FROM {table}") == [(0,)]


def test_rejects_of_dry_runs_older_than_keep_rejects_are_dropped(tmp_path, legacy_url):
    target = f"sqlite:///{(tmp_path / 'target.db').as_posix()}"
    folder = make_project(tmp_path / "project", legacy_url, target)
    toml = folder / "cutover.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("[project]\n", "[project]\nkeep_rejects = 2\n"),
                    encoding="utf-8")
    for _ in range(3):
        assert rehearse(folder, legacy_url) == "reconciled"
    runs = [run_id for (run_id,) in _sql(target, "SELECT run_id FROM run ORDER BY started_at, run_id")]
    with_rejects = {run_id for (run_id,) in _sql(target, "SELECT DISTINCT run_id FROM reject")}
    assert with_rejects == set(runs[1:])


def test_a_sqlite_target_another_process_keeps_locked_is_a_message_not_a_traceback(tmp_path, legacy_url):
    import sqlite3

    target = tmp_path / "target.db"
    folder = make_project(tmp_path / "project", legacy_url, f"sqlite:///{target.as_posix()}")
    holder = sqlite3.connect(target, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another process's write transaction, left open
        result = cutover(folder, "dry-run")
    finally:
        holder.close()
    assert result.exit_code == 2
    assert result.output == ("Error: the target's SQLite file is locked by another process writing it (a dry run or "
                             "a month-end): wait for it to finish and run again (`cutover runs`, `cutover status`)\n")
