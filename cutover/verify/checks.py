"""The three checks of `cutover verify`, each against what the switch recorded in the journal.

- The legacy month is still closed: the ``[month_end] evidence`` query run again and its rows
  hashed as the close hashed them (:func:`cutover.monthend.legacy.evidence_sha256`); for file
  exports, every file the close checked hashed again.
- The balances the switch loaded are unchanged, per service: the fingerprint of the closed
  month's closing and of the first month's opening (:mod:`cutover.monthend.fingerprint`), and
  the rows of a service that differs listed, against what the switch loaded them from (the
  closed month's closing: the opening was made equal to it).
- Every migrated account still has its new number: every account the switch loaded (its key in
  the key map, last loaded by the switch) is in the target with the number the switch published
  in its ``keymap.csv``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa

from cutover.config import Project
from cutover.extract import file_sha256
from cutover.folders import confined
from cutover.mapping.model import SystemMapping
from cutover.money import kopecks_to_roubles_text
from cutover.monthend import fingerprint, legacy
from cutover.schema.tables import target_metadata
from cutover.verify.model import BalanceChange, Check, ServiceLine

LISTED = 1000  # changed rows listed per check; the count says how many there are in all
CHUNK = 5_000  # accounts of keymap.csv compared with the target at a time


# ---- the legacy month -------------------------------------------------------------------------

def _row_text(row: dict) -> str:
    return "{" + ", ".join(f"{name}: {value}" for name, value in row.items()) + "}"


def legacy_month(project: Project, mapping: SystemMapping, close: dict) -> Check:
    """The legacy month as the close left it (:data:`close` is the journal's close_legacy detail)."""
    period = close["period"]
    title = f"The legacy month {period} is still closed"
    if close.get("kind") == "files":
        return _files(project, close, title)
    then = close.get("evidence") or []
    if not legacy.evidence_query(project):
        return Check("legacy_month", title, True, "no [month_end] evidence query in cutover.toml: nothing to compare "
                                                  "(set one to have the close checked every night)")
    now = legacy.read_evidence(project, mapping, period)
    if legacy.evidence_sha256(now) == legacy.evidence_sha256(then):
        return Check("legacy_month", title, True, f"the [month_end] evidence query gives the {len(now)} row(s) "
                                                  f"recorded at the switch (SHA-256 {legacy.evidence_sha256(now)[:12]}…)")
    gone = [row for row in then if row not in now]
    new = [row for row in now if row not in then]
    findings = [f"the legacy month {period} is not as the switch closed it: the [month_end] evidence query gave "
                f"{_row_text(before)} at the switch, {_row_text(after)} now" for before, after in zip(gone, new)]
    findings += [f"the legacy month {period}: evidence row {_row_text(row)} recorded at the switch is gone"
                 for row in gone[len(new):]]
    findings += [f"the legacy month {period}: evidence row {_row_text(row)} is new since the switch"
                 for row in new[len(gone):]]
    if not findings:  # the same rows in another order
        findings = [f"the legacy month {period}: the [month_end] evidence query gives the rows of the switch in "
                    f"another order"]
    return Check("legacy_month", title, False, f"the legacy month {period} was changed or reopened after the switch "
                                               f"({database(close)})", tuple(findings))


def _files(project: Project, close: dict, title: str) -> Check:
    findings = []
    for entry in close.get("files", []):
        path = confined(project.source_dir, entry["file"])
        if not path.is_file():
            findings.append(f"{entry['file']}: the export the switch read is gone from {project.source_dir}")
        elif (now := file_sha256(path)) != entry["sha256"]:
            findings.append(f"{entry['file']} changed after the legacy month was closed (SHA-256 "
                            f"{entry['sha256'][:12]}… at the switch, {now[:12]}… now)")
    count = len(close.get("files", []))
    if findings:
        return Check("legacy_month", title, False, f"{len(findings)} of the {count} exported files changed",
                     tuple(findings))
    return Check("legacy_month", title, True, f"the {count} exported files have the SHA-256 recorded at the switch")


def database(close: dict) -> str:
    return close.get("database") or close.get("folder") or ""


# ---- the balances -----------------------------------------------------------------------------

def balance_lines(recorded: dict, now: dict) -> list[ServiceLine]:
    """Per measure and service: the fingerprint recorded at the switch against the one now."""
    lines = []
    for measure in ("opening", "closing"):
        then_services = recorded[measure]["services"]
        now_services = now[measure]["services"]
        for code in sorted(set(then_services) | set(now_services)):
            then, current = then_services.get(code), now_services.get(code)
            lines.append(ServiceLine(measure, recorded[measure]["period"], code,
                                     then and then["rows"], then and then["kopecks"],
                                     current and current["rows"], current and current["kopecks"],
                                     then is not None and current is not None and then["sha256"] == current["sha256"]))
    return lines


def _changed_query(period: str, following: str, codes: list[str]):
    """Balances of the first month whose opening is not the closed month's closing (or that only
    one of the two months has), for the services ``codes``."""
    tables = target_metadata().tables
    balance, service, account = tables["balance"], tables["service"], tables["account"]
    opened, closed = balance.alias("opened"), balance.alias("closed")
    changed = (sa.select(service.c.code, account.c.account_number, account.c.legacy_account_number,
                         closed.c.closing_kopecks.label("at_switch"), opened.c.opening_kopecks.label("now"))
               .select_from(opened)
               .join(closed, sa.and_(closed.c.account_id == opened.c.account_id,
                                     closed.c.service_id == opened.c.service_id, closed.c.period == period),
                     isouter=True)
               .join(service, service.c.id == opened.c.service_id).join(account, account.c.id == opened.c.account_id)
               .where(opened.c.period == following, service.c.code.in_(codes), fingerprint.migrated(opened),
                      sa.or_(closed.c.account_id.is_(None), closed.c.closing_kopecks != opened.c.opening_kopecks)))
    later = sa.exists().where(opened.c.account_id == closed.c.account_id, opened.c.service_id == closed.c.service_id,
                              opened.c.period == following)
    gone = (sa.select(service.c.code, account.c.account_number, account.c.legacy_account_number,
                      closed.c.closing_kopecks.label("at_switch"), sa.null().label("now"))
            .select_from(closed)
            .join(service, service.c.id == closed.c.service_id).join(account, account.c.id == closed.c.account_id)
            .where(closed.c.period == period, service.c.code.in_(codes), fingerprint.migrated(closed), ~later))
    return sa.union_all(changed, gone).subquery()


def balance_changes(connection: sa.Connection, period: str, following: str,
                    codes: list[str]) -> tuple[list[BalanceChange], int]:
    """The first ones of the rows that changed in the services ``codes``, and how many there are."""
    if not codes:
        return [], 0
    rows = _changed_query(period, following, codes)
    total = connection.execute(sa.select(sa.func.count()).select_from(rows)).scalar_one()
    listed = connection.execute(sa.select(rows).order_by(rows.c.code, rows.c.account_number).limit(LISTED))
    return [BalanceChange(code, number, legacy_number, None if then is None else int(then),
                          None if now is None else int(now))
            for code, number, legacy_number, then, now in listed], total


def change_text(change: BalanceChange, following: str) -> str:
    def shown(kopecks: int | None) -> str:
        return "none" if kopecks is None else kopecks_to_roubles_text(kopecks)
    return (f"account {change.account_number} (legacy {change.legacy_account_number}), service {change.service}: "
            f"opening of {following} {shown(change.at_switch)} at the switch, {shown(change.now)} now")


def _line_text(line: ServiceLine) -> str:
    def side(rows, kopecks):
        return "none" if rows is None else f"{rows} rows, {kopecks_to_roubles_text(kopecks)}"
    what = "opening" if line.measure == "opening" else "closing"
    return (f"{what} balances of {line.period}, service {line.service}: {side(line.rows_at_switch, line.kopecks_at_switch)} "
            f"at the switch, {side(line.rows_now, line.kopecks_now)} now")


def balances(lines: list[ServiceLine], changes: list[BalanceChange], total: int, following: str) -> Check:
    title = f"The opening balances of {following} (and the closing of the closed month) are as the switch loaded them"
    differing = [line for line in lines if not line.same]
    if not differing:
        services = len({line.service for line in lines if line.measure == "opening"})
        rows = sum(line.rows_now or 0 for line in lines if line.measure == "opening")
        return Check("opening_balances", title, True, f"{services} services, {rows} balances: every service's "
                                                      f"SHA-256 is the one recorded at the switch")
    findings = [_line_text(line) for line in differing]
    findings += [change_text(change, following) for change in changes]
    if total > len(changes):
        findings.append(f"… and {total - len(changes)} more changed balances")
    if not changes and any(line.measure == "opening" for line in differing):
        findings.append("the changed opening rows cannot be told apart: the closed month's closing balances they "
                        "were made from changed with them")
    services = ", ".join(sorted({line.service for line in differing}))
    return Check("opening_balances", title, False, f"changed since the switch in service(s) {services}: "
                                                   f"{total} balance(s) listed", tuple(findings))


# ---- the accounts -----------------------------------------------------------------------------

def _keymap_rows(path: Path) -> Iterator[list[tuple[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as published:
        reader = csv.reader(published, delimiter=";")
        next(reader, None)  # the header
        chunk: list[tuple[str, str]] = []
        for row in reader:
            chunk.append((row[0], row[1]))
            if len(chunk) == CHUNK:
                yield chunk
                chunk = []
        if chunk:
            yield chunk


def accounts(connection: sa.Connection, switch_run: str, keymap: Path, keymap_sha256: str | None) -> Check:
    """Every account the switch loaded is still in the target, with the number it published."""
    title = "Every migrated account still has its new number"
    tables = target_metadata().tables
    account, key_map = tables["account"], tables["key_map"]
    lost = (sa.select(key_map.c.legacy_key).select_from(key_map)
            .join(account, account.c.id == key_map.c.target_id, isouter=True)
            .where(key_map.c.entity == "account", key_map.c.last_run_id == switch_run,
                   sa.or_(account.c.id.is_(None), account.c.account_number.is_(None), account.c.account_number == "")))
    findings = [f"the account of legacy key {key!r} has no new number in the target any more"
                for key in connection.execute(lost.order_by(key_map.c.legacy_key).limit(LISTED)).scalars()]
    checked = 0
    if not keymap.is_file():
        findings.append(f"{keymap}: the account map the switch published is gone: the new numbers cannot be "
                        f"compared with it")
    elif keymap_sha256 and file_sha256(keymap) != keymap_sha256:
        findings.append(f"{keymap}: the account map the switch published was changed (its SHA-256 is not the one "
                        f"recorded at the switch)")
    else:
        for chunk in _keymap_rows(keymap):
            checked += len(chunk)
            numbers = [number for _, number in chunk]
            now = dict(connection.execute(sa.select(account.c.account_number, account.c.legacy_account_number)
                                          .where(account.c.account_number.in_(numbers))).all())
            for legacy_number, number in chunk:
                if number not in now:
                    findings.append(f"account {number} (legacy {legacy_number}) is no longer in the target")
                elif now[number] != legacy_number:
                    findings.append(f"account {number} was legacy {legacy_number} at the switch, {now[number]} now")
    if findings:
        listed = findings[:LISTED] + ([f"… and {len(findings) - LISTED} more"] if len(findings) > LISTED else [])
        return Check("accounts", title, False, f"{len(findings)} account(s) changed since the switch", tuple(listed))
    return Check("accounts", title, True, f"the {checked} accounts of the switch's keymap.csv have their numbers")
