"""The old-to-new account map, for payment agents who keep paying to legacy account numbers.

``cutover keymap export --format csv|xlsx`` writes every account the target holds: its legacy
account number and its new one, ordered by the legacy number, as :mod:`cutover.target.account_map`
reads them in chunks of rows, so a million accounts take no more memory than a thousand. Every cell
is written as text a spreadsheet cannot take for a formula (:mod:`cutover.report.cells`): ``-2+3`` is written ``'-2+3``.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from openpyxl import Workbook

from cutover.errors import ConfigError
from cutover.report.cells import csv_lines
from cutover.report.sheets import BOLD, cells
from cutover.target.account_map import account_count, account_pairs

FORMATS = ("csv", "xlsx")
HEADER = ["legacy_account_number", "account_number"]
TITLES = ["Old account number / Старый лицевой счёт", "New account number / Новый лицевой счёт"]


def _write_csv(path: Path, chunks) -> int:
    written = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(",".join(HEADER) + "\n")
        for rows in chunks:
            out.write(csv_lines(rows))
            written += len(rows)
    return written


def _write_xlsx(path: Path, chunks) -> int:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Account map")
    sheet.freeze_panes = "A2"
    sheet.column_dimensions["A"].width = sheet.column_dimensions["B"].width = 42
    sheet.append(cells(sheet, TITLES, BOLD))
    written = 0
    for rows in chunks:
        for row in rows:
            sheet.append(cells(sheet, list(row)))  # account numbers stay text ("00123" keeps its zeros)
        written += len(rows)
    workbook.save(path)
    return written


def export_keymap(engine: sa.Engine, path: Path, file_format: str) -> int:
    """Write the account map to ``path``; the accounts written.

    Raises
    ------
    ConfigError
        An unknown format, or a target that holds no accounts yet (exit code 2).
    """
    if file_format not in FORMATS:
        raise ConfigError(f"--format {file_format!r}: expected one of {', '.join(FORMATS)}")
    with engine.connect() as connection:
        if not account_count(connection):
            raise ConfigError("the target holds no accounts yet: the account map comes after a load "
                              "(`cutover dry-run` or `cutover month-end`)")
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".part")
        written = (_write_csv if file_format == "csv" else _write_xlsx)(partial, account_pairs(connection))
    partial.replace(path)  # never a half-written map under the published name
    return written
