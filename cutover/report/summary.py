"""summary.json: the machine-readable result of a run.

Money is written as decimal strings of roubles (``"1234.56"``), never as floats.
"""

from __future__ import annotations

import datetime as dt

from cutover import __version__
from cutover.db import mask_url
from cutover.money import kopecks_to_text
from cutover.reconcile.changes import Changes, change_rows
from cutover.pipeline.extract_stage import source_entry
from cutover.reconcile.model import ControlLine, MoneyLine, Reconciliation, ServiceMoney, SourceRecords
from cutover.reconcile.rows import difference_rows
from cutover.report.data import ROW_LIMIT


def _money_line(line: MoneyLine) -> dict:
    found = {"source": kopecks_to_text(line.source), "target": kopecks_to_text(line.target),
             "rejected": kopecks_to_text(line.rejected)}
    if line.control is not None:
        found["control"] = kopecks_to_text(line.control)
    found |= {"filtered": kopecks_to_text(line.filtered), "unreadable": line.unreadable,
              "difference": kopecks_to_text(line.difference)}
    if line.declared is not None:
        found["declared"] = kopecks_to_text(line.declared)
    return found


def _control_line(line: ControlLine) -> dict:
    found = {"service": line.service, "code": line.code, "period": line.period, "measure": line.measure,
             "control": None if line.control is None else kopecks_to_text(line.control),
             "source": kopecks_to_text(line.source), "target": kopecks_to_text(line.target),
             "rejected": kopecks_to_text(line.rejected), "filtered": kopecks_to_text(line.filtered),
             "unreadable": line.unreadable, "rows": line.rows,
             "declared": None if line.declared is None else kopecks_to_text(line.declared),
             "difference": kopecks_to_text(line.difference)}
    return found


def _control(reconciliation: Reconciliation) -> dict:
    unreadable = reconciliation.unreadable
    return {
        "period": reconciliation.money_period,
        "lines": [_control_line(line) for line in reconciliation.control],
        "volume": {service: str(kopecks) for service, kopecks in reconciliation.volume.items()},
        "unreadable": {"rows": unreadable.rows, "accepted": unreadable.accepted, "values": unreadable.total_values,
                       "blocking": unreadable.blocking, "first": [vars(value) for value in unreadable.values]},
        "notes": list(reconciliation.notes),
        "falls_accepted": list(reconciliation.falls),
    }


def _records(records: SourceRecords) -> dict:
    return {"name": records.name, "location": records.location, "records": records.records, "read": records.read,
            "blank": records.blank, "blank_rows": list(records.blank_rows), "deleted": records.deleted,
            "deleted_rows": list(records.deleted_rows), "comments": records.comments,
            "entities": [{"entity": c.entity, "read": c.read, "filtered": c.filtered, "without_rows": c.without_rows,
                          "rows": c.rows, "rejected_rows": c.rejected_rows, "loaded_rows": c.loaded_rows,
                          "merged": c.merged}
                         for c in records.entities],
            "lookup_of": list(records.lookup_of), "balanced": records.balanced}


def _measures(money: ServiceMoney) -> dict[str, dict[str, str]]:
    return {measure: _money_line(line) for measure, line in money.measures.items()}


def first_rows(chunks, limit: int = ROW_LIMIT) -> list[dict]:
    """The first ``limit`` rows of frames given a chunk at a time, as JSON-ready dicts (missing -> null)."""
    found: list[dict] = []
    for frame in chunks:
        rows = frame.head(limit - len(found)).astype("object")
        found += rows.where(rows.notna(), None).to_dict("records")
        if len(found) >= limit:
            break
    return found


def build_summary(run_id: str, kind: str, project, mapping, extracted, reconciliation: Reconciliation | None,
                  started: dt.datetime, error: str | None = None, changes: Changes | None = None) -> dict:
    """The summary of a run as plain JSON-ready data (a failed run has status ``failed``)."""
    summary = {
        "run_id": run_id,
        "kind": kind,
        "status": "failed" if reconciliation is None else reconciliation.status,
        "cutover_version": __version__,
        "mapping": mapping.name,
        "target": mask_url(project.target_url),
        "period": project.period,
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": dt.datetime.now().isoformat(timespec="seconds"),
    }
    if error is not None:
        summary["error"] = error
    if extracted is not None:
        summary["sources"] = {
            name: source_entry(source) for name, source in extracted.sources.items()
        }
    if reconciliation is not None:
        summary["entities"] = {name: count.to_dict() for name, count in reconciliation.entities.items()}
        summary["filtered"] = reconciliation.filtered
        summary["rejects_by_rule"] = reconciliation.rejects_by_rule
        summary["warnings_by_rule"] = reconciliation.warnings_by_rule
        summary["money"] = {
            "period": reconciliation.money_period,
            "measure": "closing",
            "services": {code: _money_line(service.closing) for code, service in reconciliation.money.items()},
            "total": _money_line(reconciliation.total.closing),
        }
        summary["money_by_measure"] = {
            "period": reconciliation.money_period,
            "services": {code: _measures(service) for code, service in reconciliation.money.items()},
            "total": _measures(reconciliation.total),
        }
        summary["control"] = _control(reconciliation)
        summary["records"] = [_records(records) for records in reconciliation.records]
        summary["differences"] = reconciliation.differences
        summary["gate_failures"] = reconciliation.gate_failures
        rows = reconciliation.rows
        summary["row_differences"] = {"total": rows.total, "by_kind": rows.by_kind,
                                      "rows": first_rows(difference_rows(rows)) if rows.total else []}
    if changes is not None:
        summary["changes"] = changes.to_dict(first_rows(change_rows(changes)))
    return summary
