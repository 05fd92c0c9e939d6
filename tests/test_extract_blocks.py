"""The block reader (cutover/extract/blocks.py) reads every delimited file exactly as the csv
module's record-by-record reader does: the same frames (rows, row numbers, values, chunk
boundaries), the same record tally, the same error naming the same row.

The reference is the record-by-record reader itself (``delimited._records`` gathered by
``extract.chunks``), the path every file took before the block reader, not the block reader's
own output.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cutover.errors import ExtractError
from cutover.extract import RecordTally, blocks, chunks
from cutover.extract import delimited as delimited_module
from cutover.extract.delimited import read_delimited

HEADER = "a;b;c"


def _reference(path: Path, options: dict, chunk_rows: int) -> tuple[list[pd.DataFrame], dict, str | None]:
    """Frames, tally and error of the record-by-record reader (what every file went through before)."""
    encoding = options.get("encoding", "utf-8")
    skip_rows = options.get("skip_rows", 0)
    tally, frames, error = RecordTally(), [], None
    columns = delimited_module._header(path, encoding, ";", skip_rows)
    try:
        with path.open("r", encoding=encoding, newline="") as text:
            for _ in range(skip_rows + 1):
                text.readline()
            records = delimited_module._records(path, text, columns, skip_rows + 2, options.get("comment"), ";",
                                                '"', tally)
            frames = list(chunks(records, columns, chunk_rows))
    except ExtractError as exc:
        error = str(exc)
    except UnicodeDecodeError:
        error = str(delimited_module._encoding_error(path, encoding))
    return frames, tally.to_dict(), error


def _read(path: Path, options: dict, chunk_rows: int) -> tuple[list[pd.DataFrame], dict, str | None]:
    tally, frames, error = RecordTally(), [], None
    try:
        frames = list(read_delimited({"file": path.name, **options}, path.parent, set(), chunk_rows, tally=tally))
    except ExtractError as exc:
        error = str(exc)
    return frames, tally.to_dict(), error


def _same(path: Path, options: dict, chunk_rows: int) -> None:
    got_frames, got_tally, got_error = _read(path, options, chunk_rows)
    want_frames, want_tally, want_error = _reference(path, options, chunk_rows)
    assert got_error == want_error
    assert got_tally == want_tally
    if want_error is None:
        assert len(got_frames) == len(want_frames)
        for got, want in zip(got_frames, want_frames):
            pd.testing.assert_frame_equal(got, want)


CLEAN = st.text(alphabet=st.sampled_from(list("xyЖё 1,.\xa0\t#\u2003")), max_size=6)
FIELD = st.one_of(CLEAN, CLEAN, CLEAN, st.text(alphabet=st.sampled_from(list('xЖ "#;\xa0')), max_size=6))
LINE = st.one_of(
    *[st.lists(CLEAN, min_size=3, max_size=3).map(";".join)] * 6,  # mostly records the kernels read
    st.lists(FIELD, min_size=3, max_size=3).map(";".join),  # a quote or separator maybe inside
    st.lists(FIELD, min_size=1, max_size=5).map(";".join),  # of another width, maybe
    st.sampled_from(["", ";;", " ; ;\xa0", '"";"";""', '" ";;', "#note", '"#q";1;2', "# a;b", '"x', 'x";y',
                     '"a""b";c;d', "\u2028;\x0c;\x1c"]),
)
NEWLINE = st.sampled_from(["\n"] * 6 + ["\r\n"] * 6 + ["\r"])


@st.composite
def files(draw) -> bytes:
    lines = draw(st.lists(LINE, max_size=60))
    newlines = draw(st.lists(NEWLINE, min_size=len(lines), max_size=len(lines)))
    ending = draw(st.booleans())
    body = "".join(line + newline for line, newline in zip(lines, newlines))
    if lines and not ending:
        body = body[:-len(newlines[-1])]
    return (HEADER + "\r\n" + body).encode("utf-8")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=files(), block=st.sampled_from([7, 64, 256, 1 << 20]), chunk_rows=st.sampled_from([1, 3, 1000]),
       comment=st.sampled_from([None, "#"]))
def test_any_file_reads_as_the_csv_module_reads_it(tmp_path, monkeypatch, content, block, chunk_rows, comment):
    monkeypatch.setattr(blocks, "BLOCK_BYTES", block)
    path = tmp_path / "t.csv"
    path.write_bytes(content)
    _same(path, {"comment": comment} if comment else {}, chunk_rows)


@pytest.mark.parametrize("encoding", ["cp1251", "cp866", "koi8-r", "utf-8", "utf-8-sig"])
def test_single_byte_and_utf8_code_pages(tmp_path, monkeypatch, encoding):
    monkeypatch.setattr(blocks, "BLOCK_BYTES", 64)
    lines = ["ЛС;ФИО;Сумма", "01-1;Иванов Иван Иванович;1 234,50", ";;", "01-2;\"Петров; Пётр\";-0,01",
             "01-3;Ёлкина Е.;0"] * 20
    path = tmp_path / "t.csv"
    path.write_bytes("\r\n".join(lines).encode(encoding))
    frames, tally, error = _read(path, {"encoding": encoding}, 25)
    assert error is None
    assert tally == {"records": 99, "read": 79, "blank": 20, "blank_rows": list(range(3, 100, 5)), "deleted": 0,
                     "deleted_rows": [], "comments": 0}
    assert [len(frame) for frame in frames] == [25, 25, 25, 4]
    assert frames[0].iloc[1].tolist() == [4, "01-2", "Петров; Пётр", "-0,01"]
    _same(path, {"encoding": encoding}, 25)


def _big_file(tmp_path: Path, lines: int, bad_at: int, bad: str) -> Path:
    """A file of ``lines`` data lines whose line at row ``bad_at`` (header = row 1) is ``bad``."""
    path = tmp_path / "big.csv"
    with path.open("w", encoding="cp1251", newline="") as out:
        out.write("ls;usl;summa\r\n")
        for row in range(2, lines + 2):
            out.write(f"{bad}\r\n" if row == bad_at else f"{row:07d};01;{row % 997},{row % 100:02d}\r\n")
    return path


@pytest.mark.parametrize("bad, message", [
    ("0500001;01", "row 500001 has 2 fields, fewer than the header's 3; is the file truncated?"),
    ("0500001;01;5,00;7", "row 500001 has 4 fields, more than the header's 3; is a separator inside an unquoted "
                          "value?"),
])
def test_a_truncated_or_overlong_record_in_a_million_lines_is_named_by_its_row(tmp_path, bad, message):
    path = _big_file(tmp_path, 1_000_000, 500_001, bad)
    tally = RecordTally()
    with pytest.raises(ExtractError) as raised:
        for _ in read_delimited({"file": "big.csv", "encoding": "cp1251"}, tmp_path, set(), 100_000, tally=tally):
            pass
    assert str(raised.value) == f"{path}: {message}"
    assert tally.records == 499_999  # the records before it, every one counted


def test_a_million_lines_read_whole(tmp_path):
    _big_file(tmp_path, 1_000_000, 0, "")
    tally = RecordTally()
    rows = last = 0
    for frame in read_delimited({"file": "big.csv", "encoding": "cp1251"}, tmp_path, set(), 300_000, tally=tally):
        rows += len(frame)
        last = frame
    assert rows == 1_000_000 and tally.read == 1_000_000
    assert last.iloc[-1].tolist() == [1_000_001, "1000001", "01", f"{1_000_001 % 997},01"]


def test_a_quoted_value_over_two_lines_is_one_record(tmp_path, monkeypatch):
    monkeypatch.setattr(blocks, "BLOCK_BYTES", 32)
    path = tmp_path / "t.csv"
    path.write_bytes(b'a;b;c\r\n1;2;3\r\n4;"five\r\nlines";6\r\n7;8;9\r\n' * 5)
    frames, tally, error = _read(path, {}, 1000)
    assert error is None
    assert frames[0]["b"].tolist()[:3] == ["2", "five\r\nlines", "8"]
    assert frames[0]["_row"].tolist()[:4] == [2, 3, 4, 5]
    _same(path, {}, 1000)


def test_a_line_over_the_csv_field_limit_is_refused_as_before(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a;b;c\n1;2;3\n4;" + "x" * 200_000 + ";6\n", encoding="utf-8")
    frames, tally, error = _read(path, {}, 1000)
    assert error == f"{path}: row 3: field larger than field limit (131072); is the file truncated or a quote left open?"
    assert tally["records"] == 1
    _same(path, {}, 1000)
