"""The independent controls of a run: what the reconciliation holds the target to beyond its own
reading of the source (:mod:`cutover.control`), and the gates they feed.

- money: control totals read from the raw source, against the target, the rows rejected and
  filtered, the mapping's reading and the legacy statement (per legacy service, month, measure);
- unreadable money: rows whose value nobody can read, NO-GO unless the project accepts them;
- records: every physical record of every source accounted for;
- emptiness: no balances of the switch period, an entity with no rows;
- falls: a source or a service that shrank since the last run that reconciled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from cutover.config import Project
from cutover.control.compare import control_differences, control_lines
from cutover.control.declared import declared_totals
from cutover.control.falls import falls_since, last_good_run
from cutover.control.plan import control_plan
from cutover.control.records import (
    record_differences,
    rejected_rows_by_source,
    source_records,
)
from cutover.control.totals import ControlTotals, read_control, sums_by
from cutover.extract.snapshot import ExtractResult
from cutover.mapping.model import SystemMapping
from cutover.money import kopecks_to_roubles_text
from cutover.reconcile import target_side
from cutover.reconcile.journal import rejected_rows
from cutover.reconcile.source_side import SourceSide
from cutover.results.gates import (
    FALL,
    NOT_EMPTY,
    REJECTED_MONEY_SHARE,
    ROWS,
    SHARE,
    UNREADABLE_ROWS,
    Gate,
)
from cutover.results.model import (
    MEASURES,
    ControlLine,
    SourceRecords,
    UnreadableMoney,
    entity_label,
)


@dataclass(frozen=True)
class Controls:
    """What the controls found in one run."""

    lines: list[ControlLine]
    unreadable: UnreadableMoney
    records: tuple[SourceRecords, ...]
    volume: dict[str, int]  # legacy service -> |closing| of the period, every row, kopecks
    rejected_absolute: int  # |closing| of the period among rejected rows
    differences: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    falls: list[str] = field(default_factory=list)  # accepted for this run (else among failures)
    gates: list[Gate] = field(default_factory=list)  # every gate of the controls, held or broken (failures: the broken)


def run_controls(connection: sa.Connection, project: Project, mapping: SystemMapping, run_id: str,
                 extracted: ExtractResult, folder: Path, side: SourceSide, opened: str | None) -> Controls:
    """Read the controls of run ``run_id`` (whose rows the target holds) and judge them."""
    plan = control_plan(mapping)
    totals = None
    if plan is not None:
        totals = read_control(plan, extracted, rejected_rows(connection, run_id, "balance"), project.chunk_rows,
                              folder / "unreadable.parquet")
    declared = declared_totals(project.declared, project.month_end.legacy_url, mapping, project.source_dir)
    mapped = {target for rule in plan.entity.columns for target in rule.targets} if plan is not None else set()
    measures = tuple(m for m in MEASURES if f"{m}_kopecks" in mapped)
    lines = control_lines(totals, target_side.money_by_service_key(connection, opened), side.money, side.codes,
                          declared, measures)
    records = source_records(mapping, extracted, side.shaping, rejected_rows_by_source(connection, run_id))
    period = project.period
    volume, rejected_absolute = _volumes(totals, period)
    unreadable = UnreadableMoney()
    if totals is not None:
        unreadable = UnreadableMoney(totals.unreadable_rows, project.gates.accept_unreadable_rows,
                                     tuple(totals.unreadable_values), totals.total_unreadable, totals.path)
    found_falls = falls_since(last_good_run(connection, mapping.name, run_id), records, volume, period,
                              project.gates.max_fall)
    empty = _empty_failures(mapping, side, records, totals, period)
    gates = [*_unreadable_gates(unreadable, totals is not None),
             Gate(NOT_EMPTY, None, None, not empty, failure="; ".join(empty) or None),
             *_money_share_gates(totals, period, rejected_absolute, project.gates.max_rejected_money_share)]
    falls = [] if project.accept_fall else [f"{fall}; if the extract really shrank, run again with --accept-fall"
                                            for fall in found_falls]
    gates.append(Gate(FALL, None, project.gates.max_fall, not falls, SHARE, failure="; ".join(falls) or None))
    failures = _unreadable_failures(unreadable) + empty
    failures += _money_share_failures(totals, period, rejected_absolute, project.gates.max_rejected_money_share)
    failures += falls
    notes = [f"not controlled: {why}" for why in (plan.uncontrolled if plan is not None else ())]
    notes += _unread_month_notes(totals) + _filtered_notes(totals, period, plan)
    return Controls(lines, unreadable, records, volume, rejected_absolute,
                    control_differences(lines) + record_differences(records), failures, notes,
                    found_falls if project.accept_fall else [], gates)


def _of_period(totals: ControlTotals, period: str, *statuses: str) -> int:
    """|closing| of the period among the rows of ``statuses``, in kopecks."""
    sums = totals.sums
    return int(sums.loc[(sums["period"] == period) & sums["status"].isin(statuses), "closing_absolute"].sum())


def _volumes(totals: ControlTotals | None, period: str) -> tuple[dict[str, int], int]:
    """|closing| of the period per legacy service (every row), and among the rejected rows."""
    if totals is None or totals.sums.empty:
        return {}, 0
    sums = totals.sums[totals.sums["period"] == period]
    volume = {service: int(kopecks) for service, kopecks in sums_by(sums, ["service"])["closing_absolute"].items()}
    return volume, _of_period(totals, period, "rejected")


def _unreadable_failures(unreadable: UnreadableMoney) -> list[str]:
    if not unreadable.blocking:
        return []
    # the first of the rows the gate counts (those the filter leaves out are listed, not counted)
    first = next((value for value in unreadable.values if value.status != "filtered"), unreadable.values[0])
    accepted = (f"; the project accepts {unreadable.accepted}" if unreadable.accepted else "")
    return [f"{unreadable.rows} balance row(s) hold money nobody can read, so it is in no total (first: {first.value!r} "
            f"in {first.source} row {first.row}, column {first.column}: {first.problem}){accepted}: correct the "
            f"source, or accept them explicitly with [gates] accept_unreadable_rows = {unreadable.rows} (the reports "
            f"and the protocol list them)"]


def _unreadable_gates(unreadable: UnreadableMoney, controlled: bool) -> list[Gate]:
    """Rows of money nobody can read against those the project accepts (none without a control)."""
    if not controlled:
        return []
    failure = _unreadable_failures(unreadable)
    return [Gate(UNREADABLE_ROWS, unreadable.rows, unreadable.accepted, not unreadable.blocking, ROWS,
                 failure=failure[0] if failure else None)]


def _empty_failures(mapping: SystemMapping, side: SourceSide, records: tuple[SourceRecords, ...],
                    totals: ControlTotals | None, period: str) -> list[str]:
    failures = []
    by_source = {source.name: source for source in records}
    for entity in mapping.entities:
        if side.items.get(entity.entity, 0):
            continue
        read = sum(by_source[name].read for name in entity.sources if name in by_source)
        where = " + ".join(by_source[name].location for name in entity.sources if name in by_source)
        why = (f"{where} holds no records" if not read else
               f"the filter of {entity.file.name} leaves out all {read:,} records of {where}")
        failures.append(f"{entity_label(entity.entity)}: the mapping maps {entity.entity} and {why}: an entity "
                        f"with no rows is not a migration")
    if totals is not None and side.items.get("balance", 0):
        if not totals.rows_of(period):
            failures.append(f"the extract holds no balances of {period}; {totals.coverage()}")
        elif totals.rows_of(period) == totals.rows_of(period, "filtered"):
            failures.append(f"the mapping's filter leaves out every balance of {period} "
                            f"({totals.rows_of(period):,} rows)")
    return failures


def _money_share_gates(totals: ControlTotals | None, period: str, left_behind: int, limit: float) -> list[Gate]:
    """The share of the period's closing balances rejected, against [gates] max_rejected_money_share."""
    if totals is None or totals.sums.empty:
        return []
    whole = _of_period(totals, period, "kept", "rejected")
    failure = _money_share_failures(totals, period, left_behind, limit)
    share = left_behind / whole if whole else 0.0
    return [Gate(REJECTED_MONEY_SHARE, share, limit, not failure, SHARE, failure=failure[0] if failure else None)]


def _money_share_failures(totals: ControlTotals | None, period: str, left_behind: int, limit: float) -> list[str]:
    """Rejected closing balances of the period as a share of those the mapping migrates (its
    filter's rows are no part of the migration: a legacy program's total line, an archive)."""
    if totals is None or totals.sums.empty:
        return []
    whole = _of_period(totals, period, "kept", "rejected")
    if whole and left_behind / whole > limit:
        return [f"rejected balances of {period} hold {kopecks_to_roubles_text(left_behind)} of "
                f"{kopecks_to_roubles_text(whole)} roubles ({left_behind / whole:.2%}, debts and prepayments alike), "
                f"more than the {limit:.2%} allowed by [gates] max_rejected_money_share"]
    return []


def _unread_month_notes(totals: ControlTotals | None) -> list[str]:
    if totals is None:
        return []
    if not totals.unread_months:
        return []
    shown = ", ".join(f"{value!r} ({rows} rows)" for value, rows in totals.unread_months.most_common(5))
    rows = sum(totals.unread_months.values())
    return [f"{rows} balance row(s) have a month the control cannot read, so their money is in the lines of month "
            f"\"?\": {shown}"]


def _filtered_notes(totals: ControlTotals | None, period: str, plan) -> list[str]:
    """Money of the period the mapping's filter leaves out: not a failure (the filter says so), but
    an auditor must see it (the Filtered column; the legacy statement, where given, counts it)."""
    if totals is None or totals.sums.empty:
        return []
    rows = totals.rows_of(period, "filtered")
    if not rows:
        return []
    return [f"{rows:,} balance row(s) of {period} holding {kopecks_to_roubles_text(_of_period(totals, period, 'filtered'))}"
            f" roubles (debts and prepayments alike) are left out by the filter of {plan.entity.file.name}: not "
            f"migrated, in the Filtered column"]
