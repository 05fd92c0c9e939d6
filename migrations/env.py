"""Alembic environment of cutover's target database.

Run programmatically through :mod:`cutover.target.db` (there is no alembic.ini): the connection
comes from ``config.attributes["connection"]`` when the caller has one, otherwise from
``config.attributes["url"]`` or the ``sqlalchemy.url`` option. The metadata is built from
``schemas/target.toml``, so ``alembic revision --autogenerate`` and :func:`cutover.target.db.check_drift`
compare the database with the one definition.
"""

from alembic import context

from cutover.errors import ConfigError
from cutover.target import db

config = context.config


def _url() -> str:
    url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise ConfigError("no target database: pass a connection or a URL to the Alembic config")
    return url


def run_migrations_offline() -> None:
    """Write the SQL to the output instead of running it (``alembic upgrade --sql``)."""
    context.configure(url=db.expand_url(_url()), literal_binds=True, **db.migration_options())
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    with db.migration_connection(connection if connection is not None else _url()) as connection:
        context.configure(
            connection=connection,
            # SQLite alters tables by copying them. Batch operations run as plain ALTER
            # elsewhere, so a revision generated on any database also runs on SQLite.
            render_as_batch=True,
            **db.migration_options(),
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
