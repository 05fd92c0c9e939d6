"""What a person reads on the terminal after a run."""

from __future__ import annotations

import os
from pathlib import Path

from cutover.money import kopecks_to_roubles_text

STATUS_WORDS = {"reconciled": "reconciled", "differences": "DIFFERENCES", "failed": "FAILED"}


def _roubles(text: str) -> str:
    kopecks = int(text.replace(".", "").replace("-", "")) * (-1 if text.startswith("-") else 1)
    return kopecks_to_roubles_text(kopecks)


def _relative(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def render_run(summary: dict, report_dir: Path) -> str:
    """A short table of counts per entity, the money check and where the report is."""
    lines = [f"Run {summary['run_id']}: {STATUS_WORDS.get(summary['status'], summary['status'])}", ""]
    lines.append(f"{'entity':<10} {'source':>9} {'loaded':>9} {'rejected':>9} {'warnings':>9}")
    for name, count in summary.get("entities", {}).items():
        lines.append(f"{name:<10} {count['source_rows']:>9} {count['loaded']:>9} {count['rejected']:>9} {count['warnings']:>9}")
    money = summary.get("money")
    if money:
        total = money["total"]
        lines += ["", f"closing balances {money['period']}: source {_roubles(total['source'])} = "
                      f"target {_roubles(total['target'])} + rejected {_roubles(total['rejected'])}"]
    for reason in summary.get("differences", []) + summary.get("gate_failures", []):
        lines.append(f"! {reason}")
    lines += ["", f"Report:  {_relative(report_dir / 'report.xlsx')}", f"Summary: {_relative(report_dir / 'summary.json')}"]
    return "\n".join(lines)
