"""The old-to-new account map, for payment agents who keep paying to legacy account numbers.

``cutover keymap export --format xlsx|csv`` writes every account the target holds: its legacy
account number and its new one, ordered by the legacy number, as :mod:`cutover.target.account_map`
reads them in chunks of rows, so a million accounts take no more memory than a thousand. Every cell
is written as text a spreadsheet cannot take for a formula (:mod:`cutover.report.cells`): ``-2+3`` is written ``'-2+3``.

keymap.xlsx (the default) holds every number as a text cell, so ``02-001612`` and ``00123`` keep their
zeros in Excel. keymap.csv is for the payment agents' programs and for Russian Excel: cells separated
by ``;`` (Russian Excel's list separator), UTF-8 with a BOM (without it Excel reads the file as
cp1251). A number stays as it is in the file (``00123``), but Excel opening a CSV by a double click
reads digits as a number and drops the zeros: give an agent who opens it in Excel the .xlsx.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from openpyxl import Workbook

from cutover.errors import ConfigError
from cutover.report.cells import csv_lines
from cutover.report.sheets import BOLD, cells, print_setup
from cutover.target.account_map import account_pairs, require_accounts

FORMATS = ("xlsx", "csv")  # the first is the default
CSV_DELIMITER = ";"
BOM = "\ufeff"
HEADER = ["legacy_account_number", "account_number"]
TITLES = ["Old account number / Старый лицевой счёт", "New account number / Новый лицевой счёт"]


def _write_csv(path: Path, chunks) -> int:
    written = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(BOM + CSV_DELIMITER.join(HEADER) + "\n")
        for rows in chunks:
            out.write(csv_lines(rows, CSV_DELIMITER))
            written += len(rows)
    return written


def _write_xlsx(path: Path, chunks) -> int:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Account map")
    sheet.freeze_panes = "A2"
    print_setup(sheet)
    sheet.column_dimensions["A"].width = sheet.column_dimensions["B"].width = 42
    sheet.append(cells(sheet, TITLES, BOLD))
    written = 0
    for rows in chunks:
        for row in rows:
            sheet.append(cells(sheet, list(row)))  # account numbers stay text ("00123" keeps its zeros)
        written += len(rows)
    sheet.auto_filter.ref = f"A1:B{written + 1}"
    workbook.save(path)
    return written


def keymap_format(path: Path | None, file_format: str | None = None) -> str:
    """The format asked for; else the one ``path`` ends with (``.csv``); else xlsx, the default."""
    if file_format is not None:
        return file_format
    return "csv" if path is not None and path.suffix.lower() == ".csv" else FORMATS[0]


def export_keymap(engine: sa.Engine, path: Path, file_format: str | None = None) -> int:
    """Write the account map to ``path`` (in ``file_format``, else as :func:`keymap_format` tells
    from the path); the accounts written.

    Raises
    ------
    ConfigError
        An unknown format, or a target that holds no accounts yet (exit code 2).
    """
    file_format = keymap_format(path, file_format)
    if file_format not in FORMATS:
        raise ConfigError(f"--format {file_format!r}: expected one of {', '.join(FORMATS)}")
    with engine.connect() as connection:
        require_accounts(connection)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".part")
        written = (_write_csv if file_format == "csv" else _write_xlsx)(partial, account_pairs(connection))
    partial.replace(path)  # never a half-written map under the published name
    return written
