"""`cutover demo`: the training database, from the bundled sample or from a dry run.

The sample system (sample_data/sample_legacy, 500 accounts of cp1251 text) is the source in
both cases: through the real pipeline into a scratch database for the sample demo, and as a
project's dry run for ``--from-run``. Whether a real identity got into the demo is checked
against the legacy export itself (abonent.csv: account number, full name, address), with the
same comparison run on the dry run's own target first, so the test can fail.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from support import write_project

from cutover.cli import cli
from cutover.config import load_project
from cutover.demo.privacy import check_privacy, real_identities
from cutover.demo.replace import normal
from cutover.run.dry_run import dry_run
from cutover.target import db

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_data" / "sample_legacy"
EXPECTED = json.loads((SAMPLE / "expected.json").read_text(encoding="utf-8"))
DATA = ("period", "service", "person", "premise", "account", "meter", "reading", "balance", "base_reading")


def cutover(folder: Path, *args: str):
    return CliRunner().invoke(cli, ["--project", str(folder), *args], catch_exceptions=False)


def _rows(url: str, sql: str) -> list[tuple]:
    engine = db.create_target_engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(sa.text(sql))]
    finally:
        engine.dispose()


def dump(url: str) -> dict[str, list[tuple]]:
    """Every data table, row by row (the journal left out)."""
    return {name: sorted(_rows(url, f"SELECT * FROM {name}"), key=repr) for name in DATA}


def money(url: str) -> list[tuple]:
    """Per period and service: rows and the sum of every measure of the balances."""
    return _rows(url, "SELECT b.period, s.code, COUNT(*), SUM(opening_kopecks), SUM(charged_kopecks), "
                      "SUM(recalculated_kopecks), SUM(paid_kopecks), SUM(closing_kopecks) FROM balance b "
                      "JOIN service s ON s.id = b.service_id WHERE b.period <= '2026-10' GROUP BY b.period, s.code "
                      "ORDER BY b.period, s.code")


def legacy_identities() -> tuple[set[tuple[str, ...]], set[tuple[str, str, str]], set[str]]:
    """From abonent.csv: full names, full addresses (street, house, flat) and account numbers."""
    names, addresses, accounts = set(), set(), set()
    with (SAMPLE / "abonent.csv").open(encoding="cp1251", newline="") as export:
        for row in csv.DictReader(export, delimiter=";"):
            accounts.add(row["ЛС"].strip())
            parts = row["ФИО"].split()
            if len(parts) == 3:
                names.add(tuple(normal(part) for part in parts))
            found = re.search(r"((?:ул|пр-т|пер|б-р|пл|ш)\.? [^,]+), д\. ?([^,]+)(?:, кв\. ?([^,]+))?", row["Адрес"])
            if found:
                addresses.add((normal(found[1]), normal(found[2]), normal(found[3])))
    return names, addresses, accounts


def real_in(url: str) -> tuple[int, int, int]:
    """How many of the export's full names, full addresses and account numbers the database holds."""
    names, addresses, accounts = legacy_identities()
    persons = sum((normal(last), normal(first), normal(patronymic)) in names
                  for last, first, patronymic in _rows(url, "SELECT last_name, first_name, patronymic FROM person"))
    premises = sum((normal(street), normal(house), normal(flat)) in addresses
                   for street, house, flat in _rows(url, "SELECT street, house, apartment FROM premise"))
    numbers = 0
    for name in DATA:
        for row in _rows(url, f"SELECT * FROM {name}"):
            numbers += sum(isinstance(value, str) and value.strip() in accounts for value in row)
    return persons, premises, numbers


@pytest.fixture(scope="module")
def run_project(tmp_path_factory):
    """A project holding a dry run of the sample, and that run."""
    folder = tmp_path_factory.mktemp("project")
    write_project(folder, "sample_legacy", SAMPLE, target_url=f"sqlite:///{(folder / 'target.db').as_posix()}")
    result = dry_run(load_project(folder))
    assert result.status == "reconciled"
    return folder, result.run_id, f"sqlite:///{(folder / 'target.db').as_posix()}"


def test_the_demo_from_the_sample_loads_reconciles_and_opens_the_next_month(tmp_path):
    url = f"sqlite:///{(tmp_path / 'demo.db').as_posix()}"
    result = cutover(tmp_path, "demo", "--target", url)
    assert result.exit_code == 0, result.output
    loaded = EXPECTED["entities"]
    assert "built from the bundled sample, dry run " in result.output
    assert "the sample's dry run through the real pipeline: reconciled" in result.output
    assert f"  {loaded['accounts']['loaded']} accounts, {loaded['persons']['loaded']} persons" in result.output
    assert re.search(r"Privacy check: 0 real full names, 0 real full addresses, 0 real account numbers in \d+ text "
                     r"cells: no real person's full name, full address or account number\.", result.output)
    assert _rows(url, "SELECT COUNT(*) FROM account") == [(loaded["accounts"]["loaded"],)]
    assert _rows(url, "SELECT COUNT(*) FROM balance WHERE period <= '2026-10'") == [(loaded["balances"]["loaded"],)]
    assert _rows(url, "SELECT month, status FROM period WHERE month >= '2026-10' ORDER BY month") == [
        ("2026-10", "closed"), ("2026-11", "open")]
    totals = {}
    for period, code, *sums in _rows(url, "SELECT b.period, s.code, SUM(opening_kopecks), SUM(charged_kopecks), "
                                          "SUM(recalculated_kopecks), SUM(paid_kopecks), SUM(closing_kopecks) FROM "
                                          "balance b JOIN service s ON s.id = b.service_id WHERE b.period <= '2026-10' "
                                          "GROUP BY b.period, s.code"):
        totals.setdefault(period, {})[code] = dict(zip(("opening", "charged", "recalculated", "paid", "closing"), sums))
    assert totals == EXPECTED["target_totals"]  # the sample's money, as its generator says the target must hold it
    assert _rows(url, "SELECT SUM(opening_kopecks) FROM balance WHERE period = '2026-11'") == [(966_338_259,)]
    assert real_in(url) == (0, 0, 0)
    assert _rows(url, "SELECT COUNT(*) FROM reject") == [(0,)] and _rows(url, "SELECT COUNT(*) FROM key_map") == [(0,)]


def test_the_demo_from_a_run_holds_no_real_identity_and_the_runs_money(run_project, tmp_path):
    folder, run_id, source_url = run_project
    assert all(found > 100 for found in real_in(source_url))  # the comparison finds them where they are
    url = f"sqlite:///{(tmp_path / 'demo.db').as_posix()}"
    result = cutover(folder, "demo", "--from-run", run_id, "--target", url, "--seed", "7")
    assert result.exit_code == 0, result.output
    assert f"built from dry run {run_id} of sample_legacy (seed 7)" in result.output
    assert real_in(url) == (0, 0, 0)
    assert money(url) == money(source_url)
    for table in ("service", "person", "premise", "account", "meter", "reading"):
        assert _rows(url, f"SELECT COUNT(*) FROM {table}") == _rows(source_url, f"SELECT COUNT(*) FROM {table}")
    # what training needs is kept: meters, readings and their values, balance by balance
    assert _rows(url, "SELECT meter_id, zone, read_on, value FROM reading ORDER BY 1, 2, 3") == \
        _rows(source_url, "SELECT meter_id, zone, read_on, value FROM reading ORDER BY 1, 2, 3")
    # the same real person gets the same replacement wherever the person occurs
    same = _rows(source_url, "SELECT p1.id, p2.id FROM person p1 JOIN person p2 ON p1.id < p2.id "
                             "AND p1.last_name = p2.last_name AND p1.first_name = p2.first_name "
                             "AND p1.patronymic = p2.patronymic AND p1.birth_date = p2.birth_date")
    for first, second in same:
        assert _rows(url, f"SELECT last_name, first_name, patronymic, birth_date FROM person WHERE id = {first}") == \
            _rows(url, f"SELECT last_name, first_name, patronymic, birth_date FROM person WHERE id = {second}")


def test_two_builds_with_one_seed_are_identical_and_another_seed_differs(run_project, tmp_path):
    folder, run_id, _ = run_project
    urls = [f"sqlite:///{(tmp_path / f'demo{n}.db').as_posix()}" for n in range(3)]
    for url, seed in zip(urls, ("3", "3", "4")):
        assert cutover(folder, "demo", "--from-run", run_id, "--target", url, "--seed", seed).exit_code == 0
    first, second, other = (dump(url) for url in urls)
    assert first == second
    assert first["person"] != other["person"] and first["account"] != other["account"]
    assert first["balance"] == other["balance"]


def test_reset_brings_the_demo_back_as_it_was_built(run_project, tmp_path):
    folder, run_id, _ = run_project
    url = f"sqlite:///{(tmp_path / 'demo.db').as_posix()}"
    assert cutover(folder, "demo", "--from-run", run_id, "--target", url).exit_code == 0
    built = dump(url)
    engine = db.create_target_engine(url)
    with engine.begin() as connection:  # a class at work
        connection.execute(sa.text("UPDATE person SET last_name = 'Учебная' WHERE id IN (SELECT id FROM person "
                                   "LIMIT 5)"))
        connection.execute(sa.text("UPDATE balance SET paid_kopecks = paid_kopecks + 100, closing_kopecks = "
                                   "closing_kopecks - 100 WHERE period = '2026-11'"))
        connection.execute(sa.text("DELETE FROM base_reading WHERE meter_id IN (SELECT meter_id FROM base_reading "
                                   "LIMIT 3)"))
    engine.dispose()
    assert dump(url) != built
    result = cutover(folder, "demo", "--reset", "--target", url)
    assert result.exit_code == 0 and result.output.startswith("Training database reset to how it was built: ")
    assert dump(url) == built


def test_a_demo_never_overwrites_a_real_target(run_project, tmp_path):
    folder, run_id, source_url = run_project
    same = cutover(folder, "demo", "--from-run", run_id, "--target", source_url)
    assert same.exit_code == 2 and "is the target it is built from" in same.output
    other = tmp_path / "other"
    write_project(other, "sample_legacy", SAMPLE, target_url=f"sqlite:///{(other / 'target.db').as_posix()}")
    dry_run(load_project(other))
    refused = cutover(folder, "demo", "--from-run", run_id, "--target", f"sqlite:///{(other / 'target.db').as_posix()}")
    assert refused.exit_code == 2 and "is not a training database: it holds dry-run " in refused.output
    reset = cutover(folder, "demo", "--reset", "--target", f"sqlite:///{(other / 'target.db').as_posix()}")
    assert reset.exit_code == 2 and "is not a training database" in reset.output
    unknown = cutover(folder, "demo", "--from-run", "20990101-000000-dry-run-0000", "--target",
                      f"sqlite:///{(tmp_path / 'demo.db').as_posix()}")
    assert unknown.exit_code == 2 and "there is no run 20990101-000000-dry-run-0000" in unknown.output


@pytest.fixture
def demo_url(sqlite_or_postgres_url) -> str:
    return sqlite_or_postgres_url


def test_a_demo_on_any_target_database_builds_and_resets(tmp_path, demo_url):
    assert cutover(tmp_path, "demo", "--target", demo_url, "--quiet").exit_code == 0
    built = dump(demo_url)
    assert len(built["account"]) == EXPECTED["entities"]["accounts"]["loaded"] and real_in(demo_url) == (0, 0, 0)
    engine = db.create_target_engine(demo_url)
    with engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM balance WHERE period = '2026-11'"))
    engine.dispose()
    assert cutover(tmp_path, "demo", "--reset", "--target", demo_url, "--quiet").output == "reset\n"
    assert dump(demo_url) == built


def test_the_privacy_check_finds_every_real_identity_where_they_are(run_project):
    _, _, source_url = run_project
    engine = db.create_target_engine(source_url)
    try:
        with engine.connect() as connection:
            report = check_privacy(connection, real_identities(connection))
    finally:
        engine.dispose()
    (persons,), (premises,), (accounts,) = (_rows(source_url, f"SELECT COUNT(*) FROM {name}")[0]
                                            for name in ("person", "premise", "account"))
    assert (report.names, report.addresses, report.accounts) == (persons, premises, 2 * accounts)  # legacy and new
    assert not report.clean
    assert report.describe().startswith(f"{persons} real full names, {premises} real full addresses, ")


def _switch_project(tmp_path: Path) -> tuple[Path, str, str]:
    """sql_legacy (60 accounts) rehearsed by a dry run into ``target.db``: the project, the
    legacy database's URL and the target's."""
    import shutil

    from test_month_end import make_project
    from test_system_sql_legacy import SAMPLE as SQL_SAMPLE

    (tmp_path / "legacy").mkdir()
    shutil.copy(SQL_SAMPLE / "legacy.db", tmp_path / "legacy" / "legacy.db")
    legacy_url = f"sqlite:///{(tmp_path / 'legacy' / 'legacy.db').as_posix()}"
    engine = sa.create_engine(legacy_url, poolclass=sa.NullPool)
    with engine.begin() as connection:  # October still open, as at the month-end
        connection.execute(sa.text("UPDATE period SET zakryt = 0 WHERE period = 202610"))
    engine.dispose()
    target_url = f"sqlite:///{(tmp_path / 'target.db').as_posix()}"
    return make_project(tmp_path / "project", legacy_url, target_url), legacy_url, target_url


def test_a_demo_from_a_switched_target_is_refused_and_the_way_it_names_works(tmp_path, monkeypatch):
    from test_month_end import month_end, rehearse

    project, legacy_url, target_url = _switch_project(tmp_path)
    assert rehearse(project, legacy_url) == "reconciled"
    (dry_run_id,) = _rows(target_url, "SELECT run_id FROM run WHERE kind = 'dry-run'")[0]
    switched = month_end(project)
    assert switched.exit_code == 0, switched.output
    (month_end_id,) = _rows(target_url, "SELECT run_id FROM run WHERE kind = 'month-end'")[0]
    demo_url = f"sqlite:///{(tmp_path / 'demo.db').as_posix()}"
    for run_id in (dry_run_id, month_end_id):
        refused = cutover(project, "demo", "--from-run", run_id, "--target", demo_url)
        assert refused.exit_code == 2
        assert refused.output.startswith(f"Error: {target_url} was switched over by month-end run {month_end_id} on ")
        assert ": it holds the final extract of 2026-10 and 2026-11 open in the new system, no dry run's rows any " \
               "more, and a demo is built from a dry run's rows; build the demo from a dry run into a database of " \
               "its own (`cutover dry-run --target URL`, then `CUTOVER_TARGET_URL=URL cutover demo --from-run " \
               "RUN_ID`), or from the bundled sample (`cutover demo`)\n" in refused.output
        assert "filter it out" not in refused.output
    assert not (tmp_path / "demo.db").exists()
    # what the message says to do: a dry run of the final extract into a database of its own
    rehearsal_url = f"sqlite:///{(tmp_path / 'rehearsal.db').as_posix()}"
    rehearsed = cutover(project, "dry-run", "--target", rehearsal_url, "--quiet")
    assert rehearsed.exit_code == 0, rehearsed.output
    (rehearsal_id,) = _rows(rehearsal_url, "SELECT run_id FROM run WHERE kind = 'dry-run'")[0]
    monkeypatch.setenv("CUTOVER_TARGET_URL", rehearsal_url)
    built = cutover(project, "demo", "--from-run", rehearsal_id, "--target", demo_url)
    assert built.exit_code == 0, built.output
    assert _rows(demo_url, "SELECT COUNT(*) FROM account") == [(60,)]
    assert _rows(demo_url, "SELECT month, status FROM period WHERE month >= '2026-10' ORDER BY month") == [
        ("2026-10", "closed"), ("2026-11", "open")]


def test_a_demo_from_a_target_a_month_end_is_switching_is_refused(tmp_path, monkeypatch):
    from test_month_end import FORCE, _Crash, month_end

    from cutover.monthend import runbook

    project, _, target_url = _switch_project(tmp_path)
    dry_run(load_project(project))
    (dry_run_id,) = _rows(target_url, "SELECT run_id FROM run WHERE kind = 'dry-run'")[0]
    original = runbook._run_step

    def run_step(switch, name):
        original(switch, name)
        if name == "load":
            raise _Crash

    monkeypatch.setattr(runbook, "_run_step", run_step)
    with pytest.raises(_Crash):
        month_end(project, *FORCE)
    monkeypatch.undo()
    (month_end_id,) = _rows(target_url, "SELECT run_id FROM run WHERE kind = 'month-end'")[0]
    refused = cutover(project, "demo", "--from-run", dry_run_id, "--target",
                      f"sqlite:///{(tmp_path / 'demo.db').as_posix()}")
    assert refused.exit_code == 2
    assert refused.output == (
        f"Error: month-end run {month_end_id} of 2026-10 is neither switched nor rolled back in {target_url}, so the "
        f"target may hold its rows rather than a dry run's: finish it (`cutover month-end --period 2026-10 --resume`) "
        f"or roll it back (`--rollback`) first, or build the demo from a dry run into a database of its own (`cutover "
        f"dry-run --target URL`, then `CUTOVER_TARGET_URL=URL cutover demo --from-run RUN_ID`), or from the bundled "
        f"sample (`cutover demo`)\n")
