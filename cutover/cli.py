"""The command line: parse options, open the workspace, call one command (cutover/commands.py),
render its result, set the exit code.

Exit codes (README.md, "Exit codes"): 0 done and reconciled; 1 done but a gate failed
(differences, too many rejects); 2 bad usage, configuration or input; 3 an internal error (a
bug: the message asks for ``--debug`` and a report); 130 interrupted (Ctrl-C); 143 stopped by
SIGTERM (``kill``, a service manager), handled as Ctrl-C is: the journal records the run
``interrupted``. With ``--quiet`` a command prints one line, whether it finished or stopped.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

# Light imports only up here: `cutover status`, `runs` and `keymap export` must not load the
# pipeline (pandas, pandera); each command imports what it runs (tests/test_light_imports.py).
from cutover import __version__, commands, logs
from cutover.config import Project, load_project
from cutover.errors import (
    EXIT_BAD_INPUT,
    EXIT_GATE_FAILED,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    CutoverError,
)
from cutover.progress import PlannedStage, Progress, progress_for
from cutover.states import RunStatus
from cutover.target.exclusive import sqlite_is_locked
from cutover.workspace import Workspace, open_workspace

_WORKSPACES = "cutover.workspaces"  # ctx.meta: the workspaces a command opened, for the message when it stops
_QUIET = "cutover.quiet"  # ctx.meta: the command was given --quiet (one line, also when it stops)
EXIT_TERMINATED = 128 + signal.SIGTERM  # 143, as a shell reports a process a SIGTERM ended


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived: stops the work as Ctrl-C does (whatever handles Ctrl-C, the journal's
    ``interrupted`` and a month-end step's stop, handles it), with exit code 143."""


def _terminate(signum, frame) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a second SIGTERM while stopping ends the process at once
    raise Terminated("SIGTERM")


class Stopped(click.ClickException):
    """A command stopped: its message (after ``Error:`` or ``Interrupted:``) and its exit code;
    with ``--quiet``, one line instead (``quiet_line``), giving ``reason`` (default: the message)."""

    def __init__(self, message: str, exit_code: int, label: str = "Error", reason: str | None = None) -> None:
        super().__init__(message)
        self.exit_code, self.label = exit_code, label
        self.reason = reason if reason is not None else message
        self.quiet_line: str | None = None

    def show(self, file=None) -> None:
        shown = self.quiet_line if self.quiet_line is not None else f"{self.label}: {self.format_message()}"
        click.echo(shown, file=file or sys.stderr)


class CutoverGroup(click.Group):
    """Turns whatever stops a command into a message and its exit code, in one place: the
    library's own errors (2, or what they carry), a locked SQLite target (2), Ctrl-C (130),
    SIGTERM (143) and anything else, a bug (3). ``--debug`` prints the traceback first; the exit
    code stays."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise  # click's own: usage errors and their exit codes
        except KeyboardInterrupt as exc:
            raise _stopped(ctx, exc, Stopped(_interrupted(ctx, exc), _interrupt_code(exc), "Interrupted",
                                             f"stopped by {_interrupter(exc)}")) from None
        except CutoverError as exc:
            if isinstance(exc.__cause__, KeyboardInterrupt):  # a month-end step Ctrl-C stopped: how to go on
                raise _stopped(ctx, exc, Stopped(str(exc), _interrupt_code(exc.__cause__), "Interrupted")) from None
            raise _stopped(ctx, exc, Stopped(str(exc), exc.exit_code)) from None
        except Exception as exc:
            if sqlite_is_locked(exc):
                raise _stopped(ctx, exc, Stopped(_with_notes(LOCKED, exc), EXIT_BAD_INPUT)) from None
            raise _stopped(ctx, exc, _internal(ctx, exc)) from None


def _interrupt_code(exc: KeyboardInterrupt) -> int:
    return EXIT_TERMINATED if isinstance(exc, Terminated) else EXIT_INTERRUPTED


def _stopped(ctx: click.Context, exc: BaseException, stop: Stopped) -> Stopped:
    if ctx.params.get("debug"):
        traceback.print_exception(exc, file=sys.stderr)
    if ctx.meta.get(_QUIET):
        stop.quiet_line = _quiet_line(ctx, stop)
    return stop


def _quiet_line(ctx: click.Context, stop: Stopped) -> str:
    """``--quiet``'s one line for a command that stopped: the run's id (``-`` when no run had
    begun), ``failed`` or ``interrupted`` (as the journal has it, when it recorded the run), and
    the reason on the same line."""
    ws = _run_of(ctx)
    interrupted = stop.exit_code in (EXIT_INTERRUPTED, EXIT_TERMINATED)
    status = (ws.stopped if ws is not None and ws.stopped else
              RunStatus.INTERRUPTED if interrupted else RunStatus.FAILED)
    reason = " ".join(line.strip() for line in stop.reason.splitlines() if line.strip())
    return f"{ws.run_id if ws is not None else '-'} {status} {reason}"


def _remember_quiet(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    ctx.meta[_QUIET] = value  # meta is shared by the whole command line: CutoverGroup.invoke reads it
    return value


def quiet_option(help: str):
    """``--quiet``: only the one-line result, and one line too when the command stops."""
    return click.option("--quiet", is_flag=True, callback=_remember_quiet,
                        help=f"{help} When it stops: <run-id> failed|interrupted <reason>, one line too.")


def _with_notes(message: str, exc: BaseException) -> str:
    """``message`` and the notes the library added to ``exc`` on its way (how to go on, what the
    journal could not record), a line each."""
    return "\n".join([message, *getattr(exc, "__notes__", ())])


LOCKED = ("the target's SQLite file is locked by another process writing it (a dry run or a month-end): wait for it "
          "to finish and run again (`cutover runs`, `cutover status`)")


def _run_of(ctx: click.Context) -> Workspace | None:
    """The workspace of the run the command was at, if it had one."""
    return next((ws for ws in reversed(ctx.meta.get(_WORKSPACES, [])) if ws.run_id), None)


def _log_file() -> str | None:
    """The file the command logs to, if logging goes to one."""
    for logger in (logging.getLogger("cutover"), logging.getLogger()):
        for handler in logger.handlers:
            if isinstance(handler, logging.FileHandler) and handler.baseFilename != os.devnull:  # pytest's
                return handler.baseFilename
    return None


def _internal(ctx: click.Context, exc: Exception) -> Stopped:
    """A bug (exit 3): the error, its run and the log, and what to do (``--quiet``: the same, shorter)."""
    ws, log = _run_of(ctx), _log_file()
    if log is None and ws is not None and (ws.report_dir / "run.log").is_file():
        log = str(ws.report_dir / "run.log")
    where = []
    if ws is not None:
        where.append(f"run {ws.run_id}" + (f", recorded as {ws.stopped} in the journal" if ws.stopped else ""))
    if log:
        where.append(f"log: {log}")
    place = f" ({'; '.join(where)})" if where else ""
    error = f"internal error: {type(exc).__name__}: {exc}"
    return Stopped(_with_notes(f"{error}{place}. This is a bug in cutover: run with --debug and report it, with the "
                               f"traceback", exc), EXIT_INTERNAL,
                   reason=_with_notes(f"{error} (a bug in cutover: run with --debug and report it"
                                      + (f"; log: {log})" if log else ")"), exc))


def _interrupter(exc: KeyboardInterrupt) -> str:
    return "SIGTERM" if isinstance(exc, Terminated) else "Ctrl-C (SIGINT)"


def _interrupted(ctx: click.Context, exc: KeyboardInterrupt) -> str:
    ws, by = _run_of(ctx), _interrupter(exc)
    if ws is None:
        return f"stopped by {by}"
    recorded = f"recorded as {ws.stopped} in the journal" if ws.stopped else "see `cutover runs`"
    return f"run {ws.run_id} stopped by {by}, {recorded}; run it again when ready"


@contextmanager
def _workspace(project: Project, progress: Progress | None = None, *, existing: bool = False) -> Iterator[Workspace]:
    """:func:`open_workspace`, remembered so that a command stopped names its run."""
    with open_workspace(project, progress, existing=existing) as ws:
        click.get_current_context().meta.setdefault(_WORKSPACES, []).append(ws)
        yield ws


@click.group(cls=CutoverGroup, context_settings={"help_option_names": ["-h", "--help"]},
             epilog="Exit codes: 0 done and reconciled; 1 done but a gate failed (differences, "
             "too many rejects, unmapped codes); 2 bad usage, configuration or input; 3 internal error (a bug: "
             "run with --debug and report it); 130 interrupted (Ctrl-C); 143 stopped by SIGTERM (as Ctrl-C). "
             "Shell completion: eval \"$(_CUTOVER_COMPLETE=bash_source cutover)\" (zsh_source, fish_source).")
@click.version_option(__version__, prog_name="cutover")
@click.option("--project", "project_dir", type=click.Path(file_okay=False, path_type=Path), default=".",
              envvar="CUTOVER_PROJECT", show_envvar=True, show_default=True, help="Project folder holding cutover.toml.")
@click.option("--debug", is_flag=True, help="Print the traceback of an error (the exit code stays the same).")
@click.option("--log-file", type=click.Path(dir_okay=False, path_type=Path), envvar="CUTOVER_LOG_FILE",
              show_envvar=True, help="Append the log to this file too (a dry run always logs to run.log in its "
                                     "report folder).")
@click.option("--log-format", type=click.Choice(logs.FORMATS), default="text", show_default=True,
              help="json: one JSON object a line, for log shippers.")
@click.pass_context
def cli(ctx: click.Context, project_dir: Path, debug: bool, log_file: Path | None, log_format: str) -> None:
    """Move a utility billing customer base from a legacy system into a new one."""
    handler = logs.configure(log_file, log_format)
    ctx.call_on_close(lambda: logs.close(handler))
    ctx.obj = project_dir


def _verdict(result, quiet: bool) -> None:
    """Print a run's result (one line when quiet) and exit 0 if it reconciled, else 1."""
    from cutover.report.console import render_run

    if quiet:
        click.echo(f"{result.run_id} {result.status}")
    else:
        click.echo(render_run(result.summary, result.report_dir))
    sys.exit(EXIT_OK if result.status == RunStatus.RECONCILED else EXIT_GATE_FAILED)


ACCEPT_FALL = click.option("--accept-fall", is_flag=True,
                           help="The extract really shrank: accept records and money that fell since the last run "
                                "that reconciled (listed as accepted in the reports).")


@cli.command("dry-run", epilog="Examples: cutover dry-run; cutover dry-run --quiet (one line for cron: <run-id> reconciled); cutover --project customers/vodokanal dry-run --target postgresql+psycopg://billing@db/billing")
@click.option("--target", "target_url", help="Target database URL (default: cutover.toml, CUTOVER_TARGET_URL).")
@quiet_option("Print only the one-line verdict.")
@click.option("--upgrade", is_flag=True,
              help="Upgrade a target whose schema is at an older revision first (a new, empty target is set up "
                   "without it).")
@ACCEPT_FALL
@click.pass_obj
def dry_run_command(project_dir: Path, target_url: str | None, quiet: bool, upgrade: bool, accept_fall: bool) -> None:
    """Extract, validate, map, load into the target, reconcile and report."""
    project = load_project(project_dir, target_url, accept_fall=accept_fall)
    with _workspace(project, progress_for(sys.stderr, quiet)) as ws:
        result = commands.dry_run(ws, upgrade)
    _verdict(result, quiet)


def _complete_run_ids(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """Shell completion of a run id: the latest runs of the project's target that start so (none
    when the target cannot be read: completion never prints an error)."""
    try:
        project = load_project(ctx.find_root().params.get("project_dir") or Path("."), ctx.params.get("target_url"))
        with open_workspace(project, existing=True) as ws:
            listed = commands.runs(ws, 50)
    except Exception:  # noqa: BLE001 -- a half-typed command line: nothing to offer
        return []
    return [run["run_id"] for run in listed if run["run_id"].startswith(incomplete)]


@cli.command("reconcile", epilog="Examples: cutover reconcile; cutover reconcile --run 20261031-221502-dry-run-3f2a --live")
@click.option("--run", "run_id", shell_complete=_complete_run_ids,
              help="The run to reconcile (it must be the one whose rows the target holds).")
@click.option("--latest", is_flag=True, help="Reconcile the latest finished dry run (the default).")
@click.option("--live", is_flag=True, help="Read the sources again (files, legacy database) instead of the run's snapshot.")
@click.option("--target", "target_url", help="Target database URL (default: cutover.toml, CUTOVER_TARGET_URL).")
@quiet_option("Print only the one-line verdict.")
@ACCEPT_FALL
@click.pass_obj
def reconcile_command(project_dir: Path, run_id: str | None, latest: bool, live: bool, target_url: str | None,
                      quiet: bool, accept_fall: bool) -> None:
    """Compare a run's source with the target again, item by item, and rewrite its reports."""
    if run_id and latest:
        raise click.UsageError("give --run RUN_ID or --latest, not both")
    project = load_project(project_dir, target_url, accept_fall=accept_fall)
    with _workspace(project, progress_for(sys.stderr, quiet), existing=True) as ws:
        result = commands.reconcile(ws, run_id, live)
    _verdict(result, quiet)


def _json(data) -> str:
    """``--json``: the command's result as JSON (times as ISO text, paths as text)."""
    import dataclasses
    import datetime as dt
    import json

    def plain(value):
        if isinstance(value, (dt.datetime, dt.date)):
            return value.isoformat()
        if dataclasses.is_dataclass(value):
            return dataclasses.asdict(value)
        if isinstance(value, (Path, set, frozenset, tuple)):
            return str(value) if isinstance(value, Path) else list(value)
        return str(value)

    return json.dumps(data, default=plain, ensure_ascii=False, indent=2)


JSON = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON, for scripts.")


@cli.group("runs", invoke_without_command=True,
           epilog="Examples: cutover runs --limit 5; cutover runs show 20261031-221502-dry-run-3f2a; "
                  "cutover runs prune --keep 10")
@click.option("--target", "target_url", help="Target database URL (default: the project's).")
@click.option("--limit", default=20, show_default=True, help="How many of the latest runs to list.")
@JSON
@click.pass_context
def runs_command(ctx: click.Context, target_url: str | None, limit: int, as_json: bool) -> None:
    """List the latest runs in the target's journal, newest first (or show one, or prune old reports)."""
    if ctx.invoked_subcommand is not None:
        return
    from cutover.report.journal_console import render_runs

    with _workspace(load_project(ctx.obj, target_url), existing=True) as ws:
        listed = commands.runs(ws, limit)
    if as_json:
        click.echo(_json(listed))
        return
    click.echo(render_runs(listed))


@runs_command.command("show", epilog="Example: cutover runs show 20261031-221502-dry-run-3f2a")
@click.argument("run_id", shell_complete=_complete_run_ids)
@click.option("--target", "target_url", help="Target database URL (default: the project's).")
@JSON
@click.pass_obj
def runs_show_command(project_dir: Path, run_id: str, target_url: str | None, as_json: bool) -> None:
    """One run: its verdict and why, its counts, how long each stage took, its sources and their hashes."""
    from cutover.report.journal_console import render_run_record

    with _workspace(load_project(project_dir, target_url), existing=True) as ws:
        found = commands.run_record(ws, run_id)
    click.echo(_json(found) if as_json else render_run_record(found))


@runs_command.command("prune", epilog="Example: cutover runs prune --keep 10")
@click.option("--keep", type=click.IntRange(min=1), required=True, help="How many of the latest dry runs' report "
                                                                        "folders to keep.")
@click.option("--target", "target_url", help="Target database URL (default: the project's).")
@click.pass_obj
def runs_prune_command(project_dir: Path, keep: int, target_url: str | None) -> None:
    """Remove the report folders of older dry runs (a month-end's and the loaded run's always stay)."""
    with _workspace(load_project(project_dir, target_url), existing=True) as ws:
        pruned = commands.prune_reports(ws, keep)
    click.echo(f"removed {len(pruned.removed)} report folder(s) of older dry runs; kept {pruned.kept}"
               + "".join(f"\n  {folder}" for folder in pruned.removed))


@cli.command("check", epilog="Example: cutover check (exit 1 when something is found, 2 when the mapping or a source "
                             "is wrong); cutover check --json")
@JSON
@click.pass_obj
def check_command(project_dir: Path, as_json: bool) -> None:
    """Validate the configuration and mappings against the data; list unmapped legacy codes."""
    from cutover.report.console import render_check

    with _workspace(load_project(project_dir), progress_for(sys.stderr, quiet=as_json)) as ws:
        result = commands.check(ws)
    click.echo(_json(result.to_dict()) if as_json else render_check(result))
    sys.exit(result.exit_code)


@cli.command("profile", epilog="Example: cutover profile, then open reports/<id>-profile-<x>/profile.html")
@quiet_option("Print only the one-line result.")
@click.pass_obj
def profile_command(project_dir: Path, quiet: bool) -> None:
    """Profile every legacy source: blanks, values, shapes, duplicate keys, orphans (profile.xlsx, profile.html)."""
    from cutover.report.console import render_profile

    with _workspace(load_project(project_dir), progress_for(sys.stderr, quiet)) as ws:
        written = commands.profile(ws)
    click.echo(render_profile(written.result, written.workbook, written.page, quiet))
    unread = [source.name for source in written.result.sources if source.error is not None]
    if unread:  # as `cutover check`: a source that cannot be read is bad input
        click.echo(f"{len(unread)} of {len(written.result.sources)} sources could not be read to the end "
                   f"({', '.join(unread)}): see UNREADABLE in the report", err=True)
        sys.exit(EXIT_BAD_INPUT)


@cli.command("month-end", epilog="Examples: cutover month-end --period 2026-10; cutover month-end --period 2026-10 --resume; cutover month-end --period 2026-10 --rollback")
@click.option("--period", required=True,
              help="The month being closed, YYYY-MM: required, and it must be cutover.toml's [project] period "
                   "(a switch is never implied).")
@click.option("--resume", is_flag=True, help="Continue the interrupted month-end from its last completed step.")
@click.option("--rollback", "roll_back", is_flag=True,
              help="Undo the month-end begun and not switched: target rows as they were, legacy month reopened.")
@click.option("--no-rollback", is_flag=True, help="If the reconciliation gate fails, leave everything for inspection.")
@click.option("--force", is_flag=True, help="Switch although the latest dry run did not pass its gates (needs --reason).")
@click.option("--break-lock", is_flag=True,
              help="Remove the month-end lock when no check can tell its holder is gone (needs --reason; make sure "
                   "that process is stopped): recorded in the journal and the protocol.")
@click.option("--reason", help="Why --force or --break-lock: recorded in the journal and the protocol.")
@click.option("--target", "target_url", help="Target database URL (default: cutover.toml, CUTOVER_TARGET_URL).")
@quiet_option("Print only the one-line result.")
@ACCEPT_FALL
@click.pass_obj
def month_end_command(project_dir: Path, period: str, resume: bool, roll_back: bool, no_rollback: bool, force: bool,
                      break_lock: bool, reason: str | None, target_url: str | None, quiet: bool,
                      accept_fall: bool) -> None:
    """The one-shot switch: close PERIOD in the legacy system and open the next month in the new one."""
    from cutover.monthend.console import render_month_end, render_rollback

    if resume and roll_back:
        raise click.UsageError("--resume and --rollback exclude each other")
    if break_lock:
        if resume or roll_back or force:
            raise click.UsageError("--break-lock goes alone (then --resume or --rollback)")
        if not (reason and reason.strip()):
            raise click.UsageError("--break-lock needs --reason \"...\" (recorded in the journal and the protocol)")
        with _workspace(load_project(project_dir, target_url), existing=True) as ws:
            broken = commands.break_lock(ws, reason)
        click.echo(f"Lock broken: it was held by {broken.describe()}. `cutover month-end --period {period} --resume` "
                   f"or `--rollback` takes it now.")
        return
    if force != bool(reason and reason.strip()):
        raise click.UsageError("--force needs --reason \"...\" (recorded in the protocol), and --reason goes with --force")
    from cutover.monthend.steps import STEPS

    project = load_project(project_dir, target_url, accept_fall=accept_fall)
    progress = progress_for(sys.stderr, quiet)
    if not roll_back:  # shown as step n of the runbook's steps (a resumed run starts at its first step not done)
        progress.plan([PlannedStage((step.title,)) for step in STEPS])
    with _workspace(project, progress, existing=True) as ws:
        if roll_back:
            result = commands.month_end_rollback(ws, period)
        elif resume:
            result = commands.month_end_resume(ws, period, no_rollback=no_rollback)
        else:
            result = commands.month_end(ws, period, force_reason=reason.strip() if force else None,
                                        no_rollback=no_rollback)
    if roll_back:
        click.echo(f"{result.run_id} rolled_back" if quiet else render_rollback(result))
        return
    click.echo(render_month_end(result, quiet))
    sys.exit(EXIT_OK if result.status == RunStatus.SWITCHED else EXIT_GATE_FAILED)


@cli.command("status", epilog="Example: cutover status; cutover status --json")
@click.option("--target", "target_url", help="Target database URL (default: the project's).")
@JSON
@click.pass_obj
def status_command(project_dir: Path, target_url: str | None, as_json: bool) -> None:
    """The month-end's steps, their state and timings, and who holds the lock."""
    from cutover.monthend.console import render_status

    with _workspace(load_project(project_dir, target_url), existing=True) as ws:
        found = commands.status(ws)
    click.echo(_json(found) if as_json else render_status(found))


@cli.command("init", epilog="Examples: cutover init vodokanal --source-dir /data/export; cutover init --example")
@click.argument("system", required=False)
@click.option("--source-dir", type=click.Path(file_okay=False, path_type=Path),
              help="The legacy extract: its files, sheets, DBF tables and SQLite tables become the mapping's sources.")
@click.option("--example", is_flag=True, help="Copy the bundled sample project (mapping and data) to dry-run it.")
@click.option("--project", "init_dir", type=click.Path(file_okay=False, path_type=Path),
              help="The folder to write into (default: the group's --project, the current folder).")
@click.pass_obj
def init_command(project_dir: Path, system: str | None, source_dir: Path | None, example: bool,
                 init_dir: Path | None) -> None:
    """Start a project: cutover.toml and mappings/SYSTEM/ from the sources, every choice a TODO; or --example."""
    from cutover import scaffold

    folder = init_dir or project_dir
    if example:
        if system or source_dir:
            raise click.UsageError("--example goes alone: give SYSTEM --source-dir DIR, or --example")
        scaffold.example(folder)
        click.echo(f"Wrote the sample project to {folder}: cutover.toml, mappings/{scaffold.EXAMPLE}/, "
                   f"sample_data/{scaffold.EXAMPLE}/. Next: `cutover dry-run`.")
        return
    if not (system and source_dir):
        raise click.UsageError("give SYSTEM --source-dir DIR (the legacy extract), or --example")
    made = scaffold.scaffold(system, source_dir, folder)
    click.echo(f"Wrote {len(made.written)} files to {folder}: cutover.toml, mappings/{system}/system.toml "
               f"({len(made.sources)} sources), mappings/{system}/entities/*.toml.")
    if made.skipped:
        click.echo(f"Not taken (not a format cutover reads): {', '.join(made.skipped)}")
    click.echo("Next: fill every TODO, then `cutover check`.")


@cli.command("demo", epilog="Examples: cutover demo; cutover demo --from-run 20261031-221502-dry-run-3f2a --seed 7; cutover demo --reset")
@click.option("--target", "target_url", help="The training database (default: demo.db in the project folder).")
@click.option("--from-run", "run_id", shell_complete=_complete_run_ids,
              help="Build from this dry run's data (the one the project's target holds), "
              "personal data replaced; default: the bundled sample.")
@click.option("--seed", default=1, show_default=True, help="Decides the replacements: the same seed, the same demo.")
@click.option("--reset", is_flag=True, help="Bring the training database back to how it was built (after a class).")
@quiet_option("Print only the one-line result.")
@click.pass_obj
def demo_command(project_dir: Path, target_url: str | None, run_id: str | None, seed: int, reset: bool,
                 quiet: bool) -> None:
    """A training database staff can practise on, with the next period open and no real person in it."""
    from cutover.demo.console import render_demo, render_reset
    from cutover.demo.sources import default_demo_url

    demo_url = target_url or default_demo_url(project_dir)
    if reset:
        if run_id:
            raise click.UsageError("--reset and --from-run exclude each other")
        click.echo(render_reset(demo_url, commands.demo_reset(demo_url), quiet))
        return
    progress = progress_for(sys.stderr, quiet)
    if run_id:
        with _workspace(load_project(project_dir), progress, existing=True) as ws:
            outcome = commands.demo_from_run(ws, run_id, demo_url, seed)
    else:
        try:
            outcome = commands.demo_from_sample(project_dir, demo_url, seed, progress)
        finally:
            progress.done()  # the sample's dry run has a workspace of its own, with this progress
    click.echo(render_demo(outcome.built, outcome.status, quiet))
    sys.exit(EXIT_OK if outcome.status in (None, RunStatus.RECONCILED) else EXIT_GATE_FAILED)


@cli.group("keymap")
def keymap_group() -> None:
    """The old-to-new account map for payment agents."""


@keymap_group.command("export", epilog="Examples: cutover keymap export; cutover keymap export --out /mnt/agents/keymap.csv")
@click.option("--format", "file_format", type=click.Choice(["csv", "xlsx"]), default=None,
              help="xlsx (the default: numbers stay text, leading zeros kept in Excel), or csv (';' and a UTF-8 BOM); "
                   "without it, the --out file's suffix decides.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: keymap.<format> in the reports folder).")
@click.option("--target", "target_url", help="Target database URL (default: the project's).")
@click.option("--agent", help="Write it in this payment agent's own layout (agents/<name>.toml in the project).")
@click.pass_obj
def keymap_export_command(project_dir: Path, file_format: str | None, out: Path | None, target_url: str | None,
                          agent: str | None) -> None:
    """Write every account's legacy number and new number (CSV or Excel)."""
    if agent is not None:
        from cutover.payments.cli import export_keymap_for_agent

        export_keymap_for_agent(project_dir, agent, out, target_url)
        return
    with _workspace(load_project(project_dir, target_url), existing=True) as ws:
        written = commands.keymap_export(ws, file_format, out)
    click.echo(f"{written.accounts} accounts written to {written.path}")


@cli.group("db")
def db_group() -> None:
    """Manage the target database schema."""


@db_group.command("upgrade")
@click.option("--target", "target_url", help="Target database URL (default: the project's).")
@click.option("--revision", default="head", show_default=True)
@click.pass_obj
def db_upgrade_command(project_dir: Path, target_url: str | None, revision: str) -> None:
    """Bring the target database to the schema revision (head by default)."""
    upgraded = commands.db_upgrade(target_url or load_project(project_dir).target_url, revision)
    click.echo(f"{upgraded.target} is at revision {upgraded.revision}")


def _revision_line(at: commands.SchemaRevision) -> str:
    if at.revision is None:
        return f"{at.target} has no cutover schema (the newest is {at.head}): `cutover db upgrade` sets it up"
    if at.at_head:
        return f"{at.target} is at revision {at.revision}, the newest"
    return f"{at.target} is at revision {at.revision}, not the newest {at.head}: `cutover db upgrade` brings it there"


@db_group.command("current", epilog="Example: cutover db current --target postgresql+psycopg://billing@db/billing")
@click.option("--target", "target_url", help="Target database URL (default: the project's).")
@click.pass_obj
def db_current_command(project_dir: Path, target_url: str | None) -> None:
    """Show the schema revision the target is at, and the newest one. Exit 1 when it is not the newest."""
    at = commands.db_current(target_url or load_project(project_dir).target_url)
    click.echo(_revision_line(at))
    sys.exit(EXIT_OK if at.at_head else EXIT_GATE_FAILED)


@db_group.command("check", epilog="Example: cutover db check")
@click.option("--target", "target_url", help="Target database URL (default: the project's).")
@click.pass_obj
def db_check_command(project_dir: Path, target_url: str | None) -> None:
    """Compare the target's tables with schemas/target.toml. Exit 1 when they differ."""
    target, differences = commands.db_check(target_url or load_project(project_dir).target_url)
    if not differences:
        click.echo(f"{target} matches the schema")
        return
    click.echo(f"{target} differs from the schema in {len(differences)} place(s):")
    for difference in differences:
        click.echo(f"  {difference}")
    sys.exit(EXIT_GATE_FAILED)


@db_group.command("downgrade", context_settings={"ignore_unknown_options": True},  # -1 is a revision, not an option
                  epilog="Examples: cutover db downgrade -1; cutover db downgrade base (drops every cutover table "
                         "and its data)")
@click.argument("revision")
@click.option("--target", "target_url", help="Target database URL (default: the project's).")
@click.pass_obj
def db_downgrade_command(project_dir: Path, revision: str, target_url: str | None) -> None:
    """Take the target's schema back to REVISION (-1: one step; base: no cutover tables at all)."""
    at = commands.db_downgrade(target_url or load_project(project_dir).target_url, revision)
    click.echo(f"{at.target} is at revision {at.revision or 'base'}")


# Commands that live beside their own library (each module imports only click up front).
from cutover.payments.cli import payments_group  # noqa: E402
from cutover.readings.cli import readings_group  # noqa: E402
from cutover.trace.cli import trace_command  # noqa: E402
from cutover.verify.cli import verify_command  # noqa: E402

for _command in (payments_group, readings_group, trace_command, verify_command):
    cli.add_command(_command)


def main() -> None:
    """Console script entry point: SIGTERM stops a command as Ctrl-C does (exit 143)."""
    signal.signal(signal.SIGTERM, _terminate)
    cli(prog_name="cutover")
