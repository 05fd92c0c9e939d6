"""One writer of the target's data at a time: a dry run's load and a month-end exclude each other.

A dry run's load holds the target's write exclusion for its whole transaction; a month-end
takes it for the transaction that takes its lock and journals its run. Each checks, once it
holds the exclusion, that the other has not begun: a dry run that finds a month-end begun or
switched stops before its first delete, and a month-end that finds a dry run loading is
refused. The exclusion is the database's own:

- PostgreSQL: a transaction-level advisory lock (``pg_try_advisory_xact_lock``);
- MariaDB and MySQL: a named lock (``GET_LOCK``), released at the end of the block;
- SQLite: the database's write lock, which the first write of the transaction takes.

Neither side waits for the other: whoever comes second is told who holds the target, with exit
code 2, never a deadlock or a driver's message.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from cutover.errors import ConfigError
from cutover.schema.tables import target_metadata

ADVISORY_KEY = 0x63757476  # "cutv": with the schema's hash, the advisory lock of one target's data
# A named lock is the server's: the database's name makes it one target's (a name holds 64 characters).
LOCK_NAME = "CONCAT('cutover.load.', MD5(DATABASE()))"


class TargetBusy(ConfigError):
    """Another run writes the target's data now (exit code 2)."""


@contextmanager
def exclusive(connection: sa.Connection, run_id: str, doing: str) -> Iterator[None]:
    """Hold the target's write exclusion on ``connection``'s transaction for run ``run_id``.

    Raises
    ------
    TargetBusy
        Another run holds it: naming that run when the journal tells which.
    """
    dialect = connection.dialect.name
    if dialect == "postgresql":
        # Advisory locks are the database's: the schema (search_path) makes it one target's.
        taken = connection.execute(sa.text("SELECT pg_try_advisory_xact_lock(:key, hashtext(current_schema()))"),
                                   {"key": ADVISORY_KEY}).scalar()
        if not taken:
            raise TargetBusy(_busy_message(connection, run_id, doing))
        yield
    elif dialect in ("mysql", "mariadb"):
        if connection.execute(sa.text(f"SELECT GET_LOCK({LOCK_NAME}, 0)")).scalar() != 1:
            raise TargetBusy(_busy_message(connection, run_id, doing))
        try:
            yield
        finally:
            try:
                connection.execute(sa.text(f"SELECT RELEASE_LOCK({LOCK_NAME})"))
            except sa.exc.SQLAlchemyError:  # a connection lost: the server released the lock with it
                connection.invalidate()
    else:
        _take_sqlite_write_lock(connection, run_id, doing)
        yield


def _take_sqlite_write_lock(connection: sa.Connection, run_id: str, doing: str) -> None:
    run = target_metadata().tables["run"]
    try:  # a write takes the lock; waiting for it is bounded by the driver's busy timeout
        connection.execute(run.update().where(run.c.run_id == run_id).values(status=run.c.status))
    except sa.exc.OperationalError as exc:
        if "locked" not in str(exc.orig):
            raise
        raise TargetBusy(_busy_message(connection, run_id, doing)) from exc


def _busy_message(connection: sa.Connection, run_id: str, doing: str) -> str:
    """Who writes the target: the other running run the journal has, if any."""
    from cutover.target.runs import running_runs

    others = [run for run in running_runs(connection) if run.run_id != run_id]
    who = (f"{others[0].kind} {others[0].run_id} ({others[0].process.describe()}, since "
           f"{others[0].started_at:%Y-%m-%d %H:%M:%S})" if others and others[0].process else
           f"{others[0].kind} {others[0].run_id}" if others else "another process")
    return (f"{who} is writing the target {_masked(connection)} now, so {doing} is refused; wait for it to finish "
            f"(`cutover runs`, `cutover status`)")


def sqlite_is_locked(exc: BaseException) -> bool:
    """Whether ``exc`` is SQLite saying another connection holds the database's write lock."""
    return isinstance(exc, sa.exc.OperationalError) and "database is locked" in str(exc.orig)


def _masked(connection: sa.Connection) -> str:
    from cutover.target.db import mask_url

    return mask_url(connection.engine.url)
