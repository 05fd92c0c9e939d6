"""Mapping an entity's batches on several cores, with the result of mapping them one by one.

Mapping a batch (``map_entity``: every transform of every column, the keys, the rejects of its
rows) needs nothing but the batch, the entity's mapping and the source rules' failures, so the
batches of an entity are mapped side by side in worker processes while this process reads and
shapes the next ones and files the mapped ones into parts. Results are taken back in the order
the batches were read, and each batch's rejects are added to the run's log in that order: the
parts, the rejects and everything after them are what a run on one core gives, row for row.

An entity read in one batch is mapped here, without workers: a small run never starts a process.
Workers are started once a run first needs them (``spawn``: nothing of this process's state, its
connections or threads, is copied into them) and stopped when the run's load ends.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import chain, islice

import pandas as pd

from cutover.mapping.apply.mapstage import MappedEntity, map_entity
from cutover.mapping.apply.rejects import RejectLog
from cutover.mapping.apply.shape import ShapedRows
from cutover.mapping.apply.source_checks import SourceFailures
from cutover.mapping.model import EntityMapping
from cutover.schema.definition import TableDef


def _map_batch(mapping: EntityMapping, table: TableDef, location: str, rows: pd.DataFrame,
               failures: SourceFailures) -> tuple[pd.DataFrame, list[tuple[str, pd.DataFrame]]]:
    """In a worker: one batch mapped, and the rejects it gave, in the order found."""
    rejects = RejectLog()
    mapped = map_entity(mapping, table, location, rows, rejects, failures)
    return mapped.frame, rejects.parts()


def _ignore_stop_signals() -> None:
    """In a worker: Ctrl-C (SIGINT to the terminal's whole process group) and SIGTERM are for the
    main process, which stops the run once and shuts the pool down; a worker stopped by them
    would only print a traceback of its own and break the pool under the main process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


class MapWorkers:
    """Worker processes that map batches (``count`` of them; 1 maps every batch here)."""

    def __init__(self, count: int) -> None:
        self.count = count
        self._pool: ProcessPoolExecutor | None = None

    def map_batches(self, mapping: EntityMapping, table: TableDef, location: str, batches: Iterable[ShapedRows],
                    rejects: RejectLog, failures: SourceFailures) -> Iterator[tuple[ShapedRows, MappedEntity]]:
        """Each shaped batch with its mapped rows, in the order read; rejects go to ``rejects``."""
        batches = iter(batches)
        ahead = list(islice(batches, 2))
        if len(ahead) < 2 or self.count <= 1:
            for shaped in chain(ahead, batches):
                yield shaped, map_entity(mapping, table, location, shaped.frame, rejects, failures)
            return
        pool = self._start()
        waiting: deque[tuple[ShapedRows, Future]] = deque()
        for shaped in chain(ahead, batches):
            waiting.append((shaped, pool.submit(_map_batch, mapping, table, location, shaped.frame, failures)))
            if len(waiting) > self.count:  # memory holds a few batches, however long the source
                yield self._taken(waiting.popleft(), mapping, location, rejects)
        while waiting:
            yield self._taken(waiting.popleft(), mapping, location, rejects)

    @staticmethod
    def _taken(job: tuple[ShapedRows, Future], mapping: EntityMapping, location: str,
               rejects: RejectLog) -> tuple[ShapedRows, MappedEntity]:
        shaped, future = job
        frame, parts = future.result()
        rejects.extend(parts)
        return shaped, MappedEntity(mapping=mapping, source_file=location, frame=frame, source=shaped.frame)

    def _start(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.count, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_ignore_stop_signals)
        return self._pool

    def __enter__(self) -> MapWorkers:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

