"""Whether a run is still at work: its process, and a heartbeat it keeps in the target.

Every run records its host, pid and process key (the boot id and the process's start time,
so that a pid a reboot gave to another process is not taken for the run's) and, while it
works, updates ``run.heartbeat_at`` every few seconds from a thread of its own. A run the
journal says is ``running`` is **gone** (killed, its machine rebooted or its container
recreated) when its heartbeat is older than :data:`STALE_AFTER`, unless its very process
still runs on this host (a process can be too busy to beat: SQLite lets nobody else write
while a load's transaction is open), or when it ran on this host and its process is gone.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from cutover.schema.tables import target_metadata

BEAT_EVERY = dt.timedelta(seconds=10)
STALE_AFTER = dt.timedelta(minutes=2)  # twelve beats missed


@dataclass(frozen=True)
class Process:
    """A process as the journal records it."""

    host: str
    pid: int
    key: str  # boot id and start time; empty where /proc does not tell

    def describe(self) -> str:
        return f"process {self.pid} on {self.host}"


def this_process() -> Process:
    return Process(socket.gethostname(), os.getpid(), process_key(os.getpid()))


def process_key(pid: int) -> str:
    """``<boot id>:<start time in clock ticks>`` of ``pid`` (Linux), or ``""`` where unknown."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    fields = stat[stat.rindex(")") + 2:].split()  # the command name may hold spaces and brackets
    return f"{boot}:{fields[19]}"


def process_runs(process: Process) -> bool | None:
    """Whether ``process`` still runs: ``None`` when it ran on another host (nothing to ask)."""
    if process.host != socket.gethostname():
        return None
    try:
        os.kill(process.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return not process.key or process_key(process.pid) in ("", process.key)


def gone(process: Process | None, heartbeat_at: dt.datetime | None, now: dt.datetime | None = None) -> bool:
    """Whether a run's process is gone, by its heartbeat and, on this host, by the process itself."""
    if process is None:  # a run journalled before the heartbeat: nothing says it is gone
        return False
    runs = process_runs(process)
    if runs is False:
        return True
    stale = heartbeat_at is not None and (now or dt.datetime.now()) - heartbeat_at > STALE_AFTER
    return stale and not runs


def _run() -> sa.Table:
    return target_metadata().tables["run"]


def started_values() -> dict:
    """The process columns and the first heartbeat of a run row being inserted."""
    me = this_process()
    return {"host": me.host, "pid": me.pid, "process_key": me.key, "heartbeat_at": dt.datetime.now()}


class Heartbeat:
    """Beats for ``run_id`` from a thread while the ``with`` block runs.

    A beat that cannot be written (the target busy or away for a moment) is skipped: the next
    one tries again, and :func:`gone` still sees the process on this host.
    """

    def __init__(self, engine: sa.Engine, run_id: str, every: dt.timedelta = BEAT_EVERY) -> None:
        self._engine, self._run_id, self._every = engine, run_id, every.total_seconds()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat {run_id}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()

    def _beat(self) -> None:
        run = _run()
        while not self._stop.wait(self._every):
            try:
                with self._engine.begin() as connection:
                    connection.execute(run.update().where(run.c.run_id == self._run_id)
                                       .values(heartbeat_at=dt.datetime.now()))
            except sa.exc.SQLAlchemyError:
                continue
