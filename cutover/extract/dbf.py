"""DBF tables (dBase, FoxPro, Clipper), read record by record as exact text.

``dbfread`` parses the header, the field descriptors and the memo file; the records are
read here, straight from the file, because a person looks a row up by its record number
(what a DBF viewer shows, deleted records included) and because a file cut short must be
an error, not a silently shorter table. Every value is taken from its raw bytes:

- ``C`` (character): decoded, trailing spaces dropped;
- ``N``, ``F`` (numeric): the digits exactly as stored, stripped (``"1234.56"``, never a float);
- ``D`` (date): ``YYYY-MM-DD``; blank -> ``""``; anything else is passed on as written, so the
  mapping's ``date`` transform rejects that one row;
- ``L`` (logical): ``T``/``Y`` -> ``"1"``, ``F``/``N`` -> ``"0"``, blank or ``?`` -> ``""``;
- ``M`` (memo): the memo's text from the ``.FPT``/``.DBT`` file beside the table, decoded;
- ``I`` (integer) and ``Y`` (currency) as exact decimal text.

The records of a table are the ones its header announces, and they must be the ones the file
holds (its length less the header, in records, with or without the end-of-file byte 0x1A); a
count that disagrees refuses the file before anything is read. So does text that reads as
Russian in another code page than the one given or named in the header (a cp866 table
re-encoded to UTF-8 or cp1251, ``cutover/extract/encoding.py`` ``misread``). Deleted records
(marked ``*``) are skipped but keep their numbers. So are blank records, live ones whose every field is blank:
FoxPro's ``APPEND BLANK`` leaves them when nothing is written into the record afterwards.
A field is blank when its bytes are spaces or zero bytes (what ``APPEND BLANK`` writes:
spaces into text, numbers, dates and dBase memo numbers, zeros into the binary integer,
currency and Visual FoxPro memo fields), or for a logical field also ``?``. Every field of
the record counts, also those not read; ``_NullFlags`` is not data and does not.
"""

from __future__ import annotations

import codecs
import struct
from pathlib import Path
from typing import Iterator

import dbfread
import pandas as pd
from dbfread.codepages import codepages
from dbfread.exceptions import MissingMemoFile
from dbfread.memo import FakeMemoFile, open_memofile

from cutover.errors import ExtractError
from cutover.extract import (
    Extractor,
    Options,
    RecordTally,
    chunks,
    file_path,
    register,
    require_columns,
)
from cutover.extract.encoding import detect_encoding, misread

OPTIONS = {"file": str, "encoding": str}

_BLANK = b" \x00"
_TRUE, _FALSE, _UNKNOWN = b"TtYy", b"FfNn", b"? \x00"
_READ_AHEAD = 1 << 20  # bytes of records read from the file at once


def _open_table(path: Path, options: Options):
    """The table's header and field descriptors (dbfread), with errors naming the file."""
    encoding = options.get("encoding")
    if encoding == "auto":
        encoding = None  # the header's code page (dbfread decodes the field names with it)
    elif encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise ExtractError(
                f"{path}: {encoding!r} is not an encoding Python knows; give one such as \"cp866\" or \"cp1251\", "
                f"or leave encoding out to use the code page the DBF header names"
            ) from None
    try:
        return dbfread.DBF(str(path), encoding=encoding, raw=True, ignorecase=False)
    except MissingMemoFile:
        raise ExtractError(
            f"{path}: memo file not found: the table has memo fields, whose text is kept in "
            f"{path.stem}.FPT or {path.stem}.DBT beside it; copy that file together with {path.name}"
        ) from None
    except UnicodeDecodeError as exc:
        raise ExtractError(
            f"{path}: a field name cannot be read as {exc.encoding}; set encoding in the mapping's system.toml"
        ) from None
    except (struct.error, ValueError, OSError) as exc:
        raise ExtractError(f"{path}: not a readable DBF file ({_unreadable(exc)}); is the file truncated or not a "
                           f"DBF table?") from None


def _unreadable(exc: Exception) -> str:
    """Why dbfread could not read the header, without the bytes it found (a file that is no DBF
    table may be anything, and its content has no place in a message or summary.json)."""
    if isinstance(exc, struct.error):
        return "the header ends too soon"
    if isinstance(exc, ValueError) and str(exc).startswith("Unknown field type"):
        return "a field descriptor names a type dBase and FoxPro do not write"
    return str(exc)  # dbfread's field length messages and the system's own say no more than numbers


def _encoding(path: Path, table, options: Options) -> tuple[str, str]:
    """The encoding to read the text with, and where it came from (for reports).

    The ``encoding`` option wins; without it (or with ``"auto"``) the code page the header's
    language-driver byte names. A header naming none is an error, unless ``"auto"`` asks for a
    guess from the bytes (``cutover/extract/encoding.py``).
    """
    named = options.get("encoding")
    if named is not None and named != "auto":
        return named, "given"
    driver = table.header.language_driver
    if driver in codepages and driver != 0:
        return codepages[driver][0], "from the DBF header"
    if named == "auto":
        return detect_encoding(path), "detected"
    raise ExtractError(
        f"{path}: the header does not say which code page its text is in (language driver byte "
        f"0x{driver:02x}); set encoding in the mapping's system.toml, e.g. encoding = \"cp866\" for a DOS export"
    )


def _check_layout(path: Path, table) -> None:
    """A record length that does not fit the fields means the header is damaged."""
    fields_length = sum(field.length for field in table.fields)
    if table.header.recordlen != fields_length + 1:
        raise ExtractError(
            f"{path}: the header says records of {table.header.recordlen} bytes, but its fields take "
            f"{fields_length} + 1; the file is damaged"
        )


def _check_length(path: Path, table) -> None:
    """The records the header announces must be the records the file holds.

    After the header come ``numrecords`` records of ``recordlen`` bytes and, optionally, one
    end-of-file byte 0x1A (dBase and FoxPro write it, some Clipper programs do not). A header
    announcing fewer records than the file holds would hide the rest; one announcing more means
    the file was cut short; bytes left over that are no end marker mean the header's lengths or
    the file are damaged.
    """
    header = table.header
    length = path.stat().st_size
    data = length - header.headerlen
    holds, left = divmod(max(data, 0), header.recordlen) if header.recordlen else (0, max(data, 0))
    if left == 1 and _last_byte(path) == b"\x1a":
        left = 0  # the end-of-file marker
    if holds == header.numrecords and left == 0:
        return
    if left and holds < header.numrecords:
        raise ExtractError(f"{path}: the header announces {header.numrecords} records, but the file ends inside "
                           f"record {holds + 1}; is the file truncated?")
    layout = f"length {length} bytes, record length {header.recordlen}, header {header.headerlen} bytes"
    more = f" and {left} bytes more" if left else ""
    raise ExtractError(
        f"{path}: the header says {header.numrecords} records, the file holds {holds}{more} ({layout}); "
        f"was it copied while the legacy program had it open? Copy it again with the program closed"
    )


def _last_byte(path: Path) -> bytes:
    with path.open("rb") as raw:
        raw.seek(-1, 2)
        return raw.read(1)


def _table(path: Path, options: Options):
    """The table's header, checked against its fields and the file's length."""
    table = _open_table(path, options)
    _check_layout(path, table)
    _check_length(path, table)
    return table


SAMPLE_RECORDS = 1000  # records whose text fields the code page is judged on, spread over the table


def _check_text(path: Path, table, options: Options) -> str:
    """The encoding to read the text with, once its text is known to read as that code page.

    A code page the mapping gives or the header names is checked on the text fields of up to
    ``SAMPLE_RECORDS`` records spread over the table (``encoding.misread``); one guessed from
    the bytes (``"auto"`` and a header naming none) is what the text reads as already.

    Raises
    ------
    ExtractError
        Most of the text reads as Russian in another code page: naming both.
    """
    encoding, origin = _encoding(path, table, options)
    if origin == "detected":
        return encoding
    found = misread(_text_values(path, table), encoding)
    if found is None:
        return encoding
    said = f"the header says {encoding}" if origin == "from the DBF header" else \
        f"the mapping says encoding = \"{encoding}\""
    raise ExtractError(
        f"{path}: {said}, but the text reads as {found.reads_as} ({found.evidence()}); was the table "
        f"re-encoded? Export it again in {encoding}, or set encoding = \"{found.reads_as}\" in the mapping's "
        f"system.toml if that is how the table is written"
    )


def _text_values(path: Path, table) -> Iterator[bytes]:
    """The raw bytes of the text fields (``C``, ``V``) of up to ``SAMPLE_RECORDS`` records, spread
    evenly over the table (deleted ones too: they are written in the same code page)."""
    fields = [(start, end) for _, kind, start, end in _layout(table) if kind in "CV"]
    size, count = table.header.recordlen, table.header.numrecords
    if not fields or not count:
        return
    indexes = range(count) if count <= SAMPLE_RECORDS else \
        (index * count // SAMPLE_RECORDS for index in range(SAMPLE_RECORDS))
    with path.open("rb") as raw:
        for index in indexes:
            raw.seek(table.header.headerlen + index * size)
            record = raw.read(size)
            for start, end in fields:
                yield record[start:end].rstrip(_BLANK)


def _memo_index(raw: bytes) -> int:
    if len(raw) == 4:  # Visual FoxPro: a binary block number
        return struct.unpack("<I", raw)[0]
    digits = raw.strip(_BLANK)
    return int(digits) if digits else 0


def _date(raw: bytes) -> str:
    text = raw.strip(_BLANK).decode("ascii", errors="replace")
    if not text.strip("0"):
        return ""
    if len(text) == 8 and text.isdigit():
        return f"{text[:4]}-{text[4:6]}-{text[6:]}"
    return text


def _logical(raw: bytes, encoding: str) -> str:
    if raw in _TRUE:
        return "1"
    if raw in _FALSE:
        return "0"
    if raw in _UNKNOWN:
        return ""
    return raw.decode(encoding)


def _currency(raw: bytes) -> str:
    units = struct.unpack("<q", raw)[0]  # ten-thousandths
    sign = "-" if units < 0 else ""
    whole, fraction = divmod(abs(units), 10000)
    return f"{sign}{whole}.{fraction:04d}"


class _Reader:
    """Turns the raw bytes of one record into the text of each field."""

    def __init__(self, path: Path, fields: list[tuple[str, str, int, int]], encoding: str, memo):
        self.path, self.fields, self.encoding, self.memo = path, fields, encoding, memo

    def values(self, record: bytes, number: int) -> list[str]:
        values = []
        for name, kind, start, end in self.fields:
            raw = record[start:end]
            try:
                values.append(self._text(kind, raw))
            except UnicodeDecodeError as exc:
                raise ExtractError(
                    f"{self.path}: record {number}, field {name}: byte 0x{exc.object[exc.start:exc.start + 1].hex()} "
                    f"cannot be read as {self.encoding}; is the file in another encoding? "
                    f"Set encoding in the mapping's system.toml"
                ) from None
            except (OSError, struct.error, ValueError) as exc:
                raise ExtractError(f"{self.path}: record {number}, field {name}: {exc}; is the memo file damaged?") from None
        return values

    def _text(self, kind: str, raw: bytes) -> str:
        if kind in "CV":
            return raw.rstrip(_BLANK).decode(self.encoding)
        if kind in "NF":
            return raw.strip(_BLANK).decode("ascii", errors="replace")
        if kind == "D":
            return _date(raw)
        if kind == "L":
            return _logical(raw, self.encoding)
        if kind == "M":
            return self._memo_text(raw)
        if kind in "I+":
            return str(struct.unpack("<i", raw)[0])
        if kind == "Y":
            return _currency(raw)
        raise ValueError(f"field type {kind!r} is not read as text by cutover")

    def _memo_text(self, raw: bytes) -> str:
        index = _memo_index(raw)
        if index <= 0:
            return ""
        memo = self.memo[index]
        if memo is None:
            return ""
        return bytes(memo).rstrip(b"\x00\x1a").decode(self.encoding)


_READ_TYPES = "CVNFDLMI+Y"


def _layout(table) -> list[tuple[str, str, int, int]]:
    """(name, type, first byte, byte after) of every data field in a record.

    Visual FoxPro's system field ``_NullFlags`` (type ``0``) is not data and is left out.
    """
    layout, start = [], 1  # byte 0 is the deletion flag
    for field in table.fields:
        if field.type != "0":
            layout.append((field.name, field.type, start, start + field.length))
        start += field.length
    return layout


def header(options: Options, source_dir: Path) -> list[str]:
    """The table's field names, as written in the file (upper case in most DBF files)."""
    path = file_path(options, source_dir)
    table = _table(path, options)
    _check_text(path, table, options)
    return [name for name, *_ in _layout(table)]


def details(options: Options, source_dir: Path) -> dict:
    """What a report says about how the table was read: its encoding and where it came from."""
    path = file_path(options, source_dir)
    encoding, origin = _encoding(path, _table(path, options), options)
    return {"encoding": encoding if origin == "given" else f"{encoding} ({origin})"}


def _records(path: Path, table, chunk_rows: int) -> Iterator[tuple[int, bytes]]:
    """(record number, bytes) of every record the header announces, deleted ones included."""
    size, count = table.header.recordlen, table.header.numrecords
    batch = max(1, min(chunk_rows, _READ_AHEAD // max(size, 1)))
    with path.open("rb") as raw:
        raw.seek(table.header.headerlen)
        number = 0
        while number < count:
            wanted = min(batch, count - number)
            block = raw.read(size * wanted)
            whole = len(block) // size
            for offset in range(0, whole * size, size):
                number += 1
                yield number, block[offset:offset + size]
            if whole < wanted:
                raise ExtractError(
                    f"{path}: the header announces {count} records, but the file ends inside record "
                    f"{number + 1}; is the file truncated?"
                )


def read_dbf(options: Options, source_dir: Path, needed: set[str], chunk_rows: int, *,
             tally: RecordTally | None = None) -> Iterator[pd.DataFrame]:
    """Yield the table's live records that are not blank as text frames of at most ``chunk_rows`` rows.

    ``_row`` is the record number (1-based, deleted and blank records counted).

    Parameters
    ----------
    tally
        When given, counts every record the header announces as it is read: records yielded,
        deleted and blank ones with their record numbers.

    Raises
    ------
    ExtractError
        A missing DBF or memo file, no known encoding, text that reads as another code page than
        the one given or named in the header, a missing column, a byte that cannot be decoded, a
        file holding more or fewer records than its header says or a damaged header: naming the
        file and the record.
    ConfigError
        The file resolves outside the source folder (``folders.confined``).
    """
    path = file_path(options, source_dir)
    table = _table(path, options)
    encoding = _check_text(path, table, options)
    layout = _layout(table)
    # Taken before binary fields nobody asked for are dropped: a value in one of them still
    # makes the record more than an APPEND BLANK.
    fields = [(kind, start, end) for _, kind, start, end in layout]
    require_columns(str(path), [name for name, *_ in layout], needed)
    unreadable = {name: kind for name, kind, *_ in layout if kind not in _READ_TYPES}
    if unreadable.keys() & needed:
        wanted = {name: kind for name, kind in unreadable.items() if name in needed}
        raise ExtractError(f"{path}: fields of a type cutover does not read as text: {wanted} "
                           f"(it reads {', '.join(_READ_TYPES)})")
    layout = [part for part in layout if part[0] not in unreadable]  # binary fields nobody asked for
    names = [name for name, *_ in layout]
    memo = open_memofile(table.memofilename, table.header.dbversion) if table.memofilename else FakeMemoFile(None)
    reader = _Reader(path, layout, encoding, memo)
    with memo:
        yield from chunks(_live_records(path, table, chunk_rows, reader, fields,
                                        tally if tally is not None else RecordTally()), names, chunk_rows)


def _blank_field(kind: str, raw: bytes) -> bool:
    if kind == "L":
        return raw in _UNKNOWN
    return not raw.strip(_BLANK)


def _live_records(path: Path, table, chunk_rows: int, reader: "_Reader", fields: list[tuple[str, int, int]],
                  tally: RecordTally) -> Iterator[tuple[int, list[str]]]:
    """(record number, values) of every record neither deleted nor blank, counting each in ``tally``."""
    for number, record in _records(path, table, chunk_rows):
        flag = record[:1]
        if flag == b"*":
            tally.add_deleted(number)
        elif flag != b" ":
            raise ExtractError(f"{path}: record {number} starts with byte 0x{flag.hex()}, not a record "
                               f"marker; the file is damaged")
        elif all(_blank_field(kind, record[start:end]) for kind, start, end in fields):
            tally.add_blank(number)
        else:
            tally.add_read()
            yield number, reader.values(record, number)


EXTRACTOR = register(Extractor(
    format="dbf",
    options=OPTIONS,
    required=(("file",),),
    read=read_dbf,
    header=header,
    describe=lambda options, source_dir: options["file"],
    details=details,
))
