"""The source side of a reconciliation: the run's extract read again through the mapping.

Nothing here comes from the loader: the rows are mapped afresh from the snapshot (or the
live sources), a batch at a time, and whether a row was rejected is read from the target's
reject table. What the comparison needs is written to Parquet files in the run's folder
(``reports/<run-id>/reconcile/``), which the next night's run compares itself with:

- ``accounts``: legacy_key, rejected
- ``meters``: legacy_key, account, rejected
- ``balances``: account, service, period, <measure>_kopecks, rejected
- ``last_readings``: meter, zone, read_on, value (the last accepted reading per meter and zone)

The load gathers the same facts as it checks each part (``SourceFacts`` is one of its
observers) and records them in the run's folder; ``facts.json``, written last and atomically,
says they are complete and holds the rest of the source side (counts, codes, money sums), so a
later reconciliation of the run (`cutover reconcile`, the month-end's gate, a resumed one) reads
them instead of mapping the source again. A collector starting on a folder removes its
``facts.json`` first: files being rewritten are never taken as complete.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import sqlalchemy as sa

from cutover.config import Project
from cutover.control.records import Shaping, ShapingCounts
from cutover.control.totals import UNREAD_MONTH
from cutover.decimals import from_scaled, scaled
from cutover.extract.snapshot import ExtractResult
from cutover.frames.spill import SpillFile
from cutover.mapping.apply.mapstage import MappedEntity, map_entity
from cutover.mapping.apply.rejects import RejectLog
from cutover.mapping.apply.shape import ShapedRows, shape_batches
from cutover.mapping.model import EntityMapping, SystemMapping
from cutover.pipeline.alternates import AlternateKeys
from cutover.progress import Progress
from cutover.reconcile.compare import bucket_count, bucket_numbers
from cutover.reconcile.journal import rejected_rows
from cutover.results.files import ParquetRows, row_count, rows_of
from cutover.results.identity import row_identity
from cutover.results.model import MEASURES
from cutover.schema.definition import target_schema

MONEY = [f"{measure}_kopecks" for measure in MEASURES]
READING_SCALE = 7  # digits after the point of reading.value
# The target columns each entity compared row by row needs (besides its keys); its other
# columns are not mapped again.
COMPARED = {"service": {"code"}, "account": set(), "meter": set(), "balance": {"period", *MONEY},
            "reading": {"zone", "read_on", "value"}}

FACT_SCHEMAS = {
    "accounts": pa.schema([("legacy_key", pa.string()), ("rejected", pa.bool_())]),
    "meters": pa.schema([("legacy_key", pa.string()), ("account", pa.string()), ("rejected", pa.bool_())]),
    "balances": pa.schema([("account", pa.string()), ("service", pa.string()), ("period", pa.string()),
                           *((column, pa.int64()) for column in MONEY), ("rejected", pa.bool_())]),
    "last_readings": pa.schema([("meter", pa.string()), ("zone", pa.string()), ("read_on", pa.string()),
                                ("value", pa.string())]),
}


def facts_folder(reports_dir: Path, run_id: str, live: bool = False) -> Path:
    """Where a run's facts are: ``reconcile/`` of the run's folder (``reconcile-live/`` for what
    ``--live`` read, which is the sources' state later, not the run's, so never compared with)."""
    return reports_dir / run_id / ("reconcile-live" if live else "reconcile")


def read_facts(folder: Path, name: str) -> Iterator[pd.DataFrame]:
    """The rows of one facts file, a frame at a time."""
    return rows_of(folder / f"{name}.parquet", FACT_SCHEMAS[name].names)


def fact_rows(folder: Path, name: str) -> int:
    return row_count(folder / f"{name}.parquet")


def _text(series: pd.Series) -> pd.Series:
    return series.astype("object").where(series.notna(), None)


def iso_dates(series: pd.Series) -> pd.Series:
    """Dates as ``YYYY-MM-DD`` text (missing stays missing), the same from a frame or a database."""
    dates = pd.to_datetime(series, errors="coerce")
    return _text(dates.dt.strftime("%Y-%m-%d").where(dates.notna(), None))


def _plain_text(value) -> str | None:
    """A number as plain decimal text: Decimal("0E-7") from a database is "0.0000000", never "0E-7"."""
    if value is None or value is pd.NA:
        return None
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def canonical_values(series: pd.Series) -> pd.Series:
    """Reading values as canonical decimal text (``"2833.5"``), the same from a frame or a database."""
    if series.dtype == object:  # from a database: Decimal (or text on SQLite), turned to text one by one
        series = series.map(_plain_text)
    text = _text(series.astype("object"))  # mapped from a source: text already, no loop per row
    return _text(from_scaled(scaled(text, READING_SCALE), READING_SCALE).where(text.notna(), None))


@dataclass
class SourceSide:
    """What the source holds, as far as the comparison needs it."""

    folder: Path
    items: dict[str, int] = field(default_factory=dict)  # entity -> source items
    filtered: dict[str, int] = field(default_factory=dict)  # entity -> rows its filter left out
    money: pd.DataFrame | None = None  # service (legacy key), period, rejected, <measure>_kopecks: as mapped
    codes: dict[str, str] = field(default_factory=dict)  # service legacy key -> target code
    shaping: ShapingCounts = field(default_factory=ShapingCounts)  # what became of each source's records


class _LastReadings:
    """The last reading per meter and zone. Each batch is reduced and set aside on disk in buckets
    by meter; each bucket is reduced once more at the end, so memory holds one bucket at most,
    however many meters there are."""

    def __init__(self, scratch: Path, buckets: int) -> None:
        self.buckets = max(1, buckets)
        self.files = [SpillFile(scratch / f"last-readings.{number}.pickle") for number in range(self.buckets)]

    def add(self, frame: pd.DataFrame) -> None:
        reduced = self._last(frame)
        if reduced.empty:
            return
        numbers = bucket_numbers(reduced, ["meter"], self.buckets)
        for number in np.unique(numbers):
            self.files[number].append(reduced[numbers == number])

    @staticmethod
    def _last(frame: pd.DataFrame) -> pd.DataFrame:
        ordered = frame.sort_values(["meter", "zone", "read_on"], kind="stable")
        return ordered.drop_duplicates(["meter", "zone"], keep="last")

    def write(self, rows: ParquetRows) -> None:
        for file in self.files:
            parts = list(file)
            if parts:
                rows.write(self._last(pd.concat(parts, ignore_index=True)))
            file.remove()


class SourceFacts:
    """Collects what the comparison needs of the source, an entity's mapped rows at a time, into
    the facts files of ``folder``. The load observes its parts to it (``rejected`` is what the
    checks decided); ``read_source_side`` feeds it the sources mapped again (``rejected`` is
    what the reject table says). A test proves both write the same facts."""

    def __init__(self, folder: Path, scratch: Path, reading_partitions: int = 1) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        forget_facts(folder)  # its files are rewritten from here on: not complete until ``record``
        self.parts = 0
        self.side = SourceSide(folder)
        self.files = {name: ParquetRows(folder / f"{name}.parquet", FACT_SCHEMAS[name], always=True)
                      for name in FACT_SCHEMAS if name != "last_readings"}
        self.codes: dict[str, str] = {}
        self.money_parts: list[pd.DataFrame] = []
        self.last = _LastReadings(scratch, reading_partitions)
        self.keys: dict[str, list[pd.Series]] = {}  # a merging entity's keys, counted at the end

    def add_shaped(self, entity: str, shaped: ShapedRows) -> None:
        """A batch of the entity's shaped rows: what became of its source records."""
        self.side.filtered[entity] = self.side.filtered.get(entity, 0) + shaped.filtered
        self.side.items.setdefault(entity, 0)
        self.side.shaping.add(entity, shaped)

    # the load's observer (``cutover.run.stream.LoadObserver``)
    def on_shaped(self, entity: str, shaped: ShapedRows) -> None:
        self.add_shaped(entity, shaped)

    def on_part(self, part: MappedEntity) -> None:
        """A part whose rows are decided, as it is loaded: ``_failed`` says which were rejected."""
        self.add(part.mapping, part.frame, part.frame["_failed"])

    def on_finish(self) -> None:
        self.finish()

    def add(self, entity: EntityMapping, frame: pd.DataFrame, rejected: pd.Series | bool) -> None:
        """Some mapped rows of ``entity`` and which of them were rejected."""
        self.parts += 1
        name = entity.entity
        self.side.items.setdefault(name, 0)
        if entity.merges:
            self.keys.setdefault(name, []).append(frame["_key"].drop_duplicates())
        else:
            self.side.items[name] += len(frame)
        if name not in COMPARED:
            return
        frame = frame.assign(rejected=rejected)
        if name == "service":
            self.codes.update(zip(frame["_key"], frame["code"]))
        elif name == "account":
            self.files["accounts"].write(frame.assign(legacy_key=frame["_key"]))
        elif name == "meter":
            self.files["meters"].write(frame.assign(legacy_key=frame["_key"], account=frame["_ref_account_id"]))
        elif name == "balance":
            balances = _balances(frame)
            self.files["balances"].write(balances)
            self.money_parts.append(_sums(balances))
        elif name == "reading":
            accepted = frame[~frame["rejected"].astype(bool)]
            self.last.add(pd.DataFrame({"meter": _text(accepted["_ref_meter_id"]), "zone": _text(accepted["zone"]),
                                        "read_on": iso_dates(accepted["read_on"]),
                                        "value": canonical_values(accepted["value"])}))

    def close(self) -> None:
        for file in self.files.values():
            file.close()

    def finish(self) -> SourceSide:
        """Write the last readings and count what is counted at the end (once: again is no harm)."""
        if self.side.money is not None:
            return self.side
        self.close()
        last_readings = ParquetRows(self.side.folder / "last_readings.parquet", FACT_SCHEMAS["last_readings"],
                                    always=True)
        self.last.write(last_readings)
        last_readings.close()
        for name, keys in self.keys.items():
            self.side.items[name] = int(pd.concat(keys).nunique())
        self.side.money = _money(self.money_parts)
        self.side.codes = {key: code for key, code in self.codes.items() if isinstance(code, str)}
        return self.side

    def record(self, run_id: str, recorded_by: str = "load") -> SourceSide:
        """Finish the facts and record them as complete for ``run_id``: ``facts.json`` is written
        last, atomically, so it is there only when every facts file is."""
        side = self.finish()
        folder = side.folder
        state = {"complete": True, "format": FACTS_FORMAT, "run_id": run_id, "recorded_by": recorded_by,
                 "parts": self.parts, "recorded_at": dt.datetime.now().isoformat(timespec="seconds"),
                 "files": {name: fact_rows(folder, name) for name in FACT_SCHEMAS},
                 "side": _side_state(side)}
        writing = folder / f"{FACTS_STATE}.writing"
        writing.write_text(json.dumps(state, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        os.replace(writing, folder / FACTS_STATE)
        return side


FACTS_STATE = "facts.json"
FACTS_FORMAT = 1  # what facts.json and the facts files hold; another format is mapped again


def forget_facts(folder: Path) -> None:
    """The facts of ``folder`` are no longer complete (they are about to be rewritten)."""
    (folder / FACTS_STATE).unlink(missing_ok=True)


def facts_state(folder: Path) -> dict | None:
    """What ``facts.json`` of ``folder`` says, or None if there is none (or it cannot be read)."""
    try:
        return json.loads((folder / FACTS_STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def recorded_side(folder: Path, run_id: str) -> tuple[SourceSide | None, str]:
    """The source side recorded in ``folder`` for ``run_id``, and who recorded it; or None and why
    it cannot be used (missing, incomplete, another run's, a facts file changed since)."""
    state = facts_state(folder)
    if state is None:
        return None, f"no complete facts are recorded in {folder}"
    if state.get("complete") is not True or state.get("format") != FACTS_FORMAT:
        return None, f"the facts in {folder} are incomplete or of another format"
    if state.get("run_id") != run_id:
        return None, f"the facts in {folder} are run {state.get('run_id')}'s, not {run_id}'s"
    for name, rows in state["files"].items():
        if not (folder / f"{name}.parquet").exists() or fact_rows(folder, name) != rows:
            return None, f"{folder / name}.parquet is not the file of {rows} rows the facts recorded"
    return _side_of(folder, state["side"]), state.get("recorded_by", "load")


def _side_state(side: SourceSide) -> dict:
    """The source side beside its files, as JSON (money in integer kopecks)."""
    money = side.money if side.money is not None else _money([])
    return {"items": side.items, "filtered": side.filtered, "codes": side.codes,
            "shaping": [[entity, source, c.read, c.filtered, c.without_rows, c.rows]
                        for (entity, source), c in side.shaping.counts.items()],
            "money": [[row.service, row.period, bool(row.rejected), *(int(getattr(row, c)) for c in MONEY)]
                      for row in money.itertuples(index=False)]}


def _side_of(folder: Path, state: dict) -> SourceSide:
    shaping = ShapingCounts({(entity, source): Shaping(*counts) for entity, source, *counts in state["shaping"]})
    money = _money([pd.DataFrame(state["money"], columns=[*MONEY_GROUP, *MONEY])]) if state["money"] else _money([])
    return SourceSide(folder, dict(state["items"]), dict(state["filtered"]), money, dict(state["codes"]), shaping)


def reading_partitions(mapping: SystemMapping, extracted: ExtractResult, partition_rows: int) -> int:
    """Buckets for the last readings: about ``partition_rows`` source readings each."""
    rows = sum(extracted.sources[name].row_count for entity in mapping.entities if entity.entity == "reading"
               for name in entity.sources)
    return bucket_count(rows, partition_rows)


def read_source_side(mapping: SystemMapping, extracted: ExtractResult, connection: sa.Connection, run_id: str,
                     project: Project, folder: Path, scratch: Path, progress: Progress) -> SourceSide:
    """Map the run's sources again and write the facts of the comparison to ``folder``, recorded
    as complete for ``run_id`` once written."""
    facts = SourceFacts(folder, scratch, reading_partitions(mapping, extracted, project.partition_rows))
    chunk_rows = project.chunk_rows
    alternates = AlternateKeys()  # the other keys children name parents by (refs' parent_key)
    try:
        for entity in mapping.entities:
            name, merges = entity.entity, entity.merges
            progress.stage(f"reconcile: read {name}")
            mapped_needed = name in COMPARED or merges or bool(entity.alternate_keys)
            rejected = rejected_rows(connection, run_id, name) if mapped_needed else None
            table = target_schema().table(name)
            if name in COMPARED and entity.key:  # keyed by source columns: the other columns are not needed
                entity = replace(entity, columns=tuple(rule for rule in entity.columns
                                                       if set(rule.targets) & COMPARED[name]))
            location = " + ".join(extracted.sources[s].location for s in entity.sources)
            for shaped in shape_batches(entity, extracted, chunk_rows):
                facts.add_shaped(name, shaped)
                progress.advance(len(shaped.frame))
                if not mapped_needed:
                    facts.side.items[name] += len(shaped.frame)
                    continue
                mapped = map_entity(entity, table, location, shaped.frame, RejectLog())
                frame = mapped.frame
                alternates.add(entity, mapped.source, frame["_key"])
                alternates.tell_legacy_keys(entity, frame)
                facts.add(entity, frame, rejected.contains(row_identity(frame["_source"], frame["_row"], frame["_key"]))
                          if len(rejected) else False)
    finally:
        facts.close()
    return facts.record(run_id, "reconcile")  # a later reconciliation of the run need not map them again


def _balances(frame: pd.DataFrame) -> pd.DataFrame:
    rows = pd.DataFrame({"account": _text(frame["_ref_account_id"]), "service": _text(frame["_ref_service_id"]),
                         "period": _text(frame["period"]), "rejected": frame["rejected"].astype(bool)})
    for column in MONEY:
        rows[column] = frame[column].astype("Int64")
    return rows


MONEY_GROUP = ["service", "period", "rejected"]


def _sums(balances: pd.DataFrame) -> pd.DataFrame:
    """Per service (legacy key), period (``?`` where the mapping could not read it) and rejected or
    not, the sums of every measure as the mapping read them (a value it could not read adds 0)."""
    rows = balances.assign(service=balances["service"].fillna(""), period=balances["period"].fillna(UNREAD_MONTH))
    return rows.groupby(MONEY_GROUP)[MONEY].sum().reset_index()


def _money(parts: list[pd.DataFrame]) -> pd.DataFrame:
    if not parts:
        return pd.DataFrame(columns=[*MONEY_GROUP, *MONEY]).astype({c: "int64" for c in MONEY})
    sums = pd.concat(parts, ignore_index=True).groupby(MONEY_GROUP)[MONEY].sum().reset_index()
    for column in MONEY:
        sums[column] = sums[column].astype("int64")
    return sums
