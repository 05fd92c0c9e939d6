"""Progress of long work: stage n/N, part i/n, rows of the total, rows/s, elapsed and ETA on a
terminal (drawn with rich); nothing at all in cron or a pipe.

The library tells a :class:`Progress` what it does: :meth:`~Progress.plan` (the stages ahead,
and the rows and parts each will count once that is known), :meth:`~Progress.stage` (a stage
begins, or is met again for its next part), :meth:`~Progress.advance` (rows done) and
:meth:`~Progress.done`. Which progress a command gets is decided in one place,
:func:`progress_for`; rich is imported only once a terminal shows a stage.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TextIO


@dataclass(frozen=True)
class PlannedStage:
    """One stage of the work ahead: the names progress is shown under while in it (``map meter``,
    ``check meter``, ``load meter``), the rows a name will count (when known: the extract's
    snapshots know their row counts) and the parts a name is done in (each visit is one part)."""

    names: tuple[str, ...]
    rows: Mapping[str, int] = field(default_factory=dict)
    parts: Mapping[str, int] = field(default_factory=dict)


class Progress:
    """Silent progress: what the library uses when nobody watches."""

    def plan(self, stages: Sequence[PlannedStage]) -> None:
        """The stages ahead, in order; told again when more is known (the rows, after the extract)."""

    def stage(self, name: str, total: int | None = None) -> None:
        """A stage starts, or is met again (its next part); ``total``: the rows it will count, if known."""

    def advance(self, rows: int) -> None:
        """``rows`` more rows are done in the current stage."""

    def done(self) -> None:
        """All work is done."""


@dataclass(frozen=True)
class Shown:
    """What a person waiting is shown at one moment (``None``: not known, not shown)."""

    name: str
    number: int | None  # the stage's number of ``stages``
    stages: int | None
    part: int | None  # the part's number of ``parts``
    parts: int | None
    rows: int
    total: int | None
    rate: float | None  # rows a second in this stage
    elapsed: float  # seconds since the first stage
    eta: float | None  # seconds left in this stage, at its rate

    @property
    def percent(self) -> int | None:
        return min(100, self.rows * 100 // self.total) if self.total else None


@dataclass
class _Visited:
    rows: int = 0
    seconds: float = 0.0  # in it before the current visit
    visits: int = 0
    total: int | None = None


class Watch:
    """Keeps what progress shows, apart from how it is drawn: the stage's number in the plan (it
    never goes back: a parent loaded with a later entity is shown at that entity's number; a name
    the plan does not list, ``load rejects`` or ``reconcile: counts``, keeps the number it comes
    under), the part (the visit's number, while within the parts planned), rows of the total,
    the rate in this stage and its ETA."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._began: float | None = None
        self._since = 0.0
        self._number_of: dict[str, int] = {}
        self._rows_of: Mapping[str, int] = {}
        self._parts_of: Mapping[str, int] = {}
        self._visited: dict[str, _Visited] = {}
        self.stages = 0
        self.number = 0
        self.name = ""

    def plan(self, stages: Sequence[PlannedStage]) -> None:
        self.stages = len(stages)
        self._number_of = {name: number for number, stage in enumerate(stages, 1) for name in stage.names}
        self._rows_of = {name: rows for stage in stages for name, rows in stage.rows.items()}
        self._parts_of = {name: parts for stage in stages for name, parts in stage.parts.items()}
        self.number = max(self.number, self._number_of.get(self.name, 0))

    def stage(self, name: str, total: int | None = None) -> None:
        now = self._clock()
        if self._began is None:
            self._began = now
        if self.name:
            self._visited[self.name].seconds += now - self._since
        visited = self._visited.setdefault(name, _Visited())
        visited.visits += 1
        if total is not None:
            visited.total = total
        self.name, self._since = name, now
        self.number = max(self.number, self._number_of.get(name, 0))

    def advance(self, rows: int) -> None:
        if self.name:
            self._visited[self.name].rows += rows

    def shown(self) -> Shown | None:
        """What to show now; None before the first stage."""
        if not self.name:
            return None
        now, visited = self._clock(), self._visited[self.name]
        seconds = visited.seconds + now - self._since
        total = visited.total if visited.total is not None else self._rows_of.get(self.name)
        parts = self._parts_of.get(self.name, 1)
        part = visited.visits if parts > 1 and visited.visits <= parts else None
        rate = visited.rows / seconds if visited.rows and seconds > 0 else None
        eta = (total - visited.rows) / rate if total and rate and visited.rows < total else None
        return Shown(self.name, self.number or None, self.stages or None, part, parts if part else None,
                     visited.rows, total or None, rate, now - (self._began or now), eta)


def clock_time(seconds: float) -> str:
    """``0:03:07``: hours, minutes and seconds."""
    whole = int(seconds)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def line_parts(shown: Shown) -> tuple[str, str]:
    """The text before the bar (stage, part, rows) and after it (percent, rate, elapsed, ETA)."""
    where = f"{shown.number}/{shown.stages} " if shown.number and shown.stages else ""
    part = f", part {shown.part}/{shown.parts}" if shown.part else ""
    if shown.total:
        rows = f": {shown.rows:,}/{shown.total:,} rows"
    else:
        rows = f": {shown.rows:,} rows" if shown.rows else ""
    after = [f"{shown.percent}%"] if shown.total else []
    if shown.rate:
        after.append(f"{shown.rate:,.0f} rows/s")
    after.append(f"elapsed {clock_time(shown.elapsed)}")
    if shown.eta is not None:
        after.append(f"ETA {clock_time(shown.eta)}")
    return f"{where}{shown.name}{part}{rows}", " · ".join(after)


class TerminalProgress(Progress):
    """Progress drawn on a terminal (stderr) with rich: the stage, its part and rows on one line,
    a bar (once the stage's total is known), the rate, elapsed time and ETA on the next; redrawn a
    few times a second, erased when the work is done."""

    def __init__(self, stream: TextIO = sys.stderr, refresh_per_second: float = 4,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._stream = stream
        self._refresh_per_second = refresh_per_second
        self._clock = clock
        self.watch = Watch(clock)
        self._live = None

    def _start(self) -> None:
        # only a terminal that shows progress pays for rich
        from rich.console import Console
        from rich.live import Live

        console = Console(file=self._stream, highlight=False)
        self._live = Live(get_renderable=self._renderable, console=console, auto_refresh=True,
                          refresh_per_second=self._refresh_per_second, transient=True, redirect_stdout=False,
                          redirect_stderr=False)
        self._live.start()

    def _renderable(self):
        from rich.console import Group
        from rich.progress_bar import ProgressBar
        from rich.table import Table
        from rich.text import Text

        shown = self.watch.shown()
        if shown is None:
            return Text("")
        before, after = line_parts(shown)  # two lines: each fits 80 columns
        below = Table.grid(padding=(0, 1))
        cells = [Text(after)]
        if shown.total:
            cells.insert(0, ProgressBar(total=shown.total, completed=min(shown.rows, shown.total), width=24))
        for _ in cells:
            below.add_column(no_wrap=True)
        below.add_row(*cells)
        return Group(Text(before, style="bold", no_wrap=True, overflow="ellipsis"), below)

    def _show(self, force: bool = False) -> None:
        """Draw now (rich redraws a few times a second by itself)."""
        if self._live is not None:
            self._live.refresh()

    def plan(self, stages: Sequence[PlannedStage]) -> None:
        self.watch.plan(stages)

    def stage(self, name: str, total: int | None = None) -> None:
        self.watch.stage(name, total)
        if self._live is None:
            self._start()
        self._show(force=True)

    def advance(self, rows: int) -> None:
        self.watch.advance(rows)

    def done(self) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None
        self.watch = Watch(self._clock)  # what comes after is other work (a demo's copy after its dry run)


def progress_for(stream: TextIO, quiet: bool = False) -> Progress:
    """Terminal progress when ``stream`` is a terminal and not quiet, else silence (cron, a pipe)."""
    is_terminal = getattr(stream, "isatty", None)
    return TerminalProgress(stream) if is_terminal is not None and is_terminal() and not quiet else Progress()


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

    def stage(self, name: str, total: int | None = None) -> None:
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

    def plan(self, stages: Sequence[PlannedStage]) -> None:
        self.shown.plan(stages)

    def stage(self, name: str, total: int | None = None) -> None:
        self._log_ended()
        self.clock.stage(name)
        if total is None:  # a progress written before ``total`` still takes one name
            self.shown.stage(name)
        else:
            self.shown.stage(name, total)

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
