"""``cutover profile`` on the committed sample: counts, keys, shapes and the two reports.

The sample's dirt is written down in sample_data/sample_legacy/expected.json (``dirt``),
computed by the generator, not by the engine. The profile must find, exactly:
- D1: account numbers 02-001622 and 02-001725, each on two abonent rows (4 rows);
- D2b: two ФИО written as UTF-8 inside the cp1251 file;
- D4: two meters whose ЛС is not in abonent.csv;
- D5: two readings whose КодПУ is not in schetchik.csv;
- D6: 48 balances of two accounts that are not in abonent.csv;
- R1: two ФИО with Latin look-alike letters;
- R4: 1546 money values written with a thousands separator;
- D9: Начислено "н/д" twice in an otherwise numeric column.
"""

from __future__ import annotations

import csv
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from support import write_project

from cutover.analysis import (
    Finding,
    ProfileResult,
    profile_project,
    write_profile_reports,
)
from cutover.analysis import columns as column_profiles
from cutover.analysis.columns import ColumnProfiler
from cutover.analysis.findings import SEVERITIES
from cutover.analysis.text import (
    has_lookalikes,
    lookalike_candidates,
    misdecoded,
    misdecoded_candidates,
    numbers_of,
    parse_number,
    shape,
)
from cutover.config import load_project
from cutover.progress import Progress

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_data" / "sample_legacy"
EXPECTED = json.loads((SAMPLE / "expected.json").read_text(encoding="utf-8"))
DIRT = {item["code"]: item for item in EXPECTED["dirt"]}
FORMULA = "=HYPERLINK(\"http://example.invalid\",\"1\")"


def project_folder(folder: Path, source_dir: Path = SAMPLE, extra: str = "") -> Path:
    return write_project(folder, "sample_legacy", source_dir, extra=extra)


@pytest.fixture(scope="module")
def profiled(tmp_path_factory) -> ProfileResult:
    return profile_project(load_project(project_folder(tmp_path_factory.mktemp("profile"))))


@pytest.fixture(scope="module")
def reports(profiled) -> tuple[Path, Path]:
    return write_profile_reports(profiled)


@pytest.fixture(scope="module")
def damaged(tmp_path_factory) -> ProfileResult:
    """The sample with a formula-like service name, no saldo.csv and no ЛС column in schetchik.csv."""
    folder = tmp_path_factory.mktemp("damaged")
    extract = folder / "extract"
    shutil.copytree(SAMPLE, extract)
    (extract / "saldo.csv").unlink()
    services = (extract / "usluga.csv").read_text(encoding="cp1251").splitlines()
    code = services[1].split(";")[0]
    services[1] = f"{code};{FORMULA};шт"
    (extract / "usluga.csv").write_text("\r\n".join(services) + "\r\n", encoding="cp1251")
    meters = (extract / "schetchik.csv").read_text(encoding="cp1251")
    (extract / "schetchik.csv").write_text(meters.replace(";ЛС;", ";ЛицСчет;", 1), encoding="cp1251")
    return profile_project(load_project(project_folder(folder, extract)))


def only(result: ProfileResult, check: str, source: str) -> Finding:
    found = [f for f in result.findings if f.check == check and f.source == source]
    assert len(found) == 1, [(f.check, f.source, f.column) for f in result.findings]
    return found[0]


def test_rows_per_source_are_exact(profiled):
    rows = {source.location: source.rows for source in profiled.sources}
    assert rows == {name: counts["data_rows"] for name, counts in EXPECTED["files"].items()}
    assert all(source.error is None for source in profiled.sources)
    abonent = profiled.source("abonent")
    assert [c.name for c in abonent.columns] == ["ЛС", "ФИО", "Адрес", "ДатаРожд", "Площадь", "Прожив", "ДатаОткр"]
    assert abonent.entities == ("person", "premise", "account")


def test_duplicate_account_numbers_are_found_once_for_person_and_account(profiled):
    duplicate = only(profiled, "DUPLICATE_KEY", "abonent")
    assert duplicate.severity == "error"
    assert duplicate.column == "ЛС"
    assert set(duplicate.examples) == set(DIRT["D1"]["keys"])
    assert duplicate.count == DIRT["D1"]["rows"]
    assert "person, account" in duplicate.what


@pytest.mark.parametrize("code, source, column, key_part", [
    ("D4", "schetchik", "ЛС", None),
    ("D5", "pokazanie", "КодПУ", 0),  # keys "КодПУ:Зона:Дата": the meter is the first part
    ("D6", "saldo", "ЛС", None),
])
def test_orphans_are_counted_exactly(profiled, code, source, column, key_part):
    orphan = only(profiled, "ORPHAN", source)
    assert (orphan.severity, orphan.column, orphan.count) == ("error", column, DIRT[code]["rows"])
    if key_part is not None:
        assert set(orphan.examples) == {key.split(":")[key_part] for key in DIRT[code]["keys"]}
    elif code == "D6":
        assert set(orphan.examples) == set(DIRT[code]["keys"])


def test_orphan_meters_name_accounts_missing_from_abonent(profiled):
    orphan = only(profiled, "ORPHAN", "schetchik")
    with (SAMPLE / "schetchik.csv").open(encoding="cp1251", newline="") as text:
        meters = {row["КодПУ"]: row["ЛС"] for row in csv.DictReader(text, delimiter=";")}
    assert set(orphan.examples) == {meters[key] for key in DIRT["D4"]["keys"]}


def test_dates_have_one_shape_and_numbers_an_exact_range(profiled):
    opened = profiled.source("abonent").column("ДатаОткр")
    assert opened.top_shape == "99.99.9999"
    assert opened.top_shapes[0][1] == opened.filled == opened.rows
    assert opened.numbers is None
    with (SAMPLE / "abonent.csv").open(encoding="cp1251", newline="") as text:
        areas = [Decimal(row["Площадь"].replace(",", ".")) for row in csv.DictReader(text, delimiter=";")
                 if row["Площадь"]]
    area = profiled.source("abonent").column("Площадь").numbers
    assert (Decimal(area.minimum), Decimal(area.maximum)) == (min(areas), max(areas))
    assert area.minimum == str(min(areas)) and area.separators == (",",)


def test_lookalikes_and_misdecoded_names_in_fio(profiled):
    lookalike = only(profiled, "LOOKALIKE", "abonent")
    assert (lookalike.severity, lookalike.column, lookalike.count) == ("warning", "ФИО", DIRT["R1"]["rows"])
    assert all(has_lookalikes(example) for example in lookalike.examples)
    broken = only(profiled, "MISDECODED", "abonent")
    assert (broken.severity, broken.column, broken.count) == ("error", "ФИО", DIRT["D2b"]["rows"])
    assert profiled.source("abonent").column("ФИО").lookalikes == DIRT["R1"]["rows"]


def test_money_columns_thousands_separators_and_a_non_number(profiled):
    grouped = [f for f in profiled.findings if f.check == "THOUSANDS_SEPARATOR"]
    assert sum(f.count for f in grouped) == DIRT["R4"]["values"]
    assert {f.severity for f in grouped} == {"info"}
    not_number = only(profiled, "NOT_A_NUMBER", "saldo")
    assert (not_number.column, not_number.count, not_number.examples) == ("Начислено", DIRT["D9"]["rows"], ("н/д",))


def test_findings_come_worst_first(profiled):
    ranks = [SEVERITIES.index(f.severity) for f in profiled.findings]
    assert ranks == sorted(ranks)
    assert profiled.findings[0].severity == "error"
    assert profiled.counts["error"] == 5  # D1, D2b, D4, D5, D6
    json.dumps(profiled.to_dict(), ensure_ascii=False)  # plain data throughout


def test_chunked_reading_gives_the_same_profile(profiled, tmp_path):
    chunked = profile_project(load_project(project_folder(tmp_path, extra="chunk_rows = 2999\n")))
    assert chunked.run_id != profiled.run_id
    assert [s.to_dict() for s in chunked.sources] == [s.to_dict() for s in profiled.sources]
    assert chunked.findings == profiled.findings


def test_progress_names_each_source(tmp_path):
    class Recorder(Progress):
        def __init__(self):
            self.stages, self.rows = [], 0

        def stage(self, name):
            self.stages.append(name)

        def advance(self, rows):
            self.rows += rows

    recorder = Recorder()
    profile_project(load_project(project_folder(tmp_path)), recorder)
    assert recorder.stages == [f"profile {name}" for name in ("abonent", "usluga", "schetchik", "pokazanie", "saldo")]
    assert recorder.rows == sum(counts["data_rows"] for counts in EXPECTED["files"].values())


def test_workbook_sheets_findings_first_and_text_cells(reports, profiled):
    workbook = load_workbook(reports[0])
    assert reports[0].name == "profile.xlsx" and reports[0].parent.name == profiled.run_id
    assert workbook.sheetnames == ["Findings", "Sources", "abonent", "usluga", "schetchik", "pokazanie", "saldo"]
    findings = workbook["Findings"]
    assert findings.freeze_panes == "A2"
    assert findings.auto_filter.ref == f"A1:G{len(profiled.findings) + 1}"
    assert [c.value for c in findings[1]] == ["Severity", "Check", "Source", "Column", "What", "Count", "Examples"]
    assert [findings.cell(row=r, column=2).value for r in range(2, len(profiled.findings) + 2)] == \
        [f.check for f in profiled.findings]
    sources = workbook["Sources"]
    rows = {sources.cell(row=r, column=1).value: sources.cell(row=r, column=4).value for r in range(4, 9)}
    assert rows == {s.name: s.rows for s in profiled.sources}
    assert workbook["abonent"]["A4"].value == "ЛС"


def test_formula_like_value_stays_text(damaged):
    assert FORMULA in {value for value, _ in damaged.source("usluga").column("Наименование").top_values}
    workbook_path, page_path = write_profile_reports(damaged)
    sheet = load_workbook(workbook_path)["usluga"]
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == FORMULA]
    assert cells and all(cell.data_type == "s" for cell in cells)
    page = page_path.read_text(encoding="utf-8")
    assert FORMULA not in page and "=HYPERLINK(&quot;http://example.invalid&quot;" in page


def test_an_unreadable_source_is_a_finding_and_the_rest_is_profiled(damaged):
    unreadable = only(damaged, "UNREADABLE", "saldo")
    assert unreadable in damaged.findings[:2]  # with the missing column: whole-source errors come first
    assert "saldo.csv: file not found" in unreadable.what
    assert damaged.source("saldo").rows == 0
    assert damaged.source("abonent").rows == EXPECTED["files"]["abonent.csv"]["data_rows"]
    assert {f.source for f in damaged.findings if f.check == "ORPHAN"} == {"pokazanie"}


def test_a_column_the_mapping_reads_but_the_source_lacks_is_an_error(damaged):
    missing = only(damaged, "MISSING_COLUMN", "schetchik")
    assert (missing.severity, missing.column) == ("error", "ЛС")
    assert "schetchik.csv does not have" in missing.what and "ЛицСчет" in missing.what


def test_html_is_one_page_with_the_findings_first(reports, profiled):
    page = reports[1].read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page
    assert "<script" not in page and "http" not in page.split("</style>")[0]
    for finding in profiled.findings:
        assert finding.check in page
    assert page.index("DUPLICATE_KEY") < page.index('<h2 id="source-abonent">')
    for key in DIRT["D1"]["keys"] + DIRT["D6"]["keys"]:
        assert f"<code>{key}</code>" in page
    assert "99.99.9999" in page


def test_shapes_numbers_and_encodings_of_single_values():
    assert shape("01.02.2026") == "99.99.9999"
    assert shape("Иванов Иван-Ёж") == "Аааааа Аааа-Аа"
    assert shape("ул. Lenina, д. 5а") == "аа. Aaaaaa, а. 9а"
    assert parse_number("-1\u00a0234,50") == (Decimal("-1234.50"), ",", True)
    assert parse_number("12.5") == (Decimal("12.5"), ".", False)
    assert parse_number("1 23,5") is None and parse_number("н/д") is None and parse_number("1e5") is None
    assert has_lookalikes("ИВАНOВ") and not has_lookalikes("ООО ROMASHKA") and not has_lookalikes("Иванов")
    assert misdecoded("Иванов", "cp1251") is None
    assert misdecoded("Нина".encode("utf-8").decode("cp1251"), "cp1251") == "Нина"


def test_distinct_values_are_exact_up_to_the_cap(monkeypatch):
    monkeypatch.setattr(column_profiles, "DISTINCT_CAP", 3)
    profiler = ColumnProfiler("ЛС", "cp1251")
    profiler.add(pd.Series(["a", "b", "", "a"], dtype="str"))
    profiler.add(pd.Series(["c", "d", "a", " "], dtype="str"))
    profile = profiler.result()
    assert (profile.rows, profile.blanks, profile.distinct, profile.distinct_capped) == (8, 2, 3, True)
    assert profile.distinct_text == "more than 3"
    assert profile.top_values[0] == ("a", 3)


def test_series_checks_agree_with_the_one_value_definitions():
    values = ["12", "-1\u00a0234,50", "+7.25", " 3,0 ", "1 23,5", "н/д", "1e5", "١٢", "12 345 678", "ИВАНOВ",
              "Иванов", "ROMASHKA", "РќРёРЅР°", "СЕРГЕЕВ"]
    series = pd.Series(values, dtype="str")
    numeric, grouped, digits = numbers_of(series)
    for index, value in enumerate(values):
        number = parse_number(value)
        assert bool(numeric[index]) == (number is not None), value
        if number is not None:
            assert (Decimal(digits[index]), bool(grouped[index])) == (number[0], number[2]), value
        assert has_lookalikes(value) <= bool(lookalike_candidates(series)[index]), value
        assert (misdecoded(value, "cp1251") is not None) <= bool(misdecoded_candidates(series, "cp1251")[index])
