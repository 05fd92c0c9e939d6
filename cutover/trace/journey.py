"""`cutover trace LEGACY_KEY`: one legacy account's way through the recent runs.

For each run: the account's source rows in the run's snapshot (file and row, values as read),
the rejects and warnings on those rows or on its key, with their rules and messages; then, once,
what the target holds of it now (the account, its meters and their readings, its balances per
service and period, from the run whose rows the target holds) and its line in the key map.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from cutover.errors import EXIT_GATE_FAILED, ConfigError, CutoverError
from cutover.hints import did_you_mean
from cutover.schema.tables import target_metadata
from cutover.trace.source_rows import SourceRow, account_rows
from cutover.trace.target_rows import (
    KeyMapEntry,
    Reject,
    TargetAccount,
    close_keys,
    key_map_entry,
    rejects_of,
    target_account,
)
from cutover.workspace import Workspace

DEFAULT_RUNS = 3


class NotTraced(CutoverError):
    """The key is in none of the runs looked at, nor in the key map (exit code 1: nothing found)."""

    exit_code = EXIT_GATE_FAILED


@dataclass(frozen=True)
class RunTrace:
    """The account in one run: its source rows and the rejects on them."""

    run_id: str
    kind: str
    status: str
    started_at: str
    snapshot: bool  # the run's snapshot is still there (`cutover runs prune` removes it)
    rows: tuple[SourceRow, ...]
    rejects: tuple[Reject, ...]
    holds: bool  # the target holds this run's rows

    @property
    def found(self) -> bool:
        return bool(self.rows or self.rejects)

    def to_dict(self) -> dict:
        return {"run_id": self.run_id, "kind": self.kind, "status": self.status, "started_at": self.started_at,
                "snapshot": self.snapshot, "target_holds_its_rows": self.holds,
                "rows": [row.to_dict() for row in self.rows], "rejects": [reject.to_dict() for reject in self.rejects]}


@dataclass(frozen=True)
class Journey:
    """What `cutover trace` found of one legacy account."""

    legacy_key: str
    runs: tuple[RunTrace, ...]  # newest first
    key_map: KeyMapEntry | None
    account: TargetAccount | None  # as the target holds it now (None: not loaded by the run it holds)
    loaded_run: str | None

    @property
    def found(self) -> bool:
        return self.key_map is not None or any(run.found for run in self.runs)

    def to_dict(self) -> dict:
        return {"legacy_key": self.legacy_key, "loaded_run": self.loaded_run,
                "key_map": None if self.key_map is None else self.key_map.to_dict(),
                "account": None if self.account is None else self.account.to_dict(),
                "runs": [run.to_dict() for run in self.runs]}


def _runs_to_trace(engine: sa.Engine, run_id: str | None, count: int) -> list[dict]:
    from cutover.target.runs import list_runs

    if run_id is None:
        return list_runs(engine, count)
    listed = list_runs(engine, 100_000)
    chosen = [run for run in listed if run["run_id"] == run_id]
    if not chosen:
        raise ConfigError(f"no run {run_id} in the target's journal"
                          f"{did_you_mean([run_id], [run['run_id'] for run in listed])}; `cutover runs` lists them")
    return chosen


def _snapshots(reports_dir: Path, run_id: str, summary: dict) -> dict[str, tuple[str, Path]]:
    """The sources the run's snapshot kept: name -> (location as rejects name it, Parquet file)."""
    folder = reports_dir / run_id / "snapshot"
    found = {}
    for name, source in (summary.get("sources") or {}).items():
        path = folder / f"{name}.parquet"
        if path.is_file():
            found[name] = (source.get("location", name), path)
    return found


def _run_trace(ws: Workspace, connection: sa.Connection, run: dict, legacy_key: str, loaded: str | None) -> RunTrace:
    table = target_metadata().tables["run"]
    record = connection.execute(sa.select(table.c.summary_json).where(table.c.run_id == run["run_id"])).scalar()
    summary = json.loads(record or "{}")
    snapshots = _snapshots(ws.project.reports_dir, run["run_id"], summary)
    rows = account_rows(ws.mapping, snapshots, legacy_key) if snapshots else []
    by_location: dict[str, list[int]] = {}
    for row in rows:
        by_location.setdefault(row.location, []).append(row.row)
    rejects = rejects_of(connection, run["run_id"], legacy_key, by_location)
    started = run["started_at"]
    return RunTrace(run["run_id"], run["kind"], run["status"],
                    started.isoformat(timespec="seconds") if hasattr(started, "isoformat") else str(started),
                    bool(snapshots), tuple(rows), tuple(rejects), run["run_id"] == loaded)


def trace_account(ws: Workspace, legacy_key: str, run_id: str | None = None, runs: int = DEFAULT_RUNS) -> Journey:
    """Follow legacy account ``legacy_key`` through run ``run_id``, or the latest ``runs`` runs.

    Raises
    ------
    ConfigError
        A blank key, or no such run in the journal (exit code 2).
    NotTraced
        The key is in no run looked at and not in the key map; the message names the nearest keys
        there are (exit code 1).
    """
    from cutover.target import db
    from cutover.target.runs import loaded_run

    legacy_key = legacy_key.strip()
    if not legacy_key:
        raise ConfigError("give the legacy account's key, as the legacy system spells it (cutover trace 0012345)")
    engine = ws.engine
    db.check_connection(engine)
    with engine.connect() as connection:
        if not sa.inspect(connection).has_table("run"):
            raise NotTraced(f"the target's journal holds no run yet, so account {legacy_key!r} is in none: run "
                            f"`cutover dry-run` first")
    chosen = _runs_to_trace(engine, run_id, runs)
    with engine.connect() as connection:
        loaded = loaded_run(connection)
        traced = tuple(_run_trace(ws, connection, run, legacy_key, loaded) for run in chosen)
        entry = key_map_entry(connection, legacy_key)
        account = target_account(connection, entry.target_id) if entry is not None else None
        journey = Journey(legacy_key, traced, entry, account, loaded)
        if not journey.found:
            hint = did_you_mean([legacy_key], close_keys(connection, [run.run_id for run in traced]))
            where = f"run {run_id}" if run_id else f"the latest {len(traced)} run(s)"
            raise NotTraced(f"account {legacy_key!r} is in none of {where} (no source row, no reject) and not in "
                            f"the key map{hint}")
    return journey
