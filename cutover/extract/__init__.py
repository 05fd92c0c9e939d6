"""Extractors, one module per kind of source, chosen through a registry.

Every extractor yields the source's rows as frames of text: a first column ``_row`` (where a
person finds the row: the spreadsheet row of a text file or sheet, the record number of a
DBF file, the position in a query's result) and then one ``str`` column per source column,
blank values as empty strings. Numbers and dates arrive as exact text, never as floats;
converting them is the mapping's job. Problems with the source as a whole raise
``ExtractError`` naming the file or table, the row and what was expected.

Rows an extractor does not yield are still accounted for: given a ``RecordTally``, it counts
every physical record of the source and says which were blank, deleted or comments, so a
report can say "saldo.csv: 10,721 records: 10,719 read, 2 blank (rows 57, 10723)".
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Protocol

import pandas as pd

from cutover.errors import ExtractError
from cutover.folders import confined
from cutover.hints import did_you_mean

Options = dict  # the source's table in system.toml, less ``format``
ROW_NUMBERS_KEPT = 1000  # row numbers a tally keeps of each kind; its counts stay exact


@dataclass
class RecordTally:
    """Every physical record of a source, from the first data row on, and what became of it.

    An extractor fills it as it reads: ``records`` counts every record, blank, deleted and
    comment ones included, so ``records == read + blank + deleted + comments`` holds at every
    moment, and once the extractor's generator is exhausted ``read`` is the number of rows it
    yielded. ``blank_rows`` and ``deleted_rows`` name the rows as ``_row`` would, and keep only
    the first ``ROW_NUMBERS_KEPT`` of each: a file of a million ``;;;;`` lines must not make a
    summary of a million numbers. An extractor that raises ``ExtractError`` leaves the records
    before the failing one counted.

    Examples
    --------
    >>> tally = RecordTally()
    >>> tally.add_read(2); tally.add_blank(57); tally.add_comment()
    >>> tally.to_dict()
    {'records': 4, 'read': 2, 'blank': 1, 'blank_rows': [57], 'deleted': 0, 'deleted_rows': [], 'comments': 1}
    """

    records: int = 0
    blank: int = 0
    deleted: int = 0
    comments: int = 0
    blank_rows: list[int] = field(default_factory=list)
    deleted_rows: list[int] = field(default_factory=list)

    @property
    def read(self) -> int:
        """The records the extractor yields as rows."""
        return self.records - self.blank - self.deleted - self.comments

    def add_read(self, count: int = 1) -> None:
        """Count ``count`` records yielded as rows (a SQL chunk adds a whole partition)."""
        self.records += count

    def add_blank(self, row: int) -> None:
        """Count a record whose fields are all blank, skipped at row ``row``."""
        self.records += 1
        self.blank += 1
        if len(self.blank_rows) < ROW_NUMBERS_KEPT:
            self.blank_rows.append(row)

    def add_deleted(self, row: int) -> None:
        """Count a record marked deleted (a DBF ``*``), skipped at row ``row``."""
        self.records += 1
        self.deleted += 1
        if len(self.deleted_rows) < ROW_NUMBERS_KEPT:
            self.deleted_rows.append(row)

    def add_comment(self) -> None:
        """Count a comment line of a text file, skipped."""
        self.records += 1
        self.comments += 1

    def to_dict(self) -> dict:
        """The tally as plain JSON-ready data (``read`` included, for people reading summary.json)."""
        return {"records": self.records, "read": self.read, "blank": self.blank, "blank_rows": list(self.blank_rows),
                "deleted": self.deleted, "deleted_rows": list(self.deleted_rows), "comments": self.comments}

    @classmethod
    def from_dict(cls, recorded: dict) -> RecordTally | None:
        """The tally ``to_dict`` gave, read back from ``recorded`` (other keys in it are ignored).

        Parameters
        ----------
        recorded
            ``to_dict()``'s data, usually merged into a source's entry of a run's summary.json.

        Returns
        -------
        RecordTally or None
            None when ``recorded`` lacks any of the tally's keys (a summary.json written before
            sources were tallied): the counts are unknown, and a tally of zeros would claim that
            no record was blank or deleted. ``read`` is not read back; it follows from the others.
        """
        keys = ("records", "blank", "deleted", "comments", "blank_rows", "deleted_rows")
        if not all(key in recorded for key in keys):
            return None
        return cls(records=int(recorded["records"]), blank=int(recorded["blank"]), deleted=int(recorded["deleted"]),
                   comments=int(recorded["comments"]), blank_rows=[int(row) for row in recorded["blank_rows"]],
                   deleted_rows=[int(row) for row in recorded["deleted_rows"]])


class ReadSource(Protocol):
    """How every extractor's ``read`` is called."""

    def __call__(self, options: Options, source_dir: Path, needed: set[str], chunk_rows: int, *,
                 tally: RecordTally | None = None) -> Iterator[pd.DataFrame]:
        """Yield the source's rows as text frames of at most ``chunk_rows`` rows, counting its
        records in ``tally`` when one is given."""


@dataclass(frozen=True)
class Extractor:
    """One kind of source and the functions that read it."""

    format: str
    options: dict[str, type | tuple[type, ...]]  # every option a source may hold, with its type
    required: tuple[tuple[str, ...], ...]  # for each group, exactly one of these options is needed
    read: ReadSource  # (options, source dir, columns, chunk rows, *, tally=None) -> text frames
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
        raise ExtractError(f"{where}: no column(s) {missing}; it has {header}{did_you_mean(missing, header)}{hint}")


def file_path(options: Options, source_dir: Path) -> Path:
    """The source file of a file-based source, where it is allowed to be (``folders.confined``).

    Raises
    ------
    ConfigError
        The file resolves outside the source folder and the folders the project lets in.
    ExtractError
        The file is not there.
    """
    confined(source_dir, options["file"])  # symbolic links followed: where the file really is
    path = source_dir / options["file"]  # what messages and reports call it
    if not path.is_file():
        if not Path(source_dir).is_dir():  # the folder, not the file, is what is missing
            raise ExtractError(f"{source_dir}: the source folder does not exist (cutover.toml's [project] "
                               f"source_dir, relative to the project folder)")
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
from cutover.extract import (
    dbf,  # noqa: E402,F401
    delimited,  # noqa: E402,F401
    excel,  # noqa: E402,F401
    sql,  # noqa: E402,F401
)
