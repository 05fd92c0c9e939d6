"""protocol.html: the switch protocol as one printable page, the other view of :class:`ProtocolData`.

The page shows what protocol.xlsx shows, in the same order (the rows come from
:mod:`cutover.monthend.protocol_workbook`), and ends with the lines to sign. It is one
self-contained file in the style of report.html: inline CSS laid out for A4 when printed,
no scripts, nothing fetched from the network. Every value is escaped (legacy data may hold
``<script>``); money is in roubles as accountants read it (``1 234 567,89``). Failed checks,
failed sample accounts and services whose difference is not zero carry the CSS classes
``failed`` and ``differs``, and say so in words too, for a page printed in black and white.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from cutover.monthend.protocol_data import ProtocolData
from cutover.monthend.protocol_workbook import (
    CHECK_HEADER,
    COUNT_HEADER,
    DIFFERENCE_NOTE,
    EVIDENCE_HEADER,
    OVERRIDES,
    RECORD_HEADER,
    REJECT_HEADER,
    STEP_HEADER,
    TITLE,
    TRACE_HEADER,
    UNREADABLE_HEADER,
    check_rows,
    count_rows,
    evidence_rows,
    facts,
    record_rows,
    reject_rows,
    service_header,
    service_rows,
    step_rows,
    trace_rows,
    unreadable_rows,
    verdict,
)
from cutover.report.html_parts import PRINT_CSS, roubles, roubles_of, table, text

_CSS = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; max-width: 60em; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 1.6em; }
table { border-collapse: collapse; margin: .5em 0 1em; }
th, td { border: 1px solid #ccc; padding: .25em .5em; vertical-align: top; text-align: left; }
th { background: #f2f2f2; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
code { white-space: pre-wrap; word-break: break-all; background: #f6f6f6; padding: 0 .2em; }
table.facts th { background: none; font-weight: normal; color: #555; }
.banner { border-left: .5em solid; padding: .6em 1em; margin: 1em 0; }
.banner.go { background: #dff3e3; border-color: #2e7d32; } .banner.nogo { background: #fde2e1; border-color: #c62828; }
.banner .verdict { font-size: 1.5em; font-weight: bold; margin: 0; }
.banner ul { margin: .4em 0 0; padding-left: 1.1em; }
.failed, .differs, .forced { background: #fde2e1; }
tr.failed td, tr.differs td { font-weight: bold; } tr.total td { border-top: 2px solid #888; font-weight: bold; }
.muted { color: #666; }
.signatures { margin-top: 2.5em; break-inside: avoid; page-break-inside: avoid; }
.signatures table.facts { margin-bottom: .5em; }
.signature { display: flex; flex-wrap: wrap; gap: .5em 2em; align-items: flex-end; margin: 2em 0 0; }
.signature b { flex: 0 0 100%; }
.line { display: inline-block; min-width: 12em; border-bottom: 1px solid #222; height: 1.4em; }
@page { size: A4; margin: 15mm; }
""" + PRINT_CSS


_text = text


def _money(rows: list[list]) -> list[list]:
    """The rows with their Decimal roubles as text (``1 234,56``)."""
    return [[roubles_of(value) if isinstance(value, Decimal) else value for value in row] for row in rows]


def _section(title: str, header: list[str], rows: list[list], numeric: set[int], code: set[int] = frozenset(),
             classes: list[str] | None = None) -> list[str]:
    if not rows:
        return [f"<h2>{_text(title)}</h2>", '<p class="muted">None.</p>']
    return [f"<h2>{_text(title)}</h2>", table(header, _money(rows), numeric=numeric, code=code, classes=classes)]


def _heading(data: ProtocolData) -> list[str]:
    lines = [f"<h1>{_text(TITLE)}</h1>", '<table class="facts">']
    for label, value in facts(data):
        shown = f'<td class="forced">{_text(value)}</td>' if label in OVERRIDES else f"<td>{_text(value)}</td>"
        lines.append(f"<tr><th>{_text(label)}</th>{shown}</tr>")
    lines.append("</table>")
    return lines + _banner(data)


def _banner(data: ProtocolData) -> list[str]:
    """The verdict, and under it every failed check with what it found (the cause)."""
    failed = [check for check in data.checklist if not check.passed]
    lines = [f'<section class="banner {"go" if data.passed else "nogo"}">',
             f'<p class="verdict">{_text(verdict(data))}</p>']
    if failed:
        lines.append("<ul>" + "".join(f"<li><b>{_text(check.title)}</b>: {_text(check.detail)}</li>"
                                      for check in failed) + "</ul>")
    return lines + ["</section>"]


def _services(data: ProtocolData) -> list[str]:
    def differs(s) -> bool:
        return s.difference != 0 or (s.declared_closing is not None and s.declared_closing != s.legacy_closing)

    classes = [" ".join(name for name, wanted in (("total", s.code == "total"), ("differs", differs(s))) if wanted)
               for s in data.services]
    header = service_header(data)
    return _section("Control totals per service", header, service_rows(data), numeric=set(range(2, len(header))),
                    classes=classes) + [f'<p class="muted">{_text(DIFFERENCE_NOTE)}</p>']


def _records_and_notes(data: ProtocolData) -> list[str]:
    lines = _section("Records per source", RECORD_HEADER, record_rows(data), numeric={1, 2, 3, 4, 6, 7, 8, 9}) \
        if data.records else []
    if data.unreadable_rows:
        lines += _section(f"Unreadable money accepted ({data.unreadable_rows} rows)", UNREADABLE_HEADER,
                          unreadable_rows(data), numeric={1}, code={2, 5})
    if data.notes:
        lines.append("<ul>" + "".join(f"<li>{_text(note)}</li>" for note in data.notes) + "</ul>")
    return lines


def _signed_facts(data: ProtocolData) -> str:
    """What a signature signs for, on the page of the signatures: the run, the period, the totals."""
    total = data.services[-1] if data.services else None
    lines = [("Run / Запуск", data.run_id), ("System / Система", data.system),
             ("Period closed / Закрытый период", data.period), ("Period opened / Открытый период", data.next_period)]
    if total is not None:
        lines += [("Legacy closing / Сальдо на конец, старая система", roubles(total.legacy_closing)),
                  ("Rejected (accepted) / Отклонено (принято)", roubles(total.rejected_closing)),
                  ("New opening / Сальдо на начало, новая система", roubles(total.new_opening)),
                  ("Difference / Расхождение", roubles(total.difference))]
    lines.append(("Verdict / Заключение", verdict(data)))
    rows = "".join(f"<tr><th>{_text(label)}</th><td>{_text(value)}</td></tr>" for label, value in lines)
    return f'<table class="facts">{rows}</table>'


def _signatures(data: ProtocolData) -> list[str]:
    lines = ['<section class="signatures"><h2>Signatures / Подписи</h2>', _signed_facts(data)]
    for label in data.signatures:
        lines.append(f'<div class="signature"><b>{_text(label)}</b>'
                     '<span>Name / ФИО: <span class="line"></span></span>'
                     '<span>Signature / Подпись: <span class="line"></span></span>'
                     '<span>Date / Дата: <span class="line"></span></span></div>')
    lines.append("</section>")
    return lines


def render_protocol_html(data: ProtocolData) -> str:
    """The whole page as text.

    Parameters
    ----------
    data : ProtocolData
        What the protocol says; money in kopecks, shown in roubles.

    Returns
    -------
    str
        The HTML document; its only time is ``data.made_at``.
    """
    title = f"{TITLE}: {data.system}, {data.period}"
    lines = ["<!DOCTYPE html>", '<html lang="ru"><head><meta charset="utf-8">',
             f"<title>{_text(title)}</title><style>{_CSS}</style></head><body>"]
    lines += _heading(data) + _services(data)
    lines += _section("Counts", COUNT_HEADER, count_rows(data), numeric={1, 2, 3})
    lines += _records_and_notes(data)
    lines += _section("Checklist", CHECK_HEADER, check_rows(data), numeric=set(),
                      classes=["" if check.passed else "failed" for check in data.checklist])
    lines += _section("Accepted rejects", REJECT_HEADER, reject_rows(data), numeric={3})
    lines += _section("Sample accounts", TRACE_HEADER, trace_rows(data), numeric={3, 4, 5}, code={0, 1},
                      classes=["" if trace.passed else "failed" for trace in data.traces])
    lines += _section("Evidence", EVIDENCE_HEADER, evidence_rows(data), numeric={3}, code={2})
    lines += _section("Steps", STEP_HEADER, step_rows(data), numeric={5})
    lines += _signatures(data)
    lines.append("</body></html>")
    return "\n".join(lines) + "\n"


def write_protocol_html(path: Path, data: ProtocolData) -> None:
    """Write :func:`render_protocol_html` of ``data`` to ``path`` (UTF-8), creating its folder if missing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_protocol_html(data), encoding="utf-8")
