"""`cutover readings ...`: parse the options, call the library, set the exit code.

Only click is imported up here: the command line must stay light (tests/test_light_imports.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from cutover.errors import EXIT_GATE_FAILED, EXIT_OK


@click.group("readings")
def readings_group() -> None:
    """Readings sent after the switch by legacy account and meter, translated to the new meters."""


@readings_group.command("translate", epilog="Example: cutover readings translate inbox/readings_2026-11.csv "
                                            "--layout sample (exit 0 all accepted, 1 some rejected, 2 refused)")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--layout", "layout_name", required=True, help="readings/<NAME>.toml in the project: the file's layout.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the accepted and rejected files and summary.json (default: reports/<readings-id>/).")
@click.option("--period", help="YYYY-MM: readings dated after its last day are READ_FUTURE (default: the target's "
                               "open period).")
@click.option("--target", "target_url", envvar="CUTOVER_TARGET_URL", help="Target database URL.")
@click.pass_obj
def translate_command(project_dir: Path, file: Path, layout_name: str, out_dir: Path | None, period: str | None,
                      target_url: str | None) -> None:
    """Translate FILE's late readings to the new meters, with the migration's checks of readings."""
    import re

    from cutover.config import load_project
    from cutover.errors import ConfigError
    from cutover.readings.outputs import write_outputs
    from cutover.readings.translate import translate
    from cutover.report.paths import shown
    from cutover.target.runs import new_run_id
    from cutover.workspace import open_workspace

    if period is not None and not re.fullmatch(r"[0-9]{4}-(0[1-9]|1[0-2])", period):
        raise ConfigError(f"--period {period!r}: expected YYYY-MM, e.g. 2026-11")
    project = load_project(project_dir, target_url)
    with open_workspace(project, existing=True) as ws:
        result = translate(ws, file, layout_name, period)
    folder = out_dir or project.reports_dir / new_run_id("readings")
    paths = write_outputs(folder, result)
    rehearsal = "" if result.switched else " (rehearsal: the project is not switched yet)"
    click.echo(f"{file.name}: {result.lines} lines, {len(result.accepted)} readings accepted, "
               f"{result.rejected_lines} rejected, {result.warnings} warnings{rehearsal}")
    for rule, count in result.by_rule().items():
        click.echo(f"  {rule}: {count}")
    click.echo(f"Accepted: {shown(paths['accepted'])}; rejected: {shown(paths['rejected'])}; "
               f"summary: {shown(paths['summary'])}")
    sys.exit(EXIT_OK if not result.rejected_lines else EXIT_GATE_FAILED)
