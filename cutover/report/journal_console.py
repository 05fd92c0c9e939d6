"""What `cutover runs` prints: the journal's latest runs (light: no data-frame machinery)."""

from __future__ import annotations


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
