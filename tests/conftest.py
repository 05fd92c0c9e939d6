"""Database fixtures shared by the whole test suite.

``target_url`` gives each test a fresh, empty database of its own on every configured
database: SQLite always, PostgreSQL when ``CUTOVER_TEST_POSTGRES_URL`` is set, MariaDB when
``CUTOVER_TEST_MARIADB_URL`` is set (a new schema or database ``t_<random>``, dropped after
the test). With ``CUTOVER_REQUIRE_SERVERS=1`` (CI) a server that is not configured or does
not answer fails the test instead of skipping it.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from cutover.errors import TargetError
from cutover.target import db

SERVERS = {  # fixture param -> (environment variable, product name)
    "postgres": ("CUTOVER_TEST_POSTGRES_URL", "PostgreSQL"),
    "mariadb": ("CUTOVER_TEST_MARIADB_URL", "MariaDB"),
}
DATABASES = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    pytest.param("mariadb", id="mariadb", marks=pytest.mark.mariadb),
]


def pytest_collection_modifyitems(config, items):
    """A test marked ``one_database_each(points)`` runs each of its points on one database, in
    turn (the first point on SQLite, the next on PostgreSQL, ...), so that every point and every
    database is run while the crash matrices keep the default run within its ten minutes;
    ``CUTOVER_THOROUGH=1`` runs every point on every database, and so does a machine without
    PostgreSQL (every point on SQLite, none lost)."""
    if os.environ.get("CUTOVER_THOROUGH") == "1" or not os.environ.get("CUTOVER_TEST_POSTGRES_URL"):
        return
    names = [param.values[0] for param in DATABASES]
    kept, dropped = [], []
    for item in items:
        marker = item.get_closest_marker("one_database_each")
        params = getattr(getattr(item, "callspec", None), "params", {})
        database = next((value for value in params.values() if isinstance(value, str) and value in names), None)
        if marker is None or database is None:
            kept.append(item)
            continue
        turn = (list(marker.args[0]).index(params["point"]) + names.index(database)) % marker.kwargs.get("of", 2)
        (kept if turn == 0 else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="session")
def server_engines() -> Iterator[dict[str, sa.Engine | str]]:
    """Admin engines of the servers by param name, or why a server is not available."""
    engines: dict[str, sa.Engine | str] = {}
    yield engines
    for engine in engines.values():
        if isinstance(engine, sa.Engine):
            engine.dispose()


def server_engine(name: str, engines: dict[str, sa.Engine | str]) -> sa.Engine:
    """The admin engine of server ``name``; skips the test (fails it in CI) when there is none."""
    if name not in engines:
        engines[name] = _connect_server(*SERVERS[name])
    engine = engines[name]
    if isinstance(engine, str):
        if os.environ.get("CUTOVER_REQUIRE_SERVERS") == "1":
            pytest.fail(f"{engine} (CUTOVER_REQUIRE_SERVERS=1)", pytrace=False)
        pytest.skip(engine)
    return engine


def _connect_server(variable: str, product: str) -> sa.Engine | str:
    url = os.environ.get(variable)
    if not url:
        return f"set {variable} to run {product} tests"
    try:
        engine = db.create_target_engine(url, setting=variable, poolclass=sa.NullPool)
        db.check_connection(engine)
    except TargetError as exc:
        return f"{product} is not available: {exc}"
    return engine


def _fresh_database(kind: str, tmp_path, server_engines) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'target.db'}"
        return
    engine = server_engine(kind, server_engines)
    scratch = f"t_{secrets.token_hex(6)}"
    if kind == "postgres":
        yield from _postgres_schema(engine, scratch)
    else:
        yield from _mariadb_database(engine, scratch)


@pytest.fixture(params=DATABASES)
def target_url(request, tmp_path, server_engines) -> Iterator[str]:
    """URL of a fresh, empty target database of this test's own (SQLite, PostgreSQL, MariaDB)."""
    yield from _fresh_database(request.param, tmp_path, server_engines)


@pytest.fixture(params=DATABASES[:2])
def sqlite_or_postgres_url(request, tmp_path, server_engines) -> Iterator[str]:
    """As ``target_url``, on SQLite and PostgreSQL only: for what MariaDB is not a target of (a
    month-end, a training database restore their rows in one INSERT ... SELECT, which MariaDB
    checks row by row against a table's references to itself)."""
    yield from _fresh_database(request.param, tmp_path, server_engines)


def _postgres_schema(engine: sa.Engine, schema: str) -> Iterator[str]:
    with engine.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    url = engine.url.update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with engine.begin() as connection:
            # A test that left a transaction open must not hang the run.
            connection.exec_driver_sql("SET LOCAL lock_timeout = '10s'")
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")


def _mariadb_database(engine: sa.Engine, database: str) -> Iterator[str]:
    with engine.begin() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {database} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    try:
        yield engine.url.set(database=database).render_as_string(hide_password=False)
    finally:
        with engine.begin() as connection:
            connection.exec_driver_sql("SET SESSION lock_wait_timeout = 10")
            connection.exec_driver_sql(f"DROP DATABASE {database}")


@pytest.fixture(scope="session")
def shipped_run(tmp_path_factory):
    """``shipped_run(system)``: one dry run of a shipped system's committed sample into SQLite, made
    the first time a test asks for it and shared by every test of the session that only reads it:
    (the run's result, the target's URL)."""
    from support import ROOT, dry_run_into_sqlite

    made: dict = {}

    def run(system: str):
        if system not in made:
            made[system] = dry_run_into_sqlite(tmp_path_factory.mktemp(system), system, ROOT / "sample_data" / system)
        return made[system]
    return run


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    """URL of a fresh, empty SQLite target database (for fast tests that need no server)."""
    return f"sqlite:///{tmp_path / 'target.db'}"


@pytest.fixture
def target_engine(target_url) -> Iterator[sa.Engine]:
    """An engine on a fresh target database upgraded to the newest migration; disposed after."""
    engine = db.create_target_engine(target_url)
    try:
        db.upgrade(engine)
        yield engine
    finally:
        engine.dispose()
