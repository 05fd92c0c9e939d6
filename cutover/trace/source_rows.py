"""The source rows of one legacy account in a run's snapshot (``reports/<run-id>/snapshot``).

The mapping says which rows belong to an account: the rows of the account's own source whose key
spells it, the rows its parents (person, premise) were built from, and, down the references, the
rows of every entity that refers to it (meters, balances), then to those (a meter's readings),
by the parent's legacy key or the other key a reference names (``parent_key``). A snapshot is read
a row group at a time (a chunk of the extract), its key and reference columns first and the whole
group only where one of its rows matches, so memory stays bounded however large the snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cutover.mapping.model import EntityMapping, SystemMapping

ACCOUNT = "account"
KEY_SEPARATOR = "|"  # a key of several columns, as the mapping stage spells it (mapping/apply/shape.py)


@dataclass
class SourceRow:
    """One row of a source, the entities built from it and its values as the snapshot holds them."""

    source: str  # the source's name in system.toml
    location: str  # what rejects call it: "abonent.csv", "table abonent"
    row: int
    entities: list[str] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"source": self.location, "row": self.row, "entities": list(self.entities), "values": self.values}


@dataclass
class _Match:
    """Rows of one entity to find: those whose ``columns`` (the entity's names) spell one of ``keys``."""

    entity: EntityMapping
    columns: tuple[str, ...]
    keys: set[str]


class AccountRows:
    """Walks one run's snapshot for the rows of one legacy account (:func:`account_rows`)."""

    def __init__(self, mapping: SystemMapping, snapshots: dict[str, tuple[str, Path]]) -> None:
        self.mapping = mapping
        self.snapshots = snapshots  # source name -> (location, parquet file) of the sources the run kept
        self.rows: dict[tuple[str, int], SourceRow] = {}
        self.keys: dict[str, set[str]] = {}  # entity -> legacy keys found
        self.other_keys: dict[tuple[str, tuple[str, ...]], set[str]] = {}  # (entity, parent_key) -> values found

    def walk(self, legacy_key: str) -> list[SourceRow]:
        account = self.mapping.entity(ACCOUNT)
        if account is None:
            return []
        self.keys[ACCOUNT] = {legacy_key}
        self._find(account, [_Match(account, account.key, {legacy_key})])
        upward = self._parents(account)
        for entity in self.mapping.entities:
            if entity.entity == ACCOUNT or entity.entity in upward:
                continue
            matches = [_Match(entity, ref.key, self._parent_keys(ref.entity, ref.parent_key)) for ref in entity.refs
                       if not ref.same_row and ref.entity != entity.entity and ref.entity not in upward
                       and ref.entity in self.keys]
            if matches:
                self._find(entity, matches)
        return sorted(self.rows.values(), key=lambda found: (list(self.snapshots).index(found.source)
                                                             if found.source in self.snapshots else 0, found.row))

    def _parents(self, account: EntityMapping) -> set[str]:
        """The entities the account refers to (its person, its premise): the rows they were built
        from, but none of their other children (a premise's other accounts)."""
        parents = set()
        for ref in account.refs:
            parents.add(ref.entity)
            parent = self.mapping.entity(ref.entity)
            if parent is None:
                continue
            if ref.same_row:
                for found in list(self.rows.values()):
                    if found.source in parent.sources and ref.entity not in found.entities:
                        found.entities.append(ref.entity)
                continue
            keys = {self._spelled(found.values, account, found.source, ref.key) for found in self.rows.values()
                    if found.source in account.sources}
            self._find(parent, [_Match(parent, ref.parent_key or parent.key, keys - {""})])
        return parents

    def _parent_keys(self, entity: str, parent_key: tuple[str, ...]) -> set[str]:
        return self.other_keys.get((entity, parent_key), set()) if parent_key else self.keys[entity]

    def _spelled(self, values: dict[str, str], entity: EntityMapping, source: str, columns: tuple[str, ...]) -> str:
        """The key ``columns`` (the entity's names) spell on a row, stripped and joined as the mapping does."""
        physical = _physical(entity, source)
        return KEY_SEPARATOR.join(str(values.get(physical.get(column, column)) or "").strip() for column in columns)

    def _find(self, entity: EntityMapping, matches: list[_Match]) -> None:
        """The rows of ``entity``'s sources that any of ``matches`` finds; their keys are remembered."""
        import pyarrow.parquet as pq

        matches = [match for match in matches if match.keys and match.columns]
        if not matches:
            return
        for source in entity.sources:
            if source not in self.snapshots:
                continue
            location, path = self.snapshots[source]
            physical = _physical(entity, source)
            snapshot = pq.ParquetFile(path)
            wanted = [[physical.get(column, column) for column in match.columns] for match in matches]
            if any(column not in snapshot.schema_arrow.names for columns in wanted for column in columns):
                continue  # a snapshot of an older layout: its rows are not told apart here
            keys = sorted({column for columns in wanted for column in columns})
            for group in range(snapshot.num_row_groups):
                # the key columns first: the whole row group only where one of its rows matches
                chosen = self._chosen(snapshot.read_row_group(group, columns=keys), matches, wanted)
                if chosen is None:
                    continue
                for values in snapshot.read_row_group(group).filter(chosen).to_pylist():
                    self._keep(entity, source, location, values)

    @staticmethod
    def _chosen(batch, matches: list[_Match], wanted: list[list[str]]):
        """The mask of the rows any match finds in ``batch``, or None when it finds none."""
        import pyarrow.compute as pc

        chosen = None
        for match, columns in zip(matches, wanted):
            parts = [pc.utf8_trim_whitespace(batch.column(column).cast("string").fill_null(""))
                     for column in columns]
            spelled = parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, KEY_SEPARATOR)
            hit = pc.is_in(spelled, value_set=_array(match.keys))
            chosen = hit if chosen is None else pc.or_(chosen, hit)
        return chosen if chosen is not None and pc.any(chosen).as_py() else None

    def _keep(self, entity: EntityMapping, source: str, location: str, values: dict) -> None:
        row = int(values.pop("_row"))
        found = self.rows.setdefault((source, row), SourceRow(source, location, row))
        found.values = {name: "" if value is None else str(value) for name, value in values.items()}
        if entity.entity not in found.entities:
            found.entities.append(entity.entity)
        if entity.key:
            self.keys.setdefault(entity.entity, set()).add(self._spelled(found.values, entity, source, entity.key))
        for other in entity.alternate_keys:
            self.other_keys.setdefault((entity.entity, other), set()).add(
                self._spelled(found.values, entity, source, other))


def _physical(entity: EntityMapping, source: str) -> dict[str, str]:
    """The entity's name of a column -> the name the source gives it (``[entity.rename.<source>]``)."""
    return {name: column for column, name in entity.renamed(source).items()}


def _array(keys: set[str]):
    import pyarrow as pa

    return pa.array(sorted(keys), type=pa.string())


def account_rows(mapping: SystemMapping, snapshots: dict[str, tuple[str, Path]], legacy_key: str) -> list[SourceRow]:
    """Every source row of legacy account ``legacy_key`` in one run's snapshot, in source order.

    Parameters
    ----------
    mapping
        The project's mapping (its entities' keys and references say which rows belong).
    snapshots
        Per source name, its location as rejects name it and the run's Parquet snapshot of it.
    legacy_key
        The account's legacy key as the key map holds it (several columns joined by ``|``).
    """
    return AccountRows(mapping, snapshots).walk(legacy_key)
