"""The map stage: source rows to target rows through a mapping, one entity at a time.

Each mapped frame keeps, next to the target columns, where every row came from
(``_row``), its legacy key (``_key``), the legacy keys of its parents (``_ref_<column>``)
and whether it already failed (``_failed``).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cutover.frames.text import arrow_text, text_series
from cutover.mapping.apply.fit import KEY_TOO_LONG, fit_keys, too_long_messages
from cutover.mapping.apply.rejects import RejectLog
from cutover.mapping.apply.shape import unpivoted_from
from cutover.mapping.apply.source_checks import SourceFailures
from cutover.mapping.model import ColumnRule, EntityMapping
from cutover.mapping.transforms import REGISTRY
from cutover.schema.definition import TableDef

KEY_SEPARATOR = "|"
LEFT_EMPTY = "; left empty (on_error = \"warn\")"


@dataclass
class MappedEntity:
    """One target entity's rows after mapping (and, later, checking)."""

    mapping: EntityMapping
    source_file: str
    frame: pd.DataFrame
    source: pd.DataFrame  # the source rows as read (same index), for raw values in rejects
    accepted: pd.DataFrame | None = None  # a merging entity's one row per item, once checked
    filtered: int = 0  # source rows the entity's filter left out (not source rows of the entity)

    @property
    def entity(self) -> str:
        return self.mapping.entity

    @property
    def merges(self) -> bool:
        """Rows with the same key are one item (a premise shared by several accounts)."""
        return self.mapping.merges


def join_key(parts: pd.DataFrame) -> pd.Series:
    """A legacy key from one or more text columns: trimmed (Unicode white space, as ``str.strip``),
    joined with ``|``; missing if all blank. In Arrow's kernels, on whole columns."""
    columns = [pc.fill_null(pc.utf8_trim_whitespace(arrow_text(parts[c].astype("str"))), "") for c in parts.columns]
    key = columns[0] if len(columns) == 1 else pc.binary_join_element_wise(*columns, pa.scalar(KEY_SEPARATOR, pa.large_string()))
    blank = pc.equal(columns[0], "")
    for column in columns[1:]:
        blank = pc.and_(blank, pc.equal(column, ""))
    return text_series(pc.if_else(blank, pa.scalar(None, pa.large_string()), key), parts.index)


def row_named(keys: pd.Series, rows: pd.Series) -> pd.Series:
    """Legacy keys as rejects and the key map name them: a blank one by its row (``#row<n>``), one
    too long to store in its cut form (see ``fit``)."""
    return fit_keys(keys.where(keys.notna(), "#row" + rows.astype("str")))[0]


def _column_named(rule: ColumnRule, source: pd.DataFrame) -> pd.Series | str | None:
    """The source column a rule's rejects name: for a value an ``[unpivot]`` made, the wide
    column each row's value was read from (``ГВС Нач``), else the rule's own column(s)."""
    if len(rule.inputs) == 1 and unpivoted_from(rule.inputs[0]) in source:
        return source[unpivoted_from(rule.inputs[0])]
    return rule.source


def raw_text(source: pd.DataFrame, inputs: tuple[str, ...]) -> pd.Series | None:
    """The source text behind a column rule, as rejects show it (several columns joined by "; ")."""
    if not inputs:
        return None
    parts = [source[c].astype("str") for c in inputs]
    return parts[0].str.cat(parts[1:], sep="; ") if len(parts) > 1 else parts[0]


def _apply_rule(rule: ColumnRule, source: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series, str]:
    """Run one column rule; return target values, first error per row and that error's rule."""
    if len(rule.inputs) > 1:
        values = source[list(rule.inputs)]
    elif rule.inputs:
        values = source[rule.inputs[0]]
    else:
        values = pd.Series(rule.constant, index=source.index)
    errors = pd.Series(pd.NA, index=source.index, dtype="object")
    error_rule = pd.Series(pd.NA, index=source.index, dtype="object")
    for step in rule.steps:
        transform = REGISTRY[step.name]
        result = transform.function(values, **step.params)
        new = result.errors.notna() & errors.isna()
        errors[new] = result.errors[new]
        error_rule[new] = transform.rule
        values = result.values
    frame = values if isinstance(values, pd.DataFrame) else values.to_frame(rule.targets[0])
    frame.columns = list(rule.targets)
    return frame, errors, error_rule


def _mixed_key(mapping: EntityMapping, source: pd.DataFrame, frame: pd.DataFrame,
               found: list[tuple[ColumnRule, pd.Series, pd.Series]]) -> pd.Series:
    """``key`` source columns, then ``key_from_target`` columns as converted (a date as
    ``YYYY-MM-DD``, however the legacy wrote it); missing where a converted part failed (the row
    is rejected for it, named ``#row<n>``)."""
    parts = [source[c] for c in mapping.key] + [frame[c] for c in mapping.key_from_target]
    key = join_key(pd.DataFrame({f"part{i}": part for i, part in enumerate(parts)}, index=source.index))
    unconverted = pd.Series(False, index=source.index)
    for rule, errors, _ in found:
        if set(rule.targets) & set(mapping.key_from_target):
            unconverted |= errors.notna()
    return key.where(~unconverted, None)


def _reject_shape_errors(mapping: EntityMapping, source_file: str, source: pd.DataFrame, frame: pd.DataFrame,
                         rejects: RejectLog) -> None:
    """Reject the rows a join could not complete (JOIN_MISSING, JOIN_AMBIGUOUS)."""
    failed = source["_shape_rule"].notna()
    for rule in source.loc[failed, "_shape_rule"].unique():
        rows = frame[source["_shape_rule"] == rule]
        for column in source.loc[rows.index, "_shape_column"].unique():
            part = rows[source.loc[rows.index, "_shape_column"] == column]
            rejects.add(mapping.entity, source_file, part, rule=rule, message=source["_shape_message"],
                        column=column, raw=source["_shape_raw"])


def _reject_long_keys(mapping: EntityMapping, table: TableDef, source_file: str, frame: pd.DataFrame,
                      uncut: pd.Series, rejects: RejectLog) -> pd.Series:
    """A row of a key-mapped entity whose legacy key was too long to keep (``uncut``: those keys
    as built, by row) is rejected with ``KEY_TOO_LONG``; which rows are."""
    if uncut.empty or not table.key_mapped:
        return pd.Series(False, index=frame.index)
    rejects.add(mapping.entity, source_file, frame.loc[uncut.index], rule=KEY_TOO_LONG,
                message=too_long_messages(uncut), column=", ".join(mapping.key or mapping.key_from_target), raw=uncut)
    return pd.Series(frame.index.isin(uncut.index), index=frame.index)


def map_entity(mapping: EntityMapping, table: TableDef, source_file: str, source: pd.DataFrame,
               rejects: RejectLog, source_failures: SourceFailures | None = None) -> MappedEntity:
    """Map an entity's shaped input rows into target rows, recording field errors as rejects
    (first, the rows built from a source row that breaks a source rule)."""
    frame = pd.DataFrame({"_row": source["_row"].astype("int64"), "_source": source["_source"]}, index=source.index)
    failed = pd.Series(False, index=source.index)
    unjoined = source["_shape_rule"].notna()  # their joined columns are blank for that reason
    found: list[tuple[ColumnRule, pd.Series, pd.Series]] = []
    warned: list[tuple[ColumnRule, pd.Series, pd.Series]] = []
    for rule in mapping.columns:
        values, errors, error_rule = _apply_rule(rule, source)
        if rule.on_error == "warn":  # the value left empty, the row loaded, the problem listed
            if errors.notna().any():
                values = values.assign(**{c: values[c].where(errors.isna()) for c in values.columns})
            warned.append((rule, errors, error_rule))
            errors = pd.Series(pd.NA, index=source.index, dtype="object")
        for column in values.columns:
            frame[column] = values[column]
        found.append((rule, errors, error_rule))
        failed |= errors.notna()
    if mapping.key and mapping.key_from_target:  # a reading keyed by its meter and its parsed date
        frame["_key"] = _mixed_key(mapping, source, frame, found)
    elif mapping.key:
        frame["_key"] = join_key(source[list(mapping.key)])
    else:
        keys = frame[list(mapping.key_from_target)]
        # Case and ё/е are not told apart: "МОЛОДЁЖНАЯ" and "Молодежная" are one street.
        frame["_key"] = join_key(keys).str.casefold().str.replace("ё", "е").where(~failed, None)
    # A key too long to store is cut before any reject names it (see ``fit``); its message shows it.
    uncut = frame["_key"][fit_keys(frame["_key"])[1]]
    frame["_key"] = row_named(frame["_key"], frame["_row"])
    broken = pd.Series(False, index=source.index)
    if source_failures is not None:
        broken = source_failures.reject(mapping.entity, source_file, frame, rejects)
    for rule, errors, error_rule in warned:
        bad = errors.notna()
        for code in error_rule[bad].unique():
            rows = frame[bad & (error_rule == code)]
            rejects.add(mapping.entity, source_file, rows, rule=code, message=errors + LEFT_EMPTY, column=_column_named(rule, source),
                        raw=raw_text(source, rule.inputs), severity="warning")
    for rule, errors, error_rule in found:
        bad = errors.notna()
        for code in error_rule[bad].unique():
            rows = frame[bad & (error_rule == code)]
            rejects.add(mapping.entity, source_file, rows, rule=code, message=errors, column=_column_named(rule, source),
                        raw=raw_text(source, rule.inputs))
        required = [t for t in rule.targets if rule.required or not table.column(t).nullable]
        for target in required:
            blank = frame[target].isna() & errors.isna() & ~unjoined
            rejects.add(mapping.entity, source_file, frame[blank], rule="REQUIRED",
                        message=f"{target} is required but {rule.source or 'the value'} is blank",
                        column=_column_named(rule, source), raw=raw_text(source, rule.inputs))
            failed |= blank
    if mapping.key:
        blank_key = join_key(source[list(mapping.key)]).isna()
        rejects.add(mapping.entity, source_file, frame[blank_key], rule="REQUIRED",
                    message=f"the legacy key {list(mapping.key)} is blank", column=mapping.key[0],
                    raw=source[mapping.key[0]])
        failed |= blank_key
    failed |= _reject_long_keys(mapping, table, source_file, frame, uncut, rejects)
    for ref in mapping.refs:
        # A reference is cut as the key it names was, so that a child of a row rejected for its
        # long key still finds it (and falls with PARENT_REJECTED, not as an orphan).
        frame[f"_ref_{ref.target}"] = fit_keys(join_key(source[list(ref.key)]))[0] if ref.key else None
    frame["_failed"] = failed | unjoined | broken
    _reject_shape_errors(mapping, source_file, source, frame, rejects)
    return MappedEntity(mapping=mapping, source_file=source_file, frame=frame, source=source)
