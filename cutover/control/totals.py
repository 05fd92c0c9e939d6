"""Control totals: the balance sources' raw money per legacy service code, month and measure.

The rows are the balance mapping's shaped rows (its sources united, joined and unpivoted, as
the source holds them) with the rows its filter leaves out kept and marked; every value is read
by the control's own readers (:mod:`cutover.control.readers`), never by the mapping's
transforms. Whether the run rejected a row comes from the target's reject table. What comes
out, per (service, month, status) with status ``kept``, ``rejected`` or ``filtered``: the rows,
the kopecks of every measure, how many of its values nobody can read, and the closing balances'
absolute sum (the money gate's measure). The unreadable values themselves go to a Parquet file
(``reports/<run-id>/reconcile/unreadable.parquet``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa

from cutover.control.plan import ControlPlan, MeasureSource
from cutover.control.readers import read_money, read_periods
from cutover.extract.snapshot import ExtractResult
from cutover.frames.keyindex import KeyIndex
from cutover.mapping.apply.mapstage import join_key, row_named
from cutover.mapping.apply.shape import shape_batches, unpivoted_from
from cutover.results.files import ParquetRows
from cutover.results.identity import row_identity
from cutover.results.model import UNREADABLE_COLUMNS, UnreadableValue

GROUP = ["service", "period", "status"]
UNREAD_MONTH = "?"  # the month of rows whose month cannot be read
UNREADABLE_SCHEMA = pa.schema([(c, pa.int64() if c == "row" else pa.string()) for c in UNREADABLE_COLUMNS])
KEPT_VALUES = 1000  # unreadable values kept in memory for the reports; the file has them all


@dataclass
class ControlTotals:
    """What the control read of the balances."""

    plan: ControlPlan
    sums: pd.DataFrame  # GROUP, rows, <measure>, <measure>_unreadable, closing_absolute
    unreadable_rows: int = 0  # rows not left out by the filter that hold an unreadable value
    unreadable_values: list[UnreadableValue] = field(default_factory=list)  # the first KEPT_VALUES
    total_unreadable: int = 0  # unreadable values, every row
    path: Path | None = None
    unread_months: Counter = field(default_factory=Counter)  # raw month values the control cannot read, rows

    @property
    def periods(self) -> list[str]:
        """The months the source's balances cover (readable ones), in order."""
        return sorted(p for p in self.sums["period"].unique() if p != UNREAD_MONTH)

    def coverage(self) -> str:
        """``the balances cover 2026-08..2026-10``: what a message about a missing month says."""
        periods = self.periods
        if not periods:
            return "no balance has a month that can be read"
        return f"the balances cover {periods[0]}..{periods[-1]}" if len(periods) > 1 else \
            f"the balances cover {periods[0]}"

    def rows_of(self, period: str, status: str | None = None) -> int:
        rows = self.sums[self.sums["period"] == period]
        return int((rows if status is None else rows[rows["status"] == status])["rows"].sum())


def _measure_values(frame: pd.DataFrame, measure: MeasureSource) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Kopecks (0 where blank or unreadable), which values are unreadable, and why."""
    columns = [frame[c] for c in measure.columns] or [pd.Series(measure.constant, index=frame.index, dtype="object")]
    read = [read_money(column, measure.unit) for column in columns]
    amount = read[0].values.fillna(0)
    if len(read) == 2:  # debt minus advance
        amount = amount - read[1].values.fillna(0)
    problem = read[0].problem
    for other in read[1:]:
        problem = problem.where(problem.notna(), other.problem)
    unreadable = problem.notna()
    return (amount * measure.sign).where(~unreadable, 0).astype("int64"), unreadable, problem


def _status(frame: pd.DataFrame, plan: ControlPlan, rejected: KeyIndex | None) -> pd.Series:
    filtered = frame["_filtered"].astype(bool) if "_filtered" in frame else pd.Series(False, index=frame.index)
    status = pd.Series("kept", index=frame.index, dtype="object")
    if rejected is not None and len(rejected):
        identity = row_identity(frame["_source"], frame["_row"], _key(frame, plan))
        status[rejected.contains(identity) & ~filtered] = "rejected"
    status[filtered] = "filtered"
    return status


def _periods(frame: pd.DataFrame, plan: ControlPlan, unread: Counter) -> pd.Series:
    """Each row's month (``?`` where it cannot be read; those raw values are counted in ``unread``)."""
    raw = frame[plan.period_column] if plan.period_column else pd.Series(plan.period_constant or "", index=frame.index,
                                                                        dtype="object")
    read = read_periods(raw)
    missing = read.values.isna()
    if missing.any():
        unread.update(raw[missing].astype("str").str.strip().tolist())
    return read.values.where(~missing, UNREAD_MONTH)


class _Unreadable:
    """Unreadable values as they are found: the file of all of them, the first ones in memory."""

    def __init__(self, path: Path | None) -> None:
        self.file = ParquetRows(path, UNREADABLE_SCHEMA) if path is not None else None
        self.kept: list[UnreadableValue] = []
        self.total = 0
        self.rows = 0

    def add(self, frame: pd.DataFrame) -> None:
        if frame.empty:
            return
        self.total += len(frame)
        if self.file is not None:
            self.file.write(frame)
        room = KEPT_VALUES - len(self.kept)
        if room > 0:
            self.kept += [UnreadableValue(*record) for record in
                          frame[UNREADABLE_COLUMNS].head(room).itertuples(index=False, name=None)]

    def close(self) -> Path | None:
        return self.file.close() if self.file is not None else None


def _key(frame: pd.DataFrame, plan: ControlPlan) -> pd.Series:
    """The balance's legacy key, as the map stage spells it (``#row<n>`` where it is blank)."""
    keys = join_key(frame[list(plan.entity.key)]) if plan.entity.key else pd.Series(None, index=frame.index)
    return row_named(keys, frame["_row"])


def _columns_named(frame: pd.DataFrame, measure: MeasureSource, source: str, plan: ControlPlan) -> pd.Series:
    """The source column(s) of a measure's values, as the source names them: an unpivoted value by
    the column of its row's label (``ГВС Нач``), a renamed column by its name in ``source``."""
    if not measure.columns:
        return pd.Series("(a constant)", index=frame.index, dtype="object")
    physical = {name: column for column, name in plan.entity.renamed(source).items()}
    names = [frame[unpivoted_from(c)].astype("str").map(lambda wide: physical.get(wide, wide))
             if unpivoted_from(c) in frame else pd.Series(physical.get(c, c), index=frame.index, dtype="object")
             for c in measure.columns]
    return names[0].str.cat(names[1:], sep=", ") if len(names) > 1 else names[0]


def read_control(plan: ControlPlan, extracted: ExtractResult, rejected: KeyIndex | None, batch_rows: int,
                 unreadable_path: Path | None = None) -> ControlTotals:
    """Read the control totals of the balances (``rejected``: the run's rejected rows, from the
    reject table, or None before any run); unreadable values go to ``unreadable_path``."""
    parts: list[pd.DataFrame] = []
    unread_months: Counter = Counter()
    found = _Unreadable(unreadable_path)
    names = [m.measure for m in plan.measures]
    try:
        for shaped in shape_batches(plan.entity, extracted, batch_rows, keep_filtered=True):
            frame = shaped.frame
            if frame.empty:
                continue
            service = join_key(frame[list(plan.service)]) if plan.service else pd.Series(None, index=frame.index)
            rows = pd.DataFrame({"service": service.where(service.notna(), "").astype("object"),
                                 "period": _periods(frame, plan, unread_months), "status": _status(frame, plan, rejected),
                                 "rows": 1}, index=frame.index)
            unreadable_any = pd.Series(False, index=frame.index)
            for measure in plan.measures:
                amount, unreadable, problem = _measure_values(frame, measure)
                rows[measure.measure] = amount
                rows[f"{measure.measure}_unreadable"] = unreadable.astype("int64")
                unreadable_any |= unreadable
                if unreadable.any():
                    bad = frame[unreadable]
                    values = bad[list(measure.columns)].astype("str").agg("; ".join, axis=1) if measure.columns \
                        else pd.Series(measure.constant, index=bad.index)
                    found.add(pd.DataFrame({
                        "source": bad["_source"].astype("str"), "row": bad["_row"].astype("int64"),
                        "legacy_key": _key(bad, plan), "service": rows.loc[unreadable, "service"],
                        "period": rows.loc[unreadable, "period"], "measure": measure.measure,
                        "column": _columns_named(bad, measure, shaped.source, plan), "value": values.astype("str"),
                        "problem": problem[unreadable].astype("str"), "status": rows.loc[unreadable, "status"]}))
            found.rows += int((unreadable_any & (rows["status"] != "filtered")).sum())
            closing = rows["closing"] if "closing" in rows else pd.Series(0, index=rows.index)
            rows["closing_absolute"] = closing.abs()
            parts.append(rows.groupby(GROUP, sort=False).sum(numeric_only=True).reset_index())
    finally:
        path = found.close()
    sums = pd.concat(parts, ignore_index=True).groupby(GROUP).sum().reset_index() if parts else pd.DataFrame(
        columns=[*GROUP, "rows", *names, *(f"{n}_unreadable" for n in names), "closing_absolute"])
    for column in sums.columns.difference(GROUP):
        sums[column] = sums[column].astype("int64")
    return ControlTotals(plan, sums, found.rows, found.kept, found.total, path, unread_months)


def sums_by(sums: pd.DataFrame, keys: list[str], statuses: tuple[str, ...] | None = None) -> pd.DataFrame:
    """``sums`` added up by ``keys`` (only rows of ``statuses``, if given)."""
    rows = sums if statuses is None else sums[sums["status"].isin(statuses)]
    numeric = [c for c in rows.columns if c not in GROUP]
    return rows.groupby(keys)[numeric].sum() if len(rows) else pd.DataFrame(columns=numeric)
