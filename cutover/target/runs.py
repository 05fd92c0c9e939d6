"""The run journal in the target: every run, its status and its summary."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from cutover.errors import ConfigError, CutoverError
from cutover.schema.tables import target_metadata
from cutover.states import LOADED, RunStatus
from cutover.target import heartbeat

INTERRUPTED = RunStatus.INTERRUPTED  # stored for a run stopped by Ctrl-C; shown for a killed one
MONTH_END = "month-end"  # the kind of a month-end's run (its steps: cutover/target/journal.py)


@dataclass(frozen=True)
class RunHistory:
    """A recent run of the same project, for the charts over nights (:func:`history`)."""

    run_id: str
    started_at: str
    status: str
    rejects_by_rule: dict[str, dict[str, int]]  # label -> rule -> items


@dataclass(frozen=True)
class RunningRun:
    """A run the journal has ``running``, and whose process that is."""

    run_id: str
    kind: str
    started_at: dt.datetime
    process: heartbeat.Process | None
    heartbeat_at: dt.datetime | None

    @property
    def gone(self) -> bool:
        return heartbeat.gone(self.process, self.heartbeat_at)

    def describe(self) -> str:
        beat = f", last heartbeat {self.heartbeat_at:%Y-%m-%d %H:%M:%S}" if self.heartbeat_at else ""
        who = f", {self.process.describe()}" if self.process else ""
        return f"{self.kind} {self.run_id} (since {self.started_at:%Y-%m-%d %H:%M:%S}{who}{beat})"


@dataclass(frozen=True)
class MonthEndRun:
    """A month-end's run as the journal has it (its period is in its summary)."""

    run_id: str
    status: str
    period: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    summary: dict


def new_run_id(kind: str, now: dt.datetime | None = None) -> str:
    """Sortable and unique: ``20261122-183012-dry-run-1a2b``."""
    now = now or dt.datetime.now()
    return f"{now:%Y%m%d-%H%M%S}-{kind}-{secrets.token_hex(2)}"


def _run() -> sa.Table:
    return target_metadata().tables["run"]


def start(engine: sa.Engine, run_id: str, kind: str, mapping: str) -> None:
    with engine.begin() as connection:
        connection.execute(_run().insert().values(run_id=run_id, kind=kind, mapping=mapping, status=RunStatus.RUNNING,
                                                  started_at=dt.datetime.now(), **heartbeat.started_values()))


def _running(row) -> RunningRun:
    process = heartbeat.Process(row.host, row.pid, row.process_key or "") if row.host else None
    return RunningRun(row.run_id, row.kind, row.started_at, process, row.heartbeat_at)


def running_runs(connection: sa.Connection) -> list[RunningRun]:
    """The runs the journal has ``running`` (at work, or interrupted), newest first."""
    run = _run()
    rows = connection.execute(sa.select(run.c.run_id, run.c.kind, run.c.started_at, run.c.host, run.c.pid,
                                        run.c.process_key, run.c.heartbeat_at)
                              .where(run.c.status == RunStatus.RUNNING)
                              .order_by(run.c.started_at.desc(), run.c.run_id.desc()))
    return [_running(row) for row in rows]


def running_run(connection: sa.Connection, run_id: str) -> RunningRun | None:
    """Run ``run_id`` if the journal has it ``running``."""
    return next((found for found in running_runs(connection) if found.run_id == run_id), None)


def finish(engine: sa.Engine, run_id: str, status: str, summary: dict, finished_at: dt.datetime | None = None) -> None:
    """The run is over: its status, its summary and when it ended (now, unless ``finished_at``)."""
    run = _run()
    with engine.begin() as connection:
        connection.execute(run.update().where(run.c.run_id == run_id).values(
            status=status, finished_at=finished_at or dt.datetime.now(),
            summary_json=json.dumps(summary, ensure_ascii=False)))


def stopped(exc: BaseException) -> tuple[str, str]:
    """The status and the reason the journal records for a run that ``exc`` stopped.

    Ctrl-C (and a ``sys.exit`` from a signal handler) is ``interrupted``, and so is a SIGTERM
    (the CLI raises it as a ``KeyboardInterrupt("SIGTERM")``); bad input and bugs are
    ``failed``, a bug named as one (the CLI asks for a report of it).
    """
    if isinstance(exc, KeyboardInterrupt):  # its text may be a codec's, wrapped round it mid-decode
        return RunStatus.INTERRUPTED, "interrupted (SIGTERM)" if "SIGTERM" in str(exc) else "interrupted (Ctrl-C, SIGINT)"
    if isinstance(exc, SystemExit):
        return RunStatus.INTERRUPTED, f"interrupted (exit {exc.code})"
    if isinstance(exc, CutoverError):
        return RunStatus.FAILED, str(exc)
    return RunStatus.FAILED, f"internal error: {type(exc).__name__}: {exc}"


def ended_at(engine: sa.Engine, run_id: str) -> dt.datetime:
    """When run ``run_id`` ended, for a command that finishes it again (``cutover reconcile``):
    the journal's ``finished_at``; for a run killed before it could record one, its last
    heartbeat; now only for a run the journal knows neither of."""
    run = _run()
    with engine.connect() as connection:
        row = connection.execute(sa.select(run.c.finished_at, run.c.heartbeat_at)
                                 .where(run.c.run_id == run_id)).first()
    return (row and (row.finished_at or row.heartbeat_at)) or dt.datetime.now()


def loaded_run(connection: sa.Connection) -> str | None:
    """The dry run whose rows the target holds: the latest one that finished, or a later one that
    failed or was killed after its load was committed (in the reconciliation or the report: its
    keys are in the key map), which ``cutover reconcile`` can then finish."""
    run, key_map = _run(), target_metadata().tables["key_map"]
    loaded = sa.exists().where(key_map.c.last_run_id == run.c.run_id)
    unfinished = sa.and_(run.c.status.in_((RunStatus.FAILED, RunStatus.INTERRUPTED, RunStatus.RUNNING)), loaded)
    query = (sa.select(run.c.run_id).where(run.c.kind == "dry-run", sa.or_(run.c.status.in_(LOADED), unfinished))
             .order_by(run.c.started_at.desc(), run.c.run_id.desc()).limit(1))
    return connection.execute(query).scalar()


def run_to_reconcile(engine: sa.Engine, run_id: str | None) -> str:
    """``run_id``, or the latest loaded run; an error unless the target holds that run's rows.

    Raises
    ------
    ConfigError
        No finished run, an unknown run, a run whose rows a later run replaced, or a run still at
        work (exit code 2).
    """
    with engine.connect() as connection:
        loaded = loaded_run(connection)
        known = run_id is None or connection.execute(
            sa.select(_run().c.kind).where(_run().c.run_id == run_id)).scalar()
        at_work = loaded and running_run(connection, loaded)
    if run_id is not None and known is None:
        raise ConfigError(f"there is no run {run_id} in the target's journal; `cutover runs` lists them")
    if run_id is not None and known != "dry-run":
        raise ConfigError(f"run {run_id} is a {known}, not a dry run: reconcile compares a dry run's source with the "
                          f"target (a month-end reconciles itself, in its reconcile step)")
    if loaded is None:
        raise ConfigError("the target holds no finished dry run: run `cutover dry-run` first")
    if run_id is not None and run_id != loaded:
        raise ConfigError(f"run {run_id} is not the one the target holds ({loaded} loaded its rows after it): "
                          f"reconcile compares a run's source with the target, so only {loaded} can be reconciled "
                          f"(use --latest)")
    if at_work and not at_work.gone:
        raise ConfigError(f"{at_work.describe()} is still at work: it reconciles itself; `cutover runs` shows "
                          f"when it has finished")
    return loaded


def history(connection: sa.Connection, mapping: str, until: str, nights: int = 14) -> list[RunHistory]:
    """The finished dry runs of ``mapping`` up to ``until`` (excluded), oldest first, at most ``nights``."""
    run = _run()
    started = sa.select(run.c.started_at).where(run.c.run_id == until).scalar_subquery()
    query = (sa.select(run.c.run_id, run.c.started_at, run.c.status, run.c.summary_json)
             .where(run.c.kind == "dry-run", run.c.mapping == mapping, run.c.status.in_(LOADED),
                    run.c.run_id != until, run.c.started_at <= started)
             .order_by(run.c.started_at.desc(), run.c.run_id.desc()).limit(nights))
    found = []
    for run_id, started_at, status, summary_json in connection.execute(query):
        summary = json.loads(summary_json or "{}")
        found.append(RunHistory(run_id, started_at.isoformat(timespec="seconds"), status,
                                summary.get("rejects_by_rule", {})))
    return list(reversed(found))


def list_runs(engine: sa.Engine, limit: int = 20) -> list[dict]:
    """The latest runs in the journal of the target ``engine`` connects to, newest first."""
    from cutover.target import db

    db.check_connection(engine)
    run = _run()
    query = (sa.select(run.c.run_id, run.c.kind, run.c.mapping, run.c.status, run.c.started_at, run.c.finished_at,
                       run.c.host, run.c.pid, run.c.process_key, run.c.heartbeat_at)
             .order_by(run.c.started_at.desc(), run.c.run_id.desc()).limit(limit))
    with engine.connect() as connection:
        if not sa.inspect(connection).has_table("run"):
            return []
        return [_listed(row) for row in connection.execute(query)]


def run_record(engine: sa.Engine, run_id: str) -> dict | None:
    """One run of the journal as `cutover runs show` shows it: the listed fields, its host and
    process, and the summary the run recorded (summary.json's data); None if there is no such run."""
    from cutover.target import db

    db.check_connection(engine)
    run = _run()
    query = (sa.select(run.c.run_id, run.c.kind, run.c.mapping, run.c.status, run.c.started_at, run.c.finished_at,
                       run.c.host, run.c.pid, run.c.process_key, run.c.heartbeat_at, run.c.summary_json)
             .where(run.c.run_id == run_id))
    with engine.connect() as connection:
        if not sa.inspect(connection).has_table("run"):
            return None
        row = connection.execute(query).first()
    if row is None:
        return None
    return {**_listed(row), "host": row.host, "pid": row.pid, "summary": json.loads(row.summary_json or "{}")}


def _listed(row) -> dict:
    """A journal row as `cutover runs` shows it: a running run whose process is gone is interrupted."""
    listed = {name: row._mapping[name] for name in ("run_id", "kind", "mapping", "status", "started_at", "finished_at")}
    if row.status == RunStatus.RUNNING and _running(row).gone:
        listed["status"] = INTERRUPTED
    return listed


def prune_rejects(connection: sa.Connection, keep: int) -> int:
    """Delete the rejects of dry runs older than the latest ``keep`` (a month-end's stay: they are
    its protocol's evidence); rows deleted. On the caller's transaction (the load's)."""
    run, reject = _run(), target_metadata().tables["reject"]
    latest = (sa.select(run.c.run_id).where(run.c.kind == "dry-run")
              .order_by(run.c.started_at.desc(), run.c.run_id.desc()).limit(keep))
    kept = [row for (row,) in connection.execute(latest)]
    dry_runs = sa.select(run.c.run_id).where(run.c.kind == "dry-run", run.c.run_id.not_in(kept))
    return connection.execute(reject.delete().where(reject.c.run_id.in_(dry_runs))).rowcount


# ---- the month-end's runs: read here, below the pipeline, because a dry run refuses a target
# ---- a month-end switched or is switching (their steps are written by cutover/target/journal.py)

def _month_end_runs(connection: sa.Connection, *statuses: str) -> list[MonthEndRun]:
    run = _run()
    query = (sa.select(run.c.run_id, run.c.status, run.c.started_at, run.c.finished_at, run.c.summary_json)
             .where(run.c.kind == MONTH_END, run.c.status.in_(statuses))
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


def latest_month_end(connection: sa.Connection) -> MonthEndRun | None:
    """The latest month-end of any status."""
    return next(iter(_month_end_runs(connection, RunStatus.RUNNING, RunStatus.SWITCHED, RunStatus.ROLLED_BACK,
                                         RunStatus.FAILED)), None)
