"""profile.html: the profile of a legacy extract as one page a person can open anywhere.

One self-contained file: inline CSS, no scripts, nothing fetched from the network. The
findings come first, worst first; then a table of the sources; then each source's columns
with their shapes, ranges and top values. Every legacy value is escaped and shown with its
spaces kept, so a double space or a trailing blank is visible.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from cutover.report.html_parts import PRINT_CSS, number

if TYPE_CHECKING:  # annotations only: the profile's results stand above their rendering (cutover/layers.py)
    from cutover.analysis.columns import ColumnProfile
    from cutover.analysis.profile import ProfileResult, SourceProfile


_CSS = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.2em; margin-top: 2em; }
table { border-collapse: collapse; margin: .5em 0 1em; }
th, td { border: 1px solid #ccc; padding: .25em .5em; vertical-align: top; text-align: left; }
th { background: #f2f2f2; position: sticky; top: 0; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
code { white-space: pre-wrap; background: #f6f6f6; padding: 0 .2em; }
ul { margin: 0; padding-left: 1.1em; }
.error { background: #fde2e1; } .warning { background: #fff3cd; } .info { background: #e8f1fb; }
.muted { color: #666; }
@page { size: A4 landscape; margin: 12mm; }
""" + PRINT_CSS


def _text(value) -> str:
    return escape(str(value))


def _value(value: str) -> str:
    return f"<code>{escape(value)}</code>"


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else ""


def _anchor(source: SourceProfile) -> str:
    return "source-" + "".join(ch if ch.isalnum() else "-" for ch in source.name)


def _findings(result: ProfileResult) -> list[str]:
    counts = ", ".join(f"{n} {severity}" + ("s" if n != 1 and severity != "info" else "")
                       for severity, n in result.counts.items())
    lines = [f"<h2>Findings</h2><p>{_text(counts)}, worst first.</p>"]
    if not result.findings:
        return lines + ["<p>Nothing found.</p>"]
    lines.append("<table><thead><tr><th>Severity</th><th>Check</th><th>Source</th><th>Column</th><th>What</th>"
                 "<th>Count</th><th>Examples</th></tr></thead>")
    for f in result.findings:
        examples = "".join(f"<li>{_value(e)}</li>" for e in f.examples)
        lines.append(f'<tr class="{_text(f.severity)}"><td>{_text(f.severity)}</td><td>{_text(f.check)}</td>'
                     f"<td>{_text(f.source)}</td><td>{_text(f.column)}</td><td>{_text(f.what)}</td>"
                     f'<td class="n">{number(f.count)}</td><td><ul>{examples}</ul></td></tr>')
    lines.append("</table>")
    return lines


def _sources(result: ProfileResult) -> list[str]:
    lines = ["<h2>Sources</h2><table><thead><tr><th>Source</th><th>Location</th><th>Format</th><th>Rows</th>"
             "<th>Columns</th><th>Entities</th><th>Read error</th></tr></thead>"]
    for source in result.sources:
        lines.append(f'<tr><td><a href="#{_anchor(source)}">{_text(source.name)}</a></td>'
                     f"<td>{_text(source.location)}</td><td>{_text(source.format)}</td>"
                     f'<td class="n">{number(source.rows)}</td><td class="n">{number(len(source.columns))}</td>'
                     f"<td>{_text(', '.join(source.entities))}</td><td>{_text(source.error or '')}</td></tr>")
    lines.append("</table>")
    return lines


def _column(column: ColumnProfile) -> str:
    shapes = "".join(f"<li>{_value(s)} {_share(n, column.filled)}</li>" for s, n in column.top_shapes)
    values = "".join(f"<li>{_value(v)} <span class=\"muted\">× {n}</span></li>" for v, n in column.top_values)
    numbers = ""
    if column.numbers is not None:
        numbers = f"{_value(column.numbers.minimum)} .. {_value(column.numbers.maximum)}"
    elif column.numeric_values:
        numbers = f'<span class="muted">{column.filled - column.numeric_values} not numbers</span>'
    notes = []
    if column.lookalikes:
        notes.append(f"{column.lookalikes} with look-alike letters")
    if column.misdecoded:
        notes.append(f"{column.misdecoded} misdecoded")
    if column.grouped:
        notes.append(f"{column.grouped} with a thousands separator")
    return (f"<tr><td><b>{_text(column.name)}</b></td><td>{_text(', '.join(column.used_by))}</td>"
            f'<td class="n">{number(column.blanks)} ({_share(column.blanks, column.rows) or "0%"})</td>'
            f'<td class="n">{_text(column.distinct_text)}</td><td><ul>{shapes}</ul></td><td>{numbers}</td>'
            f"<td><ul>{values}</ul></td><td>{_text('; '.join(notes))}</td></tr>")


def _source(source: SourceProfile) -> list[str]:
    lines = [f'<h2 id="{_anchor(source)}">{_text(source.name)}: {_text(source.location)}</h2>',
             f"<p>{_text(source.format)}, {number(source.rows)} rows, {len(source.columns)} columns"
             f"{'; read by ' + _text(', '.join(source.entities)) if source.entities else '; not read by the mapping'}"
             "</p>"]
    if source.error:
        lines.append(f'<p class="error">Read error: {_text(source.error)}</p>')
    lines.append("<table><thead><tr><th>Column</th><th>Used by</th><th>Blank</th><th>Distinct</th><th>Shapes</th>"
                 "<th>Numbers</th><th>Top values</th><th>Notes</th></tr></thead>")
    lines.extend(_column(column) for column in source.columns)
    lines.append("</table>")
    return lines


def render_profile_html(result: ProfileResult) -> str:
    """The whole page as text."""
    title = f"Profile {result.run_id}"
    lines = ['<!DOCTYPE html>', '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">',
             f"<title>{_text(title)}</title><style>{_CSS}</style></head><body>",
             f"<h1>{_text(title)}</h1>",
             f"<p>Mapping <b>{_text(result.mapping)}</b>, extract {_value(str(result.source_dir))}. "
             "Shapes: А/а Cyrillic, A/a Latin capital/small letters, 9 a digit.</p>"]
    lines += _findings(result) + _sources(result)
    for source in result.sources:
        lines += _source(source)
    lines.append("</body></html>")
    return "\n".join(lines) + "\n"


def write_profile_html(path: Path, result: ProfileResult) -> None:
    """Write profile.html (UTF-8)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_profile_html(result), encoding="utf-8")
