"""Late readings of the sample legacy system, sent after the switch by legacy account and meter.

    python sample_data/late_readings/generate.py [--seed 20261120]

writes ``readings_2026-11.csv`` (cp1251, ``;``, a header line, decimal commas, dd.mm.yyyy dates:
the layout ``readings/sample.toml``) and ``expected.json`` next to this script, from the files
of ``sample_data/sample_legacy`` and its ``expected.json`` alone, never through cutover: what
each line must become is worked out here, independently of the engine.

The meters chosen are clean ones (no dirt of the sample on them, their account or their
readings; working, never replaced), so the migration loaded them with every reading; each
line's previous reading is the meter and zone's last reading in ``pokazanie.csv``. The file
holds, in a shuffled order:

- readings taken: half named by the legacy meter key (КодПУ), half by the account (ЛС) and the
  meter's serial (ЗавНомер), each above its meter's last reading;
- READ_DECREASE: below the last reading (and no roll-over: the last reading is far from the
  meter's digit capacity);
- ORPHAN_READING: a meter key no meter has, and an account no account has;
- PARENT_REJECTED: a reading of a meter the migration rejected (dirt D4, ORPHAN_METER);
- READ_FUTURE: dated after 30.11.2026, the end of the open period;
- READ_NOT_AFTER_LAST: dated on the day of the meter's last reading (sent again);
- BAD_NUMBER, BAD_DATE: a value and a date nobody can read;
- DUPLICATE_KEY: the same meter, zone and day on two lines (neither is taken).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
LEGACY = HERE.parent / "sample_legacy"
FILE = "readings_2026-11.csv"
HEADER = ["ЛС", "ЗавНомер", "КодПУ", "Зона", "Дата", "Показание"]
PERIOD = "2026-11"
ZONES = {"1": "T1", "2": "T2", "3": "T3"}
SEED = 20261120
TAKEN = 24  # readings that must be taken


def _rows(name: str) -> list[dict]:
    with (LEGACY / name).open(encoding="cp1251", newline="") as source:
        return [row for row in csv.DictReader(source, delimiter=";") if any((v or "").strip() for v in row.values())]


def _dirty(expected: dict) -> tuple[set[str], set[str]]:
    """The accounts (ЛС) and meters (КодПУ) some dirt of the sample sits on."""
    accounts, meters = set(), set()
    for dirt in expected["dirt"]:
        if not dirt["code"].startswith("D"):
            continue
        for key in dirt["keys"]:
            parts = key.split(":")
            if dirt["file"] == "abonent.csv":
                accounts.add(key)
            elif dirt["file"] == "saldo.csv":
                accounts.add(parts[1] if len(parts) == 3 else key)
            elif dirt["file"] in ("schetchik.csv", "pokazanie.csv"):
                meters.add(parts[0])
    return accounts, meters


def _decimal(text: str) -> Decimal:
    return Decimal(text.replace(",", ".").replace(" ", ""))


def _comma(value: Decimal) -> str:
    return _canonical(value).replace(".", ",")


def _canonical(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def build(seed: int = SEED) -> tuple[list[list[str]], dict]:
    """The file's lines (the header first) and what each must become."""
    rng = random.Random(seed)
    expected_sample = json.loads((LEGACY / "expected.json").read_text(encoding="utf-8"))
    dirty_accounts, dirty_meters = _dirty(expected_sample)
    meters = _rows("schetchik.csv")
    serial_count: dict[tuple[str, str], int] = {}
    for meter in meters:
        serial_count[(meter["ЛС"], meter["ЗавНомер"])] = serial_count.get((meter["ЛС"], meter["ЗавНомер"]), 0) + 1
    replaced = {meter["Замена"] for meter in meters if meter["Замена"]}
    clean = {meter["КодПУ"]: meter for meter in meters
             if meter["КодПУ"] not in dirty_meters and meter["ЛС"] not in dirty_accounts and meter["Статус"] == "Р"
             and not meter["Замена"] and meter["КодПУ"] not in replaced
             and serial_count[(meter["ЛС"], meter["ЗавНомер"])] == 1 and meter["ЗавНомер"].strip() == meter["ЗавНомер"]}
    last: dict[tuple[str, str], tuple[dt.date, Decimal]] = {}
    for reading in _rows("pokazanie.csv"):
        if reading["КодПУ"] not in clean:
            continue
        on = dt.datetime.strptime(reading["Дата"], "%d.%m.%Y").date()
        key = (reading["КодПУ"], reading["Зона"])
        if key not in last or on > last[key][0]:
            last[key] = (on, _decimal(reading["Показание"]))
    pairs = sorted(key for key, (on, value) in last.items()
                   if value < Decimal(9) * 10 ** (int(clean[key[0]]["Разрядность"]) - 1) - 1000 and value >= 10)
    chosen = rng.sample(pairs, TAKEN + 4)
    lines: list[dict] = []

    def line(meter_key: str, zone: str, on: str, value: str, by: str, expect: dict) -> None:
        meter = clean.get(meter_key, {"ЛС": "", "ЗавНомер": ""})
        fields = ([meter["ЛС"], meter["ЗавНомер"], "", zone, on, value] if by == "account"
                  else ["", "", meter_key, zone, on, value])
        lines.append({"fields": fields, **expect})

    for number, (meter_key, zone) in enumerate(chosen[:TAKEN]):
        held_on, held = last[(meter_key, zone)]
        consumption = Decimal(rng.randint(1, 400)) + Decimal(rng.randint(0, 999)) / 1000
        on = dt.date(2026, 11, rng.randint(18, 25))
        line(meter_key, zone, on.strftime("%d.%m.%Y"), _comma(held + consumption), "key" if number % 2 else "account",
             {"expect": "accepted", "meter_key": meter_key, "zone": ZONES[zone], "read_on": on.isoformat(),
              "value": _canonical(held + consumption), "previous": _canonical(held)})
    decrease_key, decrease_zone = chosen[TAKEN]
    held_on, held = last[(decrease_key, decrease_zone)]
    lower = (held / 2).quantize(Decimal("0.001"))
    line(decrease_key, decrease_zone, "21.11.2026", _comma(lower), "account",
         {"expect": "rejected", "rule": "READ_DECREASE", "value": _canonical(lower), "previous": _canonical(held)})
    line("999999", "1", "21.11.2026", "100", "key", {"expect": "rejected", "rule": "ORPHAN_READING",
                                                     "meter_key": "999999"})
    lines.append({"fields": ["99-999999", "123456", "", "1", "21.11.2026", "100"], "expect": "rejected",
                  "rule": "ORPHAN_READING", "account": "99-999999"})
    orphan = next(d for d in expected_sample["dirt"] if d["code"] == "D4")["keys"][0]
    line(orphan, "1", "21.11.2026", "100", "key", {"expect": "rejected", "rule": "PARENT_REJECTED",
                                                   "meter_key": orphan, "because": "ORPHAN_METER"})
    future_key, future_zone = chosen[TAKEN + 1]
    line(future_key, future_zone, "05.12.2026", _comma(last[(future_key, future_zone)][1] + 5), "key",
         {"expect": "rejected", "rule": "READ_FUTURE"})
    again_key, again_zone = chosen[TAKEN + 2]
    again_on, again_value = last[(again_key, again_zone)]
    line(again_key, again_zone, again_on.strftime("%d.%m.%Y"), _comma(again_value), "account",
         {"expect": "rejected", "rule": "READ_NOT_AFTER_LAST"})
    line(chosen[0][0], chosen[0][1], "22.11.2026", "12,3,4", "key", {"expect": "rejected", "rule": "BAD_NUMBER"})
    line(chosen[1][0], chosen[1][1], "31.11.2026", "100", "key", {"expect": "rejected", "rule": "BAD_DATE"})
    twice_key, twice_zone = chosen[TAKEN + 3]
    for _ in range(2):
        line(twice_key, twice_zone, "23.11.2026", _comma(last[(twice_key, twice_zone)][1] + 7), "key",
             {"expect": "rejected", "rule": "DUPLICATE_KEY"})
    rng.shuffle(lines)
    rows = [HEADER] + [entry.pop("fields") for entry in lines]
    for number, entry in enumerate(lines, start=2):  # line 1 is the header
        entry["line"] = number
    accepted = sum(entry["expect"] == "accepted" for entry in lines)
    by_rule: dict[str, int] = {}
    for entry in lines:
        if entry["expect"] == "rejected":
            by_rule[entry["rule"]] = by_rule.get(entry["rule"], 0) + 1
    return rows, {"generator": {"seed": seed}, "file": FILE, "layout": "sample", "period": PERIOD,
                  "line_count": len(lines), "accepted": accepted, "rejected": len(lines) - accepted,
                  "by_rule": dict(sorted(by_rule.items())), "lines": sorted(lines, key=lambda e: e["line"])}


def write(folder: Path = HERE, seed: int = SEED) -> None:
    rows, expected = build(seed)
    with (folder / FILE).open("w", encoding="cp1251", newline="") as out:
        csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
    (folder / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=SEED)
    write(seed=parser.parse_args().seed)
