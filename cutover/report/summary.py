"""The result of a run, gathered from its stages into one :class:`~cutover.reconcile.result.RunSummary`.

summary.json is the object's ``to_dict()``: money as decimal strings of roubles (``"1234.56"``), never floats.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from cutover import __version__
from cutover.extract.snapshot import source_entry
from cutover.reconcile.changes import Changes, change_rows
from cutover.reconcile.model import Reconciliation, ServiceMoney
from cutover.reconcile.result import (
    Amounts,
    ChangeSummary,
    ControlAmounts,
    ControlSummary,
    MoneySummary,
    RowSummary,
    RunSummary,
)
from cutover.reconcile.rows import difference_rows
from cutover.report.data import ROW_LIMIT
from cutover.states import RunStatus
from cutover.target.db import mask_url


def first_rows(chunks, limit: int = ROW_LIMIT) -> list[dict]:
    """The first ``limit`` rows of frames given a chunk at a time, as JSON-ready dicts (missing -> null)."""
    found: list[dict] = []
    for frame in chunks:
        rows = frame.head(limit - len(found)).astype("object")
        found += rows.where(rows.notna(), None).to_dict("records")
        if len(found) >= limit:
            break
    return found


def build_run_summary(run_id: str, kind: str, project, mapping, extracted, reconciliation: Reconciliation | None,
                      started: dt.datetime, error: str | None = None, changes: Changes | None = None) -> RunSummary:
    """The result of a run as one object (a failed run has status ``failed``); summary.json is its ``to_dict()``."""
    head = dict(run_id=run_id, kind=kind, status=RunStatus.FAILED if reconciliation is None else reconciliation.status,
                cutover_version=__version__, mapping=mapping.name, target=mask_url(project.target_url),
                period=project.period, started_at=started.isoformat(timespec="seconds"),
                finished_at=dt.datetime.now().isoformat(timespec="seconds"), error=error,
                sources=None if extracted is None else {name: source_entry(source)
                                                        for name, source in extracted.sources.items()},
                changes=None if changes is None else _changes(changes))
    if reconciliation is None:
        return RunSummary(**head)
    rows = reconciliation.rows
    return RunSummary(
        **head,
        entities=dict(reconciliation.entities), filtered=reconciliation.filtered,
        rejects_by_rule=reconciliation.rejects_by_rule, warnings_by_rule=reconciliation.warnings_by_rule,
        money=MoneySummary(reconciliation.money_period,
                           {code: _measures(service) for code, service in reconciliation.money.items()},
                           _measures(reconciliation.total)),
        control=ControlSummary(reconciliation.money_period,
                               tuple(ControlAmounts.of_control(line) for line in reconciliation.control),
                               dict(reconciliation.volume), replace(reconciliation.unreadable, path=None),
                               tuple(reconciliation.notes), tuple(reconciliation.falls)),
        records=tuple(reconciliation.records),
        differences=tuple(reconciliation.differences), gate_failures=tuple(reconciliation.gate_failures),
        gates=tuple(reconciliation.gates),
        row_differences=RowSummary(rows.by_kind, tuple(first_rows(difference_rows(rows))) if rows.total else ()),
    )


def _measures(money: ServiceMoney) -> dict[str, Amounts]:
    return {measure: Amounts.of_line(line) for measure, line in money.measures.items()}


def _changes(changes: Changes) -> ChangeSummary:
    return ChangeSummary(changes.previous_run, changes.note, changes.rejects, changes.counts,
                         tuple(first_rows(change_rows(changes))))
