"""How long a run took, stage by stage (issue 18, item 2): summary.json's ``timings`` and the
line the console ends a run with; the stage log (logger ``cutover``)."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from pathlib import Path

from test_report import SUMMARY

from cutover.progress import Timed
from cutover.reconcile.result import run_summary
from cutover.report.console import render_run


def test_the_console_says_how_long_each_kind_of_stage_took(tmp_path):
    timings = {"seconds": 12.345, "peak_mb": 1536.4, "stages": [
        {"stage": "extract abonent.csv", "seconds": 1.0, "rows": 500}, {"stage": "extract saldo.csv", "seconds": 0.5,
                                                                         "rows": 10000},
        {"stage": "empty the previous load", "seconds": 0.25, "rows": 0}, {"stage": "map meter", "seconds": 2.0, "rows": 9},
        {"stage": "check meter", "seconds": 1.5, "rows": 9}, {"stage": "map reading", "seconds": 3.0, "rows": 9},
        {"stage": "load meter", "seconds": 1.0, "rows": 9}, {"stage": "finish load", "seconds": 0.75, "rows": 0},
        {"stage": "reconcile: read meter", "seconds": 2.0, "rows": 9}]}
    lines = render_run(replace(run_summary(SUMMARY), timings=timings), tmp_path / "r").splitlines()
    assert ("took 12.3 s: extract 1.5 s, load 2.0 s, map 5.0 s, check 1.5 s, reconcile 2.0 s; peak memory 1,536 MB"
            in lines)
    assert not any(line.startswith("took ") for line in render_run(SUMMARY, tmp_path / "r").splitlines())


def test_stages_met_again_add_up_and_each_ending_stage_is_logged(caplog):
    timed = Timed()
    with caplog.at_level(logging.INFO, logger="cutover"):
        for name, rows in (("map meter", 5), ("check meter", 5), ("map meter", 7), ("load meter", 12)):
            timed.stage(name)
            timed.advance(rows)
        timed.done()
    assert [(t["stage"], t["rows"]) for t in timed.timings()] == [("map meter", 12), ("check meter", 5),
                                                                   ("load meter", 12)]
    assert all(t["seconds"] >= 0 for t in timed.timings())
    logged = [record.getMessage() for record in caplog.records if record.name == "cutover"]
    assert [message.split(":")[0] for message in logged] == ["stage map meter", "stage check meter", "stage map meter",
                                                             "stage load meter"]
    assert logged[-1].endswith(" s, 12 rows")


def test_a_dry_run_records_its_stages_in_summary_json(shipped_run):
    result, _ = shipped_run("sample_legacy")
    timings = result.summary["timings"]
    stages = {stage["stage"]: stage for stage in timings["stages"]}
    expected = json.loads((Path(__file__).resolve().parents[1] / "sample_data" / "sample_legacy" / "expected.json")
                          .read_text(encoding="utf-8"))
    assert stages["extract abonent.csv"]["rows"] == expected["files"]["abonent.csv"]["data_rows"]
    assert {"map account", "check account", "load account", "reconcile"} <= set(stages)
    assert sum(stage["seconds"] for stage in timings["stages"]) <= timings["seconds"]
    assert timings["peak_mb"] > 0


def test_a_dry_run_logs_to_its_report_folder_and_to_the_log_file_asked_for(tmp_path):
    from click.testing import CliRunner
    from test_cli import project

    from cutover.cli import cli

    folder = project(tmp_path / "p")
    ran = CliRunner().invoke(cli, ["--project", str(folder), "--log-file", str(tmp_path / "ops.log"), "--log-format",
                                   "json", "dry-run", "--quiet"], catch_exceptions=False)
    assert ran.exit_code == 0, ran.output
    run_id = ran.stdout.split()[0]
    lines = [json.loads(line) for line in (tmp_path / "ops.log").read_text(encoding="utf-8").splitlines()]
    messages = [line["message"] for line in lines]
    assert messages[0] == f"run {run_id}: dry run of sample_legacy into sqlite:///{folder / 'cutover.db'}, period 2026-10"
    assert f"run {run_id}: reconciled" in messages
    assert {line["level"] for line in lines} == {"INFO"} and all(line["logger"] == "cutover" for line in lines)
    run_log = (folder / "reports" / run_id / "run.log").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["message"] for line in run_log][0] == messages[0]
    assert any(message.startswith("stage load account: ") for message in messages)
