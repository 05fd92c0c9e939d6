"""Connecting to the target database: URLs from the environment, masked in every message."""

from __future__ import annotations

import sys

import pytest
import sqlalchemy as sa

from cutover.errors import ConfigError, TargetError
from cutover.resources import resource_dir
from cutover.target import db


@pytest.fixture
def make_engine():
    """Create engines through cutover.target.db and dispose of them after the test."""
    engines = []

    def make(url: str) -> sa.Engine:
        engines.append(db.create_target_engine(url))
        return engines[-1]

    yield make
    for engine in engines:
        engine.dispose()


def test_expand_url_replaces_variables():
    url = "postgresql+psycopg://app:${PGPASSWORD}@${PGHOST}:5432/billing"

    expanded = db.expand_url(url, {"PGPASSWORD": "s3cret", "PGHOST": "db.example"})

    assert expanded == "postgresql+psycopg://app:s3cret@db.example:5432/billing"


def test_expand_url_encodes_a_password_with_url_characters():
    password = "p@ss:w/rd%?"

    expanded = db.expand_url("postgresql+psycopg://app:${PGPASSWORD}@db/billing", {"PGPASSWORD": password})

    assert expanded == "postgresql+psycopg://app:p%40ss%3Aw%2Frd%25%3F@db/billing"
    assert sa.make_url(expanded).password == password


def test_expand_url_takes_a_whole_url_from_a_variable_as_it_is():
    environ = {"TARGET_URL": "postgresql+psycopg://app:s3cret@db/billing"}

    assert db.expand_url("${TARGET_URL}", environ) == "postgresql+psycopg://app:s3cret@db/billing"


def test_expand_url_names_the_missing_variable_and_the_setting():
    url = "postgresql+psycopg://${PGUSER}:${PGPASSWORD}@db/billing"

    with pytest.raises(ConfigError) as caught:
        db.expand_url(url, {"PGUSER": "app-user-value"}, setting="[target] url in cutover.toml")

    assert str(caught.value) == (
        "[target] url in cutover.toml refers to ${PGPASSWORD}, but the environment variable PGPASSWORD "
        "is not set; set PGPASSWORD or change [target] url in cutover.toml"
    )
    assert "app-user-value" not in str(caught.value)


def test_mask_url_hides_the_password():
    masked = db.mask_url("postgresql+psycopg://app:s3cret@db:5432/billing")

    assert masked == "postgresql+psycopg://app:***@db:5432/billing"
    assert db.mask_url("sqlite:///cutover.db") == "sqlite:///cutover.db"


def test_mask_url_hides_the_password_of_an_unparseable_url():
    assert db.mask_url("not a url://app:s3cret@db") == "not a url://app:***@db"
    assert db.mask_url("app:p@ss@db/billing") == "app:***@db/billing"


def test_a_server_that_is_not_there_is_a_target_error_naming_the_masked_url(make_engine):
    engine = make_engine("postgresql+psycopg://app:s3cret@127.0.0.1:1/billing")

    with pytest.raises(TargetError) as caught:
        db.check_connection(engine)

    message = str(caught.value)
    assert message.startswith("cannot connect to the target database postgresql+psycopg://app:***@127.0.0.1:1/billing: ")
    assert "Connection refused" in message
    assert "s3cret" not in message


def test_a_missing_driver_names_the_package_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if the postgres extra were not installed

    with pytest.raises(TargetError) as caught:
        db.create_target_engine("postgresql+psycopg://app:s3cret@db/billing")

    assert str(caught.value) == (
        "the target database URL 'postgresql+psycopg://app:***@db/billing' needs the database driver 'psycopg', "
        "which is not installed: pip install 'cutover[postgres]'"
    )


def test_an_unknown_dialect_is_a_target_error():
    with pytest.raises(TargetError, match="names the unknown database dialect 'oracel'"):
        db.create_target_engine("oracel://app:s3cret@db/billing")


def test_an_unparseable_url_is_a_target_error_without_the_password():
    with pytest.raises(TargetError) as caught:
        db.create_target_engine("app:s3cret@db/billing")

    assert str(caught.value).startswith("cannot parse the target database URL 'app:***@db/billing'; expected ")
    assert "s3cret" not in str(caught.value)


def test_sqlite_connections_get_the_pragmas(make_engine, sqlite_url):
    engine = make_engine(sqlite_url)

    with engine.connect() as connection:
        pragmas = {name: connection.exec_driver_sql(f"PRAGMA {name}").scalar() for name in
                   ("foreign_keys", "journal_mode", "synchronous", "cache_size")}

    assert pragmas == {"foreign_keys": 1, "journal_mode": "wal", "synchronous": 1, "cache_size": -65536}


def test_a_relative_sqlite_path_is_relative_to_the_current_directory(make_engine, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    engine = make_engine("sqlite:///cutover.db")

    assert engine.url.database == str(tmp_path / "cutover.db")


def test_create_target_engine_expands_the_environment(make_engine, tmp_path, monkeypatch):
    monkeypatch.setenv("CUTOVER_DATA", str(tmp_path))

    engine = make_engine("sqlite:///${CUTOVER_DATA}/target.db")

    assert engine.url.database == str(tmp_path / "target.db")


def test_upgrade_takes_a_url_and_foreign_keys_are_on_again_afterwards(make_engine, sqlite_url):
    db.upgrade(sqlite_url)

    engine = make_engine(sqlite_url)
    assert db.current_revision(engine) == db.head_revision()
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_the_alembic_config_needs_no_ini_file():
    config = db.alembic_config()

    assert config.config_file_name is None
    assert config.get_main_option("script_location") == str(resource_dir("migrations"))
