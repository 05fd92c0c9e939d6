"""What a person reads on the terminal after a run."""

from __future__ import annotations

from pathlib import Path

from cutover.money import kopecks_to_roubles_text as _roubles
from cutover.reconcile.result import (
    CHANGED,
    Amounts,
    ChangeSummary,
    RunSummary,
    run_summary,
)
from cutover.report.check_console import (
    render_control_totals,
    render_readings,
    render_unreadable,
)
from cutover.report.data import FIRST_OF_EACH_RULE, REJECTS_CSV
from cutover.report.paths import shown
from cutover.report.tables import control_notes, records_lines, unreadable_money
from cutover.states import RunStatus

STATUS_WORDS = {RunStatus.RECONCILED: "reconciled", RunStatus.DIFFERENCES: "DIFFERENCES", RunStatus.FAILED: "FAILED"}


def render_run(summary: RunSummary | dict, report_dir: Path) -> str:
    """A short table of counts per entity, the money check and where the report is (``summary``:
    the run's object, or summary.json's data)."""
    summary = run_summary(summary)
    lines = [f"Run {summary.run_id}: {STATUS_WORDS.get(summary.status, summary.status)}", ""]
    lines.append(f"{'entity':<10} {'source':>9} {'loaded':>9} {'rejected':>9} {'warnings':>9}")
    for name, count in (summary.entities or {}).items():
        lines.append(f"{name:<10} {count.source_rows:>9} {count.loaded:>9} {count.rejected:>9} {count.warnings:>9}")
    records = records_lines(summary)
    if records:
        lines += ["", *records]
    closing = None if summary.money is None else summary.money.closing_total()
    if closing is not None:
        lines += ["", f"closing balances {summary.money.period}: " + _money_line(closing, summary)]
    lines += control_notes(summary)
    unreadable = unreadable_money(summary)
    if unreadable and not unreadable.blocking:  # a blocking one is a gate failure, listed below
        lines.append(f"accepted: {unreadable.held} ([gates] accept_unreadable_rows = {unreadable.accepted}); "
                     f"the Unreadable money sheet of report.xlsx lists them")
    for reason in [*(summary.differences or ()), *(summary.gate_failures or ())]:
        lines.append(f"! {reason}")
    if summary.rows_differing:
        lines.append(f"! {summary.rows_differing} item(s) differ: the Differences sheet lists them")
    if summary.changes is not None:
        lines += ["", _changes_line(summary.changes)]
    if summary.timings:
        lines += ["", timings_line(summary.timings)]
    lines += ["", f"Report:  {shown(report_dir / 'report.xlsx')}"]
    if (report_dir / REJECTS_CSV).is_file():  # more rejects than the workbook keeps ([project] rejects_in_workbook)
        lines.append(f"Rejects: {shown(report_dir / REJECTS_CSV)} (every one; the sheet Rejects has the first "
                     f"{FIRST_OF_EACH_RULE} of each rule)")
    lines += [f"Page:    {shown(report_dir / 'report.html')}", f"Summary: {shown(report_dir / 'summary.json')}"]
    return "\n".join(lines)


_STAGE_KINDS = {"empty": "load", "finish": "load", "upgrade": "schema"}  # "empty the previous load", "finish load"


def timings_line(timings: dict) -> str:
    """``took 8.1 s: extract 1.2 s, map 2.0 s, ...; peak memory 540 MB``: the stages summed by
    their first word (``map meter`` and ``map reading`` are ``map``), in the order first met."""
    by_kind: dict[str, float] = {}
    for stage in timings.get("stages", []):
        kind = stage["stage"].split()[0].rstrip(":")
        kind = _STAGE_KINDS.get(kind, kind)
        by_kind[kind] = by_kind.get(kind, 0.0) + stage["seconds"]
    stages = ", ".join(f"{kind} {seconds:.1f} s" for kind, seconds in by_kind.items())
    return f"took {timings['seconds']:.1f} s: {stages}; peak memory {timings['peak_mb']:,.0f} MB"


def _money_line(line: Amounts, summary: RunSummary) -> str:
    """``control X = target Y + rejected Z``, then what else a person should know about the line.

    A summary written before the control existed (no ``control``) says ``source X`` as it always
    did; a line that does not add up says ``but`` instead of ``=``, and by how much.
    """
    read = f"control {_roubles(line.control)}" if line.control is not None else f"source {_roubles(line.source)}"
    text = (f"{read} {'but' if line.difference else '='} target {_roubles(line.target)} "
            f"+ rejected {_roubles(line.rejected)}")
    if line.filtered:
        text += f" + filtered {_roubles(line.filtered)}"
    if line.difference:
        text += f" (difference {_roubles(line.difference)})"
    if line.mapping_differs:
        text += f"; the mapping read {_roubles(line.source)}"
    if line.declared is not None:
        text += f"; the legacy statement says {_roubles(line.declared)}"
    if line.unreadable:
        unreadable = summary.unreadable
        rows = f"{line.unreadable} row" if line.unreadable == 1 else f"{line.unreadable} rows"
        text += f"; {rows} unreadable" + (" (accepted)" if unreadable and not unreadable.blocking else "")
    return text


def _changes_line(changes: ChangeSummary) -> str:
    """One line on what changed since the previous run."""
    if changes.previous_run is None:
        return f"Since the previous run: {changes.note}"
    rejects = (changes.rejects or {}).values()
    new = sum(c["new"] for rules in rejects for c in rules.values())
    fixed = sum(c["fixed"] for rules in rejects for c in rules.values())
    accounts, meters, balances = ((changes.counts or {}).get(k, {}) for k in CHANGED)
    return (f"Since {changes.previous_run}: rejects {new} new, {fixed} fixed; accounts +{accounts.get('added', 0)} "
            f"-{accounts.get('removed', 0)}; meters +{meters.get('added', 0)} -{meters.get('removed', 0)}; "
            f"balances {balances.get('changed', 0)} changed, +{balances.get('added', 0)} -{balances.get('removed', 0)}")


def render_check(result) -> str:
    """The verdict of ``cutover check``: problems, the control totals of the balances, then legacy
    codes with no mapping, values breaking the source rules, amounts only cutover's own reader
    reads and money nobody can read (the findings last, where a terminal shows them)."""
    lines = [f"Mapping {result.mapping}: {len(result.sources)} sources"]
    for name, where in result.sources.items():
        lines.append(f"  {name:<12} {where}")
    for problem in result.problems:
        lines.append(f"! {problem}")
    lines += render_control_totals(result.control, result.period)
    if result.unmapped:
        lines += ["", "Legacy codes in the data with no mapping:",
                  f"  {'entity':<10} {'column':<16} {'dictionary':<18} {'code':<10} {'rows':>7}"]
        for code in result.unmapped:
            lines.append(f"  {code.entity:<10} {code.column:<16} {code.dictionary:<18} {code.code:<10} {code.rows:>7}")
        lines.append(f"{len(result.unmapped)} code(s) have no mapping: add them to the dictionaries or expect their rows "
                     f"to be rejected (UNKNOWN_CODE)")
    if result.source_rules:
        lines += ["", "Values that break the source rules (source_rules.toml):",
                  f"  {'source':<16} {'column':<16} {'rule':<16} {'rows':>7}  first"]
        for breach in result.source_rules:
            lines.append(f"  {breach.source:<16} {breach.column:<16} {breach.rule:<16} {breach.rows:>7}  "
                         f"row {breach.first_row}: {breach.message}")
        lines.append(f"{sum(b.rows for b in result.source_rules)} value(s) break the source rules: their rows will be "
                     f"rejected")
    lines += render_readings(result.readings)
    if result.unreadable_blocking:
        lines += render_unreadable(result.control)
    if not (result.problems or result.unmapped or result.source_rules or result.readings
            or result.unreadable_blocking):
        lines.append("Every source has the columns the mapping reads, every legacy code is mapped, every value "
                     "keeps the source rules, and the mapping reads every amount cutover's own reader reads.")
    return "\n".join(lines)


def render_profile(result, workbook: Path, page: Path, quiet: bool = False) -> str:
    """How bad the extract looks, per source and worst findings first, and where the reports are."""
    counts = result.counts
    head = (f"Profile {result.run_id}: {counts.get('error', 0)} errors, {counts.get('warning', 0)} warnings, "
            f"{counts.get('info', 0)} info")
    if quiet:
        return head
    lines = [head, ""]
    for source in result.sources:
        lines.append(f"{source.name:<12} {source.location:<28} {source.rows:>9} rows" + ("  UNREADABLE" if source.error else ""))
    lines.append("")
    for finding in result.findings[:10]:
        where = f"{finding.source}.{finding.column}" if finding.column else finding.source
        lines.append(f"{finding.severity:<7} {finding.check:<18} {where}: {finding.what}")
    if len(result.findings) > 10:
        lines.append(f"... and {len(result.findings) - 10} more in the report")
    lines += ["", f"Report: {shown(workbook)}", f"Page:   {shown(page)}"]
    return "\n".join(lines)
