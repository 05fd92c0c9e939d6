"""The command line's conventions (issue 18, item 6): -h, the environment variable shown in the
help, an example in every command's help, `cutover db current|check|upgrade|downgrade`, dry runs
that leave a target at an older schema alone unless asked, drivers named as cutover ships them."""

from __future__ import annotations

import pytest
from click.shell_completion import ShellComplete
from click.testing import CliRunner
from test_cli import project

from cutover.cli import cli
from cutover.target import db

COMMANDS = [["dry-run"], ["reconcile"], ["runs"], ["check"], ["profile"], ["month-end"], ["status"], ["init"],
            ["demo"], ["db", "current"], ["db", "check"], ["db", "downgrade"]]


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_h_is_help_and_the_project_variable_is_shown():
    short, long = run("-h"), run("--help")
    assert short.exit_code == 0 and short.stdout == long.stdout
    assert "[env var: CUTOVER_PROJECT;" in " ".join(short.stdout.split())
    assert "_CUTOVER_COMPLETE=bash_source cutover" in " ".join(short.stdout.split())


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_an_example_in_its_help(command):
    shown = run(*command, "-h")
    assert shown.exit_code == 0
    text = " ".join(shown.stdout.split())
    assert "Example: cutover " in text or "Examples: cutover " in text


def test_db_current_check_downgrade_and_a_dry_run_that_will_not_upgrade_unasked(tmp_path):
    url = f"sqlite:///{tmp_path / 'target.db'}"
    folder = project(tmp_path / "p")
    head = db.head_revision()
    missing = run("db", "current", "--target", url)
    assert missing.exit_code == 2 and "does not exist" in missing.stderr and not (tmp_path / "target.db").exists()
    assert run("db", "upgrade", "--target", url).exit_code == 0
    current = run("db", "current", "--target", url)
    assert (current.exit_code, current.stdout) == (0, f"{url} is at revision {head}, the newest\n")
    checked = run("db", "check", "--target", url)
    assert (checked.exit_code, checked.stdout) == (0, f"{url} matches the schema\n")
    down = run("db", "downgrade", "-1", "--target", url)
    older = f"{int(head) - 1:04d}"
    assert (down.exit_code, down.stdout) == (0, f"{url} is at revision {older}\n")
    behind = run("db", "current", "--target", url)
    assert (behind.exit_code, behind.stdout) == (
        1, f"{url} is at revision {older}, not the newest {head}: `cutover db upgrade` brings it there\n")
    refused = run("--project", str(folder), "dry-run", "--target", url)
    assert refused.exit_code == 2
    assert refused.stderr == (f"Error: the target's schema is at revision {older}, not the newest {head}: run "
                              f"`cutover db upgrade` first (or `cutover dry-run --upgrade` to upgrade it as part of "
                              f"the run)\n")
    upgraded = run("--project", str(folder), "dry-run", "--quiet", "--upgrade", "--target", url)
    assert upgraded.exit_code == 0, upgraded.output
    assert upgraded.stdout.endswith(" reconciled\n")
    assert run("db", "current", "--target", url).stdout == f"{url} is at revision {head}, the newest\n"
    # the shell completes a run id from the target's journal
    run_id = upgraded.stdout.split()[0]
    complete = ShellComplete(cli, {}, "cutover", "_CUTOVER_COMPLETE")
    offered = complete.get_completions(["--project", str(folder), "reconcile", "--target", url, "--run"], run_id[:9])
    assert [item.value for item in offered] == [run_id]


def test_a_mysql_url_of_the_driver_cutover_does_not_ship_names_the_one_it_does():
    # (postgresql:// needs no such hint: SQLAlchemy 2 takes psycopg, the driver cutover[postgres] installs)
    result = run("db", "current", "--target", "mysql://billing@db.example/billing")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: the target database URL 'mysql://billing@db.example/billing' needs the database driver 'mysqldb', "
        "which is not installed: write mysql+pymysql://... or mariadb+pymysql://... (the driver of pip install "
        "'cutover[mariadb]')\n")


def test_a_missing_source_folder_is_named_as_a_folder_once(tmp_path):
    (tmp_path / "cutover.toml").write_text('[project]\nmapping = "sample_legacy"\nsource_dir = "no_such_folder"\n'
                                          'period = "2026-10"\n', encoding="utf-8")
    folder = tmp_path / "no_such_folder"
    message = (f"{folder}: the source folder does not exist (cutover.toml's [project] source_dir, relative to the "
               f"project folder)")
    ran = run("--project", str(tmp_path), "dry-run")
    assert (ran.exit_code, ran.stderr) == (2, f"Error: {message}\n")
    checked = run("--project", str(tmp_path), "check")
    assert checked.exit_code == 2 and checked.stdout.count(message) == 1
