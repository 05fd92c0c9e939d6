"""``[declared]`` of cutover.toml: the legacy system's own turnover statement (оборотно-сальдовая ведомость).

An accountant accepts a migration against the statement the legacy system prints, not against
the migration's reading of the extract. A project gives it in cutover.toml, in the target's
signs (paid positive; a balance positive when the consumer owes), per month, legacy service
code (``*``: every service) and measure::

    [[declared.totals]]
    period = "2026-10"
    service = "3"              # as the extract spells the code; "*" for the month's total
    closing = "1 234 567,89"   # text, never a float; any honest spelling
    paid = "98 765,43"

or as one read-only query on the legacy database returning ``period, service, measure,
amount`` (``[declared] query``; ``[declared] url``, else ``[month_end] legacy_url``, else the
database the mapping's sql sources read).

This module defines the section and reads what is typed into it, beside the configuration and
without pandas (the amounts and months through :mod:`cutover.spellings`); running the query
and comparing the statement with the control totals are the control's
(:mod:`cutover.control.declared`, :mod:`cutover.control.compare`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cutover.errors import ConfigError
from cutover.results.model import MEASURES

ALL_SERVICES = "*"


@dataclass(frozen=True)
class DeclaredTotal:
    """One amount of the legacy statement, in kopecks."""

    period: str  # YYYY-MM
    service: str  # legacy code, or "*"
    measure: str
    kopecks: int
    where: str  # "cutover.toml: [[declared.totals]] 2" or "query row 3", for messages


@dataclass(frozen=True)
class DeclaredSource:
    """``[declared]`` of cutover.toml: totals typed in, and/or a query."""

    totals: tuple[DeclaredTotal, ...] = ()
    query: str | None = None
    url: str | None = None


def parse_declared(path: Path, section: dict) -> DeclaredSource:
    """``[declared]`` of cutover.toml.

    Raises
    ------
    ConfigError
        Naming the entry and what is wrong with it (a float amount, an unknown measure...).
    """
    unknown = sorted(set(section) - {"totals", "query", "url"})
    if unknown:
        raise ConfigError(f"{path}: [declared] has unknown key(s) {unknown}; expected some of ['query', 'totals', 'url']")
    entries = section.get("totals", [])
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise ConfigError(f"{path}: [declared] totals must be tables: [[declared.totals]] with period, service "
                          f"and amounts")
    totals = [total for number, entry in enumerate(entries, start=1) for total in _entry(path, number, entry)]
    query, url = section.get("query"), section.get("url")
    for key, value in (("query", query), ("url", url)):
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise ConfigError(f"{path}: [declared] {key} must be text; got {value!r}")
    return DeclaredSource(tuple(totals), query.strip() if query else None, url)


def _entry(path: Path, number: int, entry: dict) -> list[DeclaredTotal]:
    from cutover.spellings import (  # no pandas: reading cutover.toml stays light
        read_amount,
        read_period,
    )

    where = f"{path}: [[declared.totals]] number {number}"
    allowed = {"period", "service", *MEASURES}
    unknown = sorted(set(entry) - allowed)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {unknown}; expected period, service and some of {list(MEASURES)}")
    for key in ("period", "service"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise ConfigError(f"{where}: {key} must be given as text (service = \"*\" for every service)")
    period = read_period(entry["period"])
    if period is None:
        raise ConfigError(f"{where}: period {entry['period']!r} is not a month; write it as \"2026-10\"")
    amounts = [(measure, entry[measure]) for measure in MEASURES if measure in entry]
    if not amounts:
        raise ConfigError(f"{where}: no amount; give some of {list(MEASURES)} as text, e.g. closing = \"1234,56\"")
    found = []
    for measure, text in amounts:
        if not isinstance(text, str):
            raise ConfigError(f"{where}: {measure} = {text!r}: write amounts as text (\"{text}\"), never as a "
                              f"number a float could change")
        kopecks, problem = read_amount(text)
        if kopecks is None:
            raise ConfigError(f"{where}: {measure}: {problem}")
        found.append(DeclaredTotal(period, entry["service"].strip(), measure, kopecks, where))
    return found
