"""What a run's reports show: one object, rendered three ways (summary.json, report.xlsx, report.html).

The summary is plain JSON-ready data (money as decimal strings of roubles, never floats);
the row sets behind it (every reject, every difference, every change) can be far larger
than memory allows at once, so they come as functions that yield frames a chunk at a time.

The summary's fields (``summary.json``; a failed run has only the first group and ``error``)::

    run_id, kind, status ("reconciled" | "differences" | "failed"), cutover_version, mapping,
    target (password masked), period, started_at, finished_at, [error]
    sources:   {name: {location, rows, sha256, ...how it was read,
                      records: {records, read, blank, blank_rows, deleted, deleted_rows, comments}}}
    entities:  {label: {source_rows, loaded, rejected, warnings}}          label: "accounts"
    filtered:  {label: rows the entity's filter left out}
    rejects_by_rule / warnings_by_rule: {label: {rule: items}}
    money:     {period, measure: "closing", services: {code: {<money line>}}, total: {<money line>}}
    money_by_measure: {period, services: {code: {measure: {<money line>}}},
                       total: {measure: {<money line>}}}
                       measure: opening, charged, recalculated, paid, closing
               <money line>: {source (as the mapping read it), target, rejected, [control] (read from
                       the raw source by the control; absent where it cannot follow the transforms),
                       filtered, unreadable (rows), difference, [declared] (the legacy statement)}
                       difference = control (else source) - target - rejected - filtered
    control:   {period, lines: [{service (legacy code; "*" the month's total), code (target), period
                       ("?" unreadable), measure, control, source, target, rejected, filtered,
                       unreadable, rows, declared, difference}] (every month, legacy service, measure),
                volume: {legacy service: kopecks of |closing| in the period, as text},
                unreadable: {rows, accepted, values, blocking, first: [{source, row, legacy_key, service,
                       period, measure, column, value, problem, status}]},
                notes: [...], falls_accepted: [...]}
    records:   [{name, location, records (physical; null if not counted), read, blank, blank_rows,
                 deleted, deleted_rows, comments, lookup_of: [labels],
                 entities: [{entity, read, filtered, without_rows, rows, rejected_rows, loaded_rows, merged}],
                 balanced}]
    differences:   [one line per count, money or row-level difference kind, as a person reads it]
    gate_failures: [one line per gate the run broke]
    gates:     [{name ([gates] setting: max_reject_share, entities.max_reject_share, max_rejected_money,
                 max_rejected_money_share, accept_unreadable_rows, max_fall; entities_not_empty), passed,
                 unit ("share": a fraction of 1, "money": roubles as text, "rows", "": no number),
                 measured, limit, [entity] (label, for a gate of one entity), [failure] (its gate_failures line)}]
                 every gate, held or broken
    row_differences: {total, by_kind: {"<kind>: <problem>": count}, rows: [first ROW_LIMIT rows
                      as dicts of DIFFERENCE_COLUMNS]}
    changes: {previous_run: run id or null, note: why nothing was compared (or null),
              rejects: {label: {rule: {new, fixed}}},
              accounts: {added, removed}, meters: {added, removed},
              balances: {changed, added, removed},
              rows: [first ROW_LIMIT rows as dicts of CHANGE_COLUMNS]}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterator

import pandas as pd

ROW_LIMIT = 1000  # rows of each kind summary.json and report.html list; report.xlsx lists them all
# ...but for rejects past [project] rejects_in_workbook: then the Rejects sheet keeps this many of
# each rule, and every reject is in rejects.csv and rejects.parquet beside the workbook.
FIRST_OF_EACH_RULE = 100
REJECTS_CSV, REJECTS_PARQUET = "rejects.csv", "rejects.parquet"

# The row formats of every reject, difference, change and unreadable money value of a run are
# defined with the result they belong to (cutover/results/model.py), below the reconciliation
# that writes them; the reports read them from there.
from cutover.results.model import (  # noqa: E402
    CHANGE_COLUMNS,
    DIFFERENCE_COLUMNS,
    REJECT_COLUMNS,
    UNREADABLE_COLUMNS,
)

# A recent run, for the charts over nights: the run journal (cutover/target/runs.py) reads it, below the reports.
from cutover.target.runs import RunHistory  # noqa: E402,F401


def service_names(connection) -> dict[str, str]:
    """The target's service names by code (its ``service`` table), for :attr:`ReportData.service_names`."""
    import sqlalchemy as sa

    from cutover.schema.tables import target_metadata

    service = target_metadata().tables["service"]
    return dict(connection.execute(sa.select(service.c.code, service.c.name)).all())


def _no_rows(columns: list[str]) -> Callable[[], Iterator[pd.DataFrame]]:
    def rows() -> Iterator[pd.DataFrame]:
        yield pd.DataFrame(columns=columns)
    return rows


@dataclass(frozen=True)
class RejectFiles:
    """Every reject and warning of a run, in files beside report.xlsx: written when there were more
    than the project's ``rejects_in_workbook``, the Rejects sheet then keeping the first of each rule."""

    rows: int  # rows in each file: every reject and warning of the run
    csv: str = REJECTS_CSV  # for Excel: ";"-separated, UTF-8 with a BOM, the sheet's header and text
    parquet: str = REJECTS_PARQUET  # for scripts: the columns of the target's reject table
    first_of_each_rule: int = FIRST_OF_EACH_RULE

    @property
    def note(self) -> str:
        """What a reader of the workbook or the page is told about the cut Rejects sheet."""
        return (f"{self.rows:,} rejects and warnings: the sheet Rejects shows the first {self.first_of_each_rule} "
                f"of each rule; every one is in {self.csv} (for Excel) and {self.parquet} beside this workbook.")


@dataclass(frozen=True)
class ReportData:
    """Everything the reports of one run show."""

    summary: dict
    rejects: Callable[[], Iterator[pd.DataFrame]] = field(default=_no_rows(REJECT_COLUMNS))
    differences: Callable[[], Iterator[pd.DataFrame]] = field(default=_no_rows(DIFFERENCE_COLUMNS))
    changes: Callable[[], Iterator[pd.DataFrame]] = field(default=_no_rows(CHANGE_COLUMNS))
    unreadable: Callable[[], Iterator[pd.DataFrame]] = field(default=_no_rows(UNREADABLE_COLUMNS))
    history: list[RunHistory] = field(default_factory=list)  # oldest first, this run last
    # How many rows ``rejects`` yields, if it can be told without reading them (a count in the target).
    reject_count: Callable[[], int] | None = None
    reject_files: RejectFiles | None = None  # where every reject went when the Rejects sheet cannot hold them
    # The target's service names by code ("capital_repair" -> "Взнос на капитальный ремонт"), for the
    # workbook's rows of services; a code without a name is shown as the code.
    service_names: dict[str, str] = field(default_factory=dict)
    language: str = "ru"  # report.xlsx's: [report] language of cutover.toml ("ru" or "en")

    def count_rejects(self) -> int:
        """The rows ``rejects`` yields: ``reject_count`` if given, else counted by reading them."""
        if self.reject_count is not None:
            return self.reject_count()
        return sum(len(frame) for frame in self.rejects())
