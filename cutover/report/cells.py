"""Text cells of the CSV files cutover writes, safe to open in a spreadsheet.

A spreadsheet opening a CSV file takes a cell that begins with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return for a formula (CSV injection: ``+1+cmd|'/C calc'!A0`` runs a
program). As OWASP recommends, such a cell is written with a single apostrophe before it
(``'+1+cmd|'/C calc'!A0``), which a spreadsheet shows as text; every other cell is written
exactly as it is (``00123`` stays ``00123``). A number below zero (``-5``) gets the apostrophe
too: the rule cannot tell a negative number from a formula, and cutover's CSV files hold keys
and account numbers, which are text. A cell that begins with an apostrophe itself gets one
more (``'x`` is written ``''x``), so the change is undone exactly: a program reading the file
removes one leading apostrophe wherever a cell begins with one.

A cell is quoted when it holds the delimiter, a quote or a line break, as the csv module does,
and also when it holds ``;``: Russian Excel splits a CSV file on ``;`` (its list separator), so
an unquoted ``12;=1+1`` would open as a cell ``=1+1``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NEUTRALISER = "'"
_ESCAPED_STARTS = (*FORMULA_STARTS, NEUTRALISER)  # the apostrophe too: a reader can always remove one
_QUOTED_IF_HELD = re.compile('[,;"\r\n]')


def neutral(text: str) -> str:
    """``text`` as a CSV cell a spreadsheet reads as text: with ``'`` before it if it begins
    with one of :data:`FORMULA_STARTS` or with ``'``, else as it is."""
    return NEUTRALISER + text if text.startswith(_ESCAPED_STARTS) else text


def _cell(value: str | None) -> str:
    text = neutral("" if value is None else str(value))
    return '"' + text.replace('"', '""') + '"' if _QUOTED_IF_HELD.search(text) else text


def csv_lines(rows: Iterable[Sequence[str | None]], delimiter: str = ",") -> str:
    """The rows as lines of cells separated by ``delimiter`` (``\\n`` after each), every cell
    :func:`neutral` and quoted where it must be (a None is written as an empty cell)."""
    return "".join(delimiter.join(_cell(value) for value in row) + "\n" for row in rows)
