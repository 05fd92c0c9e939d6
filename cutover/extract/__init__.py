"""Extractors, one module per kind of source, chosen through a registry.

Every extractor yields the source's rows as frames of text: a first column ``_row`` (where a
person finds the row: the spreadsheet row of a text file or sheet, the record number of a
DBF file, the position in a query's result) and then one ``str`` column per source column,
blank values as empty strings. Numbers and dates arrive as exact text, never as floats;
converting them is the mapping's job. Problems with the source as a whole raise
``ExtractError`` naming the file or table, the row and what was expected.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pandas as pd

from cutover.errors import ExtractError

Options = dict  # the source's table in system.toml, less ``format``


@dataclass(frozen=True)
class Extractor:
    """One kind of source and the functions that read it."""

    format: str
    options: dict[str, type | tuple[type, ...]]  # every option a source may hold, with its type
    required: tuple[tuple[str, ...], ...]  # for each group, exactly one of these options is needed
    read: Callable[[Options, Path, set[str], int], Iterator[pd.DataFrame]]  # options, source dir, columns, chunk
    header: Callable[[Options, Path], list[str]]  # the source's column names
    describe: Callable[[Options, Path], str]  # what rejects and reports call it: "LIC.DBF", "table abonent"
    details: Callable[[Options, Path], dict] | None = None  # how it was read, for reports (a detected encoding)


REGISTRY: dict[str, Extractor] = {}


def register(extractor: Extractor) -> Extractor:
    """Add an extractor to the registry (each extractor module calls this once)."""
    REGISTRY[extractor.format] = extractor
    return extractor


def require_columns(where: str, header: list[str], needed: set[str], hint: str = "") -> None:
    """Raise ExtractError naming the source when a column the mapping needs is not there."""
    missing = sorted(needed - set(header))
    if missing:
        raise ExtractError(f"{where}: no column(s) {missing}; it has {header}{hint}")


def file_path(options: Options, source_dir: Path) -> Path:
    """The source file of a file-based source; ExtractError when it is not there."""
    path = source_dir / options["file"]
    if not path.is_file():
        raise ExtractError(f"{path}: file not found")
    return path


def file_sha256(path: Path) -> str:
    """Fingerprint of a source file, so every report can name exactly what it read."""
    digest = hashlib.sha256()
    with path.open("rb") as raw:
        for block in iter(lambda: raw.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def chunks(numbered: Iterable[tuple[int, list[str]]], columns: list[str], chunk_rows: int) -> Iterator[pd.DataFrame]:
    """Gather (row number, values) records into text frames of at most ``chunk_rows`` rows."""
    records, rows = [], []
    for number, record in numbered:
        records.append(record)
        rows.append(number)
        if len(records) >= chunk_rows:
            yield text_frame(records, rows, columns)
            records, rows = [], []
    if records:
        yield text_frame(records, rows, columns)


def text_frame(records: list[list[str]], rows: list[int], columns: list[str]) -> pd.DataFrame:
    """A chunk as every extractor yields it: ``_row`` then text columns."""
    frame = pd.DataFrame(records, columns=columns, dtype="str")
    frame.insert(0, "_row", pd.Series(rows, dtype="int64"))
    return frame


# Each module registers itself; importing them here fills the registry.
from cutover.extract import delimited  # noqa: E402,F401
from cutover.extract import excel  # noqa: E402,F401
from cutover.extract import sql  # noqa: E402,F401
from cutover.extract import dbf  # noqa: E402,F401
