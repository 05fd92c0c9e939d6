"""The dry run: the one place that knows the order of the stages.

extract -> map -> check -> load -> reconcile -> report. Each stage is a function with a
typed result; this module only composes them and keeps the run journal. Map, check and
load run entity by entity, a part of each entity at a time, inside one transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import tempfile
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

import sqlalchemy as sa

from cutover.config import Project
from cutover.errors import ConfigError
from cutover.extract import REGISTRY as EXTRACTORS
from cutover.extract.snapshot import (
    ExtractResult,
    extract_sources,
    needed_columns,
    snapshot_sources,
)
from cutover.logs import LOGGER, run_log
from cutover.pipeline.load import TargetLoad
from cutover.pipeline.partition import plan_partitions
from cutover.progress import PlannedStage, Progress, Timed, peak_mb
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
from cutover.report.data import ReportData, RunHistory, service_names
from cutover.report.index_html import write_index
from cutover.report.reject_files import write_reject_files
from cutover.report.run_html import write_html
from cutover.report.summary import build_run_summary
from cutover.report.workbook import write_workbook
from cutover.reports_folder import check_reports_folder
from cutover.run.stream import input_rows, map_check_load
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


def dry_run(project: Project, progress: Progress | None = None, upgrade: bool = False) -> RunResult:
    """Extract, map, check, load into the target, reconcile and report (:func:`dry_run_in`, in a
    workspace of its own)."""
    with open_workspace(project, progress) as ws:
        return dry_run_in(ws, upgrade)


def _schema_at_head(engine, upgrade: bool, progress: Progress) -> None:
    """A new, empty target gets the schema; one at an older revision only when asked (``--upgrade``):
    its tables change under the people who use it, so that is a step of its own."""
    db.check_connection(engine)  # a server that is down is named as such, not as a failed upgrade
    current, head = db.current_revision(engine), db.head_revision()
    if current == head:
        return
    if current is not None and not upgrade:
        raise ConfigError(f"the target's schema is at revision {current}, not the newest {head}: run `cutover db "
                          f"upgrade` first (or `cutover dry-run --upgrade` to upgrade it as part of the run)")
    progress.stage("upgrade target schema")
    db.upgrade(engine)


def dry_run_in(ws: Workspace, upgrade: bool = False) -> RunResult:
    """Extract, map, check, load into the workspace's target, reconcile and report.

    Raises
    ------
    CutoverError
        Bad configuration, mapping or input (exit code 2); a reports folder that cannot take
        the run is refused before the journal has it. Whatever stops a journalled run (bad
        input, a bug, Ctrl-C), the journal records it ``failed`` or ``interrupted`` with the
        reason first, then its summary.json; the load is one transaction, so a run stopped
        before its commit leaves the target with the previous run's data.
    """
    project, progress, kind = ws.project, ws.progress, "dry-run"
    run_id = runs.new_run_id(kind)
    started = dt.datetime.now()
    check_reports_folder(project.reports_dir, project.source_dir)  # before anything is written
    mapping, engine = ws.mapping, ws.engine
    _schema_at_head(engine, upgrade, progress)
    with engine.connect() as connection:
        _refuse_during_switch(connection, project, LIVE_DATA)
    runs.start(engine, run_id, kind, mapping.name)
    ws.run_id = run_id  # the journal has it from here on (the CLI names it when a run stops)
    extracted = None
    with run_log(ws.report_dir):
        log.info("run %s: dry run of %s into %s, period %s", run_id, mapping.name, db.mask_url(project.target_url),
                 project.period)
        try:
            progress.plan(planned_stages(ws))
            with Heartbeat(engine, run_id):
                extracted = extract_sources(mapping, project.source_dir, ws.report_dir / "snapshot",
                                            project.chunk_rows, progress)
                # What the sources were, written before the load: a run killed after its load's commit
                # can then be reconciled from its snapshot (`cutover reconcile`).
                write_summary(ws.report_dir, replace(build_run_summary(run_id, kind, project, mapping, extracted,
                                                                       None, started),
                                                     status=RunStatus.RUNNING, finished_at=None))
                progress.plan(planned_stages(ws, extracted))  # the rows each stage will count, now known
                result = _stages(ws, extracted, started)
        except BaseException as exc:
            _journal_stop(ws, exc, extracted, started)
            # the reason may quote a value of the data: it is in the journal and summary.json, not here
            log.error("run %s: %s (%s; the reason is in summary.json and `cutover runs`)", run_id,
                      ws.stopped or "stopped", type(exc).__name__)
            raise
        runs.finish(engine, run_id, result.status, result.summary)
        write_index(engine, project.reports_dir, project.report_language)  # reports/index.html, from the journal
        log.info("run %s: %s", run_id, result.status)
    return result


def planned_stages(ws: Workspace, extracted: ExtractResult | None = None) -> list[PlannedStage]:
    """The stages of the dry run, in order, under the names its progress is shown by: extract each
    source, empty the previous load, each entity (map, check, load: the rows mapped and checked,
    and the parts checked and loaded, once ``extracted`` says how many rows there are), finish the
    load, reconcile, write the report."""
    mapping, project = ws.mapping, ws.project
    needed = needed_columns(mapping)
    stages = [PlannedStage((f"extract {EXTRACTORS[spec.format].describe(spec.options, project.source_dir)}",))
              for name, spec in mapping.sources.items() if name in needed]
    stages.append(PlannedStage(("empty the previous load",)))
    for entity in mapping.entities:
        names = (f"map {entity.entity}", f"check {entity.entity}", f"load {entity.entity}")
        if extracted is None:
            stages.append(PlannedStage(names))
            continue
        rows = input_rows(entity, extracted)
        parts = plan_partitions(entity, rows, project.partition_rows).parts
        stages.append(PlannedStage(names, rows=dict.fromkeys(names[:2], rows), parts=dict.fromkeys(names[1:], parts)))
    return [*stages, *(PlannedStage((name,)) for name in ("finish load", "reconcile", "write report"))]


def _journal_stop(ws: Workspace, exc: BaseException, extracted: ExtractResult | None, started: dt.datetime) -> None:
    """Bad input, a bug or Ctrl-C stopped the run: the journal records it ``failed`` or
    ``interrupted``, and why, before anything else is written; then the run's summary.json says
    the same (with the sources, when they were read: a run stopped after its load's commit can be
    reconciled). Neither write hides ``exc``: what stops them is kept as a note on it."""
    status, why = runs.stopped(exc)
    summary = replace(build_run_summary(ws.run_id, "dry-run", ws.project, ws.mapping, extracted, None, started,
                                        error=why), status=status)
    try:
        runs.finish(ws.engine, ws.run_id, status, summary.to_dict())
        ws.stopped = status
    except Exception as journal_exc:  # the target is gone too: the heartbeat shows the run interrupted
        exc.add_note(f"the journal could not record run {ws.run_id} as {status}: {journal_exc}")
    try:
        write_summary(ws.report_dir, summary)
    except OSError as report_exc:
        exc.add_note(f"{ws.report_dir / 'summary.json'} could not be written: {report_exc}")


LIVE_DATA = "it holds the live data, which a dry run would replace"
log = logging.getLogger(LOGGER)


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
                         opened: str | None = None, finished: dt.datetime | None = None) -> RunResult:
    """Reconcile the workspace's run, whose rows the target holds, and write its three reports (a
    month-end passes the month it ``opened``, whose balances are not compared). ``side`` is the
    source's facts the load just gathered; without it the facts the run's folder records are used
    when complete, else the source is mapped again (see ``reconcile_run``). ``finished`` is when
    the run ended, for a run reconciled again (default: now, as the run ends here)."""
    project, mapping, engine, run_id, progress = ws.project, ws.mapping, ws.engine, ws.run_id, ws.progress
    progress.stage("reconcile")
    reconciled = reconcile_run(ws, extracted, scratch, live=live, side=side, opened=opened)
    reconciliation = reconciled.reconciliation
    summary = build_run_summary(run_id, kind, project, mapping, extracted, reconciliation, started,
                                changes=reconciled.changes)
    if finished is not None:
        summary = replace(summary, finished_at=finished.isoformat(timespec="seconds"))
    summary = replace(summary, timings=_timings(progress))
    progress.stage("write report")
    report_dir = ws.report_dir
    with engine.connect() as connection:
        history = runs.history(connection, mapping.name, run_id)
        names = service_names(connection)
    data = ReportData(
        summary=summary,
        rejects=lambda: reject_rows(engine, run_id),
        reject_count=lambda: _reject_count(engine, run_id),
        differences=lambda: difference_rows(reconciliation.rows),
        changes=lambda: change_rows(reconciled.changes),
        unreadable=lambda: rows_of(reconciliation.unreadable.path, UNREADABLE_COLUMNS),
        history=[*history, RunHistory(run_id, summary.started_at, summary.status, summary.rejects_by_rule)],
        service_names=names, language=project.report_language,
    )
    write_reports(report_dir, data, project.rejects_in_workbook)
    return RunResult(run_id, reconciliation.status, report_dir, summary, reconciliation)


def _timings(progress: Progress) -> dict | None:
    """How long the run took so far, stage by stage, and its peak memory (summary.json's ``timings``)."""
    if not isinstance(progress, Timed):
        return None
    return {"seconds": round(progress.elapsed(), 3), "peak_mb": peak_mb(), "stages": progress.timings()}


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
    check_reports_folder(project.reports_dir, project.source_dir if live else None)
    # The run ended when it ended: reconciling it again changes its verdict, not its timings (the
    # journal's end, after the reports were written, and the summary's, just before).
    finished = runs.ended_at(engine, run_id)
    reported = dt.datetime.fromisoformat(recorded["finished_at"]) if recorded.get("finished_at") else finished
    with tempfile.TemporaryDirectory(prefix="reconcile-", dir=project.reports_dir) as scratch:
        if live:
            extracted = extract_sources(mapping, project.source_dir, Path(scratch) / "snapshot",
                                        project.chunk_rows, progress)
        else:
            extracted = snapshot_sources(mapping, ws.report_dir / "snapshot", recorded.get("sources", {}))
        result = reconcile_and_report(ws, extracted, started, Path(scratch), live=live, finished=reported)
    runs.finish(engine, run_id, result.status, result.summary, finished_at=finished)
    write_index(engine, project.reports_dir, project.report_language)  # the run's new verdict in reports/index.html
    return result
