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


class StageClock(Progress):
    """Progress that remembers how long each stage took, how many rows it counted, and the
    process's peak memory when it ended (for benchmarks; prints nothing)."""

    def __init__(self) -> None:
        self.stages: list[dict] = []

    def _close(self) -> None:
        if self.stages and "seconds" not in self.stages[-1]:
            current = self.stages[-1]
            current["seconds"] = time.perf_counter() - current.pop("started")
            current["peak_mb"] = _peak_mb()

    def stage(self, name: str) -> None:
        self._close()
        self.stages.append({"stage": name, "rows": 0, "started": time.perf_counter()})

    def advance(self, rows: int) -> None:
        if self.stages:
            self.stages[-1]["rows"] += rows

    def done(self) -> None:
        self._close()


def _peak_mb() -> float:
    import resource  # POSIX only; benchmarks run on the project's Linux machines

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Timed(Progress):
    """Progress shown by ``shown`` (a terminal's, or silence) and timed: each stage's seconds and
    rows, for summary.json and the line a run ends with, and a log line as each stage ends
    (logger ``cutover``: stage names and counts only, never a value of the data)."""

    def __init__(self, shown: Progress | None = None) -> None:
        self.shown = shown or Progress()
        self.clock = StageClock()
        self._started = time.perf_counter()

    def stage(self, name: str) -> None:
        self._log_ended()
        self.clock.stage(name)
        self.shown.stage(name)

    def advance(self, rows: int) -> None:
        self.clock.advance(rows)
        self.shown.advance(rows)

    def done(self) -> None:
        self._log_ended()
        self.clock.done()
        self.shown.done()

    def _log_ended(self) -> None:
        if self.clock.stages and "seconds" not in self.clock.stages[-1]:
            current = self.clock.stages[-1]
            seconds = time.perf_counter() - current["started"]
            _log().info("stage %s: %.2f s, %d rows", current["stage"], seconds, current["rows"])

    def timings(self) -> list[dict]:
        """The stages so far, each name once in the order first met (a stage met again, as
        ``check meter`` is for each part, adds up): ``{"stage", "seconds", "rows"}``; the one
        running counts until now."""
        totals: dict[str, dict] = {}
        now = time.perf_counter()
        for stage in self.clock.stages:
            seconds = stage.get("seconds", now - stage.get("started", now))
            total = totals.setdefault(stage["stage"], {"stage": stage["stage"], "seconds": 0.0, "rows": 0})
            total["seconds"] += seconds
            total["rows"] += stage["rows"]
        return [{**total, "seconds": round(total["seconds"], 3)} for total in totals.values()]

    def elapsed(self) -> float:
        """Seconds since the work began."""
        return time.perf_counter() - self._started


def peak_mb() -> float:
    """The process's peak resident memory so far, in MB."""
    return round(_peak_mb(), 1)


def _log():
    import logging

    return logging.getLogger("cutover")
