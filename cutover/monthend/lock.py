"""The month-end lock: one row in the target's ``cutover_lock`` table.

Inserting the row is the lock (its primary key lets only one process in); it records which
run, host and process hold it, so it outlives a killed process and says who held it. A
``--resume`` or ``--rollback`` of the same run takes over a lock whose process is gone.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from dataclasses import dataclass

import sqlalchemy as sa

from cutover.errors import ConfigError
from cutover.schema.tables import target_metadata

NAME = "month-end"


@dataclass(frozen=True)
class Holder:
    run_id: str
    host: str
    pid: int
    acquired_at: dt.datetime

    @property
    def alive(self) -> bool:
        """Whether the holding process still runs (a process on another host is taken to)."""
        if self.host != socket.gethostname():
            return True
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True

    def describe(self) -> str:
        return f"run {self.run_id}, process {self.pid} on {self.host}, since {self.acquired_at:%Y-%m-%d %H:%M:%S}"


class LockHeld(ConfigError):
    """Another month-end holds the lock (exit code 2)."""

    def __init__(self, message: str, holder: Holder) -> None:
        super().__init__(message)
        self.holder = holder


def _table() -> sa.Table:
    return target_metadata().tables["cutover_lock"]


def holder(connection: sa.Connection) -> Holder | None:
    table = _table()
    row = connection.execute(sa.select(table.c.run_id, table.c.host, table.c.pid, table.c.acquired_at)
                             .where(table.c.name == NAME)).first()
    return Holder(*row) if row else None


def acquire(engine: sa.Engine, run_id: str, take_over: bool = False) -> None:
    """Take the lock for ``run_id``; with ``take_over``, also from a process of the same run that is gone.

    Raises
    ------
    LockHeld
        A month-end process holds it: naming its run, process, host and since when.
    """
    table = _table()
    mine = {"name": NAME, "run_id": run_id, "host": socket.gethostname(), "pid": os.getpid(),
            "acquired_at": dt.datetime.now()}
    try:
        with engine.begin() as connection:
            connection.execute(table.insert().values(mine))
        return
    except sa.exc.IntegrityError:
        pass
    with engine.begin() as connection:
        held = holder(connection)
        if held is None:  # released meanwhile
            connection.execute(table.insert().values(mine))
            return
        if take_over and held.run_id == run_id and not held.alive:
            taken = connection.execute(table.update().where(
                table.c.name == NAME, table.c.run_id == held.run_id, table.c.pid == held.pid,
                table.c.host == held.host).values(mine))
            if taken.rowcount == 1:
                return
            held = holder(connection) or held
    if held.alive:
        raise LockHeld(f"a month-end is running: {held.describe()}; a second one is refused "
                       f"(`cutover status` shows its steps)", held)
    raise LockHeld(f"a month-end was interrupted: {held.describe()}, and that process is gone; "
                   f"`cutover month-end --resume` continues it, `--rollback` undoes it", held)


def release_on(connection: sa.Connection, run_id: str) -> None:
    """Let go of the lock ``run_id`` holds, on the caller's transaction."""
    table = _table()
    connection.execute(table.delete().where(table.c.name == NAME, table.c.run_id == run_id))


def release(engine: sa.Engine, run_id: str) -> None:
    with engine.begin() as connection:
        release_on(connection, run_id)
