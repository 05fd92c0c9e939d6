"""What `cutover month-end` and `cutover status` print."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cutover.monthend.lock import broken_locks
from cutover.monthend.status import MonthEndStatus
from cutover.monthend.steps import STEP_NAMES, TITLES
from cutover.periods import next_period
from cutover.report.paths import shown
from cutover.states import RunStatus, StepStatus

if TYPE_CHECKING:
    from cutover.monthend.runbook import MonthEndResult


def render_month_end(result: MonthEndResult, quiet: bool = False) -> str:
    if quiet:
        return f"{result.run_id} {result.status}"
    folder = shown(result.report_dir)
    if result.status == RunStatus.SWITCHED:
        return "\n".join([
            f"Month-end {result.run_id}: SWITCHED. {result.period} is closed, {next_period(result.period)} is open "
            f"in the new system.",
            f"Protocol: {folder}/protocol.xlsx, {folder}/protocol.html",
            f"Account map for payment agents: {folder}/keymap.csv",
        ])
    lines = [f"Month-end {result.run_id}: the reconciliation gate FAILED:"]
    lines += [f"  - {reason}" for reason in result.reasons[:20]]
    if len(result.reasons) > 20:
        lines.append(f"  ... and {len(result.reasons) - 20} more in {folder}/report.xlsx")
    if result.status == RunStatus.ROLLED_BACK:
        lines.append("ROLLED BACK: the target and the legacy system are as they were before the month-end; the "
                     "customer keeps working in the legacy system.")
    else:
        lines.append(f"Left as it is for inspection (--no-rollback); report: {folder}/report.xlsx. "
                     f"`cutover month-end --period {result.period} --rollback` undoes it, `--resume` retries the gate.")
    return "\n".join(lines)


def render_rollback(result: MonthEndResult) -> str:
    undone = result.rollback or {}
    lines = [f"Month-end {result.run_id} ROLLED BACK: the target and the legacy system are as they were."]
    if "restored" in undone:
        lines.append("Target rows restored: " + ", ".join(f"{name} {rows}" for name, rows in undone["restored"].items()))
    else:
        lines.append("The target was not changed (the load had not committed).")
    if "legacy" in undone:
        lines.append(f"Legacy system: {_legacy_line(undone['legacy'])}")
    return "\n".join(lines)


def _legacy_line(detail: dict) -> str:
    if detail.get("kind") == "sql":
        return f"reopen statements ran on {detail['database']} (" + ", ".join(
            f"{entry['rows']} rows" for entry in detail["statements"]) + ")"
    return detail.get("note", "nothing to undo")


def render_status(status: MonthEndStatus) -> str:
    lines = [f"Target: {status.target}"]
    if status.switched is not None:
        lines.append(f"SWITCHED on {status.switched.finished_at:%Y-%m-%d %H:%M:%S} by month-end "
                     f"{status.switched.run_id} (period {status.switched.period}).")
    if status.holder is not None:
        state = "running" if status.holder.alive else "interrupted (that process is gone)"
        lines.append(f"Lock: held by {status.holder.describe()}: {state}.")
    if status.latest is None:
        lines.append("No month-end yet.")
        return "\n".join(lines)
    latest = status.latest
    lines.append(f"Month-end {latest.run_id}, period {latest.period}: {latest.status}")
    lines.append(f"  {'step':<13} {'status':<12} {'started':<19} {'seconds':>8}  what")
    for name in (*STEP_NAMES, "rollback"):
        record = status.steps.get(name)
        if record is None:
            if name != "rollback":
                lines.append(f"  {name:<13} {'-':<12} {'':<19} {'':>8}  {TITLES[name]}")
            continue
        seconds = f"{record.seconds:.1f}" if record.seconds is not None else ""
        lines.append(f"  {name:<13} {record.status:<12} {record.started_at:%Y-%m-%d %H:%M:%S} {seconds:>8}  "
                     f"{TITLES[name]}")
        if record.status == StepStatus.FAILED and record.detail.get("error"):
            lines.append(f"  {'':<13} {record.detail['error']}")
    lines += [f"  {line}" for line in broken_locks(status.steps)]
    return "\n".join(lines)
