"""The dry run: the one place that knows the order of the stages.

extract -> map -> check -> load -> reconcile -> report. Each stage is a function with a
typed result; this module only composes them and keeps the run journal. Map, check and
load run entity by entity, a part of each entity at a time, inside one transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

import sqlalchemy as sa

from cutover.config import Project
from cutover.errors import ConfigError, CutoverError
from cutover.extract.snapshot import ExtractResult, extract_sources, snapshot_sources
from cutover.pipeline.load import TargetLoad
from cutover.progress import Progress
from cutover.reconcile.changes import change_rows
from cutover.reconcile.files import rows_of
from cutover.reconcile.journal import reject_rows
from cutover.reconcile.model import UNREADABLE_COLUMNS, Reconciliation
from cutover.reconcile.reconcile import reconcile_run
from cutover.reconcile.result import RunSummary, run_summary
from cutover.reconcile.rows import difference_rows
from cutover.reconcile.source_side import (
    SourceFacts,
    SourceSide,
    facts_folder,
    reading_partitions,
)
from cutover.report.data import ReportData, RunHistory
from cutover.report.reject_files import write_reject_files
from cutover.report.run_html import write_html
from cutover.report.summary import build_run_summary
from cutover.report.workbook import write_workbook
from cutover.run.stream import map_check_load
from cutover.schema.definition import target_schema
from cutover.schema.tables import target_metadata
from cutover.states import RunStatus
from cutover.target import db, runs
from cutover.target.exclusive import exclusive
from cutover.target.heartbeat import Heartbeat
from cutover.workspace import Workspace, open_workspace


@dataclass(frozen=True)
class RunResult:
    """What a dry run (or a reconciliation of one) found and where its report is."""

    run_id: str
    status: str
    report_dir: Path
    run_summary: RunSummary
    reconciliation: Reconciliation | None
    error: str | None = None

    @cached_property
    def summary(self) -> dict:
        """summary.json of the run (``run_summary.to_dict()``), for scripts that read JSON."""
        return self.run_summary.to_dict()


def dry_run(project: Project, progress: Progress | None = None) -> RunResult:
    """Extract, map, check, load into the target, reconcile and report (:func:`dry_run_in`, in a
    workspace of its own)."""
    with open_workspace(project, progress) as ws:
        return dry_run_in(ws)


def dry_run_in(ws: Workspace) -> RunResult:
    """Extract, map, check, load into the workspace's target, reconcile and report.

    Raises
    ------
    CutoverError
        Bad configuration, mapping or input (exit code 2). Whatever stops a run, it is
        journalled as failed and a summary with status ``failed`` is written first; the
        load is one transaction, so the target keeps the previous run's data.
    """
    project, progress, kind = ws.project, ws.progress, "dry-run"
    ws.run_id = run_id = runs.new_run_id(kind)
    started = dt.datetime.now()
    mapping, engine = ws.mapping, ws.engine
    progress.stage("upgrade target schema")
    db.upgrade(engine)
    with engine.connect() as connection:
        _refuse_during_switch(connection, project, LIVE_DATA)
    runs.start(engine, run_id, kind, mapping.name)
    extracted = None
    try:
        with Heartbeat(engine, run_id):
            extracted = extract_sources(mapping, project.source_dir, ws.report_dir / "snapshot", project.chunk_rows,
                                        progress)
            # What the sources were, written before the load: a run killed after its load's commit
            # can then be reconciled from its snapshot (`cutover reconcile`).
            write_summary(ws.report_dir, replace(build_run_summary(run_id, kind, project, mapping, extracted, None,
                                                                   started), status=RunStatus.RUNNING, finished_at=None))
            result = _stages(ws, extracted, started)
    except Exception as exc:
        # Bad input and bugs alike: the journal and the report say the run failed, and why (with
        # the sources, when they were read: a run that failed after its load can be reconciled).
        why = str(exc) if isinstance(exc, CutoverError) else f"internal error: {type(exc).__name__}: {exc}"
        summary = build_run_summary(run_id, kind, project, mapping, extracted, None, started, error=why)
        write_summary(ws.report_dir, summary)
        runs.finish(engine, run_id, RunStatus.FAILED, summary.to_dict())
        raise
    runs.finish(engine, run_id, result.status, result.summary)
    return result


LIVE_DATA = "it holds the live data, which a dry run would replace"


def _refuse_during_switch(connection: sa.Connection, project: Project, why: str) -> None:
    """Dry runs and their reconciliation stay away from a switched project and a month-end under way."""
    switched, begun = runs.switched(connection), runs.unfinished(connection)
    where = db.mask_url(project.target_url)
    if switched is not None:
        raise ConfigError(f"{where} was switched on {switched.finished_at:%Y-%m-%d %H:%M:%S} by month-end "
                          f"{switched.run_id}: {why} (the switch's own reconciliation is in "
                          f"{project.reports_dir / switched.run_id}); point dry runs at a scratch target "
                          f"(--target or CUTOVER_TARGET_URL)")
    if begun is not None:
        raise ConfigError(f"month-end {begun.run_id} is under way on {where} (`cutover status`): {why}; "
                          f"resume or roll it back first")


def _stages(ws: Workspace, extracted: ExtractResult, started: dt.datetime) -> RunResult:
    project, mapping, engine, run_id, progress = ws.project, ws.mapping, ws.engine, ws.run_id, ws.progress
    with tempfile.TemporaryDirectory(prefix="parts-", dir=project.reports_dir / run_id) as scratch:
        facts = SourceFacts(facts_folder(project.reports_dir, run_id), Path(scratch),
                            reading_partitions(mapping, extracted, project.partition_rows))
        try:
            with engine.begin() as connection, exclusive(connection, run_id, f"dry run {run_id}"):
                # One transaction from the first row deleted to the last row loaded: all or nothing. It
                # holds the target's write exclusion, and a month-end begun since the extract began stops it.
                _refuse_during_switch(connection, project, LIVE_DATA)
                progress.stage("empty the previous load")
                load = TargetLoad(connection, run_id, target_schema(), project.numbering)
                map_check_load(mapping, extracted, project, load, [facts], Path(scratch), progress)
                progress.stage("finish load")
                load.finish()
                runs.prune_rejects(connection, project.keep_rejects)
                # Recorded complete before the commit: a run killed after it is reconciled from them.
                side = facts.record(run_id)
        finally:
            facts.close()
        return reconcile_and_report(ws, extracted, started, Path(scratch), side=side)


def reconcile_and_report(ws: Workspace, extracted: ExtractResult, started: dt.datetime, scratch: Path, *,
                         kind: str = "dry-run", live: bool = False, side: SourceSide | None = None,
                         opened: str | None = None) -> RunResult:
    """Reconcile the workspace's run, whose rows the target holds, and write its three reports (a
    month-end passes the month it ``opened``, whose balances are not compared). ``side`` is the
    source's facts the load just gathered; without it the facts the run's folder records are used
    when complete, else the source is mapped again (see ``reconcile_run``)."""
    project, mapping, engine, run_id, progress = ws.project, ws.mapping, ws.engine, ws.run_id, ws.progress
    progress.stage("reconcile")
    reconciled = reconcile_run(ws, extracted, scratch, live=live, side=side, opened=opened)
    reconciliation = reconciled.reconciliation
    summary = build_run_summary(run_id, kind, project, mapping, extracted, reconciliation, started,
                                changes=reconciled.changes)
    progress.stage("write report")
    report_dir = ws.report_dir
    with engine.connect() as connection:
        history = runs.history(connection, mapping.name, run_id)
    data = ReportData(
        summary=summary,
        rejects=lambda: reject_rows(engine, run_id),
        reject_count=lambda: _reject_count(engine, run_id),
        differences=lambda: difference_rows(reconciliation.rows),
        changes=lambda: change_rows(reconciled.changes),
        unreadable=lambda: rows_of(reconciliation.unreadable.path, UNREADABLE_COLUMNS),
        history=[*history, RunHistory(run_id, summary.started_at, summary.status, summary.rejects_by_rule)],
    )
    write_reports(report_dir, data, project.rejects_in_workbook)
    return RunResult(run_id, reconciliation.status, report_dir, summary, reconciliation)


def write_reports(report_dir: Path, data: ReportData, rejects_in_workbook: int) -> None:
    """summary.json, report.xlsx and report.html of a run; with more rejects than
    ``rejects_in_workbook`` ([project]), every one in rejects.csv and rejects.parquet too."""
    write_summary(report_dir, run_summary(data.summary))
    data = replace(data, reject_files=write_reject_files(report_dir, data, rejects_in_workbook))
    write_workbook(report_dir / "report.xlsx", data)
    write_html(report_dir / "report.html", data)


def _reject_count(engine: sa.Engine, run_id: str) -> int:
    """The rows ``reject_rows`` yields for the run (every reject and warning), counted by the target."""
    reject = target_metadata().tables["reject"]
    with engine.connect() as connection:
        counted = sa.select(sa.func.count()).select_from(reject).where(reject.c.run_id == run_id)
        return connection.execute(counted).scalar_one()


def write_summary(report_dir: Path, summary: RunSummary) -> None:
    report_dir.mkdir(parents=True, exist_ok=True)
    (report_dir / "summary.json").write_text(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2) + "\n",
                                             encoding="utf-8")


def reconcile(project: Project, run_id: str | None = None, live: bool = False,
              progress: Progress | None = None) -> RunResult:
    """Reconcile a finished dry run again (:func:`reconcile_in`, in a workspace of its own)."""
    with open_workspace(project, progress) as ws:
        return reconcile_in(ws, run_id, live)


def reconcile_in(ws: Workspace, run_id: str | None = None, live: bool = False) -> RunResult:
    """Reconcile a finished dry run again: its snapshot (or, ``live``, the sources as they are now)
    against the target, and rewrite the run's reports. The source's facts its load recorded are
    used when complete; the snapshot is mapped again only when they are missing or incomplete.

    Raises
    ------
    CutoverError
        No such run, a run the target no longer holds, or a missing snapshot (exit code 2).
    """
    project, progress = ws.project, ws.progress
    mapping, engine = ws.mapping, ws.engine
    db.check_connection(engine)
    with engine.connect() as connection:
        _refuse_during_switch(connection, project, "its rows are no dry run's to reconcile")
    ws.run_id = run_id = runs.run_to_reconcile(engine, run_id)
    summary_path = ws.report_dir / "summary.json"
    if not summary_path.exists():
        raise ConfigError(f"{summary_path} is missing: the run's report folder was moved or deleted")
    recorded = json.loads(summary_path.read_text(encoding="utf-8"))
    started = dt.datetime.fromisoformat(recorded["started_at"])
    with tempfile.TemporaryDirectory(prefix="reconcile-", dir=project.reports_dir) as scratch:
        if live:
            extracted = extract_sources(mapping, project.source_dir, Path(scratch) / "snapshot",
                                        project.chunk_rows, progress)
        else:
            extracted = snapshot_sources(mapping, ws.report_dir / "snapshot", recorded.get("sources", {}))
        result = reconcile_and_report(ws, extracted, started, Path(scratch), live=live)
    runs.finish(engine, run_id, result.status, result.summary)
    return result
