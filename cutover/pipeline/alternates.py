"""A parent's other key: children that refer to it by a surrogate id (``lic_schet.id``) are told
its legacy key (the account number), which the key map keeps.

Legacy SQL schemas refer by surrogate id while the business key is the account number. A
reference with ``parent_key = ["id"]`` names the parent's columns its ``key`` equals; the
parent's rows give each such value its legacy key. A value two of the parent's keys share names
no one parent: children that use it are orphans, and the message says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from cutover.mapping.apply.fit import fit_keys
from cutover.mapping.apply.mapstage import join_key


@dataclass(frozen=True)
class AlternateKey:
    """One alternate key of a parent: which legacy key each of its values names."""

    pairs: pd.DataFrame  # distinct (alternate, key) of the parent's rows

    @classmethod
    def of(cls, alternate: pd.Series, keys: pd.Series) -> "AlternateKey":
        """From the alternate values and the legacy keys of the same rows."""
        pairs = pd.DataFrame({"alternate": alternate.to_numpy(), "key": keys.to_numpy()})
        return cls(pairs.dropna().drop_duplicates(ignore_index=True))

    @classmethod
    def read(cls, source: pd.DataFrame, columns: tuple[str, ...], keys: pd.Series) -> "AlternateKey":
        """From the parent's input rows: ``columns`` spelled as a reference spells them."""
        return cls.of(fit_keys(join_key(source[list(columns)]))[0], keys)

    @classmethod
    def combine(cls, parts: list["AlternateKey"]) -> "AlternateKey":
        """One entity's alternate key from its parts' (a value may recur across parts)."""
        if not parts:
            return cls(pd.DataFrame({"alternate": pd.Series(dtype="str"), "key": pd.Series(dtype="str")}))
        return cls(pd.concat([p.pairs for p in parts], ignore_index=True).drop_duplicates(ignore_index=True))

    @cached_property
    def _repeated(self) -> pd.Series:
        return self.pairs["alternate"].duplicated(keep=False)

    @cached_property
    def legacy(self) -> pd.Series:
        """Alternate value -> legacy key, of the values that name one key."""
        return self.pairs[~self._repeated].set_index("alternate")["key"]

    @cached_property
    def shared(self) -> pd.Series:
        """Alternate value -> the legacy keys it names (``'A', 'B'``), of the values that name several."""
        return self.pairs[self._repeated].groupby("alternate", sort=False)["key"].agg(
            lambda keys: ", ".join(repr(k) for k in sorted(keys)))

    def legacy_keys(self, values: pd.Series) -> pd.Series:
        """The legacy key each value names; missing where it names none or several."""
        return values.map(self.legacy)
