"""The small tables both views of a run show (report.xlsx and report.html), read out of the run's
:class:`~cutover.reconcile.result.RunSummary`: money per service and measure held to the control
totals, the control lines of every month, every source's records, the unreadable money, rejects per
rule, and what changed since the previous run. One module, so both views (and the terminal) say the
same; what a line's verdict is (``differs``) the object decides. Money is kopecks in the object and
Decimal roubles in the cells."""

from __future__ import annotations

from typing import Iterable, NamedTuple

from cutover.control.declared import ALL_SERVICES
from cutover.control.records import describe, listed
from cutover.control.totals import UNREAD_MONTH
from cutover.money import kopecks_to_decimal
from cutover.reconcile.model import SourceRecords
from cutover.reconcile.result import (
    CHANGED,
    Amounts,
    ChangeSummary,
    ControlAmounts,
    RunSummary,
    ServiceAmounts,
)
from cutover.states import RunStatus

VERDICT = {RunStatus.RECONCILED: "GO: reconciled", RunStatus.DIFFERENCES: "NO-GO: differences",
           RunStatus.FAILED: "NO-GO: the run failed"}


def amounts(line: Amounts) -> list:
    """Control, as mapped, target, rejected, filtered, unreadable rows, statement, difference (the
    money columns of :data:`MONEY_HEADER`, money as Decimal roubles); what the summary lacks is None."""
    return [*(None if kopecks is None else kopecks_to_decimal(kopecks) for kopecks in
              (line.control, line.source, line.target, line.rejected, line.filtered)),
            line.unreadable, None if line.declared is None else kopecks_to_decimal(line.declared),
            kopecks_to_decimal(line.difference)]


def service_label(line: ControlAmounts) -> str:
    """The legacy service of a control line as a person reads it."""
    return "all services" if line.service == ALL_SERVICES else line.service or "(blank)"


def month_label(line: ControlAmounts) -> str:
    return "? (month cannot be read)" if line.period == UNREAD_MONTH else line.period


class RuleCount(NamedTuple):
    """Rows of one entity that one rule rejected (severity ``error``) or warned about."""

    entity: str
    severity: str
    rule: str
    rows: int


class Unreadable(NamedTuple):
    """Rows holding money nobody can read, and how many of them the project accepts."""

    rows: int
    accepted: int
    values: int
    blocking: bool

    @property
    def held(self) -> str:
        """``2 rows hold money nobody can read (2 values), so it is in no total``."""
        return (f"{_count(self.rows, 'row')} {'holds' if self.rows == 1 else 'hold'} money nobody can read "
                f"({_count(self.values, 'value')}), so it is in no total")

    @property
    def text(self) -> str:
        """One sentence on them and whether the project accepts them, as every view says it."""
        if not self.blocking:
            return f"{self.held}: accepted by [gates] accept_unreadable_rows = {self.accepted}"
        accepted = f"the project accepts only {self.accepted}" if self.accepted else "the project accepts none"
        return f"{self.held}: {accepted} ([gates] accept_unreadable_rows), so the run is NO-GO"


def _count(number: int, word: str) -> str:
    return f"{number:,} {word}" if number == 1 else f"{number:,} {word}s"


def money_lines(summary: RunSummary) -> tuple[str | None, list[ServiceAmounts]]:
    """The period and the control totals per service and measure, the total last (a summary
    written before ``money_by_measure`` existed has only the closing balances)."""
    return (None, []) if summary.money is None else (summary.money.period, summary.money.lines())


def legacy_lines(summary: RunSummary) -> tuple[ControlAmounts, ...]:
    """Every control line of every month, in the summary's order: by month, each legacy service's
    measures, the month's total (``*``) after them."""
    return () if summary.control is None else summary.control.lines


def by_month(lines: Iterable[ControlAmounts]) -> dict[str, list[ControlAmounts]]:
    """The control lines per month, months in the order they come."""
    months: dict[str, list[ControlAmounts]] = {}
    for line in lines:
        months.setdefault(line.period, []).append(line)
    return months


def unreadable_money(summary: RunSummary) -> Unreadable | None:
    """The run's unreadable money, as every view words it; None when the run found none (or did not look)."""
    found = summary.unreadable
    return None if found is None else Unreadable(found.rows, found.accepted, found.total_values, found.blocking)


def control_notes(summary: RunSummary) -> list[str]:
    """What a person should know that is not a failure (``note: ...``), then the falls since the
    last good run that this run accepted with --accept-fall (``accepted: ...``)."""
    control = summary.control
    if control is None:
        return []
    return [f"note: {note}" for note in control.notes] + [f"accepted: {fall}" for fall in control.falls_accepted]


def read_plainly(source: SourceRecords) -> bool:
    """Every record of the source was read as one row of each entity built from it: nothing blank,
    deleted or a comment, nothing filtered, no unpivot making several rows (or none) of a record."""
    return (source.balanced and not (source.blank or source.deleted or source.comments)
            and (source.records is None or source.records == source.read)
            and all(not count.filtered and not count.without_rows and count.rows == count.read
                    for count in source.entities))


def records_lines(summary: RunSummary) -> list[str]:
    """A line for every source whose records were not all read as plain rows (``describe``'s words)."""
    return [describe(source) for source in summary.records or () if not read_plainly(source)]


def _not_read(source: SourceRecords) -> str | None:
    parts = []
    if source.blank:
        parts.append(f"blank: row {listed(source.blank_rows, source.blank)}")
    if source.deleted:
        parts.append(f"deleted: record {listed(source.deleted_rows, source.deleted)}")
    return "; ".join(parts) or None


def records_rows(summary: RunSummary) -> list[list]:
    """The rows of :data:`RECORDS_HEADER`: per source its physical records, then one row per entity
    built from it (the source's own counts on its first row only, so that a column adds up)."""
    rows = []
    for source in summary.records or ():
        head = [source.location, source.records, source.read, source.blank, source.deleted, source.comments,
                _not_read(source)]
        blank_head = [source.location] + [None] * (len(head) - 1)
        entities = [[count.entity, count.filtered, count.without_rows, count.rows, count.loaded_rows,
                     count.rejected_rows] for count in source.entities]
        if source.lookup_of:
            entities.append([f"lookup of {', '.join(source.lookup_of)}", None, None, None, None, None])
        for position, entity in enumerate(entities or [[None] * 6]):
            rows.append((head if position == 0 else blank_head) + entity)
    return rows


def rule_counts(summary: RunSummary, severities: tuple[str, ...] = ("error", "warning")) -> list[RuleCount]:
    """Rows per rule, errors (rejects) first, then warnings; the busiest rule of an entity first."""
    found = []
    for severity, by_rule in (("error", summary.rejects_by_rule), ("warning", summary.warnings_by_rule)):
        if severity not in severities:
            continue
        for entity, rules in (by_rule or {}).items():
            found += [RuleCount(entity, severity, rule, rows)
                      for rule, rows in sorted(rules.items(), key=lambda item: (-item[1], item[0]))]
    return found


def change_counts(changes: ChangeSummary) -> tuple[list[list], list[list]]:
    """What changed since the previous run, as two small tables without their headers:
    ``[entity, rule, new rejects, fixed rejects]`` and ``[what, added, removed, changed]``."""
    rejects = [[entity, rule, counts.get("new", 0), counts.get("fixed", 0)]
               for entity, rules in (changes.rejects or {}).items() for rule, counts in rules.items()]
    counted = changes.counts or {}
    keyed = [[what.capitalize(), counted[what].get("added", 0), counted[what].get("removed", 0),
              counted[what].get("changed")] for what in CHANGED if what in counted]
    return rejects, keyed


CHANGE_REJECTS_HEADER = ["Entity", "Rule", "New rejects", "Fixed rejects"]
CHANGE_KEYED_HEADER = ["What", "Added", "Removed", "Changed"]
AMOUNTS_HEADER = ["Control (raw source)", "As mapped", "Target", "Rejected", "Filtered", "Unreadable rows",
                  "Legacy statement", "Difference"]  # the columns of Amounts.amounts()
MONEY_HEADER = ["Service", "Measure", *AMOUNTS_HEADER]
CONTROL_HEADER = ["Month", "Legacy service", "Target code", "Measure", "Rows", *AMOUNTS_HEADER]
DIFFERENCE_RULE = ("Difference = Control (else As mapped) - Target - Rejected - Filtered. As mapped is what the "
                   "mapping's transforms read of the rows its filter keeps, rejected ones included (a value they "
                   "cannot read counts 0); unreadable rows are in no sum.")
RECORDS_HEADER = ["File", "Records", "Read", "Blank", "Deleted", "Comment lines", "Not read", "Entity", "Filtered",
                  "Every cell blank", "Rows", "Loaded", "Rejected"]
ENTITY_HEADER = ["Entity", "Source rows", "Loaded", "Rejected", "Warnings"]


def control_row(line: ControlAmounts) -> list:
    """One line of :data:`CONTROL_HEADER`."""
    return [month_label(line), service_label(line), line.code, line.measure, line.rows, *amounts(line)]


def changes_title(changes: ChangeSummary) -> str:
    """The heading of the changes block: since which run."""
    return f"Changes since {changes.previous_run}" if changes.previous_run else "Changes since the previous run"
