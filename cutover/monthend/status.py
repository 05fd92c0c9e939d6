"""`cutover status`: the project's month-end as the target's journal has it."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import sqlalchemy as sa

from cutover import db, runs
from cutover.monthend import journal, lock


@dataclass(frozen=True)
class MonthEndStatus:
    """The latest month-end (if any), its steps, the lock's holder and whether the project switched."""

    target: str
    latest: runs.MonthEndRun | None
    steps: dict[str, journal.StepRecord]
    holder: lock.Holder | None
    switched: runs.MonthEndRun | None


def month_end_status(target_url: str) -> MonthEndStatus:
    engine = db.create_target_engine(target_url)
    try:
        db.check_connection(engine)
        with engine.connect() as connection:
            if not sa.inspect(connection).has_table("cutover_lock"):
                return MonthEndStatus(db.mask_url(target_url), None, {}, None, None)
            latest = runs.latest_month_end(connection)
            at_work = runs.running_run(connection, latest.run_id) if latest else None
            if at_work is not None and at_work.gone:
                latest = dataclasses.replace(latest, status=runs.INTERRUPTED)
            steps = journal.steps(connection, latest.run_id) if latest else {}
            return MonthEndStatus(db.mask_url(target_url), latest, steps, lock.holder(connection),
                                  runs.switched(connection))
    finally:
        engine.dispose()
