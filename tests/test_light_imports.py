"""The commands that only read the target's journal load no data-frame machinery.

``cutover status``, ``cutover runs`` and ``cutover keymap export`` run in a subprocess with
``python -X importtime``, on the SQLite target of the sample's dry run, and the test asserts
on the modules the interpreter imported (never on time, which a shared machine cannot promise):
no pandas, no pandera, no pyarrow.

Where a command still loads one, the case is an expected failure (``xfail_strict``) naming the
import chain and the file whose change ends it; once that change lands the case passes, the
strict xfail fails, and the marker goes.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from pathlib import Path

import pytest

from support import SAMPLE, write_project

HEAVY = ("pandas", "pandera", "pyarrow")

# Why config still loads pandas: it reads [declared] amounts with the control's vectorised money
# reader, and SourceFolder sits in the extract package, whose __init__ imports pandas.
_CONFIG = ("cutover.config -> control.declared -> control.readers (pandas, pyarrow); cutover.config -> "
           "extract.folders -> extract/__init__ (pandas): needs cutover/control/declared.py, control/readers.py, "
           "extract/__init__.py or extract/folders.py")
# Why the renderers load pandera: report.console -> check_console / tables -> control.totals ->
# pipeline.mapstage -> pipeline.source_checks (pandera).
_CONSOLE = ("cutover.report.console -> report.check_console, report.tables -> control.totals -> pipeline.mapstage -> "
            "pipeline.source_checks (pandera): needs cutover/report/console.py (render_runs apart) or control/totals.py")
_STATUS = ("cutover.monthend.console -> monthend.runbook (the whole month-end, pandera through the reports) and -> "
           "report.console (_relative; then as for runs): needs cutover/monthend/console.py to take MonthEndResult, "
           "the step titles and _relative from light modules")
_KEYMAP = ("keymap export streams the accounts as frames (db.frames, report.cells.csv_lines): pandas by design "
           "(and pyarrow, which pandas loads)")

CASES = {  # command -> heavy module -> why it is still loaded (None: it must not be)
    "import cutover.cli": {"pandas": _CONFIG, "pandera": None, "pyarrow": _CONFIG},
    "status": {"pandas": _CONFIG, "pandera": _STATUS, "pyarrow": _CONFIG},
    "runs": {"pandas": _CONFIG, "pandera": _CONSOLE, "pyarrow": _CONFIG},
    "keymap export": {"pandas": _KEYMAP, "pandera": None, "pyarrow": _KEYMAP},
}


def _imported(stderr: str) -> set[str]:
    """Module names from ``-X importtime`` lines: ``import time: self | cumulative | name``."""
    return {line.rsplit("|", 1)[1].strip() for line in stderr.splitlines()
            if line.startswith("import time:") and line.count("|") == 2} - {"imported package"}


@functools.cache
def _run(command: str, project: Path) -> tuple[set[str], subprocess.CompletedProcess]:
    if command.startswith("import "):
        args = ["-c", command]
    else:
        args = ["-m", "cutover", "--project", str(project), *command.split()]
        if command == "keymap export":
            args += ["--out", str(project / "keymap.csv")]
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    env.pop("CUTOVER_TARGET_URL", None)
    done = subprocess.run([sys.executable, "-X", "importtime", *args], capture_output=True, text=True,
                          env=env, cwd=project, timeout=300)
    return _imported(done.stderr), done


@pytest.fixture(scope="module")
def project(tmp_path_factory, shipped_run) -> Path:
    """A project on the SQLite target of the sample's dry run (shared, only read): a journal with a
    run in it for ``runs`` and ``status``, accounts for ``keymap export``."""
    _, url = shipped_run("sample_legacy")
    return write_project(tmp_path_factory.mktemp("light"), "sample_legacy", SAMPLE, target_url=url)


def _cases():
    for command, modules in CASES.items():
        for module, why in modules.items():
            marks = [pytest.mark.xfail(reason=why, strict=True)] if why else []
            yield pytest.param(command, module, marks=marks, id=f"{command}-{module}")


@pytest.mark.parametrize("command, module", list(_cases()))
def test_command_does_not_load(command, module, project):
    imported, done = _run(command, project)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "cutover.cli" in imported or command.startswith("import"), "importtime saw no cutover module"
    loaded = sorted(name for name in imported if name == module or name.startswith(module + "."))
    assert not loaded, f"`{command}` imported {module}: {loaded[:5]}"


def test_the_commands_do_run(project):
    """The light commands do their work (so the cases above are not light because they failed early)."""
    _, status = _run("status", project)
    _, runs = _run("runs", project)
    _, keymap = _run("keymap export", project)
    assert status.returncode == runs.returncode == keymap.returncode == 0
    assert " accounts written to " in keymap.stdout and not keymap.stdout.startswith("0 ")
    assert (project / "keymap.csv").read_text(encoding="utf-8").startswith("legacy_account_number,account_number")
