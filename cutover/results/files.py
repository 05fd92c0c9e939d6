"""The reconciliation's own Parquet files in a run's folder: written a frame at a time, read back
a chunk at a time (``reports/<run-id>/reconcile/``)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

CHUNK_ROWS = 250_000
_EXACT = {pa.int64(): pd.Int64Dtype()}  # never float64, which pyarrow gives an integer column with nulls


class ParquetRows:
    """Frames appended to one Parquet file of a fixed schema; the file exists once a row is written
    (or ``always``: even with none)."""

    def __init__(self, path: Path, schema: pa.Schema, always: bool = False) -> None:
        self.path, self.schema, self.written = path, schema, False
        self.writer = pq.ParquetWriter(path, schema) if always else None

    def write(self, frame: pd.DataFrame) -> None:
        if frame.empty:
            return
        rows = frame.reindex(columns=self.schema.names)
        self.writer = self.writer or pq.ParquetWriter(self.path, self.schema)
        self.writer.write_table(pa.Table.from_pandas(rows, schema=self.schema, preserve_index=False))

    def close(self) -> Path | None:
        """Finish the file (again: no harm); its path, or None if no row was ever written."""
        if self.writer is not None:
            self.writer.close()
            self.writer, self.written = None, True
        return self.path if self.written else None


def text_schema(columns: list[str]) -> pa.Schema:
    return pa.schema([(column, pa.string()) for column in columns])


def rows_of(path: Path | None, columns: list[str], chunk_rows: int = CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    """The rows of a file, a frame at a time; one empty frame of ``columns`` if there is no file."""
    if path is None or not Path(path).exists():
        yield pd.DataFrame(columns=columns)
        return
    for batch in pq.ParquetFile(path).iter_batches(batch_size=chunk_rows):
        yield batch.to_pandas(types_mapper=_EXACT.get)  # kopecks stay integers where some are missing


def row_count(path: Path) -> int:
    return pq.ParquetFile(path).metadata.num_rows if path.exists() else 0
