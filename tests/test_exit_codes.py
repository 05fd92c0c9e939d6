"""Every exit code as a user's shell sees it, from a real process, and the journal after each.

0 reconciled, 1 a gate failed, 2 bad usage, configuration or input (a reports folder it cannot
write in, a mistyped --target, a profile of sources none of which can be read), 3 an internal
error (a bug, provoked here by a wrapper script that patches the dry run, never by an option a
user could give), 130 Ctrl-C. One dry run of the bundled sample is shared by the module; the
runs it provokes stop early (at the extract), so each test takes a few seconds.
"""

from __future__ import annotations

import json
import os
import pty
import re
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support import write_project

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_data" / "sample_legacy"
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
FIX = "set [project] reports_dir in cutover.toml to another folder"

# A bug in the middle of a dry run: the extract stops with an exception no code expects. The
# wrapper patches the library in its own process and then runs the real command line.
BUG = """\
import sys
import cutover.run.dry_run as dry_run
def broken(*args, **kwargs):
    raise ZeroDivisionError("provoked by the test")
dry_run.extract_sources = broken
from cutover.cli import main
sys.argv[0] = "cutover"
main()
"""


def cutover(project: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cutover", "--project", str(project), *args], env=ENV,
                          capture_output=True, text=True, timeout=timeout)


def journal(project: Path) -> list[tuple[str, str, dict]]:
    """(run id, status, summary) of every run in the project's target, oldest first."""
    with sqlite3.connect(project / "cutover.db") as connection:
        rows = connection.execute("SELECT run_id, status, summary_json FROM run ORDER BY started_at, run_id").fetchall()
    return [(run_id, status, json.loads(summary or "{}")) for run_id, status, summary in rows]


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """The sample project, dry-run once (reconciled: exit 0)."""
    folder = write_project(tmp_path_factory.mktemp("exit-codes"), "sample_legacy", SAMPLE)
    done = cutover(folder, "dry-run", "--quiet")
    assert done.returncode == 0, done.stderr
    [(run_id, status, _)] = journal(folder)
    assert (done.stdout, done.stderr) == (f"{run_id} reconciled\n", "")
    assert status == "reconciled"
    return folder


def test_0_a_run_that_reconciles(project):
    [(run_id, status, summary)] = journal(project)[:1]
    assert status == summary["status"] == "reconciled" and summary.get("error") is None


def test_1_a_gate_that_fails(project, tmp_path):
    """The same run reconciled again under a stricter gate: differences, exit 1; the journal says so."""
    strict = _beside(project, tmp_path / "strict", project / "reports", "max_reject_share = 0.001\n")
    run_id = journal(project)[0][0]
    failed = cutover(strict, "reconcile", "--quiet")
    assert (failed.returncode, failed.stdout) == (1, f"{run_id} differences\n"), failed.stderr
    assert journal(project)[0][1] == "differences"


def _beside(project: Path, folder: Path, reports: Path, gates: str = "") -> Path:
    """A project of the same sample and target as ``project``, its reports in ``reports``."""
    folder.mkdir()
    (folder / "cutover.toml").write_text(
        f'[project]\nmapping = "sample_legacy"\nsource_dir = "{SAMPLE.as_posix()}"\nperiod = "2026-10"\n'
        f'reports_dir = "{reports.as_posix()}"\n[target]\nurl = "sqlite:///{(project / "cutover.db").as_posix()}"\n'
        f"[gates]\naccept_unreadable_rows = 2\n{gates}", encoding="utf-8")
    return folder


@pytest.mark.parametrize("command", ["runs", "status", "reconcile", "keymap"])
def test_2_a_mistyped_target_is_not_created(project, command):
    mistyped = project / "cutvoer.db"
    args = {"keymap": ["keymap", "export"]}.get(command, [command])
    refused = cutover(project, *args, "--target", f"sqlite:///{mistyped}")
    assert refused.returncode == 2, refused.stderr
    assert refused.stderr == (f"Error: the target database {mistyped} does not exist: check --target, "
                              f"CUTOVER_TARGET_URL or cutover.toml's [target] url (`cutover dry-run` creates it; "
                              f"this command only uses one that is there, and created nothing)\n")
    assert not mistyped.exists()


def _unwritable(folder: Path) -> str | None:
    """Make ``folder`` a folder nobody can write in; what to undo it with, or None where nothing can.

    chmod does not stop root (tests may run as root in a container); an immutable folder
    (``chattr +i``) does, where the file system and the container's capabilities allow it."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o555)
    if not _writable(folder):
        return "chmod"
    folder.chmod(0o755)
    if shutil.which("chattr") and subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode == 0:
        if not _writable(folder):
            return "chattr"
        subprocess.run(["chattr", "-i", str(folder)], check=True)
    return None


def _writable(folder: Path) -> bool:
    try:
        (folder / ".probe").write_text("")
    except OSError:
        return False
    (folder / ".probe").unlink()
    return True


def _restore(folder: Path, how: str) -> None:
    if how == "chattr":
        subprocess.run(["chattr", "-i", str(folder)], check=True)
    folder.chmod(0o755)


@pytest.mark.parametrize("case", ["read-only", "a file"])
def test_2_a_reports_folder_it_cannot_write_in_stops_it_before_the_run(project, tmp_path, case):
    folder = tmp_path / "reports"
    other = _beside(project, tmp_path / "elsewhere", folder)
    before = journal(project)
    if case == "a file":
        folder.write_text("not a folder\n")
        expected = f"Error: {folder}: the reports folder is a file, not a folder: move it away, or {FIX}\n"
        how = None
    else:
        how = _unwritable(folder)
        if how is None:
            pytest.skip("running as root where chattr +i is not allowed either: nothing makes a folder read-only "
                        "for this process (the case 'a file' still runs)")
        expected = (f"Error: {folder}: cannot write in the reports folder (a run keeps its snapshot and reports "
                    f"there): make it writable, or {FIX}\n")
    try:
        refused = cutover(other, "dry-run")
    finally:
        if how is not None:
            _restore(folder, how)
    assert (refused.returncode, refused.stdout, refused.stderr) == (2, "", expected)
    assert journal(project) == before  # refused before the journal had it


def test_2_a_profile_of_sources_none_of_which_can_be_read(tmp_path):
    empty = tmp_path / "extract"
    empty.mkdir()
    folder = write_project(tmp_path / "project", "sample_legacy", empty)
    profiled = cutover(folder, "profile", "--quiet")
    assert profiled.returncode == 2, profiled.stderr
    assert profiled.stderr == ("5 of 5 sources could not be read to the end (abonent, usluga, schetchik, pokazanie, "
                               "saldo): see UNREADABLE in the report\n")
    assert profiled.stdout.startswith("Profile ") and profiled.stdout.endswith(": 5 errors, 0 warnings, 0 info\n")


def _bug(project: Path, *args: str) -> subprocess.CompletedProcess:
    script = project.parent / "bug.py"
    script.write_text(BUG, encoding="utf-8")
    return subprocess.run([sys.executable, str(script), "--project", str(project), *args, "dry-run"], env=ENV,
                          capture_output=True, text=True, timeout=120)


def test_3_an_internal_error_names_its_run_and_asks_for_a_report(project):
    crashed = _bug(project)
    run_id, status, summary = journal(project)[-1]
    assert (crashed.returncode, crashed.stdout) == (3, "")
    log = project / "reports" / run_id / "run.log"
    assert crashed.stderr == (f"Error: internal error: ZeroDivisionError: provoked by the test (run {run_id}, recorded "
                              f"as failed in the journal; log: {log}). This is a bug in cutover: run with --debug and "
                              f"report it, with the traceback\n")
    # the log says the run failed and how, not the message (which may quote a value of the data)
    assert log.read_text(encoding="utf-8").splitlines()[-1].endswith(
        f"ERROR run {run_id}: failed (ZeroDivisionError; the reason is in summary.json and `cutover runs`)")
    assert status == summary["status"] == "failed"
    assert summary["error"] == "internal error: ZeroDivisionError: provoked by the test"
    written = json.loads((project / "reports" / run_id / "summary.json").read_text(encoding="utf-8"))
    assert (written["status"], written["error"]) == ("failed", summary["error"])


def test_3_with_debug_prints_the_traceback_and_keeps_the_code(project):
    crashed = _bug(project, "--debug")
    run_id = journal(project)[-1][0]
    assert crashed.returncode == 3
    traceback, _, message = crashed.stderr.rpartition("ZeroDivisionError: provoked by the test\n")
    assert traceback.startswith("Traceback (most recent call last):\n") and 'bug.py", line 4, in broken' in traceback
    assert message.startswith(f"Error: internal error: ZeroDivisionError: provoked by the test (run {run_id}, ")


def test_130_ctrl_c_stops_a_dry_run_and_the_journal_says_interrupted(project):
    """Ctrl-C as a terminal sends it: SIGINT to the whole process group, once the run shows progress."""
    master, slave = pty.openpty()  # progress shows on a terminal only: stderr is one
    started = subprocess.Popen([sys.executable, "-m", "cutover", "--project", str(project), "dry-run"], env=ENV,
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave, start_new_session=True)
    os.close(slave)
    shown = b""
    try:
        deadline = time.monotonic() + 60
        while b"extract " not in shown:  # the run is in the journal and extracting its sources
            ready, _, _ = select.select([master], [], [], max(0.0, deadline - time.monotonic()))
            assert ready, f"no progress line in 60 s: {shown!r}"
            shown += os.read(master, 4096)
        os.killpg(started.pid, signal.SIGINT)
        stdout, _ = started.communicate(timeout=60)
        shown += _drain(master)
    finally:
        if started.poll() is None:
            started.kill()
        os.close(master)
    run_id, status, summary = journal(project)[-1]
    assert (started.returncode, stdout) == (130, b"")
    last_line = terminal_lines(shown)[-1]
    assert last_line == (f"Interrupted: run {run_id} stopped by Ctrl-C (SIGINT), recorded as interrupted in the "
                         f"journal; run it again when ready")
    assert b"Aborted!" not in shown and b"Traceback" not in shown
    assert (status, summary["status"], summary["error"]) == ("interrupted", "interrupted", "interrupted (Ctrl-C, SIGINT)")
    listed = cutover(project, "runs", "--limit", "1")
    assert listed.returncode == 0 and re.search(rf"^{run_id} +dry-run +interrupted ", listed.stdout, re.M)


def terminal_lines(shown: bytes) -> list[str]:
    """The lines a terminal was sent, without the control sequences the progress redraws itself with."""
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown.decode().replace("\r", "\n")).strip().splitlines()


def _drain(master: int) -> bytes:
    got = b""
    while select.select([master], [], [], 0.5)[0]:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the other side closed
            break
        if not chunk:
            break
        got += chunk
    return got


def test_2_a_disk_too_full_for_the_run_is_told_before_it(tmp_path, monkeypatch):
    """Free space is asked of the reports folder's disk (roughly: a floor and twice the extract)."""
    from cutover import reports_folder
    from cutover.errors import ConfigError

    extract = tmp_path / "extract"
    extract.mkdir()
    (extract / "saldo.csv").write_bytes(b"x" * 2 ** 20)
    assert reports_folder.room_needed(extract) == reports_folder.MIN_FREE + 2 * 2 ** 20
    full = shutil.disk_usage(tmp_path)._replace(free=10 * 2 ** 20)
    monkeypatch.setattr(reports_folder.shutil, "disk_usage", lambda path: full)
    with pytest.raises(ConfigError) as refused:
        reports_folder.check_reports_folder(tmp_path / "reports", extract)
    assert str(refused.value) == (f"{tmp_path / 'reports'}: 10 MB free on its disk, and a run of this extract needs "
                                  f"about 66 MB (its snapshot and reports): free some space, or {FIX}")


def test_130_a_month_end_step_stopped_by_ctrl_c_says_how_to_go_on(tmp_path, monkeypatch):
    """The runbook turns Ctrl-C in a step into its own error, raised from the KeyboardInterrupt:
    the command line keeps its message (which step, --resume, --rollback) and exits 130."""
    from click.testing import CliRunner

    from cutover import commands
    from cutover.cli import cli
    from cutover.errors import CutoverError

    def stopped(ws):
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as exc:
            raise CutoverError("month-end X stopped at step load (load): KeyboardInterrupt: \n"
                               "`cutover month-end --period 2026-10 --resume` continues from there") from exc

    monkeypatch.setattr(commands, "status", stopped)
    folder = write_project(tmp_path, "sample_legacy", SAMPLE)
    (tmp_path / "cutover.db").write_bytes(b"")  # there: a read-only command opens it
    result = CliRunner().invoke(cli, ["--project", str(folder), "status"])
    assert result.exit_code == 130
    assert result.stderr == ("Interrupted: month-end X stopped at step load (load): KeyboardInterrupt: \n"
                             "`cutover month-end --period 2026-10 --resume` continues from there\n")

    def interrupted(ws):
        raise KeyboardInterrupt

    monkeypatch.setattr(commands, "status", interrupted)
    result = CliRunner().invoke(cli, ["--project", str(folder), "status"])
    assert (result.exit_code, result.stderr) == (130, "Interrupted: stopped by Ctrl-C (SIGINT)\n")
