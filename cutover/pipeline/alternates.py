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
from cutover.mapping.model import EntityMapping


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


class AlternateKeys:
    """The alternate keys of the entities mapped so far, gathered part by part, for mapping
    children again without the check stage (a reconciliation that maps the sources again)."""

    def __init__(self) -> None:
        self._parts: dict[tuple[str, tuple[str, ...]], list[AlternateKey]] = {}
        self._whole: dict[tuple[str, tuple[str, ...]], AlternateKey] = {}

    def add(self, entity: EntityMapping, source: pd.DataFrame, keys: pd.Series) -> None:
        """A part of ``entity``: its input rows and their legacy keys."""
        for columns in entity.alternate_keys:
            self._parts.setdefault((entity.entity, columns), []).append(AlternateKey.read(source, columns, keys))

    def tell_legacy_keys(self, entity: EntityMapping, frame: pd.DataFrame) -> None:
        """Each reference of ``frame`` by a ``parent_key`` becomes the legacy key it names (in place)."""
        for ref in entity.refs:
            if ref.parent_key:
                key = (ref.entity, ref.parent_key)
                if key not in self._whole:
                    self._whole[key] = AlternateKey.combine(self._parts.get(key, []))
                column = f"_ref_{ref.target}"
                frame[column] = self._whole[key].legacy_keys(frame[column])
