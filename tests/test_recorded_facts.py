"""The source's facts a load records, and the reconciliations that read them instead of mapping
the source again (issue 15).

A load (the dry run's, the month-end's) writes the facts of the source the comparison needs into
the run's folder (``reports/<run>/reconcile/``) and, last, ``facts.json``: complete, whose run,
how many parts. The month-end's gate and `cutover reconcile` read them; they map the source again
only without them, for another run's, or ``--live``. Mapping is counted by wrapping
``map_entity`` where the load calls it and where the reconciliation's source side calls it.

The month-end runs on sql_legacy (tests/test_month_end.py: 60 accounts; its legacy database and
targets as there); `cutover reconcile` on the shipped sample_legacy.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa
from support import write_project
from test_month_end import (  # noqa: F401
    FORCE,
    _fresh_legacy,
    _fresh_target,
    crash,
    legacy_url,
    make_project,
    month_end,
    project,
    switch_target,
    target_state,
)

from cutover.config import load_project
from cutover.monthend import runbook
from cutover.progress import Progress
from cutover.reconcile import source_side
from cutover.reconcile.source_side import (
    FACTS_STATE,
    MONEY,
    facts_folder,
    recorded_side,
)
from cutover.run import workers
from cutover.run.dry_run import dry_run, reconcile
from cutover.target import db, journal

REPO = Path(__file__).resolve().parents[1]
SAME = ("status", "entities", "filtered", "money_by_measure", "row_differences", "differences", "gate_failures")


@pytest.fixture
def mapped(monkeypatch) -> dict[str, Counter]:
    """Rows mapped per entity in this process, by the load and by the reconciliation."""
    counts = {"load": Counter(), "reconcile": Counter()}
    # the load maps its batches through run/workers (here in this process: every source is one batch)
    for who, module in (("load", workers), ("reconcile", source_side)):
        def counting(entity, *args, _map=module.map_entity, _who=who, **kwargs):
            result = _map(entity, *args, **kwargs)
            counts[_who][entity.entity] += len(result.frame)
            return result

        monkeypatch.setattr(module, "map_entity", counting)
    return counts


class _Stages(Progress):
    def __init__(self) -> None:
        self.stages: list[str] = []

    def stage(self, name: str) -> None:
        self.stages.append(name)


def _run_id(output: str) -> str:
    return re.search(r"Month-end (\S+): SWITCHED", output).group(1)


def _summary(project: Path, run_id: str) -> dict:
    return json.loads((project / "reports" / run_id / "summary.json").read_text(encoding="utf-8"))


def _state(project: Path, run_id: str) -> dict:
    return json.loads((facts_folder(project / "reports", run_id) / FACTS_STATE).read_text(encoding="utf-8"))


def _gate(url: str, run_id: str) -> dict:
    engine = db.create_target_engine(url)
    try:
        with engine.connect() as connection:
            return journal.steps(connection, run_id)["reconcile"].detail
    finally:
        engine.dispose()


def _switch(folder: Path, request, server_engines, like: str) -> tuple[Path, str]:
    """A project of its own (legacy database and target) to switch."""
    url = _fresh_target(folder / "target", like, request, server_engines)
    return make_project(folder / "project", _fresh_legacy(folder / "legacy", request, server_engines), url), url


# ---- the month-end --------------------------------------------------------------------------

def test_the_gate_reads_the_facts_the_load_recorded_and_agrees_with_mapping_again(tmp_path, request, server_engines,
                                                                                   mapped, monkeypatch):
    recorded, recorded_url = _switch(tmp_path / "recorded", request, server_engines, "sqlite")
    result = month_end(recorded, *FORCE)
    assert result.exit_code == 0, result.output
    run_id = _run_id(result.output)
    load_rows = dict(mapped["load"])
    assert set(load_rows) == {"service", "person", "premise", "account", "meter", "reading", "balance"}
    assert mapped["reconcile"] == {}  # the snapshot was mapped once, by the load
    state = _state(recorded, run_id)
    assert (state["complete"], state["run_id"], state["recorded_by"]) == (True, run_id, "load")
    assert state["parts"] >= len(load_rows) and state["files"]["accounts"] == 60
    assert _gate(recorded_url, run_id)["facts_recorded_by"] == "load"

    # the same switch with the facts removed before its gate: the old path, the snapshot mapped again
    original = runbook._run_step

    def run_step(switch, name):
        if name == "reconcile":
            (facts_folder(switch.project.reports_dir, switch.run_id) / FACTS_STATE).unlink()
        original(switch, name)

    monkeypatch.setattr(runbook, "_run_step", run_step)
    mapped["load"].clear()
    again, again_url = _switch(tmp_path / "again", request, server_engines, "sqlite")
    result = month_end(again, *FORCE)
    assert result.exit_code == 0, result.output
    again_id = _run_id(result.output)
    assert mapped["load"] == load_rows
    assert mapped["reconcile"] and all(rows == load_rows[name] for name, rows in mapped["reconcile"].items())
    assert _gate(again_url, again_id)["facts_recorded_by"] == "reconcile"
    assert _state(again, again_id)["recorded_by"] == "reconcile"
    for field in SAME:
        assert _summary(again, again_id)[field] == _summary(recorded, run_id)[field], field
    assert _summary(recorded, run_id)["status"] == "reconciled"
    assert target_state(again_url) == target_state(recorded_url)


@pytest.fixture
def reference(tmp_path, request, server_engines, switch_target) -> tuple[dict, dict]:
    """The end state and summary of a switch never interrupted, on a target of the same kind."""
    folder, url = _switch(tmp_path / "reference", request, server_engines, switch_target)
    result = month_end(folder, *FORCE)
    assert result.exit_code == 0, result.output
    return target_state(url), _summary(folder, _run_id(result.output))


def test_a_month_end_killed_after_its_load_resumes_on_the_facts_the_killed_load_recorded(project, switch_target,
                                                                                         reference, mapped):
    killed = crash(project, "after:load", *FORCE)
    assert killed.returncode == -9, killed.stderr
    [folder] = [path for path in (project / "reports").iterdir() if "month-end" in path.name]
    state = json.loads((folder / "reconcile" / FACTS_STATE).read_text(encoding="utf-8"))
    assert (state["complete"], state["run_id"], state["recorded_by"]) == (True, folder.name, "load")

    resumed = month_end(project, "--resume")
    assert resumed.exit_code == 0, resumed.output
    assert mapped == {"load": Counter(), "reconcile": Counter()}  # the load was done; the gate did not map again
    assert _gate(switch_target, folder.name)["facts_recorded_by"] == "load"
    state_then, summary_then = reference
    assert target_state(switch_target) == state_then
    for field in SAME:
        assert _summary(project, folder.name)[field] == summary_then[field], field


class _Killed(BaseException):
    """Stops the process the way a kill would: no step is marked failed."""


def test_a_load_that_recorded_its_facts_but_never_committed_is_run_again_and_records_them_again(
        project, switch_target, reference, mapped, monkeypatch):
    original = journal.mark_done

    def killed_before_commit(connection, run_id, step, detail):
        if step == "load":
            raise _Killed  # after the facts were recorded, before the load's commit
        return original(connection, run_id, step, detail)

    monkeypatch.setattr(journal, "mark_done", killed_before_commit)
    with pytest.raises(_Killed):
        runbook.month_end(load_project(project), "2026-10", force_reason="rehearsed by hand")
    monkeypatch.setattr(journal, "mark_done", original)
    [folder] = [path for path in (project / "reports").iterdir() if "month-end" in path.name]
    assert json.loads((folder / "reconcile" / FACTS_STATE).read_text(encoding="utf-8"))["complete"] is True
    engine = db.create_target_engine(switch_target)
    try:
        with engine.connect() as connection:
            assert journal.steps(connection, folder.name)["load"].status == "started"  # not done: run again
            assert connection.execute(sa.text("SELECT COUNT(*) FROM account")).scalar() == 0
    finally:
        engine.dispose()

    seen = []
    record = source_side.SourceFacts.record

    def recording(self, run_id, recorded_by="load"):
        seen.append((self.side.folder / FACTS_STATE).exists())
        return record(self, run_id, recorded_by)

    monkeypatch.setattr(source_side.SourceFacts, "record", recording)
    mapped["load"].clear()
    resumed = month_end(project, "--resume")
    assert resumed.exit_code == 0, resumed.output
    assert seen == [False]  # the load run again removed the facts.json of the load that never committed
    assert mapped["load"] and mapped["reconcile"] == {}
    state_then, summary_then = reference
    assert target_state(switch_target) == state_then
    for field in SAME:
        assert _summary(project, folder.name)[field] == summary_then[field], field


# ---- cutover reconcile ----------------------------------------------------------------------

def test_reconcile_after_a_dry_run_reads_its_facts_and_maps_again_only_without_them(tmp_path, mapped):
    folder = write_project(tmp_path / "project", "sample_legacy", REPO / "sample_data" / "sample_legacy",
                           target_url=f"sqlite:///{tmp_path / 'target.db'}")
    project = load_project(folder)
    ran = dry_run(project)
    assert ran.status == "reconciled"
    facts = ran.report_dir / "reconcile"
    state = json.loads((facts / FACTS_STATE).read_text(encoding="utf-8"))
    assert (state["complete"], state["run_id"], state["recorded_by"]) == (True, ran.run_id, "load")
    assert mapped["reconcile"] == {}
    load_rows = dict(mapped.pop("load"))

    progress = _Stages()
    recorded = reconcile(project, progress=progress)
    assert mapped == {"reconcile": Counter()}
    assert f"reconcile: the source's facts the load of {ran.run_id} recorded" in progress.stages
    for field in SAME:
        assert recorded.summary[field] == ran.summary[field], field

    (facts / FACTS_STATE).unlink()
    progress = _Stages()
    again = reconcile(project, progress=progress)
    assert mapped["reconcile"]["balance"] > 0
    assert all(rows == load_rows[name] for name, rows in mapped["reconcile"].items())  # mapped again, whole
    assert f"reconcile: no complete facts are recorded in {facts}: mapping the snapshot again" in progress.stages
    for field in SAME:
        assert again.summary[field] == ran.summary[field], field
    assert json.loads((facts / FACTS_STATE).read_text(encoding="utf-8"))["recorded_by"] == "reconcile"

    mapped["reconcile"].clear()
    reconcile(project)  # recorded by the reconciliation that mapped them: read, not mapped a third time
    assert mapped["reconcile"] == {}
    live = reconcile(project, live=True)  # the sources as they are now: always mapped
    assert mapped["reconcile"]["balance"] > 0 and live.status == "reconciled"


def test_facts_of_another_run_half_written_or_changed_since_are_not_used(tmp_path):
    folder = write_project(tmp_path / "project", "sample_legacy", REPO / "sample_data" / "sample_legacy",
                           target_url=f"sqlite:///{tmp_path / 'target.db'}")
    ran = dry_run(load_project(folder))
    facts = ran.report_dir / "reconcile"
    side, by = recorded_side(facts, ran.run_id)
    assert side is not None and by == "load"
    state = json.loads((facts / FACTS_STATE).read_text(encoding="utf-8"))
    closing = 3 + MONEY.index("closing_kopecks")  # service, period, rejected, then the measures
    assert side.items == state["side"]["items"]
    assert int(side.money["closing_kopecks"].sum()) == sum(row[closing] for row in state["side"]["money"]) != 0

    assert recorded_side(facts, "20200101-000000-dry-run-0000") == (
        None, f"the facts in {facts} are run {ran.run_id}'s, not 20200101-000000-dry-run-0000's")
    (facts / FACTS_STATE).write_text(json.dumps(state | {"complete": False}), encoding="utf-8")
    assert recorded_side(facts, ran.run_id) == (None, f"the facts in {facts} are incomplete or of another format")
    (facts / FACTS_STATE).write_text(json.dumps(state | {"files": state["files"] | {"balances": 1}}), encoding="utf-8")
    assert recorded_side(facts, ran.run_id) == (
        None, f"{facts / 'balances'}.parquet is not the file of 1 rows the facts recorded")
    (facts / FACTS_STATE).write_text("{", encoding="utf-8")  # cut short: no state
    assert recorded_side(facts, ran.run_id) == (None, f"no complete facts are recorded in {facts}")
