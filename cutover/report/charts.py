"""Small charts for report.html, drawn as inline SVG: no scripts, nothing fetched, opens offline.

Each function returns one ``<figure>`` (the SVG and an HTML legend) as text. Every label is
escaped. Bar heights are worked out in Decimal, so money never passes through a float, and
the same data always gives the same text (the report is snapshot-tested).
"""

from __future__ import annotations

from decimal import Decimal
from html import escape

from cutover.money import kopecks_to_roubles_text
from cutover.report.data import RunHistory

PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f"]
OTHER_COLOUR = "#bab0ac"
SOURCE_COLOUR, TARGET_COLOUR = "#4e79a7", "#f28e2b"
PLOT_HEIGHT = 150
TOP, BOTTOM, LEFT = 14, 40, 48  # margins around the plot, pixels


def roubles_text(amount: Decimal) -> str:
    """Decimal('1234567.89') -> '1 234 567,89', as accountants read money."""
    return kopecks_to_roubles_text(int(amount.scaleb(2)))


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
    body = _axis(width, [(Decimal(0), "0"), (top, f"{top:,}".replace(",", " "))], scale, base)
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


def source_against_target(services: list[tuple[str, Decimal, Decimal]], read_as: str = "source",
                          slot: int = 160) -> str:
    """Bars of source and target side by side, one panel per service, with the amounts beneath.

    Each service has a scale of its own (a heating balance of a few hundred roubles beside a
    water balance of millions would otherwise be a line a pixel high); within a panel the bars
    grow from a zero line, up for positive amounts and down for negative ones.

    Parameters
    ----------
    services : list of (service, source, target)
        One measure (report.html draws the closing balances), money as Decimal roubles.
    read_as : str
        What the source side is called: ``source``, or ``control`` when it is the control
        total read from the raw source.
    slot : int
        Width of one service's panel, pixels.

    Returns
    -------
    str
        A ``<figure>`` with the SVG and its legend, or a sentence when there is no money.
    """
    if not services:
        return '<p class="muted">No money in this run.</p>'
    bar, body = (slot - 40) // 3, []
    for position, (service, source, target) in enumerate(services):
        left = slot * position
        highest, lowest = max(source, target, Decimal(0)), min(source, target, Decimal(0))
        scale = Decimal(PLOT_HEIGHT) / (highest - lowest) if highest != lowest else Decimal(0)
        zero_y = TOP + highest * scale if highest != lowest else Decimal(TOP + PLOT_HEIGHT)
        body.append(f'<line x1="{left + 10}" y1="{_px(zero_y)}" x2="{left + slot - 10}" y2="{_px(zero_y)}" '
                    'stroke="#999"/>')
        for offset, side, amount, colour in ((bar // 2, read_as, source, SOURCE_COLOUR),
                                             (bar // 2 + bar + 8, "target", target, TARGET_COLOUR)):
            height = abs(amount) * scale
            y = zero_y - height if amount >= 0 else zero_y
            body.append(f'<rect x="{left + 20 + offset}" y="{_px(y)}" width="{bar}" height="{_px(height)}" '
                        f'fill="{colour}"><title>{escape(service)} {side}: {escape(roubles_text(amount))}</title></rect>')
        middle, below = left + slot // 2, TOP + PLOT_HEIGHT + 16
        body.append(f'<text x="{middle}" y="{below}" text-anchor="middle" font-size="11" font-weight="bold">'
                    f"{escape(service)}</text>")
        for line, (side, amount) in enumerate(((read_as, source), ("target", target)), start=1):
            body.append(f'<text x="{middle}" y="{below + 13 * line}" text-anchor="middle" font-size="10">'
                        f"{side} {escape(roubles_text(amount))}</text>")
    title = f"Money per service, {read_as} against target"
    legend = _legend([(read_as, SOURCE_COLOUR), ("target", TARGET_COLOUR)])
    svg = _svg(slot * len(services), TOP + PLOT_HEIGHT + 50, title, body)
    return f"<figure>{svg}\n{legend}</figure>"
