"""The key map records the run that last saw each key, however many keys a part reuses (on
PostgreSQL many are copied and joined in one UPDATE; elsewhere batches of KEYS_PER_UPDATE)."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from cutover.target.keys import KEYS_PER_UPDATE, KeyMap


def _last_runs(engine: sa.Engine) -> dict[str, tuple[int, str, str]]:
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT legacy_key, target_id, first_run_id, last_run_id FROM key_map WHERE entity = 'person'")
        return {key: (target_id, first, last) for key, target_id, first, last in rows}


def test_every_reused_key_names_the_run_that_saw_it_last(target_engine):
    keys = pd.Series([f"01-{n:06d}" for n in range(3 * KEYS_PER_UPDATE + 7)], dtype="str")
    with target_engine.begin() as connection:
        first = KeyMap(connection, "person", "run-1").assign(keys)
    with target_engine.begin() as connection:
        again = KeyMap(connection, "person", "run-2").assign(pd.concat([keys[:-5], pd.Series(["02-000001"])]))
    recorded = _last_runs(target_engine)
    assert len(recorded) == len(keys) + 1
    assert again[keys[:-5]].tolist() == first[keys[:-5]].tolist()  # ids kept
    assert {key: last for key, (_, _, last) in recorded.items() if last == "run-2"}.keys() == \
        {*keys[:-5], "02-000001"}
    assert [recorded[key][1:] for key in keys[-5:]] == [("run-1", "run-1")] * 5  # not seen again
    assert recorded["02-000001"] == (len(keys) + 1, "run-2", "run-2")
    assert recorded[keys[0]][1:] == ("run-1", "run-2")
