"""`cutover payments ...` and `cutover keymap export --agent`: parse the options, call the library, set the exit code.

Only click is imported up here: the command line must stay light (tests/test_light_imports.py).
The library is :mod:`cutover.payments.translate` (the registry, its footer, the placing of each
payment) and :mod:`cutover.payments.agent_keymap`; errors are the library's own
(:class:`cutover.errors.CutoverError`), turned into a message and exit code 2 by cutover/cli.py.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

EXIT_ALL_PLACED, EXIT_SOME_RETURNED = 0, 1  # 2 (refused) comes with the library's CutoverError


@click.group("payments")
def payments_group() -> None:
    """Payment agents' registries after the switch, translated by the key map."""


def _open(project_dir: Path, target_url: str | None):
    from cutover.config import load_project
    from cutover.target import db

    project = load_project(project_dir, target_url)
    engine = db.create_target_engine(project.target_url, existing=True)
    db.check_connection(engine)
    return project, engine


@payments_group.command("translate", epilog="Examples: cutover payments translate /mnt/in/sber-1103.txt --agent "
                                            "generic; cutover payments translate reg.txt --agent fixed_width "
                                            "--out /mnt/out --json")
@click.argument("registry", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--agent", required=True, help="The agent's layout: agents/<name>.toml in the project (or shipped).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the translated registry, the return registry and summary.json "
                   "(default: reports/payments/<time>-<registry name>/).")
@click.option("--target", "target_url", help="Target database URL (default: the project's).")
@click.option("--json", "as_json", is_flag=True, help="Print summary.json instead of the text summary.")
@click.pass_obj
def translate_command(project_dir: Path, registry: Path, agent: str, out_dir: Path | None, target_url: str | None,
                      as_json: bool) -> None:
    """Translate REGISTRY's legacy account numbers to the new ones; return what cannot be placed.

    The footer's count and sum are checked first, exactly: a mismatch refuses the registry.
    Exit 0: every payment translated; 1: some returned to the agent (the return registry); 2: refused.
    """
    from cutover.payments.layout import load_layout
    from cutover.payments.translate import translate_registry

    layout = load_layout(project_dir, agent)
    project, engine = _open(project_dir, target_url)
    try:
        out_dir = out_dir or project.reports_dir / "payments" / f"{dt.datetime.now():%Y%m%d-%H%M%S}-{registry.stem}"
        result = translate_registry(registry, layout, engine, project.target_url, project.reports_dir, out_dir)
    finally:
        engine.dispose()
    click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) if as_json else render(result))
    sys.exit(EXIT_SOME_RETURNED if result.returned.count else EXIT_ALL_PLACED)


def render(result) -> str:
    """The text summary of a translation (``result``: a :class:`cutover.payments.summary.Translation`)."""
    from cutover.money import kopecks_to_roubles_text as roubles

    when = "after the switch" if result.switched else f"rehearsal on dry run {result.run_id}"
    lines = [f"{result.registry.name} (agent {result.agent}, {when}): footer checked, "
             f"{result.footer.count} payment(s), {roubles(result.footer.kopecks)}",
             f"  in          {result.received.count:>6}  {roubles(result.received.kopecks):>18}",
             f"  translated  {result.translated.count:>6}  {roubles(result.translated.kopecks):>18}",
             f"  returned    {result.returned.count:>6}  {roubles(result.returned.kopecks):>18}"]
    for reason, totals in result.by_reason.items():
        lines.append(f"    {reason:<20} {totals.count:>6}  {roubles(totals.kopecks):>18}")
    if any(group.period or group.service for group in result.groups):
        lines.append("  by period and service (in / translated / returned):")
        for group in result.groups:
            lines.append(f"    {group.period or '-':<8} {group.service or '-':<6} "
                         f"{group.received.count:>5} {roubles(group.received.kopecks):>16} / "
                         f"{group.translated.count:>5} {roubles(group.translated.kopecks):>16} / "
                         f"{group.returned.count:>5} {roubles(group.returned.kopecks):>16}")
    for item in result.returns[:20]:
        lines.append(f"  returned: line {item.line}, payment {item.payment_id or '-'}, "
                     f"{roubles(item.kopecks)}: {item.reason}: {item.detail}")
    if len(result.returns) > 20:
        lines.append(f"  ... and {len(result.returns) - 20} more in {result.returned_file}")
    lines.append(f"translated registry: {result.translated_file}")
    if result.returned_file:
        lines.append(f"return registry: {result.returned_file}")
    lines.append(f"summary: {result.summary_file}")
    return "\n".join(lines)


def export_keymap_for_agent(project_dir: Path, agent: str, out: Path | None, target_url: str | None) -> None:
    """`cutover keymap export --agent NAME`: the key map in the agent's own layout."""
    from cutover.payments.agent_keymap import export_agent_keymap
    from cutover.payments.layout import load_layout

    layout = load_layout(project_dir, agent)
    project, engine = _open(project_dir, target_url)
    try:
        path = out or project.reports_dir / f"keymap-{layout.name}.txt"
        written = export_agent_keymap(engine, layout, path)
    finally:
        engine.dispose()
    click.echo(f"{written} accounts written to {path} (layout {layout.name})")
