"""`cutover verify`: parse the options, call the library, set the exit code for cron.

Only click is imported up here: the command line must stay light (tests/test_light_imports.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from cutover.errors import EXIT_GATE_FAILED, EXIT_OK


@click.command("verify", epilog="Example: cutover verify (exit 0 intact, 1 changes found, 2 error); in cron: "
                                "30 6 * * * cd /srv/migration && cutover verify --quiet")
@click.option("--target", "target_url", envvar="CUTOVER_TARGET_URL", help="Target database URL (the new system's).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for report.xlsx, report.html and summary.json (default: reports/<verify-id>/).")
@click.option("--quiet", is_flag=True, help="Only the verdict and the reports' paths, two lines (for cron).")
@click.pass_obj
def verify_command(project_dir: Path, target_url: str | None, out_dir: Path | None, quiet: bool) -> None:
    """After the switch: the legacy month still closed, the opening balances unchanged, every account mapped."""
    from cutover.config import load_project
    from cutover.report.paths import shown
    from cutover.target.runs import new_run_id
    from cutover.verify.report import write_reports
    from cutover.verify.verify import verify
    from cutover.workspace import open_workspace

    project = load_project(project_dir, target_url)
    with open_workspace(project, existing=True) as ws:
        result = verify(ws)
    folder = out_dir or project.reports_dir / new_run_id("verify")
    paths = write_reports(folder, result, project.report_language)
    verdict = "INTACT" if result.intact else "CHANGED"
    click.echo(f"Verify after switch {result.switch_run} ({result.period} closed, {result.next_period} open): "
               f"{verdict}")
    if not quiet:
        for check in result.checks:
            click.echo(f"  {'ok ' if check.passed else 'CHANGED'} {check.title}: {check.detail}")
            for finding in check.findings[:20]:
                click.echo(f"      {finding}")
            if len(check.findings) > 20:
                click.echo(f"      … {len(check.findings) - 20} more in the report")
        for note in result.notes:
            click.echo(f"  note: {note}")
    click.echo(f"Report: {shown(paths['report.xlsx'])}, {shown(paths['report.html'])}, {shown(paths['summary.json'])}")
    sys.exit(EXIT_OK if result.intact else EXIT_GATE_FAILED)
