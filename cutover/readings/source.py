"""Reading a late-readings file by its layout: its lines as text, each with its line number.

A file is read whole, decoded strictly in the layout's encoding (a byte that is not in it stops
the file, naming the line), and split by the layout's delimiter with ``"`` quoting. Blank lines
are skipped. A line with another number of fields than the header is kept, to be rejected
with its line number (rule ``BAD_LINE``); nothing is dropped.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cutover.errors import ExtractError
from cutover.readings.layout import ReadingsLayout


@dataclass(frozen=True)
class ReadingLines:
    """The file's lines: the header (or column numbers), and one row of text per line."""

    file: Path
    header: list[str]
    rows: pd.DataFrame  # _line, _fields (the line's fields, a list) and one text column per layout field
    short: pd.Series  # lines whose number of fields is not the header's


def _decoded(path: Path, layout: ReadingsLayout) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ExtractError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    encoding = "utf-8-sig" if layout.encoding.replace("_", "-").lower() in ("utf-8", "utf8") else layout.encoding
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise ExtractError(f"{path}: line {line}: byte {raw[exc.start:exc.start + 1].hex()} is not {layout.encoding} "
                           f"(the encoding {layout.file.name} gives): is the file in another encoding? Fix "
                           f"[layout] encoding in {layout.file}") from None


def read_lines(path: Path, layout: ReadingsLayout) -> ReadingLines:
    """The lines of ``path``.

    Raises
    ------
    ExtractError
        The file cannot be read or decoded, or its header lacks a column the layout names (exit code 2).
    """
    reader = csv.reader(io.StringIO(_decoded(path, layout), newline=""), delimiter=layout.delimiter)
    header: list[str] | None = None
    lines, fields = [], []
    for record in reader:
        if not any(value.strip() for value in record):
            continue
        if layout.header and header is None:
            header = [name.strip() for name in record]
            continue
        lines.append(reader.line_num)
        fields.append(record)
    if header is None:
        if layout.header:
            raise ExtractError(f"{path}: the file is empty: the layout {layout.name} expects a header line")
        header = [str(number) for number in range(1, max((len(f) for f in fields), default=0) + 1)]
    positions = {}
    for name, column in layout.columns.items():
        wanted = str(column)
        if wanted not in header:
            if layout.header:
                raise ExtractError(f"{path}: no column {wanted!r} ({name} in {layout.file}); the header has "
                                   f"{header}")
            continue  # a numbered column no line reaches: every line is short of it
        positions[name] = header.index(wanted)
    rows = pd.DataFrame({"_line": pd.Series(lines, dtype="int64"), "_fields": pd.Series(fields, dtype="object")})
    for name, at in positions.items():
        rows[name] = pd.Series([f[at] if at < len(f) else None for f in fields], dtype="str")
    short = pd.Series([len(f) != len(header) for f in fields], dtype="bool")
    return ReadingLines(path, header, rows, short)
