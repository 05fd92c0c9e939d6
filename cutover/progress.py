"""Progress of long work: stage and rows on a terminal, nothing in cron or a pipe."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Silent progress: what the library uses when nobody watches."""

    def stage(self, name: str) -> None:
        """A new stage starts."""

    def advance(self, rows: int) -> None:
        """``rows`` more rows are done in the current stage."""

    def done(self) -> None:
        """All work is done."""


class TerminalProgress(Progress):
    """One self-rewriting status line on a terminal (stderr)."""

    def __init__(self, stream: TextIO = sys.stderr, interval: float = 0.2):
        self._stream = stream
        self._interval = interval
        self._name = ""
        self._rows = 0
        self._shown = 0.0

    def _show(self, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self._shown >= self._interval:
            rows = f": {self._rows:,} rows" if self._rows else ""
            self._stream.write(f"\r\033[K{self._name}{rows}")
            self._stream.flush()
            self._shown = now

    def stage(self, name: str) -> None:
        self._name, self._rows = name, 0
        self._show(force=True)

    def advance(self, rows: int) -> None:
        self._rows += rows
        self._show()

    def done(self) -> None:
        self._stream.write("\r\033[K")
        self._stream.flush()


def progress_for(stream: TextIO, quiet: bool = False) -> Progress:
    """Terminal progress when ``stream`` is a terminal and not quiet, else silence."""
    return TerminalProgress(stream) if stream.isatty() and not quiet else Progress()
