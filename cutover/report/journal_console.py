"""What `cutover runs` prints: the journal's latest runs (light: no data-frame machinery)."""

from __future__ import annotations

from cutover.report.gate_words import gate_lines


def render_runs(runs: list[dict]) -> str:
    """The journal's latest runs, one a line."""
    if not runs:
        return "No runs in the target's journal yet."
    lines = [f"{'run':<34} {'kind':<10} {'status':<12} {'started':<19} {'minutes':>7}  mapping"]
    for run in runs:
        finished = run["finished_at"]
        minutes = f"{(finished - run['started_at']).total_seconds() / 60:.1f}" if finished else ""
        lines.append(f"{run['run_id']:<34} {run['kind']:<10} {run['status']:<12} "
                     f"{run['started_at']:%Y-%m-%d %H:%M:%S} {minutes:>7}  {run['mapping']}")
    return "\n".join(lines)


def render_run_record(record: dict) -> str:
    """`cutover runs show RUN`: the run's verdict and why, its gates with their margins, its counts,
    its stages' times, its sources and their hashes, from what the journal recorded (light: plain dicts)."""
    summary = record.get("summary") or {}
    finished = record["finished_at"]
    seconds = (finished - record["started_at"]).total_seconds() if finished else None
    took = "" if seconds is None else f", {seconds:.0f} s" if seconds < 120 else f", {seconds / 60:.1f} minutes"
    lines = [f"Run {record['run_id']}: {record['kind']}, {record['status']}",
             f"mapping {record['mapping']}, period {summary.get('period', '?')}, target {summary.get('target', '?')}",
             f"started {record['started_at']:%Y-%m-%d %H:%M:%S}"
             + (f", finished {finished:%Y-%m-%d %H:%M:%S}" if finished else "") + took
             + (f", on {record['host']} (process {record['pid']})" if record.get("host") else "")]
    reasons = [*summary.get("differences", []), *summary.get("gate_failures", [])]
    reasons += [summary["error"]] if summary.get("error") else []
    lines += [f"! {reason}" for reason in reasons]
    gates = gate_lines(summary.get("gates") or [])
    if gates:
        lines += ["", *gates]
    entities = summary.get("entities") or {}
    if entities:
        lines += ["", f"{'entity':<10} {'source':>9} {'loaded':>9} {'rejected':>9} {'warnings':>9}"]
        lines += [f"{name:<10} {count['source_rows']:>9} {count['loaded']:>9} {count['rejected']:>9} "
                  f"{count.get('warnings', 0):>9}" for name, count in entities.items()]
    timings = summary.get("timings")
    if timings:
        lines += ["", f"{'stage':<40} {'seconds':>8} {'rows':>10}"]
        lines += [f"{stage['stage']:<40} {stage['seconds']:>8.2f} {stage['rows']:>10,}" for stage in timings["stages"]]
        lines.append(f"{'whole run (to the report)':<40} {timings['seconds']:>8.2f}   peak memory "
                     f"{timings['peak_mb']:,.0f} MB")
    sources = summary.get("sources") or {}
    if sources:
        lines += ["", f"{'source':<14} {'rows':>9}  {'sha256':<64}  location"]
        lines += [f"{name:<14} {source.get('rows', 0):>9}  {source.get('sha256') or '-':<64}  {source.get('location', '')}"
                  for name, source in sources.items()]
    return "\n".join(lines)
