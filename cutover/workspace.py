"""The workspace: what one command works with, opened once and closed once.

A command (``cutover dry-run``, ``reconcile``, ``month-end``, ``status``, ...) opens one
workspace with :func:`open_workspace` and hands it to the library: the project, its mapping
(loaded on first use, once), the target engine (created on first use, once, disposed when the
workspace closes), the progress shown, and the run's report folder once the run has an id.

The mapping and the pipeline are imported only when the mapping is first asked for:
``cutover status``, ``runs`` and ``keymap export`` open a workspace and must not load pandas,
pandera or pyarrow (tests/test_light_imports.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from cutover.config import Project
from cutover.progress import Progress, Timed
from cutover.target import db

if TYPE_CHECKING:
    import sqlalchemy as sa

    from cutover.mapping.model import SystemMapping


class Workspace:
    """One command's project, mapping, target engine, progress and run.

    Parameters
    ----------
    project
        The project (cutover.toml, with the command's overrides such as ``--target``).
    progress
        What the command shows while it works (silent by default).
    existing
        The command reads or finishes what the target holds (``runs``, ``status``, ``reconcile``,
        ``month-end``): a SQLite target that does not exist is an error, never created.
    """

    def __init__(self, project: Project, progress: Progress | None = None, *, existing: bool = False) -> None:
        self.project = project
        self.progress = progress if isinstance(progress, Timed) else Timed(progress)  # stage times for summary.json
        self.existing = existing
        self.run_id: str | None = None
        self.stopped: str | None = None  # what the journal recorded for the run when bad input, a bug or Ctrl-C stopped it
        self._mapping: SystemMapping | None = None
        self._engine: sa.Engine | None = None

    @property
    def mapping(self) -> SystemMapping:
        """The project's mapping, loaded the first time it is asked for."""
        if self._mapping is None:
            from cutover.mapping import (
                model,  # heavy (pandas): only the commands that map load it
            )

            self._mapping = model.load_mapping(self.project.mapping_dir)
        return self._mapping

    @property
    def engine(self) -> sa.Engine:
        """The target's engine, created the first time it is asked for, disposed by :meth:`close`."""
        if self._engine is None:
            self._engine = db.create_target_engine(self.project.target_url, existing=self.existing)
        return self._engine

    @property
    def report_dir(self) -> Path:
        """The run's report folder (``reports/<run_id>``).

        Raises
        ------
        RuntimeError
            The workspace has no run yet (a bug: set ``run_id`` first).
        """
        if self.run_id is None:
            raise RuntimeError("the workspace has no run yet: its report folder is not known")
        return self.project.reports_dir / self.run_id

    def close(self) -> None:
        """The progress is done and the engine (if one was created) disposed."""
        try:
            self.progress.done()
        finally:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None


@contextmanager
def open_workspace(project: Project, progress: Progress | None = None, *, existing: bool = False) -> Iterator[Workspace]:
    """``with open_workspace(project, progress) as ws:`` one command's workspace, closed however it ends
    (``existing``: see :class:`Workspace`)."""
    workspace = Workspace(project, progress, existing=existing)
    try:
        yield workspace
    finally:
        workspace.close()
