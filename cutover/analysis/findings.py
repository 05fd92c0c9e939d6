"""Findings: what a person should look at before the first dry run, worst first.

Errors will reject rows (orphans, duplicate keys, misdecoded text, a source that cannot be
read); warnings will be repaired or may reject some rows (look-alike letters, blanks in a
column the mapping needs, dates written several ways, a few non-numbers in a number
column); info is worth knowing (thousands separators, columns the mapping does not read).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from cutover.analysis.columns import ColumnProfile
from cutover.analysis.text import DATE_SHAPES
from cutover.analysis.usage import ColumnUse

SEVERITIES = ("error", "warning", "info")
BLANK_SHARE = 0.5  # a column the mapping reads that is blank this often is worth a look
NUMBER_SHARE = 0.9  # a column this much numeric is meant to be numbers


@dataclass(frozen=True)
class Finding:
    """One thing the profile found, with how often and examples as written in the source."""

    severity: str  # error, warning, info
    check: str  # ORPHAN, DUPLICATE_KEY, MISDECODED, ...: stable, for filters and tests
    source: str
    column: str  # "" when the finding is about the source as a whole
    what: str
    count: int  # rows (or values) concerned
    examples: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        data = asdict(self)
        data["examples"] = list(self.examples)
        return data


# Checks about a source as a whole come before those about its rows: nothing else in it is sure.
WHOLE_SOURCE = frozenset({"UNREADABLE", "MISSING_COLUMN"})


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Errors first, then warnings, then info; within each, whole sources, then the most rows first."""
    return sorted(findings, key=lambda f: (SEVERITIES.index(f.severity), f.check not in WHOLE_SOURCE, -f.count,
                                           f.check, f.source, f.column))


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "0%"


def _shapes_text(profile: ColumnProfile) -> str:
    return ", ".join(f"{shape!r} {_share(n, profile.filled)}" for shape, n in profile.top_shapes)


def column_findings(source: str, profile: ColumnProfile, use: ColumnUse | None) -> list[Finding]:
    """Findings about one column, judged by what the mapping does with it."""
    found: list[Finding] = []

    def add(severity: str, check: str, what: str, count: int, examples=()) -> None:
        found.append(Finding(severity, check, source, profile.name, what, count, tuple(examples)))

    if profile.misdecoded:
        add("error", "MISDECODED", f"{profile.misdecoded} value(s) are UTF-8 text read in a single-byte encoding "
            "(mixed encodings in one source); they will not read as names or addresses", profile.misdecoded,
            profile.misdecoded_examples)
    if profile.lookalikes:
        add("warning", "LOOKALIKE", f"{profile.lookalikes} value(s) ({_share(profile.lookalikes, profile.filled)}) "
            "have Latin letters that look like Cyrillic inside Cyrillic words", profile.lookalikes,
            profile.lookalike_examples)
    if use is not None and profile.blanks:
        why = ", ".join(use.uses)
        if use.needs_value:
            add("warning", "BLANK", f"{profile.blanks} blank value(s) in a column the mapping needs ({why}): "
                "those rows will be rejected", profile.blanks)
        elif profile.blank_share >= BLANK_SHARE and not use.blank_ok:
            add("warning", "BLANK", f"{_share(profile.blanks, profile.rows)} of the values are blank in a column "
                f"the mapping uses ({why})", profile.blanks)
    is_date = (use is not None and use.date) or profile.top_shape in DATE_SHAPES
    if is_date and profile.shape_count > 1:
        add("warning", "DATE_SHAPES", f"dates are written {profile.shape_count} ways: {_shapes_text(profile)}",
            profile.filled - profile.top_shapes[0][1], [s for s, _ in profile.top_shapes[1:]])
    not_numbers = profile.filled - profile.numeric_values
    if profile.numbers is None and not_numbers and profile.numeric_values >= NUMBER_SHARE * profile.filled:
        add("warning", "NOT_A_NUMBER", f"{not_numbers} value(s) are not numbers in a column of "
            f"{profile.numeric_values} numbers", not_numbers, profile.not_numbers)
    if profile.numbers is not None:
        if len(profile.numbers.separators) > 1:
            add("warning", "DECIMAL_SEPARATORS", "numbers are written with both a decimal comma and a decimal point",
                profile.numeric_values)
    if profile.grouped:
        add("info", "THOUSANDS_SEPARATOR", f"{profile.grouped} number(s) are written with a thousands separator "
            "(space or no-break space)", profile.grouped, profile.grouped_examples)
    return found


def unused_columns_finding(source: str, unused: list[str]) -> Finding | None:
    """One info finding naming the columns of a source the mapping never reads."""
    if not unused:
        return None
    return Finding("info", "UNUSED_COLUMNS", source, "", f"{len(unused)} column(s) are not read by the mapping",
                   len(unused), tuple(unused))
