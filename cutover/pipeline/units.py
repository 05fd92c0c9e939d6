"""The legacy record is the unit: a payer and a premise built for accounts go with them.

A legacy system keeping one row per account (name, address, account number) gives the target a
person, a premise and an account from each row. When the account is rejected (its payer's name
cannot be split, its address cannot be parsed, its number is duplicated), the person or premise
built from the same records would load with no account pointing at it. So the parents an entity
is the unit of (``UNIT_PARENTS`` in rules.py) are checked as usual but wait, on disk when there
are several parts, until every part of that entity is checked too; then a parent row that some
of its rows refer to, but no loaded one, is rejected (``ACCOUNT_REJECTED``, naming one of those
accounts and its first error rule), and the parents and then the entity are loaded. A parent no
row refers to at all (a payer without an account in the legacy data) stays, and so does one a
loaded row refers to (a communal flat of which one account loads).

What is kept of the entity between its check and the decision is, per parent, the keys its
loaded rows name (an Arrow index, as for any parent) and one row per rejected row: bounded by
the rejects, not by the rows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pandas as pd

from cutover.frames.keyindex import KeyIndex
from cutover.frames.spill import SpillFile
from cutover.mapping.apply.mapstage import MappedEntity
from cutover.mapping.apply.rejects import RejectLog
from cutover.mapping.model import EntityMapping, SystemMapping
from cutover.pipeline.rules import UNIT_PARENTS
from cutover.results.identity import row_identity


def rejected_rule(entity: str) -> str:
    """The rule of a parent rejected with the rows of ``entity`` it was built for."""
    return f"{entity.upper()}_REJECTED"


def unit_parents(mapping: SystemMapping) -> dict[str, tuple[str, ...]]:
    """Entity -> the parents of ``UNIT_PARENTS`` the mapping maps and the entity refers to."""
    mapped = {entity.entity: entity for entity in mapping.entities}
    found = {}
    for name, parents in UNIT_PARENTS.items():
        if name not in mapped:
            continue
        referred = {ref.entity for ref in mapped[name].refs}
        kept = tuple(parent for parent in parents if parent in mapped and parent in referred)
        if kept:
            found[name] = kept
    return found


class HeldParts:
    """Checked parts of an entity waiting for their load: in memory when the entity has one part,
    else one after another in a file of the run's scratch folder."""

    def __init__(self, mapping: EntityMapping, location: str, path: Path, in_memory: bool) -> None:
        self.mapping, self.location = mapping, location
        self._file = None if in_memory else SpillFile(path)
        self._parts: list[tuple[pd.DataFrame, pd.DataFrame | None]] = []

    def add(self, mapped: MappedEntity) -> None:
        # The source rows stay behind: what is left to do (reject a row whole, load it) needs none.
        part = (mapped.frame, mapped.accepted)
        if self._file is None:
            self._parts.append(part)
        else:
            self._file.append(part)

    def __iter__(self) -> Iterator[MappedEntity]:
        parts = self._parts if self._file is None else self._file
        for frame, accepted in parts:
            yield MappedEntity(self.mapping, self.location, frame, frame.iloc[:0], accepted)
        self.remove()

    def remove(self) -> None:
        self._parts = []
        if self._file is not None:
            self._file.remove()


def _first_rules(mapped: MappedEntity, rejects: RejectLog, rows: pd.Series) -> pd.Series:
    """The first error rule of each of ``rows`` (rows of ``mapped``), as its rejects so far say."""
    frame = mapped.frame.loc[rows]
    found = rejects.frame(mapped.entity)
    found = found[found["severity"] == "error"]
    first = pd.Series(found["rule"].to_numpy(), index=row_identity(found["source"], found["row_number"],
                                                                found["legacy_key"]).to_numpy())
    first = first[~first.index.duplicated()]
    wanted = row_identity(frame["_source"], frame["_row"], frame["_key"])
    return wanted.map(first).astype("object").fillna("rejected").astype("str")


class Referrers:
    """What the rows of an entity say of the parents built for them, gathered part by part."""

    def __init__(self, mapping: EntityMapping, parents: tuple[str, ...]) -> None:
        self.entity = mapping.entity
        self.columns = {ref.entity: f"_ref_{ref.target}" for ref in mapping.refs if ref.entity in parents}
        self._loaded: dict[str, list[KeyIndex]] = {parent: [] for parent in self.columns}
        self._rejected: dict[str, list[pd.DataFrame]] = {parent: [] for parent in self.columns}

    def add(self, mapped: MappedEntity, rejects: RejectLog) -> None:
        """A checked part of the entity: the parent keys its loaded rows name, and its rejected rows'."""
        frame = mapped.frame
        failed = frame["_failed"].astype(bool)
        rules = None
        for parent, column in self.columns.items():
            keys = frame[column]
            self._loaded[parent].append(KeyIndex.of(pd.Index(keys[~failed].dropna().unique())))
            naming = failed & keys.notna()
            if not naming.any():
                continue
            if rules is None:
                rules = _first_rules(mapped, rejects, failed)
            self._rejected[parent].append(pd.DataFrame({
                "parent": keys[naming].astype("str"), "child": frame.loc[naming, "_key"].astype("str"),
                "rule": rules.loc[naming[naming].index],
            }))

    def unreferenced(self, parent: str) -> pd.Series:
        """Parent key -> why it falls, for every key that rejected rows name and no loaded row does."""
        parts = self._rejected.pop(parent, [])
        loaded = KeyIndex.union(self._loaded.pop(parent, []))
        if not parts:
            return pd.Series(dtype="str")
        named = pd.concat(parts, ignore_index=True)
        named = named[~loaded.contains(named["parent"]).to_numpy()]
        if named.empty:
            return pd.Series(dtype="str")
        first = named.drop_duplicates("parent").set_index("parent")
        others = named.groupby("parent", sort=False)["child"].nunique().reindex(first.index) - 1
        message = f"{self.entity} " + first["child"].map(repr) + " was rejected (" + first["rule"] + ")"
        more = others > 0
        message[more] = (message[more] + ", and " + others[more].astype("str") + f" more of its {self.entity}s")
        return message


def reject_unreferenced(mapped: MappedEntity, why: pd.Series, rule: str, rejects: RejectLog) -> pd.Series:
    """Reject the still accepted rows of a held parent whose key is in ``why`` (key -> message);
    the keys rejected here."""
    frame = mapped.frame
    if why.empty:
        return pd.Series(dtype="str")
    falling = ~frame["_failed"].astype(bool) & frame["_key"].isin(why.index)
    rows = frame[falling]
    rejects.add(mapped.entity, mapped.source_file, rows, rule=rule, message=rows["_key"].map(why), column=None,
                raw=rows["_key"])
    frame["_failed"] |= falling
    if mapped.accepted is not None:
        mapped.accepted = mapped.accepted[~mapped.accepted["_key"].isin(why.index)]
    keys = rows["_key"].drop_duplicates()
    return pd.Series(rule, index=keys.to_numpy(), dtype="str")
