"""Small charts for report.html, drawn as inline SVG: no scripts, nothing fetched, opens offline.

Each function returns one ``<figure>`` (the SVG and an HTML legend) as text. Every label is
escaped. Bar heights are worked out in Decimal, so money never passes through a float, and
the same data always gives the same text (the report is snapshot-tested).
"""

from __future__ import annotations

from decimal import Decimal
from html import escape
from typing import NamedTuple

from cutover.report.data import RunHistory
from cutover.report.html_parts import number, roubles_of

PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f"]
OTHER_COLOUR = "#bab0ac"
SOURCE_COLOUR, TARGET_COLOUR = "#4e79a7", "#f28e2b"
PLOT_HEIGHT = 150
TOP, BOTTOM, LEFT = 14, 40, 48  # margins around the plot, pixels


roubles_text = roubles_of  # Decimal('1234567.89') -> '1 234 567,89', grouped by a no-break space


def _px(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.1')):f}"


def _nice_ceiling(largest: int) -> int:
    """The smallest 1, 2 or 5 times a power of ten not below ``largest`` (the top of the y axis)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if factor * step >= largest:
                return factor * step
        step *= 10


def _swatch(colour: str) -> str:
    return f'<svg width="10" height="10" aria-hidden="true"><rect width="10" height="10" fill="{colour}"/></svg>'


def _legend(entries: list[tuple[str, str]]) -> str:
    items = "".join(f"<li>{_swatch(colour)} {escape(name)}</li>" for name, colour in entries)
    return f'<figcaption><ul class="legend">{items}</ul></figcaption>'


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    return (f'<svg class="chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
            f'aria-label="{escape(title)}"><title>{escape(title)}</title>\n' + "\n".join(body) + "\n</svg>")


def _rules_to_draw(history: list[RunHistory], most: int) -> tuple[list[str], set[str]]:
    """The rules with the most rejects over all runs get a colour each; the rest share one."""
    totals: dict[str, int] = {}
    for run in history:
        for rule, rows in _errors_by_rule(run).items():
            totals[rule] = totals.get(rule, 0) + rows
    ranked = sorted(totals, key=lambda rule: (-totals[rule], rule))
    if len(ranked) <= most:
        return ranked, set()
    return ranked[:most - 1], set(ranked[most - 1:])


def _errors_by_rule(run: RunHistory) -> dict[str, int]:
    """Rejected rows per rule over all entities of one run."""
    by_rule: dict[str, int] = {}
    for rules in run.rejects_by_rule.values():
        for rule, rows in rules.items():
            by_rule[rule] = by_rule.get(rule, 0) + rows
    return by_rule


def rejects_over_runs(history: list[RunHistory], slot: int = 72) -> str:
    """Stacked bars of rejected rows per rule, one bar per run, oldest on the left.

    Parameters
    ----------
    history : list of RunHistory
        Recent runs of the project, oldest first, this run last. Only errors are drawn
        (``rejects_by_rule``), summed over entities per rule.
    slot : int
        Width of one run's bar and its gap, pixels.

    Returns
    -------
    str
        A ``<figure>`` with the SVG and its legend, or a sentence when there is nothing to draw.
    """
    drawn, others = _rules_to_draw(history, len(PALETTE))
    if not drawn and not others:
        return '<p class="muted">No rejects in the recent runs.</p>'
    colours = dict(zip(drawn, PALETTE))
    top = Decimal(_nice_ceiling(max(sum(_errors_by_rule(run).values()) for run in history)))
    scale = Decimal(PLOT_HEIGHT) / top
    width, base = LEFT + slot * len(history) + 8, TOP + PLOT_HEIGHT
    body = _axis(width, [(Decimal(0), "0"), (top, number(int(top)))], scale, base)
    for position, run in enumerate(history):
        x, y = LEFT + slot * position + 8, Decimal(base)
        by_rule = _errors_by_rule(run)
        stack = [(rule, by_rule.get(rule, 0), colours[rule]) for rule in drawn]
        stack.append(("other rules", sum(by_rule.get(rule, 0) for rule in others), OTHER_COLOUR))
        for rule, rows, colour in stack:
            if not rows:
                continue
            height = rows * scale
            y -= height
            body.append(f'<rect x="{x}" y="{_px(y)}" width="{slot - 16}" height="{_px(height)}" fill="{colour}">'
                        f"<title>{escape(run.run_id)}: {escape(rule)} {rows}</title></rect>")
        weight = ' font-weight="bold"' if position == len(history) - 1 else ""
        middle = x + (slot - 16) // 2
        body.append(f'<text x="{middle}" y="{_px(y - 3)}" text-anchor="middle" font-size="10">'
                    f"{sum(by_rule.values())}</text>")
        body.append(f'<text x="{middle}" y="{base + 14}" text-anchor="middle" font-size="10"{weight}>'
                    f"<title>{escape(run.run_id)}</title>{escape(run.started_at[:10])}"
                    f'<tspan x="{middle}" dy="12">{escape(run.started_at[11:16])}</tspan></text>')
    legend = [(rule, colours[rule]) for rule in drawn] + ([("other rules", OTHER_COLOUR)] if others else [])
    title = "Rejected rows per rule over recent runs"
    return f"<figure>{_svg(width, base + BOTTOM, title, body)}\n{_legend(legend)}</figure>"


def _axis(width: int, ticks: list[tuple[Decimal, str]], scale: Decimal, zero_y: int | Decimal) -> list[str]:
    """Grid lines with their labels at the left; ``zero_y`` is where the value 0 sits."""
    lines = []
    for value, label in ticks:
        y = _px(zero_y - value * scale)
        lines.append(f'<line x1="{LEFT}" y1="{y}" x2="{width}" y2="{y}" stroke="#ccc"/>'
                     f'<text x="{LEFT - 4}" y="{y}" dy="4" text-anchor="end" font-size="10">{escape(label)}</text>')
    return lines


class ServiceBars(NamedTuple):
    """One service's money in the chart, Decimal roubles: what the source (or the control) holds,
    and what became of it: loaded into the target, rejected, left out by the mapping's filter."""

    service: str
    source: Decimal
    target: Decimal
    rejected: Decimal = Decimal(0)
    filtered: Decimal = Decimal(0)


MONEY_WIDTH = 980  # the money chart's width: fits a 1,280 px window and an A4 page, whatever the services
NAME_WIDTH, AMOUNT_WIDTH, BAR, GAP = 150, 120, 14, 10  # pixels
TARGET_PARTS = (("target", TARGET_COLOUR), ("rejected", "#e15759"), ("filtered", OTHER_COLOUR))


def _nice_step(span: Decimal, ticks: int = 5) -> Decimal:
    """1, 2 or 5 times a power of ten, so that about ``ticks`` steps cover ``span``."""
    rough = span / ticks
    step = Decimal(1)
    while step * 10 <= rough:
        step *= 10
    while step > rough and step > Decimal("0.01"):
        step /= 10
    for factor in (1, 2, 5, 10):
        if step * factor >= rough:
            return step * factor
    return step * 10


def _tick_label(value: Decimal) -> str:
    whole = value.to_integral_value()
    return number(int(whole)) if whole == value else roubles_text(value)


def source_against_target(services: list[ServiceBars], read_as: str = "source") -> str:
    """Horizontal bars on one shared axis: per service, the source, and beneath it the target,
    the rejected and the filtered money stacked, so the two bars end at the same place when the
    money is accounted for.

    One scale for every service: a heating balance of a few hundred roubles beside a water
    balance of millions is a sliver, as it is in the money. Negative amounts (prepayments) grow
    to the left of the zero line; a stacked part of the other sign is drawn back over the bar.
    The exact amounts are in the table beneath the chart and in each bar's tooltip.

    Parameters
    ----------
    services : list of ServiceBars
        One measure (report.html draws the closing balances), money as Decimal roubles.
    read_as : str
        What the source side is called: ``source``, or ``control`` when it is the control
        total read from the raw source.

    Returns
    -------
    str
        A ``<figure>`` with the SVG and its legend, or a sentence when there is no money.
    """
    if not services:
        return '<p class="muted">No money in this run.</p>'
    ends = [Decimal(0)]
    for line in services:
        ends.append(line.source)
        running = Decimal(0)
        for amount in (line.target, line.rejected, line.filtered):
            running += amount
            ends.append(running)
    lowest, highest = min(ends), max(ends)
    step = _nice_step(highest - lowest) if highest != lowest else Decimal(1)
    # the axis spans the money itself (a prepayment of -230 takes a sliver, not a step of 500 000);
    # its grid lines sit at the multiples of the step within it
    low, high = lowest, max(highest, lowest + step)
    left, plot = NAME_WIDTH, MONEY_WIDTH - NAME_WIDTH - AMOUNT_WIDTH

    def x(value: Decimal) -> Decimal:
        return left + (value - low) * plot / (high - low)

    row = 2 * BAR + 4 + GAP
    height = TOP + row * len(services) + 24
    bottom = TOP + row * len(services)
    body = []
    value = (low / step).to_integral_value(rounding="ROUND_CEILING") * step
    while value <= high:  # the shared axis: a grid line and a label at every step
        at = _px(x(value))
        body.append(f'<line x1="{at}" y1="{TOP - 4}" x2="{at}" y2="{bottom}" stroke="{"#888" if value == 0 else "#ddd"}"/>'
                    f'<text x="{at}" y="{bottom + 14}" text-anchor="middle" font-size="10">{_tick_label(value)}</text>')
        value += step
    for position, line in enumerate(services):
        top = TOP + row * position
        name = escape(line.service)
        body.append(f'<text x="{left - 8}" y="{top + BAR + 4}" text-anchor="end" font-size="11" font-weight="bold">'
                    f"{name}</text>")
        start, end = sorted((x(Decimal(0)), x(line.source)))
        body.append(f'<rect x="{_px(start)}" y="{top}" width="{_px(end - start)}" height="{BAR}" fill="{SOURCE_COLOUR}">'
                    f"<title>{name} {read_as}: {escape(roubles_text(line.source))}</title></rect>")
        running = Decimal(0)
        for (part, colour), amount in zip(TARGET_PARTS, (line.target, line.rejected, line.filtered)):
            if not amount:
                continue
            start, end = sorted((x(running), x(running + amount)))
            running += amount
            body.append(f'<rect x="{_px(start)}" y="{top + BAR + 2}" width="{_px(end - start)}" height="{BAR}" '
                        f'fill="{colour}"><title>{name} {part}: {escape(roubles_text(amount))}</title></rect>')
        for offset, amount in ((0, line.source), (BAR + 2, running)):
            body.append(f'<text x="{MONEY_WIDTH - 2}" y="{top + offset + BAR - 3}" text-anchor="end" font-size="10">'
                        f"{escape(roubles_text(amount))}</text>")
    title = f"Money per service, {read_as} against target + rejected + filtered, one scale"
    shown = {part for line in services for part, amount in zip(("target", "rejected", "filtered"),
                                                                 (line.target, line.rejected, line.filtered)) if amount}
    legend = _legend([(read_as, SOURCE_COLOUR)] + [(part, colour) for part, colour in TARGET_PARTS
                                                   if part == "target" or part in shown])
    return f"<figure>{_svg(MONEY_WIDTH, height, title, body)}\n{legend}</figure>"
