"""The month-end's checkpoints: one ``cutover_step`` row per step of a run, and the runs themselves.

A step is ``started`` (committed before its work begins), then ``done`` (committed with its
work when the work is in the target, right after it otherwise), ``failed`` or ``rolled_back``.
A run is ``running`` until it is ``switched`` or ``rolled_back``: a killed or failed run stays
``running``, and ``--resume`` or ``--rollback`` finish it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import sqlalchemy as sa

from cutover import heartbeat
from cutover.schema.tables import target_metadata
from cutover.states import RunStatus, StepStatus

KIND = "month-end"


@dataclass(frozen=True)
class StepRecord:
    step: str
    status: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    detail: dict

    @property
    def seconds(self) -> float | None:
        return None if self.finished_at is None else (self.finished_at - self.started_at).total_seconds()


@dataclass(frozen=True)
class MonthEndRun:
    run_id: str
    status: str
    period: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    summary: dict


def _steps() -> sa.Table:
    return target_metadata().tables["cutover_step"]


def _runs() -> sa.Table:
    return target_metadata().tables["run"]


def mark_started(engine: sa.Engine, run_id: str, step: str) -> None:
    """Checkpoint: ``step`` begins (a retried step starts afresh)."""
    table = _steps()
    with engine.begin() as connection:
        connection.execute(table.delete().where(table.c.run_id == run_id, table.c.step == step))
        connection.execute(table.insert().values(run_id=run_id, step=step, status=StepStatus.STARTED,
                                                 started_at=dt.datetime.now()))


def mark(connection: sa.Connection, run_id: str, step: str, status: str, detail: dict | None = None) -> None:
    """Checkpoint: ``step`` is ``done`` or ``failed``, on the caller's transaction."""
    table = _steps()
    values = {"status": status, "finished_at": dt.datetime.now()}
    if detail is not None:
        values["detail"] = json.dumps(detail, ensure_ascii=False, default=str)
    connection.execute(table.update().where(table.c.run_id == run_id, table.c.step == step).values(values))


def mark_done(connection: sa.Connection, run_id: str, step: str, detail: dict) -> None:
    mark(connection, run_id, step, StepStatus.DONE, detail)


def mark_rolled_back(connection: sa.Connection, run_id: str, names: list[str]) -> None:
    """The steps' work is undone (their timings stay as they were)."""
    table = _steps()
    connection.execute(table.update().where(table.c.run_id == run_id, table.c.step.in_(names))
                       .values(status=StepStatus.ROLLED_BACK))


def record_rollback(connection: sa.Connection, run_id: str, started: dt.datetime, detail: dict) -> None:
    """The run's steps are rolled back; the rollback itself is a step of the journal."""
    table = _steps()
    connection.execute(table.update().where(table.c.run_id == run_id, table.c.step != "rollback")
                       .values(status=StepStatus.ROLLED_BACK))
    connection.execute(table.delete().where(table.c.run_id == run_id, table.c.step == "rollback"))
    connection.execute(table.insert().values(run_id=run_id, step="rollback", status=StepStatus.DONE, started_at=started,
                                             finished_at=dt.datetime.now(),
                                             detail=json.dumps(detail, ensure_ascii=False, default=str)))


def steps(connection: sa.Connection, run_id: str) -> dict[str, StepRecord]:
    """The run's steps as the journal has them, by name (a broken lock is a step too: see
    :data:`cutover.monthend.lock.BROKEN`)."""
    table = _steps()
    rows = connection.execute(sa.select(table.c.step, table.c.status, table.c.started_at, table.c.finished_at,
                                        table.c.detail).where(table.c.run_id == run_id))
    return {step: StepRecord(step, status, started, finished, json.loads(detail or "{}"))
            for step, status, started, finished, detail in rows}


def start_run(connection: sa.Connection, run_id: str, mapping: str, period: str) -> None:
    """Journal the run, on the caller's transaction (the one that takes the lock)."""
    connection.execute(_runs().insert().values(
        run_id=run_id, kind=KIND, mapping=mapping, status=RunStatus.RUNNING, started_at=dt.datetime.now(),
        summary_json=json.dumps({"period": period}), **heartbeat.started_values()))


def finish_run(connection: sa.Connection, run_id: str, status: str, summary: dict) -> None:
    run = _runs()
    connection.execute(run.update().where(run.c.run_id == run_id).values(
        status=status, finished_at=dt.datetime.now(), summary_json=json.dumps(summary, ensure_ascii=False, default=str)))


def _month_end_runs(connection: sa.Connection, *statuses: str) -> list[MonthEndRun]:
    run = _runs()
    query = (sa.select(run.c.run_id, run.c.status, run.c.started_at, run.c.finished_at, run.c.summary_json)
             .where(run.c.kind == KIND, run.c.status.in_(statuses))
             .order_by(run.c.started_at.desc(), run.c.run_id.desc()))
    found = []
    for run_id, status, started, finished, summary_json in connection.execute(query):
        summary = json.loads(summary_json or "{}")
        found.append(MonthEndRun(run_id, status, summary.get("period", "?"), started, finished, summary))
    return found


def switched(connection: sa.Connection) -> MonthEndRun | None:
    """The month-end that switched the project, if one did."""
    return next(iter(_month_end_runs(connection, RunStatus.SWITCHED)), None)


def unfinished(connection: sa.Connection) -> MonthEndRun | None:
    """The month-end begun and neither switched nor rolled back (running, killed or stopped)."""
    return next(iter(_month_end_runs(connection, RunStatus.RUNNING)), None)


def latest(connection: sa.Connection) -> MonthEndRun | None:
    """The latest month-end of any status."""
    return next(iter(_month_end_runs(connection, RunStatus.RUNNING, RunStatus.SWITCHED, RunStatus.ROLLED_BACK,
                                         RunStatus.FAILED)), None)
