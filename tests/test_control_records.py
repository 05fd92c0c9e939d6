"""Every physical record of every source of the four shipped systems accounted for:
records = read + blank + deleted + comments, and for each entity built from a source, its
records read = filtered + made no row + made rows, the rows loaded + rejected.

The physical counts are taken here, independently of the extractors: the lines of the text
files (and the generator's counts in expected.json), the record count in the DBF header and
its ``*`` flags, the rows of each sheet as openpyxl sees them, ``COUNT(*)`` in the legacy
database. An unpivot's rows are the non-blank zone cells of its records, counted here too.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import struct
from pathlib import Path

import dbfread
import openpyxl
import pytest
from support import dry_run_project

from cutover.mapping.model import load_mapping

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_data"
SYSTEMS = ["sample_legacy", "dbf_legacy", "gis_excel", "sql_legacy", "housing_ods"]


@pytest.fixture(scope="module")
def summaries(shipped_run):
    """The summary of the session's dry run of a system (conftest's ``shipped_run``)."""
    def summary(system: str) -> dict:
        result, _ = shipped_run(system)
        assert result.status == "reconciled"
        return result.summary
    return summary


@pytest.mark.parametrize("system", SYSTEMS)
def test_every_record_of_every_source_adds_up(summaries, system):
    summary = summaries(system)
    for source in summary["records"]:
        assert source["records"] == source["read"] + source["blank"] + source["deleted"] + source["comments"], source
        assert source["balanced"], source
        for count in source["entities"]:
            assert count["read"] == source["read"], (source["location"], count)
            assert count["rows"] == count["loaded_rows"] + count["rejected_rows"], (source["location"], count)
        assert source["entities"] or source["lookup_of"], source


@pytest.mark.parametrize("system", SYSTEMS)
def test_the_rows_records_made_are_the_entities_source_rows(summaries, system):
    """For an entity whose rows are items (no merging, no copies collapsed), its rows over every source are the
    summary's source rows of the entity, its rejected rows its rejected items."""
    summary = summaries(system)
    mapping = load_mapping(ROOT / "mappings" / system)
    for entity in mapping.entities:
        if entity.merges:  # rows of one key are one item: merged, or copies collapsed (keep_first_if_identical)
            continue
        label = f"{entity.entity}s"
        counts = [c for source in summary["records"] for c in source["entities"] if c["entity"] == label]
        assert sum(c["rows"] for c in counts) == summary["entities"][label]["source_rows"], label
        assert sum(c["rejected_rows"] for c in counts) == summary["entities"][label]["rejected"], label


def _records(summary: dict, location: str) -> dict:
    return next(source for source in summary["records"] if source["location"] == location)


def test_text_files_count_every_record_blank_ones_too(summaries):
    """The generator wrote each file's data rows and, at its end, rows of separators only (dirt
    R5); a quoted value may span lines, so records are not lines."""
    system = "sample_legacy"
    summary = summaries(system)
    files = json.loads((SAMPLES / system / "expected.json").read_text(encoding="utf-8"))["files"]
    for name, want in files.items():
        found = _records(summary, name)
        records = want["data_rows"] + want["empty_rows"]
        assert (found["records"], found["read"], found["blank"]) == (records, want["data_rows"], want["empty_rows"])
        # the header is row 1: the last records are rows records and records + 1
        assert found["blank_rows"] == list(range(records + 2 - want["empty_rows"], records + 2)), name


def test_dbf_tables_count_deleted_records_as_such(summaries):
    system = "dbf_legacy"
    summary = summaries(system)
    for path in sorted((SAMPLES / system).glob("*.DBF")):
        raw = path.read_bytes()
        count, header_length, record_length = struct.unpack("<IHH", raw[4:12])
        flags = [raw[header_length + i * record_length] for i in range(count)]
        deleted = [number for number, flag in enumerate(flags, start=1) if flag == ord("*")]
        found = _records(summary, path.name)
        assert (found["records"], found["deleted"], found["deleted_rows"]) == (count, len(deleted), deleted)
        assert found["read"] == count - len(deleted)
    # POKAZ.DBF: one record per meter and date, a zone per column; each non-blank zone is a reading
    zones = sum(1 for record in dbfread.DBF(str(SAMPLES / system / "POKAZ.DBF"), raw=True)
                for zone in ("T1", "T2", "T3") if record[zone].strip(b" \x00"))
    readings = _records(summary, "POKAZ.DBF")["entities"][0]
    assert (readings["entity"], readings["rows"]) == ("readings", zones)
    assert readings["rows"] > readings["read"]
    # SALDO.DBF: the mapping's filter keeps 202608..202610; the archive month 202607 is left out
    archive = sum(1 for record in dbfread.DBF(str(SAMPLES / system / "SALDO.DBF"), raw=True)
                  if record["MES"] == b"202607")
    balances = _records(summary, "SALDO.DBF")["entities"][0]
    assert (balances["filtered"], balances["rows"]) == (archive, balances["read"] - archive)


def _sheet_rows(path: Path, sheet: str, data_row: int) -> tuple[int, list[int]]:
    """Rows from the data row to the last row openpyxl finds, and which of them are blank."""
    worksheet = openpyxl.load_workbook(path, data_only=True)[sheet]
    blank = [number for number in range(data_row, worksheet.max_row + 1)
             if all(cell.value in (None, "") for cell in worksheet[number])]
    return worksheet.max_row - data_row + 1, blank


def test_sheets_count_blank_rows_from_the_data_row_to_the_last_row(summaries):
    system = "gis_excel"
    summary = summaries(system)
    for sheet, data_row in (("Основные сведения", 4), ("Сальдо", 4), ("Показания", 4), ("Услуги", 3)):
        records, blank = _sheet_rows(SAMPLES / system / "gis.xlsx", sheet, data_row)
        found = _records(summary, f"gis.xlsx:{sheet}")
        assert (found["records"], found["blank"], found["blank_rows"]) == (records, len(blank), blank), sheet


def test_database_tables_count_their_rows(summaries):
    system = "sql_legacy"
    summary = summaries(system)
    with sqlite3.connect(f"file:{SAMPLES / system / 'legacy.db'}?mode=ro", uri=True) as legacy:
        for table in ("abonent", "adres", "lic_schet", "usluga", "schetchik", "pokazanie"):
            (count,) = legacy.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
            assert _records(summary, f"table {table}")["records"] == count, table
        (closed,) = legacy.execute("SELECT COUNT(*) FROM saldo s JOIN period p ON p.period = s.period "
                                   "WHERE p.zakryt = 1").fetchone()
    balances = next(source for source in summary["records"] if source["name"] == "saldo")
    assert (balances["records"], balances["read"]) == (closed, closed)


def test_a_blank_row_in_the_middle_of_a_sheet_is_counted_with_its_number(tmp_path):
    source = tmp_path / "extract"
    shutil.copytree(SAMPLES / "gis_excel", source)
    workbook = openpyxl.load_workbook(source / "gis.xlsx")
    workbook["Сальдо"].insert_rows(20)  # rows 20.. move down one; row 20 is blank
    workbook.save(source / "gis.xlsx")
    records, blank = _sheet_rows(source / "gis.xlsx", "Сальдо", 4)
    assert 20 in blank
    result = dry_run_project(tmp_path, "gis_excel", source, target_url=f"sqlite:///{tmp_path / 'target.db'}")
    assert result.status == "reconciled"
    found = _records(result.summary, "gis.xlsx:Сальдо")
    assert (found["records"], found["read"], found["blank"], found["blank_rows"]) == (records, 1800, len(blank), blank)
