"""The excel source on .xls and .ods (python-calamine) against .xlsx and .xlsm (openpyxl).

One sheet is built with openpyxl and written as .xlsx (and .xlsm) with openpyxl, as .xls with
xlwt and as .ods with odfpy by :func:`write_as`, so every format holds the same cells. Sheet
"Показания", laid out like a GIS ЖКХ template:

- row 1: a title merged over all columns;
- rows 2-3: the header, "Лицевой\\nсчёт" and "Дата снятия" merged over both rows, "Показания"
  over "T1", "T2" and "Прочее" over "Сумма", "Флаг";
- rows 4, 5, 7: data, row 6 empty; account numbers as text with leading zeros ("007"), T1
  with 54.3, 14999.61 and a whole number, T2 0.1 and 1e-07, date cells (one with a time),
  "Сумма" a formula (=B4*2) with the value Excel would have stored for it, "Флаг" booleans.

openpyxl stores no computed value for a formula, so :func:`write_as` adds it to the .xlsx and
to the .xls (xlwt neither); odfpy writes it as LibreOffice does. No writer for .xlsb is
installable here: .xlsb goes through the same python-calamine code, untested.

The gis_excel system's workbook, converted to .xls and .ods the same way, gives the counts,
rejects and money of its expected.json through its own mapping.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import struct
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import xlwt
from click.testing import CliRunner
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import CoveredTableCell, Table, TableCell, TableRow
from odf.text import P
from support import (
    assert_counts_match,
    assert_money_matches,
    dry_run_into_sqlite,
    write_project,
)
from xlwt import BIFFRecords
from xlwt.Cell import FormulaCell

from cutover.cli import cli
from cutover.errors import ExtractError
from cutover.extract import REGISTRY, RecordTally, calamine_book

EXCEL = REGISTRY["excel"]
REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "workbooks"
GIS = REPO / "sample_data" / "gis_excel"
FORMATS = ["xlsx", "xlsm", "xls", "ods"]
OPTIONS = {"sheet": "Показания", "header_row": 2, "header_rows": 2}
COLUMNS = ["Лицевой счёт", "Показания / T1", "Показания / T2", "Дата снятия", "Прочее / Сумма", "Прочее / Флаг"]
DATA = [
    (4, ["007", "54.3", "0.1", "2026-10-20", "108.6", "1"]),
    (5, ["0100", "14999.61", "0.0000001", "2026-10-21 08:30:00", "29999.22", "0"]),
    (7, ["12345", "120", "", "2026-09-01", "240", ""]),
]


def meters() -> tuple[openpyxl.Workbook, dict[str, float]]:
    """The workbook of the module docstring, and the computed value of each formula cell."""
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = "Показания"
    workbook.create_sheet("Справка")["A1"] = "другой лист"
    ws["A1"] = "Показания приборов учёта за октябрь 2026"
    ws["A2"], ws["B2"], ws["D2"], ws["E2"] = "Лицевой\nсчёт", "Показания", "Дата снятия", "Прочее"
    ws["B3"], ws["C3"], ws["E3"], ws["F3"] = "T1", "T2", "Сумма", "Флаг"
    for cells in ("A1:F1", "A2:A3", "B2:C2", "D2:D3", "E2:F2"):
        ws.merge_cells(cells)
    rows = {4: ["007", 54.3, 0.1, dt.datetime(2026, 10, 20), "=B4*2", True],
            5: ["0100", 14999.61, 1e-07, dt.datetime(2026, 10, 21, 8, 30), "=B5*2", False],
            7: ["12345", 120, None, dt.datetime(2026, 9, 1), "=B7*2", None]}
    for number, values in rows.items():
        for column, value in enumerate(values, start=1):
            ws.cell(number, column, value)
    for cell in ("D4", "D7"):
        ws[cell].number_format = "DD.MM.YYYY"
    ws["D5"].number_format = "DD.MM.YYYY HH:MM"
    return workbook, {"Показания!E4": 108.6, "Показания!E5": 29999.22, "Показания!E7": 240.0}


def _cells(ws):
    """(row, column, cell) of every cell holding a value, 0-based, and the merged ranges."""
    merged = [(r.min_row - 1, r.max_row - 1, r.min_col - 1, r.max_col - 1) for r in ws.merged_cells.ranges]
    cells = [(cell.row - 1, cell.column - 1, cell) for row in ws.iter_rows() for cell in row
             if getattr(cell, "value", None) is not None]
    return cells, merged


def _kind(cell, cached):
    """("formula", value) | ("date", datetime) | ("bool"|"number"|"text", value)."""
    value = cell.value
    if cell.data_type == "f":
        return "formula", (value[1:], cached[f"{cell.parent.title}!{cell.coordinate}"])
    if isinstance(value, bool):
        return "bool", value
    if isinstance(value, (dt.datetime, dt.date)):
        return "date", value
    if isinstance(value, (int, float)):
        return "number", value
    return "text", value


def _write_xlsx(workbook, path, cached):
    workbook.save(path)
    # openpyxl writes a formula without its value (<v></v>): put in the one Excel would store
    with zipfile.ZipFile(path) as source:
        parts = {item.filename: source.read(item) for item in source.infolist()}
    for index, ws in enumerate(workbook.worksheets, start=1):
        name = f"xl/worksheets/sheet{index}.xml"
        xml = parts[name].decode()
        for key, value in cached.items():
            sheet, ref = key.split("!")
            if sheet == ws.title:
                xml, count = re.subn(rf'(<c r="{ref}"[^>]*>)<f>([^<]*)</f><v\s*/>', rf"\1<f>\2</f><v>{value!r}</v>", xml)
                assert count == 1, key
        parts[name] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)


class _CachedFormula(FormulaCell):
    """xlwt's formula cell with a computed value (xlwt itself writes an empty result)."""

    __slots__ = ["value"]

    def get_biff_data(self):
        record = BIFFRecords.FormulaRecord(self.rowx, self.colx, self.xf_idx, self.frmla.rpn(), self.calc_flags)
        record._rec_data = record._rec_data[:6] + struct.pack("<d", self.value) + record._rec_data[14:]
        return record.get()


def _write_xls(workbook, path, cached):
    book = xlwt.Workbook(encoding="utf-8")
    styles: dict[str, xlwt.XFStyle] = {}
    for ws in workbook.worksheets:
        sheet = book.add_sheet(ws.title)
        cells, merged = _cells(ws)
        for row, column, cell in cells:
            kind, value = _kind(cell, cached)
            if kind == "formula":
                sheet.write(row, column, xlwt.Formula(value[0]))
                plain = sheet.row(row)._Row__cells[column]
                formula = _CachedFormula(plain.rowx, plain.colx, plain.xf_idx, plain.frmla, plain.calc_flags)
                formula.value = value[1]
                sheet.row(row)._Row__cells[column] = formula
            elif kind == "bool":
                sheet.row(row).set_cell_boolean(column, value)
            elif kind == "date":
                style = styles.setdefault(cell.number_format, xlwt.easyxf(num_format_str=cell.number_format))
                sheet.write(row, column, value, style)
            else:
                sheet.write(row, column, value)
        for first_row, last_row, first_column, last_column in merged:
            sheet.merge(first_row, last_row, first_column, last_column)
    book.save(str(path))


def _ods_cell(kind, value):
    if kind == "formula":
        cell = TableCell(valuetype="float", value=repr(value[1]), formula=f"of:={value[0]}")
        text = repr(value[1])
    elif kind == "bool":
        cell, text = TableCell(valuetype="boolean", booleanvalue=str(value).lower()), str(value).upper()
    elif kind == "date":
        stamp = value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
        cell, text = TableCell(valuetype="date", datevalue=stamp), value.strftime("%d.%m.%Y")
    elif kind == "number":
        cell, text = TableCell(valuetype="float", value=repr(value)), str(value).replace(".", ",")
    else:
        cell, text = TableCell(valuetype="string"), value
    for line in text.split("\n"):  # a paragraph a line, as LibreOffice writes them
        cell.addElement(P(text=line))
    return cell


def _write_ods(workbook, path, cached):
    document = OpenDocumentSpreadsheet()
    for ws in workbook.worksheets:
        table = Table(name=ws.title)
        cells, merged = _cells(ws)
        by_place = {(row, column): cell for row, column, cell in cells}
        spans = {(r1, c1): (r2 - r1 + 1, c2 - c1 + 1) for r1, r2, c1, c2 in merged}
        covered = {(r, c) for r1, r2, c1, c2 in merged for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)
                   } - spans.keys()
        height = max((row for row, _, _ in cells), default=-1) + 1
        width = max((column for _, column, _ in cells), default=-1) + 1
        for row in range(height):
            element = TableRow()
            for column in range(width):
                if (row, column) in covered:
                    element.addElement(CoveredTableCell())
                    continue
                cell = by_place.get((row, column))
                ods = _ods_cell(*_kind(cell, cached)) if cell is not None else TableCell()
                if (row, column) in spans:
                    ods.setAttribute("numberrowsspanned", spans[row, column][0])
                    ods.setAttribute("numbercolumnsspanned", spans[row, column][1])
                element.addElement(ods)
            table.addElement(element)
        table.addElement(TableRow(numberrowsrepeated=1048000))  # the rest of the sheet, as LibreOffice writes it
        document.spreadsheet.addElement(table)
    document.save(str(path))


def write_as(workbook: openpyxl.Workbook, path: Path, cached: dict[str, float]) -> Path:
    """``workbook`` saved in the format of ``path``'s suffix; ``cached``: "Sheet!E4" -> the
    value of each formula cell."""
    suffix = path.suffix.lower()
    writer = {".xlsx": _write_xlsx, ".xlsm": _write_xlsx, ".xls": _write_xls, ".ods": _write_ods}[suffix]
    writer(workbook, path, cached)
    return path


def write_meters(path: Path) -> Path:
    """The workbook of :func:`meters` in the format of ``path``'s suffix."""
    workbook, cached = meters()
    return write_as(workbook, path, cached)


def read(folder, options, needed=frozenset(), chunk_rows=1000, tally=None):
    return list(EXCEL.read(options, folder, set(needed), chunk_rows, tally=tally))


def rows_of(frames):
    return [(row, list(values)) for frame in frames for row, *values in frame.itertuples(index=False)]


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_gives_the_same_header_rows_numbers_and_tally(tmp_path, fmt):
    write_meters(tmp_path / f"meters.{fmt}")
    options = {**OPTIONS, "file": f"meters.{fmt}"}
    assert EXCEL.header(options, tmp_path) == COLUMNS
    tally = RecordTally()
    frames = read(tmp_path, options, needed={"Лицевой счёт", "Прочее / Сумма"}, tally=tally)
    assert [list(frame.columns) for frame in frames] == [["_row", *COLUMNS]]
    assert frames[0]["_row"].dtype == "int64" and all(frames[0][c].dtype == "str" for c in COLUMNS)
    assert rows_of(frames) == DATA
    assert (tally.read, tally.blank, tally.blank_rows) == (3, 1, [6])


def test_the_formats_give_one_frame(tmp_path):
    workbook, cached = meters()
    frames = {fmt: read(tmp_path, {**OPTIONS, "file": write_as(workbook, tmp_path / f"m.{fmt}", cached).name},
                        chunk_rows=2) for fmt in FORMATS}
    whole = pd.concat(frames["xlsx"], ignore_index=True)
    for fmt, chunks in frames.items():
        assert [len(chunk) for chunk in chunks] == [2, 1], fmt
        pd.testing.assert_frame_equal(pd.concat(chunks, ignore_index=True), whole)


@pytest.mark.parametrize("fmt", FORMATS)
def test_blank_rows_and_columns_before_the_first_cell_keep_numbers_and_letters(tmp_path, fmt):
    """python-calamine's range starts at the first cell holding a value (here B3): the rows and
    columns before it are put back, so row numbers and column letters are the sheet's."""
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = "Лист1"
    ws["B3"], ws["C3"] = "ЛС", "Сумма"
    ws["B4"], ws["C4"] = "01-000001", 10
    ws["C6"], ws["D6"] = 20.5, "сверх шапки"
    write_as(workbook, tmp_path / f"late.{fmt}", {})
    options = {"file": f"late.{fmt}", "sheet": "Лист1", "header_row": 3}
    assert EXCEL.header(options, tmp_path) == ["(A)", "ЛС", "Сумма"]
    tally = RecordTally()
    assert rows_of(read(tmp_path, options, tally=tally)) == [(4, ["", "01-000001", "10"]), (6, ["", "", "20.5"])]
    assert (tally.read, tally.blank_rows) == (2, [5])


def test_ods_rows_and_cells_repeated_as_libreoffice_writes_them(tmp_path):
    """LibreOffice writes equal neighbours once, with a repeat count (rows and cells), and ends a
    sheet with a million repeated empty rows: every repeat is a row of its own, with its number;
    the empty rows after the last value are no records."""
    document = OpenDocumentSpreadsheet()
    table = Table(name="Сальдо")

    def row(*cells, repeated=1):
        element = TableRow(numberrowsrepeated=repeated) if repeated > 1 else TableRow()
        for cell in cells:
            element.addElement(cell)
        table.addElement(element)

    def text(value, repeated=1):
        cell = TableCell(valuetype="string", numbercolumnsrepeated=repeated) if repeated > 1 else (
            TableCell(valuetype="string"))
        cell.addElement(P(text=value))
        return cell

    def number(value, repeated=1):
        cell = TableCell(valuetype="float", value=value, numbercolumnsrepeated=repeated)
        cell.addElement(P(text=value))
        return cell

    row(text("ЛС"), text("Начислено"), text("Оплачено"))
    row(text("01-000001"), number("54.3", repeated=2), repeated=2)  # rows 2 and 3 alike
    row(TableCell(numbercolumnsrepeated=3), repeated=3)  # rows 4-6 empty
    row(text("  007 "), number("14999.61"), TableCell())
    row(TableCell(numbercolumnsrepeated=1024), repeated=1048570)
    document.spreadsheet.addElement(table)
    document.save(str(tmp_path / "saldo.ods"))
    tally = RecordTally()
    got = rows_of(read(tmp_path, {"file": "saldo.ods", "sheet": "Сальдо"}, tally=tally))
    assert got == [(2, ["01-000001", "54.3", "54.3"]), (3, ["01-000001", "54.3", "54.3"]),
                   (7, ["  007 ", "14999.61", ""])]
    assert (tally.records, tally.read, tally.blank_rows) == (6, 3, [4, 5, 6])


@pytest.mark.parametrize(("fmt", "text"), [("xlsx", "#DIV/0!"), ("xls", "")])
def test_an_error_cell_is_its_text_in_xlsx_and_blank_through_calamine(tmp_path, fmt, text):
    """python-calamine hands no error values over: #DIV/0! in an .xls (or .xlsb, .ods) cell
    arrives blank (docs/mapping.md says so)."""
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.append(["ЛС", "Сумма"])
    ws.append(["01-000001", "#DIV/0!"])  # openpyxl stores an error cell (t="e")
    assert ws["B2"].data_type == "e"
    path = tmp_path / f"errors.{fmt}"
    if fmt == "xls":
        book = xlwt.Workbook(encoding="utf-8")
        sheet = book.add_sheet("Sheet")
        sheet.write(0, 0, "ЛС")
        sheet.write(0, 1, "Сумма")
        sheet.write(1, 0, "01-000001")
        sheet.row(1).set_cell_error(1, "#DIV/0!")
        book.save(str(path))
    else:
        workbook.save(path)
    assert rows_of(read(tmp_path, {"file": path.name, "sheet": "Sheet"})) == [(2, ["01-000001", text])]


@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_a_missing_sheet_lists_the_sheets(tmp_path, fmt):
    path = write_meters(tmp_path / f"meters.{fmt}")
    with pytest.raises(ExtractError) as error:
        read(tmp_path, {**OPTIONS, "file": path.name, "sheet": "Показания ПУ"})
    assert str(error.value) == f"{path}: no sheet 'Показания ПУ'; the workbook has sheets ['Показания', 'Справка']"


def test_the_suffix_is_read_in_any_case(tmp_path):
    path = write_meters(tmp_path / "METERS.XLS")
    assert rows_of(read(tmp_path, {**OPTIONS, "file": path.name})) == DATA


def _truncated(source: Path, path: Path) -> None:
    data = source.read_bytes()
    path.write_bytes(data[: len(data) // 2])


@pytest.mark.parametrize(("name", "make", "hint"), [
    ("empty.xls", lambda tmp, path: path.write_bytes(b""), "; the file is empty"),
    ("csv.xls", lambda tmp, path: path.write_bytes("ЛС;Сумма\r\n1;2\r\n".encode("cp1251")), ""),
    ("page.xls", lambda tmp, path: path.write_bytes(b"\xef\xbb\xbf<html><table><tr><td>1</td></tr></table></html>"),
     "; it is text (HTML or XML), not a workbook"),
    ("renamed.xls", lambda tmp, path: write_meters(path.with_suffix(".xlsx")).rename(path),
     "; it is a zip package (an .xlsx, .xlsb or .ods workbook): name it by its format"),
    ("renamed.ods", lambda tmp, path: write_meters(path.with_suffix(".xls")).rename(path),
     "; it is an old binary .xls workbook (or a password-protected one): name it .xls"),
    ("cut.xls", lambda tmp, path: _truncated(write_meters(tmp / "whole.xls"), path), ""),
    ("cut.ods", lambda tmp, path: _truncated(write_meters(tmp / "whole.ods"), path), ""),
])
def test_a_file_that_is_not_a_workbook_of_its_suffix(tmp_path, name, make, hint):
    path = tmp_path / name
    make(tmp_path, path)
    with pytest.raises(ExtractError) as error:
        read(tmp_path, {**OPTIONS, "file": name})
    kind = {".xls": "an .xls", ".ods": "an .ods"}[path.suffix]
    message = str(error.value)
    assert message.startswith(f"{path}: cannot be read as {kind} workbook (")
    assert "); is the file corrupt or truncated?" in message
    assert hint in message if hint else message.endswith("truncated?")


@pytest.mark.parametrize("name", ["crash_panic.xls", "crash_abort.xls"])
def test_a_workbook_the_parser_crashes_on_stops_with_an_error_naming_it(tmp_path, name):
    """With python-calamine 0.9.1 the parser panics on one file and aborts the process on the
    other (tests/fixtures/workbooks/make_crashing_xls.py); both end as an ExtractError."""
    shutil.copy(FIXTURES / name, tmp_path / name)
    with pytest.raises(ExtractError) as error:
        read(tmp_path, {"file": name, "sheet": "Лист1"})
    assert str(error.value).startswith(f"{tmp_path / name}: cannot be read as an .xls workbook (")
    assert "is the file corrupt" in str(error.value)


@pytest.mark.parametrize(("probe", "reason"), [
    ("import os; os.abort()", "the parser died, killed by SIGABRT"),
    ("import sys; sys.stderr.write('memory allocation of 8 bytes failed\\nnote: run with RUST_BACKTRACE=1\\n');"
     " sys.exit(134)", "the parser died: memory allocation of 8 bytes failed, exit code 134"),
    ("import sys; sys.stderr.write('PANIC: index out of range\\n'); sys.exit(3)", "the parser panicked: index out of range"),
])
def test_the_child_that_opens_the_workbook_first_reports_how_it_died(tmp_path, monkeypatch, probe, reason):
    path = write_meters(tmp_path / "meters.xls")
    monkeypatch.setattr(calamine_book, "_PROBE", probe)
    monkeypatch.setattr(calamine_book, "_probed", {})
    with pytest.raises(ExtractError) as error:
        read(tmp_path, {**OPTIONS, "file": path.name})
    assert str(error.value) == (f"{path}: cannot be read as an .xls workbook ({reason}); is the file corrupt? "
                                "Open it in Excel or LibreOffice and save it again")


def _gis_as(fmt: str, folder: Path) -> Path:
    """A project whose own copy of the gis_excel mapping reads the sample workbook written as ``fmt``."""
    source = folder / "source"
    source.mkdir()
    write_as(openpyxl.load_workbook(GIS / "gis.xlsx"), source / f"gis.{fmt}", {})
    mapping = folder / "mappings" / f"gis_{fmt}"
    shutil.copytree(REPO / "mappings" / "gis_excel", mapping)
    system = mapping / "system.toml"
    text = system.read_text(encoding="utf-8")
    assert text.count('file = "gis.xlsx"') == 6
    system.write_text(text.replace('file = "gis.xlsx"', f'file = "gis.{fmt}"'), encoding="utf-8")
    return source


@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_the_gis_system_through_its_mapping_from_xls_and_ods(tmp_path, fmt):
    expected = json.loads((GIS / "expected.json").read_text(encoding="utf-8"))
    source = _gis_as(fmt, tmp_path)
    result, url = dry_run_into_sqlite(tmp_path, f"gis_{fmt}", source)
    assert_counts_match(result.summary, expected)
    assert_money_matches(result.summary, expected, url)


def test_a_corrupt_xls_source_exits_2_with_the_message_not_a_traceback(tmp_path):
    source = _gis_as("xls", tmp_path)
    _truncated(source / "gis.xls", source / "gis.xls")
    write_project(tmp_path, "gis_xls", source, target_url=f"sqlite:///{tmp_path / 'target.db'}")
    result = CliRunner().invoke(cli, ["--project", str(tmp_path), "dry-run"], catch_exceptions=False)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {source / 'gis.xls'}: cannot be read as an .xls workbook (")
    assert "Traceback" not in result.output
