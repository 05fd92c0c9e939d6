"""The order of entities and of the load comes from the schema's references, not from a list kept by hand."""

from __future__ import annotations

import pytest

from cutover.errors import SchemaError
from cutover.mapping.model import ENTITY_ORDER
from cutover.pipeline.load import DATA_TABLES
from cutover.resources import resource_dir
from cutover.schema.definition import load_schema, target_schema


def test_the_entities_and_data_tables_come_parents_first_from_the_references():
    assert ENTITY_ORDER == ("service", "person", "premise", "account", "meter", "reading", "balance")
    assert DATA_TABLES == ("period", *ENTITY_ORDER, "base_reading")
    schema = target_schema()
    position = {table.name: index for index, table in enumerate(schema.tables)}
    for table in schema.tables:
        for column in table.columns:
            if column.references and column.references != table.name:
                assert position[column.references] < position[table.name], (table.name, column.name)


def test_a_table_written_before_its_parent_is_still_loaded_after_it(tmp_path):
    text = (resource_dir("schemas") / "target.toml").read_text(encoding="utf-8")
    balance = text[text.index("[tables.balance]"):text.index("[tables.base_reading]")]
    moved = tmp_path / "target.toml"
    moved.write_text(balance + text.replace(balance, ""), encoding="utf-8")  # balance first in the file
    entities = load_schema(moved).entities
    assert sorted(entities) == sorted(ENTITY_ORDER)
    assert entities.index("balance") > max(entities.index("account"), entities.index("service"))
    assert entities[:4] == ("service", "person", "premise", "account")


def test_references_that_make_a_cycle_are_refused(tmp_path):
    path = tmp_path / "target.toml"
    path.write_text('[tables.a]\ncolumns.id = { type = "id" }\ncolumns.b_id = { type = "ref", on = "b" }\n'
                    '[tables.b]\ncolumns.id = { type = "id" }\ncolumns.a_id = { type = "ref", on = "a" }\n'
                    '[tables.c]\ncolumns.id = { type = "id" }\ncolumns.parent_id = { type = "ref", on = "c" }\n',
                    encoding="utf-8")
    with pytest.raises(SchemaError) as raised:
        load_schema(path)
    assert str(raised.value) == (f"{path}: the references of tables ['a', 'b'] make a cycle; a table may refer only "
                                 f"to tables that do not refer back to it")
