"""Sources that lie about themselves are refused before anything is loaded, and the previous
dry run stays in the target untouched.

The tables are copies of the shipped ``sample_data/dbf_legacy`` (cp866, the headers say so),
changed here the way real exports go wrong:

| table | change | what a run did before |
|---|---|---|
| ``LIC.DBF`` (61 records, no end-of-file byte) | header count 60 or 62 | read 60 silently, or failed at record 62 |
| ``POKAZ.DBF`` (589 records, an end-of-file byte 0x1A) | header count 588 or 590 | the same |
| ``LIC.DBF`` | 3 bytes appended | ignored them |
| ``LIC.DBF``, ``POKAZ.DBF`` | text re-encoded to UTF-8 or cp1251, header still cp866 | read mojibake: every person rejected, the target replaced |

The text files: ``payers.csv`` (``PAYERS``: 120 payers, their surnames and streets) written in
UTF-8 or cp866 and declared cp1251 (its header has no ``И``, whose UTF-8 bytes d0 98 cp1251
cannot decode: a header that does not decode stops the run at line 1 as before);
``sample_data/sample_legacy/abonent.csv`` (cp1251) declared cp866 or koi8-r, and re-encoded to
cp866 in a copy of the sample.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import dbfread
import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from support import ROOT, SAMPLE, accepting_sample_dirt, write_project

from cutover.cli import cli
from cutover.errors import ExtractError
from cutover.extract import REGISTRY
from cutover.extract.encoding import misread
from cutover.schema.tables import target_metadata
from cutover.target import db, runs

DBF_LEGACY = ROOT / "sample_data" / "dbf_legacy"
DBF, DELIMITED = REGISTRY["dbf"], REGISTRY["delimited"]
FIT_HINT = "was it copied while the legacy program had it open? Copy it again with the program closed"


def copy_dbf_legacy(folder: Path) -> Path:
    extract = folder / "extract"
    shutil.copytree(DBF_LEGACY, extract)
    return extract


def set_record_count(path: Path, count: int) -> None:
    """Write ``count`` into the header's record count (bytes 4-7), as a program that crashed would leave it."""
    table = bytearray(path.read_bytes())
    table[4:8] = count.to_bytes(4, "little")
    path.write_bytes(bytes(table))


def reencode(path: Path, encoding: str) -> None:
    """Re-encode the text (C) fields of a cp866 table to ``encoding``, each value cut to its field's
    width on a character boundary, the header's code page byte left saying cp866."""
    table = dbfread.DBF(str(path), raw=True, ignorecase=False)
    fields, start = [], 1
    for field in table.fields:
        if field.type == "C":
            fields.append((start, start + field.length))
        start += field.length
    data = bytearray(path.read_bytes())
    first, size = table.header.headerlen, table.header.recordlen
    for number in range(table.header.numrecords):
        offset = first + number * size
        for begin, end in fields:
            text, written = bytes(data[offset + begin:offset + end]).decode("cp866").rstrip(" "), b""
            for char in text:
                if len(written + char.encode(encoding)) > end - begin:
                    break
                written += char.encode(encoding)
            data[offset + begin:offset + end] = written.ljust(end - begin)
    path.write_bytes(bytes(data))


def dry_run(folder: Path, mapping: str, extra: str = ""):
    write_project(folder, mapping, "extract", target_url=f"sqlite:///{folder / 'target.db'}", extra=extra)
    return CliRunner().invoke(cli, ["--project", str(folder), "dry-run"], catch_exceptions=False)


def target_state(folder: Path) -> tuple[dict[str, int], str | None]:
    """Rows per table of the target (less the run journal, which records the refused run too) and
    the dry run whose rows it holds."""
    engine = db.create_target_engine(f"sqlite:///{folder / 'target.db'}")
    try:
        with engine.connect() as connection:
            counts = {name: connection.execute(sa.select(sa.func.count()).select_from(table)).scalar()
                      for name, table in target_metadata().tables.items() if name != "run"}
            return counts, runs.loaded_run(connection)
    finally:
        engine.dispose()


# --- A DBF header's record count against the file -------------------------------------------

@pytest.mark.parametrize(("table", "records", "length", "record_length", "header_length"), [
    ("LIC.DBF", 61, 7451, 111, 680),  # no end-of-file byte
    ("POKAZ.DBF", 589, 35566, 60, 225),  # an end-of-file byte 0x1A
])
@pytest.mark.parametrize("off_by", [-1, 1])
def test_a_header_count_that_disagrees_with_the_file_is_refused_naming_both(tmp_path, table, records, length,
                                                                            record_length, header_length, off_by):
    extract = copy_dbf_legacy(tmp_path)
    set_record_count(extract / table, records + off_by)
    with pytest.raises(ExtractError) as error:
        DBF.header({"file": table}, extract)
    assert str(error.value) == (
        f"{extract / table}: the header says {records + off_by} records, the file holds {records} (length {length} "
        f"bytes, record length {record_length}, header {header_length} bytes); {FIT_HINT}")


def test_bytes_after_the_records_that_are_no_end_marker_are_refused(tmp_path):
    extract = copy_dbf_legacy(tmp_path)
    with (extract / "LIC.DBF").open("ab") as table:
        table.write(b"\x1a\x1a\x00")
    with pytest.raises(ExtractError) as error:
        list(DBF.read({"file": "LIC.DBF"}, extract, {"LCHET"}, 1000))
    assert str(error.value) == (
        f"{extract / 'LIC.DBF'}: the header says 61 records, the file holds 61 and 3 bytes more (length 7454 bytes, "
        f"record length 111, header 680 bytes); {FIT_HINT}")


def test_a_header_count_one_below_leaves_the_previous_dry_run_untouched(tmp_path):
    extract = copy_dbf_legacy(tmp_path)
    assert dry_run(tmp_path, "dbf_legacy").exit_code == 0
    before = target_state(tmp_path)
    set_record_count(extract / "LIC.DBF", 52)  # 9 accounts, their meters and balances would be gone
    result = dry_run(tmp_path, "dbf_legacy")
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {extract / 'LIC.DBF'}: the header says 52 records, the file holds 61 (length 7451 bytes, "
        f"record length 111, header 680 bytes); {FIT_HINT}\n")
    assert target_state(tmp_path) == before


def test_a_file_that_is_no_dbf_table_is_refused_without_its_bytes(tmp_path):
    (tmp_path / "LIC.DBF").write_bytes(b"\x03" + b"\x00" * 31 + b"SECRETNAME\x00Kxxxx" + b"\x00" * 15 + b"\r")
    with pytest.raises(ExtractError) as error:
        DBF.header({"file": "LIC.DBF"}, tmp_path)
    assert str(error.value) == (
        f"{tmp_path / 'LIC.DBF'}: not a readable DBF file (a field descriptor names a type dBase and FoxPro do not "
        f"write); is the file truncated or not a DBF table?")
    assert "SECRET" not in str(error.value) and "'K'" not in str(error.value)


# --- Text that decodes but reads as another code page ----------------------------------------

REENCODED = {  # table, encoding -> the counts the message gives
    ("LIC.DBF", "utf-8"): "180 of 180 sampled text values read as Russian in utf-8, 0 in cp866",
    ("LIC.DBF", "cp1251"): "180 of 180 sampled text values read as Russian in cp1251, 0 in cp866",
    ("POKAZ.DBF", "utf-8"): "232 of 232 sampled text values read as Russian in utf-8, 0 in cp866",
    ("POKAZ.DBF", "cp1251"): "232 of 232 sampled text values read as Russian in cp1251, 0 in cp866",
}


@pytest.mark.parametrize(("table", "encoding"), sorted(REENCODED))
def test_a_cp866_table_re_encoded_is_refused_naming_both_code_pages(tmp_path, table, encoding):
    extract = copy_dbf_legacy(tmp_path)
    reencode(extract / table, encoding)
    with pytest.raises(ExtractError) as error:
        list(DBF.read({"file": table}, extract, set(), 1000))
    assert str(error.value) == (
        f"{extract / table}: the header says cp866, but the text reads as {encoding} "
        f"({REENCODED[table, encoding]}); was the table re-encoded? Export it again in cp866, or set "
        f"encoding = \"{encoding}\" in the mapping's system.toml if that is how the table is written")


def test_an_encoding_the_mapping_gives_is_judged_too(tmp_path):
    extract = copy_dbf_legacy(tmp_path)
    with pytest.raises(ExtractError) as error:
        DBF.header({"file": "LIC.DBF", "encoding": "cp1251"}, extract)
    assert str(error.value).startswith(
        f"{extract / 'LIC.DBF'}: the mapping says encoding = \"cp1251\", but the text reads as cp866 (180 of 180 ")
    assert DBF.header({"file": "LIC.DBF", "encoding": "cp866"}, extract)[:2] == ["LCHET", "FAM"]


@pytest.mark.parametrize("encoding", ["utf-8", "cp1251"])
def test_a_re_encoded_table_leaves_the_previous_dry_run_untouched(tmp_path, encoding):
    extract = copy_dbf_legacy(tmp_path)
    assert dry_run(tmp_path, "dbf_legacy").exit_code == 0
    before = target_state(tmp_path)
    assert before[0]["person"] > 0 and before[1] is not None
    reencode(extract / "LIC.DBF", encoding)
    result = dry_run(tmp_path, "dbf_legacy")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {extract / 'LIC.DBF'}: the header says cp866, but the text reads as "
                                    f"{encoding} (")
    assert target_state(tmp_path) == before


def copy_sample(folder: Path) -> Path:
    extract = folder / "extract"
    shutil.copytree(SAMPLE, extract)
    return extract


PAYERS = ["ЛС;Фамилия;Улица"] + [f"{100 + n};{surname};{street}" for n, (surname, street) in enumerate(
    [("Иванова", "ул. Ленина"), ("Шевчук", "пр-кт Мира"), ("Ёлкин", "ул. Садовая"), ("Щукина", "пер. Тихий")] * 30)]


def test_a_utf_8_file_declared_cp1251_is_refused_naming_both_code_pages(tmp_path):
    path = tmp_path / "payers.csv"  # UTF-8; the И of "Иванова" (d0 98) is a byte cp1251 cannot decode
    path.write_text("\r\n".join(PAYERS) + "\r\n", encoding="utf-8")
    with pytest.raises(ExtractError) as error:
        list(DELIMITED.read({"file": "payers.csv", "encoding": "cp1251"}, tmp_path, set(), 50_000))
    assert str(error.value) == (
        f"{path}: the mapping says encoding = \"cp1251\", but the text reads as utf-8 (121 of 121 sampled "
        f"text values read as Russian in utf-8, 0 in cp1251); set encoding = \"utf-8\" in the mapping's system.toml")


def test_a_cp866_file_declared_cp1251_is_refused_naming_both_code_pages(tmp_path):
    path = tmp_path / "payers.csv"  # a DOS export: every byte of it decodes as cp1251 but the Ш (0x98)
    path.write_bytes(("\r\n".join(PAYERS) + "\r\n").encode("cp866"))
    with pytest.raises(ExtractError) as error:
        DELIMITED.header({"file": "payers.csv", "encoding": "cp1251"}, tmp_path)
    assert str(error.value) == (
        f"{path}: the mapping says encoding = \"cp1251\", but the text reads as cp866 (121 of 121 sampled "
        f"text values read as Russian in cp866, 0 in cp1251); set encoding = \"cp866\" in the mapping's system.toml")


@pytest.mark.parametrize("declared", ["cp866", "koi8-r"])
def test_a_cp1251_file_declared_in_another_single_byte_code_page_is_refused(tmp_path, declared):
    with pytest.raises(ExtractError, match=rf"abonent\.csv: the mapping says encoding = \"{declared}\", but the text "
                                           rf"reads as cp1251 \(\d+ of 502 sampled text values"):
        DELIMITED.header({"file": "abonent.csv", "encoding": declared}, SAMPLE)


def test_a_refused_text_file_leaves_the_previous_dry_run_untouched(tmp_path):
    extract = copy_sample(tmp_path)
    extra = accepting_sample_dirt("")
    assert dry_run(tmp_path, "sample_legacy", extra).exit_code == 0
    before = target_state(tmp_path)
    abonent = extract / "abonent.csv"
    abonent.write_bytes(abonent.read_text(encoding="cp1251").encode("cp866", errors="replace"))  # from DOS
    result = dry_run(tmp_path, "sample_legacy", extra)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {abonent}: the mapping says encoding = \"cp1251\", but the text "
                                    f"reads as cp866 (")
    assert target_state(tmp_path) == before


@pytest.mark.parametrize(("name", "encoding"), [
    *[(f"sample_legacy/{p.name}", "cp1251") for p in sorted(SAMPLE.glob("*.csv"))],
    *[(f"dbf_legacy/{p.name}", None) for p in sorted(DBF_LEGACY.glob("*.DBF"))],
])
def test_the_shipped_sources_read_as_they_are_declared(name, encoding):
    system, file = name.split("/")
    extractor = DBF if file.endswith(".DBF") else DELIMITED
    options = {"file": file} | ({"encoding": encoding} if encoding else {})
    assert extractor.header(options, ROOT / "sample_data" / system)


def test_numbers_and_latin_text_pass_whatever_the_code_page(tmp_path):
    lines = ["id;amount;note"] + [f"{n};{n * 37}\xa0{n:03d},50;paid {n}" for n in range(1, 500)]
    (tmp_path / "pay.csv").write_bytes("\r\n".join(lines).encode("cp1251"))
    for declared in ("cp1251", "cp866", "koi8-r"):  # the no-break space reads as "а" in cp866: no evidence
        assert DELIMITED.header({"file": "pay.csv", "encoding": declared}, tmp_path) == ["id", "amount", "note"]


def test_a_little_cyrillic_is_too_little_to_judge():
    values = ["Иванов Иван".encode("utf-8")] * 19 + [b"12345"] * 1000
    assert misread(values, "cp1251") is None
    found = misread(values + ["Петров Пётр".encode("utf-8")], "cp1251")
    assert (found.reads_as, found.values, found.as_read) == ("utf-8", 20, 20)


# --- Delimited files that are no such export, and a quote left open ---------------------------

def test_a_file_without_any_column_the_mapping_reads_is_named_without_its_first_line(tmp_path):
    (tmp_path / "usluga.csv").write_text("root:x:0:0:root:/root:/bin/bash\nsecond:line\n", encoding="utf-8")
    with pytest.raises(ExtractError) as error:
        list(DELIMITED.read({"file": "usluga.csv"}, tmp_path, {"Код", "Наименование"}, 1000))
    assert str(error.value) == (
        f"{tmp_path / 'usluga.csv'}: no column(s) ['Код', 'Наименование']: the header row has 1 field, none of them a "
        f"column the mapping reads; is it the right file, separated by ';'?")


def test_a_field_larger_than_the_limit_names_its_own_row(tmp_path):
    lines = ["Код;Наименование", "01;Холодное водоснабжение", '02;"Горячее водоснабжение']  # row 3 opens a quote
    lines += [f"{n:02d};Услуга {n}" for n in range(3, 20_000)]
    path = tmp_path / "usluga.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert path.stat().st_size > csv.field_size_limit()
    with pytest.raises(ExtractError) as error:
        list(DELIMITED.read({"file": "usluga.csv"}, tmp_path, {"Код"}, 1000))
    assert str(error.value) == (
        f"{path}: row 3: field larger than field limit ({csv.field_size_limit()}); is the file truncated or a quote "
        f"left open?")


def test_a_quote_left_open_to_the_end_names_its_own_row(tmp_path):
    path = tmp_path / "usluga.csv"
    path.write_text('Код;Наименование\n01;Холодное\n02;"Горячее\n03;Отопление\n', encoding="utf-8")
    with pytest.raises(ExtractError) as error:
        list(DELIMITED.read({"file": "usluga.csv"}, tmp_path, {"Код"}, 1000))
    assert str(error.value) == f"{path}: row 3: unexpected end of data; is the file truncated or a quote left open?"


def test_a_file_read_as_the_default_utf_8_says_the_mapping_gave_none(tmp_path):
    path = tmp_path / "payers.csv"  # an ASCII header, cp1251 below it
    path.write_bytes(("\r\n".join(["id;surname;street", *PAYERS[1:]]) + "\r\n").encode("cp1251"))
    with pytest.raises(ExtractError) as error:
        DELIMITED.header({"file": "payers.csv"}, tmp_path)
    assert str(error.value) == (
        f"{path}: the mapping gives no encoding (so utf-8), but the text reads as cp1251 (120 of 120 sampled text "
        f"values read as Russian in cp1251, 0 in utf-8); set encoding = \"cp1251\" in the mapping's system.toml")
