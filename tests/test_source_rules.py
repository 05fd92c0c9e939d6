"""Source rules (``source_rules.toml``): checks on the raw legacy rows, before any mapping.

Each dry run writes a tiny export in the sample system's layout (cp1251, ';') and a project
with its own copy of the sample mapping whose ``source_rules.toml`` is ``RULES`` below. The
tiny exports and exactly what each of them breaks are written in the tests.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
import pytest
from support import SAMPLE_HEADERS, dry_run_project, query, write_sample_extract

from cutover.errors import ExtractError, MappingError
from cutover.extract.snapshot import extract_sources
from cutover.mapping.apply.source_checks import check_sources, source_schema
from cutover.mapping.model import load_mapping
from cutover.mapping.source_rules import parse_source_rules
from cutover.progress import Progress

REPO = Path(__file__).resolve().parents[1]
MAPPING = REPO / "mappings" / "sample_legacy"
SAMPLE = REPO / "sample_data" / "sample_legacy"
SERVICES = ["01;Холодное водоснабжение;м3"]
ACCOUNT = "01-000001;ИВАНОВ ИВАН ИВАНОВИЧ;г. Энск, ул. Ленина, д. 1, кв. 1;;50,5;{residents};01.01.2010"
SECOND = "01-000002;ПЕТРОВА АННА СЕРГЕЕВНА;г. Энск, ул. Ленина, д. 2, кв. 5;;40,0;1;01.01.2012"
METER = "{id};{account};01;{serial};5;1;01.01.2024;01.01.2024;6;1;{status};"
BALANCE = "{period};{account};01;100,00;50,00;0,00;-30,00;120,00"
RULES = """\
[sources.abonent.columns."Прожив"]
range = [0, 20]

[sources.schetchik.columns."Статус"]
isin = ["Р", "А"]

[sources.schetchik.columns."ЗавНомер"]
max_length = 10

[sources.saldo.columns."Период"]
required = true
pattern = '^\\d{6}$'
"""
GATES = "[gates]\nmax_reject_share = 1\nmax_rejected_money_share = 1\n"  # the tests count rejects; no gate should stop them


def account(residents: str = "2") -> str:
    return ACCOUNT.format(residents=residents)


def meter(meter_id: int, account_key: str = "01-000001", status: str = "Р", serial: str = "") -> str:
    return METER.format(id=meter_id, account=account_key, status=status, serial=serial or f"SN-{meter_id}")


def balance(period: str = "202610", account_key: str = "01-000001") -> str:
    return BALANCE.format(period=period, account=account_key)


def mapping_copy(folder: Path, rules: str | None) -> Path:
    """The sample mapping under ``folder/mappings/sample_legacy``, with ``rules`` as its
    source_rules.toml (None: without one)."""
    mapping = folder / "mappings" / "sample_legacy"
    shutil.copytree(MAPPING, mapping)
    (mapping / "source_rules.toml").unlink(missing_ok=True)
    if rules is not None:
        (mapping / "source_rules.toml").write_text(rules, encoding="utf-8")
    return mapping


def run(tmp_path: Path, rules: str | None = RULES, headers: dict[str, str] | None = None, **files: list[str]):
    """Dry-run a tiny export (the files given, else one clean account with a meter, a reading and
    a balance: an extract with none of an entity is NO-GO) into SQLite."""
    mapping_copy(tmp_path, rules)
    clean = {"abonent": [account()], "usluga": SERVICES, "schetchik": [meter(1)], "pokazanie": ["1;1;20.10.2026;12,5;А"],
             "saldo": [balance()]}
    write_sample_extract(tmp_path, {f"{name}.csv": lines for name, lines in {**clean, **files}.items()}, headers)
    result = dry_run_project(tmp_path, "sample_legacy", "extract", extra=GATES)
    return result, f"sqlite:///{tmp_path / 'cutover.db'}"


def source_rejects(url: str) -> list[tuple]:
    return query(url, "SELECT entity, rule, source, row_number, legacy_key, column_name, raw_value, message "
                      "FROM reject WHERE rule LIKE 'SOURCE%' ORDER BY entity, row_number, rule")


CASES = {
    "SOURCE_REQUIRED": (
        {"saldo": [balance(), balance(period=" ")]},
        [("balance", "SOURCE_REQUIRED", "saldo.csv", 3, "01-000001|01|", "Период", " ", "Период is required but blank")],
    ),
    "SOURCE_PATTERN": (
        {"saldo": [balance(), balance(period="2026-10")]},
        [("balance", "SOURCE_PATTERN", "saldo.csv", 3, "01-000001|01|2026-10", "Период", "2026-10",
          "Период '2026-10' does not match ^\\d{6}$")],
    ),
    "SOURCE_RANGE": (
        {"abonent": [SECOND, account(residents="25")]},
        [(entity, "SOURCE_RANGE", "abonent.csv", 3, key, "Прожив", "25", "Прожив '25' is not a number within [0, 20]")
         for entity, key in [("account", "01-000001"), ("person", "01-000001"),
                             ("premise", "г. энск|ул. ленина|1||1")]],
    ),
    "SOURCE_ISIN": (
        {"schetchik": [meter(1), meter(2, status="X")]},
        [("meter", "SOURCE_ISIN", "schetchik.csv", 3, "2", "Статус", "X", "Статус 'X' is not one of ['Р', 'А']")],
    ),
    "SOURCE_LENGTH": (
        {"schetchik": [meter(1, serial="SN-12345678"), meter(2)]},
        [("meter", "SOURCE_LENGTH", "schetchik.csv", 2, "1", "ЗавНомер", "SN-12345678",
          "ЗавНомер 'SN-12345678' is longer than 10 characters (11)")],
    ),
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_each_rule_fires_on_its_row_and_only_there(tmp_path, code):
    """Every extract has one clean row besides the one breaking ``code``; only that row is
    rejected by a source rule, in each entity built from it."""
    files, expected = CASES[code]
    result, url = run(tmp_path, **files)
    assert source_rejects(url) == expected
    assert result.summary["status"] == "reconciled"
    for name, counts in result.summary["entities"].items():
        assert counts["source_rows"] == counts["loaded"] + counts["rejected"], name


def test_a_row_breaking_a_source_rule_is_rejected_with_everything_built_from_it(tmp_path):
    """abonent.csv row 2 (01-000001) has 25 residents, more than the rule's 20; row 3
    (01-000002) shares its flat and is clean. Row 2's person, premise and account are
    rejected by the rule itself; the shared premise loads whole or not at all, so row 3 is
    rejected as MERGED_ROW_REJECTED, its account follows the premise and its person the
    account (ACCOUNT_REJECTED). Everything under 01-000001 (a meter, its reading, a balance) is
    PARENT_REJECTED; row 4 (01-000003, its own flat) and its balance load."""
    flatmate = "01-000002;ПЕТРОВА АННА СЕРГЕЕВНА;Энск г, Ленина ул, д.1 кв.1;;19,25;1;01.01.2012"
    other = "01-000003;СИДОРОВ ПЁТР ИЛЬИЧ;г. Энск, ул. Ленина, д. 3, кв. 7;;30,0;1;01.01.2013"
    result, url = run(tmp_path, abonent=[account(residents="25"), flatmate, other], schetchik=[meter(1)],
                      pokazanie=["1;1;20.10.2026;12,5;А"], saldo=[balance(), balance(account_key="01-000003")])
    premise = "г. энск|ул. ленина|1||1"
    assert query(url, "SELECT entity, row_number, legacy_key, rule, message FROM reject "
                      "ORDER BY entity, row_number, rule") == [
        ("account", 2, "01-000001", "SOURCE_RANGE", "Прожив '25' is not a number within [0, 20]"),
        ("account", 3, "01-000002", "PARENT_REJECTED", f"premise '{premise}' was rejected (SOURCE_RANGE)"),
        ("balance", 2, "01-000001|01|202610", "PARENT_REJECTED", "account '01-000001' was rejected (SOURCE_RANGE)"),
        ("meter", 2, "1", "PARENT_REJECTED", "account '01-000001' was rejected (SOURCE_RANGE)"),
        ("person", 2, "01-000001", "SOURCE_RANGE", "Прожив '25' is not a number within [0, 20]"),
        ("person", 3, "01-000002", "ACCOUNT_REJECTED", "account '01-000002' was rejected (PARENT_REJECTED)"),
        ("premise", 2, premise, "SOURCE_RANGE", "Прожив '25' is not a number within [0, 20]"),
        ("premise", 3, premise, "MERGED_ROW_REJECTED", "another row of the same premise was rejected"),
        ("reading", 2, "1|1|20.10.2026", "PARENT_REJECTED", "meter '1' was rejected (PARENT_REJECTED)"),
    ]
    counts = {name: (c["source_rows"], c["loaded"], c["rejected"]) for name, c in result.summary["entities"].items()}
    assert counts == {"services": (1, 1, 0), "persons": (3, 1, 2), "premises": (2, 1, 1), "accounts": (3, 1, 2),
                      "meters": (1, 0, 1), "readings": (1, 0, 1), "balances": (2, 1, 1)}
    assert result.summary["rejects_by_rule"]["persons"] == {"SOURCE_RANGE": 1, "ACCOUNT_REJECTED": 1}
    assert result.summary["status"] == "reconciled"
    assert query(url, "SELECT legacy_account_number FROM account") == [("01-000003",)]


def test_a_column_the_mapping_does_not_read_can_have_rules(tmp_path):
    """abonent.csv carries a phone column the mapping ignores; its rule still rejects row 3."""
    rules = "[sources.abonent.columns.\"Телефон\"]\npattern = '^\\+7\\d{10}$'\n"
    result, url = run(tmp_path, rules, headers={"abonent.csv": SAMPLE_HEADERS["abonent.csv"] + ";Телефон"},
                      abonent=[account() + ";+79001234567", SECOND + ";8-900-123"])
    assert query(url, "SELECT entity, row_number, raw_value FROM reject ORDER BY entity") == [
        ("account", 3, "8-900-123"), ("person", 3, "8-900-123"), ("premise", 3, "8-900-123")]


def test_a_checked_column_missing_from_the_source_stops_the_run(tmp_path):
    with pytest.raises(ExtractError) as caught:
        run(tmp_path, "[sources.abonent.columns.\"Телефон\"]\nrequired = true\n")
    assert str(caught.value) == (
        f"{tmp_path / 'extract' / 'abonent.csv'}: no column(s) ['Телефон']; it has "
        "['ЛС', 'ФИО', 'Адрес', 'ДатаРожд', 'Площадь', 'Прожив', 'ДатаОткр']")


def test_without_source_rules_nothing_is_checked(tmp_path):
    result, url = run(tmp_path, rules=None, abonent=[account(residents="25")])
    assert source_rejects(url) == []
    assert result.summary["entities"]["accounts"]["rejected"] == 0


def failing(checks: dict, values: list[str]) -> list[int]:
    """Positions of ``values`` failing ``checks`` on one column, through the source's pandera schema."""
    rules = parse_source_rules(Path("source_rules.toml"), {"sources": {"x": {"columns": {"c": checks}}}}, ["x"], ["x"])
    try:
        source_schema(rules["x"]).validate(pd.DataFrame({"c": pd.Series(values, dtype="str")}), lazy=True)
    except pa.errors.SchemaErrors as exc:
        return sorted(exc.failure_cases["index"])
    return []


def test_range_is_exact_and_never_a_float():
    passing = ["0", "20", "020", "+5", "19,99", "20.000", "  7 ", "", "   ", "-0", "-0,000"]
    failing_values = ["20,0001", "-0,001", "21", "-1", "1 000", "1,5,0", "abc", "12,", "1e1",
                      "123456789012345678901234567890", "\u0661\u0662"]  # the last: Arabic-Indic digits
    assert failing({"range": [0, 20]}, passing + failing_values) == list(range(len(passing), len(passing) + len(failing_values)))


def test_range_with_decimal_bounds():
    values = ["-1000000.00", "999999,99", "0.005", "-999999,999", "999999.991", "-1000000.001", "1000000"]
    assert failing({"range": ["-1000000.00", "999999,99"]}, values) == [4, 5, 6]


def test_the_pattern_is_python_re_on_the_whole_trimmed_text():
    assert failing({"pattern": r"20\d{4}"}, [" 202610 ", "2026101", "x202610", ""]) == [1, 2]
    assert failing({"pattern": r"(?!00)\d\d"}, ["01", "00"]) == [1]  # a lookahead: Python's re


def test_blank_passes_every_check_but_required():
    checks = {"pattern": "^1$", "range": [1, 2], "isin": ["1"], "max_length": 1}
    assert failing(checks, ["", " ", "1"]) == []
    assert failing({**checks, "required": True}, ["", " ", "1"]) == [0, 1]


WHERE = 'sources.abonent.columns."Прожив"'
LOADER_ERRORS = [
    ('[sources.abonent.columns."Прожив"]\nmaxlength = 3\n',
     f"{WHERE}: unknown check(s) ['maxlength']; expected some of ['isin', 'max_length', 'pattern', 'range', 'required']"),
    ('[sources.abonent.columns."Прожив"]\nrequired = "yes"\n', f"{WHERE}.required: expected true or false, got 'yes'"),
    ('[sources.abonent.columns."Прожив"]\npattern = \'^(\\d+$\'\n',
     f"{WHERE}.pattern: '^(\\\\d+$' is not a valid regular expression: missing ), unterminated subpattern at "
     "position 1"),
    ('[sources.abonent.columns."Прожив"]\nrange = [0, 20.5]\n',
     f'{WHERE}.range[1]: expected a whole number or decimal text, e.g. 20 or "99.5", got 20.5'),
    ('[sources.abonent.columns."Прожив"]\nrange = [20, 0]\n', f"{WHERE}.range: the minimum 20 is above the maximum 0"),
    ('[sources.abonent.columns."Прожив"]\nrange = [0]\n', f"{WHERE}.range: expected [min, max], got [0]"),
    ('[sources.abonent.columns."Прожив"]\nisin = []\n',
     f"{WHERE}.isin: expected a list of text values, e.g. [\"Р\", \"А\"], got []"),
    ('[sources.abonent.columns."Прожив"]\nmax_length = 0\n',
     f"{WHERE}.max_length: expected a whole number of characters, at least 1, got 0"),
    ('[sources.abonents.columns."Прожив"]\nrequired = true\n',
     "sources.abonents: 'abonents' is not a source in system.toml; expected one of "
     "['abonent', 'pokazanie', 'saldo', 'schetchik', 'usluga']"),
    ('[sources.abonent.column."Прожив"]\nrequired = true\n',
     "sources.abonent: expected a table columns.\"<column>\" of checks, got {'column': {'Прожив': {'required': True}}}"),
    ('[source.abonent.columns."Прожив"]\nrequired = true\n',
     "expected only [sources.<source>.columns.\"<column>\"] tables, got ['source']"),
]


@pytest.mark.parametrize("rules, message", LOADER_ERRORS, ids=[m.split(":")[0] + str(i) for i, (_, m) in
                                                               enumerate(LOADER_ERRORS)])
def test_mistakes_in_source_rules_name_the_file_the_key_and_what_was_expected(tmp_path, rules, message):
    mapping = mapping_copy(tmp_path, rules)
    with pytest.raises(MappingError) as caught:
        load_mapping(mapping)
    assert str(caught.value) == f"{mapping / 'source_rules.toml'}: {message}"


def test_rules_on_a_source_no_entity_is_built_from_are_refused(tmp_path):
    mapping = mapping_copy(tmp_path, '[sources.ulicy.columns."Код"]\nrequired = true\n')
    with (mapping / "system.toml").open("a", encoding="utf-8") as system:
        system.write('\n[sources.ulicy]\nfile = "ulicy.csv"\n')
    with pytest.raises(MappingError) as caught:
        load_mapping(mapping)
    assert str(caught.value) == (
        f"{mapping / 'source_rules.toml'}: sources.ulicy: no entity is built from 'ulicy' (it is only joined, or "
        "not used), so its rows are never checked; expected one of ['abonent', 'pokazanie', 'saldo', 'schetchik', "
        "'usluga']")


def test_the_sample_passes_its_own_source_rules():
    """The shipped rules are on (tests/test_dry_run.py checks the sample's exact counts with
    them) and the committed sample breaks none of them."""
    mapping = load_mapping(MAPPING)
    assert sorted(mapping.source_rules) == ["abonent", "pokazanie", "saldo", "schetchik"]
    checks = {name for rules in mapping.source_rules.values() for c in rules.columns
              for name in ("required", "pattern", "range", "isin", "max_length") if getattr(c, name)}
    assert checks == {"required", "pattern", "range", "isin", "max_length"}
    extracted = extract_sources(mapping, SAMPLE, None, 100_000, Progress())
    assert check_sources(mapping, extracted).frame.empty
