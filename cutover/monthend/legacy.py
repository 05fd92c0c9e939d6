"""Closing the month in the legacy system, and reopening it on a rollback.

A legacy SQL database gets the ``[month_end] close`` statements of cutover.toml (set the
period's closed flag, stop writes), in one transaction, and the rows of the ``evidence``
query are kept. The evidence query only reads: it must be one SELECT (or WITH ... SELECT),
checked as the legacy extract's queries are, and it runs after the close committed, in a
read-only transaction of its own. File exports cannot be closed from here: closing checks
that every file the mapping reads is there and records its SHA-256, and the final extract
must read exactly those files. Statements take the parameters :period, :yyyymm, :first_day
and :last_day, bound by the driver (never pasted into the SQL). Both actions must be safe to
run twice: a resumed month-end runs an interrupted close again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import sqlalchemy as sa

from cutover.config import Project, statement_parameters
from cutover.errors import ConfigError, CutoverError, ExtractError
from cutover.extract import file_sha256

# The extract's table of how each dialect is told not to write: one place knows it.
from cutover.extract.sql import _READ_ONLY, check_select, source_url
from cutover.folders import confined
from cutover.mapping.model import SystemMapping
from cutover.target import db
from cutover.target.opening import last_day


class LegacyError(CutoverError):
    """The legacy database refused the close or reopen action (exit code 2)."""


def parameters(period: str) -> dict:
    year, month = (int(part) for part in period.split("-"))
    return {"period": period, "yyyymm": year * 100 + month, "first_day": dt.date(year, month, 1),
            "last_day": last_day(period)}


def legacy_url(project: Project, mapping: SystemMapping) -> sa.URL:
    """``[month_end] legacy_url``, or the one database the mapping's sql sources read.

    Raises
    ------
    ConfigError
        Close statements with no database to run them on, or sql sources on several databases.
    """
    if project.month_end.legacy_url:
        return sa.make_url(db.expand_url(project.month_end.legacy_url, setting="[month_end] legacy_url"))
    urls = {source_url(spec.options, project.source_dir) for spec in mapping.sources.values() if spec.format == "sql"}
    if len(urls) != 1:
        found = "no sql source" if not urls else f"sql sources on {len(urls)} databases"
        raise ConfigError(f"cutover.toml: [month_end] close statements need a legacy database, and mapping "
                          f"{mapping.name} has {found}: set [month_end] legacy_url")
    return urls.pop()


def _engine(project: Project, mapping: SystemMapping) -> tuple[sa.Engine, sa.URL]:
    url = legacy_url(project, mapping)
    return sa.create_engine(url, poolclass=sa.NullPool), url


def evidence_query(project: Project) -> str | None:
    """``[month_end] evidence`` without a trailing ``;``, or None when there is none.

    Raises
    ------
    ConfigError
        It is not one SELECT (or WITH ... SELECT) statement: several statements, or one that
        writes, locks or selects INTO (exit code 2).
    """
    if not project.month_end.evidence:
        return None
    try:
        return check_select(project.month_end.evidence, f"{project.folder / 'cutover.toml'}: [month_end] evidence")
    except ExtractError as exc:
        raise ConfigError(str(exc)) from None


def check_connection(project: Project, mapping: SystemMapping) -> str:
    """Check the evidence query and connect to the legacy database the close runs on; its
    masked URL.

    Raises
    ------
    ConfigError
        The evidence query is not one SELECT, or the database cannot be reached.
    """
    evidence_query(project)
    engine, url = _engine(project, mapping)
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.DBAPIError as exc:
        raise ConfigError(f"cannot connect to the legacy database {db.mask_url(url)}: "
                          f"{db.driver_reason(exc, url)}") from None
    finally:
        engine.dispose()
    return db.mask_url(url)


def _read_evidence(engine: sa.Engine, query: str, values: dict) -> list[dict]:
    """The evidence query's rows, read in a transaction that cannot write, then rolled back."""
    with engine.connect() as connection:
        read_only = _READ_ONLY.get(connection.dialect.name)
        if read_only is not None:
            read_only(connection)
        try:
            result = connection.execute(sa.text(query), _used(query, values))
            return [dict(zip(result.keys(), (_plain(v) for v in row))) for row in result]
        finally:
            connection.rollback()


def _run(project: Project, mapping: SystemMapping, statements: tuple[str, ...], period: str, action: str) -> dict:
    query = evidence_query(project)  # refused before any statement runs
    engine, url = _engine(project, mapping)
    values = parameters(period)
    where = f"{action} the legacy month {period} on {db.mask_url(url)}"
    try:
        try:
            with engine.begin() as connection:
                changed = [connection.execute(sa.text(statement), _used(statement, values)).rowcount
                           for statement in statements]
        except sa.exc.DBAPIError as exc:
            raise LegacyError(f"{where}: {db.driver_reason(exc, url)}") from None
        try:
            evidence = _read_evidence(engine, query, values) if query else []
        except sa.exc.DBAPIError as exc:
            raise LegacyError(f"{where}: the statements ran, but the [month_end] evidence query failed: "
                              f"{db.driver_reason(exc, url)}") from None
    finally:
        engine.dispose()
    detail = {"kind": "sql", "database": db.mask_url(url), "period": period,
              "statements": [{"sql": statement, "rows": rows} for statement, rows in zip(statements, changed)],
              "evidence": evidence}
    detail["sha256"] = hashlib.sha256(json.dumps(detail, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
    return detail


def read_evidence(project: Project, mapping: SystemMapping, period: str) -> list[dict]:
    """The ``[month_end] evidence`` query's rows as they are now (read as at the close: in a
    transaction that cannot write, the values as text); empty when there is no query.

    Raises
    ------
    LegacyError
        The legacy database cannot be reached or refuses the query (exit code 2).
    """
    query = evidence_query(project)
    if not query:
        return []
    engine, url = _engine(project, mapping)
    try:
        return _read_evidence(engine, query, parameters(period))
    except sa.exc.DBAPIError as exc:
        raise LegacyError(f"the [month_end] evidence query on {db.mask_url(url)} failed: "
                          f"{db.driver_reason(exc, url)}") from None
    finally:
        engine.dispose()


def evidence_sha256(rows: list[dict]) -> str:
    """The SHA-256 of evidence rows: of those the close kept and of those read again, the same way."""
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def _used(statement: str, values: dict) -> dict:
    named = statement_parameters(statement)
    return {name: value for name, value in values.items() if name in named}


def _plain(value) -> str | None:
    return None if value is None else str(value)


def source_files(project: Project, mapping: SystemMapping) -> list[dict]:
    """Every file the mapping reads, with its SHA-256 and size.

    Raises
    ------
    ConfigError
        A file is missing (the extract is not complete).
    """
    files = []
    for name, spec in mapping.sources.items():
        if "file" not in spec.options:
            continue
        path = confined(project.source_dir, spec.options["file"])
        if not path.is_file():
            raise ConfigError(f"{path}: source {name} is missing: the final extract of the month must be complete")
        files.append({"source": name, "file": spec.options["file"], "sha256": file_sha256(path),
                      "bytes": path.stat().st_size})
    return files


def close(project: Project, mapping: SystemMapping, period: str) -> dict:
    """Close ``period`` in the legacy system; the evidence, for the journal and the protocol."""
    if project.month_end.close:
        return _run(project, mapping, project.month_end.close, period, "closing")
    files = source_files(project, mapping)
    digest = hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()
    return {"kind": "files", "folder": str(project.source_dir), "period": period, "files": files, "sha256": digest}


def reopen(project: Project, mapping: SystemMapping, period: str) -> dict:
    """Undo the close: run the reopen statements (file exports have nothing to undo)."""
    if project.month_end.reopen:
        return _run(project, mapping, project.month_end.reopen, period, "reopening")
    return {"kind": "files", "period": period, "note": "file exports: nothing was changed in the legacy system"}


def changed_files(evidence: dict, project: Project, mapping: SystemMapping) -> list[str]:
    """The files that differ from those the close checked (file exports), as messages."""
    if evidence.get("kind") != "files":
        return []
    now = {entry["source"]: entry["sha256"] for entry in source_files(project, mapping)}
    return [f"{entry['file']} changed after the legacy month was closed (SHA-256 {entry['sha256'][:12]}… then, "
            f"{now.get(entry['source'], 'missing')[:12]}… now)"
            for entry in evidence["files"] if now.get(entry["source"]) != entry["sha256"]]


def snapshot_hashes(snapshot_dir: Path) -> list[dict]:
    """The SHA-256 of every part of a snapshot."""
    return [{"file": path.name, "sha256": file_sha256(path), "bytes": path.stat().st_size}
            for path in sorted(snapshot_dir.glob("*.parquet"))]
