"""The mapping language on real layouts: several sources, filters, joins, wide to long,
debt and advance in two columns. A tiny legacy system written in the test; every
expected difference is named in the test that checks it.

Files (utf-8, ';'):
  lic.csv   accounts with the name in three fields and an address id (ADR)
  adr.csv   addresses, joined into premises by ADR = ID; address 9 is missing, 7 is there twice
  usl.csv   services
  sch.csv   meters
  pok_a.csv, pok_b.csv  readings of two years, zones in columns T1, T2 (blank T2: no row)
  sal.csv   balances of three months; debt and advance in two columns each
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support import query, write_project

from cutover.config import load_project
from cutover.errors import MappingError
from cutover.mapping.model import load_mapping
from cutover.run.dry_run import dry_run

FILES = {
    "lic.csv": ["LS;FAM;IM;OT;ADR;PLOSH",
                "100;ИВАНОВ;ИВАН;ИВАНОВИЧ;1;50,5",
                "101;ПЕТРОВА;АННА;;2;40",
                "102;СИДОРОВ;ПЁТР;ИЛЬИЧ;9;30",      # address 9 does not exist: JOIN_MISSING
                "103;КОЗЛОВ;ОЛЕГ;;7;33"],           # address 7 is there twice: JOIN_AMBIGUOUS
    "adr.csv": ["ID;GOROD;ULICA;DOM;KV",
                "1;Энск;Ленина;1;1",
                "2;Энск;Мира;5;",
                "7;Энск;Лесная;2;3",
                "7;Энск;Лесная;2;4"],
    "usl.csv": ["KOD;NAIM;ED", "1;Холодная вода;м3", "5;Электроэнергия;кВт*ч"],
    "sch.csv": ["SCH;LS;USL;RAZR;ZON", "1;100;1;5;1", "2;101;5;6;2"],
    "pok_a.csv": ["SCH;DATA;T1;T2", "1;20.09.2026;10,5;", "2;20.09.2026;100;50"],
    "pok_b.csv": ["SCH;DATA;T1;T2", "1;20.10.2026;12;", "2;20.10.2026;110;55"],
    "sal.csv": ["MES;LS;USL;DOLG_N;AVANS_N;NACH;OPL;DOLG_K;AVANS_K",
                "202608;100;1;0,00;0,00;10,00;10,00;0,00;0,00",   # filtered out: only 09 and 10
                "202609;100;1;0,00;0,00;100,00;150,00;0,00;50,00",
                "202610;100;1;0,00;50,00;100,00;0,00;50,00;0,00",
                "202610;101;5;20,00;;30,00;0,00;50,00;",
                "202610;101;1;;;;;;"],                            # all blank: closing missing, REQUIRED
}

SYSTEM = '''
[system]
name = "tiny"
[sources.lic]
file = "lic.csv"
[sources.adr]
file = "adr.csv"
[sources.usl]
file = "usl.csv"
[sources.sch]
file = "sch.csv"
[sources.pok_a]
file = "pok_a.csv"
[sources.pok_b]
file = "pok_b.csv"
[sources.sal]
file = "sal.csv"
'''

ENTITIES = {
    "service": '''
[entity]
name = "service"
source = "usl"
key = ["KOD"]
[[columns]]
to = "code"
from = "KOD"
transforms = [{ name = "dictionary", values = { "1" = "cold_water", "5" = "electricity" } }]
[[columns]]
to = "name"
from = "NAIM"
[[columns]]
to = "unit"
from = "ED"
''',
    "person": '''
[entity]
name = "person"
source = "lic"
key = ["LS"]
[[columns]]
to = "last_name"
from = "FAM"
transforms = ["title"]
[[columns]]
to = "first_name"
from = "IM"
transforms = ["title"]
[[columns]]
to = "patronymic"
from = "OT"
transforms = ["trim", "title"]
''',
    "premise": '''
[entity]
name = "premise"
source = "lic"
key_from_target = ["settlement", "street", "house", "apartment"]
[[joins]]
source = "adr"
on = { "ADR" = "ID" }
columns = ["GOROD", "ULICA", "DOM", "KV"]
[[columns]]
to = "settlement"
from = "adr.GOROD"
transforms = [{ name = "prefix", text = "г. " }]
[[columns]]
to = "street"
from = "adr.ULICA"
transforms = [{ name = "prefix", text = "ул. " }]
[[columns]]
to = "house"
from = "adr.DOM"
[[columns]]
to = "apartment"
from = "adr.KV"
transforms = ["trim"]
[[columns]]
to = "total_area"
from = "PLOSH"
transforms = [{ name = "decimal", scale = 4, precision = 12 }]
merge = "sum"
''',
    "account": '''
[entity]
name = "account"
source = "lic"
key = ["LS"]
[[columns]]
to = "legacy_account_number"
from = "LS"
[[refs]]
to = "person_id"
entity = "person"
key = ["LS"]
[[refs]]
to = "premise_id"
entity = "premise"
key = "same_row"
''',
    "meter": '''
[entity]
name = "meter"
source = "sch"
key = ["SCH"]
[[columns]]
to = "serial"
from = "SCH"
[[columns]]
to = "digit_capacity"
from = "RAZR"
transforms = ["integer"]
[[columns]]
to = "zones"
from = "ZON"
transforms = ["integer"]
[[columns]]
to = "multiplier"
value = "1"
[[columns]]
to = "status"
value = "active"
[[refs]]
to = "account_id"
entity = "account"
key = ["LS"]
[[refs]]
to = "service_id"
entity = "service"
key = ["USL"]
''',
    "reading": '''
[entity]
name = "reading"
source = ["pok_a", "pok_b"]
key = ["SCH", "zone", "DATA"]
[unpivot]
columns = { "T1" = "T1", "T2" = "T2" }
label = "zone"
value = "value"
[[columns]]
to = "zone"
from = "zone"
[[columns]]
to = "read_on"
from = "DATA"
transforms = [{ name = "date", formats = ["%d.%m.%Y"] }]
[[columns]]
to = "value"
from = "value"
transforms = ["decimal"]
[[columns]]
to = "source"
value = "operator"
[[refs]]
to = "meter_id"
entity = "meter"
key = ["SCH"]
''',
    "balance": '''
[entity]
name = "balance"
source = "sal"
key = ["LS", "USL", "MES"]
[filter]
MES = ["202609", "202610"]
[[columns]]
to = "period"
from = "MES"
transforms = [{ name = "period", formats = ["%Y%m"] }]
[[columns]]
to = "opening_kopecks"
from = ["DOLG_N", "AVANS_N"]
transforms = ["debt_minus_advance"]
[[columns]]
to = "charged_kopecks"
from = "NACH"
transforms = ["money", { name = "default", value = 0 }]
[[columns]]
to = "recalculated_kopecks"
value = 0
transforms = ["kopecks"]
[[columns]]
to = "paid_kopecks"
from = "OPL"
transforms = ["money", { name = "default", value = 0 }]
[[columns]]
to = "closing_kopecks"
from = ["DOLG_K", "AVANS_K"]
transforms = ["debt_minus_advance"]
[[refs]]
to = "account_id"
entity = "account"
key = ["LS"]
[[refs]]
to = "service_id"
entity = "service"
key = ["USL"]
''',
}


def write_system(folder: Path, entities: dict[str, str] = ENTITIES, files: dict[str, list[str]] = FILES) -> Path:
    extract = folder / "extract"
    extract.mkdir(parents=True)
    for name, lines in files.items():
        (extract / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    mapping = folder / "mappings" / "tiny"
    (mapping / "entities").mkdir(parents=True)
    (mapping / "system.toml").write_text(SYSTEM, encoding="utf-8")
    for name, text in entities.items():
        (mapping / "entities" / f"{name}.toml").write_text(text, encoding="utf-8")
    return write_project(folder, "tiny", "extract", extra="[gates]\nmax_reject_share = 1\n")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    folder = write_system(tmp_path_factory.mktemp("tiny"))
    result = dry_run(load_project(folder))
    return result, f"sqlite:///{folder / 'cutover.db'}"


def test_counts_add_up_with_filter_join_and_unpivot(tiny):
    result, _ = tiny
    assert result.status == "reconciled"
    counts = {k: (v["source_rows"], v["loaded"], v["rejected"]) for k, v in result.summary["entities"].items()}
    assert counts == {
        "services": (2, 2, 0),
        "persons": (4, 2, 2),       # the payers of those two accounts: rejected with them (ACCOUNT_REJECTED)
        "premises": (4, 2, 2),      # rows 4 and 5 of lic.csv: no address, two addresses
        "accounts": (4, 2, 2),
        "meters": (2, 2, 0),
        "readings": (6, 6, 0),      # 2 files x 2 meters, meter 1 has no T2
        "balances": (4, 3, 1),      # 202608 filtered out; the all-blank row has no closing
    }
    assert result.summary["filtered"] == {"balances": 1}


def test_a_join_without_a_match_or_with_two_is_rejected(tiny):
    _, url = tiny
    assert query(url, "SELECT rule, row_number, column_name, raw_value, message FROM reject "
                      "WHERE entity = 'premise' ORDER BY row_number") == [
        ("JOIN_MISSING", 4, "ADR", "9", "no row of adr (adr.csv) has '9'"),
        ("JOIN_AMBIGUOUS", 5, "ADR", "7", "2 rows of adr (adr.csv) have '7'; none of them is taken"),
    ]


def test_joined_columns_build_the_premise(tiny):
    _, url = tiny
    assert query(url, "SELECT settlement, street, house, apartment, total_area FROM premise ORDER BY street") == [
        ("г. Энск", "ул. Ленина", "1", "1", "50.5000"), ("г. Энск", "ул. Мира", "5", None, "40.0000")]


def test_readings_from_two_files_and_two_zone_columns(tiny):
    _, url = tiny
    assert query(url, "SELECT m.serial, r.zone, r.read_on, r.value FROM reading r JOIN meter m ON m.id = r.meter_id "
                      "ORDER BY m.serial, r.read_on, r.zone") == [
        ("1", "T1", "2026-09-20", "10.5000000"), ("1", "T1", "2026-10-20", "12.0000000"),
        ("2", "T1", "2026-09-20", "100.0000000"), ("2", "T2", "2026-09-20", "50.0000000"),
        ("2", "T1", "2026-10-20", "110.0000000"), ("2", "T2", "2026-10-20", "55.0000000"),
    ]


def test_debt_and_advance_make_one_signed_balance(tiny):
    _, url = tiny
    assert query(url, "SELECT b.period, s.code, b.opening_kopecks, b.closing_kopecks FROM balance b "
                      "JOIN service s ON s.id = b.service_id ORDER BY b.period, s.code") == [
        ("2026-09", "cold_water", 0, -5000), ("2026-10", "cold_water", -5000, 5000),
        ("2026-10", "electricity", 2000, 5000)]
    assert query(url, "SELECT rule, column_name, raw_value FROM reject WHERE entity = 'balance' ORDER BY id") == [
        ("REQUIRED", "DOLG_N, AVANS_N", "; "), ("REQUIRED", "DOLG_K, AVANS_K", "; ")]


@pytest.mark.parametrize(("entity", "old", "new", "message"), [
    ("balance", 'from = ["DOLG_K", "AVANS_K"]', 'from = ["DOLG_K", "AVANS_K", "MES"]',
     "columns[5].from: 'debt_minus_advance' reads 2 columns, not 3"),
    ("balance", 'from = ["DOLG_N", "AVANS_N"]', 'from = "DOLG_N"',
     "columns[1].transforms[0]: 'debt_minus_advance' reads several columns: check from = ... of this column"),
    ("premise", 'source = "adr"\non', 'source = "adres"\non',
     "joins[0].source: 'adres' is not a source in system.toml"),
    ("balance", 'MES = ["202609", "202610"]', "MES = 202610",
     "filter.MES: expected a text value or a list of them"),
    ("reading", 'label = "zone"', 'label = 1', "unpivot.label: expected the name of the new column"),
])
def test_mistakes_in_the_new_sections_name_file_and_key(tmp_path, entity, old, new, message):
    entities = dict(ENTITIES)
    assert old in entities[entity]
    entities[entity] = entities[entity].replace(old, new)
    folder = write_system(tmp_path, entities)
    with pytest.raises(MappingError) as caught:
        load_mapping(folder / "mappings" / "tiny")
    assert str(caught.value).startswith(f"{folder / 'mappings' / 'tiny' / 'entities' / (entity + '.toml')}: {message}")


def test_several_columns_need_a_transform_that_reads_them(tmp_path):
    entities = dict(ENTITIES)
    entities["balance"] = entities["balance"].replace(
        'from = ["DOLG_N", "AVANS_N"]\ntransforms = ["debt_minus_advance"]', 'from = ["DOLG_N", "AVANS_N"]')
    folder = write_system(tmp_path, entities)
    with pytest.raises(MappingError) as caught:
        load_mapping(folder / "mappings" / "tiny")
    assert str(caught.value).endswith(
        "columns[1].from: several columns need a first transform that reads them: one of ['concat', 'debt_minus_advance']")
