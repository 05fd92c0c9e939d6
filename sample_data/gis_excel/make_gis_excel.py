#!/usr/bin/env python3
"""Generate ``gis.xlsx``: a legacy export laid out like the GIS ЖКХ Excel templates.

One workbook, six sheets, each with a title row and (but for "Услуги") a header merged over
two rows, data from row 4 (row 3 on "Услуги"); Russian column names, numbers and dates as
real cells. Seeded and deterministic: the same seed gives a byte-identical file (the
workbook's times and the zip entries' times are fixed). Besides the workbook it writes
``expected.json``: what the migration engine must load, reject and reconcile, computed here
from what this script made, independently of the engine.

    python sample_data/gis_excel/make_gis_excel.py [--out DIR] [--seed N]

Sheets (see README.md): "Основные сведения" (accounts and payers), "Помещения" (the premise of
each account: address, FIAS house GUID, premise number), "Услуги" (services and the metered
resource), "Сведения о ПУ" (meters), "Показания" (readings in columns T1, T2, T3), "Сальдо"
(one row per account, service and month 07.2026-10.2026; the migration takes 08-10).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import random
import re
import uuid
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font

ACCOUNTS = 60
SEED = 20261031
PERIOD = "2026-10"
PERIOD_END = dt.date(2026, 10, 31)
SHEET_MONTHS = [(2026, 7), (2026, 8), (2026, 9), (2026, 10)]  # "Сальдо" holds four months
MIGRATED = {"08.2026", "09.2026", "10.2026"}  # the mapping's [filter] takes three
FIXED_TIME = dt.datetime(2026, 11, 1, 9, 0, 0)
EXCEL_EPOCH = dt.date(1899, 12, 30)

# name in the workbook, metered resource, unit, target code (dictionaries/services.toml)
SERVICES = [
    ("Холодное водоснабжение", "Холодная вода", "куб. м", "cold_water"),
    ("Горячее водоснабжение", "Горячая вода", "куб. м", "hot_water"),
    ("Водоотведение", "Сточные воды", "куб. м", "sewage"),
    ("Отопление", "Тепловая энергия", "Гкал", "heating"),
    ("Электроснабжение", "Электрическая энергия", "кВт.ч", "electricity"),
    ("Содержание жилого помещения", "", "кв. м", "maintenance"),
    ("Взнос на капитальный ремонт", "", "кв. м", "capital_repair"),
    ("Обращение с ТКО", "", "чел.", "waste"),
]
CODE = {name: code for name, _, _, code in SERVICES}
HOUSE_SERVICES = ["Холодное водоснабжение", "Электроснабжение", "Обращение с ТКО"]
# metered resource: (interval text, interval years, digit capacity, monthly use per zone)
METERS = {
    "Холодная вода": ("6 лет", 6, 5, 4.0),
    "Горячая вода": ("4 года", 4, 5, 3.0),
    "Электрическая энергия": ("16 лет", 16, 6, 120.0),
}
READ_SOURCES = ["Личный кабинет", "Личный кабинет", "Контролёр", "ГИС ЖКХ"]

SURNAMES = ["Иванов", "Петров", "Смирнов", "Кузнецов", "Попов", "Соколов", "Лебедев", "Козлов",
            "Новиков", "Морозов", "Волков", "Фёдоров", "Семёнов", "Орлов", "Зайцев", "Соловьёв"]
MEN = [("Иван", "Иванович", "Ивановна"), ("Сергей", "Сергеевич", "Сергеевна"),
       ("Пётр", "Петрович", "Петровна"), ("Андрей", "Андреевич", "Андреевна"),
       ("Николай", "Николаевич", "Николаевна"), ("Артём", "Артёмович", "Артёмовна")]
WOMEN = ["Анна", "Мария", "Елена", "Ольга", "Татьяна", "Алёна", "Наталья", "Галина"]
TOWNS = [("г. Энск", ["ул. Ленина", "ул. Садовая", "пр-т Мира", "ул. Молодёжная"]),
         ("г. Новоэнск", ["ул. Советская", "ул. Гагарина"])]
VILLAGE = ("с. Ивановка", ["ул. Лесная", "пер. Садовый"])

DIRT = {
    "D1": ("premise row of an account that is not in Основные сведения", "Помещения", "JOIN_MISSING", "premises"),
    "D2": ("readings of a meter that is not in Сведения о ПУ (two zones: two readings per sheet row)",
           "Показания", "ORPHAN_READING", "readings"),
    "D3": ("money stored as text with a decimal comma (Начислено '1234,56')", "Сальдо", "BAD_MONEY", "balances"),
}


def female(surname: str) -> str:
    return surname + "а"


def month_text(year: int, month: int) -> str:
    return f"{month:02d}.{year}"


def period_key(year: int, month: int) -> str:
    return f"{year}-{month:02d}"


def excel_serial(day: dt.date) -> int:
    """The number Excel stores for a date (days since 1899-12-30)."""
    return (day - EXCEL_EPOCH).days


class Generator:
    """Builds the rows of every sheet and the expected counts, from one seeded random source."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.accounts: list[dict] = []
        self.premise_rows: list[list] = []
        self.meters: list[dict] = []
        self.reading_rows: list[list] = []
        self.balance_rows: list[list] = []
        self.balances: list[tuple] = []  # (account index, service, month, opening .. closing) in kopecks
        self.dirt = {code: [] for code in DIRT}

    def guid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def money(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)

    # ---------------------------------------------------------------- accounts and premises
    def make_accounts(self) -> None:
        rng = self.rng
        houses = [(town, street, str(number), self.guid()) for town, streets in TOWNS for street in streets
                  for number in rng.sample(range(1, 40), 2)]
        flats: list[tuple] = []
        for index in range(ACCOUNTS):
            number = 7100000 + index * 13 + rng.randint(0, 9)
            if index % 10 == 9:  # a private house in the village: no flat number
                street = rng.choice(VILLAGE[1])
                premise = (VILLAGE[0], street, str(rng.randint(1, 60)), self.guid(), "")
            elif index % 20 == 5 and flats:  # a room of the previous account's communal flat
                premise = flats[-1]
            else:
                town, street, house, guid = rng.choice(houses)
                premise = (town, street, house, guid, str(rng.randint(1, 120)))
                while any(p[3] == guid and p[4] == premise[4] for p in flats):
                    premise = (town, street, house, guid, str(rng.randint(1, 120)))
                flats.append(premise)
            if rng.random() < 0.5:
                first, patronymic, _ = rng.choice(MEN)
                surname = rng.choice(SURNAMES)
            else:
                first, patronymic = rng.choice(WOMEN), rng.choice(MEN)[2]
                surname = female(rng.choice(SURNAMES))
            if rng.random() < 0.08:
                patronymic = None
            self.accounts.append({
                "number": number, "surname": surname, "first": first, "patronymic": patronymic,
                "area": round(rng.uniform(18, 95), rng.choice((1, 2))), "living": None,
                "residents": rng.choice((0, 1, 1, 2, 2, 3, 4)), "premise": premise,
            })
        for account in self.accounts:
            account["living"] = round(account["area"] * 0.7, 1)

    def make_premise_rows(self) -> None:
        orphans = {20: 9100001, 45: 9100002}  # D1: accounts that are not in Основные сведения
        for index, account in enumerate(self.accounts):
            self.premise_rows.append(self._premise_row(str(account["number"]), account["premise"]))
            if index in orphans:
                premise = (TOWNS[1][0], TOWNS[1][1][0], "77", self.guid(), str(index))
                self.premise_rows.append(self._premise_row(str(orphans[index]), premise))
                self.dirt["D1"].append(f"{premise[3]}|{premise[4]}")

    @staticmethod
    def _premise_row(account: str, premise: tuple) -> list:
        town, street, house, guid, flat = premise
        address = f"{town}, {street}, д. {house}" + (f", кв. {flat}" if flat else "")
        return [account, address, guid, flat or None, None]

    # ---------------------------------------------------------------- meters and readings
    def make_meters(self) -> None:
        rng = self.rng
        serial = 21000000
        for account in self.accounts:
            private = not account["premise"][4]
            resources = ["Холодная вода", "Электрическая энергия"] if private else list(METERS)
            for resource in resources:
                if rng.random() < 0.15:
                    continue
                serial += rng.randint(1, 500)
                text, years, digits, _ = METERS[resource]
                zones = rng.choice((1, 1, 2, 2, 3)) if resource == "Электрическая энергия" else 1
                verified = dt.date(2026, 10, 31) - dt.timedelta(days=rng.randint(30, 365 * min(years, 4) - 30))
                self.meters.append({
                    "serial": str(serial), "account": str(account["number"]), "resource": resource,
                    "zones": zones, "digits": digits, "interval": text, "years": years,
                    "installed": verified - dt.timedelta(days=rng.randint(0, 20)), "verified": verified,
                })

    def make_readings(self) -> None:
        rng = self.rng
        for meter in self.meters:
            use = METERS[meter["resource"]][3]
            values = [round(rng.uniform(10, 5000), 3) for _ in range(meter["zones"])]
            for year, month in SHEET_MONTHS:
                values = [round(v + rng.uniform(0.2, 2) * use * (1, 0.45, 0.3)[z], 3) for z, v in enumerate(values)]
                if meter["resource"] == "Электрическая энергия":  # whole kWh, as int cells
                    values = [int(v) for v in values]
                cells = values + [None] * (3 - len(values))
                read_on = dt.date(year, month, rng.randint(18, 25))
                self.reading_rows.append([meter["serial"], meter["resource"], month_text(year, month), *cells,
                                          dt.datetime.combine(read_on, dt.time()), rng.choice(READ_SOURCES)])
        # D2: a meter the readings name but "Сведения о ПУ" does not have (a mistyped serial).
        at = len(self.reading_rows) // 2
        for offset, (year, month) in enumerate(SHEET_MONTHS[-2:]):
            read_on = dt.datetime(year, month, 20)
            row = ["20999999", "Электрическая энергия", month_text(year, month), 1500 + offset * 200,
                   700 + offset * 90, None, read_on, "Контролёр"]
            self.reading_rows.insert(at + offset, row)
            for zone in ("T1", "T2"):
                self.dirt["D2"].append(f"20999999|{zone}|{read_on.date().isoformat()}")

    # ---------------------------------------------------------------- balances
    def make_balances(self) -> None:
        rng = self.rng
        bad = {(13, "Электроснабжение", "10.2026"), (37, "Холодное водоснабжение", "09.2026")}  # D3
        for index, account in enumerate(self.accounts):
            private = not account["premise"][4]
            names = HOUSE_SERVICES if private else [s[0] for s in SERVICES]
            for name in names:
                closing = self.money(-50000, 300000)
                for year, month in SHEET_MONTHS:
                    opening = closing
                    charged = 0 if name == "Отопление" and month < 10 else self.money(5000, 400000)
                    recalculated = self.money(-5000, 5000) if rng.random() < 0.1 else 0
                    paid = self.money(0, max(opening, 0) + charged) if rng.random() < 0.85 else 0
                    closing = opening + charged + recalculated - paid
                    self.balances.append((index, name, month_text(year, month), opening, charged, recalculated,
                                          paid, closing))
                    month_cell = month_text(year, month)
                    charged_cell = _money_cell(charged)
                    if (index, name, month_cell) in bad:
                        charged_cell = f"{charged // 100},{charged % 100:02d}"
                        self.dirt["D3"].append(f"{account['number']}|{name}|{month_cell}")
                    self.balance_rows.append([
                        str(account["number"]), month_cell, name, _money_cell(opening), charged_cell,
                        _money_cell(recalculated) if recalculated else None, _money_cell(paid),
                        _money_cell(closing) if closing >= 0 else None, _money_cell(-closing) if closing < 0 else None,
                    ])

    # ---------------------------------------------------------------- what the engine must report
    def expected(self, seed: int) -> dict:
        bad_balances = set(self.dirt["D3"])
        premise_keys = {f"{row[2]}|{row[3] or ''}" for row in self.premise_rows}
        long_readings = sum(1 for row in self.reading_rows for value in row[3:6] if value is not None)
        meters_known = {m["serial"] for m in self.meters}
        orphan_readings = sum(1 for row in self.reading_rows if row[0] not in meters_known
                              for value in row[3:6] if value is not None)
        warnings = {"VERIFY_EXPIRED": sum(1 for m in self.meters if _plus_years(m["verified"], m["years"]) < PERIOD_END)}
        migrated = [b for b in self.balances if b[2] in MIGRATED]
        money = {code: {"rejected": 0, "source": 0, "target": 0} for code in sorted(CODE.values())}
        totals: dict = {}
        measures = ("opening", "charged", "recalculated", "paid", "closing")
        for index, name, month, *amounts in migrated:
            code = CODE[name]
            rejected = f"{self.accounts[index]['number']}|{name}|{month}" in bad_balances
            if month == "10.2026":
                money[code]["source"] += amounts[-1]
                money[code]["rejected" if rejected else "target"] += amounts[-1]
            if not rejected:
                period = f"{month[3:]}-{month[:2]}"
                line = totals.setdefault(period, {}).setdefault(code, dict.fromkeys(measures, 0))
                for measure, amount in zip(measures, amounts):
                    line[measure] += amount
        total = {k: sum(line[k] for line in money.values()) for k in ("rejected", "source", "target")}

        def entity(source_rows: int, rejected: int) -> dict:
            return {"loaded": source_rows - rejected, "rejected": rejected, "source_rows": source_rows}

        return {
            "generator": {"accounts": ACCOUNTS, "seed": seed, "workbook": "gis.xlsx"},
            "period": PERIOD,
            "dirt": [{"code": code, "kind": kind, "file": f"gis.xlsx:{sheet}", "rule": rule, "effect": "rejected",
                      "entity": entity_name, "rows": len(self.dirt[code]), "keys": self.dirt[code]}
                     for code, (kind, sheet, rule, entity_name) in DIRT.items()],
            "entities": {
                "services": entity(len(SERVICES), 0),
                "persons": entity(ACCOUNTS, 0),
                "premises": entity(len(premise_keys), len(self.dirt["D1"])),
                "accounts": entity(ACCOUNTS, 0),
                "meters": entity(len(self.meters), 0),
                "readings": entity(long_readings, orphan_readings),
                "balances": entity(len(migrated), len(bad_balances)),
            },
            "rejects_by_rule": {
                "balances": {"BAD_MONEY": len(bad_balances)},
                "premises": {"JOIN_MISSING": len(self.dirt["D1"])},
                "readings": {"ORPHAN_READING": orphan_readings},
            },
            "warnings_by_rule": {"meters": warnings} if warnings["VERIFY_EXPIRED"] else {},
            "money": {"measure": "closing", "period": PERIOD, "services": money, "total": total},
            "target_totals": totals,
        }


def _money_cell(kopecks: int) -> int | float:
    """Money as a sheet holds it: a number of roubles (whole ones as int cells)."""
    return kopecks // 100 if kopecks % 100 == 0 else kopecks / 100


def _plus_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# -------------------------------------------------------------------- the workbook
BOLD = Font(bold=True)
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)


def write_sheet(workbook, name: str, title: str, header: list[tuple[str, list[str] | None]], rows: list[list],
                trailing_blank_rows: int = 0, date_columns: tuple[int, ...] = ()) -> None:
    """A sheet in the GIS template style: title row, header merged over rows 2-3 (or row 2 only
    when no column has parts), then the data.

    ``header`` lists (top text, lower parts or None); None spans both header rows.
    """
    ws = workbook.create_sheet(name)
    two_rows = any(parts for _, parts in header)
    width = sum(len(parts) if parts else 1 for _, parts in header)
    ws.cell(row=1, column=1, value=title).font = BOLD
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    column = 1
    for top, parts in header:
        cell = ws.cell(row=2, column=column, value=top)
        cell.font, cell.alignment = BOLD, CENTRE
        if parts:
            ws.merge_cells(start_row=2, start_column=column, end_row=2, end_column=column + len(parts) - 1)
            for offset, part in enumerate(parts):
                sub = ws.cell(row=3, column=column + offset, value=part)
                sub.font, sub.alignment = BOLD, CENTRE
            column += len(parts)
        else:
            if two_rows:
                ws.merge_cells(start_row=2, start_column=column, end_row=3, end_column=column)
            column += 1
    first = 4 if two_rows else 3
    for number, row in enumerate(rows, start=first):
        for index, value in enumerate(row, start=1):
            cell = ws.cell(row=number, column=index, value=value)
            if index in date_columns and value is not None:
                cell.number_format = "DD.MM.YYYY"
    for number in range(first + len(rows), first + len(rows) + trailing_blank_rows):
        ws.cell(row=number, column=1).font = BOLD  # formatted but empty: in the file, not data


def build_workbook(gen: Generator) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    workbook.properties.creator = "ГИС ЖКХ (выгрузка)"
    workbook.properties.created = FIXED_TIME
    write_sheet(workbook, "Основные сведения", "Основные сведения о лицевых счетах", [
        ("Номер ЛС", None), ("Сведения о плательщике", ["Фамилия", "Имя", "Отчество"]),
        ("Площадь, кв. м", ["Общая", "Жилая"]), ("Количество\nпроживающих", None),
    ], [[a["number"], a["surname"], a["first"], a["patronymic"], a["area"], a["living"], a["residents"]]
        for a in gen.accounts], trailing_blank_rows=3)
    write_sheet(workbook, "Помещения", "Помещения лицевых счетов", [
        ("Номер ЛС", None), ("Адрес помещения", None), ("Код дома по ФИАС", None),
        ("Помещение", ["Номер", "Комната"]),
    ], gen.premise_rows)
    write_sheet(workbook, "Услуги", "Справочник услуг", [
        ("Наименование услуги", None), ("Коммунальный ресурс", None), ("Единица измерения", None),
    ], [[name, resource or None, unit] for name, resource, unit, _ in SERVICES])
    write_sheet(workbook, "Сведения о ПУ", "Сведения о приборах учёта", [
        ("Заводской (серийный) номер ПУ", None), ("Номер ЛС", None), ("Коммунальный ресурс", None),
        ("Количество тарифов", None), ("Разрядность", None), ("Дата установки", None),
        ("Поверка", ["Дата последней поверки", "Межповерочный интервал"]),
    ], [[m["serial"], m["account"], m["resource"], m["zones"], m["digits"],
         dt.datetime.combine(m["installed"], dt.time()), excel_serial(m["verified"]), m["interval"]]
        for m in gen.meters], date_columns=(6,))
    write_sheet(workbook, "Показания", "Показания приборов учёта", [
        ("Заводской (серийный) номер ПУ", None), ("Коммунальный ресурс", None), ("Расчётный период", None),
        ("Показания", ["T1", "T2", "T3"]), ("Дата снятия", None), ("Способ получения", None),
    ], gen.reading_rows, date_columns=(7,))
    write_sheet(workbook, "Сальдо", "Сальдо по лицевым счетам, руб.", [
        ("Номер ЛС", None), ("Расчётный период", None), ("Услуга", None), ("Входящее сальдо", None),
        ("Начислено", None), ("Перерасчёт", None), ("Оплачено", None),
        ("Исходящее сальдо", ["Задолженность", "Аванс"]),
    ], gen.balance_rows, trailing_blank_rows=2)
    raw = io.BytesIO()
    workbook.save(raw)
    return _fixed_times(raw.getvalue())


def _fixed_times(data: bytes) -> bytes:
    """The workbook with its modified time and every zip entry's time fixed, so that the same
    seed gives the same bytes (openpyxl stamps the time of saving)."""
    out = io.BytesIO()
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), content)
            entry = zipfile.ZipInfo(item.filename, date_time=FIXED_TIME.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, content)
    return out.getvalue()


def generate(out: Path, seed: int = SEED) -> dict:
    """Write gis.xlsx and expected.json into ``out``; return the expected counts."""
    gen = Generator(seed)
    gen.make_accounts()
    gen.make_premise_rows()
    gen.make_meters()
    gen.make_readings()
    gen.make_balances()
    out.mkdir(parents=True, exist_ok=True)
    (out / "gis.xlsx").write_bytes(build_workbook(gen))
    expected = gen.expected(seed)
    (out / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
                                       encoding="utf-8")
    return expected


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    generate(args.out, args.seed)


if __name__ == "__main__":
    main()
