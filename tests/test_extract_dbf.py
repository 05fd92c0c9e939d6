"""The DBF extractor on tables written by the ``dbf`` library in tmp_path.

The table ``LIC.DBF`` used by most tests (cp866, FoxPro with a memo file) holds four
records; record 2 is deleted, so the extractor gives records 1, 3 and 4 with those numbers:

| record | FAM | SUMMA N(12,2) | KOL N(5,0) | DATA | PRIV | PRIM (memo) |
|---|---|---|---|---|---|---|
| 1 | Иванов | 1234.56 | 3 | 2026-10-01 | T | two lines |
| 2 (deleted) | Удалённый | 1.00 | 1 | - | - | - |
| 3 | Ёлкина | -0.50 | - | - | F | - |
| 4 | Щукин | 0.00 | 0 | 1999-12-31 | - | a 700-character memo |

The tally tests write ``LIC.DBF`` with blank records among them (``APPEND BLANK`` as the ``dbf``
library does it: spaces, and ``?`` in the logical field; record 7 as FoxPro does it, a space
there too):

| record | what it is | counted |
|---|---|---|
| 1 | Иванов | read |
| 2 | Удалённый, deleted | deleted |
| 3 | blank | blank |
| 4 | Ёлкина | read |
| 5 | blank and deleted | deleted |
| 6 | every field blank but KOL, which holds 0 | read |
| 7 | blank, a space in PRIV | blank |
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import dbf
import pandas as pd
import pytest

from cutover.errors import ExtractError, MappingError
from cutover.extract import REGISTRY, RecordTally

EXTRACTOR = REGISTRY["dbf"]
SPEC = "FAM C(20); SUMMA N(12,2); KOL N(5,0); DATA D; PRIV L; PRIM M"
LONG_MEMO = "Примечание " * 63 + "конец"
RECORDS = [
    ("Иванов", Decimal("1234.56"), 3, datetime.date(2026, 10, 1), True, "Первая строка\r\nвторая строка"),
    ("Удалённый", Decimal("1.00"), 1, None, None, ""),
    ("Ёлкина", Decimal("-0.50"), None, None, False, ""),
    ("Щукин", Decimal("0.00"), 0, datetime.date(1999, 12, 31), None, LONG_MEMO),
]
COLUMNS = ["FAM", "SUMMA", "KOL", "DATA", "PRIV", "PRIM"]


def write_table(path: Path, spec: str = SPEC, records=RECORDS, deleted=(1,), dbf_type: str = "fp",
                codepage: str = "cp866") -> Path:
    """Write a DBF table (and its memo file) with the ``dbf`` library; ``deleted`` are 0-based."""
    table = dbf.Table(str(path), spec, codepage=codepage, dbf_type=dbf_type)
    table.open(dbf.READ_WRITE)
    try:
        for record in records:
            table.append(record)
        for index in deleted:
            with table[index] as record:
                dbf.delete(record)
    finally:
        table.close()
    return path


def patch_field(path: Path, record: int, offset: int, data: bytes) -> None:
    """Overwrite bytes of record ``record`` (1-based) from ``offset`` (0 = the deletion flag)."""
    table = bytearray(path.read_bytes())
    header_length = int.from_bytes(table[8:10], "little")
    record_length = int.from_bytes(table[10:12], "little")
    start = header_length + (record - 1) * record_length + offset
    table[start:start + len(data)] = data
    path.write_bytes(bytes(table))


def patch_header(path: Path, offset: int, data: bytes) -> None:
    table = bytearray(path.read_bytes())
    table[offset:offset + len(data)] = data
    path.write_bytes(bytes(table))


def read(source_dir: Path, needed=frozenset(), chunk_rows: int = 1000, **options) -> pd.DataFrame:
    options.setdefault("file", "LIC.DBF")
    chunks = list(EXTRACTOR.read(options, source_dir, set(needed), chunk_rows))
    return pd.concat(chunks, ignore_index=True)


@pytest.fixture
def lic(tmp_path) -> Path:
    write_table(tmp_path / "LIC.DBF")
    return tmp_path


@pytest.mark.parametrize("dbf_type", ["fp", "db3"], ids=["foxpro-fpt", "dbase3-dbt"])
def test_values_arrive_as_exact_text(tmp_path, dbf_type):
    write_table(tmp_path / "LIC.DBF", dbf_type=dbf_type)
    frame = read(tmp_path, needed=set(COLUMNS))
    assert list(frame.columns) == ["_row", *COLUMNS]
    assert frame["_row"].dtype == "int64"
    assert all(frame[name].dtype == "str" for name in COLUMNS)
    assert frame.to_dict("records") == [
        {"_row": 1, "FAM": "Иванов", "SUMMA": "1234.56", "KOL": "3", "DATA": "2026-10-01", "PRIV": "1",
         "PRIM": "Первая строка\r\nвторая строка"},
        {"_row": 3, "FAM": "Ёлкина", "SUMMA": "-0.50", "KOL": "", "DATA": "", "PRIV": "0", "PRIM": ""},
        {"_row": 4, "FAM": "Щукин", "SUMMA": "0.00", "KOL": "0", "DATA": "1999-12-31", "PRIV": "", "PRIM": LONG_MEMO},
    ]


def test_the_encoding_comes_from_the_header_unless_given(lic):
    assert read(lic)["FAM"].tolist() == ["Иванов", "Ёлкина", "Щукин"]
    # cp1251 decodes the same bytes to other letters: the option wins over the header.
    assert read(lic, encoding="cp1251")["FAM"].tolist()[1] == "Ёлкина".encode("cp866").decode("cp1251")


def test_a_cp1251_table_says_so_in_its_header(tmp_path):
    write_table(tmp_path / "LIC.DBF", codepage="cp1251")
    assert read(tmp_path)["FAM"].tolist() == ["Иванов", "Ёлкина", "Щукин"]


def test_deleted_records_are_skipped_and_keep_their_numbers(tmp_path):
    write_table(tmp_path / "LIC.DBF", deleted=(0, 1))
    frame = read(tmp_path)
    assert frame["_row"].tolist() == [3, 4]
    assert frame["FAM"].tolist() == ["Ёлкина", "Щукин"]


BLANK = ()  # what dbf's Table.append gets for APPEND BLANK
TALLIED = [RECORDS[0], RECORDS[1], BLANK, RECORDS[2], BLANK, ("", None, 0, None, None, ""), BLANK]
PRIV_OFFSET = 1 + 20 + 12 + 5 + 8  # after the flag, FAM, SUMMA, KOL and DATA


@pytest.mark.parametrize("chunk_rows", [1, 1000])
def test_the_tally_counts_deleted_and_blank_records_with_their_numbers(tmp_path, chunk_rows):
    write_table(tmp_path / "LIC.DBF", records=TALLIED, deleted=(1, 4))
    patch_field(tmp_path / "LIC.DBF", 7, PRIV_OFFSET, b" ")
    tally = RecordTally()
    frame = pd.concat(EXTRACTOR.read({"file": "LIC.DBF"}, tmp_path, set(), chunk_rows, tally=tally),
                      ignore_index=True)
    assert frame["_row"].tolist() == [1, 4, 6]
    assert frame["FAM"].tolist() == ["Иванов", "Ёлкина", ""] and frame["KOL"].tolist() == ["3", "", "0"]
    assert (tally.records, tally.read, tally.deleted, tally.blank, tally.comments) == (7, 3, 2, 2, 0)
    assert tally.deleted_rows == [2, 5] and tally.blank_rows == [3, 7]
    assert tally.records == tally.read + tally.blank + tally.deleted + tally.comments
    assert tally.read == len(frame)


def test_blank_records_are_skipped_without_a_tally_too(tmp_path):
    write_table(tmp_path / "LIC.DBF", records=TALLIED, deleted=(1, 4))
    assert read(tmp_path)["_row"].tolist() == [1, 4, 6]


def test_binary_fields_of_a_blank_visual_foxpro_record_hold_zero_bytes(tmp_path):
    write_table(tmp_path / "LIC.DBF", "FAM C(10); KOD I; DENGI Y; PRIV L; PRIM M",
                [("Иванов", 1, Decimal("2.50"), True, "memo"), BLANK, ("", 7, None, None, "")], deleted=(),
                dbf_type="vfp")
    tally = RecordTally()
    frame = pd.concat(EXTRACTOR.read({"file": "LIC.DBF"}, tmp_path, set(), 1000, tally=tally), ignore_index=True)
    assert frame[["_row", "KOD", "DENGI"]].values.tolist() == [[1, "1", "2.5000"], [3, "7", "0.0000"]]
    assert tally.to_dict() == {"records": 3, "read": 2, "blank": 1, "blank_rows": [2], "deleted": 0,
                               "deleted_rows": [], "comments": 0}


@pytest.mark.parametrize("chunk_rows", [1, 2, 3])
def test_chunks_hold_at_most_chunk_rows_and_add_up_to_the_whole(lic, chunk_rows):
    chunks = list(EXTRACTOR.read({"file": "LIC.DBF"}, lic, set(), chunk_rows))
    assert all(len(chunk) <= chunk_rows for chunk in chunks)
    pd.testing.assert_frame_equal(pd.concat(chunks, ignore_index=True), read(lic, chunk_rows=1000))


def test_many_records_stream_in_chunks(tmp_path):
    records = [(f"Абонент {n}", Decimal(n) / 100, n, None, n % 2 == 0, "") for n in range(2500)]
    write_table(tmp_path / "LIC.DBF", records=records, deleted=(7, 2000))
    chunks = list(EXTRACTOR.read({"file": "LIC.DBF"}, tmp_path, {"SUMMA"}, 1000))
    assert [len(chunk) for chunk in chunks] == [1000, 1000, 498]
    whole = pd.concat(chunks, ignore_index=True)
    assert whole["_row"].iloc[7] == 9 and whole["SUMMA"].iloc[7] == "0.08"
    assert whole["SUMMA"].iloc[-1] == "24.99"


def test_header_describe_and_details_give_the_fields_the_file_and_the_encoding(lic):
    assert EXTRACTOR.header({"file": "LIC.DBF"}, lic) == COLUMNS
    assert EXTRACTOR.describe({"file": "LIC.DBF"}, lic) == "LIC.DBF"
    assert EXTRACTOR.details({"file": "LIC.DBF"}, lic) == {"encoding": "cp866 (from the DBF header)"}
    assert EXTRACTOR.details({"file": "LIC.DBF", "encoding": "cp1251"}, lic) == {"encoding": "cp1251"}


def test_a_missing_file_names_it(tmp_path):
    with pytest.raises(ExtractError) as error:
        read(tmp_path)
    assert str(error.value) == f"{tmp_path / 'LIC.DBF'}: file not found"


def test_a_missing_column_names_the_file_and_lists_the_fields(lic):
    with pytest.raises(ExtractError) as error:
        read(lic, needed={"FAM", "LCHET"})
    assert str(error.value) == f"{lic / 'LIC.DBF'}: no column(s) ['LCHET']; it has {COLUMNS}"


def test_a_missing_memo_file_names_both_files(lic):
    (lic / "LIC.FPT").unlink()
    with pytest.raises(ExtractError) as error:
        read(lic)
    assert str(error.value) == (
        f"{lic / 'LIC.DBF'}: memo file not found: the table has memo fields, whose text is kept in "
        "LIC.FPT or LIC.DBT beside it; copy that file together with LIC.DBF")


def test_a_truncated_file_names_the_record_where_it_ends(lic):
    path = lic / "LIC.DBF"
    data = path.read_bytes()
    path.write_bytes(data[:len(data) - 30])  # the end-of-file marker and part of record 4
    with pytest.raises(ExtractError) as error:
        read(lic)
    assert str(error.value) == (
        f"{path}: the header announces 4 records, but the file ends inside record 4; is the file truncated?")


def test_a_file_cut_inside_its_header_is_not_a_readable_dbf(lic):
    path = lic / "LIC.DBF"
    path.write_bytes(path.read_bytes()[:20])
    with pytest.raises(ExtractError, match=r"LIC\.DBF: not a readable DBF file \(.*\); is the file truncated"):
        read(lic)


def test_an_undecodable_byte_names_the_record_field_and_byte(lic):
    with pytest.raises(ExtractError) as error:
        read(lic, encoding="utf-8")
    assert str(error.value) == (
        f"{lic / 'LIC.DBF'}: record 1, field FAM: byte 0x88 cannot be read as utf-8; is the file in "
        "another encoding? Set encoding in the mapping's system.toml")


def test_an_unknown_encoding_name_is_an_error_naming_the_file(lic):
    with pytest.raises(ExtractError) as error:
        read(lic, encoding="cp-866")
    assert str(error.value) == (
        f"{lic / 'LIC.DBF'}: 'cp-866' is not an encoding Python knows; give one such as \"cp866\" or \"cp1251\", "
        "or leave encoding out to use the code page the DBF header names")


def test_a_header_without_a_code_page_asks_for_the_encoding(lic):
    path = lic / "LIC.DBF"
    patch_header(path, 29, b"\x00")  # the language driver byte: "not said"
    with pytest.raises(ExtractError) as error:
        read(lic)
    assert str(error.value) == (
        f"{path}: the header does not say which code page its text is in (language driver byte 0x00); "
        "set encoding in the mapping's system.toml, e.g. encoding = \"cp866\" for a DOS export")
    assert read(lic, encoding="cp866")["FAM"].tolist() == ["Иванов", "Ёлкина", "Щукин"]


def test_auto_takes_the_header_code_page_and_guesses_only_when_it_names_none(tmp_path):
    records = [(f"{surname} {name}", Decimal("1.00"), 1, None, None, "") for surname, name in
               [("Смирнова", "Ольга"), ("Кузнецов", "Сергей"), ("Никитина", "Светлана"), ("Орлов", "Константин")] * 20]
    write_table(tmp_path / "LIC.DBF", records=records, deleted=())
    assert EXTRACTOR.details({"file": "LIC.DBF", "encoding": "auto"}, tmp_path) == {
        "encoding": "cp866 (from the DBF header)"}
    patch_header(tmp_path / "LIC.DBF", 29, b"\x00")
    assert EXTRACTOR.details({"file": "LIC.DBF", "encoding": "auto"}, tmp_path) == {"encoding": "cp866 (detected)"}
    assert read(tmp_path, encoding="auto")["FAM"].tolist()[:2] == ["Смирнова Ольга", "Кузнецов Сергей"]


def test_a_damaged_record_marker_names_the_record(lic):
    path = lic / "LIC.DBF"
    patch_field(path, 3, 0, b"#")
    with pytest.raises(ExtractError) as error:
        read(lic)
    assert str(error.value) == f"{path}: record 3 starts with byte 0x23, not a record marker; the file is damaged"


def test_an_unreadable_date_is_passed_on_for_the_mapping_to_reject(lic):
    patch_field(lic / "LIC.DBF", 1, 1 + 20 + 12 + 5, b"2026  1 ")  # after the flag, FAM, SUMMA, KOL
    assert read(lic)["DATA"].tolist()[0] == "2026  1"


def test_text_keeps_its_leading_spaces_and_numbers_their_padding_is_dropped(lic):
    patch_field(lic / "LIC.DBF", 1, 1, "  Иванов".encode("cp866").ljust(20) + b"   1 234.50 ".rjust(12))
    frame = read(lic)
    assert (frame["FAM"].iloc[0], frame["SUMMA"].iloc[0]) == ("  Иванов", "1 234.50")


def test_a_dbf_source_is_checked_when_the_mapping_loads(tmp_path):
    from cutover.mapping.model import SOURCE_OPTIONS, load_mapping

    assert SOURCE_OPTIONS["dbf"] == {"file": str, "encoding": str}
    folder = tmp_path / "m"
    (folder / "entities").mkdir(parents=True)
    (folder / "system.toml").write_text(
        '[system]\nname = "m"\n[sources.lic]\nformat = "dbf"\nfile = "LIC.DBF"\nseparator = ";"\n', encoding="utf-8")
    with pytest.raises(MappingError, match=r"sources\.lic\.separator: unknown option for a dbf source"):
        load_mapping(folder)
