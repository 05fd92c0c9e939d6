"""What `cutover trace` prints: the account's journey as a person reads it (money in roubles)."""

from __future__ import annotations

from cutover.money import kopecks_to_roubles_text
from cutover.trace.journey import Journey, RunTrace
from cutover.trace.target_rows import MONEY

ROWS_SHOWN = 20  # source rows printed per source and run; --json lists them all


def _values(values: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in values.items() if value != "")


def _run(run: RunTrace) -> list[str]:
    holds = ", the target holds its rows" if run.holds else ""
    lines = ["", f"Run {run.run_id} ({run.kind}, {run.status}, started {run.started_at}{holds})"]
    if not run.snapshot:
        lines.append("  its snapshot is no longer kept (`cutover runs prune`): source rows not shown")
    by_source: dict[str, list] = {}
    for row in run.rows:
        by_source.setdefault(row.location, []).append(row)
    rejected = {(reject.source, reject.row) for reject in run.rejects if reject.severity == "error"}
    for location, rows in by_source.items():
        lines.append(f"  {location}: {len(rows)} row(s)")
        for row in rows[:ROWS_SHOWN]:
            mark = " REJECTED" if (location, row.row) in rejected else ""
            lines.append(f"    row {row.row} ({', '.join(row.entities)}){mark}: {_values(row.values)}")
        if len(rows) > ROWS_SHOWN:
            lines.append(f"    ... {len(rows) - ROWS_SHOWN} more (--json lists them all)")
    if run.snapshot and not run.rows:
        lines.append("  no source row of this account")
    if run.rejects:
        lines.append(f"  rejects and warnings: {len(run.rejects)}")
        for reject in run.rejects:
            where = f"{reject.source} row {reject.row}" if reject.row is not None else reject.source
            column = f", column {reject.column} = {reject.value!r}" if reject.column else ""
            lines.append(f"    {reject.severity} {reject.rule} ({reject.entity}, {where}{column}): {reject.message}")
    elif run.snapshot or run.found:
        lines.append("  no reject or warning")
    return lines


def _target(journey: Journey) -> list[str]:
    entry, account = journey.key_map, journey.account
    if entry is None:
        return ["Key map: no entry (never loaded into this target)"]
    lines = [f"Key map: account id {entry.target_id}, first loaded by {entry.first_run_id}, last by {entry.last_run_id}"]
    if account is None:
        return lines + [f"Target: not there now (the run the target holds, {journey.loaded_run or 'none'}, did not "
                        f"load it)"]
    lines.append(f"Target: account number {account.account_number} (legacy {account.legacy_account_number}), "
                 f"opened {account.opened_on or '-'}" + (f", closed {account.closed_on}" if account.closed_on else ""))
    for meter in account.meters:
        lines.append(f"  meter {meter.serial} ({meter.service}, {meter.status}, legacy {meter.legacy_key or '-'}): "
                     f"{meter.readings} reading(s)")
    if account.balances:
        lines.append(f"  {'period':<8} {'service':<16} " + " ".join(f"{measure:>14}" for measure in MONEY))
        for balance in account.balances:
            lines.append(f"  {balance.period:<8} {balance.service:<16} "
                         + " ".join(f"{kopecks_to_roubles_text(balance.kopecks[m]):>14}" for m in MONEY))
    else:
        lines.append("  no balances")
    return lines


def render_journey(journey: Journey) -> str:
    """The journey as text: the key map and the target now, then each run, newest first."""
    lines = [f"Account {journey.legacy_key}", *_target(journey)]
    for run in journey.runs:
        lines += _run(run)
    return "\n".join(lines)
