"""Run records to look into (issue 18, item 3): `cutover runs show RUN`, `--json` on `runs`,
`status` and `check`, and `cutover runs prune --keep N`. Two dry runs of the sample, shared."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from test_cli import project

from cutover.cli import cli


def run(folder, *args: str):
    return CliRunner().invoke(cli, ["--project", str(folder), *args], catch_exceptions=False)


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    folder = project(tmp_path_factory.mktemp("records"))
    ids = []
    for _ in range(2):
        done = run(folder, "dry-run", "--quiet")
        assert done.exit_code == 0, done.output
        ids.append(done.stdout.split()[0])
    return folder, ids


def test_runs_json_lists_the_journal_newest_first(two_runs):
    folder, (first, second) = two_runs
    listed = json.loads(run(folder, "runs", "--json").stdout)
    assert [(r["run_id"], r["kind"], r["status"]) for r in listed] == [(second, "dry-run", "reconciled"),
                                                                        (first, "dry-run", "reconciled")]
    assert listed[0]["started_at"].startswith(second[:4] + "-")


def test_runs_show_gives_the_verdict_counts_stages_and_the_sources_hashes(two_runs):
    folder, (_, second) = two_runs
    summary = json.loads((folder / "reports" / second / "summary.json").read_text(encoding="utf-8"))
    shown = run(folder, "runs", "show", second)
    assert shown.exit_code == 0
    lines = shown.stdout.splitlines()
    assert lines[0] == f"Run {second}: dry-run, reconciled"
    accounts = summary["entities"]["accounts"]
    assert (f"{'accounts':<10} {accounts['source_rows']:>9} {accounts['loaded']:>9} {accounts['rejected']:>9} "
            f"{accounts['warnings']:>9}") in lines
    saldo = summary["sources"]["saldo"]
    assert f"{'saldo':<14} {saldo['rows']:>9}  {saldo['sha256']:<64}  saldo.csv" in lines
    assert any(line.startswith("load account ") for line in lines)
    as_json = json.loads(run(folder, "runs", "show", second, "--json").stdout)
    assert as_json["summary"]["sources"]["saldo"]["sha256"] == saldo["sha256"]


def test_runs_show_of_a_run_that_is_not_there_names_the_nearest(two_runs):
    folder, (_, second) = two_runs
    typo = second[:-1] + ("x" if second[-1] != "x" else "y")
    shown = run(folder, "runs", "show", typo)
    assert shown.exit_code == 2
    assert shown.stderr == (f"Error: no run {typo} in the target's journal; did you mean {second!r} for {typo!r}?; "
                            f"`cutover runs` lists the latest\n")


def test_status_and_check_speak_json(two_runs):
    folder, _ = two_runs
    status = json.loads(run(folder, "status", "--json").stdout)
    assert status["latest"] is None and status["switched"] is None and status["holder"] is None
    checked = run(folder, "check", "--json")
    found = json.loads(checked.stdout)
    assert checked.exit_code == 1  # the sample's unmapped service code (dirt of the sample, by design)
    assert {"unmapped", "source_rules", "readings"} <= set(found)


def test_prune_keeps_the_latest_and_removes_older_report_folders(two_runs):
    folder, (first, second) = two_runs
    pruned = run(folder, "runs", "prune", "--keep", "1")
    assert pruned.exit_code == 0
    assert pruned.stdout == (f"removed 1 report folder(s) of older dry runs; kept 1\n  {folder / 'reports' / first}\n")
    assert not (folder / "reports" / first).exists() and (folder / "reports" / second / "summary.json").is_file()
    assert [r["run_id"] for r in json.loads(run(folder, "runs", "--json").stdout)] == [second, first]  # the journal stays
