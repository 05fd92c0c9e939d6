"""Every physical record accounted for, per source: records = read + blank + deleted + comments,
and for each entity built from the source, read = filtered + made no row + made rows; the rows
they made are loaded or rejected.

The extractor counts the physical records (:class:`cutover.extract.RecordTally`); the entity
side comes from the shaping of the rows (``ShapedRows``) and from the reject table. A source
that only lends columns to others (a street dictionary joined by code) is read whole and named
as a lookup.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from cutover.extract.snapshot import ExtractResult
from cutover.mapping.apply.shape import ShapedRows
from cutover.mapping.model import SystemMapping
from cutover.results.model import RecordCount, SourceRecords, entity_label
from cutover.schema.tables import target_metadata


@dataclass
class Shaping:
    """What the shaping of one source's records into one entity made of them."""

    read: int = 0
    filtered: int = 0
    without_rows: int = 0
    rows: int = 0


@dataclass
class ShapingCounts:
    """Shaping counts per (entity, source name), gathered batch by batch."""

    counts: dict[tuple[str, str], Shaping] = field(default_factory=dict)

    def add(self, entity: str, shaped: ShapedRows) -> None:
        counts = self.counts.setdefault((entity, shaped.source), Shaping())
        counts.read += shaped.records
        counts.filtered += shaped.filtered
        counts.without_rows += shaped.without_rows
        counts.rows += len(shaped.frame)


def rejected_rows_by_source(connection: sa.Connection, run_id: str) -> dict[tuple[str, str], int]:
    """Rows the run's errors kept out, per (entity, source location)."""
    reject = target_metadata().tables["reject"]
    rows = (sa.select(reject.c.entity, reject.c.source, reject.c.row_number, reject.c.legacy_key)
            .where(reject.c.run_id == run_id, reject.c.severity == "error").distinct().subquery())
    query = sa.select(rows.c.entity, rows.c.source, sa.func.count()).group_by(rows.c.entity, rows.c.source)
    return {(entity, source): count for entity, source, count in connection.execute(query)}


def source_records(mapping: SystemMapping, extracted: ExtractResult, shaping: ShapingCounts,
                   rejected: dict[tuple[str, str], int]) -> tuple[SourceRecords, ...]:
    """The accounting of every source the run read, in system.toml's order."""
    found = []
    for name, source in extracted.sources.items():
        tally = source.tally
        counts = []
        for entity in mapping.entities:
            if name not in entity.sources:
                continue
            shaped = shaping.counts.get((entity.entity, name), Shaping())
            counts.append(RecordCount(entity_label(entity.entity), shaped.read, shaped.filtered, shaped.without_rows,
                                      shaped.rows, rejected.get((entity.entity, source.location), 0),
                                      entity.merges))
        lookup_of = tuple(entity_label(e.entity) for e in mapping.entities if any(j.source == name for j in e.joins))
        if tally is None:
            found.append(SourceRecords(name, source.location, None, source.row_count, entities=tuple(counts),
                                       lookup_of=lookup_of))
            continue
        found.append(SourceRecords(name, source.location, tally.records, tally.read, tally.blank,
                                   tuple(tally.blank_rows), tally.deleted, tuple(tally.deleted_rows), tally.comments,
                                   tuple(counts), lookup_of))
    return tuple(found)


def listed(rows: tuple[int, ...], count: int) -> str:
    """The first ten of ``count`` row numbers: ``57, 10723 and 12 more``."""
    shown = ", ".join(str(row) for row in rows[:10])
    return shown + (f" and {count - min(len(rows), 10)} more" if count > min(len(rows), 10) else "")


def describe(records: SourceRecords) -> str:
    """``POKAZ.DBF: 35,781 records: 35,780 read, 1 deleted (record 17) -> readings: 39,535 rows:
    39,503 loaded, 32 rejected``: what a person reads in the reports."""
    head = f"{records.location}: " + (f"{records.records:,} records: " if records.records is not None else "")
    parts = [f"{records.read:,} read"]
    if records.blank:
        parts.append(f"{records.blank:,} blank (row {listed(records.blank_rows, records.blank)})")
    if records.deleted:
        parts.append(f"{records.deleted:,} deleted (record {listed(records.deleted_rows, records.deleted)})")
    if records.comments:
        parts.append(f"{records.comments:,} comment line" + ("s" if records.comments > 1 else ""))
    text = head + ", ".join(parts)
    for count in records.entities:
        kept = []
        if count.filtered:
            kept.append(f"{count.filtered:,} filtered")
        if count.without_rows:
            kept.append(f"{count.without_rows:,} with every cell blank")
        lead = f" ({', '.join(kept)})" if kept else ""
        made = f"{count.rows:,} rows" if count.rows == count.with_rows else \
            f"{count.with_rows:,} records made {count.rows:,} rows"
        made += ", merged by key" if count.merged else ""
        text += f" -> {count.entity}{lead}: {made}: {count.loaded_rows:,} loaded, {count.rejected_rows:,} rejected"
    if records.lookup_of:
        text += f" -> looked up by {', '.join(records.lookup_of)}"
    return text


def record_differences(records: tuple[SourceRecords, ...]) -> list[str]:
    """A line for every source whose records do not add up."""
    found = []
    for source in records:
        if source.records is not None and source.records != source.read + source.blank + source.deleted + source.comments:
            found.append(f"{source.location}: {source.records:,} records, but {source.read:,} read + {source.blank:,} "
                         f"blank + {source.deleted:,} deleted + {source.comments:,} comment lines")
        for count in source.entities:
            if count.read != source.read:
                found.append(f"{source.location}: {count.entity} were built from {count.read:,} of its "
                             f"{source.read:,} records read")
    return found
