"""`cutover verify`: after the switch, whether the new system still holds what was migrated.

Read-only, for cron every night: the target and the legacy system are only read. It finds the
month-end that switched the project in the target's journal and holds both systems to what that
switch recorded (:mod:`cutover.verify.checks`); the result is a :class:`Verification`, written
as report.xlsx, report.html and summary.json in ``reports/<verify-id>/`` by
:mod:`cutover.verify.report`.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from cutover.errors import ConfigError
from cutover.monthend import fingerprint
from cutover.periods import next_period
from cutover.target import db, journal, runs
from cutover.verify import checks
from cutover.verify.model import Verification
from cutover.workspace import Workspace

NOT_SWITCHED = ("the project has not been switched yet: `cutover verify` checks the new system after the switch "
                "(`cutover month-end --period YYYY-MM`; `cutover status` shows where it stands)")


def _switch(connection: sa.Connection) -> runs.MonthEndRun:
    if not sa.inspect(connection).has_table("cutover_step"):
        raise ConfigError(NOT_SWITCHED)
    done = runs.switched(connection)
    if done is None:
        raise ConfigError(NOT_SWITCHED)
    return done


def _recorded_fingerprint(connection: sa.Connection, opening_detail: dict, period: str, following: str,
                          notes: list[str]) -> dict:
    """The fingerprint the switch recorded; for a switch made before cutover recorded one, the
    closed month's closing in the target now (what the opening was made from)."""
    if "fingerprint" in opening_detail:
        return opening_detail["fingerprint"]
    notes.append("the switch recorded no fingerprint of the balances (an older cutover): the opening balances are "
                 f"compared with the closing balances of {period} in the target instead")
    closing = fingerprint.balances_fingerprint(connection, period, "closing")
    return {"closing": {"period": period, "services": closing}, "opening": {"period": following, "services": closing}}


def verify(ws: Workspace) -> Verification:
    """Check the workspace's target (and its legacy system) against the switch.

    Raises
    ------
    ConfigError
        The project has not been switched (exit code 2).
    LegacyError
        The legacy database cannot be reached or refuses the evidence query (exit code 2).
    """
    project = ws.project
    db.check_connection(ws.engine)
    with ws.engine.connect() as connection:
        done = _switch(connection)
        records = journal.steps(connection, done.run_id)
    period = done.period
    following = next_period(period)
    close = records["close_legacy"].detail
    notes: list[str] = []
    found = [checks.legacy_month(project, ws.mapping, close)]
    with ws.engine.connect() as connection:
        recorded = _recorded_fingerprint(connection, records["opening"].detail, period, following, notes)
        now = fingerprint.month_end_fingerprint(connection, period, following)
        if "fingerprint" not in records["opening"].detail:
            now["closing"] = recorded["closing"]  # nothing to compare it with
        lines = checks.balance_lines(recorded, now)
        codes = sorted({line.service for line in lines if not line.same})
        changes, total = checks.balance_changes(connection, period, following, codes)
        found.append(checks.balances(lines, changes, total, following))
        protocol = records.get("protocol")
        published = (protocol.detail.get("files", {}) if protocol else {}).get("keymap.csv")
        found.append(checks.accounts(connection, done.run_id, project.reports_dir / done.run_id / "keymap.csv",
                                     published))
    switched_at = done.finished_at.isoformat(timespec="seconds") if done.finished_at else ""
    return Verification(
        switch_run=done.run_id, period=period, next_period=following, switched_at=switched_at,
        checked_at=dt.datetime.now().isoformat(timespec="seconds"), target=db.mask_url(project.target_url),
        legacy=checks.database(close), checks=found, services=lines, balance_changes=changes,
        balance_changes_total=total, notes=notes)
