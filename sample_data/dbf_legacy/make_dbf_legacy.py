#!/usr/bin/env python3
"""Generate the export of a fictional DOS-era billing system ("dbf_legacy"): six DBF tables.

FoxPro/dBase tables in cp866 with short upper-case field names, as a Clipper or FoxPro for DOS
billing program of a small housing office in "г. Энск" left them. Seeded and deterministic:
the same seed gives byte-identical files (the header's last-update date is set to the export
date, not today). Besides the tables it writes ``expected.json``: the counts and money the
engine must report, computed here from what the generator made, independently of the engine.
Needs the ``dbf`` package (the test extra).

    python sample_data/dbf_legacy/make_dbf_legacy.py            # rewrites the committed copy
    python sample_data/dbf_legacy/make_dbf_legacy.py --out /tmp/dbf_legacy --seed 7

Tables (record layout in README.md): LIC.DBF (+ LIC.FPT memo), ULICY.DBF, USLUGI.DBF,
SCHET.DBF, POKAZ.DBF, SALDO.DBF.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
from decimal import Decimal
from pathlib import Path

import dbf

ACCOUNTS = 60
SEED = 1991
EXPORT_DATE = (2026 - 1900, 11, 1)  # written into every header: year since 1900, month, day
PERIOD = "2026-10"
ARCHIVE_MONTH = "202607"  # kept in SALDO.DBF, left out by the mapping's filter
MONTHS = ["202608", "202609", "202610"]
READING_MONTHS = [(2026, 7), (2026, 8), (2026, 9), (2026, 10)]
MEASURES = ("opening", "charged", "recalculated", "paid", "closing")

SERVICES = [  # KOD, NAIM, ED, target code
    (1, "Холодное водоснабжение", "м3", "cold_water"),
    (2, "Горячее водоснабжение", "м3", "hot_water"),
    (3, "Водоотведение", "м3", "sewage"),
    (4, "Отопление", "Гкал", "heating"),
    (5, "Электроэнергия", "кВт*ч", "electricity"),
    (6, "Газоснабжение", "м3", "gas"),
    (7, "Содержание жилья", "м2", "maintenance"),
    (8, "Взнос на капремонт", "м2", "capital_repair"),
    (9, "Вывоз ТКО", "чел", "waste"),
]
TARGET = {kod: code for kod, _, _, code in SERVICES}
STREETS = [(101, "ЛЕНИНА"), (102, "КАРЛА МАРКСА"), (103, "САДОВАЯ"), (105, "МОЛОДЁЖНАЯ"),
           (106, "ГАГАРИНА"), (107, "СОВЕТСКАЯ"), (110, "ЛЕСНАЯ"), (111, "НАБЕРЕЖНАЯ"),
           (112, "ЗАВОДСКАЯ"), (115, "ПУШКИНА")]
UNKNOWN_STREET = 120  # removed from ULICY.DBF years ago, still on two accounts
SURNAMES = ["ИВАНОВ", "ПЕТРОВ", "СИДОРОВ", "СМИРНОВ", "КУЗНЕЦОВ", "ПОПОВ", "ВАСИЛЬЕВ", "СОКОЛОВ",
            "МИХАЙЛОВ", "НОВИКОВ", "ФЁДОРОВ", "МОРОЗОВ", "ВОЛКОВ", "АЛЕКСЕЕВ", "ЛЕБЕДЕВ", "СЕМЁНОВ",
            "ЕГОРОВ", "ПАВЛОВ", "КОЗЛОВ", "СТЕПАНОВ", "ОРЛОВ", "МАКАРОВ", "ЗАХАРОВ", "СОЛОВЬЁВ",
            "КОРОЛЁВ", "ТОЛСТОЙ", "РИМСКИЙ-КОРСАКОВ", "МАМИН-СИБИРЯК"]
MALE = [("ИВАН", "ИВАНОВИЧ", "ИВАНОВНА"), ("ПЁТР", "ПЕТРОВИЧ", "ПЕТРОВНА"), ("СЕРГЕЙ", "СЕРГЕЕВИЧ", "СЕРГЕЕВНА"),
        ("НИКОЛАЙ", "НИКОЛАЕВИЧ", "НИКОЛАЕВНА"), ("МИХАИЛ", "МИХАЙЛОВИЧ", "МИХАЙЛОВНА"),
        ("ВЛАДИМИР", "ВЛАДИМИРОВИЧ", "ВЛАДИМИРОВНА"), ("ЮРИЙ", "ЮРЬЕВИЧ", "ЮРЬЕВНА"),
        ("ФЁДОР", "ФЁДОРОВИЧ", "ФЁДОРОВНА"), ("СЕМЁН", "СЕМЁНОВИЧ", "СЕМЁНОВНА")]
FEMALE = ["АННА", "МАРИЯ", "ЕЛЕНА", "ОЛЬГА", "ТАТЬЯНА", "НАТАЛЬЯ", "ГАЛИНА", "НАДЕЖДА", "АЛЁНА", "ЗОЯ"]
LATIN = {"О": "O", "А": "A", "Е": "E", "С": "C", "Р": "P", "К": "K", "М": "M", "Т": "T", "Н": "H", "В": "B"}
NOTES = ["Ветеран труда, льгота 50% на ЖКУ", "Ключи у соседей, кв. рядом", "Собственник проживает в другом городе",
         "Договор на вывоз ТКО перезаключён\r\nв 2019 году", "Инвалид II группы"]
METER_KINDS = {1: (6, 5, (1,), 300, 1200), 2: (4, 5, (1,), 200, 800), 5: (16, 6, (1, 1, 1, 2, 2, 3), 9000, 30000)}

SPECS = {
    "LIC.DBF": ("LCHET C(6); FAM C(25); IM C(15); OT C(20); KOD_UL N(4,0); NDOM C(5); KORP C(3); NKW C(5); "
                "PLOSH N(7,2); PROPIS N(2,0); DATA_OTKR D; PRIM M", "fp"),
    "ULICY.DBF": ("KOD N(4,0); NAIM C(30)", "db3"),
    "USLUGI.DBF": ("KOD N(2,0); NAIM C(30); ED C(8)", "db3"),
    "SCHET.DBF": ("ZAV_NOM C(15); LCHET C(6); KOD_USL N(2,0); RAZR N(2,0); ZON N(1,0); DATA_UST D; DATA_POV D; "
                  "MPI N(2,0)", "db3"),
    "POKAZ.DBF": ("LCHET C(6); ZAV_NOM C(15); DATA D; T1 N(10,2); T2 N(10,2); T3 N(10,2)", "db3"),
    "SALDO.DBF": ("MES C(6); LCHET C(6); KOD_USL N(2,0); SALDO_N_D N(12,2); SALDO_N_A N(12,2); NACH N(12,2); "
                  "PERER N(12,2); OPL N(12,2); SALDO_K_D N(12,2); SALDO_K_A N(12,2)", "db3"),
}


def rubles(kopecks: int | None) -> Decimal | None:
    """Kopecks as the exact Decimal a N(12,2) field stores (never a float)."""
    return None if kopecks is None else Decimal(kopecks).scaleb(-2)


def feminine(surname: str) -> str:
    """The feminine form of a surname (each part of a double one)."""
    parts = []
    for part in surname.split("-"):
        if part.endswith(("СКИЙ", "ЦКИЙ", "ОЙ")):
            part = part[:-2] + "АЯ"
        elif part.endswith(("ОВ", "ЕВ", "ЁВ", "ИН", "ЫН")):
            part += "А"
        parts.append(part)
    return "-".join(parts)


def debt_advance(kopecks: int) -> tuple[Decimal, Decimal]:
    """A balance as this system keeps it: debt and advance, both non-negative."""
    return rubles(max(kopecks, 0)), rubles(max(-kopecks, 0))


def write_table(path: Path, records: list[tuple], deleted: set[int] = frozenset()) -> dict[str, int]:
    """Write one table with the dbf library; ``deleted`` holds 0-based record positions."""
    spec, dbf_type = SPECS[path.name]
    for stale in (path, path.with_suffix(".FPT"), path.with_suffix(".DBT")):
        stale.unlink(missing_ok=True)
    table = dbf.Table(str(path), spec, codepage="cp866", dbf_type=dbf_type)
    table.open(dbf.READ_WRITE)
    try:
        for record in records:
            table.append(record)
        for position in sorted(deleted):
            with table[position] as record:
                dbf.delete(record)
    finally:
        table.close()
    with path.open("r+b") as raw:  # the library stamps today's date; the export has a date of its own
        raw.seek(1)
        raw.write(bytes(EXPORT_DATE))
    return {"records": len(records), "deleted": len(deleted)}


class Expected:
    """What the engine must report, counted while the rows are made."""

    def __init__(self) -> None:
        self.rows = {"services": 0, "persons": 0, "premises": 0, "accounts": 0, "meters": 0, "readings": 0,
                     "balances": 0}
        self.rejected = {name: 0 for name in self.rows}
        self.rules: dict[str, dict[str, int]] = {}
        self.money = {code: {"source": 0, "target": 0, "rejected": 0} for code in TARGET.values()}
        self.totals: dict[str, dict[str, list[int]]] = {}
        self.dirt: dict[str, dict] = {}
        self.files: dict[str, dict[str, int]] = {}

    def reject(self, entity: str, rule: str) -> None:
        self.rejected[entity] += 1
        self.rules.setdefault(entity, {}).setdefault(rule, 0)
        self.rules[entity][rule] += 1

    def mark(self, code: str, kind: str, file: str, rule: str, effect: str, key: str) -> None:
        entry = self.dirt.setdefault(code, {"code": code, "kind": kind, "file": file, "rule": rule,
                                            "effect": effect, "keys": [], "rows": 0})
        entry["keys"].append(key)
        entry["rows"] += 1


def generate(out: Path, seed: int = SEED) -> dict:
    """Write the six tables and expected.json into ``out``; return what expected.json holds."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    exp = Expected()
    exp.files["ULICY.DBF"] = write_table(out / "ULICY.DBF", [(kod, name) for kod, name in STREETS])
    exp.files["USLUGI.DBF"] = write_table(out / "USLUGI.DBF", [(kod, name, unit) for kod, name, unit, _ in SERVICES])
    exp.rows["services"] = len(SERVICES)
    accounts, rejected_accounts, deleted_account = _write_accounts(out, rng, exp)
    _write_meters(out, rng, exp, [*accounts, deleted_account], rejected_accounts, deleted_account)
    _write_balances(out, rng, exp, accounts, rejected_accounts)
    expected = _expected_json(exp, seed)
    (out / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
                                       encoding="utf-8")
    return expected


def _payer(rng: random.Random) -> tuple[str, str, str]:
    """FAM, IM, OT in upper case, as the DOS program kept them; a few without a patronymic."""
    first, patronymic, _ = rng.choice(MALE)
    surname = rng.choice(SURNAMES)
    if rng.random() >= 0.45:
        surname, first, patronymic = feminine(surname), rng.choice(FEMALE), rng.choice(MALE)[2]
    return surname, first, "" if rng.random() < 0.07 else patronymic


def _write_accounts(out: Path, rng: random.Random, exp: Expected) -> tuple[list[str], set[str], str]:
    """LIC.DBF: the live accounts, those rejected through their premise, and the deleted account."""
    numbers = [str(n) for n in sorted(rng.sample(range(100100, 100400), ACCOUNTS + 1))]
    deleted_at = 17  # a closed account deleted (marked *) in the middle of LIC.DBF
    dirty = rng.sample([i for i in range(ACCOUNTS + 1) if i != deleted_at], 8)
    unknown_street, lookalike = set(dirty[:2]), set(dirty[2:4])
    # two communal flats: the later account of each pair lives in the earlier one's flat
    second_room = {max(pair): min(pair) for pair in (dirty[4:6], dirty[6:8])}
    lic, flats, premises = [], {}, set()
    for position, lchet in enumerate(numbers):
        surname, first, patronymic = _payer(rng)
        if position in lookalike:  # repaired by fix_lookalikes
            i = rng.choice([i for i, ch in enumerate(surname) if ch in LATIN])
            surname = surname[:i] + LATIN[surname[i]] + surname[i + 1:]
            exp.mark("R1", "Latin look-alike letter inside a Cyrillic surname", "LIC.DBF", "FIX_LATIN_LOOKALIKE",
                     "repaired", lchet)
        street = UNKNOWN_STREET if position in unknown_street else rng.choice(STREETS)[0]
        house = f"{rng.randint(1, 60)}{'А' if rng.random() < 0.08 else ''}"
        building = str(rng.randint(1, 3)) if rng.random() < 0.1 else ""
        apartment = "" if rng.random() < 0.06 else f"{rng.randint(1, 120)}{'А' if rng.random() < 0.03 else ''}"
        if position in second_room:
            street, house, building, apartment = flats[second_room[position]]
        flats[position] = (street, house, building, apartment)
        area, residents = rng.randint(1800, 9500), rng.choice((0, 1, 1, 2, 2, 2, 3, 3, 4, 5))
        opened = dt.date(1995, 1, 1) + dt.timedelta(days=rng.randint(0, 9000))
        note = rng.choice(NOTES) if rng.random() < 0.2 else ""
        lic.append((lchet, surname, first, patronymic, street, house, building, apartment, rubles(area), residents,
                    opened, note))
        if position == deleted_at:
            exp.mark("S1", "account deleted in LIC.DBF (record marked *), its meters left in SCHET.DBF",
                     "LIC.DBF", "SKIP_DELETED", "skipped", lchet)
            continue
        exp.rows["persons"] += 1
        exp.rows["accounts"] += 1
        if street == UNKNOWN_STREET:  # its own premise item, whatever key the engine gives it
            premises.add(("#", lchet))
            exp.reject("premises", "JOIN_MISSING")
            exp.reject("accounts", "PARENT_REJECTED")
            exp.reject("persons", "ACCOUNT_REJECTED")  # built from the same LIC row, for that account only
            exp.mark("D1", "street code KOD_UL not in ULICY.DBF", "LIC.DBF", "JOIN_MISSING", "rejected", lchet)
        else:  # premises are keyed by the address, case-folded: communal flats are one premise
            premises.add((street, house.lower(), building, apartment.lower()))
    exp.rows["premises"] = len(premises)
    exp.files["LIC.DBF"] = write_table(out / "LIC.DBF", lic, deleted={deleted_at})
    live = [n for i, n in enumerate(numbers) if i != deleted_at]
    return live, {numbers[i] for i in unknown_street}, numbers[deleted_at]


def _write_meters(out: Path, rng: random.Random, exp: Expected, accounts: list[str], rejected_accounts: set[str],
                  deleted_account: str) -> None:
    """SCHET.DBF and POKAZ.DBF: meters of the accounts (the deleted one's too) and four months of readings."""
    schet, pokaz, deleted_readings, serials = [], [], set(), set()
    for lchet in sorted(accounts):
        orphan = lchet == deleted_account
        for kod, (interval, digits, zone_choice, low, high) in METER_KINDS.items():
            if (orphan and kod == 2) or (not orphan and rng.random() > {1: 0.85, 2: 0.7, 5: 0.95}[kod]):
                continue
            serial = f"{rng.randint(1000000, 9999999)}" if kod != 5 else f"ЭМ-{rng.randint(100000, 999999)}"
            while serial in serials:
                serial += "1"
            serials.add(serial)
            zones = rng.choice(zone_choice)
            installed = dt.date(2012, 1, 1) + dt.timedelta(days=rng.randint(0, 4500))
            # verified recently enough that no verification runs out before the switch
            verified = max(installed, dt.date(2023, 1, 1) + dt.timedelta(days=rng.randint(0, 1200)))
            schet.append((serial, lchet, kod, digits, zones, installed, verified, interval))
            meter_key = f"{lchet}|{serial}"
            exp.rows["meters"] += 1
            rejected = orphan or lchet in rejected_accounts
            if orphan:
                exp.reject("meters", "ORPHAN_METER")
                exp.mark("D2", "meter of an account that is not in LIC.DBF (deleted there)", "SCHET.DBF",
                         "ORPHAN_METER", "rejected", meter_key)
            elif rejected:
                exp.reject("meters", "PARENT_REJECTED")
            values = [rng.randint(100, 9000) * 100 for _ in range(zones)]  # hundredths: N(10,2)
            for year, month in READING_MONTHS:
                values = [v + rng.randint(low, high) * (3 - z) // 3 for z, v in enumerate(values)]
                day = dt.date(year, month, rng.randint(18, 25))
                if (year, month) == (2026, 9) and not deleted_readings and not rejected:
                    deleted_readings.add(len(pokaz))  # typed in wrong, deleted, typed in again
                    pokaz.append((lchet, serial, day, *[rubles(v * 10) for v in values], *[None] * (3 - zones)))
                    exp.mark("S2", "reading typed in wrong and deleted (record marked *)", "POKAZ.DBF",
                             "SKIP_DELETED", "skipped", f"{meter_key}|T1|{day.isoformat()}")
                pokaz.append((lchet, serial, day, *[rubles(v) for v in values], *[None] * (3 - zones)))
                exp.rows["readings"] += zones  # blank zones give no row
                for _ in range(zones if rejected else 0):
                    exp.reject("readings", "PARENT_REJECTED")
    exp.files["SCHET.DBF"] = write_table(out / "SCHET.DBF", schet)
    exp.files["POKAZ.DBF"] = write_table(out / "POKAZ.DBF", pokaz, deleted=deleted_readings)


def _write_balances(out: Path, rng: random.Random, exp: Expected, accounts: list[str],
                    rejected_accounts: set[str]) -> None:
    """SALDO.DBF: four months per account and service, debt and advance in separate columns."""
    months = [ARCHIVE_MONTH, *MONTHS]
    saldo: dict[str, list[tuple]] = {month: [] for month in months}
    broken = dict(zip(rng.sample([a for a in accounts if a not in rejected_accounts], 2), ("202609", "202610")))
    for lchet in accounts:
        for kod in [1, 2, 3, 4, 5, 7, 8, 9] + ([6] if rng.random() < 0.3 else []):
            balance, monthly = rng.randint(-50000, 400000), rng.randint(15000, 300000)
            for month in months:
                charged = 0 if kod == 4 and month != "202610" else monthly + rng.randint(-2000, 2000)  # no heating
                recalculated = rng.choice((0,) * 14 + (None, rng.randint(-5000, 5000)))  # None: left blank
                paid = max(0, balance + charged + rng.randint(-30000, 20000)) if rng.random() < 0.85 else 0
                closing = written = balance + charged + (recalculated or 0) - paid
                if broken.get(lchet) == month and kod == 1:
                    written = closing + rng.randint(1, 99)
                    exp.mark("D3", "balance row breaking the identity by 1..99 kopecks", "SALDO.DBF",
                             "BAL_IDENTITY", "rejected", f"{lchet}|{kod}|{month}")
                saldo[month].append((month, lchet, kod, *debt_advance(balance), rubles(charged),
                                     rubles(recalculated), rubles(paid), *debt_advance(written)))
                if month != ARCHIVE_MONTH:
                    _count_balance(exp, month, TARGET[kod], lchet in rejected_accounts, written,
                                   (balance, charged, recalculated or 0, paid, closing))
                balance = closing
    exp.files["SALDO.DBF"] = write_table(out / "SALDO.DBF", [row for month in months for row in saldo[month]])


def _count_balance(exp: Expected, month: str, code: str, parent_rejected: bool, closing_written: int,
                   measures: tuple[int, ...]) -> None:
    """Count one balance row of the migrated months; ``measures`` are the true amounts."""
    exp.rows["balances"] += 1
    period = f"{month[:4]}-{month[4:]}"
    identity_broken = closing_written != measures[-1]
    if parent_rejected:  # PARENT_REJECTED comes before the domain rules (docs/rules.md)
        exp.reject("balances", "PARENT_REJECTED")
    elif identity_broken:
        exp.reject("balances", "BAL_IDENTITY")
    else:
        totals = exp.totals.setdefault(period, {}).setdefault(code, [0] * len(MEASURES))
        for i, value in enumerate(measures):
            totals[i] += value
    if period == PERIOD:
        line = exp.money[code]
        line["source"] += closing_written
        line["rejected" if parent_rejected or identity_broken else "target"] += closing_written


def _expected_json(exp: Expected, seed: int) -> dict:
    entities = {name: {"source_rows": rows, "loaded": rows - exp.rejected[name], "rejected": exp.rejected[name]}
                for name, rows in exp.rows.items()}
    money = {code: line for code, line in exp.money.items() if line["source"] or line["rejected"]}
    total = {k: sum(line[k] for line in money.values()) for k in ("source", "target", "rejected")}
    return {
        "generator": {"accounts": ACCOUNTS, "seed": seed},
        "period": PERIOD,
        "entities": entities,
        "rejects_by_rule": {name: dict(sorted(rules.items())) for name, rules in sorted(exp.rules.items())},
        "warnings_by_rule": {},
        "money": {"measure": "closing", "period": PERIOD, "services": money, "total": total},
        "target_totals": {period: {code: dict(zip(MEASURES, sums)) for code, sums in sorted(codes.items())}
                          for period, codes in sorted(exp.totals.items())},
        "dirt": [exp.dirt[code] for code in sorted(exp.dirt)],
        "files": dict(sorted(exp.files.items())),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent,
                        help="folder for the tables and expected.json (default: this script's folder)")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    generate(args.out, args.seed)


if __name__ == "__main__":
    main()
