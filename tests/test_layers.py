"""The packages stand on each other: no import runs up the layers of cutover/layers.py.

Every module's imports are read with ``ast``, at the top and inside functions (a lazy import
that runs up is a dependency all the same); imports under ``if TYPE_CHECKING:`` never run and
do not count. An arrow that runs up fails, named ``module -> imported (layer X may not import
layer Y)``, unless cutover/layers.py lists it in EXCEPTIONS, and an exception whose import is gone
fails too, so the list only shrinks.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import NamedTuple

import pytest

from cutover.layers import EXCEPTIONS, LAYERS, layer_index

PACKAGE = Path(__file__).resolve().parent.parent / "cutover"


class Arrow(NamedTuple):
    module: str
    imported: str
    line: int
    lazy: bool


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


MODULES = _modules()


def _resolved(name: str) -> str:
    """The deepest module of ``name`` there is (``cutover.target.db.frames`` -> ``cutover.target.db``)."""
    while name not in MODULES and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imported(module: str, node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:  # relative: from the importing module's package
        package = module.split(".") if MODULES[module].name == "__init__.py" else module.split(".")[:-1]
        base = ".".join(package[:len(package) - node.level + 1] + ([node.module] if node.module else []))
    else:
        base = node.module or ""
    return [f"{base}.{alias.name}" for alias in node.names]  # a name or a sub-module: _resolved decides


def arrows(module: str) -> list[Arrow]:
    """Every import of another cutover module that ``module`` makes, at any depth."""
    found = []

    def visit(node: ast.AST, lazy: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    visit(other, lazy)
                continue
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                for name in _imported(module, child):
                    target = _resolved(name)
                    if (target == "cutover" or target.startswith("cutover.")) and target != module:
                        found.append(Arrow(module, target, child.lineno, lazy))
            visit(child, lazy or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)))

    visit(ast.parse(MODULES[module].read_text(encoding="utf-8")), False)
    return list(dict.fromkeys(found))  # one arrow for ``from x import a, b``


def up_arrows() -> list[Arrow]:
    return [arrow for module in MODULES for arrow in arrows(module)
            if layer_index(arrow.imported) > layer_index(arrow.module)]


def test_every_package_is_given_a_layer():
    """A top-level module no layer names falls in base, the strictest place; a package must be placed."""
    packages = sorted(name for name, path in MODULES.items() if path.name == "__init__.py" and name != "cutover")
    named = {name for layer in LAYERS for name in layer.modules}
    assert not [name for name in packages if name not in named], "add these packages to LAYERS in cutover/layers.py"


def test_every_layer_names_modules_that_exist():
    missing = [name for layer in LAYERS for name in layer.modules if name not in MODULES]
    assert not missing, missing


def test_no_import_runs_up():
    broken = []
    for arrow in up_arrows():
        if (arrow.module, arrow.imported) in EXCEPTIONS:
            continue
        low, high = LAYERS[layer_index(arrow.module)].name, LAYERS[layer_index(arrow.imported)].name
        where = "inside a function, " if arrow.lazy else ""
        broken.append(f"{arrow.module} -> {arrow.imported} ({where}line {arrow.line}: "
                      f"layer {low} may not import layer {high})")
    assert not broken, "imports that run up the layers of cutover/layers.py:\n" + "\n".join(broken)


def test_every_exception_is_still_an_up_arrow():
    """An exception whose import was fixed goes from the list, so nobody can lean on it again."""
    still = {(arrow.module, arrow.imported) for arrow in up_arrows()}
    stale = sorted(set(EXCEPTIONS) - still)
    assert not stale, f"remove from EXCEPTIONS in cutover/layers.py (no longer an up-arrow): {stale}"


@pytest.mark.parametrize("source, expected", [
    ("from cutover.run.dry_run import dry_run", ["cutover.run.dry_run"]),
    ("from cutover.target import db, runs", ["cutover.target.db", "cutover.target.runs"]),
    ("from cutover.monthend import lock", ["cutover.monthend.lock"]),
    ("import cutover.report.data", ["cutover.report.data"]),
    ("from .errors import ConfigError", ["cutover.errors"]),
    ("def f():\n    from cutover.report.summary import ROW_LIMIT", ["cutover.report.summary"]),
    ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from cutover.cli import cli", []),
])
def test_the_reader_sees_every_kind_of_import(source, expected, tmp_path, monkeypatch):
    """The test itself cannot go blind: top-level, from-package, plain and lazy imports are seen."""
    monkeypatch.setitem(MODULES, "cutover.probe", tmp_path / "probe.py")
    (tmp_path / "probe.py").write_text(source, encoding="utf-8")
    assert [arrow.imported for arrow in arrows("cutover.probe")] == expected


def test_config_knows_the_pipelines_rule_codes():
    """cutover.toml's [rules] are checked against codes declared below the pipeline, so that reading
    the configuration loads no pandas: they must stay the codes the pipeline's rules have."""
    from cutover.pipeline.rules import RULES
    from cutover.schema.rules import RULE_CODES

    assert RULE_CODES == {rule.code for rules in RULES.values() for rule in rules}


def test_readme_shows_the_layers():
    """README.md ("How it fits together") shows the table as cutover/layers.py has it."""
    from cutover.layers import describe

    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    assert f"```\n{describe()}\n```" in readme, "README.md: paste the output of `python -m cutover.layers`"
