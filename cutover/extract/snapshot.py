"""The extract stage: read every source the mapping uses, in chunks, and snapshot it.

The snapshot is the raw extract as Parquet (every value as text, with its row number)
plus the SHA-256 of the source file: what every later report refers to. A dry run keeps
no source in memory: later stages read the snapshot back a batch at a time. Without a
snapshot (``cutover check``) the rows are held in memory instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from cutover.errors import ConfigError
from cutover.extract import REGISTRY as EXTRACTORS
from cutover.extract import RecordTally, file_sha256
from cutover.mapping.model import SourceSpec, SystemMapping


@dataclass(frozen=True)
class ExtractedSource:
    """One source as read: its rows (as text), where they came from and a fingerprint."""

    name: str
    location: str  # what rejects call it: the file name, "table abonent"
    held: pd.DataFrame | None  # the rows, when kept in memory (no snapshot)
    sha256: str | None  # of the source file; None for a database
    details: dict  # how it was read (e.g. a detected encoding), for reports
    snapshot: Path | None
    row_count: int = 0
    columns: tuple[str, ...] = ()
    tally: RecordTally | None = None  # every physical record the extractor met (None: a run recorded before)

    @property
    def rows(self) -> pd.DataFrame:
        """Every row at once (``cutover check``); large sources use ``batches``."""
        return self.read()

    def read(self, columns: list[str] | None = None) -> pd.DataFrame:
        """Every row at once, of ``columns`` or all of them (a joined dictionary)."""
        if self.held is not None:
            return self.held if columns is None else self.held[columns]
        if self.row_count == 0:
            return pd.DataFrame(columns=list(columns or self.columns))
        return pq.read_table(self.snapshot, columns=columns).to_pandas()

    def batches(self, batch_rows: int, columns: list[str] | None = None) -> Iterator[pd.DataFrame]:
        """The rows in source order, at most ``batch_rows`` at a time, each batch indexed from 0."""
        if self.held is not None:
            frame = self.held if columns is None else self.held[columns]
            for start in range(0, len(frame), batch_rows):
                yield frame.iloc[start:start + batch_rows].reset_index(drop=True)
            return
        if self.row_count == 0:
            return
        for batch in pq.ParquetFile(self.snapshot).iter_batches(batch_size=batch_rows, columns=columns):
            yield batch.to_pandas()


@dataclass(frozen=True)
class ExtractResult:
    """Every source of a run."""

    sources: dict[str, ExtractedSource]


def needed_columns(mapping: SystemMapping) -> dict[str, set[str]]:
    """Per source the mapping reads, the columns it reads from it."""
    needed: dict[str, set[str]] = {}
    for entity in mapping.entities:
        for source, columns in entity.needed_columns().items():
            needed.setdefault(source, set()).update(columns)
    for source, rules in mapping.source_rules.items():  # source_rules.toml checks these too
        if source in needed:
            needed[source].update(checks.column for checks in rules.columns)
    return needed


def extract_source(spec: SourceSpec, source_dir: Path, needed: set[str], chunk_rows: int,
                   snapshot: Path | None | None, on_rows: Callable[[int], None]) -> ExtractedSource:
    """Read one source chunk by chunk into a Parquet snapshot, or into memory if ``snapshot`` is None."""
    extractor = EXTRACTORS[spec.format]
    chunks = []
    writer = None
    count = 0
    tally = RecordTally()
    try:
        for chunk in extractor.read(spec.options, source_dir, needed, chunk_rows, tally=tally):
            if snapshot is not None:
                table = pa.Table.from_pandas(chunk, preserve_index=False)
                writer = writer or pq.ParquetWriter(snapshot, table.schema)
                writer.write_table(table)
            else:
                chunks.append(chunk)
            count += len(chunk)
            on_rows(len(chunk))
    finally:
        if writer is not None:
            writer.close()
    held = None
    if snapshot is None:
        held = pd.concat(chunks, ignore_index=True) if chunks else pd.DataFrame(columns=["_row", *sorted(needed)])
    fingerprint = file_sha256(source_dir / spec.options["file"]) if "file" in spec.options else None
    details = extractor.details(spec.options, source_dir) if extractor.details else {}
    return ExtractedSource(spec.name, extractor.describe(spec.options, source_dir), held, fingerprint, details,
                           snapshot, count, ("_row", *sorted(needed)), tally)


def source_entry(source: ExtractedSource) -> dict:
    """How a run records one source it read (summary.json, the month-end's extract step): where it
    is, its rows, its SHA-256, how it was read and what became of its physical records."""
    entry = {"location": source.location, "rows": source.row_count, "sha256": source.sha256, **source.details}
    if source.tally is not None:
        entry["records"] = source.tally.to_dict()
    return entry


def extract_sources(mapping: SystemMapping, source_dir: Path, snapshot_dir: Path | None, chunk_rows: int,
                    progress) -> ExtractResult:
    """Extract every source the mapping's entities use (snapshots in ``snapshot_dir`` unless None)."""
    if snapshot_dir is not None:
        snapshot_dir.mkdir(parents=True, exist_ok=True)
    needed = needed_columns(mapping)
    sources = {}
    for name in (n for n in mapping.sources if n in needed):
        spec = mapping.sources[name]
        progress.stage(f"extract {EXTRACTORS[spec.format].describe(spec.options, source_dir)}")
        sources[name] = extract_source(
            mapping.sources[name], source_dir, needed[name], chunk_rows,
            snapshot_dir / f"{name}.parquet" if snapshot_dir is not None else None, progress.advance,
        )
    return ExtractResult(sources)


def snapshot_sources(mapping: SystemMapping, snapshot_dir: Path, summary_sources: dict) -> ExtractResult:
    """A run's extract as its snapshot kept it (``reports/<run-id>/snapshot``), described as the
    run's summary.json recorded it.

    Raises
    ------
    ConfigError
        The snapshot of a source the mapping reads is not there (exit code 2).
    """
    sources = {}
    for name in (n for n in mapping.sources if n in needed_columns(mapping)):
        recorded = dict(summary_sources.get(name) or {})
        path = snapshot_dir / f"{name}.parquet"
        if not recorded or (recorded.get("rows") and not path.exists()):
            raise ConfigError(f"the snapshot of source {name} is missing ({path}); reconcile with --live to read the "
                              f"sources again")
        location, rows, sha256 = recorded.pop("location"), recorded.pop("rows"), recorded.pop("sha256", None)
        tally = RecordTally.from_dict(recorded.pop("records", {}))
        columns = tuple(pq.ParquetFile(path).schema_arrow.names) if rows else ()
        sources[name] = ExtractedSource(name, location, None, sha256, recorded, path, rows, columns, tally)
    return ExtractResult(sources)
