"""Delimited text sources (CSV and the like), read in chunks as text.

Every value arrives as text exactly as written; converting it is the mapping's job.
Each row carries ``_row``: its row number in the file, counting the header as row 1
(what a spreadsheet shows when the file is opened in one).
"""

from __future__ import annotations

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


def _header(path: Path, encoding: str, separator: str, skip_rows: int) -> list[str]:
    try:
        with path.open("r", encoding=encoding, newline="") as text:
            for _ in range(skip_rows):
                text.readline()
            line = text.readline().rstrip("\r\n")
    except UnicodeDecodeError:
        line_number, byte = _first_undecodable_line(path, encoding)
        raise ExtractError(
            f"{path}: line {line_number}: byte 0x{byte} cannot be read as {encoding}; "
            f"is the file in another encoding? Set encoding in the mapping's system.toml"
        ) from None
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


def read_delimited(path: Path, options: dict, needed: set[str], chunk_rows: int) -> Iterator[pd.DataFrame]:
    """Yield the file's rows as text frames of at most ``chunk_rows`` rows.

    Rows whose fields are all blank (trailing ``;;;;`` lines) are skipped.

    Raises
    ------
    ExtractError
        A missing file, an undecodable byte, a missing column, a row with more or fewer
        fields than the header: naming the file and the row.
    """
    encoding = options.get("encoding", "utf-8")
    separator = options.get("separator", ";")
    skip_rows = options.get("skip_rows", 0)
    if not path.is_file():
        raise ExtractError(f"{path}: file not found")
    header = _header(path, encoding, separator, skip_rows)
    check_columns(path, header, needed, separator)
    reader = pd.read_csv(
        path, sep=separator, encoding=encoding, dtype="str", keep_default_na=False,
        na_filter=False, skiprows=skip_rows, comment=options.get("comment"),
        quotechar=options.get("quote", '"'), chunksize=chunk_rows, engine="c",
        skip_blank_lines=True,
    )
    first_row = skip_rows + 2
    try:
        for chunk in reader:
            chunk.columns = [str(c).strip().lstrip("\ufeff") for c in chunk.columns]
            chunk.insert(0, "_row", range(first_row, first_row + len(chunk)))
            first_row += len(chunk)
            short = chunk[header].isna().any(axis=1)
            if short.any():
                row = int(chunk.loc[short, "_row"].iloc[0])
                raise ExtractError(f"{path}: row {row} has fewer fields than the header's {len(header)}; is the file truncated?")
            blank = (chunk[header].apply(lambda col: col.str.strip()) == "").all(axis=1)
            yield chunk.loc[~blank].reset_index(drop=True)
    except UnicodeDecodeError:
        line_number, byte = _first_undecodable_line(path, encoding)
        raise ExtractError(
            f"{path}: line {line_number}: byte 0x{byte} cannot be read as {encoding}; "
            f"is the file in another encoding? Set encoding in the mapping's system.toml"
        ) from None
    except pd.errors.ParserError as exc:
        raise ExtractError(f"{path}: {exc}".replace("Error tokenizing data. C error: ", "")) from None
