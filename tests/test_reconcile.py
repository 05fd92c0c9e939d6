"""`cutover reconcile`: a run's source against the target, item by item, and what changed since
the previous run.

The fixture is a tiny customer base in the sample legacy system's layout (cp1251, ';'):

- accounts 01-000001 .. 01-000004, each with balances of 2026-09 and 2026-10 for services
  01 (cold_water) and 02 (hot_water); meters 1001 (01-000001, two zones), 1002 (01-000002),
  1004 (01-000004), two readings per meter and zone;
- one dirty row: the 2026-10 balance of 01-000003 for service 02 breaks the balance identity
  (BAL_IDENTITY), so it is rejected: 16 balances, 15 loaded.

``tampered`` then changes the target by hand, documenting exactly four differences:

1. one kopeck: the 2026-10 closing balance of 01-000001, service 01, is 1 kopeck higher;
2. a missing account: 01-000004 is deleted with its balances, meter 1004 and its readings;
3. an extra meter: meter "M-EXTRA" on 01-000002 exists only in the target;
4. a changed last reading: meter 1002, zone T1, 2026-10-25: 160 becomes 170.5.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from openpyxl import load_workbook
from snapshot import assert_snapshot, workbook_text
from support import load_generator, write_project

from cutover.cli import cli
from cutover.config import load_project
from cutover.reconcile.source_side import read_facts
from cutover.run.dry_run import dry_run, reconcile
from cutover.schema.tables import target_metadata
from cutover.target import db

HEADERS = load_generator().HEADERS  # the sample legacy system's files, as the generator writes them
NAMES = ["Иванов Иван Иванович", "Петрова Анна Сергеевна", "Сидоров Пётр Ильич", "Козлова Мария Петровна",
         "Орлов Олег Олегович"]


def _account(number: int) -> str:
    return f"01-00000{number}"


def _balances(number: int, services=("01", "02")) -> list[str]:
    rows = []
    for service in services:
        opening, charged, paid = 100 * number, 50 + number, 30
        closing = opening + charged - paid
        rows.append(f"202609;{_account(number)};{service};{opening},00;{charged},00;0,00;-{paid},00;{closing},00")
        rows.append(f"202610;{_account(number)};{service};{closing},00;{charged},00;0,00;-{paid},00;"
                    f"{closing + charged - paid},00")
    return rows


def base_files() -> dict[str, list[str]]:
    """The fixture's rows per file (without headers)."""
    saldo = [row for number in (1, 2, 3, 4) for row in _balances(number)]
    saldo = [row[:-len("339,00")] + "999,99" if row.startswith("202610;01-000003;02;") else row for row in saldo]
    return {
        "abonent.csv": [f"{_account(n)};{NAMES[n - 1]};г. Энск, ул. Лесная, д. {n}, кв. {n};01.02.1960;40,5;1;"
                        f"01.01.2015" for n in (1, 2, 3, 4)],
        "usluga.csv": ["01;Холодное водоснабжение;м3", "02;Горячее водоснабжение;м3"],
        "schetchik.csv": [f"100{n};{_account(n)};01;SN{n};6;{2 if n == 1 else 1};01.01.2024;01.01.2024;6;1;Р;"
                          for n in (1, 2, 4)],
        "pokazanie.csv": [f"100{n};{zone};{day}.{month}.2026;{value};К"
                          for n in (1, 2, 4) for zone in ((1, 2) if n == 1 else (1,))
                          for day, month, value in (("25", "09", 100 + n), ("25", "10", 150 + 10 * n))],
        "saldo.csv": saldo,
    }


def write_sources(folder: Path, files: dict[str, list[str]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in files.items():
        (folder / name).write_bytes(("\r\n".join([HEADERS[name], *rows]) + "\r\n").encode("cp1251"))
    return folder


# One of the eight balances of 2026-10 is rejected on purpose, more than 5 % of the month's money;
# from night to night a record of four accounts is more than 5 % of a file.
GATES = "[gates]\nmax_rejected_money_share = 1\nmax_fall = 1\n"


def _project(tmp_path: Path, target_url: str) -> Path:
    return write_project(tmp_path / "project", "sample_legacy", write_sources(tmp_path / "src", base_files()),
                         target_url=target_url, extra=GATES)


def _ids(connection, entity: str, key: str) -> int:
    key_map = target_metadata().tables["key_map"]
    return connection.execute(sa.select(key_map.c.target_id).where(key_map.c.entity == entity,
                                                                   key_map.c.legacy_key == key)).scalar_one()


def tamper(target_url: str) -> None:
    """Make the four documented differences in the target."""
    tables = target_metadata().tables
    account, meter, reading, balance, key_map = (tables[t] for t in ("account", "meter", "reading", "balance", "key_map"))
    engine = db.create_target_engine(target_url)
    with engine.begin() as connection:
        first, fourth = _ids(connection, "account", "01-000001"), _ids(connection, "account", "01-000004")
        service = _ids(connection, "service", "01")
        connection.execute(balance.update().where(balance.c.account_id == first, balance.c.service_id == service,
                                                  balance.c.period == "2026-10")
                           .values(closing_kopecks=balance.c.closing_kopecks + 1))
        gone_meter = _ids(connection, "meter", "1004")
        connection.execute(reading.delete().where(reading.c.meter_id == gone_meter))
        connection.execute(meter.delete().where(meter.c.id == gone_meter))
        connection.execute(balance.delete().where(balance.c.account_id == fourth))
        connection.execute(account.delete().where(account.c.id == fourth))
        template = connection.execute(sa.select(meter).where(meter.c.id == _ids(connection, "meter", "1002"))).one()
        connection.execute(meter.insert().values({**template._mapping, "id": 990001, "serial": "EXTRA"}))
        connection.execute(key_map.insert().values(entity="meter", legacy_key="M-EXTRA", target_id=990001,
                                                   first_run_id="by hand", last_run_id="by hand"))
        connection.execute(reading.update().where(reading.c.meter_id == _ids(connection, "meter", "1002"),
                                                  reading.c.zone == "T1", reading.c.read_on == dt.date(2026, 10, 25))
                           .values(value="170.5"))
    engine.dispose()


EXPECTED_ROWS = [
    {"kind": "account", "problem": "missing in target", "legacy_key": "01-000004", "column": None, "source": None,
     "target": None},
    {"kind": "meter", "problem": "not in source", "legacy_key": "M-EXTRA", "column": None, "source": None,
     "target": None},
    {"kind": "balance", "problem": "differs", "legacy_key": "01-000001|01|2026-10", "column": "closing",
     "source": "142.00", "target": "142.01"},
    {"kind": "last reading", "problem": "differs", "legacy_key": "1002|T1", "column": "value", "source": "170",
     "target": "170.5"},
]


def test_a_clean_run_reconciles_item_by_item(target_url, tmp_path):
    result = dry_run(load_project(_project(tmp_path, target_url)))
    assert result.status == "reconciled", result.summary["differences"]
    assert result.summary["row_differences"] == {"total": 0, "by_kind": {}, "rows": []}
    assert result.summary["entities"]["balances"] == {"source_rows": 16, "loaded": 15, "rejected": 1, "warnings": 0}
    assert result.summary["rejects_by_rule"] == {"balances": {"BAL_IDENTITY": 1}}
    # closing of 2026-10 for hot water: 142 + 244 + 448 loaded, 999.99 rejected (the identity wants 346)
    assert result.summary["money_by_measure"]["services"]["hot_water"]["closing"] == {
        "source": "1833.99", "target": "834.00", "rejected": "999.99", "control": "1833.99", "filtered": "0.00",
        "unreadable": 0, "difference": "0.00"}


def test_reconcile_reports_exactly_the_documented_differences(target_url, tmp_path):
    project = load_project(_project(tmp_path, target_url))
    run_id = dry_run(project).run_id
    tamper(target_url)
    result = reconcile(project)
    summary = result.summary
    assert (result.run_id, result.status) == (run_id, "differences")
    assert summary["row_differences"] == {
        "total": 4,
        "by_kind": {"account: missing in target": 1, "balance: differs": 1, "last reading: differs": 1,
                    "meter: not in source": 1},
        "rows": EXPECTED_ROWS,
    }
    # What follows from them: account 01-000004 held per service a 2026-09 balance (opening 400,
    # charged 54, paid 30, closing 424) and a 2026-10 one (424, 54, 30, 448), meter 1004 two
    # readings. Per service and month the source holds: 2026-09 opening 100+200+300+400 = 1000,
    # charged 51+52+53+54 = 210, paid 4 x 30 = 120, closing 1090; 2026-10 opening 1090, charged
    # 210, paid 120, closing 142+244+346+448 = 1180, but for hot water 01-000003 wrote 999,99 for
    # its 346 (rejected). Meters still count 3 = 3: one gone, one extra; only the item-level
    # comparison tells.
    assert summary["differences"] == [
        "accounts: 4 source rows but 3 loaded + 0 rejected",
        "readings: 8 source rows but 6 loaded + 0 rejected",
        "balances: 16 source rows but 11 loaded + 1 rejected",
        *(f"money service {code} ({name}) {measure} 2026-09: the source holds {source}, but target {target} + "
          f"rejected 0,00 (difference {difference})"
          for code, name in (("01", "cold_water"), ("02", "hot_water"))
          for measure, source, target, difference in (("opening", "1 000,00", "600,00", "400,00"),
                                                      ("charged", "210,00", "156,00", "54,00"),
                                                      ("paid", "120,00", "90,00", "30,00"),
                                                      ("closing", "1 090,00", "666,00", "424,00"))),
        "money service 01 (cold_water) opening 2026-10: the source holds 1 090,00, but target 666,00 + rejected "
        "0,00 (difference 424,00)",
        "money service 01 (cold_water) charged 2026-10: the source holds 210,00, but target 156,00 + rejected 0,00 "
        "(difference 54,00)",
        "money service 01 (cold_water) paid 2026-10: the source holds 120,00, but target 90,00 + rejected 0,00 "
        "(difference 30,00)",
        "money service 01 (cold_water) closing 2026-10: the source holds 1 180,00, but target 732,01 + rejected "
        "0,00 (difference 447,99)",
        "money service 02 (hot_water) opening 2026-10: the source holds 1 090,00, but target 343,00 + rejected "
        "323,00 (difference 424,00)",
        "money service 02 (hot_water) charged 2026-10: the source holds 210,00, but target 103,00 + rejected 53,00 "
        "(difference 54,00)",
        "money service 02 (hot_water) paid 2026-10: the source holds 120,00, but target 60,00 + rejected 30,00 "
        "(difference 30,00)",
        "money service 02 (hot_water) closing 2026-10: the source holds 1 833,99, but target 386,00 + rejected "
        "999,99 (difference 448,00)",
        "account: missing in target: 1",
        "balance: differs: 1",
        "last reading: differs: 1",
        "meter: not in source: 1",
    ]
    written = json.loads((result.report_dir / "summary.json").read_text(encoding="utf-8"))
    assert written["row_differences"]["rows"] == EXPECTED_ROWS


def test_reconcile_command_exit_codes_and_quiet_verdict(tmp_path):
    folder = _project(tmp_path, f"sqlite:///{tmp_path / 'target.db'}")
    runner = CliRunner()
    first = runner.invoke(cli, ["--project", str(folder), "dry-run", "--quiet"])
    run_id = first.stdout.split()[0]
    assert first.exit_code == 0
    clean = runner.invoke(cli, ["--project", str(folder), "reconcile", "--quiet"])
    assert (clean.exit_code, clean.stdout) == (0, f"{run_id} reconciled\n")
    tamper(f"sqlite:///{tmp_path / 'target.db'}")
    found = runner.invoke(cli, ["--project", str(folder), "reconcile", "--run", run_id, "--quiet"])
    assert (found.exit_code, found.stdout) == (1, f"{run_id} differences\n")
    unknown = runner.invoke(cli, ["--project", str(folder), "reconcile", "--run", "20200101-000000-dry-run-0000"])
    assert unknown.exit_code == 2
    assert "there is no run 20200101-000000-dry-run-0000 in the target's journal" in unknown.output
    both = runner.invoke(cli, ["--project", str(folder), "reconcile", "--run", run_id, "--latest"])
    assert both.exit_code == 2 and "give --run RUN_ID or --latest, not both" in both.output


def test_only_the_run_the_target_holds_can_be_reconciled(tmp_path):
    folder = _project(tmp_path, f"sqlite:///{tmp_path / 'target.db'}")
    project = load_project(folder)
    older, newer = dry_run(project).run_id, dry_run(project).run_id
    result = CliRunner().invoke(cli, ["--project", str(folder), "reconcile", "--run", older])
    assert result.exit_code == 2
    assert (f"run {older} is not the one the target holds ({newer} loaded its rows after it): reconcile compares a "
            f"run's source with the target, so only {newer} can be reconciled (use --latest)") in result.output


def test_no_run_yet_exits_2(tmp_path):
    folder = _project(tmp_path, f"sqlite:///{tmp_path / 'target.db'}")
    CliRunner().invoke(cli, ["--project", str(folder), "db", "upgrade"])
    result = CliRunner().invoke(cli, ["--project", str(folder), "reconcile"])
    assert result.exit_code == 2
    assert "the target holds no finished dry run: run `cutover dry-run` first" in result.output


def test_live_reads_the_sources_again(tmp_path):
    """--live compares the sources as they are now: a balance changed in the file since the run
    differs from the target, while the run's snapshot still agrees with it."""
    folder = _project(tmp_path, f"sqlite:///{tmp_path / 'target.db'}")
    project = load_project(folder)
    dry_run(project)
    files = base_files()
    files["saldo.csv"] = [row.replace("202610;01-000002;01;222,00;52,00;0,00;-30,00;244,00",
                                      "202610;01-000002;01;222,00;52,00;0,00;-40,00;234,00") for row in files["saldo.csv"]]
    write_sources(tmp_path / "src", files)
    assert reconcile(project).status == "reconciled"
    live = reconcile(project, live=True)
    assert live.summary["row_differences"]["by_kind"] == {"balance: differs": 2}  # a row per column that differs
    assert [(r["legacy_key"], r["column"], r["source"], r["target"]) for r in live.summary["row_differences"]["rows"]] == [
        ("01-000002|01|2026-10", "paid", "40.00", "30.00"),
        ("01-000002|01|2026-10", "closing", "234.00", "244.00"),
    ]
    # what --live read is kept apart: the run's own facts, which the next night compares with, are the run's
    facts = pd.concat(read_facts(live.report_dir / "reconcile", "balances"))
    assert facts.loc[(facts["account"] == "01-000002") & (facts["service"] == "01") & (facts["period"] == "2026-10"),
                     "paid_kopecks"].tolist() == [3000]
    assert (live.report_dir / "reconcile-live" / "balances.parquet").is_file()


def night_two_files() -> dict[str, list[str]]:
    """The second night's extract, with these changes against ``base_files``:

    - account 01-000004 is gone with its 4 balances, meter 1004 and its readings;
    - account 01-000005 is new, with 4 balances;
    - meter 1003 is new on account 01-000003;
    - a payment: 01-000002, service 01, 2026-10 paid 30 -> 40, closing 244 -> 234;
    - the rejected balance of 01-000003, service 02, 2026-10 is fixed (closing 999.99 -> 346.00): the
      BAL_IDENTITY reject is fixed and the balance changed;
    - a reading of meter 1002 dated 31.02.2026 is new: a BAD_DATE reject.
    """
    files = base_files()
    files["abonent.csv"] = [row for row in files["abonent.csv"] if not row.startswith("01-000004")]
    files["abonent.csv"].append(f"01-000005;{NAMES[4]};г. Энск, ул. Лесная, д. 5, кв. 5;01.02.1960;40,5;1;01.01.2015")
    files["saldo.csv"] = [row.replace("202610;01-000002;01;222,00;52,00;0,00;-30,00;244,00",
                                      "202610;01-000002;01;222,00;52,00;0,00;-40,00;234,00")
                          .replace("999,99", "346,00")
                          for row in files["saldo.csv"] if ";01-000004;" not in row] + _balances(5)
    files["schetchik.csv"] = [row for row in files["schetchik.csv"] if not row.startswith("1004;")]
    files["schetchik.csv"].append("1003;01-000003;01;SN3;6;1;01.01.2024;01.01.2024;6;1;Р;")
    files["pokazanie.csv"] = [row for row in files["pokazanie.csv"] if not row.startswith("1004;")]
    files["pokazanie.csv"].append("1002;1;31.02.2026;180;К")
    return files


def test_changes_since_the_previous_run(target_url, tmp_path):
    folder = _project(tmp_path, target_url)
    first = dry_run(load_project(folder))
    assert first.summary["changes"] == {
        "previous_run": None, "note": "this is the first finished run of the project: nothing to compare with",
        "rejects": {}, "rows": []}
    write_sources(tmp_path / "src", night_two_files())
    second = dry_run(load_project(folder))
    changes = second.summary["changes"]
    assert changes["previous_run"] == first.run_id
    assert changes["rejects"] == {"balances": {"BAL_IDENTITY": {"new": 0, "fixed": 1}},
                                  "readings": {"BAD_DATE": {"new": 1, "fixed": 0}}}
    assert changes["accounts"] == {"added": 1, "removed": 1}
    assert changes["meters"] == {"added": 1, "removed": 1}
    assert changes["balances"] == {"changed": 2, "added": 4, "removed": 4}
    rows = [tuple(row[c] for c in ("change", "legacy_key", "column", "before", "after")) for row in changes["rows"]]
    assert rows == [
        ("reject new", "1002|1|31.02.2026", "Дата", None, None),
        ("reject fixed", "01-000003|02|202610", "СальдоИсх", None, None),
        ("account added", "01-000005", None, None, None),
        ("account removed", "01-000004", None, None, None),
        ("meter added", "1003", None, None, None),
        ("meter removed", "1004", None, None, None),
        ("balance added", "01-000005|01|2026-09", None, None, None),
        ("balance added", "01-000005|01|2026-10", None, None, None),
        ("balance added", "01-000005|02|2026-09", None, None, None),
        ("balance added", "01-000005|02|2026-10", None, None, None),
        ("balance removed", "01-000004|01|2026-09", None, None, None),
        ("balance removed", "01-000004|01|2026-10", None, None, None),
        ("balance removed", "01-000004|02|2026-09", None, None, None),
        ("balance removed", "01-000004|02|2026-10", None, None, None),
        ("balance changed", "01-000002|01|2026-10", "paid", "30.00", "40.00"),
        ("balance changed", "01-000002|01|2026-10", "closing", "244.00", "234.00"),
        ("balance changed", "01-000003|02|2026-10", "closing", "999.99", "346.00"),
    ]


def test_a_formula_in_a_legacy_name_is_text_in_the_workbook_and_inert_in_the_page(tmp_path):
    files = base_files()
    files["abonent.csv"][1] = files["abonent.csv"][1].replace("Петрова Анна Сергеевна", '=HYPERLINK("http://x.example","Петрова")')
    folder = write_project(tmp_path / "project", "sample_legacy", write_sources(tmp_path / "src", files),
                           target_url=f"sqlite:///{tmp_path / 'target.db'}")
    result = dry_run(load_project(folder))
    sheet = load_workbook(result.report_dir / "report.xlsx")["Отказы"]  # the Rejects sheet of the Russian workbook
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row if cell.value == '=HYPERLINK("http://x.example","Петрова")']
    assert [(cell.data_type, sheet.cell(row=cell.row, column=3).value) for cell in cells] == [("s", "BAD_NAME")]
    page = (result.report_dir / "report.html").read_text(encoding="utf-8")
    assert "=HYPERLINK(&quot;http://x.example&quot;,&quot;Петрова&quot;)" in page
    assert 'href="http://x.example"' not in page


def _stable(text: str, result, earlier: str, folder: Path) -> str:
    """The report text with what changes from one test run to the next named instead."""
    for volatile, name in ((result.run_id, "<run>"), (earlier, "<previous run>"), (str(folder), "<tmp>")):
        text = text.replace(volatile, name)
    return re.sub(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d", "<time>", text)  # ISO text, or a date cell as read


def test_the_reports_of_a_reconciliation_match_their_snapshots(tmp_path):
    """Night one, night two with the documented changes, then the four documented differences:
    summary.json and report.xlsx as a person reads them (CUTOVER_UPDATE_SNAPSHOTS=1 rewrites them)."""
    url = f"sqlite:///{tmp_path / 'target.db'}"
    project = load_project(_project(tmp_path, url))
    earlier = dry_run(project).run_id
    write_sources(tmp_path / "src", night_two_files())
    dry_run(project)
    tamper(url)
    result = reconcile(project)
    summary = json.loads((result.report_dir / "summary.json").read_text(encoding="utf-8"))
    summary["cutover_version"] = "<version>"
    assert summary.pop("timings")["stages"][0]["stage"] == "reconcile"  # how long it took: not for a snapshot
    text = json.dumps(summary, ensure_ascii=False, indent=1) + "\n"
    assert_snapshot("reconcile_summary.json", _stable(text, result, earlier, tmp_path))
    assert_snapshot("reconcile_workbook.txt",
                    _stable(workbook_text(result.report_dir / "report.xlsx"), result, earlier, tmp_path))


def test_runs_lists_the_journal_newest_first(tmp_path):
    folder = _project(tmp_path, f"sqlite:///{tmp_path / 'target.db'}")
    runner = CliRunner()
    missing = runner.invoke(cli, ["--project", str(folder), "runs"])  # a command that reads creates no database
    assert missing.exit_code == 2 and "does not exist" in missing.stderr and not (tmp_path / "target.db").exists()
    assert runner.invoke(cli, ["--project", str(folder), "db", "upgrade"]).exit_code == 0  # there, and empty
    assert runner.invoke(cli, ["--project", str(folder), "runs"]).stdout == "No runs in the target's journal yet.\n"
    first = runner.invoke(cli, ["--project", str(folder), "dry-run", "--quiet"]).stdout.split()[0]
    second = runner.invoke(cli, ["--project", str(folder), "dry-run", "--quiet"]).stdout.split()[0]
    listed = runner.invoke(cli, ["--project", str(folder), "runs"])
    lines = listed.stdout.splitlines()
    assert listed.exit_code == 0
    assert lines[0].split() == ["run", "kind", "status", "started", "minutes", "mapping"]
    assert [line.split()[:3] for line in lines[1:]] == [[second, "dry-run", "reconciled"],
                                                         [first, "dry-run", "reconciled"]]
    assert all(line.endswith("sample_legacy") for line in lines[1:])


def test_a_run_that_failed_after_its_load_is_the_one_to_reconcile(tmp_path, monkeypatch):
    """The load committed, then the report could not be written: the target holds this run's rows,
    so `cutover reconcile` takes it (not the earlier run) and finishes it."""
    folder = _project(tmp_path, f"sqlite:///{tmp_path / 'target.db'}")
    project = load_project(folder)
    dry_run(project)
    write_sources(tmp_path / "src", night_two_files())

    def broken(*args):
        raise OSError("disk full")

    with monkeypatch.context() as patched:
        patched.setattr("cutover.run.dry_run.write_workbook", broken)
        with pytest.raises(OSError):
            dry_run(project)
    summaries = [json.loads(path.read_text(encoding="utf-8")) for path in project.reports_dir.glob("*/summary.json")]
    [failed] = [summary for summary in summaries if summary["status"] == "failed"]
    assert (failed["status"], failed["error"]) == ("failed", "internal error: OSError: disk full")
    result = reconcile(project)
    assert (result.run_id, result.status) == (failed["run_id"], "reconciled")
    assert result.summary["changes"]["accounts"] == {"added": 1, "removed": 1}


SHIPPED = ["sample_legacy", "dbf_legacy", "gis_excel", "sql_legacy", "housing_ods"]


def _facts(folder: Path) -> dict[str, pd.DataFrame]:
    found = {}
    for name in ("accounts", "meters", "balances", "last_readings"):
        frame = pd.concat(list(read_facts(folder, name)), ignore_index=True)
        found[name] = frame.sort_values(list(frame.columns)).reset_index(drop=True)
    return found


@pytest.mark.parametrize("system", SHIPPED)
def test_what_the_dry_run_gathers_equals_what_reconcile_reads_again(system, tmp_path):
    """The dry run's reconciliation uses the rows it mapped and the checks' verdicts; `cutover
    reconcile` without the facts recorded (facts.json removed) maps the snapshot again and reads
    the reject table. On every shipped system, with all its dirt, both see the same source: the
    same facts, counts, money and verdict."""
    folder = write_project(tmp_path / "project", system, Path(__file__).resolve().parents[1] / "sample_data" / system,
                           target_url=f"sqlite:///{tmp_path / 'target.db'}")
    project = load_project(folder)
    ran = dry_run(project)
    gathered = _facts(ran.report_dir / "reconcile")
    (ran.report_dir / "reconcile" / "facts.json").unlink()
    again = reconcile(project)
    for name, frame in _facts(again.report_dir / "reconcile").items():
        pd.testing.assert_frame_equal(frame, gathered[name], obj=f"{system} {name}")
    for field in ("status", "entities", "filtered", "money_by_measure", "row_differences", "differences"):
        assert again.summary[field] == ran.summary[field], field
    assert ran.status == "reconciled"
