"""`cutover status`: the project's month-end as the target's journal has it."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import sqlalchemy as sa

from cutover.monthend import lock
from cutover.target import db, journal, runs
from cutover.workspace import Workspace


@dataclass(frozen=True)
class MonthEndStatus:
    """The latest month-end (if any), its steps, the lock's holder and whether the project switched."""

    target: str
    latest: runs.MonthEndRun | None
    steps: dict[str, journal.StepRecord]
    holder: lock.Holder | None
    switched: runs.MonthEndRun | None


def month_end_status(ws: Workspace) -> MonthEndStatus:
    """The workspace's target's latest month-end, its steps, the lock's holder and the switch."""
    target = db.mask_url(ws.project.target_url)
    db.check_connection(ws.engine)
    with ws.engine.connect() as connection:
        if not sa.inspect(connection).has_table("cutover_lock"):
            return MonthEndStatus(target, None, {}, None, None)
        latest = runs.latest_month_end(connection)
        at_work = runs.running_run(connection, latest.run_id) if latest else None
        if at_work is not None and at_work.gone:
            latest = dataclasses.replace(latest, status=runs.INTERRUPTED)
        steps = journal.steps(connection, latest.run_id) if latest else {}
        return MonthEndStatus(target, latest, steps, lock.holder(connection), runs.switched(connection))
