"""summary.json: the machine-readable result of a run.

Money is written as decimal strings of roubles (``"1234.56"``), never as floats.
"""

from __future__ import annotations

import datetime as dt

from cutover import __version__
from cutover.db import mask_url
from cutover.money import kopecks_to_text
from cutover.pipeline.reconcile import MoneyLine, Reconciliation


def _money_line(line: MoneyLine) -> dict[str, str]:
    return {"source": kopecks_to_text(line.source), "target": kopecks_to_text(line.target),
            "rejected": kopecks_to_text(line.rejected)}


def build_summary(run_id: str, kind: str, project, mapping, extracted, reconciliation: Reconciliation | None,
                  started: dt.datetime, error: str | None = None) -> dict:
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
            name: {"location": source.location, "rows": source.row_count, "sha256": source.sha256, **source.details}
            for name, source in extracted.sources.items()
        }
    if reconciliation is not None:
        summary["entities"] = {name: count.to_dict() for name, count in reconciliation.entities.items()}
        summary["filtered"] = reconciliation.filtered
        summary["rejects_by_rule"] = reconciliation.rejects_by_rule
        summary["warnings_by_rule"] = reconciliation.warnings_by_rule
        summary["money"] = {
            "period": reconciliation.money_period,
            "measure": "closing",
            "services": {code: _money_line(line) for code, line in reconciliation.money.items()},
            "total": _money_line(reconciliation.total),
        }
        summary["differences"] = reconciliation.differences
        summary["gate_failures"] = reconciliation.gate_failures
    return summary
