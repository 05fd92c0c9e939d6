"""The mapping language, second round (issue 17): optional columns that warn instead of
rejecting, filters that say what engineers mean, and duplicates that are copies. On the tiny
legacy system of test_shape, changed per test; every expected count is worked out by hand in
the comment beside it.
"""

from __future__ import annotations

import pytest
from support import query
from test_shape import ENTITIES, FILES, write_system

from cutover.config import load_project
from cutover.errors import MappingError, TargetError
from cutover.mapping.model import load_mapping
from cutover.run.dry_run import dry_run


def _run(tmp_path, files: dict[str, list[str]] | None = None, **entities: tuple[str, str]):
    """Dry-run the tiny system with ``files`` changed and each entity's text ``old`` -> ``new``."""
    changed = dict(ENTITIES)
    for name, (old, new) in entities.items():
        assert old in changed[name]
        changed[name] = changed[name].replace(old, new, 1)
    folder = write_system(tmp_path, changed, {**FILES, **(files or {})})
    return dry_run(load_project(folder)), f"sqlite:///{folder / 'cutover.db'}"


def _load_error(tmp_path, **entities: tuple[str, str]) -> str:
    """The message of the MappingError loading the tiny system with each entity's ``old`` -> ``new``."""
    changed = dict(ENTITIES)
    for name, (old, new) in entities.items():
        assert old in changed[name]
        changed[name] = changed[name].replace(old, new, 1)
    folder = write_system(tmp_path, changed)
    with pytest.raises(MappingError) as caught:
        load_mapping(folder / "mappings" / "tiny")
    return str(caught.value)


def _counts(result) -> dict[str, tuple[int, int, int, int]]:
    return {k: (v["source_rows"], v["loaded"], v["rejected"], v["warnings"])
            for k, v in result.summary["entities"].items()}


# on_error = "warn" -------------------------------------------------------------------------------

AREA_WARNS = ('transforms = [{ name = "decimal", scale = 4, precision = 12 }]\nmerge = "sum"',
              'transforms = [{ name = "decimal", scale = 4, precision = 12 }]\nmerge = "sum"\non_error = "warn"')
BAD_AREA = {"lic.csv": [*FILES["lic.csv"][:2], "101;ПЕТРОВА;АННА;;2;сорок", *FILES["lic.csv"][3:]]}


def test_an_unreadable_optional_value_is_left_empty_with_a_warning(tmp_path):
    result, url = _run(tmp_path, BAD_AREA, premise=AREA_WARNS)
    assert result.status == "reconciled"
    # as in test_shape: premises 4 rows, 2 loaded, 2 rejected (no address, two addresses); the
    # premise of account 101 loads without its area and with a warning
    assert _counts(result)["premises"] == (4, 2, 2, 1)
    assert _counts(result)["accounts"] == (4, 2, 2, 0)
    assert query(url, "SELECT street, total_area FROM premise ORDER BY street") == [
        ("ул. Ленина", "50.5000"), ("ул. Мира", None)]
    assert query(url, "SELECT severity, rule, row_number, column_name, raw_value, message FROM reject "
                      "WHERE severity = 'warning'") == [
        ("warning", "BAD_NUMBER", 3, "PLOSH", "сорок",
         "not a number: 'сорок' (expected at most 8 digits before ',' and 4 after); left empty (on_error = \"warn\")")]


def test_without_on_error_the_same_value_rejects_the_premise_and_its_account(tmp_path):
    result, _ = _run(tmp_path, BAD_AREA)
    # the premise of 101 rejected for its area, and account 101 (and its payer, meter, balances) with it
    assert _counts(result)["premises"] == (4, 1, 3, 0)
    assert _counts(result)["accounts"] == (4, 1, 3, 0)


@pytest.mark.parametrize("entity, old, new, message", [
    ("meter", 'from = "RAZR"\ntransforms = ["integer"]', 'from = "RAZR"\ntransforms = ["integer"]\non_error = "warn"',
     "entities/meter.toml: columns[1].on_error: \"warn\" leaves an unreadable value empty, but 'digit_capacity' is "
     "required; only an optional column (area, residents, a date of birth) may warn"),
    ("balance", 'transforms = ["money", { name = "default", value = 0 }]\n[[columns]]\nto = "recalculated_kopecks"',
     'transforms = ["money", { name = "default", value = 0 }]\non_error = "warn"\n[[columns]]\nto = "recalculated_kopecks"',
     "entities/balance.toml: columns[2].on_error: \"warn\" leaves an unreadable value empty, but 'charged_kopecks' is "
     "required; only an optional column (area, residents, a date of birth) may warn"),
    ("premise", 'merge = "sum"', 'merge = "sum"\non_error = "skip"',
     "entities/premise.toml: columns[4].on_error: 'skip' is not one of ['reject', 'warn']"),
])
def test_on_error_warn_is_refused_where_a_value_cannot_be_left_empty(tmp_path, entity, old, new, message):
    assert _load_error(tmp_path, **{entity: (old, new)}).endswith(message)


# filters ----------------------------------------------------------------------------------------

BALANCE_FILTER = ('[filter]\nMES = ["202609", "202610"]', '[filter]\n{}')


@pytest.mark.parametrize("condition, filtered, balances", [
    # sal.csv: 202608 (1 row), 202609 (1), 202610 (3; one all blank, rejected for its closing)
    ('MES = { not = "202608" }', 1, (4, 3, 1, 0)),
    ('MES = { from = "202609", to = "202610" }', 1, (4, 3, 1, 0)),    # numbers: 202608 is below
    ('MES = { from = "202609" }', 1, (4, 3, 1, 0)),
    ('MES = { to = "202609" }', 3, (2, 2, 0, 0)),                      # 202608 and 202609 stay
    ('NACH = { not_blank = true }', 1, (4, 4, 0, 0)),                  # the all-blank row goes
    ('NACH = { not_blank = true, not = "10,00" }', 2, (3, 3, 0, 0)),  # and 202608's 10,00
    ('NACH = { from = "30", to = "100,00" }', 2, (3, 3, 0, 0)),        # 30,00 100,00 100,00 exactly
])
def test_filters_leave_rows_out_and_count_them(tmp_path, condition, filtered, balances):
    result, _ = _run(tmp_path, balance=(BALANCE_FILTER[0], BALANCE_FILTER[1].format(condition)))
    assert result.summary["filtered"] == {"balances": filtered}
    assert _counts(result)["balances"] == balances


@pytest.mark.parametrize("condition, message", [
    ('MES = { not_blank = false }', "filter.MES.not_blank: expected true (leave it out to let blank values through)"),
    ('MES = { from = 202609 }', "filter.MES.from: expected text, e.g. \"202601\" (a bound that is a number is "
                                "compared as a number, exactly)"),
    ('MES = { above = "1" }', "filter.MES: expected a value, a list of values, or a table of ['from', 'not', "
                              "'not_blank', 'to'], not ['above']"),
    ('MES = { not = [] }', "filter.MES.not: expected a text value or a list of them, e.g. \"202610\""),
])
def test_a_mistyped_filter_names_file_column_and_what_was_expected(tmp_path, condition, message):
    error = _load_error(tmp_path, balance=(BALANCE_FILTER[0], BALANCE_FILTER[1].format(condition)))
    assert error.endswith("entities/balance.toml: " + message)


# duplicates that are copies ---------------------------------------------------------------------

COPIES = {"lic.csv": [*FILES["lic.csv"][:3],
                      "100;ИВАНОВ;ИВАН;ИВАНОВИЧ;1;50,5",      # row 4: a copy of row 2, byte for byte
                      "101;ПЕТРОВ;АННА;;2;40",                # row 5: account 101 again, another surname
                      *FILES["lic.csv"][3:]]}
IDENTICAL = ('key = ["LS"]\n', 'key = ["LS"]\non_duplicate = "keep_first_if_identical"\n')


def test_identical_copies_load_once_and_differing_rows_are_all_rejected(tmp_path):
    result, url = _run(tmp_path, COPIES, person=IDENTICAL, account=IDENTICAL)
    counts = _counts(result)
    # persons: keys 100 (two identical rows: one item, loaded once, one DUPLICATE_COPY warning),
    # 101 (rows differ in FAM: both rejected), 102 and 103 (their accounts fall: no premise)
    assert counts["persons"] == (4, 1, 3, 1)
    # accounts read LS only: 100's and 101's rows are copies there; 101 falls with its payer
    assert counts["accounts"] == (4, 1, 3, 2)
    assert result.summary["differences"] == []  # counts, money and records add up (a money gate fails)
    assert query(url, "SELECT severity, rule, row_number, message FROM reject WHERE entity = 'person' "
                      "AND rule LIKE 'DUPLICATE%' ORDER BY row_number") == [
        ("error", "DUPLICATE_KEY", 3, "legacy key '101' occurs 2 times and the rows differ (in FAM); none of them "
                                      "is loaded (on_duplicate = \"keep_first_if_identical\")"),
        ("warning", "DUPLICATE_COPY", 4, "an identical copy of row 2 (legacy key '100'): loaded once"),
        ("error", "DUPLICATE_KEY", 5, "legacy key '101' occurs 2 times and the rows differ (in FAM); none of them "
                                      "is loaded (on_duplicate = \"keep_first_if_identical\")"),
    ]
    assert query(url, "SELECT last_name FROM person") == [("Иванов",)]


def test_keep_first_if_identical_is_refused_for_balances(tmp_path):
    error = _load_error(tmp_path, balance=('key = ["LS", "USL", "MES"]\n',
                                           'key = ["LS", "USL", "MES"]\non_duplicate = "keep_first_if_identical"\n'))
    assert "entity.on_duplicate: \"keep_first_if_identical\" is not for balances: the money control reads every " \
           "row of the source" in error


# text tools: a parameter they refuse is refused when the mapping is loaded ------------------------

@pytest.mark.parametrize("transform, message", [
    ('{ name = "split", separator = "", part = 1 }', "transform 'split' needs a separator that is not empty"),
    ('{ name = "regex_extract", pattern = "[0-9]+", group = "n" }', "transform 'regex_extract': the pattern '[0-9]+' "
                                                                     "has no group"),
])
def test_a_text_tool_parameter_it_cannot_use_stops_the_load_naming_the_column(tmp_path, transform, message):
    error = _load_error(tmp_path, service=('from = "NAIM"', f'from = "NAIM"\ntransforms = [{transform}]'))
    assert f"entities/service.toml: columns[1].transforms[0]: {message}" in error


# cutover profile reads the new filters and names what each on_duplicate will do -------------------

def test_profile_counts_keys_after_the_filter_and_names_what_a_duplicate_becomes(tmp_path):
    from cutover.analysis.profile import profile_project

    changed = dict(ENTITIES)
    changed["balance"] = changed["balance"].replace(BALANCE_FILTER[0], BALANCE_FILTER[1].format(
        'MES = { from = "202609" }'))
    for entity in ("person", "account"):
        changed[entity] = changed[entity].replace(*IDENTICAL, 1)
    sal = [*FILES["sal.csv"], "202608;100;1;0,00;0,00;10,00;10,00;0,00;0,00"]  # a repeat, but filtered out
    folder = write_system(tmp_path, changed, {**FILES, **COPIES, "sal.csv": sal})
    findings = [f for f in profile_project(load_project(folder)).findings if f.check == "DUPLICATE_KEY"]
    assert [(f.severity, f.source, f.what) for f in findings] == [
        ("warning", "lic", "2 key value(s) of person, account occur more than once (4 rows); identical copies "
                           "load once; every row of a key whose rows differ will be rejected (on_duplicate = "
                           "\"keep_first_if_identical\")")]


# a reading's key from its parsed date (item 12) ---------------------------------------------------

ISO_REPEAT = {"pok_b.csv": [*FILES["pok_b.csv"], "1;2026-09-20;10,5;"]}  # pok_a's row 2, its date written ISO
BOTH_FORMATS = ('formats = ["%d.%m.%Y"]', 'formats = ["%d.%m.%Y", "%Y-%m-%d"]')
PARSED_KEY = ('key = ["SCH", "zone", "DATA"]', 'key = ["SCH", "zone"]\nkey_from_target = ["read_on"]')


def test_keyed_by_the_raw_text_the_same_reading_written_two_ways_is_refused_by_the_target(tmp_path, target_url):
    """Two keys to the checks, one row to the target's unique (meter, zone, date): the load stops
    with what the target said and where to look, not a traceback, and nothing is loaded."""
    changed = dict(ENTITIES)
    changed["reading"] = changed["reading"].replace(*BOTH_FORMATS)
    folder = write_system(tmp_path, changed, {**FILES, **ISO_REPEAT})
    with pytest.raises(TargetError) as caught:
        dry_run(load_project(folder, target_url))
    assert str(caught.value).startswith("the target refused rows of reading: ")
    assert str(caught.value).endswith(
        "; rows the mapping keys apart are one row to the target's unique constraint: check the entity's key (a "
        "reading's date written two ways is two keys: key = [meter, zone] with key_from_target = [\"read_on\"] keys "
        "it by the parsed date, docs/mapping.md); nothing of the run is loaded")
    assert query(target_url, "SELECT COUNT(*) FROM reading") == [(0,)]


def test_the_parsed_date_finds_the_repeat(tmp_path):
    changed = dict(ENTITIES)
    changed["reading"] = changed["reading"].replace(*BOTH_FORMATS).replace(*PARSED_KEY)
    folder = write_system(tmp_path, changed, {**FILES, **ISO_REPEAT})
    result = dry_run(load_project(folder))
    assert _counts(result)["readings"] == (7, 5, 2, 0)
    assert query(f"sqlite:///{folder / 'cutover.db'}",
                 "SELECT source, row_number, legacy_key, message FROM reject WHERE entity = 'reading'") == [
        ("pok_a.csv", 2, "1|T1|2026-09-20", "legacy key '1|T1|2026-09-20' occurs 2 times; none of them is loaded"),
        ("pok_b.csv", 4, "1|T1|2026-09-20", "legacy key '1|T1|2026-09-20' occurs 2 times; none of them is loaded")]


@pytest.mark.parametrize("entity, old, new, message", [
    ("person", 'key = ["LS"]', 'key = ["LS"]\nkey_from_target = ["last_name"]',
     "entities/person.toml: entity: key and key_from_target together are for readings; the key map keeps one "
     "spelling of a key: give key or key_from_target"),
    ("balance", 'key = ["LS", "USL", "MES"]', 'key = ["LS", "USL"]\nkey_from_target = ["period"]',
     "entities/balance.toml: entity: key and key_from_target together are for readings; the money control builds "
     "a balance's key from its source columns: give key"),
    ("reading", 'key = ["SCH", "zone", "DATA"]', 'key = ["SCH", "zone"]\nkey_from_target = ["read"]',
     "entities/reading.toml: entity.key_from_target: ['read'] are not mapped by any [[columns]] of the file"),
])
def test_a_mixed_key_is_refused_where_it_cannot_hold(tmp_path, entity, old, new, message):
    assert _load_error(tmp_path, **{entity: (old, new)}).endswith(message)
