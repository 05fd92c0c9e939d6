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

from cutover.schema.tables import target_metadata
from cutover.states import RunStatus, StepStatus
from cutover.target import heartbeat
from cutover.target.runs import (
    MONTH_END as KIND,  # the month-end runs themselves are read in runs.py (a dry run reads them)
)


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
