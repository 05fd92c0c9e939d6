"""The migrations create exactly the schema of schemas/target.toml, on every database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext

from cutover.errors import TargetError
from cutover.schema.definition import target_schema
from cutover.schema.tables import target_metadata
from cutover.target import db

TABLES = {table.name for table in target_schema().tables} | {f"saved_{t.name}" for t in target_schema().tables if t.saved}


@pytest.fixture
def engine(target_url):
    """An engine on the test's empty database."""
    engine = db.create_target_engine(target_url)
    yield engine
    engine.dispose()


def table_names(engine: sa.Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names())


def test_upgrade_creates_every_table_and_matches_the_definition(engine):
    db.upgrade(engine)

    assert table_names(engine) == TABLES | {"alembic_version"}
    assert db.current_revision(engine) == db.head_revision()
    assert db.check_drift(engine) == []


def test_constraints_carry_the_names_of_the_convention(engine):
    db.upgrade(engine)
    inspector = sa.inspect(engine)

    assert inspector.get_foreign_keys("reading")[0]["name"] == "fk_reading_meter_id_meter"
    assert {uq["name"] for uq in inspector.get_unique_constraints("key_map")} == {"uq_key_map_entity_target_id"}


def test_downgrade_to_base_removes_everything_and_upgrade_works_again(engine):
    db.upgrade(engine)
    db.downgrade(engine, "base")

    assert table_names(engine) == {"alembic_version"}
    assert db.current_revision(engine) is None

    db.upgrade(engine)
    assert table_names(engine) == TABLES | {"alembic_version"}
    assert db.check_drift(engine) == []


def test_check_drift_refuses_a_database_that_is_not_upgraded(engine):
    with pytest.raises(TargetError, match=f"is at revision base, not at the newest {db.head_revision()}: run `cutover db upgrade` first"):
        db.check_drift(engine)


def test_an_unknown_revision_is_a_target_error(engine):
    with pytest.raises(TargetError, match="upgrading .* to 9999: Can't locate revision"):
        db.upgrade(engine, "9999")


def _insert_meter(connection: sa.Connection) -> None:
    tables = target_metadata().tables
    connection.execute(tables["service"].insert(), {"id": 1, "code": "ELEC", "name": "Электроэнергия", "unit": "кВт·ч"})
    connection.execute(tables["person"].insert(), {"id": 1, "last_name": "Иванов", "first_name": "Иван"})
    connection.execute(tables["premise"].insert(), {"id": 1, "settlement": "Тверь", "house": "12а"})
    connection.execute(
        tables["account"].insert(),
        {"id": 1, "account_number": "A-1", "legacy_account_number": "0001", "person_id": 1, "premise_id": 1},
    )
    connection.execute(
        tables["meter"].insert(),
        {"id": 1, "serial": "M-1", "service_id": 1, "account_id": 1, "digit_capacity": 15,
         "multiplier": Decimal("1.0000"), "zones": 1, "status": "active"},
    )


def test_exact_decimal_reading_value_round_trips(engine):
    db.upgrade(engine)
    reading = target_metadata().tables["reading"]
    value = Decimal("123456789012345.1234567")

    with engine.begin() as connection:
        _insert_meter(connection)
        connection.execute(
            reading.insert(),
            {"meter_id": 1, "zone": "T1", "read_on": date(2025, 1, 31), "value": value, "source": "operator"},
        )
    with engine.connect() as connection:
        stored = connection.execute(sa.select(reading.c.value)).scalar_one()

    assert stored == value
    assert str(stored) == "123456789012345.1234567"


def test_a_sum_of_money_in_kopecks_is_exact(engine):
    db.upgrade(engine)
    tables = target_metadata().tables
    balance = tables["balance"]
    # Beyond 2**53 kopecks a float no longer holds every kopeck: the sum must stay an integer.
    charged = [2**53 + 1, 2, -3]
    rows = [
        {"account_id": 1, "service_id": 1, "period": f"2025-0{month}", "opening_kopecks": 0, "charged_kopecks": kopecks,
         "recalculated_kopecks": 0, "paid_kopecks": 0, "closing_kopecks": kopecks}
        for month, kopecks in enumerate(charged, start=1)
    ]

    with engine.begin() as connection:
        _insert_meter(connection)
        connection.execute(tables["period"].insert(), [{"month": r["period"], "status": "open"} for r in rows])
        connection.execute(balance.insert(), rows)
    with engine.connect() as connection:
        total = connection.execute(sa.select(sa.func.sum(balance.c.charged_kopecks))).scalar_one()

    assert not isinstance(total, float)
    assert total == 2**53  # int on SQLite, Decimal from NUMERIC sums on the servers


def test_check_drift_reports_a_table_the_definition_does_not_have(engine):
    db.upgrade(engine)
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE stray (id INTEGER PRIMARY KEY)"))

    drift = db.check_drift(engine)

    assert [(kind, table.name) for kind, table in drift] == [("remove_table", "stray")]


def test_check_drift_reports_a_column_whose_type_changed(engine):
    db.upgrade(engine)
    with engine.begin() as connection:
        operations = Operations(MigrationContext.configure(connection))
        with operations.batch_alter_table("run") as batch:
            batch.alter_column("kind", type_=sa.String(50), existing_type=sa.String(20), existing_nullable=False)

    drift = db.check_drift(engine)

    assert [(change[0][0], change[0][2], change[0][3]) for change in drift] == [("modify_type", "run", "kind")]
