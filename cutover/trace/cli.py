"""`cutover trace`: parse the options, call the library, render.

Only click is imported up here: the command line must stay light (tests/test_light_imports.py).
"""

from __future__ import annotations

from pathlib import Path

import click

from cutover.errors import CutoverError


@click.command("trace", epilog="Example: cutover trace 0012345 (where the legacy account 0012345 went in the latest run)")
@click.argument("legacy_key")
@click.pass_obj
def trace_command(project_dir: Path, legacy_key: str) -> None:
    """Follow one legacy record through a run: its source rows, rejects, target rows and ids."""
    raise CutoverError("cutover trace is not built yet")
