"""The one-shot month-end switch of the shipped system sql_legacy.

The legacy database is sample_data/sql_legacy's (60 accounts), made by its script on MariaDB
when ``CUTOVER_TEST_MARIADB_URL`` is set (CI), else the committed SQLite copy. Its October 2026
is still open here (``period.zakryt = 0``), so the mapping's saldo query does not see it until
the month-end's close statement closes it; the reopen statement opens it again. The target is
SQLite, and PostgreSQL when ``CUTOVER_TEST_POSTGRES_URL`` is set.

What the switch must do with it: 428 balances of October with a target service become the
opening balances of November, to the kopeck per service (service 15 has no target code: its
21 balances, 20,635.86 roubles of them October's, are accepted rejects); 200 meters and zones
get a base reading; keymap.csv lists 60 accounts.

Crashes are real: tests/crash_month_end.py runs the command line and SIGKILLs itself at a
chosen point. The end state after ``--resume`` is compared table by table with a run never
interrupted; after ``--rollback`` with the state before the month-end (a dry run's rows).
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from conftest import _mariadb_database, server_engine
from openpyxl import load_workbook
from support import write_project
from test_system_sql_legacy import COMMITTED_URL, CREATE, MAPPING, SAMPLE, legacy

from cutover.cli import cli
from cutover.config import load_project
from cutover.monthend import runbook
from cutover.pipeline import load as load_stage
from cutover.run.dry_run import dry_run
from cutover.target import db
from cutover.target.saved import saved_tables

CRASH = Path(__file__).with_name("crash_month_end.py")
REPO = Path(__file__).resolve().parents[1]
PERIOD = "2026-10"
MONTH_END = """
[month_end]
close = ["UPDATE period SET zakryt = 1 WHERE period = :yyyymm"]
reopen = ["UPDATE period SET zakryt = 0 WHERE period = :yyyymm"]
evidence = "SELECT period, zakryt FROM period ORDER BY period"
"""
FORCE = ["--force", "--reason", "rehearsed by hand"]
CRASH_POINTS = ["after:preflight", "mid:close_legacy", "after:close_legacy", "after:extract", "mid:load",
                "after:load", "after:opening", "after:open_period", "after:reconcile", "after:protocol"]


# ---- the legacy database, the target, the project ---------------------------------------------

def _legacy_on_mariadb() -> bool:
    return bool(os.environ.get("CUTOVER_TEST_MARIADB_URL")) or os.environ.get("CUTOVER_REQUIRE_SERVERS") == "1"


@pytest.fixture
def legacy_url(tmp_path, server_engines, request) -> str:
    """The legacy database with October 2026 still open."""
    return _fresh_legacy(tmp_path / "legacy", request, server_engines)


@pytest.fixture
def switch_target(sqlite_or_postgres_url) -> str:
    return sqlite_or_postgres_url


def _sql(url: str, statement: str, **params) -> list[tuple]:
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    try:
        with engine.begin() as connection:
            result = connection.execute(sa.text(statement), params)
            return [tuple(row) for row in result] if result.returns_rows else []
    finally:
        engine.dispose()


def make_project(folder: Path, legacy_url: str, target_url: str, extra: str = "", upgrade: bool = True) -> Path:
    """A project of sql_legacy reading ``legacy_url``, switching into ``target_url`` (its schema at head)."""
    if upgrade:
        db.upgrade(target_url)
    shutil.copytree(MAPPING, folder / "mappings" / "sql_legacy")
    system = folder / "mappings" / "sql_legacy" / "system.toml"
    system.write_text(system.read_text(encoding="utf-8").replace(f'url = "{COMMITTED_URL}"', f'url = "{legacy_url}"'),
                      encoding="utf-8")
    (folder / "src").mkdir()
    return write_project(folder, "sql_legacy", "src", target_url=target_url, extra=MONTH_END + extra)


@pytest.fixture
def project(tmp_path, legacy_url, switch_target) -> Path:
    return make_project(tmp_path / "project", legacy_url, switch_target)


def rehearse(project: Path, legacy_url: str) -> str:
    """The nightly dry run before the switch; its status. A dry run must see the month it rehearses
    (no balances of 2026-10 is NO-GO), so October is closed for it, as on the copy of the legacy
    system a rehearsal reads, and opened again: the month-end's own close is what puts October
    into its extract."""
    _sql(legacy_url, "UPDATE period SET zakryt = 1 WHERE period = 202610")
    try:
        return dry_run(load_project(project)).status
    finally:
        _sql(legacy_url, "UPDATE period SET zakryt = 0 WHERE period = 202610")


def cutover(folder: Path, *args: str):
    return CliRunner().invoke(cli, ["--project", str(folder), *args], catch_exceptions=False)


def month_end(folder: Path, *args: str):
    return cutover(folder, "month-end", "--period", PERIOD, *args)


def crash(folder: Path, point: str, *args: str) -> subprocess.CompletedProcess:
    """The month-end in a process of its own, SIGKILLed at ``point``."""
    env = {**os.environ, "CUTOVER_CRASH_AT": point, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.run([sys.executable, str(CRASH), "--project", str(folder), "month-end", "--period", PERIOD,
                           *args], env=env, capture_output=True, text=True, timeout=300)


# ---- the state of both systems ----------------------------------------------------------------

def target_state(url: str) -> dict[str, list[tuple]]:
    """Every saved table and the reject journal, row by row; run ids by kind, times by presence."""
    engine = db.create_target_engine(url)
    try:
        metadata = sa.MetaData()
        with engine.connect() as connection:
            kinds = dict(connection.execute(sa.text("SELECT run_id, kind FROM run")).all())
            state = {}
            for name in [*saved_tables(), "reject"]:
                table = sa.Table(name, metadata, autoload_with=connection)
                columns = [c for c in table.columns if c.name != "id" or name != "reject"]
                rows = []
                for row in connection.execute(sa.select(*columns)):
                    rows.append(tuple(_normal(column.name, value, kinds) for column, value in zip(columns, row)))
                state[name] = sorted(rows, key=repr)
            return state
    finally:
        engine.dispose()


def _normal(column: str, value, kinds: dict[str, str]):
    if column in ("first_run_id", "last_run_id", "run_id"):
        return kinds.get(value, value)
    if column in ("opened_at", "closed_at"):
        return value is not None
    return value


def legacy_periods(url: str) -> list[tuple]:
    return _sql(url, "SELECT period, zakryt FROM period ORDER BY period")


OPEN_OCTOBER = [(202608, 1), (202609, 1), (202610, 0), (202611, 0)]
CLOSED_OCTOBER = [(202608, 1), (202609, 1), (202610, 1), (202611, 0)]


# ---- an uninterrupted switch ------------------------------------------------------------------

def test_a_switch_opens_november_with_octobers_legacy_closing_balances(project, legacy_url, switch_target):
    assert rehearse(project, legacy_url) == "reconciled"
    result = month_end(project)
    assert result.exit_code == 0, result.output
    run_id = re.search(r"Month-end (\S+): SWITCHED", result.output).group(1)
    assert "2026-10 is closed, 2026-11 is open in the new system." in result.output

    # per service, the legacy closing of October (read from the legacy database itself) is November's opening
    legacy_closing = {}
    for kod, kopecks in _sql(legacy_url, "SELECT usluga_kod, SUM(ish_kop) FROM saldo WHERE period = 202610 "
                                         "GROUP BY usluga_kod"):
        legacy_closing[CREATE.TARGET[kod]] = int(kopecks)
    new_opening = {code: int(kopecks) for code, kopecks in _sql(
        switch_target, "SELECT s.code, SUM(b.opening_kopecks) FROM balance b JOIN service s ON s.id = b.service_id "
                       "WHERE b.period = '2026-11' GROUP BY s.code")}
    assert legacy_closing.pop(None) == 2_063_586  # service 15: no target code, its balances accepted rejects
    assert new_opening == legacy_closing
    assert sum(new_opening.values()) == 97_206_630

    assert _sql(switch_target, "SELECT COUNT(*), SUM(charged_kopecks + recalculated_kopecks + paid_kopecks), "
                               "SUM(closing_kopecks - opening_kopecks) FROM balance WHERE period = '2026-11'") == [
        (428, 0, 0)]
    assert _sql(switch_target, "SELECT month, status, opened_at IS NOT NULL, closed_at IS NOT NULL FROM period "
                               "WHERE month IN ('2026-10', '2026-11') ORDER BY month") == [
        ("2026-10", "closed", False, True), ("2026-11", "open", True, False)]
    last = _sql(switch_target, "SELECT COUNT(*) FROM (SELECT meter_id, zone FROM reading "
                               "WHERE read_on <= '2026-10-31' GROUP BY meter_id, zone) z")
    assert last == [(200,)]
    assert _sql(switch_target, "SELECT COUNT(*) FROM base_reading b JOIN reading r ON r.meter_id = b.meter_id "
                               "AND r.zone = b.zone AND r.read_on = b.read_on AND r.value = b.value "
                               "WHERE b.period = '2026-11'") == [(200,)]
    assert legacy_periods(legacy_url) == CLOSED_OCTOBER
    assert _sql(switch_target, "SELECT status FROM run WHERE run_id = :run", run=run_id) == [("switched",)]
    assert _sql(switch_target, "SELECT COUNT(*) FROM cutover_lock") == [(0,)]
    assert _sql(switch_target, "SELECT COUNT(*) FROM saved_balance") == [(0,)]  # no copy kept after the switch

    folder = project / "reports" / run_id
    protocol = load_workbook(folder / "protocol.xlsx")["Протокол"]  # Russian, the default
    texts = [cell.value for row in protocol.iter_rows() for cell in row if cell.value is not None]
    assert "ПРИНЯТО — все проверки пройдены" in texts
    with (folder / "keymap.csv").open(encoding="utf-8-sig") as keymap:  # ';' and a BOM, as Russian Excel opens it
        rows = list(csv.reader(keymap, delimiter=";"))
    assert rows[0] == ["legacy_account_number", "account_number"] and len(rows) == 61


def test_the_protocol_traces_sample_accounts_and_records_the_evidence(tmp_path, legacy_url):
    project = make_project(tmp_path / "project", legacy_url, f"sqlite:///{(tmp_path / 'target.db').as_posix()}",
                           extra='[report]\nlanguage = "en"\n')  # the labels read below (Russian: the next test)
    result = month_end(project, *FORCE)
    assert result.exit_code == 0, result.output
    run_id = re.search(r"Month-end (\S+): SWITCHED", result.output).group(1)
    workbook = load_workbook(project / "reports" / run_id / "protocol.xlsx")
    facts = {row[0].value: row[1].value for row in workbook["Protocol"].iter_rows(max_col=2) if row[0].value}
    assert facts["Forced past preflight"] == "rehearsed by hand"
    totals = {row[0].value: [c.value for c in row] for row in workbook["Protocol"].iter_rows() if row[0].value}
    assert float(totals["total"][2]) == pytest.approx(992_702.16)  # legacy closing of October (display only)
    assert float(totals["legacy:15"][3]) == pytest.approx(20_635.86)  # accepted: service 15 has no target code
    traces = list(workbook["Sample accounts"].iter_rows(min_row=2, values_only=True))
    assert len({row[0] for row in traces}) == 5 and all(row[-1] == "passed" for row in traces)
    evidence = [row for row in workbook["Evidence"].iter_rows(min_row=2, values_only=True)]
    assert evidence[0][0] == "legacy close" and re.fullmatch(r"[0-9a-f]{64}", evidence[0][2])
    assert sorted(row[1] for row in evidence[1:]) == sorted(
        f"{name}.parquet" for name in ("abonent", "adres", "lic_schet", "pokazanie", "saldo", "schetchik", "usluga"))
    steps = [row[:3:2] for row in workbook["Steps"].iter_rows(min_row=2, values_only=True)]
    assert steps == [(name, "done") for name in ("preflight", "close_legacy", "extract", "load", "opening",
                                                 "open_period", "reconcile", "protocol")]  # the protocol's own too
    page = (project / "reports" / run_id / "protocol.html").read_text(encoding="utf-8")
    assert "992\u00a0702,16" in page and "<script" not in page


# ---- refusals ---------------------------------------------------------------------------------

def test_a_second_switch_is_refused_saying_when_and_by_which_run(project):
    first = month_end(project, *FORCE)
    run_id = re.search(r"Month-end (\S+): SWITCHED", first.output).group(1)
    second = month_end(project, *FORCE)
    assert second.exit_code == 2
    assert re.fullmatch(rf"Error: the project was switched on \d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d by month-end run "
                        rf"{run_id} \(period 2026-10\); a second month-end is refused\n", second.output)
    resumed = month_end(project, "--resume")
    assert resumed.exit_code == 2
    assert re.fullmatch(rf"Error: there is nothing to resume: month-end {run_id} completed the switch on "
                        rf"\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d: 2026-10 is closed and 2026-11 is open in the new "
                        rf"system \(`cutover status` shows its steps, all done\)\n", resumed.output)
    refused = cutover(project, "dry-run")
    assert refused.exit_code == 2 and "holds the live data, which a dry run would replace" in refused.output
    refused = cutover(project, "reconcile")
    assert refused.exit_code == 2 and "its rows are no dry run's to reconcile" in refused.output


def test_preflight_refuses_without_a_passed_dry_run_and_blocks_nothing(tmp_path, legacy_url):
    project = make_project(tmp_path / "project", legacy_url, f"sqlite:///{(tmp_path / 'target.db').as_posix()}")
    result = month_end(project)
    assert result.exit_code == 2
    assert "month-end refused at preflight: the latest dry run must pass its gates before the switch, and there " \
           "is no finished dry run of mapping sql_legacy in this target" in result.output
    assert legacy_periods(legacy_url) == OPEN_OCTOBER  # nothing was closed
    assert month_end(project, *FORCE).exit_code == 0  # the refused run blocks nothing


def test_a_wrong_period_a_target_not_upgraded_and_bad_flags_are_refused(tmp_path, legacy_url):
    project = make_project(tmp_path / "project", legacy_url, f"sqlite:///{(tmp_path / 'target.db').as_posix()}",
                           upgrade=False)
    missing = month_end(project, *FORCE)  # a month-end never creates its target
    assert missing.exit_code == 2 and missing.output.startswith(f"Error: the target database {tmp_path / 'target.db'} "
                                                                f"does not exist: check --target")
    assert not (tmp_path / "target.db").exists()
    (tmp_path / "target.db").write_bytes(b"")  # there, but never upgraded
    old = month_end(project, *FORCE)
    assert old.exit_code == 2
    assert old.output == "Error: the target's schema is at revision none, not 0004: run `cutover db upgrade` first\n"
    db.upgrade(f"sqlite:///{(tmp_path / 'target.db').as_posix()}")
    wrong = cutover(project, "month-end", "--period", "2026-09", *FORCE)
    assert wrong.exit_code == 2 and "--period 2026-09 is not the month cutover.toml's [project] period" in wrong.output
    assert month_end(project, "--force").exit_code == 2
    assert month_end(project, "--resume", "--rollback").exit_code == 2
    nothing = month_end(project, "--rollback")
    assert nothing.exit_code == 2 and "there is no month-end to roll back" in nothing.output


def test_close_statements_need_reopen_statements_and_known_parameters(tmp_path):
    folder = tmp_path / "project"
    write_project(folder, "sql_legacy", SAMPLE, extra='[month_end]\nclose = ["UPDATE period SET zakryt = 1"]\n')
    result = month_end(folder)
    assert result.exit_code == 2 and "[month_end] needs both close and reopen statements" in result.output
    write_project(folder, "sql_legacy", SAMPLE, extra='[month_end]\nclose = ["UPDATE period SET zakryt = 1 WHERE '
                                                      'period = :month"]\nreopen = ["SELECT 1"]\n')
    result = month_end(folder)
    assert result.exit_code == 2 and "unknown parameter(s) :month" in result.output


def test_a_legacy_database_without_close_statements_is_refused_at_preflight(tmp_path, legacy_url):
    project = make_project(tmp_path / "project", legacy_url, f"sqlite:///{(tmp_path / 'target.db').as_posix()}")
    toml = project / "cutover.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(MONTH_END, ""), encoding="utf-8")
    result = month_end(project, *FORCE)
    assert result.exit_code == 2
    assert result.output == ("Error: month-end refused at preflight: mapping sql_legacy reads a legacy database: "
                             "cutover.toml needs [month_end] close and reopen statements that close the month there "
                             "(docs/month-end.md)\n")


def test_a_concurrent_month_end_is_refused_at_once_naming_the_holder(tmp_path, project):
    holding, release = tmp_path / "holding", tmp_path / "release"
    env = {**os.environ, "CUTOVER_CRASH_AT": "hold:load", "CUTOVER_HOLDING": str(holding),
           "CUTOVER_RELEASE": str(release), "PYTHONPATH": os.pathsep.join(sys.path)}
    first = subprocess.Popen([sys.executable, str(CRASH), "--project", str(project), "month-end", "--period", PERIOD,
                              *FORCE], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(1200):
            if holding.exists() or first.poll() is not None:
                break
            time.sleep(0.05)
        assert holding.exists(), first.communicate()
        run_id = holding.read_text()
        second = month_end(project, *FORCE)
        assert second.exit_code == 2
        assert re.search(rf"a month-end is running: run {run_id}, process {first.pid} on \S+, since ", second.output)
        status = cutover(project, "status")
        assert f"Lock: held by run {run_id}, process {first.pid}" in status.output and ": running." in status.output
    finally:
        release.write_text("go")
        out, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    assert f"Month-end {run_id}: SWITCHED" in out


# ---- crashes, resumed -------------------------------------------------------------------------

_REFERENCES: dict[str, tuple] = {}  # the uninterrupted end state, by kind of target


@pytest.fixture
def uninterrupted(tmp_path, legacy_url, switch_target, server_engines, request):
    """The end state of a switch never interrupted, on a target and legacy database of its own
    (made once per kind of target)."""
    kind = switch_target.split(":")[0]
    if kind not in _REFERENCES:
        _REFERENCES[kind] = _reference(tmp_path, switch_target, server_engines, request)
    return _REFERENCES[kind]


def _reference(tmp_path, switch_target, server_engines, request):
    other_legacy = _fresh_legacy(tmp_path / "reference-legacy", request, server_engines)
    url = _fresh_target(tmp_path / "reference", switch_target, request, server_engines)
    project = make_project(tmp_path / "reference", other_legacy, url)
    assert month_end(project, *FORCE).exit_code == 0
    return target_state(url), legacy_periods(other_legacy)


def _fresh_legacy(folder: Path, request, server_engines) -> str:
    if _legacy_on_mariadb():
        databases = _mariadb_database(server_engine("mariadb", server_engines), f"t_{secrets.token_hex(6)}")
        url = next(databases)
        request.addfinalizer(databases.close)
        CREATE.write_database(url, legacy())
    else:
        folder.mkdir(parents=True)
        shutil.copy(SAMPLE / "legacy.db", folder / "legacy.db")
        url = f"sqlite:///{(folder / 'legacy.db').as_posix()}"
    _sql(url, "UPDATE period SET zakryt = 0 WHERE period = 202610")
    return url


def _fresh_target(folder: Path, like: str, request, server_engines) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    if like.startswith("sqlite"):
        return f"sqlite:///{(folder / 'target.db').as_posix()}"
    from conftest import _postgres_schema

    schemas = _postgres_schema(server_engine("postgres", server_engines), f"t_{secrets.token_hex(6)}")
    url = next(schemas)
    request.addfinalizer(schemas.close)
    return url


@pytest.mark.one_database_each(CRASH_POINTS)
@pytest.mark.parametrize("point", CRASH_POINTS)
def test_a_month_end_killed_anywhere_resumes_to_the_same_end_state(point, project, legacy_url, switch_target,
                                                                   uninterrupted):
    killed = crash(project, point, *FORCE)
    assert killed.returncode == -9, killed.stderr
    if point == "mid:load":  # the lock outlives the process, and says so
        again = month_end(project, *FORCE)
        assert again.exit_code == 2 and "a month-end was interrupted: run " in again.output
        assert "that process is gone; `cutover month-end --resume` continues it" in again.output
        assert ": interrupted (that process is gone)." in cutover(project, "status").output
    resumed = month_end(project, "--resume")
    assert resumed.exit_code == 0, resumed.output
    assert "SWITCHED" in resumed.output
    state, periods = uninterrupted
    assert target_state(switch_target) == state
    assert legacy_periods(legacy_url) == periods == CLOSED_OCTOBER


# ---- rollback from each step ------------------------------------------------------------------

class _Crash(BaseException):
    """Stops a month-end in this process the way a kill would: no step is marked failed."""


ROLLBACK_POINTS = [p for p in CRASH_POINTS if p != "mid:close_legacy"] + ["after:done"]


@pytest.mark.one_database_each(ROLLBACK_POINTS)
@pytest.mark.parametrize("point", ROLLBACK_POINTS)
def test_rollback_from_each_step_leaves_both_systems_as_they_were(point, project, legacy_url, switch_target,
                                                                   monkeypatch):
    assert rehearse(project, legacy_url) == "reconciled"
    before = target_state(switch_target)
    where, step = point.split(":")
    if where == "after":
        original = runbook._run_step

        def run_step(switch, name):
            original(switch, name)
            if name == step:
                raise _Crash

        monkeypatch.setattr(runbook, "_run_step", run_step)
    else:
        original_load = load_stage.TargetLoad.load

        def load_part(self, mapped):
            if mapped.entity == "reading":
                raise _Crash
            return original_load(self, mapped)

        monkeypatch.setattr(load_stage.TargetLoad, "load", load_part)
    with pytest.raises(_Crash):
        month_end(project)
    monkeypatch.undo()
    result = month_end(project, "--rollback")
    if point == "after:done":  # a completed switch is never undone
        assert result.exit_code == 2, result.output
        assert re.fullmatch(r"Error: there is nothing to roll back: month-end (\S+) completed the switch on "
                            r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d: 2026-10 is closed and 2026-11 is open in the new system, "
                            r"and a completed switch is never undone: the customer works in the new system now, so "
                            r"put mistakes right there \(`cutover status` shows the switch's steps; its protocol is "
                            r"in \1's reports folder\)\n", result.output), result.output
        assert "second month-end" not in result.output
        return
    assert result.exit_code == 0, result.output
    assert "ROLLED BACK: the target and the legacy system are as they were." in result.output
    assert target_state(switch_target) == before
    assert legacy_periods(legacy_url) == OPEN_OCTOBER
    status = cutover(project, "status").output
    assert "period 2026-10: rolled_back" in status and "rollback      done" in status


def test_a_failed_gate_rolls_back_by_itself_or_waits_with_no_rollback(tmp_path, legacy_url):
    url = f"sqlite:///{(tmp_path / 'target.db').as_posix()}"
    project = make_project(tmp_path / "project", legacy_url, url, extra="[gates]\nmax_reject_share = 0.001\n")
    before = target_state(url)
    result = month_end(project, *FORCE)
    assert result.exit_code == 1
    assert re.search(r"the reconciliation gate FAILED:\n  - 31 of 2862 rows rejected \(1\.08%\), more than the "
                     r"0\.10% allowed", result.output)
    assert "ROLLED BACK: the target and the legacy system are as they were" in result.output
    assert target_state(url) == before and legacy_periods(legacy_url) == OPEN_OCTOBER

    kept = month_end(project, *FORCE, "--no-rollback")
    assert kept.exit_code == 1 and "Left as it is for inspection (--no-rollback)" in kept.output
    assert legacy_periods(legacy_url) == CLOSED_OCTOBER
    assert "reconcile     failed" in cutover(project, "status").output
    assert month_end(project, "--rollback").exit_code == 0
    assert target_state(url) == before and legacy_periods(legacy_url) == OPEN_OCTOBER


def _write_closing(legacy_url: str, text: str) -> tuple:
    """Write ``text`` as the closing balance of one October row of the legacy database (a VARCHAR
    column on MariaDB, as legacy systems keep money someone wanted to write notes in); its key."""
    if legacy_url.startswith("mysql"):
        _sql(legacy_url, "ALTER TABLE saldo MODIFY ish_kop VARCHAR(20)")
    key = _sql(legacy_url, "SELECT lic_schet_id, usluga_kod FROM saldo WHERE period = 202610 AND usluga_kod = 1 "
                           "ORDER BY lic_schet_id LIMIT 1")[0]
    _sql(legacy_url, "UPDATE saldo SET ish_kop = :text WHERE period = 202610 AND lic_schet_id = :account "
                     "AND usluga_kod = :service", text=text, account=key[0], service=key[1])
    return key


def test_money_nobody_can_read_fails_the_gate_and_the_switch_rolls_back(tmp_path, legacy_url):
    url = f"sqlite:///{(tmp_path / 'target.db').as_posix()}"
    project = make_project(tmp_path / "project", legacy_url, url)
    before = target_state(url)
    _write_closing(legacy_url, "12-34")
    result = month_end(project, *FORCE)
    assert result.exit_code == 1
    assert re.search(r"the reconciliation gate FAILED:\n(  - .*\n)*  - 1 balance row\(s\) hold money nobody can read, "
                     r"so it is in no total \(first: '12-34' in query SELECT s\.lic_schet_id, s\.usluga_kod, s\.p\.\.\. "
                     r"row \d+, column ish_kop: '12-34' is not a number\)", result.output), result.output
    assert "ROLLED BACK: the target and the legacy system are as they were" in result.output
    assert target_state(url) == before and legacy_periods(legacy_url) == OPEN_OCTOBER

    accepted = make_project(tmp_path / "accepted", legacy_url, f"sqlite:///{(tmp_path / 'accepted.db').as_posix()}",
                            extra="[gates]\naccept_unreadable_rows = 1\n[report]\nlanguage = \"en\"\n")
    switched = month_end(accepted, *FORCE)
    assert switched.exit_code == 0, switched.output
    run_id = re.search(r"Month-end (\S+): SWITCHED", switched.output).group(1)
    workbook = load_workbook(accepted / "reports" / run_id / "protocol.xlsx")
    listed = list(workbook["Unreadable money"].iter_rows(min_row=2, values_only=True))
    assert [(row[3], row[4], row[5], row[6]) for row in listed] == [
        ("closing", "ish_kop", "12-34", "'12-34' is not a number")]
    checks = {row[0]: (row[1], row[2]) for row in workbook["Protocol"].iter_rows(values_only=True)
              if row[0] and str(row[0]).startswith("Money per service exact")}
    assert list(checks.values()) == [("✔ passed", "every service and measure of 2026-10; 1 row(s) of unreadable "
                                                  "money accepted, listed below")]


# ---- the account map --------------------------------------------------------------------------

def test_keymap_export_writes_every_account_as_csv_or_xlsx(tmp_path, legacy_url):
    url = f"sqlite:///{(tmp_path / 'target.db').as_posix()}"
    project = make_project(tmp_path / "project", legacy_url, url)
    empty = cutover(project, "keymap", "export")
    assert empty.exit_code == 2 and "the target holds no accounts yet" in empty.output
    dry_run(load_project(project))  # any time after a load
    expected = sorted(_sql(url, "SELECT legacy_account_number, account_number FROM account"))
    result = cutover(project, "keymap", "export", "--format", "csv")
    assert result.exit_code == 0 and result.output == f"60 accounts written to {project / 'reports' / 'keymap.csv'}\n"
    with (project / "reports" / "keymap.csv").open(encoding="utf-8-sig") as written:  # ';' and a BOM, for Excel
        assert [tuple(row) for row in list(csv.reader(written, delimiter=";"))[1:]] == expected
    default = cutover(project, "keymap", "export")
    assert default.output == f"60 accounts written to {project / 'reports' / 'keymap.xlsx'}\n"  # xlsx by default
    out = tmp_path / "agents.xlsx"
    assert cutover(project, "keymap", "export", "--format", "xlsx", "--out", str(out)).exit_code == 0
    sheet = load_workbook(out)["Account map"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Old account number / Старый лицевой счёт", "New account number / Новый лицевой счёт")
    assert sorted(rows[1:]) == expected and all(isinstance(value, str) for row in rows[1:] for value in row)


# ---- file exports -----------------------------------------------------------------------------

def test_file_exports_are_checked_by_hash_and_a_file_changed_after_the_close_is_refused(tmp_path, monkeypatch):
    source = tmp_path / "export"
    shutil.copytree(REPO / "sample_data" / "sample_legacy", source)
    url = f"sqlite:///{(tmp_path / 'target.db').as_posix()}"
    # the sample's two unreadable values (dirt D9) accepted, as its cutover.toml does
    project = write_project(tmp_path / "project", "sample_legacy", source, target_url=url,
                            extra="[gates]\naccept_unreadable_rows = 2\n")
    assert dry_run(load_project(project)).status == "reconciled"
    before = target_state(url)
    original = runbook._run_step

    def run_step(switch, name):
        original(switch, name)
        if name == "close_legacy":
            raise _Crash

    monkeypatch.setattr(runbook, "_run_step", run_step)
    with pytest.raises(_Crash):
        month_end(project)
    monkeypatch.undo()
    checked = (source / "saldo.csv").read_bytes()
    (source / "saldo.csv").write_bytes(checked + checked.splitlines(keepends=True)[-1])  # a row more, after the close
    refused = month_end(project, "--resume")
    assert refused.exit_code == 2
    assert "stopped at step extract (Final extract (snapshot, hashed)): the extract is not the one checked when the " \
           "legacy month was closed: saldo.csv changed after the legacy month was closed" in refused.output
    rolled = month_end(project, "--rollback")
    assert rolled.exit_code == 0 and "Legacy system: file exports: nothing was changed in the legacy system" in rolled.output
    assert target_state(url) == before

    (source / "saldo.csv").write_bytes(checked)
    switched = month_end(project)
    assert switched.exit_code == 0, switched.output
    run_id = re.search(r"Month-end (\S+): SWITCHED", switched.output).group(1)
    evidence = list(load_workbook(project / "reports" / run_id / "protocol.xlsx")["Доказательства"].iter_rows(
        min_row=2, values_only=True))
    files = {row[1]: row[2] for row in evidence if row[0] == "source file"}
    assert set(files) == {"abonent.csv", "usluga.csv", "schetchik.csv", "pokazanie.csv", "saldo.csv"}
    assert files["saldo.csv"] == hashlib.sha256(checked).hexdigest()


def test_a_rollback_cut_short_is_finished_by_rollback_and_never_resumed(tmp_path, legacy_url, monkeypatch):
    url = f"sqlite:///{(tmp_path / 'target.db').as_posix()}"
    project = make_project(tmp_path / "project", legacy_url, url)
    before = target_state(url)
    original = runbook._run_step

    def run_step(switch, name):
        original(switch, name)
        if name == "opening":
            raise _Crash

    monkeypatch.setattr(runbook, "_run_step", run_step)
    with pytest.raises(_Crash):
        month_end(project, *FORCE)
    monkeypatch.undo()

    def reopen(*args):
        raise _Crash  # killed after the target was restored, before the legacy month was reopened

    monkeypatch.setattr(runbook.legacy, "reopen", reopen)
    with pytest.raises(_Crash):
        month_end(project, "--rollback")
    monkeypatch.undo()
    assert target_state(url) == before and legacy_periods(legacy_url) == CLOSED_OCTOBER
    resumed = month_end(project, "--resume")
    assert resumed.exit_code == 2 and "was being rolled back when it stopped: `cutover month-end --period 2026-10 " \
                                      "--rollback` finishes the rollback" in resumed.output
    assert month_end(project, "--rollback").exit_code == 0
    assert target_state(url) == before and legacy_periods(legacy_url) == OPEN_OCTOBER


def test_a_rollback_after_a_failed_gate_that_cannot_reopen_the_legacy_month_says_how_to_finish(
        tmp_path, legacy_url, monkeypatch):
    url = f"sqlite:///{(tmp_path / 'target.db').as_posix()}"
    project = make_project(tmp_path / "project", legacy_url, url, extra="[gates]\nmax_reject_share = 0.001\n")
    before = target_state(url)

    def reopen(*args):
        raise runbook.legacy.LegacyError("reopening the legacy month 2026-10 on legacy: server has gone away")

    monkeypatch.setattr(runbook.legacy, "reopen", reopen)
    result = month_end(project, *FORCE)
    assert result.exit_code == 2
    assert re.search(r"the reconciliation gate failed \(31 of 2862 rows rejected \(1\.08%\).*\) and its rollback "
                     r"stopped: reopening the legacy month 2026-10 on legacy: server has gone away\n`cutover month-end "
                     r"--period 2026-10 --rollback` finishes the rollback once that is fixed", result.output)
    monkeypatch.undo()
    assert month_end(project, "--rollback").exit_code == 0
    assert target_state(url) == before and legacy_periods(legacy_url) == OPEN_OCTOBER


# ---- the evidence query only reads ------------------------------------------------------------

def _with_evidence(project: Path, evidence: str) -> Path:
    """The project with ``[month_end] evidence`` set to ``evidence`` (as TOML literal text)."""
    toml = project / "cutover.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace('evidence = "SELECT period, zakryt FROM period ORDER BY period"',
                                 f"evidence = '''{evidence}'''"), encoding="utf-8")
    return project


@pytest.mark.parametrize(("evidence", "problem"), [
    ("DELETE FROM x", "a query must be one SELECT (or WITH ... SELECT) statement, but it starts with DELETE"),
    ("SELECT 1; DROP TABLE x", "a query must be one SELECT statement, but it holds several (a ';' inside)"),
])
def test_an_evidence_query_that_is_not_one_select_is_refused_before_the_close(tmp_path, legacy_url, evidence,
                                                                             problem):
    url = f"sqlite:///{(tmp_path / 'target.db').as_posix()}"
    project = _with_evidence(make_project(tmp_path / "project", legacy_url, url), evidence)
    result = month_end(project, *FORCE)
    assert result.exit_code == 2
    assert f"{project / 'cutover.toml'}: [month_end] evidence: {problem}" in result.output
    assert legacy_periods(legacy_url) == OPEN_OCTOBER  # the close never ran


def test_a_plain_select_evidence_is_kept_and_read_in_a_transaction_that_cannot_write(tmp_path, legacy_url):
    from cutover.monthend import legacy as legacy_close

    url = f"sqlite:///{(tmp_path / 'target.db').as_posix()}"
    project = _with_evidence(make_project(tmp_path / "project", legacy_url, url),
                             "SELECT period, zakryt FROM period WHERE period = :yyyymm;")
    result = month_end(project, *FORCE)
    assert result.exit_code == 0, result.output
    run_id = re.search(r"Month-end (\S+): SWITCHED", result.output).group(1)
    evidence = list(load_workbook(project / "reports" / run_id / "protocol.xlsx")["Доказательства"].iter_rows(
        min_row=2, values_only=True))
    assert evidence[0][0] == "legacy close" and re.fullmatch(r"[0-9a-f]{64}", evidence[0][2])
    (detail,) = _sql(url, "SELECT detail FROM cutover_step WHERE run_id = :run AND step = 'close_legacy'", run=run_id)
    assert '"evidence": [{"period": "202610", "zakryt": "1"}]' in detail[0]
    engine = sa.create_engine(legacy_url, poolclass=sa.NullPool)
    try:
        with pytest.raises(sa.exc.DBAPIError):  # what no check of the text can catch, the transaction does
            legacy_close._read_evidence(engine, "DELETE FROM period", {})
    finally:
        engine.dispose()
    assert legacy_periods(legacy_url) == CLOSED_OCTOBER
