"""Map, check and load a run's entities, parents first, a part of each entity at a time.

An entity's rows are mapped batch by batch into parts (see ``partition``); each part is
checked against what is known of the parents and loaded. Between entities only what
children need is kept: the parents' keys and the few columns their rules read. An entity
that refers to itself (a meter replaced by a meter) is checked in two passes: each part's
rows first, then the chains of references over the slim columns of every part, and only
then are its parts loaded. The parents built for an entity from its legacy records (a payer
and a premise for each account, see ``units``) are checked in their turn, but their parts and
the entity's wait until every part of the entity is checked: a parent row no loaded row of it
refers to is then rejected with it, and the parents are loaded, then the entity.

What else needs the rows on the way (the reconciliation's facts of the source, see
``cutover.reconcile.source_side.SourceFacts``) is an observer of the load: it is shown each
batch as it is shaped, each part as it is loaded (its rows decided) and the end of the load.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pandas as pd

from cutover.config import Project
from cutover.extract.snapshot import ExtractResult
from cutover.frames.keyindex import KeyIndex
from cutover.frames.spill import SpillFile
from cutover.mapping.apply.mapstage import MappedEntity
from cutover.mapping.apply.rejects import RejectLog, as_each_source_names
from cutover.mapping.apply.shape import ShapedRows, shape_batches
from cutover.mapping.apply.source_checks import SourceFailures, check_sources
from cutover.mapping.model import EntityMapping, SystemMapping
from cutover.pipeline.checks import (
    ParentKeys,
    accepted_rows,
    check_rows,
    follow_references_within,
    merge_items,
    parent_keys,
)
from cutover.pipeline.load import TargetLoad
from cutover.pipeline.partition import Partitions, plan_partitions
from cutover.pipeline.rules import PARENT_COLUMNS, RuleContext
from cutover.pipeline.units import (
    HeldParts,
    Referrers,
    reject_unreferenced,
    rejected_rule,
    unit_parents,
)
from cutover.progress import Progress
from cutover.run.workers import MapWorkers
from cutover.schema.definition import target_schema


class LoadObserver(Protocol):
    """What is told of a load as it goes, in order: an entity's batches as they are shaped (what
    became of the source records), its parts as they are loaded, whose ``_failed`` column says
    which rows were rejected, and the end of the load (every entity loaded, not yet committed)."""

    def on_shaped(self, entity: str, shaped: ShapedRows) -> None: ...

    def on_part(self, part: MappedEntity) -> None: ...

    def on_finish(self) -> None: ...


def input_rows(mapping: EntityMapping, extracted: ExtractResult) -> int:
    """About how many rows an entity will have: its sources' rows, times the unpivot's columns."""
    rows = sum(extracted.sources[name].row_count for name in mapping.sources)
    return rows * (len(mapping.unpivot.columns) if mapping.unpivot else 1)


@dataclass
class _Done:
    """What later entities need of the entities done so far."""

    referenced: set[str]  # entities some other entity refers to
    same_row: set[str]  # entities some other entity refers to by the source row both come from
    observers: Sequence[LoadObserver]  # shown each part as it is loaded
    units: dict[str, tuple[str, ...]] = field(default_factory=dict)  # entity -> parents built for it (units.py)
    parents: dict[str, ParentKeys] = field(default_factory=dict)
    accepted: dict[str, dict[str, KeyIndex]] = field(default_factory=dict)  # columns children's rules read
    waiting: dict[str, "_Entity"] = field(default_factory=dict)  # parents checked, loaded with their entity

    def held(self) -> set[str]:
        """The entities whose checked parts wait for their load: the units' parents, and the units."""
        return {name for unit, parents in self.units.items() for name in (unit, *parents)}


class _Entity:
    """One entity on its way through the run: its parts and what is gathered from them."""

    def __init__(self, mapping: EntityMapping, location: str, done: _Done, rejects: RejectLog,
                 held: HeldParts | None = None, renamed_at: dict[str, dict[str, str]] | None = None) -> None:
        self.mapping, self.location, self.done, self.rejects = mapping, location, done, rejects
        self.renamed_at = renamed_at or {}  # location -> {the entity's column: the source's name for it}
        self.name = mapping.entity
        self.parent_parts: list[ParentKeys] = []
        self.accepted_parts: list[dict[str, KeyIndex]] = []
        self.held = held  # checked parts waiting for the load, or None: each part is loaded once checked
        parents = done.units.get(self.name)
        self.referrers = Referrers(mapping, parents) if parents else None

    def finish_part(self, mapped: MappedEntity, load: TargetLoad, progress: Progress) -> None:
        """Keep what children need of a checked part, and load it (or hold it, see ``units``)."""
        if self.name in self.done.referenced:
            self.parent_parts.append(parent_keys(mapped, self.rejects, rows=self.name in self.done.same_row))
        if self.name in PARENT_COLUMNS:
            accepted = accepted_rows(mapped)
            self.accepted_parts.append({column: KeyIndex.of(accepted["_key"], accepted[column].to_numpy())
                                        for column in PARENT_COLUMNS[self.name] if column in accepted})
        if self.referrers is not None:
            self.referrers.add(mapped, self.rejects)
        if self.held is None:
            self._load(mapped, load, progress)
        else:
            self.held.add(mapped)

    def _load(self, mapped: MappedEntity, load: TargetLoad, progress: Progress) -> None:
        """Load a part whose rows are decided, and show it to the observers."""
        for observer in self.done.observers:
            observer.on_part(mapped)
        progress.stage(f"load {self.name}")
        progress.advance(load.load(mapped))

    def finish(self, load: TargetLoad, progress: Progress) -> None:
        done = self.done
        if self.held is not None and self.referrers is None:
            # A parent built for a later entity: children check against it now; its rows are decided
            # and loaded with that entity (``release``).
            done.parents[self.name] = ParentKeys.combine(self.parent_parts, self.location)
            self._keep_accepted()
            done.waiting[self.name] = self
            load.add_rejects(self._rejects())
            return
        if self.referrers is not None:
            for parent in done.units[self.name]:
                done.waiting.pop(parent).release(self.referrers.unreferenced(parent), rejected_rule(self.name),
                                                 load, progress)
        for mapped in self.held or ():
            self._load(mapped, load, progress)
        progress.stage(f"load {self.name}")
        load.end_entity(self.name)
        loaded = load.ids(self.name) if load.key_mapped(self.name) else None
        done.parents[self.name] = ParentKeys.combine(self.parent_parts, self.location, loaded)
        self._keep_accepted()
        progress.stage("load rejects")
        load.add_rejects(self._rejects())

    def release(self, why: pd.Series, rule: str, load: TargetLoad, progress: Progress) -> None:
        """Reject the held rows whose key is in ``why`` (key -> message: no loaded row of the entity
        they were built for refers to them), load the others and finish."""
        progress.stage(f"check {self.name}")
        fallen = []
        for mapped in self.held:
            fallen.append(reject_unreferenced(mapped, why, rule, self.rejects))
            self._load(mapped, load, progress)
        progress.stage(f"load {self.name}")
        load.end_entity(self.name)
        kept = self.done.parents[self.name]
        loaded = load.ids(self.name) if load.key_mapped(self.name) else kept.accepted
        self.done.parents[self.name] = ParentKeys(loaded, pd.concat([kept.reasons, *fallen]), kept.key_by_row,
                                                  kept.source_file, kept.alternates)
        progress.stage("load rejects")
        load.add_rejects(self._rejects())

    def _rejects(self) -> pd.DataFrame:
        """The entity's rejects, taken out of the log, naming each source's columns as it does."""
        return as_each_source_names(self.rejects.pop(self.name), self.renamed_at)

    def _keep_accepted(self) -> None:
        if self.accepted_parts:
            self.done.accepted[self.name] = {column: KeyIndex.union([part[column] for part in self.accepted_parts])
                                             for column in self.accepted_parts[0]}


def map_check_load(mapping: SystemMapping, extracted: ExtractResult, project: Project, load: TargetLoad,
                   observers: Sequence[LoadObserver], scratch: Path, progress: Progress) -> None:
    """Map, check and load every entity of ``mapping``; rejects go to the target's journal, each
    shaped batch and loaded part to the ``observers`` (see ``LoadObserver``)."""
    referenced = {ref.entity for e in mapping.entities for ref in e.refs if ref.entity != e.entity}
    same_row = {ref.entity for e in mapping.entities for ref in e.refs if ref.same_row}
    source_failures = check_sources(mapping, extracted, project.partition_rows)  # once per source
    rejects, schema = RejectLog(), target_schema()
    done = _Done(referenced, same_row, observers, unit_parents(mapping))
    context = RuleContext(project.period_end, done.accepted, project.severities)
    held = done.held()
    with MapWorkers(project.workers) as workers, _abandoned_on_failure(load):
        for entity_mapping in mapping.entities:
            name = entity_mapping.entity
            location = " + ".join(extracted.sources[source].location for source in entity_mapping.sources)
            plan = plan_partitions(entity_mapping, input_rows(entity_mapping, extracted), project.partition_rows)
            hold = (HeldParts(entity_mapping, location, scratch / f"{name}.held.pickle", in_memory=plan.parts == 1)
                    if name in held else None)
            renamed_at = {extracted.sources[source].location: {name: column for column, name in
                                                               entity_mapping.renamed(source).items()}
                          for source in entity_mapping.sources if entity_mapping.renamed(source)}
            entity = _Entity(entity_mapping, location, done, rejects, hold, renamed_at)
            partitions = Partitions(plan, scratch, entity.name)
            try:
                own_keys = _map(entity, extracted, source_failures, partitions, project.chunk_rows, workers,
                                progress)
                if own_keys is None:  # no references within the entity: one pass
                    for frame, source in partitions:
                        progress.stage(f"check {entity.name}")
                        mapped = MappedEntity(entity_mapping, location, frame, source)
                        check_rows(mapped, done.parents, context, schema, rejects)
                        merge_items(mapped, schema, rejects)
                        progress.advance(len(frame))
                        entity.finish_part(mapped, load, progress)
                else:
                    _two_passes(entity, partitions, own_keys, context, load, scratch, progress)
            finally:
                partitions.close()
            entity.finish(load, progress)
        for observer in observers:
            observer.on_finish()


@contextmanager
def _abandoned_on_failure(load: TargetLoad) -> Iterator[None]:
    """A run that fails (or is interrupted) while a part is being written waits for that write, so
    the caller's rollback finds the connection idle."""
    try:
        yield
    except BaseException:
        load.abandon()
        raise


def _map(entity: _Entity, extracted: ExtractResult, source_failures: SourceFailures, partitions: Partitions,
         chunk_rows: int, workers: MapWorkers, progress: Progress) -> pd.Index | None:
    """Map the entity's rows into its parts; for an entity that refers to itself, every legacy key
    of its source (what its references may name), else None."""
    progress.stage(f"map {entity.name}")
    refers_to_itself = any(ref.entity == entity.name for ref in entity.mapping.refs)
    keys = []
    table = target_schema().table(entity.name)
    batches = shape_batches(entity.mapping, extracted, chunk_rows)
    for shaped, mapped in workers.map_batches(entity.mapping, table, entity.location, batches, entity.rejects,
                                              source_failures):
        for observer in entity.done.observers:
            observer.on_shaped(entity.name, shaped)
        partitions.add(mapped.frame, mapped.source)
        if refers_to_itself:
            keys.append(mapped.frame["_key"])
        progress.advance(len(mapped.frame))
    if not refers_to_itself:
        return None
    return pd.Index(pd.concat(keys) if keys else pd.Series(dtype="str")).unique()


def _two_passes(entity: _Entity, partitions: Partitions, own_keys: pd.Index, context: RuleContext,
                load: TargetLoad, scratch: Path, progress: Progress) -> None:
    """Check an entity that refers to itself: its rows part by part, then the chains of its
    references over all parts at once, then finish and load each part. Checked parts wait on
    disk between the passes when there are several."""
    name, schema, rejects = entity.name, target_schema(), entity.rejects
    own = ParentKeys(KeyIndex.of(own_keys), pd.Series(dtype="str"), pd.Series(dtype="str"), entity.location)  # every key
    parents = {**entity.done.parents, name: own}  # references within are checked against every part's keys
    within = [f"_ref_{ref.target}" for ref in entity.mapping.refs if ref.entity == name]
    checked = SpillFile(scratch / f"{name}.checked.pickle")
    held: list[tuple[pd.DataFrame, pd.DataFrame]] = []  # the only part, when there is one
    slim_parts = []
    for number, (frame, source) in enumerate(partitions):
        progress.stage(f"check {name}")
        mapped = MappedEntity(entity.mapping, entity.location, frame, source)
        check_rows(mapped, parents, context, schema, rejects)
        slim_parts.append(frame[["_row", "_source", "_key", *within, "_failed"]].assign(_part=number, _at=frame.index))
        if partitions.plan.parts == 1:
            held.append((frame, source))
        else:
            checked.append((frame, source))
        progress.advance(len(frame))
    progress.stage(f"check {name}")
    slim = pd.concat(slim_parts, ignore_index=True) if slim_parts else pd.DataFrame()
    if not slim.empty:
        follow_references_within(MappedEntity(entity.mapping, entity.location, slim, slim), rejects)
    for number, (frame, source) in enumerate(held or checked):
        progress.stage(f"check {name}")
        fallen = slim.loc[(slim["_part"] == number) & slim["_failed"], "_at"]
        frame.loc[fallen.to_numpy(), "_failed"] = True
        mapped = MappedEntity(entity.mapping, entity.location, frame, source)
        merge_items(mapped, schema, rejects)
        entity.finish_part(mapped, load, progress)
    checked.remove()

