"""Rejects are data: one row per problem found in a source row, with where and why.

Severity ``error`` keeps the row out of the target; ``warning`` loads it and lists it.
"""

from __future__ import annotations

import pandas as pd

REJECT_COLUMNS = [
    "entity", "severity", "rule", "message", "source", "row_number", "legacy_key", "column_name", "raw_value",
]
PARENT_REJECTED = "PARENT_REJECTED"


class RejectLog:
    """Collects rejects and warnings while a run checks its rows."""

    def __init__(self) -> None:
        self._parts: list[pd.DataFrame] = []
        self._by_entity: dict[str, list[pd.DataFrame]] = {}

    def add(self, entity: str, source: str, rows: pd.DataFrame, *, rule: str, message: pd.Series | str,
            column: str | None = None, raw: pd.Series | None = None, severity: str = "error") -> None:
        """Record one problem for each of ``rows`` (a slice of a mapped frame with ``_row``, ``_key``)."""
        if rows.empty:
            return
        part = pd.DataFrame({
            "entity": entity,
            "severity": severity,
            "rule": rule,
            "message": message if isinstance(message, str) else message.loc[rows.index].astype("str"),
            "source": rows["_source"] if "_source" in rows else source,
            "row_number": rows["_row"].astype("int64"),
            "legacy_key": rows["_key"].astype("str"),
            "column_name": column,
            "raw_value": raw.loc[rows.index].astype("str") if raw is not None else None,
        }, index=rows.index)
        self._parts.append(part[REJECT_COLUMNS])
        self._by_entity.setdefault(entity, []).append(self._parts[-1])

    def parts(self) -> list[tuple[str, pd.DataFrame]]:
        """Every (entity, rejects) part recorded, in the order found (to be ``extend``-ed elsewhere)."""
        by_part = {id(part): entity for entity, parts in self._by_entity.items() for part in parts}
        return [(by_part[id(part)], part) for part in self._parts]

    def extend(self, parts: list[tuple[str, pd.DataFrame]]) -> None:
        """Add the parts another log recorded (a worker's, see ``parts``), after those found so far."""
        for entity, part in parts:
            self._parts.append(part)
            self._by_entity.setdefault(entity, []).append(part)

    def pop(self, entity: str) -> pd.DataFrame:
        """The rejects of ``entity``, taken out of the log (once written elsewhere)."""
        found = self.frame(entity)
        taken = {id(part) for part in self._by_entity.pop(entity, [])}
        self._parts = [part for part in self._parts if id(part) not in taken]
        return found

    def frame(self, entity: str | None = None) -> pd.DataFrame:
        """The rejects so far (of one entity, or all), in the order found."""
        parts = self._parts if entity is None else self._by_entity.get(entity, [])
        if not parts:
            return pd.DataFrame(columns=REJECT_COLUMNS)
        return pd.concat(parts, ignore_index=True)



def as_each_source_names(rejects: pd.DataFrame, renamed_at: dict[str, dict[str, str]]) -> pd.DataFrame:
    """``rejects`` whose column names are those of the file each row came from: ``renamed_at``
    is location -> {the entity's name: the source's own name} (``[entity.rename.<source>]``), so
    a reject of an initial reading on the meter sheet names ``НачПоказ``, not ``Показание``."""
    for location, names in renamed_at.items():
        at = (rejects["source"] == location) & rejects["column_name"].notna()
        if at.any():
            columns = rejects.loc[at, "column_name"]
            physical = {column: ", ".join(names.get(part, part) for part in column.split(", "))
                        for column in columns.unique()}  # a few distinct names, however many rejects
            rejects.loc[at, "column_name"] = columns.map(physical)
    return rejects
