"""Money the mapping cannot read is never absent from both sides: dirt planted in a copy of each
shipped system's data lands in rejected or unreadable money exactly, to the kopeck.

In a copy of each system's extract three closing balances of 2026-10, of three services, are
rewritten, each in a row the clean run loaded:

- ``other``: the same amount written another honest way the mapping's transform does not take
  (a dot where the mapping reads a comma, a comma where it reads a dot, whole kopecks with
  thousands apart in a VARCHAR column): the control reads it, so it is rejected money;
- ``spaced``: the amount with its thousands apart by a no-break space, which the mapping's
  money transform takes too (it stays in the target) but the kopecks transform does not;
- ``broken``: ``12-34``, which nobody can read: unreadable money, in no total, NO-GO until
  the project accepts the row.

The expected money per service comes from the system's expected.json (written by its
generator, independently of the engine) and the amounts the test planted, parsed here.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import dbfread
import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa
from support import dry_run_project, kopecks, query

from cutover.extract import REGISTRY

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_data"
BROKEN = "12-34"


@dataclass(frozen=True)
class Planted:
    """One rewritten balance: its row, its service's target code, what was there and what is now."""

    kind: str  # other, spaced, broken
    row: int
    code: str
    closing: int  # the row's closing balance in kopecks, as the generator wrote it
    text: str  # what the test wrote


def _roubles(text: str) -> int:
    text = text.strip().replace(" ", "").replace("\u00a0", "").replace(",", ".")
    return int(Decimal(text) * 100) if text else 0  # a blank cell holds no money


def _grouped(digits: str, gap: str) -> str:
    """``1139639`` -> ``1 139 639`` (with ``gap``)."""
    sign, digits = ("-", digits[1:]) if digits.startswith("-") else ("", digits)
    groups = []
    while len(digits) > 3:
        digits, tail = digits[:-3], digits[-3:]
        groups.insert(0, tail)
    return sign + gap.join([digits, *groups])


class System:
    """A shipped system: where its balances are, how to read and rewrite one closing balance."""

    name: str
    balance_source: str  # the reject table's name of the balance source
    options: dict  # the balance source's extractor options
    format: str
    period: str  # the raw spelling of 2026-10
    period_column: str
    service_column: str
    closing_column: str  # the column the test rewrites (the debt, where closing is debt minus advance)
    advance_column: str | None = None
    unit = "roubles"

    @property
    def data(self) -> Path:
        return SAMPLES / self.name

    @property
    def expected(self) -> dict:
        return json.loads((self.data / "expected.json").read_text(encoding="utf-8"))

    def codes(self) -> dict[str, str]:
        path = ROOT / "mappings" / self.name / "dictionaries" / "services.toml"
        return tomllib.loads(path.read_text(encoding="utf-8"))["codes"]

    def copy(self, folder: Path) -> Path:
        shutil.copytree(self.data, folder)
        return folder

    def rows(self, source_dir: Path) -> pd.DataFrame:
        return pd.concat(REGISTRY[self.format].read(self.options, source_dir, set(), 100_000), ignore_index=True)

    def amount(self, row: pd.Series) -> int:
        read = _roubles if self.unit == "roubles" else int
        closing = read(row[self.closing_column])
        return closing - (read(row[self.advance_column]) if self.advance_column else 0)

    def other(self, text: str) -> str:
        """The same amount, written the other honest way."""
        return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")

    def spaced(self, text: str) -> str:
        whole, _, fraction = text.replace(",", ".").partition(".")
        point = "," if "," in text else "."
        return _grouped(whole, "\u00a0") + (point + fraction if fraction else "")

    def plant(self, source_dir: Path, row: pd.Series, text: str) -> None:
        raise NotImplementedError


class SampleLegacy(System):
    name, balance_source, format = "sample_legacy", "saldo.csv", "delimited"
    options = {"file": "saldo.csv", "encoding": "cp1251", "separator": ";"}
    period, period_column, service_column, closing_column = "202610", "Период", "КодУсл", "СальдоИсх"

    def plant(self, source_dir: Path, row: pd.Series, text: str) -> None:
        path = source_dir / "saldo.csv"
        lines = path.read_bytes().decode("cp1251").split("\r\n")
        fields = lines[row["_row"] - 1].split(";")
        fields[lines[0].split(";").index(self.closing_column)] = text
        lines[row["_row"] - 1] = ";".join(fields)
        path.write_bytes("\r\n".join(lines).encode("cp1251"))


class DbfLegacy(System):
    name, balance_source, format = "dbf_legacy", "SALDO.DBF", "dbf"
    options = {"file": "SALDO.DBF"}
    period, period_column, service_column, closing_column = "202610", "MES", "KOD_USL", "SALDO_K_D"
    advance_column = "SALDO_K_A"

    def spaced(self, text: str) -> str:  # a DBF numeric field holds ASCII: a plain space between thousands
        return super().spaced(text).replace("\u00a0", " ")

    def plant(self, source_dir: Path, row: pd.Series, text: str) -> None:
        path = source_dir / "SALDO.DBF"
        table = dbfread.DBF(str(path), raw=True)
        offset = 1
        for field in table.fields:
            if field.name == self.closing_column:
                break
            offset += field.length
        at = table.header.headerlen + (row["_row"] - 1) * table.header.recordlen + offset
        raw = bytearray(path.read_bytes())
        raw[at:at + field.length] = text.rjust(field.length).encode("ascii")
        path.write_bytes(bytes(raw))


class GisExcel(System):
    name, balance_source, format = "gis_excel", "gis.xlsx:Сальдо", "excel"
    options = {"file": "gis.xlsx", "sheet": "Сальдо", "header_row": 2, "header_rows": 2}
    period, period_column, service_column = "10.2026", "Расчётный период", "Услуга"
    closing_column, advance_column = "Исходящее сальдо / Задолженность", "Исходящее сальдо / Аванс"

    def plant(self, source_dir: Path, row: pd.Series, text: str) -> None:
        path = source_dir / "gis.xlsx"
        column = REGISTRY["excel"].header(self.options, source_dir).index(self.closing_column) + 1
        workbook = openpyxl.load_workbook(path)
        workbook["Сальдо"].cell(row=int(row["_row"]), column=column).value = text  # a text cell
        workbook.save(path)


class SqlLegacy(System):
    name, balance_source, format = "sql_legacy", "query SELECT s.lic_schet_id, s.usluga_kod, s.p...", "sql"
    period, period_column, service_column, closing_column = "202610", "period", "usluga_kod", "ish_kop"
    unit = "kopecks"

    @property
    def options(self) -> dict:
        system = tomllib.loads((ROOT / "mappings" / "sql_legacy" / "system.toml").read_text(encoding="utf-8"))
        return system["sources"]["saldo"]

    def other(self, text: str) -> str:  # whole kopecks, thousands apart, in a VARCHAR column
        return _grouped(text, " ")

    def spaced(self, text: str) -> str:
        return _grouped(text, "\u00a0")

    def plant(self, source_dir: Path, row: pd.Series, text: str) -> None:
        with sqlite3.connect(source_dir / "legacy.db") as connection:
            connection.execute("UPDATE saldo SET ish_kop = ? WHERE lic_schet_id = ? AND usluga_kod = ? AND period = ?",
                               (text, row["lic_schet_id"], row["usluga_kod"], row["period"]))


SYSTEMS = {system.name: system for system in (SampleLegacy(), DbfLegacy(), GisExcel(), SqlLegacy())}
# The sample accepts its own two unreadable values (dirt D9, "н/д" in Начислено), as its cutover.toml does.
ACCEPTED = {"sample_legacy": 2}


def gates(system: System, more: int = 0) -> str:
    return f"[gates]\naccept_unreadable_rows = {ACCEPTED.get(system.name, 0) + more}\n"


def run(folder: Path, system: System, source_dir: Path, accept_more: int = 0):
    return dry_run_project(folder, system.name, source_dir, target_url=f"sqlite:///{folder / 'target.db'}",
                           extra=gates(system, accept_more))


def choose(system: System, loaded_rows: set[int], source_dir: Path) -> list[tuple[str, pd.Series, str]]:
    """Three rows of 2026-10 the clean run loaded, of three services mapped to a target code,
    each with a closing balance of at least 1 000 roubles (room for a thousands separator)."""
    rows = system.rows(source_dir)
    codes = system.codes()
    chosen, services = [], set()
    for _, row in rows.iterrows():
        service = str(row[system.service_column]).strip()
        text = str(row[system.closing_column]).strip()
        if (str(row[system.period_column]).strip() != system.period or row["_row"] not in loaded_rows
                or service in services or service not in codes or text.startswith("-")
                or abs(system.amount(row)) < 100_000
                or " " in text or "\u00a0" in text
                or (system.advance_column and _roubles(str(row[system.advance_column])) != 0)):
            continue
        chosen.append((("other", "spaced", "broken")[len(chosen)], row, codes[service]))
        services.add(service)
        if len(chosen) == 3:
            return chosen
    raise AssertionError(f"{system.name}: fewer than three loaded rows to plant dirt in")


@pytest.fixture(scope="module", params=list(SYSTEMS))
def dirty(request, tmp_path_factory, shipped_run):
    """(system, clean run, planted, dirty run, dirty folder, dirty source): the dirty run reads the
    copy with the three balances rewritten; the clean one is the session's run of the system."""
    system = SYSTEMS[request.param]
    clean, clean_url = shipped_run(system.name)
    assert clean.status == "reconciled", clean.summary["gate_failures"] + clean.summary["differences"]
    rejected = {row for (row,) in query(clean_url,
                                        "SELECT DISTINCT row_number FROM reject WHERE entity = 'balance' AND "
                                        "source = :source AND severity = 'error'", source=system.balance_source)}
    loaded = set(system.rows(system.data)["_row"]) - rejected
    folder = tmp_path_factory.mktemp(f"{system.name}-dirty")
    source_dir = system.copy(folder / "extract")
    planted = []
    for kind, row, code in choose(system, loaded, source_dir):
        original = str(row[system.closing_column]).strip()
        text = {"other": system.other, "spaced": system.spaced, "broken": lambda _: BROKEN}[kind](original)
        system.plant(source_dir, row, text)
        planted.append(Planted(kind, int(row["_row"]), code, system.amount(row), text))
    return system, clean, planted, run(folder, system, source_dir), folder, source_dir


def closing(summary: dict, code: str) -> dict:
    line = summary["money"]["services"][code]
    return {key: (kopecks(value) if isinstance(value, str) else value) for key, value in line.items()
            if key in ("control", "source", "target", "rejected", "unreadable", "difference")}


def test_the_money_of_every_planted_value_lands_where_it_belongs(dirty):
    system, _, planted, result, _, _ = dirty
    expected = system.expected["money"]["services"]
    for dirt in planted:
        want = expected[dirt.code]
        s, t, r, v = want["source"], want["target"], want["rejected"], dirt.closing
        if dirt.kind == "other" or (dirt.kind == "spaced" and system.unit == "kopecks"):
            line = {"control": s, "source": s - v, "target": t - v, "rejected": r + v, "unreadable": 0}
        elif dirt.kind == "spaced":  # the money transform takes no-break spaces between thousands
            line = {"control": s, "source": s, "target": t, "rejected": r, "unreadable": 0}
        else:
            line = {"control": s - v, "source": s - v, "target": t - v, "rejected": r, "unreadable": 1}
        assert closing(result.summary, dirt.code) == {**line, "difference": 0}, (dirt.kind, dirt.text)


def test_unreadable_money_is_listed_and_the_run_is_no_go(dirty):
    system, _, planted, result, _, _ = dirty
    broken = next(dirt for dirt in planted if dirt.kind == "broken")
    unreadable = result.summary["control"]["unreadable"]
    assert result.status == "differences"
    assert unreadable["rows"] == ACCEPTED.get(system.name, 0) + 1
    found = [value for value in unreadable["first"] if value["value"].split("; ")[0] == BROKEN]
    assert [(v["source"], v["row"], v["measure"], v["problem"], v["status"]) for v in found] == [
        (system.balance_source, broken.row, "closing", f"'{BROKEN}' is not a number", "rejected")]
    failure = next(f for f in result.summary["gate_failures"] if "nobody can read" in f)
    assert failure.startswith(f"{unreadable['rows']} balance row(s) hold money nobody can read, so it is in no total")
    assert f"[gates] accept_unreadable_rows = {unreadable['rows']}" in failure


def test_the_mapping_rejects_what_it_cannot_read_and_names_the_row(dirty):
    system, clean, planted, result, folder, _ = dirty
    rows = {row for (row,) in query(f"sqlite:///{folder / 'target.db'}",
                                    "SELECT row_number FROM reject WHERE rule = 'BAD_MONEY' AND source = :source",
                                    source=system.balance_source)}
    rejected = {dirt.row for dirt in planted if dirt.kind != "spaced" or system.unit == "kopecks"}
    assert rejected <= rows
    before = clean.summary["rejects_by_rule"]["balances"].get("BAD_MONEY", 0)
    assert result.summary["rejects_by_rule"]["balances"]["BAD_MONEY"] == before + len(rejected)


def test_accepting_the_unreadable_row_by_count_makes_the_run_go(dirty, tmp_path):
    system, _, planted, _, _, source_dir = dirty
    accepted = run(tmp_path, system, source_dir, accept_more=1)
    assert accepted.status == "reconciled", accepted.summary["gate_failures"] + accepted.summary["differences"]
    unreadable = accepted.summary["control"]["unreadable"]
    assert (unreadable["rows"], unreadable["accepted"], unreadable["blocking"]) == (
        ACCEPTED.get(system.name, 0) + 1, ACCEPTED.get(system.name, 0) + 1, False)


@pytest.mark.mariadb
def test_a_varchar_balance_on_mariadb_is_read_as_text_never_summed_by_the_server(tmp_path, server_engines):
    """sql_legacy on MariaDB with its closing balances in a VARCHAR column: one written with its
    thousands apart (whole kopecks the control reads: rejected money), one as roubles with a
    decimal comma, as an operator typed it (``11 396,39``: not whole kopecks, so unreadable;
    MariaDB's own SUM would have made it 11)."""
    from conftest import _mariadb_database, server_engine
    from test_system_sql_legacy import CREATE, legacy, run_sql_legacy

    databases = _mariadb_database(server_engine("mariadb", server_engines), "t_varchar_" + tmp_path.name[-6:])
    url = next(databases)
    try:
        CREATE.write_database(url, legacy())
        engine = sa.create_engine(url, poolclass=sa.NullPool)
        with engine.begin() as connection:
            connection.execute(sa.text("ALTER TABLE saldo MODIFY ish_kop VARCHAR(20)"))
            rows = connection.execute(sa.text(
                "SELECT lic_schet_id, usluga_kod, ish_kop FROM saldo WHERE period = 202610 AND usluga_kod IN (1, 2) "
                "AND CAST(ish_kop AS SIGNED) >= 100000 ORDER BY usluga_kod, lic_schet_id")).all()
            grouped = next(row for row in rows if row[1] == 1)
            typed = next(row for row in rows if row[1] == 2)
            for (account, service, _), text in ((grouped, _grouped(str(grouped[2]), " ")), (typed, "11 396,39")):
                connection.execute(sa.text("UPDATE saldo SET ish_kop = :text WHERE period = 202610 AND "
                                           "lic_schet_id = :account AND usluga_kod = :service"),
                                   {"text": text, "account": account, "service": service})
            assert connection.execute(sa.text("SELECT SUM(ish_kop) FROM saldo WHERE period = 202610 AND "
                                              "lic_schet_id = :a AND usluga_kod = 2"), {"a": typed[0]}).scalar() == 11
        engine.dispose()
        summary = run_sql_legacy(tmp_path / "project", url).summary
    finally:
        databases.close()
    expected = SqlLegacy().expected["money"]["services"]
    codes = SqlLegacy().codes()
    cold, hot = expected[codes["1"]], expected[codes["2"]]
    assert closing(summary, codes["1"]) == {"control": cold["source"], "source": cold["source"] - int(grouped[2]),
                                            "target": cold["target"] - int(grouped[2]),
                                            "rejected": cold["rejected"] + int(grouped[2]), "unreadable": 0,
                                            "difference": 0}
    assert closing(summary, codes["2"]) == {"control": hot["source"] - int(typed[2]),
                                            "source": hot["source"] - int(typed[2]),
                                            "target": hot["target"] - int(typed[2]), "rejected": hot["rejected"],
                                            "unreadable": 1, "difference": 0}
    assert [(v["value"], v["problem"]) for v in summary["control"]["unreadable"]["first"]] == [
        ("11 396,39", "'11 396,39' is not money in whole kopecks")]
    assert summary["status"] == "differences"
