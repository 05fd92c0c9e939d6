"""The dry run: the one place that knows the order of the stages.

extract -> map -> check -> load -> reconcile -> report. Each stage is a function with a
typed result; this module only composes them and keeps the run journal. Map, check and
load run entity by entity, a part of each entity at a time, inside one transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from cutover import db
from cutover.config import Project
from cutover.errors import CutoverError
from cutover.mapping.model import SystemMapping, load_mapping
from cutover.pipeline.extract_stage import extract_sources
from cutover.pipeline.load import TargetLoad
from cutover.pipeline.reconcile import Reconciliation, reconcile_run
from cutover.pipeline.stream import map_check_load
from cutover.progress import Progress
from cutover.report.summary import build_summary
from cutover.report.workbook import write_workbook
from cutover.schema.definition import target_schema
from cutover.schema.tables import target_metadata


@dataclass(frozen=True)
class RunResult:
    """What a dry run did and where its report is."""

    run_id: str
    status: str
    report_dir: Path
    summary: dict
    reconciliation: Reconciliation | None
    error: str | None = None


def new_run_id(kind: str, now: dt.datetime | None = None) -> str:
    """Sortable and unique: ``20261122-183012-dry-run-1a2b``."""
    now = now or dt.datetime.now()
    return f"{now:%Y%m%d-%H%M%S}-{kind}-{secrets.token_hex(2)}"


def _journal_start(engine: sa.Engine, run_id: str, kind: str, mapping: str) -> None:
    run = target_metadata().tables["run"]
    with engine.begin() as connection:
        connection.execute(run.insert().values(run_id=run_id, kind=kind, mapping=mapping, status="running",
                                               started_at=dt.datetime.now()))


def _journal_finish(engine: sa.Engine, run_id: str, status: str, summary: dict) -> None:
    run = target_metadata().tables["run"]
    with engine.begin() as connection:
        connection.execute(run.update().where(run.c.run_id == run_id).values(
            status=status, finished_at=dt.datetime.now(), summary_json=json.dumps(summary, ensure_ascii=False)))


def dry_run(project: Project, progress: Progress | None = None) -> RunResult:
    """Extract, map, check, load into the target, reconcile and report.

    Raises
    ------
    CutoverError
        Bad configuration, mapping or input (exit code 2). Whatever stops a run, it is
        journalled as failed and a summary with status ``failed`` is written first; the
        load is one transaction, so the target keeps the previous run's data.
    """
    progress = progress or Progress()
    kind = "dry-run"
    run_id = new_run_id(kind)
    report_dir = project.reports_dir / run_id
    started = dt.datetime.now()
    mapping = load_mapping(project.mapping_dir)
    engine = db.create_target_engine(project.target_url)
    try:
        progress.stage("upgrade target schema")
        db.upgrade(engine)
        _journal_start(engine, run_id, kind, mapping.name)
        try:
            result = _stages(project, mapping, engine, run_id, report_dir, started, progress)
        except Exception as exc:
            # Bad input and bugs alike: the journal and the report say the run failed, and why.
            why = str(exc) if isinstance(exc, CutoverError) else f"internal error: {type(exc).__name__}: {exc}"
            summary = build_summary(run_id, kind, project, mapping, None, None, started, error=why)
            _write_summary(report_dir, summary)
            _journal_finish(engine, run_id, "failed", summary)
            raise
        _journal_finish(engine, run_id, result.status, result.summary)
        return result
    finally:
        progress.done()
        engine.dispose()


def _stages(project: Project, mapping: SystemMapping, engine: sa.Engine, run_id: str, report_dir: Path,
            started: dt.datetime, progress: Progress) -> RunResult:
    extracted = extract_sources(mapping, project.source_dir, report_dir / "snapshot", project.chunk_rows, progress)
    with tempfile.TemporaryDirectory(prefix="parts-", dir=report_dir) as scratch, engine.begin() as connection:
        # One transaction from the first row deleted to the last row loaded: all or nothing.
        load = TargetLoad(connection, run_id, target_schema(), project.numbering)
        streamed = map_check_load(mapping, extracted, project, load, Path(scratch), progress)
        progress.stage("finish load")
        load.finish()
    progress.stage("reconcile")
    reconciliation = reconcile_run(engine, run_id, streamed.tallies, streamed.money, project.gates)
    summary = build_summary(run_id, "dry-run", project, mapping, extracted, reconciliation, started)
    progress.stage("write report")
    _write_summary(report_dir, summary)
    write_workbook(report_dir / "report.xlsx", summary, streamed.rejects)
    return RunResult(run_id, reconciliation.status, report_dir, summary, reconciliation)


def _write_summary(report_dir: Path, summary: dict) -> None:
    report_dir.mkdir(parents=True, exist_ok=True)
    (report_dir / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
