#!/usr/bin/env python3
"""Generate the export of a fictional legacy billing system ("sample_legacy").

Seeded and deterministic (same --seed and --accounts give byte-identical files), standard library
only, streaming (scales to --accounts 1000000 in minutes).  Besides the six legacy files it writes
``expected.json``: the counts and the money the migration engine must report for this export,
computed here from what the generator itself made (it knows which rows it made dirty and what the
engine's rules do with them).  See sample_data/README.md and the README.md written next to the data.

    python sample_data/generate.py --accounts 500 --seed 20261031 --out sample_data/sample_legacy
"""
from __future__ import annotations

import argparse
import bisect
import datetime as dt
import json
import os
import random
import sys
import time

ENC = "cp1251"
EOL = "\r\n"
PERIOD = "2026-10"
CUTOFF = dt.date(2026, 10, 31)

# Twelve reading months 2025-11 .. 2026-10; suffix ".mm.yyyy" for a reading date.
MONTHS = [(2025, 11), (2025, 12)] + [(2026, m) for m in range(1, 11)]
MONTH_SUFFIX = [".%02d.%d" % (m, y) for y, m in MONTHS]
BAL_PERIODS = ["202608", "202609", "202610"]
BAL_KEYS = ["2026-08", "2026-09", "2026-10"]

SERVICES = [
    ("01", "Холодное водоснабжение", "м3"),
    ("02", "Горячее водоснабжение", "м3"),
    ("03", "Водоотведение", "м3"),
    ("04", "Отопление", "Гкал"),
    ("05", "Электроэнергия", "кВт*ч"),
    ("07", "Содержание жилья", "м2"),
    ("08", "Взнос на капремонт", "м2"),
    ("09", "Вывоз ТКО", "чел"),
    ("12", "Домофон", "шт"),
]
# What the engine's mapping does with the legacy service codes (12 has no mapping).
MAPPING = {"01": "cold_water", "02": "hot_water", "03": "sewage", "04": "heating",
           "05": "electricity", "07": "maintenance", "08": "capital_repair", "09": "waste"}
MONEY_KEYS = [MAPPING[c] for c, _, _ in SERVICES if c in MAPPING] + ["legacy:12"]
CITY_SERVICES = ["01", "02", "03", "04", "05", "07", "08", "09"]
HOUSE_SERVICES = ["01", "05", "09"]

HEADERS = {
    "abonent.csv": "ЛС;ФИО;Адрес;ДатаРожд;Площадь;Прожив;ДатаОткр",
    "usluga.csv": "Код;Наименование;ЕдИзм",
    "schetchik.csv": "КодПУ;ЛС;КодУсл;ЗавНомер;Разрядность;Зон;ДатаУст;ДатаПов;МПИ;Коэф;Статус;Замена",
    "pokazanie.csv": "КодПУ;Зона;Дата;Показание;Источник",
    "saldo.csv": "Период;ЛС;КодУсл;СальдоВх;Начислено;Перерасчет;Оплачено;СальдоИсх",
}
FILES = ["abonent.csv", "usluga.csv", "schetchik.csv", "pokazanie.csv", "saldo.csv"]

# ---------------------------------------------------------------- people
SURNAMES = [
    "Иванов", "Петров", "Сидоров", "Смирнов", "Кузнецов", "Попов", "Васильев", "Соколов",
    "Михайлов", "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов",
    "Егоров", "Павлов", "Козлов", "Степанов", "Николаев", "Орлов", "Андреев", "Макаров",
    "Никитин", "Захаров", "Зайцев", "Соловьёв", "Борисов", "Яковлев", "Григорьев", "Романов",
    "Воробьёв", "Сергеев", "Кузьмин", "Фролов", "Александров", "Дмитриев", "Королёв", "Гусев",
    "Киселёв", "Ильин", "Максимов", "Поляков", "Сорокин", "Виноградов", "Ковалёв", "Белов",
    "Медведев", "Антонов", "Тарасов", "Жуков", "Баранов", "Филиппов", "Комаров", "Давыдов",
    "Беляев", "Герасимов", "Шевченко", "Бондаренко", "Толстой", "Островский", "Жуковский",
    "Римский-Корсаков", "Мамин-Сибиряк", "Голенищев-Кутузов",
]
MALE = [  # first name, patronymic (male), patronymic (female)
    ("Иван", "Иванович", "Ивановна"), ("Пётр", "Петрович", "Петровна"),
    ("Сергей", "Сергеевич", "Сергеевна"), ("Алексей", "Алексеевич", "Алексеевна"),
    ("Андрей", "Андреевич", "Андреевна"), ("Дмитрий", "Дмитриевич", "Дмитриевна"),
    ("Николай", "Николаевич", "Николаевна"), ("Михаил", "Михайлович", "Михайловна"),
    ("Владимир", "Владимирович", "Владимировна"), ("Александр", "Александрович", "Александровна"),
    ("Виктор", "Викторович", "Викторовна"), ("Юрий", "Юрьевич", "Юрьевна"),
    ("Олег", "Олегович", "Олеговна"), ("Павел", "Павлович", "Павловна"),
    ("Евгений", "Евгеньевич", "Евгеньевна"), ("Игорь", "Игоревич", "Игоревна"),
    ("Геннадий", "Геннадьевич", "Геннадьевна"), ("Фёдор", "Фёдорович", "Фёдоровна"),
    ("Василий", "Васильевич", "Васильевна"), ("Артём", "Артёмович", "Артёмовна"),
    ("Константин", "Константинович", "Константиновна"), ("Анатолий", "Анатольевич", "Анатольевна"),
    ("Семён", "Семёнович", "Семёновна"), ("Борис", "Борисович", "Борисовна"),
]
FEMALE = ["Анна", "Мария", "Елена", "Ольга", "Татьяна", "Наталья", "Ирина", "Светлана", "Алёна",
          "Екатерина", "Людмила", "Галина", "Надежда", "Валентина", "Юлия", "Марина", "Нина",
          "Вера", "Любовь", "Дарья", "Ксения", "Зоя", "Лидия", "Раиса"]
AZ_SURNAMES = ["Алиев", "Мамедов", "Гусейнов", "Гасанов", "Исмаилов"]
AZ_FIRST = ["Рашид", "Эльдар", "Фарид", "Тофиг", "Эльчин"]
AZ_FATHER = ["Мамед", "Гасан", "Али", "Рза", "Ильхам"]
# Cyrillic letter -> Latin look-alike (dirt R1).
LATIN = {"о": "o", "а": "a", "е": "e", "с": "c", "р": "p", "х": "x", "О": "O", "А": "A",
         "Е": "E", "С": "C", "Р": "P", "Х": "X", "Н": "H", "К": "K", "М": "M", "Т": "T", "В": "B"}

# ---------------------------------------------------------------- places
# name, type, ЛС district, kind, weight, number of streets
SETTLEMENTS = [
    ("Энск", "г", "01", "city", 30, 12), ("Новоэнск", "г", "02", "city", 15, 12),
    ("Старгород", "г", "03", "city", 12, 10), ("Приозёрск", "г", "04", "city", 10, 8),
    ("Заречный", "пос", "05", "town", 6, 6), ("Сосновый Бор", "пос", "06", "town", 4, 5),
    ("Лесной", "пос", "07", "town", 3, 5),
    ("Ивановка", "с", "08", "village", 6, 5), ("Покровское", "с", "09", "village", 5, 5),
    ("Берёзовка", "с", "10", "village", 4, 4), ("Никольское", "с", "11", "village", 3, 4),
    ("Михайловка", "с", "12", "village", 2, 4),
]
STREETS = [("Ленина", "ул"), ("Карла Маркса", "ул"), ("Садовая", "ул"), ("Молодёжная", "ул"),
           ("Гагарина", "ул"), ("Мира", "пр-т"), ("Советская", "ул"), ("Лесная", "ул"),
           ("Набережная", "ул"), ("Заводская", "ул"), ("Цветной", "б-р"), ("Садовый", "пер")]
# Streets of each settlement (villages have no avenues or boulevards); names unique per settlement.
SETT_STREETS = [
    [j for j in ((s * 5 + k) % len(STREETS) for k in range(len(STREETS)))
     if st[3] != "village" or STREETS[j][1] in ("ул", "пер")][:st[5]]
    for s, st in enumerate(SETTLEMENTS)]
SETT_TYPE_A = {"г": "г.", "пос": "пос.", "с": "с."}
STREET_TYPE_A = {"ул": "ул.", "пр-т": "пр-т", "пер": "пер.", "б-р": "б-р"}
REGION = "Энская обл."

# ---------------------------------------------------------------- meters
# service: (МПИ years, digits choices, zone choices as a weighted string, monthly mean per zone)
METER_TYPES = {
    "01": (6, (5,), "1", (3.0, 12.0)),
    "02": (4, (5,), "1", (2.0, 8.0)),
    "05": (16, (6, 6, 7), "1111112223", (90.0, 380.0)),
}
ZONE_SHARE = (1.0, 0.45, 0.3)  # share of zone 1 consumption for zones 1, 2, 3
SOURCES = "А" * 18 + "К" * 10 + "П" * 6 + "Д" * 6
RESIDENTS = "0" * 10 + "1" * 25 + "2" * 30 + "3" * 18 + "4" * 10 + "5" * 5 + "6" * 2

# ---------------------------------------------------------------- dirt
# code: (kind, file, rule, effect)
DIRT = {
    "R1": ("latin look-alike letters inside a Cyrillic name", "abonent.csv", "FIX_LATIN_LOOKALIKE", "repaired"),
    "R2": ("double or triple spaces in ФИО and in Адрес", "abonent.csv", "FIX_WHITESPACE", "repaired"),
    "R3": ("quoted Адрес with a line break after a comma", "abonent.csv", "FIX_WHITESPACE", "repaired"),
    "R4": ("thousands separator (space or U+00A0) in a money value", "saldo.csv", "FIX_THOUSANDS_SEPARATOR", "repaired"),
    "R5": ("trailing rows of separators only", "abonent.csv, saldo.csv", "SKIP_EMPTY_ROW", "skipped"),
    "R6": ("payments stored negative (whole file)", "saldo.csv", "NEGATE_PAYMENT", "repaired"),
    "D1": ("duplicate account number with a different owner", "abonent.csv", "DUPLICATE_KEY", "rejected"),
    "D2a": ("ФИО of one word only", "abonent.csv", "BAD_NAME", "rejected"),
    "D2b": ("ФИО in the wrong encoding (UTF-8 bytes in the cp1251 file)", "abonent.csv", "BAD_NAME", "rejected"),
    "D3": ("address without a house number", "abonent.csv", "BAD_ADDRESS", "rejected"),
    "D4": ("meter of an account that is not in abonent.csv", "schetchik.csv", "ORPHAN_METER", "rejected"),
    "D5": ("reading of a meter that is not in schetchik.csv", "pokazanie.csv", "ORPHAN_READING", "rejected"),
    "D6": ("balances of an account that is not in abonent.csv", "saldo.csv", "ORPHAN_BALANCE", "rejected"),
    "D7": ("balances of service 12 (Домофон, no mapping)", "saldo.csv", "PARENT_REJECTED", "rejected"),
    "D8": ("balance row breaking the identity by 1..99 kopecks", "saldo.csv", "BAL_IDENTITY", "rejected"),
    "D9": ("Начислено is not a number (н/д)", "saldo.csv", "BAD_MONEY", "rejected"),
    "D10": ("reading dated after 31.10.2026", "pokazanie.csv", "READ_FUTURE", "rejected"),
    "D11": ("last reading lower than the previous one, not a rollover", "pokazanie.csv", "READ_DECREASE", "rejected"),
    "D12a": ("active meter with empty ДатаПов", "schetchik.csv", "VERIFY_MISSING", "warning"),
    "D12b": ("active meter whose verification expired before 31.10.2026", "schetchik.csv", "VERIFY_EXPIRED", "warning"),
    "D12c": ("reading after a rollover past 10^digits", "pokazanie.csv", "READ_ROLLOVER", "warning"),
    "D13": ("service code with no mapping (12 Домофон)", "usluga.csv", "UNKNOWN_CODE", "rejected"),
}
ACCOUNT_KINDS = ["R1", "R2", "R3", "D1", "D2a", "D2b", "D3", "D8", "D9", "D10", "D11",
                 "D12a", "D12b", "D12c"]
GHOST_KINDS = ["D4", "D5", "D6"]
PARENT_KINDS = ("D1", "D2a", "D2b", "D3")      # the account is rejected: children PARENT_REJECTED
ONE_ZONE_KINDS = ("D10", "D11", "D12c")       # need a single-zone meter
METER_KINDS = ONE_ZONE_KINDS + ("D12a", "D12b")
BAL_KINDS = ("D8", "D9")
R4_PROBABILITY = 0.09  # of a money value >= 1 000,00 of a clean row: gives ~3% of all values
FLUSH_EVERY = 2000


def dirt_counts(accounts: int) -> dict[str, int]:
    n = max(2, round(accounts * 0.004))
    counts = {k: n for k in ACCOUNT_KINDS + GHOST_KINDS}
    counts["D12c"] = max(2, round(accounts * 0.0075))  # ~0.5% of ~1.5 meters per account
    return counts


def fem_surname(s: str) -> str:
    out = []
    for p in s.split("-"):
        if p.endswith(("ский", "цкий", "ой")):
            p = p[:-2] + "ая"
        elif p.endswith(("ов", "ев", "ёв", "ин", "ын")):
            p = p + "а"
        out.append(p)
    return "-".join(out)


def fmt_date(ordinal: int) -> str:
    d = dt.date.fromordinal(ordinal)
    return "%02d.%02d.%d" % (d.day, d.month, d.year)


def fmt_money(k: int) -> str:
    if k < 0:
        return "-%d,%02d" % divmod(-k, 100)
    return "%d,%02d" % divmod(k, 100)


def fmt_money_sep(k: int, sep: str) -> str:
    a = -k if k < 0 else k
    s = "{:,}".format(a // 100).replace(",", sep) + ",%02d" % (a % 100)
    return "-" + s if k < 0 else s


def quote(s: str) -> str:
    if ";" in s or '"' in s or "\n" in s or "\r" in s:
        return '"' + s.replace('"', '""') + '"'
    return s


def make_formatter(dec: int):
    if dec == 0:
        return str
    scale = 10 ** dec

    def f(v: int) -> str:
        s = "%d,%0*d" % (v // scale, dec, v % scale)
        return s.rstrip("0").rstrip(",")
    return f


class Stats:
    """Counters for expected.json."""

    def __init__(self) -> None:
        self.rows = {f: 0 for f in FILES}
        self.rejects: dict[str, dict[str, int]] = {}
        self.warnings = {"meters": {"VERIFY_MISSING": 0, "VERIFY_EXPIRED": 0},
                         "readings": {"READ_ROLLOVER": 0}}
        self.money_src = {k: 0 for k in MONEY_KEYS}
        self.money_tgt = {k: 0 for k in MONEY_KEYS}
        self.totals = [{MAPPING[c]: [0, 0, 0, 0, 0] for c in CITY_SERVICES} for _ in BAL_PERIODS]
        self.dirt = {code: {"rows": 0, "keys": []} for code in DIRT}
        self.cascade = {code: {} for code in DIRT}
        self.unit = {code: {} for code in DIRT}  # persons and premises rejected with their account
        self.r4_values = 0
        self.money_values = 0
        self.premises = 0

    def reject(self, entity: str, rule: str, n: int = 1) -> None:
        d = self.rejects.setdefault(entity, {})
        d[rule] = d.get(rule, 0) + n

    def mark(self, code: str, key: str, n: int = 1) -> None:
        d = self.dirt[code]
        d["rows"] += n
        if len(d["keys"]) < 20:
            d["keys"].append(key)

    def cascade_add(self, code: str, entity: str, n: int) -> None:
        if n:
            c = self.cascade[code]
            c[entity] = c.get(entity, 0) + n

    def unit_add(self, code: str, entity: str, n: int = 1) -> None:
        """A person or premise built from the rejected account's row, which no loaded account
        refers to: rejected with it (ACCOUNT_REJECTED). Dirty accounts never share a premise."""
        self.reject(entity, "ACCOUNT_REJECTED", n)
        c = self.unit[code]
        c[entity] = c.get(entity, 0) + n


def generate(accounts: int, seed: int, out_dir: str, log=sys.stderr) -> dict:
    t0 = time.time()
    if accounts < 1:
        raise ValueError("--accounts must be positive")
    rng = random.Random(seed)
    r = rng.random

    def ri(a: int, b: int) -> int:  # inclusive, cheaper than rng.randint
        return a + int(r() * (b - a + 1))

    def pick(seq):
        return seq[int(r() * len(seq))]

    # ------------------------------------------------ which account carries which dirt
    counts = dirt_counts(accounts)
    needed = sum(counts[k] for k in ACCOUNT_KINDS)
    if needed > accounts // 2:
        raise ValueError(f"--accounts {accounts} is too small: the dirt alone needs {needed} "
                         f"distinct accounts; use at least {2 * needed}")
    chosen = rng.sample(range(accounts), needed)
    kind_of: dict[int, str] = {}
    pos = 0
    for k in ACCOUNT_KINDS:
        for i in chosen[pos:pos + counts[k]]:
            kind_of[i] = k
        pos += counts[k]
    ghosts: dict[int, list[str]] = {}  # emitted after the account at this index
    for k in GHOST_KINDS:
        for _ in range(counts[k]):
            ghosts.setdefault(int(r() * accounts), []).append(k)
    pending_dups: dict[int, list[str]] = {}  # D1 second rows: emitted after the account at index

    st = Stats()
    os.makedirs(out_dir, exist_ok=True)
    paths = {f: os.path.join(out_dir, f) for f in FILES}
    part_paths = [os.path.join(out_dir, ".saldo_%s.part" % p) for p in BAL_PERIODS]
    fh = {f: open(paths[f], "wb", buffering=1 << 20) for f in FILES}
    parts = [open(p, "wb", buffering=1 << 20) for p in part_paths]
    buf = {f: [] for f in FILES}
    pbuf = [[], [], []]
    for f in FILES:
        buf[f].append(HEADERS[f] + EOL)

    def flush() -> None:
        for f in FILES:
            if buf[f]:
                fh[f].write("".join(buf[f]).encode(ENC))
                buf[f].clear()
        for p in range(3):
            if pbuf[p]:
                parts[p].write("".join(pbuf[p]).encode(ENC))
                pbuf[p].clear()

    # ------------------------------------------------ services
    for code, name, unit in SERVICES:
        buf["usluga.csv"].append("%s;%s;%s%s" % (code, name, unit, EOL))
    st.rows["usluga.csv"] = len(SERVICES)
    st.reject("services", "UNKNOWN_CODE")
    st.mark("D13", "12")

    # ------------------------------------------------ identifiers
    ls_counter = {s[2]: ri(1, 3000) for s in SETTLEMENTS}
    districts = [s[2] for s in SETTLEMENTS]

    def alloc_ls(district: str) -> str:
        n = ls_counter[district] + (2 if r() < 0.05 else 1)
        ls_counter[district] = n
        return "%s-%06d" % (district, n)

    next_mid = [100000 + ri(0, 900)]

    def alloc_mid() -> int:
        next_mid[0] += 2 if r() < 0.03 else 1
        return next_mid[0]

    # ------------------------------------------------ premises (unique by construction)
    apt_sett = [i for i, s in enumerate(SETTLEMENTS) if s[3] != "village"]
    vil_sett = [i for i, s in enumerate(SETTLEMENTS) if s[3] == "village"]

    def cum(idx):
        out, t = [], 0
        for i in idx:
            t += SETTLEMENTS[i][4]
            out.append(t)
        return out
    apt_cum, vil_cum = cum(apt_sett), cum(vil_sett)
    p_private = sum(SETTLEMENTS[i][4] for i in vil_sett) / sum(s[4] for s in SETTLEMENTS)
    house_counter: dict[tuple[int, int], int] = {}

    def next_house(s: int, street: int) -> str:
        n = house_counter.get((s, street), 0) + ri(1, 3)
        house_counter[(s, street)] = n
        return "%d%s" % (n, pick("аб") if r() < 0.04 else "")

    def new_building() -> list:
        s = apt_sett[bisect.bisect_right(apt_cum, r() * apt_cum[-1])]
        street = pick(SETT_STREETS[s])
        house = next_house(s, street)
        korp = str(ri(1, 3)) if r() < 0.10 else ""
        n_apts = ri(20, 120) if SETTLEMENTS[s][3] == "city" else ri(8, 36)
        return [s, street, house, korp, n_apts, 0]

    buildings = [new_building() for _ in range(6)]

    def alloc_premise(private: bool) -> tuple:
        st.premises += 1
        if private:
            s = vil_sett[bisect.bisect_right(vil_cum, r() * vil_cum[-1])]
            street = pick(SETT_STREETS[s])
            return (s, street, next_house(s, street), "", "")
        bi = int(r() * len(buildings))
        b = buildings[bi]
        b[5] += 1 if r() < 0.7 else ri(2, 3)
        if b[5] > b[4]:
            b = buildings[bi] = new_building()
            b[5] = 1
        apt = "%d%s" % (b[5], "а" if r() < 0.02 else "")
        return (b[0], b[1], b[2], b[3], apt)

    def render_address(prem: tuple, style: str, upper: bool) -> str:
        s, street, house, korp, apt = prem
        sname, stype = SETTLEMENTS[s][0], SETTLEMENTS[s][1]
        stname, sttype = STREETS[street]
        if style == "A":
            parts_ = [REGION] if r() < 0.3 else []
            parts_ += ["%s %s" % (SETT_TYPE_A[stype], sname),
                       "%s %s" % (STREET_TYPE_A[sttype], stname), "д. " + house]
            if korp:
                parts_.append("корп. " + korp)
            if apt:
                parts_.append("кв. " + apt)
            a = ", ".join(parts_)
        else:
            a = "%s %s, %s %s, д.%s" % (sname, stype, stname, sttype, house)
            if korp:
                a += " к." + korp
            if apt:
                a += " кв." + apt
        return a.upper() if upper else a

    def bad_address() -> tuple[str, int]:
        s = apt_sett[int(r() * len(apt_sett))]
        sname, stype = SETTLEMENTS[s][0], SETTLEMENTS[s][1]
        stname, sttype = STREETS[pick(SETT_STREETS[s])]
        x = r()
        if x < 0.4:
            return "%s %s, %s %s" % (SETT_TYPE_A[stype], sname, STREET_TYPE_A[sttype], stname), s
        if x < 0.7:
            return "%s %s, %s %s" % (sname, stype, stname, sttype), s
        return "адрес не указан", s

    # ------------------------------------------------ names
    def name_words(no_capital_i: bool = False) -> list[str]:
        while True:
            if r() < 0.01:
                w = [pick(AZ_SURNAMES), pick(AZ_FIRST), pick(AZ_FATHER), "оглы"]
            elif r() < 0.45:
                w = [pick(SURNAMES), MALE[int(r() * len(MALE))][0], pick(MALE)[1]]
            else:
                w = [fem_surname(pick(SURNAMES)), pick(FEMALE), pick(MALE)[2]]
            if len(w) == 3 and r() < 0.05:
                w = w[:2]
            if not no_capital_i or "И" not in "".join(w):
                return w

    def render_name(words: list[str], upper: bool) -> str:
        return " ".join(words).upper() if upper else " ".join(words)

    def add_spaces(s: str) -> str:
        idx = [i for i, c in enumerate(s) if c == " "]
        i = pick(idx)
        return s[:i] + (" " * ri(2, 3)) + s[i + 1:]

    # ------------------------------------------------ meters and readings
    ord_2005 = dt.date(2005, 1, 1).toordinal()
    ord_open_max = dt.date(2025, 10, 31).toordinal()
    ord_2008 = dt.date(2008, 12, 31).toordinal()
    ORD_2025_11 = dt.date(2025, 11, 20).toordinal()
    valid_from = {m: dt.date(2026 - m, 11, 1).toordinal() + 30 for m in (4, 6, 16)}
    expired_before = {m: dt.date(2026 - m, 10, 31).toordinal() - 30 for m in (4, 6, 16)}
    meter_lines, read_lines = buf["schetchik.csv"], buf["pokazanie.csv"]

    def serial(code: str) -> str:
        if code == "05":
            return str(ri(10000000, 49999999))
        if r() < 0.6:
            return "%s-%06d" % (pick(("ВСКМ", "СГВ", "ВСХ", "ВСГ", "ЭКО")), ri(0, 999999))
        return str(ri(1000000, 9999999))

    def emit_readings(mid: int, vals: list, means: list, m_from: int, m_to: int, fmt,
                      first_day: int = 0, last_day: int = 0) -> int:
        """Readings of months m_from..m_to; vals hold the value of month m_from on entry."""
        n = 0
        zones = len(vals)
        for m in range(m_from, m_to + 1):
            if m == m_from and first_day:
                day = first_day
            elif m == m_to and last_day:
                day = last_day
            else:
                day = 18 + int(r() * 8)
            date = "%d%s" % (day, MONTH_SUFFIX[m])
            src = SOURCES[int(r() * 40)]
            for z in range(zones):
                if m != m_from:
                    vals[z] += 1 + int(means[z] * (0.5 + r()))
                read_lines.append("%d;%d;%s;%s;%s%s" % (mid, z + 1, date, fmt(vals[z]), src, EOL))
            n += zones
        return n

    def meter_row(mid, ls, code, ser, digits, zones, ust, pov, mpi, status, repl) -> None:
        koef = "1,0" if r() < 0.05 else "1"
        meter_lines.append("%d;%s;%s;%s;%d;%d;%s;%s;%d;%s;%s;%s%s" % (
            mid, ls, code, ser, digits, zones, ust, pov, mpi, koef, status, repl, EOL))

    def gen_meter(ls: str, code: str, open_ord: int, dirt: str | None, one_zone: bool,
                  may_replace: bool) -> tuple[int, int]:
        """Write one meter (two if replaced) and its readings; returns (meters, readings)."""
        mpi, digits_choice, zone_choice, (lo, hi) = METER_TYPES[code]
        digits = pick(digits_choice)
        zones = 1 if one_zone else int(pick(zone_choice))
        dec = pick((0, 3, 3, 3, 2, 1)) if code != "05" else pick((0, 0, 1, 2))
        scale = 10 ** dec
        fmt = make_formatter(dec)
        mean1 = (lo + (hi - lo) * r()) * scale
        means = [mean1 * ZONE_SHARE[z] for z in range(zones)]
        limit = 10 ** digits * scale
        ust = open_ord + int(r() * (ord_open_max - open_ord + 1))
        if dirt == "D12b":
            pov = ust = open_ord + int(r() * (min(expired_before[mpi], ord_2008 + 365) - open_ord))
            pov_s = fmt_date(pov)
        elif dirt == "D12a":
            pov_s = ""
        else:
            if ust >= valid_from[mpi]:
                pov = max(valid_from[mpi], ust - ri(0, 90))
            else:
                pov = valid_from[mpi] + int(r() * (ord_open_max - valid_from[mpi] + 1))
            pov_s = fmt_date(pov)
        mid = alloc_mid()
        key = str(mid)
        replace = may_replace and r() < 0.02
        if not replace:
            meter_row(mid, ls, code, serial(code), digits, zones, fmt_date(ust), pov_s, mpi, "Р", "")
        if dirt == "D12c":  # rollover of zone 1 at month k
            incs = [1 + int(means[0] * (0.5 + r())) for _ in MONTHS]
            k = ri(1, 11)
            incs[k] = max(incs[k], 2)
            v = [0] * 12
            v[k - 1] = limit - incs[k] // 2
            for j in range(k - 2, -1, -1):
                v[j] = v[j + 1] - incs[j + 1]
            for j in range(k, 12):
                v[j] = v[j - 1] + incs[j]
            for m in range(12):
                date = "%d%s" % (18 + int(r() * 8), MONTH_SUFFIX[m])
                read_lines.append("%d;1;%s;%s;%s%s" % (mid, date, fmt(v[m] % limit),
                                                        SOURCES[int(r() * 40)], EOL))
                if m == k:
                    st.mark("D12c", "%d:1:%s" % (mid, date))
            st.warnings["readings"]["READ_ROLLOVER"] += 1
            return 1, 12
        # value at 2025-11: consumption since installation (the meter started from zero)
        age = max(1.0, (ORD_2025_11 - ust) / 30.4) * (0.8 + 0.4 * r())
        vals = [min(int(limit * 0.6), int(age * means[z])) for z in range(zones)]
        if not replace:
            if dirt == "D11":
                n = emit_readings(mid, vals, means, 0, 10, fmt)
                prev = vals[0]
                cur = prev - max(1, int(prev * (0.1 + 0.2 * r())))
                date = "%d%s" % (18 + int(r() * 8), MONTH_SUFFIX[11])
                read_lines.append("%d;1;%s;%s;%s%s" % (mid, date, fmt(cur), SOURCES[int(r() * 40)], EOL))
                st.reject("readings", "READ_DECREASE")
                st.mark("D11", "%d:1:%s" % (mid, date))
                return 1, n + 1
            n = emit_readings(mid, vals, means, 0, 11, fmt)
            if dirt == "D10":
                date = "%02d.%s.2026" % (ri(1, 28), pick(("11", "12")))
                val = vals[0] + 1 + int(means[0] * (0.3 + 0.5 * r()))
                read_lines.append("%d;1;%s;%s;%s%s" % (mid, date, fmt(val), SOURCES[int(r() * 40)], EOL))
                st.reject("readings", "READ_FUTURE")
                st.mark("D10", "%d:1:%s" % (mid, date))
                n += 1
            elif dirt == "D12a":
                st.warnings["meters"]["VERIFY_MISSING"] += 1
                st.mark("D12a", key)
            elif dirt == "D12b":
                st.warnings["meters"]["VERIFY_EXPIRED"] += 1
                st.mark("D12b", key)
            return 1, n
        # replaced during 2026-08..2026-10: the old meter is archived, the new one starts near zero
        rm = ri(9, 11)
        rday = ri(18, 25)
        new_mid = alloc_mid()
        meter_row(mid, ls, code, serial(code), digits, zones, fmt_date(ust), pov_s, mpi, "А", str(new_mid))
        n = emit_readings(mid, vals, means, 0, rm, fmt, last_day=rday)
        new_ust = dt.date(MONTHS[rm][0], MONTHS[rm][1], rday).toordinal()
        meter_row(new_mid, ls, code, serial(code), digits, zones, fmt_date(new_ust),
                  fmt_date(new_ust - ri(5, 120)), mpi, "Р", "")
        vals = [int(5 * scale * r()) for _ in range(zones)]
        n += emit_readings(new_mid, vals, means, rm, 11, fmt, first_day=rday)
        return 2, n

    # ------------------------------------------------ balances
    def base_charge(code: str, area: float, res: int) -> int:
        people = res if res else 1
        if code == "01":
            return int(people * (25000 + 20000 * r()))
        if code == "02":
            return int(people * (60000 + 40000 * r()))
        if code == "03":
            return int(people * (25000 + 15000 * r()))
        if code == "04":
            return int(area * (3500 + 2000 * r()))
        if code == "05":
            return int(40000 + 210000 * r())
        if code == "07":
            return int(area * (2200 + 1300 * r()))
        if code == "08":
            return int(area * (900 + 500 * r()))
        if code == "09":
            return int(res * (12000 + 6000 * r()))
        return int(4500 + 4500 * r())  # 12 Домофон

    def gen_balances(ls: str, services: list[str], area: float, res: int, status: str | None,
                     bal_dirt: str | None, r4_ok: bool, cascade_code: str | None) -> int:
        """Three months for each service.  status: None (loaded unless own dirt) or the rule."""
        prof = r()
        target = (int(r() * len(services)), int(r() * 3)) if bal_dirt else None
        n = 0
        rejected: dict[str, int] = {}
        for si, code in enumerate(services):
            base = base_charge(code, area, res)
            if prof < 0.64:
                opening = int(base * (0.6 + 0.8 * r()))
            elif prof < 0.84:
                opening = int(base * (1 + 25 * r() * r()))
            elif prof < 0.92:
                opening = -int(base * (0.5 + 4 * r()))
            else:
                opening = int(base * (0.5 + r()))
            mkey = MAPPING.get(code, "legacy:" + code)
            svc_rule = status if (status or code != "12") else "PARENT_REJECTED"
            for p in range(3):
                charged = 0 if (code == "04" and p < 2) else int(base * (0.9 + 0.2 * r()))
                recalc = int(base * (0.6 * r() - 0.3)) if r() < 0.08 else 0
                if prof < 0.64:
                    paid = opening if (opening > 0 and r() < 0.9) else 0
                elif prof < 0.84:
                    paid = 0 if r() < 0.5 else int(charged * (0.3 + 0.7 * r()))
                elif prof < 0.92:
                    paid = 0 if r() < 0.7 else int(base * (1 + 2 * r()))
                else:
                    paid = (opening if opening > 0 else 0) + int(charged * (0.5 + 1.5 * r()))
                closing = opening + charged + recalc - paid
                written = closing
                rule = svc_rule
                own = target is not None and target == (si, p)
                if own:
                    if bal_dirt == "D8":
                        written = closing + (1 if r() < 0.5 else -1) * ri(1, 99)
                        rule = "BAL_IDENTITY"
                    else:
                        rule = "BAD_MONEY"
                vals = (opening, charged, recalc, -paid, written)
                if r4_ok and rule is None and (max(vals) >= 100000 or min(vals) <= -100000):
                    fields = []
                    for v in vals:
                        if (v >= 100000 or v <= -100000) and r() < R4_PROBABILITY:
                            fields.append(fmt_money_sep(v, " " if r() < 0.5 else "\xa0"))
                            st.r4_values += 1
                        else:
                            fields.append(fmt_money(v))
                    if " " in "".join(fields) or "\xa0" in "".join(fields):
                        st.mark("R4", "%s:%s:%s" % (BAL_PERIODS[p], ls, code))
                    line = "%s;%s;%s;%s;%s;%s;%s;%s%s" % (BAL_PERIODS[p], ls, code, *fields, EOL)
                elif rule == "BAD_MONEY":
                    line = "%s;%s;%s;%s;н/д;%s;%s;%s%s" % (
                        BAL_PERIODS[p], ls, code, fmt_money(opening),
                        fmt_money(recalc), fmt_money(-paid), fmt_money(written), EOL)
                else:
                    # fast path: %.2f of kopecks/100 is exact for |kopecks| < 2**53; no other
                    # field of the row contains a dot
                    line = ("%s;%s;%s;%.2f;%.2f;%.2f;%.2f;%.2f\r\n" % (
                        BAL_PERIODS[p], ls, code, opening / 100, charged / 100, recalc / 100,
                        -paid / 100, written / 100)).replace(".", ",")
                pbuf[p].append(line)
                n += 1
                if own or (code == "12" and status is None):
                    key = "%s:%s:%s" % (BAL_PERIODS[p], ls, code)
                    st.mark(bal_dirt if own else "D7", key)
                if p == 2:
                    st.money_src[mkey] += written
                if rule is None:
                    t = st.totals[p][mkey]
                    t[0] += opening
                    t[1] += charged
                    t[2] += recalc
                    t[3] += paid
                    t[4] += closing
                    if p == 2:
                        st.money_tgt[mkey] += written
                else:
                    rejected[rule] = rejected.get(rule, 0) + 1
                    if cascade_code and rule == "PARENT_REJECTED":
                        st.cascade_add(cascade_code, "balances", 1)
                opening = closing
        st.money_values += 5 * n
        for rule, k in rejected.items():
            st.reject("balances", rule, k)
        return n

    # ------------------------------------------------ ghosts (orphans)
    def emit_ghost(kind: str) -> None:
        if kind == "D4":
            ls = alloc_ls(pick(districts))
            mid = alloc_mid()
            fmt = make_formatter(0)
            meter_row(mid, ls, "01", serial("01"), 5, 1, fmt_date(ri(ord_2005, ord_open_max - 400)),
                      fmt_date(valid_from[6] + ri(0, 1000)), 6, "Р", "")
            vals = [ri(10, 50000)]
            n = emit_readings(mid, vals, [8.0], 0, 11, fmt)
            st.rows["schetchik.csv"] += 1
            st.rows["pokazanie.csv"] += n
            st.reject("meters", "ORPHAN_METER")
            st.reject("readings", "PARENT_REJECTED", n)
            st.cascade_add("D4", "readings", n)
            st.mark("D4", str(mid))
        elif kind == "D5":
            mid = alloc_mid()  # allocated, never written to schetchik.csv
            date = "%d%s" % (ri(18, 25), MONTH_SUFFIX[11])
            read_lines.append("%d;1;%s;%s;%s%s" % (mid, date, ri(10, 90000), pick(SOURCES), EOL))
            st.rows["pokazanie.csv"] += 1
            st.reject("readings", "ORPHAN_READING")
            st.mark("D5", "%d:1:%s" % (mid, date))
        else:  # D6
            ls = alloc_ls(pick(districts))
            n = gen_balances(ls, CITY_SERVICES, 30 + 60 * r(), ri(1, 4), "ORPHAN_BALANCE", None, False, None)
            st.rows["saldo.csv"] += n
            st.mark("D6", ls, n)

    # ------------------------------------------------ the accounts
    abon = buf["abonent.csv"]
    prev_premise = None
    communal = 0

    def abonent_row(ls, fio, addr, private, open_ord) -> tuple[float, int]:
        birth = ""
        if r() >= 0.10:
            y_max = dt.date.fromordinal(open_ord).year - 18
            birth = fmt_date(ri(dt.date(1935, 1, 1).toordinal(), dt.date(y_max, 12, 31).toordinal()))
        dec = pick((1, 1, 1, 1, 1, 2, 2, 2, 2, 3, 4))
        sc = 10 ** dec
        lo, hi = (40, 180) if private else (18, 110)
        units = ri(lo * sc, hi * sc)
        if units % 10 == 0:
            units += ri(1, 9)
        res = int(RESIDENTS[int(r() * len(RESIDENTS))])
        abon.append("%s;%s;%s;%s;%d,%0*d;%d;%s%s" % (
            ls, quote(fio), quote(addr), birth, units // sc, dec, units % sc, res,
            fmt_date(open_ord), EOL))
        st.rows["abonent.csv"] += 1
        return units / sc, res

    for i in range(accounts):
        kind = kind_of.get(i)
        # --- premise and address
        premise = None
        private = False
        if kind == "D3":
            addr, s_idx = bad_address()
        else:
            if (kind is None and prev_premise is not None and r() < 0.035):
                premise = prev_premise  # communal flat: one premise, two accounts
                communal += 1
                prev_premise = None
            else:
                private = r() < p_private
                premise = alloc_premise(private)
                prev_premise = premise if (kind is None and not private) else None
            s_idx = premise[0]
            style = "A" if (kind == "R3" or r() < 0.6) else "B"
            addr = render_address(premise, style, r() < 0.2)
            if kind == "R2":
                addr = add_spaces(addr)
            elif kind == "R3":
                cuts = [j for j in range(len(addr) - 1) if addr[j] == "," and addr[j + 1] == " "]
                j = pick(cuts)
                addr = addr[:j + 1] + "\r\n" + addr[j + 2:]
        if kind == "D3":
            prev_premise = None
        private = SETTLEMENTS[s_idx][3] == "village"
        ls = alloc_ls(SETTLEMENTS[s_idx][2])
        # --- name
        if kind == "D2b":
            while True:
                fio = " ".join(name_words(no_capital_i=True))
                try:
                    fio = fio.encode("utf-8").decode(ENC)
                except UnicodeDecodeError:
                    continue
                if "\xa0" not in fio and "\xad" not in fio:
                    break
        else:
            words = name_words()
            if kind == "D2a":
                words = words[:1]
            fio = render_name(words, r() < 0.7)
            if kind == "R1":
                idx = [j for j, c in enumerate(fio) if c in LATIN]
                while not idx:
                    fio = render_name(name_words(), r() < 0.7)
                    idx = [j for j, c in enumerate(fio) if c in LATIN]
                for j in sorted(set(pick(idx) for _ in range(ri(1, 2)))):
                    fio = fio[:j] + LATIN[fio[j]] + fio[j + 1:]
            elif kind == "R2":
                fio = add_spaces(fio)
        open_ord = ri(ord_2005, ord_2008 if kind == "D12b" else ord_open_max)
        area, res = abonent_row(ls, fio, addr, private, open_ord)
        if kind in ("R1", "R2", "R3", "D2a", "D2b", "D3"):
            st.mark(kind, ls)
        if kind == "D1":
            st.mark(kind, ls, 2)
            pending_dups.setdefault(min(accounts - 1, i + int(r() * 40)), []).append((ls, fio))
        for dup_ls, dup_fio in pending_dups.pop(i, ()):
            p2 = alloc_premise(r() < p_private)
            addr2 = render_address(p2, "A" if r() < 0.6 else "B", r() < 0.2)
            fio2 = dup_fio
            while fio2.upper() == dup_fio.upper():
                fio2 = render_name(name_words(), r() < 0.7)
            abonent_row(dup_ls, fio2, addr2, SETTLEMENTS[p2[0]][3] == "village",
                        ri(ord_2005, ord_open_max))
            prev_premise = None
        # --- status of the account's children
        if kind == "D1":
            st.reject("persons", "DUPLICATE_KEY", 2)
            st.reject("accounts", "DUPLICATE_KEY", 2)
            st.unit_add(kind, "premises", 2)  # each row's own premise
        elif kind in ("D2a", "D2b"):
            st.reject("persons", "BAD_NAME")
            st.reject("accounts", "PARENT_REJECTED")
            st.cascade_add(kind, "accounts", 1)
            st.unit_add(kind, "premises")
        elif kind == "D3":
            st.reject("premises", "BAD_ADDRESS")
            st.reject("accounts", "PARENT_REJECTED")
            st.cascade_add(kind, "accounts", 1)
            st.unit_add(kind, "persons")
        parent_bad = kind in PARENT_KINDS
        child_status = "PARENT_REJECTED" if parent_bad else None
        cascade_code = kind if parent_bad else None
        # --- meters
        force = kind in METER_KINDS
        one_zone_needed = kind in ONE_ZONE_KINDS
        specs: list[tuple[str, bool]] = []
        if private:
            if force or r() < 0.9:
                specs.append(("05", one_zone_needed))
        else:
            water = (force and one_zone_needed) or r() < 0.55
            if water:
                specs += [("01", False), ("02", False)]
            if r() < 0.55 or (force and not specs):
                specs.append(("05", False))
        dirty_meter = kind if force else None
        m_rows = r_rows = 0
        for code, oz in specs:
            d = None
            if dirty_meter and (not one_zone_needed or code != "05" or oz):
                d, dirty_meter = dirty_meter, None
            mm, rr = gen_meter(ls, code, open_ord, d, oz or d in ONE_ZONE_KINDS,
                                  may_replace=not force)
            m_rows += mm
            r_rows += rr
        st.rows["schetchik.csv"] += m_rows
        st.rows["pokazanie.csv"] += r_rows
        if parent_bad:
            st.reject("meters", "PARENT_REJECTED", m_rows)
            st.reject("readings", "PARENT_REJECTED", r_rows)
            st.cascade_add(kind, "meters", m_rows)
            st.cascade_add(kind, "readings", r_rows)
        # --- balances
        services = list(HOUSE_SERVICES if private else CITY_SERVICES)
        if kind is None and not private and r() < 0.10:
            services.append("12")
        st.rows["saldo.csv"] += gen_balances(ls, services, area, res, child_status,
                                             kind if kind in BAL_KINDS else None,
                                             kind is None, cascade_code)
        for g in ghosts.pop(i, ()):
            emit_ghost(g)
        if i % FLUSH_EVERY == FLUSH_EVERY - 1:
            flush()
        if i % 100000 == 99999:
            print("  %d accounts, %.1f s" % (i + 1, time.time() - t0), file=log)
    assert not pending_dups and not ghosts

    # ------------------------------------------------ trailing empty rows, saldo assembly
    abon.append(";" * 6 + EOL)
    abon.append(";" * 6 + EOL)
    flush()
    for p in parts:
        p.close()
    saldo = fh["saldo.csv"]
    for pp in part_paths:
        with open(pp, "rb") as src:
            while True:
                chunk = src.read(1 << 22)
                if not chunk:
                    break
                saldo.write(chunk)
        os.remove(pp)
    saldo.write((";" * 7 + EOL).encode(ENC) * 2)
    for f in FILES:
        fh[f].close()
    st.mark("R5", "abonent.csv", 2)
    st.mark("R5", "saldo.csv", 2)
    st.dirt["R6"]["rows"] = st.rows["saldo.csv"]

    expected = build_expected(accounts, seed, counts, st, communal)
    with open(os.path.join(out_dir, "expected.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump(expected, f, ensure_ascii=False, indent=2, sort_keys=True)
        f.write("\n")
    with open(os.path.join(out_dir, "README.md"), "w", encoding="utf-8", newline="\n") as f:
        f.write(render_readme(expected))
    el = time.time() - t0
    for fn in FILES:
        print("  %-14s %10d data rows" % (fn, st.rows[fn]), file=log)
    print("generated %d accounts (seed %d) into %s in %.1f s" % (accounts, seed, out_dir, el), file=log)
    return expected


def build_expected(accounts: int, seed: int, counts: dict, st: Stats, communal: int) -> dict:
    n_d1 = counts["D1"]
    n_d3 = counts["D3"]
    source = {
        "persons": st.rows["abonent.csv"],
        "accounts": st.rows["abonent.csv"],
        "premises": st.premises + n_d3,
        "services": st.rows["usluga.csv"],
        "meters": st.rows["schetchik.csv"],
        "readings": st.rows["pokazanie.csv"],
        "balances": st.rows["saldo.csv"],
    }
    entities = {}
    for e, n in source.items():
        rej = sum(st.rejects.get(e, {}).values())
        entities[e] = {"source_rows": n, "loaded": n - rej, "rejected": rej}
    assert entities["persons"]["rejected"] == 2 * n_d1 + counts["D2a"] + counts["D2b"] + n_d3
    assert entities["premises"]["rejected"] == 2 * n_d1 + counts["D2a"] + counts["D2b"] + n_d3
    money_services = {}
    for k in MONEY_KEYS:
        money_services[k] = {"source": st.money_src[k], "target": st.money_tgt[k],
                             "rejected": st.money_src[k] - st.money_tgt[k]}
    total = {x: sum(v[x] for v in money_services.values()) for x in ("source", "target", "rejected")}
    target_totals = {}
    for p, pk in enumerate(BAL_KEYS):
        target_totals[pk] = {svc: dict(zip(("opening", "charged", "recalculated", "paid", "closing"), v))
                             for svc, v in st.totals[p].items()}
    dirt = []
    for code, (kind, file, rule, effect) in DIRT.items():
        d = st.dirt[code]
        entry = {"code": code, "kind": kind, "file": file, "rule": rule, "effect": effect,
                 "rows": d["rows"], "keys": d["keys"]}
        if st.cascade[code]:
            entry["cascade_parent_rejected"] = st.cascade[code]
        if st.unit[code]:
            entry["cascade_account_rejected"] = st.unit[code]
        if code == "R4":
            entry["values"] = st.r4_values
            entry["money_values"] = st.money_values
        if code == "D1":
            entry["accounts"] = n_d1
        dirt.append(entry)
    return {
        "generator": {"seed": seed, "accounts": accounts},
        "period": PERIOD,
        "files": {f: {"data_rows": st.rows[f],
                      "empty_rows": 2 if f in ("abonent.csv", "saldo.csv") else 0} for f in FILES},
        "communal_premises": communal,
        "entities": entities,
        "rejects_by_rule": {e: {k: v for k, v in d.items() if v} for e, d in st.rejects.items()
                            if any(d.values())},
        "warnings_by_rule": st.warnings,
        "money": {"period": PERIOD, "measure": "closing", "services": money_services, "total": total},
        "target_totals": target_totals,
        "dirt": dirt,
    }


README_TEMPLATE = """\
# sample_legacy: export of a fictional legacy billing system

Generated by `sample_data/generate.py --accounts {accounts} --seed {seed}`: do not edit by hand,
regenerate (the test `tests/test_sample_generator.py` fails when this copy drifts from the script).
All names, addresses and numbers are invented.

## Layout

All files: cp1251, `;` separator, CRLF line ends, one header row, `"` quoting only where a field
holds `;`, `"` or a line break, decimal comma, dates `dd.mm.yyyy`.

| file | rows | content |
|---|---:|---|
| `abonent.csv` | {abonent} | ЛС;ФИО;Адрес;ДатаРожд;Площадь;Прожив;ДатаОткр: one row per account (person, premise, account) |
| `usluga.csv` | {usluga} | Код;Наименование;ЕдИзм: service dictionary |
| `schetchik.csv` | {schetchik} | КодПУ;ЛС;КодУсл;ЗавНомер;Разрядность;Зон;ДатаУст;ДатаПов;МПИ;Коэф;Статус;Замена: meters |
| `pokazanie.csv` | {pokazanie} | КодПУ;Зона;Дата;Показание;Источник: readings 2025-11 .. 2026-10 |
| `saldo.csv` | {saldo} | Период;ЛС;КодУсл;СальдоВх;Начислено;Перерасчет;Оплачено;СальдоИсх: balances 202608..202610 |
| `expected.json` | | counts and money the engine must report (UTF-8) |

Details:
- ЛС is `NN-NNNNNN` (district, number). ФИО is one field, ~70% UPPER CASE, ~30% Title Case; about 5%
  have no patronymic, some double surnames with a hyphen, names with ё, ~1% Azerbaijani patronymics
  with a particle (`АЛИЕВ РАШИД МАМЕД ОГЛЫ`: patronymic `Мамед оглы`).
- Адрес is free text in two styles, either of them sometimes UPPER CASE:
  A `[Энская обл., ]г. Энск, ул. Ленина, д. 5[, корп. 2][, кв. 12а]`,
  B `Энск г, Ленина ул, д.5[ к.2][ кв.12а]`. Settlements `г.`, `пос.` (apartments) and `с.`
  (private houses: no корпус, no apartment). Communal flats: {communal} premises are shared by two
  accounts whose rows may use different styles or case; they are one premise.
- Площадь has 1 to 4 decimals; Прожив is 0..6; ДатаРожд is empty for ~10%.
- Meters: 01 cold water (МПИ 6, 5 digits), 02 hot water (МПИ 4, 5 digits), 05 electricity
  (МПИ 16, 6 or 7 digits, 1-3 zones). Коэф `1` or `1,0`. Статус `Р` working, `А` archived; an archived
  meter's Замена is the КодПУ of the meter that replaced it (replacements 2026-08..2026-10: the new
  meter starts near zero, readings go down across meters, never within one).
- Readings: one per meter, zone and month, dated the 18th..25th, cumulative, 0 to 3 decimals;
  Источник `К` operator, `А` consumer, `П` payment agent, `Д` remote.
- Balances: one row per account, service and month; money with two decimals. Legacy identity:
  СальдоИсх = СальдоВх + Начислено + Перерасчет + Оплачено, payments stored negative. A month's
  opening is the previous month's closing. Service 12 (Домофон) for ~10% of city accounts.

## Dirt, and what the engine does with it

Each kind sits on its own otherwise clean account or meter; no row carries two kinds.
Keys in `expected.json` `dirt[].keys`: ЛС for abonent rows, КодПУ for meters,
`КодПУ:Зона:Дата` for readings (`КодПУ:mm.yyyy` of the rollover reading for READ_ROLLOVER),
`Период:ЛС:КодУсл` for balances.

| code | dirt | file | engine | rows |
|---|---|---|---|---:|
{dirt_rows}

Cascades (rule PARENT_REJECTED, recorded only on rows without an error of their own; and
ACCOUNT_REJECTED, in `dirt[].cascade_account_rejected`, on the person or premise built from the
row of a rejected account that no loaded account refers to: the legacy record is the unit):
- D1: both abonent rows are rejected as persons and as accounts (every occurrence of a duplicated
  key); both premises (one per row) are rejected with them (ACCOUNT_REJECTED); the meters,
  readings and balances of that ЛС (generated once, for the first row) are rejected.
- D2a/D2b: the person is rejected; the account, its meters, readings and balances are rejected;
  the premise is rejected with the account (ACCOUNT_REJECTED).
- D3: the premise is rejected; the account and its meters, readings and balances are rejected;
  the person is rejected with the account (ACCOUNT_REJECTED).
- D4: the readings of the orphan meter are rejected.
- D13: every balance of service 12 is rejected (D7).
Warnings (D12a-c) do not reject the row.

## Expected results (from `expected.json`)

| entity | source rows | loaded | rejected |
|---|---:|---:|---:|
{entity_rows}

Money (closing balances of 2026-10, kopecks): source {m_source}, target {m_target},
rejected {m_rejected}.

Counting: persons and accounts are keyed by ЛС; premises by the normalised address (settlement,
street, house, корпус, apartment; region and case ignored), each unparseable address counting as
its own key; the two trailing rows of separators in `abonent.csv` and `saldo.csv` are skipped and
not counted.
"""


def render_readme(e: dict) -> str:
    dirt_rows = "\n".join("| %s | %s | `%s` | %s %s | %d |" % (
        d["code"], d["kind"], d["file"], d["effect"], d["rule"], d["rows"]) for d in e["dirt"])
    entity_rows = "\n".join("| %s | %d | %d | %d |" % (k, v["source_rows"], v["loaded"], v["rejected"])
                            for k, v in e["entities"].items())
    f = e["files"]
    return README_TEMPLATE.format(
        accounts=e["generator"]["accounts"], seed=e["generator"]["seed"],
        abonent=f["abonent.csv"]["data_rows"], usluga=f["usluga.csv"]["data_rows"],
        schetchik=f["schetchik.csv"]["data_rows"], pokazanie=f["pokazanie.csv"]["data_rows"],
        saldo=f["saldo.csv"]["data_rows"], communal=e["communal_premises"], dirt_rows=dirt_rows,
        entity_rows=entity_rows, m_source=e["money"]["total"]["source"],
        m_target=e["money"]["total"]["target"], m_rejected=e["money"]["total"]["rejected"])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--accounts", type=int, default=500, help="number of accounts (default 500)")
    ap.add_argument("--seed", type=int, default=20261031, help="random seed (default 20261031)")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "sample_legacy"),
                    help="output folder (default sample_data/sample_legacy)")
    args = ap.parse_args(argv)
    try:
        generate(args.accounts, args.seed, args.out)
    except ValueError as exc:
        print("error: %s" % exc, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
