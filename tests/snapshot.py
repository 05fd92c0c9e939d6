"""Snapshot checks for what people read: a rendered report compared with a file under review.

A test renders a report into stable text and calls ``assert_snapshot("report.html", text)``;
the text must equal ``tests/snapshots/report.html``. When a change in what users read is
intended, regenerate the snapshots and review their diff like code::

    CUTOVER_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/test_report_render.py

With the variable set, ``assert_snapshot`` writes the text instead of comparing (and passes).
Tests import it as ``from snapshot import assert_snapshot`` (this folder is on ``sys.path``).
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest
from openpyxl import load_workbook

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
UPDATE_VARIABLE = "CUTOVER_UPDATE_SNAPSHOTS"
DIFF_LINES = 120  # lines of the diff shown when a snapshot differs


def assert_snapshot(name: str, text: str) -> None:
    """Fail unless ``text`` equals the snapshot ``tests/snapshots/<name>``; rewrite it when updating.

    Parameters
    ----------
    name : str
        The snapshot's file name inside ``tests/snapshots``.
    text : str
        The rendered text, with ``\\n`` line ends (the file is read and written without translation).
    """
    path = SNAPSHOTS / name
    if os.environ.get(UPDATE_VARIABLE) == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")
        return
    hint = f"if the change is intended: {UPDATE_VARIABLE}=1 .venv/bin/python -m pytest <this test>, then review the diff"
    if not path.is_file():
        pytest.fail(f"no snapshot {path}; write it with {UPDATE_VARIABLE}=1 and review it", pytrace=False)
    expected = path.read_bytes().decode("utf-8")  # no newline translation, as written
    if text != expected:
        diff = list(difflib.unified_diff(expected.splitlines(), text.splitlines(), f"snapshots/{name}", "rendered",
                                         lineterm=""))
        shown = "\n".join(diff[:DIFF_LINES]) + (f"\n... {len(diff) - DIFF_LINES} more diff lines" if len(diff) > DIFF_LINES else "")
        pytest.fail(f"{name} differs from its snapshot {path}:\n{shown}\n{hint}", pytrace=False)


def _cell_text(cell) -> str:
    if cell.value is None:
        return ""
    text = str(cell.value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
    return f"{text} [{cell.number_format}]" if cell.number_format != "General" else text


def workbook_text(path) -> str:
    """Each sheet's name, frozen cell and filter, then its rows as tab-separated values
    (a formatted number followed by its number format in brackets)."""
    lines = []
    for sheet in load_workbook(path).worksheets:
        lines.append(f"== {sheet.title} (freeze {sheet.freeze_panes}, filter {sheet.auto_filter.ref})")
        lines += ["\t".join(_cell_text(cell) for cell in row).rstrip("\t") for row in sheet.iter_rows()]
    return "\n".join(lines) + "\n"
