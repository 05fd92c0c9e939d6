"""reports/index.html: the project's runs over time, newest first, each linking to its own page.

One self-contained page like report.html: inline CSS and SVG, no scripts, nothing fetched. Each
run's verdict, its source rows and rejects (the loaded are the difference), the closing balances
of its period, the margins of its broken gates; above them a small trend, oldest to newest, of the share of rejected rows (against the
limit) and of the rejected money. Rewritten from the journal after every dry run and every
`cutover reconcile` and `cutover runs prune` (:func:`write_index`), so a pruned run drops out. Russian by default
(``[report] language``), like the accountants' workbooks and the protocol.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from cutover.money import kopecks_to_decimal
from cutover.report.gate_words import gate_margin, share_text
from cutover.report.html_parts import PRINT_CSS, Markup, roubles, table, text
from cutover.report.index_data import IndexedRun, indexed_runs
from cutover.report.tables import VERDICT
from cutover.report.words import say
from cutover.results.gates import REJECT_SHARE
from cutover.states import RunStatus

INDEX = "index.html"
WIDTH, HEIGHT, LEFT, TOP, BOTTOM = 560, 130, 96, 12, 22  # a trend chart and its margins, pixels
LINE = "#4e79a7"
LIMIT = "#c62828"
log = logging.getLogger("cutover")

_RU = {
    "Runs of the project": "Прогоны проекта",
    "Runs": "Прогоны",
    "newest first; every run links to its own page": "сначала новые; каждый прогон ведёт на свою страницу",
    "Share of rejected rows": "Доля отклонённых строк",
    "Rejected money (closing balances, roubles)": "Отклонённые суммы (сальдо на конец, руб.)",
    "limit": "порог",
    "Kind": "Вид",
    "Started": "Начало",
    "Took": "Время",
    "Verdict": "Вердикт",
    "Rejects": "Доля отказов",
    "Closing: source": "Сальдо на конец, источник",
    "Closing: target": "Сальдо на конец, новая система",
    "Closing: rejected": "Сальдо на конец, отклонено",
    "Gates": "Пороги",
    "all held": "не нарушены",
    "no runs with a report folder yet": "пока нет прогонов с папкой отчётов",
    "switched": "переключено",
    "rolled_back": "откачено",
    "interrupted": "прерван",
    "running": "идёт",
    "dry-run": "пробный",
    "month-end": "переключение",
}
_CSS = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 1em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.2em; margin-top: 1.5em; }
table { border-collapse: collapse; margin: .5em 0 1em; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: .2em .4em; vertical-align: top; text-align: left; }
td:first-child, td:nth-child(3) { white-space: nowrap; }  /* the run id, when it started */
th { background: #f2f2f2; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.wide { overflow-x: auto; max-width: 100%; }
.go { background: #dff3e3; } .nogo { background: #fde2e1; }
.muted { color: #666; }
figure { display: inline-block; margin: .5em 1.5em 1em 0; vertical-align: top; }
figcaption { font-size: .9em; }
svg.chart { display: block; font-family: system-ui, sans-serif; max-width: 100%; height: auto; }
@page { size: A4 landscape; margin: 12mm; }
@media print { .wide { overflow: visible; } .wide table { width: 100%; font-size: 8pt; } }
""" + PRINT_CSS


def _say(language: str, words: str) -> str:
    return (_RU.get(words) or say(language, words)) if language == "ru" else words


def _verdict(run: IndexedRun, language: str) -> str:
    if run.status in VERDICT:
        return say(language, VERDICT[run.status])
    return _say(language, run.status)


def _y(value: Decimal, top: Decimal) -> Decimal:
    plot = Decimal(HEIGHT - TOP - BOTTOM)
    return Decimal(TOP) + plot - (plot * value / top if top else Decimal(0))


def _px(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.1')):f}"


def _trend(title: str, points: list[tuple[str, Decimal, str]], top_label, limit: Decimal | None = None,
           shown_limit: str = "", language: str = "ru") -> str:
    """A line over the runs, oldest left: (run id, value, value as text) each, on an axis from 0 to
    the largest value (or the limit), labelled by ``top_label`` of it; a dashed limit if given."""
    top = max([value for _, value, _ in points] + ([limit] if limit is not None else []))
    step = Decimal(WIDTH - LEFT - 12) / max(len(points) - 1, 1)
    xs = [Decimal(LEFT) + step * index if len(points) > 1 else Decimal(LEFT + (WIDTH - LEFT) // 2)
          for index in range(len(points))]
    body = [f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - 4}" y2="{HEIGHT - BOTTOM}" stroke="#999"/>',
            f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end" font-size="11">{text(top_label(top))}</text>',
            f'<text x="{LEFT - 6}" y="{HEIGHT - BOTTOM + 4}" text-anchor="end" font-size="11">0</text>']
    if limit is not None:
        y = _px(_y(limit, top))
        body.append(f'<line x1="{LEFT}" y1="{y}" x2="{WIDTH - 4}" y2="{y}" stroke="{LIMIT}" stroke-dasharray="4 3"/>'
                    f'<text x="{WIDTH - 4}" y="{float(y) - 3:.1f}" text-anchor="end" font-size="11" fill="{LIMIT}">'
                    f"{text(_say(language, 'limit'))} {text(shown_limit)}</text>")
    coordinates = [(_px(x), _px(_y(value, top))) for x, (_, value, _) in zip(xs, points)]
    if len(coordinates) > 1:
        body.append(f'<polyline fill="none" stroke="{LINE}" stroke-width="2" points="'
                    + " ".join(f"{x},{y}" for x, y in coordinates) + '"/>')
    for (x, y), (run_id, _, shown) in zip(coordinates, points):
        body.append(f'<circle cx="{x}" cy="{y}" r="3.5" fill="{LINE}"><title>{text(run_id)}: {text(shown)}</title></circle>')
    svg = (f'<svg class="chart" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
           f'aria-label="{text(title)}"><title>{text(title)}</title>\n' + "\n".join(body) + "\n</svg>")
    return f"<figure>{svg}<figcaption>{text(title)}</figcaption></figure>"


def _trends(runs: list[IndexedRun], language: str) -> list[str]:
    oldest_first = list(reversed(runs))
    shares = [(run.run_id, Decimal(str(run.reject_share)), share_text(run.reject_share, language))
              for run in oldest_first if run.reject_share is not None]
    limit_gate = next((gate for run in runs for gate in run.gates if gate.name == REJECT_SHARE), None)
    limit = Decimal(str(limit_gate.limit)) if limit_gate is not None else None
    shown_limit = share_text(float(limit_gate.limit), language) if limit_gate is not None else ""
    money = [(run.run_id, kopecks_to_decimal(run.rejected_kopecks), roubles(run.rejected_kopecks))
             for run in oldest_first if run.rejected_kopecks is not None]
    charts = []
    if shares:
        charts.append(_trend(_say(language, "Share of rejected rows"), shares,
                             lambda top: share_text(float(top), language), limit, shown_limit, language))
    if money:
        charts.append(_trend(_say(language, "Rejected money (closing balances, roubles)"), money,
                             lambda top: roubles(int(top.scaleb(2))), language=language))
    return charts


def _duration(seconds: float, language: str) -> str:
    """``42 s`` under two minutes, else ``12.5 min`` (``42 с``, ``12,5 мин``)."""
    if seconds < 120:
        return f"{seconds:.0f} {'с' if language == 'ru' else 's'}"
    minutes = f"{seconds / 60:.1f}"
    return f"{minutes.replace('.', ',')} мин" if language == "ru" else f"{minutes} min"


def _row(run: IndexedRun, language: str) -> list:
    link = Markup(f'<a href="{text(run.page)}">{text(run.run_id)}</a>') if run.page else run.run_id
    took = None if run.seconds is None else _duration(run.seconds, language)
    broken = [gate_margin(gate, language) for gate in run.gates if not gate.passed]
    gates = "; ".join(broken) if broken else (_say(language, "all held") if run.gates else "")
    money = [None if kopecks is None else roubles(kopecks)
             for kopecks in (run.source_kopecks, run.target_kopecks, run.rejected_kopecks)]
    return [link, _say(language, run.kind), f"{run.started_at:%Y-%m-%d %H:%M}", took, _verdict(run, language),
            run.source_rows, run.rejected,
            None if run.reject_share is None else share_text(run.reject_share, language), *money, gates]


def render_index(runs: list[IndexedRun], language: str = "ru") -> str:
    """The page as text: the trend, then one row per run, newest first."""
    title = _say(language, "Runs of the project")
    header = [_say(language, name) for name in ("Run", "Kind", "Started", "Took", "Verdict", "Source rows",
                                                "Rejected", "Rejects", "Closing: source",
                                                "Closing: target", "Closing: rejected", "Gates")]
    lines = ["<!DOCTYPE html>", f'<html lang="{"ru" if language == "ru" else "en"}"><head><meta charset="utf-8">'
             '<meta name="viewport" content="width=device-width">', f"<title>{text(title)}</title>"
             f"<style>{_CSS}</style></head><body>", f"<h1>{text(title)}</h1>"]
    if not runs:
        lines.append(f'<p class="muted">{text(_say(language, "no runs with a report folder yet"))}.</p>')
    else:
        lines += _trends(runs, language)
        classes = ["go" if run.status in (RunStatus.RECONCILED, RunStatus.SWITCHED) else
                   "nogo" if run.status in (RunStatus.DIFFERENCES, RunStatus.FAILED) else "" for run in runs]
        lines += [f"<h2>{text(_say(language, 'Runs'))}</h2>",
                  f'<p class="muted">{text(_say(language, "newest first; every run links to its own page"))}.</p>',
                  '<div class="wide">' + table(header, [_row(run, language) for run in runs],
                                               numeric={3, 5, 6, 7, 8, 9, 10}, classes=classes) + "</div>"]
    lines.append("</body></html>")
    return "\n".join(lines) + "\n"


def write_index(engine: sa.Engine, reports_dir: Path, language: str = "ru") -> Path | None:
    """Write ``reports/index.html`` from the journal; the path, or None when it could not be
    written (the run it follows has finished: a page that cannot be written is logged, not fatal)."""
    path = reports_dir / INDEX
    try:
        page = render_index(indexed_runs(engine, reports_dir), language)
        path.write_text(page, encoding="utf-8")
    except OSError as exc:
        log.warning("%s could not be written: %s", path, exc)
        return None
    return path
