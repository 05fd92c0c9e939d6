"""The reference docs cannot fall behind the code: every transform and every rule code is documented.

Fast, no database: reads docs/mapping.md and docs/rules.md and compares them with the transform
registry, the domain rules and the rule codes written as string literals in the pipeline.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from cutover.mapping.apply.rejects import PARENT_REJECTED
from cutover.mapping.model import ENTITY_ORDER, MERGE_RULES, SOURCE_OPTIONS
from cutover.mapping.transforms import REGISTRY
from cutover.pipeline import rules as rules_module
from cutover.pipeline.rules import RULES
from cutover.schema.definition import target_schema

ROOT = Path(__file__).resolve().parent.parent
MAPPING_DOC = ROOT / "docs" / "mapping.md"
RULES_DOC = ROOT / "docs" / "rules.md"
# where the engine records rule codes: the check and load stage and applying a mapping
STAGES = (ROOT / "cutover" / "pipeline", ROOT / "cutover" / "mapping" / "apply")
RULE_CODE = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[A-Z]{4,}")


def _text(path: Path) -> str:
    assert path.is_file(), f"{path} is missing"
    return path.read_text(encoding="utf-8")


def _documented_codes() -> set[str]:
    """Every code written as `CODE` in docs/rules.md."""
    return set(re.findall(r"`([A-Z][A-Z0-9_]*)`", _text(RULES_DOC)))


def _literal_rule_codes(path: Path) -> set[str]:
    """Rule codes written as string literals in a module: ``rule="X"``, ``DomainRule("X", ...)``,
    ``f"ORPHAN_{...}"`` (kept as its constant prefix)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    codes: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        candidates = [k.value for k in node.keywords if k.arg in ("rule", "code")]
        if isinstance(node.func, ast.Name) and node.func.id == "DomainRule" and node.args:
            candidates.append(node.args[0])
        for value in candidates:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                codes.add(value.value)
            elif isinstance(value, ast.JoinedStr) and isinstance(value.values[0], ast.Constant):
                codes.add(value.values[0].value)  # "ORPHAN_" of f"ORPHAN_{entity.upper()}"
    return codes


def _domain_rule_codes_in_source() -> set[str]:
    """The first string argument of every DomainRule(...) in cutover/pipeline/rules.py."""
    return {c for c in _literal_rule_codes(Path(rules_module.__file__)) if RULE_CODE.fullmatch(c)}


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_transform_is_in_mapping_doc(name):
    assert f"`{name}`" in _text(MAPPING_DOC), f"transform {name!r} is not documented in docs/mapping.md"


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_transform_has_a_table_row(name):
    rows = [line for line in _text(MAPPING_DOC).splitlines() if line.startswith(f"| `{name}` |")]
    assert rows, f"docs/mapping.md has no transform table row for {name!r}"
    assert REGISTRY[name].rule in rows[0], f"the row of {name!r} does not name its rule {REGISTRY[name].rule}"


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_transform_row_gives_its_kinds(name):
    """The kind column says what the loader's kind check (takes/gives) enforces."""
    row = next(line for line in _text(MAPPING_DOC).splitlines() if line.startswith(f"| `{name}` |"))
    kinds = f"| {REGISTRY[name].takes} -> {REGISTRY[name].gives} |"
    assert kinds in row, f"the row of {name!r} does not say {kinds!r}"


@pytest.mark.parametrize("value", MERGE_RULES)
def test_every_merge_rule_is_in_mapping_doc(value):
    assert f'merge = "{value}"' in _text(MAPPING_DOC), f"merge = {value!r} is not documented in docs/mapping.md"


_TYPE_NAMES = {str: "string", int: "integer", bool: "boolean", list: "list of strings"}


@pytest.mark.parametrize("fmt, option", [(f, o) for f, options in SOURCE_OPTIONS.items() for o in sorted(options)])
def test_every_source_option_has_a_table_row(fmt, option):
    rows = [line for line in _text(MAPPING_DOC).splitlines() if line.startswith(f"| `{option}` |")]
    assert rows, f"docs/mapping.md has no table row for the {fmt} source option {option!r}"
    kind = _TYPE_NAMES[SOURCE_OPTIONS[fmt][option]]
    assert rows[0].startswith(f"| `{option}` | {kind} |"), f"the row of {option!r} does not give its type {kind}"


def test_repeating_domain_rules_are_documented():
    text = _text(RULES_DOC)
    for rule in (r for rules in RULES.values() for r in rules if r.repeat):
        assert f"### {rule.code}\n" in text, f"docs/rules.md has no section for {rule.code}"
        section = text.split(f"### {rule.code}\n", 1)[1].split("\n### ", 1)[0]
        assert "repeat" in section, f"docs/rules.md does not say that {rule.code} repeats"


@pytest.mark.parametrize("code", sorted({t.rule for t in REGISTRY.values()}))
def test_every_transform_rule_is_in_rules_doc(code):
    assert code in _documented_codes(), f"transform rule {code} is not documented in docs/rules.md"


def test_domain_rules_found_in_source():
    """The literal scan sees exactly the codes of RULES (so the scan itself cannot go blind)."""
    registered = {rule.code for rules in RULES.values() for rule in rules}
    assert registered
    assert _domain_rule_codes_in_source() == registered


@pytest.mark.parametrize("code", sorted({r.code for rules in RULES.values() for r in rules}))
def test_every_domain_rule_is_in_rules_doc(code):
    assert code in _documented_codes(), f"domain rule {code} is not documented in docs/rules.md"


def test_domain_rule_severity_is_documented():
    text = _text(RULES_DOC)
    for entity, rules in RULES.items():
        for rule in rules:
            row = next((line for line in text.splitlines() if line.startswith(f"| `{rule.code}` |")), None)
            assert row is not None, f"docs/rules.md has no table row for {rule.code}"
            assert f"| {rule.severity} |" in row, f"{rule.code} is a {rule.severity}; docs/rules.md says {row!r}"
            assert entity in row, f"{rule.code} belongs to {entity}; docs/rules.md says {row!r}"


def test_engine_rule_codes_are_in_rules_doc():
    """REQUIRED, DUPLICATE_KEY, PARENT_REJECTED, TARGET_SCHEMA and every other literal rule code
    the pipeline records (ORPHAN_ as ORPHAN_<ENTITY>)."""
    documented = _documented_codes()
    text = _text(RULES_DOC)
    literals = set().union(*(_literal_rule_codes(path) for stage in STAGES for path in sorted(stage.glob("*.py"))))
    assert {"REQUIRED", "DUPLICATE_KEY", "TARGET_SCHEMA"} <= literals, literals
    missing = []
    for code in sorted(literals):
        if code.endswith("_"):
            if f"`{code}<ENTITY>`" not in text and f"`{code}&lt;ENTITY&gt;`" not in text:
                missing.append(f"{code}<ENTITY>")
        elif code not in documented:
            missing.append(code)
    assert PARENT_REJECTED in documented
    assert not missing, f"rule codes not documented in docs/rules.md: {missing}"


def _entities_with_references() -> list[str]:
    schema = target_schema()
    return [e for e in ENTITY_ORDER if any(c.type == "ref" for c in schema.table(e).columns)]


@pytest.mark.parametrize("entity", _entities_with_references())
def test_orphan_codes_of_entities_with_references(entity):
    """Entities whose target table has references can record ORPHAN_<ENTITY>; each is spelt out."""
    assert f"ORPHAN_{entity.upper()}" in _documented_codes()


def _cookbook_blocks() -> list[str]:
    text = _text(MAPPING_DOC)
    section = text.split("## Cookbook: what real legacy layouts need", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```toml\n(.*?)```", section, flags=re.DOTALL)


def test_the_cookbook_has_a_recipe_per_construct():
    assert len(_cookbook_blocks()) >= 12


@pytest.mark.parametrize("number", range(len(_cookbook_blocks())))
def test_every_cookbook_block_is_toml_whose_transforms_the_engine_takes(number, tmp_path):
    import tomllib

    from cutover.mapping.model import _step

    document = tomllib.loads(_cookbook_blocks()[number])
    for index, column in enumerate(document.get("columns", [])):
        for step in column.get("transforms", []):
            _step(f"columns[{index}]", step, tmp_path)  # raises MappingError naming what is wrong
