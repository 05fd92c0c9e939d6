"""What `cutover demo` prints."""

from __future__ import annotations

from cutover.demo.build import DemoBuilt


def render_demo(built: DemoBuilt, sample_status: str | None, quiet: bool = False) -> str:
    if quiet:
        return f"{built.target} demo {'clean' if built.privacy.clean else 'NOT clean'}"
    rows = built.rows
    lines = [f"Training database {built.target}: built from {built.source} (seed {built.seed}).",
             f"  {rows['account']} accounts, {rows['person']} persons, {rows['premise']} premises, {rows['meter']} "
             f"meters, {rows['reading']} readings, {rows['balance']} balances",
             f"  {built.period} closed; {built.opened} open for practice: {rows['opening_balances']} opening "
             f"balances, {rows['base_readings']} base readings"]
    if sample_status is not None:
        lines.append(f"  the sample's dry run through the real pipeline: {sample_status}")
    lines.append(f"Privacy check: {built.privacy.describe()}: "
                 + ("no real person's full name, full address or account number." if built.privacy.clean else "FAILED"))
    lines.append("After a class: cutover demo --reset" + ("" if built.target.endswith("demo.db") else
                                                           f" --target {built.target}"))
    return "\n".join(lines)


def render_reset(target: str, restored: dict[str, int], quiet: bool = False) -> str:
    if quiet:
        return "reset"
    return ("Training database reset to how it was built: "
            + ", ".join(f"{name} {rows}" for name, rows in restored.items() if name != "key_map"))
