"""What ``cutover check`` prints of the controls: the balances' control totals read from the raw
source, per month and legacy service, and the values only the control reader reads."""

from __future__ import annotations

from cutover.control.totals import ControlTotals, sums_by
from cutover.money import kopecks_to_roubles_text

WIDTH = 16  # a money column


def render_control_totals(control: ControlTotals | None, period: str) -> list[str]:
    """The control totals per month and legacy service, each month's total after its services."""
    if control is None or control.sums.empty:
        return []
    measures = [m.measure for m in control.plan.measures]
    by_service = sums_by(control.sums, ["period", "service"])
    by_month = sums_by(control.sums, ["period"])
    width = max([10, *(len(service) for _, service in by_service.index)])
    lines = ["", "Control totals of the balances, read from the raw source by cutover's own reader (not through the "
                 "mapping's transforms), roubles; compare them with the legacy turnover statement:",
             "  " + f"{'month':<9} {'service':<{width}} {'rows':>7} " + " ".join(f"{m:>{WIDTH}}" for m in measures)
             + f" {'unreadable':>10}"]
    for month in sorted(by_month.index):
        shown = f"{month}{' *' if month == period else ''}"
        for (of_month, service), row in by_service.iterrows():
            if of_month == month:
                lines.append(_line(shown, service or "(blank)", width, row, measures))
        lines.append(_line(shown, "total", width, by_month.loc[month], measures))
    filtered = int(control.sums.loc[control.sums["status"] == "filtered", "rows"].sum())
    if filtered:
        lines.append(f"  ({filtered:,} of these rows are left out by the mapping's filter; * marks the project's "
                     f"period)")
    else:
        lines.append("  (* marks the project's period)")
    return lines


def _line(month: str, service: str, width: int, row, measures: list[str]) -> str:
    unreadable = sum(int(row[f"{m}_unreadable"]) for m in measures)
    money = " ".join(f"{kopecks_to_roubles_text(int(row[m])):>{WIDTH}}" for m in measures)
    return f"  {month:<9} {service:<{width}} {int(row['rows']):>7} {money} {unreadable or '':>10}".rstrip()


def render_readings(readings) -> list[str]:
    """Money and numbers the mapping's transforms reject that the control reader reads."""
    if not readings:
        return []
    lines = ["", "Values the mapping's transforms reject but cutover's own reader reads (their rows would be "
                 "rejected):"]
    for warning in readings:
        examples = ", ".join(f"row {row} {value!r}" for row, value in warning.examples)
        lines.append(f"  {warning.where} ({warning.column}, {warning.transform}): {warning.rows} row(s), e.g. "
                     f"{examples}; {warning.advice}")
    return lines


def render_unreadable(control: ControlTotals | None) -> list[str]:
    """Money nobody can read, the first values."""
    if control is None or not control.total_unreadable:
        return []
    lines = ["", f"Money nobody can read ({control.unreadable_rows} row(s) outside the filter; a dry run with any is "
                 f"NO-GO unless [gates] accept_unreadable_rows accepts them):"]
    for value in control.unreadable_values[:10]:
        lines.append(f"  {value.source} row {value.row}, {value.column} ({value.measure}): {value.problem}")
    if control.total_unreadable > 10:
        lines.append(f"  ... and {control.total_unreadable - 10} more")
    return lines
