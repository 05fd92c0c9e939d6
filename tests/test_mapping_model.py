"""Mapping files: the shipped mapping loads; each kind of mistake names the file, key and fix."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cutover.errors import MappingError
from cutover.mapping.model import ENTITY_ORDER, load_mapping

MAPPING = Path(__file__).resolve().parents[1] / "mappings" / "sample_legacy"


def test_the_sample_mapping_loads_every_entity_in_order():
    mapping = load_mapping(MAPPING)
    assert [e.entity for e in mapping.entities] == list(ENTITY_ORDER)
    assert mapping.entity("premise").key_from_target == ("settlement", "street", "house", "building", "apartment")
    assert mapping.entity("account").refs[1].same_row


@pytest.fixture
def mapping_copy(tmp_path) -> Path:
    target = tmp_path / "sample_legacy"
    shutil.copytree(MAPPING, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.parametrize(("file", "old", "new", "message"), [
    ("entities/person.toml", 'to = "birth_date"', 'to = "born"',
     "entities/person.toml: columns[1].to: 'born' is not a column of the target; expected one of"),
    ("entities/balance.toml", 'transforms = ["money"]', 'transforms = [{ name = "money", sep = "," }]',
     "entities/balance.toml: columns[1].transforms[0]: transform 'money' takes ['decimal'], not ['sep']"),
    ("entities/person.toml", 'formats = ["%d.%m.%Y"]', 'format = "%d.%m.%Y"',
     "entities/person.toml: columns[1].transforms[0]: transform 'date' takes ['formats'], not ['format']"),
    ("entities/service.toml", 'file = "services"', 'file = "uslugi"',
     "entities/service.toml: columns[0].transforms[0].file: dictionary 'uslugi' not found"),
    ("entities/meter.toml", 'entity = "account"', 'entity = "acount"',
     "entities/meter.toml: refs[0].entity: 'acount' is not one of"),
    ("entities/account.toml", 'source = "abonent"', 'source = "abonents"',
     "entities/account.toml: entity.source: 'abonents' is not a source in system.toml; expected one of"),
    ("entities/person.toml", 'on_duplicate = "reject_all"', 'on_duplicate = "keep_one"',
     "entities/person.toml: entity.on_duplicate: 'keep_one' is not one of "
     "['reject_all', 'keep_first', 'keep_last', 'keep_first_if_identical', 'merge']"),
    ("entities/balance.toml", 'to = "closing_kopecks"', 'to = "closing"',
     "entities/balance.toml: columns[5].to: 'closing' is not a column of the target"),
    ("system.toml", 'separator = ";"\n\n[sources.usluga]', 'separator = ";"\nformat = "xml"\n\n[sources.usluga]',
     "system.toml: sources.abonent.format: 'xml' is not one of ['dbf', 'delimited'"),
    ("system.toml", 'separator = ";"\n\n[sources.usluga]', 'seperator = ";"\n\n[sources.usluga]',
     "system.toml: sources.abonent.seperator: unknown option for a delimited source; expected some of"),
    ("entities/balance.toml", 'transforms = ["money", "negate"]', 'transforms = ["negate"]',
     "entities/balance.toml: columns[4].transforms[0]: 'negate' needs a number, but gets text; put one of "
     "['first_integer', 'integer', 'kopecks', 'money'] before it"),
    ("entities/account.toml", 'entity = "premise"\nkey = "same_row"', 'entity = "service"\nkey = "same_row"',
     "entities/account.toml: refs[1].key: \"same_row\" needs service built from the same source ('abonent'), "
     "but it is built from 'usluga'"),
    ("entities/service.toml", '[[columns]]\nto = "unit"\nfrom = "ЕдИзм"\ntransforms = ["trim"]',
     '[[refs]]\nto = "unit"\nentity = "meter"\nkey = ["ЕдИзм"]',
     "entities/service.toml: refs[0].entity: service cannot refer to meter, which is loaded after it"),
    # A second rule for one target column would silently win, and no reconciliation could tell.
    ("entities/balance.toml", 'to = "closing_kopecks"', 'to = "opening_kopecks"',
     "entities/balance.toml: columns[5].to: target column 'opening_kopecks' is already mapped by columns[1]; "
     "map each target column once"),
    ("entities/meter.toml", '[[refs]]\nto = "account_id"',
     '[[refs]]\nto = "account_id"\nentity = "account"\nkey = ["ЛС"]\n\n[[refs]]\nto = "account_id"',
     "entities/meter.toml: refs[1].to: target column 'account_id' is already mapped by refs[0]"),
])
def test_a_mistake_names_file_key_and_what_was_expected(mapping_copy, file, old, new, message):
    edit(mapping_copy / file, old, new)
    with pytest.raises(MappingError) as caught:
        load_mapping(mapping_copy)
    assert str(caught.value).startswith(f"{mapping_copy}/{message}")


def test_an_unmapped_required_column_is_named(mapping_copy):
    path = mapping_copy / "entities" / "meter.toml"
    text = path.read_text(encoding="utf-8")
    start = text.index('[[columns]]\nto = "serial"')
    path.write_text(text[:start] + text[text.index("[[columns]]", start + 1):], encoding="utf-8")
    with pytest.raises(MappingError) as caught:
        load_mapping(mapping_copy)
    assert str(caught.value) == f"{path}: target columns ['serial'] of meter are required but not mapped"


def test_invalid_toml_is_reported_with_the_file(mapping_copy):
    path = mapping_copy / "entities" / "person.toml"
    path.write_text("[entity\nname = 1", encoding="utf-8")
    with pytest.raises(MappingError) as caught:
        load_mapping(mapping_copy)
    assert str(caught.value).startswith(f"{path}: not valid TOML:")


def test_a_folder_without_system_toml_is_not_a_mapping(tmp_path):
    with pytest.raises(MappingError) as caught:
        load_mapping(tmp_path)
    assert str(caught.value) == f"{tmp_path}: not a mapping folder (expected {tmp_path / 'system.toml'})"


def test_mapping_files_cannot_run_code(mapping_copy):
    """A transform name is looked up in the registry; anything else is refused, never evaluated."""
    edit(mapping_copy / "entities" / "person.toml", '["full_name"]', '["__import__(\'os\').system(\'true\')"]')
    with pytest.raises(MappingError, match="unknown transform"):
        load_mapping(mapping_copy)


@pytest.mark.parametrize("folder", sorted(p for p in MAPPING.parent.iterdir() if (p / "system.toml").is_file()),
                         ids=lambda p: p.name)
def test_every_shipped_mapping_loads(folder):
    mapping = load_mapping(folder)
    assert mapping.entities and mapping.sources


@pytest.mark.parametrize(("old", "new", "message"), [
    ('transforms = ["integer"]', 'transforms = ["integer", { name = "default", value = "6" }]',
     "columns[2].transforms[1]: the values here are number (whole numbers), so the default must be one too: "
     "value = 0, not '6'"),
    ('transforms = ["integer"]', 'transforms = ["trim", { name = "default", value = 6 }]',
     'columns[2].transforms[1]: the values here are text, so the default must be text: value = "6"'),
])
def test_a_default_of_the_wrong_kind_is_refused_when_the_mapping_loads(mapping_copy, old, new, message):
    premise = mapping_copy / "entities" / "premise.toml"
    edit(premise, old, new)
    with pytest.raises(MappingError) as caught:
        load_mapping(mapping_copy)
    assert str(caught.value) == f"{premise}: {message}"
