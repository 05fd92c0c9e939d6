"""Reconcile a run: its source, read again, against what the target holds.

Counts per entity, money per service and in total (every measure of the period's balances,
to the kopeck), then item by item (accounts, meters, balances, last readings) and what
changed since the previous run. A run is reconciled when for every entity source items =
loaded + rejected, for every service and measure the source money = target + rejected, no
item differs, and the gates hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from cutover.config import Gates, Project
from cutover.mapping.model import SystemMapping
from cutover.money import kopecks_to_roubles_text
from cutover.pipeline.extract_stage import ExtractResult
from cutover.progress import Progress
from cutover.reconcile import journal, target_side
from cutover.reconcile.changes import Changes, changes_since
from cutover.reconcile.model import (MEASURES, EntityCount, MoneyLine, Reconciliation, RowDifferences, ServiceMoney,
                                     entity_label)
from cutover.reconcile.rows import row_differences
from cutover.reconcile.source_side import MONEY, SourceSide, facts_folder, read_source_side


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
        rejected = journal.rejected_items(connection, run_id, name, entity.on_duplicate == "merge")
        counts[entity_label(name)] = EntityCount(side.items.get(name, 0), target_side.count_rows(connection, name, opened), rejected,
                                                 sum(warnings.get(name, {}).values()))
    return counts


def _money(source: pd.DataFrame, target: pd.DataFrame) -> tuple[dict[str, ServiceMoney], ServiceMoney]:
    services = {}
    for code in sorted(set(source["service"]) | set(target["service"])):
        rows, held = source[source["service"] == code], target[target["service"] == code]
        services[code] = ServiceMoney({
            measure: MoneyLine(source=int(rows[column].sum()), target=int(held[column].sum()),
                               rejected=int(rows.loc[rows["rejected"].astype(bool), column].sum()))
            for measure, column in zip(MEASURES, MONEY)
        })
    total = ServiceMoney({
        measure: MoneyLine(*(sum(getattr(s.measures[measure], f) for s in services.values())
                             for f in ("source", "target", "rejected")))
        for measure in MEASURES
    })
    return services, total


def _differences(counts: dict[str, EntityCount], money: dict[str, ServiceMoney], rows: RowDifferences) -> list[str]:
    found = [f"{label}: {c.source_rows} source rows but {c.loaded} loaded + {c.rejected} rejected"
             for label, c in counts.items() if not c.balanced]
    for code, service in money.items():
        for measure, line in service.measures.items():
            if not line.balanced:
                found.append(f"money {code} {measure}: source {kopecks_to_roubles_text(line.source)} but target "
                             f"{kopecks_to_roubles_text(line.target)} + rejected {kopecks_to_roubles_text(line.rejected)}"
                             f" (difference {kopecks_to_roubles_text(line.difference)})")
    found += [f"{kind}: {count}" for kind, count in rows.by_kind.items()]
    return found


def _gate_failures(entities: dict[str, EntityCount], gates: Gates, rejected_kopecks: int, period: str) -> list[str]:
    failures = []
    limit = gates.max_rejected_kopecks
    if limit is not None and rejected_kopecks > limit:
        failures.append(f"rejected balances of {period} hold {kopecks_to_roubles_text(rejected_kopecks)} roubles "
                        f"(debts and prepayments alike), more than the {kopecks_to_roubles_text(limit)} allowed "
                        f"by [gates] max_rejected_money")
    source = sum(c.source_rows for c in entities.values())
    rejected = sum(c.rejected for c in entities.values())
    if source and rejected / source > gates.max_reject_share:
        failures.append(f"{rejected} of {source} rows rejected ({rejected / source:.2%}), "
                        f"more than the {gates.max_reject_share:.2%} allowed by [gates] max_reject_share")
    for name, limit in gates.entity_max_reject_share.items():
        count = entities.get(name)  # keyed by label, as the config gives them
        if count and count.source_rows and count.rejected / count.source_rows > limit:
            failures.append(f"{name}: {count.rejected} of {count.source_rows} rows rejected "
                            f"({count.rejected / count.source_rows:.2%}), more than the {limit:.2%} allowed")
    return failures


def reconcile_run(engine: sa.Engine, project: Project, mapping: SystemMapping, run_id: str,
                  extracted: ExtractResult, scratch: Path, progress: Progress, live: bool = False,
                  side: SourceSide | None = None, opened: str | None = None) -> Reconciled:
    """Reconcile run ``run_id`` (whose rows the target holds) with its sources in ``extracted``.

    The facts of the comparison, every difference and every change are written to
    ``<reports>/<run_id>/reconcile/`` (``reconcile-live/`` when ``extracted`` is the sources read
    again later, ``live``). A dry run passes the ``side`` it gathered while it mapped the same
    snapshot; without one, the sources are mapped again here. A month-end passes the month it
    ``opened``: those balances were made in the target, not migrated, and are not compared.
    """
    facts = facts_folder(project.reports_dir, run_id, live)
    period = project.period
    with engine.connect() as connection:
        if side is None:
            side = read_source_side(mapping, extracted, connection, run_id, project, facts, scratch, progress)
        progress.stage("reconcile: counts and money")
        warnings = journal.by_rule(connection, run_id, "warning")
        counts = _counts(connection, run_id, mapping, side, warnings, opened)
        money, total = _money(side.money, target_side.money_by_service(connection, period))
        rows = row_differences(connection, facts, project.partition_rows, scratch, progress, opened)
        progress.stage("reconcile: changes since the previous run")
        changes = changes_since(connection, run_id, mapping.name, project.reports_dir, facts,
                                project.partition_rows, scratch)
        rejects = journal.by_rule(connection, run_id, "error")
    rejected_kopecks = int(side.money.loc[side.money["rejected"].astype(bool), "closing_absolute"].sum())
    reconciliation = Reconciliation(
        entities=counts, money_period=period, money=money, total=total,
        rejects_by_rule={entity_label(k): v for k, v in rejects.items()},
        warnings_by_rule={entity_label(k): v for k, v in warnings.items()},
        rows=rows, differences=_differences(counts, money, rows),
        gate_failures=_gate_failures(counts, project.gates, rejected_kopecks, period),
        filtered={entity_label(name): rows_out for name, rows_out in side.filtered.items() if rows_out},
        rejected_kopecks_absolute=rejected_kopecks,
    )
    return Reconciled(reconciliation, changes)
