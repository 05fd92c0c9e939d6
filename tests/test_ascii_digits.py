"""Numbers are read in ASCII digits 0-9 only: every numeric transform and the control's own readers
take a value with another script's digit (Arabic-Indic ``١٢٣٤``, fullwidth ``１２３４``) as
unreadable, with the transform's usual rule and a message naming the digit, never as a number and
never with a traceback further down (Arrow cannot cast ``١٢٣٤``, which Python's ``\\d`` and
``int()`` take).

The end-to-end run reads a copy of the sample whose saldo.csv and pokazanie.csv were saved again as
UTF-8 (cp1251 has no fullwidth digits; the project's own copy of the mapping says ``encoding =
"utf-8"`` for them), with two values rewritten in fullwidth digits, each in a row the clean run
loads and that no dirt of the generator touches:

- the closing balance (СальдоИсх, ``money``) of one 2026-10 balance: one more BAD_MONEY reject,
  and one more row of money the control cannot read (NO-GO until the project accepts 3 such rows
  instead of the sample's 2);
- the last reading (Показание, ``decimal``) of one meter: one BAD_NUMBER reject (it was a crash).

BAD_MONEY and BAD_NUMBER are counted against the sample's expected.json; every other count is the
clean run's of the same code (which tests/test_dry_run.py holds to expected.json).
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import unicodedata
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from support import ROOT, SAMPLE, query, write_project

from cutover.cli import cli
from cutover.control import readers
from cutover.mapping import transforms as t

EXPECTED = json.loads((SAMPLE / "expected.json").read_text(encoding="utf-8"))
ARABIC = "١٢٣٤"  # U+0661..U+0664
FULLWIDTH = "１２３４"  # U+FF11..U+FF14
NOTES = {  # the note every message ends with, by the first foreign digit of the value
    ARABIC: "'١' is U+0661 ARABIC-INDIC DIGIT ONE, not an ASCII digit 0-9",
    FULLWIDTH: "'１' is U+FF11 FULLWIDTH DIGIT ONE, not an ASCII digit 0-9",
    "1２": "'２' is U+FF12 FULLWIDTH DIGIT TWO, not an ASCII digit 0-9",
}
# transform: (parameters, the message before the note with {v} for the value shown, a value it reads)
NUMERIC = {
    "money": ({}, "not an amount of money: {v} (expected digits with ',' and at most two decimals)", "12,50"),
    "kopecks": ({}, "not a whole number of kopecks: {v}", "1250"),
    "debt_minus_advance": ({}, "not an amount of money: {v} (expected digits with ',' and at most two decimals)",
                           "12,50"),
    "decimal": ({}, "not a number: {v} (expected at most 15 digits before ',' and 7 after)", "12,5"),
    "integer": ({}, "not a whole number: {v}", "12"),
    "first_integer": ({}, "cannot read the number in {v}", "12 лет"),
    "excel_date": ({}, "not an Excel serial date: {v}", "45596"),
    "date": ({"formats": ["%Y%m%d", "%d%m%Y"]}, "not a date: {v} (expected %Y%m%d or %d%m%Y)", "20261031"),
    "period": ({"formats": ["%Y%m"]}, "not a billing month: {v} (expected %Y%m)", "202610"),
}
RULES = {"money": "BAD_MONEY", "kopecks": "BAD_MONEY", "debt_minus_advance": "BAD_MONEY", "decimal": "BAD_NUMBER",
         "integer": "BAD_NUMBER", "first_integer": "BAD_NUMBER", "excel_date": "BAD_DATE", "date": "BAD_DATE",
         "period": "BAD_DATE"}


def text(*values) -> pd.Series:
    return pd.Series(values, dtype="str")


def test_every_transform_that_reads_a_number_is_checked_here():
    numeric = {name for name, transform in t.REGISTRY.items()
               if transform.takes in ("text", "columns") and transform.gives in ("money", "number", "decimal", "date")}
    assert numeric | {"period"} == set(NUMERIC)
    assert {name: t.REGISTRY[name].rule for name in NUMERIC} == RULES


@pytest.mark.parametrize("raw", [ARABIC, FULLWIDTH, "1２", ARABIC + "1017", "20261０31", "٣ года", "1２,50"])
@pytest.mark.parametrize("name", list(NUMERIC))
def test_a_digit_other_than_0_9_is_the_transforms_own_error(name, raw):
    params, message, readable = NUMERIC[name]
    transform = t.REGISTRY[name]
    values = pd.DataFrame({"debt": [raw, readable], "advance": ["0", "0"]}, dtype="str") \
        if transform.takes == "columns" else text(raw, readable)
    result = transform.function(values, **params)
    errors = result.errors.tolist()
    foreign = next(char for char in raw if char.isdecimal() and not "0" <= char <= "9")
    digit_note = f"{foreign!r} is U+{ord(foreign):04X} "
    assert errors[0].startswith(message.format(v=repr(raw)) + "; " + digit_note), errors[0]
    assert errors[0].endswith(", not an ASCII digit 0-9")
    assert pd.isna(result.values.iloc[0] if isinstance(result.values, pd.Series) else result.values.iloc[0, 0])
    assert pd.isna(errors[1])  # an ASCII value beside it reads
    assert not pd.isna(result.values.iloc[1] if isinstance(result.values, pd.Series) else result.values.iloc[1, 0])


@pytest.mark.parametrize("raw", [ARABIC, FULLWIDTH, "1２"])
def test_the_note_names_the_first_foreign_digit(raw):
    assert t.money(text(raw)).errors.tolist() == [
        f"not an amount of money: {raw!r} (expected digits with ',' and at most two decimals); {NOTES[raw]}"]


def test_first_integer_rejects_a_number_it_cannot_hold_instead_of_cutting_it():
    result = t.first_integer(text("4 года", "123456789 лет", "1234567890 лет", "МПИ 12345678901234", "лет", ""))
    assert [None if pd.isna(v) else int(v) for v in result.values] == [4, 123456789, None, None, None, None]
    assert [None if pd.isna(e) else e for e in result.errors] == [
        None, None,
        "the number '1234567890' in '1234567890 лет' has 10 digits, more than the 9 an integer column holds",
        "the number '12345678901234' in 'МПИ 12345678901234' has 14 digits, more than the 9 an integer column holds",
        "no number in 'лет'", None]


def test_a_decimal_in_foreign_digits_never_reaches_arrow():
    from cutover import decimals

    result = t.exact_decimal(text(ARABIC, "1,5", FULLWIDTH), scale=4, precision=12)
    assert result.values.tolist()[1] == "1.5"
    assert decimals.scaled(result.values, 4).tolist() == [pd.NA, 15000, pd.NA]  # it raised ArrowInvalid


@pytest.mark.parametrize("read", [readers.read_money, readers.read_decimal])
def test_the_controls_readers_name_the_digit_they_cannot_read(read):
    values = text(ARABIC, FULLWIDTH, "1 ２３４,５", "12,5", "")
    result = read(values)
    assert result.values.isna().tolist() == [True, True, True, False, True]
    assert result.blank.tolist() == [False, False, False, False, True]
    assert result.unreadable.tolist() == [True, True, True, False, False]
    assert result.problem.tolist()[:3] == [
        f"{ARABIC!r} is not a number: {NOTES[ARABIC]}", f"{FULLWIDTH!r} is not a number: {NOTES[FULLWIDTH]}",
        "'1 ２３４,５' is not a number: '２' is U+FF12 FULLWIDTH DIGIT TWO, not an ASCII digit 0-9"]


def test_the_controls_reader_of_one_amount_and_of_months():
    assert readers.read_amount(FULLWIDTH) == (None, f"{FULLWIDTH!r} is not a number: {NOTES[FULLWIDTH]}")
    assert readers.point_text(ARABIC) == (None, f"{ARABIC!r} is not a number: {NOTES[ARABIC]}")
    assert [readers.read_period(value) for value in ("٢٠٢٦١٠", "２０２６-１０", "окт. ２０２６", "202610")] == [
        None, None, None, "2026-10"]
    periods = readers.read_periods(text("２０２６１０", "202610", ""))
    assert periods.values.tolist() == [None, "2026-10", None]
    assert periods.problem.tolist()[0] == (
        "'２０２６１０' is not a billing month; '２' is U+FF12 FULLWIDTH DIGIT TWO, not an ASCII digit 0-9")


# ---- end to end: a copy of the sample with fullwidth digits in two rows ------------------------

RECODED = ("saldo.csv", "pokazanie.csv")  # saved again as UTF-8 in the copy


def _lines(path: Path) -> list[str]:
    return path.read_bytes().decode("utf-8" if path.name in RECODED else "cp1251").split("\r\n")


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO("\r\n".join(_lines(path)), newline=""), delimiter=";"))


def _rewrite(path: Path, line: int, column: str, value: str) -> None:
    """Write ``value`` in ``column`` of 1-based ``line`` of a ``;`` file of the copy (UTF-8)."""
    lines = _lines(path)
    fields = lines[line - 1].split(";")
    fields[lines[0].split(";").index(column)] = value
    lines[line - 1] = ";".join(fields)
    path.write_bytes("\r\n".join(lines).encode("utf-8"))


def _dirty_keys() -> set[str]:
    """Every account and meter the generator's dirt names (its keys split at ':')."""
    return {part for dirt in EXPECTED["dirt"] for key in dirt["keys"] for part in key.split(":")}


def _fullwidth(value: str) -> str:
    return value.translate({ord(d): chr(0xFF10 + int(d)) for d in "0123456789"})


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    """The copy's folder and the two values written in fullwidth digits, with their line numbers."""
    folder = tmp_path_factory.mktemp("fullwidth")
    source_dir = folder / "extract"
    shutil.copytree(SAMPLE, source_dir)
    for name in RECODED:
        (source_dir / name).write_bytes((SAMPLE / name).read_bytes().decode("cp1251").encode("utf-8"))
    dirty = _dirty_keys()
    accounts = {row["ЛС"] for row in _rows(source_dir / "abonent.csv")}
    balances = _rows(source_dir / "saldo.csv")
    balance_line, balance = next((i + 2, row) for i, row in enumerate(balances)
                                 if row["Период"] == "202610" and row["КодУсл"] == "01" and row["ЛС"] in accounts
                                 and row["ЛС"] not in dirty and " " not in row["СальдоИсх"]
                                 and "\u00a0" not in row["СальдоИсх"])
    meters = {row["КодПУ"]: row["ЛС"] for row in _rows(source_dir / "schetchik.csv")}
    readings = _rows(source_dir / "pokazanie.csv")
    by_meter: dict[str, list[tuple[datetime, int]]] = {}
    for i, row in enumerate(readings):
        if row["КодПУ"] in meters and meters[row["КодПУ"]] in accounts and not {row["КодПУ"], meters[row["КодПУ"]]} & dirty:
            by_meter.setdefault(row["КодПУ"], []).append((datetime.strptime(row["Дата"], "%d.%m.%Y"), i + 2))
    meter = next(code for code, dates in by_meter.items() if len(dates) >= 3)
    reading_line = max(by_meter[meter])[1]  # the last reading: no later one compares with it
    closing, reading = _fullwidth(balance["СальдоИсх"]), _fullwidth(readings[reading_line - 2]["Показание"])
    _rewrite(source_dir / "saldo.csv", balance_line, "СальдоИсх", closing)
    _rewrite(source_dir / "pokazanie.csv", reading_line, "Показание", reading)
    return folder, source_dir, (balance_line, closing), (reading_line, reading)


def _note(value: str) -> str:
    return f"{value[0]!r} is U+{ord(value[0]):04X} {unicodedata.name(value[0])}, not an ASCII digit 0-9"


def _own_mapping(folder: Path) -> None:
    """The project's copy of the sample mapping (it takes precedence), reading RECODED as UTF-8."""
    mapping = folder / "mappings" / "sample_legacy"
    shutil.copytree(ROOT / "mappings" / "sample_legacy", mapping)
    system = (mapping / "system.toml").read_text(encoding="utf-8")
    for name in RECODED:
        system = system.replace(f'file = "{name}"\nencoding = "cp1251"', f'file = "{name}"\nencoding = "utf-8"')
    assert system.count('encoding = "utf-8"') == len(RECODED)
    (mapping / "system.toml").write_text(system, encoding="utf-8")


def _dry_run(folder: Path, source_dir: Path, accepted: int):
    _own_mapping(folder)
    write_project(folder, "sample_legacy", source_dir, target_url=f"sqlite:///{folder / 'target.db'}",
                  extra=f"[gates]\naccept_unreadable_rows = {accepted}\n")
    return CliRunner().invoke(cli, ["--project", str(folder), "dry-run"], catch_exceptions=False)


def _summary(folder: Path) -> dict:
    return json.loads(sorted((folder / "reports").glob("*/summary.json"))[-1].read_text(encoding="utf-8"))


def test_fullwidth_money_is_one_reject_and_unreadable_money_the_user_is_told_of(planted):
    folder, source_dir, (balance_line, closing), (reading_line, reading) = planted
    result = _dry_run(folder / "strict", source_dir, accepted=2)
    assert result.exit_code == 1, result.output
    summary = _summary(folder / "strict")
    assert result.stdout.splitlines()[0] == f"Run {summary['run_id']}: DIFFERENCES"
    unreadable = summary["control"]["unreadable"]
    assert unreadable["rows"] == 3
    found = [(v["row"], v["measure"], v["problem"]) for v in unreadable["first"] if v["value"] == closing]
    assert found == [(balance_line, "closing", f"{closing!r} is not a number: {_note(closing)}")]
    assert summary["gate_failures"][0].startswith("3 balance row(s) hold money nobody can read")
    assert "accept_unreadable_rows = 3" in summary["gate_failures"][0]
    assert "accept_unreadable_rows = 3" in result.stdout


def test_accepted_the_run_reconciles_with_one_more_reject_of_each_rule(planted, shipped_run):
    folder, source_dir, (balance_line, closing), (reading_line, reading) = planted
    clean = shipped_run("sample_legacy")[0].summary
    result = _dry_run(folder / "accepted", source_dir, accepted=3)
    assert result.exit_code == 0, result.output
    summary = _summary(folder / "accepted")
    assert summary["status"] == "reconciled"
    assert summary["rejects_by_rule"]["balances"]["BAD_MONEY"] == EXPECTED["rejects_by_rule"]["balances"]["BAD_MONEY"] + 1
    assert "BAD_NUMBER" not in EXPECTED["rejects_by_rule"]["readings"]
    assert summary["rejects_by_rule"]["readings"]["BAD_NUMBER"] == 1
    want = json.loads(json.dumps(clean["rejects_by_rule"]))
    want["balances"]["BAD_MONEY"] += 1
    want["readings"]["BAD_NUMBER"] = 1
    assert summary["rejects_by_rule"] == want
    assert summary["warnings_by_rule"] == clean["warnings_by_rule"]
    for entity, was in clean["entities"].items():
        moved = 1 if entity in ("balances", "readings") else 0
        got = summary["entities"][entity]
        assert (got["source_rows"], got["loaded"], got["rejected"]) == (
            was["source_rows"], was["loaded"] - moved, was["rejected"] + moved), entity
    url = f"sqlite:///{folder / 'accepted' / 'target.db'}"
    rows = query(url, "SELECT entity, rule, source, row_number, raw_value, message FROM reject "
                      "WHERE rule IN ('BAD_MONEY', 'BAD_NUMBER') AND (raw_value = :closing OR raw_value = :reading)",
                 closing=closing, reading=reading)
    assert sorted(row[:5] for row in rows) == [("balance", "BAD_MONEY", "saldo.csv", balance_line, closing),
                                               ("reading", "BAD_NUMBER", "pokazanie.csv", reading_line, reading)]
    messages = {row[1]: row[5] for row in rows}
    assert messages == {
        "BAD_MONEY": f"not an amount of money: {closing!r} (expected digits with ',' and at most two decimals); "
                     f"{_note(closing)}",
        "BAD_NUMBER": f"not a number: {reading!r} (expected at most 15 digits before ',' and 7 after); {_note(reading)}"}
