"""Partitions: an entity's mapped rows, split into parts small enough to check and load at once.

Every check that compares rows with each other needs those rows in one part: rows sharing a
legacy key (duplicates, merged items) and readings of one meter (readings going down). So
rows are split by a hash of their legacy key, or of the parent key the entity's rules group
by when the legacy key contains it (else, rarely, the entity stays in one part). Parts wait on disk,
as pickled frames in the run's scratch folder, until their turn; with one part nothing
leaves memory.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pandas as pd

from cutover.frames.spill import SpillFile
from cutover.mapping.model import EntityMapping
from cutover.pipeline.rules import GROUPED_BY

PENDING_ROWS = 100_000  # rows all parts together gather in memory before they go to their files


@dataclass(frozen=True)
class PartitionPlan:
    """How an entity's rows are split: by which column, into how many parts."""

    column: str
    parts: int


def plan_partitions(mapping: EntityMapping, input_rows: int, partition_rows: int) -> PartitionPlan:
    """The plan for an entity of about ``input_rows`` rows, at most ``partition_rows`` a part."""
    parts = max(1, math.ceil(input_rows / partition_rows))
    group = GROUPED_BY.get(mapping.entity)
    ref = next((r for r in mapping.refs if r.entity == group), None)
    if ref is None:
        return PartitionPlan("_key", parts)
    if ref.key and set(ref.key) <= set(mapping.key):
        return PartitionPlan(f"_ref_{ref.target}", parts)  # rows of one key share the parent too
    return PartitionPlan("_key", 1)


@dataclass
class _Part:
    pending: list[tuple[pd.DataFrame, pd.DataFrame]]
    file: SpillFile
    rows: int = 0


class Partitions:
    """Mapped rows (with the source rows they came from) gathered into the parts of a plan."""

    def __init__(self, plan: PartitionPlan, scratch: Path, name: str) -> None:
        self.plan = plan
        self._parts = [_Part([], SpillFile(scratch / f"{name}.{number}.pickle")) for number in range(plan.parts)]

    def add(self, frame: pd.DataFrame, source: pd.DataFrame) -> None:
        """Add mapped rows and their source rows (same index) to their parts."""
        if self.plan.parts == 1:
            self._parts[0].pending.append((frame, source))
            return
        hashes = pd.util.hash_pandas_object(frame[self.plan.column], index=False).to_numpy()
        numbers = hashes % self.plan.parts
        for number, part in enumerate(self._parts):
            chosen = numbers == number
            if chosen.any():
                part.pending.append((frame[chosen], source[chosen]))
                part.rows += int(chosen.sum())
        if sum(part.rows for part in self._parts) >= PENDING_ROWS:
            for part in self._parts:
                _flush(part)

    def __iter__(self) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
        """Each part's rows in source order, as (mapped frame, source frame) indexed from 0."""
        for part in self._parts:
            pieces = [*part.file, *part.pending]  # what went to disk came first
            part.pending = []
            part.file.remove()
            if pieces:
                yield _joined(pieces)

    def close(self) -> None:
        """Drop what is left (a run that stopped half-way)."""
        for part in self._parts:
            part.file.remove()


def _flush(part: _Part) -> None:
    if part.pending:
        part.file.append(_joined(part.pending))
        part.pending, part.rows = [], 0


def _joined(pieces: list[tuple[pd.DataFrame, pd.DataFrame]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    if len(pieces) == 1:
        frame, source = pieces[0]
        return frame.reset_index(drop=True), source.reset_index(drop=True)
    return (pd.concat([f for f, _ in pieces], ignore_index=True),
            pd.concat([s for _, s in pieces], ignore_index=True))

