"""The journal's statuses are spelled once (cutover/states.py), and the schema agrees with them."""

from cutover.schema.definition import target_schema
from cutover.states import STORED, RunStatus, StepStatus


def test_the_schema_allows_exactly_the_statuses_the_engine_stores():
    schema = target_schema()
    assert schema.table("run").column("status").isin == tuple(STORED)
    assert schema.table("cutover_step").column("status").isin == tuple(StepStatus)


def test_a_status_is_its_text_in_the_journal_and_in_json():
    import json

    assert RunStatus.RECONCILED == "reconciled"
    assert json.dumps({"status": RunStatus.ROLLED_BACK}) == '{"status": "rolled_back"}'
    assert f"{RunStatus.SWITCHED}" == "switched"
