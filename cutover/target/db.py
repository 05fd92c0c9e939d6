"""The target database: connecting to it and bringing it to the schema of the migrations.

Every URL may name environment variables (``postgresql+psycopg://app:${PGPASSWORD}@db/billing``)
so that no password is written in ``cutover.toml``. Errors name the URL with its password
replaced by ``***``; nothing here prints or logs a secret.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from urllib.parse import quote

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.engine import URL, Connection, Engine

from cutover.errors import ConfigError, TargetError
from cutover.resources import resource_dir
from cutover.schema.tables import target_metadata
from cutover.schema.types import ExactDecimal

_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_URL_SETTING = "the target database URL"
# In a URL SQLAlchemy cannot parse: [scheme://]user: then everything up to the last @.
_UNPARSED_PASSWORD = re.compile(r"^((?:[^/]*?://)?[^:@/]*:).*@")
# A 64 MB page cache: a dry run inserts millions of rows in one transaction, in hash order.
_SQLITE_PRAGMAS = ("foreign_keys=ON", "journal_mode=WAL", "synchronous=NORMAL", "cache_size=-65536")
# The package to install for a driver named in a URL (dialect+driver://).
_DRIVER_HINTS = {
    "psycopg": "pip install 'cutover[postgres]'",
    "pymysql": "pip install 'cutover[mariadb]'",
    # the default driver of mysql://, which cutover does not ship: name the one it does
    "mysqldb": "write mysql+pymysql://... or mariadb+pymysql://... (the driver of pip install 'cutover[mariadb]')",
}


def expand_url(url: str, environ: Mapping[str, str] = os.environ, *, setting: str = _URL_SETTING) -> str:
    """Replace every ``${NAME}`` in ``url`` by the value of the environment variable.

    A value that lands in the user or password part is percent-encoded, so a password with
    ``@``, ``:`` or ``/`` in it still gives a valid URL.

    Parameters
    ----------
    url
        A database URL, possibly naming variables: ``postgresql+psycopg://app:${PGPASSWORD}@host/db``.
    environ
        Where to look the variables up.
    setting
        What the URL is, for the error message (e.g. ``[target] url in cutover.toml``).

    Returns
    -------
    str
        The URL with every reference replaced.

    Raises
    ------
    ConfigError
        A referenced variable is not set; the message names the variable and the setting.
    """
    userinfo_end = _userinfo_end(url)

    def substitute(match: re.Match) -> str:
        name = match.group(1)
        if name not in environ:
            raise ConfigError(
                f"{setting} refers to ${{{name}}}, but the environment variable {name} is not set; "
                f"set {name} or change {setting}"
            )
        value = environ[name]
        return quote(value, safe="") if match.start() < userinfo_end else value

    return _REFERENCE.sub(substitute, url)


def _userinfo_end(url: str) -> int:
    """Index of the ``@`` that ends ``user:password`` in ``url``, or -1 when there is none."""
    scheme_end = url.find("://")
    if scheme_end < 0:
        return -1
    return url.find("@", scheme_end + 3)


def mask_url(url: str | URL) -> str:
    """Return ``url`` with its password replaced by ``***``, for logs, errors and reports.

    Parameters
    ----------
    url
        A URL string (expanded or not) or a SQLAlchemy URL.

    Returns
    -------
    str
        The URL without its password; in an unparseable URL everything between the user's
        ``:`` and the last ``@`` is masked.
    """
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return _UNPARSED_PASSWORD.sub(r"\1***@", str(url))


def create_target_engine(url: str, *, setting: str = _URL_SETTING, existing: bool = False, **engine_options) -> Engine:
    """Create the engine of the target database named by ``url``.

    Environment references are expanded first. SQLite gets ``foreign_keys=ON``,
    ``journal_mode=WAL`` and ``synchronous=NORMAL`` on every connection, and a relative file
    (``sqlite:///cutover.db``) is taken relative to the current directory now, so a later
    change of directory does not move the database. No connection is made here: call
    :func:`check_connection` to find out at once whether the server answers.

    Parameters
    ----------
    url
        The database URL, possibly with ``${NAME}`` references.
    setting
        What the URL is, for error messages.
    existing
        The command only reads (or finishes) what is there: a SQLite file that does not exist is
        an error rather than a new, empty database (a mistyped ``--target``).
    **engine_options
        Passed on to :func:`sqlalchemy.create_engine` (e.g. ``poolclass``).

    Raises
    ------
    ConfigError
        The URL refers to an environment variable that is not set.
    TargetError
        The URL cannot be parsed, or names a dialect or driver that is not installed, or
        (``existing``) a SQLite file that is not there.
    """
    parsed = _parse_url(expand_url(url, setting=setting), masked=mask_url(url), setting=setting)
    if parsed.get_backend_name() == "sqlite":
        parsed = _absolute_sqlite_path(parsed)
        if existing:
            _require_sqlite_file(parsed, setting)
    engine_options["connect_args"] = _connect_args(parsed, engine_options.get("connect_args", {}))
    try:
        engine = sa.create_engine(parsed, **engine_options)
    except sa.exc.NoSuchModuleError as exc:
        raise TargetError(
            f"{setting} {mask_url(url)!r} names the unknown database dialect {parsed.drivername!r}; "
            "expected e.g. sqlite:///cutover.db, postgresql+psycopg://... or mysql+pymysql://..."
        ) from exc
    except ImportError as exc:
        driver = parsed.get_driver_name()
        hint = _DRIVER_HINTS.get(driver, f"install the Python package of the {driver} driver")
        raise TargetError(
            f"{setting} {mask_url(url)!r} needs the database driver {driver!r}, which is not installed: {hint}"
        ) from exc
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _set_sqlite_pragmas)
    return engine


def _parse_url(url: str, *, masked: str, setting: str) -> URL:
    try:
        return sa.make_url(url)
    except sa.exc.ArgumentError as exc:
        raise TargetError(
            f"cannot parse {setting} {masked!r}; expected dialect+driver://user:password@host:port/database, "
            "e.g. postgresql+psycopg://app:${PGPASSWORD}@db.example/billing or sqlite:///cutover.db"
        ) from exc


def _connect_args(url: URL, given: dict) -> dict:
    # libpq waits for as long as the operating system does (minutes) on a host that does
    # not answer; PyMySQL already gives up after 10 seconds.
    if url.get_backend_name() == "postgresql" and "connect_timeout" not in url.query:
        return {"connect_timeout": 10, **given}
    return given


def _absolute_sqlite_path(url: URL) -> URL:
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return url
    return url.set(database=os.path.abspath(database))


def _require_sqlite_file(url: URL, setting: str) -> None:
    """SQLite creates a missing file on the first connection: a command that only reads refuses it first."""
    missing = missing_sqlite_file(url)
    if missing is not None:
        raise TargetError(f"the target database {missing} does not exist: check --target, CUTOVER_TARGET_URL or "
                          f"cutover.toml's [target] url (`cutover dry-run` creates it; this command only uses one "
                          f"that is there, and created nothing)")


def missing_sqlite_file(url: str | URL) -> str | None:
    """The file a SQLite ``url`` names if it does not exist (relative to the current folder), else None
    (another database, an in-memory one, or a file that is there)."""
    try:
        parsed = sa.make_url(url) if isinstance(url, str) else url
    except sa.exc.ArgumentError:  # not a URL: the engine's creation says so
        return None
    database = parsed.database if parsed.get_backend_name() == "sqlite" else None
    if not database or database == ":memory:" or database.startswith("file:") or os.path.isfile(database):
        return None
    return os.path.abspath(database)


def _set_sqlite_pragmas(dbapi_connection, _connection_record) -> None:
    cursor = dbapi_connection.cursor()
    try:
        for pragma in _SQLITE_PRAGMAS:
            cursor.execute(f"PRAGMA {pragma}")
    finally:
        cursor.close()


def check_connection(engine: Engine) -> None:
    """Connect once, so that a server that is down or refuses us is reported at the start.

    Raises
    ------
    TargetError
        Naming the masked URL and the driver's reason.
    """
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.DBAPIError as exc:
        reason = driver_reason(exc, engine.url)
        raise TargetError(f"cannot connect to the target database {mask_url(engine.url)}: {reason}") from exc


def driver_reason(exc: sa.exc.DBAPIError, url: URL) -> str:
    """The driver's message, first line only, with the password scrubbed should a driver echo it."""
    message = str(exc.orig).strip()
    reason = message.splitlines()[0] if message else type(exc.orig).__name__
    return reason.replace(url.password, "***") if url.password else reason


def alembic_config(connection: Connection | None = None, url: str | None = None) -> Config:
    """The Alembic configuration of cutover's migrations, built in code (no alembic.ini).

    Parameters
    ----------
    connection
        Run the migrations on this connection (``config.attributes["connection"]``).
    url
        Otherwise connect to this URL (``config.attributes["url"]``).
    """
    config = Config()
    # ConfigParser interpolates "%": escape it in the path and write the template escaped.
    config.set_main_option("script_location", str(resource_dir("migrations")).replace("%", "%%"))
    config.set_main_option("path_separator", "os")
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    if connection is not None:
        config.attributes["connection"] = connection
    if url is not None:
        config.attributes["url"] = url
    return config


def migration_options() -> dict:
    """Options of Alembic's migration context, the same for migrations and drift checks."""

    def render_item(kind: str, item, autogen_context):
        if kind == "type" and isinstance(item, ExactDecimal):
            autogen_context.imports.add("from cutover.schema.types import ExactDecimal")
            return repr(item)
        return False

    return {"target_metadata": target_metadata(), "compare_type": True, "render_item": render_item}


@contextmanager
def migration_connection(target: Engine | Connection | str) -> Iterator[Connection]:
    """A connection in a transaction to run migrations on.

    An engine or URL gets a connection of its own, committed at the end; a connection is used
    as given. On SQLite foreign keys are off while migrating (Alembic's batch mode copies and
    drops tables) and checked afterwards.
    """
    if isinstance(target, Connection):
        yield target
        return
    engine = create_target_engine(target) if isinstance(target, str) else target
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                with _sqlite_foreign_keys_off(connection):
                    yield connection
            else:
                with connection.begin():
                    yield connection
    finally:
        if engine is not target:
            engine.dispose()


@contextmanager
def _sqlite_foreign_keys_off(connection: Connection) -> Iterator[None]:
    # The pragma is a no-op inside a transaction: switch it before BEGIN and after COMMIT.
    _sqlite_pragma(connection, "foreign_keys=OFF")
    try:
        with connection.begin():
            yield
            _check_sqlite_foreign_keys(connection)
    finally:
        _sqlite_pragma(connection, "foreign_keys=ON")


def _sqlite_pragma(connection: Connection, pragma: str) -> None:
    connection.exec_driver_sql(f"PRAGMA {pragma}")
    connection.commit()  # ends SQLAlchemy's autobegun transaction (SQLite itself began none)


def _check_sqlite_foreign_keys(connection: Connection) -> None:
    violations = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if violations:
        raise TargetError(
            f"after migrating {mask_url(connection.engine.url)}: {len(violations)} row(s) break a foreign key, "
            f"first in table {violations[0][0]!r}"
        )


def upgrade(target: Engine | Connection | str, revision: str = "head") -> None:
    """Upgrade the target database to ``revision`` (default: the newest).

    Parameters
    ----------
    target
        An engine, a connection (the caller commits) or a URL.
    revision
        An Alembic revision: ``"head"``, ``"0001"``, ``"+1"``...

    Raises
    ------
    TargetError
        The revision is unknown or the database refused a statement; names the masked URL.
    """
    _run_command(command.upgrade, target, revision, "upgrading")


def downgrade(target: Engine | Connection | str, revision: str) -> None:
    """Downgrade the target database to ``revision`` (``"base"``: remove every table).

    Parameters and errors as for :func:`upgrade`.
    """
    _run_command(command.downgrade, target, revision, "downgrading")


def _run_command(alembic_command, target: Engine | Connection | str, revision: str, verb: str) -> None:
    if isinstance(target, str):
        engine = create_target_engine(target)
        try:
            return _run_command(alembic_command, engine, revision, verb)
        finally:
            engine.dispose()
    url = target.engine.url
    try:
        with migration_connection(target) as connection:
            alembic_command(alembic_config(connection=connection), revision)
    except CommandError as exc:
        raise TargetError(f"{verb} {mask_url(url)} to {revision}: {exc}") from exc
    except sa.exc.DBAPIError as exc:
        raise TargetError(f"{verb} {mask_url(url)} to {revision}: {driver_reason(exc, url)}") from exc


def head_revision() -> str:
    """The newest revision of the shipped migrations."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or ``None`` when it has never been migrated."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def check_drift(engine: Engine) -> list:
    """Compare the database with the schema definition, as ``alembic check`` does.

    Returns
    -------
    list
        Alembic's differences (``("add_table", Table)``, ``[("modify_type", ...)]``...);
        empty when the database matches ``schemas/target.toml``.

    Raises
    ------
    TargetError
        The database is not at the newest revision: upgrade it first.
    """
    current, head = current_revision(engine), head_revision()
    if current != head:
        raise TargetError(
            f"{mask_url(engine.url)} is at revision {current or 'base'}, not at the newest {head}: "
            f"run `cutover db upgrade` first"
        )
    with engine.connect() as connection:
        options = migration_options()
        metadata = options.pop("target_metadata")
        context = MigrationContext.configure(connection, opts=options)
        return compare_metadata(context, metadata)


def row_chunks(connection: Connection, query, chunk_rows: int):
    """The rows of ``query``, at most ``chunk_rows`` at a time, read on a server-side cursor (memory
    stays bounded on every database) that is closed however the reading ends."""
    result = connection.execution_options(stream_results=True, yield_per=chunk_rows).execute(query)
    try:
        for rows in result.partitions(chunk_rows):  # the size again: SQLite's stream would give a row at a time
            yield list(result.keys()), rows
    finally:
        result.close()


def frames(connection: Connection, query, chunk_rows: int):
    """The rows of ``query`` as data frames of at most ``chunk_rows`` rows (see :func:`row_chunks`)."""
    import pandas as pd

    for columns, rows in row_chunks(connection, query, chunk_rows):
        yield pd.DataFrame([tuple(row) for row in rows], columns=columns)  # 5x faster than from Row objects
