"""Children that refer to a parent by another key (issue 17, item 7): legacy SQL schemas refer by
surrogate id while the business key is the account number. The tiny system of test_shape with
an ``ID`` column in lic.csv and meters that name their account by it (``sch.csv`` ``LIC``).
Every expected count is worked out by hand in the comment beside it.
"""

from __future__ import annotations

import pytest
from support import query
from test_shape import ENTITIES, FILES, write_system

from cutover.analysis import profile_project
from cutover.config import load_project
from cutover.errors import MappingError
from cutover.mapping.model import load_mapping
from cutover.run.dry_run import dry_run, reconcile

LIC = ["LS;FAM;IM;OT;ADR;PLOSH;ID",
       "100;ИВАНОВ;ИВАН;ИВАНОВИЧ;1;50,5;11",
       "101;ПЕТРОВА;АННА;;2;40;12",
       "102;СИДОРОВ;ПЁТР;ИЛЬИЧ;9;30;13",  # rejected: its address 9 does not exist (test_shape)
       "103;КОЗЛОВ;ОЛЕГ;;7;33;14"]
SCH = ["SCH;LIC;USL;RAZR;ZON",
       "1;11;1;5;1",    # account 100
       "2;12;5;6;2",    # account 101
       "3;99;1;5;1",    # no account has ID 99: an orphan, and the message shows 99
       "4;13;1;5;1",    # account 102, which is rejected: PARENT_REJECTED
       "5;;1;5;1"]      # blank: the reference is blank
BY_ID = ('[[refs]]\nto = "account_id"\nentity = "account"\nkey = ["LS"]',
         '[[refs]]\nto = "account_id"\nentity = "account"\nkey = ["LIC"]\nparent_key = ["ID"]')


def _system(tmp_path, lic=LIC, meter=BY_ID):
    entities = dict(ENTITIES)
    assert meter[0] in entities["meter"]
    entities["meter"] = entities["meter"].replace(*meter)
    return write_system(tmp_path, entities, {**FILES, "lic.csv": lic, "sch.csv": SCH})


@pytest.fixture(scope="module")
def by_id(tmp_path_factory):
    folder = _system(tmp_path_factory.mktemp("by_id"))
    return dry_run(load_project(folder)), f"sqlite:///{folder / 'cutover.db'}"


def test_a_meter_finds_its_account_by_the_surrogate_id(by_id):
    result, url = by_id
    assert result.status == "reconciled"
    entities = result.summary["entities"]
    assert (entities["meters"]["source_rows"], entities["meters"]["loaded"], entities["meters"]["rejected"]) == (5, 2, 3)
    # the key map and the target keep the business key, the account number
    assert query(url, "SELECT m.serial, a.legacy_account_number FROM meter m JOIN account a ON a.id = m.account_id "
                      "ORDER BY m.serial") == [("1", "100"), ("2", "101")]


def test_a_reconciliation_that_maps_the_sources_again_tells_the_meters_their_account_numbers(tmp_path):
    """Without the facts the load recorded (``--live``), the source side is mapped again: a
    meter's account there is the account number too, or every meter would differ."""
    project = load_project(_system(tmp_path))
    assert dry_run(project).status == "reconciled"
    live = reconcile(project, live=True)
    assert (live.status, live.summary["differences"]) == ("reconciled", [])


def test_the_orphan_message_shows_the_value_the_child_holds(by_id):
    _, url = by_id
    assert query(url, "SELECT rule, row_number, column_name, raw_value, message FROM reject WHERE entity = 'meter' "
                      "AND severity = 'error' ORDER BY row_number") == [
        ("ORPHAN_METER", 4, "LIC", "99", "account ID '99' is not in lic.csv"),
        ("PARENT_REJECTED", 5, "LIC", "13", "account '102' (ID '13') was rejected (PARENT_REJECTED)"),
        ("ORPHAN_METER", 6, "LIC", None, "the reference to account (LIC) is blank"),
    ]


@pytest.mark.parametrize("parts", ["", "partition_rows = 1\n"], ids=["one-part", "row-by-row"])
def test_an_id_two_accounts_share_names_no_account(tmp_path, parts):
    shared = [*LIC[:4], "103;КОЗЛОВ;ОЛЕГ;;7;33;12"]  # 101 and 103 both have ID 12 (row by row: in two parts)
    project = _system(tmp_path, lic=shared) / "cutover.toml"
    project.write_text(project.read_text(encoding="utf-8").replace("[project]\n", "[project]\n" + parts), encoding="utf-8")
    result = dry_run(load_project(tmp_path))
    url = f"sqlite:///{tmp_path / 'cutover.db'}"
    assert result.summary["entities"]["meters"]["loaded"] == 1
    assert query(url, "SELECT row_number, raw_value, message FROM reject WHERE entity = 'meter' AND row_number = 3") == [
        (3, "12", "account ID '12' names more than one account in lic.csv ('101', '103')")]


@pytest.mark.parametrize("meter, message", [
    (('key = ["LIC"]\nparent_key = ["ID"]', 'key = ["LIC"]\nparent_key = ["ID", "LS"]'),
     "entities/meter.toml: refs[0].parent_key: ['ID', 'LS'] names 2 column(s) of account, but key ['LIC'] names 1; "
     "give one parent column for each"),
    (('[[refs]]\nto = "service_id"', '[[refs]]\nto = "replaced_by_id"\nentity = "meter"\nkey = ["SCH"]\n'
      'parent_key = ["SCH"]\n[[refs]]\nto = "service_id"'),
     "entities/meter.toml: refs[1].parent_key: a reference within meter is by its legacy key ['SCH']; parent_key "
     "is for references to another entity"),
])
def test_a_parent_key_that_cannot_work_is_refused_when_the_mapping_is_loaded(tmp_path, meter, message):
    entities = dict(ENTITIES)
    entities["meter"] = entities["meter"].replace(*BY_ID).replace(*meter)
    folder = write_system(tmp_path, entities, {**FILES, "lic.csv": LIC, "sch.csv": SCH})
    with pytest.raises(MappingError) as caught:
        load_mapping(folder / "mappings" / "tiny")
    assert str(caught.value).endswith(message)


def test_the_profile_looks_an_orphan_up_by_the_parent_key(tmp_path):
    found = [f for f in profile_project(load_project(_system(tmp_path))).findings if f.check == "ORPHAN"]
    # meter 3's LIC 99 is no account's ID; 13 is (account 102, whose address the profile does not judge)
    assert [(f.source, f.column, f.count, f.examples) for f in found] == [("sch", "LIC", 1, ("99",))]


def test_a_parent_key_is_refused_for_a_parent_keyed_by_its_target_columns(tmp_path):
    entities = dict(ENTITIES)
    entities["account"] = entities["account"].replace('key = "same_row"', 'key = ["ADR"]\nparent_key = ["ADR"]')
    folder = write_system(tmp_path, entities)
    with pytest.raises(MappingError) as caught:
        load_mapping(folder / "mappings" / "tiny")
    assert str(caught.value).endswith(
        "entities/account.toml: refs[1].parent_key: premise is keyed by its target columns ['settlement', 'street', "
        "'house', 'apartment']; parent_key needs a parent keyed by source columns")
