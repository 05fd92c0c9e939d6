"""CSV files cutover writes hold no cell a spreadsheet would run as a formula (CSV injection).

The target here holds five accounts whose legacy numbers are the classic injections and an
ordinary number with leading zeros:

====================================  ======================================  ===========
legacy account number                 keymap.csv cell, read by the csv module  why
====================================  ======================================  ===========
``+1+cmd|'/C calc'!A0``               ``'+1+cmd|'/C calc'!A0``                 ``+``
``-2+3``                              ``'-2+3``                                ``-``
``@SUM(1+1)``                         ``'@SUM(1+1)``                           ``@``
``=HYPERLINK("http://x","y")``        ``'=HYPERLINK("http://x","y")``          ``=``
``00123``                             ``00123``                                unchanged
====================================  ======================================  ===========

The new account numbers are ordinary (``9900000001``...) and come out as they are. A cell that
begins with an apostrophe gets one more, so removing one leading apostrophe gives every value back.
"""

from __future__ import annotations

import csv

import pytest
import sqlalchemy as sa

from cutover.report.cells import csv_lines, neutral
from cutover.report.keymap import export_keymap
from cutover.schema.tables import target_metadata
from cutover.target import db

INJECTED = {
    "+1+cmd|'/C calc'!A0": "'+1+cmd|'/C calc'!A0",
    "-2+3": "'-2+3",
    "@SUM(1+1)": "'@SUM(1+1)",
    '=HYPERLINK("http://x","y")': '\'=HYPERLINK("http://x","y")',
    "00123": "00123",
}


@pytest.fixture
def target(tmp_path) -> sa.Engine:
    """A target at head holding one account per legacy number of :data:`INJECTED`."""
    engine = db.create_target_engine(f"sqlite:///{(tmp_path / 'target.db').as_posix()}")
    db.upgrade(engine)
    tables = target_metadata().tables
    with engine.begin() as connection:
        connection.execute(tables["person"].insert(), [{"id": 1, "last_name": "Иванов", "first_name": "Иван"}])
        connection.execute(tables["premise"].insert(), [{"id": 1, "settlement": "Тверь", "house": "1"}])
        connection.execute(tables["account"].insert(), [
            {"id": number, "account_number": f"99{number:08d}", "legacy_account_number": legacy,
             "person_id": 1, "premise_id": 1}
            for number, legacy in enumerate(INJECTED, start=1)])
    yield engine
    engine.dispose()


def test_keymap_csv_neutralises_every_formula_and_keeps_an_ordinary_number(target, tmp_path):
    path = tmp_path / "keymap.csv"
    assert export_keymap(target, path, "csv") == len(INJECTED)
    assert path.read_bytes().startswith("\ufeff".encode())  # the BOM: Excel reads it as UTF-8
    with path.open(encoding="utf-8-sig", newline="") as written:
        rows = list(csv.reader(written, delimiter=";"))
    assert rows[0] == ["legacy_account_number", "account_number"]
    got = {legacy: new for legacy, new in rows[1:]}
    expected_new = {cell: f"99{number:08d}" for number, cell in enumerate(INJECTED.values(), start=1)}
    assert got == expected_new
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert "00123;9900000005" in lines  # an ordinary number is not quoted either
    assert all(line[:1] not in "=+-@\t\r" for line in lines)


@pytest.mark.parametrize(("text", "cell"), [
    ("=1+1", "'=1+1"), ("+7 900", "'+7 900"), ("-5", "'-5"), ("@A1", "'@A1"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("00123", "00123"), ("12-3", "12-3"), ("", ""), ("Д000123", "Д000123"), ("'=1", "''=1"), ("'7", "''7"),
])
def test_a_cell_beginning_like_a_formula_gets_an_apostrophe_and_no_other_changes(text, cell):
    assert neutral(text) == cell


def test_removing_one_leading_apostrophe_gives_every_value_back():
    values = [*INJECTED, "'", "''", "'=1", "'00123", "a'b", "-", "", "Д000123"]
    assert [cell[1:] if cell.startswith("'") else cell for cell in map(neutral, values)] == values


def test_csv_lines_quote_what_must_be_quoted_and_read_back_exactly(tmp_path):
    rows = list(zip(["a,b", 'say "x"', "12;=1+1", "line\nbreak", "\r-1", None, "plain"],
                    ["1", "2", "3", "4", "5", "6", "7"]))
    text = csv_lines(rows)
    assert '"12;=1+1",3\n' in text  # Russian Excel splits on ';': quoted, so =1+1 never opens as a cell
    assert "plain,7\n" in text and ",6\n" in text
    path = tmp_path / "lines.csv"
    path.write_text(text, encoding="utf-8", newline="")
    with path.open(encoding="utf-8", newline="") as written:
        assert list(csv.reader(written)) == [["a,b", "1"], ['say "x"', "2"], ["12;=1+1", "3"], ["line\nbreak", "4"],
                                              ["'\r-1", "5"], ["", "6"], ["plain", "7"]]
    assert csv_lines([]) == ""
