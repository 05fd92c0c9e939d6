"""Whether the reports folder can take a run, asked before the run does anything.

A run writes its snapshot, its source's facts and its reports under ``reports/<run-id>/``.
A folder it cannot write in, or a disk too full for them, would otherwise show as a
traceback after a load of twenty minutes; here it is a clear error (exit code 2) naming the
folder before the journal even has the run.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from cutover.errors import ConfigError

MIN_FREE = 64 * 2 ** 20  # the reports and the journal's scratch files of a small run, in bytes
PER_SOURCE_BYTE = 2  # the snapshot and the reconciliation's Parquet files: about the extract's size each

_FIX = "set [project] reports_dir in cutover.toml to another folder"


def check_reports_folder(folder: Path, extract: Path | None = None) -> None:
    """Refuse a reports ``folder`` that cannot be created or written in, or whose disk lacks
    room (roughly) for a run of the files in ``extract``.

    Raises
    ------
    ConfigError
        The folder is a file, cannot be created, cannot be written in, or its disk has less
        free space than :func:`room_needed` (exit code 2).
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        pass  # a file of that name: told below
    except OSError:
        raise ConfigError(f"{folder}: the reports folder cannot be created (a run keeps its snapshot and reports "
                          f"there): check the folders above it, or {_FIX}") from None
    if not folder.is_dir():
        raise ConfigError(f"{folder}: the reports folder is a file, not a folder: move it away, or {_FIX}")
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".writable-"):
            pass
    except OSError:
        raise ConfigError(f"{folder}: cannot write in the reports folder (a run keeps its snapshot and reports "
                          f"there): make it writable, or {_FIX}") from None
    free, needed = shutil.disk_usage(folder).free, room_needed(extract)
    if free < needed:
        raise ConfigError(f"{folder}: {_mb(free)} MB free on its disk, and a run of this extract needs about "
                          f"{_mb(needed)} MB (its snapshot and reports): free some space, or {_FIX}")


def room_needed(extract: Path | None) -> int:
    """Bytes a run of the files under ``extract`` needs in the reports folder, roughly: a
    floor for the reports, and twice the extract (its snapshot, the reconciliation's files).
    A legacy database's tables are not counted: nothing here knows their size."""
    size = 0
    if extract is not None and extract.is_dir():
        try:
            size = sum(path.stat().st_size for path in extract.rglob("*") if path.is_file())
        except OSError:
            size = 0  # a file gone or unreadable while counted: its extractor says so, by name
    return MIN_FREE + PER_SOURCE_BYTE * size


def _mb(size: int) -> str:
    return f"{size / 2 ** 20:,.0f}"
