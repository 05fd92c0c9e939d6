"""Declared totals read by a query: the legacy system's turnover statement, from its own database.

``[declared]`` of cutover.toml (its totals typed in, its query and url) is defined and read in
:mod:`cutover.declared`, beside the configuration; here the query runs, read-only, on the
legacy database (``[declared] url``, else ``[month_end] legacy_url``, else the database the
mapping's sql sources read) and returns ``period, service, measure, amount``. The
reconciliation compares each amount with the control total of the extract.
"""

from __future__ import annotations

from pathlib import Path

# The section's format moved beside the configuration; its names stay importable from here.
from cutover.declared import ALL_SERVICES, DeclaredSource, DeclaredTotal, parse_declared  # noqa: F401
from cutover.errors import ConfigError
from cutover.results.model import MEASURES
from cutover.spellings import read_amount, read_period

QUERY_COLUMNS = ("period", "service", "measure", "amount")


def _query_url(source: DeclaredSource, month_end_url: str | None, mapping) -> str:
    if source.url:
        return source.url
    if month_end_url:
        return month_end_url
    urls = {spec.options["url"] for spec in mapping.sources.values() if spec.format == "sql"}
    if len(urls) != 1:
        raise ConfigError(f"cutover.toml: [declared] query needs a legacy database, and mapping {mapping.name} has "
                          f"{'no sql source' if not urls else 'sql sources on several databases'}: set [declared] url")
    return urls.pop()


def declared_totals(source: DeclaredSource, month_end_url: str | None, mapping, source_dir: Path) -> list[DeclaredTotal]:
    """Every declared amount: those typed in, then what the query returns (read only).

    Raises
    ------
    ConfigError
        The query cannot run, lacks a column, or returns a month, measure or amount that cannot
        be read (naming the row).
    """
    found = list(source.totals)
    if not source.query:
        return found
    from cutover.extract import REGISTRY

    options = {"url": _query_url(source, month_end_url, mapping), "query": source.query}
    row = 0
    for frame in REGISTRY["sql"].read(options, source_dir, set(QUERY_COLUMNS), 10_000):
        for record in frame[["_row", *QUERY_COLUMNS]].itertuples(index=False, name=None):
            row, period_text, service, measure, amount = record
            where = f"[declared] query row {row}"
            period = read_period(str(period_text))
            if period is None:
                raise ConfigError(f"{where}: period {period_text!r} is not a month")
            if measure.strip().lower() not in MEASURES:
                raise ConfigError(f"{where}: measure {measure!r} is not one of {list(MEASURES)}")
            kopecks, problem = read_amount(str(amount))
            if kopecks is None:
                raise ConfigError(f"{where}: amount: {problem}")
            found.append(DeclaredTotal(period, str(service).strip() or ALL_SERVICES, measure.strip().lower(),
                                       kopecks, where))
    return found
