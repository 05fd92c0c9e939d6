"""Sources that lie about themselves are refused before anything is loaded, and the previous
dry run stays in the target untouched.

The tables are copies of the shipped ``sample_data/dbf_legacy`` (cp866, the headers say so),
changed here the way real exports go wrong:

| table | change | what a run did before |
|---|---|---|
| ``LIC.DBF`` (61 records, no end-of-file byte) | header count 60 or 62 | read 60 silently, or failed at record 62 |
| ``POKAZ.DBF`` (589 records, an end-of-file byte 0x1A) | header count 588 or 590 | the same |
| ``LIC.DBF`` | 3 bytes appended | ignored them |
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from cutover import db, runs
from cutover.cli import cli
from cutover.errors import ExtractError
from cutover.extract import REGISTRY
from cutover.schema.tables import target_metadata
from support import ROOT, write_project

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

