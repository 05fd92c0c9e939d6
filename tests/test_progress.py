"""Progress a person can wait on (issue 18, item 2): on a terminal, stage n/N, part i/n, rows of
the total, rows/s, elapsed and ETA, drawn with rich; nothing at all in cron or a pipe; the
timings summary.json records are the same whoever watches.

The renderer is given a fake terminal (a StringIO that says it is one) and a fake clock, so the
numbers it draws are exact: 2,500 of 10,000 rows one second into a stage are 25%, 2,500 rows/s
and 3 seconds left.
"""

from __future__ import annotations

import io
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from support import SAMPLE, write_project
from test_exit_codes import ENV, _drain, terminal_lines

from cutover.progress import (
    PlannedStage,
    Progress,
    TerminalProgress,
    Timed,
    Watch,
    progress_for,
)

EXPECTED = json.loads((SAMPLE / "expected.json").read_text(encoding="utf-8"))


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


NINE = [PlannedStage((f"extract source {number}.csv",)) for number in (1, 2)] + [
    PlannedStage(("check meter", "load meter"), rows={"check meter": 10_000}, parts={"check meter": 4, "load meter": 4}),
    *(PlannedStage((f"stage {number}",)) for number in range(4, 10))]


def test_a_stage_with_a_known_total_shows_its_number_part_percent_rate_and_eta():
    terminal, clock = FakeTerminal(), FakeClock()
    progress = TerminalProgress(terminal, clock=clock)
    progress.plan(NINE)
    progress.stage("extract source 1.csv")
    clock.now += 4
    progress.stage("check meter")
    clock.now += 1
    progress.advance(2_500)
    progress._show(force=True)
    progress.done()
    lines = terminal_lines(terminal.getvalue().encode())
    at = lines.index("3/9 check meter, part 1/4: 2,500/10,000 rows")
    bar, _, numbers = lines[at + 1].partition(" ")
    assert set(bar) <= set("━╸╺") and len(bar) == 24
    assert numbers == "25% · 2,500 rows/s · elapsed 0:00:05 · ETA 0:00:03"
    assert "1/9 extract source 1.csv" in lines  # no total yet: no bar, no percent, no ETA
    assert lines[lines.index("1/9 extract source 1.csv") + 1] == "elapsed 0:00:00"


def test_stage_numbers_never_go_back_parts_count_visits_and_rows_add_up():
    """As a dry run goes: a parent's load comes with a later entity; a name the plan does not
    list keeps the number it comes under; check and load take turns part by part."""
    clock = FakeClock()
    watch = Watch(clock)
    watch.plan(NINE)
    seen = []
    for name, rows in (("check meter", 3_000), ("load meter", 2_900), ("check meter", 3_000), ("load rejects", 0),
                       ("stage 5", 0), ("load meter", 2_950), ("check meter", 4_000), ("check meter", 0)):
        watch.stage(name)
        clock.now += 2
        watch.advance(rows)
        shown = watch.shown()
        seen.append((shown.number, shown.name, shown.part, shown.rows, shown.total, shown.percent))
    assert seen == [(3, "check meter", 1, 3_000, 10_000, 30), (3, "load meter", 1, 2_900, None, None),
                    (3, "check meter", 2, 6_000, 10_000, 60), (3, "load rejects", None, 0, None, None),
                    (5, "stage 5", None, 0, None, None), (5, "load meter", 2, 5_850, None, None),
                    (5, "check meter", 3, 10_000, 10_000, 100),
                    (5, "check meter", 4, 10_000, 10_000, 100)]  # a fifth visit would not be a part
    watch.stage("check meter")
    assert watch.shown().part is None
    assert watch.shown().rate == 10_000 / 8  # its rows over the seconds spent in it, not since it began
    assert watch.shown().eta is None  # done: nothing left to wait for


def test_an_explicit_total_is_shown_without_a_plan():
    clock = FakeClock()
    watch = Watch(clock)
    watch.stage("profile saldo", total=400)
    clock.now += 2
    watch.advance(100)
    shown = watch.shown()
    assert (shown.number, shown.stages, shown.percent, shown.rate, shown.eta) == (None, None, 25, 50.0, 6.0)


def test_nothing_at_all_is_written_to_a_stream_that_is_no_terminal():
    for progress, stream in ((progress_for(pipe := io.StringIO()), pipe),
                             (progress_for(terminal := FakeTerminal(), quiet=True), terminal)):
        assert type(progress) is Progress
        timed = Timed(progress)
        timed.plan(NINE)
        timed.stage("check meter", total=10_000)
        timed.advance(10_000)
        timed.done()
        assert stream.getvalue() == ""
    assert isinstance(progress_for(FakeTerminal()), TerminalProgress)


def test_rich_is_imported_only_once_a_terminal_shows_a_stage():
    code = ("import io, sys; from cutover.progress import progress_for, Timed; "
            "timed = Timed(progress_for(io.StringIO())); timed.stage('map meter'); timed.advance(5); timed.done(); "
            "print('rich' in sys.modules, any(name.startswith('rich') for name in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], env=ENV, capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout) == (0, "False False\n"), done.stderr


def test_the_timings_are_the_same_whoever_watches():
    """summary.json's timings come from the stages, not from what is drawn: totals and plans change
    nothing in them, and a progress written before ``total`` existed still works under Timed."""

    class OneName(Progress):
        def __init__(self) -> None:
            self.names: list[str] = []

        def stage(self, name):  # the signature progress had before ``total``
            self.names.append(name)

    def timed_stages(shown: Progress | None, totals: bool) -> list[tuple[str, int]]:
        timed = Timed(shown)
        timed.plan(NINE)
        for name, total, rows in (("check meter", 10_000, 4_000), ("load meter", None, 3_900),
                                  ("check meter", None, 6_000), ("load meter", None, 5_800)):
            timed.stage(name, total if totals else None)
            timed.advance(rows)
        timed.done()
        return [(stage["stage"], stage["rows"]) for stage in timed.timings()]

    old = OneName()
    expected = [("check meter", 10_000), ("load meter", 9_700)]
    assert timed_stages(None, totals=False) == timed_stages(TerminalProgress(FakeTerminal()), totals=False) == expected
    assert timed_stages(None, totals=True) == timed_stages(TerminalProgress(FakeTerminal()), totals=True) == expected
    assert timed_stages(old, totals=False) == expected
    assert old.names == ["check meter", "load meter", "check meter", "load meter"]


def test_the_dry_run_plans_its_stages_with_the_rows_its_extract_counted(tmp_path):
    from cutover.config import load_project
    from cutover.extract.snapshot import extract_sources
    from cutover.run.dry_run import planned_stages
    from cutover.workspace import Workspace

    folder = write_project(tmp_path, "sample_legacy", SAMPLE, extra="")
    (folder / "cutover.toml").write_text((folder / "cutover.toml").read_text(encoding="utf-8").replace(
        'period = "2026-10"\n', 'period = "2026-10"\npartition_rows = 3000\n'), encoding="utf-8")
    ws = Workspace(load_project(folder))
    before = planned_stages(ws)
    extracted = extract_sources(ws.mapping, SAMPLE, None, 100_000, Progress())
    after = planned_stages(ws, extracted)
    entities = ("service", "person", "premise", "account", "meter", "reading", "balance")
    assert [stage.names for stage in after] == [stage.names for stage in before] == [
        *((f"extract {name}",) for name in ("abonent.csv", "usluga.csv", "schetchik.csv", "pokazanie.csv",
                                            "saldo.csv")),
        ("empty the previous load",), *((f"map {e}", f"check {e}", f"load {e}") for e in entities),
        ("finish load",), ("reconcile",), ("write report",)]
    assert all(not stage.rows for stage in before)
    by_entity = {stage.names[0].split()[1]: stage for stage in after[6:13]}
    readings = EXPECTED["files"]["pokazanie.csv"]["data_rows"]
    assert by_entity["reading"].rows == {"map reading": readings, "check reading": readings}
    assert by_entity["reading"].parts == {"check reading": 4, "load reading": 4}  # 11,408 rows, 3,000 a part
    assert by_entity["account"].rows["map account"] == EXPECTED["files"]["abonent.csv"]["data_rows"]


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_a_dry_run_on_a_terminal_numbers_its_stages_and_erases_its_progress(tmp_path):
    folder = write_project(tmp_path / "p", "sample_legacy", SAMPLE)
    master, slave = pty.openpty()
    started = subprocess.Popen([sys.executable, "-m", "cutover", "--project", str(folder), "dry-run"], env=ENV,
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    try:
        shown = b""
        while started.poll() is None:
            shown += _drain(master)
        stdout, _ = started.communicate(timeout=120)
        shown += _drain(master)
    finally:
        if started.poll() is None:
            started.kill()
        os.close(master)
    assert started.returncode == 0, shown[-2000:]
    lines = terminal_lines(shown)
    assert "1/16 extract abonent.csv" in lines and "16/16 write report" in lines
    readings = EXPECTED["files"]["pokazanie.csv"]["data_rows"]
    assert f"12/16 map reading: 0/{readings:,} rows" in lines  # drawn as the stage begins, with its total
    assert shown.rstrip().endswith(b"\x1b[2K")  # the progress erased: the terminal keeps only the verdict on stdout
    assert b"reconciled" in stdout and Path(folder / "cutover.db").exists()


@pytest.fixture
def legacy_open(tmp_path, server_engines, request) -> str:
    """sql_legacy's legacy database with October 2026 still open (MariaDB when configured)."""
    from test_month_end import _fresh_legacy

    return _fresh_legacy(tmp_path / "legacy", request, server_engines)


def test_a_month_end_numbers_its_steps_and_a_resume_starts_at_the_step_it_stopped_at(tmp_path, legacy_open,
                                                                                       monkeypatch):
    from click.testing import CliRunner
    from test_month_end import FORCE, PERIOD, make_project

    import cutover.cli
    from cutover.monthend import runbook

    folder = make_project(tmp_path / "project", legacy_open, f"sqlite:///{(tmp_path / 'target.db').as_posix()}")
    terminals: list[FakeTerminal] = []

    def on_a_terminal(stream, quiet=False):
        terminals.append(FakeTerminal())
        return progress_for(terminals[-1], quiet)

    monkeypatch.setattr(cutover.cli, "progress_for", on_a_terminal)
    original = runbook.WORK["opening"]
    monkeypatch.setitem(runbook.WORK, "opening", lambda switch, connection: 1 / 0)
    month_end = ["--project", str(folder), "month-end", "--period", PERIOD]
    assert CliRunner().invoke(cutover.cli.cli, [*month_end, *FORCE]).exit_code == 3
    monkeypatch.setitem(runbook.WORK, "opening", original)
    resumed = CliRunner().invoke(cutover.cli.cli, [*month_end, "--resume"])
    assert resumed.exit_code == 0, resumed.output
    stopped, finished = ([line for line in terminal_lines(terminal.getvalue().encode()) if line[:1].isdigit()]
                         for terminal in terminals)
    assert stopped[0] == "1/9 Preflight: configuration, mapping, schema, connections, the latest dry run"
    assert "4/9 load reading" in stopped  # the load's own stages, under the step's number
    assert stopped[-1] == "5/9 Opening balances and base readings of the next month"
    assert finished[0] == "5/9 Opening balances and base readings of the next month"
    assert finished[-1] == "9/9 Mark the project switched"


def test_work_after_done_is_shown_as_new_work():
    """``cutover demo`` from the sample: its dry run is done, then the demo copies its rows."""
    terminal, clock = FakeTerminal(), FakeClock()
    progress = TerminalProgress(terminal, clock=clock)
    progress.plan(NINE)
    progress.stage("stage 9")
    progress.done()
    clock.now += 30
    progress.stage("demo: copy person")
    progress.advance(500)
    progress.done()
    lines = terminal_lines(terminal.getvalue().encode())
    assert "9/9 stage 9" in lines and "demo: copy person: 500 rows" in lines
    assert not any(line.startswith("elapsed 0:00:30") for line in lines)
