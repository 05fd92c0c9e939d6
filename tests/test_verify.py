"""`cutover verify`, the nightly check after the switch, on the shipped system sql_legacy.

One switch for the whole module (sql_legacy's 60 accounts, forced past preflight: no rehearsal
needed): the legacy database on MariaDB when ``CUTOVER_TEST_MARIADB_URL`` is set (else the
committed SQLite copy), the target on PostgreSQL when ``CUTOVER_TEST_POSTGRES_URL`` is set (else
SQLite), as tests/test_month_end.py sets them up. Each test changes one thing, checks what
verify says, and puts it back:

- intact: exit 0, 428 opening balances of November in 9 services, 60 accounts;
- October reopened in the legacy system (``period.zakryt = 0``): exit 1 naming 2026-10 and the row;
- one opening balance of November raised by 100,00 roubles: exit 1 listing that account, its
  service, and both amounts;
- an account's number changed: exit 1 naming it;
- no switch yet: exit 2 with what to do.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from test_month_end import FORCE, _fresh_legacy, _fresh_target, _sql, make_project

from cutover.cli import cli
from cutover.config import load_project
from cutover.folders import confined
from cutover.verify import checks
from cutover.verify.verify import NOT_SWITCHED

REPO = Path(__file__).resolve().parents[1]


def verify(project: Path, *args: str):
    return CliRunner().invoke(cli, ["--project", str(project), "verify", *args], catch_exceptions=False)


@pytest.fixture(scope="module")
def switched(tmp_path_factory, server_engines, request):
    """(project, legacy URL, target URL, switch run id): sql_legacy switched at the end of 2026-10."""
    folder = tmp_path_factory.mktemp("verify")
    legacy_url = _fresh_legacy(folder / "legacy", request, server_engines)
    like = "postgresql" if _servers_configured("CUTOVER_TEST_POSTGRES_URL") else "sqlite"
    target_url = _fresh_target(folder / "target", like, request, server_engines)
    project = make_project(folder / "project", legacy_url, target_url)
    result = CliRunner().invoke(cli, ["--project", str(project), "month-end", "--period", "2026-10", *FORCE],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    run_id = re.search(r"Month-end (\S+): SWITCHED", result.output).group(1)
    return project, legacy_url, target_url, run_id


def _servers_configured(variable: str) -> bool:
    import os

    return bool(os.environ.get(variable))


def test_an_intact_switch_exits_0_and_writes_the_three_reports(switched, tmp_path):
    project, _, _, run_id = switched
    result = verify(project, "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Verify after switch {run_id} (2026-10 closed, 2026-11 open): INTACT\n")
    assert "ok  The legacy month 2026-10 is still closed: the [month_end] evidence query gives the 4 row(s)" \
           in result.output
    assert "9 services, 428 balances: every service's SHA-256 is the one recorded at the switch" in result.output
    assert "the 60 accounts of the switch's keymap.csv have their numbers" in result.output
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "intact" and summary["switch_run"] == run_id
    opening = {line["service"]: line for line in summary["services"] if line["measure"] == "opening"}
    assert sum(line["kopecks_now"] for line in opening.values()) == 97_206_630  # test_month_end's total, exact
    assert all(line["same"] for line in summary["services"])
    sheet = load_workbook(tmp_path / "out" / "report.xlsx")["Сводка"]  # Russian, the default
    texts = [cell.value for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert "ЦЕЛО: новая система хранит то, что перенесено" in texts
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "INTACT" in page and "<script" not in page


def test_the_legacy_month_reopened_exits_1_naming_it(switched, tmp_path):
    project, legacy_url, _, _ = switched
    _sql(legacy_url, "UPDATE period SET zakryt = 0 WHERE period = 202610")
    try:
        result = verify(project, "--out", str(tmp_path / "out"))
    finally:
        _sql(legacy_url, "UPDATE period SET zakryt = 1 WHERE period = 202610")
    assert result.exit_code == 1, result.output
    assert "CHANGED The legacy month 2026-10 is still closed: the legacy month 2026-10 was changed or reopened " \
           "after the switch" in result.output
    assert ("the legacy month 2026-10 is not as the switch closed it: the [month_end] evidence query gave "
            "{period: 202610, zakryt: 1} at the switch, {period: 202610, zakryt: 0} now") in result.output
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "changed"
    assert [check["passed"] for check in summary["checks"]] == [False, True, True]
    assert verify(project, "--quiet", "--out", str(tmp_path / "again")).exit_code == 0  # put back: intact again


def test_one_opening_balance_changed_in_the_target_exits_1_listing_it(switched, tmp_path):
    project, _, target_url, _ = switched
    account, service, kopecks = _sql(target_url, "SELECT a.account_number, s.code, b.opening_kopecks FROM balance b "
                                                 "JOIN account a ON a.id = b.account_id JOIN service s ON "
                                                 "s.id = b.service_id WHERE b.period = '2026-11' "
                                                 "ORDER BY a.account_number, s.code")[3]
    legacy_number = _sql(target_url, "SELECT legacy_account_number FROM account WHERE account_number = :n",
                         n=account)[0][0]
    change = ("UPDATE balance SET opening_kopecks = opening_kopecks + :by WHERE period = '2026-11' AND account_id = "
              "(SELECT id FROM account WHERE account_number = :n) AND service_id = (SELECT id FROM service "
              "WHERE code = :s)")
    _sql(target_url, change, by=10_000, n=account, s=service)
    try:
        result = verify(project, "--out", str(tmp_path / "out"))
    finally:
        _sql(target_url, change, by=-10_000, n=account, s=service)
    assert result.exit_code == 1, result.output

    def roubles(k: int) -> str:
        return f"{k // 100:,}".replace(",", " ") + f",{k % 100:02d}" if k >= 0 else "-" + roubles(-k)
    assert (f"account {account} (legacy {legacy_number}), service {service}: opening of 2026-11 "
            f"{roubles(kopecks)} at the switch, {roubles(kopecks + 10_000)} now") in result.output
    assert f"changed since the switch in service(s) {service}: 1 balance(s) listed" in result.output
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["balance_changes"] == [{"service": service, "account_number": account,
                                           "legacy_account_number": legacy_number, "at_switch": kopecks,
                                           "now": kopecks + 10_000}]
    assert [line["service"] for line in summary["services"] if not line["same"]] == [service]
    changed = list(load_workbook(tmp_path / "out" / "report.xlsx")["Изменённые сальдо"].iter_rows(values_only=True))
    assert changed[1][:3] == (service, account, legacy_number)


def test_an_account_number_changed_in_the_target_exits_1_naming_it(switched, tmp_path):
    project, _, target_url, _ = switched
    account, legacy_number = _sql(target_url, "SELECT account_number, legacy_account_number FROM account "
                                              "ORDER BY account_number")[0]
    _sql(target_url, "UPDATE account SET account_number = :new WHERE account_number = :old", new="X" + account,
         old=account)
    try:
        result = verify(project, "--out", str(tmp_path / "out"))
    finally:
        _sql(target_url, "UPDATE account SET account_number = :old WHERE account_number = :new", new="X" + account,
             old=account)
    assert result.exit_code == 1, result.output
    assert f"account {account} (legacy {legacy_number}) is no longer in the target" in result.output


def test_no_switch_yet_exits_2_saying_what_to_do(tmp_path):
    url = f"sqlite:///{(tmp_path / 'target.db').as_posix()}"
    project = make_project(tmp_path / "project", "sqlite:///legacy.db", url)
    result = verify(project)
    assert result.exit_code == 2
    assert result.output == f"Error: {NOT_SWITCHED}\n"
    assert not (project / "reports").exists()  # nothing written for a check that could not run


def test_file_exports_are_hashed_again_and_a_changed_or_missing_one_named(tmp_path):
    source = tmp_path / "export"
    shutil.copytree(REPO / "sample_data" / "sample_legacy", source)
    from support import write_project

    project = load_project(write_project(tmp_path / "project", "sample_legacy", source))
    from cutover.extract import file_sha256

    close = {"kind": "files", "period": "2026-10", "folder": str(source),
             "files": [{"source": name, "file": f"{name}.csv", "sha256": file_sha256(source / f"{name}.csv")}
                       for name in ("saldo", "abonent")]}
    intact = checks.legacy_month(project, None, close)
    assert intact.passed and intact.detail == "the 2 exported files have the SHA-256 recorded at the switch"
    saldo = confined(source, "saldo.csv")
    saldo.write_bytes(saldo.read_bytes() + b"202610;01-000001;01;0;0;0;0;0\r\n")
    (source / "abonent.csv").unlink()
    changed = checks.legacy_month(project, None, close)
    assert not changed.passed and changed.detail == "2 of the 2 exported files changed"
    assert changed.findings[0].startswith("saldo.csv changed after the legacy month was closed (SHA-256 ")
    assert changed.findings[1] == f"abonent.csv: the export the switch read is gone from {source}"


def test_an_account_the_new_system_opened_after_the_switch_is_not_the_migrations(switched, tmp_path):
    project, _, target_url, _ = switched
    person, premise = _sql(target_url, "SELECT person_id, premise_id FROM account ORDER BY id")[0]
    service = _sql(target_url, "SELECT id FROM service ORDER BY id")[0][0]
    _sql(target_url, "INSERT INTO account (id, account_number, legacy_account_number, person_id, premise_id) "
                     "VALUES (990000001, '990000001', '', :person, :premise)", person=person, premise=premise)
    _sql(target_url, "INSERT INTO balance (account_id, service_id, period, opening_kopecks, charged_kopecks, "
                     "recalculated_kopecks, paid_kopecks, closing_kopecks) VALUES (990000001, :service, '2026-11', "
                     "12345, 0, 0, 0, 12345)", service=service)
    try:
        result = verify(project, "--out", str(tmp_path / "out"))
    finally:
        _sql(target_url, "DELETE FROM balance WHERE account_id = 990000001")
        _sql(target_url, "DELETE FROM account WHERE id = 990000001")
    assert result.exit_code == 0, result.output


def test_a_switch_that_recorded_no_fingerprint_is_held_to_the_closed_months_closing(switched, tmp_path):
    project, _, target_url, run_id = switched
    recorded = _sql(target_url, "SELECT detail FROM cutover_step WHERE run_id = :run AND step = 'opening'",
                    run=run_id)[0][0]
    older = json.loads(recorded)
    del older["fingerprint"]  # as an older cutover recorded it
    _sql(target_url, "UPDATE cutover_step SET detail = :detail WHERE run_id = :run AND step = 'opening'",
         detail=json.dumps(older), run=run_id)
    try:
        result = verify(project, "--out", str(tmp_path / "out"))
    finally:
        _sql(target_url, "UPDATE cutover_step SET detail = :detail WHERE run_id = :run AND step = 'opening'",
             detail=recorded, run=run_id)
    assert result.exit_code == 0, result.output
    assert ("note: the switch recorded no fingerprint of the balances (an older cutover): the opening balances are "
            "compared with the closing balances of 2026-10 in the target instead") in result.output
