"""What the mapping does with each source column: which findings about it matter.

A blank in a key column rejects a row; a blank in a column with a ``default`` transform
does not. A column read through a ``date`` transform must have one shape. This module
walks the mapping once and answers those questions per (source, column).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cutover.mapping.model import ColumnRule, EntityMapping, SystemMapping

DATE_TRANSFORMS = frozenset({"date", "excel_date", "period"})
# Transforms after which a blank value is no longer a problem.
BLANK_TOLERANT = frozenset({"default"})


@dataclass
class ColumnUse:
    """How the mapping uses one source column."""

    uses: list[str] = field(default_factory=list)  # "account.opened_on", "key of meter", "ref meter.account_id"
    needs_value: bool = False  # a blank rejects the row: a key, a required reference or column
    blank_ok: bool = True  # every use tolerates a blank (optional reference, a default)
    date: bool = False  # read through a date transform

    def add(self, use: str, needs_value: bool = False, blank_ok: bool = False, date: bool = False) -> None:
        if use not in self.uses:
            self.uses.append(use)
        self.needs_value |= needs_value
        self.blank_ok &= blank_ok
        self.date |= date


def entity_sources(entity: EntityMapping) -> tuple[str, ...]:
    """The sources whose rows the entity unites (one, for most mappings)."""
    return tuple(getattr(entity, "sources", ()) or (entity.source,))


def rule_inputs(rule: ColumnRule) -> tuple[str, ...]:
    """The columns a column rule reads (several for a transform reading several columns)."""
    return tuple(getattr(rule, "inputs", ()) or ((rule.source,) if rule.source else ()))


def resolve(entity: EntityMapping, column: str) -> list[tuple[str, str]]:
    """The (source, source column) pairs an entity's column name stands for.

    A plain name is a column of each of the entity's sources, by the name each source gives it
    (``[entity.rename.<source>]``); ``abonent.FAM`` is a column of a joined source; an
    unpivot's value column stands for every column it unpivots into it (with several values
    per label, each value for its own columns), and its label for none (made, not read).
    """
    for join in getattr(entity, "joins", ()):
        if column in {join.name(c) for c in join.columns}:
            return [(join.source, column[len(join.source) + 1:])]
    unpivot = getattr(entity, "unpivot", None)
    if unpivot is not None:
        if column == unpivot.label:
            return []
        if column in unpivot.values:
            at = unpivot.values.index(column)
            return [(source, _physical(entity, source, columns[at]))
                    for source in entity_sources(entity) for _, columns in unpivot.cells]
    return [(source, _physical(entity, source, column)) for source in entity_sources(entity)]


def _physical(entity: EntityMapping, source: str, column: str) -> str:
    """The name ``source`` gives the entity's ``column`` (a renamed column by its own name)."""
    renamed = getattr(entity, "renamed", None)
    if renamed is None:
        return column
    return next((physical for physical, name in renamed(source).items() if name == column), column)


def is_raw(entity: EntityMapping, column: str) -> bool:
    """Whether a column name of the entity is a column of its own sources as read."""
    return resolve(entity, column) == [(source, column) for source in entity_sources(entity)]


def column_uses(mapping: SystemMapping) -> dict[tuple[str, str], ColumnUse]:
    """(source, column) -> how the mapping uses it."""
    uses: dict[tuple[str, str], ColumnUse] = {}

    def mark(entity: EntityMapping, column: str, use: str, **flags) -> None:
        for pair in resolve(entity, column):
            uses.setdefault(pair, ColumnUse()).add(use, **flags)

    for entity in mapping.entities:
        for column in entity.key:
            mark(entity, column, f"key of {entity.entity}", needs_value=True)
        for rule in entity.columns:
            names = {step.name for step in rule.steps}
            for column in rule_inputs(rule):
                mark(entity, column, f"{entity.entity}.{', '.join(rule.targets)}", needs_value=rule.required,
                     blank_ok=bool(names & BLANK_TOLERANT), date=bool(names & DATE_TRANSFORMS))
        for alternate in getattr(entity, "alternate_keys", ()):
            for column in alternate:
                mark(entity, column, f"key children refer to {entity.entity} by", blank_ok=True)
        for ref in entity.refs:
            for column in ref.key:
                mark(entity, column, f"reference {entity.entity}.{ref.target}", needs_value=not ref.optional,
                     blank_ok=ref.optional)
        for rule in getattr(entity, "filter", ()):
            mark(entity, rule.column, f"filter of {entity.entity}", blank_ok=True)
        for join in getattr(entity, "joins", ()):
            for left, right in join.on:
                mark(entity, left, f"join of {entity.entity} with {join.source}", needs_value=join.required)
                uses.setdefault((join.source, right), ColumnUse()).add(f"join of {entity.entity}", blank_ok=True)
    return uses
