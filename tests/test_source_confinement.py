"""Source files stay inside the project's source folder, dictionaries inside the mapping's folder.

The project here is the sample system (a copy of its extract in ``extract/``, its mapping copied
into the project so a test can edit ``system.toml``). Beside the extract lies ``outside/secret.csv``,
a file that must never be read: its one line is ``root:x:0:0:secret``, and no message or
summary.json may show it. Each escape is refused with exit code 2 before the file is opened:

| the mapping's file | where it leads |
|---|---|
| ``../outside/secret.csv`` | up out of the folder |
| the secret's absolute path | anywhere |
| ``usluga.csv``, a symbolic link to the secret | out, once the link is followed |
| ``../../../../../../../../etc/passwd`` | the classic |
| dictionary ``../../outside`` | ``mappings/outside.toml``, out of ``dictionaries/`` |

``[sources] allow_outside`` in cutover.toml lets a folder outside in: the sample's services and
persons read from ``export/`` beside the extract, one by a relative path, one through a link.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import ROOT, SAMPLE, accepting_sample_dirt, write_project

from cutover.cli import cli
from cutover.config import load_project
from cutover.errors import ConfigError, MappingError
from cutover.extract import REGISTRY
from cutover.folders import SourceFolder
from cutover.mapping.model import load_mapping

MAPPING = ROOT / "mappings" / "sample_legacy"
SECRET = "root:x:0:0:secret"
DELIMITED = REGISTRY["delimited"]


@pytest.fixture
def folder(tmp_path) -> Path:
    """The project folder: ``extract/`` (the sample), ``outside/secret.csv``, the mapping copied in."""
    folder = tmp_path.resolve()
    shutil.copytree(SAMPLE, folder / "extract")
    (folder / "outside").mkdir()
    (folder / "outside" / "secret.csv").write_text(SECRET + "\n", encoding="utf-8")
    shutil.copytree(MAPPING, folder / "mappings" / "sample_legacy")
    return folder


def point_usluga_at(folder: Path, name: str) -> None:
    """Make the mapping's source usluga read ``name``."""
    system = folder / "mappings" / "sample_legacy" / "system.toml"
    text = system.read_text(encoding="utf-8")
    system.write_text(text.replace('file = "usluga.csv"', f"file = {json.dumps(name)}"), encoding="utf-8")


def dry_run(folder: Path, extra: str = ""):
    write_project(folder, "sample_legacy", "extract", extra=accepting_sample_dirt(extra))
    return CliRunner().invoke(cli, ["--project", str(folder), "dry-run"], catch_exceptions=False)


def refusal(name: str, resolved: Path, source_dir: Path) -> str:
    return (f"file = '{name}' in the mapping's system.toml resolves to {resolved}, outside the source folder "
            f"{source_dir} ([project] source_dir); put the file in the source folder, or let its folder in with "
            f"[sources] allow_outside = [\"{resolved.parent}\"] in cutover.toml")


def latest_summary(folder: Path) -> dict:
    path = sorted((folder / "reports").glob("*/summary.json"))[-1]
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("escape", ["relative", "absolute", "symlink", "etc_passwd"])
def test_a_source_file_outside_the_source_folder_exits_2_showing_none_of_it(folder, escape):
    secret = folder / "outside" / "secret.csv"
    name, resolved = {
        "relative": ("../outside/secret.csv", secret),
        "absolute": (str(secret), secret),
        "symlink": ("usluga.csv", secret),
        "etc_passwd": ("../../../../../../../../etc/passwd", Path("/etc/passwd")),
    }[escape]
    if escape == "symlink":
        (folder / "extract" / "usluga.csv").unlink()
        (folder / "extract" / "usluga.csv").symlink_to(secret)
    point_usluga_at(folder, name)
    result = dry_run(folder)
    assert result.exit_code == 2
    message = refusal(name, resolved, folder / "extract")
    assert result.stderr == f"Error: {message}\n"
    summary = latest_summary(folder)
    assert (summary["status"], summary["error"]) == ("failed", message)
    shown = result.output + json.dumps(summary)
    assert SECRET not in shown and "root:x:0:0" not in shown


def test_a_file_outside_is_refused_before_anyone_looks_whether_it_is_there(folder):
    missing = folder / "outside" / "nothing.csv"
    with pytest.raises(ConfigError) as error:
        DELIMITED.header({"file": "../outside/nothing.csv"}, folder / "extract")
    assert str(error.value) == refusal("../outside/nothing.csv", missing, folder / "extract")


def test_a_link_or_dots_that_stay_inside_the_source_folder_are_read(folder):
    extract = folder / "extract"
    (extract / "old").mkdir()
    (extract / "services-2026.csv").symlink_to(extract / "usluga.csv")
    for name in ("services-2026.csv", "old/../usluga.csv", str(extract / "usluga.csv")):
        assert DELIMITED.header({"file": name, "encoding": "cp1251"}, extract) == ["Код", "Наименование", "ЕдИзм"]


def test_a_source_folder_that_is_itself_a_link_is_the_folder_it_leads_to(folder):
    (folder / "legacy").symlink_to(folder / "extract")
    project = load_project(write_project(folder, "sample_legacy", "legacy"))
    assert project.source_dir == folder / "extract"
    assert DELIMITED.header({"file": "usluga.csv", "encoding": "cp1251"}, project.source_dir)[0] == "Код"


@pytest.mark.parametrize("escape", ["dots", "symlink"])
def test_a_dictionary_outside_the_mapping_exits_2(folder, escape):
    mapping = folder / "mappings" / "sample_legacy"
    outside = folder / "mappings" / "outside.toml"
    outside.write_text('[codes]\n"01" = "cold_water"\n', encoding="utf-8")
    service = mapping / "entities" / "service.toml"
    if escape == "dots":
        name = "../../outside"
        service.write_text(service.read_text(encoding="utf-8").replace('file = "services"', f'file = "{name}"'),
                           encoding="utf-8")
    else:
        name = "services"
        (mapping / "dictionaries" / "services.toml").unlink()
        (mapping / "dictionaries" / "services.toml").symlink_to(outside)
    message = (f"{service}: columns[0].transforms[0].file: dictionary '{name}' resolves to {outside}, outside the "
               f"mapping's dictionaries folder {mapping / 'dictionaries'}; put the dictionary in that folder and "
               f"name it by its file name without .toml")
    with pytest.raises(MappingError) as error:
        load_mapping(mapping)
    assert str(error.value) == message
    result = dry_run(folder)
    assert (result.exit_code, result.stderr) == (2, f"Error: {message}\n")


def test_allow_outside_lets_a_folder_outside_in(folder):
    export = folder / "export"
    export.mkdir()
    shutil.move(folder / "extract" / "usluga.csv", export / "usluga.csv")
    shutil.move(folder / "extract" / "abonent.csv", export / "abonent.csv")
    (folder / "extract" / "abonent.csv").symlink_to(export / "abonent.csv")
    point_usluga_at(folder, "../export/usluga.csv")
    refused = dry_run(folder)
    assert refused.exit_code == 2
    assert refused.stderr.startswith("Error: file = 'abonent.csv' in the mapping's system.toml resolves to ")
    result = dry_run(folder, '[sources]\nallow_outside = ["export"]\n')  # relative to the project folder
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].endswith(": reconciled")  # two runs a second: no "latest" summary


def test_allow_outside_names_the_folders_it_lets_in_when_a_file_is_elsewhere(folder):
    source_dir = SourceFolder.of(folder / "extract", [folder / "export"])
    with pytest.raises(ConfigError) as error:
        DELIMITED.header({"file": "../outside/secret.csv"}, source_dir)
    assert str(error.value) == (
        f"file = '../outside/secret.csv' in the mapping's system.toml resolves to {folder / 'outside' / 'secret.csv'}, "
        f"outside the source folder {folder / 'extract'} ([project] source_dir) or in the folders [sources] "
        f"allow_outside lets in ({folder / 'export'}); put the file in the source folder, or let its folder in with "
        f"[sources] allow_outside = [\"{folder / 'outside'}\"] in cutover.toml")


def test_allow_outside_must_be_a_list_of_folders(folder):
    write_project(folder, "sample_legacy", "extract", extra='[sources]\nallow_outside = "/mnt/export"\n')
    with pytest.raises(ConfigError) as error:
        load_project(folder)
    assert str(error.value) == (f"{folder / 'cutover.toml'}: [sources] allow_outside must be a list of folders, "
                                f"e.g. [\"/mnt/export\"]; got '/mnt/export'")


def test_the_folders_let_in_survive_a_copy_and_paths_made_from_the_folder_let_none_in(folder):
    import copy
    import pickle

    source_dir = SourceFolder.of(folder / "extract", [folder / "export"])
    assert copy.deepcopy(source_dir).allowed_outside == (folder / "export",)
    assert pickle.loads(pickle.dumps(source_dir)).allowed_outside == (folder / "export",)
    assert getattr(source_dir / "sub", "allowed_outside", ()) == ()
