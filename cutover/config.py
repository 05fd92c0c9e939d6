"""The project: ``cutover.toml`` in the project folder, overridden by the environment.

Precedence for the target database: ``--target`` > ``CUTOVER_TARGET_URL`` >
``[target] url`` in cutover.toml > ``sqlite:///cutover.db`` in the project folder.
URLs may reference environment variables (``${PGPASSWORD}``) so no password sits in a file.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from cutover.declared import DeclaredSource, parse_declared
from cutover.errors import ConfigError
from cutover.folders import SourceFolder
from cutover.resources import resource_dir
from cutover.schema.definition import target_schema
from cutover.schema.rules import RULE_CODES

CONFIG_FILE = "cutover.toml"
DEFAULT_CHUNK_ROWS = 50_000
DEFAULT_PARTITION_ROWS = 250_000  # rows of one entity checked and loaded together
DEFAULT_KEEP_REJECTS = 14  # dry runs whose rejects the target keeps (a fortnight of nights)
# Rejects (and warnings) a run's Rejects sheet lists in full; above it they go to rejects.csv and
# rejects.parquet beside report.xlsx, and the sheet keeps the first rows of each rule.
DEFAULT_REJECTS_IN_WORKBOOK = 10_000
# Processes that map an entity's batches side by side (cutover/run/workers.py): every core, up to 4;
# 1 maps in the run's own process.
DEFAULT_WORKERS = max(1, min(os.cpu_count() or 1, 4))
# The language of report.xlsx and protocol.xlsx: Russian for the accountants who sign the switch.
REPORT_LANGUAGES = ("ru", "en")
_SECTIONS = {
    "project": {"mapping", "source_dir", "period", "reports_dir", "chunk_rows", "partition_rows", "keep_rejects",
                "rejects_in_workbook", "workers"},
    "target": {"url"},
    "gates": {"max_reject_share", "max_rejected_money", "max_rejected_money_share", "accept_unreadable_rows",
              "max_fall", "entities"},
    "accounts": {"number_prefix", "number_width"},
    "month_end": {"legacy_url", "close", "reopen", "evidence"},
    "sources": {"allow_outside"},
    "report": {"language"},
    "declared": None,  # checked by cutover.declared
    "rules": None,  # rule code -> severity: any domain rule's code
}


@dataclass(frozen=True)
class Gates:
    """Limits a run must stay within to count as reconciled."""

    max_reject_share: float = 0.05
    entity_max_reject_share: dict[str, float] = field(default_factory=dict)
    max_rejected_kopecks: int | None = None  # closing balances among rejected rows, absolute, in kopecks
    max_rejected_money_share: float = 0.05  # of the period's closing balances (absolute), rejected or filtered
    accept_unreadable_rows: int = 0  # balance rows holding money nobody can read that the project accepts
    max_fall: float = 0.05  # how far a source's records or a service's money may fall since the last good run


@dataclass(frozen=True)
class AccountNumbering:
    """How new account numbers are built (``[accounts]`` in cutover.toml)."""

    prefix: str = "77"
    width: int = 8


# What a month-end's legacy statements may name: :period ("2026-10"), :yyyymm (202610),
# :first_day and :last_day (dates) of the month being closed.
ACTION_PARAMETERS = ("period", "yyyymm", "first_day", "last_day")


@dataclass(frozen=True)
class MonthEndActions:
    """``[month_end]``: how the legacy month is closed, and reopened by a rollback.

    With ``close`` statements the legacy system is a SQL database they run against (at
    ``legacy_url``, or the mapping's SQL sources' database); without them the sources are
    file exports, and closing checks them (closing balances present, hashes recorded)."""

    close: tuple[str, ...] = ()
    reopen: tuple[str, ...] = ()
    evidence: str | None = None  # a query whose rows are kept as the close's evidence
    legacy_url: str | None = None


@dataclass(frozen=True)
class Project:
    """Everything a run needs to know about the project."""

    folder: Path
    mapping: str
    source_dir: Path  # a SourceFolder: it also carries the folders [sources] allow_outside lets in
    period: str
    target_url: str
    reports_dir: Path
    chunk_rows: int
    gates: Gates
    numbering: AccountNumbering
    severities: dict[str, str] = field(default_factory=dict)  # domain rule code -> "error" or "warning"
    partition_rows: int = DEFAULT_PARTITION_ROWS
    keep_rejects: int = DEFAULT_KEEP_REJECTS  # the latest dry runs whose rejects stay in the target
    rejects_in_workbook: int = DEFAULT_REJECTS_IN_WORKBOOK  # more go to rejects.csv and rejects.parquet
    workers: int = DEFAULT_WORKERS  # processes mapping batches side by side
    month_end: MonthEndActions = field(default_factory=MonthEndActions)
    declared: DeclaredSource = field(default_factory=DeclaredSource)
    report_language: str = REPORT_LANGUAGES[0]  # [report] language: of report.xlsx and protocol.xlsx
    accept_fall: bool = False  # this run accepts records and money that fell since the last good run (--accept-fall)

    @property
    def mapping_dir(self) -> Path:
        """The project's own mapping folder if it has one, else the built-in one."""
        own = self.folder / "mappings" / self.mapping
        return own if own.is_dir() else resource_dir("mappings") / self.mapping

    @property
    def period_end(self) -> dt.date:
        """Last day of the switch period (``YYYY-MM``)."""
        year, month = (int(p) for p in self.period.split("-"))
        first_of_next = dt.date(year + month // 12, month % 12 + 1, 1)
        return first_of_next - dt.timedelta(days=1)


def _check_sections(path: Path, document: dict) -> None:
    for section, value in document.items():
        if section not in _SECTIONS:
            raise ConfigError(f"{path}: unknown section [{section}]; expected {sorted(_SECTIONS)}")
        if _SECTIONS[section] is None:
            continue
        unknown = sorted(set(value) - _SECTIONS[section])
        if unknown:
            raise ConfigError(f"{path}: [{section}] has unknown key(s) {unknown}; expected some of {sorted(_SECTIONS[section])}")


def _share(path: Path, where: str, value) -> float:
    if not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ConfigError(f"{path}: {where} must be a share between 0 and 1 (0.05 = 5%), got {value!r}")
    return float(value)


def _rows(path: Path, where: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(f"{path}: {where} must be a whole number of rows, 0 or more, got {value!r}")
    return value


def _positive(path: Path, where: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{path}: {where} must be a whole number of rows above 0, got {value!r}")
    return value


def _workers(path: Path, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 64:
        raise ConfigError(f"{path}: [project] workers must be a whole number of processes from 1 to 64, got {value!r}")
    return value


def _language(path: Path, value) -> str:
    if value not in REPORT_LANGUAGES:
        raise ConfigError(f"{path}: [report] language must be \"ru\" (Russian, the default) or \"en\" (English); "
                          f"got {value!r}")
    return value


def _period(path: Path, value) -> str:
    try:
        dt.datetime.strptime(str(value), "%Y-%m")
    except ValueError:
        raise ConfigError(f"{path}: [project] period must be YYYY-MM, e.g. \"2026-10\"; got {value!r}") from None
    return str(value)


def _severities(path: Path, rules: dict) -> dict[str, str]:
    """``[rules]``: the severity of a domain rule, e.g. ``VERIFY_EXPIRED = "error"``."""
    codes = sorted(RULE_CODES)
    for code, severity in rules.items():
        if code not in codes:
            raise ConfigError(f"{path}: [rules] {code}: not a rule whose severity can be set; expected one of {codes}")
        if severity not in ("error", "warning"):
            raise ConfigError(f"{path}: [rules] {code} = {severity!r}: expected \"error\" or \"warning\"")
    return dict(rules)


def _money_limit(path: Path, value) -> int | None:
    """A money limit written as text (``"5000.00"`` roubles) in integer kopecks; never a float."""
    if value is None:
        return None
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{1,16}(\.[0-9]{1,2})?", value.strip()):
        raise ConfigError(f"{path}: [gates] max_rejected_money must be roubles written as text, e.g. \"5000.00\"; "
                          f"got {value!r}")
    return int(Decimal(value.strip()) * 100)


def _entity_gates(path: Path, entities: dict) -> dict[str, float]:
    """Per-entity reject limits, keyed by the plural names reports use (``meters``)."""
    order = target_schema().entities  # the mapping's ENTITY_ORDER, without the mapping's machinery
    known = {name: f"{name}s" for name in order} | {f"{name}s": f"{name}s" for name in order}
    limits = {}
    for name, spec in entities.items():
        if name not in known:
            raise ConfigError(f"{path}: [gates.entities.{name}]: unknown entity; expected one of {sorted(set(known.values()))}")
        if not isinstance(spec, dict) or set(spec) != {"max_reject_share"}:
            raise ConfigError(f"{path}: [gates.entities.{name}] takes max_reject_share = <share>")
        limits[known[name]] = _share(path, f"[gates.entities.{name}] max_reject_share", spec["max_reject_share"])
    return limits


def _statements(path: Path, key: str, value) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(s, str) and s.strip() for s in value):
        raise ConfigError(f"{path}: [month_end] {key} must be a list of SQL statements, e.g. "
                          f"[\"UPDATE period SET closed = 1 WHERE month = :yyyymm\"]; got {value!r}")
    for statement in value:
        _check_parameters(path, key, statement)
    return tuple(s.strip() for s in value)


def statement_parameters(statement: str) -> set[str]:
    """The ``:name`` parameters a SQL statement takes (as SQLAlchemy reads them, quotes respected)."""
    import sqlalchemy as sa

    return set(sa.text(statement).compile().params)


def _check_parameters(path: Path, key: str, statement: str) -> None:
    named = sorted(statement_parameters(statement))
    unknown = [name for name in named if name not in ACTION_PARAMETERS]
    if unknown:
        raise ConfigError(f"{path}: [month_end] {key}: unknown parameter(s) {', '.join(':' + n for n in unknown)} "
                          f"in {statement!r}; expected some of {', '.join(':' + n for n in ACTION_PARAMETERS)}")


def _month_end(path: Path, section: dict) -> MonthEndActions:
    close = _statements(path, "close", section.get("close", []))
    reopen = _statements(path, "reopen", section.get("reopen", []))
    if bool(close) != bool(reopen):
        raise ConfigError(f"{path}: [month_end] needs both close and reopen statements (a rollback runs reopen "
                          f"to undo close), or neither (file exports)")
    evidence = section.get("evidence")
    if evidence is not None:
        if not isinstance(evidence, str) or not evidence.strip():
            raise ConfigError(f"{path}: [month_end] evidence must be a SELECT whose rows are kept; got {evidence!r}")
        _check_parameters(path, "evidence", evidence)
    legacy_url = section.get("legacy_url")
    if legacy_url is not None and not isinstance(legacy_url, str):
        raise ConfigError(f"{path}: [month_end] legacy_url must be a database URL; got {legacy_url!r}")
    return MonthEndActions(close, reopen, evidence.strip() if evidence else None, legacy_url)


def _allowed_outside(path: Path, folder: Path, section: dict) -> list[Path]:
    """``[sources] allow_outside``: folders outside source_dir that source files may be in
    (relative ones from the project folder)."""
    folders = section.get("allow_outside", [])
    if not isinstance(folders, list) or not all(isinstance(f, str) and f.strip() for f in folders):
        raise ConfigError(f"{path}: [sources] allow_outside must be a list of folders, e.g. [\"/mnt/export\"]; "
                          f"got {folders!r}")
    return [folder / f for f in folders]


def load_project(folder: Path, target_url: str | None = None, environ=os.environ, *,
                 accept_fall: bool = False) -> Project:
    """Read the project's cutover.toml and apply overrides (``accept_fall``: this run accepts
    records and money fallen since the last good run, ``--accept-fall``).

    Raises
    ------
    ConfigError
        No cutover.toml, unknown keys, or values of the wrong shape: naming the file and key.
    """
    folder = folder.resolve()
    path = folder / CONFIG_FILE
    if not path.is_file():
        raise ConfigError(f"no {CONFIG_FILE} in {folder}; run cutover in the project folder or pass --project DIR")
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    _check_sections(path, document)
    project = document.get("project", {})
    missing = [key for key in ("mapping", "source_dir", "period") if key not in project]
    if missing:
        raise ConfigError(f"{path}: [project] needs {', '.join(missing)}: mapping = \"<folder under mappings/>\", "
                          f"source_dir = \"<folder of the extract>\", period = \"YYYY-MM\" (the month the switch closes)")
    gates = document.get("gates", {})
    accounts = document.get("accounts", {})
    url = target_url or environ.get("CUTOVER_TARGET_URL") or document.get("target", {}).get("url") \
        or f"sqlite:///{folder / 'cutover.db'}"
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////") and not url[10:].startswith("/"):
        url = f"sqlite:///{folder / url[10:]}"  # a relative SQLite file lives in the project folder
    return Project(
        folder=folder,
        mapping=str(project["mapping"]),
        source_dir=SourceFolder.of((folder / project["source_dir"]).resolve(),
                                   _allowed_outside(path, folder, document.get("sources", {}))),
        period=_period(path, project["period"]),
        target_url=url,
        reports_dir=folder / project.get("reports_dir", "reports"),
        chunk_rows=_positive(path, "[project] chunk_rows", project.get("chunk_rows", DEFAULT_CHUNK_ROWS)),
        partition_rows=_positive(path, "[project] partition_rows", project.get("partition_rows", DEFAULT_PARTITION_ROWS)),
        keep_rejects=_positive(path, "[project] keep_rejects", project.get("keep_rejects", DEFAULT_KEEP_REJECTS)),
        rejects_in_workbook=_positive(path, "[project] rejects_in_workbook",
                                      project.get("rejects_in_workbook", DEFAULT_REJECTS_IN_WORKBOOK)),
        workers=_workers(path, project.get("workers", DEFAULT_WORKERS)),
        gates=Gates(
            max_reject_share=_share(path, "[gates] max_reject_share", gates.get("max_reject_share", 0.05)),
            entity_max_reject_share=_entity_gates(path, gates.get("entities", {})),
            max_rejected_kopecks=_money_limit(path, gates.get("max_rejected_money")),
            max_rejected_money_share=_share(path, "[gates] max_rejected_money_share",
                                            gates.get("max_rejected_money_share", 0.05)),
            accept_unreadable_rows=_rows(path, "[gates] accept_unreadable_rows", gates.get("accept_unreadable_rows", 0)),
            max_fall=_share(path, "[gates] max_fall", gates.get("max_fall", 0.05)),
        ),
        severities=_severities(path, document.get("rules", {})),
        numbering=AccountNumbering(
            prefix=str(accounts.get("number_prefix", "77")), width=int(accounts.get("number_width", 8))
        ),
        month_end=_month_end(path, document.get("month_end", {})),
        declared=parse_declared(path, document.get("declared", {})),
        report_language=_language(path, document.get("report", {}).get("language", REPORT_LANGUAGES[0])),
        accept_fall=accept_fall,
    )
