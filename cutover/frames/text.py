"""Text columns as Arrow arrays and back, without a Python object per value where pandas
already keeps them in Arrow (the ``str`` dtype)."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa


def arrow_text(values: pd.Series | pd.Index) -> pa.LargeStringArray:
    """The values as one Arrow large string array, missing values null. A ``str`` column is
    Arrow already (no copy of its values); any other is read value by value, as text."""
    series = pd.Series(values, copy=False)
    if isinstance(series.dtype, pd.StringDtype) and series.dtype.storage == "pyarrow":
        array = pa.array(series.array, type=pa.large_string())
    else:
        objects = series.astype("object")
        array = pa.array(objects.where(objects.notna(), None).to_numpy(), type=pa.large_string(), from_pandas=True)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks() if array.num_chunks else pa.array([], type=pa.large_string())
    return array


def text_series(array: pa.Array, index: pd.Index) -> pd.Series:
    """An Arrow string array as a ``str`` column on ``index`` (null is missing)."""
    return pd.Series(pd.array(array, dtype="str"), index=index)
