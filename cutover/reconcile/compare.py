"""Compare two sides row by row on a key, in DuckDB: one hash join that spills to disk, on both cores.

A side is a Parquet file of facts (read by DuckDB itself, no data frame in between) or frames a
chunk at a time (written to a Parquet file in the scratch folder first). The join runs in an
in-process DuckDB with a bounded memory and the scratch folder to spill to, so memory stays
bounded at any size, and only the rows that differ come back to Python, in key order, a chunk
at a time. Keys are compared as text; missing values are equal to each other and to nothing
else (``IS NOT DISTINCT FROM``).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from cutover.target.copy_out import arrow_values

SIDES = ("left", "right")
MEMORY_LIMIT = "512MB"  # DuckDB's, beside the run's own; past it the join spills to the scratch folder
CHUNK_ROWS = 100_000  # rows of differences handed back at a time


@dataclass(frozen=True)
class FactsFile:
    """A side read from a Parquet file: with ``accepted``, only the rows whose ``rejected`` is
    false. Where a key occurs more than once, its first row in the file is the side's row."""

    path: Path
    accepted: bool = False


Side = FactsFile | Iterable[pd.DataFrame | pa.Table]


def bucket_count(rows: int, partition_rows: int) -> int:
    """Buckets of at most about ``partition_rows`` rows for ``rows`` rows on the larger side."""
    return max(1, -(-rows // max(partition_rows, 1)))


def bucket_numbers(frame: pd.DataFrame, key: list[str], buckets: int) -> np.ndarray:
    """The bucket (0 .. buckets - 1) of each row, by a hash of its key."""
    text = frame[key].astype("str").fillna("")
    hashes = pd.util.hash_pandas_object(text, index=False).to_numpy()
    return (hashes % np.uint64(buckets)).astype("int64")


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _arrow_column(series: pd.Series) -> pa.Array:
    """A frame's column as DuckDB should compare it: whole numbers as int64, flags as bool, the rest as text."""
    if pd.api.types.is_bool_dtype(series.dtype):
        return arrow_values(series, pa.bool_())
    return arrow_values(series, pa.int64() if pd.api.types.is_integer_dtype(series.dtype) else pa.string())


def _written(frames: Iterable[pd.DataFrame | pa.Table], columns: list[str], path: Path) -> pa.Schema | None:
    """Write the frames' (or Arrow tables') ``columns`` to ``path``; their schema, or None when there were no rows."""
    writer: pq.ParquetWriter | None = None
    try:
        for frame in frames:
            if not len(frame):
                continue
            table = frame.select(columns) if isinstance(frame, pa.Table) else \
                pa.table({column: _arrow_column(frame[column]) for column in columns})
            if writer is None:
                # read once, soon: lz4 without dictionaries writes 4M balance rows in 0.9 s (snappy's default 1.4 s)
                writer = pq.ParquetWriter(path, table.schema, compression="lz4", use_dictionary=False)
            writer.write_table(table.cast(writer.schema))
    finally:
        if writer is not None:
            writer.close()
    return writer.schema if writer is not None else None


class _Comparison:
    """One DuckDB connection in a scratch folder of its own, with both sides as views."""

    def __init__(self, scratch: Path) -> None:
        import duckdb

        self.folder = scratch / "compare"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.db = duckdb.connect(config={"memory_limit": MEMORY_LIMIT, "temp_directory": str(self.folder / "spill"),
                                         "preserve_insertion_order": False})

    def side(self, name: str, side: Side, key: list[str], values: list[str]) -> pa.Schema | None:
        """View ``name`` of the side's key and value columns; their types (None: no rows)."""
        columns = key + values
        if isinstance(side, FactsFile):
            if pq.ParquetFile(side.path).metadata.num_rows == 0:
                return None
            raw = self.db.read_parquet(str(side.path), file_row_number=True)
            if side.accepted:
                raw = raw.filter("NOT rejected")
            raw = raw.project(", ".join(_quoted(c) for c in [*columns, "file_row_number"]))
            raw.create_view(f"{name}_raw")
            keys = ", ".join(_quoted(k) for k in key)
            repeated = self.db.execute(f"SELECT 1 FROM {name}_raw GROUP BY {keys} HAVING count(*) > 1 LIMIT 1").fetchall()
            if repeated:  # the first row of each key, in the file's order
                firsts = ", ".join(f"arg_min({_quoted(v)}, file_row_number) AS {_quoted(v)}" for v in values)
                self.db.sql(f"CREATE VIEW {name} AS SELECT {keys}{', ' if values else ''}{firsts} "
                            f"FROM {name}_raw GROUP BY {keys}")
            else:
                self.db.sql(f"CREATE VIEW {name} AS SELECT {', '.join(_quoted(c) for c in columns)} FROM {name}_raw")
            schema = pq.read_schema(side.path)
            return pa.schema([schema.field(c) for c in columns])
        path = self.folder / f"{name}.parquet"
        schema = _written(side, columns, path)
        if schema is not None:
            self.db.read_parquet(str(path)).create_view(name)
        return schema

    def close(self) -> None:
        self.db.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def _join_sql(key: list[str], values: list[str], types: dict[str, tuple[pa.DataType, pa.DataType]]) -> str:
    """The rows on one side only or whose values differ, with ``<value>_left`` / ``_right`` and ``side``."""
    def compared(column: str, side: str) -> str:
        left_type, right_type = types[column]
        plain = left_type == right_type and column not in key
        return f"{side}.{_quoted(column)}" if plain else f"CAST({side}.{_quoted(column)} AS VARCHAR)"

    keys = [f"coalesce({compared(k, 'l')}, {compared(k, 'r')}) AS {_quoted(k)}" for k in key]
    sides = [f"l.{_quoted(v)} AS {_quoted(v + '_left')}, r.{_quoted(v)} AS {_quoted(v + '_right')}" for v in values]
    on = " AND ".join(f"{compared(k, 'l')} IS NOT DISTINCT FROM {compared(k, 'r')}" for k in key)
    differs = " OR ".join(f"{compared(v, 'l')} IS DISTINCT FROM {compared(v, 'r')}" for v in values)
    return (f"SELECT {', '.join(keys + sides)}, CASE WHEN l._here IS NULL THEN 'right' "
            f"WHEN r._here IS NULL THEN 'left' ELSE 'both' END AS side "
            f"FROM (SELECT *, true AS _here FROM left_side) l FULL OUTER JOIN (SELECT *, true AS _here FROM right_side) r "
            f"ON {on} "
            f"WHERE l._here IS NULL OR r._here IS NULL{f' OR {differs}' if differs else ''} "
            f"ORDER BY {', '.join(str(n + 1) for n in range(len(key)))}")


def _frame(batch: pa.RecordBatch) -> pd.DataFrame:
    return batch.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)


def compare_keyed(left: Side, right: Side, key: list[str], values: list[str], scratch: Path) -> Iterator[pd.DataFrame]:
    """Join the two sides on ``key``.

    Yields the rows that are on one side only or whose ``values`` differ, in key order, a chunk
    at a time: the key, ``<value>_left`` / ``<value>_right`` and ``side`` ("left", "right" or
    "both"). A frame side's keys are unique; a facts file's first row of a key is its row.
    """
    comparison = _Comparison(scratch)
    try:
        schemas = [comparison.side(f"{name}_side", side, key, values) for name, side in zip(SIDES, (left, right))]
        if schemas[0] is None and schemas[1] is None:
            return
        known = next(schema for schema in schemas if schema is not None)
        for name, schema in zip(SIDES, schemas):
            if schema is None:  # no rows: an empty view of the other side's columns
                columns = ", ".join(f"CAST(NULL AS {_duck_type(known.field(c).type)}) AS {_quoted(c)}" for c in known.names)
                comparison.db.sql(f"CREATE VIEW {name}_side AS SELECT {columns} WHERE false")
        schemas = [schema if schema is not None else known for schema in schemas]
        types = {c: (schemas[0].field(c).type, schemas[1].field(c).type) for c in key + values}
        for batch in comparison.db.sql(_join_sql(key, values, types)).to_arrow_reader(CHUNK_ROWS):
            if batch.num_rows:
                yield _frame(batch)
    finally:
        comparison.close()


def _duck_type(kind: pa.DataType) -> str:
    return "BIGINT" if pa.types.is_integer(kind) else "BOOLEAN" if pa.types.is_boolean(kind) else "VARCHAR"


def _text(series: pd.Series) -> pd.Series:
    return series.astype("object").where(series.notna(), None)


def _differ(a: pd.Series, b: pd.Series) -> pd.Series:
    """Where two columns of the same kind differ; missing equals missing only. Compared in their
    own dtype (Int64 kopecks, text), which is far faster than as Python objects."""
    try:
        equal = (a == b).fillna(False).astype(bool)
    except TypeError:  # kinds pandas will not compare directly
        equal = (_text(a) == _text(b)).astype(bool)
    return ~(equal | (a.isna() & b.isna()))


def value_changes(found: pd.DataFrame, values: list[str]) -> pd.DataFrame:
    """For rows on both sides, one row per value that differs: the key columns, ``column``,
    ``left`` and ``right``."""
    both = found[found["side"] == "both"]
    rows = []
    for value in values:
        changed = _differ(both[f"{value}_left"], both[f"{value}_right"])
        if changed.any():
            a, b = _text(both[f"{value}_left"]), _text(both[f"{value}_right"])
            rows.append(pd.DataFrame({"_at": both.index[changed], "column": value, "left": a[changed].to_numpy(),
                                      "right": b[changed].to_numpy()}))
    if not rows:
        return pd.DataFrame(columns=["_at", "column", "left", "right"])
    return pd.concat(rows, ignore_index=True).sort_values("_at", kind="stable")
