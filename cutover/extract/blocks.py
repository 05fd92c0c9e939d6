"""The records of a delimited file, parsed a block of whole lines at a time by Arrow's kernels.

``delimited.read_delimited`` reads a file through here. A block is a few megabytes of whole
lines, decoded in one call (cp1251, cp866 and KOI8-R included), split into lines, each line
judged blank, a comment or a record, and records cut into fields, all by vectorised kernels
over the whole block: no Python code runs per line. A line holding the quote character is read
by the csv module, on its own, exactly as the record-by-record reader reads it.

Nothing is decided here that the record-by-record reader (``delimited._records``) would decide
otherwise. Whatever a block holds that the kernels cannot read exactly as the csv module does (a
quoted value running over a line's end or an unterminated quote, a record of the wrong width, a
lone carriage return, a line longer than the csv module's field limit, a byte the encoding cannot
read) hands the file, from that block's first line on, to that reader, which reads the rest of it
and raises the same error, naming the same row, as it always has. Rows, their numbers, every
value and the record tally come out the same either way; only the time differs.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cutover.extract import RecordTally

BLOCK_BYTES = 4 << 20  # bytes of whole lines parsed at once
LONGEST_CARRY = 64 << 20  # a "line" longer than this is left to the csv module, which refuses it
SLOW_BATCH = 8192  # records of the record-by-record reader gathered into one piece

# What ``str.strip`` strips (``str.isspace``): a field of only these is blank.
_SPACE = "".join(f"\\x{{{ord(ch):x}}}" for ch in map(chr, range(0x3001)) if ch.isspace())


@dataclass(frozen=True)
class Layout:
    """How the file's records are written: its columns, separator, quote, comment and encoding."""

    header: list[str]
    separator: str
    quote: str
    comment: str | None
    encoding: str

    @property
    def codec(self) -> str:
        # The BOM is before the header, which is not in any block: a U+FEFF in the data is data.
        return "utf-8" if self.encoding.lower().replace("_", "-") == "utf-8-sig" else self.encoding

    def parsable(self) -> bool:
        """Whether the kernels can read this layout at all (else the csv module reads the whole file)."""
        one = len(self.separator) == 1 and len(self.quote) == 1 and self.separator != self.quote
        odd = self.separator in "\r\n" or self.quote in "\r\n"
        comment = self.comment
        plain_comment = comment is None or (comment != "" and comment.strip() == comment
                                            and self.separator not in comment and self.quote not in comment)
        return one and not odd and plain_comment and bool(self.header)


@dataclass(frozen=True)
class Piece:
    """Records of consecutive lines: their row numbers and one Arrow string array per column."""

    rows: np.ndarray  # int64
    columns: list[pa.Array]

    def __len__(self) -> int:
        return len(self.rows)


@dataclass
class _Block:
    piece: Piece
    lines: int
    blank_rows: list[int]
    comments: int

    def count(self, tally: RecordTally) -> None:
        for row in self.blank_rows:
            tally.add_blank(row)
        for _ in range(self.comments):
            tally.add_comment()
        tally.add_read(len(self.piece))


SlowReader = Callable[[int, int], Iterator[tuple[int, list[str]]]]  # (byte offset, its row) -> records


def read_pieces(path: Path, start: int, first_row: int, layout: Layout, tally: RecordTally,
                slow: SlowReader) -> Iterator[Piece]:
    """Pieces of every record from byte ``start`` (the line of row ``first_row``) to the end.

    ``slow(offset, row)`` reads records one by one from a byte offset at a line's start; it
    takes over the first block the kernels cannot read exactly, and reads to the end.
    """
    if not layout.parsable():
        yield from slow_pieces(slow(start, first_row), layout)
        return
    with path.open("rb") as raw:
        raw.seek(start)
        offset, row, carry = start, first_row, b""
        while True:
            block = raw.read(BLOCK_BYTES)
            data = carry + block
            if block:
                cut = data.rfind(b"\n") + 1
                data, carry = data[:cut], data[cut:]
                if not data:
                    if len(carry) <= LONGEST_CARRY:
                        continue
                    data = None  # a line without end: the csv module says what it is
            elif not data:
                return
            else:
                carry = b""
            parsed = _parse(data, row, layout) if data is not None else None
            if parsed is None:
                yield from slow_pieces(slow(offset, row), layout)
                return
            parsed.count(tally)
            if len(parsed.piece):
                yield parsed.piece
            offset, row = offset + len(data), row + parsed.lines
            if not block:
                return


def frames(pieces: Iterable[Piece], header: list[str], chunk_rows: int) -> Iterator[pd.DataFrame]:
    """Text frames of ``chunk_rows`` rows (the last one fewer): ``_row`` then every column as text."""
    pending: list[Piece] = []
    held = 0
    for piece in pieces:
        pending.append(piece)
        held += len(piece)
        while held >= chunk_rows:
            joined = _join(pending)
            yield _frame(_slice(joined, 0, chunk_rows), header)
            rest = _slice(joined, chunk_rows, len(joined))
            pending, held = ([rest] if len(rest) else []), len(rest)
    if held:
        yield _frame(_join(pending), header)


def _join(pieces: list[Piece]) -> Piece:
    if len(pieces) == 1:
        return pieces[0]
    rows = np.concatenate([piece.rows for piece in pieces])
    columns = [pa.concat_arrays([piece.columns[j] for piece in pieces]) for j in range(len(pieces[0].columns))]
    return Piece(rows, columns)


def _slice(piece: Piece, begin: int, end: int) -> Piece:
    return Piece(piece.rows[begin:end], [column.slice(begin, end - begin) for column in piece.columns])


def _frame(piece: Piece, header: list[str]) -> pd.DataFrame:
    data = {"_row": pd.Series(piece.rows, dtype="int64")}
    data.update((str(j), pd.Series(column, dtype="str")) for j, column in enumerate(piece.columns))
    frame = pd.DataFrame(data)
    frame.columns = ["_row", *header]  # a header may name a column twice, as the csv reader allows
    return frame


def slow_pieces(records: Iterator[tuple[int, list[str]]], layout: Layout) -> Iterator[Piece]:
    """The record-by-record reader's records, gathered into pieces."""
    width = len(layout.header)
    batch: list[tuple[int, list[str]]] = []
    for record in records:
        batch.append(record)
        if len(batch) == SLOW_BATCH:
            yield _batch_piece(batch, width)
            batch = []
    if batch:
        yield _batch_piece(batch, width)


def _batch_piece(batch: list[tuple[int, list[str]]], width: int) -> Piece:
    rows = np.fromiter((row for row, _ in batch), dtype=np.int64, count=len(batch))
    return Piece(rows, [pa.array([fields[j] for _, fields in batch], pa.string()) for j in range(width)])


def _parse(data: bytes, first_row: int, layout: Layout) -> _Block | None:
    """The block's records, blank rows and comments; None when the kernels cannot read it exactly."""
    newline = "\n"
    returns = data.count(b"\r")
    if returns:
        if returns != data.count(b"\r\n"):
            return None  # a lone carriage return ends a record (or is refused) in the csv module
        if returns == data.count(b"\n"):
            newline = "\r\n"  # every line ends so: split on it as it is
        else:
            data = data.replace(b"\r\n", b"\n")
    try:
        text = data.decode(layout.codec)
    except UnicodeDecodeError:
        return None
    if text.endswith(newline):
        text = text[:-len(newline)]
    lines = pc.split_pattern(pa.array([text], pa.string()), newline).flatten()
    if pc.max(pc.utf8_length(lines)).as_py() > csv.field_size_limit():
        return None
    quoted = pc.match_substring(lines, layout.quote)
    blank = pc.match_substring_regex(lines, f"^[{_SPACE}\\x{{{ord(layout.separator):x}}}]*$")
    plain = pc.invert(quoted)
    comment = (pc.starts_with(lines, layout.comment) if layout.comment else pa.repeat(False, len(lines)))
    record = pc.and_(plain, pc.invert(pc.or_(blank, comment)))
    plain_lines = lines.filter(record)
    width = len(layout.header)
    if len(plain_lines) and not pc.all(pc.equal(pc.count_substring(plain_lines, layout.separator), width - 1)).as_py():
        return None  # a record of another width: the csv module names its row
    fields = pc.split_pattern(plain_lines, layout.separator)
    columns = [pc.list_element(fields, j) for j in range(width)]
    plain_at = np.flatnonzero(record.to_numpy(zero_copy_only=False))
    blank_at = list(np.flatnonzero(pc.and_(plain, blank).to_numpy(zero_copy_only=False)))
    comments = int(pc.sum(pc.and_(plain, pc.and_(comment, pc.invert(blank)))).as_py() or 0)
    quoted_at = np.flatnonzero(quoted.to_numpy(zero_copy_only=False))
    if len(quoted_at):
        read = _quoted(lines, quoted_at, layout)
        if read is None:
            return None
        records_at, values, quoted_blank, quoted_comments = read
        blank_at = sorted(blank_at + quoted_blank)
        comments += quoted_comments
        if records_at:
            at = np.concatenate([plain_at, np.array(records_at, dtype=np.int64)])
            order = pa.array(np.argsort(at, kind="stable"))
            columns = [pc.take(pa.concat_arrays([column.cast(pa.string()), pa.array(extra, pa.string())]), order)
                       for column, extra in zip(columns, values)]
            plain_at = at[order.to_numpy()]
    rows = plain_at.astype(np.int64) + first_row
    piece = Piece(rows, [column.cast(pa.string()) for column in columns])
    return _Block(piece, len(lines), [int(i) + first_row for i in blank_at], comments)


def _quoted(lines: pa.Array, at: np.ndarray, layout: Layout):
    """Lines holding the quote, each read by the csv module on its own: (record line indexes, their
    values column by column, blank line indexes, comments); None when one does not read as one
    whole record of the header's width."""
    width = len(layout.header)
    records_at: list[int] = []
    values: list[list[str]] = [[] for _ in range(width)]
    blank_at: list[int] = []
    comments = 0
    texts = lines.take(pa.array(at)).to_pylist()
    for index, text in zip(at.tolist(), texts):
        try:
            read = list(csv.reader([text], delimiter=layout.separator, quotechar=layout.quote, strict=True))
        except csv.Error:
            return None
        if len(read) != 1:
            return None
        fields = read[0]
        if not any(field.strip() for field in fields):
            blank_at.append(index)
        elif layout.comment and fields[0].startswith(layout.comment):
            comments += 1
        elif len(fields) != width:
            return None
        else:
            records_at.append(index)
            for j, value in enumerate(fields):
                values[j].append(value)
    return records_at, values, blank_at, comments
