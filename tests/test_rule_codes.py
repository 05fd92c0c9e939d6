"""Each rule code fires on a fixture built for it, and only there (issue #4).

Every case starts from one clean base: a tiny extract in the sample layout (one account, one
service, one meter with one reading, one balance; ``support.write_sample_extract``) and a copy
of the sample mapping, shipped source rules included. A case adds the few lines that break one
rule (and, where the rule needs it, makes a small edit to its copy of the mapping: a
``[[joins]]``, a ``[filter]``, one more source rule). The assertion is on the whole
``rejects_by_rule`` and ``warnings_by_rule`` of the run's summary: that code, on that entity,
that many times, and nothing else but the cascade docs/rules.md documents for it.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest
from support import dry_run_project, write_sample_extract

from cutover.mapping.transforms import REGISTRY
from cutover.pipeline.rules import RULES

REPO = Path(__file__).resolve().parents[1]
MAPPING = REPO / "mappings" / "sample_legacy"
RULES_DOC = REPO / "docs" / "rules.md"
GATES = "[gates]\nmax_reject_share = 1\n"  # tiny extracts: one bad row is a large share


def account(key: str = "01-000002", name: str = "ПЕТРОВА АННА СЕРГЕЕВНА",
            address: str = "г. Энск, ул. Мира, д. 2, кв. 5", area: str = "40,0", residents: str = "1",
            opened: str = "01.01.2012") -> str:
    """ЛС;ФИО;Адрес;ДатаРожд;Площадь;Прожив;ДатаОткр"""
    return f"{key};{name};{address};;{area};{residents};{opened}"


def meter(meter_id: str = "2", account_key: str = "01-000001", serial: str | None = None, digits: str = "5",
          installed: str = "01.01.2024", verified: str = "01.01.2024", interval: str = "6",
          status: str = "Р") -> str:
    """КодПУ;ЛС;КодУсл;ЗавНомер;Разрядность;Зон;ДатаУст;ДатаПов;МПИ;Коэф;Статус;Замена"""
    serial = f"SN-{meter_id}" if serial is None else serial
    return f"{meter_id};{account_key};01;{serial};{digits};1;{installed};{verified};{interval};1;{status};"


def reading(read_on: str, value: str, meter_id: str = "1", source: str = "К") -> str:
    """КодПУ;Зона;Дата;Показание;Источник"""
    return f"{meter_id};1;{read_on};{value};{source}"


def balance(period: str = "202609", account_key: str = "01-000001", service: str = "01", charged: str = "50,00",
            recalculated: str = "0,00", closing: str = "100,00") -> str:
    """Период;ЛС;КодУсл;СальдоВх;Начислено;Перерасчет;Оплачено;СальдоИсх (opening 50,00, paid 0,00)"""
    return f"{period};{account_key};{service};50,00;{charged};{recalculated};0,00;{closing}"


BASE = {
    "abonent.csv": [account("01-000001", "ИВАНОВ ИВАН ИВАНОВИЧ", "г. Энск, ул. Ленина, д. 1, кв. 1", "50,5", "2",
                            "01.01.2010")],
    "usluga.csv": ["01;Холодное водоснабжение;м3"],
    "schetchik.csv": [meter("1")],
    "pokazanie.csv": [reading("20.10.2026", "12,5")],
    "saldo.csv": ["202610;01-000001;01;100,00;50,00;0,00;-30,00;120,00"],
}

# A units dictionary joined into services (service.toml gets a [[joins]]; the unit comes from it).
UNITS_SOURCE = '\n[sources.units]\nfile = "units.csv"\nencoding = "cp1251"\nseparator = ";"\n'
UNITS_JOIN = '\n[[joins]]\nsource = "units"\non = { "ЕдИзм" = "Обозн" }\ncolumns = ["Название"]\n'
UNITS_HEADER = {"units.csv": "Обозн;Название"}
UNITS = ["м3;куб. м"]
JOINED_UNITS = [("system.toml", "", UNITS_SOURCE), ("entities/service.toml", "", UNITS_JOIN),
                ("entities/service.toml", 'from = "ЕдИзм"', 'from = "units.Название"')]


@dataclass(frozen=True)
class Case:
    """Lines added to the base extract, edits of the mapping copy ((file, old, new); an empty
    ``old`` appends ``new``), and the exact rejects and warnings by rule the run must report."""

    add: dict[str, list[str]]
    rejects: dict[str, dict[str, int]]
    warnings: dict[str, dict[str, int]] = field(default_factory=dict)
    edits: list[tuple[str, str, str]] = field(default_factory=list)
    headers: dict[str, str] | None = None
    rejected: dict[str, int] | None = None  # where the count of rejected items says more: per entity


def source_rule(source: str, column: str, check: str) -> list[tuple[str, str, str]]:
    """One more check in the shipped source_rules.toml."""
    return [("source_rules.toml", "", f'\n[sources.{source}.columns."{column}"]\n{check}\n')]


CASES: dict[str, Case] = {
    # Source rules: one more check on a column nothing else checks, broken by one added row
    # with no children.
    "SOURCE_REQUIRED": Case({"saldo.csv": [balance(recalculated="")]}, {"balances": {"SOURCE_REQUIRED": 1}},
                            edits=source_rule("saldo", "Перерасчет", "required = true")),
    "SOURCE_PATTERN": Case({"schetchik.csv": [meter(serial="ЛЕВ-2")]}, {"meters": {"SOURCE_PATTERN": 1}},
                           edits=source_rule("schetchik", "ЗавНомер", "pattern = '^SN-\\d+$'")),
    "SOURCE_RANGE": Case({"schetchik.csv": [meter(interval="25")]}, {"meters": {"SOURCE_RANGE": 1}},
                         edits=source_rule("schetchik", "МПИ", "range = [1, 20]")),
    "SOURCE_ISIN": Case({"pokazanie.csv": [reading("20.09.2026", "10", source="П")]},
                        {"readings": {"SOURCE_ISIN": 1}},
                        edits=source_rule("pokazanie", "Источник", 'isin = ["К", "А"]')),
    "SOURCE_LENGTH": Case({"schetchik.csv": [meter(serial="SN-12345678")]}, {"meters": {"SOURCE_LENGTH": 1}},
                          edits=source_rule("schetchik", "ЗавНомер", "max_length = 10")),
    # Transform rules. A person or premise is built from an abonent.csv row that also builds an
    # account: the account of a rejected person or premise is PARENT_REJECTED, and the premise or
    # person built from the same row goes with it, ACCOUNT_REJECTED (documented).
    "BAD_NAME": Case({"abonent.csv": [account(name="БЕЛОВА")]},
                     {"persons": {"BAD_NAME": 1}, "accounts": {"PARENT_REJECTED": 1},
                      "premises": {"ACCOUNT_REJECTED": 1}}),
    "BAD_ADDRESS": Case({"abonent.csv": [account(address="адрес не указан")]},
                        {"premises": {"BAD_ADDRESS": 1}, "accounts": {"PARENT_REJECTED": 1},
                         "persons": {"ACCOUNT_REJECTED": 1}}),
    # A decimal point where the mapping reads a comma: the control reads it (rejected money, not unreadable).
    "BAD_MONEY": Case({"saldo.csv": [balance(charged="12.50")]}, {"balances": {"BAD_MONEY": 1}}),
    "BAD_NUMBER": Case({"schetchik.csv": [meter(digits="5,5")]}, {"meters": {"BAD_NUMBER": 1}}),
    "BAD_DATE": Case({"schetchik.csv": [meter(installed="2024-01-01")]}, {"meters": {"BAD_DATE": 1}}),
    # The serial's number taken out by a pattern: a serial without one has no number to take.
    "BAD_TEXT": Case({"schetchik.csv": [meter(serial="ЛЕВ")]}, {"meters": {"BAD_TEXT": 1}},
                     edits=[("entities/meter.toml", 'transforms = ["collapse_spaces"]',
                             'transforms = ["collapse_spaces", { name = "regex_extract", '
                             'pattern = "(?P<serial>[A-Z]+-[0-9]+)", group = "serial" }]')]),
    "UNKNOWN_CODE": Case({"usluga.csv": ["12;Домофон;шт"]}, {"services": {"UNKNOWN_CODE": 1}}),
    # Engine rules.
    "JOIN_MISSING": Case({"usluga.csv": ["05;Электроэнергия;кВт*ч"], "units.csv": UNITS},
                         {"services": {"JOIN_MISSING": 1}}, edits=JOINED_UNITS, headers=UNITS_HEADER),
    "JOIN_AMBIGUOUS": Case({"usluga.csv": ["05;Электроэнергия;кВт*ч"],
                            "units.csv": [*UNITS, "кВт*ч;киловатт-час", "кВт*ч;кВт ч"]},
                           {"services": {"JOIN_AMBIGUOUS": 1}}, edits=JOINED_UNITS, headers=UNITS_HEADER),
    "REQUIRED": Case({"schetchik.csv": [meter(serial="")]}, {"meters": {"REQUIRED": 1}}),
    "DUPLICATE_KEY": Case({"schetchik.csv": [meter(), meter(serial="SN-2B")]}, {"meters": {"DUPLICATE_KEY": 2}},
                          rejected={"meters": 2}),
    # A meter exported twice: one item, loaded once, the copy a warning.
    "DUPLICATE_COPY": Case({"schetchik.csv": [meter(), meter()]}, {}, {"meters": {"DUPLICATE_COPY": 1}},
                           edits=[("entities/meter.toml", 'key = ["КодПУ"]',
                                   'key = ["КодПУ"]\non_duplicate = "keep_first_if_identical"')]),
    # The sample's accounts refer to persons by their own ЛС: a person is only missing from
    # its source when person.toml leaves rows out ([filter] on ДатаОткр). The premise built from
    # the orphan's row goes with it.
    "ORPHAN_ACCOUNT": Case({"abonent.csv": [account()]},
                           {"accounts": {"ORPHAN_ACCOUNT": 1}, "premises": {"ACCOUNT_REJECTED": 1}},
                           edits=[("entities/person.toml", "", '\n[filter]\n"ДатаОткр" = ["01.01.2010"]\n')]),
    "ORPHAN_METER": Case({"schetchik.csv": [meter(account_key="99-999999")]}, {"meters": {"ORPHAN_METER": 1}}),
    "ORPHAN_READING": Case({"pokazanie.csv": [reading("20.10.2026", "5", meter_id="99")]},
                           {"readings": {"ORPHAN_READING": 1}}),
    "ORPHAN_BALANCE": Case({"saldo.csv": [balance(account_key="99-999999")]}, {"balances": {"ORPHAN_BALANCE": 1}}),
    # The documented cascade (docs/rules.md, UNKNOWN_CODE): service 12 has no target code, so
    # its balance is rejected with PARENT_REJECTED.
    "PARENT_REJECTED": Case({"usluga.csv": ["12;Домофон;шт"], "saldo.csv": [balance(service="12")]},
                            {"services": {"UNKNOWN_CODE": 1}, "balances": {"PARENT_REJECTED": 1}}),
    "TARGET_SCHEMA": Case({"schetchik.csv": [meter(digits="20")]}, {"meters": {"TARGET_SCHEMA": 1}}),
    # Two new accounts share a flat of their own (no children but the two accounts): 60 + 60
    # residents is more than the target's 100, so the premise is rejected whole and both
    # accounts follow it, and their persons follow them. rejects_by_rule counts rows
    # (docs/rules.md, Counting): both rows of the one premise, which the entity counts once
    # (premises rejected 1).
    "MERGED_ROW_REJECTED": Case(
        {"abonent.csv": [account(residents="60"),
                         account("01-000003", "СИДОРОВ ПЁТР ИЛЬИЧ", "Энск г, Мира ул, д.2 кв.5", residents="60")]},
        {"premises": {"MERGED_ROW_REJECTED": 2}, "accounts": {"PARENT_REJECTED": 2},
         "persons": {"ACCOUNT_REJECTED": 2}},
        rejected={"premises": 1, "accounts": 2, "persons": 2}),
    # A 300-character ЛС (the shipped source rules on ЛС left out, which would reject it first):
    # the person and the account keyed by it cannot be kept in the key map; the premise built
    # from the row goes with the account.
    "KEY_TOO_LONG": Case({"abonent.csv": [account("7" * 300)]},
                         {"persons": {"KEY_TOO_LONG": 1}, "accounts": {"KEY_TOO_LONG": 1},
                          "premises": {"ACCOUNT_REJECTED": 1}},
                         edits=[("source_rules.toml", "pattern = '^\\d{2}-\\d{6}$'\nmax_length = 30\n", "")]),
    # A one-word name rejects its account, but the communal flat it shares with an account that
    # loads stays; an account rejected for its own opening date takes its person and its
    # premise with it.
    "ACCOUNT_REJECTED": Case(
        {"abonent.csv": [account(name="БЕЛОВА"),
                         account("01-000003", "СИДОРОВ ПЁТР ИЛЬИЧ", "Энск г, Мира ул, д.2 кв.5"),
                         account("01-000004", "ОРЛОВ ОЛЕГ ОЛЕГОВИЧ", "г. Энск, ул. Мира, д. 9", opened="2012-01-01")]},
        {"persons": {"BAD_NAME": 1, "ACCOUNT_REJECTED": 1}, "accounts": {"PARENT_REJECTED": 1, "BAD_DATE": 1},
         "premises": {"ACCOUNT_REJECTED": 1}},
        rejected={"persons": 2, "accounts": 2, "premises": 1}),
    "MERGE_CONFLICT": Case(
        {"abonent.csv": [account(address="Приморская обл., г. Энск, ул. Мира, д. 2, кв. 5"),
                         account("01-000003", "СИДОРОВ ПЁТР ИЛЬИЧ", "Энская обл., г. Энск, ул. Мира, д. 2, кв. 5")]},
        {}, {"premises": {"MERGE_CONFLICT": 1}}),
    # Domain rules.
    "BAL_IDENTITY": Case({"saldo.csv": [balance(closing="100,01")]}, {"balances": {"BAL_IDENTITY": 1}}),
    "READ_FUTURE": Case({"pokazanie.csv": [reading("01.11.2026", "13")]}, {"readings": {"READ_FUTURE": 1}}),
    "READ_DECREASE": Case({"pokazanie.csv": [reading("25.10.2026", "10")]}, {"readings": {"READ_DECREASE": 1}}),
    # 99950 on 20.09, then the base's 12,5 on 20.10: a five-digit meter rolled over.
    "READ_ROLLOVER": Case({"pokazanie.csv": [reading("20.09.2026", "99950")]}, {}, {"readings": {"READ_ROLLOVER": 1}}),
    "VERIFY_MISSING": Case({"schetchik.csv": [meter(verified="")]}, {}, {"meters": {"VERIFY_MISSING": 1}}),
    "VERIFY_EXPIRED": Case({"schetchik.csv": [meter(installed="01.01.2015", verified="01.01.2015")]}, {},
                           {"meters": {"VERIFY_EXPIRED": 1}}),
}


def run(folder: Path, case: Case) -> dict:
    """Dry-run the base extract plus the case's lines, with the case's mapping copy, into
    SQLite; the run's summary."""
    mapping = folder / "mappings" / "sample_legacy"
    shutil.copytree(MAPPING, mapping)
    for name, old, new in case.edits:
        path = mapping / name
        text = path.read_text(encoding="utf-8")
        assert old in text, (name, old)
        path.write_text(text + new if not old else text.replace(old, new), encoding="utf-8")
    files = {name: [*BASE.get(name, []), *case.add.get(name, [])] for name in {*BASE, *case.add}}
    write_sample_extract(folder, files, case.headers)
    result = dry_run_project(folder, "sample_legacy", "extract", target_url=f"sqlite:///{folder / 'target.db'}",
                             extra=GATES)
    summary = result.summary
    assert summary["status"] == "reconciled", (summary["differences"], summary["gate_failures"])
    return summary


def documented_codes() -> set[str]:
    """Every code of the table "All codes" of docs/rules.md, ORPHAN_<ENTITY> as its four codes."""
    text = RULES_DOC.read_text(encoding="utf-8")
    table = text.split("## All codes", 1)[1].split("\n## ", 1)[0]
    codes = set()
    for line in table.splitlines():
        found = re.match(r"\| `([A-Z_<>]+)` \|", line)
        if not found:
            continue
        if found.group(1) == "ORPHAN_<ENTITY>":
            codes |= set(re.findall(r"`(ORPHAN_[A-Z]+)`", line))
        else:
            codes.add(found.group(1))
    return codes


def test_the_clean_base_has_no_rejects_and_no_warnings(tmp_path):
    summary = run(tmp_path, Case({}, {}))
    assert summary["rejects_by_rule"] == {}
    assert summary["warnings_by_rule"] == {}
    assert {name: (c["source_rows"], c["loaded"]) for name, c in summary["entities"].items()} == {
        name: (1, 1) for name in ("services", "persons", "premises", "accounts", "meters", "readings", "balances")}


@pytest.mark.parametrize("code", list(CASES))
def test_each_code_fires_on_its_fixture_and_only_there(tmp_path, code):
    case = CASES[code]
    summary = run(tmp_path, case)
    assert (summary["rejects_by_rule"], summary["warnings_by_rule"]) == (case.rejects, case.warnings)
    fired = {rule for by_rule in (case.rejects, case.warnings) for counts in by_rule.values() for rule in counts}
    assert code in fired
    if case.rejected is not None:
        assert {name: summary["entities"][name]["rejected"] for name in case.rejected} == case.rejected


def test_every_documented_code_has_a_case_but_bad_value():
    """docs/rules.md's table, the domain rules and the transforms' rules are all covered here;
    BAD_VALUE alone is not (see the next test)."""
    documented = documented_codes()
    assert documented == set(CASES) | {"BAD_VALUE"}
    assert {rule.code for rules in RULES.values() for rule in rules} <= set(CASES)
    assert {transform.rule for transform in REGISTRY.values()} <= set(CASES) | {"BAD_VALUE"}


ODD_TEXT = pd.Series(["", "   ", None, "  Иванoв  иван ", "ТОЛСТОЙ\tЛЕВ\n", "12,5", "-1.234", "ÐšÐ¾Ð´",
                      "a" * 1000, "\u00a0\u202f", "0"], dtype="object")
PARAMS = {"prefix": {"text": "ул. "}, "default": {"value": "1"}, "replace": {"old": "и", "new": ""}}


@pytest.mark.parametrize("name", sorted(n for n, t in REGISTRY.items() if t.rule == "BAD_VALUE"))
def test_bad_value_cannot_be_recorded_by_any_transform_today(name):
    """The transforms registered without a rule of their own (rule BAD_VALUE) never return an
    error, whatever text they get, so no row is ever rejected with BAD_VALUE."""
    transform = REGISTRY[name]
    for values in (ODD_TEXT, ODD_TEXT.astype("str")):
        if transform.takes == "columns":  # concat: the odd text beside itself, reversed
            values = pd.DataFrame({"a": values, "b": values[::-1].to_numpy()}, index=values.index)
        result = transform.function(values, **PARAMS.get(name, {}))
        assert result.errors.isna().all(), (name, result.errors.dropna().tolist())
    if transform.takes in ("any", "number"):
        numbers = pd.Series([1, None, -5], dtype="Int64")
        params = {"value": 0} if name == "default" else PARAMS.get(name, {})
        assert transform.function(numbers, **params).errors.isna().all()


def test_the_transforms_that_can_fail_have_rules_of_their_own():
    """Every transform that can record an error carries a BAD_* or UNKNOWN_CODE rule; BAD_VALUE
    is left to the ones that cannot fail."""
    failing = {name for name, t in REGISTRY.items() if t.rule != "BAD_VALUE"}
    assert failing == {"full_name", "address", "money", "kopecks", "debt_minus_advance", "negate", "decimal",
                       "integer", "date", "excel_date", "first_integer", "period", "dictionary", "split",
                       "regex_extract"}
    assert {REGISTRY[name].rule for name in failing} == {"BAD_NAME", "BAD_ADDRESS", "BAD_MONEY", "BAD_NUMBER",
                                                        "BAD_DATE", "UNKNOWN_CODE", "BAD_TEXT"}
