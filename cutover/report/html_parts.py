"""What the HTML pages (report.html, profile.html, protocol.html) share: escaping, numbers as
Russian accountants read them, tables whose headers print with their rows, the print styles.

Numbers are grouped by a no-break space (U+00A0), so ``1 234 567,89`` never breaks across two
lines of a narrow column or a printed page; money has a decimal comma. Every value put in a
page passes through :func:`text` (legacy data may hold ``<script>``), except :class:`Markup`.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape

import pandas as pd

from cutover.money import kopecks_to_roubles_text

NBSP = "\u00a0"

# Print: a table's header row repeats on every page it spans, a row never splits across two.
PRINT_CSS = """
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
h2, h3 { break-after: avoid; page-break-after: avoid; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  th { position: static; }
  details > * { display: block; }
}
"""


class Markup(str):
    """HTML of our own making (a link), put in a page as it is; every other value is escaped."""


def number(count: int) -> str:
    """12345 -> '12 345' (grouped by a no-break space)."""
    return f"{count:,}".replace(",", NBSP)


def roubles(kopecks: int) -> str:
    """123456789 -> '1 234 567,89' (grouped by a no-break space)."""
    return kopecks_to_roubles_text(kopecks).replace(" ", NBSP)


def roubles_of(amount: Decimal) -> str:
    """Decimal('1234567.89') -> '1 234 567,89'."""
    return roubles(int(amount.scaleb(2)))


def percent(share: float, language: str = "en") -> str:
    """0.0277 -> '2.77%' (``en``) or '2,77%' (``ru``); a whole percent without decimals ('5%')."""
    shown = f"{share:.0%}" if round(share * 100, 2) == round(share * 100) else f"{share:.2%}"
    return shown.replace(".", ",") if language == "ru" else shown


def text(value) -> str:
    """A value as page text: escaped, a count grouped, ``None`` and NaN blank."""
    if isinstance(value, Markup):
        return value
    if isinstance(value, float) and value.is_integer():  # a row number read from a column with blanks
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return number(value)
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else escape(str(value))


def table(header: list[str], rows: list[list], numeric: set[int] = frozenset(), code: set[int] = frozenset(),
          classes: list[str] | None = None) -> str:
    """An HTML table with its header in ``<thead>`` (repeated on every printed page).

    Columns in ``numeric`` are right-aligned, in ``code`` shown with their spaces kept (legacy
    values); integers are grouped (``12 345``), text is shown as it is.
    """
    head = "".join(f"<th>{text(name)}</th>" for name in header)
    lines = [f"<table><thead><tr>{head}</tr></thead><tbody>"]
    for position, values in enumerate(rows):
        cells = []
        for column, value in enumerate(values):
            shown = text(value)
            if column in code and shown:
                shown = f"<code>{shown}</code>"
            cells.append(f'<td class="n">{shown}</td>' if column in numeric else f"<td>{shown}</td>")
        row_class = f' class="{classes[position]}"' if classes and classes[position] else ""
        lines.append(f"<tr{row_class}>{''.join(cells)}</tr>")
    lines.append("</tbody></table>")
    return "\n".join(lines)
