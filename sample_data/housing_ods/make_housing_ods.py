#!/usr/bin/env python3
"""Generate ``housing.ods``: the workbook a housing management company keeps its accounts in.

One LibreOffice workbook (written with odfpy), five sheets, typed over the years by several
operators: numbers as real cells beside text with a decimal comma (``54,3``, ``14 999,61`` with a
no-break space), addresses in three styles in one column, an account register whose rows the
meter sheet names by their row id (``№ п/п``), balances wide (one row per account and month,
four amounts under each service's heading), initial readings on the meter sheet. Seeded and
deterministic: the same seed gives a byte-identical file (the zip entries' times are fixed).
Besides the workbook it writes ``expected.json``: what the migration engine must load, reject,
warn about, filter out and reconcile, computed here from what this script wrote, independently
of the engine.

    python sample_data/housing_ods/make_housing_ods.py [--out DIR] [--seed N]

Sheets (see README.md): "Лицевые счета" (accounts, payers, premises), "Услуги" (services),
"Приборы учёта" (meters and their initial readings), "Показания" (monthly readings), "Сальдо"
(one row per account and month 07.2026-10.2026, opening / charged / paid / closing under each
service; the migration takes 08-10).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import random
import re
import zipfile
from pathlib import Path

from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import CoveredTableCell, Table, TableCell, TableRow
from odf.text import P

ACCOUNTS = 120
SEED = 20261031
PERIOD = "2026-10"
PERIOD_END = dt.date(2026, 10, 31)
MONTHS = ["202607", "202608", "202609", "202610"]  # "Сальдо" holds four months
MIGRATED = MONTHS[1:]                              # the mapping's filter: 202608..202610
READ_MONTHS = [(2026, 7), (2026, 8), (2026, 9), (2026, 10)]
FIXED_TIME = dt.datetime(2026, 11, 1, 9, 0, 0)
WORKBOOK = "housing.ods"
NBSP = "\u00a0"
MINUS = "\u2212"  # a typographic minus, as a text pasted from a letter carries it

# code on "Услуги" (the unpivot's label), heading on "Сальдо", name, unit, target code
SERVICES = [
    ("СЖ", "Содержание жилья", "Содержание и ремонт жилого помещения", "м2", "maintenance"),
    ("КР", "Капремонт", "Взнос на капитальный ремонт", "м2", "capital_repair"),
    ("ХВС", "ХВС", "Холодное водоснабжение", "м3", "cold_water"),
    ("ГВС", "ГВС", "Горячее водоснабжение", "м3", "hot_water"),
    ("ВО", "Водоотведение", "Водоотведение", "м3", "sewage"),
    ("ЭЭ", "Электроэнергия", "Электроснабжение", "кВт·ч", "electricity"),
    ("ОТ", "Отопление", "Отопление", "Гкал", "heating"),
]
TARGET = {code: target for code, _, _, _, target in SERVICES}
PRIVATE_SERVICES = ["ХВС", "ЭЭ"]  # a private house pays for water and electricity only
MEASURES_SHEET = ["Вх. сальдо", "Начислено", "Оплачено", "Исх. сальдо"]
MEASURES = ("opening", "charged", "recalculated", "paid", "closing")

# resource code -> model (digit capacity in brackets), interval text, years, use per month
METERS = {
    "ХВС": ("СВК-15-3 (5 разр.)", "6 лет", 6, (2.0, 8.0)),
    "ГВС": ("СГВ-15 (5 разр.)", "4 года", 4, (1.5, 5.0)),
    "ЭЭ": ("Меркурий 201.5 (6 разр.)", "16 лет", 16, (80, 250)),
}
READ_SOURCES = ["Лично", "Лично", "Контролёр", "Сайт"]

# street type: (as cutover writes it, street_type = "official"; after the name in capitals;
# before the name with markers; glued to the name, or None where an operator never did)
STREET_TYPES = {
    "ул": ("ул.", "УЛ", "ул.", "ул"),
    "пр-кт": ("пр-кт", "ПР-КТ", "пр-кт", "пр-кт"),
    "б-р": ("б-р", "Б-Р", "б-р", "б-р"),
    "пер": ("пер.", "ПЕР", "пер.", None),
    "ш": ("ш.", "Ш", "ш.", None),
    "проезд": ("пр-д", "ПРОЕЗД", "проезд", None),
    "наб": ("наб.", "НАБ", "наб.", None),
}
# (type, name, private houses?)
STREETS = [
    ("ул", "Ленина", False), ("пр-кт", "Кирова", False), ("б-р", "Ивана Финютина", False),
    ("ш", "Московское", False), ("проезд", "Мальцева", False), ("наб", "Волжская", False),
    ("ул", "40 лет Победы", False), ("пер", "Тихий", True), ("ул", "Луговая", True),
]
SETTLEMENT = "Самара"

SURNAMES = ["Иванов", "Петров", "Смирнов", "Кузнецов", "Попов", "Соколов", "Лебедев", "Козлов",
            "Новиков", "Морозов", "Волков", "Фёдоров", "Семёнов", "Орлов", "Зайцев", "Соловьёв"]
MEN = [("Иван", "Иванович", "Ивановна"), ("Сергей", "Сергеевич", "Сергеевна"),
       ("Пётр", "Петрович", "Петровна"), ("Андрей", "Андреевич", "Андреевна"),
       ("Николай", "Николаевич", "Николаевна"), ("Артём", "Артёмович", "Артёмовна")]
WOMEN = ["Анна", "Мария", "Елена", "Ольга", "Татьяна", "Алёна", "Наталья", "Галина"]

SHEET_ACCOUNTS = "Лицевые счета"
SHEET_SERVICES = "Услуги"
SHEET_METERS = "Приборы учёта"
SHEET_READINGS = "Показания"
SHEET_BALANCES = "Сальдо"

DIRT = {  # code: (what, sheet, rule, entity)
    "D1": ("a meter naming an account row id (ID ЛС) that is not on Лицевые счета", SHEET_METERS,
           "ORPHAN_METER", "meters"),
    "D2": ("one serial on two meter rows that differ (another account, another initial reading)", SHEET_METERS,
           "DUPLICATE_KEY", "meters"),
    "D3": ("the initial readings of D2's two rows: one reading key, two values", SHEET_METERS,
           "DUPLICATE_KEY", "readings"),
    "D4": ("readings of the meters of D1 and D2 (their initial readings on the meter sheet too, but for D2's)",
           None, "PARENT_REJECTED", "readings"),
    "D5": (f"an opening balance typed as text with a typographic minus ('{MINUS}1 234,56')", SHEET_BALANCES,
           "BAD_MONEY", "balances"),
    "D6": ("balances of an account number that is not on Лицевые счета (a closed account)", SHEET_BALANCES,
           "ORPHAN_BALANCE", "balances"),
}


def rouble_text(kopecks: int, group: bool) -> str:
    """Kopecks as Russian text: decimal comma, thousands by a no-break space when ``group``."""
    sign = "-" if kopecks < 0 else ""
    whole, part = divmod(abs(kopecks), 100)
    digits = f"{whole:,}".replace(",", NBSP) if group else str(whole)
    return f"{sign}{digits},{part:02d}"


def money_cell(kopecks: int) -> int | float:
    """Money as a number cell holds it: roubles (whole ones as int cells)."""
    return kopecks // 100 if kopecks % 100 == 0 else kopecks / 100


def premise_key(premise: tuple) -> str:
    """The premise's legacy key as the mapping spells it (key_from_target: settlement, street,
    house, building, apartment; casefolded, ё read as е)."""
    return "|".join(part or "" for part in premise).casefold().replace("ё", "е")


class Generator:
    """Builds every sheet's rows and the expected outcome, from one seeded random source."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.account_rows: list[list] = []   # sheet rows (None: an all-blank row)
        self.accounts: list[dict] = []       # loaded accounts, in sheet order
        self.meter_rows: list[dict] = []
        self.reading_rows: list[dict] = []
        self.balance_rows: list[list] = []   # sheet rows (None: an all-blank row)
        self.balances: list[dict] = []       # one per long row: account, code, month, amounts, fate
        self.filtered: dict[str, int] = {}
        self.rejects: list[list[str]] = []   # [entity label, rule, legacy key, source]
        self.warnings: list[list[str]] = []
        self.samples: dict = {}
        self.dirt = {code: [] for code in DIRT}

    # ---------------------------------------------------------------- accounts and premises
    def address(self, premise: dict, style: str) -> str:
        """The premise written in one operator's style."""
        kind, name = premise["street"]
        official, after, before, glued = STREET_TYPES[kind]
        house, building, flat = premise["house"], premise["building"], premise["apartment"]
        if style == "bare":       # САМАРА,ЛЕНИНА УЛ,18 К2,34
            parts = [SETTLEMENT.upper(), f"{name.upper()} {after}", house + (f" К{building}" if building else "")]
            return ",".join(parts + ([flat] if flat else []))
        if style == "markers":    # г.Самара ул.Ленина д.18 к.2 кв.34 (a type glued to the name now and then)
            if glued and self.rng.random() < 0.5 and name[0].isupper():  # never before a digit
                street = f"{glued}{name}"
            else:
                street = f"{before}{name}" if before.endswith(".") else f"{before} {name}"
            text = f"г.{SETTLEMENT} {street} д.{house}" + (f" к.{building}" if building else "")
            return text + (f" кв.{flat}" if flat else "")
        parts = [f"г. {SETTLEMENT}", f"{before} {name}", f"д. {house}"]  # г. Самара, ул. Ленина, д. 18, ...
        parts += [f"корп. {building}"] if building else []
        parts += [f"кв. {flat}"] if flat else []
        return ", ".join(parts)

    def make_houses(self) -> list[dict]:
        rng = self.rng
        houses = []
        for kind, name, private in STREETS:
            for _ in range(9 if private else 2):
                number = str(rng.randint(1, 120))
                if rng.random() < 0.25:
                    number += rng.choice("АБВ")
                building = str(rng.randint(1, 3)) if not private and rng.random() < 0.3 else None
                house = {"street": (kind, name), "house": number, "building": building, "private": private}
                if all((h["street"], h["house"], h["building"]) != (house["street"], number, building) for h in houses):
                    houses.append(house)
        return houses

    def make_accounts(self) -> None:
        rng = self.rng
        houses = self.make_houses()
        blocks = [h for h in houses if not h["private"]]
        detached = [h for h in houses if h["private"]]
        used: set = set()
        styles = ["bare", "markers", "commas"]
        number = 4100000
        row_id = 0
        previous = None
        blank_account_at = {17, 58, 96}   # rows numbered but never filled in (no account number)
        blank_row_at = {41, 83}            # all-blank rows amid the data
        bad = {"birth": 33, "residents": 71}   # an impossible date of birth; residents in words
        for index in range(ACCOUNTS):
            if index in blank_row_at:
                self.account_rows.append(None)
            if index in blank_account_at:
                row_id += 1
                self.account_rows.append([row_id, None, "Резерв", None, None, None, None, None])
            number += rng.randint(1, 9)
            row_id += 1
            if index % 15 == 7 and previous is not None and previous["apartment"]:
                premise = previous                    # a room of the previous account's communal flat
            elif index % 8 == 3:
                house = rng.choice(detached)
                premise = {**house, "apartment": None}
                if (house["street"], house["house"]) in used:
                    house = next(h for h in detached if (h["street"], h["house"]) not in used)
                    premise = {**house, "apartment": None}
            else:
                house = rng.choice(blocks)
                flat = str(rng.randint(1, 150))
                while (house["street"], house["house"], house["building"], flat) in used:
                    flat = str(rng.randint(1, 150))
                premise = {**house, "apartment": flat}
            used.add((premise["street"], premise["house"], premise["building"], premise["apartment"]))
            if premise["private"]:
                used.add((premise["street"], premise["house"]))
            previous = premise
            style = styles[index % 3] if index % 15 != 7 else styles[(index + 1) % 3]
            address = self.address(premise, style)
            if rng.random() < 0.5:
                first, patronymic, _ = rng.choice(MEN)
                surname = rng.choice(SURNAMES)
            else:
                first, patronymic = rng.choice(WOMEN), rng.choice(MEN)[2]
                surname = rng.choice(SURNAMES) + "а"
            if rng.random() < 0.08:
                patronymic = None
            given = first + (f" {patronymic}" if patronymic else "")
            decimals = rng.choice((1, 2))
            area_text = f"{rng.randint(18, 95)}.{rng.randint(0, 10 ** decimals - 1):0{decimals}d}".rstrip("0").rstrip(".")
            area_cell = area_text.replace(".", ",") if rng.random() < 0.2 else float(area_text)
            residents = rng.choice((0, 1, 1, 2, 2, 3, 4))
            residents_cell = residents
            born = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randint(0, 60 * 365))
            way = rng.random()
            if way < 0.55:
                birth_cell = dt.datetime.combine(born, dt.time())
            elif way < 0.75:
                birth_cell = born.strftime("%d.%m.%Y")
            elif way < 0.9:
                birth_cell = born.strftime("%d.%m.%Y") + " г."
            else:
                birth_cell, born = None, None
            key = str(number)
            canonical = self.canonical(premise)
            if index == bad["birth"]:
                birth_cell, born = "31.02.1980", None
                self.warnings.append(["persons", "BAD_DATE", key, f"{WORKBOOK}:{SHEET_ACCOUNTS}"])
            if index == bad["residents"]:
                residents_cell, residents = "три", None
                self.warnings.append(["premises", "BAD_NUMBER", premise_key(canonical), f"{WORKBOOK}:{SHEET_ACCOUNTS}"])
            self.account_rows.append([row_id, number, surname, given, address, area_cell, residents_cell, birth_cell])
            self.accounts.append({
                "number": key, "row_id": row_id, "premise": canonical, "private": premise["private"],
                "area": area_text, "residents": residents, "address": address, "style": style,
                "surname": surname, "first": first, "patronymic": patronymic, "born": born,
                "area_cell": area_cell,
            })
        self.filtered = {name: len(blank_account_at) for name in ("persons", "premises", "accounts")}

    @staticmethod
    def canonical(premise: dict) -> tuple:
        """The premise as the target shows it: settlement, street (official short type), house,
        building, apartment; house letters in small letters."""
        kind, name = premise["street"]
        street = f"{STREET_TYPES[kind][0]} {name}"
        return (f"г. {SETTLEMENT}", street, premise["house"].lower(), premise["building"], premise["apartment"])

    # ---------------------------------------------------------------- meters and readings
    def make_meters(self) -> None:
        rng = self.rng
        serial = 31000000
        for account in self.accounts:
            resources = ["ХВС", "ЭЭ"] if account["private"] else ["ХВС", "ГВС", "ЭЭ"]
            for resource in resources:
                if rng.random() < 0.15:
                    continue
                serial += rng.randint(1, 400)
                self.meter_rows.append(self._meter(str(serial), account["row_id"], account["number"], resource))
        # D2: a serial typed again for another account, with another initial reading
        first = self.meter_rows[40]
        other = self.accounts[90]
        twin = {**first, "row_id": other["row_id"], "account": other["number"],
                "initial": first["initial"] + 1.25, "initial_cell": first["initial"] + 1.25, "dup": "key"}
        first["dup"] = "key"
        self.meter_rows.insert(len(self.meter_rows) - 12, twin)
        # an identical copy of a row, exported twice: loaded once
        copy = dict(self.meter_rows[20])
        self.meter_rows[20]["copied"] = True
        copy["dup"] = "copy"
        self.meter_rows.insert(len(self.meter_rows) // 2 + 7, copy)
        # D1: a meter of an account row id the register does not have
        orphan = self._meter(str(serial + 777), 999, None, "ХВС")
        orphan["orphan"] = True
        self.meter_rows.insert(len(self.meter_rows) - 5, orphan)

    def _meter(self, serial: str, row_id: int, account: str | None, resource: str) -> dict:
        rng = self.rng
        model, interval, years, (low, high) = METERS[resource]
        installed = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randint(0, 6 * 365 + 150))
        verified = installed + dt.timedelta(days=rng.randint(0, 20))
        if _plus_years(verified, years) < PERIOD_END and rng.random() < 0.9:
            # verified again since (the rest are overdue: VERIFY_EXPIRED)
            verified = dt.date(2026, 6, 30) - dt.timedelta(days=rng.randint(0, 365 * min(years, 4) - 200))
        initial = round(rng.uniform(0, 30), 3) if resource != "ЭЭ" else rng.randint(0, 500)
        initial_cell: str | int | float = initial
        if resource != "ЭЭ" and rng.random() < 0.2:
            initial_cell = f"{initial:.3f}".replace(".", ",")
        return {"serial": serial, "row_id": row_id, "account": account, "resource": resource, "model": model,
                "installed": installed, "verified": verified, "interval": interval, "years": years,
                "initial": initial, "initial_cell": initial_cell, "use": (low, high),
                "digits": int(re.search(r"\((\d+) разр", model).group(1))}

    def make_readings(self) -> None:
        rng = self.rng
        for meter in self.meter_rows:
            if meter.get("dup") in ("copy",) or (meter.get("dup") == "key" and meter["account"] != self.meter_rows_first_of(
                    meter["serial"])["account"]):
                continue  # the copy and the mistyped twin have no readings of their own
            low, high = meter["use"]
            months = (2026 - meter["installed"].year) * 12 + 7 - meter["installed"].month
            value = meter["initial"] + months * (low + high) / 2
            for year, month in READ_MONTHS:
                value += rng.uniform(low, high)
                shown = int(value) if meter["resource"] == "ЭЭ" else round(value, 3)
                read_on = dt.date(year, month, rng.randint(18, 25))
                date_cell = dt.datetime.combine(read_on, dt.time()) if rng.random() < 0.85 else read_on.strftime(
                    "%d.%m.%Y")
                value_cell = shown
                if meter["resource"] != "ЭЭ" and rng.random() < 0.1:
                    value_cell = f"{shown:.3f}".replace(".", ",")
                self.reading_rows.append({"serial": meter["serial"], "read_on": read_on, "value": shown,
                                          "date_cell": date_cell, "value_cell": value_cell,
                                          "source": rng.choice(READ_SOURCES)})

    def meter_rows_first_of(self, serial: str) -> dict:
        return next(m for m in self.meter_rows if m["serial"] == serial)

    # ---------------------------------------------------------------- balances
    def make_balances(self) -> None:
        rng = self.rng
        closed = {"number": "4199999", "private": True}   # D6: an account closed and taken off the register
        rows = [*self.accounts]
        rows.insert(64, closed)
        for position, account in enumerate(rows):
            if position in (30, 101):
                self.balance_rows.append(None)   # an all-blank row amid the data
            codes = PRIVATE_SERVICES if account["private"] else [s[0] for s in SERVICES]
            closing = {code: rng.randint(-50000, 300000) for code in codes}
            for month in MONTHS:
                row: list = [int(account["number"]), int(month)]
                for column, (code, *_) in enumerate(SERVICES):
                    if code not in codes:
                        row += [None] * 4
                        continue
                    opening = closing[code]
                    charged = 0 if code == "ОТ" and month < "202610" else rng.randint(5000, 400000)
                    if rng.random() < 0.03:
                        charged = rng.randint(100000, 2500000)   # a year's recalculation billed at once
                    paid = rng.randint(0, max(opening, 0) + charged) if rng.random() < 0.85 else 0
                    closing[code] = opening + charged - paid
                    row += [self._money(amount) for amount in (opening, charged, paid, closing[code])]
                    key = f"{account['number']}|{code}|{month}"
                    fate = "ORPHAN_BALANCE" if account is closed and month in MIGRATED else None
                    if fate:
                        self.dirt["D6"].append(key)
                    self.balances.append({"key": key, "code": code, "month": month, "fate": fate,
                                          "row": len(self.balance_rows), "column": 2 + 4 * column,
                                          "amounts": {"opening": opening, "charged": charged, "recalculated": 0,
                                                      "paid": paid, "closing": closing[code]}})
                self.balance_rows.append(row)
        # D5: two prepaid opening balances (one of 09.2026, one of 10.2026) typed with a typographic minus
        for month, skip in (("202609", 25), ("202610", 60)):
            candidates = [b for b in self.balances if b["month"] == month and not b["fate"]
                          and b["amounts"]["opening"] <= -1000]
            balance = candidates[skip % len(candidates)]
            balance["fate"] = "BAD_MONEY"
            self.balance_rows[balance["row"]][balance["column"]] = MINUS + rouble_text(
                -balance["amounts"]["opening"], group=True)
            self.dirt["D5"].append(balance["key"])

    def _money(self, kopecks: int) -> int | float | str:
        """Most amounts are number cells; some were typed as text with a decimal comma."""
        if self.rng.random() < 0.1:
            return rouble_text(kopecks, group=abs(kopecks) >= 100000 and self.rng.random() < 0.7)
        return money_cell(kopecks)

    # ---------------------------------------------------------------- what the engine must report
    def expected(self, seed: int) -> dict:
        meters_src = f"{WORKBOOK}:{SHEET_METERS}"
        readings_src = f"{WORKBOOK}:{SHEET_READINGS}"
        # meters: items are distinct serials
        serials: dict[str, list[dict]] = {}
        for meter in self.meter_rows:
            serials.setdefault(meter["serial"], []).append(meter)
        meter_fate: dict[str, str | None] = {}
        warnings = list(self.warnings)
        for serial, rows in serials.items():
            if len(rows) > 1 and rows[0]["row_id"] != rows[1]["row_id"]:
                meter_fate[serial] = "DUPLICATE_KEY"
                for _ in rows:
                    self.rejects.append(["meters", "DUPLICATE_KEY", serial, meters_src])
                    self.dirt["D2"].append(serial)
            elif rows[0].get("orphan"):
                meter_fate[serial] = "ORPHAN_METER"
                self.rejects.append(["meters", "ORPHAN_METER", serial, meters_src])
                self.dirt["D1"].append(serial)
            else:
                meter_fate[serial] = None
                for _ in rows[1:]:
                    warnings.append(["meters", "DUPLICATE_COPY", serial, meters_src])
                if _plus_years(rows[0]["verified"], rows[0]["years"]) < PERIOD_END:
                    warnings.append(["meters", "VERIFY_EXPIRED", serial, meters_src])
        # readings: the initial ones (meter sheet) and the monthly ones; items are serial|date
        readings: dict[str, list[tuple]] = {}
        for meter in self.meter_rows:
            key = f"{meter['serial']}|{meter['installed'].isoformat()}"
            readings.setdefault(key, []).append((meter["serial"], meters_src, meter["initial"]))
        for reading in self.reading_rows:
            key = f"{reading['serial']}|{reading['read_on'].isoformat()}"
            readings.setdefault(key, []).append((reading["serial"], readings_src, reading["value"]))
        reading_rejected = 0
        for key, rows in readings.items():
            serial = rows[0][0]
            if len({value for _, _, value in rows}) > 1:
                reading_rejected += 1
                for _, source, _ in rows:
                    self.rejects.append(["readings", "DUPLICATE_KEY", key, source])
                    self.dirt["D3"].append(key)
            elif meter_fate[serial]:
                reading_rejected += 1
                self.rejects.append(["readings", "PARENT_REJECTED", key, rows[0][1]])
                self.dirt["D4"].append(key)
            else:
                for _, source, _ in rows[1:]:
                    warnings.append(["readings", "DUPLICATE_COPY", key, source])
        # balances: long rows of the migrated months
        migrated = [b for b in self.balances if b["month"] in MIGRATED]
        for balance in migrated:
            if balance["fate"]:
                self.rejects.append(["balances", balance["fate"], balance["key"], f"{WORKBOOK}:{SHEET_BALANCES}"])
        money = {TARGET[code]: {"rejected": 0, "source": 0, "target": 0} for code, *_ in SERVICES}
        totals: dict = {}
        for balance in migrated:
            target, amounts = TARGET[balance["code"]], balance["amounts"]
            if balance["month"] == MONTHS[-1]:
                money[target]["source"] += amounts["closing"]
                money[target]["rejected" if balance["fate"] else "target"] += amounts["closing"]
            if not balance["fate"]:
                period = f"{balance['month'][:4]}-{balance['month'][4:]}"
                line = totals.setdefault(period, {}).setdefault(target, dict.fromkeys(MEASURES, 0))
                for measure in MEASURES:
                    line[measure] += amounts[measure]
        total = {k: sum(line[k] for line in money.values()) for k in ("rejected", "source", "target")}
        premises = {premise_key(a["premise"]) for a in self.accounts}
        balance_rejected = sum(1 for b in migrated if b["fate"])

        def entity(source_rows: int, rejected: int) -> dict:
            return {"loaded": source_rows - rejected, "rejected": rejected, "source_rows": source_rows}

        def by_rule(items: list[list[str]]) -> dict:
            counted: dict = {}
            for label, rule, _, _ in items:
                counted.setdefault(label, {}).setdefault(rule, 0)
                counted[label][rule] += 1
            return counted

        meters_rejected = sum(1 for fate in meter_fate.values() if fate)
        return {
            "generator": {"accounts": ACCOUNTS, "seed": seed, "workbook": WORKBOOK},
            "period": PERIOD,
            "dirt": [{"code": code, "kind": kind, "file": f"{WORKBOOK}:{sheet}" if sheet else None, "rule": rule,
                      "effect": "rejected", "entity": label, "rows": len(self.dirt[code]),
                      "keys": self.dirt[code]}
                     for code, (kind, sheet, rule, label) in DIRT.items()],
            "entities": {
                "services": entity(len(SERVICES), 0),
                "persons": entity(len(self.accounts), 0),
                "premises": entity(len(premises), 0),
                "accounts": entity(len(self.accounts), 0),
                "meters": entity(len(serials), meters_rejected),
                "readings": entity(len(readings), reading_rejected),
                "balances": entity(len(migrated), balance_rejected),
            },
            "filtered": {**self.filtered, "balances": sum(1 for row in self.balance_rows
                                                          if row is not None and str(row[1]) not in MIGRATED)},
            "blank_rows": {
                SHEET_ACCOUNTS: [number for number, row in enumerate(self.account_rows, start=3) if row is None],
                SHEET_BALANCES: [number for number, row in enumerate(self.balance_rows, start=4) if row is None],
            },
            "rejects": sorted(self.rejects),
            "warnings": sorted(warnings),
            "rejects_by_rule": by_rule(self.rejects),
            "warnings_by_rule": by_rule(warnings),
            "money": {"measure": "closing", "period": PERIOD, "services": money, "total": total},
            "target_totals": totals,
            "samples": self.pick_samples(),
        }

    def pick_samples(self) -> dict:
        """Cells and what the target must show for them: an address in each style, an area typed
        as text, a balance typed with a no-break space, a meter found by its account's row id."""
        addresses = {}
        for account in self.accounts:
            style = account["style"]
            if style not in addresses and account["premise"][3] and "40" not in account["premise"][1]:
                addresses[style] = account
        private = next(a for a in self.accounts if a["private"])
        glued = next(a for a in self.accounts if a["style"] == "markers" and re.search(r"(ул|б-р|пр-кт)[А-Я]",
                                                                                        a["address"]))
        chosen = [*addresses.values(), private, glued]
        shared = [a["premise"] for a in self.accounts]
        text_area = next(a for a in self.accounts if isinstance(a["area_cell"], str)
                         and shared.count(a["premise"]) == 1)
        grouped = next(b for b, row in self._balance_cells() if isinstance(row, str) and NBSP in row)
        meter = next(m for m in self.meter_rows if not m.get("dup") and not m.get("orphan"))
        return {
            "addresses": [{"account": a["number"], "written": a["address"],
                           "premise": dict(zip(("settlement", "street", "house", "building", "apartment"),
                                               a["premise"]))} for a in chosen],
            "text_area": {"account": text_area["number"], "written": text_area["area_cell"],
                          "total_area": text_area["area"]},
            "grouped_money": grouped,
            "meter_by_row_id": {"serial": meter["serial"], "row_id": meter["row_id"], "account": meter["account"]},
        }

    def _balance_cells(self):
        """(the balance, its written cell) for every amount of a loaded balance written as text."""
        for balance in self.balances:
            if balance["month"] not in MIGRATED or balance["fate"]:
                continue
            for offset, measure in enumerate(("opening", "charged", "paid", "closing")):
                cell = self.balance_rows[balance["row"]][balance["column"] + offset]
                if isinstance(cell, str):
                    yield {"key": balance["key"], "measure": measure, "written": cell,
                           "kopecks": balance["amounts"][measure]}, cell


def _plus_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# -------------------------------------------------------------------- the workbook
def _cell(value) -> TableCell:
    if value is None:
        return TableCell()
    if isinstance(value, dt.datetime):
        cell = TableCell(valuetype="date", datevalue=value.date().isoformat())
        text = value.strftime("%d.%m.%Y")
    elif isinstance(value, (int, float)):
        cell, text = TableCell(valuetype="float", value=repr(value)), str(value).replace(".", ",")
    else:
        cell, text = TableCell(valuetype="string"), value
    for line in text.split("\n"):  # a paragraph a line, as LibreOffice writes them
        cell.addElement(P(text=line))
    return cell


def _sheet(name: str, title: str | None, header: list[tuple[str, list[str] | None]], rows: list) -> Table:
    """A sheet: a title row merged across (if any), a header (merged over two rows where a column
    has parts), then the rows (None: an all-blank row)."""
    table = Table(name=name)
    width = sum(len(parts) if parts else 1 for _, parts in header)
    two = any(parts for _, parts in header)
    if title:
        row = TableRow()
        first = _cell(title)
        first.setAttribute("numbercolumnsspanned", width)
        row.addElement(first)
        for _ in range(width - 1):
            row.addElement(CoveredTableCell())
        table.addElement(row)
    top, bottom = TableRow(), TableRow()
    for text, parts in header:
        cell = _cell(text)
        if parts:
            cell.setAttribute("numbercolumnsspanned", len(parts))
            top.addElement(cell)
            for _ in parts[1:]:
                top.addElement(CoveredTableCell())
            for part in parts:
                bottom.addElement(_cell(part))
        else:
            if two:
                cell.setAttribute("numberrowsspanned", 2)
                bottom.addElement(CoveredTableCell())
            top.addElement(cell)
    table.addElement(top)
    if two:
        table.addElement(bottom)
    for values in rows:
        row = TableRow()
        for value in values or [None] * width:
            row.addElement(_cell(value))
        table.addElement(row)
    return table


def build_workbook(gen: Generator) -> bytes:
    document = OpenDocumentSpreadsheet()
    sheet = document.spreadsheet
    sheet.addElement(_sheet(SHEET_ACCOUNTS, "Реестр лицевых счетов УК «Жилсервис» на 31.10.2026", [
        ("№ п/п", None), ("Лицевой счёт", None), ("Фамилия", None), ("Имя Отчество", None), ("Адрес", None),
        ("Площадь, м2", None), ("Проживает", None), ("Дата рождения", None),
    ], gen.account_rows))
    sheet.addElement(_sheet(SHEET_SERVICES, None, [("Код", None), ("Наименование", None), ("Ед. изм.", None)],
                            [[code, name, unit] for code, _, name, unit, _ in SERVICES]))
    sheet.addElement(_sheet(SHEET_METERS, "Приборы учёта", [
        ("Заводской номер", None), ("ID ЛС", None), ("Ресурс", None), ("Модель", None), ("Дата установки", None),
        ("Начальное показание", None), ("Основание", None), ("Поверка", None),
    ], [[m["serial"], m["row_id"], m["resource"], m["model"], dt.datetime.combine(m["installed"], dt.time()),
         m["initial_cell"], "Акт ввода", f"{m['verified']:%d.%m.%Y} / {m['interval']}"] for m in gen.meter_rows]))
    sheet.addElement(_sheet(SHEET_READINGS, None, [
        ("Заводской номер", None), ("Дата", None), ("Показание", None), ("Источник", None),
    ], [[r["serial"], r["date_cell"], r["value_cell"], r["source"]] for r in gen.reading_rows]))
    sheet.addElement(_sheet(SHEET_BALANCES, "Сальдо по лицевым счетам, руб.", [
        ("Лицевой счёт", None), ("Период", None), *[(heading, MEASURES_SHEET) for _, heading, *_ in SERVICES],
    ], gen.balance_rows))
    raw = io.BytesIO()
    document.write(raw)
    return _fixed(raw.getvalue())


def _fixed(data: bytes) -> bytes:
    """The package with every zip entry's time fixed and the writer's version left out, so that
    the same seed gives the same bytes (odfpy stamps the time of saving)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():  # "mimetype" first and stored, as ODF wants it
            content = source.read(item.filename)
            if item.filename == "meta.xml":
                content = re.sub(rb"<meta:generator>[^<]*</meta:generator>",
                                 b"<meta:generator>make_housing_ods.py</meta:generator>", content)
            entry = zipfile.ZipInfo(item.filename, date_time=FIXED_TIME.timetuple()[:6])
            entry.compress_type = item.compress_type
            target.writestr(entry, content)
    return out.getvalue()


def generate(out: Path, seed: int = SEED) -> dict:
    """Write housing.ods and expected.json into ``out``; return the expected outcome."""
    gen = Generator(seed)
    gen.make_accounts()
    gen.make_meters()
    gen.make_readings()
    gen.make_balances()
    out.mkdir(parents=True, exist_ok=True)
    (out / WORKBOOK).write_bytes(build_workbook(gen))
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
