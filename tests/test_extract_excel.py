"""The Excel extractor on workbooks written here with openpyxl.

The main workbook ``meters.xlsx`` (sheet "Показания") is laid out like a GIS ЖКХ template:

- row 1: a title merged over all columns;
- rows 2-3: a merged header: "Номер ПУ" and "Дата снятия" span both rows, "Показания" spans
  the three columns of row 3 "T1", "T2", "T3", "Прочее" spans "Серийная дата" and "Код";
- rows 4-7: data; row 6 is blank in the middle of the data, rows 8-10 are trailing blank rows
  (formatted, so they are in the file).

Cells: T1 holds ints and floats (``1234.56``, ``0.1``, ``100.0``), T2 numbers stored as text
("007"), Дата снятия real date cells (one with a time), Серийная дата an unformatted Excel
serial number (45596 = 2024-10-31, left for ``excel_date``), Код a bool and a blank.

The workbook ``saldo.xlsx`` (sheet "Сальдо", header in row 1: "ЛС", "Сумма") is written for the
tally of records, each kind of blank row once (rows the sheet's XML holds: 1, 2, 4-10):

| row | in the XML | holds | counted |
|---|---|---|---|
| 2, 5, 7 | yes | an account (7: a blank-looking "   " Сумма) | read |
| 3 | no (never touched) | - | blank |
| 4 | yes | a fill, no value | blank |
| 6 | yes | text in column C, right of the named columns | blank |
| 8 | yes | "   " and an empty string | blank |
| 9 | yes | a bold font, no value | blank |
| 10 | yes, below the ``<dimension>`` (A1:C9) | only a row height | blank |

Below row 10 the XML ends: those rows are not records.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile

import openpyxl
import pandas as pd
import pytest
from openpyxl.styles import Font, PatternFill

from cutover.errors import ExtractError
from cutover.extract import REGISTRY, RecordTally
from cutover.extract.excel import cell_text, header_names

EXCEL = REGISTRY["excel"]
OPTIONS = {"file": "meters.xlsx", "sheet": "Показания", "header_row": 2, "header_rows": 2}
COLUMNS = ["Номер ПУ", "Показания / T1", "Показания / T2", "Показания / T3", "Дата снятия",
           "Прочее / Серийная дата", "Прочее / Код"]
DATA = [
    (4, ["ПУ-001", "1234.56", "007", "", "2026-10-20", "45596", "1"]),
    (5, ["ПУ-002", "0.1", "12,5", "3", "2026-10-21 08:30:00", "45596.5", "0"]),
    (7, ["ПУ-003", "100", "", "", "2026-09-01", "", ""]),
]


def write_meters(folder, sheet="Показания"):
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = sheet
    workbook.create_sheet("Справка")["A1"] = "другой лист"
    ws["A1"] = "Показания приборов учёта за октябрь 2026"
    ws.merge_cells("A1:G1")
    ws["A2"], ws["B2"], ws["E2"], ws["F2"] = "Номер ПУ", "Показания", "Дата\nснятия", "Прочее"
    ws.merge_cells("A2:A3")
    ws.merge_cells("B2:D2")
    ws.merge_cells("E2:E3")
    ws.merge_cells("F2:G2")
    ws["B3"], ws["C3"], ws["D3"], ws["F3"], ws["G3"] = "T1", "T2", "T3", "Серийная дата", "Код"
    ws.append(["ПУ-001", 1234.56, "007", None, dt.datetime(2026, 10, 20), 45596, True])
    ws.append(["ПУ-002", 0.1, "12,5", 3, dt.datetime(2026, 10, 21, 8, 30), 45596.5, False])
    ws.append([])
    ws.append(["ПУ-003", 100.0, "", None, dt.date(2026, 9, 1), None, None])
    for row in range(8, 11):  # trailing rows that exist in the file but hold nothing
        ws.cell(row=row, column=1).font = Font(bold=True)
    ws["E7"].number_format = "DD.MM.YYYY"
    workbook.save(folder / "meters.xlsx")
    return folder / "meters.xlsx"


def read(folder, options=OPTIONS, needed=frozenset(), chunk_rows=1000):
    return list(EXCEL.read(options, folder, set(needed), chunk_rows))


def write_saldo(folder):
    """``saldo.xlsx`` of the module docstring."""
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = "Сальдо"
    ws.append(["ЛС", "Сумма"])
    ws.append(["01-000001", 10])
    ws["A4"].fill = PatternFill("solid", fgColor="FFFF00")
    ws["A5"], ws["B5"] = "01-000002", 20
    ws["C6"] = "сверх шапки"
    ws["A7"], ws["B7"] = "01-000003", "   "
    ws["A8"], ws["B8"] = "   ", ""
    ws["B9"].font = Font(bold=True)
    ws.row_dimensions[10].height = 30
    workbook.save(folder / "saldo.xlsx")
    return folder / "saldo.xlsx"


def test_merged_two_row_header_below_a_title_names_every_column(tmp_path):
    write_meters(tmp_path)
    assert EXCEL.header(OPTIONS, tmp_path) == COLUMNS
    assert EXCEL.describe(OPTIONS, tmp_path) == "meters.xlsx:Показания"


def test_cells_arrive_as_exact_text_with_sheet_row_numbers(tmp_path):
    write_meters(tmp_path)
    [frame] = read(tmp_path, needed={"Номер ПУ", "Показания / T1"})
    assert list(frame.columns) == ["_row", *COLUMNS]
    assert frame["_row"].dtype == "int64"
    assert all(frame[c].dtype == "str" for c in COLUMNS)
    assert [(row, list(values)) for row, *values in frame.itertuples(index=False)] == DATA


def test_chunked_reading_gives_the_frame_of_one_read(tmp_path):
    write_meters(tmp_path)
    chunks = read(tmp_path, chunk_rows=2)
    assert [len(c) for c in chunks] == [2, 1]
    [whole] = read(tmp_path)
    pd.testing.assert_frame_equal(pd.concat(chunks, ignore_index=True), whole)


def test_one_header_row_and_defaults(tmp_path):
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = "Лист1"
    ws.append(["ЛС", " Сумма "])
    ws.append([1, 2])
    workbook.save(tmp_path / "plain.xlsx")
    [frame] = read(tmp_path, {"file": "plain.xlsx", "sheet": "Лист1"})
    assert frame.to_dict("list") == {"_row": [2], "ЛС": ["1"], "Сумма": ["2"]}


def test_data_row_skips_a_row_of_column_numbers_under_the_header(tmp_path):
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.append(["ЛС", "Сумма"])
    ws.append([1, 2])  # GIS templates number their columns under the header
    ws.append(["01-000001", "10,00"])
    workbook.save(tmp_path / "numbered.xlsx")
    [frame] = read(tmp_path, {"file": "numbered.xlsx", "sheet": "Sheet", "data_row": 3})
    assert frame.to_dict("list") == {"_row": [3], "ЛС": ["01-000001"], "Сумма": ["10,00"]}


@pytest.mark.parametrize(("value", "text"), [
    (123, "123"), (-7, "-7"), (123.0, "123"), (-0.0, "0"), (1234.56, "1234.56"), (0.1, "0.1"),
    (1e-07, "0.0000001"), (1e16, "10000000000000000"), (2.5e-3, "0.0025"), (True, "1"), (False, "0"),
    (None, ""), ("  007 ", "  007 "), (dt.datetime(2026, 10, 31), "2026-10-31"),
    (dt.datetime(2026, 10, 31, 23, 59, 1), "2026-10-31 23:59:01"), (dt.date(2009, 5, 7), "2009-05-07"),
    (dt.time(8, 30), "08:30:00"),
])
def test_cell_text(value, text):
    assert cell_text(value) == text


def test_header_fill_stops_where_an_upper_row_starts_a_new_group():
    rows = [["Сведения", "", "", "ЛС"], ["Показания", "", "Дата", ""], ["T1", "T2", "", ""]]
    assert header_names(rows) == ["Сведения / Показания / T1", "Сведения / Показания / T2",
                                  "Сведения / Дата", "ЛС"]


def test_unnamed_and_repeated_columns_get_their_letters():
    assert header_names([["ЛС", "", "Примечание", "Примечание", "", ""]]) == [
        "ЛС", "(B)", "Примечание (C)", "Примечание (D)"]


def test_a_missing_sheet_lists_the_sheets(tmp_path):
    path = write_meters(tmp_path)
    with pytest.raises(ExtractError) as error:
        read(tmp_path, {**OPTIONS, "sheet": "Показания ПУ"})
    assert str(error.value) == f"{path}: no sheet 'Показания ПУ'; the workbook has sheets ['Показания', 'Справка']"


def test_a_missing_file(tmp_path):
    with pytest.raises(ExtractError) as error:
        read(tmp_path)
    assert str(error.value) == f"{tmp_path / 'meters.xlsx'}: file not found"


def test_a_missing_column_names_the_sheet_and_lists_the_header(tmp_path):
    path = write_meters(tmp_path)
    with pytest.raises(ExtractError) as error:
        read(tmp_path, needed={"Показания T1"})
    assert str(error.value) == (f"{path}:Показания: no column(s) ['Показания T1']; it has {COLUMNS}; "
                                "did you mean 'Показания / T1' for 'Показания T1'?; "  # the header merged over two rows
                                "check header_row and header_rows in system.toml")


def test_a_header_row_without_names(tmp_path):
    path = write_meters(tmp_path)
    with pytest.raises(ExtractError) as error:
        read(tmp_path, {**OPTIONS, "header_row": 20})
    assert str(error.value) == (f"{path}:Показания: rows 20-21 hold no column names (expected the header); "
                                "check header_row and header_rows in system.toml")


def test_data_row_inside_the_header(tmp_path):
    path = write_meters(tmp_path)
    with pytest.raises(ExtractError) as error:
        read(tmp_path, {**OPTIONS, "data_row": 3})
    assert str(error.value) == f"{path}:Показания: data_row 3 is inside the header (rows 2-3)"


@pytest.mark.parametrize("content", ["ЛС;Сумма\r\n1;2\r\n".encode("cp1251"), b""],
                         ids=["csv-named-xlsx", "empty"])
def test_a_file_that_is_not_a_workbook(tmp_path, content):
    (tmp_path / "meters.xlsx").write_bytes(content)
    with pytest.raises(ExtractError, match=r"meters\.xlsx: cannot be read as an \.xlsx workbook \(.*\); "
                                           r"is the file corrupt or truncated, or an old \.xls\? Save it as \.xlsx"):
        read(tmp_path)


def test_a_truncated_workbook(tmp_path):
    path = write_meters(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ExtractError, match=r"meters\.xlsx: cannot be read as an \.xlsx workbook"):
        read(tmp_path)


def test_a_workbook_whose_sheet_xml_is_broken(tmp_path):
    path = write_meters(tmp_path)
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            target.writestr(item, data)
    with pytest.raises(ExtractError) as error:
        read(tmp_path, {**OPTIONS, "file": "broken.xlsx"})
    assert str(error.value).startswith(f"{broken}:Показания: the sheet cannot be read (")
    assert str(error.value).endswith("); is the file corrupt or truncated?")


def test_options_are_checked_when_a_mapping_loads():
    assert EXCEL.required == (("file",), ("sheet",))
    assert EXCEL.options == {"file": str, "sheet": str, "header_row": int, "header_rows": int, "data_row": int}


def test_the_sheet_xml_holds_the_rows_the_docstring_says(tmp_path):
    sheet_xml = zipfile.ZipFile(write_saldo(tmp_path)).read("xl/worksheets/sheet1.xml").decode()
    assert re.findall(r'<row r="(\d+)"', sheet_xml) == ["1", "2", "4", "5", "6", "7", "8", "9", "10"]
    assert '<dimension ref="A1:C9"' in sheet_xml


@pytest.mark.parametrize("chunk_rows", [1, 1000])
def test_the_tally_counts_missing_present_and_trailing_blank_rows(tmp_path, chunk_rows):
    write_saldo(tmp_path)
    tally = RecordTally()
    frames = list(EXCEL.read({"file": "saldo.xlsx", "sheet": "Сальдо"}, tmp_path, set(), chunk_rows, tally=tally))
    frame = pd.concat(frames, ignore_index=True)
    assert frame.to_dict("list") == {"_row": [2, 5, 7], "ЛС": ["01-000001", "01-000002", "01-000003"],
                                     "Сумма": ["10", "20", "   "]}
    assert (tally.records, tally.read, tally.blank, tally.deleted, tally.comments) == (9, 3, 6, 0, 0)
    assert tally.blank_rows == [3, 4, 6, 8, 9, 10] and tally.deleted_rows == []
    assert tally.records == tally.read + tally.blank + tally.deleted + tally.comments
    assert tally.read == len(frame)


def test_the_tally_starts_at_data_row(tmp_path):
    write_meters(tmp_path)
    tally = RecordTally()
    frames = list(EXCEL.read(OPTIONS, tmp_path, set(), 1000, tally=tally))
    assert [row for frame in frames for row in frame["_row"]] == [4, 5, 7]
    # the title row and the two header rows are no records; rows 8-10 hold only a font
    assert tally.to_dict() == {"records": 7, "read": 3, "blank": 4, "blank_rows": [6, 8, 9, 10], "deleted": 0,
                               "deleted_rows": [], "comments": 0}
