"""Delimited text sources (CSV and the like), read in chunks as text.

Every value arrives as text exactly as written; converting it is the mapping's job.
Each row carries ``_row``: its row number in the file, counting the header as row 1
(what a spreadsheet shows when the file is opened in one). A row is a record of the CSV
reader, so a quoted value spanning two lines is one row.

The records of a file are those after the header (the ``skip_rows`` title lines above it are
not). Empty lines and records whose fields are all blank (trailing ``;;;;`` lines) are
skipped and counted as blank, with their row numbers; lines starting with the ``comment``
option are skipped and counted as comments.

Before any row is read, the text is judged on lines from the file's start, middle and end:
text that decodes in the mapping's encoding but reads as Russian in another code page (a
cp1251 export declared cp866, UTF-8 declared cp1251) refuses the file, naming both.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Iterator

import pandas as pd

from cutover.errors import ExtractError
from cutover.extract import (
    Extractor,
    Options,
    RecordTally,
    file_path,
    register,
    require_columns,
)
from cutover.extract.blocks import Layout, frames, read_pieces, slow_pieces
from cutover.extract.encoding import detect_encoding, misread

OPTIONS = {"file": str, "encoding": str, "separator": str, "skip_rows": int, "comment": str, "quote": str}
_OTHER_SEPARATORS = (";", "|", "\t", ",")
SAMPLE_WINDOW = 64 * 1024  # bytes of lines the code page is judged on, at each of three places


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
    likely = detect_encoding(path)
    hint = (f"the text reads as {likely}: set encoding = \"{likely}\"" if likely != encoding else
            "is the file in another encoding? Set encoding")
    return ExtractError(f"{path}: line {line_number}: byte 0x{byte} cannot be read as {encoding}; {hint} in the "
                        f"mapping's system.toml")


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


def _require_columns(path: Path, header: list[str], needed: set[str], separator: str) -> None:
    """The columns the mapping reads must be in the header; it is listed only when some are there.

    A header holding none of them may be the first line of a file that is no such export at
    all, and a line of an arbitrary file has no place in a message or summary.json.
    """
    if needed & set(header) or not needed:
        require_columns(str(path), header, needed, _separator_hint(header, separator))
        return
    fields = f"{len(header)} field" + ("s" if len(header) != 1 else "")
    raise ExtractError(f"{path}: no column(s) {sorted(needed)}: the header row has {fields}, none of them a column "
                       f"the mapping reads; is it the right file, separated by {separator!r}?"
                       f"{_separator_hint(header, separator)}")


def _check_text(path: Path, encoding: str, skip_rows: int, given: bool) -> None:
    """Text that decodes in the mapping's encoding must also read as it (``encoding.misread``),
    judged on lines from the start, the middle and the end of the file.

    A header line that does not decode at all is left to ``_header``, which names its byte.
    """
    with path.open("rb") as raw:
        head = b"".join(raw.readline() for _ in range(skip_rows + 1))
    try:
        head.decode(encoding)
    except UnicodeDecodeError:
        return
    found = misread(_sample_lines(path), encoding)
    if found is None:
        return
    said = f"the mapping says encoding = \"{encoding}\"" if given else f"the mapping gives no encoding (so {encoding})"
    raise ExtractError(f"{path}: {said}, but the text reads as {found.reads_as} ({found.evidence()}); "
                       f"set encoding = \"{found.reads_as}\" in the mapping's system.toml")


def _sample_lines(path: Path) -> Iterator[bytes]:
    """Whole lines of the file, from windows of ``SAMPLE_WINDOW`` bytes at its start, middle and end
    (the whole file when it is small)."""
    size = path.stat().st_size
    starts = [0] if size <= 3 * SAMPLE_WINDOW else [0, (size - SAMPLE_WINDOW) // 2, size - SAMPLE_WINDOW]
    with path.open("rb") as raw:
        for start in starts:
            raw.seek(start)
            lines = raw.read(size if len(starts) == 1 else SAMPLE_WINDOW).split(b"\n")
            if len(starts) > 1:  # cut at the window's edges
                lines = lines[1 if start else 0:-1 if start + SAMPLE_WINDOW < size else None]
            yield from lines


def _separator_hint(header: list[str], separator: str) -> str:
    if len(header) == 1:
        found = [s for s in _OTHER_SEPARATORS if s != separator and s in header[0]]
        if found:
            return f"; the header looks separated by {found[0]!r}, not {separator!r}: check separator in system.toml"
    return ""


def _is_blank(record: list[str]) -> bool:
    return not any(field.strip() for field in record)


def _check_width(path: Path, row: int, record: list[str], header: list[str]) -> None:
    if len(record) != len(header):
        fewer = "fewer" if len(record) < len(header) else "more"
        hint = "; is the file truncated?" if fewer == "fewer" else "; is a separator inside an unquoted value?"
        fields = f"{len(record)} field" + ("s" if len(record) != 1 else "")
        raise ExtractError(f"{path}: row {row} has {fields}, {fewer} than the header's {len(header)}{hint}")


def _records(path: Path, text, header: list[str], first_row: int, comment: str | None,
             separator: str, quote: str, tally: RecordTally) -> Iterator[tuple[int, list[str]]]:
    """(row number, fields) of every data record, counting each record in ``tally``.

    A blank record is skipped whatever its field count (an empty line has none, ``;;`` fewer
    than the header); any other record must have the header's.
    """
    reader = csv.reader(text, delimiter=separator, quotechar=quote, strict=True)
    row = first_row - 1
    try:
        for record in reader:
            row += 1  # counted once the reader gives the record: a csv.Error is about row + 1
            if _is_blank(record):
                tally.add_blank(row)
            elif comment and record[0].startswith(comment):
                tally.add_comment()
            else:
                _check_width(path, row, record, header)
                tally.add_read()
                yield row, record
    except csv.Error as exc:
        raise ExtractError(f"{path}: row {row + 1}: {exc}; is the file truncated or a quote left open?") from None


def _encoding(options: Options, path: Path) -> str:
    """The encoding named in the mapping; ``"auto"`` guesses it from the file."""
    named = options.get("encoding", "utf-8")
    return detect_encoding(path) if named == "auto" else named


def header(options: Options, source_dir: Path) -> list[str]:
    """The column names in the file's header row."""
    path = file_path(options, source_dir)
    encoding, skip_rows = _encoding(options, path), options.get("skip_rows", 0)
    if options.get("encoding") != "auto":  # a guess is what the text reads as already
        _check_text(path, encoding, skip_rows, "encoding" in options)
    return _header(path, encoding, options.get("separator", ";"), skip_rows)


def details(options: Options, source_dir: Path) -> dict:
    """What a report says about how the file was read: its encoding, and whether it was guessed."""
    path = file_path(options, source_dir)
    encoding = _encoding(options, path)
    return {"encoding": f"{encoding} (detected)" if options.get("encoding") == "auto" else encoding}


def read_delimited(options: Options, source_dir: Path, needed: set[str], chunk_rows: int, *,
                   tally: RecordTally | None = None) -> Iterator[pd.DataFrame]:
    """Yield the file's rows as text frames of at most ``chunk_rows`` rows.

    Blank records (empty lines, trailing ``;;;;`` lines) and comment lines are skipped.

    Parameters
    ----------
    tally
        When given, counts every record after the header as it is read: rows yielded, blank
        ones with their row numbers, comment lines.

    Raises
    ------
    ExtractError
        A missing file, an undecodable byte, text that reads as another code page than the
        mapping's encoding, a missing column, a row with more or fewer fields than the header,
        an unterminated quote: naming the file and the row.
    ConfigError
        The file resolves outside the source folder (``folders.confined``).
    """
    path = file_path(options, source_dir)
    encoding = _encoding(options, path)
    separator = options.get("separator", ";")
    skip_rows = options.get("skip_rows", 0)
    if options.get("encoding") != "auto":  # a guess is what the text reads as already
        _check_text(path, encoding, skip_rows, "encoding" in options)
    columns = _header(path, encoding, separator, skip_rows)
    _require_columns(path, columns, needed, separator)
    layout = Layout(columns, separator, options.get("quote", '"'), options.get("comment"), encoding)
    tally = tally if tally is not None else RecordTally()
    first_row = skip_rows + 2

    def one_by_one(offset: int, row: int, lines_to_skip: int = 0) -> Iterator[tuple[int, list[str]]]:
        """Records one by one (the csv module) from a line's byte offset, ``lines_to_skip`` lines on."""
        with path.open("rb") as raw:
            raw.seek(offset)
            text = io.TextIOWrapper(raw, encoding=layout.codec if offset else encoding, newline="")
            for _ in range(lines_to_skip):
                text.readline()
            yield from _records(path, text, columns, row, layout.comment, separator, layout.quote, tally)

    start = _data_start(path, skip_rows)
    try:
        if start is None:  # the lines above the data are counted as the text reader counts them
            pieces = slow_pieces(one_by_one(0, first_row, skip_rows + 1), layout)
        else:
            pieces = read_pieces(path, start, first_row, layout, tally, one_by_one)
        yield from frames(pieces, columns, chunk_rows)
    except UnicodeDecodeError:
        raise _encoding_error(path, encoding) from None


def _data_start(path: Path, skip_rows: int) -> int | None:
    """The byte offset of the first data record, after the title lines and the header; None when
    they hold a carriage return that is not a line's end (the text reader counts lines otherwise)."""
    with path.open("rb") as raw:
        for _ in range(skip_rows + 1):
            line = raw.readline()
            if b"\r" in line.removesuffix(b"\r\n"):
                return None
        return raw.tell()


EXTRACTOR = register(Extractor(
    format="delimited",
    options=OPTIONS,
    required=(("file",),),
    read=read_delimited,
    header=header,
    describe=lambda options, source_dir: options["file"],
    details=details,
))
