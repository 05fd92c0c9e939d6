"""`cutover trace`: parse the options, call the library, render.

Only click is imported up here: the command line must stay light (tests/test_light_imports.py).
"""

from __future__ import annotations

from pathlib import Path

import click

DEFAULT_RUNS = 3  # cutover.trace.journey.DEFAULT_RUNS, not imported here (it loads the pipeline's modules)


@click.command("trace", epilog="Examples: cutover trace 02-001612 (the account in the latest 3 runs); "
                               "cutover trace 02-001612 --run 20261031-221502-dry-run-3f2a --json. "
                               "Exit codes: 0 found, 1 the key is in no run looked at nor in the key map, "
                               "2 bad usage.")
@click.argument("legacy_key")
@click.option("--run", "run_id", help="Trace it in this run only (default: the latest runs).")
@click.option("--runs", "runs", type=click.IntRange(min=1), default=None,
              help=f"How many of the latest runs to look in [default: {DEFAULT_RUNS}].")
@click.option("--target", "target_url", help="Target database URL (default: the project's).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON, for scripts.")
@click.pass_obj
def trace_command(project_dir: Path, legacy_key: str, run_id: str | None, runs: int | None, target_url: str | None,
                  as_json: bool) -> None:
    """Follow one legacy account through the runs: its source rows, rejects, target rows and ids."""
    import json

    from cutover.config import load_project
    from cutover.trace.journey import trace_account
    from cutover.trace.render import render_journey
    from cutover.workspace import open_workspace

    if run_id is not None and runs is not None:
        raise click.UsageError("give --run RUN or --runs N, not both")
    with open_workspace(load_project(project_dir, target_url), existing=True) as ws:
        journey = trace_account(ws, legacy_key, run_id, runs or DEFAULT_RUNS)
    click.echo(json.dumps(journey.to_dict(), ensure_ascii=False, indent=2) if as_json else render_journey(journey))
