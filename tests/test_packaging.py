"""A non-editable install carries the schema, the migrations and the built-in mappings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_data" / "sample_legacy"


def pip(*args) -> None:
    subprocess.run([sys.executable, "-m", "pip", *args, "--quiet", "--disable-pip-version-check"], check=True)


def test_installed_wheel_runs_a_dry_run_without_the_source_tree(tmp_path):
    pip("wheel", "--no-deps", "-w", str(tmp_path / "wheel"), str(REPO))
    wheel = next((tmp_path / "wheel").glob("cutover-*.whl"))
    site = tmp_path / "site"
    pip("install", "--no-deps", "--target", str(site), str(wheel))
    for bundled in ("schemas/target.toml", "migrations/env.py", "mappings/sample_legacy/system.toml",
                    "sample_data/sample_legacy/saldo.csv", "agents/generic.toml", "readings/sample.toml"):
        assert (site / "cutover" / "_bundled" / bundled).is_file(), bundled

    project = tmp_path / "project"
    project.mkdir()
    (project / "cutover.toml").write_text(
        f'[project]\nmapping = "sample_legacy"\nsource_dir = "{SAMPLE.as_posix()}"\nperiod = "2026-10"\n'
        "[gates]\naccept_unreadable_rows = 2\n",  # the sample's dirt D9, as its own cutover.toml accepts it
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    where = subprocess.run([sys.executable, "-c", "import cutover; print(cutover.__file__)"], cwd=project, env=env,
                           capture_output=True, text=True, check=True)
    assert where.stdout.startswith(str(site))
    result = subprocess.run([sys.executable, "-m", "cutover", "dry-run", "--quiet"], cwd=project, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    run_id, status = result.stdout.split()
    assert status == "reconciled"
    summary = json.loads((project / "reports" / run_id / "summary.json").read_text(encoding="utf-8"))
    assert summary["entities"]["accounts"]["loaded"] > 0

    # `cutover init --example` then `cutover dry-run`, from an empty folder, with the installed wheel
    empty = tmp_path / "empty"
    empty.mkdir()
    env.pop("CUTOVER_PROJECT", None)
    env.pop("CUTOVER_TARGET_URL", None)
    made = subprocess.run([sys.executable, "-m", "cutover", "init", "--example"], cwd=empty, env=env,
                          capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    assert sorted(path.name for path in empty.iterdir()) == ["cutover.toml", "mappings", "sample_data"]
    example = subprocess.run([sys.executable, "-m", "cutover", "dry-run", "--quiet"], cwd=empty, env=env,
                             capture_output=True, text=True)
    assert example.returncode == 0, example.stderr
    assert example.stdout.endswith(" reconciled\n")
