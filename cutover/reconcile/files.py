"""The run's staged Parquet files, which moved below the controls that write them: ``cutover.results.files``.

Kept so that ``from cutover.reconcile.files import ...`` goes on working (an import down the layers).
"""

from cutover.results.files import (
    CHUNK_ROWS,
    ParquetRows,
    row_count,
    rows_of,
    text_schema,
)

__all__ = ["CHUNK_ROWS", "ParquetRows", "row_count", "rows_of", "text_schema"]
