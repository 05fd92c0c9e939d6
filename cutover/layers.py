"""Which parts of cutover may import which: the layers, bottom first, written once as data.

A module may import its own layer and every layer below it, never one above. Each layer names
the packages and modules in it (a package holds its sub-modules unless one of them is named in
another layer). ``tests/test_layers.py`` reads every module's imports, at the top and inside
functions, and fails naming each arrow that runs up and is not in :data:`EXCEPTIONS`. The table
is printed in README.md ("How it fits together"); ``python -m cutover.layers`` prints it too.

Imports under ``if TYPE_CHECKING:`` are for annotations only, never run, and do not count.
"""

from __future__ import annotations

from typing import NamedTuple


class Layer(NamedTuple):
    """One layer: its name, the modules and packages in it, and what it is for."""

    name: str
    modules: tuple[str, ...]
    holds: str


LAYERS: tuple[Layer, ...] = (
    # "cutover" puts every top-level module no layer above names in base, the strictest place:
    # a new module may import only base until it is given a higher layer here.
    Layer("base", ("cutover.errors", "cutover.resources", "cutover.money", "cutover.decimals", "cutover.progress",
                   "cutover.periods",
                   "cutover.layers", "cutover"),
          ""),
    Layer("schema", ("cutover.schema",), "the target schema, defined once; the domain rules' codes"),
    Layer("results", ("cutover.results",), "a reconciliation's result as data, its row formats, its staged files"),
    Layer("frames", ("cutover.frames",), "spill files and key indexes: rows kept on disk, not in Python"),
    Layer("target", ("cutover.target",),
          "engine, schema at head, bulk insert, journal, exclusion, saved copies, opening, key map"),
    Layer("extract", ("cutover.extract",), "extractors: legacy sources to frames of text"),
    Layer("mapping", ("cutover.mapping",), "the mapping format and its transforms"),
    Layer("snapshot", ("cutover.extract.snapshot",), "a run's copy of the sources, read by their mapping"),
    Layer("apply", ("cutover.mapping.apply",), "applying a mapping: shape, map, source checks, rejects"),
    Layer("config", ("cutover.config", "cutover.declared", "cutover.workspace"),
          "the project: cutover.toml; one command's workspace"),
    Layer("pipeline", ("cutover.pipeline",), "the check and load stage: rules, references, units, load"),
    Layer("control", ("cutover.control",), "control totals read from the raw source"),
    Layer("reconcile", ("cutover.reconcile",), "source against target; what changed since the last run"),
    Layer("report", ("cutover.report",), "what a run's reports show, and their renderings"),
    Layer("analysis", ("cutover.analysis", "cutover.scaffold"), "`cutover check`, `cutover profile`, `cutover init`"),
    Layer("trace", ("cutover.trace",), "`cutover trace`: one legacy account's way through the recent runs"),
    Layer("run", ("cutover.run",),
          "dry run, reconcile: the one place that orders the stages"),
    Layer("monthend", ("cutover.monthend",), "the month-end switch"),
    Layer("payments", ("cutover.payments",), "after the switch: payment agents' registries by the key map"),
    Layer("demo", ("cutover.demo",), "the training database"),
    Layer("after", ("cutover.verify", "cutover.readings"), "after the switch: the nightly verify, late readings"),
    Layer("commands", ("cutover.commands",), "one function per command, taking the workspace"),
    Layer("cli", ("cutover.cli", "cutover.__main__"), "the command line"),
)

# Arrows that run up and stay for now: (importing module, imported module) -> why, and what
# would end it. A stale entry (the import is gone) fails the test too, so the list only shrinks.
EXCEPTIONS: dict[tuple[str, str], str] = {}


def layer_index(module: str) -> int:
    """The position (0 = bottom) of the layer holding ``module``: the longest name that matches.

    Raises
    ------
    KeyError
        No layer holds the module: add it to :data:`LAYERS`.
    """
    best, found = -1, None
    for index, layer in enumerate(LAYERS):
        for name in layer.modules:
            if (module == name or module.startswith(name + ".")) and len(name) > best:
                best, found = len(name), index
    if found is None:
        raise KeyError(f"{module} is in no layer of cutover/layers.py")
    return found


def layer_of(module: str) -> Layer:
    """The layer holding ``module``."""
    return LAYERS[layer_index(module)]


def describe() -> str:
    """The table, top first, as README.md shows it: each layer may import the ones below it."""
    from pathlib import Path

    here = Path(__file__).parent

    def shown(name: str) -> str:
        if name == "cutover":
            return "any other top-level module"
        short = name.removeprefix("cutover.").replace(".", "/")
        return short + "/" if (here / short).is_dir() else short

    rows = [(layer.name, ", ".join(shown(name) for name in layer.modules), layer.holds) for layer in reversed(LAYERS)]
    width = max(len(modules) for name, modules, _ in rows if name != "base")
    return "\n".join(f"{name:<10} {modules:<{width}}  {holds}".rstrip() for name, modules, holds in rows)


if __name__ == "__main__":
    print(describe())
