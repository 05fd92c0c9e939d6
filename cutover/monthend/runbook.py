"""The month-end runbook: the one place that knows the order of the steps.

Each step is checkpointed in the target's ``cutover_step`` table: ``started`` is committed
before its work, ``done`` with it. A step whose work is in the target (load, opening,
open_period, done) commits its work and its ``done`` in one transaction, so a process killed
at any point leaves each step either done or not; a step outside the target (closing the
legacy month, the extract, the reconciliation, the protocol) is safe to run again. So
``--resume`` runs every step not done, in order, and reaches the same end state as a run
never interrupted; ``--rollback`` undoes what the steps did, whatever their state.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from cutover.config import Project
from cutover.errors import ConfigError, CutoverError
from cutover.extract.snapshot import (
    ExtractResult,
    extract_sources,
    snapshot_sources,
    source_entry,
)
from cutover.mapping.model import SystemMapping
from cutover.monthend import fingerprint, legacy, lock
from cutover.monthend.protocol import write_protocol
from cutover.monthend.steps import BY_NAME, STEP_NAMES, STEPS
from cutover.periods import next_period
from cutover.pipeline.load import TargetLoad
from cutover.progress import Progress
from cutover.reconcile.source_side import (
    SourceFacts,
    facts_folder,
    facts_state,
    reading_partitions,
)
from cutover.run.dry_run import reconcile_and_report
from cutover.run.stream import map_check_load
from cutover.schema.definition import target_schema
from cutover.schema.tables import target_metadata
from cutover.states import RunStatus, StepStatus
from cutover.target import db, journal, opening, runs, saved
from cutover.target.exclusive import exclusive
from cutover.target.heartbeat import Heartbeat
from cutover.workspace import Workspace, open_workspace

STOPPED = "stopped"  # a month-end's result, never a journal status: a gate failed, kept for --no-rollback


class GateFailed(Exception):
    """The reconciliation found differences or a gate failed."""

    def __init__(self, reasons: list[str], detail: dict) -> None:
        super().__init__("; ".join(reasons))
        self.reasons, self.detail = reasons, detail


class MonthEndStopped(CutoverError):
    """A step failed: the run stays open for ``--resume`` or ``--rollback`` (exit code 2)."""


@dataclass(frozen=True)
class MonthEndResult:
    """How a month-end (or its resume or rollback) ended."""

    run_id: str
    period: str
    status: str  # RunStatus.SWITCHED or ROLLED_BACK, or STOPPED
    report_dir: Path
    reasons: list[str]
    rollback: dict | None = None


@dataclass
class Switch:
    """One month-end run and what its steps share: the workspace (whose run it is), the period."""

    workspace: Workspace
    period: str
    forced_reason: str | None = None

    @property
    def project(self) -> Project:
        return self.workspace.project

    @property
    def mapping(self) -> SystemMapping:
        return self.workspace.mapping

    @property
    def engine(self) -> sa.Engine:
        return self.workspace.engine

    @property
    def run_id(self) -> str:
        return self.workspace.run_id

    @property
    def progress(self) -> Progress:
        return self.workspace.progress

    @property
    def following(self) -> str:
        return next_period(self.period)

    @property
    def report_dir(self) -> Path:
        return self.workspace.report_dir

    @property
    def snapshot_dir(self) -> Path:
        return self.report_dir / "snapshot"

    def detail(self, step: str) -> dict:
        with self.engine.connect() as connection:
            record = journal.steps(connection, self.run_id).get(step)
        return record.detail if record else {}

    def extracted(self) -> ExtractResult:
        """The final extract, from its snapshot (as the extract step recorded it)."""
        return snapshot_sources(self.mapping, self.snapshot_dir, self.detail("extract")["sources"])

    def started_at(self) -> dt.datetime:
        run = target_metadata().tables["run"]
        with self.engine.connect() as connection:
            return connection.execute(sa.select(run.c.started_at).where(run.c.run_id == self.run_id)).scalar_one()


# ---- the steps ------------------------------------------------------------------------------

def _preflight(switch: Switch) -> dict:
    project = switch.project
    legacy_databases = _check_legacy_connections(project, switch.mapping)
    with switch.engine.connect() as connection:
        latest = _latest_dry_run(connection, switch.mapping.name)
    detail = {"target": db.mask_url(project.target_url), "schema": db.current_revision(switch.engine),
              "legacy": legacy_databases, "latest_dry_run": latest}
    passed = latest is not None and latest["status"] == RunStatus.RECONCILED
    if not passed and switch.forced_reason is None:
        found = (f"there is no finished dry run of mapping {switch.mapping.name} in this target" if latest is None
                 else f"dry run {latest['run_id']} of mapping {switch.mapping.name} is still running"
                 if latest["status"] == RunStatus.RUNNING
                 else f"dry run {latest['run_id']} of mapping {switch.mapping.name} was interrupted (`cutover "
                      f"reconcile` finishes it if its load was committed)" if latest["status"] == runs.INTERRUPTED
                 else f"dry run {latest['run_id']} of mapping {switch.mapping.name} ended {latest['status']}")
        raise ConfigError(f"the latest dry run must pass its gates before the switch, and {found}; run "
                          f"`cutover dry-run`, or override with --force --reason \"...\" (recorded in the protocol)")
    if switch.forced_reason is not None:
        detail["forced_reason"] = switch.forced_reason
    return detail


def _check_legacy_connections(project: Project, mapping: SystemMapping) -> list[str]:
    """Connect to the legacy database the close runs on (files: the folder is there)."""
    if not project.month_end.close:
        if any(spec.format == "sql" for spec in mapping.sources.values()):
            raise ConfigError(f"mapping {mapping.name} reads a legacy database: cutover.toml needs [month_end] close "
                              f"and reopen statements that close the month there (docs/month-end.md)")
        if not project.source_dir.is_dir():
            raise ConfigError(f"{project.source_dir}: the source folder is missing")
        legacy.source_files(project, mapping)
        return [str(project.source_dir)]
    return [legacy.check_connection(project, mapping)]


def _latest_dry_run(connection: sa.Connection, mapping: str) -> dict | None:
    """The latest dry run of ``mapping``, finished or not (a killed one is ``interrupted``)."""
    run = target_metadata().tables["run"]
    row = connection.execute(
        sa.select(run.c.run_id, run.c.status, run.c.finished_at)
        .where(run.c.kind == "dry-run", run.c.mapping == mapping)
        .order_by(run.c.started_at.desc(), run.c.run_id.desc()).limit(1)).first()
    if row is None:
        return None
    status = row.status
    if status == RunStatus.RUNNING:
        at_work = runs.running_run(connection, row.run_id)
        status = runs.INTERRUPTED if at_work is not None and at_work.gone else status
    return {"run_id": row.run_id, "status": status, "finished_at": row.finished_at}


def _close_legacy(switch: Switch) -> dict:
    switch.progress.stage(f"close {switch.period} in the legacy system")
    return legacy.close(switch.project, switch.mapping, switch.period)


def _extract(switch: Switch) -> dict:
    changed = legacy.changed_files(switch.detail("close_legacy"), switch.project, switch.mapping)
    if changed:
        raise ConfigError("the extract is not the one checked when the legacy month was closed: " + "; ".join(changed))
    shutil.rmtree(switch.snapshot_dir, ignore_errors=True)  # an interrupted extract starts again
    project = switch.project
    extracted = extract_sources(switch.mapping, project.source_dir, switch.snapshot_dir, project.chunk_rows,
                                switch.progress)
    sources = {name: source_entry(source) for name, source in extracted.sources.items()}
    return {"sources": sources, "snapshot": legacy.snapshot_hashes(switch.snapshot_dir)}


def _load(switch: Switch, connection: sa.Connection) -> dict:
    switch.progress.stage("save the target's rows to roll back to")
    kept = saved.save(connection)
    project, extracted = switch.project, switch.extracted()
    switch.report_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="load-", dir=switch.report_dir) as scratch:
        # The source's facts go to the run's folder for the reconcile step; starting removes their
        # facts.json, so a load run again (its first attempt killed before the commit) rewrites them.
        facts = SourceFacts(facts_folder(project.reports_dir, switch.run_id), Path(scratch),
                            reading_partitions(switch.mapping, extracted, project.partition_rows))
        try:
            load = TargetLoad(connection, switch.run_id, target_schema(), project.numbering)
            map_check_load(switch.mapping, extracted, project, load, [facts], Path(scratch), switch.progress)
            switch.progress.stage("finish load")
            result = load.finish()
            # Complete just before the load commits with its checkpoint: a done load has its facts.
            facts.record(switch.run_id)
        finally:
            facts.close()
    return {"saved": kept, "rows": result.rows}


def _opening(switch: Switch, connection: sa.Connection) -> dict:
    switch.progress.stage(f"opening balances and base readings of {switch.following}")
    detail = opening.open_next_month(connection, switch.period, switch.following)
    # what `cutover verify` holds the target to every night after the switch
    return detail | {"fingerprint": fingerprint.month_end_fingerprint(connection, switch.period, switch.following)}


def _open_period(switch: Switch, connection: sa.Connection) -> dict:
    now = dt.datetime.now().replace(microsecond=0)
    opening.open_period(connection, switch.period, switch.following, now)
    return {"closed": switch.period, "opened": switch.following, "at": now.isoformat()}


def _reconcile(switch: Switch) -> dict:
    # The gate reads the source's facts the load recorded (facts.json); only without them complete
    # does reconcile_run map the snapshot again.
    with tempfile.TemporaryDirectory(prefix="reconcile-", dir=switch.report_dir) as scratch:
        result = reconcile_and_report(switch.workspace, switch.extracted(), switch.started_at(), Path(scratch),
                                      kind="month-end", opened=switch.following)
    with switch.engine.connect() as connection:
        problems = opening.opening_problems(connection, switch.period, switch.following)
    summary = result.run_summary
    recorded = facts_state(facts_folder(switch.project.reports_dir, switch.run_id)) or {}
    detail = {"status": result.status, "differences": list(summary.differences or ()),
              "gate_failures": list(summary.gate_failures or ()), "opening_problems": problems,
              "facts_recorded_by": recorded.get("recorded_by")}  # load, or reconcile: mapped again here
    reasons = detail["differences"] + detail["gate_failures"] + problems
    if result.status != RunStatus.RECONCILED or problems:
        raise GateFailed(reasons or [f"the reconciliation ended {result.status}"], detail)
    return detail


def _protocol(switch: Switch) -> dict:
    switch.progress.stage("write the protocol")
    return write_protocol(switch)


def _done(switch: Switch, connection: sa.Connection) -> dict:
    detail = {"switched_at": dt.datetime.now().isoformat(timespec="seconds"), "period": switch.period,
              "opened": switch.following}
    journal.finish_run(connection, switch.run_id, RunStatus.SWITCHED, _summary(switch, RunStatus.SWITCHED) | detail)
    lock.release_on(connection, switch.run_id)
    saved.clear(connection)  # a switch is never rolled back: the copies would only take space
    return detail


WORK: dict[str, Callable] = {
    "preflight": _preflight, "close_legacy": _close_legacy, "extract": _extract, "load": _load,
    "opening": _opening, "open_period": _open_period, "reconcile": _reconcile, "protocol": _protocol, "done": _done,
}
if tuple(WORK) != STEP_NAMES:  # the table of steps (steps.py) and their work name the same steps, in order
    raise RuntimeError(f"the runbook's work {list(WORK)} does not follow its steps {list(STEP_NAMES)}")


def _summary(switch: Switch, status: str) -> dict:
    summary = {"period": switch.period, "next_period": switch.following, "status": status,
               "mapping": switch.mapping.name, "target": db.mask_url(switch.project.target_url)}
    if switch.forced_reason is not None:
        summary["forced_reason"] = switch.forced_reason
    return summary


# ---- running, resuming and rolling back ----------------------------------------------------

def _run_step(switch: Switch, name: str) -> None:
    journal.mark_started(switch.engine, switch.run_id, name)
    work = WORK[name]
    if BY_NAME[name].in_target:
        with switch.engine.begin() as connection:
            detail = work(switch, connection)
            journal.mark_done(connection, switch.run_id, name, detail)
        return
    detail = work(switch)
    with switch.engine.begin() as connection:
        journal.mark_done(connection, switch.run_id, name, detail)


def _fail_step(switch: Switch, name: str, detail: dict) -> None:
    with switch.engine.begin() as connection:
        journal.mark(connection, switch.run_id, name, StepStatus.FAILED, detail)


def _advance(switch: Switch, no_rollback: bool) -> MonthEndResult:
    """Run every step not done yet, in order; the lock is held and released here."""
    try:
        with Heartbeat(switch.engine, switch.run_id):
            return _steps_not_done(switch, no_rollback)
    finally:
        lock.release(switch.engine, switch.run_id)


def _steps_not_done(switch: Switch, no_rollback: bool) -> MonthEndResult:
    for step in STEPS:
        with switch.engine.connect() as connection:
            record = journal.steps(connection, switch.run_id).get(step.name)
        if record is not None and record.status == StepStatus.DONE:
            continue
        switch.progress.stage(step.title)
        try:
            _run_step(switch, step.name)
        except GateFailed as failed:
            _fail_step(switch, step.name, failed.detail)
            if no_rollback:
                return MonthEndResult(switch.run_id, switch.period, STOPPED, switch.report_dir, failed.reasons)
            try:
                undone = _undo(switch)
            except CutoverError as exc:
                raise MonthEndStopped(
                    f"month-end {switch.run_id}: the reconciliation gate failed ({'; '.join(failed.reasons[:3])}) "
                    f"and its rollback stopped: {exc}\n`cutover month-end --period {switch.period} --rollback` "
                    f"finishes the rollback once that is fixed") from exc
            return MonthEndResult(switch.run_id, switch.period, RunStatus.ROLLED_BACK, switch.report_dir, failed.reasons,
                                  undone)
        except (Exception, KeyboardInterrupt) as exc:
            why = str(exc) if isinstance(exc, CutoverError) else f"{type(exc).__name__}: {exc}"
            _fail_step(switch, step.name, {"error": why})
            # A bug stays a bug (exit 3, with its traceback under --debug): recorded failed like any
            # stop, and told how to go on in a note; bad input and Ctrl-C become the runbook's message.
            bug = not isinstance(exc, (CutoverError, KeyboardInterrupt))
            if step.name == "preflight":  # nothing was done: the run is over
                with switch.engine.begin() as connection:
                    journal.finish_run(connection, switch.run_id, RunStatus.FAILED,
                                       _summary(switch, RunStatus.FAILED) | {"error": why})
                if bug:
                    exc.add_note(f"month-end {switch.run_id} refused at preflight")
                    raise
                raise MonthEndStopped(f"month-end refused at preflight: {why}") from exc
            if bug:
                exc.add_note(f"month-end {switch.run_id} stopped at step {step.name} ({step.title}): `cutover "
                             f"month-end --period {switch.period} --resume` continues from there once it is fixed; "
                             f"`--rollback` undoes what was done")
                raise
            raise MonthEndStopped(
                f"month-end {switch.run_id} stopped at step {step.name} ({step.title}): {why}\n"
                f"`cutover month-end --period {switch.period} --resume` continues from there once that is fixed; "
                f"`--rollback` undoes what was done") from exc
    return MonthEndResult(switch.run_id, switch.period, RunStatus.SWITCHED, switch.report_dir, [])


def _undo(switch: Switch) -> dict:
    """Bring the target and the legacy system back as they were before the run; what was done."""
    started = dt.datetime.now()
    with switch.engine.connect() as connection:
        records = journal.steps(connection, switch.run_id)
    journal.mark_started(switch.engine, switch.run_id, "rollback")  # from here on, only --rollback finishes it
    detail: dict = {}
    load = records.get("load")
    if load is not None and load.status == StepStatus.DONE:  # the load committed: the target changed
        switch.progress.stage("rollback: restore the target")
        with switch.engine.begin() as connection:
            detail["restored"] = saved.restore(connection)
            saved.clear(connection)  # the target holds them again: the copies would only double it
            reject = target_metadata().tables["reject"]
            detail["rejects_removed"] = connection.execute(reject.delete().where(reject.c.run_id == switch.run_id)).rowcount
            journal.mark_rolled_back(connection, switch.run_id, [step.name for step in STEPS
                                                                       if step.in_target and step.name in records])
    close = records.get("close_legacy")
    if close is not None and close.status != StepStatus.ROLLED_BACK:  # started is enough: the close may have run
        switch.progress.stage("rollback: reopen the legacy month")
        detail["legacy"] = legacy.reopen(switch.project, switch.mapping, switch.period)
    with switch.engine.begin() as connection:
        journal.record_rollback(connection, switch.run_id, started, detail)
        journal.finish_run(connection, switch.run_id, RunStatus.ROLLED_BACK, _summary(switch, RunStatus.ROLLED_BACK) | detail)
    return detail


# ---- the three entry points ----------------------------------------------------------------

def _open(ws: Workspace, period: str) -> None:
    """Refuse a period cutover.toml does not name or a target not at the schema's head; the
    workspace's mapping is loaded and its engine connected here."""
    project = ws.project
    if period != project.period:
        raise ConfigError(f"--period {period} is not the month cutover.toml's [project] period = \"{project.period}\" "
                          f"names: the switch closes the month the dry runs reconciled")
    ws.mapping  # noqa: B018 -- loaded (and checked) before the target is touched
    engine = ws.engine
    db.check_connection(engine)
    current, head = db.current_revision(engine), db.head_revision()
    if current != head:
        raise ConfigError(f"the target's schema is at revision {current or 'none'}, not {head}: "
                          f"run `cutover db upgrade` first")


def _refuse_if_switched(connection: sa.Connection) -> None:
    done = runs.switched(connection)
    if done is not None:
        raise ConfigError(f"the project was switched on {done.finished_at:%Y-%m-%d %H:%M:%S} by month-end run "
                          f"{done.run_id} (period {done.period}); a second month-end is refused")


def _refuse_completed(connection: sa.Connection, action: str) -> None:
    """``--resume`` or ``--rollback`` after a completed switch: what happened, and what is left to do."""
    done = runs.switched(connection)
    if done is None:
        return
    when = (f"month-end {done.run_id} completed the switch on {done.finished_at:%Y-%m-%d %H:%M:%S}: {done.period} "
            f"is closed and {next_period(done.period)} is open in the new system")
    if action == "resume":
        raise ConfigError(f"there is nothing to resume: {when} (`cutover status` shows its steps, all done)")
    raise ConfigError(f"there is nothing to roll back: {when}, and a completed switch is never undone: the customer "
                      f"works in the new system now, so put mistakes right there (`cutover status` shows the "
                      f"switch's steps; its protocol is in {done.run_id}'s reports folder)")


def month_end(project: Project, period: str, *, force_reason: str | None = None, no_rollback: bool = False,
              progress: Progress | None = None) -> MonthEndResult:
    """Switch the project over at the end of ``period`` (:func:`month_end_in`, in a workspace of its own)."""
    with open_workspace(project, progress) as ws:
        return month_end_in(ws, period, force_reason=force_reason, no_rollback=no_rollback)


def month_end_in(ws: Workspace, period: str, *, force_reason: str | None = None,
                 no_rollback: bool = False) -> MonthEndResult:
    """Switch the workspace's project over at the end of ``period``.

    Raises
    ------
    CutoverError
        Refused (switched already, another month-end running or interrupted, a preflight check)
        or stopped at a step (exit code 2).
    """
    _open(ws, period)
    with ws.engine.connect() as connection:
        _refuse_if_switched(connection)
    ws.run_id = runs.new_run_id(runs.MONTH_END)
    _begin(ws.engine, ws.run_id, ws.mapping.name, period)
    return _advance(Switch(ws, period, force_reason), no_rollback)


def _begin(engine: sa.Engine, run_id: str, mapping: str, period: str) -> None:
    """Take the lock and journal the run in one transaction, excluding any dry run's load."""
    with engine.begin() as connection, exclusive(connection, run_id, f"month-end {run_id}"):
        _refuse_if_switched(connection)
        lock.take(connection, run_id)
        open_run = runs.unfinished(connection)
        if open_run is not None:
            raise ConfigError(f"month-end {open_run.run_id} (period {open_run.period}) was begun and neither "
                              f"switched nor rolled back: `cutover month-end --period {open_run.period} --resume` "
                              f"continues it, `--rollback` undoes it (`cutover status` shows its steps)")
        journal.start_run(connection, run_id, mapping, period)


def _take_over(engine: sa.Engine, run_id: str, doing: str) -> None:
    with engine.begin() as connection, exclusive(connection, run_id, doing):
        lock.take(connection, run_id, take_over=True)


def _unfinished_run(engine: sa.Engine, period: str, action: str) -> runs.MonthEndRun:
    with engine.connect() as connection:
        open_run = runs.unfinished(connection)
        if open_run is None:
            _refuse_completed(connection, action)
            raise ConfigError(f"there is no month-end to {action}: none was begun, or the last one was rolled back")
    if open_run.period != period:
        raise ConfigError(f"month-end {open_run.run_id} closes {open_run.period}, not {period}")
    return open_run


def resume(project: Project, period: str, *, no_rollback: bool = False,
           progress: Progress | None = None) -> MonthEndResult:
    """Continue the interrupted month-end (:func:`resume_in`, in a workspace of its own)."""
    with open_workspace(project, progress) as ws:
        return resume_in(ws, period, no_rollback=no_rollback)


def resume_in(ws: Workspace, period: str, *, no_rollback: bool = False) -> MonthEndResult:
    """Continue the interrupted month-end from its first step not done."""
    _open(ws, period)
    engine = ws.engine
    open_run = _unfinished_run(engine, period, "resume")
    _take_over(engine, open_run.run_id, f"resuming month-end {open_run.run_id}")
    with engine.connect() as connection:
        rolling_back = "rollback" in journal.steps(connection, open_run.run_id)
    if rolling_back:
        lock.release(engine, open_run.run_id)
        raise ConfigError(f"month-end {open_run.run_id} was being rolled back when it stopped: "
                          f"`cutover month-end --period {period} --rollback` finishes the rollback")
    ws.run_id = open_run.run_id
    return _advance(Switch(ws, period, _forced(engine, open_run.run_id)), no_rollback)


def _forced(engine: sa.Engine, run_id: str) -> str | None:
    with engine.connect() as connection:
        record = journal.steps(connection, run_id).get("preflight")
    return record.detail.get("forced_reason") if record else None


def rollback(project: Project, period: str, progress: Progress | None = None) -> MonthEndResult:
    """Undo the month-end begun and not switched (:func:`rollback_in`, in a workspace of its own)."""
    with open_workspace(project, progress) as ws:
        return rollback_in(ws, period)


def rollback_in(ws: Workspace, period: str) -> MonthEndResult:
    """Undo the month-end begun and not switched: the target's rows as they were, the legacy month reopened."""
    _open(ws, period)
    engine = ws.engine
    open_run = _unfinished_run(engine, period, "roll back")
    _take_over(engine, open_run.run_id, f"rolling back month-end {open_run.run_id}")
    ws.run_id = open_run.run_id
    try:
        switch = Switch(ws, period)
        with Heartbeat(engine, open_run.run_id):
            undone = _undo(switch)
    finally:
        lock.release(engine, open_run.run_id)
    return MonthEndResult(open_run.run_id, period, RunStatus.ROLLED_BACK, switch.report_dir, [], undone)


def break_lock(project: Project, reason: str) -> lock.Holder:
    """Remove the month-end lock (:func:`break_lock_in`, in a workspace of its own)."""
    with open_workspace(project) as ws:
        return break_lock_in(ws, reason)


def break_lock_in(ws: Workspace, reason: str) -> lock.Holder:
    """Remove the month-end lock for the case no check can decide (``--break-lock --reason``),
    recorded in the journal of the lock's run and printed in its protocol.

    Raises
    ------
    ConfigError
        No reason, or no lock to break (exit code 2).
    """
    db.check_connection(ws.engine)
    with ws.engine.begin() as connection:
        return lock.break_lock(connection, reason)
