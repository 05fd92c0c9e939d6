"""Building the training database: a copy of a loaded target with personal data replaced.

The rows come from a target that holds a dry run: the bundled sample dry-run into a scratch
database through the real pipeline, or a project's target holding a real dry run. Services,
meters, readings and balances are copied as they are; persons, premises and accounts get the
replacements of :mod:`cutover.demo.replace`. The next month is then opened, as a switch opens
it, so staff can practise on an open period. The journal (runs, rejects, the key map) is never
copied. The built state is kept in the ``saved_*`` tables, so ``--reset`` puts it back in one
transaction, and every build ends with the privacy check of :mod:`cutover.demo.privacy`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import sqlalchemy as sa

from cutover.demo.privacy import PrivacyReport, check_privacy, real_identities
from cutover.demo.replace import Person, Replacements, premise_key
from cutover.errors import ConfigError
from cutover.periods import next_period
from cutover.schema.tables import target_metadata
from cutover.states import RunStatus
from cutover.target import db, opening, saved

COPIED = ("period", "service", "person", "premise", "account", "meter", "reading", "balance")  # parents first
DEMO_KIND = "demo"
_CHUNK_ROWS = 20_000


@dataclass(frozen=True)
class DemoBuilt:
    """What a build made."""

    target: str  # masked URL
    source: str  # what it was built from
    seed: int
    rows: dict[str, int]  # rows per table, the opened month's balances and base readings included
    period: str  # the last month copied (closed)
    opened: str  # the month open for practice
    privacy: PrivacyReport


def _chunks(connection: sa.Connection, table: sa.Table) -> Iterator[list[dict]]:
    """The table's rows as the database types them (dates, Decimals, None), a chunk at a time."""
    query = sa.select(table).order_by(*table.primary_key.columns)
    for columns, rows in db.row_chunks(connection, query, _CHUNK_ROWS):
        yield [dict(zip(columns, row)) for row in rows]


def _persons(replace: Replacements) -> Callable[[list[dict]], list[dict]]:
    def change(rows: list[dict]) -> list[dict]:
        for row in rows:
            new = replace.person(Person(row["last_name"], row["first_name"], row["patronymic"], row["birth_date"]))
            row.update(last_name=new.last_name, first_name=new.first_name, patronymic=new.patronymic,
                       birth_date=new.birth_date)
        return rows
    return change


_ADDRESS = ("settlement", "street", "house", "building", "apartment")


def _premises(replace: Replacements, reading: sa.Connection) -> Callable[[list[dict]], list[dict]]:
    """New houses and flats drawn for every real premise at once, so that no two real addresses
    share a demo one (drawn one by one, two flats of a house could get one flat number)."""
    premise = target_metadata().tables["premise"]
    addresses = replace.premises(reading.execute(sa.select(*(premise.c[name] for name in _ADDRESS)).distinct()))

    def change(rows: list[dict]) -> list[dict]:
        for row in rows:
            row["house"], row["apartment"] = addresses[premise_key(*(row[name] for name in _ADDRESS))]
            row["fias_house_guid"] = replace.fias_guid(row["fias_house_guid"])
        return rows
    return change


def _accounts(numbers: dict[int, tuple[str, str]]) -> Callable[[list[dict]], list[dict]]:
    def change(rows: list[dict]) -> list[dict]:
        for row in rows:
            row["account_number"], row["legacy_account_number"] = numbers[row["id"]]
        return rows
    return change


def _meters(serials: dict[str, str]) -> Callable[[list[dict]], list[dict]]:
    def change(rows: list[dict]) -> list[dict]:
        for row in rows:
            row["serial"] = serials[row["serial"]]
        return rows
    return change


def _unchanged(rows: list[dict]) -> list[dict]:
    return rows


def _self_references(table: sa.Table) -> list[str]:
    return [fk.parent.name for fk in table.foreign_keys if fk.column.table.name == table.name]


def _copy(reading: sa.Connection, writing: sa.Connection, table: sa.Table,
          change: Callable[[list[dict]], list[dict]]) -> int:
    """Copy one table a chunk at a time; references within it (a meter replaced by a later one)
    are written once every row is in."""
    links = {column: [] for column in _self_references(table)}
    copied = 0
    for chunk in _chunks(reading, table):
        for column, found in links.items():
            for row in chunk:
                if row[column] is not None:
                    found.append({"row_id": row["id"], "value": row[column]})
                    row[column] = None
        writing.execute(table.insert(), change(chunk))
        copied += len(chunk)
    for column, found in links.items():
        if found:
            writing.execute(table.update().where(table.c.id == sa.bindparam("row_id"))
                            .values({column: sa.bindparam("value")}), found)
    return copied


def refuse_unless_demo(connection: sa.Connection, url: str) -> None:
    """A build or reset replaces every row: only of an empty database or an earlier demo.

    Raises
    ------
    ConfigError
        The database holds runs that are not demo builds (a real target, exit code 2).
    """
    if not sa.inspect(connection).has_table("run"):
        return
    run = target_metadata().tables["run"]
    other = connection.execute(sa.select(run.c.run_id, run.c.kind).where(run.c.kind != DEMO_KIND).limit(1)).first()
    if other is not None:
        raise ConfigError(f"{db.mask_url(url)} is not a training database: it holds {other.kind} {other.run_id}; "
                          f"a demo replaces every row, so give it a database of its own (--target)")


def _empty(connection: sa.Connection) -> None:
    metadata = target_metadata()
    for table in reversed(metadata.sorted_tables):
        connection.execute(table.delete())


def build_demo(source_url: str, source: str, period: str, demo_url: str, seed: int,
               progress=None, *, source_engine: sa.Engine | None = None) -> DemoBuilt:
    """Copy the target at ``source_url`` into the training database at ``demo_url``, replacing
    personal data (``seed`` decides the replacements), open the month after ``period``, keep the
    built state for ``--reset`` and check that no real identity got through. ``source_engine`` is
    the workspace's engine of the target at ``source_url`` (its own is created and disposed without it).

    Raises
    ------
    ConfigError
        The demo database is the source, or holds a real target's runs; or the privacy check found
        a real name, address or account number (nothing is kept then).
    """
    if db.mask_url(source_url) == db.mask_url(demo_url):
        raise ConfigError(f"the training database {db.mask_url(demo_url)} is the target it is built from; "
                          f"give it a database of its own (--target)")
    metadata = target_metadata()
    own_source = source_engine is None
    if own_source:
        source_engine = db.create_target_engine(source_url)
    demo_engine = db.create_target_engine(demo_url)  # the training database: never the workspace's target
    following = next_period(period)
    try:
        db.check_connection(demo_engine)
        with demo_engine.connect() as connection:
            refuse_unless_demo(connection, demo_url)
        db.upgrade(demo_engine)
        rows: dict[str, int] = {}
        with source_engine.connect() as reading, demo_engine.begin() as writing:
            real = real_identities(reading)
            replace = Replacements(seed, real.names, real.addresses, real.accounts)
            account = metadata.tables["account"]
            ids = [row_id for (row_id,) in reading.execute(sa.select(account.c.id).order_by(account.c.id))]
            changes = {"person": _persons(replace), "premise": _premises(replace, reading),
                       "account": _accounts(replace.account_numbers(ids)),
                       "meter": _meters(replace.meter_serials(real.serials))}
            _empty(writing)
            for name in COPIED:
                if progress is not None:
                    progress.stage(f"demo: copy {name}")
                table, change = metadata.tables[name], changes.get(name, _unchanged)
                rows[name] = _copy(reading, writing, table, change)
            opened = opening.open_next_month(writing, period, following)
            first_day = dt.datetime.strptime(following, "%Y-%m")
            opening.open_period(writing, period, following, first_day)  # a fixed time: builds are identical
            rows["opening_balances"], rows["base_readings"] = opened["opening_balances"], opened["base_readings"]
            report = check_privacy(writing, real)
            if not report.clean:
                raise ConfigError(f"the privacy check failed, so nothing was kept: {report.describe()}")
            saved.save(writing)  # the state --reset brings back
            _mark(writing, seed, source, rows, report)
        return DemoBuilt(db.mask_url(demo_url), source, seed, rows, period, following, report)
    finally:
        if own_source:
            source_engine.dispose()
        demo_engine.dispose()


def _mark(connection: sa.Connection, seed: int, source: str, rows: dict, report: PrivacyReport) -> None:
    """The demo's own journal row: what it was built from, with which seed, and the check."""
    run = target_metadata().tables["run"]
    now = dt.datetime.now()
    summary = {"source": source, "seed": seed, "rows": rows, "privacy": report.to_dict()}
    connection.execute(run.insert().values(run_id=f"demo-seed-{seed}", kind=DEMO_KIND, mapping=source[:100],
                                           status=RunStatus.RECONCILED, started_at=now, finished_at=now,
                                           summary_json=json.dumps(summary, ensure_ascii=False)))


def reset_demo(demo_url: str) -> dict[str, int]:
    """Put the training database back as it was built; rows restored per table.

    Raises
    ------
    ConfigError
        The database is not a demo built by ``cutover demo`` (exit code 2).
    """
    missing = db.missing_sqlite_file(db.expand_url(demo_url))
    if missing is not None:  # SQLite would create it, empty: nothing to reset
        raise ConfigError(f"the training database {missing} does not exist: `cutover demo` builds it "
                          f"(--target names another one)")
    engine = db.create_target_engine(demo_url)
    try:
        db.check_connection(engine)
        with engine.begin() as connection:
            refuse_unless_demo(connection, demo_url)
            run = target_metadata().tables["run"]
            if not sa.inspect(connection).has_table("run") or connection.execute(
                    sa.select(sa.func.count()).select_from(run).where(run.c.kind == DEMO_KIND)).scalar_one() == 0:
                raise ConfigError(f"{db.mask_url(demo_url)} holds no training database: build one with `cutover demo`")
            return saved.restore(connection)
    finally:
        engine.dispose()
