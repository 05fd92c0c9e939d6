"""Source rules: what the legacy rows themselves must look like, before any mapping.

``mappings/<system>/source_rules.toml`` (optional) declares, per source of ``system.toml`` and
per column, the checks each raw text value must pass::

    [sources.saldo.columns."Период"]
    required = true          # not blank
    pattern = '^\\d{6}$'     # the whole trimmed text matches (Python re)

    [sources.abonent.columns."Прожив"]
    range = [0, 20]          # a number (decimal ',' or '.') within the range, inclusive

The format is defined here only; :mod:`cutover.mapping.apply.source_checks` runs the checks. Every
mistake is a :class:`MappingError` naming the file, the key and what was expected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from cutover.errors import MappingError

FILE_NAME = "source_rules.toml"
# A number as range bounds and filters write it: a whole number, or decimal text with '.' or ','.
NUMBER = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)?")
# Bounds are compared as integers scaled by their decimals; keep them within int64.
_MAX_BOUND_DIGITS = 17


@dataclass(frozen=True)
class ColumnChecks:
    """The checks on one column of a source; a blank value passes every check but ``required``."""

    column: str
    where: str  # 'source_rules.toml: sources.<source>.columns."<column>"' for messages
    required: bool = False
    pattern: str | None = None  # the whole trimmed text must match
    range: tuple[str, str] | None = None  # inclusive bounds as written ("0", "20", "-0,5")
    isin: tuple[str, ...] | None = None  # the trimmed text must be one of these
    max_length: int | None = None  # characters of the trimmed text


@dataclass(frozen=True)
class SourceRules:
    """The column checks of one source."""

    source: str
    file: Path
    columns: tuple[ColumnChecks, ...]


def _expected(where: str, what: str, value: Any) -> MappingError:
    return MappingError(f"{where}: expected {what}, got {value!r}")


def _bound(where: str, value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
    elif isinstance(value, str) and NUMBER.fullmatch(value.strip()):
        text = value.strip()
    else:
        # A TOML float (0.5) is refused: a bound is exact, so decimals are written as text.
        raise _expected(where, 'a whole number or decimal text, e.g. 20 or "99.5"', value)
    if len(re.sub(r"[^0-9]", "", text)) > _MAX_BOUND_DIGITS:
        raise MappingError(f"{where}: {value!r} has more than {_MAX_BOUND_DIGITS} digits")
    return text


def bound_value(text: str) -> tuple[int, int]:
    """A bound as (integer count of 10^-scale, scale): ``"-0,5"`` -> (-5, 1)."""
    sign, digits = (-1, text[1:]) if text.startswith("-") else (1, text.lstrip("+"))
    whole, _, fraction = digits.replace(",", ".").partition(".")
    return sign * int(whole + fraction), len(fraction)


def _range(where: str, value: Any) -> tuple[str, str]:
    if not isinstance(value, list) or len(value) != 2:
        raise _expected(where, "[min, max]", value)
    low, high = (_bound(f"{where}[{i}]", v) for i, v in enumerate(value))
    (low_count, low_scale), (high_count, high_scale) = bound_value(low), bound_value(high)
    scale = max(low_scale, high_scale)
    if low_count * 10 ** (scale - low_scale) > high_count * 10 ** (scale - high_scale):
        raise MappingError(f"{where}: the minimum {low} is above the maximum {high}")
    return low, high


def _pattern(where: str, value: Any) -> str:
    if not isinstance(value, str):
        raise _expected(where, "a regular expression as text, e.g. '^\\d{6}$'", value)
    try:
        re.compile(value)
    except re.error as exc:
        raise MappingError(f"{where}: {value!r} is not a valid regular expression: {exc}") from None
    return value


def _isin(where: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise _expected(where, 'a list of text values, e.g. ["Р", "А"]', value)
    return tuple(value)


def _max_length(where: str, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise _expected(where, "a whole number of characters, at least 1", value)
    return value


def _required(where: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise _expected(where, "true or false", value)
    return value


_CHECKS = {"required": _required, "pattern": _pattern, "range": _range, "isin": _isin, "max_length": _max_length}


def _column(where: str, column: str, spec: Any) -> ColumnChecks:
    if not isinstance(spec, dict) or not spec:
        raise _expected(where, f"a table of checks, some of {sorted(_CHECKS)}", spec)
    unknown = sorted(set(spec) - set(_CHECKS))
    if unknown:
        raise MappingError(f"{where}: unknown check(s) {unknown}; expected some of {sorted(_CHECKS)}")
    checks = {name: _CHECKS[name](f"{where}.{name}", value) for name, value in spec.items()}
    return ColumnChecks(column=column, where=where, **checks)


def parse_source_rules(path: Path, document: dict, sources: Iterable[str],
                       built_from: Iterable[str]) -> dict[str, SourceRules]:
    """Check a parsed ``source_rules.toml`` against the mapping.

    Parameters
    ----------
    path
        The file, for messages.
    document
        Its parsed TOML.
    sources
        The sources of ``system.toml``.
    built_from
        The sources some entity is built from: the only rows the rules can reject.

    Raises
    ------
    MappingError
        Naming the file, the key and what was expected.
    """
    sources, built_from = set(sources), set(built_from)
    if set(document) != {"sources"} or not isinstance(document["sources"], dict):
        raise MappingError(f"{path}: expected only [sources.<source>.columns.\"<column>\"] tables, got {sorted(document)}")
    rules = {}
    for source, spec in document["sources"].items():
        where = f"{path}: sources.{source}"
        if source not in sources:
            raise MappingError(f"{where}: {source!r} is not a source in system.toml; expected one of {sorted(sources)}")
        if source not in built_from:
            raise MappingError(f"{where}: no entity is built from {source!r} (it is only joined, or not used), so "
                               f"its rows are never checked; expected one of {sorted(built_from)}")
        if not isinstance(spec, dict) or set(spec) != {"columns"} or not isinstance(spec["columns"], dict):
            raise _expected(where, 'a table columns."<column>" of checks', spec)
        columns = tuple(_column(f'{where}.columns."{name}"', name, checks) for name, checks in spec["columns"].items())
        rules[source] = SourceRules(source, path, columns)
    return rules
