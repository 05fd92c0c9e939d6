"""The result of a run as one typed object: :class:`RunSummary`.

``summary.json`` and the journal's summary of a run are its serialisation (:meth:`RunSummary.to_dict`,
:meth:`RunSummary.from_dict`); the console, report.xlsx, report.html, the month-end's gate and the
switch protocol read the object. Money is integer kopecks in the object and decimal strings of
roubles (``"1234.56"``) in JSON, never floats. The JSON format is the one documented in
:mod:`cutover.report.data`; ``from_dict`` also reads summaries written by older versions (and
the partial ones tests make): a block the dict lacks is ``None`` in the object and stays absent
from ``to_dict``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from decimal import Decimal
from typing import Any

from cutover.money import kopecks_to_text
from cutover.results.gates import Gate
from cutover.results.model import (
    MEASURES,
    ControlLine,
    EntityCount,
    MoneyLine,
    RecordCount,
    SourceRecords,
    UnreadableMoney,
    UnreadableValue,
)


def kopecks_of(text: str) -> int:
    """Kopecks of an amount as summary.json writes it: ``"-1234.50"`` -> ``-123450`` (exact, or ValueError)."""
    amount = Decimal(text).scaleb(2)
    if amount != amount.to_integral_value():
        raise ValueError(f"{text!r} is not an amount in roubles and kopecks")
    return int(amount)


def _maybe_kopecks(text: str | None) -> int | None:
    return None if text is None else kopecks_of(text)


def _maybe_text(kopecks: int | None) -> str | None:
    return None if kopecks is None else kopecks_to_text(kopecks)


@dataclass(frozen=True, kw_only=True)
class Amounts:
    """Kopecks of one line of the run's money: a service's measure, or a control line.

    ``control`` is read from the raw source (None where the control cannot follow the measure,
    or in a summary written before the control existed); ``source`` is what the mapping read;
    ``filtered`` and ``unreadable`` (rows) are None in a summary written before they were counted;
    ``declared`` is the legacy system's own statement, where the project gives it.
    """

    source: int
    target: int
    rejected: int
    control: int | None = None
    filtered: int | None = None
    unreadable: int | None = None
    declared: int | None = None

    @property
    def read(self) -> int:
        """What the target is held to: the control, else the mapping's reading."""
        return self.source if self.control is None else self.control

    @property
    def difference(self) -> int:
        """What neither the target nor the rejects explain: control (else source) - target - rejected - filtered."""
        return self.read - self.target - self.rejected - (self.filtered or 0)

    @property
    def statement_differs(self) -> bool:
        """The legacy statement is given and says something else than the extract holds."""
        return self.declared is not None and self.declared != self.read

    @property
    def mapping_differs(self) -> bool:
        """The mapping read the rows it kept otherwise than the control did (the mapping never sees
        the rows its filter leaves out, so it is compared with the control less the filtered money)."""
        return self.control is not None and self.source != self.control - (self.filtered or 0)

    @property
    def differs(self) -> bool:
        """A line a person must look at: a difference, or a statement that disagrees."""
        return self.difference != 0 or self.statement_differs

    def _money(self) -> dict:
        return {name: getattr(self, name) for name in ("source", "target", "rejected", "control", "filtered",
                                                       "unreadable", "declared")}

    @staticmethod
    def _fields_of(line: dict) -> dict:
        return {"source": kopecks_of(line["source"]), "target": kopecks_of(line["target"]),
                "rejected": kopecks_of(line["rejected"]), "control": _maybe_kopecks(line.get("control")),
                "filtered": _maybe_kopecks(line.get("filtered")), "unreadable": line.get("unreadable"),
                "declared": _maybe_kopecks(line.get("declared"))}

    @classmethod
    def of_line(cls, line: MoneyLine) -> Amounts:
        return cls(source=line.source, target=line.target, rejected=line.rejected, control=line.control,
                   filtered=line.filtered, unreadable=line.unreadable, declared=line.declared)

    def to_dict(self) -> dict:
        """A money line of summary.json (``control``, ``filtered``, ``unreadable``, ``declared`` where known)."""
        found = {"source": kopecks_to_text(self.source), "target": kopecks_to_text(self.target),
                 "rejected": kopecks_to_text(self.rejected)}
        if self.control is not None:
            found["control"] = kopecks_to_text(self.control)
        if self.filtered is not None:
            found["filtered"] = kopecks_to_text(self.filtered)
        if self.unreadable is not None:
            found["unreadable"] = self.unreadable
        found["difference"] = kopecks_to_text(self.difference)
        if self.declared is not None:
            found["declared"] = kopecks_to_text(self.declared)
        return found

    @classmethod
    def from_dict(cls, line: dict) -> Amounts:
        return cls(**cls._fields_of(line))


@dataclass(frozen=True, kw_only=True)
class ServiceAmounts(Amounts):
    """One control total of the switch period: a target service (or ``total``) and a measure."""

    service: str
    measure: str


@dataclass(frozen=True, kw_only=True)
class ControlAmounts(Amounts):
    """One control line: a legacy service (``*`` the month's total) and a measure in one month
    (``?``: rows whose month cannot be read); ``code`` the target service it maps to, if any."""

    service: str
    code: str | None
    period: str
    measure: str
    rows: int

    @classmethod
    def of_control(cls, line: ControlLine) -> ControlAmounts:
        return cls(service=line.service, code=line.code, period=line.period, measure=line.measure, rows=line.rows,
                   source=line.source, target=line.target, rejected=line.rejected, control=line.control,
                   filtered=line.filtered, unreadable=line.unreadable, declared=line.declared)

    def to_dict(self) -> dict:
        """A line of ``control.lines`` (every key, null where unknown)."""
        return {"service": self.service, "code": self.code, "period": self.period, "measure": self.measure,
                "control": _maybe_text(self.control), "source": kopecks_to_text(self.source),
                "target": kopecks_to_text(self.target), "rejected": kopecks_to_text(self.rejected),
                "filtered": _maybe_text(self.filtered), "unreadable": self.unreadable, "rows": self.rows,
                "declared": _maybe_text(self.declared), "difference": kopecks_to_text(self.difference)}

    @classmethod
    def from_dict(cls, line: dict) -> ControlAmounts:
        return cls(service=line["service"], code=line.get("code"), period=line["period"], measure=line["measure"],
                   rows=line["rows"], **cls._fields_of(line))


@dataclass(frozen=True)
class MoneySummary:
    """Every measure of every target service in the period, and of the total (``money_by_measure``)."""

    period: str
    services: dict[str, dict[str, Amounts]]  # service code -> measure -> amounts
    total: dict[str, Amounts]  # measure -> amounts

    def lines(self) -> list[ServiceAmounts]:
        """Per service and measure (in the order of :data:`MEASURES`), the total last."""
        order = {measure: position for position, measure in enumerate(MEASURES)}
        found = []
        for service, measures in [*self.services.items(), ("total", self.total)]:
            for measure in sorted(measures, key=lambda name: order.get(name, len(order))):
                found.append(ServiceAmounts(service=service, measure=measure, **measures[measure]._money()))
        return found

    def closing_total(self) -> ServiceAmounts | None:
        closing = self.total.get("closing")
        return None if closing is None else ServiceAmounts(service="total", measure="closing", **closing._money())

    def to_dicts(self) -> tuple[dict, dict]:
        """``money`` (the closing balances) and ``money_by_measure`` of summary.json."""
        nothing = Amounts(source=0, target=0, rejected=0)
        closing = {"period": self.period, "measure": "closing",
                   "services": {code: measures.get("closing", nothing).to_dict()
                                for code, measures in self.services.items()},
                   "total": self.total.get("closing", nothing).to_dict()}
        by_measure = {"period": self.period,
                      "services": {code: {measure: line.to_dict() for measure, line in measures.items()}
                                   for code, measures in self.services.items()},
                      "total": {measure: line.to_dict() for measure, line in self.total.items()}}
        return closing, by_measure

    @classmethod
    def from_dicts(cls, money: dict | None, by_measure: dict | None) -> MoneySummary | None:
        """From ``money_by_measure``; a summary written before it existed has only the closing
        balances (``money``), read as the one measure there is."""
        if not by_measure and money:
            by_measure = {"period": money["period"], "total": {"closing": money["total"]},
                          "services": {code: {"closing": line} for code, line in money["services"].items()}}
        if not by_measure:
            return None
        return cls(by_measure["period"],
                   {code: {measure: Amounts.from_dict(line) for measure, line in measures.items()}
                    for code, measures in by_measure["services"].items()},
                   {measure: Amounts.from_dict(line) for measure, line in by_measure["total"].items()})


def _unreadable_dict(unreadable: UnreadableMoney) -> dict:
    return {"rows": unreadable.rows, "accepted": unreadable.accepted, "values": unreadable.total_values,
            "blocking": unreadable.blocking, "first": [asdict(value) for value in unreadable.values]}


def _unreadable_of(found: dict) -> UnreadableMoney:
    names = {f.name for f in fields(UnreadableValue)}
    rows = found.get("rows", 0)
    return UnreadableMoney(rows, found.get("accepted", 0),
                           tuple(UnreadableValue(**{k: v for k, v in value.items() if k in names})
                                 for value in found.get("first", ())), found.get("values", rows))


@dataclass(frozen=True)
class ControlSummary:
    """What the control held the target to: every month's lines, the volume per legacy service,
    the unreadable money (its Parquet file not kept: ``path`` is None), notes and accepted falls."""

    period: str | None
    lines: tuple[ControlAmounts, ...] = ()
    volume: dict[str, int] | None = None  # legacy service -> kopecks of |closing| in the period
    unreadable: UnreadableMoney = UnreadableMoney()
    notes: tuple[str, ...] = ()
    falls_accepted: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"period": self.period, "lines": [line.to_dict() for line in self.lines],
                "volume": {service: str(kopecks) for service, kopecks in (self.volume or {}).items()},
                "unreadable": _unreadable_dict(self.unreadable), "notes": list(self.notes),
                "falls_accepted": list(self.falls_accepted)}

    @classmethod
    def from_dict(cls, control: dict) -> ControlSummary:
        return cls(control.get("period"), tuple(ControlAmounts.from_dict(line) for line in control.get("lines", ())),
                   {service: int(text) for service, text in control.get("volume", {}).items()},
                   _unreadable_of(control.get("unreadable") or {}), tuple(control.get("notes", ())),
                   tuple(control.get("falls_accepted", ())))


def _records_dict(records: SourceRecords) -> dict:
    return {"name": records.name, "location": records.location, "records": records.records, "read": records.read,
            "blank": records.blank, "blank_rows": list(records.blank_rows), "deleted": records.deleted,
            "deleted_rows": list(records.deleted_rows), "comments": records.comments,
            "entities": [{"entity": c.entity, "read": c.read, "filtered": c.filtered, "without_rows": c.without_rows,
                          "rows": c.rows, "rejected_rows": c.rejected_rows, "loaded_rows": c.loaded_rows,
                          "merged": c.merged}
                         for c in records.entities],
            "lookup_of": list(records.lookup_of), "balanced": records.balanced}


def _records_of(source: dict) -> SourceRecords:
    return SourceRecords(
        source["name"], source["location"], source.get("records"), source["read"], source.get("blank", 0),
        tuple(source.get("blank_rows", ())), source.get("deleted", 0), tuple(source.get("deleted_rows", ())),
        source.get("comments", 0),
        tuple(RecordCount(count["entity"], count["read"], count.get("filtered", 0), count.get("without_rows", 0),
                          count["rows"], count["rejected_rows"], count.get("merged", False))
              for count in source.get("entities", ())),
        tuple(source.get("lookup_of", ())))


@dataclass(frozen=True)
class RowSummary:
    """Row-level differences: how many of each kind, and the first rows (dicts of DIFFERENCE_COLUMNS)."""

    by_kind: dict[str, int]
    rows: tuple[dict, ...] = ()

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())

    def to_dict(self) -> dict:
        return {"total": self.total, "by_kind": self.by_kind, "rows": list(self.rows)}

    @classmethod
    def from_dict(cls, found: dict) -> RowSummary:
        return cls(found.get("by_kind", {}), tuple(found.get("rows", ())))


CHANGED = ("accounts", "meters", "balances")  # what changes are counted of, besides rejects


@dataclass(frozen=True)
class ChangeSummary:
    """What changed since the previous run: rejects new and fixed per rule, keyed rows added,
    removed, changed, and the first rows (dicts of CHANGE_COLUMNS)."""

    previous_run: str | None
    note: str | None = None
    rejects: dict[str, dict[str, dict[str, int]]] | None = None  # label -> rule -> new/fixed
    counts: dict[str, dict[str, int]] | None = None  # accounts/meters/balances -> added/removed/changed
    rows: tuple[dict, ...] | None = None

    def to_dict(self) -> dict:
        found: dict[str, Any] = {"previous_run": self.previous_run, "note": self.note}
        if self.rejects is not None:
            found["rejects"] = self.rejects
        found |= self.counts or {}
        if self.rows is not None:
            found["rows"] = list(self.rows)
        return found

    @classmethod
    def from_dict(cls, changes: dict) -> ChangeSummary:
        rows = changes.get("rows")
        return cls(changes.get("previous_run"), changes.get("note"), changes.get("rejects"),
                   {key: value for key, value in changes.items() if key in CHANGED},
                   None if rows is None else tuple(rows))


@dataclass(frozen=True)
class RunSummary:
    """The result of a run: what summary.json says, typed.

    The first group is every run's (a failed run has it, ``error`` and, once read, ``sources``);
    the rest is the reconciliation's, None where the run never got there (or an older summary
    lacks the block). ``sources`` stays the JSON the extract records of each source (the snapshot
    reader takes it as it is).
    """

    run_id: str
    kind: str
    status: str  # "reconciled" | "differences" | "failed" | "running"
    mapping: str
    target: str  # password masked
    period: str
    started_at: str | None
    finished_at: str | None
    cutover_version: str | None = None
    error: str | None = None
    sources: dict[str, dict] | None = None
    entities: dict[str, EntityCount] | None = None  # by label
    filtered: dict[str, int] | None = None
    rejects_by_rule: dict[str, dict[str, int]] | None = None
    warnings_by_rule: dict[str, dict[str, int]] | None = None
    money: MoneySummary | None = None
    control: ControlSummary | None = None
    records: tuple[SourceRecords, ...] | None = None
    differences: tuple[str, ...] | None = None
    gate_failures: tuple[str, ...] | None = None
    gates: tuple[Gate, ...] | None = None  # every gate with what the run measured and its limit (None: an older run)
    row_differences: RowSummary | None = None
    changes: ChangeSummary | None = None
    # how long it took: {"seconds", "peak_mb", "stages": [{"stage", "seconds", "rows"}, ...]}, up to the report
    timings: dict | None = None

    # ---- what every view says, decided once, here ----

    @property
    def reasons(self) -> list[str]:
        """Why the verdict is what it is: the differences, the broken gates, then the error of a failed run."""
        found = [*(self.differences or ()), *(self.gate_failures or ())]
        return found + ([self.error] if self.error else [])

    @property
    def unbalanced_entities(self) -> list[str]:
        """Entities whose source rows are not the loaded plus the rejected ones."""
        return [name for name, count in (self.entities or {}).items() if not count.balanced]

    @property
    def unbalanced_sources(self) -> list[str]:
        """Sources whose records do not add up (records = read + blank + deleted; read = rows made)."""
        return [source.location for source in self.records or () if not source.balanced]

    @property
    def money_lines(self) -> list[ServiceAmounts]:
        return [] if self.money is None else self.money.lines()

    @property
    def differing_money(self) -> list[ServiceAmounts]:
        return [line for line in self.money_lines if line.differs]

    @property
    def unreadable(self) -> UnreadableMoney | None:
        """The unreadable money of the run; None when it found none (or did not look)."""
        if self.control is None or not self.control.unreadable.rows:
            return None
        return self.control.unreadable

    @property
    def rows_differing(self) -> int:
        return 0 if self.row_differences is None else self.row_differences.total

    # ---- serialisation ----

    def to_dict(self) -> dict:
        """summary.json: plain JSON-ready data, money as decimal strings of roubles."""
        found: dict[str, Any] = {"run_id": self.run_id, "kind": self.kind, "status": self.status}
        if self.cutover_version is not None:
            found["cutover_version"] = self.cutover_version
        found |= {"mapping": self.mapping, "target": self.target, "period": self.period,
                  "started_at": self.started_at, "finished_at": self.finished_at}
        if self.error is not None:
            found["error"] = self.error
        if self.sources is not None:
            found["sources"] = self.sources
        if self.entities is not None:
            found["entities"] = {name: count.to_dict() for name, count in self.entities.items()}
        for name in ("filtered", "rejects_by_rule", "warnings_by_rule"):
            if getattr(self, name) is not None:
                found[name] = getattr(self, name)
        if self.money is not None:
            found["money"], found["money_by_measure"] = self.money.to_dicts()
        if self.control is not None:
            found["control"] = self.control.to_dict()
        if self.records is not None:
            found["records"] = [_records_dict(records) for records in self.records]
        for name in ("differences", "gate_failures"):
            if getattr(self, name) is not None:
                found[name] = list(getattr(self, name))
        if self.gates is not None:
            found["gates"] = [gate.to_dict() for gate in self.gates]
        if self.row_differences is not None:
            found["row_differences"] = self.row_differences.to_dict()
        if self.changes is not None:
            found["changes"] = self.changes.to_dict()
        if self.timings is not None:
            found["timings"] = self.timings
        return found

    @classmethod
    def from_dict(cls, summary: dict) -> RunSummary:
        """The object of a summary.json (or the journal's summary of a run), older formats included."""
        def maybe(key, read):
            return None if summary.get(key) is None else read(summary[key])

        return cls(
            run_id=summary.get("run_id", ""), kind=summary.get("kind", ""), status=summary.get("status", ""),
            mapping=summary.get("mapping", ""), target=summary.get("target", ""), period=summary.get("period", ""),
            started_at=summary.get("started_at"), finished_at=summary.get("finished_at"),
            cutover_version=summary.get("cutover_version"), error=summary.get("error"),
            sources=summary.get("sources"),
            entities=maybe("entities", lambda found: {name: EntityCount(count["source_rows"], count["loaded"],
                                                                        count["rejected"], count.get("warnings", 0))
                                                      for name, count in found.items()}),
            filtered=summary.get("filtered"), rejects_by_rule=summary.get("rejects_by_rule"),
            warnings_by_rule=summary.get("warnings_by_rule"),
            money=MoneySummary.from_dicts(summary.get("money"), summary.get("money_by_measure")),
            control=maybe("control", ControlSummary.from_dict),
            records=maybe("records", lambda found: tuple(_records_of(source) for source in found)),
            differences=maybe("differences", tuple), gate_failures=maybe("gate_failures", tuple),
            gates=maybe("gates", lambda found: tuple(Gate.from_dict(gate) for gate in found)),
            row_differences=maybe("row_differences", RowSummary.from_dict),
            changes=maybe("changes", ChangeSummary.from_dict),
            timings=summary.get("timings"),
        )


def run_summary(summary: RunSummary | dict) -> RunSummary:
    """The object itself, or the object of a summary dict (summary.json, a test's summary)."""
    return summary if isinstance(summary, RunSummary) else RunSummary.from_dict(summary)
