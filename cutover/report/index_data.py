"""What reports/index.html lists: the journal's runs whose report folder is still there, newest first.

Read from the target's journal (its statuses, as `cutover runs` shows them, and the summary each
run recorded), so a run whose folder `cutover runs prune` removed drops out, and a run `cutover
reconcile` judged again shows its new verdict. Money stays integer kopecks.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from cutover.results.gates import Gate
from cutover.schema.tables import target_metadata

INDEX_RUNS = 200  # the latest runs the page lists (the journal keeps every one)
PAGES = ("report.html", "protocol.html")  # what a run's link opens: a dry run's report, a month-end's protocol


@dataclass(frozen=True)
class IndexedRun:
    """One run as the index lists it; None where the run's summary does not say (a failed run)."""

    run_id: str
    kind: str
    status: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    period: str | None
    source_rows: int | None
    loaded: int | None
    rejected: int | None
    money_period: str | None
    source_kopecks: int | None  # closing balances of the period: the control (else the mapping) read of the source
    target_kopecks: int | None
    rejected_kopecks: int | None
    gates: tuple[Gate, ...]
    failures: int  # differences and broken gates
    page: str | None  # the run's page, relative to the reports folder

    @property
    def reject_share(self) -> float | None:
        return self.rejected / self.source_rows if self.source_rows else None

    @property
    def seconds(self) -> float | None:
        return None if self.finished_at is None else (self.finished_at - self.started_at).total_seconds()


def _kopecks(text) -> int | None:
    return None if text is None else int(Decimal(str(text)).scaleb(2))


def _indexed(listed: dict, summary: dict, page: str | None) -> IndexedRun:
    entities = summary.get("entities") or None
    total = (summary.get("money") or {}).get("total") or {}
    read = total.get("control", total.get("source"))
    return IndexedRun(
        listed["run_id"], listed["kind"], str(listed["status"]), listed["started_at"], listed["finished_at"],
        summary.get("period"),
        None if entities is None else sum(count["source_rows"] for count in entities.values()),
        None if entities is None else sum(count["loaded"] for count in entities.values()),
        None if entities is None else sum(count["rejected"] for count in entities.values()),
        (summary.get("money") or {}).get("period"), _kopecks(read), _kopecks(total.get("target")),
        _kopecks(total.get("rejected")),
        tuple(Gate.from_dict(gate) for gate in summary.get("gates") or ()),
        len(summary.get("differences") or ()) + len(summary.get("gate_failures") or ()), page)


def indexed_runs(engine: sa.Engine, reports_dir: Path, limit: int = INDEX_RUNS) -> list[IndexedRun]:
    """The latest ``limit`` runs of the journal that still have a report folder, newest first."""
    from cutover.target.runs import list_runs

    listed = [run for run in list_runs(engine, limit) if (reports_dir / run["run_id"]).is_dir()]
    run = target_metadata().tables["run"]
    summaries: dict[str, str | None] = {}
    with engine.connect() as connection:
        for start in range(0, len(listed), 100):
            ids = [found["run_id"] for found in listed[start:start + 100]]
            summaries |= dict(connection.execute(sa.select(run.c.run_id, run.c.summary_json)
                                                 .where(run.c.run_id.in_(ids))).all())
    found = []
    for listed_run in listed:
        folder = reports_dir / listed_run["run_id"]
        page = next((f"{listed_run['run_id']}/{name}" for name in PAGES if (folder / name).is_file()), None)
        found.append(_indexed(listed_run, json.loads(summaries.get(listed_run["run_id"]) or "{}"), page))
    return found
