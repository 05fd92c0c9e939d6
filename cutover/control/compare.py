"""The control lines: the control totals against the target, the mapping's reading and the legacy
statement, per legacy service code, month and measure; then the same per target service code
for the switch period (the money table of every report).

A line is exact when control = target + rejected + filtered (:class:`ControlLine`). Where the
control cannot follow a measure's transforms, the line has no control and holds the mapping's
reading to the target instead.
"""

from __future__ import annotations

import pandas as pd

from cutover.control.declared import ALL_SERVICES, DeclaredTotal
from cutover.control.totals import UNREAD_MONTH, ControlTotals, sums_by
from cutover.money import kopecks_to_roubles_text
from cutover.results.model import MEASURES, ControlLine, MoneyLine, ServiceMoney

KEY = ["service", "period"]


class _Sums:
    """Sums per (service, period) of one side, looked up by column."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.columns = {column: {key: int(value) for key, value in frame[column].items()} for column in frame.columns}

    def get(self, column: str, key: tuple[str, str]) -> int:
        return self.columns.get(column, {}).get(key, 0)

    def keys(self) -> set[tuple[str, str]]:
        return {key for values in self.columns.values() for key in values}


def _mapped(mapped: pd.DataFrame, rejected: bool | None = None) -> pd.DataFrame:
    rows = mapped if rejected is None else mapped[mapped["rejected"].astype(bool) == rejected]
    money = [f"{m}_kopecks" for m in MEASURES]
    return rows.groupby(KEY)[money].sum() if len(rows) else pd.DataFrame(columns=money)


def control_lines(totals: ControlTotals | None, target: pd.DataFrame, mapped: pd.DataFrame, codes: dict[str, str],
                  declared: list[DeclaredTotal], measures: tuple[str, ...]) -> list[ControlLine]:
    """Every (legacy service, month, measure) any side holds, each month's total (``*``) after it.

    ``target`` and ``mapped`` are per service legacy key and period (``target_side``,
    ``SourceSide.money``); ``measures`` are those the mapping maps.
    """
    controlled = {m.measure for m in totals.plan.measures} if totals is not None else set()
    sums = totals.sums if totals is not None else pd.DataFrame(columns=["service", "period", "status", "rows"])
    everything = _Sums(sums_by(sums, KEY))
    rejected, filtered = (_Sums(sums_by(sums, KEY, (status,))) for status in ("rejected", "filtered"))
    held = _Sums(target.set_index(KEY)[[f"{m}_kopecks" for m in MEASURES]] if len(target) else pd.DataFrame())
    mapped_all, mapped_rejected = _Sums(_mapped(mapped)), _Sums(_mapped(mapped, rejected=True))
    stated = {(d.period, d.service, d.measure): d.kopecks for d in declared}
    keys = everything.keys() | held.keys() | mapped_all.keys()
    keys |= {(d.service, d.period) for d in declared if d.service != ALL_SERVICES}
    lines: list[ControlLine] = []
    for period in sorted({period for _, period in keys} | {d.period for d in declared}):
        of_period = []
        for key in sorted(key for key in keys if key[1] == period):
            for measure in measures:
                money = f"{measure}_kopecks"
                source, source_rejected = mapped_all.get(money, key), mapped_rejected.get(money, key)
                if measure in controlled:
                    read = (everything.get(measure, key), rejected.get(measure, key), filtered.get(measure, key),
                            everything.get(f"{measure}_unreadable", key))
                else:  # the control cannot follow its transforms: the mapping's reading stands
                    read = (None, source_rejected, 0, 0)
                of_period.append(ControlLine(key[0], codes.get(key[0]), period, measure, read[0], source,
                                             held.get(money, key), *read[1:], everything.get("rows", key),
                                             stated.get((period, key[0], measure)), source_rejected))
        lines += of_period + _totals(period, of_period, measures, stated)
    return lines


def _totals(period: str, lines: list[ControlLine], measures: tuple[str, ...],
            stated: dict[tuple[str, str, str], int]) -> list[ControlLine]:
    totals = []
    rows = sum(line.rows for line in lines if line.measure == measures[0]) if measures else 0
    for measure in measures:
        of_measure = [line for line in lines if line.measure == measure]
        controls = [line.control for line in of_measure]
        control = None if any(c is None for c in controls) else sum(controls)
        totals.append(ControlLine(
            ALL_SERVICES, None, period, measure, control, *(sum(getattr(line, f) for line in of_measure) for f in
                                                           ("source", "target", "rejected", "filtered", "unreadable")),
            rows, stated.get((period, ALL_SERVICES, measure)), sum(line.source_rejected for line in of_measure)))
    return totals


def money_by_code(lines: list[ControlLine], period: str) -> tuple[dict[str, ServiceMoney], ServiceMoney]:
    """The period's money per target service code (``legacy:<code>`` for a legacy service that has
    none) and in total, every measure: the reports' money table."""
    by_code: dict[str, dict[str, list[ControlLine]]] = {}
    for line in lines:
        if line.period == period and line.service != ALL_SERVICES:
            code = line.code or f"legacy:{line.service or '(blank)'}"
            by_code.setdefault(code, {}).setdefault(line.measure, []).append(line)
    services = {code: ServiceMoney({m: _money_line(parts) for m, parts in measures.items()})
                for code, measures in sorted(by_code.items())}
    totals = [line for line in lines if line.period == period and line.service == ALL_SERVICES]
    total = ServiceMoney({line.measure: _money_line([line]) for line in totals})
    if not totals:
        total = ServiceMoney({m: MoneyLine(0, 0, 0, 0) for m in MEASURES})
    return services, total


def _money_line(lines: list[ControlLine]) -> MoneyLine:
    controls, declared = [line.control for line in lines], [line.declared for line in lines]
    return MoneyLine(
        source=sum(line.source for line in lines), target=sum(line.target for line in lines),
        rejected=sum(line.rejected for line in lines),
        control=None if any(c is None for c in controls) else sum(controls),
        filtered=sum(line.filtered for line in lines), unreadable=sum(line.unreadable for line in lines),
        declared=None if any(d is None for d in declared) else sum(declared),
        mapped_rejected=sum(line.source_rejected for line in lines))


def _roubles(kopecks: int) -> str:
    return kopecks_to_roubles_text(kopecks)


def _service(line: ControlLine) -> str:
    if line.service == ALL_SERVICES:
        return "all services"
    name = f"service {line.service or '(blank)'}"
    return f"{name} ({line.code})" if line.code and line.code != line.service else name


def _month(period: str) -> str:
    return "a month that cannot be read" if period == UNREAD_MONTH else period


def control_differences(lines: list[ControlLine]) -> list[str]:
    """A line for every service, month and measure the control, the mapping's reading or the legacy
    statement does not hold the target to."""
    found = []
    for line in lines:
        where = f"{_service(line)} {line.measure} {_month(line.period)}"
        if line.service != ALL_SERVICES and line.control is not None and line.difference:
            found.append(f"money {where}: the source holds {_roubles(line.control)}, but target "
                         f"{_roubles(line.target)} + rejected {_roubles(line.rejected)}"
                         + (f" + filtered {_roubles(line.filtered)}" if line.filtered else "")
                         + f" (difference {_roubles(line.difference)})")
        elif line.service != ALL_SERVICES and line.source != line.target + line.source_rejected:
            # the control holds, the mapping's own reading does not (or there is no control)
            found.append(f"money {where}: the mapping read {_roubles(line.source)}, but target "
                         f"{_roubles(line.target)} + rejected {_roubles(line.source_rejected)} "
                         f"(difference {_roubles(line.source - line.target - line.source_rejected)})")
        held = line.control if line.control is not None else line.source
        if line.declared is not None and line.declared != held:
            found.append(f"the legacy statement says {_roubles(line.declared)} for {where}; the extract holds "
                         f"{_roubles(held)} (difference {_roubles(line.declared - held)})")
    return found
