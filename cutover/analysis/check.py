"""``cutover check``: is the configuration valid, does the data have what the mapping reads,
and does every legacy code in the data have a mapping?

A mistake in cutover.toml or a mapping file raises (exit code 2). Everything else is
collected so one run shows every problem: a source that cannot be opened or lacks a column
the mapping reads (exit 2), legacy codes in the data that a dictionary does not map, with how
many rows carry each, and values that break the system's source rules (source_rules.toml),
with how many rows and the first of them (exit 1).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from cutover.config import Project
from cutover.errors import EXIT_BAD_INPUT, EXIT_GATE_FAILED, EXIT_OK, ExtractError
from cutover.extract import REGISTRY as EXTRACTORS
from cutover.mapping.model import ColumnRule, EntityMapping, SystemMapping, load_mapping
from cutover.mapping.transforms import REGISTRY as TRANSFORMS
from cutover.pipeline.extract_stage import ExtractResult, extract_sources, needed_columns
from cutover.pipeline.shape import shape_rows
from cutover.pipeline.source_checks import check_sources
from cutover.progress import Progress


@dataclass(frozen=True)
class UnmappedCode:
    """A legacy code in the data that a dictionary of the mapping does not have."""

    entity: str
    where: str  # "entities/service.toml: columns[0]"
    column: str  # the source column(s)
    dictionary: str
    code: str
    rows: int


@dataclass(frozen=True)
class SourceRuleBreach:
    """Values of one source column that break one source rule: how many rows, and the first."""

    source: str  # where the source is (abonent.csv)
    column: str
    rule: str  # SOURCE_PATTERN ...
    rows: int
    first_row: int
    first_value: str
    message: str  # of the first


@dataclass(frozen=True)
class CheckResult:
    """What ``cutover check`` found."""

    mapping: str
    sources: dict[str, str]  # source name -> where it is
    problems: list[str] = field(default_factory=list)  # sources that cannot be read as the mapping needs
    unmapped: list[UnmappedCode] = field(default_factory=list)
    source_rules: list[SourceRuleBreach] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        if self.problems:
            return EXIT_BAD_INPUT
        return EXIT_GATE_FAILED if self.unmapped or self.source_rules else EXIT_OK

    def to_dict(self) -> dict:
        return {"mapping": self.mapping, "sources": self.sources, "problems": self.problems,
                "unmapped": [vars(code) for code in self.unmapped],
                "source_rules": [vars(breach) for breach in self.source_rules]}


def _source_problems(mapping: SystemMapping, project: Project) -> list[str]:
    problems = []
    for name, columns in needed_columns(mapping).items():
        spec = mapping.sources[name]
        extractor = EXTRACTORS[spec.format]
        try:
            header = extractor.header(spec.options, project.source_dir)
        except ExtractError as exc:
            problems.append(str(exc))
            continue
        missing = sorted(columns - set(header))
        if missing:
            where = extractor.describe(spec.options, project.source_dir)
            problems.append(f"{where} (source {name}): no column(s) {missing} that the mapping reads; it has {header}")
    return problems


def _unmapped_codes(entity: EntityMapping, rule: ColumnRule, rows: pd.DataFrame) -> list[UnmappedCode]:
    """Run a column's transforms up to each dictionary and count the codes it does not know."""
    values = rows[rule.inputs[0]]
    found = []
    for step in rule.steps:
        transform = TRANSFORMS[step.name]
        result = transform.function(values, **step.params)
        if step.name == "dictionary":
            unknown = values[result.errors.notna()].astype("str").str.strip()
            for code, count in unknown.value_counts().sort_index().items():
                found.append(UnmappedCode(entity.entity, rule.where,
                                          rule.source, step.params["name"], code, int(count)))
        values = result.values
    return found


def _coverage(mapping: SystemMapping, extracted: ExtractResult) -> list[UnmappedCode]:
    unmapped = []
    for entity in mapping.entities:
        rules = [r for r in entity.columns if len(r.inputs) == 1 and any(s.name == "dictionary" for s in r.steps)]
        if not rules:
            continue
        rows = shape_rows(entity, extracted).frame
        for rule in rules:
            unmapped += _unmapped_codes(entity, rule, rows)
    return unmapped


def check_project(project: Project, progress: Progress | None = None) -> CheckResult:
    """Check the project's mapping against its data.

    Raises
    ------
    MappingError, ConfigError
        An invalid mapping or configuration (exit code 2).
    """
    progress = progress or Progress()
    mapping = load_mapping(project.mapping_dir)
    sources = {name: EXTRACTORS[spec.format].describe(spec.options, project.source_dir)
               for name, spec in mapping.sources.items()}
    problems = _source_problems(mapping, project)
    if problems:
        return CheckResult(mapping.name, sources, problems)
    extracted = extract_sources(mapping, project.source_dir, None, project.chunk_rows, progress)
    return CheckResult(mapping.name, sources, [], _coverage(mapping, extracted), _source_rules(mapping, extracted))


def _source_rules(mapping: SystemMapping, extracted: ExtractResult) -> list[SourceRuleBreach]:
    """The values that break source rules, grouped by source, column and rule, in the rules' order."""
    failures = check_sources(mapping, extracted).frame
    breaches = []
    for (source, column, rule), group in failures.groupby(["_source", "column", "rule"], sort=False):
        first = group.iloc[0]
        breaches.append(SourceRuleBreach(source, column, rule, len(group), int(first["_row"]), str(first["raw"]),
                                         str(first["message"])))
    return breaches
