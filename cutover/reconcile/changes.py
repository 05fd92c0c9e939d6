"""What changed since the previous run of the same project.

The previous run is the latest earlier dry run of the same mapping that finished (reconciled
or not) and whose folder still holds its facts. Rejects are compared in the target's
journal (set difference computed by the database); accounts, meters and balances in the two
runs' facts files, in one DuckDB join each (cutover/reconcile/compare.py). A reject is the same reject from night to night when
its entity, severity, rule, legacy key and column are: row numbers move as files grow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pandas as pd
import sqlalchemy as sa

from cutover.reconcile.compare import FactsFile, compare_keyed, value_changes
from cutover.reconcile.rows import joined_key, money_text, shown_column
from cutover.reconcile.source_side import MONEY, facts_folder
from cutover.results.files import ParquetRows, rows_of, text_schema
from cutover.results.model import CHANGE_COLUMNS, entity_label
from cutover.schema.tables import target_metadata
from cutover.target import runs


@dataclass(frozen=True)
class Changes:
    """Counts of what changed, and where the rows are."""

    previous_run: str | None
    note: str | None = None
    rejects: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)  # label -> rule -> new/fixed
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # accounts/meters/balances -> change -> rows
    path: Path | None = None

    def to_dict(self, rows: list[dict]) -> dict:
        return {"previous_run": self.previous_run, "note": self.note, "rejects": self.rejects, **self.counts,
                "rows": rows}


def previous_run(connection: sa.Connection, run_id: str, mapping: str, reports_dir: Path) -> tuple[str | None, str | None]:
    """The run to compare with, or None and why there is none."""
    earlier = runs.history(connection, mapping, run_id, nights=1)
    if not earlier:
        return None, "this is the first finished run of the project: nothing to compare with"
    found = earlier[-1].run_id
    if not (facts_folder(reports_dir, found) / "accounts.parquet").exists():
        return None, f"the previous run {found} has no facts in {facts_folder(reports_dir, found)}: not compared"
    return found, None


def _reject_identity(reject: sa.Table, run_id: str):
    return (sa.select(reject.c.entity, reject.c.severity, reject.c.rule, reject.c.legacy_key, reject.c.column_name)
            .where(reject.c.run_id == run_id))


def _reject_changes(connection: sa.Connection, run_id: str, previous: str, writer: ParquetRows) -> dict:
    reject = target_metadata().tables["reject"]
    counts: dict[str, dict[str, dict[str, int]]] = {}
    for change, (now, before) in {"new": (run_id, previous), "fixed": (previous, run_id)}.items():
        found = sa.except_(_reject_identity(reject, now), _reject_identity(reject, before)).subquery()
        rows = pd.DataFrame(connection.execute(sa.select(found).order_by(*found.c)).all(),
                            columns=["entity", "severity", "rule", "legacy_key", "column"])
        for (entity, rule), group in rows.groupby(["entity", "rule"], sort=True):
            counts.setdefault(entity_label(entity), {}).setdefault(rule, {"new": 0, "fixed": 0})[change] = len(group)
        writer.write(rows.assign(change=f"reject {change}"))
    return {label: dict(sorted(rules.items())) for label, rules in sorted(counts.items())}


def _facts_changes(kind: str, name: str, key: list[str], values: list[str], previous: Path, current: Path,
                   scratch: Path, writer: ParquetRows) -> dict[str, int]:
    counts = {"added": 0, "removed": 0} if not values else {"changed": 0, "added": 0, "removed": 0}
    before, now = FactsFile(previous / f"{name}.parquet"), FactsFile(current / f"{name}.parquet")
    for found in compare_keyed(before, now, key, values, scratch):
        keys = joined_key(found, key)
        for side, change in (("right", "added"), ("left", "removed")):
            alone = keys[found["side"] == side]
            counts[change] += len(alone)
            writer.write(pd.DataFrame({"change": f"{kind} {change}", "entity": kind, "legacy_key": alone}))
        if values:
            changed = value_changes(found, values)
            counts["changed"] += found.loc[changed["_at"].unique()].shape[0] if len(changed) else 0
            for column, rows in changed.groupby("column", sort=False):
                writer.write(pd.DataFrame({
                    "change": f"{kind} changed", "entity": kind, "legacy_key": keys.loc[rows["_at"]].to_numpy(),
                    "column": shown_column(column), "before": money_text(column, rows["left"]).to_numpy(),
                    "after": money_text(column, rows["right"]).to_numpy()}))
    return counts


def changes_since(connection: sa.Connection, run_id: str, mapping: str, reports_dir: Path, current: Path,
                  scratch: Path) -> Changes:
    """Compare run ``run_id`` (whose facts are in ``current``) with the previous run."""
    previous, note = previous_run(connection, run_id, mapping, reports_dir)
    if previous is None:
        return Changes(None, note)
    before = facts_folder(reports_dir, previous)
    writer = ParquetRows(current / "changes.parquet", text_schema(CHANGE_COLUMNS))
    try:
        rejects = _reject_changes(connection, run_id, previous, writer)
        counts = {
            "accounts": _facts_changes("account", "accounts", ["legacy_key"], [], before, current, scratch, writer),
            "meters": _facts_changes("meter", "meters", ["legacy_key"], [], before, current, scratch, writer),
            "balances": _facts_changes("balance", "balances", ["account", "service", "period"], MONEY, before,
                                       current, scratch, writer),
        }
    finally:
        path = writer.close()
    return Changes(previous, None, rejects, counts, path)


def change_rows(changes: Changes) -> Iterator[pd.DataFrame]:
    """Every change (CHANGE_COLUMNS), a chunk at a time."""
    return rows_of(changes.path, CHANGE_COLUMNS)
