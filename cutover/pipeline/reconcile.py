"""Reconcile a dry run: counts and money of the source against what the target holds.

The target side is re-read from the database (counts and sums computed there); the
source side comes from the extract. A run is reconciled when, for every entity,
source rows = loaded + rejected, for every service the source money = target + rejected,
and the gates hold.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import sqlalchemy as sa

from cutover.config import Gates
from cutover.money import kopecks_to_roubles_text
from cutover.pipeline.mapstage import MappedEntity
from cutover.schema.tables import target_metadata


@dataclass(frozen=True)
class EntityCount:
    source_rows: int
    loaded: int
    rejected: int
    warnings: int

    def to_dict(self) -> dict:
        return {"source_rows": self.source_rows, "loaded": self.loaded, "rejected": self.rejected,
                "warnings": self.warnings}


@dataclass(frozen=True)
class MoneyLine:
    """Kopecks of one service (or the total): in the source, in the target, rejected."""

    source: int
    target: int
    rejected: int

    @property
    def balanced(self) -> bool:
        return self.source == self.target + self.rejected


@dataclass(frozen=True)
class Reconciliation:
    """The verdict of a run and the numbers behind it."""

    entities: dict[str, EntityCount]
    money_period: str
    money: dict[str, MoneyLine]
    total: MoneyLine
    rejects_by_rule: dict[str, dict[str, int]]
    warnings_by_rule: dict[str, dict[str, int]]
    differences: list[str] = field(default_factory=list)
    gate_failures: list[str] = field(default_factory=list)
    filtered: dict[str, int] = field(default_factory=dict)  # source rows each entity's filter left out
    rejected_kopecks_absolute: int = 0  # closing balances among rejected rows, debts and prepayments alike

    @property
    def status(self) -> str:
        return "differences" if self.differences or self.gate_failures else "reconciled"


def _items(reject: sa.Table):
    """What makes a source row one item: its file, its row and its key. One row of a sheet
    unpivoted into zones, or the same row number in two united files, are several items."""
    return (reject.c.source, reject.c.row_number, reject.c.legacy_key)


def _rejected_items(connection: sa.Connection, run_id: str, entity: str, merges: bool) -> int:
    reject, key_map = (target_metadata().tables[t] for t in ("reject", "key_map"))
    errors = sa.and_(reject.c.run_id == run_id, reject.c.entity == entity, reject.c.severity == "error")
    if merges:
        loaded_keys = sa.select(key_map.c.legacy_key).where(key_map.c.entity == entity, key_map.c.last_run_id == run_id)
        items = sa.select(reject.c.legacy_key).where(errors, reject.c.legacy_key.not_in(loaded_keys))
    else:
        items = sa.select(*_items(reject)).where(errors)
    return connection.execute(sa.select(sa.func.count()).select_from(items.distinct().subquery())).scalar_one()


def _by_rule(connection: sa.Connection, run_id: str, severity: str) -> dict[str, dict[str, int]]:
    reject = target_metadata().tables["reject"]
    items = (
        sa.select(reject.c.entity, reject.c.rule, *_items(reject))
        .where(reject.c.run_id == run_id, reject.c.severity == severity)
        .distinct()
        .subquery()
    )
    query = (
        sa.select(items.c.entity, items.c.rule, sa.func.count())
        .group_by(items.c.entity, items.c.rule)
        .order_by(items.c.entity, items.c.rule)
    )
    result: dict[str, dict[str, int]] = {}
    for entity, rule, rows in connection.execute(query):
        result.setdefault(entity, {})[rule] = rows
    return result


@dataclass
class EntityTally:
    """What a run saw of one entity, added up over its parts."""

    merges: bool  # rows with the same key are one item: counts are of keys
    source_rows: int = 0
    filtered: int = 0  # source rows the entity's filter left out


class SourceMoney:
    """Closing balances of a period in the source, added up part by part: per legacy service
    key, loaded and rejected, signed and absolute. Exact integer kopecks throughout."""

    def __init__(self, period: str) -> None:
        self.period = period
        self._parts: list[pd.DataFrame] = []
        self._codes: list[pd.Series] = []

    def add_services(self, services: MappedEntity) -> None:
        """Learn the target code of each legacy service key (from every row of the service source)."""
        self._codes.append(services.frame.set_index("_key")["code"].dropna())

    def add_balances(self, balances: MappedEntity) -> None:
        frame = balances.frame
        rows = frame[(frame["period"] == self.period) & frame["closing_kopecks"].notna()]
        closing = rows["closing_kopecks"].astype("int64")
        part = pd.DataFrame({"legacy": rows["_ref_service_id"].astype("object"), "rejected": rows["_failed"].astype(bool),
                             "closing": closing, "absolute": closing.abs()})
        self._parts.append(part.groupby(["legacy", "rejected"], dropna=False, sort=False)[["closing", "absolute"]].sum()
                           .reset_index())

    def by_service(self) -> pd.DataFrame:
        """service (target code, or ``legacy:<key>`` for a service with no code), rejected, closing, absolute."""
        if not self._parts:
            return pd.DataFrame({"service": pd.Series(dtype="str"), "rejected": pd.Series(dtype=bool),
                                 "closing": pd.Series(dtype="int64"), "absolute": pd.Series(dtype="int64")})
        parts = pd.concat(self._parts, ignore_index=True)
        codes = pd.concat(self._codes) if self._codes else pd.Series(dtype="str")
        codes = codes[~codes.index.duplicated()]
        service = parts["legacy"].map(codes)
        service = service.where(service.notna(), "legacy:" + parts["legacy"].astype("str"))
        return pd.DataFrame({"service": service, "rejected": parts["rejected"].astype(bool),
                             "closing": parts["closing"].astype("int64"), "absolute": parts["absolute"].astype("int64")})


def _target_money(connection: sa.Connection, period: str) -> dict[str, int]:
    balance, service = (target_metadata().tables[t] for t in ("balance", "service"))
    query = (
        sa.select(service.c.code, sa.func.sum(balance.c.closing_kopecks))
        .select_from(balance.join(service, balance.c.service_id == service.c.id))
        .where(balance.c.period == period)
        .group_by(service.c.code)
    )
    return {code: int(total) for code, total in connection.execute(query)}


def _money(connection, source: pd.DataFrame, period: str) -> tuple[dict[str, MoneyLine], MoneyLine]:
    target = _target_money(connection, period)
    lines = {}
    for code in sorted(set(source["service"]) | set(target)):
        rows = source[source["service"] == code]
        lines[code] = MoneyLine(
            source=int(rows["closing"].sum()), target=target.get(code, 0),
            rejected=int(rows.loc[rows["rejected"], "closing"].sum()),
        )
    total = MoneyLine(*(sum(getattr(line, f) for line in lines.values()) for f in ("source", "target", "rejected")))
    return lines, total


def _gate_failures(entities: dict[str, EntityCount], gates: Gates, rejected_kopecks: int, period: str) -> list[str]:
    failures = []
    limit = gates.max_rejected_kopecks
    if limit is not None and rejected_kopecks > limit:
        failures.append(f"rejected balances of {period} hold {kopecks_to_roubles_text(rejected_kopecks)} roubles "
                        f"(debts and prepayments alike), more than the {kopecks_to_roubles_text(limit)} allowed "
                        f"by [gates] max_rejected_money")
    source = sum(c.source_rows for c in entities.values())
    rejected = sum(c.rejected for c in entities.values())
    if source and rejected / source > gates.max_reject_share:
        failures.append(f"{rejected} of {source} rows rejected ({rejected / source:.2%}), "
                        f"more than the {gates.max_reject_share:.2%} allowed by [gates] max_reject_share")
    for name, limit in gates.entity_max_reject_share.items():
        count = entities.get(name)
        if count and count.source_rows and count.rejected / count.source_rows > limit:
            failures.append(f"{name}: {count.rejected} of {count.source_rows} rows rejected "
                            f"({count.rejected / count.source_rows:.2%}), more than the {limit:.2%} allowed")
    return failures


def entity_label(entity: str) -> str:
    """The plural name reports use: person -> persons."""
    return f"{entity}s"


def reconcile_run(engine: sa.Engine, run_id: str, entities: dict[str, EntityTally], money: SourceMoney,
                  gates: Gates) -> Reconciliation:
    """Compare the source side of a run with the target database."""
    period, source = money.period, money.by_service()
    metadata = target_metadata()
    with engine.connect() as connection:
        warnings = _by_rule(connection, run_id, "warning")
        rejects = _by_rule(connection, run_id, "error")
        counts, differences = {}, []
        for name, tally in entities.items():
            loaded = connection.execute(sa.select(sa.func.count()).select_from(metadata.tables[name])).scalar_one()
            rejected = _rejected_items(connection, run_id, name, tally.merges)
            label = entity_label(name)
            counts[label] = EntityCount(tally.source_rows, loaded, rejected, sum(warnings.get(name, {}).values()))
            if tally.source_rows != loaded + rejected:
                differences.append(f"{label}: {tally.source_rows} source rows but {loaded} loaded + {rejected} rejected")
        lines, total = _money(connection, source, period)
    rejected_kopecks = int(source.loc[source["rejected"], "absolute"].sum())
    for code, line in lines.items():
        if not line.balanced:
            differences.append(f"money {code}: source {line.source} kopecks but target {line.target} + rejected {line.rejected}")
    return Reconciliation(
        entities=counts, money_period=period, money=lines, total=total,
        rejects_by_rule={entity_label(k): v for k, v in rejects.items()},
        warnings_by_rule={entity_label(k): v for k, v in warnings.items()},
        differences=differences, gate_failures=_gate_failures(counts, gates, rejected_kopecks, period),
        rejected_kopecks_absolute=rejected_kopecks,
        filtered={entity_label(name): tally.filtered for name, tally in entities.items() if tally.filtered},
    )
