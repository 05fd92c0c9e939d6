"""One workspace per command: the target engine created once and disposed, the mapping loaded once.

The project is a copy of the committed sample (file exports, so a month-end can close it) with a
SQLite target of its own; the sample's two unreadable values are accepted, as its cutover.toml
accepts them. Each command runs through the real CLI, with ``db.create_target_engine`` and
``load_mapping`` counted.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import write_project

from cutover.cli import cli
from cutover.config import load_project
from cutover.mapping import model
from cutover.run.dry_run import dry_run
from cutover.target import db
from cutover.workspace import Workspace, open_workspace

REPO = Path(__file__).resolve().parents[1]


class Counted:
    """The engines created (and how often each was disposed) and the mappings loaded."""

    def __init__(self, monkeypatch) -> None:
        self.engines: list = []
        self.disposed: dict[int, int] = {}
        self.mappings = 0
        create, load = db.create_target_engine, model.load_mapping

        def create_target_engine(url, *args, **kwargs):
            engine = create(url, *args, **kwargs)
            self.engines.append(engine)
            dispose = engine.dispose

            def counted_dispose(*dispose_args, **dispose_kwargs):
                self.disposed[id(engine)] = self.disposed.get(id(engine), 0) + 1
                return dispose(*dispose_args, **dispose_kwargs)

            engine.dispose = counted_dispose
            return engine

        def load_mapping(*args, **kwargs):
            self.mappings += 1
            return load(*args, **kwargs)

        monkeypatch.setattr(db, "create_target_engine", create_target_engine)
        monkeypatch.setattr(model, "load_mapping", load_mapping)

    def assert_one_engine_disposed(self) -> None:
        assert len(self.engines) == 1, [str(engine.url) for engine in self.engines]
        assert self.disposed == {id(self.engines[0]): 1}


@pytest.fixture
def project(tmp_path) -> Path:
    source = tmp_path / "export"
    shutil.copytree(REPO / "sample_data" / "sample_legacy", source)
    url = f"sqlite:///{(tmp_path / 'target.db').as_posix()}"
    return write_project(tmp_path / "project", "sample_legacy", source, target_url=url,
                         extra="[gates]\naccept_unreadable_rows = 2\n")


@pytest.fixture
def rehearsed(project) -> Path:
    """The project after a dry run that reconciled (uncounted)."""
    assert dry_run(load_project(project)).status == "reconciled"
    return project


def run(folder: Path, *args: str):
    return CliRunner().invoke(cli, ["--project", str(folder), *args], catch_exceptions=False)


@pytest.mark.parametrize("args, mappings", [
    (("reconcile", "--quiet"), 1),
    (("status",), 0),
    (("runs",), 0),
    (("keymap", "export"), 0),
    (("month-end", "--period", "2026-10", "--quiet"), 1),
])
def test_a_command_opens_the_target_engine_once_and_loads_the_mapping_at_most_once(rehearsed, monkeypatch, args,
                                                                                  mappings):
    counted = Counted(monkeypatch)
    result = run(rehearsed, *args)
    assert result.exit_code == 0, result.output
    counted.assert_one_engine_disposed()
    assert counted.mappings == mappings


def test_a_dry_run_opens_the_target_engine_once_and_loads_the_mapping_once(project, monkeypatch):
    counted = Counted(monkeypatch)
    result = run(project, "dry-run", "--quiet")
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith(" reconciled\n")
    counted.assert_one_engine_disposed()
    assert counted.mappings == 1


def test_a_month_end_of_another_period_is_refused_before_the_target_is_touched(rehearsed, monkeypatch):
    counted = Counted(monkeypatch)
    result = run(rehearsed, "month-end", "--period", "2026-09")
    assert result.exit_code == 2
    assert "--period 2026-09 is not the month" in result.stderr
    assert counted.engines == [] and counted.mappings == 0  # refused before the target is touched


@pytest.mark.parametrize("command", ["check", "profile"])
def test_check_and_profile_load_the_mapping_once_and_touch_no_target(project, monkeypatch, command):
    counted = Counted(monkeypatch)
    result = run(project, command)
    assert result.exit_code in (0, 1), result.output
    assert counted.engines == [] and counted.mappings == 1


def test_the_workspace_opens_lazily_once_and_closes_once(project, monkeypatch):
    counted = Counted(monkeypatch)
    with open_workspace(load_project(project)) as ws:
        assert counted.engines == [] and counted.mappings == 0
        assert ws.engine is ws.engine and ws.mapping is ws.mapping
        assert len(counted.engines) == 1 and counted.mappings == 1
        with pytest.raises(RuntimeError, match="no run yet"):
            ws.report_dir  # noqa: B018
        ws.run_id = "20261201-000000-dry-run-abcd"
        assert ws.report_dir == ws.project.reports_dir / ws.run_id
    counted.assert_one_engine_disposed()


def test_a_workspace_closed_by_an_error_disposes_its_engine(project, monkeypatch):
    counted = Counted(monkeypatch)
    with pytest.raises(ValueError, match="boom"), open_workspace(load_project(project)) as ws:
        ws.engine  # noqa: B018
        raise ValueError("boom")
    counted.assert_one_engine_disposed()
    assert isinstance(ws, Workspace)
