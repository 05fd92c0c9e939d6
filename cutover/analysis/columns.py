"""The profile of one source column, built chunk by chunk in bounded memory.

A :class:`ColumnProfiler` sees every chunk of its column and keeps only counters: blanks,
distinct values (exactly, up to a cap), value shapes, the numeric range, look-alike letters
and misdecoded text. :meth:`ColumnProfiler.result` turns them into a frozen
:class:`ColumnProfile`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from decimal import Decimal

import pandas as pd

from cutover.analysis.text import (
    has_lookalikes,
    lookalike_candidates,
    misdecoded,
    misdecoded_candidates,
    numbers_of,
    shape,
)

DISTINCT_CAP = 100_000  # distinct values counted exactly up to this many; then "more than"
SHAPE_CAP = 1_000  # distinct shapes kept; rarer ones beyond this are counted as "other shapes"
TOP_VALUES = 10
TOP_SHAPES = 5
EXAMPLES = 5


@dataclass(frozen=True)
class NumberRange:
    """The exact range of a column whose every non-blank value is a number."""

    minimum: str  # Decimal text, never a float
    maximum: str
    separators: tuple[str, ...]  # decimal separators seen: "," and/or "."


@dataclass(frozen=True)
class ColumnProfile:
    """What one source column holds."""

    name: str
    rows: int
    blanks: int
    distinct: int  # exact when not distinct_capped
    distinct_capped: bool  # more than DISTINCT_CAP distinct values
    top_values: tuple[tuple[str, int], ...]
    top_shapes: tuple[tuple[str, int], ...]
    shape_count: int  # how many different shapes the non-blank values have
    numbers: NumberRange | None
    numeric_values: int  # non-blank values that are numbers
    not_numbers: tuple[str, ...]  # examples of non-blank values that are not numbers
    grouped: int  # numbers written with a thousands separator ("1 234,56")
    grouped_examples: tuple[str, ...]
    lookalikes: int  # values with Latin look-alike letters inside Cyrillic words
    lookalike_examples: tuple[str, ...]
    misdecoded: int  # values that are UTF-8 text read in a single-byte encoding
    misdecoded_examples: tuple[str, ...]  # "as read -> as meant"
    used_by: tuple[str, ...] = ()  # what the mapping builds from it: "account.opened_on", "key of meter"

    @property
    def filled(self) -> int:
        return self.rows - self.blanks

    @property
    def blank_share(self) -> float:
        return self.blanks / self.rows if self.rows else 0.0

    @property
    def distinct_text(self) -> str:
        return f"more than {DISTINCT_CAP:,}".replace(",", " ") if self.distinct_capped else str(self.distinct)

    @property
    def top_shape(self) -> str | None:
        return self.top_shapes[0][0] if self.top_shapes else None

    def to_dict(self) -> dict:
        data = asdict(self)
        data["top_values"] = [{"value": v, "count": n} for v, n in self.top_values]
        data["top_shapes"] = [{"shape": s, "count": n} for s, n in self.top_shapes]
        return data


def _remember(examples: list[str], value: str) -> None:
    if len(examples) < EXAMPLES and value not in examples:
        examples.append(value)


class ColumnProfiler:
    """Counters of one column; feed it every chunk with :meth:`add`."""

    def __init__(self, name: str, encoding: str):
        self.name = name
        self._encoding = encoding  # where misread UTF-8 would show (see text.single_byte_encoding)
        self._rows = 0
        self._blanks = 0
        self._values: Counter[str] = Counter()
        self._capped = False
        self._shapes: Counter[str] = Counter()
        self._other_shapes = 0
        self._numeric = 0
        self._minimum: Decimal | None = None
        self._maximum: Decimal | None = None
        self._separators: set[str] = set()
        self._grouped = 0
        self._grouped_examples: list[str] = []
        self._not_numbers: list[str] = []
        self._not_number_count = 0
        self._lookalikes = 0
        self._lookalike_examples: list[str] = []
        self._misdecoded = 0
        self._misdecoded_examples: list[str] = []

    def add(self, values: pd.Series) -> None:
        """Count one chunk of the column (text values, blank = "")."""
        self._rows += len(values)
        # Each distinct value of the chunk is looked at once, weighted by how often it occurs.
        counts = values.value_counts(sort=False, dropna=False)
        text = pd.Series(counts.index, dtype="str").fillna("")
        weights = counts.to_numpy(dtype="int64")
        filled = (text.str.strip() != "").to_numpy(dtype=bool)
        self._blanks += int(weights[~filled].sum())
        text, weights = text[filled].reset_index(drop=True), weights[filled]
        if len(text):
            self._count_values(text, weights)
            self._count_shapes(text, weights)
            self._count_numbers(text, weights)
            self._count_scripts(text, weights)

    def _count_values(self, text: pd.Series, weights) -> None:
        pairs = dict(zip(text.tolist(), weights.tolist()))
        if len(self._values) + len(pairs) <= DISTINCT_CAP:
            self._values.update(pairs)
            return
        for value, count in pairs.items():
            if value in self._values:
                self._values[value] += count
            elif len(self._values) < DISTINCT_CAP:
                self._values[value] = count
            else:
                self._capped = True  # new beyond the cap: top values are those of the first DISTINCT_CAP

    def _count_shapes(self, text: pd.Series, weights) -> None:
        # str.translate value by value is faster here than five regex passes over the series.
        by_shape: Counter[str] = Counter()
        for value_shape, count in zip(map(shape, text.tolist()), weights.tolist()):
            by_shape[value_shape] += count
        for value_shape, count in by_shape.items():
            if value_shape in self._shapes or len(self._shapes) < SHAPE_CAP:
                self._shapes[value_shape] += count
            else:
                self._other_shapes += count

    def _count_numbers(self, text: pd.Series, weights) -> None:
        is_number, is_grouped, digits = numbers_of(text)
        numeric, grouped = is_number.to_numpy(dtype=bool), is_grouped.to_numpy(dtype=bool)
        self._numeric += int(weights[numeric].sum())
        self._not_number_count += int(weights[~numeric].sum())
        self._grouped += int(weights[grouped].sum())
        for value in text[~numeric].head(EXAMPLES):
            _remember(self._not_numbers, value)
        for value in text[grouped].head(EXAMPLES):
            _remember(self._grouped_examples, value)
        if numeric.any():
            # Exact: every candidate is a Decimal; no float ever orders them.
            amounts = list(map(Decimal, digits[numeric].tolist()))
            low, high = min(amounts), max(amounts)
            self._minimum = low if self._minimum is None else min(self._minimum, low)
            self._maximum = high if self._maximum is None else max(self._maximum, high)
            written = text[numeric]
            self._separators.update(sep for sep in (",", ".") if written.str.contains(sep, regex=False).any())

    def _count_scripts(self, text: pd.Series, weights) -> None:
        for index in text.index[lookalike_candidates(text).to_numpy(dtype=bool)]:
            if has_lookalikes(text[index]):
                self._lookalikes += int(weights[index])
                _remember(self._lookalike_examples, text[index])
        for index in text.index[misdecoded_candidates(text, self._encoding).to_numpy(dtype=bool)]:
            meant = misdecoded(text[index], self._encoding)
            if meant is not None:
                self._misdecoded += int(weights[index])
                _remember(self._misdecoded_examples, f"{text[index]} -> {meant}")

    def result(self, used_by: tuple[str, ...] = ()) -> ColumnProfile:
        """The column's profile so far."""
        numbers = None
        if self._numeric and not self._not_number_count:
            numbers = NumberRange(str(self._minimum), str(self._maximum), tuple(sorted(self._separators)))
        shapes = self._shapes.most_common(TOP_SHAPES)
        if self._other_shapes:
            shapes.append(("(other shapes)", self._other_shapes))
        return ColumnProfile(
            name=self.name, rows=self._rows, blanks=self._blanks,
            distinct=len(self._values), distinct_capped=self._capped,
            top_values=tuple(self._values.most_common(TOP_VALUES)),
            top_shapes=tuple(shapes), shape_count=len(self._shapes) + (1 if self._other_shapes else 0),
            numbers=numbers, numeric_values=self._numeric, not_numbers=tuple(self._not_numbers),
            grouped=self._grouped, grouped_examples=tuple(self._grouped_examples),
            lookalikes=self._lookalikes, lookalike_examples=tuple(self._lookalike_examples),
            misdecoded=self._misdecoded, misdecoded_examples=tuple(self._misdecoded_examples),
            used_by=used_by,
        )
