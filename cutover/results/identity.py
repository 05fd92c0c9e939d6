"""What names one source item across the run: its file or table, its row and its legacy key."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

SEPARATOR = "\x1f"  # between the parts of a row's identity; never in a file name, number or key


def row_identity(sources: pd.Series, rows: pd.Series, keys: pd.Series) -> pd.Series:
    """What names one source item: its file or table, its row and its legacy key."""
    return sources.astype("str") + SEPARATOR + rows.astype("int64").astype("str") + SEPARATOR + keys.astype("str")
