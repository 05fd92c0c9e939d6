"""Keys across sources: duplicate legacy keys and orphans, as the mapping defines them.

Every entity's key columns are counted in its sources, and so are the columns each
reference names. After one pass over all sources, a key seen twice is a duplicate and a
child value missing from the parent's keys is an orphan (a meter whose ЛС is not in the
account file). Keys are compared as the engine compares them (trimmed, joined with ``|``,
after the entity's filter).

Memory grows with the number of distinct keys, not with the rows: that is the least an
exact orphan count needs.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pandas as pd

from cutover.analysis.findings import Finding
from cutover.analysis.usage import entity_sources, is_raw
from cutover.mapping.apply.mapstage import join_key
from cutover.mapping.filters import FilterRule, kept
from cutover.mapping.model import EntityMapping, RefRule, SystemMapping

EXAMPLES = 5


@dataclass(frozen=True)
class KeyColumns:
    """Columns spelling a key in the rows of some sources, after a filter."""

    sources: tuple[str, ...]
    columns: tuple[str, ...]
    filter: tuple[FilterRule, ...] = ()

    @property
    def label(self) -> str:
        return f"{' + '.join(self.sources)}.{' + '.join(self.columns)}"


class KeyCounter:
    """How many rows carry each key value; first-seen order kept for examples."""

    def __init__(self, spec: KeyColumns):
        self.spec = spec
        self.counts: Counter[str] = Counter()
        self.missing: set[str] = set()  # mapped columns the source does not have

    def add(self, source: str, chunk: pd.DataFrame) -> None:
        if source not in self.spec.sources:
            return
        wanted = list(self.spec.columns) + [rule.column for rule in self.spec.filter]
        absent = [c for c in wanted if c not in chunk.columns]
        if absent:
            self.missing.update(absent)
            return
        rows = chunk[kept(chunk, self.spec.filter)] if self.spec.filter else chunk
        # Counter counts an iterable of keys in C; first-seen order is kept for the examples.
        self.counts.update(join_key(rows[list(self.spec.columns)]).dropna().tolist())


@dataclass(frozen=True)
class _Reference:
    child: EntityMapping
    ref: RefRule
    values: KeyColumns
    parent: KeyColumns


class KeyChecks:
    """The duplicate and orphan checks a mapping implies, fed chunk by chunk."""

    def __init__(self, mapping: SystemMapping):
        self._duplicates: dict[KeyColumns, list[EntityMapping]] = {}
        self._references: list[_Reference] = []
        self._notes: list[Finding] = []
        for entity in mapping.entities:
            spec = _key_columns(entity, entity.key) if not entity.key_from_target else None
            if spec is not None:
                self._duplicates.setdefault(spec, []).append(entity)
            elif entity.key and not entity.key_from_target:  # a key with converted parts is not in the source
                self._note(entity, "key", entity.key)
        for entity in mapping.entities:
            for ref in entity.refs:
                self._add_reference(mapping, entity, ref)
        specs = {*self._duplicates, *(r.values for r in self._references), *(r.parent for r in self._references)}
        self.counters = {spec: KeyCounter(spec) for spec in specs}

    def _note(self, entity: EntityMapping, what: str, columns: tuple[str, ...]) -> None:
        self._notes.append(Finding(
            "info", "NOT_CHECKED", ", ".join(entity_sources(entity)), ", ".join(columns),
            f"{entity.entity} {what} ({', '.join(columns)}) names joined or unpivoted columns; the profile checks "
            "only keys made of source columns", 0))

    def _add_reference(self, mapping: SystemMapping, entity: EntityMapping, ref: RefRule) -> None:
        parent = mapping.entity(ref.entity)
        looked_up = ref.parent_key or (parent.key if parent is not None else ())
        if ref.same_row or parent is None or not looked_up or len(looked_up) != len(ref.key):
            return  # same-row parents and address-keyed parents have no key to look up in the source
        values = _key_columns(entity, ref.key)
        parent_key = _key_columns(parent, looked_up)
        if values is None:
            self._note(entity, f"reference {ref.target}", ref.key)
        elif parent_key is None:
            self._note(parent, f"key (so {entity.entity}.{ref.target} is not checked)", looked_up)
        else:
            self._references.append(_Reference(entity, ref, values, parent_key))

    def add(self, source: str, chunk: pd.DataFrame) -> None:
        """Count one chunk of one source."""
        for counter in self.counters.values():
            counter.add(source, chunk)

    def findings(self, unreadable: set[str]) -> list[Finding]:
        """Duplicates, orphans and unchecked keys; keys in sources that could not be read are skipped."""
        found = list(self._notes)
        # A key with a column the source lacks is not checked: the profile reports the missing column itself.
        complete = {spec for spec, counter in self.counters.items()
                    if not set(spec.sources) & unreadable and not counter.missing}
        for spec, entities in self._duplicates.items():
            if spec in complete:
                found.extend(_duplicate_finding(spec, entities, self.counters[spec]))
        for reference in self._references:
            if reference.values in complete and reference.parent in complete:
                values, parents = self.counters[reference.values], self.counters[reference.parent]
                found.extend(_orphan_finding(reference, values, parents))
        return found


def _key_columns(entity: EntityMapping, columns: tuple[str, ...]) -> KeyColumns | None:
    """The key as source columns, or None when it names joined or unpivoted columns."""
    filter_ = tuple(getattr(entity, "filter", ()))
    if not columns or not all(is_raw(entity, c) for c in columns + tuple(rule.column for rule in filter_)):
        return None
    return KeyColumns(entity_sources(entity), tuple(columns), filter_)


def _duplicate_finding(spec: KeyColumns, entities: list[EntityMapping], counter: KeyCounter) -> list[Finding]:
    repeated = [(key, n) for key, n in counter.counts.items() if n > 1]
    if not repeated:
        return []
    rows = sum(n for _, n in repeated)
    names = ", ".join(e.entity for e in entities)
    rules = {e.on_duplicate for e in entities}
    rule = rules.pop() if len(rules) == 1 else "reject_all"
    examples = tuple(key for key, _ in sorted(repeated, key=lambda kn: -kn[1])[:EXAMPLES])
    severity, fate = DUPLICATE_FATES[rule]
    what = f"{len(repeated)} key value(s) of {names} occur more than once ({rows} rows); {fate}"
    return [Finding(severity, "DUPLICATE_KEY", ", ".join(spec.sources), ", ".join(spec.columns), what, rows, examples)]


# What a dry run will do with the rows of a repeated key, by on_duplicate (several entities of one
# key with different rules: the strictest, reject_all).
DUPLICATE_FATES = {
    "merge": ("info", "they merge into one item each"),
    "keep_first_if_identical": ("warning", "identical copies load once; every row of a key whose rows differ "
                                           "will be rejected (on_duplicate = \"keep_first_if_identical\")"),
    "keep_first": ("warning", "the first row of each loads and the others are rejected (on_duplicate = "
                              "\"keep_first\"): check that they are copies"),
    "keep_last": ("warning", "the last row of each loads and the others are rejected (on_duplicate = "
                             "\"keep_last\"): check that they are copies"),
    "reject_all": ("error", "every row of such a key will be rejected"),
}


def _orphan_finding(reference: _Reference, values: KeyCounter, parents: KeyCounter) -> list[Finding]:
    orphans = [(key, n) for key, n in values.counts.items() if key not in parents.counts]
    if not orphans:
        return []
    rows = sum(n for _, n in orphans)
    child, ref = reference.child, reference.ref
    what = (f"{rows} row(s) of {child.entity} refer through {', '.join(ref.key)} to {len(orphans)} {ref.entity} key "
            f"value(s) not in {reference.parent.label}; those rows will be rejected")
    return [Finding("error", "ORPHAN", ", ".join(reference.values.sources),
                    ", ".join(ref.key), what, rows, tuple(key for key, _ in orphans[:EXAMPLES]))]
