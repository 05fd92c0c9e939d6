"""The run journal in the target: every run, its status and its summary."""

from __future__ import annotations

import datetime as dt
import json
import secrets

import sqlalchemy as sa

from cutover.errors import ConfigError
from cutover.report.data import RunHistory
from cutover.schema.tables import target_metadata

LOADED = ("reconciled", "differences")  # a dry run that finished: its rows are in the target


def new_run_id(kind: str, now: dt.datetime | None = None) -> str:
    """Sortable and unique: ``20261122-183012-dry-run-1a2b``."""
    now = now or dt.datetime.now()
    return f"{now:%Y%m%d-%H%M%S}-{kind}-{secrets.token_hex(2)}"


def _run() -> sa.Table:
    return target_metadata().tables["run"]


def start(engine: sa.Engine, run_id: str, kind: str, mapping: str) -> None:
    with engine.begin() as connection:
        connection.execute(_run().insert().values(run_id=run_id, kind=kind, mapping=mapping, status="running",
                                                  started_at=dt.datetime.now()))


def finish(engine: sa.Engine, run_id: str, status: str, summary: dict) -> None:
    run = _run()
    with engine.begin() as connection:
        connection.execute(run.update().where(run.c.run_id == run_id).values(
            status=status, finished_at=dt.datetime.now(), summary_json=json.dumps(summary, ensure_ascii=False)))


def loaded_run(connection: sa.Connection) -> str | None:
    """The dry run whose rows the target holds: the latest one that finished, or a later one that
    failed after its load was committed (in the reconciliation or the report: its keys are in the
    key map), which ``cutover reconcile`` can then finish."""
    run, key_map = _run(), target_metadata().tables["key_map"]
    loaded = sa.exists().where(key_map.c.last_run_id == run.c.run_id)
    query = (sa.select(run.c.run_id).where(run.c.kind == "dry-run",
                                           sa.or_(run.c.status.in_(LOADED), sa.and_(run.c.status == "failed", loaded)))
             .order_by(run.c.started_at.desc(), run.c.run_id.desc()).limit(1))
    return connection.execute(query).scalar()


def run_to_reconcile(engine: sa.Engine, run_id: str | None) -> str:
    """``run_id``, or the latest loaded run; an error unless the target holds that run's rows.

    Raises
    ------
    ConfigError
        No finished run, an unknown run, or a run whose rows a later run replaced (exit code 2).
    """
    with engine.connect() as connection:
        loaded = loaded_run(connection)
        known = run_id is None or connection.execute(
            sa.select(_run().c.status).where(_run().c.run_id == run_id)).scalar()
    if run_id is not None and known is None:
        raise ConfigError(f"there is no run {run_id} in the target's journal; `cutover runs` lists them")
    if loaded is None:
        raise ConfigError("the target holds no finished dry run: run `cutover dry-run` first")
    if run_id is not None and run_id != loaded:
        raise ConfigError(f"run {run_id} is not the one the target holds ({loaded} loaded its rows after it): "
                          f"reconcile compares a run's source with the target, so only {loaded} can be reconciled "
                          f"(use --latest)")
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


def list_runs(target_url: str, limit: int = 20) -> list[dict]:
    """The latest runs in the journal of the target at ``target_url``, newest first."""
    from cutover import db

    engine = db.create_target_engine(target_url)
    try:
        db.check_connection(engine)
        run = _run()
        query = (sa.select(run.c.run_id, run.c.kind, run.c.mapping, run.c.status, run.c.started_at, run.c.finished_at)
                 .order_by(run.c.started_at.desc(), run.c.run_id.desc()).limit(limit))
        with engine.connect() as connection:
            if not sa.inspect(connection).has_table("run"):
                return []
            return [dict(row._mapping) for row in connection.execute(query)]
    finally:
        engine.dispose()
