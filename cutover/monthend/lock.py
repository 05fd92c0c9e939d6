"""The month-end lock: one row in the target's ``cutover_lock`` table.

Inserting the row is the lock (its primary key lets only one process in). It is taken in the
transaction that journals the run, so no kill can leave a lock without a run. The row says
which run, host and process hold it; whether the holder is still at work is judged by its
run's heartbeat in the journal (see :mod:`cutover.target.heartbeat`), so the lock outlives a killed
process, a reboot that gave its pid to another process, or a recreated container. A lock
whose run is not running is stale and taken over; ``--resume`` and ``--rollback`` of the run
take over its lock once the holder is gone; ``--break-lock --reason`` is the way out for
the case no check can decide, and is recorded in the run's journal and protocol.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import sqlalchemy as sa

from cutover.errors import ConfigError
from cutover.schema.tables import target_metadata
from cutover.states import RunStatus, StepStatus
from cutover.target import heartbeat

NAME = "month-end"
BROKEN = "break_lock"  # the step (with the time it was broken) that records a broken lock


@dataclass(frozen=True)
class Holder:
    run_id: str
    process: heartbeat.Process
    acquired_at: dt.datetime
    run_status: str | None  # the journal's status of the lock's run; None: the run is not in the journal
    heartbeat_at: dt.datetime | None

    @property
    def alive(self) -> bool:
        """Whether the holding run is still at work (its heartbeat beats, or its process runs)."""
        return self.run_status == RunStatus.RUNNING and not heartbeat.gone(self.process, self.heartbeat_at)

    @property
    def stale(self) -> bool:
        """A lock with no run at work behind it: left by a version that journalled the run apart."""
        return self.run_status != RunStatus.RUNNING

    def describe(self) -> str:
        beat = f", last heartbeat {self.heartbeat_at:%Y-%m-%d %H:%M:%S}" if self.heartbeat_at else ""
        return (f"run {self.run_id}, {self.process.describe()}, since {self.acquired_at:%Y-%m-%d %H:%M:%S}{beat}")


class LockHeld(ConfigError):
    """Another month-end holds the lock (exit code 2)."""

    def __init__(self, message: str, holder: Holder) -> None:
        super().__init__(message)
        self.holder = holder


def _table() -> sa.Table:
    return target_metadata().tables["cutover_lock"]


def holder(connection: sa.Connection) -> Holder | None:
    table, run = _table(), target_metadata().tables["run"]
    row = connection.execute(
        sa.select(table.c.run_id, table.c.host, table.c.pid, table.c.acquired_at, run.c.status, run.c.process_key,
                  run.c.heartbeat_at)
        .select_from(table.outerjoin(run, run.c.run_id == table.c.run_id)).where(table.c.name == NAME)).first()
    if row is None:
        return None
    process = heartbeat.Process(row.host, row.pid, row.process_key or "")
    return Holder(row.run_id, process, row.acquired_at, row.status, row.heartbeat_at)


def take(connection: sa.Connection, run_id: str, take_over: bool = False) -> None:
    """Take the lock for ``run_id`` on the caller's transaction (which journals the run, or holds it).

    A stale lock (its run is not running) is taken over; with ``take_over``, so is a lock of
    ``run_id`` itself whose process is gone (a ``--resume`` or ``--rollback``).

    Raises
    ------
    LockHeld
        A month-end holds it: naming its run, process, host, since when and its last heartbeat.
    """
    table = _table()
    me = heartbeat.this_process()
    mine = {"name": NAME, "run_id": run_id, "host": me.host, "pid": me.pid, "acquired_at": dt.datetime.now()}
    held = holder(connection)
    if held is None:
        connection.execute(table.insert().values(mine))
        return
    if held.stale or (take_over and held.run_id == run_id and not held.alive):
        connection.execute(table.update().where(table.c.name == NAME, table.c.run_id == held.run_id).values(mine))
        return
    if held.alive:
        raise LockHeld(f"a month-end is running: {held.describe()}; a second one is refused "
                       f"(`cutover status` shows its steps)", held)
    raise LockHeld(f"a month-end was interrupted: {held.describe()}, and that process is gone; "
                   f"`cutover month-end --resume` continues it, `--rollback` undoes it", held)


def break_lock(connection: sa.Connection, reason: str) -> Holder:
    """Remove the lock whoever holds it, and record why in its run's journal (``--break-lock``).

    Raises
    ------
    ConfigError
        No reason given, or no lock to break.
    """
    if not reason.strip():
        raise ConfigError("--break-lock needs --reason \"...\": why the lock may be broken, for the journal and "
                          "the protocol")
    held = holder(connection)
    if held is None:
        raise ConfigError("no month-end holds the lock: there is nothing to break (`cutover status`)")
    connection.execute(_table().delete().where(_table().c.name == NAME))
    now = dt.datetime.now()
    me = heartbeat.this_process()
    detail = {"reason": reason.strip(), "holder": held.describe(), "broken_by": me.describe(),
              "broken_at": now.isoformat(timespec="seconds")}
    if held.run_status is not None:
        steps = target_metadata().tables["cutover_step"]
        connection.execute(steps.insert().values(run_id=held.run_id, step=f"{BROKEN} {now:%Y-%m-%d %H:%M:%S.%f}",
                                                 status=StepStatus.DONE, started_at=now, finished_at=now,
                                                 detail=json.dumps(detail, ensure_ascii=False)))
    return held


def broken_locks(steps: dict) -> list[str]:
    """The run's broken locks, oldest first, as `cutover status` and the protocol print them."""
    return [f"lock broken at {record.detail['broken_at']} by {record.detail['broken_by']} (it was held by "
            f"{record.detail['holder']}): {record.detail['reason']}"
            for name, record in sorted(steps.items()) if name.startswith(BROKEN)]


def release_on(connection: sa.Connection, run_id: str) -> None:
    """Let go of the lock ``run_id`` holds, on the caller's transaction."""
    table = _table()
    connection.execute(table.delete().where(table.c.name == NAME, table.c.run_id == run_id))


def release(engine: sa.Engine, run_id: str) -> None:
    with engine.begin() as connection:
        release_on(connection, run_id)
