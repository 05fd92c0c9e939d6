"""`cutover payments ...` and `cutover keymap export --agent`: parse the options, call the library, set the exit code.

Only click is imported up here: the command line must stay light (tests/test_light_imports.py).
"""

from __future__ import annotations

from pathlib import Path

import click

from cutover.errors import CutoverError


@click.group("payments")
def payments_group() -> None:
    """Payment agents' registries after the switch, translated by the key map."""


def export_keymap_for_agent(project_dir: Path, agent: str, out: Path | None, target_url: str | None) -> None:
    """`cutover keymap export --agent NAME`: the key map in the agent's own layout."""
    raise CutoverError("keymap export --agent is not built yet")
