"""``cutover profile``: what a legacy extract holds, before anything is mapped or loaded.

Every source in the mapping's system.toml is read once, chunk by chunk, through its
extractor. Each column gets a :class:`~cutover.analysis.columns.ColumnProfile` (blanks,
distinct and top values, shapes, numeric range, look-alike letters, misdecoded text), and
the keys and references the mapping defines are checked across sources (duplicate legacy
keys, orphans). The findings come out worst first; the reports are written by
:func:`write_profile_reports`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from cutover.analysis.columns import ColumnProfile, ColumnProfiler
from cutover.analysis.findings import (
    SEVERITIES,
    Finding,
    column_findings,
    sort_findings,
    unused_columns_finding,
)
from cutover.analysis.keys import KeyChecks
from cutover.analysis.text import single_byte_encoding
from cutover.analysis.usage import ColumnUse, column_uses, entity_sources
from cutover.config import Project
from cutover.errors import ExtractError
from cutover.extract import REGISTRY
from cutover.hints import did_you_mean
from cutover.mapping.model import SourceSpec, SystemMapping
from cutover.progress import Progress
from cutover.target.runs import new_run_id
from cutover.workspace import Workspace, open_workspace


@dataclass(frozen=True)
class SourceProfile:
    """One legacy source: where it is, how many rows, and the profile of each column."""

    name: str
    format: str
    location: str  # what rejects call it: "abonent.csv", "table lic_schet"
    rows: int
    columns: tuple[ColumnProfile, ...]
    entities: tuple[str, ...]  # the entities the mapping builds from it (or joins it into)
    error: str | None = None  # why it could not be read (to the end); the profile covers the rows before

    def column(self, name: str) -> ColumnProfile | None:
        return next((c for c in self.columns if c.name == name), None)

    def to_dict(self) -> dict:
        return {"name": self.name, "format": self.format, "location": self.location, "rows": self.rows,
                "entities": list(self.entities), "error": self.error,
                "columns": [c.to_dict() for c in self.columns]}


@dataclass(frozen=True)
class ProfileResult:
    """The profile of a whole extract and its findings, worst first."""

    run_id: str
    report_dir: Path
    mapping: str
    source_dir: Path
    sources: list[SourceProfile] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def source(self, name: str) -> SourceProfile | None:
        return next((s for s in self.sources if s.name == name), None)

    @property
    def counts(self) -> dict[str, int]:
        """Findings per severity: ``{"error": 3, "warning": 5, "info": 7}``."""
        found = Counter(f.severity for f in self.findings)
        return {severity: found[severity] for severity in SEVERITIES}

    def to_dict(self) -> dict:
        return {"run_id": self.run_id, "kind": "profile", "report_dir": str(self.report_dir),
                "mapping": self.mapping, "source_dir": str(self.source_dir), "counts": self.counts,
                "sources": [s.to_dict() for s in self.sources], "findings": [f.to_dict() for f in self.findings]}


def _readers(mapping: SystemMapping) -> dict[str, tuple[str, ...]]:
    """Source name -> the entities that read it, directly or through a join."""
    readers: dict[str, list[str]] = {name: [] for name in mapping.sources}
    for entity in mapping.entities:
        for source in entity_sources(entity) + tuple(j.source for j in getattr(entity, "joins", ())):
            if entity.entity not in readers[source]:
                readers[source].append(entity.entity)
    return {name: tuple(entities) for name, entities in readers.items()}


def _profile_source(project: Project, spec: SourceSpec, keys: KeyChecks, uses: dict[tuple[str, str], ColumnUse],
                    entities: tuple[str, ...], progress: Progress) -> SourceProfile:
    """Read one source to the end (or to the first error) and profile its columns."""
    extractor = REGISTRY[spec.format]
    encoding = single_byte_encoding(spec.options)
    profilers: dict[str, ColumnProfiler] = {}
    rows, error, location = 0, None, spec.name
    try:
        location = extractor.describe(spec.options, project.source_dir)
        for column in extractor.header(spec.options, project.source_dir):
            profilers[column] = ColumnProfiler(column, encoding)
        for chunk in extractor.read(spec.options, project.source_dir, set(), project.chunk_rows):
            for column in chunk.columns[1:]:  # the first is _row, where a person finds the row
                profilers.setdefault(column, ColumnProfiler(column, encoding)).add(chunk[column])
            keys.add(spec.name, chunk)
            rows += len(chunk)
            progress.advance(len(chunk))
    except ExtractError as exc:
        error = str(exc)
    columns = tuple(p.result(tuple(uses[(spec.name, name)].uses) if (spec.name, name) in uses else ())
                    for name, p in profilers.items())
    return SourceProfile(spec.name, spec.format, location, rows, columns, entities, error)


def _source_findings(source: SourceProfile, uses: dict[tuple[str, str], ColumnUse]) -> list[Finding]:
    found: list[Finding] = []
    if source.error is not None:
        found.append(Finding("error", "UNREADABLE", source.name, "",
                             f"{source.error} (the profile covers the {source.rows} row(s) read before)", 1))
    present = {column.name for column in source.columns}
    for (name, column), use in uses.items():
        if name == source.name and present and column not in present:
            found.append(Finding("error", "MISSING_COLUMN", source.name, column,
                                 f"the mapping reads column {column!r} ({', '.join(use.uses)}), which "
                                 f"{source.location} does not have; it has {sorted(present)}"
                                 + did_you_mean([column], present), 1))
    for column in source.columns:
        found.extend(column_findings(source.name, column, uses.get((source.name, column.name))))
    unused = unused_columns_finding(source.name, [c.name for c in source.columns if (source.name, c.name) not in uses])
    if unused is not None and source.entities:
        found.append(unused)
    if not source.entities:
        found.append(Finding("info", "UNUSED_SOURCE", source.name, "", "no entity of the mapping reads this source", 0))
    return found


def profile_project(project: Project, progress: Progress | None = None) -> ProfileResult:
    """Profile every source of the project's mapping and check its keys across sources.

    Parameters
    ----------
    project : Project
        The project (its mapping, source folder, reports folder and chunk size).
    progress : Progress, optional
        Told the source being read and the rows done; silent by default.

    Returns
    -------
    ProfileResult
        Per-source column profiles and the findings, worst first. Nothing is written;
        :func:`write_profile_reports` writes the workbook and the HTML page.

    Raises
    ------
    MappingError
        The mapping cannot be loaded. A source that cannot be read is a finding, not an error.
    """
    with open_workspace(project, progress) as ws:
        return profile_in(ws)


def profile_in(ws: Workspace) -> ProfileResult:
    """Profile the workspace's legacy sources (see :func:`profile_project`)."""
    project, progress, mapping = ws.project, ws.progress, ws.mapping
    run_id = new_run_id("profile")
    uses = column_uses(mapping)
    readers = _readers(mapping)
    keys = KeyChecks(mapping)
    sources = []
    for name, spec in mapping.sources.items():
        progress.stage(f"profile {name}")
        sources.append(_profile_source(project, spec, keys, uses, readers[name], progress))
    findings = [f for source in sources for f in _source_findings(source, uses)]
    findings += keys.findings({s.name for s in sources if s.error is not None})
    return ProfileResult(run_id, project.reports_dir / run_id, mapping.name, project.source_dir, sources,
                         sort_findings(findings))


def write_profile_reports(result: ProfileResult) -> tuple[Path, Path]:
    """Write ``profile.xlsx`` and ``profile.html`` into the run's report folder; return their paths."""
    from cutover.report.profile_html import write_profile_html
    from cutover.report.profile_workbook import write_profile_workbook

    result.report_dir.mkdir(parents=True, exist_ok=True)
    workbook, page = result.report_dir / "profile.xlsx", result.report_dir / "profile.html"
    write_profile_workbook(workbook, result)
    write_profile_html(page, result)
    return workbook, page
