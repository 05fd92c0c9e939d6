"""report.html for engineers: a run on one page that opens anywhere, offline.

One self-contained file, in the style of profile.html: inline CSS, inline SVG charts, no
scripts, nothing fetched from the network. It shows what report.xlsx shows (the verdict and
its reasons, counts, money per service and measure against the control totals, the control
lines of every month, the unreadable money, every source's records, differences, rejects per
rule with sample rows behind each rule, changes since the previous run), but only the first
``ROW_LIMIT`` rows of each kind, and two charts: rejects per rule over recent runs, and money
per service. Every value is escaped (legacy data may hold ``<script>``). The page holds
nothing that changes from one rendering to the next: its only time is the run's ``finished_at``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pandas as pd

from cutover.money import kopecks_to_decimal
from cutover.reconcile.result import Amounts, ControlAmounts, RunSummary, run_summary
from cutover.report.charts import ServiceBars, rejects_over_runs, source_against_target
from cutover.report.data import (
    CHANGE_COLUMNS,
    DIFFERENCE_COLUMNS,
    ROW_LIMIT,
    UNREADABLE_COLUMNS,
    ReportData,
)
from cutover.report.gate_words import margins
from cutover.report.html_parts import (
    PRINT_CSS,
    Markup,
    number,
    percent,
    roubles,
    table,
    text,
)
from cutover.report.tables import (
    ALL_SERVICES,
    CHANGE_KEYED_HEADER,
    CHANGE_REJECTS_HEADER,
    CONTROL_HEADER,
    DIFFERENCE_RULE,
    ENTITY_HEADER,
    MONEY_HEADER,
    RECORDS_HEADER,
    VERDICT,
    RuleCount,
    by_month,
    change_counts,
    changes_title,
    control_notes,
    legacy_lines,
    money_lines,
    month_label,
    records_lines,
    records_rows,
    rule_counts,
    service_label,
    unreadable_money,
)
from cutover.report.workbook import CHANGES, CONTROL, DIFFERENCES, UNREADABLE
from cutover.results.gates import (
    ENTITY_REJECT_SHARE,
    REJECT_SHARE,
    REJECTED_MONEY,
    REJECTED_MONEY_SHARE,
    UNREADABLE_ROWS,
)
from cutover.states import RunStatus

SAMPLES_PER_RULE = 20  # rejected rows shown behind each rule
SAMPLE_COLUMNS = {"source": "File", "row_number": "Row", "legacy_key": "Legacy key", "column_name": "Column",
                  "raw_value": "Value", "message": "Message"}
LEGACY_VALUES = {"legacy_key", "raw_value", "source", "target", "before", "after"}  # shown with their spaces kept

_CSS = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.2em; margin-top: 2em; } h3 { font-size: 1em; }
table { border-collapse: collapse; margin: .5em 0 1em; }
th, td { border: 1px solid #ccc; padding: .25em .5em; vertical-align: top; text-align: left; }
th { background: #f2f2f2; position: sticky; top: 0; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
code { white-space: pre-wrap; background: #f6f6f6; padding: 0 .2em; }
ul { margin: 0; padding-left: 1.1em; }
.banner { border-left: .5em solid; padding: .6em 1em; margin: 1em 0; }
.banner.go { background: #dff3e3; border-color: #2e7d32; } .banner.nogo { background: #fde2e1; border-color: #c62828; }
.banner .verdict { font-size: 1.6em; font-weight: bold; margin: 0; }
.banner .margins { font-size: 1.1em; margin: .3em 0 0; }
.banner ul { margin-top: .4em; }
.differs { background: #fde2e1; }
.muted { color: #666; }
figure { margin: .5em 0 1.5em; }
svg.chart { display: block; font-family: system-ui, sans-serif; max-width: 100%; height: auto; }
/* A wide table scrolls within the page on screen; printed, it fits the paper: smaller, its cells wrapping. */
.wide { overflow-x: auto; max-width: 100%; }
@media print {
  .wide { overflow: visible; max-width: none; }
  .wide table { width: 100%; font-size: 7.5pt; }
  .wide th, .wide td { padding: .1em .25em; overflow-wrap: anywhere; }
  .wide td.n { overflow-wrap: normal; }
  .wide code { white-space: pre-wrap; word-break: break-all; }
}
ul.legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .3em 1.2em; font-size: .9em; }
details { margin: .3em 0; } summary { cursor: pointer; }
@page { size: A4 landscape; margin: 12mm; }
""" + PRINT_CSS


_Markup, _text = Markup, text  # protocol_html.py and older callers import them from here


def _table(header: list[str], rows: list[list], numeric: set[int] = frozenset(), code: set[int] = frozenset(),
           classes: list[str] | None = None) -> str:
    """A table that scrolls within the page rather than widening it (the records have 13 columns)."""
    return f'<div class="wide">{table(header, rows, numeric, code, classes)}</div>'


def _first_rows(frames: Iterator[pd.DataFrame], columns: list[str], limit: int) -> tuple[list[list], int]:
    """The first ``limit`` rows (as lists of ``columns``) and how many rows there are in all."""
    kept: list[list] = []
    total = 0
    for frame in frames:
        if len(kept) < limit:
            head = frame.reindex(columns=columns).head(limit - len(kept))
            kept += [list(record) for record in head.itertuples(index=False, name=None)]
        total += len(frame)
    return kept, total


def _legacy_values(columns: list[str], legacy: set[str] = LEGACY_VALUES) -> set[int]:
    """The positions of the columns that hold values as the legacy system had them."""
    return {position for position, column in enumerate(columns) if column in legacy}


def _rows(count: int) -> str:
    return f"{number(count)} row" if count == 1 else f"{number(count)} rows"


def _more(shown: int, total: int, sheet: str, where: str = "") -> str:
    where = where or f"report.xlsx (sheet {sheet})"
    return f'<p class="muted">{number(total - shown)} more in {where}.</p>' if total > shown else ""


_REJECT_GATES = {REJECT_SHARE, ENTITY_REJECT_SHARE}
_MONEY_GATES = {REJECTED_MONEY, REJECTED_MONEY_SHARE}


def _gate_causes(summary: RunSummary) -> list[tuple[str, bool]]:
    """Which kinds of gate broke: by the gates' names, or (a summary of an older run, with only
    their sentences) by their words."""
    if summary.gates is not None:
        broken = {gate.name for gate in summary.gates if not gate.passed} - {UNREADABLE_ROWS}
        return [("reject gate", bool(broken & _REJECT_GATES)), ("rejected money gate", bool(broken & _MONEY_GATES)),
                ("a gate", bool(broken - _REJECT_GATES - _MONEY_GATES))]
    gates = summary.gate_failures or ()
    return [("reject gate", any("[gates] max_reject_share" in gate or "rows rejected" in gate for gate in gates)),
            ("rejected money gate", any("max_rejected_money" in gate for gate in gates)),
            ("a gate", any("rows rejected" not in gate and "max_rejected_money" not in gate
                           and "max_reject_share" not in gate for gate in gates))]


def _causes(summary: RunSummary) -> list[str]:
    """What made the verdict, in a few words each, in the order the reasons list them."""
    if summary.status == RunStatus.FAILED:
        return ["the run failed"]
    found = [("counts do not add up", bool(summary.unbalanced_entities)),
             ("records do not add up", bool(summary.unbalanced_sources)),
             ("money differences", bool(summary.differing_money)),
             ("unreadable money", bool(summary.unreadable and summary.unreadable.blocking)),
             ("row differences", bool(summary.rows_differing)), *_gate_causes(summary)]
    return [cause for cause, present in found if present]


def _margins(summary: RunSummary) -> str:
    """The gates' margins, ``rejects 2.77% of 5%`` (a broken one in bold); for a summary of an
    older run, without its gates, the share of rejects as the run's counts give it."""
    if summary.gates is not None:
        return " · ".join(_text(margin) if held else f"<b>{_text(margin)}</b>"
                          for margin, held in margins(summary.gates))
    entities = summary.entities or {}
    source = sum(count.source_rows for count in entities.values())
    if not source:
        return ""
    rejected = sum(count.rejected for count in entities.values())
    return _text(f"rejects {percent(rejected / source)} of {number(source)} rows ({number(rejected)} rejected)")


def _banner(summary: RunSummary) -> str:
    """The verdict as the first thing on the page: GO or NO-GO, its causes, then every reason."""
    status = summary.status
    go = status == RunStatus.RECONCILED
    word = VERDICT.get(status, status).split(":")[0] if status in VERDICT else str(status)
    causes = _causes(summary)
    headline = f"{word}: {', '.join(causes)}" if causes and not go else VERDICT.get(status, status)
    lines = [f'<section class="banner {"go" if go else "nogo"}">', f'<p class="verdict">{_text(headline)}</p>']
    shown = _margins(summary)
    if shown:
        lines.append(f'<p class="margins">{shown}</p>')
    if summary.reasons:
        lines.append("<ul>" + "".join(f"<li>{_text(reason)}</li>" for reason in summary.reasons) + "</ul>")
    lines.append("</section>")
    return "\n".join(lines)


def _heading(summary: RunSummary) -> list[str]:
    lines = [f"<h1>Run {_text(summary.run_id)} ({_text(summary.kind)})</h1>", _banner(summary)]
    notes = control_notes(summary)
    if notes:
        lines.append('<ul class="muted">' + "".join(f"<li>{_text(note)}</li>" for note in notes) + "</ul>")
    lines.append(f"<p>Mapping <b>{_text(summary.mapping)}</b>, period {_text(summary.period)}, "
                 f"target <code>{_text(summary.target)}</code>.<br>Started {_text(summary.started_at)}, "
                 f"finished {_text(summary.finished_at)}"
                 + (f", cutover {_text(summary.cutover_version)}" if summary.cutover_version else "")
                 + ".</p>")
    if summary.entities is not None:
        lines += ["<h2>Counts</h2>", _table(ENTITY_HEADER, [
            [name, c.source_rows, c.loaded, c.rejected, c.warnings]
            for name, c in summary.entities.items()], numeric={1, 2, 3, 4})]
    return lines


def _roubles(kopecks: int | None) -> str | None:
    return None if kopecks is None else roubles(kopecks)


def _amount_cells(line: Amounts) -> list:
    """The money columns of a line as text (money in roubles; what the summary lacks left blank)."""
    return [*(_roubles(kopecks) for kopecks in (line.control, line.source, line.target, line.rejected, line.filtered)),
            line.unreadable, _roubles(line.declared), _roubles(line.difference)]


_AMOUNT_COLUMNS = set(range(2, len(MONEY_HEADER)))  # MONEY_HEADER after Service and Measure


def _money(summary: RunSummary) -> list[str]:
    period, lines = money_lines(summary)
    if not lines:
        return []
    closing = [ServiceBars(line.service, kopecks_to_decimal(line.read), kopecks_to_decimal(line.target),
                           kopecks_to_decimal(line.rejected), kopecks_to_decimal(line.filtered or 0))
               for line in lines if line.measure == "closing" and line.service != "total"]
    controlled = any(line.control is not None for line in lines if line.measure == "closing")
    read = "control" if controlled else "source"
    rows = [[line.service, line.measure, *_amount_cells(line)] for line in lines]
    return [f"<h2>Money per service, {_text(period)}</h2>", f"<h3>Closing balances, {read} against target + rejected, one scale</h3>",
            source_against_target(closing, read_as=read), _table(MONEY_HEADER, rows, numeric=_AMOUNT_COLUMNS,
                                                         classes=["differs" if line.differs else "" for line in lines]),
            f'<p class="muted">{_text(DIFFERENCE_RULE)}</p>']


def _month_summary(lines: list[ControlAmounts]) -> str:
    """``2026-10: 3573 rows of 9 legacy services, 50 lines, every line exact``."""
    totals = [line for line in lines if line.service == ALL_SERVICES]
    services = {line.service for line in lines} - {ALL_SERVICES}
    rows = totals[0].rows if totals else sum(line.rows for line in lines if line.measure == lines[0].measure)
    differing = sum(line.differs for line in lines)
    return (f"<b>{_text(month_label(lines[0]))}</b>: {_rows(rows)} of {len(services)} legacy service(s), "
            f"{len(lines)} lines, " + (f"<b>{differing} differ</b>" if differing else "every line exact"))


def _control(summary: RunSummary) -> list[str]:
    """The control lines of every month, a ``<details>`` each, open where a line differs."""
    months = by_month(legacy_lines(summary))
    if not months:
        return []
    lines = ["<h2>Control totals per month</h2>",
             '<p class="muted">Every legacy service, month and measure, read from the raw source by the control, '
             "not through the mapping; <i>all services</i> is the month's total. A line that does not add up, "
             "or that the legacy statement contradicts, is marked. report.xlsx has them on the sheet "
             f"{_text(CONTROL.title)}.</p>"]
    numeric = set(range(3, len(CONTROL_HEADER) - 1))  # Rows and the money columns (the month is not a column here)
    for of_month in months.values():
        differing = any(line.differs for line in of_month)
        rows = [[service_label(line), line.code, line.measure, line.rows, *_amount_cells(line)] for line in of_month]
        lines += [f"<details{' open' if differing else ''}><summary>{_month_summary(of_month)}</summary>",
                  _table(CONTROL_HEADER[1:], rows, numeric=numeric,
                         classes=["differs" if line.differs else "" for line in of_month]), "</details>"]
    return lines


_BLOCKING = ' class="differs"'


def _unreadable(data: ReportData, summary: RunSummary) -> list[str]:
    found = unreadable_money(summary)
    if found is None:
        return []
    rows, total = _first_rows(data.unreadable(), UNREADABLE_COLUMNS, ROW_LIMIT)
    return ["<h2>Unreadable money</h2>",
            f"<p{_BLOCKING if found.blocking else ''}>{_text(found.text)}.</p>",
            _table(UNREADABLE.header, rows, numeric={1},
                   code=_legacy_values(UNREADABLE_COLUMNS, {"legacy_key", "value"})),
            _more(len(rows), total, UNREADABLE.title)]


def _records(summary: RunSummary) -> list[str]:
    rows = records_rows(summary)
    if not rows:
        return []
    lines = ["<h2>Records of every source</h2>"]
    unusual = records_lines(summary)
    if unusual:
        lines.append("<ul>" + "".join(f"<li>{_text(line)}</li>" for line in unusual) + "</ul>")
    return lines + [_table(RECORDS_HEADER, rows, numeric={1, 2, 3, 4, 5, 8, 9, 10, 11, 12})]


def _differences(data: ReportData, summary: RunSummary) -> list[str]:
    lines = ["<h2>Differences</h2>"]
    by_kind = {} if summary.row_differences is None else summary.row_differences.by_kind
    if by_kind:
        lines.append(_table(["Kind: problem", "Rows"], [[kind, rows] for kind, rows in by_kind.items()], numeric={1}))
    rows, total = _first_rows(data.differences(), DIFFERENCE_COLUMNS, ROW_LIMIT)
    if not total:
        return lines + ['<p class="muted">No row differs between source and target.</p>']
    return lines + [_table(DIFFERENCES.header, rows, code=_legacy_values(DIFFERENCE_COLUMNS)),
                    _more(len(rows), total, DIFFERENCES.title)]


def _anchor(count: RuleCount) -> str:
    return "rule-" + "".join(ch if ch.isalnum() else "-" for ch in f"{count.entity}-{count.severity}-{count.rule}")


def _reject_samples(data: ReportData, counts: list[RuleCount]) -> dict[tuple[str, str, str], list[list]]:
    """Up to SAMPLES_PER_RULE rejected rows behind each rule; reading stops once every rule has them.

    The summary names entities by their plural label ("persons"), reject rows by the entity
    ("person"); a row belongs to the label that is its entity or its entity plus "s".
    """
    missing = {(c.entity, c.severity, c.rule): min(SAMPLES_PER_RULE, c.rows) for c in counts}
    samples: dict[tuple[str, str, str], list[list]] = {}
    if not any(missing.values()):
        return samples
    frames = data.rejects()
    try:
        for frame in frames:
            for (entity, severity, rule), rows in frame.groupby(["entity", "severity", "rule"], sort=False):
                label = entity if (entity, severity, rule) in missing else f"{entity}s"
                key = (label, severity, rule)
                if missing.get(key, 0) > 0:
                    head = rows.reindex(columns=list(SAMPLE_COLUMNS)).head(missing[key])
                    samples.setdefault(key, []).extend(list(r) for r in head.itertuples(index=False, name=None))
                    missing[key] -= len(head)
            if not any(missing.values()):
                break
    finally:
        getattr(frames, "close", lambda: None)()  # let a generator close the file it reads
    return samples


def _rejects(data: ReportData, summary: RunSummary) -> list[str]:
    lines = ["<h2>Rejects by rule</h2>", "<h3>Rejected rows per rule over recent runs</h3>",
             rejects_over_runs(data.history)]
    counts = rule_counts(summary)
    if not counts:
        why = "The run failed before its rejects were counted." if summary.status == RunStatus.FAILED \
            else "No rejects or warnings in this run."
        return lines + [f'<p class="muted">{why}</p>']
    rows = [[count.entity, count.severity, _Markup(f'<a href="#{_anchor(count)}">{_text(count.rule)}</a>'),
             count.rows] for count in counts]
    lines.append(_table(["Entity", "Severity", "Rule", "Rows"], rows, numeric={3}))
    files, every = data.reject_files, ""
    if files is not None:  # the Rejects sheet keeps the first of each rule: every row is in the files
        every = f'<a href="{_text(files.csv)}">{_text(files.csv)}</a> (or {_text(files.parquet)})'
        lines.append(f"<p>{number(files.rows)} rejects and warnings: every one is in {every} beside this page; the "
                     f"sheet Rejects of report.xlsx shows the first {files.first_of_each_rule} of each rule.</p>")
    samples = _reject_samples(data, counts)
    code = _legacy_values(list(SAMPLE_COLUMNS), {"legacy_key", "raw_value"})  # "source" is the file there
    for count in counts:
        shown = samples.get((count.entity, count.severity, count.rule), [])
        lines.append(f'<details id="{_anchor(count)}"><summary>{_text(count.entity)} {_text(count.severity)} '
                     f"<b>{_text(count.rule)}</b>: {_rows(count.rows)}, {len(shown)} shown</summary>")
        lines += [_table(list(SAMPLE_COLUMNS.values()), shown, numeric={1}, code=code),
                  _more(len(shown), count.rows, "Rejects", every), "</details>"]
    return lines


def _changes(data: ReportData, summary: RunSummary) -> list[str]:
    changes = summary.changes
    if changes is None:
        return []
    lines = [f"<h2>{_text(changes_title(changes))}</h2>"]
    if changes.note:
        lines.append(f"<p>{_text(changes.note)}</p>")
    by_rule, keyed = change_counts(changes)
    if by_rule:
        lines.append(_table(CHANGE_REJECTS_HEADER, by_rule, numeric={2, 3}))
    if keyed:
        lines.append(_table(CHANGE_KEYED_HEADER, keyed, numeric={1, 2, 3}))
    if changes.previous_run:
        rows, total = _first_rows(data.changes(), CHANGE_COLUMNS, ROW_LIMIT)
        if total:
            lines += [_table(CHANGES.header, rows, code=_legacy_values(CHANGE_COLUMNS)),
                      _more(len(rows), total, CHANGES.title)]
    return lines


def render_html(data: ReportData) -> str:
    """The whole page as text.

    Parameters
    ----------
    data : ReportData
        The run's summary (a :class:`RunSummary`, or summary.json's data), its row sets and the recent runs for the charts. A failed run's
        summary (no entities, money or changes) gives the verdict, the error and the charts
        there is data for.

    Returns
    -------
    str
        The HTML document.
    """
    summary = run_summary(data.summary)
    title = f"Run {summary.run_id} ({summary.kind})"
    lines = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">',
             f"<title>{_text(title)}</title><style>{_CSS}</style></head><body>"]
    lines += (_heading(summary) + _money(summary) + _control(summary) + _unreadable(data, summary)
              + _records(summary))
    if summary.status != RunStatus.FAILED:
        lines += _differences(data, summary)
    lines += _rejects(data, summary) + _changes(data, summary)
    lines.append("</body></html>")
    return "\n".join(line for line in lines if line) + "\n"


def write_html(path: Path, data: ReportData) -> None:
    """Write :func:`render_html` of ``data`` to ``path`` (UTF-8), creating its folder if missing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(data), encoding="utf-8")
