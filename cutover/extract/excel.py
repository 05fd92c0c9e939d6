"""Excel workbooks: one sheet per source, every value as text.

``.xlsx`` (and ``.xlsm``, ``.xltx``, ``.xltm``) are streamed row by row with openpyxl; ``.xls``,
``.xlsb`` and ``.ods`` are read with python-calamine (``calamine_book``), which parses the sheet
whole. The format is told by the file's suffix. Both give the same text for the same cells; the
differences (error cells, trailing formatted rows, memory) are in ``calamine_book``'s docstring.

Workbooks exported from portals such as GIS ЖКХ carry a title row, a header merged over two
or three rows ("Показания" above "T1", "T2", "T3") and then the data. The reader names each
column by its header rows joined with " / " ("Показания / T1"), and turns every cell into the
exact text a person sees in the cell: whole numbers without ".0", floats in their shortest
round-trip form (never through float arithmetic), date cells as ISO dates. An Excel serial
date that is not formatted as a date stays a number; the mapping's ``excel_date`` converts it.
A merged cell holds its text in its first cell, the others are blank, in every format: the
header is filled from the blank cells (``header_names``), not from the merged ranges.

An .xlsx workbook is opened in openpyxl's read-only mode, which parses the sheet's XML as it
goes: memory is bounded by the chunk size, not by the sheet.

The records of a sheet are the rows the reader gives from ``data_row`` on; those whose cells
under the named columns are all blank are skipped and counted as blank, with their sheet row
numbers. Which rows openpyxl gives depends on the sheet's XML, which holds a ``<row>`` element
only for rows with a cell or a format (measured with openpyxl 3.1.5, read-only ``iter_rows``):

- a row missing between present rows (an empty row Excel never touched) is still given, as
  blank values (an empty tuple without ``max_col``, ``None`` for each column with it, as read
  here), so it is a blank record and the rows after it keep their numbers;
- trailing rows are given as far as the last ``<row>`` element: one whose cells are only
  formatted, hold an empty string or that has no cells at all (a row with only a height)
  counts as a blank record; below the last ``<row>`` the sheet simply ends, so those rows are
  not records. The ``<dimension>`` a writer records plays no part: it is reset, see
  ``_OpenpyxlBook.select``.

python-calamine gives every row from the first down to the last one holding a value: rows
that are only formatted are not kept, so below the last value the sheet ends.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence
from xml.etree.ElementTree import ParseError

import pandas as pd

from cutover.errors import ExtractError
from cutover.extract import (
    Extractor,
    Options,
    RecordTally,
    calamine_book,
    chunks,
    file_path,
    register,
    require_columns,
)

OPTIONS = {"file": str, "sheet": str, "header_row": int, "header_rows": int, "data_row": int}
HEADER_JOIN = " / "
_SPACES = re.compile(r"\s+")


def cell_text(value: Any) -> str:
    """The exact text of a cell value as openpyxl gives it.

    Examples
    --------
    >>> [cell_text(v) for v in (123, 123.0, 1234.56, 0.1, True, None, "007")]
    ['123', '123', '1234.56', '0.1', '1', '', '007']
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):  # before int: a bool is an int
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        # repr is the shortest text that reads back as the same float; Decimal only lays it
        # out without an exponent (1e-07 -> 0.0000001), no arithmetic is done on the float.
        return format(Decimal(repr(value)), "f")
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):  # a duration cell ([h]:mm:ss)
        seconds = int(value.total_seconds())
        return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    return str(value)


def _header_part(value: Any) -> str:
    # Header cells often hold line breaks ("Номер\nлицевого счёта"); a mapping names them
    # with single spaces.
    return _SPACES.sub(" ", cell_text(value)).strip()


def column_letter(index: int) -> str:
    """Spreadsheet letter of a 0-based column index: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def header_names(rows: list[list[str]]) -> list[str]:
    """Column names from one or more header rows, top to bottom.

    A merged header cell holds its text in its first cell only; the cells it spans are blank.
    So every row but the last is filled rightwards into blank cells, as long as the rows above
    do not start a new group there, and the non-blank parts of each column are joined with
    " / ". Columns right of the last named one are dropped; a column without any header part
    is named by its letter ("(F)"), and names occurring twice get their letters too
    ("Примечание (E)", "Примечание (G)"), so every column has one name.

    Examples
    --------
    >>> header_names([["ЛС", "Показания", "", ""], ["", "T1", "T2", "T3"]])
    ['ЛС', 'Показания / T1', 'Показания / T2', 'Показания / T3']
    """
    width = max((i + 1 for row in rows for i, part in enumerate(row) if part), default=0)
    grid = [list(row[:width]) + [""] * (width - len(row[:width])) for row in rows]
    filled = [list(row) for row in grid]
    for level in range(len(grid) - 1):
        for column in range(1, width):
            starts_group = any(grid[upper][column] for upper in range(level))
            if not grid[level][column] and not starts_group:
                filled[level][column] = filled[level][column - 1]
    names = [HEADER_JOIN.join(part for part in (row[c] for row in filled) if part) for c in range(width)]
    counts: dict[str, int] = {}
    for name in names:
        counts[name] = counts.get(name, 0) + 1
    return [f"{name} ({column_letter(c)})".strip() if not name or counts[name] > 1 else name
            for c, name in enumerate(names)]


class _OpenpyxlBook:
    """An .xlsx (.xlsm, .xltx, .xltm) workbook opened with openpyxl in read-only mode."""

    def __init__(self, path: Path):
        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException

        try:
            with warnings.catch_warnings():
                # openpyxl warns about parts it does not keep (data validation, default
                # styles); they do not change any cell value.
                warnings.simplefilter("ignore", UserWarning)
                self.workbook = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError, ParseError,
                EOFError) as exc:
            raise ExtractError(f"{path}: cannot be read as an .xlsx workbook ({exc}); is the file "
                               f"corrupt or truncated, or an old .xls? Save it as .xlsx, or name it .xls") from None
        self.sheet_names = self.workbook.sheetnames

    def select(self, sheet: str, where: str) -> None:
        self.where = where
        self.worksheet = self.workbook[sheet]
        # Some writers leave a wrong <dimension>; read every row there is instead of trusting it.
        self.worksheet.reset_dimensions()

    def close(self) -> None:
        self.workbook.close()

    def rows(self, first: int, width: int | None) -> Iterator[tuple[int, tuple]]:
        try:
            for number, values in enumerate(self.worksheet.iter_rows(min_row=first, max_col=width,
                                                                     values_only=True), start=first):
                yield number, values
        except (zipfile.BadZipFile, ParseError, EOFError, KeyError, ValueError, OSError) as exc:
            raise ExtractError(f"{self.where}: the sheet cannot be read ({exc}); is the file corrupt "
                               f"or truncated?") from None


class _Sheet:
    """One sheet of a workbook (read-only); closes the workbook on exit."""

    def __init__(self, options: Options, source_dir: Path):
        self.path = file_path(options, source_dir)
        self.sheet = options["sheet"]
        self.where = f"{self.path}:{self.sheet}"
        self.header_row = options.get("header_row", 1)
        self.header_rows = options.get("header_rows", 1)
        self.data_row = options.get("data_row", self.header_row + self.header_rows)
        self._check_layout()
        self.book = None

    def _check_layout(self) -> None:
        if self.header_row < 1 or self.header_rows < 1:
            raise ExtractError(f"{self.where}: header_row and header_rows must be 1 or more, "
                               f"got {self.header_row} and {self.header_rows}")
        if self.data_row < self.header_row + self.header_rows:
            raise ExtractError(f"{self.where}: data_row {self.data_row} is inside the header "
                               f"(rows {self.header_row}-{self.header_row + self.header_rows - 1})")

    def __enter__(self) -> "_Sheet":
        if calamine_book.handles(self.path):
            self.book = calamine_book.CalamineBook(self.path, self.sheet)
        else:
            self.book = _OpenpyxlBook(self.path)
        if self.sheet not in self.book.sheet_names:
            names = self.book.sheet_names
            self.book.close()
            raise ExtractError(f"{self.path}: no sheet {self.sheet!r}; the workbook has sheets {names}")
        try:
            self.book.select(self.sheet, self.where)
        except BaseException:
            self.book.close()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.book.close()

    def rows(self, first: int, width: int | None) -> Iterator[tuple[int, Sequence[Any]]]:
        """(row number, cell values) from row ``first`` on, ``width`` values each when given;
        ExtractError on a corrupt sheet."""
        return self.book.rows(first, width)

    def columns(self) -> list[str]:
        """The column names from the header rows."""
        last = self.header_row + self.header_rows - 1
        rows = []
        for number, values in self.rows(self.header_row, None):
            if number > last:
                break
            rows.append([_header_part(value) for value in values])
        names = header_names(rows)
        if not names:
            rows_text = f"row {self.header_row}" if self.header_rows == 1 else f"rows {self.header_row}-{last}"
            raise ExtractError(f"{self.where}: {rows_text} hold no column names (expected the header); "
                               f"check header_row and header_rows in system.toml")
        return names


def header(options: Options, source_dir: Path) -> list[str]:
    """The column names of the sheet's header rows."""
    with _Sheet(options, source_dir) as sheet:
        return sheet.columns()


def _data_rows(sheet: _Sheet, width: int, tally: RecordTally) -> Iterable[tuple[int, list[str]]]:
    """(row number, cell texts) of every row that is not blank, counting each row in ``tally``."""
    for number, values in sheet.rows(sheet.data_row, width):
        record = [cell_text(value) for value in values]
        if any(text.strip() for text in record):
            tally.add_read()
            yield number, record
        else:
            tally.add_blank(number)


def read_excel(options: Options, source_dir: Path, needed: set[str], chunk_rows: int, *,
               tally: RecordTally | None = None) -> Iterator[pd.DataFrame]:
    """Yield the sheet's data rows as text frames of at most ``chunk_rows`` rows.

    ``_row`` is the sheet's row number. Rows whose cells are all blank are skipped; cells right
    of the last named column are not read (a row holding text only there is blank).

    Parameters
    ----------
    tally
        When given, counts every row from ``data_row`` on as it is read (see the module's
        docstring for which rows a sheet has): rows yielded, blank ones with their numbers.

    Raises
    ------
    ExtractError
        A missing file or sheet, a file that is not a workbook of its suffix's format or is
        corrupt (python-calamine crashing on it too), a header without names, a column the
        mapping needs that is not in the header.
    """
    with _Sheet(options, source_dir) as sheet:
        columns = sheet.columns()
        require_columns(sheet.where, columns, needed, "; check header_row and header_rows in system.toml")
        yield from chunks(_data_rows(sheet, len(columns), tally if tally is not None else RecordTally()),
                          columns, chunk_rows)


EXTRACTOR = register(Extractor(
    format="excel",
    options=OPTIONS,
    required=(("file",), ("sheet",)),
    read=read_excel,
    header=header,
    describe=lambda options, source_dir: f"{options['file']}:{options['sheet']}",
))
