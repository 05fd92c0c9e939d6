"""Reconcile a run: its source, read again, against what the target holds.

Counts per entity; money per legacy service, month and measure as the control reads the raw
source (:mod:`cutover.reconcile.controls`), to the kopeck, against the target, the rejects,
the mapping's own reading and the legacy statement; every physical record of every source;
then item by item (accounts, meters, balances, last readings) and what changed since the
previous run. A run is reconciled when for every entity source items = loaded + rejected,
every control line is exact, no item differs, and the gates hold (no unreadable money the
project has not accepted, balances of the period present, no source or service fallen since
the last good run, rejects and rejected money within their limits).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from cutover.config import Gates, Project
from cutover.control.compare import money_by_code
from cutover.extract.snapshot import ExtractResult
from cutover.mapping.model import SystemMapping
from cutover.money import kopecks_to_roubles_text
from cutover.progress import Progress
from cutover.reconcile import journal, target_side
from cutover.reconcile.changes import Changes, changes_since
from cutover.reconcile.controls import run_controls
from cutover.reconcile.rows import row_differences
from cutover.reconcile.source_side import (
    SourceSide,
    facts_folder,
    read_source_side,
    recorded_side,
)
from cutover.results.gates import (
    ENTITY_REJECT_SHARE,
    MONEY,
    REJECT_SHARE,
    REJECTED_MONEY,
    SHARE,
    Gate,
    failures,
)
from cutover.results.model import (
    EntityCount,
    Reconciliation,
    RowDifferences,
    entity_label,
)
from cutover.workspace import Workspace


@dataclass(frozen=True)
class Reconciled:
    """A reconciliation and the changes since the previous run."""

    reconciliation: Reconciliation
    changes: Changes


def _counts(connection: sa.Connection, run_id: str, mapping: SystemMapping, side: SourceSide,
            warnings: dict[str, dict[str, int]], opened: str | None) -> dict[str, EntityCount]:
    counts = {}
    for entity in mapping.entities:
        name = entity.entity
        rejected = journal.rejected_items(connection, run_id, name, entity.merges)
        counts[entity_label(name)] = EntityCount(side.items.get(name, 0), target_side.count_rows(connection, name, opened), rejected,
                                                 sum(warnings.get(name, {}).values()))
    return counts


def _differences(counts: dict[str, EntityCount], controlled: list[str], rows: RowDifferences) -> list[str]:
    """Counts that do not add up, then what the controls found (money, records), then rows."""
    found = [f"{label}: {c.source_rows} source rows but {c.loaded} loaded + {c.rejected} rejected"
             for label, c in counts.items() if not c.balanced]
    return found + controlled + [f"{kind}: {count}" for kind, count in rows.by_kind.items()]


def _gates(entities: dict[str, EntityCount], gates: Gates, rejected_kopecks: int, period: str) -> list[Gate]:
    """The limits on rejects, each with what the run measured: rejected money, the share of rejected
    rows, the share of each entity's rows that has a limit of its own (by label, as the config
    gives them)."""
    found = []
    limit = gates.max_rejected_kopecks
    if limit is not None:
        broken = rejected_kopecks > limit
        found.append(Gate(REJECTED_MONEY, rejected_kopecks, limit, not broken, MONEY, failure=(
            f"rejected balances of {period} hold {kopecks_to_roubles_text(rejected_kopecks)} "
            f"roubles (debts and prepayments alike, as the control reads them), more than the "
            f"{kopecks_to_roubles_text(limit)} allowed by [gates] max_rejected_money") if broken else None))
    source = sum(c.source_rows for c in entities.values())
    rejected = sum(c.rejected for c in entities.values())
    share = rejected / source if source else 0.0
    broken = bool(source) and share > gates.max_reject_share
    found.append(Gate(REJECT_SHARE, share, gates.max_reject_share, not broken, SHARE, failure=(
        f"{rejected} of {source} rows rejected ({share:.2%}), "
        f"more than the {gates.max_reject_share:.2%} allowed by [gates] max_reject_share") if broken else None))
    for name, limit in gates.entity_max_reject_share.items():
        count = entities.get(name)  # keyed by label, as the config gives them
        if not count:
            continue
        share = count.rejected / count.source_rows if count.source_rows else 0.0
        broken = bool(count.source_rows) and share > limit
        found.append(Gate(ENTITY_REJECT_SHARE, share, limit, not broken, SHARE, name, failure=(
            f"{name}: {count.rejected} of {count.source_rows} rows rejected "
            f"({share:.2%}), more than the {limit:.2%} allowed") if broken else None))
    return found


def _source_side(mapping: SystemMapping, extracted: ExtractResult, connection: sa.Connection, run_id: str,
                 project: Project, facts: Path, scratch: Path, progress: Progress, live: bool) -> SourceSide:
    """The facts recorded for the run when they are complete, else the sources mapped again (and
    the progress says which, and why)."""
    if live:
        progress.stage("reconcile: --live: mapping the sources as they are now")
    else:
        side, by = recorded_side(facts, run_id)
        if side is not None:
            progress.stage(f"reconcile: the source's facts the {by} of {run_id} recorded")
            return side
        progress.stage(f"reconcile: {by}: mapping the snapshot again")
    return read_source_side(mapping, extracted, connection, run_id, project, facts, scratch, progress)


def reconcile_run(ws: Workspace, extracted: ExtractResult, scratch: Path, *, live: bool = False,
                  side: SourceSide | None = None, opened: str | None = None) -> Reconciled:
    """Reconcile the workspace's run (whose rows the target holds) with its sources in ``extracted``.

    The facts of the comparison, every difference and every change are written to
    ``<reports>/<run_id>/reconcile/`` (``reconcile-live/`` when ``extracted`` is the sources read
    again later, ``live``). A dry run passes the ``side`` it gathered while it mapped the same
    snapshot; without one, the facts the run's load recorded are read when they are complete
    (``facts.json``), else (or ``live``) the sources are mapped again here. A month-end passes
    the month it ``opened``: those balances were made in the target, not migrated, and are not
    compared.
    """
    project, mapping, engine, run_id, progress = ws.project, ws.mapping, ws.engine, ws.run_id, ws.progress
    facts = facts_folder(project.reports_dir, run_id, live)
    period = project.period
    with engine.connect() as connection:
        if side is None:
            side = _source_side(mapping, extracted, connection, run_id, project, facts, scratch, progress, live)
        progress.stage("reconcile: counts")
        warnings = journal.by_rule(connection, run_id, "warning")
        counts = _counts(connection, run_id, mapping, side, warnings, opened)
        progress.stage("reconcile: control totals from the raw source")
        controls = run_controls(connection, project, mapping, run_id, extracted, facts, side, opened)
        rows = row_differences(connection, facts, scratch, progress, opened)
        progress.stage("reconcile: changes since the previous run")
        changes = changes_since(connection, run_id, mapping.name, project.reports_dir, facts, scratch)
        rejects = journal.by_rule(connection, run_id, "error")
    money, total = money_by_code(controls.lines, period)
    gates = _gates(counts, project.gates, controls.rejected_absolute, period)
    reconciliation = Reconciliation(
        entities=counts, money_period=period, money=money, total=total,
        rejects_by_rule={entity_label(k): v for k, v in rejects.items()},
        warnings_by_rule={entity_label(k): v for k, v in warnings.items()},
        rows=rows, differences=_differences(counts, controls.differences, rows),
        gate_failures=failures(gates) + controls.failures, gates=tuple(gates + controls.gates),
        filtered={entity_label(name): rows_out for name, rows_out in side.filtered.items() if rows_out},
        rejected_kopecks_absolute=controls.rejected_absolute,
        control=tuple(controls.lines), unreadable=controls.unreadable, records=controls.records,
        notes=tuple(controls.notes), falls=tuple(controls.falls), volume=controls.volume,
    )
    return Reconciled(reconciliation, changes)
