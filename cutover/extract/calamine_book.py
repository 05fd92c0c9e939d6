"""Workbooks openpyxl cannot read: ``.xls`` (Excel 97-2003), ``.xlsb`` and ``.ods``, through python-calamine.

python-calamine (Rust) parses the chosen sheet whole when it is opened and keeps its cells in
memory; rows become Python values one at a time as they are read. What it gives, and so what
the excel source gets from these formats (measured with python-calamine 0.9.1):

- text as stored (leading zeros, spaces); numbers as floats (``.xls`` also as ints); cells
  formatted as dates as ``date``, ``datetime`` or ``time``; booleans as ``bool``; formulas as
  their last computed value; empty cells as ``""``. An error cell (``#DIV/0!``, ``#N/A``) also
  arrives as ``""``: calamine hands no error values over.
- the sheet's rows from row 1 down to the last row holding a value (``iter_rows`` starts with
  blank rows for those above the first cell it keeps, so the n-th row it gives is sheet row n),
  and its columns from the leftmost one holding a value: :meth:`CalamineBook.rows` puts the
  blank columns before it back, so every row starts at column A. Cells that are only formatted
  are not kept: rows after the last value are not records, unlike ``.xlsx``.

A corrupt workbook can make the Rust parser panic (a ``PanicException``, which is not an
``Exception``) or abort the whole process (a huge allocation from a broken length field: about
1 in 200 randomly damaged ``.xls`` files of the tests' size did). So the file and its sheet are
first opened in a child interpreter: if that one dies, the run stops with an error naming the
file instead of going down with it. The check costs one more parse of the sheet.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

from cutover.errors import ExtractError

# the suffixes read here, with their article for messages ("an .xls workbook")
SUFFIXES = {".xls": "an .xls", ".xlsb": "an .xlsb", ".ods": "an .ods"}

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # compound file: .xls, and password-protected .xlsx
_ZIP = b"PK\x03\x04"  # .xlsx, .xlsm, .xlsb, .ods

# Run in the child: open the workbook and parse the sheet. Errors Python sees are left to the
# parent, which reports them with the file's name; a panic exits 3 with its message.
_PROBE = """\
import sys
from python_calamine import CalamineWorkbook
try:
    book = CalamineWorkbook.from_path(sys.argv[1])
    if sys.argv[2] in book.sheet_names:
        book.get_sheet_by_name(sys.argv[2])
except Exception:
    pass
except BaseException as exc:
    sys.stderr.write("PANIC: " + str(exc).replace("\\n", " ") + "\\n")
    sys.exit(3)
"""
_probed: dict[tuple[str, str, int, int], str | None] = {}


def handles(path: Path) -> bool:
    """Whether the file is read here (by its suffix, in any case: ``.XLS`` too)."""
    return path.suffix.lower() in SUFFIXES


def _kind(path: Path) -> str:
    return f"{SUFFIXES[path.suffix.lower()]} workbook"


def _what_it_is(path: Path) -> str:
    """A hint from the file's first bytes when they are not what its suffix says, else ''."""
    try:
        with path.open("rb") as file:
            head = file.read(512)
    except OSError:
        return ""
    suffix = path.suffix.lower()
    if not head:
        return "; the file is empty"
    if head.startswith(_ZIP) and suffix == ".xls":
        return "; it is a zip package (an .xlsx, .xlsb or .ods workbook): name it by its format"
    if head.startswith(_OLE2) and suffix != ".xls":
        return "; it is an old binary .xls workbook (or a password-protected one): name it .xls"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return ("; it is text (HTML or XML), not a workbook: a web page or an Excel 2003 XML table saved "
                "with a workbook's name; open it in Excel or LibreOffice and save it as .xlsx")
    return ""


def _crash(path: Path, sheet: str) -> str | None:
    """Why a child interpreter died opening the file and its sheet, or None if it did not."""
    stat = path.stat()
    key = (str(path.resolve()), sheet, stat.st_size, stat.st_mtime_ns)
    if key not in _probed:
        env = {**os.environ, "RUST_BACKTRACE": "0"}
        done = subprocess.run([sys.executable, "-c", _PROBE, str(path), sheet], capture_output=True,
                              text=True, errors="replace", env=env)
        reason = None
        if done.returncode:
            # Rust prints "memory allocation of N bytes failed" or the panic, then a "note:" line
            lines = [line.strip() for line in done.stderr.splitlines()
                     if line.strip() and not line.startswith(("note:", "thread '"))]
            panics = [line[len("PANIC: "):] for line in lines if line.startswith("PANIC: ")]
            if panics:
                reason = f"the parser panicked: {panics[-1]}"
            else:
                died = f"killed by {_signal_name(-done.returncode)}" if done.returncode < 0 else (
                    f"exit code {done.returncode}")
                reason = f"the parser died: {lines[0]}, {died}" if lines else f"the parser died, {died}"
        _probed[key] = reason
    return _probed[key]


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _is_panic(exc: BaseException) -> bool:
    return type(exc).__name__ == "PanicException"


class CalamineBook:
    """A workbook opened with python-calamine; :meth:`select` parses one of its sheets."""

    def __init__(self, path: Path, sheet: str):
        from python_calamine import CalamineError, CalamineWorkbook, PasswordError

        self.path = path
        reason = _crash(path, sheet)
        if reason:
            raise ExtractError(f"{path}: cannot be read as {_kind(path)} ({reason}); is the file corrupt? "
                               f"Open it in Excel or LibreOffice and save it again")
        try:
            self._book = CalamineWorkbook.from_path(path)
        except PasswordError:
            raise ExtractError(f"{path}: the workbook is password-protected; save it without the password") from None
        except (CalamineError, OSError, ValueError) as exc:
            raise ExtractError(f"{path}: cannot be read as {_kind(path)} ({exc}); is the file corrupt or "
                               f"truncated?{_what_it_is(path)}") from None
        except BaseException as exc:
            if not _is_panic(exc):
                raise
            raise ExtractError(f"{path}: cannot be read as {_kind(path)} (the parser panicked: {exc}); "
                               f"is the file corrupt?") from None
        self.sheet_names: list[str] = list(self._book.sheet_names)
        self._sheet: Any = None

    def select(self, sheet: str, where: str) -> None:
        """Parse the sheet (which is one of ``sheet_names``); ``where`` names it in errors."""
        from python_calamine import CalamineError

        try:
            self._sheet = self._book.get_sheet_by_name(sheet)
        except (CalamineError, OSError, ValueError) as exc:
            raise ExtractError(f"{where}: the sheet cannot be read ({exc}); is the file corrupt or truncated?") from None
        except BaseException as exc:
            if not _is_panic(exc):
                raise
            raise ExtractError(f"{where}: the sheet cannot be read (the parser panicked: {exc}); "
                               f"is the file corrupt?") from None
        self._where = where

    def close(self) -> None:
        self._book.close()

    def rows(self, first: int, width: int | None) -> Iterator[tuple[int, list]]:
        """(row number, cell values from column A) from row ``first`` on, ``width`` values each
        when given (padded with None, cut right of it), else as far as the sheet's last column."""
        start, end = self._sheet.start, self._sheet.end
        if start is None:  # no cell at all (and iter_rows would panic on it)
            return
        lead = [None] * start[1]
        number = 0
        for number, values in enumerate(self._sheet.iter_rows(), start=1):
            if number < first:
                continue
            if lead:
                values = lead + values
            if width is not None:
                values = values[:width] if len(values) >= width else values + [None] * (width - len(values))
            yield number, values
        if number != end[0] + 1:  # iter_rows no longer starts at row 1: the row numbers would be wrong
            raise ExtractError(f"{self._where}: python-calamine gave {number} rows where the sheet ends at row "
                               f"{end[0] + 1}; the row numbers cannot be trusted (a python-calamine version "
                               f"this reader does not know?)")
