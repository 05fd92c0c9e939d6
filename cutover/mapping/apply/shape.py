"""Shape an entity's input rows from its sources: unite (each source's columns renamed as its
``[entity.rename.<source>]`` says), filter, join, unpivot.

The result is one frame per entity, indexed 0..n-1, with ``_row`` and ``_source`` (where
each row came from: the physical file and its row number, whatever the rename or the unpivot)
and the columns the mapping reads: source columns (by the entity's names), joined columns
``<source>.<column>`` and the unpivot's label and value(s); beside each unpivoted value
``_from.<value>`` names the source column it was read from (``ГВС Нач``). A join that finds no
row, or more than one, marks the row with ``_shape_rule`` and ``_shape_message`` for the map
stage to reject.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from functools import reduce
from typing import Iterator

import pandas as pd

from cutover.extract.snapshot import ExtractResult
from cutover.mapping.filters import kept
from cutover.mapping.model import EntityMapping, JoinRule, Unpivot


@dataclass(frozen=True)
class ShapedRows:
    """An entity's input rows from a batch of one source's records, and what became of the records:
    how many the filter left out, and how many made no row at all (an unpivot whose every cell
    was blank). The records the batch read are ``records``; the others made the frame's rows."""

    frame: pd.DataFrame
    filtered: int
    records: int = 0
    without_rows: int = 0
    source: str = ""  # the name of the source (system.toml) the records came from


def _text_key(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    parts = [frame[c].astype("str").str.strip() for c in columns]
    return parts[0].str.cat(parts[1:], sep="|") if len(parts) > 1 else parts[0]


def unpivoted_from(value: str) -> str:
    """The column naming, on each long row, the source column an unpivoted value was read from."""
    return f"_from.{value}"


def _source_columns(mapping: EntityMapping, name: str) -> list[str]:
    """The columns the entity reads of one of its sources, as the source names them."""
    return list(dict.fromkeys(["_row", *sorted(mapping.needed_columns().get(name, ()))]))


def _renamed(rows: pd.DataFrame, mapping: EntityMapping, name: str) -> pd.DataFrame:
    """A source's rows with its columns by the entity's names (``[entity.rename.<source>]``)."""
    rename = mapping.renamed(name)
    return rows.rename(columns=rename) if rename else rows


def _unite(mapping: EntityMapping, extracted: ExtractResult) -> pd.DataFrame:
    parts = []
    for name in mapping.sources:
        source = extracted.sources[name]
        rows = source.read(_source_columns(mapping, name)) if mapping.renamed(name) else source.rows
        parts.append(_renamed(rows, mapping, name).assign(_source=source.location))
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].copy()


@dataclass(frozen=True)
class _Lookup:
    """A joined source ready to be looked up: how many rows have each key, and the one row of
    each key that only one row has."""

    join: JoinRule
    where: str
    counts: pd.Series
    unique: pd.DataFrame

    @classmethod
    def of(cls, join: JoinRule, extracted: ExtractResult) -> "_Lookup":
        joined = extracted.sources[join.source]
        rows = joined.read(list(dict.fromkeys([*(right for _, right in join.on), *join.columns])))
        right_key = _text_key(rows, [right for _, right in join.on])
        counts = right_key.value_counts()
        single = (right_key.map(counts) == 1).to_numpy()
        unique = rows.loc[single, list(join.columns)].set_axis(right_key[single])
        return cls(join, f"{join.source} ({joined.location})", counts, unique)


def _join(frame: pd.DataFrame, lookup: _Lookup) -> pd.DataFrame:
    join, counts, unique, where = lookup.join, lookup.counts, lookup.unique, lookup.where
    left_key = _text_key(frame, [left for left, _ in join.on])
    for column in join.columns:
        frame[join.name(column)] = left_key.map(unique[column]).fillna("").astype("str")
    matches = left_key.map(counts).fillna(0).astype("int64")
    columns = ", ".join(left for left, _ in join.on)
    missing = (matches == 0) & join.required & frame["_shape_rule"].isna()
    frame.loc[missing, "_shape_rule"] = "JOIN_MISSING"
    frame.loc[missing, "_shape_message"] = f"no row of {where} has " + left_key[missing].map(repr)
    ambiguous = (matches > 1) & frame["_shape_rule"].isna()
    frame.loc[ambiguous, "_shape_rule"] = "JOIN_AMBIGUOUS"
    frame.loc[ambiguous, "_shape_message"] = (
        matches[ambiguous].astype("str") + f" rows of {where} have " + left_key[ambiguous].map(repr)
        + "; none of them is taken")
    frame.loc[missing | ambiguous, "_shape_column"] = columns
    frame.loc[missing | ambiguous, "_shape_raw"] = left_key[missing | ambiguous]
    return frame


def _unpivot(frame: pd.DataFrame, unpivot: Unpivot) -> pd.DataFrame:
    """One row per label (in the order listed) with the label and its value(s); with ``skip_blank``
    none for a label whose every value is blank."""
    base = frame.drop(columns=list(dict.fromkeys(unpivot.wide)))
    parts = []
    for position, (label, columns) in enumerate(unpivot.cells):
        values = {name: frame[column] for name, column in zip(unpivot.values, columns)}
        named = {unpivoted_from(name): column for name, column in zip(unpivot.values, columns)}
        part = base.assign(**{unpivot.label: label, **values, **named, "_wide": frame.index, "_position": position})
        if unpivot.skip_blank:
            part = part[reduce(operator.or_, (part[name].astype("str").str.strip() != "" for name in unpivot.values))]
        parts.append(part)
    long = pd.concat(parts).sort_values(["_wide", "_position"], kind="stable")
    return long.drop(columns=["_wide", "_position"])


def _shape(frame: pd.DataFrame, mapping: EntityMapping, lookups: list[_Lookup], keep_filtered: bool = False,
           source: str = "") -> ShapedRows:
    """Shape one batch; ``keep_filtered`` keeps the rows the filter leaves out, marked ``_filtered``
    (the control reads them too, to count their money)."""
    records = len(frame)
    keep = kept(frame, mapping.filter) if mapping.filter else pd.Series(True, index=frame.index)
    filtered = int((~keep).sum())
    frame = frame.assign(_filtered=~keep) if keep_filtered else frame[keep]
    frame = frame.assign(_shape_rule=pd.Series(pd.NA, index=frame.index, dtype="object"),
                         _shape_message=None, _shape_column=None, _shape_raw=None)
    for lookup in lookups:
        frame = _join(frame, lookup)
    without_rows = 0
    if mapping.unpivot:
        wide = frame.index
        frame = _unpivot(frame, mapping.unpivot)
        without_rows = int(keep[wide.difference(frame.index.unique())].sum())  # kept, but every cell blank
    return ShapedRows(frame.reset_index(drop=True), filtered, records, without_rows, source)


def shape_rows(mapping: EntityMapping, extracted: ExtractResult) -> ShapedRows:
    """The input rows of one entity, in source order, ready for the map stage."""
    return _shape(_unite(mapping, extracted), mapping, [_Lookup.of(join, extracted) for join in mapping.joins])


def shape_batches(mapping: EntityMapping, extracted: ExtractResult, batch_rows: int,
                  keep_filtered: bool = False) -> Iterator[ShapedRows]:
    """The same rows as ``shape_rows``, in source order, a batch of each source at a time
    (joined sources are read whole once): memory stays bounded whatever the source's size.
    ``keep_filtered`` keeps the rows the filter leaves out, marked ``_filtered``."""
    lookups = [_Lookup.of(join, extracted) for join in mapping.joins]
    for name in mapping.sources:
        source = extracted.sources[name]
        for rows in source.batches(batch_rows, _source_columns(mapping, name)):
            yield _shape(_renamed(rows, mapping, name).assign(_source=source.location), mapping, lookups, keep_filtered,
                         name)
