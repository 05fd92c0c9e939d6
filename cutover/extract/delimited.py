"""Delimited text sources (CSV and the like), read in chunks as text.

Every value arrives as text exactly as written; converting it is the mapping's job.
Each row carries ``_row``: its row number in the file, counting the header as row 1
(what a spreadsheet shows when the file is opened in one).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Iterator

import pandas as pd

from cutover.errors import ExtractError

OPTIONS = {"encoding": str, "separator": str, "skip_rows": int, "comment": str, "quote": str}
_OTHER_SEPARATORS = (";", "|", "\t", ",")


def _first_undecodable_line(path: Path, encoding: str) -> tuple[int, str]:
    with path.open("rb") as raw:
        for number, line in enumerate(raw, start=1):
            try:
                line.decode(encoding)
            except UnicodeDecodeError as exc:
                return number, line[exc.start:exc.start + 1].hex()
    return 0, ""


def _encoding_error(path: Path, encoding: str) -> ExtractError:
    line_number, byte = _first_undecodable_line(path, encoding)
    return ExtractError(
        f"{path}: line {line_number}: byte 0x{byte} cannot be read as {encoding}; "
        f"is the file in another encoding? Set encoding in the mapping's system.toml"
    )


def _header(path: Path, encoding: str, separator: str, skip_rows: int) -> list[str]:
    try:
        with path.open("r", encoding=encoding, newline="") as text:
            for _ in range(skip_rows):
                text.readline()
            line = text.readline().rstrip("\r\n")
    except UnicodeDecodeError:
        raise _encoding_error(path, encoding) from None
    if not line:
        raise ExtractError(f"{path}: the file is empty (expected a header row)")
    return [name.strip() for name in line.lstrip("\ufeff").split(separator)]


def check_columns(path: Path, header: list[str], needed: set[str], separator: str) -> None:
    """Raise ExtractError naming the file when a column the mapping needs is not in the header."""
    missing = sorted(needed - set(header))
    if not missing:
        return
    hint = ""
    if len(header) == 1:
        found = [s for s in _OTHER_SEPARATORS if s != separator and s in header[0]]
        if found:
            hint = f"; the header looks separated by {found[0]!r}, not {separator!r}: check separator in system.toml"
    raise ExtractError(f"{path}: no column(s) {missing}; the header has {header}{hint}")


def _frame(records: list[list[str]], rows: list[int], header: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(records, columns=header, dtype="str")
    frame.insert(0, "_row", pd.Series(rows, dtype="int64"))
    return frame


def _records(path: Path, text, header: list[str], first_row: int, comment: str | None,
             separator: str, quote: str) -> Iterator[tuple[int, list[str]]]:
    """(row number, fields) of every data record; checks the field count of each."""
    reader = csv.reader(text, delimiter=separator, quotechar=quote, strict=True)
    row = first_row - 1
    try:
        for record in reader:
            row += 1
            if not record or (comment and record[0].startswith(comment)):
                continue
            if len(record) != len(header):
                if not any(field.strip() for field in record):
                    continue
                fewer = "fewer" if len(record) < len(header) else "more"
                hint = "; is the file truncated?" if fewer == "fewer" else "; is a separator inside an unquoted value?"
                fields = f"{len(record)} field" + ("s" if len(record) != 1 else "")
                raise ExtractError(f"{path}: row {row} has {fields}, {fewer} than the header's {len(header)}{hint}")
            yield row, record
    except csv.Error as exc:
        raise ExtractError(f"{path}: row {row}: {exc}; is the file truncated or a quote left open?") from None


def read_delimited(path: Path, options: dict, needed: set[str], chunk_rows: int) -> Iterator[pd.DataFrame]:
    """Yield the file's rows as text frames of at most ``chunk_rows`` rows.

    Rows whose fields are all blank (trailing ``;;;;`` lines) are skipped.

    Raises
    ------
    ExtractError
        A missing file, an undecodable byte, a missing column, a row with more or fewer
        fields than the header, an unterminated quote: naming the file and the row.
    """
    encoding = options.get("encoding", "utf-8")
    separator = options.get("separator", ";")
    skip_rows = options.get("skip_rows", 0)
    if not path.is_file():
        raise ExtractError(f"{path}: file not found")
    header = _header(path, encoding, separator, skip_rows)
    check_columns(path, header, needed, separator)
    try:
        with path.open("r", encoding=encoding, newline="") as text:
            for _ in range(skip_rows + 1):
                text.readline()
            records, rows = [], []
            for row, record in _records(path, text, header, skip_rows + 2, options.get("comment"),
                                        separator, options.get("quote", '"')):
                if not any(field.strip() for field in record):
                    continue
                records.append(record)
                rows.append(row)
                if len(records) >= chunk_rows:
                    yield _frame(records, rows, header)
                    records, rows = [], []
            if records:
                yield _frame(records, rows, header)
    except UnicodeDecodeError:
        raise _encoding_error(path, encoding) from None
