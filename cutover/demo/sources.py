"""Where a demo's rows come from: the bundled sample through the real pipeline, or a dry run."""

from __future__ import annotations

import tempfile
from pathlib import Path

from cutover import db, runs
from cutover.config import DEFAULT_CHUNK_ROWS, Gates, Project
from cutover.demo.build import DemoBuilt, build_demo
from cutover.pipeline.load import AccountNumbering
from cutover.pipeline.run import dry_run
from cutover.resources import resource_dir

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
        result = dry_run(sample, progress)
        built = build_demo(sample.target_url, f"the bundled sample, dry run {result.run_id}", SAMPLE_PERIOD,
                           demo_url, seed, progress)
    return built, result.status


def demo_from_run(project: Project, run_id: str, demo_url: str, seed: int, progress=None) -> DemoBuilt:
    """Build the demo from the dry run ``run_id`` whose rows the project's target holds.

    Raises
    ------
    ConfigError
        No such run, or one whose rows a later run replaced (exit code 2).
    """
    engine = db.create_target_engine(project.target_url)
    try:
        db.check_connection(engine)
        runs.run_to_reconcile(engine, run_id)  # refuses any run but the one the target holds
    finally:
        engine.dispose()
    return build_demo(project.target_url, f"dry run {run_id} of {project.mapping}", project.period, demo_url, seed,
                      progress)
