"""The commands that only read the target's journal load no data-frame machinery.

``cutover status``, ``cutover runs`` and ``cutover keymap export`` run in a subprocess with
``python -X importtime``, on the SQLite target of the sample's dry run, and the test asserts
on the modules the interpreter imported (never on time, which a shared machine cannot promise):
no pandas, no pandera, no pyarrow. The heavy machinery is imported inside the commands that
need it (cli.py), the configuration reads no data frames, and the journal's renderers and the
account map stream plain rows.
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

COMMANDS = ("import cutover.cli", "status", "runs", "keymap export")


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


@pytest.mark.parametrize("module", HEAVY)
@pytest.mark.parametrize("command", COMMANDS)
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
    # --out keymap.csv without --format: the format of its suffix, ";"-separated with a BOM
    assert (project / "keymap.csv").read_text(encoding="utf-8").startswith("\ufefflegacy_account_number;account_number")
