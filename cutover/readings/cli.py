"""`cutover readings ...`: parse the options, call the library, set the exit code.

Only click is imported up here: the command line must stay light (tests/test_light_imports.py).
"""

from __future__ import annotations

import click


@click.group("readings")
def readings_group() -> None:
    """Readings sent after the switch by legacy account and meter, translated to the new meters."""
