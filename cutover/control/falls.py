"""Falls since the last good run: an extract cut short must not pass for a smaller customer base.

A balance file holding only its header, or cut at a line boundary, reads without an error and
reconciles with itself. Against the last run of the same mapping that reconciled, the records
read from each source and each legacy service's closing balances of the period (debts and
prepayments alike, so that they cannot cancel out) may fall by at most ``[gates] max_fall``
(5 % by default). More is a gate failure, unless the run says the extract really shrank
(``--accept-fall``): then the falls are listed as accepted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlalchemy as sa

from cutover.money import kopecks_to_roubles_text
from cutover.results.model import SourceRecords
from cutover.schema.tables import target_metadata
from cutover.states import RunStatus


@dataclass(frozen=True)
class GoodRun:
    """What the last good run read: records per source, closing balances per service."""

    run_id: str
    period: str | None
    records: dict[str, int]  # source name -> records read
    volume: dict[str, int]  # legacy service code -> kopecks of |closing| in the period


def last_good_run(connection: sa.Connection, mapping: str, run_id: str) -> GoodRun | None:
    """The latest run of ``mapping`` before ``run_id`` that reconciled (from its journal summary)."""
    run = target_metadata().tables["run"]
    started = sa.select(run.c.started_at).where(run.c.run_id == run_id).scalar_subquery()
    row = connection.execute(
        sa.select(run.c.run_id, run.c.summary_json)
        .where(run.c.mapping == mapping, run.c.status == RunStatus.RECONCILED, run.c.run_id != run_id,
               run.c.kind == "dry-run", run.c.started_at <= sa.func.coalesce(started, run.c.started_at))
        .order_by(run.c.started_at.desc(), run.c.run_id.desc()).limit(1)).first()
    if row is None:
        return None
    summary = json.loads(row.summary_json or "{}")
    records = {name: int(source["records"]["read"]) if isinstance(source.get("records"), dict) else int(source["rows"])
               for name, source in summary.get("sources", {}).items()}
    volume = {service: int(kopecks) for service, kopecks in summary.get("control", {}).get("volume", {}).items()}
    return GoodRun(row.run_id, summary.get("period"), records, volume)


def _fall(before: int, now: int) -> float:
    return (before - now) / before if before > 0 else 0.0


def falls_since(good: GoodRun | None, records: tuple[SourceRecords, ...], volume: dict[str, int], period: str,
                max_fall: float) -> list[str]:
    """One line per source or service that fell by more than ``max_fall`` since ``good``."""
    if good is None:
        return []
    found = []
    for source in records:
        before = good.records.get(source.name)
        if before is not None and _fall(before, source.read) > max_fall:
            found.append(f"{source.location} (source {source.name}): {source.read:,} records read, "
                         f"{_fall(before, source.read):.0%} fewer than the {before:,} of {good.run_id}, the last run "
                         f"that reconciled")
    if good.period == period:
        for service, before in sorted(good.volume.items()):
            now = volume.get(service, 0)
            if _fall(before, now) > max_fall:
                found.append(f"service {service}: closing balances of {period} hold {kopecks_to_roubles_text(now)} "
                             f"(debts and prepayments alike), {_fall(before, now):.0%} less than the "
                             f"{kopecks_to_roubles_text(before)} of {good.run_id}, the last run that reconciled")
    return found
