"""Stopping a command as an operator does, from a real process (issue 18): SIGTERM is Ctrl-C by
another name (exit 143, the run ``interrupted`` in the journal); Ctrl-C on the terminal's process
group reaches the mapping workers too, which leave it to the main process (no traceback of
theirs); ``--quiet`` says a stop in one line; a bug inside a month-end step exits 3 and leaves the
step ``failed`` in the journal for ``--resume``.

The dry runs here are held where the test wants them by a wrapper script that patches the
library in its own process (never by an option a user could give) and creates a file, written
whole, once the run is there: no timing is guessed.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from support import SAMPLE, write_project
from test_exit_codes import ENV, journal, terminal_lines

# The run is journalled and extracting: it waits there (a minute at most) once HELD is written.
HOLD_EXTRACT = """\
import os, sys, time
from pathlib import Path
import cutover.run.dry_run as dry_run
def held(*args, **kwargs):
    part = Path(os.environ["HELD"] + ".part")
    part.write_text("extracting")
    os.replace(part, os.environ["HELD"])
    time.sleep(60)
    raise SystemExit("held too long")
dry_run.extract_sources = held
from cutover.cli import main
sys.argv[0] = "cutover"
main()
"""

# The run maps with worker processes: they have started and taken a batch each when HELD is
# written with their pids; the main process waits there.
HOLD_WORKERS = """\
import os, sys, time
from pathlib import Path
import cutover.run.workers as workers
original = workers.MapWorkers._start
def started(self):
    pool = original(self)
    pids = {pool.submit(os.getpid).result() for _ in range(self.count * 4)}
    part = Path(os.environ["HELD"] + ".part")
    part.write_text(" ".join(map(str, sorted(pids))))
    os.replace(part, os.environ["HELD"])
    time.sleep(60)
    return pool
workers.MapWorkers._start = started
if __name__ == "__main__":
    from cutover.cli import main
    sys.argv[0] = "cutover"
    main()
"""


def held_run(project: Path, script: str, *args: str, terminal: bool = False, group: bool = False):
    """The command line in a process of its own, held by ``script``; the process, once HELD exists,
    with what HELD says (and the pty's master end when ``terminal``)."""
    wrapper, held = project / "held.py", project / "held"
    wrapper.write_text(script, encoding="utf-8")
    held.unlink(missing_ok=True)
    master = slave = None
    if terminal:
        import pty

        master, slave = pty.openpty()
    started = subprocess.Popen([sys.executable, str(wrapper), "--project", str(project), *args],
                               env={**ENV, "HELD": str(held)}, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=slave if terminal else subprocess.PIPE, start_new_session=group)
    if slave is not None:
        os.close(slave)
    deadline = time.monotonic() + 120
    while not held.exists():
        if started.poll() is not None or time.monotonic() > deadline:
            started.kill()
            pytest.fail(f"the run never got where it is held: {started.communicate(timeout=30)}")
        time.sleep(0.05)
    return started, held.read_text(), master


def _finished(started: subprocess.Popen, master: int | None = None) -> tuple[int, str, str]:
    """Exit code, stdout and stderr (or what the terminal was sent) of a stopped process."""
    try:
        stdout, stderr = started.communicate(timeout=60)
    finally:
        if started.poll() is None:
            started.kill()
    if master is not None:
        from test_exit_codes import _drain

        stderr = "\n".join(terminal_lines(_drain(master))) + "\n"
        os.close(master)
    return started.returncode, stdout.decode(), stderr.decode() if isinstance(stderr, bytes) else stderr


@pytest.fixture
def project(tmp_path) -> Path:
    return write_project(tmp_path / "project", "sample_legacy", SAMPLE)


@pytest.fixture
def legacy_open(tmp_path, server_engines, request) -> str:
    """sql_legacy's legacy database with October 2026 still open (MariaDB when configured)."""
    from test_month_end import _fresh_legacy

    return _fresh_legacy(tmp_path / "legacy", request, server_engines)


def test_143_sigterm_stops_a_dry_run_as_ctrl_c_does(project):
    started, _, master = held_run(project, HOLD_EXTRACT, "dry-run", terminal=True)
    started.send_signal(signal.SIGTERM)  # `kill PID`, as a service manager stops it
    code, stdout, shown = _finished(started, master)
    [(run_id, status, summary)] = journal(project)
    assert (code, stdout) == (143, "")
    assert shown.splitlines()[-1] == (f"Interrupted: run {run_id} stopped by SIGTERM, recorded as interrupted in the "
                                      f"journal; run it again when ready")
    assert "Traceback" not in shown and "held too long" not in shown
    assert (status, summary["status"], summary["error"]) == ("interrupted", "interrupted", "interrupted (SIGTERM)")


def test_quiet_says_a_stop_in_one_line_with_the_run_and_why(project):
    started, _, _ = held_run(project, HOLD_EXTRACT, "dry-run", "--quiet")
    started.send_signal(signal.SIGTERM)
    code, stdout, stderr = _finished(started)
    [(run_id, status, _)] = journal(project)
    assert (code, stdout, stderr) == (143, "", f"{run_id} interrupted stopped by SIGTERM\n")
    assert status == "interrupted"

    started, _, _ = held_run(project, HOLD_EXTRACT, "dry-run", "--quiet")
    started.send_signal(signal.SIGINT)
    code, stdout, stderr = _finished(started)
    run_id, status, _ = journal(project)[-1]
    assert (code, stdout, stderr) == (130, "", f"{run_id} interrupted stopped by Ctrl-C (SIGINT)\n")
    assert status == "interrupted"


def test_quiet_says_a_bug_and_bad_input_in_one_line_and_keeps_their_codes(project):
    from test_exit_codes import BUG

    (project / "bug.py").write_text(BUG, encoding="utf-8")
    crashed = subprocess.run([sys.executable, str(project / "bug.py"), "--project", str(project), "dry-run", "--quiet"],
                             env=ENV, capture_output=True, text=True, timeout=120)
    run_id, status, _ = journal(project)[-1]
    log = project / "reports" / run_id / "run.log"
    assert (crashed.returncode, crashed.stdout) == (3, "")
    assert crashed.stderr == (f"{run_id} failed internal error: ZeroDivisionError: provoked by the test (a bug in "
                              f"cutover: run with --debug and report it; log: {log})\n")
    assert status == "failed"
    missing = project / "nowhere" / "cutover.db"
    refused = subprocess.run([sys.executable, "-m", "cutover", "--project", str(project), "dry-run", "--quiet",
                              "--target", f"sqlite:///{missing}"], env=ENV, capture_output=True, text=True,
                             timeout=120)
    assert (refused.returncode, refused.stdout) == (2, "")
    assert re.fullmatch(rf"- failed cannot connect to the target database sqlite:///{re.escape(str(missing))}: "
                        r"[^\n]+\n", refused.stderr), refused.stderr


def test_ctrl_c_on_the_process_group_leaves_the_workers_quiet(project):
    """Ctrl-C reaches every process of the terminal's group: the workers ignore it, the main
    process stops the run once."""
    (project / "cutover.toml").write_text((project / "cutover.toml").read_text(encoding="utf-8").replace(
        'period = "2026-10"\n', 'period = "2026-10"\nworkers = 2\nchunk_rows = 2000\n'), encoding="utf-8")
    started, pids, _ = held_run(project, HOLD_WORKERS, "dry-run", group=True)
    workers = [int(pid) for pid in pids.split()]
    assert workers and started.pid not in workers
    os.killpg(started.pid, signal.SIGINT)
    code, stdout, stderr = _finished(started)
    [(run_id, status, _)] = journal(project)
    assert (code, stdout) == (130, "")
    assert stderr == (f"Interrupted: run {run_id} stopped by Ctrl-C (SIGINT), recorded as interrupted in the journal; "
                      f"run it again when ready\n")
    assert status == "interrupted"
    for pid in workers:  # shut down with the run's pool, not killed by the signal
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


# ---- a bug inside a month-end step ------------------------------------------------------------

def test_3_a_bug_in_a_month_end_step_is_a_bug_and_resume_goes_on(tmp_path, legacy_open, monkeypatch):
    from click.testing import CliRunner
    from test_month_end import FORCE, PERIOD, make_project

    from cutover.cli import cli
    from cutover.monthend import runbook
    from cutover.target import journal as steps_journal

    url = f"sqlite:///{(tmp_path / 'target.db').as_posix()}"
    folder = make_project(tmp_path / "project", legacy_open, url)

    def broken(switch, connection):
        raise ZeroDivisionError("provoked by the test")

    monkeypatch.setitem(runbook.WORK, "opening", broken)
    stopped = CliRunner().invoke(cli, ["--project", str(folder), "month-end", "--period", PERIOD, *FORCE])
    assert stopped.exit_code == 3, stopped.output
    run_id = re.search(r"month-end (\S+) stopped at step opening", stopped.stderr).group(1)
    assert stopped.stderr == (
        "Error: internal error: ZeroDivisionError: provoked by the test (run " + run_id + "). This is a bug in "
        "cutover: run with --debug and report it, with the traceback\n"
        "month-end " + run_id + " stopped at step opening (Opening balances and base readings of the next month): "
        "`cutover month-end --period 2026-10 --resume` continues from there once it is fixed; `--rollback` undoes "
        "what was done\n")
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            steps = steps_journal.steps(connection, run_id)
            run_status = connection.execute(sa.text("SELECT status FROM run WHERE run_id = :r"), {"r": run_id}).scalar()
    finally:
        engine.dispose()
    assert {name: record.status for name, record in steps.items()} == {
        "preflight": "done", "close_legacy": "done", "extract": "done", "load": "done", "opening": "failed"}
    assert steps["opening"].detail == {"error": "ZeroDivisionError: provoked by the test"}
    assert run_status == "running"  # begun, neither switched nor rolled back: --resume or --rollback

    monkeypatch.undo()
    resumed = CliRunner().invoke(cli, ["--project", str(folder), "month-end", "--period", PERIOD, "--resume"])
    assert resumed.exit_code == 0, resumed.output
    assert f"Month-end {run_id}: SWITCHED" in resumed.output


def test_3_a_bug_at_preflight_ends_the_run_failed_and_exits_3(tmp_path, legacy_open, monkeypatch):
    from click.testing import CliRunner
    from test_month_end import FORCE, PERIOD, make_project

    from cutover.cli import cli
    from cutover.monthend import runbook

    url = f"sqlite:///{(tmp_path / 'target.db').as_posix()}"
    folder = make_project(tmp_path / "project", legacy_open, url)
    monkeypatch.setitem(runbook.WORK, "preflight", lambda switch: 1 / 0)
    stopped = CliRunner().invoke(cli, ["--project", str(folder), "month-end", "--period", PERIOD, *FORCE, "--quiet"])
    assert stopped.exit_code == 3, stopped.output
    run_id = re.match(r"(\S+) failed ", stopped.stderr).group(1)
    assert stopped.stderr == (f"{run_id} failed internal error: ZeroDivisionError: division by zero (a bug in cutover: "
                              f"run with --debug and report it) month-end {run_id} refused at preflight\n")
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            status = connection.execute(sa.text("SELECT status FROM run WHERE run_id = :r"), {"r": run_id}).scalar()
    finally:
        engine.dispose()
    assert status == "failed"


def test_the_journal_names_the_signal_also_when_a_codec_wrapped_its_interrupt():
    """Ctrl-C or SIGTERM arriving while a source is decoded comes back as the codec's own text
    round the interrupt (seen in a fresh clone's make test): the journal still names the signal."""
    from cutover.target.runs import stopped

    wrapped_ctrl_c = KeyboardInterrupt("decoding with 'cp866' codec failed (KeyboardInterrupt: )")
    wrapped_term = KeyboardInterrupt("decoding with 'cp866' codec failed (Terminated: SIGTERM)")
    assert stopped(wrapped_ctrl_c) == ("interrupted", "interrupted (Ctrl-C, SIGINT)")
    assert stopped(KeyboardInterrupt()) == ("interrupted", "interrupted (Ctrl-C, SIGINT)")
    assert stopped(wrapped_term) == ("interrupted", "interrupted (SIGTERM)")
