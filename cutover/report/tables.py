"""The small tables both views of a run show (report.xlsx and report.html), read out of the
summary: the verdict and its reasons, money per service and measure held to the control totals,
the control lines of every month, every source's records, the unreadable money, rejects per rule,
and what changed since the previous run. One module, so both views (and the terminal) say the same."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from cutover.control.declared import ALL_SERVICES
from cutover.control.records import describe, listed
from cutover.control.totals import UNREAD_MONTH
from cutover.reconcile.model import RecordCount, SourceRecords

VERDICT = {"reconciled": "GO: reconciled", "differences": "NO-GO: differences", "failed": "NO-GO: the run failed"}
MEASURES = ("opening", "charged", "recalculated", "paid", "closing")  # the order money is read in


@dataclass(frozen=True, kw_only=True)
class Amounts:
    """Money of one line, in roubles, as the summary gives it.

    ``control`` is read from the raw source (None where the control cannot follow the measure, or
    in a summary written before the control existed); ``source`` is what the mapping read;
    ``filtered`` and ``unreadable`` (rows) are None in a summary written before they were counted;
    ``declared`` is the legacy system's own statement, where the project gives it.
    """

    source: Decimal
    target: Decimal
    rejected: Decimal
    control: Decimal | None = None
    filtered: Decimal | None = None
    unreadable: int | None = None
    declared: Decimal | None = None

    @property
    def read(self) -> Decimal:
        """What the target is held to: the control, else the mapping's reading."""
        return self.source if self.control is None else self.control

    @property
    def difference(self) -> Decimal:
        """What neither the target nor the rejects explain: control (else source) - target - rejected - filtered."""
        return self.read - self.target - self.rejected - (self.filtered or 0)

    @property
    def statement_differs(self) -> bool:
        """The legacy statement is given and says something else than the extract holds."""
        return self.declared is not None and self.declared != self.read

    @property
    def mapping_differs(self) -> bool:
        """The mapping read the rows it kept otherwise than the control did.

        The mapping never sees the rows its filter leaves out, so its reading is compared with
        the control less the filtered money, not with the whole control.
        """
        return self.control is not None and self.source != self.control - (self.filtered or 0)

    @property
    def differs(self) -> bool:
        """A line a person must look at: a difference, or a statement that disagrees."""
        return self.difference != 0 or self.statement_differs

    def amounts(self) -> list:
        """Control, as mapped, target, rejected, filtered, unreadable rows, statement, difference
        (the money columns of :data:`MONEY_HEADER`); what the summary does not give is None."""
        return [self.control, self.source, self.target, self.rejected, self.filtered, self.unreadable, self.declared,
                self.difference]


@dataclass(frozen=True, kw_only=True)
class ControlTotal(Amounts):
    """One control total of the switch period: a target service (or ``total``) and a measure."""

    service: str
    measure: str


@dataclass(frozen=True, kw_only=True)
class LegacyTotal(Amounts):
    """One control line: a legacy service (``*`` the month's total) and a measure in one month
    (``?``: rows whose month cannot be read); ``code`` the target service it maps to, if any."""

    period: str
    service: str
    code: str | None
    measure: str
    rows: int

    @property
    def service_label(self) -> str:
        """The legacy service as a person reads it."""
        return "all services" if self.service == ALL_SERVICES else self.service or "(blank)"

    @property
    def month_label(self) -> str:
        return "? (month cannot be read)" if self.period == UNREAD_MONTH else self.period


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


def reasons(summary: dict) -> list[str]:
    """Why the verdict is what it is: the differences, the broken gates, then the error of a failed run."""
    found = [*summary.get("differences", []), *summary.get("gate_failures", [])]
    return found + ([summary["error"]] if summary.get("error") else [])


def _decimal(line: dict, key: str) -> Decimal | None:
    value = line.get(key)
    return None if value is None else Decimal(value)


def _amounts(line: dict) -> dict:
    """The money of one summary line (a money line or a control line) as :class:`Amounts` fields."""
    return {"source": Decimal(line["source"]), "target": Decimal(line["target"]), "rejected": Decimal(line["rejected"]),
            "control": _decimal(line, "control"), "filtered": _decimal(line, "filtered"),
            "unreadable": line.get("unreadable"), "declared": _decimal(line, "declared")}


def control_total(service: str, measure: str, line: dict) -> ControlTotal:
    """One money line of summary.json (``money`` or ``money_by_measure``) as a :class:`ControlTotal`."""
    return ControlTotal(service=service, measure=measure, **_amounts(line))


def money_lines(summary: dict) -> tuple[str | None, list[ControlTotal]]:
    """The period and the control totals per service and measure, the total last.

    A summary written before ``money_by_measure`` existed has only the closing balances
    (``money``); they are shown as the one measure there is.
    """
    by_measure = summary.get("money_by_measure")
    if not by_measure and summary.get("money"):
        money = summary["money"]
        by_measure = {"period": money["period"], "total": {"closing": money["total"]},
                      "services": {code: {"closing": line} for code, line in money["services"].items()}}
    if not by_measure:
        return None, []
    order = {measure: position for position, measure in enumerate(MEASURES)}
    lines = []
    for service, measures in [*by_measure["services"].items(), ("total", by_measure["total"])]:
        for measure in sorted(measures, key=lambda name: order.get(name, len(order))):
            lines.append(control_total(service, measure, measures[measure]))
    return by_measure["period"], lines


def legacy_lines(summary: dict) -> list[LegacyTotal]:
    """Every control line of every month (``control.lines``), in the summary's order: by month,
    each legacy service's measures, the month's total (``*``) after them."""
    return [LegacyTotal(period=line["period"], service=line["service"], code=line.get("code"), measure=line["measure"],
                        rows=line["rows"], **_amounts(line))
            for line in summary.get("control", {}).get("lines", [])]


def by_month(lines: list[LegacyTotal]) -> dict[str, list[LegacyTotal]]:
    """The control lines per month, months in the order they come."""
    months: dict[str, list[LegacyTotal]] = {}
    for line in lines:
        months.setdefault(line.period, []).append(line)
    return months


def unreadable_money(summary: dict) -> Unreadable | None:
    """``control.unreadable`` of the summary; None when the run found none (or did not look)."""
    found = summary.get("control", {}).get("unreadable")
    if not found or not found.get("rows"):
        return None
    return Unreadable(found["rows"], found.get("accepted", 0), found.get("values", found["rows"]),
                      bool(found.get("blocking")))


def control_notes(summary: dict) -> list[str]:
    """What a person should know that is not a failure (``note: ...``), then the falls since the
    last good run that this run accepted with --accept-fall (``accepted: ...``)."""
    control = summary.get("control", {})
    return ([f"note: {note}" for note in control.get("notes", [])]
            + [f"accepted: {fall}" for fall in control.get("falls_accepted", [])])


def source_records(summary: dict) -> list[SourceRecords]:
    """``records`` of the summary, rebuilt as the reconciliation holds them (so that
    :func:`cutover.control.records.describe` words them as everywhere else)."""
    return [SourceRecords(
        source["name"], source["location"], source.get("records"), source["read"], source.get("blank", 0),
        tuple(source.get("blank_rows", ())), source.get("deleted", 0), tuple(source.get("deleted_rows", ())),
        source.get("comments", 0),
        tuple(RecordCount(count["entity"], count["read"], count.get("filtered", 0), count.get("without_rows", 0),
                          count["rows"], count["rejected_rows"], count.get("merged", False))
              for count in source.get("entities", ())),
        tuple(source.get("lookup_of", ()))) for source in summary.get("records", [])]


def read_plainly(source: SourceRecords) -> bool:
    """Every record of the source was read as one row of each entity built from it: nothing blank,
    deleted or a comment, nothing filtered, no unpivot making several rows (or none) of a record."""
    return (source.balanced and not (source.blank or source.deleted or source.comments)
            and (source.records is None or source.records == source.read)
            and all(not count.filtered and not count.without_rows and count.rows == count.read
                    for count in source.entities))


def records_lines(summary: dict) -> list[str]:
    """A line for every source whose records were not all read as plain rows (``describe``'s words)."""
    return [describe(source) for source in source_records(summary) if not read_plainly(source)]


def _not_read(source: SourceRecords) -> str | None:
    parts = []
    if source.blank:
        parts.append(f"blank: row {listed(source.blank_rows, source.blank)}")
    if source.deleted:
        parts.append(f"deleted: record {listed(source.deleted_rows, source.deleted)}")
    return "; ".join(parts) or None


def records_rows(summary: dict) -> list[list]:
    """The rows of :data:`RECORDS_HEADER`: per source its physical records, then one row per entity
    built from it (the source's own counts on its first row only, so that a column adds up)."""
    rows = []
    for source in source_records(summary):
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


def rule_counts(summary: dict, severities: tuple[str, ...] = ("error", "warning")) -> list[RuleCount]:
    """Rows per rule, errors (rejects) first, then warnings; the busiest rule of an entity first."""
    found = []
    for severity, key in (("error", "rejects_by_rule"), ("warning", "warnings_by_rule")):
        if severity not in severities:
            continue
        for entity, rules in summary.get(key, {}).items():
            found += [RuleCount(entity, severity, rule, rows)
                      for rule, rows in sorted(rules.items(), key=lambda item: (-item[1], item[0]))]
    return found


def change_counts(changes: dict) -> tuple[list[list], list[list]]:
    """What changed since the previous run, as two small tables without their headers:
    ``[entity, rule, new rejects, fixed rejects]`` and ``[what, added, removed, changed]``."""
    rejects = [[entity, rule, counts.get("new", 0), counts.get("fixed", 0)]
               for entity, rules in changes.get("rejects", {}).items() for rule, counts in rules.items()]
    keyed = [[what.capitalize(), changes[what].get("added", 0), changes[what].get("removed", 0),
              changes[what].get("changed")] for what in ("accounts", "meters", "balances") if what in changes]
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


def control_row(line: LegacyTotal) -> list:
    """One line of :data:`CONTROL_HEADER`."""
    return [line.month_label, line.service_label, line.code, line.measure, line.rows, *line.amounts()]


def changes_title(changes: dict) -> str:
    """The heading of the changes block: since which run."""
    return f"Changes since {changes['previous_run']}" if changes.get("previous_run") else "Changes since the previous run"
