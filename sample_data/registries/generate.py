#!/usr/bin/env python3
"""Generate sample payment registries of the sample legacy system's consumers, and what translating them must give.

Seeded and deterministic, standard library only. Reads the sample's accounts
(``sample_data/sample_legacy/abonent.csv``) and its ``expected.json`` (which accounts the
migration rejects, which balances' accounts are not in the extract) and writes, in the agents'
layouts ``agents/generic.toml`` and ``agents/fixed_width.toml``:

- ``generic-20261103.txt``: cp1251, ``;``-separated, a title line, ``=count;sum`` footer;
- ``fixed-20261103.txt``: cp866, fixed width, amounts in kopecks, ``T<count><sum>`` trailer;
- ``expected.json``: per registry, the payments and their sum, which are translated (payment id ->
  legacy account) and which go back and why, the sums per period and service, computed here from
  what the generator made, never by cutover; and ``close_accounts``, the accounts a test closes in
  the target (after the switch, in the new system) before translating, whose payments go back.

    python sample_data/registries/generate.py            # rewrites the files beside this script
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
SAMPLE = HERE.parent / "sample_legacy"
SEED = 20261103
CLOSED_ON = "2026-11-01"  # the day the test closes the close_accounts in the target
SERVICES = ["01", "02", "03", "05", "07", "08"]
UNKNOWN_ACCOUNT = "99-000001"  # no such account in the legacy extract


def rub(kopecks: int, thousands: str = "") -> str:
    """Roubles with a decimal comma (``123456`` -> ``1234,56``; with ``thousands=" "``: ``1 234,56``)."""
    whole, cents = divmod(kopecks, 100)
    digits = str(whole)
    if thousands:
        groups = []
        while len(digits) > 3:
            groups.insert(0, digits[-3:])
            digits = digits[:-3]
        digits = thousands.join([digits] + groups)
    return f"{digits},{cents:02d}"


def decimal_text(kopecks: int) -> str:
    """The decimal text summary.json writes (``123456`` -> ``1234.56``)."""
    sign = "-" if kopecks < 0 else ""
    whole, cents = divmod(abs(kopecks), 100)
    return f"{sign}{whole}.{cents:02d}"


def sample_accounts() -> tuple[dict[str, tuple[str, str]], set[str], list[str]]:
    """The sample's accounts (number -> payer, address), those the migration rejects, and accounts
    its balances name that are not in the extract."""
    expected = json.loads((SAMPLE / "expected.json").read_text(encoding="utf-8"))
    text = (SAMPLE / "abonent.csv").read_text(encoding="cp1251")
    accounts: dict[str, tuple[str, str]] = {}
    for row in csv.DictReader(io.StringIO(text, newline=""), delimiter=";"):
        number = (row["ЛС"] or "").strip()
        if number:
            accounts.setdefault(number, (" ".join(row["ФИО"].split()), " ".join(row["Адрес"].split())))
    rejected = {key for item in expected["dirt"] if item["file"] == "abonent.csv" and item["effect"] == "rejected"
                for key in item["keys"]}
    orphans = next(item["keys"] for item in expected["dirt"] if item["code"] == "D6")
    return accounts, rejected, orphans


class Plan:
    """The payments of one registry and what must become of each."""

    def __init__(self, rng: random.Random, prefix: str, services: bool) -> None:
        self.rng, self.prefix, self.services = rng, prefix, services
        self.payments: list[dict] = []
        self.next_id = rng.randrange(100000, 900000)

    def add(self, account: str, payer: str, address: str, fate: str, **changes) -> dict:
        self.next_id += self.rng.randrange(1, 40)
        payment = {"account": account, "payer": payer, "address": address,
                   "period": self.rng.choice(["2026-10", "2026-10", "2026-11"]),
                   "service": self.rng.choice(SERVICES) if self.services else "",
                   "kopecks": self.rng.randrange(5_000, 1_250_000), "paid_on": f"0{self.rng.randrange(2, 6)}.11.2026",
                   "payment_id": f"{self.prefix}{self.next_id}", "fate": fate}
        payment.update(changes)
        self.payments.append(payment)
        return payment

    def expected(self, agent: str) -> dict:
        translated = [p for p in self.payments if p["fate"] == "translated"]
        returned = [p for p in self.payments if p["fate"] != "translated"]
        reasons: dict[str, dict] = {}
        for payment in returned:
            entry = reasons.setdefault(payment["fate"], {"count": 0, "kopecks": 0, "payment_ids": []})
            entry["count"] += 1
            entry["kopecks"] += payment["kopecks"]
            entry["payment_ids"].append(payment["payment_id"])
        groups: dict[tuple[str, str], dict] = {}
        for payment in self.payments:
            group = groups.setdefault((payment.get("period_key", payment["period"]), payment["service"]),
                                      {"in": [0, 0], "translated": [0, 0], "returned": [0, 0]})
            for side in ("in", "translated" if payment["fate"] == "translated" else "returned"):
                group[side][0] += 1
                group[side][1] += payment["kopecks"]

        def totals(items) -> dict:
            return {"count": len(items), "sum": decimal_text(sum(p["kopecks"] for p in items))}
        return {
            "agent": agent, "in": totals(self.payments), "translated": totals(translated), "returned": totals(returned),
            "returned_by_reason": {reason: {"count": e["count"], "sum": decimal_text(e["kopecks"]),
                                            "payment_ids": e["payment_ids"]} for reason, e in sorted(reasons.items())},
            "by_period_service": [{"period": period, "service": service,
                                   **{side: {"count": c, "sum": decimal_text(k)} for side, (c, k) in sides.items()}}
                                  for (period, service), sides in sorted(groups.items())],
            "translated_accounts": {p["payment_id"]: p["account"] for p in translated},
        }


def plan_payments(rng: random.Random, prefix: str, services: bool, size: int, accounts, rejected, orphans,
                  closed: list[str], closing: list[str]) -> Plan:
    """``size`` payments of migrated accounts (one account paying twice), two of rejected accounts, two
    of unknown ones, one of each of ``closed`` (paid after the closing day), one malformed, and one
    payment sent twice; ``closing``: every account the test closes (none of them is paid otherwise)."""
    plan = Plan(rng, prefix, services)
    migrated = sorted(number for number in accounts if number not in rejected and number not in closing)
    for number in rng.sample(migrated, size):
        plan.add(number, *accounts[number], "translated")
    again = plan.payments[0]  # the same account paying for another month
    plan.add(again["account"], again["payer"], again["address"], "translated", period="2026-09")
    for number in (sorted(rejected)[0], sorted(rejected)[2]):  # PARENT_REJECTED, DUPLICATE_KEY
        plan.add(number, *accounts[number], "REJECTED_ACCOUNT")
    plan.add(orphans[0], "Петров Пётр Петрович", "г. Энск, ул. Новая, д. 9, кв. 9", "UNKNOWN_ACCOUNT")
    plan.add(UNKNOWN_ACCOUNT, "Сидорова Анна Ивановна", "г. Энск, ул. Полевая, д. 2", "UNKNOWN_ACCOUNT")
    for number in closed:
        plan.add(number, *accounts[number], "CLOSED_ACCOUNT")
    broken = rng.choice(migrated)
    if services:
        plan.add(broken, *accounts[broken], "MALFORMED", paid_on="31.11.2026")  # no 31 November
    else:
        plan.add(broken, *accounts[broken], "MALFORMED", period="2026-13", period_key="132026")  # no month 13
    rng.shuffle(plan.payments)
    at, first = next((i, p) for i, p in enumerate(plan.payments) if p["fate"] == "translated")
    duplicate = dict(first, fate="DUPLICATE_PAYMENT")  # the agent sent one payment twice in a registry
    plan.payments.insert(max(at + 1, len(plan.payments) - 3), duplicate)
    return plan


def period_text(period: str) -> str:
    year, month = period.split("-")
    return f"{month}{year}"


def write_generic(plan: Plan, path: Path) -> None:
    lines = ["ЛС;ФИО;Адрес;Период;КодУслуги;Сумма;ДатаОплаты;НомерПлатежа"]
    for p in plan.payments:
        amount = rub(p["kopecks"], " " if p["kopecks"] >= 500_000 else "")  # some amounts with a space in them
        lines.append(";".join([p["account"], p["payer"], p["address"], period_text(p["period"]), p["service"],
                               amount, p["paid_on"], p["payment_id"]]))
    lines.append(f"={len(plan.payments)};{rub(sum(p['kopecks'] for p in plan.payments), ' ')}")
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1251"))


def write_fixed(plan: Plan, path: Path) -> None:
    lines = ["H" + "ПОЧТА-ЭНСК".ljust(20) + "03112026" + "РЕЕСТР ПЛАТЕЖЕЙ"]
    for p in plan.payments:
        period = "132026" if p["period"] == "2026-13" else period_text(p["period"])
        day, month, year = p["paid_on"].split(".")
        lines.append(p["account"].ljust(12) + p["payer"][:40].ljust(40) + p["address"][:60].ljust(60) + period
                     + str(p["kopecks"]).rjust(12, "0") + f"{day}{month}{year}" + p["payment_id"].rjust(12))
    lines.append("T" + str(len(plan.payments)).rjust(8, "0") + str(sum(p["kopecks"] for p in plan.payments)).rjust(14, "0"))
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp866"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    accounts, rejected, orphans = sample_accounts()
    candidates = sorted(number for number in accounts if number not in rejected)
    closed = rng.sample(candidates, 2)
    generic = plan_payments(rng, "SB", True, 40, accounts, rejected, orphans, closed, closed)
    fixed = plan_payments(rng, "", False, 30, accounts, rejected, orphans, closed[:1], closed)
    args.out.mkdir(parents=True, exist_ok=True)
    write_generic(generic, args.out / "generic-20261103.txt")
    write_fixed(fixed, args.out / "fixed-20261103.txt")
    expected = {"generator": {"seed": args.seed, "sample": "sample_legacy"},
                "close_accounts": {number: CLOSED_ON for number in sorted(closed)},
                "registries": {"generic-20261103.txt": generic.expected("generic"),
                               "fixed-20261103.txt": fixed.expected("fixed_width")}}
    (args.out / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
