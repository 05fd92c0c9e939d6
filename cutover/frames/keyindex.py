"""A compact lookup of legacy keys: what a run keeps of every parent between entities.

A million accounts' keys in a pandas Index cost a Python string and a hash-table slot each,
for as long as the run lasts. Here the keys are one Arrow string array (about the key's
bytes plus 8) with the values looked up beside them (target ids, a column children's rules
read); a lookup hashes the keys once per call, inside Arrow.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cutover.frames.text import arrow_text


class KeyIndex:
    """Distinct legacy keys, optionally each with a value."""

    def __init__(self, keys: pa.Array, values: np.ndarray | None = None) -> None:
        self.keys, self.values = keys, values

    @classmethod
    def of(cls, keys: pd.Index | pd.Series, values: pd.Series | np.ndarray | None = None) -> "KeyIndex":
        return cls(arrow_text(keys), None if values is None else np.asarray(values))

    @classmethod
    def union(cls, parts: list["KeyIndex"]) -> "KeyIndex":
        """Parts holding different keys, as one index."""
        if not parts:
            return cls(pa.array([], type=pa.large_string()), np.array([], dtype="int64"))
        keys = pa.concat_arrays([part.keys for part in parts])
        values = None if any(part.values is None for part in parts) else np.concatenate([p.values for p in parts])
        return cls(keys, values)

    def __len__(self) -> int:
        return len(self.keys)

    def _positions(self, keys: pd.Series) -> np.ndarray:
        found = pc.index_in(arrow_text(keys), value_set=self.keys)
        return found.fill_null(-1).to_numpy(zero_copy_only=False)

    def contains(self, keys: pd.Series) -> pd.Series:
        """Which of ``keys`` are here."""
        return pd.Series(self._positions(keys) >= 0, index=keys.index)

    def get(self, keys: pd.Series, dtype: str = "Int64") -> pd.Series:
        """The value of each of ``keys`` (missing where a key is not here)."""
        positions = self._positions(keys)
        found = positions >= 0
        result = pd.Series(pd.NA, index=keys.index, dtype=dtype)
        if found.any():
            result[found] = self.values[positions[found]]
        return result
