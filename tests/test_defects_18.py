"""The defects issue 18 met on the way (item 7), each proved fixed.

- ``cutover reconcile`` keeps the run's ``finished_at`` (it wrote its own time: a 30-second run
  showed 10.5 minutes);
- ``cutover profile`` says what ``keep_first`` does with a repeated key, not that every row of it
  is rejected;
- a demo built from a run gives every real premise an address of its own (flat numbers were
  drawn one by one: two flats of a house could get one number; on the sample 487 premises
  became 460 addresses), on every shipped system;
- the README's example cutover.toml sets no rule to ``"error"`` as a value to copy;
- the databases the README's examples create are in .gitignore.

``--rollback`` and ``--resume`` after a completed switch are in tests/test_month_end.py
(``test_a_second_switch_is_refused_saying_when_and_by_which_run`` and the rollback of
``after:done``).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
from support import query, write_project

from cutover.config import load_project
from cutover.demo.build import build_demo
from cutover.demo.replace import premise_key
from cutover.run.dry_run import dry_run, reconcile

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_data" / "sample_legacy"
SHIPPED = ("sample_legacy", "dbf_legacy", "gis_excel", "sql_legacy", "housing_ods")


def _journal(url: str, run_id: str):
    return query(url, "SELECT status, started_at, finished_at FROM run WHERE run_id = :run_id", run_id=run_id)[0]


def test_reconcile_keeps_the_run_s_finished_at(tmp_path):
    url = f"sqlite:///{tmp_path / 'target.db'}"
    project = load_project(write_project(tmp_path, "sample_legacy", SAMPLE, target_url=url))
    ran = dry_run(project)
    before = _journal(url, ran.run_id)
    written = json.loads((ran.report_dir / "summary.json").read_text(encoding="utf-8"))
    again = reconcile(project, ran.run_id)
    assert again.status == "reconciled"
    assert _journal(url, ran.run_id) == before  # the status is the same, and so are the times
    rewritten = json.loads((ran.report_dir / "summary.json").read_text(encoding="utf-8"))
    assert (rewritten["started_at"], rewritten["finished_at"]) == (written["started_at"], written["finished_at"])
    assert again.summary["finished_at"] == written["finished_at"]


def test_profile_says_keep_first_keeps_the_first_row(tmp_path):
    """The sample's D1 (two account numbers on two abonent rows each) under keep_first."""
    from cutover.analysis.profile import profile_project

    mapping = tmp_path / "mappings" / "sample_legacy"
    shutil.copytree(REPO / "mappings" / "sample_legacy", mapping)
    for entity in ("person", "account"):
        path = mapping / "entities" / f"{entity}.toml"
        text = path.read_text(encoding="utf-8")
        assert 'on_duplicate = "reject_all"' in text
        path.write_text(text.replace('on_duplicate = "reject_all"', 'on_duplicate = "keep_first"', 1), encoding="utf-8")
    profiled = profile_project(load_project(write_project(tmp_path, "sample_legacy", SAMPLE)))
    [duplicate] = [f for f in profiled.findings if f.check == "DUPLICATE_KEY" and f.source == "abonent"]
    assert (duplicate.severity, duplicate.what) == (
        "warning", "2 key value(s) of person, account occur more than once (4 rows); the first row of each loads and "
                   "the others are rejected (on_duplicate = \"keep_first\"): check that they are copies")
    assert "every row of such a key will be rejected" not in duplicate.what


@pytest.mark.parametrize("system", SHIPPED)
def test_a_demo_from_a_run_gives_every_real_premise_its_own_address(system, shipped_run, tmp_path):
    ran, source_url = shipped_run(system)
    demo_url = f"sqlite:///{tmp_path / 'demo.db'}"
    built = build_demo(source_url, f"dry run {ran.run_id}", "2026-10", demo_url, seed=1)
    assert built.privacy.clean
    address = "SELECT id, settlement, street, house, building, apartment FROM premise ORDER BY id"
    real = {row[0]: premise_key(*row[1:]) for row in query(source_url, address)}
    demo = {row[0]: premise_key(*row[1:]) for row in query(demo_url, address)}
    assert demo.keys() == real.keys() and len(real) > 0
    assert len(set(demo.values())) == len(set(real.values()))  # no two real addresses share a demo one
    for premise_id, key in real.items():  # only the house and the flat change
        assert demo[premise_id][:2] == key[:2] and demo[premise_id][3] == key[3]


def _readme_config() -> tuple[str, dict]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    [block] = [b for b in re.findall(r"```toml\n(.*?)```", readme, re.S) if b.startswith("[project]")]
    return block, tomllib.loads(block)


def test_the_readme_config_sets_no_rule_to_error_as_a_value_to_copy():
    block, config = _readme_config()
    assert config.get("rules", {}) == {}  # every rule at the severity docs/rules.md gives it
    [line] = [line for line in block.splitlines() if "VERIFY_EXPIRED" in line]
    assert line.startswith('# VERIFY_EXPIRED = "error"') and "CAREFUL" in line
    assert "thousands of meters" in block


@pytest.mark.parametrize("path", ["cutover.db", "switch.db", "demo.db", "cutover.db-wal", "switch.db-shm",
                                  "reports/20261122-183012-dry-run-1a2b/report.xlsx"])
def test_what_the_readme_s_examples_create_is_ignored_by_git(path):
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    ignored = subprocess.run(["git", "check-ignore", "--no-index", "-q", path], cwd=REPO)
    assert ignored.returncode == 0, f"{path} is not in .gitignore"
