"""``cutover check``: is the configuration valid, does the data have what the mapping reads,
and does every legacy code in the data have a mapping?

A mistake in cutover.toml or a mapping file raises (exit code 2). Everything else is
collected so one run shows every problem: a source that cannot be opened or lacks a column
the mapping reads, a source with no records, an extract with no balances of the project's
period (exit 2); legacy codes in the data that a dictionary does not map, with how many rows
carry each, values that break the system's source rules (source_rules.toml), with how many
rows and the first of them, and money or numbers the mapping's transforms reject that the
control reader reads, with examples and the setting that would read them (exit 1). It prints
the control totals of the balances per month and legacy service, read from the raw source,
to compare with the legacy system's turnover statement before the first dry run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from cutover.analysis.readings import ReadingWarning, reading_warnings
from cutover.config import Project
from cutover.control.plan import control_plan
from cutover.control.totals import ControlTotals, read_control
from cutover.errors import EXIT_BAD_INPUT, EXIT_GATE_FAILED, EXIT_OK, ExtractError
from cutover.extract import REGISTRY as EXTRACTORS
from cutover.extract.snapshot import ExtractResult, extract_sources, needed_columns
from cutover.hints import did_you_mean
from cutover.mapping.apply.shape import shape_rows
from cutover.mapping.apply.source_checks import check_sources
from cutover.mapping.model import ColumnRule, EntityMapping, SystemMapping
from cutover.mapping.transforms import REGISTRY as TRANSFORMS
from cutover.progress import Progress
from cutover.workspace import Workspace, open_workspace


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
    readings: list[ReadingWarning] = field(default_factory=list)  # values only the control reader reads
    control: ControlTotals | None = None  # the balances' control totals, read from the raw source
    period: str = ""
    accepted_unreadable: int = 0  # [gates] accept_unreadable_rows

    @property
    def unreadable_blocking(self) -> bool:
        """Money nobody can read, more rows of it than the project accepts."""
        return self.control is not None and self.control.unreadable_rows > self.accepted_unreadable

    @property
    def exit_code(self) -> int:
        if self.problems:
            return EXIT_BAD_INPUT
        found = self.unmapped or self.source_rules or self.readings or self.unreadable_blocking
        return EXIT_GATE_FAILED if found else EXIT_OK

    def to_dict(self) -> dict:
        return {"mapping": self.mapping, "sources": self.sources, "problems": self.problems,
                "unmapped": [vars(code) for code in self.unmapped],
                "source_rules": [vars(breach) for breach in self.source_rules],
                "readings": [vars(warning) for warning in self.readings]}


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
            # A file holding none of them may be no source at all: nothing of its content is shown.
            has = f"it has {header}" if len(missing) < len(columns) else "it has none of them: is it the right file?"
            problems.append(f"{where} (source {name}): no column(s) {missing} that the mapping reads; {has}"
                            + did_you_mean(missing, header))
    return list(dict.fromkeys(problems))  # a missing source folder is one problem, not one per source


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


def _coverage(mapping: SystemMapping, extracted: ExtractResult) -> tuple[list[UnmappedCode], list[ReadingWarning]]:
    """Legacy codes no dictionary maps, and number values only the control reader reads."""
    unmapped, readings = [], []
    for entity in mapping.entities:
        rows = shape_rows(entity, extracted).frame
        rules = [r for r in entity.columns if len(r.inputs) == 1 and any(s.name == "dictionary" for s in r.steps)]
        for rule in rules:
            unmapped += _unmapped_codes(entity, rule, rows)
        readings += reading_warnings(entity, rows)
    return unmapped, readings


def _control(mapping: SystemMapping, extracted: ExtractResult, project: Project) -> tuple[ControlTotals | None,
                                                                                        list[str]]:
    """The balances' control totals, and what makes a dry run of them pointless: an entity with
    no rows, no balances of the project's period."""
    problems = [f"{entity.entity}: {' + '.join(extracted.sources[s].location for s in entity.sources)} holds no "
                f"records, so the mapping of {entity.entity} has nothing to map"
                for entity in mapping.entities if not sum(extracted.sources[s].row_count for s in entity.sources)]
    plan = control_plan(mapping)
    if plan is None:
        return None, problems
    totals = read_control(plan, extracted, None, project.chunk_rows)
    if not totals.rows_of(project.period) and not problems:
        problems.append(f"the extract holds no balances of {project.period} ([project] period in cutover.toml): "
                        f"{totals.coverage()}")
    return totals, problems


def check_project(project: Project, progress: Progress | None = None) -> CheckResult:
    """Check the project's mapping against its data (:func:`check_in`, in a workspace of its own)."""
    with open_workspace(project, progress) as ws:
        return check_in(ws)


def check_in(ws: Workspace) -> CheckResult:
    """Check the workspace's mapping against its data.

    Raises
    ------
    MappingError, ConfigError
        An invalid mapping or configuration (exit code 2).
    """
    project, progress, mapping = ws.project, ws.progress, ws.mapping
    sources = {name: EXTRACTORS[spec.format].describe(spec.options, project.source_dir)
               for name, spec in mapping.sources.items()}
    problems = _source_problems(mapping, project)
    if problems:
        return CheckResult(mapping.name, sources, problems)
    extracted = extract_sources(mapping, project.source_dir, None, project.chunk_rows, progress)
    control, problems = _control(mapping, extracted, project)
    unmapped, readings = _coverage(mapping, extracted)
    return CheckResult(mapping.name, sources, problems, unmapped, _source_rules(mapping, extracted), readings,
                       control, project.period, project.gates.accept_unreadable_rows)


def _source_rules(mapping: SystemMapping, extracted: ExtractResult) -> list[SourceRuleBreach]:
    """The values that break source rules, grouped by source, column and rule, in the rules' order."""
    failures = check_sources(mapping, extracted).frame
    breaches = []
    for (source, column, rule), group in failures.groupby(["_source", "column", "rule"], sort=False):
        first = group.iloc[0]
        breaches.append(SourceRuleBreach(source, column, rule, len(group), int(first["_row"]), str(first["raw"]),
                                         str(first["message"])))
    return breaches
