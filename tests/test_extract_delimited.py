"""Delimited text sources: encodings named or detected, separators, quoted newlines, chunks,
and the tally of every record (blank and comment ones included)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cutover.extract import REGISTRY, RecordTally
from cutover.extract.encoding import detect_encoding

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "sample_legacy"
TEXT = ("ЛС;ФИО;Адрес\r\n"
        "01-000001;ИВАНОВ ИВАН ИВАНОВИЧ;г. Энск, ул. Ленина, д. 1\r\n"
        "01-000002;Петрова Анна Сергеевна;\"г. Энск,\r\nул. Мира, д. 5\"\r\n"
        "01-000003;Съедин Лёва Юрьевич;с. Ивановка, ул. Садовая, д. 12\r\n")
DELIMITED = REGISTRY["delimited"]


def read(folder: Path, chunk_rows: int = 50_000, **options) -> pd.DataFrame:
    frames = list(DELIMITED.read({"file": "data.csv", **options}, folder, set(), chunk_rows))
    return pd.concat(frames, ignore_index=True)


@pytest.mark.parametrize(("encoding", "written"), [
    ("cp1251", "cp1251"), ("cp866", "cp866"), ("koi8-r", "koi8-r"), ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"),
])
def test_auto_detects_the_encoding_and_reports_it(tmp_path, encoding, written):
    (tmp_path / "data.csv").write_bytes(TEXT.encode(written))
    assert detect_encoding(tmp_path / "data.csv") == encoding
    frame = read(tmp_path, encoding="auto")
    assert frame["ФИО"].tolist() == ["ИВАНОВ ИВАН ИВАНОВИЧ", "Петрова Анна Сергеевна", "Съедин Лёва Юрьевич"]
    assert DELIMITED.details({"file": "data.csv", "encoding": "auto"}, tmp_path) == {"encoding": f"{encoding} (detected)"}


def test_the_sample_is_detected_as_cp1251():
    assert detect_encoding(SAMPLE / "abonent.csv") == "cp1251"
    assert detect_encoding(SAMPLE / "saldo.csv") == "cp1251"


@pytest.mark.parametrize("separator", [";", "|", "\t", ","])
def test_separators_and_a_quoted_newline(tmp_path, separator):
    text = TEXT.replace(";", separator) if separator != "," else TEXT.replace(",", "@").replace(";", ",").replace("@", ",")
    if separator == ",":  # commas inside addresses must then be quoted
        text = ("ЛС,ФИО,Адрес\r\n01-000001,ИВАНОВ ИВАН ИВАНОВИЧ,\"г. Энск, ул. Ленина, д. 1\"\r\n"
                "01-000002,Петрова Анна Сергеевна,\"г. Энск,\r\nул. Мира, д. 5\"\r\n")
    (tmp_path / "data.csv").write_text(text, encoding="utf-8", newline="")
    frame = read(tmp_path, separator=separator)
    assert frame["Адрес"].iloc[1] == "г. Энск,\r\nул. Мира, д. 5"
    assert frame["_row"].tolist()[:2] == [2, 3]


def test_comment_and_title_lines_are_skipped(tmp_path):
    (tmp_path / "data.csv").write_text("Выгрузка от 31.10.2026\n" + TEXT.replace("\r\n01-000003", "\r\n# итог\r\n01-000003"),
                                       encoding="utf-8")
    frame = read(tmp_path, skip_rows=1, comment="#")
    assert frame["ЛС"].tolist() == ["01-000001", "01-000002", "01-000003"]
    assert frame["_row"].tolist() == [3, 4, 6]  # the title is row 1, the header row 2


def test_chunked_reading_gives_exactly_the_unchunked_frame():
    whole = read(SAMPLE.parent / "sample_legacy", chunk_rows=1_000_000, file="saldo.csv", encoding="cp1251")
    frames = list(DELIMITED.read({"file": "saldo.csv", "encoding": "cp1251"}, SAMPLE, set(), 1_000))
    assert len(frames) == -(-len(whole) // 1_000)
    assert max(len(f) for f in frames) == 1_000
    pd.testing.assert_frame_equal(pd.concat(frames, ignore_index=True), whole)


# Row by row, as ``_row`` numbers them: the title (not a record: skip_rows), the header, then
# records 3-10: read 3, 6 (a quoted value on two lines), 7; blank 4 (an empty line), 8 and 10
# (";;;;", more fields than the header), 9 (";;", as many); comment 5.
TALLIED = ("Выгрузка от 31.10.2026\r\n"
           "ЛС;ФИО;Адрес\r\n"
           "01-000001;ИВАНОВ ИВАН ИВАНОВИЧ;г. Энск, ул. Ленина, д. 1\r\n"
           "\r\n"
           "# итог по участку 1\r\n"
           "01-000002;Петрова Анна Сергеевна;\"г. Энск,\r\nул. Мира, д. 5\"\r\n"
           "01-000003;Съедин Лёва Юрьевич;с. Ивановка, ул. Садовая, д. 12\r\n"
           ";;;;\r\n"
           ";;\r\n"
           ";;;;\r\n")


@pytest.mark.parametrize("chunk_rows", [1, 2, 50_000])
def test_the_tally_accounts_for_every_record_after_the_header(tmp_path, chunk_rows):
    (tmp_path / "data.csv").write_text(TALLIED, encoding="utf-8", newline="")
    tally = RecordTally()
    frames = list(DELIMITED.read({"file": "data.csv", "skip_rows": 1, "comment": "#"}, tmp_path, set(), chunk_rows,
                                 tally=tally))
    rows = pd.concat(frames, ignore_index=True)["_row"].tolist()
    assert rows == [3, 6, 7]
    assert (tally.records, tally.read, tally.blank, tally.comments, tally.deleted) == (8, 3, 4, 1, 0)
    assert tally.blank_rows == [4, 8, 9, 10] and tally.deleted_rows == []
    assert tally.records == tally.read + tally.blank + tally.deleted + tally.comments
    assert tally.read == len(rows)


def test_without_a_comment_option_a_comment_line_is_a_record(tmp_path):
    (tmp_path / "data.csv").write_text("ЛС;Сумма\n# итог;10\n01-000001;5\n", encoding="utf-8")
    tally = RecordTally()
    frame = pd.concat(DELIMITED.read({"file": "data.csv"}, tmp_path, set(), 100, tally=tally))
    assert frame["ЛС"].tolist() == ["# итог", "01-000001"]
    assert tally.to_dict() == {"records": 2, "read": 2, "blank": 0, "blank_rows": [], "deleted": 0,
                               "deleted_rows": [], "comments": 0}
