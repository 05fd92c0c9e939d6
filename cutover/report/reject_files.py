"""rejects.csv and rejects.parquet: every reject and warning of a run, beside report.xlsx, when
there are more than the project's ``[project] rejects_in_workbook``.

A workbook of a million reject rows takes minutes to write and more to open; past the setting
the Rejects sheet keeps the first rows of each rule (see :mod:`cutover.report.workbook`) and
every row goes here instead, a frame at a time, never the whole list in memory:

- ``rejects.csv`` for Excel as Russian offices run it: ``;``-separated, UTF-8 with a BOM (so
  Excel reads Cyrillic right), ``\\r\\n`` line ends, the Rejects sheet's header and columns, every
  value as the sheet's text (row numbers as whole numbers).
- ``rejects.parquet`` for scripts: the columns of the target's reject table
  (``REJECT_COLUMNS``), ``row_number`` as int64, every other column a string.

Each file is written to ``<name>.tmp`` and then renamed, so a reader never sees half of one. At
or below the setting neither is written, and the ones an earlier write of the same run folder
left (``cutover reconcile`` rewrites reports) are removed.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Iterator

import pandas as pd

from cutover.report.data import (
    REJECT_COLUMNS,
    REJECTS_CSV,
    REJECTS_PARQUET,
    RejectFiles,
    ReportData,
)
from cutover.report.workbook import REJECTS


def write_reject_files(report_dir: Path, data: ReportData, rejects_in_workbook: int) -> RejectFiles | None:
    """Write every reject of ``data`` to rejects.csv and rejects.parquet in ``report_dir`` when they
    are more than ``rejects_in_workbook``; else remove those files if an earlier write left them.

    Parameters
    ----------
    report_dir : Path
        The run's report folder (created if missing).
    data : ReportData
        The run's row sets; ``rejects`` is read once, a frame at a time, and only when the count
        (``data.count_rejects()``) is above the setting.
    rejects_in_workbook : int
        ``[project] rejects_in_workbook``: the rejects the Rejects sheet lists in full.

    Returns
    -------
    RejectFiles or None
        The files and the rows each holds; None when the Rejects sheet lists every reject.
    """
    csv_path, parquet_path = report_dir / REJECTS_CSV, report_dir / REJECTS_PARQUET
    if data.count_rejects() <= rejects_in_workbook:
        for stale in (csv_path, parquet_path):
            stale.unlink(missing_ok=True)
        return None
    report_dir.mkdir(parents=True, exist_ok=True)
    rows = _write_both(csv_path, parquet_path, data.rejects())
    return RejectFiles(rows)


def _write_both(csv_path: Path, parquet_path: Path, frames: Iterator[pd.DataFrame]) -> int:
    """Stream ``frames`` into both files (through ``.tmp`` names); the rows written."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(column, pa.int64() if column == "row_number" else pa.string())
                        for column in REJECT_COLUMNS])
    csv_tmp, parquet_tmp = _tmp(csv_path), _tmp(parquet_path)
    rows = 0
    try:
        with open(csv_tmp, "w", encoding="utf-8-sig", newline="") as text, \
                pq.ParquetWriter(parquet_tmp, schema) as parquet:
            writer = csv.writer(text, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
            writer.writerow(REJECTS.header)
            for frame in frames:
                typed = _typed(frame)
                writer.writerows(_csv_rows(typed))
                parquet.write_table(pa.Table.from_pandas(typed, schema=schema, preserve_index=False))
                rows += len(typed)
        os.replace(csv_tmp, csv_path)
        os.replace(parquet_tmp, parquet_path)
    finally:
        for left in (csv_tmp, parquet_tmp):
            left.unlink(missing_ok=True)
    return rows


def _tmp(path: Path) -> Path:
    return path.with_name(path.name + ".tmp")


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame's REJECT_COLUMNS as the sheet shows them: ``row_number`` a whole number (or
    missing), every other value its text (``str``, as the sheet writes it) or missing."""
    frame = frame.reindex(columns=REJECT_COLUMNS)
    return pd.DataFrame({
        column: (pd.to_numeric(frame[column]).astype("Int64") if column == "row_number"
                 else frame[column].astype("string"))
        for column in REJECT_COLUMNS
    })


def _csv_rows(typed: pd.DataFrame) -> Iterator[tuple]:
    """The rows in the Rejects sheet's column order, a missing value as None (an empty field)."""
    ordered = typed[REJECTS.columns].astype(object)
    return ordered.where(ordered.notna(), None).itertuples(index=False, name=None)
