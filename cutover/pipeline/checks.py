"""The check stage: duplicate keys, references to parents, domain rules, target schema.

Entities are checked parents first, so a child sees which parent keys were accepted.
A row keeps every error of its own; ``PARENT_REJECTED`` is recorded only for a row with
no error of its own, pointing at the parent and the parent's rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import pandera.pandas as pa

from cutover.decimals import from_scaled, scaled
from cutover.errors import MappingError
from cutover.frames.keyindex import KeyIndex
from cutover.mapping.apply.mapstage import MappedEntity, raw_text
from cutover.mapping.apply.rejects import PARENT_REJECTED, RejectLog
from cutover.mapping.model import RefRule
from cutover.pipeline.alternates import AlternateKey
from cutover.pipeline.rules import RULES, RuleContext
from cutover.schema.definition import SchemaDef
from cutover.schema.frames import frame_schema


@dataclass(frozen=True)
class ParentKeys:
    """What children need to know of a checked parent entity."""

    accepted: KeyIndex  # legacy keys with a row that passed (for a loaded entity: its key map's)
    reasons: pd.Series  # rejected key -> the rule that rejected it
    key_by_row: pd.Series  # source row number -> legacy key (for same-row references)
    source_file: str
    # other keys children refer to the entity by (refs' parent_key): columns -> their legacy keys
    alternates: dict[tuple[str, ...], AlternateKey] = field(default_factory=dict)

    def has(self, keys: pd.Series) -> pd.Series:
        """Which of ``keys`` the parent's source holds (through the index's cached hash table,
        built once however many parts of children ask)."""
        return self.accepted.contains(keys) | _among(keys, self.reasons.index)

    def rejected(self, keys: pd.Series) -> pd.Series:
        """Which of ``keys`` the parent's checks rejected."""
        return _among(keys, self.reasons.index)

    @classmethod
    def combine(cls, parts: list["ParentKeys"], source_file: str, accepted: KeyIndex | None = None) -> "ParentKeys":
        """One entity's keys from the keys of its parts (each key lies in one part); ``accepted``,
        when given, is the same set of keys already held elsewhere (the key map's), shared
        rather than copied."""
        if accepted is None:
            accepted = KeyIndex.union([p.accepted for p in parts])
        if not parts:
            empty = pd.Series(dtype="str")
            return cls(accepted, empty, empty, source_file)
        alternates = {columns: AlternateKey.combine([p.alternates[columns] for p in parts])
                      for columns in parts[0].alternates}
        return cls(accepted, pd.concat([p.reasons for p in parts]), pd.concat([p.key_by_row for p in parts]),
                   source_file, alternates)


def _among(keys: pd.Series, index: pd.Index) -> pd.Series:
    if not index.is_unique:  # never for keys gathered part by part, each key in one part
        return keys.isin(index)
    return pd.Series(index.get_indexer(keys) >= 0, index=keys.index)


def _reject_duplicates(mapped: MappedEntity, rejects: RejectLog) -> None:
    """Rows sharing a legacy key: all rejected (``reject_all``), or all but the one the mapping
    names to keep (``keep_first``, ``keep_last``, in source order); never a silent pick. With
    ``keep_first_if_identical`` copies are one item (listed as ``DUPLICATE_COPY`` warnings) and
    the rows of a key whose rows differ are all rejected."""
    rule = mapped.mapping.on_duplicate
    if rule == "merge":
        return
    frame = mapped.frame
    keyed = ~frame["_key"].str.startswith("#row")
    repeated = frame["_key"].duplicated(keep=False) & keyed
    if not repeated.any():
        return
    if rule == "keep_first_if_identical":
        _reject_differing_copies(mapped, repeated, rejects)
        return
    keys = frame.loc[repeated, "_key"]  # messages only for the rows that share a key
    message = "legacy key " + keys.map(repr) + " occurs " + keys.map(keys.value_counts()).astype("str") + " times; "
    if rule == "reject_all":
        duplicated = repeated
        message = message + "none of them is loaded"
    else:
        keep = "first" if rule == "keep_first" else "last"
        duplicated = frame["_key"].duplicated(keep=keep) & keyed
        kept = frame.loc[repeated][~keys.duplicated(keep=keep)]
        kept_row = keys.map(kept.set_index("_key")["_row"]).astype("str")
        message = message + "row " + kept_row + f" is loaded (on_duplicate = \"{rule}\")"
    rejects.add(mapped.entity, mapped.source_file, frame[duplicated], rule="DUPLICATE_KEY", message=message,
                column=", ".join(mapped.mapping.key), raw=frame["_key"])
    frame["_failed"] |= duplicated


def _differing_columns(mapped: MappedEntity, repeated: pd.Series) -> pd.Series:
    """For each repeated key whose rows are not identical in every source column the entity reads,
    those columns (``"ФИО, Адрес"``); identical keys are not in it."""
    columns = [c for c in mapped.source.columns if not c.startswith("_")]
    keys = mapped.frame.loc[repeated, "_key"]
    varies = mapped.source.loc[repeated, columns].groupby(keys.to_numpy(), sort=False).nunique(dropna=False) > 1
    varies = varies[varies.any(axis=1)]
    names = pd.Series(columns, index=columns)
    return pd.Series([", ".join(names[row]) for row in varies.to_numpy()], index=varies.index, dtype="object")


def _reject_differing_copies(mapped: MappedEntity, repeated: pd.Series, rejects: RejectLog) -> None:
    frame = mapped.frame
    keys = frame.loc[repeated, "_key"]
    times = keys.map(keys.value_counts()).astype("str")
    differing = _differing_columns(mapped, repeated)
    rejected = repeated & frame["_key"].isin(differing.index)
    at = keys[rejected[repeated]]
    rejects.add(mapped.entity, mapped.source_file, frame[rejected], rule="DUPLICATE_KEY",
                message="legacy key " + at.map(repr) + " occurs " + times[at.index] + " times and the rows differ (in "
                + at.map(differing) + "); none of them is loaded (on_duplicate = \"keep_first_if_identical\")",
                column=", ".join(mapped.mapping.key), raw=frame["_key"])
    frame["_failed"] |= rejected
    copies = repeated & ~rejected & frame["_key"].duplicated(keep="first")
    if copies.any():
        first_row = frame.loc[repeated & ~rejected].drop_duplicates("_key").set_index("_key")["_row"].astype("str")
        copied = frame.loc[copies, "_key"]
        rejects.add(mapped.entity, mapped.source_file, frame[copies], rule="DUPLICATE_COPY",
                    message="an identical copy of row " + copied.map(first_row) + " (legacy key " + copied.map(repr)
                    + "): loaded once", column=", ".join(mapped.mapping.key), raw=frame["_key"], severity="warning")


def _ref_keys(mapped: MappedEntity, ref: RefRule, parent: ParentKeys) -> pd.Series:
    column = f"_ref_{ref.target}"
    if ref.same_row:
        mapped.frame[column] = mapped.frame["_row"].map(parent.key_by_row)
    return mapped.frame[column]


def _given(ref: RefRule) -> str:
    """The frame column keeping what a reference by ``parent_key`` held, before it was told the
    parent's legacy key: rejects show that value, as the source has it."""
    return f"_given_{ref.target}"


def _where(ref: RefRule) -> str:
    return ", ".join(ref.key) or "the same row"


def _reject_blank(mapped: MappedEntity, ref: RefRule, values: pd.Series, rejects: RejectLog) -> pd.Series:
    """Rows whose (required) reference is blank."""
    blank = values.isna() & (not ref.optional)
    rejects.add(mapped.entity, mapped.source_file, mapped.frame[blank], rule=f"ORPHAN_{mapped.entity.upper()}",
                message=f"the reference to {ref.entity} ({_where(ref)}) is blank", column=_where(ref), raw=values)
    return blank


def _reject_orphans(mapped: MappedEntity, ref: RefRule, parent: ParentKeys, rejects: RejectLog) -> pd.Series:
    """Rows whose reference is blank (and required) or names a key the parent's source lacks."""
    frame, keys = mapped.frame, _ref_keys(mapped, ref, parent)
    rule = f"ORPHAN_{mapped.entity.upper()}"
    blank = _reject_blank(mapped, ref, keys, rejects)
    orphan = keys.notna() & ~parent.has(keys)
    rejects.add(mapped.entity, mapped.source_file, frame[orphan], rule=rule,
                message=f"{ref.entity} " + keys[orphan].map(repr) + f" is not in {parent.source_file}",
                column=_where(ref), raw=keys)
    return blank | orphan


def _reject_rejected_parents(mapped: MappedEntity, ref: RefRule, parent: ParentKeys, candidates: pd.Series,
                             rejects: RejectLog) -> pd.Series:
    """Among ``candidates`` (rows with no error of their own), those whose parent was rejected."""
    frame, keys = mapped.frame, _ref_keys(mapped, ref, parent)
    rejected = candidates & parent.rejected(keys)
    fallen = keys[rejected]  # messages only for the rows that fall
    reasons = fallen.map(parent.reasons).astype("object").fillna("rejected").astype("str")
    named, raw = fallen.map(repr), keys
    if ref.parent_key:
        raw = frame[_given(ref)]
        named += f" ({'|'.join(ref.parent_key)} " + raw[rejected].map(repr) + ")"
    rejects.add(mapped.entity, mapped.source_file, frame[rejected], rule=PARENT_REJECTED,
                message=f"{ref.entity} " + named + " was rejected (" + reasons + ")", column=_where(ref), raw=raw)
    return rejected


def _reject_unknown_alternates(mapped: MappedEntity, ref: RefRule, parent: ParentKeys,
                               rejects: RejectLog) -> pd.Series:
    """A reference by the parent's other key (``parent_key``): its value becomes the legacy key it
    names. Rows whose value names none, or several, are orphans, and the message shows the value."""
    frame, column = mapped.frame, f"_ref_{ref.target}"
    values = frame[_given(ref)] = frame[column]
    alternate = parent.alternates[ref.parent_key]
    frame[column] = alternate.legacy_keys(values)
    rule, named = f"ORPHAN_{mapped.entity.upper()}", f"{ref.entity} {'|'.join(ref.parent_key)}"
    blank = _reject_blank(mapped, ref, values, rejects)
    unknown = values.notna() & frame[column].isna()
    shared = unknown & values.isin(alternate.shared.index)
    rejects.add(mapped.entity, mapped.source_file, frame[unknown & ~shared], rule=rule,
                message=named + " " + values[unknown & ~shared].map(repr) + f" is not in {parent.source_file}",
                column=_where(ref), raw=values)
    rejects.add(mapped.entity, mapped.source_file, frame[shared], rule=rule,
                message=named + " " + values[shared].map(repr) + f" names more than one {ref.entity} in "
                + parent.source_file + " (" + values[shared].map(alternate.shared) + ")",
                column=_where(ref), raw=values)
    return blank | unknown


def _check_refs(mapped: MappedEntity, parents: dict[str, ParentKeys], rejects: RejectLog) -> None:
    frame = mapped.frame
    others = [r for r in mapped.mapping.refs if r.entity != mapped.entity]
    within = [r for r in mapped.mapping.refs if r.entity == mapped.entity]
    for ref in others:
        reject = _reject_unknown_alternates if ref.parent_key else _reject_orphans
        frame["_failed"] |= reject(mapped, ref, parents[ref.entity], rejects)
    if within:
        own_keys = parents[mapped.entity]  # every key of every part (the run's first pass)
        for ref in within:
            frame["_failed"] |= _reject_orphans(mapped, ref, own_keys, rejects)
    # Only now is it known which rows have no error of their own.
    candidates = ~frame["_failed"]
    for ref in others:
        frame["_failed"] |= _reject_rejected_parents(mapped, ref, parents[ref.entity], candidates, rejects)


def follow_references_within(mapped: MappedEntity, rejects: RejectLog) -> None:
    """A reference within the entity (a meter replaced by a meter, replaced in turn...) is
    followed until no more rows fall: a chain fails from its rejected end, whatever rejected it."""
    frame = mapped.frame
    within = [r for r in mapped.mapping.refs if r.entity == mapped.entity]
    while within:
        fallen = pd.Series(False, index=frame.index)
        own_keys = parent_keys(mapped, rejects)
        for ref in within:
            fallen |= _reject_rejected_parents(mapped, ref, own_keys, ~frame["_failed"] & ~fallen, rejects)
        if not fallen.any():
            return
        frame["_failed"] |= fallen


def _source_column(mapped: MappedEntity, target: str) -> str | None:
    return next((c.source for c in mapped.mapping.columns if target in c.targets), None)


def _raw(mapped: MappedEntity, target: str) -> pd.Series | None:
    """The source text behind a target column, for a reject's raw value."""
    rule = next((c for c in mapped.mapping.columns if target in c.targets), None)
    return raw_text(mapped.source, rule.inputs) if rule else None


def _check_rules(mapped: MappedEntity, context: RuleContext, rejects: RejectLog) -> None:
    context.memo.clear()
    try:
        _each_rule(mapped, context, rejects)
    finally:
        context.memo.clear()


def _each_rule(mapped: MappedEntity, context: RuleContext, rejects: RejectLog) -> None:
    frame = mapped.frame
    for rule in RULES.get(mapped.entity, ()):
        if not {rule.column, *rule.needs} <= set(frame.columns):
            continue  # the mapping does not give what the rule reads (e.g. no verification dates)
        source_column = _source_column(mapped, rule.column)
        while True:
            rows = frame[~frame["_failed"]]
            if rows.empty:
                break
            messages = rule.check(rows, context)
            broken = messages.notna()
            raw = _raw(mapped, rule.column) if source_column else rows[rule.column].astype("str")
            severity = context.severity(rule)
            rejects.add(mapped.entity, mapped.source_file, rows[broken], rule=rule.code, message=messages,
                        column=source_column, raw=raw, severity=severity)
            if severity != "error":
                break
            frame.loc[broken[broken].index, "_failed"] = True
            # A rule that compares neighbours (readings going down) runs again on what is left,
            # so each row is compared with the previous row that is actually loaded.
            if not (rule.repeat and broken.any()):
                break


def _check_target_schema(mapped: MappedEntity, schema: SchemaDef, rejects: RejectLog) -> None:
    frame = mapped.frame
    rows = frame[~frame["_failed"]]
    table = schema.table(mapped.entity)
    try:
        frame_schema(table, list(rows.columns)).validate(rows, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        whole_column = cases[cases["index"].isna()]
        if not whole_column.empty:
            # A column of the wrong type is a mapping mistake, not a bad row.
            first = whole_column.iloc[0]
            raise MappingError(
                f"{mapped.mapping.file}: target column {first['column']!r} of {mapped.entity} fails "
                f"{first['check']} (got {first['failure_case']}); check the transforms of that column"
            ) from None
        for (column, check), group in cases.groupby(["column", "check"], sort=False):
            index = pd.Index(group["index"].astype("int64").unique())
            values = pd.Series(group["failure_case"].astype("str").values, index=group["index"].astype("int64")).groupby(level=0).first()
            source_column = _source_column(mapped, column)
            rejects.add(mapped.entity, mapped.source_file, frame.loc[index], rule="TARGET_SCHEMA",
                        message=f"{column} fails the target schema check {check}: " + values.map(repr),
                        column=source_column or column, raw=_raw(mapped, column) if source_column else values)
            frame.loc[index, "_failed"] = True


def parent_keys(mapped: MappedEntity, rejects: RejectLog, rows: bool = True) -> ParentKeys:
    """Summarise a checked entity for its children: its keys and why rejected ones were (and,
    with ``rows``, the key of each source row, for children built from the same rows)."""
    frame = mapped.frame
    has_accepted_row = (~frame["_failed"]).groupby(frame["_key"], sort=False).any()
    rejected_keys = has_accepted_row.index[~has_accepted_row.to_numpy()]
    found = rejects.frame(mapped.entity)
    found = found[found["severity"] == "error"]
    first_rule = found.drop_duplicates("legacy_key").set_index("legacy_key")["rule"]
    return ParentKeys(
        accepted=KeyIndex.of(has_accepted_row.index[has_accepted_row.to_numpy()]),
        reasons=first_rule.reindex(rejected_keys).astype("object").fillna("rejected"),
        key_by_row=frame.set_index("_row")["_key"] if rows else pd.Series(dtype="str"),
        source_file=mapped.source_file,
        alternates={columns: AlternateKey.read(mapped.source, columns, frame["_key"])
                    for columns in mapped.mapping.alternate_keys},
    )


def _merge_columns(mapped: MappedEntity, rule: str) -> list[str]:
    return [t for c in mapped.mapping.columns if c.merge == rule for t in c.targets
            if t not in mapped.mapping.key_from_target]


def _warn_merge_conflicts(mapped: MappedEntity, rejects: RejectLog) -> None:
    """Rows of one merged item (a premise on several accounts' rows) that disagree on a value
    merged as ``first``: the first row's value is loaded and each disagreeing row is listed."""
    rows = mapped.frame[~mapped.frame["_failed"]]
    first = rows.drop_duplicates("_key").set_index("_key")
    aligned = first.reindex(rows["_key"]).set_axis(rows.index)
    for column in _merge_columns(mapped, "first"):
        differs = rows[column].notna() & aligned[column].notna() & (rows[column] != aligned[column])
        message = (f"{column} " + rows[column].astype("str").map(repr) + " differs from "
                   + aligned[column].astype("str").map(repr) + " on row " + aligned["_row"].astype("str")
                   + f" of the same {mapped.entity}; that first value is loaded")
        source_column = _source_column(mapped, column)
        rejects.add(mapped.entity, mapped.source_file, rows[differs.astype(bool)], rule="MERGE_CONFLICT",
                    message=message, column=source_column, raw=_raw(mapped, column), severity="warning")


def _merge_rows(mapped: MappedEntity, schema: SchemaDef) -> pd.DataFrame:
    """One row per item: the first row's values, with ``sum`` columns added up over its rows."""
    rows = mapped.frame[~mapped.frame["_failed"]]
    firsts = rows.drop_duplicates("_key")
    merged = firsts.set_index("_key", drop=False)
    table = schema.table(mapped.entity)
    for column in _merge_columns(mapped, "sum"):
        scale = table.column(column).scale
        if scale is None:  # whole numbers
            merged[column] = rows.groupby("_key", sort=False)[column].sum(min_count=1).astype("Int64")
        else:  # exact decimals travel as text: add them up as integer counts of 10^-scale
            totals = scaled(rows[column], scale).groupby(rows["_key"], sort=False).sum(min_count=1)
            merged[column] = from_scaled(totals, scale)
    return merged.set_axis(firsts.index)


def _reject_whole_items(mapped: MappedEntity, why: pd.Series, rejects: RejectLog) -> None:
    """Reject every still-accepted row of the items in ``why`` (item key -> reason): an item
    loads whole or not at all."""
    frame = mapped.frame
    falling = frame["_key"].isin(why.index) & ~frame["_failed"]
    rejects.add(mapped.entity, mapped.source_file, frame[falling], rule="MERGED_ROW_REJECTED",
                message=f"another row of the same {mapped.entity} " + frame["_key"].map(why).astype("str"),
                column=None, raw=frame["_key"])
    frame["_failed"] |= falling


def _failing_sums(mapped: MappedEntity, merged: pd.DataFrame, schema: SchemaDef) -> pd.Series:
    """Item key -> why its merged sums break the target schema (empty when none do)."""
    sums = _merge_columns(mapped, "sum")
    try:
        frame_schema(schema.table(mapped.entity), sums).validate(merged[sums], lazy=True)
    except pa.errors.SchemaErrors as exc:
        failing = exc.failure_cases.dropna(subset=["index"])
        failing = failing.assign(key=merged.loc[failing["index"].astype("int64"), "_key"].values,
                                 text=failing["column"] + " " + failing["failure_case"].astype("str"))
        return "makes a sum that fails the target schema: " + failing.groupby("key", sort=False)["text"].agg("; ".join)
    return pd.Series(dtype="str")


def _merge_items(mapped: MappedEntity, schema: SchemaDef, rejects: RejectLog) -> None:
    """Merge the rows of each item, never loading an item part of whose rows were rejected."""
    frame = mapped.frame
    partly = frame.loc[frame["_failed"], "_key"].unique()
    _reject_whole_items(mapped, pd.Series("was rejected", index=partly, dtype="str"), rejects)
    merged = _merge_rows(mapped, schema)
    failing = _failing_sums(mapped, merged, schema) if _merge_columns(mapped, "sum") else pd.Series(dtype="str")
    if not failing.empty:
        _reject_whole_items(mapped, failing, rejects)
        merged = _merge_rows(mapped, schema)
    _warn_merge_conflicts(mapped, rejects)
    mapped.accepted = merged


def check_rows(mapped: MappedEntity, parents: dict[str, ParentKeys], context: RuleContext, schema: SchemaDef,
               rejects: RejectLog) -> None:
    """The checks of each row against its neighbours and parents: duplicate keys, references,
    domain rules, the target schema (in place; on one part of an entity at a time)."""
    _reject_duplicates(mapped, rejects)
    _check_refs(mapped, parents, rejects)
    _check_rules(mapped, context, rejects)
    _check_target_schema(mapped, schema, rejects)


def merge_items(mapped: MappedEntity, schema: SchemaDef, rejects: RejectLog) -> None:
    """For a merging entity (a premise on several accounts' rows), one row per item."""
    if mapped.merges:
        _merge_items(mapped, schema, rejects)


def accepted_rows(mapped: MappedEntity) -> pd.DataFrame:
    """The rows to load: not failed, and for a merging entity the first row of each key."""
    if mapped.accepted is not None:
        return mapped.accepted
    return mapped.frame[~mapped.frame["_failed"]]

