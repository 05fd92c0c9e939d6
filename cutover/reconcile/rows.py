"""Row-level differences between the source side and the target, listed item by item.

Accounts and meters present on one side only, every (account, service, period) balance and
every meter's last reading per zone. Rows the run rejected are not differences: they are
accounted for as rejects. A missing account's balances and meters, and a missing meter's
readings, follow from it and are not listed again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator

import pandas as pd
import sqlalchemy as sa

from cutover.frames.keyindex import KeyIndex
from cutover.mapping.apply.mapstage import KEY_SEPARATOR
from cutover.money import kopecks_to_text
from cutover.progress import Progress
from cutover.reconcile import target_side
from cutover.reconcile.compare import FactsFile, compare_keyed, value_changes
from cutover.reconcile.source_side import MONEY
from cutover.results.files import ParquetRows, rows_of, text_schema
from cutover.results.model import DIFFERENCE_COLUMNS, RowDifferences

PROBLEMS = {"left": "missing in target", "right": "not in source"}


def shown_column(column: str) -> str:
    """The column as reports name it: money columns by their measure (their values are roubles)."""
    return column.removesuffix("_kopecks")


def money_text(column: str, values: pd.Series) -> pd.Series:
    """Values of a column as reports show them: kopecks as roubles, the rest as they are."""
    if column.endswith("_kopecks"):
        return values.map(lambda v: None if v is None or pd.isna(v) else kopecks_to_text(int(v)))
    return values.map(lambda v: None if v is None or pd.isna(v) else str(v))


class _Writer:
    """Differences into a Parquet file, counted by kind and problem."""

    def __init__(self, path: Path) -> None:
        self.rows, self.by_kind = ParquetRows(path, text_schema(DIFFERENCE_COLUMNS)), {}

    def add(self, kind: str, problem: str, keys: pd.Series, column=None, source=None, target=None) -> None:
        if keys.empty:
            return
        self.rows.write(pd.DataFrame({"kind": kind, "problem": problem, "legacy_key": keys.to_numpy(),
                                      "column": column, "source": source, "target": target}, index=range(len(keys))))
        label = f"{kind}: {problem}"
        self.by_kind[label] = self.by_kind.get(label, 0) + len(keys)

    def close(self) -> RowDifferences:
        return RowDifferences(dict(sorted(self.by_kind.items())), self.rows.close())


def joined_key(frame: pd.DataFrame, key: list[str]) -> pd.Series:
    first, *rest = (frame[column].astype("str") for column in key)
    return first.str.cat(list(rest), sep=KEY_SEPARATOR) if rest else first


def _side_value(found: pd.DataFrame, column: str) -> pd.Series:
    """The value of ``column`` on whichever side holds the row."""
    left, right = found[f"{column}_left"], found[f"{column}_right"]
    return left.where(found["side"] == "left", right)


def _compare(writer: _Writer, kind: str, source: FactsFile, target: Iterator[pd.DataFrame], key: list[str],
             values: list[str], scratch: Path, explained: Callable[[pd.DataFrame], pd.Series] | None = None) -> list[str]:
    """Compare one kind of row; the keys found on one side only (listed or explained)."""
    one_side: list[str] = []
    for found in compare_keyed(source, target, key, values, scratch):
        keys = joined_key(found, key)
        alone = found["side"] != "both"
        one_side.extend(keys[alone])
        listed = alone & ~(explained(found) if explained is not None else False)
        for side, problem in PROBLEMS.items():
            writer.add(kind, problem, keys[listed & (found["side"] == side)])
        changes = value_changes(found, values)
        for column, rows in changes.groupby("column", sort=False):
            at = rows["_at"].to_numpy()
            writer.add(kind, "differs", keys.loc[at], shown_column(column), money_text(column, rows["left"]).to_numpy(),
                       money_text(column, rows["right"]).to_numpy())
    return one_side


def row_differences(connection: sa.Connection, facts: Path, scratch: Path, progress: Progress,
                    opened: str | None = None) -> RowDifferences:
    """Compare the facts of the source side in ``facts`` with the target, item by item (not the
    balances of the month a switch ``opened``): the rows the run accepted, the first of each key."""
    writer = _Writer(facts / "differences.parquet")

    def accepted(name: str) -> FactsFile:
        return FactsFile(facts / f"{name}.parquet", accepted=True)

    try:
        progress.stage("reconcile: compare accounts")
        accounts = KeyIndex.of(pd.Series(_compare(
            writer, "account", accepted("accounts"), target_side.accounts(connection), ["legacy_key"], [], scratch),
            dtype="str"))

        def of_lone_account(found: pd.DataFrame) -> pd.Series:
            return accounts.contains(_side_value(found, "account").astype("str"))

        progress.stage("reconcile: compare meters")
        meters = KeyIndex.of(pd.Series(_compare(
            writer, "meter", accepted("meters"), target_side.meters(connection), ["legacy_key"], ["account"], scratch,
            of_lone_account), dtype="str"))
        progress.stage("reconcile: compare balances")
        balance_key = ["account", "service", "period"]
        _compare(writer, "balance", accepted("balances"), target_side.balances(connection, opened), balance_key, MONEY,
                 scratch, lambda found: accounts.contains(found["account"].astype("str")))
        progress.stage("reconcile: compare last readings")
        _compare(writer, "last reading", FactsFile(facts / "last_readings.parquet"), target_side.last_readings(connection),
                 ["meter", "zone"], ["read_on", "value"], scratch, lambda found: meters.contains(found["meter"].astype("str")))
    finally:
        result = writer.close()
    return result


def difference_rows(rows: RowDifferences) -> Iterator[pd.DataFrame]:
    """Every row-level difference (DIFFERENCE_COLUMNS), a chunk at a time."""
    return rows_of(rows.path, DIFFERENCE_COLUMNS)
