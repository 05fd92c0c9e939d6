"""The switch protocol's facts, gathered from the run's summary, the journal and the target.

The reconciliation's :class:`~cutover.reconcile.result.RunSummary` (read back from its
summary.json) gives the legacy side (closing balances, rejected money, counts, rejects); the
target gives the next month's opening balances and the sample accounts; the journal gives the
close evidence, the hashes and the step timings. The protocol step writes ``protocol.xlsx``,
``protocol.html`` and ``keymap.csv`` into the run's folder.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

import pandas as pd
import sqlalchemy as sa

from cutover.extract import file_sha256
from cutover.monthend.lock import broken_locks
from cutover.monthend.protocol_data import (
    AcceptedReject,
    Check,
    CountLine,
    FileHash,
    ProtocolData,
    RecordLine,
    ServiceTotals,
    StepTiming,
    TraceLine,
    UnreadableLine,
)
from cutover.monthend.protocol_html import write_protocol_html
from cutover.monthend.protocol_workbook import write_protocol_workbook
from cutover.monthend.steps import STEP_NAMES, TITLES
from cutover.reconcile.result import Amounts, ControlSummary, RunSummary, run_summary
from cutover.reconcile.source_side import facts_folder, read_facts
from cutover.report.keymap import export_keymap
from cutover.schema.tables import target_metadata
from cutover.states import StepStatus
from cutover.target import db, journal, opening

if TYPE_CHECKING:
    from cutover.monthend.runbook import Switch

SAMPLE_ACCOUNTS = 5


def _service(code: str, name: str, closing: Amounts, totals: dict[str, int]) -> ServiceTotals:
    """A service's line: the legacy closing as the control read it from the raw source."""
    return ServiceTotals(code, name, closing.read, closing.rejected, totals.get("closing", 0), totals.get("opening", 0),
                         closing.filtered or 0, closing.unreadable or 0, closing.declared)


def _services(summary: RunSummary, totals: dict[str, dict[str, int]], names: dict[str, str]) -> list[ServiceTotals]:
    nothing = Amounts(source=0, target=0, rejected=0)
    services = {} if summary.money is None else summary.money.services
    lines = [_service(code, names.get(code, code), services.get(code, {}).get("closing", nothing), totals.get(code, {}))
             for code in sorted(set(services) | set(totals))]
    total = nothing if summary.money is None else summary.money.total.get("closing", nothing)
    sums = {name: sum(getattr(line, name) for line in lines) for name in
            ("legacy_closing", "rejected_closing", "target_closing", "new_opening", "filtered_closing",
             "unreadable_rows")}
    lines.append(ServiceTotals("total", "Total / Итого", **sums, declared_closing=total.declared))
    return lines


def _records(summary: RunSummary) -> list[RecordLine]:
    """Every source's records, a line per entity built from it (a lookup's on a line of its own)."""
    lines = []
    for source in summary.records or ():
        head = (source.location, source.records, source.read, source.blank, source.deleted)
        for count in source.entities:
            lines.append(RecordLine(*head, count.entity, count.filtered, count.rows, count.loaded_rows,
                                    count.rejected_rows))
        if not source.entities:
            lines.append(RecordLine(*head, "lookup of " + ", ".join(source.lookup_of), 0, 0, 0, 0))
    return lines


def _unreadable(summary: RunSummary) -> tuple[list[UnreadableLine], int]:
    unreadable = summary.unreadable
    if unreadable is None:
        return [], 0
    values = [UnreadableLine(v.source, v.row, v.legacy_key, v.measure, v.column, v.value, v.problem)
              for v in unreadable.values if v.status != "filtered"]
    return values, unreadable.rows


def _service_names(connection: sa.Connection) -> dict[str, str]:
    service = target_metadata().tables["service"]
    return dict(connection.execute(sa.select(service.c.code, service.c.name)).all())


def _traces(switch: Switch, connection: sa.Connection) -> list[TraceLine]:
    """A few accounts followed from the legacy extract to the next month's opening, per service."""
    facts = facts_folder(switch.project.reports_dir, switch.run_id)

    def loaded_of_period():  # the legacy balances of the month, a frame at a time (never all at once)
        for frame in read_facts(facts, "balances"):
            yield frame[(frame["period"] == switch.period) & ~frame["rejected"].astype(bool)]

    accounts = sorted({key for frame in loaded_of_period() for key in frame["account"].unique()})
    if not accounts:
        return []
    step = max(1, len(accounts) // SAMPLE_ACCOUNTS)
    sample = accounts[::step][:SAMPLE_ACCOUNTS]
    legacy_rows = pd.concat([frame[frame["account"].isin(sample)] for frame in loaded_of_period()], ignore_index=True)
    tables = target_metadata().tables
    account, balance, service = tables["account"], tables["balance"], tables["service"]
    account_key, service_key = tables["key_map"].alias("ka"), tables["key_map"].alias("ks")
    query = (sa.select(account_key.c.legacy_key, service_key.c.legacy_key, account.c.legacy_account_number,
                       account.c.account_number, service.c.code, balance.c.period, balance.c.opening_kopecks,
                       balance.c.closing_kopecks)
             .join(account, account.c.id == account_key.c.target_id)
             .join(balance, balance.c.account_id == account.c.id)
             .join(service, service.c.id == balance.c.service_id)
             .join(service_key, sa.and_(service_key.c.entity == "service", service_key.c.target_id == service.c.id))
             .where(account_key.c.entity == "account", account_key.c.legacy_key.in_(sample),
                    balance.c.period.in_([switch.period, switch.following])))
    target: dict[tuple[str, str], dict] = {}
    numbers: dict[str, tuple[str, str]] = {}
    codes: dict[str, str] = {}
    for key, service_legacy, legacy_number, number, code, period, opening_kopecks, closing_kopecks in \
            connection.execute(query):
        numbers[key], codes[service_legacy] = (legacy_number, number), code
        line = target.setdefault((key, service_legacy), {})
        if period == switch.period:
            line["closing"] = int(closing_kopecks)
        else:
            line["opening"] = int(opening_kopecks)
    traces = []
    chosen = legacy_rows[legacy_rows["account"].isin(sample)].sort_values(["account", "service"])
    for key, service_legacy, closing in zip(chosen["account"], chosen["service"], chosen["closing_kopecks"]):
        legacy_number, number = numbers.get(key, (key, "—"))
        line = target.get((key, service_legacy), {})
        traces.append(TraceLine(legacy_number, number, codes.get(service_legacy, service_legacy), int(closing),
                                line.get("closing"), line.get("opening")))
    return traces


def _steps(records: dict[str, journal.StepRecord], made_at: dt.datetime) -> list[StepTiming]:
    """The steps up to this protocol. The protocol step is the one writing it, still ``started`` in
    the journal: a protocol that exists is its step's work done, so it is listed as done at
    ``made_at`` (a resumed switch writes the protocol again, with its own time)."""
    order = [name for name in (*STEP_NAMES, "rollback") if name in records]
    found = []
    for name in order:
        record = records[name]
        status, finished, seconds = record.status, record.finished_at, record.seconds
        if name == "protocol" and status == StepStatus.STARTED:
            status, finished = StepStatus.DONE, made_at
            seconds = max(0.0, (made_at - record.started_at).total_seconds())
        found.append(StepTiming(name, TITLES[name], status, record.started_at.isoformat(timespec="seconds"),
                                finished.isoformat(timespec="seconds") if finished else None, seconds))
    return found


def _hashes(records: dict[str, journal.StepRecord]) -> list[FileHash]:
    close = records["close_legacy"].detail
    found = [FileHash("legacy close", f"{close['kind']} evidence of {close['period']}", close["sha256"])]
    found += [FileHash("source file", entry["file"], entry["sha256"]) for entry in close.get("files", [])]
    extract = records["extract"].detail
    rows = {f"{name}.parquet": source["rows"] for name, source in extract["sources"].items()}
    found += [FileHash("snapshot", entry["file"], entry["sha256"], rows.get(entry["file"]))
              for entry in extract["snapshot"]]
    return found


def money_check(summary: RunSummary | dict) -> Check:
    """The money line of the checklist: every service and measure of the closed month, as the
    control read the raw source, is the target plus the rejected and filtered money, the legacy
    statement (where given) agrees, and no money nobody can read remains unless accepted."""
    summary = run_summary(summary)
    period = None if summary.money is None else summary.money.period
    wrong = [f"{line.service} {line.measure}" for line in summary.differing_money]
    unreadable = summary.unreadable
    rows, accepted = (0, 0) if unreadable is None else (unreadable.rows, unreadable.accepted)
    passed = not wrong and not (unreadable and unreadable.blocking)
    detail = "every service and measure of " + period if not wrong else "differs: " + ", ".join(wrong)
    if rows:
        detail += (f"; {rows} row(s) of unreadable money accepted, listed below" if rows <= accepted else
                   f"; {rows} row(s) hold unreadable money, {accepted} accepted")
    return Check("Money per service exact: legacy closing read from the raw source = target closing + rejected "
                 "(+ filtered), no unreadable money unless accepted", passed, detail)


def _record_check(summary: RunSummary) -> Check:
    unbalanced = summary.unbalanced_sources
    return Check("Every legacy record accounted for (records = read + blank + deleted; read = filtered + rows made)",
                 not unbalanced, "every source" if not unbalanced else "does not add up: " + ", ".join(unbalanced))


def _checklist(summary: RunSummary, services: list[ServiceTotals], problems: list[str], traces: list[TraceLine],
               records: dict[str, journal.StepRecord], following: str) -> list[Check]:
    unbalanced = summary.unbalanced_entities
    gate_failures = list(summary.gate_failures or ())
    total = services[-1]
    opening_detail = records["opening"].detail
    traced = [line for line in traces if not line.passed]
    close = records["close_legacy"].detail
    return [
        Check("Every legacy row loaded or rejected with a reason (legacy rows = loaded + rejected)", not unbalanced,
              "all entities" if not unbalanced else "unbalanced: " + ", ".join(unbalanced)),
        _record_check(summary),
        money_check(summary),
        Check(f"Opening balances of {following} = closing balances of the closed month, per service",
              not problems and total.target_closing == total.new_opening,
              f"{opening_detail.get('opening_balances', 0)} balances" if not problems else "; ".join(problems)),
        Check(f"Base readings of {following}: the last reading of every meter and zone",
              not any(p.startswith("base readings") for p in problems),
              f"{opening_detail.get('base_readings', 0)} meters and zones"),
        Check("No account, meter, balance or reading differs between legacy and target",
              not summary.rows_differing, f"{summary.rows_differing} row differences"),
        Check("Reject limits kept (gates)", not gate_failures,
              "within limits" if not gate_failures else "; ".join(gate_failures)),
        Check(f"Sample accounts traced end to end ({len({line.legacy_account for line in traces})} accounts)",
              bool(traces) and not traced, f"{len(traces)} balances" if not traced else
              f"{len(traced)} of {len(traces)} balances do not match"),
        Check("Legacy month closed, evidence recorded", bool(close.get("sha256")),
              f"{close.get('kind')} evidence, SHA-256 {close.get('sha256', '')[:16]}…"),
    ]


def build_protocol(switch: Switch, summary: RunSummary | None = None) -> ProtocolData:
    """The protocol's facts; ``summary`` is the switch's reconciliation, read from its summary.json
    when not given (the protocol step may run in a process resumed after the reconciliation's)."""
    if summary is None:
        summary = RunSummary.from_dict(json.loads((switch.report_dir / "summary.json").read_text(encoding="utf-8")))
    with switch.engine.connect() as connection:
        records = journal.steps(connection, switch.run_id)
        totals = opening.opening_totals(connection, switch.period, switch.following)
        problems = opening.opening_problems(connection, switch.period, switch.following)
        services = _services(summary, totals, _service_names(connection))
        traces = _traces(switch, connection)
    counts = [CountLine(name, count.source_rows, count.loaded, count.rejected)
              for name, count in (summary.entities or {}).items()]
    accepted = [AcceptedReject(entity, rule, severity, rows)
                for severity, by_rule in (("error", summary.rejects_by_rule), ("warning", summary.warnings_by_rule))
                for entity, rules in (by_rule or {}).items() for rule, rows in rules.items()]
    close = records["close_legacy"].detail
    unreadable, unreadable_rows = _unreadable(summary)
    control = summary.control or ControlSummary(None)
    made_at = dt.datetime.now()
    return ProtocolData(
        system=switch.mapping.name, period=switch.period, next_period=switch.following, run_id=switch.run_id,
        target=db.mask_url(switch.project.target_url),
        legacy=close.get("database") or close.get("folder") or "",
        made_at=made_at.isoformat(timespec="seconds"),
        services=services, counts=counts, accepted_rejects=accepted, hashes=_hashes(records), steps=_steps(records, made_at),
        checklist=_checklist(summary, services, problems, traces, records, switch.following), traces=traces,
        forced_reason=records["preflight"].detail.get("forced_reason"),
        records=_records(summary), unreadable=unreadable, unreadable_rows=unreadable_rows,
        broken_locks=broken_locks(records),
        notes=[*(f"accepted for this run: {fall}" for fall in control.falls_accepted),
               *control.notes],
    )


def write_protocol(switch: Switch, summary: RunSummary | None = None) -> dict:
    """Write protocol.xlsx, protocol.html and keymap.csv of the run; their hashes, for the journal."""
    data = build_protocol(switch, summary)
    folder = switch.report_dir
    write_protocol_workbook(folder / "protocol.xlsx", data, switch.project.report_language)
    write_protocol_html(folder / "protocol.html", data)
    accounts = export_keymap(switch.engine, folder / "keymap.csv", "csv")
    return {"accepted": data.passed, "accounts_in_keymap": accounts,
            "files": {name: file_sha256(folder / name) for name in ("protocol.xlsx", "protocol.html", "keymap.csv")}}
