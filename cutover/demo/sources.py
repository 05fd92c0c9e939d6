"""Where a demo's rows come from: the bundled sample through the real pipeline, or a dry run."""

from __future__ import annotations

import tempfile
from pathlib import Path

import sqlalchemy as sa

from cutover.config import DEFAULT_CHUNK_ROWS, AccountNumbering, Gates, Project
from cutover.demo.build import DemoBuilt, build_demo
from cutover.errors import ConfigError
from cutover.periods import next_period
from cutover.resources import resource_dir
from cutover.run.dry_run import dry_run_in
from cutover.schema.tables import target_metadata
from cutover.target import db, runs
from cutover.workspace import Workspace, open_workspace

SAMPLE_MAPPING, SAMPLE_PERIOD = "sample_legacy", "2026-10"
# The sample's dirt D9: two balance rows with "н/д" in Начислено, money nobody can read. Their rows
# are rejected; the demo accepts them as the sample's cutover.toml does ([gates] accept_unreadable_rows).
SAMPLE_UNREADABLE_ROWS = 2


def default_demo_url(folder: Path) -> str:
    return f"sqlite:///{(folder.resolve() / 'demo.db').as_posix()}"


def demo_from_sample(folder: Path, demo_url: str, seed: int, progress=None) -> tuple[DemoBuilt, str]:
    """Dry-run the bundled sample into a scratch database through the real pipeline, then build
    the demo from it; the build and the dry run's status (``reconciled`` when it reconciled)."""
    folder = folder.resolve()
    (folder / "reports").mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="demo-", dir=folder / "reports") as scratch:
        sample = Project(folder=folder, mapping=SAMPLE_MAPPING, source_dir=resource_dir("sample_data") / SAMPLE_MAPPING,
                         period=SAMPLE_PERIOD, target_url=f"sqlite:///{Path(scratch).as_posix()}/sample.db",
                         reports_dir=folder / "reports", chunk_rows=DEFAULT_CHUNK_ROWS,
                         gates=Gates(accept_unreadable_rows=SAMPLE_UNREADABLE_ROWS),
                         numbering=AccountNumbering())
        with open_workspace(sample, progress) as ws:
            result = dry_run_in(ws)
            built = build_demo(sample.target_url, f"the bundled sample, dry run {result.run_id}", SAMPLE_PERIOD,
                               demo_url, seed, progress, source_engine=ws.engine)
    return built, result.status


def _refuse_unless_dry_run(connection: sa.Connection, target: str, run_id: str) -> None:
    """A demo is built from a dry run's rows: not from a month-end, nor from a target that a
    month-end switched or is switching.

    A switched target is refused rather than copied: it is the new system's live database and no
    longer holds any dry run's rows (the month-end loaded the final extract over them and opened
    the next month, which a demo opens itself), and a dry run of that same final extract into a
    database of its own gives the demo the rows it needs.

    Raises
    ------
    ConfigError
        Naming the month-end and what to do instead (exit code 2).
    """
    if not sa.inspect(connection).has_table("run"):
        return
    instead = ("build the demo from a dry run into a database of its own (`cutover dry-run --target URL`, "
               "then `CUTOVER_TARGET_URL=URL cutover demo --from-run RUN_ID`), or from the bundled sample "
               "(`cutover demo`)")
    done = runs.switched(connection)
    if done is not None:
        raise ConfigError(f"{target} was switched over by month-end run {done.run_id} on "
                          f"{done.finished_at:%Y-%m-%d %H:%M:%S}: it holds the final extract of {done.period} and "
                          f"{next_period(done.period)} open in the new system, no dry run's rows any more, and a demo "
                          f"is built from a dry run's rows; {instead}")
    begun = runs.unfinished(connection)
    if begun is not None:
        raise ConfigError(f"month-end run {begun.run_id} of {begun.period} is neither switched nor rolled back in "
                          f"{target}, so the target may hold its rows rather than a dry run's: finish "
                          f"it (`cutover month-end --period {begun.period} --resume`) or roll it back "
                          f"(`--rollback`) first, or {instead}")
    run = target_metadata().tables["run"]
    kind = connection.execute(sa.select(run.c.kind).where(run.c.run_id == run_id)).scalar()
    if kind is not None and kind != "dry-run":
        raise ConfigError(f"--from-run {run_id}: that is a {kind} run; a demo is built from a dry run's rows "
                          f"(`cutover runs` lists them)")


def demo_from_run(project: Project, run_id: str, demo_url: str, seed: int, progress=None) -> DemoBuilt:
    """Build the demo from the dry run ``run_id`` (:func:`demo_from_run_in`, in a workspace of its own)."""
    with open_workspace(project, progress) as ws:
        return demo_from_run_in(ws, run_id, demo_url, seed)


def demo_from_run_in(ws: Workspace, run_id: str, demo_url: str, seed: int) -> DemoBuilt:
    """Build the demo from the dry run ``run_id`` whose rows the workspace's target holds.

    Raises
    ------
    ConfigError
        No such run, one whose rows a later run replaced, not a dry run, or a target a month-end
        switched or is switching (exit code 2).
    """
    project, engine = ws.project, ws.engine
    db.check_connection(engine)
    with engine.connect() as connection:
        _refuse_unless_dry_run(connection, db.mask_url(project.target_url), run_id)
    runs.run_to_reconcile(engine, run_id)  # refuses any run but the one the target holds
    return build_demo(project.target_url, f"dry run {run_id} of {project.mapping}", project.period, demo_url, seed,
                      ws.progress, source_engine=engine)
