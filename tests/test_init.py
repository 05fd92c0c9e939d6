"""`cutover init`: a scaffold from each shipped system's data that `cutover check` refuses while it
holds a TODO and accepts once they are filled; `cutover init --example` then `cutover dry-run`
from an empty folder; nothing overwritten."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from cutover import commands
from cutover.cli import cli
from cutover.config import load_project
from cutover.errors import ConfigError, MappingError
from cutover.workspace import open_workspace

REPO = Path(__file__).resolve().parents[1]
SYSTEMS = ("sample_legacy", "dbf_legacy", "gis_excel", "sql_legacy", "housing_ods")
ENTITIES = ("service", "person", "premise", "account", "meter", "reading", "balance")


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def init(folder: Path, system: str):
    return invoke("init", system, "--source-dir", str(REPO / "sample_data" / system), "--project", str(folder))


def check(folder: Path):
    with open_workspace(load_project(folder)) as ws:
        return commands.check(ws)


def _where(options: dict) -> tuple:
    """What a source reads: its file and sheet, or its table (a query: none)."""
    return options.get("file"), options.get("sheet"), options.get("table")


@pytest.mark.parametrize("system", SYSTEMS)
def test_init_scaffolds_what_check_refuses_until_the_todos_are_filled(tmp_path, system):
    result = init(tmp_path, system)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "Next: fill every TODO, then `cutover check`."
    mapping = tmp_path / "mappings" / system
    config = tomllib.loads((tmp_path / "cutover.toml").read_text(encoding="utf-8"))
    assert config["project"] == {"mapping": system, "source_dir": str(REPO / "sample_data" / system), "period": "TODO"}
    made = tomllib.loads((mapping / "system.toml").read_text(encoding="utf-8"))
    assert made["system"] == {"name": system}
    for entity in ENTITIES:
        document = tomllib.loads((mapping / "entities" / f"{entity}.toml").read_text(encoding="utf-8"))
        assert document["entity"]["name"] == entity and document["entity"]["source"] == "TODO"
        assert all(column["from"] == "TODO" for column in document["columns"])

    # every shipped source is found, read as the shipped mapping reads it
    shipped = tomllib.loads((REPO / "mappings" / system / "system.toml").read_text(encoding="utf-8"))["sources"]
    found = {_where(options): name for name, options in made["sources"].items()}
    renamed = {}
    for name, options in shipped.items():
        if "query" in options:  # sql_legacy's saldo: a query over the table of that name
            renamed[name] = name
            continue
        ours = made["sources"][found[_where(options)]]
        assert {key: ours.get(key) for key in options} == options, name
        renamed[found[_where(options)]] = name
    if system == "sample_legacy":
        assert made["sources"] == shipped  # file, encoding cp1251, separator ';': all five as shipped

    # the TODOs do not load: the period first, then the entities' sources
    with pytest.raises(ConfigError, match=r"\[project\] period must be YYYY-MM, e\.g\. \"2026-10\"; got 'TODO'"):
        check(tmp_path)
    accepted = "\n[gates]\naccept_unreadable_rows = 2\n" if system == "sample_legacy" else ""
    (tmp_path / "cutover.toml").write_text((tmp_path / "cutover.toml").read_text(encoding="utf-8").replace(
        'period = "TODO"', 'period = "2026-10"') + accepted, encoding="utf-8")
    with pytest.raises(MappingError, match=r"entities/account\.toml: entity\.source: 'TODO' is not a source in "
                                           r"system\.toml"):
        check(tmp_path)
    assert invoke("--project", str(tmp_path), "check").exit_code == 2

    # filled as an engineer fills them: the shipped entities, under the shipped source names
    text = (mapping / "system.toml").read_text(encoding="utf-8")
    for ours, name in renamed.items():
        text = text.replace(f'[sources."{ours}"]', f'[sources."{name}"]')
    (mapping / "system.toml").write_text(text, encoding="utf-8")
    for part in ("entities", "dictionaries"):
        shutil.copytree(REPO / "mappings" / system / part, mapping / part, dirs_exist_ok=True)
    if (REPO / "mappings" / system / "source_rules.toml").is_file():
        shutil.copy(REPO / "mappings" / system / "source_rules.toml", mapping)
    checked = check(tmp_path)
    assert checked.problems == [], checked.problems
    # and it finds what the shipped mapping finds (the samples' dirt: unmapped codes, source rules)
    as_shipped = tmp_path / "shipped"
    as_shipped.mkdir()
    (as_shipped / "cutover.toml").write_text(f'[project]\nmapping = "{system}"\nsource_dir = '
                                             f'"{(REPO / "sample_data" / system).as_posix()}"\nperiod = "2026-10"\n'
                                             f'{accepted}', encoding="utf-8")
    expected = check(as_shipped)
    assert checked.exit_code == expected.exit_code
    assert [(code.entity, code.code, code.rows) for code in checked.unmapped] == [(code.entity, code.code, code.rows)
                                                                        for code in expected.unmapped]
    assert len(checked.source_rules) == len(expected.source_rules)


def test_init_example_then_dry_run_reconciles_from_an_empty_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CUTOVER_PROJECT", raising=False)
    monkeypatch.delenv("CUTOVER_TARGET_URL", raising=False)
    made = invoke("init", "--example")
    assert made.exit_code == 0, made.output
    assert made.stdout == ("Wrote the sample project to .: cutover.toml, mappings/sample_legacy/, "
                           "sample_data/sample_legacy/. Next: `cutover dry-run`.\n")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["cutover.toml", "mappings", "sample_data"]
    run = invoke("dry-run", "--quiet")
    assert run.exit_code == 0, run.output
    assert run.stdout.endswith(" reconciled\n")
    assert (tmp_path / "cutover.db").is_file()  # the project's own target, in the folder


def test_init_never_overwrites(tmp_path):
    assert init(tmp_path, "sample_legacy").exit_code == 0
    again = init(tmp_path, "sample_legacy")
    assert again.exit_code == 2
    assert again.output == (f"Error: {tmp_path / 'cutover.toml'}: already there (and 8 more of the files it writes); "
                            f"cutover init never overwrites a file: move it away, or give another --project folder\n")
    example = invoke("init", "--example", "--project", str(tmp_path))
    assert example.exit_code == 2
    assert example.output == (f"Error: {tmp_path / 'cutover.toml'}: already there (and 1 more of the files it writes); "
                              f"cutover init never overwrites a file: move it away, or give another --project folder\n")
    assert not (tmp_path / "sample_data").exists()


def test_init_needs_a_system_and_its_sources_or_example(tmp_path):
    alone = invoke("init", "--project", str(tmp_path))
    assert alone.exit_code == 2
    assert "Error: give SYSTEM --source-dir DIR (the legacy extract), or --example" in alone.output
    both = invoke("init", "x", "--example", "--project", str(tmp_path))
    assert both.exit_code == 2 and "--example goes alone" in both.output
    assert list(tmp_path.iterdir()) == []
