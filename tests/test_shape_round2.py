"""Shaping, round 2 (issue 17, items 8 and 9): a rename per source, so one entity unites sources
whose columns are named differently, and an unpivot giving several values per label.

Two tiny legacy systems, built on tests/test_shape.py's (its persons, premises and accounts):

- readings from the readings sheet (pok_a.csv: SCH;Дата;Показание) and the initial readings on
  the meter sheet (sch.csv: ...;НачПоказ;ДатаУст), renamed to the readings' names;
- balances in the wide form (sal.csv): per account and month, under each service's heading
  its opening, charged, paid and closing (ХВС Вх, ХВС Нач, ХВС Опл, ХВС Исх; ГВС ...).

Every expected count and kopeck below is worked out by hand from the rows written here.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from support import kopecks, query, write_project
from test_shape import ENTITIES, FILES, write_system

from cutover.config import load_project
from cutover.control.plan import control_plan
from cutover.control.totals import read_control
from cutover.errors import MappingError
from cutover.extract.snapshot import ExtractedSource, ExtractResult
from cutover.mapping.apply.shape import shape_batches, shape_rows
from cutover.mapping.model import load_mapping
from cutover.run.dry_run import dry_run

GATES = "[gates]\nmax_reject_share = 1\nmax_rejected_money_share = 1\n"


def _run(folder: Path, entities: dict[str, str], files: dict[str, list[str]]):
    write_system(folder, entities, files)
    write_project(folder, "tiny", "extract", extra=GATES)  # rejected money on purpose: no money gate
    return dry_run(load_project(folder)), f"sqlite:///{folder / 'cutover.db'}"


def _load_error(tmp_path: Path, entities: dict[str, str], entity: str) -> str:
    folder = write_system(tmp_path, entities, FILES)
    with pytest.raises(MappingError) as caught:
        load_mapping(folder / "mappings" / "tiny")
    prefix = f"{folder / 'mappings' / 'tiny' / 'entities' / (entity + '.toml')}: "
    assert str(caught.value).startswith(prefix), str(caught.value)
    return str(caught.value)[len(prefix):]


def _records(summary: dict, location: str) -> dict:
    source = next(source for source in summary["records"] if source["location"] == location)
    return {"records": source["records"], "read": source["read"],
            "entities": {c["entity"]: (c["read"], c["filtered"], c["without_rows"], c["rows"], c["loaded_rows"],
                                       c["rejected_rows"]) for c in source["entities"]}}


# --- item 8: a rename per source ------------------------------------------------------------------

RENAMED_FILES = {
    **FILES,
    "sch.csv": ["SCH;LS;USL;RAZR;ZON;НачПоказ;ДатаУст",
                "1;100;1;5;1;3,5;01.09.2026",
                "2;101;5;6;2;40;15.08.2026",
                "3;100;1;5;1;abc;01.09.2026"],       # row 4: an initial reading nobody can read
    "pok_a.csv": ["SCH;Дата;Показание",
                  "1;20.09.2026;10,5",
                  "2;20.09.2026;100",
                  "3;20.09.2026;7",
                  "2;20.10.2026;1l0"],                # row 5: an l for a 1
}

RENAMED_READING = '''
[entity]
name = "reading"
source = ["pok_a", "sch"]
key = ["SCH", "Дата"]
[entity.rename.sch]        # the meter sheet's initial reading, by the readings sheet's names
"НачПоказ" = "Показание"
"ДатаУст" = "Дата"
[[columns]]
to = "zone"
value = "T1"
[[columns]]
to = "read_on"
from = "Дата"
transforms = [{ name = "date", formats = ["%d.%m.%Y"] }]
[[columns]]
to = "value"
from = "Показание"
transforms = ["decimal"]
[[columns]]
to = "source"
value = "operator"
[[refs]]
to = "meter_id"
entity = "meter"
key = ["SCH"]
'''

RENAMED_ENTITIES = {**ENTITIES, "reading": RENAMED_READING}


@pytest.fixture(scope="module")
def renamed(tmp_path_factory):
    return _run(tmp_path_factory.mktemp("renamed"), RENAMED_ENTITIES, RENAMED_FILES)


def test_initial_readings_on_the_meter_sheet_load_beside_the_readings(renamed):
    result, url = renamed
    assert result.status == "reconciled"
    entities = result.summary["entities"]
    assert {k: (v["source_rows"], v["loaded"], v["rejected"]) for k, v in entities.items()
            if k in ("meters", "readings")} == {
        "meters": (3, 3, 0),
        "readings": (7, 5, 2),   # 4 of pok_a.csv + 3 initial ones of sch.csv; one of each unreadable
    }
    assert query(url, "SELECT m.serial, r.read_on, r.value FROM reading r JOIN meter m ON m.id = r.meter_id "
                      "ORDER BY m.serial, r.read_on") == [
        ("1", "2026-09-01", "3.5000000"), ("1", "2026-09-20", "10.5000000"),
        ("2", "2026-08-15", "40.0000000"), ("2", "2026-09-20", "100.0000000"),
        ("3", "2026-09-20", "7.0000000"),
    ]


def test_a_reject_names_the_physical_file_and_row_of_each_source(renamed):
    _, url = renamed
    assert query(url, "SELECT source, row_number, legacy_key, rule, column_name, raw_value FROM reject "
                      "WHERE entity = 'reading' ORDER BY source, row_number") == [
        ("pok_a.csv", 5, "2|20.10.2026", "BAD_NUMBER", "Показание", "1l0"),
        ("sch.csv", 4, "3|01.09.2026", "BAD_NUMBER", "НачПоказ", "abc"),  # the column as sch.csv names it
    ]


def test_every_source_s_records_add_up_in_the_renamed_entity(renamed):
    result, _ = renamed
    # (read, filtered, without rows, rows, loaded, rejected)
    assert _records(result.summary, "sch.csv") == {
        "records": 3, "read": 3, "entities": {"meters": (3, 0, 0, 3, 3, 0), "readings": (3, 0, 0, 3, 2, 1)}}
    assert _records(result.summary, "pok_a.csv") == {
        "records": 4, "read": 4, "entities": {"readings": (4, 0, 0, 4, 3, 1)}}


def test_only_the_named_source_is_renamed_and_only_its_read_columns(tmp_path):
    """sch.csv also holds a column named Показание (another entity's): the rename reads НачПоказ
    for the readings, never both; rows keep their file and row number."""
    folder = write_system(tmp_path, RENAMED_ENTITIES, RENAMED_FILES)
    reading = load_mapping(folder / "mappings" / "tiny").entity("reading")
    assert reading.needed_columns() == {"pok_a": {"SCH", "Дата", "Показание"}, "sch": {"SCH", "НачПоказ", "ДатаУст"}}
    pok = pd.DataFrame({"_row": [2, 3], "SCH": ["1", "2"], "Дата": ["20.09.2026", "20.09.2026"],
                        "Показание": ["10,5", "100"]})
    sch = pd.DataFrame({"_row": [2, 3, 4], "SCH": ["1", "2", "3"], "НачПоказ": ["3,5", "40", "abc"],
                        "ДатаУст": ["01.09.2026", "15.08.2026", "01.09.2026"], "Показание": ["x", "y", "z"],
                        "LS": ["100", "101", "100"]})
    extracted = ExtractResult({
        "pok_a": ExtractedSource("pok_a", "pok_a.csv", pok, None, {}, None, 2),
        "sch": ExtractedSource("sch", "sch.csv", sch, None, {}, None, 3)})
    whole = shape_rows(reading, extracted).frame
    assert whole[["_source", "_row", "SCH", "Дата", "Показание"]].values.tolist() == [
        ["pok_a.csv", 2, "1", "20.09.2026", "10,5"], ["pok_a.csv", 3, "2", "20.09.2026", "100"],
        ["sch.csv", 2, "1", "01.09.2026", "3,5"], ["sch.csv", 3, "2", "15.08.2026", "40"],
        ["sch.csv", 4, "3", "01.09.2026", "abc"]]
    assert list(whole.columns).count("Показание") == 1
    batches = list(shape_batches(reading, extracted, 2))
    assert [(b.source, b.records, len(b.frame)) for b in batches] == [("pok_a", 2, 2), ("sch", 2, 2), ("sch", 1, 1)]
    united = pd.concat([b.frame for b in batches], ignore_index=True)
    assert united[list(whole.columns)].equals(whole)


def test_the_money_control_reads_a_renamed_balance_source_by_its_own_names(tmp_path):
    """Balances from sal.csv and from an older export (here the source pok_b) that calls the charge
    НАЧИСЛ: the control reads both, and names an unreadable charge of the older one НАЧИСЛ."""
    balance = ENTITIES["balance"].replace('source = "sal"\n', 'source = ["sal", "pok_b"]\n').replace(
        "[filter]\n", '[entity.rename.pok_b]\n"НАЧИСЛ" = "NACH"\n[filter]\n')
    folder = write_system(tmp_path, {**ENTITIES, "balance": balance}, FILES)
    plan = control_plan(load_mapping(folder / "mappings" / "tiny"))
    columns = "MES;LS;USL;DOLG_N;AVANS_N;NACH;OPL;DOLG_K;AVANS_K".split(";")

    def held(name: str, location: str, header: list[str], rows: list[str]) -> ExtractedSource:
        frame = pd.DataFrame([row.split(";") for row in rows], columns=header)
        frame.insert(0, "_row", range(2, len(rows) + 2))
        return ExtractedSource(name, location, frame, None, {}, None, len(rows))

    extracted = ExtractResult({
        "sal": held("sal", "sal.csv", columns, ["202610;100;1;0,00;0,00;10,00;0,00;10,00;0,00"]),
        "pok_b": held("pok_b", "old.csv", [c if c != "NACH" else "НАЧИСЛ" for c in columns],
                      ["202610;101;1;0,00;0,00;5,00;0,00;5,00;0,00", "202610;102;1;0,00;0,00;1.2.3;0,00;0,00;0,00"])})
    totals = read_control(plan, extracted, None, 1000)
    assert totals.sums[["service", "period", "rows", "charged", "closing", "charged_unreadable"]].values.tolist() == [
        ["1", "2026-10", 3, 1000 + 500, 1000 + 500, 1]]
    [value] = totals.unreadable_values
    assert (value.source, value.row, value.measure, value.column, value.value) == (
        "old.csv", 3, "charged", "НАЧИСЛ", "1.2.3")


RENAME_MISTAKES = [
    ("[entity.rename.pok_b]\n\"НачПоказ\" = \"Показание\"\n",
     "entity.rename.pok_b: 'pok_b' is not a source of this entity; expected one of ['pok_a', 'sch']"),
    ("[entity.rename.sch]\n\"НачПоказ\" = \"ДатаУст\"\n\"ДатаУст\" = \"Дата\"\n",
     "entity.rename.sch.\"НачПоказ\": 'ДатаУст' is a column of sch already (it is renamed here too); rename "
     "onto a name sch does not have"),
    ("[entity.rename.sch]\n\"НачПоказ\" = \"Дата\"\n\"ДатаУст\" = \"Дата\"\n",
     "entity.rename.sch.\"ДатаУст\": 'НачПоказ' of sch is renamed to 'Дата' already; rename one column onto "
     "each name"),
    ("[entity.rename.sch]\n\"НачПоказ\" = \"Показ\"\n\"ДатаУст\" = \"Дата\"\n",
     "entity.rename.sch.\"НачПоказ\": the entity reads no column 'Показ'; rename a column onto one it reads (in "
     "from, key, refs, filter, the joins' on or the unpivot's columns)"),
    ("[entity.rename.sch]\nSCH = \"Показание\"\n\"ДатаУст\" = \"Дата\"\n",
     "entity.rename.sch.SCH: the entity reads 'SCH' under its own name too; one column of sch cannot be two of "
     "the entity's"),
    ("[entity.rename.sch]\n\"НачПоказ\" = 5\n",
     "entity.rename.sch.\"НачПоказ\": expected the entity's name for sch's column 'НачПоказ', got 5"),
    ("[entity.rename]\nsch = \"НачПоказ\"\n",
     "entity.rename.sch: expected \"<source column>\" = \"<the entity's column>\", ..."),
]


@pytest.mark.parametrize(("rename", "message"), RENAME_MISTAKES)
def test_a_wrong_rename_is_refused_at_load_naming_file_and_key(tmp_path, rename, message):
    written = RENAMED_READING[RENAMED_READING.index("[entity.rename.sch]"):RENAMED_READING.index("[[columns]]")]
    entities = {**RENAMED_ENTITIES, "reading": RENAMED_READING.replace(written, rename)}
    assert _load_error(tmp_path, entities, "reading") == message


def test_a_key_of_entity_written_after_the_rename_is_explained(tmp_path):
    """TOML reads a key written after [entity.rename.sch] as a column of the rename table."""
    reading = RENAMED_READING.replace('key = ["SCH", "Дата"]\n', "").replace(
        '"ДатаУст" = "Дата"\n', '"ДатаУст" = "Дата"\nkey = ["SCH", "Дата"]\n')
    assert _load_error(tmp_path, {**RENAMED_ENTITIES, "reading": reading}, "reading") == (
        "entity.rename.sch.key: expected the entity's name for sch's column 'key', got ['SCH', 'Дата'] (is key a "
        "key of [entity] written after [entity.rename...]? TOML puts it in the rename table: write the rename "
        "tables after every key of [entity])")


def test_a_rename_onto_a_column_the_unpivot_makes_is_refused(tmp_path):
    reading = ENTITIES["reading"].replace('key = ["SCH", "zone", "DATA"]\n',
                                          'key = ["SCH", "zone", "DATA"]\n[entity.rename.pok_b]\nZONA = "zone"\n')
    assert _load_error(tmp_path, {**ENTITIES, "reading": reading}, "reading") == (
        "entity.rename.pok_b.ZONA: 'zone' is a column the entity's [[joins]] or [unpivot] make, not one it reads "
        "from pok_b")


# --- item 9: an unpivot of several measures ---------------------------------------------------------

WIDE = "MES;LS;ХВС Вх;ХВС Нач;ХВС Опл;ХВС Исх;ГВС Вх;ГВС Нач;ГВС Опл;ГВС Исх"
WIDE_FILES = {
    **FILES,
    "usl.csv": ["KOD;NAIM;ED", "01;Холодная вода;м3", "02;Горячая вода;м3"],
    "sal.csv": [WIDE,
                "202609;100;0,00;100,00;60,00;40,00;;;;",                      # row 2: no hot water: one row
                "202610;100;40,00;100,00;140,00;0,00;0,00;200.00;150,00;50,00",  # row 3: ГВС Нач with a dot
                "202610;101;5,00;50,00;;55,00;50,00;35,00;85,00;0,00",          # row 4: ХВС Опл blank: nothing paid
                "202610;100;;;;;;;;",                                          # row 5: every cell blank: no row
                "202609;101;0,00;50,00;45,00;5,00;20,00;30,00;;50,00",         # row 6
                "202608;101;;;;;;;;",                                          # row 7: filtered (blank too)
                "202608;100;1,00;1,00;;2,00;;;;"],                             # row 8: filtered
}

WIDE_SERVICE = ENTITIES["service"].replace('{ "1" = "cold_water", "5" = "electricity" }',
                                           '{ "01" = "cold_water", "02" = "hot_water" }')

WIDE_BALANCE = '''
[entity]
name = "balance"
source = "sal"
key = ["LS", "service", "MES"]
[filter]
MES = ["202609", "202610"]
[unpivot]
label = "service"
[unpivot.columns]
"01" = { opening = "ХВС Вх", charged = "ХВС Нач", paid = "ХВС Опл", closing = "ХВС Исх" }
"02" = { opening = "ГВС Вх", charged = "ГВС Нач", paid = "ГВС Опл", closing = "ГВС Исх" }
[[columns]]
to = "period"
from = "MES"
transforms = [{ name = "period", formats = ["%Y%m"] }]
[[columns]]
to = "opening_kopecks"
from = "opening"
transforms = ["money", { name = "default", value = 0 }]
[[columns]]
to = "charged_kopecks"
from = "charged"
transforms = ["money", { name = "default", value = 0 }]
[[columns]]
to = "recalculated_kopecks"
value = 0
transforms = ["kopecks"]
[[columns]]
to = "paid_kopecks"
from = "paid"
transforms = ["money", { name = "default", value = 0 }]
[[columns]]
to = "closing_kopecks"
from = "closing"
transforms = ["money"]
[[refs]]
to = "account_id"
entity = "account"
key = ["LS"]
[[refs]]
to = "service_id"
entity = "service"
key = ["service"]
'''

WIDE_ENTITIES = {name: ENTITIES[name] for name in ("person", "premise", "account")} | {
    "service": WIDE_SERVICE, "balance": WIDE_BALANCE}


@pytest.fixture(scope="module")
def wide(tmp_path_factory):
    return _run(tmp_path_factory.mktemp("wide"), WIDE_ENTITIES, WIDE_FILES)


def test_a_wide_balance_sheet_makes_a_balance_per_service_with_every_measure(wide):
    result, url = wide
    assert result.status == "reconciled", (result.summary["differences"], result.summary["gate_failures"])
    assert result.summary["entities"]["balances"] == {"source_rows": 7, "loaded": 6, "rejected": 1, "warnings": 0}
    assert result.summary["entities"]["services"]["loaded"] == 2
    assert query(url, "SELECT a.legacy_account_number, s.code, b.period, b.opening_kopecks, b.charged_kopecks, "
                      "b.paid_kopecks, b.closing_kopecks FROM balance b JOIN account a ON a.id = b.account_id "
                      "JOIN service s ON s.id = b.service_id ORDER BY b.period, a.legacy_account_number, s.code") == [
        ("100", "cold_water", "2026-09", 0, 10000, 6000, 4000),
        ("101", "cold_water", "2026-09", 0, 5000, 4500, 500),
        ("101", "hot_water", "2026-09", 2000, 3000, 0, 5000),
        ("100", "cold_water", "2026-10", 4000, 10000, 14000, 0),
        ("101", "cold_water", "2026-10", 500, 5000, 0, 5500),
        ("101", "hot_water", "2026-10", 5000, 3500, 8500, 0),
    ]


def test_the_money_control_reads_every_measure_of_the_wide_sheet(wide):
    result, _ = wide
    services = result.summary["money_by_measure"]["services"]

    def line(code: str, measure: str) -> tuple[int, int, int, int]:
        found = services[code][measure]
        assert found["unreadable"] == 0 and kopecks(found["difference"]) == 0, found
        return kopecks(found["source"]), kopecks(found["target"]), kopecks(found["rejected"]), kopecks(found["control"])

    # 2026-10, (source: what the mapping read, target, rejected, control: what the control read);
    # cold water: rows 3 and 4, both loaded
    assert line("cold_water", "opening") == (4000 + 500,) * 2 + (0, 4500)
    assert line("cold_water", "charged") == (10000 + 5000,) * 2 + (0, 15000)
    assert line("cold_water", "paid") == (14000 + 0,) * 2 + (0, 14000)
    assert line("cold_water", "closing") == (0 + 5500,) * 2 + (0, 5500)
    # hot water: row 4 loaded; row 3 rejected (its ГВС Нач 200.00 has a dot, which the mapping's money
    # does not read and the control does), its money shown as rejected
    assert line("hot_water", "opening") == (0 + 5000, 5000, 0, 5000)
    assert line("hot_water", "charged") == (3500, 3500, 20000, 20000 + 3500)
    assert line("hot_water", "paid") == (15000 + 8500, 8500, 15000, 23500)
    assert line("hot_water", "closing") == (5000 + 0, 0, 5000, 5000)


def test_the_rejected_measure_names_the_physical_file_and_row(wide):
    _, url = wide
    assert query(url, "SELECT source, row_number, legacy_key, rule, raw_value, message FROM reject "
                      "WHERE entity = 'balance'") == [
        ("sal.csv", 3, "100|02|202610", "BAD_MONEY", "200.00",
         "not an amount of money: '200.00' (expected digits with ',' and at most two decimals)")]


def test_the_rejected_measure_names_its_source_column(wide):
    _, url = wide
    assert query(url, "SELECT column_name FROM reject WHERE entity = 'balance'") == [("ГВС Нач",)]


def test_the_wide_sheet_s_records_add_up(wide):
    result, _ = wide
    # 7 records: rows 2..8; rows 7 and 8 filtered (of 2026-08), row 5 makes no row (every cell
    # blank); 1 + 2 + 2 + 2 long rows of rows 2, 3, 4 and 6
    assert _records(result.summary, "sal.csv") == {
        "records": 7, "read": 7, "entities": {"balances": (7, 2, 1, 7, 6, 1)}}
    assert result.summary["filtered"] == {"balances": 2}


def _wide_extract(rows: list[str]) -> ExtractResult:
    header = WIDE.split(";")
    frame = pd.DataFrame([line.split(";") for line in rows], columns=header)
    frame.insert(0, "_row", range(2, len(rows) + 2))
    return ExtractResult({"sal": ExtractedSource("sal", "sal.csv", frame, None, {}, None, len(rows))})


def test_the_control_names_the_source_column_of_a_value_nobody_can_read(tmp_path):
    """A ГВС Нач of 12-34: the control counts it as unreadable, named by the sheet's column."""
    folder = write_system(tmp_path, WIDE_ENTITIES, WIDE_FILES)
    plan = control_plan(load_mapping(folder / "mappings" / "tiny"))
    assert [(m.measure, m.columns) for m in plan.measures] == [
        ("opening", ("opening",)), ("charged", ("charged",)), ("recalculated", ()), ("paid", ("paid",)),
        ("closing", ("closing",))]
    totals = read_control(plan, _wide_extract(["202610;100;1,00;2,00;3,00;0,00;4,00;12-34;5,00;6,00",
                                               "202610;101;;;;;;;;"]), None, 1000)
    [value] = totals.unreadable_values
    assert (value.source, value.row, value.service, value.measure, value.column, value.value) == (
        "sal.csv", 2, "02", "charged", "ГВС Нач", "12-34")
    sums = totals.sums.set_index("service")
    assert sums.loc["01", ["rows", "opening", "charged", "paid", "closing"]].tolist() == [1, 100, 200, 300, 0]
    assert sums.loc["02", ["rows", "opening", "charged", "paid", "closing", "charged_unreadable"]].tolist() == [
        1, 400, 0, 500, 600, 1]


def test_a_long_row_per_label_with_each_value_and_where_it_came_from(tmp_path):
    folder = write_system(tmp_path, WIDE_ENTITIES, WIDE_FILES)
    balance = load_mapping(folder / "mappings" / "tiny").entity("balance")
    assert balance.unpivot.values == ("opening", "charged", "paid", "closing")
    assert balance.needed_columns() == {"sal": {"MES", "LS", *WIDE.split(";")[2:]}}
    shaped = shape_rows(balance, _wide_extract(WIDE_FILES["sal.csv"][1:]))
    assert (shaped.records, shaped.filtered, shaped.without_rows) == (7, 2, 1)
    frame = shaped.frame
    assert frame[["_row", "service", "opening", "charged", "paid", "closing", "_from.charged"]].values.tolist() == [
        [2, "01", "0,00", "100,00", "60,00", "40,00", "ХВС Нач"],
        [3, "01", "40,00", "100,00", "140,00", "0,00", "ХВС Нач"],
        [3, "02", "0,00", "200.00", "150,00", "50,00", "ГВС Нач"],
        [4, "01", "5,00", "50,00", "", "55,00", "ХВС Нач"],
        [4, "02", "50,00", "35,00", "85,00", "0,00", "ГВС Нач"],
        [6, "01", "0,00", "50,00", "45,00", "5,00", "ХВС Нач"],
        [6, "02", "20,00", "30,00", "", "50,00", "ГВС Нач"],
    ]
    assert not set(WIDE.split(";")[2:]) & set(frame.columns)


def test_without_skip_blank_every_label_makes_a_row(tmp_path):
    entities = {**WIDE_ENTITIES, "balance": WIDE_BALANCE.replace('label = "service"\n',
                                                                  'label = "service"\nskip_blank = false\n')}
    folder = write_system(tmp_path, entities, WIDE_FILES)
    balance = load_mapping(folder / "mappings" / "tiny").entity("balance")
    shaped = shape_rows(balance, _wide_extract(WIDE_FILES["sal.csv"][1:]))
    assert (shaped.records, shaped.filtered, shaped.without_rows, len(shaped.frame)) == (7, 2, 0, 10)
    assert shaped.frame[["_row", "service"]].values.tolist() == [
        [row, service] for row in (2, 3, 4, 5, 6) for service in ("01", "02")]


def test_the_one_value_form_is_unchanged(tmp_path):
    folder = write_system(tmp_path)
    reading = load_mapping(folder / "mappings" / "tiny").entity("reading")
    unpivot = reading.unpivot
    assert (unpivot.columns, unpivot.label, unpivot.value, unpivot.values) == (
        (("T1", "T1"), ("T2", "T2")), "zone", "value", ("value",))


WIDE_COLUMNS = ('"01" = { opening = "ХВС Вх", charged = "ХВС Нач", paid = "ХВС Опл", closing = "ХВС Исх" }\n'
                '"02" = { opening = "ГВС Вх", charged = "ГВС Нач", paid = "ГВС Опл", closing = "ГВС Исх" }\n')

UNPIVOT_MISTAKES = [
    ('"01" = { opening = "ХВС Вх", charged = "ХВС Нач", paid = "ХВС Опл", closing = "ХВС Исх" }\n'
     '"02" = { opening = "ГВС Вх", charged = "ГВС Нач", closing = "ГВС Исх" }\n',
     "unpivot.columns.02: gives the values ['charged', 'closing', 'opening'], but '01' gives ['charged', 'closing', "
     "'opening', 'paid']; every label gives the same values"),
    ('"01" = { opening = "ХВС Вх", charged = "ХВС Нач", paid = "ХВС Опл", closing = "ХВС Исх" }\n'
     '"02" = "ГВС Исх"\n',
     "unpivot.columns.02: expected { <value> = \"<source column>\", ... }, as the other labels give, got 'ГВС Исх'"),
    ('"01" = { opening = "ХВС Вх", charged = "ХВС Нач", paid = "ХВС Опл", closing = "ХВС Исх" }\n'
     '"02" = { opening = "ГВС Вх", charged = "ХВС Нач", paid = "ГВС Опл", closing = "ГВС Исх" }\n',
     "unpivot.columns.02.charged: 'ХВС Нач' is read by columns.01.charged already; each source column holds one "
     "value"),
    ('"01" = { opening = "ХВС Вх", charged = "ХВС Нач", paid = 5, closing = "ХВС Исх" }\n'
     '"02" = { opening = "ГВС Вх", charged = "ГВС Нач", paid = "ГВС Опл", closing = "ГВС Исх" }\n',
     "unpivot.columns.01.paid: expected the source column holding paid of '01', got 5"),
    ('"01" = { opening = "ХВС Вх", service = "ХВС Нач" }\n"02" = { opening = "ГВС Вх", service = "ГВС Нач" }\n',
     "unpivot.columns.01.service: 'service' cannot name a value column (it names the label column)"),
    ('"01" = { opening = "ХВС Вх", _row = "ХВС Нач" }\n"02" = { opening = "ГВС Вх", _row = "ГВС Нач" }\n',
     "unpivot.columns.01._row: '_row' cannot name a value column (names beginning with _ are cutover's own)"),
    ('"01" = {}\n"02" = { opening = "ГВС Вх" }\n',
     "unpivot.columns.01: expected { <value> = \"<source column>\", ... }, as the other labels give, got {}"),
]


@pytest.mark.parametrize(("columns", "message"), UNPIVOT_MISTAKES)
def test_a_wrong_unpivot_of_several_values_is_refused_at_load(tmp_path, columns, message):
    assert WIDE_COLUMNS in WIDE_BALANCE
    entities = {**WIDE_ENTITIES, "balance": WIDE_BALANCE.replace(WIDE_COLUMNS, columns)}
    assert _load_error(tmp_path, entities, "balance") == message


def test_several_values_take_no_value_key(tmp_path):
    entities = {**WIDE_ENTITIES, "balance": WIDE_BALANCE.replace('label = "service"\n',
                                                                  'label = "service"\nvalue = "amount"\n')}
    assert _load_error(tmp_path, entities, "balance") == (
        "unpivot.value: each label gives several values, named in columns; leave value out")


def test_one_value_still_needs_its_value_key(tmp_path):
    reading = ENTITIES["reading"].replace('value = "value"\n', "")
    assert _load_error(tmp_path, {**ENTITIES, "reading": reading}, "reading") == "unpivot: missing key(s) ['value']"
