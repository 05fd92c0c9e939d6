"""One plain function per `cutover` command, as alembic's ``command.py`` has them.

Each takes the command's :class:`~cutover.workspace.Workspace` (the project, its mapping and
its target engine, opened once by the caller) and returns a typed result; nothing here prints.
``cutover/cli.py`` parses the options, opens the workspace, calls one of these, renders the
result and sets the exit code.

The heavy modules (the pipeline: pandas, pandera, pyarrow) are imported inside the commands that
run them: ``cutover status``, ``runs`` and ``keymap export`` load none of them
(tests/test_light_imports.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cutover.reports_folder import check_reports_folder
from cutover.target import db
from cutover.workspace import Workspace

if TYPE_CHECKING:
    from cutover.analysis.check import CheckResult
    from cutover.analysis.profile import ProfileResult
    from cutover.demo.build import DemoBuilt
    from cutover.monthend.lock import Holder
    from cutover.monthend.runbook import MonthEndResult
    from cutover.monthend.status import MonthEndStatus
    from cutover.progress import Progress
    from cutover.run.dry_run import RunResult


@dataclass(frozen=True)
class ProfileWritten:
    """``cutover profile``: what the profile found, and its workbook and page."""

    result: ProfileResult
    workbook: Path
    page: Path


@dataclass(frozen=True)
class DemoOutcome:
    """``cutover demo``: the build, and the status of the sample's dry run (None when built from a run)."""

    built: DemoBuilt
    status: str | None


@dataclass(frozen=True)
class KeymapWritten:
    """``cutover keymap export``: how many accounts went to which file."""

    accounts: int
    path: Path


@dataclass(frozen=True)
class SchemaRevision:
    """``cutover db upgrade|downgrade|current``: the target (its password masked), the revision it
    is at now (None: never migrated) and the newest revision cutover ships."""

    target: str
    revision: str | None
    head: str | None = None

    @property
    def at_head(self) -> bool:
        return self.revision is not None and self.revision == self.head


def dry_run(ws: Workspace, upgrade: bool = False) -> RunResult:
    """``cutover dry-run``: extract, map, check, load, reconcile and report (``upgrade``: bring a
    target at an older schema revision to the newest first)."""
    from cutover.run.dry_run import dry_run_in

    return dry_run_in(ws, upgrade)


def reconcile(ws: Workspace, run_id: str | None = None, live: bool = False) -> RunResult:
    """``cutover reconcile``: reconcile a finished dry run again and rewrite its reports."""
    from cutover.run.dry_run import reconcile_in

    return reconcile_in(ws, run_id, live)


def runs(ws: Workspace, limit: int = 20) -> list[dict]:
    """``cutover runs``: the latest runs in the target's journal, newest first."""
    from cutover.target.runs import list_runs

    return list_runs(ws.engine, limit)


def run_record(ws: Workspace, run_id: str) -> dict:
    """``cutover runs show RUN``: one run of the journal and the summary it recorded.

    Raises
    ------
    ConfigError
        No such run in the target's journal (naming the nearest run id there is).
    """
    from cutover.errors import ConfigError
    from cutover.hints import did_you_mean
    from cutover.target.runs import list_runs
    from cutover.target.runs import run_record as record_of

    found = record_of(ws.engine, run_id)
    if found is None:
        known = [run["run_id"] for run in list_runs(ws.engine, 200)]
        raise ConfigError(f"no run {run_id} in the target's journal{did_you_mean([run_id], known)}; `cutover runs` "
                          f"lists the latest")
    return found


@dataclass(frozen=True)
class Pruned:
    """``cutover runs prune``: the report folders removed, and those kept."""

    removed: tuple[Path, ...]
    kept: int


def prune_reports(ws: Workspace, keep: int) -> Pruned:
    """``cutover runs prune --keep N``: remove the report folders of dry runs older than the
    latest ``keep``. A month-end's folder (its protocol is evidence) and the folder of the run
    whose rows the target holds (``cutover reconcile`` reads its snapshot) always stay; rows of
    the journal stay too. ``reports/index.html`` is written again without the removed runs."""
    import shutil

    import sqlalchemy as sa

    from cutover.report.index_html import write_index
    from cutover.target.runs import MONTH_END, list_runs, loaded_run

    listed = list_runs(ws.engine, 100_000)
    with ws.engine.connect() as connection:
        loaded = loaded_run(connection) if sa.inspect(connection).has_table("run") else None
    dry_runs = [run["run_id"] for run in listed if run["kind"] != MONTH_END]
    stay = set(dry_runs[:keep]) | {loaded} | {run["run_id"] for run in listed if run["kind"] == MONTH_END}
    removed = []
    for run_id in dry_runs:
        folder = ws.project.reports_dir / run_id
        if run_id not in stay and folder.is_dir():
            shutil.rmtree(folder)
            removed.append(folder)
    if removed:
        write_index(ws.engine, ws.project.reports_dir, ws.project.report_language)
    return Pruned(tuple(removed), len([r for r in dry_runs if r in stay]))


def check(ws: Workspace) -> CheckResult:
    """``cutover check``: the mapping against the data; unmapped legacy codes."""
    from cutover.analysis.check import check_in

    return check_in(ws)


def profile(ws: Workspace) -> ProfileWritten:
    """``cutover profile``: profile every legacy source and write profile.xlsx and profile.html."""
    from cutover.analysis import write_profile_reports
    from cutover.analysis.profile import profile_in

    check_reports_folder(ws.project.reports_dir)
    result = profile_in(ws)
    workbook, page = write_profile_reports(result)
    return ProfileWritten(result, workbook, page)


def month_end(ws: Workspace, period: str, *, force_reason: str | None = None,
              no_rollback: bool = False) -> MonthEndResult:
    """``cutover month-end``: the one-shot switch at the end of ``period``."""
    from cutover.monthend.runbook import month_end_in

    check_reports_folder(ws.project.reports_dir, ws.project.source_dir)  # before the legacy month is closed
    return month_end_in(ws, period, force_reason=force_reason, no_rollback=no_rollback)


def month_end_resume(ws: Workspace, period: str, *, no_rollback: bool = False) -> MonthEndResult:
    """``cutover month-end --resume``: continue the interrupted month-end."""
    from cutover.monthend.runbook import resume_in

    check_reports_folder(ws.project.reports_dir, ws.project.source_dir)
    return resume_in(ws, period, no_rollback=no_rollback)


def month_end_rollback(ws: Workspace, period: str) -> MonthEndResult:
    """``cutover month-end --rollback``: undo the month-end begun and not switched."""
    from cutover.monthend.runbook import rollback_in

    return rollback_in(ws, period)


def break_lock(ws: Workspace, reason: str) -> Holder:
    """``cutover month-end --break-lock --reason``: remove the month-end lock; who held it."""
    from cutover.monthend.runbook import break_lock_in

    return break_lock_in(ws, reason)


def status(ws: Workspace) -> MonthEndStatus:
    """``cutover status``: the month-end's steps, their state and timings, the lock's holder."""
    from cutover.monthend.status import month_end_status

    return month_end_status(ws)


def demo_from_run(ws: Workspace, run_id: str, demo_url: str, seed: int) -> DemoOutcome:
    """``cutover demo --from-run``: a training database from the dry run the workspace's target holds."""
    from cutover.demo.sources import demo_from_run_in

    return DemoOutcome(demo_from_run_in(ws, run_id, demo_url, seed), None)


def demo_from_sample(project_dir: Path, demo_url: str, seed: int, progress: Progress | None = None) -> DemoOutcome:
    """``cutover demo``: a training database from the bundled sample, dry-run into a scratch target
    (a workspace of its own: the project in ``project_dir`` is not used)."""
    from cutover.demo.sources import demo_from_sample as from_sample

    return DemoOutcome(*from_sample(project_dir, demo_url, seed, progress))


def demo_reset(demo_url: str) -> dict[str, int]:
    """``cutover demo --reset``: the training database back as it was built; rows restored per table."""
    from cutover.demo.build import reset_demo

    return reset_demo(demo_url)


def keymap_export(ws: Workspace, file_format: str | None = None, out: Path | None = None) -> KeymapWritten:
    """``cutover keymap export``: every account's legacy and new number, to ``out`` (default:
    ``keymap.<format>`` in the reports folder; the format: as asked, else ``out``'s suffix, else xlsx)."""
    from cutover.report.keymap import export_keymap, keymap_format

    file_format = keymap_format(out, file_format)
    path = out or ws.project.reports_dir / f"keymap.{file_format}"
    db.check_connection(ws.engine)
    return KeymapWritten(export_keymap(ws.engine, path, file_format), path)


def db_current(target_url: str) -> SchemaRevision:
    """``cutover db current``: the revision the target is at (a SQLite file must exist: reading
    never creates one)."""
    engine = db.create_target_engine(target_url, existing=True)
    try:
        db.check_connection(engine)
        return SchemaRevision(db.mask_url(target_url), db.current_revision(engine), db.head_revision())
    finally:
        engine.dispose()


def db_check(target_url: str) -> tuple[str, list]:
    """``cutover db check``: the target (masked) and how its tables differ from schemas/target.toml
    (empty: they match); a target not at the newest revision is an error naming what to run."""
    engine = db.create_target_engine(target_url, existing=True)
    try:
        db.check_connection(engine)
        return db.mask_url(target_url), db.check_drift(engine)
    finally:
        engine.dispose()


def db_downgrade(target_url: str, revision: str) -> SchemaRevision:
    """``cutover db downgrade REVISION``: take the target's schema back to ``revision`` (``base``:
    no cutover tables at all)."""
    engine = db.create_target_engine(target_url, existing=True)
    try:
        db.downgrade(engine, revision)
        return SchemaRevision(db.mask_url(target_url), db.current_revision(engine), db.head_revision())
    finally:
        engine.dispose()


def db_upgrade(target_url: str, revision: str = "head") -> SchemaRevision:
    """``cutover db upgrade``: bring the target at ``target_url`` to ``revision``.

    The one command without a workspace: ``--target`` alone names the database, no cutover.toml
    is needed (a fresh target is upgraded before any project points at it).
    """
    engine = db.create_target_engine(target_url)
    try:
        db.upgrade(engine, revision)
        return SchemaRevision(db.mask_url(target_url), db.current_revision(engine), db.head_revision())
    finally:
        engine.dispose()
