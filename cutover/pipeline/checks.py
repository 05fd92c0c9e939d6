"""The check stage: duplicate keys, references to parents, domain rules, target schema.

Entities are checked parents first, so a child sees which parent keys were accepted.
A row keeps every error of its own; ``PARENT_REJECTED`` is recorded only for a row with
no error of its own, pointing at the parent and the parent's rule.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa

from cutover.mapping.model import RefRule
from cutover.pipeline.mapstage import MappedEntity
from cutover.pipeline.rejects import PARENT_REJECTED, RejectLog
from cutover.pipeline.rules import RULES, RuleContext
from cutover.schema.definition import SchemaDef
from cutover.schema.frames import frame_schema


@dataclass(frozen=True)
class ParentKeys:
    """What children need to know of a checked parent entity."""

    known: pd.Index  # every legacy key in the source
    reasons: pd.Series  # rejected key -> the rule that rejected it
    key_by_row: pd.Series  # source row number -> legacy key (for same-row references)
    source_file: str

    def accepted(self, keys: pd.Series) -> pd.Series:
        return keys.isin(self.known) & ~keys.isin(self.reasons.index)


def _reject_duplicates(mapped: MappedEntity, rejects: RejectLog) -> None:
    if mapped.merges:
        return
    frame = mapped.frame
    duplicated = frame["_key"].duplicated(keep=False) & ~frame["_key"].str.startswith("#row")
    counts = frame["_key"].map(frame["_key"].value_counts())
    rejects.add(mapped.entity, mapped.source_file, frame[duplicated], rule="DUPLICATE_KEY",
                message="legacy key " + frame["_key"].map(repr) + " occurs " + counts.astype("str")
                + " times; none of them is loaded",
                column=", ".join(mapped.mapping.key), raw=frame["_key"])
    frame["_failed"] |= duplicated


def _check_ref(mapped: MappedEntity, ref: RefRule, parent: ParentKeys, own_errors: pd.Series,
               rejects: RejectLog) -> pd.Series:
    """Record orphans and rejected parents for one reference; return the rows it rejects."""
    frame = mapped.frame
    column = f"_ref_{ref.target}"
    if ref.same_row:
        frame[column] = frame["_row"].map(parent.key_by_row)
    keys = frame[column]
    blank = keys.isna()
    orphan = (~blank & ~keys.isin(parent.known)) | (blank & (not ref.optional))
    where = ", ".join(ref.key) or "the same row"
    rejects.add(mapped.entity, mapped.source_file, frame[orphan], rule=f"ORPHAN_{mapped.entity.upper()}",
                message=f"{ref.entity} " + keys.map(repr) + f" is not in {parent.source_file}",
                column=where, raw=keys)
    parent_rejected = ~blank & keys.isin(parent.reasons.index) & ~own_errors & ~orphan
    rejects.add(mapped.entity, mapped.source_file, frame[parent_rejected], rule=PARENT_REJECTED,
                message=f"{ref.entity} " + keys.map(repr) + " was rejected (" + keys.map(parent.reasons) + ")",
                column=where, raw=keys)
    return orphan | parent_rejected


def _check_refs(mapped: MappedEntity, parents: dict[str, ParentKeys], rejects: RejectLog) -> None:
    frame = mapped.frame
    own_errors = frame["_failed"].copy()
    others = [r for r in mapped.mapping.refs if r.entity != mapped.entity]
    for ref in others:
        frame["_failed"] |= _check_ref(mapped, ref, parents[ref.entity], own_errors, rejects)
    for ref in (r for r in mapped.mapping.refs if r.entity == mapped.entity):
        # A reference within the entity (a meter replaced by a meter) sees its accepted rows.
        frame["_failed"] |= _check_ref(mapped, ref, parent_keys(mapped, rejects), own_errors, rejects)


def _source_column(mapped: MappedEntity, target: str) -> str | None:
    return next((c.source for c in mapped.mapping.columns if target in c.targets), None)


def _check_rules(mapped: MappedEntity, context: RuleContext, rejects: RejectLog) -> None:
    frame = mapped.frame
    for rule in RULES.get(mapped.entity, ()):
        rows = frame[~frame["_failed"]]
        if rows.empty:
            continue
        messages = rule.check(rows, context)
        broken = messages.notna()
        source_column = _source_column(mapped, rule.column)
        raw = mapped.source[source_column] if source_column else rows[rule.column].astype("str")
        rejects.add(mapped.entity, mapped.source_file, rows[broken], rule=rule.code, message=messages,
                    column=source_column, raw=raw, severity=rule.severity)
        if rule.severity == "error":
            frame.loc[broken[broken].index, "_failed"] = True


def _check_target_schema(mapped: MappedEntity, schema: SchemaDef, rejects: RejectLog) -> None:
    frame = mapped.frame
    rows = frame[~frame["_failed"]]
    table = schema.table(mapped.entity)
    try:
        frame_schema(table, list(rows.columns)).validate(rows, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases.dropna(subset=["index"])
        for (column, check), group in cases.groupby(["column", "check"], sort=False):
            index = pd.Index(group["index"].astype("int64").unique())
            values = pd.Series(group["failure_case"].astype("str").values, index=group["index"].astype("int64")).groupby(level=0).first()
            rejects.add(mapped.entity, mapped.source_file, frame.loc[index], rule="TARGET_SCHEMA",
                        message=f"{column} fails the target schema check {check}",
                        column=_source_column(mapped, column) or column, raw=values)
            frame.loc[index, "_failed"] = True


def parent_keys(mapped: MappedEntity, rejects: RejectLog) -> ParentKeys:
    """Summarise a checked entity for its children: its keys and why rejected ones were."""
    frame = mapped.frame
    accepted_keys = set(frame.loc[~frame["_failed"], "_key"])
    rejected_keys = pd.Index(frame.loc[~frame["_key"].isin(accepted_keys), "_key"].unique())
    found = rejects.frame()
    found = found[(found["entity"] == mapped.entity) & (found["severity"] == "error")]
    first_rule = found.drop_duplicates("legacy_key").set_index("legacy_key")["rule"]
    return ParentKeys(
        known=pd.Index(frame["_key"].unique()),
        reasons=first_rule.reindex(rejected_keys).fillna("rejected"),
        key_by_row=frame.set_index("_row")["_key"],
        source_file=mapped.source_file,
    )


def check_entity(mapped: MappedEntity, parents: dict[str, ParentKeys], context: RuleContext,
                 schema: SchemaDef, rejects: RejectLog) -> ParentKeys:
    """Run every check on one mapped entity (in place) and summarise it for its children."""
    _reject_duplicates(mapped, rejects)
    _check_refs(mapped, parents, rejects)
    _check_rules(mapped, context, rejects)
    _check_target_schema(mapped, schema, rejects)
    return parent_keys(mapped, rejects)


def accepted_rows(mapped: MappedEntity) -> pd.DataFrame:
    """The rows to load: not failed, and for a merging entity the first row of each key."""
    rows = mapped.frame[~mapped.frame["_failed"]]
    return rows.drop_duplicates("_key") if mapped.merges else rows


def item_counts(mapped: MappedEntity) -> dict[str, int]:
    """source_rows, loaded and rejected, counting a merging entity's keys instead of rows."""
    frame = mapped.frame
    if mapped.merges:
        keys = frame["_key"]
        loaded = accepted_rows(mapped)["_key"].nunique()
        source_rows = keys.nunique()
    else:
        loaded = int((~frame["_failed"]).sum())
        source_rows = len(frame)
    return {"source_rows": int(source_rows), "loaded": int(loaded), "rejected": int(source_rows - loaded)}
