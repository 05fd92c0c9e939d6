"""Late readings: readings sent after the switch by legacy account and meter become readings of
the new meters, checked as the migration checked its readings.

Each line of the file goes through, in order (a line stops at its first error):

1. ``BAD_LINE``: not as many fields as the header;
2. ``REQUIRED``, ``BAD_NUMBER``, ``BAD_DATE``, ``UNKNOWN_CODE``: the value, the date and the zone
   read by the migration's own transforms (``decimal``, ``date``, ``dictionary``), with their messages;
3. the meter: by the legacy meter key (the key map), else by the legacy account number and the
   meter's serial. Not migrated: ``ORPHAN_READING``, or ``PARENT_REJECTED`` naming the rule that
   rejected the meter or account at the migration;
4. ``DUPLICATE_KEY``: the same meter, zone and date on several lines (none is taken);
5. ``READ_NOT_AFTER_LAST``: dated on or before the last reading the target holds of the meter
   and zone (a reading sent again, or one the new system has already);
6. the migration's domain rules of readings (``cutover.pipeline.rules.RULES["reading"]``:
   ``READ_FUTURE``, ``READ_DECREASE``, ``READ_ROLLOVER``), run exactly as a dry run runs them, on
   the target's last reading of each meter and zone followed by the file's readings of it, with
   the project's ``[rules]`` severities; the target's readings are only compared with, never rejected.

The target is only read: the accepted readings are a file for the new system to load.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from cutover.errors import ConfigError
from cutover.frames.keyindex import KeyIndex
from cutover.mapping.transforms import REGISTRY
from cutover.periods import next_period
from cutover.pipeline.rules import RULES, RuleContext
from cutover.readings import meters
from cutover.readings.layout import ReadingsLayout, load_layout
from cutover.readings.source import read_lines
from cutover.schema.tables import target_metadata
from cutover.target import db
from cutover.target.account_map import account_count
from cutover.target.opening import last_day
from cutover.workspace import Workspace

VALUE_SCALE, VALUE_PRECISION = 7, 22  # the target's reading.value (schemas/target.toml)


@dataclass
class Translation:
    """What became of a file of late readings."""

    file: Path
    layout: ReadingsLayout
    period_end: dt.date
    loaded_run: str | None
    switched: bool
    lines: int = 0
    header: list[str] = field(default_factory=list)  # the file's header (or its column numbers)
    accepted: pd.DataFrame = field(default_factory=pd.DataFrame)  # one row per reading taken
    rejects: list[dict] = field(default_factory=list)  # line, rule, severity, message, column, value, fields

    @property
    def rejected_lines(self) -> int:
        return len({r["line"] for r in self.rejects if r["severity"] == "error"})

    @property
    def warnings(self) -> int:
        return sum(1 for r in self.rejects if r["severity"] == "warning")

    def by_rule(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for reject in self.rejects:
            counts[reject["rule"]] = counts.get(reject["rule"], 0) + 1
        return dict(sorted(counts.items()))


class _Lines:
    """The file's lines as they go through the checks: which failed, and every reject."""

    def __init__(self, frame: pd.DataFrame, layout: ReadingsLayout, rejects: list[dict]) -> None:
        self.frame, self.layout, self.rejects = frame, layout, rejects
        self.frame["_failed"] = False

    @property
    def open(self) -> pd.Series:
        return ~self.frame["_failed"]

    def reject(self, mask: pd.Series, rule: str, message, field_name: str | None, severity: str = "error") -> None:
        mask = mask.reindex(self.frame.index, fill_value=False).astype(bool) & self.open
        if not mask.any():
            return
        messages = message if isinstance(message, pd.Series) else pd.Series(message, index=self.frame.index)
        column = str(self.layout.columns[field_name]) if field_name in self.layout.columns else None
        for at in self.frame.index[mask.to_numpy()]:
            row = self.frame.loc[at]
            value = row[field_name] if field_name in self.frame.columns else None
            self.rejects.append({"line": int(row["_line"]), "rule": rule, "severity": severity,
                                 "message": str(messages[at]), "column": column,
                                 "value": None if pd.isna(value) else str(value), "fields": list(row["_fields"])})
        if severity == "error":
            self.frame.loc[mask, "_failed"] = True


def _blank(values: pd.Series) -> pd.Series:
    return values.isna() | (values.astype("str").str.strip() == "")


def _parse(lines: _Lines, field_name: str, transform: str, **params) -> pd.Series:
    """``field_name`` read by the migration's transform; a blank is REQUIRED, a bad value the transform's rule."""
    values = lines.frame[field_name]
    lines.reject(_blank(values), "REQUIRED", f"{field_name} is required but {lines.layout.columns[field_name]} "
                                             f"is blank", field_name)
    done = REGISTRY[transform].function(values.fillna(""), **params)
    lines.reject(done.errors.notna() & ~_blank(values), REGISTRY[transform].rule, done.errors, field_name)
    return done.values


def _zones(lines: _Lines) -> pd.Series:
    layout = lines.layout
    if "zone" not in lines.frame.columns:
        return pd.Series(layout.default_zone, index=lines.frame.index, dtype="str")
    raw = lines.frame["zone"]
    table = layout.zones or {zone: zone for zone in ("T1", "T2", "T3")}
    done = REGISTRY["dictionary"].function(raw, table=table, name=f"[zones] of {layout.file.name}")
    lines.reject(done.errors.notna(), "UNKNOWN_CODE", done.errors, "zone")
    return done.values.where(~_blank(raw), layout.default_zone)


def _reject_not_migrated(lines: _Lines, missing: pd.Series, names: pd.Series, rejected: dict[str, str], noun: str,
                         column: str, why: str) -> None:
    """The lines whose meter or account (``names``) the target lacks: rejected at the migration
    (PARENT_REJECTED, with the migration's rule) or never there (ORPHAN_READING)."""
    was = missing & names.isin(list(rejected))
    lines.reject(was, "PARENT_REJECTED", f"{noun} " + names.map(repr) + " was rejected ("
                 + names.map(lambda key: rejected.get(key, "")) + ") at the migration", column)
    lines.reject(missing & ~was, "ORPHAN_READING", f"{noun} " + names.map(repr) + f" is not in the target: {why}",
                 column)


def _resolve(lines: _Lines, connection, loaded_run: str | None) -> pd.Series:
    """Each line's meter (a :class:`meters.Meter`), missing where a line names none migrated."""
    frame, layout = lines.frame, lines.layout
    found = pd.Series(None, index=frame.index, dtype="object")
    keyed = pd.Series(False, index=frame.index)
    if layout.by_key:
        keys = frame["meter_key"].str.strip()
        keyed = ~_blank(frame["meter_key"]) & lines.open
        known = meters.by_key(connection, keys[keyed])
        found[keyed] = keys[keyed].map(known)
        missing = keyed & found.isna()
        _reject_not_migrated(lines, missing, keys, meters.rejected_keys(connection, loaded_run, "meter", keys[missing]),
                             "meter", "meter_key", "no migrated meter has that legacy key")
    if layout.by_account:
        todo = ~keyed & lines.open
        accounts, serials = frame["account"].str.strip(), frame["meter_serial"].str.split().str.join(" ")
        lines.reject(todo & _blank(frame["account"]), "REQUIRED", f"account is required but {layout.columns['account']} "
                     f"is blank", "account")
        lines.reject(todo & _blank(frame["meter_serial"]), "REQUIRED", f"meter_serial is required but "
                     f"{layout.columns['meter_serial']} is blank", "meter_serial")
        todo &= lines.open
        known = meters.by_account(connection, accounts[todo])
        unknown = todo & ~accounts.isin(list(known))
        _reject_not_migrated(lines, unknown, accounts,
                             meters.rejected_keys(connection, loaded_run, "account", accounts[unknown]),
                             "account", "account", "no migrated account has that legacy number")
        todo &= lines.open
        for at in frame.index[todo.to_numpy()]:
            same = [m for m in known[accounts[at]] if m.serial == serials[at]]
            if len(same) > 1:
                same = [m for m in same if m.status == "active"] or same
            found[at] = same[0] if len(same) == 1 else None
            if len(same) > 1:
                lines.reject(pd.Series(True, index=[at]), "ORPHAN_READING",
                             f"meter account|meter_serial {accounts[at] + '|' + serials[at]!r} names more than one "
                             f"meter in the target", "meter_serial")
        lines.reject(todo & found.isna(), "ORPHAN_READING", "meter account|meter_serial " + (accounts + "|" + serials)
                     .map(repr) + " is not in the target: the account has no migrated meter of that serial",
                     "meter_serial")
    if not layout.by_account:
        lines.reject(lines.open & ~keyed, "REQUIRED", f"meter_key is required but {layout.columns['meter_key']} "
                                                      f"is blank", "meter_key")
    return found.where(lines.open, None)


def _duplicates(lines: _Lines, meter_ids: pd.Series, zones: pd.Series, dates: pd.Series) -> None:
    key = meter_ids.astype("str") + "|" + zones.astype("str") + "|" + dates.dt.strftime("%Y-%m-%d")
    key = key.where(lines.open, None)
    repeated = key.notna() & key.duplicated(keep=False)
    counts = key[repeated].map(key[repeated].value_counts()).astype("str")
    lines.reject(repeated, "DUPLICATE_KEY", "the reading of meter " + meter_ids.astype("str") + " zone " + zones
                 + " on " + dates.dt.strftime("%d.%m.%Y") + " occurs " + counts + " times in the file; none of "
                 "them is taken", "read_on")


def _not_after_last(lines: _Lines, meter_ids: pd.Series, zones: pd.Series, dates: pd.Series, last: dict) -> None:
    held = pd.Series([last.get((int(m), z)) if pd.notna(m) else None for m, z in zip(meter_ids, zones)],
                     index=lines.frame.index, dtype="object")
    held_on = pd.to_datetime(held.map(lambda h: h[0] if h else None), errors="coerce")
    before = lines.open & held_on.notna() & (dates <= held_on)
    message = ("read on " + dates.dt.strftime("%d.%m.%Y") + ", not after the last reading the target holds of the "
               "meter and zone (" + held_on.dt.strftime("%d.%m.%Y") + ": " + held.map(lambda h: h[1] if h else "")
               + ")")
    lines.reject(before, "READ_NOT_AFTER_LAST", message, "read_on")


def _domain_rules(lines: _Lines, found: pd.Series, meter_ids: pd.Series, zones: pd.Series, dates: pd.Series,
                  values: pd.Series, last: dict, context: RuleContext) -> None:
    """The migration's rules of readings on the target's last readings followed by the file's."""
    taken = lines.open
    held = pd.DataFrame([{"_ref_meter_id": str(m), "zone": z, "read_on": pd.Timestamp(on), "value": v}
                         for (m, z), (on, v) in last.items()], columns=["_ref_meter_id", "zone", "read_on", "value"])
    late = pd.DataFrame({"_ref_meter_id": meter_ids[taken].astype("int64").astype("str"), "zone": zones[taken],
                         "read_on": dates[taken], "value": values[taken]})
    rows = pd.concat([held.assign(_late=False, _at=-1), late.assign(_late=True, _at=late.index)], ignore_index=True)
    rows["read_on"] = rows["read_on"].astype("datetime64[us]")
    rows["_failed"] = False
    rule_columns = {"read_on": "read_on", "value": "value"}
    context.memo.clear()
    try:
        for rule in RULES["reading"]:
            while True:
                candidates = rows[~rows["_failed"]]
                if candidates.empty:
                    break
                messages = rule.check(candidates, context)
                broken = messages.notna() & candidates["_late"]
                severity = context.severity(rule)
                at = candidates.loc[broken, "_at"]
                lines.reject(pd.Series(True, index=at.to_numpy()), rule.code,
                             pd.Series(messages[broken].to_numpy(), index=at.to_numpy()),
                             rule_columns.get(rule.column), severity)
                if severity != "error":
                    break
                rows.loc[broken[broken].index, "_failed"] = True
                if not (rule.repeat and broken.any()):
                    break
    finally:
        context.memo.clear()


def default_period(connection) -> str | None:
    """The open period of the target (the month the switch opened, or a later one the new system opened)."""
    period = target_metadata().tables["period"]
    return connection.execute(sa.select(sa.func.max(period.c.month)).where(period.c.status == "open")).scalar()


def translate(ws: Workspace, path: Path, layout_name: str, period: str | None = None) -> Translation:
    """Translate the late readings in ``path`` by ``readings/<layout_name>.toml``.

    Raises
    ------
    ConfigError
        No such layout, a layout that is wrong, or a target with no migrated data (exit code 2).
    ExtractError
        The file cannot be read by its layout (exit code 2).
    """
    project = ws.project
    layout = load_layout(project.folder, layout_name)
    read = read_lines(path, layout)
    db.check_connection(ws.engine)
    with ws.engine.connect() as connection:
        if not account_count(connection):
            raise ConfigError("the target holds no migrated accounts yet: late readings are translated after the "
                              "switch (`cutover month-end`), or for a rehearsal after a dry run")
        run_id, switched = meters.loaded_run(connection)
        month = period or default_period(connection) or next_period(project.period)
        result = Translation(path, layout, last_day(month), run_id, switched, lines=len(read.rows), header=read.header)
        frame = read.rows.copy()
        lines = _Lines(frame, layout, result.rejects)
        lines.reject(read.short, "BAD_LINE", f"the line has another number of fields than the header "
                                             f"({len(read.header)})", None)
        values = _parse(lines, "value", "decimal", decimal=layout.decimal, scale=VALUE_SCALE,
                        precision=VALUE_PRECISION)
        dates = _parse(lines, "read_on", "date", formats=list(layout.date_formats))
        zones = _zones(lines)
        found = _resolve(lines, connection, run_id)
        meter_ids = found.map(lambda m: m.id if m is not None else None).astype("Int64")
        _duplicates(lines, meter_ids, zones, dates)
        last = meters.last_readings(connection, meter_ids[lines.open].dropna().astype("int64").tolist())
    _not_after_last(lines, meter_ids, zones, dates, last)
    chosen = found[lines.open].dropna()
    digits = {str(m.id): m.digit_capacity for m in chosen}
    context = RuleContext(period_end=result.period_end, severities=dict(project.severities),
                          parents={"meter": {"digit_capacity": KeyIndex.of(pd.Index(list(digits), dtype="str"),
                                                                           list(digits.values()))}})
    relevant = {key: held for key, held in last.items() if str(key[0]) in digits}
    _domain_rules(lines, found, meter_ids, zones, dates, values, relevant, context)
    taken = lines.open
    warned = {r["line"]: f"{r['rule']}: {r['message']}" for r in result.rejects if r["severity"] == "warning"}
    result.accepted = pd.DataFrame({
        "meter_id": meter_ids[taken].astype("int64"),
        "account_number": found[taken].map(lambda m: m.account_number),
        "legacy_account_number": found[taken].map(lambda m: m.legacy_account_number),
        "meter_serial": found[taken].map(lambda m: m.serial),
        "zone": zones[taken], "read_on": dates[taken].dt.strftime("%Y-%m-%d"), "value": values[taken],
        "source": layout.source, "line": frame.loc[taken, "_line"],
        "warning": frame.loc[taken, "_line"].map(warned),
    })
    return result
