#!/usr/bin/env python3
"""Create and fill the normalised legacy database of the fictional system "sql_legacy".

A billing system that kept its data in a SQL database with transliterated names (``abonent``,
``adres``, ``lic_schet``, ``usluga``, ``schetchik``, ``pokazanie``, ``saldo``, ``period``),
money as BIGINT kopecks, areas and readings as DECIMAL. The same seed and size give the same
rows on SQLite, PostgreSQL and MariaDB (SQLAlchemy Core), and ``expected.json`` beside this
script: what the migration must load, reject and reconcile, computed here from what was made,
independently of the engine.

    python sample_data/sql_legacy/create_legacy_db.py --url sqlite:///sample_data/sql_legacy/legacy.db
    python sample_data/sql_legacy/create_legacy_db.py --url postgresql+psycopg://postgres@127.0.0.1/legacy

Deliberate dirt (each counted in expected.json, see ``DIRT``): service 15 has no target code,
one meter belongs to a deleted account, two balance rows break the identity. The open period
202611 is in ``saldo`` too; the mapping reads closed periods only, so it is no source row.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import uuid
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

HERE = Path(__file__).resolve().parent
SWITCH_PERIOD = "2026-10"
CLOSED = (202608, 202609, 202610)
OPEN = 202611
READING_MONTHS = [(2026, m) for m in range(5, 11)]
MEASURES = ("opening", "charged", "recalculated", "paid", "closing")

# kod, naim, ed_izm, target code (None: the new system has no such service)
SERVICES = [
    (1, "Холодное водоснабжение", "м3", "cold_water"), (2, "Горячее водоснабжение", "м3", "hot_water"),
    (3, "Водоотведение", "м3", "sewage"), (4, "Отопление", "Гкал", "heating"),
    (5, "Электроснабжение", "кВт*ч", "electricity"), (6, "Газоснабжение", "м3", "gas"),
    (7, "Обращение с ТКО", "чел", "waste"), (8, "Содержание жилья", "м2", "maintenance"),
    (9, "Взнос на капремонт", "м2", "capital_repair"), (15, "Антенна коллективная", "шт", None),
]
TARGET = {kod: code for kod, _, _, code in SERVICES}
FLAT_SERVICES = (1, 2, 3, 4, 5, 7, 8, 9)
HOUSE_SERVICES = (1, 5, 6, 7)
DIRT = {
    "S1": ("service with no target code (15 Антенна коллективная)", "usluga", "UNKNOWN_CODE"),
    "S2": ("meter of a deleted account (lic_schet_id not in lic_schet)", "schetchik", "ORPHAN_METER"),
    "S3": ("balance row breaking the identity by 1..99 kopecks", "saldo", "BAL_IDENTITY"),
}

MALE = [("Иванов", "Иван", "Иванович"), ("Петров", "Пётр", "Петрович"), ("Смирнов", "Сергей", "Сергеевич"),
        ("Кузнецов", "Алексей", "Алексеевич"), ("Соловьёв", "Андрей", "Андреевич"), ("Фёдоров", "Дмитрий",
        "Дмитриевич"), ("Морозов", "Николай", "Николаевич"), ("Волков", "Михаил", "Михайлович"),
        ("Лебедев", "Владимир", "Владимирович"), ("Семёнов", "Юрий", "Юрьевич"), ("Егоров", "Олег", "Олегович")]
FEMALE = [("Павлова", "Анна", "Павловна"), ("Козлова", "Мария", "Семёновна"), ("Орлова", "Елена", "Борисовна"),
          ("Захарова", "Ольга", "Викторовна"), ("Зайцева", "Татьяна", "Игоревна"), ("Борисова", "Наталья",
          "Фёдоровна"), ("Яковлева", "Ирина", "Геннадьевна"), ("Королёва", "Алёна", "Павловна"),
          ("Римская-Корсакова", "Светлана", "Олеговна"), ("Гусева", "Людмила", "Артёмовна")]
CITIES = [("г. Энск", ["ул. Ленина", "ул. Садовая", "пр-т Мира", "ул. Молодёжная"]),
          ("г. Новоэнск", ["ул. Советская", "ул. Гагарина", "б-р Цветной"])]
VILLAGES = [("с. Ивановка", ["ул. Лесная", "пер. Садовый"]), ("с. Берёзовка", ["ул. Набережная"])]


def legacy_tables() -> sa.MetaData:
    """The legacy schema: no foreign keys (the old system never declared them)."""
    metadata = sa.MetaData()
    sa.Table("abonent", metadata, sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
             sa.Column("familiya", sa.String(60), nullable=False), sa.Column("imya", sa.String(40), nullable=False),
             sa.Column("otchestvo", sa.String(40)), sa.Column("data_rozhd", sa.Date))
    sa.Table("adres", metadata, sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
             sa.Column("gorod", sa.String(60), nullable=False), sa.Column("ulica", sa.String(80)),
             sa.Column("dom", sa.String(10), nullable=False), sa.Column("korpus", sa.String(10)),
             sa.Column("kvartira", sa.String(10)), sa.Column("fias_guid", sa.String(36)))
    sa.Table("lic_schet", metadata, sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
             sa.Column("nomer", sa.String(20), nullable=False), sa.Column("abonent_id", sa.Integer),
             sa.Column("adres_id", sa.Integer), sa.Column("ploshad", sa.Numeric(10, 2)),
             sa.Column("prozhivaet", sa.SmallInteger), sa.Column("data_otkr", sa.Date))
    sa.Table("usluga", metadata, sa.Column("kod", sa.SmallInteger, primary_key=True, autoincrement=False),
             sa.Column("naim", sa.String(60), nullable=False), sa.Column("ed_izm", sa.String(10)))
    sa.Table("schetchik", metadata, sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
             sa.Column("lic_schet_id", sa.Integer), sa.Column("usluga_kod", sa.SmallInteger),
             sa.Column("zav_nomer", sa.String(30)), sa.Column("razryadnost", sa.SmallInteger),
             sa.Column("zony", sa.SmallInteger), sa.Column("data_ust", sa.Date), sa.Column("data_pov", sa.Date),
             sa.Column("mpi", sa.SmallInteger), sa.Column("koef", sa.Numeric(8, 4)),
             sa.Column("status", sa.String(1)), sa.Column("zamenen_na", sa.Integer))
    sa.Table("pokazanie", metadata, sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
             sa.Column("schetchik_id", sa.Integer), sa.Column("zona", sa.SmallInteger), sa.Column("data", sa.Date),
             sa.Column("znachenie", sa.Numeric(22, 7)), sa.Column("istochnik", sa.String(1)))
    sa.Table("saldo", metadata, sa.Column("lic_schet_id", sa.Integer, primary_key=True, autoincrement=False),
             sa.Column("usluga_kod", sa.SmallInteger, primary_key=True, autoincrement=False),
             sa.Column("period", sa.Integer, primary_key=True, autoincrement=False),
             *(sa.Column(name, sa.BigInteger, nullable=False)
               for name in ("vh_kop", "nach_kop", "perer_kop", "opl_kop", "ish_kop")))
    sa.Table("period", metadata, sa.Column("period", sa.Integer, primary_key=True, autoincrement=False),
             sa.Column("zakryt", sa.SmallInteger, nullable=False))
    return metadata


class Legacy:
    """The rows of every table, and what the generator knows about them."""

    def __init__(self, accounts: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.accounts, self.seed = accounts, seed
        self.rows: dict[str, list[dict]] = {name: [] for name in legacy_tables().tables}
        self.dirt: dict[str, list[str]] = {code: [] for code in DIRT}
        self.cascade: dict[str, int] = {}  # rows rejected with PARENT_REJECTED, per entity
        self.broken_balances: set[tuple[int, int, int]] = set()

    def date(self, first: dt.date, last: dt.date) -> dt.date:
        return first + dt.timedelta(days=self.rng.randint(0, (last - first).days))

    def build(self) -> "Legacy":
        rng = self.rng
        self.rows["usluga"] = [{"kod": kod, "naim": naim, "ed_izm": unit} for kod, naim, unit, _ in SERVICES]
        self.dirt["S1"].append("15")
        self.rows["period"] = [{"period": p, "zakryt": 1} for p in CLOSED] + [{"period": OPEN, "zakryt": 0}]
        communal = set(rng.sample(range(2, self.accounts), 3))  # these share the previous account's flat
        two_accounts = set(rng.sample(sorted(set(range(1, self.accounts)) - communal), 2))  # owner of the previous
        antenna = set(rng.sample(range(self.accounts), max(2, self.accounts // 8)))
        for index in range(self.accounts):
            self.account(index, index in communal, index in two_accounts, index in antenna)
        self.orphan_meter()
        for row in rng.sample(sorted(set(self.dirt_candidates())), 2):
            self.break_identity(row)
        return self

    def person(self) -> int:
        rng = self.rng
        last, first, patronymic = rng.choice(MALE if rng.random() < 0.5 else FEMALE)
        if rng.random() < 0.4:  # another first name and patronymic of the same kind
            _, first, patronymic = rng.choice(MALE if last in {m[0] for m in MALE} else FEMALE)
        person_id = 1001 + len(self.rows["abonent"])
        self.rows["abonent"].append({
            "id": person_id, "familiya": last, "imya": first,
            "otchestvo": None if rng.random() < 0.08 else patronymic,
            "data_rozhd": None if rng.random() < 0.15 else self.date(dt.date(1940, 1, 1), dt.date(2004, 12, 31)),
        })
        return person_id

    def premise(self, village: bool) -> int:
        rng = self.rng
        settlement, streets = rng.choice(VILLAGES if village else CITIES)
        address_id = 501 + len(self.rows["adres"])
        self.rows["adres"].append({
            "id": address_id, "gorod": settlement, "ulica": rng.choice(streets),
            "dom": f"{rng.randint(1, 60)}{'а' if rng.random() < 0.05 else ''}",
            "korpus": str(rng.randint(1, 3)) if not village and rng.random() < 0.1 else None,
            "kvartira": None if village else str(len(self.rows["adres"]) * 3 + rng.randint(0, 2)),
            "fias_guid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        })
        return address_id

    def account(self, index: int, communal: bool, same_owner: bool, antenna: bool) -> None:
        rng = self.rng
        previous = self.rows["lic_schet"][-1] if self.rows["lic_schet"] else None
        village = rng.random() < 0.2 and not communal
        account_id = 1 + index
        self.rows["lic_schet"].append({
            "id": account_id, "nomer": f"{rng.randint(10, 99)}{account_id:05d}",
            "abonent_id": previous["abonent_id"] if same_owner else self.person(),
            "adres_id": previous["adres_id"] if communal else self.premise(village),
            "ploshad": Decimal(rng.randint(1800, 9800)) / 100, "prozhivaet": rng.choice((0, 1, 1, 2, 2, 3, 4)),
            "data_otkr": self.date(dt.date(2005, 1, 1), dt.date(2025, 12, 31)),
        })
        address = self.rows["lic_schet"][-1]["adres_id"]
        house = next(a for a in self.rows["adres"] if a["id"] == address)["kvartira"] is None
        services = HOUSE_SERVICES if house else FLAT_SERVICES
        for kod in services:
            if kod in (1, 2, 5, 6) and not (kod == 6 and rng.random() < 0.5):
                self.meter(account_id, kod, replaced=kod == 1 and index == 5)
        for kod in services + ((15,) if antenna else ()):
            self.balances(account_id, kod)

    def meter(self, account_id: int, kod: int, replaced: bool = False, orphan: bool = False,
              replacement: bool = False) -> int:
        rng = self.rng
        zones = 2 if kod == 5 and rng.random() < 0.4 else 1
        interval = {1: 6, 2: 4, 5: 16, 6: 10}[kod]
        installed = self.date(dt.date(2012, 1, 1), dt.date(2025, 6, 30))
        meter = {
            "id": 100001 + len(self.rows["schetchik"]), "lic_schet_id": account_id, "usluga_kod": kod,
            "zav_nomer": f"{rng.choice(('ВСКМ', 'СГВ', 'ЭКО', 'NP'))}-{rng.randint(0, 999999):06d}",
            "razryadnost": 6 if kod == 5 else 5, "zony": zones, "data_ust": installed,
            "data_pov": max(installed, self.date(dt.date(2024, 1, 1), dt.date(2025, 12, 31))), "mpi": interval,
            "koef": Decimal("1") if kod != 5 or rng.random() < 0.9 else Decimal("2.5"),
            "status": "Р", "zamenen_na": None,
        }
        self.rows["schetchik"].append(meter)
        months, start = READING_MONTHS, Decimal(rng.randint(100, 40000))
        if replacement:  # installed at the end of July, read from August, starting near zero
            meter["data_ust"] = meter["data_pov"] = dt.date(2026, 7, 28)
            months, start = READING_MONTHS[3:], Decimal("0.5")
        if replaced:  # read until July, then replaced by a new meter
            meter["status"] = "А"
            meter["zamenen_na"] = self.meter(account_id, kod, replacement=True)
            months = READING_MONTHS[:3]
        scale = 1 if kod == 5 else 3
        for zone in range(1, zones + 1):
            self.readings(meter["id"], zone, months, start, scale, orphan)
        return meter["id"]

    def readings(self, meter_id: int, zone: int, months, start: Decimal, scale: int, orphan: bool = False) -> None:
        rng = self.rng
        value = start
        for year, month in months:
            value += Decimal(rng.randint(1, 30 * 10 ** scale)) / 10 ** scale
            self.rows["pokazanie"].append({
                "id": 1 + len(self.rows["pokazanie"]), "schetchik_id": meter_id, "zona": zone,
                "data": dt.date(year, month, rng.randint(18, 25)), "znachenie": value,
                "istochnik": rng.choice("ААААККПД"),
            })
            if orphan:
                self.cascade["readings"] = self.cascade.get("readings", 0) + 1

    def balances(self, account_id: int, kod: int) -> None:
        rng = self.rng
        opening = rng.randint(-50_000, 400_000)
        monthly = rng.randint(5_000, 350_000)
        for period in (*CLOSED, OPEN):
            charged = 0 if kod == 4 and period < 202610 else monthly + rng.randint(-3_000, 3_000)
            recalculated = rng.randint(-20_000, 20_000) if rng.random() < 0.07 else 0
            paid = 0 if rng.random() < 0.1 else max(0, min(opening + charged, rng.randint(0, 2 * monthly)))
            if period == OPEN:  # the month still open: charged so far, nothing else settled
                recalculated = paid = 0
            closing = opening + charged + recalculated - paid
            self.rows["saldo"].append({"lic_schet_id": account_id, "usluga_kod": kod, "period": period,
                                       "vh_kop": opening, "nach_kop": charged, "perer_kop": recalculated,
                                       "opl_kop": paid, "ish_kop": closing})
            if kod == 15 and period in CLOSED:
                self.cascade["balances"] = self.cascade.get("balances", 0) + 1
            opening = closing

    def orphan_meter(self) -> None:
        meter_id = self.meter(self.accounts + 900, 1, orphan=True)
        self.dirt["S2"].append(str(meter_id))

    def dirt_candidates(self):
        return ((r["lic_schet_id"], r["usluga_kod"], r["period"]) for r in self.rows["saldo"]
                if r["period"] in (202609, 202610) and r["usluga_kod"] != 15)

    def break_identity(self, key: tuple[int, int, int]) -> None:
        row = next(r for r in self.rows["saldo"] if (r["lic_schet_id"], r["usluga_kod"], r["period"]) == key)
        row["ish_kop"] += self.rng.randint(1, 99)
        self.broken_balances.add(key)
        self.dirt["S3"].append("|".join(str(part) for part in key))

    def expected(self) -> dict:
        """Counts and money the dry run must report, from the rows as made."""
        closed = [r for r in self.rows["saldo"] if r["period"] in CLOSED]
        rejected_balance = {(r["lic_schet_id"], r["usluga_kod"], r["period"]) for r in closed
                            if TARGET[r["usluga_kod"]] is None} | self.broken_balances
        premises = len({r["adres_id"] for r in self.rows["lic_schet"]})
        orphan_readings = self.cascade.get("readings", 0)

        def counts(source: int, rejected: int) -> dict:
            return {"loaded": source - rejected, "rejected": rejected, "source_rows": source}

        money: dict[str, dict[str, int]] = {}
        totals: dict[str, dict[str, dict[str, int]]] = {}
        for row in closed:
            code = TARGET[row["usluga_kod"]] or f"legacy:{row['usluga_kod']}"
            failed = (row["lic_schet_id"], row["usluga_kod"], row["period"]) in rejected_balance
            period = f"{str(row['period'])[:4]}-{str(row['period'])[4:]}"
            if period == SWITCH_PERIOD:
                line = money.setdefault(code, {"rejected": 0, "source": 0, "target": 0})
                line["source"] += row["ish_kop"]
                line["rejected" if failed else "target"] += row["ish_kop"]
            if not failed:
                sums = totals.setdefault(period, {}).setdefault(code, dict.fromkeys(MEASURES, 0))
                for measure, column in zip(MEASURES, ("vh_kop", "nach_kop", "perer_kop", "opl_kop", "ish_kop")):
                    sums[measure] += row[column]
        total = {k: sum(line[k] for line in money.values()) for k in ("rejected", "source", "target")}
        return {
            "generator": {"accounts": self.accounts, "seed": self.seed},
            "period": SWITCH_PERIOD,
            "tables": {name: len(rows) for name, rows in self.rows.items()},
            "entities": {
                "services": counts(len(SERVICES), 1), "persons": counts(len(self.rows["abonent"]), 0),
                "premises": counts(premises, 0), "accounts": counts(len(self.rows["lic_schet"]), 0),
                "meters": counts(len(self.rows["schetchik"]), 1),
                "readings": counts(len(self.rows["pokazanie"]), orphan_readings),
                "balances": counts(len(closed), len(rejected_balance)),
            },
            "rejects_by_rule": {
                "services": {"UNKNOWN_CODE": 1}, "meters": {"ORPHAN_METER": 1},
                "readings": {"PARENT_REJECTED": orphan_readings},
                "balances": {"BAL_IDENTITY": len(self.broken_balances), "PARENT_REJECTED": self.cascade["balances"]},
            },
            "warnings_by_rule": {},
            "money": {"measure": "closing", "period": SWITCH_PERIOD, "services": money, "total": total},
            "target_totals": totals,
            "dirt": [
                {"code": code, "kind": kind, "table": table, "rule": rule, "keys": self.dirt[code],
                 "rows": len(self.dirt[code]),
                 "cascade_parent_rejected": {"S1": {"balances": self.cascade["balances"]},
                                             "S2": {"readings": orphan_readings}}.get(code, {})}
                for code, (kind, table, rule) in DIRT.items()
            ],
        }


def write_database(url: str, legacy: Legacy) -> None:
    """Create the legacy tables at ``url`` (dropping the old ones) and insert every row."""
    engine = sa.create_engine(url)
    metadata = legacy_tables()
    try:
        with engine.begin() as connection:
            metadata.drop_all(connection)
            metadata.create_all(connection)
            for name, table in metadata.tables.items():
                if legacy.rows[name]:
                    connection.execute(table.insert(), legacy.rows[name])
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="SQLAlchemy URL of the (empty or throwaway) legacy database")
    parser.add_argument("--accounts", type=int, default=60)
    parser.add_argument("--seed", type=int, default=20261031)
    args = parser.parse_args(argv)
    if args.accounts < 10:
        parser.error("--accounts must be at least 10 (the dirt needs room)")
    legacy = Legacy(args.accounts, args.seed).build()
    write_database(args.url, legacy)
    (HERE / "expected.json").write_text(json.dumps(legacy.expected(), ensure_ascii=False, indent=2, sort_keys=True)
                                        + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
