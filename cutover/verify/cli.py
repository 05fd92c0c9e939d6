"""`cutover verify`: parse the options, call the library, set the exit code for cron.

Only click is imported up here: the command line must stay light (tests/test_light_imports.py).
"""

from __future__ import annotations

from pathlib import Path

import click

from cutover.errors import CutoverError


@click.command("verify", epilog="Example: cutover verify (exit 0 intact, 1 changes found, 2 error)")
@click.pass_obj
def verify_command(project_dir: Path) -> None:
    """After the switch: the legacy month still closed, the opening balances unchanged, every account mapped."""
    raise CutoverError("cutover verify is not built yet")
