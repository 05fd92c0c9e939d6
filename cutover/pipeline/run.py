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
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from cutover import db
from cutover.config import Project
from cutover.errors import CutoverError
from cutover.mapping.model import EntityMapping, SystemMapping, load_mapping
from cutover.pipeline.checks import ParentKeys, accepted_rows, check_entity, item_counts, parent_keys
from cutover.pipeline.extract_stage import ExtractResult, extract_sources
from cutover.pipeline.load import TargetLoad
from cutover.pipeline.mapstage import MappedEntity, map_entity
from cutover.pipeline.partition import Partitions, plan_partitions
from cutover.pipeline.reconcile import EntityTally, Reconciliation, SourceMoney, reconcile_run
from cutover.pipeline.rejects import RejectLog
from cutover.pipeline.rules import PARENT_COLUMNS, RuleContext
from cutover.pipeline.shape import shape_batches
from cutover.pipeline.source_checks import check_sources
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


def _input_rows(mapping: EntityMapping, extracted: ExtractResult) -> int:
    """About how many rows an entity will have: its sources' rows, times the unpivot's columns."""
    rows = sum(extracted.sources[name].row_count for name in mapping.sources)
    return rows * (len(mapping.unpivot.columns) if mapping.unpivot else 1)


@dataclass
class _Checked:
    """What later entities and the reconciliation need of the entities done so far."""

    parents: dict[str, ParentKeys] = field(default_factory=dict)
    accepted: dict[str, pd.DataFrame] = field(default_factory=dict)  # columns children's rules read
    tallies: dict[str, EntityTally] = field(default_factory=dict)


def map_check_load(mapping: SystemMapping, extracted: ExtractResult, project: Project, load: TargetLoad,
                   rejects: RejectLog, scratch: Path, progress: Progress) -> tuple[dict[str, EntityTally], SourceMoney]:
    """Map, check and load every entity, parents first, a part at a time.

    An entity's rows are mapped batch by batch into parts (see ``partition``); each part is
    checked against what is known of the parents and loaded. Only what children need is
    kept: the parents' keys and the few columns their rules read."""
    schema = target_schema()
    referenced = {ref.entity for e in mapping.entities for ref in e.refs if ref.entity != e.entity}
    source_failures = check_sources(mapping, extracted, project.partition_rows)  # once per source
    done = _Checked()
    money = SourceMoney(project.period)
    context = RuleContext(project.period_end, done.accepted, project.severities)
    for entity_mapping in mapping.entities:
        name = entity_mapping.entity
        location = " + ".join(extracted.sources[source].location for source in entity_mapping.sources)
        plan = plan_partitions(entity_mapping, _input_rows(entity_mapping, extracted), project.partition_rows)
        partitions = Partitions(plan, scratch, name)
        tally = EntityTally(merges=entity_mapping.on_duplicate == "merge")
        parent_parts: list[ParentKeys] = []
        accepted_parts: list[pd.DataFrame] = []
        try:
            progress.stage(f"map {name}")
            for shaped in shape_batches(entity_mapping, extracted, project.chunk_rows):
                mapped = map_entity(entity_mapping, schema.table(name), location, shaped.frame, rejects, source_failures)
                tally.filtered += shaped.filtered
                partitions.add(mapped.frame, mapped.source)
                progress.advance(len(mapped.frame))
            for frame, source in partitions:
                progress.stage(f"check {name}")
                mapped = MappedEntity(entity_mapping, location, frame, source)
                check_entity(mapped, done.parents, context, schema, rejects)
                tally.source_rows += item_counts(mapped)["source_rows"]
                if name == "service":
                    money.add_services(mapped)
                if name == "balance":
                    money.add_balances(mapped)
                if name in referenced:
                    parent_parts.append(parent_keys(mapped, rejects))
                if name in PARENT_COLUMNS:
                    accepted = accepted_rows(mapped).set_index("_key")
                    accepted_parts.append(accepted[[c for c in PARENT_COLUMNS[name] if c in accepted]])
                progress.advance(len(frame))
                progress.stage(f"load {name}")
                progress.advance(load.load(mapped))
        finally:
            partitions.close()
        done.parents[name] = ParentKeys.combine(parent_parts, location)
        if accepted_parts:
            done.accepted[name] = pd.concat(accepted_parts)
        done.tallies[name] = tally
        progress.stage("load rejects")
        load.add_rejects(rejects.frame(name))
    return done.tallies, money


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
    rejects = RejectLog()
    with tempfile.TemporaryDirectory(prefix="parts-", dir=report_dir) as scratch, engine.begin() as connection:
        # One transaction from the first row deleted to the last row loaded: all or nothing.
        load = TargetLoad(connection, run_id, target_schema(), project.numbering)
        tallies, money = map_check_load(mapping, extracted, project, load, rejects, Path(scratch), progress)
        progress.stage("finish load")
        load.finish()
    found = rejects.frame()
    progress.stage("reconcile")
    reconciliation = reconcile_run(engine, run_id, tallies, money, project.gates)
    summary = build_summary(run_id, "dry-run", project, mapping, extracted, reconciliation, started)
    progress.stage("write report")
    _write_summary(report_dir, summary)
    write_workbook(report_dir / "report.xlsx", summary, found)
    return RunResult(run_id, reconciliation.status, report_dir, summary, reconciliation)


def _write_summary(report_dir: Path, summary: dict) -> None:
    report_dir.mkdir(parents=True, exist_ok=True)
    (report_dir / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
