"""The mapping format: one folder per legacy system, defined in this module only.

A mapping folder holds::

    system.toml            the legacy system: name and its sources (files or tables)
    entities/<entity>.toml how one target entity is built from one source
    dictionaries/<name>.toml  legacy code -> target code tables
    source_rules.toml      optional checks on the raw source values, before mapping
                           (its format: :mod:`cutover.mapping.source_rules`)

Mapping files are data. They name transforms from :mod:`cutover.mapping.transforms`;
nothing in them is executed. Every mistake is reported as a :class:`MappingError`
naming the file, the key and what was expected.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cutover.errors import MappingError
from cutover.extract import REGISTRY as EXTRACTORS
from cutover.hints import did_you_mean
from cutover.mapping.filters import FilterRule, filter_rules
from cutover.mapping.source_rules import FILE_NAME as SOURCE_RULES_FILE
from cutover.mapping.source_rules import SourceRules, parse_source_rules
from cutover.mapping.transforms import REGISTRY
from cutover.schema.definition import SchemaDef, target_schema

# Target entities a mapping may build, parents before children.
ENTITY_ORDER = target_schema().entities  # parents first, as the schema's references give them
# Target columns cutover fills itself rather than a mapping.
ENGINE_COLUMNS = {"account": frozenset({"account_number"})}
SOURCE_OPTIONS = {fmt: extractor.options for fmt, extractor in EXTRACTORS.items()}  # format -> option -> type
DUPLICATE_RULES = ("reject_all", "keep_first", "keep_last", "keep_first_if_identical", "merge")
ON_ERROR_RULES = ("reject", "warn")
MERGING_RULES = ("merge", "keep_first_if_identical")  # the rows of one key are one item
MERGE_RULES = ("first", "sum")


@dataclass(frozen=True)
class SourceSpec:
    """One legacy source (a file, a sheet, a table or a query) and how to read it."""

    name: str
    format: str
    options: dict[str, Any] = field(default_factory=dict)  # the extractor's options, file/table included


@dataclass(frozen=True)
class TransformStep:
    """A transform named in a mapping file, with its parameters."""

    name: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ColumnRule:
    """Target column(s) from source column(s) (or a constant) through transforms."""

    targets: tuple[str, ...]
    source: str | None  # the source column, or the columns joined by ", " for messages
    constant: Any
    steps: tuple[TransformStep, ...]
    required: bool
    where: str  # "file: columns[i]" for messages
    merge: str = "first"  # for a merging entity: how rows of one item combine (first, sum)
    kind: str = "text"  # what the last transform gives: text, number, money, decimal, date
    inputs: tuple[str, ...] = ()  # the source columns read (several for a transform reading columns)
    on_error: str = "reject"  # a failed conversion: "reject" the row, or "warn" and leave the value empty


@dataclass(frozen=True)
class RefRule:
    """A reference to a parent entity by the parent's legacy key."""

    target: str
    entity: str
    key: tuple[str, ...]  # source columns that spell the parent's legacy key (or its ``parent_key``)
    same_row: bool  # the parent was built from this very source row
    optional: bool
    where: str
    # The parent's source columns that ``key`` equals, when it is not the parent's legacy key but
    # another key of it (a surrogate id: ``lic_schet.id``); the key map keeps the legacy key.
    parent_key: tuple[str, ...] = ()


@dataclass(frozen=True)
class JoinRule:
    """Columns of another source brought in by key: ``<source>.<column>``."""

    source: str
    on: tuple[tuple[str, str], ...]  # (this entity's column, the joined source's column)
    columns: tuple[str, ...]
    required: bool
    where: str

    def name(self, column: str) -> str:
        return f"{self.source}.{column}"


@dataclass(frozen=True)
class Unpivot:
    """Wide to long: one row per label, with the label and the text of its column, or of each of
    its columns (several values: ``"01" = { opening = "ХВС Вх", closing = "ХВС Исх" }``)."""

    cells: tuple[tuple[str, tuple[str, ...]], ...]  # (label, the source column of each of ``values``), in order
    label: str  # the new column holding the label
    values: tuple[str, ...]  # the new columns holding the values: one (``value = "..."``) or several
    skip_blank: bool  # no row for a label whose every value is blank

    @property
    def value(self) -> str | None:
        """The one value column (None when each label gives several)."""
        return self.values[0] if len(self.values) == 1 else None

    @property
    def columns(self) -> tuple[tuple[str, str], ...]:
        """(label, source column), one per label (several values: the label's columns joined by ", ")."""
        return tuple((label, ", ".join(columns)) for label, columns in self.cells)

    @property
    def wide(self) -> tuple[str, ...]:
        """Every source column the unpivot reads, label by label."""
        return tuple(column for _, columns in self.cells for column in columns)


@dataclass(frozen=True)
class EntityMapping:
    """How one target entity is built from its source(s)."""

    entity: str
    file: Path
    source: str  # the first source; rows of ``sources`` are united (each renamed by ``renames``)
    key: tuple[str, ...]  # source columns of the legacy key
    key_from_target: tuple[str, ...]  # or target columns (a premise keyed by its address)
    on_duplicate: str
    columns: tuple[ColumnRule, ...]
    refs: tuple[RefRule, ...]
    sources: tuple[str, ...] = ()
    # [entity.rename.<source>]: per source, (source column, the entity's name for it)
    renames: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()
    filter: tuple[FilterRule, ...] = ()  # which input rows are the entity's (cutover/mapping/filters.py)
    joins: tuple[JoinRule, ...] = ()
    unpivot: Unpivot | None = None
    # Other keys children refer to this entity by (their refs' ``parent_key``): source columns read
    # so that each row's alternate key can be told its legacy key.
    alternate_keys: tuple[tuple[str, ...], ...] = ()

    @property
    def merges(self) -> bool:
        """Rows with the same key are one item: merged (a premise on several accounts' rows), or
        identical copies collapsed (``keep_first_if_identical``)."""
        return self.on_duplicate in MERGING_RULES

    def renamed(self, source: str) -> dict[str, str]:
        """Source column -> the entity's name for it, of one of its sources (``[entity.rename.<source>]``)."""
        return dict(next((pairs for name, pairs in self.renames if name == source), ()))

    def made_columns(self) -> set[str]:
        """The columns the shaping makes: joined columns, the unpivot's label and value(s)."""
        made = {join.name(c) for join in self.joins for c in join.columns}
        if self.unpivot:
            made |= {self.unpivot.label, *self.unpivot.values}
        return made

    def read_columns(self) -> set[str]:
        """The columns this entity reads from each of its own sources, by the entity's names (a
        renamed column by its new name)."""
        used = {name for c in self.columns for name in c.inputs}
        used.update(self.key)
        for ref in self.refs:
            used.update(ref.key)
        for alternate in self.alternate_keys:
            used.update(alternate)
        used.update(rule.column for rule in self.filter)
        for join in self.joins:
            used.update(left for left, _ in join.on)
        if self.unpivot:
            used.update(self.unpivot.wide)
        return used - self.made_columns()

    def needed_columns(self) -> dict[str, set[str]]:
        """Per source name, the columns this entity reads from it, as the source names them."""
        read = self.read_columns()
        needed = {}
        for source in self.sources:
            physical = {name: column for column, name in self.renamed(source).items()}
            needed[source] = {physical.get(column, column) for column in read}
        for join in self.joins:
            needed.setdefault(join.source, set()).update({right for _, right in join.on} | set(join.columns))
        return needed


@dataclass(frozen=True)
class SystemMapping:
    """A whole legacy system: its sources and its entity mappings in load order."""

    name: str
    folder: Path
    description: str
    sources: dict[str, SourceSpec]
    entities: tuple[EntityMapping, ...]
    source_rules: dict[str, SourceRules] = field(default_factory=dict)  # source_rules.toml, by source

    def entity(self, name: str) -> EntityMapping | None:
        return next((e for e in self.entities if e.entity == name), None)


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise MappingError(f"{path}: file not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"{path}: not valid TOML: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise MappingError(f"{path}: mapping files must be UTF-8: {exc}") from exc


def _expect_keys(where: str, table: dict, allowed: set[str], required: set[str] = frozenset()) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise MappingError(f"{where}: unknown key(s) {unknown}; expected some of {sorted(allowed)}")
    missing = sorted(required - set(table))
    if missing:
        raise MappingError(f"{where}: missing key(s) {missing}")


def _names(where: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise MappingError(f"{where}: expected a column name or a list of column names, got {value!r}")


def _connections(path: Path, spec: Any) -> dict[str, str]:
    """``[connections.<name>] url = "..."``: databases named once, for the sql sources to refer to."""
    if not isinstance(spec, dict):
        raise MappingError(f"{path}: connections: expected tables [connections.<name>] with url = \"...\"")
    found = {}
    for name, connection in spec.items():
        where = f"{path}: connections.{name}"
        if not isinstance(connection, dict):
            raise MappingError(f"{where}: expected a table with url = \"...\"")
        _expect_keys(where, connection, {"url"}, {"url"})
        if not isinstance(connection["url"], str):
            raise MappingError(f"{where}.url: expected text, e.g. \"mysql+pymysql://billing:${{LEGACY_PASSWORD}}@db/legacy\"")
        found[name] = connection["url"]
    return found


def _with_connection(where: str, spec: dict, connections: dict[str, str]) -> dict:
    """A sql source's ``connection = "<name>"`` as the url it names."""
    if "connection" not in spec:
        return spec
    if spec.get("format") != "sql":
        raise MappingError(f"{where}.connection: only a sql source reads through a connection")
    if "url" in spec:
        raise MappingError(f"{where}: give url or connection, not both")
    name = spec["connection"]
    if name not in connections:
        known = f"one of {sorted(connections)}" if connections else "none: add [connections.<name>] url = \"...\""
        raise MappingError(f"{where}.connection: {name!r} is not a connection of system.toml; expected {known}")
    return {**{k: v for k, v in spec.items() if k != "connection"}, "url": connections[name]}


def _source(path: Path, name: str, spec: Any, connections: dict[str, str] | None = None) -> SourceSpec:
    where = f"{path}: sources.{name}"
    if not isinstance(spec, dict):
        raise MappingError(f"{where}: expected a table with format and file (or table)")
    spec = _with_connection(where, spec, connections or {})
    fmt = spec.get("format", "delimited")
    if fmt not in EXTRACTORS:
        raise MappingError(f"{where}.format: {fmt!r} is not one of {sorted(EXTRACTORS)}")
    extractor = EXTRACTORS[fmt]
    options = {k: v for k, v in spec.items() if k != "format"}
    for key, value in options.items():
        if key not in extractor.options:
            raise MappingError(f"{where}.{key}: unknown option for a {fmt} source; expected some of {sorted(extractor.options)}")
        expected = extractor.options[key]
        if not isinstance(value, expected) or isinstance(value, bool) and expected is int:
            kind = expected.__name__ if isinstance(expected, type) else " or ".join(t.__name__ for t in expected)
            raise MappingError(f"{where}.{key}: expected {kind}, got {value!r}")
    for group in extractor.required:
        given = [key for key in group if key in options]
        if len(given) != 1:
            raise MappingError(f"{where}: a {fmt} source needs {' or '.join(group)}" +
                               (f", not both {given}" if given else ""))
    return SourceSpec(name=name, format=fmt, options=options)


def _step(where: str, spec: Any, dictionaries: Path) -> TransformStep:
    if isinstance(spec, str):
        name, params = spec, {}
    elif isinstance(spec, dict) and isinstance(spec.get("name"), str):
        name, params = spec["name"], {k: v for k, v in spec.items() if k != "name"}
    else:
        raise MappingError(f"{where}: expected a transform name or {{ name = \"...\", ... }}, got {spec!r}")
    transform = REGISTRY.get(name)
    if transform is None:
        raise MappingError(f"{where}: unknown transform {name!r}{did_you_mean([name], REGISTRY)}; expected one of "
                           f"{sorted(REGISTRY)}")
    unknown = sorted(set(params) - set(transform.params))
    if unknown:
        allowed = sorted(transform.params) or "no parameters"
        raise MappingError(f"{where}: transform {name!r} takes {allowed}, not {unknown}")
    missing = sorted(transform.required_params - set(params))
    if missing:
        raise MappingError(f"{where}: transform {name!r} needs {missing}")
    for key, value in params.items():
        if not isinstance(value, transform.params[key]):
            raise MappingError(f"{where}.{key}: expected {transform.params[key]}, got {value!r}")
    problem = transform.check(params) if transform.check else None
    if problem:
        raise MappingError(f"{where}: {problem}")
    if name == "dictionary":
        params = _dictionary_params(where, params, dictionaries)
    return TransformStep(name=name, params=params)


def _dictionary_params(where: str, params: dict, folder: Path) -> dict:
    if "file" in params:
        path = folder / f"{params['file']}.toml"
        _check_inside(f"{where}.file", params["file"], path, folder)
        if not path.is_file():
            raise MappingError(f"{where}.file: dictionary {params['file']!r} not found: expected {path}")
        table = _read_toml(path).get("codes")
        if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
            raise MappingError(f"{path}: expected a [codes] table of \"legacy code\" = \"target code\"")
        return {"table": table, "name": params["file"]}
    if "values" in params:
        return {"table": {str(k): str(v) for k, v in params["values"].items()}, "name": "inline"}
    raise MappingError(f"{where}: transform 'dictionary' needs file = \"<name>\" or values = {{ ... }}")


def _check_inside(where: str, name: str, path: Path, folder: Path) -> None:
    """A dictionary is a file of the mapping's dictionaries folder, symbolic links followed:
    ``file = "../../outside"`` or a link out of the folder is refused before it is read."""
    root = folder.resolve()
    resolved = path.resolve()
    if not resolved.is_relative_to(root):
        raise MappingError(f"{where}: dictionary {name!r} resolves to {resolved}, outside the mapping's dictionaries "
                           f"folder {root}; put the dictionary in that folder and name it by its file name without "
                           f".toml")


NUMBER_KINDS = ("number", "money")
ANY_NUMBER_OF_COLUMNS = 0  # Transform.reads of one that reads two columns or more (concat)


def _check_kinds(where: str, steps: tuple[TransformStep, ...], kind: str) -> str:
    """Each transform must get the kind of value it reads (``negate`` needs a number);
    return the kind the last one gives."""
    for index, step in enumerate(steps):
        transform = REGISTRY[step.name]
        accepted = NUMBER_KINDS if transform.takes == "number" else (transform.takes,)
        if transform.takes != "any" and kind != "any" and kind not in accepted:
            if "columns" in (kind, transform.takes):
                raise MappingError(f"{where}.transforms[{index}]: {step.name!r} reads "
                                   f"{'several columns' if transform.takes == 'columns' else 'one column'}: "
                                   f"check from = ... of this column")
            makers = sorted(n for n, t in REGISTRY.items() if t.gives in accepted and t.takes in (kind, "any"))
            raise MappingError(
                f"{where}.transforms[{index}]: {step.name!r} needs a {transform.takes}, but gets {kind}; "
                f"put one of {makers} before it"
            )
        if step.name == "default":
            _check_default(f"{where}.transforms[{index}]", step.params["value"], kind)
        kind = kind if transform.gives == "same" else transform.gives
    return kind


def _check_default(where: str, value: Any, kind: str) -> None:
    """A default must be of the kind it stands in for: a whole number among numbers, text among text."""
    whole = isinstance(value, int) and not isinstance(value, bool)
    if kind in NUMBER_KINDS and not whole:
        raise MappingError(f"{where}: the values here are {kind} (whole numbers), so the default must be one too: "
                           f"value = 0, not {value!r}")
    if kind in ("text", "decimal") and not isinstance(value, str):
        raise MappingError(f"{where}: the values here are {kind}, so the default must be text: value = \"{value}\"")
    if kind == "date":
        raise MappingError(f"{where}: put the default before the date transform, as text in one of its formats")


def _column_rule(path: Path, index: int, spec: Any, table_columns: set[str], dictionaries: Path) -> ColumnRule:
    where = f"{path}: columns[{index}]"
    if not isinstance(spec, dict):
        raise MappingError(f"{where}: expected a table with to, from and transforms")
    _expect_keys(where, spec, {"to", "from", "value", "transforms", "required", "merge", "on_error"}, {"to"})
    if spec.get("on_error", "reject") not in ON_ERROR_RULES:
        raise MappingError(f"{where}.on_error: {spec['on_error']!r} is not one of {list(ON_ERROR_RULES)}")
    if spec.get("merge", "first") not in MERGE_RULES:
        raise MappingError(f"{where}.merge: {spec['merge']!r} is not one of {list(MERGE_RULES)}")
    targets = _names(f"{where}.to", spec["to"])
    for target in targets:
        if target not in table_columns:
            raise MappingError(f"{where}.to: {target!r} is not a column of the target"
                               f"{did_you_mean([target], table_columns)}; expected one of {sorted(table_columns)}")
    if ("from" in spec) == ("value" in spec):
        raise MappingError(f"{where}: give exactly one of from = \"<source column>\" or value = <constant>")
    inputs = _names(f"{where}.from", spec["from"]) if "from" in spec else ()
    steps = tuple(_step(f"{where}.transforms[{i}]", s, dictionaries) for i, s in enumerate(spec.get("transforms", [])))
    kind = _check_kinds(where, steps, "any" if not inputs else "text" if len(inputs) == 1 else "columns")
    if len(inputs) > 1 and (not steps or REGISTRY[steps[0].name].takes != "columns"):
        readers = sorted(n for n, t in REGISTRY.items() if t.takes == "columns")
        raise MappingError(f"{where}.from: several columns need a first transform that reads them: one of {readers}")
    if len(inputs) > 1 and REGISTRY[steps[0].name].reads not in (ANY_NUMBER_OF_COLUMNS, len(inputs)):
        raise MappingError(f"{where}.from: {steps[0].name!r} reads {REGISTRY[steps[0].name].reads} columns, "
                           f"not {len(inputs)}")
    outputs = next((REGISTRY[s.name].outputs for s in steps if REGISTRY[s.name].outputs), None)
    if outputs and len(outputs) != len(targets):
        raise MappingError(f"{where}.to: transform gives {len(outputs)} columns {list(outputs)}; list as many target columns")
    if not outputs and len(targets) != 1:
        raise MappingError(f"{where}.to: expected one target column (no transform here gives several)")
    return ColumnRule(targets, ", ".join(inputs) or None, spec.get("value"), steps, bool(spec.get("required", False)),
                      where, spec.get("merge", "first"), kind, inputs, spec.get("on_error", "reject"))


def _check_mapped_once(path: Path, columns: tuple[ColumnRule, ...], refs: tuple[RefRule, ...]) -> None:
    """A target column is mapped once: a second rule would silently win, and no reconciliation
    could tell (both sides would read the winner)."""
    seen: dict[str, str] = {}
    rules = [(target, rule.where) for rule in columns for target in rule.targets] + [(r.target, r.where) for r in refs]
    for target, where in rules:
        if target in seen:
            raise MappingError(f"{where}.to: target column {target!r} is already mapped by {seen[target]}; "
                               f"map each target column once")
        seen[target] = where.split(": ", 1)[1] if ": " in where else where


def _check_column_kinds(table, columns: tuple[ColumnRule, ...], on_duplicate: str) -> None:
    """Money only from money transforms; sums only of numbers, and only where rows merge."""
    for rule in columns:
        for target in rule.targets:
            if table.column(target).type == "money" and rule.kind != "money":
                raise MappingError(f"{rule.where}: {target!r} is money (integer kopecks); its transforms must "
                                   f"include money or kopecks, but they give {rule.kind}")
        if rule.on_error == "warn":
            _check_may_warn(table, rule)
        if rule.merge == "sum" and on_duplicate != "merge":
            raise MappingError(f"{rule.where}.merge: only an entity with on_duplicate = \"merge\" merges rows")
        if rule.merge == "sum" and rule.kind not in ("number", "money", "decimal"):
            raise MappingError(f"{rule.where}.merge: \"sum\" needs numbers, but the transforms give {rule.kind}")


def _check_may_warn(table, rule: ColumnRule) -> None:
    """``on_error = "warn"`` leaves a value empty: only for an optional column, never for money."""
    for target in rule.targets:
        column = table.column(target)
        if rule.required or not column.nullable:
            raise MappingError(f"{rule.where}.on_error: \"warn\" leaves an unreadable value empty, but {target!r} is "
                               f"required; only an optional column (area, residents, a date of birth) may warn")
        if column.type == "money":
            raise MappingError(f"{rule.where}.on_error: \"warn\" would load unreadable money as nothing; money a "
                               f"mapping cannot read is rejected (and the control counts it)")


def _ref_rule(path: Path, index: int, spec: Any, table_columns: set[str]) -> RefRule:
    where = f"{path}: refs[{index}]"
    if not isinstance(spec, dict):
        raise MappingError(f"{where}: expected a table with to, entity and key")
    _expect_keys(where, spec, {"to", "entity", "key", "parent_key", "optional"}, {"to", "entity", "key"})
    if spec["to"] not in table_columns:
        raise MappingError(f"{where}.to: {spec['to']!r} is not a column of the target"
                           f"{did_you_mean([spec['to']], table_columns)}")
    if spec["entity"] not in ENTITY_ORDER:
        raise MappingError(f"{where}.entity: {spec['entity']!r} is not one of {list(ENTITY_ORDER)}")
    same_row = spec["key"] == "same_row"
    key = () if same_row else _names(f"{where}.key", spec["key"])
    parent_key = _names(f"{where}.parent_key", spec["parent_key"]) if "parent_key" in spec else ()
    if parent_key and len(parent_key) != len(key):
        raise MappingError(f"{where}.parent_key: {list(parent_key)} names {len(parent_key)} column(s) of {spec['entity']}, "
                           f"but key {list(key) if key else 'same_row'} names {len(key)}; give one parent column for each")
    return RefRule(spec["to"], spec["entity"], key, same_row, bool(spec.get("optional", False)), where, parent_key)


def _entity(path: Path, document: dict, sources: dict[str, SourceSpec], schema: SchemaDef, dictionaries: Path) -> EntityMapping:
    _expect_keys(str(path), document, {"entity", "columns", "refs", "filter", "joins", "unpivot"}, {"entity", "columns"})
    head = document["entity"]
    where = f"{path}: entity"
    _expect_keys(where, head, {"name", "source", "rename", "key", "key_from_target", "on_duplicate"}, {"name", "source"})
    name = head["name"]
    if name not in ENTITY_ORDER:
        raise MappingError(f"{where}.name: {name!r} is not a target entity; expected one of {list(ENTITY_ORDER)}")
    entity_sources = _names(f"{where}.source", head["source"])
    for source in entity_sources:
        if source not in sources:
            raise MappingError(f"{where}.source: {source!r} is not a source in system.toml; expected one of {sorted(sources)}")
    renames = _renames(f"{where}.rename", head.get("rename", {}), entity_sources)
    table = schema.table(name)
    table_columns = {c.name for c in table.columns}
    key = _names(f"{where}.key", head["key"]) if "key" in head else ()
    key_from_target = _names(f"{where}.key_from_target", head["key_from_target"]) if "key_from_target" in head else ()
    if key and key_from_target and (table.key_mapped or name == "balance"):
        why = ("the key map keeps one spelling of a key: give key or key_from_target" if table.key_mapped else
               "the money control builds a balance's key from its source columns: give key")
        raise MappingError(f"{where}: key and key_from_target together are for readings; {why}")
    if table.key_mapped and bool(key) == bool(key_from_target):
        raise MappingError(f"{where}: {name} needs a legacy key: key = [\"<source column>\"] or key_from_target = [...]")
    on_duplicate = head.get("on_duplicate", "merge" if key_from_target and not key else "reject_all")
    if on_duplicate not in DUPLICATE_RULES:
        raise MappingError(f"{where}.on_duplicate: {on_duplicate!r} is not one of {list(DUPLICATE_RULES)}")
    if on_duplicate == "keep_first_if_identical" and name == "balance":
        raise MappingError(f"{where}.on_duplicate: \"keep_first_if_identical\" is not for balances: the money control "
                           f"reads every row of the source, so a copy's money would count twice there; use "
                           f"\"reject_all\" (the copies are rejected and their money shown as rejected)")
    columns = tuple(_column_rule(path, i, s, table_columns, dictionaries) for i, s in enumerate(document["columns"]))
    unmapped = [c for c in key_from_target if c not in {t for rule in columns for t in rule.targets}]
    if unmapped:
        raise MappingError(f"{where}.key_from_target: {unmapped} are not mapped by any [[columns]] of the file")
    refs = tuple(_ref_rule(path, i, s, table_columns) for i, s in enumerate(document.get("refs", [])))
    _check_mapped_once(path, columns, refs)
    _check_column_kinds(table, columns, on_duplicate)
    mapped = {t for c in columns for t in c.targets} | {r.target for r in refs}
    provided = mapped | ENGINE_COLUMNS.get(name, frozenset())
    missing = [c.name for c in table.columns if not c.nullable and c.type != "id" and c.name not in provided]
    if missing:
        raise MappingError(f"{path}: target columns {missing} of {name} are required but not mapped")
    joins = tuple(_join(path, i, spec, sources) for i, spec in enumerate(document.get("joins", [])))
    mapping = EntityMapping(
        name, path, entity_sources[0], key, key_from_target, on_duplicate, columns, refs, sources=entity_sources,
        renames=renames, filter=filter_rules(path, document.get("filter", {})), joins=joins,
        unpivot=_unpivot(path, document.get("unpivot")),
    )
    _check_renames(f"{where}.rename", mapping)
    return mapping


def _toml_key(name: str) -> str:
    """A key as TOML writes it in a dotted key: bare (``schetchiki``, ``02``) or quoted (``"НачПоказ"``)."""
    if name and all(c.isascii() and (c.isalnum() or c in "_-") for c in name):
        return name
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _renames(where: str, spec: Any, entity_sources: tuple[str, ...]) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """``[entity.rename.<source>]``: per source of the entity, ``"<source column>" = "<the entity's column>"``."""
    if not isinstance(spec, dict):
        raise MappingError(f"{where}: expected [entity.rename.<source>] tables of \"<source column>\" = "
                           f"\"<the entity's column>\"")
    found = []
    for source, table in spec.items():
        at = f"{where}.{_toml_key(source)}"
        if source not in entity_sources:
            raise MappingError(f"{at}: {source!r} is not a source of this entity; expected one of {list(entity_sources)}")
        if not isinstance(table, dict) or not table:
            raise MappingError(f"{at}: expected \"<source column>\" = \"<the entity's column>\", ...")
        made: dict[str, str] = {}
        for column, name in table.items():
            key = f"{at}.{_toml_key(column)}"
            if not isinstance(name, str) or not name.strip():
                raise MappingError(f"{key}: expected the entity's name for {source}'s column {column!r}, got "
                                   f"{name!r}{_rename_hint(column)}")
            if name in table:
                raise MappingError(f"{key}: {name!r} is a column of {source} already (it is renamed here too); "
                                   f"rename onto a name {source} does not have")
            if name in made:
                raise MappingError(f"{key}: {made[name]!r} of {source} is renamed to {name!r} already; rename one "
                                   f"column onto each name")
            made[name] = column
        found.append((source, tuple(table.items())))
    return tuple(found)


def _rename_hint(column: str) -> str:
    """TOML puts every key after ``[entity.rename.<source>]`` into that table: say so for a key of [entity]."""
    if column not in ("name", "source", "key", "key_from_target", "on_duplicate"):
        return ""
    return (f" (is {column} a key of [entity] written after [entity.rename...]? TOML puts it in the rename table: "
            f"write the rename tables after every key of [entity])")


def _check_renames(where: str, mapping: EntityMapping) -> None:
    """A rename gives a column the entity reads, and takes none it reads under the source's own name."""
    read, made = mapping.read_columns(), mapping.made_columns()
    for source, pairs in mapping.renames:
        for column, name in pairs:
            key = f"{where}.{_toml_key(source)}.{_toml_key(column)}"
            if name in made:
                raise MappingError(f"{key}: {name!r} is a column the entity's [[joins]] or [unpivot] make, not one "
                                   f"it reads from {source}")
            if name not in read:
                raise MappingError(f"{key}: the entity reads no column {name!r}; rename a column onto one it reads "
                                   f"(in from, key, refs, filter, the joins' on or the unpivot's columns)"
                                   f"{_rename_hint(column)}")
            if column in read:
                raise MappingError(f"{key}: the entity reads {column!r} under its own name too; one column of "
                                   f"{source} cannot be two of the entity's")


def _join(path: Path, index: int, spec: Any, sources: dict[str, SourceSpec]) -> JoinRule:
    where = f"{path}: joins[{index}]"
    if not isinstance(spec, dict):
        raise MappingError(f"{where}: expected a table with source, on and columns")
    _expect_keys(where, spec, {"source", "on", "columns", "required"}, {"source", "on", "columns"})
    if spec["source"] not in sources:
        raise MappingError(f"{where}.source: {spec['source']!r} is not a source in system.toml; expected one of {sorted(sources)}")
    on = spec["on"]
    if not isinstance(on, dict) or not on or not all(isinstance(v, str) for v in on.values()):
        raise MappingError(f"{where}.on: expected {{ \"<this column>\" = \"<{spec['source']} column>\" }}")
    return JoinRule(spec["source"], tuple(on.items()), _names(f"{where}.columns", spec["columns"]),
                    bool(spec.get("required", True)), where)


def _unpivot(path: Path, spec: Any) -> Unpivot | None:
    if spec is None:
        return None
    where = f"{path}: unpivot"
    if not isinstance(spec, dict):
        raise MappingError(f"{where}: expected a table with columns, label and value")
    _expect_keys(where, spec, {"columns", "label", "value", "skip_blank"}, {"columns", "label"})
    columns = spec["columns"]
    if isinstance(columns, dict) and columns and any(isinstance(v, dict) for v in columns.values()):
        return _unpivot_several(where, spec, columns)
    if not isinstance(columns, dict) or not columns or not all(isinstance(v, str) for v in columns.values()):
        raise MappingError(f"{where}.columns: expected {{ \"<label>\" = \"<source column>\", ... }}, or for several "
                           f"values {{ \"<label>\" = {{ <value> = \"<source column>\", ... }}, ... }}")
    _expect_keys(where, spec, {"columns", "label", "value", "skip_blank"}, {"value"})
    for key in ("label", "value"):
        if not isinstance(spec[key], str):
            raise MappingError(f"{where}.{key}: expected the name of the new column")
    return Unpivot(tuple((label, (column,)) for label, column in columns.items()), spec["label"], (spec["value"],),
                   bool(spec.get("skip_blank", True)))


def _unpivot_several(where: str, spec: dict, columns: dict) -> Unpivot:
    """``"01" = { opening = "ХВС Вх", closing = "ХВС Исх" }``: one row per label, a value column per name."""
    if "value" in spec:
        raise MappingError(f"{where}.value: each label gives several values, named in columns; leave value out")
    if not isinstance(spec["label"], str):
        raise MappingError(f"{where}.label: expected the name of the new column")
    first, names = None, ()
    read: dict[str, str] = {}  # source column -> where it is read
    cells = []
    for label, cell in columns.items():
        at = f"{where}.columns.{_toml_key(label)}"
        if not isinstance(cell, dict) or not cell:
            raise MappingError(f"{at}: expected {{ <value> = \"<source column>\", ... }}, as the other labels give, "
                               f"got {cell!r}")
        if first is None:
            first, names = label, tuple(cell)
        elif set(cell) != set(names):
            raise MappingError(f"{at}: gives the values {sorted(cell)}, but {first!r} gives {sorted(names)}; every "
                               f"label gives the same values")
        for name, column in cell.items():
            if name == spec["label"] or name.startswith("_"):
                why = "it names the label column" if name == spec["label"] else "names beginning with _ are cutover's own"
                raise MappingError(f"{at}.{_toml_key(name)}: {name!r} cannot name a value column ({why})")
            if not isinstance(column, str) or not column:
                raise MappingError(f"{at}.{_toml_key(name)}: expected the source column holding {name} of "
                                   f"{label!r}, got {column!r}")
            if column in read:
                raise MappingError(f"{at}.{_toml_key(name)}: {column!r} is read by {read[column]} already; each "
                                   f"source column holds one value")
            read[column] = f"columns.{_toml_key(label)}.{_toml_key(name)}"
        cells.append((label, tuple(cell[name] for name in names)))
    return Unpivot(tuple(cells), spec["label"], names, bool(spec.get("skip_blank", True)))


def _check_ref_target(folder: Path, entity: EntityMapping, ref: RefRule, mapped: dict[str, EntityMapping]) -> None:
    parent = mapped.get(ref.entity)
    if parent is None:
        raise MappingError(f"{ref.where}.entity: {ref.entity!r} is not mapped in {folder / 'entities'}")
    if ENTITY_ORDER.index(ref.entity) > ENTITY_ORDER.index(entity.entity):
        raise MappingError(f"{ref.where}.entity: {entity.entity} cannot refer to {ref.entity}, which is loaded "
                           f"after it; the order is {list(ENTITY_ORDER)}")
    if ref.same_row and (len(entity.sources) > 1 or entity.unpivot or parent.unpivot):
        raise MappingError(f"{ref.where}.key: \"same_row\" needs both entities built row for row from one source "
                           f"(no list of sources, no unpivot); give the parent's key columns instead")
    if ref.parent_key and ref.entity == entity.entity:
        raise MappingError(f"{ref.where}.parent_key: a reference within {entity.entity} is by its legacy key "
                           f"{list(parent.key or parent.key_from_target)}; parent_key is for references to another entity")
    if ref.parent_key and not parent.key:
        raise MappingError(f"{ref.where}.parent_key: {ref.entity} is keyed by its target columns "
                           f"{list(parent.key_from_target)}; parent_key needs a parent keyed by source columns")
    if ref.same_row and parent.source != entity.source:
        raise MappingError(f"{ref.where}.key: \"same_row\" needs {ref.entity} built from the same source "
                           f"({entity.source!r}), but it is built from {parent.source!r}")


def _with_alternate_keys(parent: EntityMapping, entities: list[EntityMapping]) -> EntityMapping:
    """``parent`` reading the other keys its children refer to it by."""
    alternates = tuple(dict.fromkeys(ref.parent_key for e in entities for ref in e.refs
                                     if ref.entity == parent.entity and ref.parent_key))
    return replace(parent, alternate_keys=alternates) if alternates else parent


def load_mapping(folder: Path, schema: SchemaDef | None = None) -> SystemMapping:
    """Load and check a mapping folder.

    Raises
    ------
    MappingError
        Naming the file, the key and what was expected.
    """
    schema = schema or target_schema()
    system_file = folder / "system.toml"
    if not system_file.is_file():
        raise MappingError(f"{folder}: not a mapping folder (expected {system_file})")
    document = _read_toml(system_file)
    _expect_keys(str(system_file), document, {"system", "sources", "connections"}, {"system", "sources"})
    connections = _connections(system_file, document.get("connections", {}))
    sources = {name: _source(system_file, name, spec, connections) for name, spec in document["sources"].items()}
    entities = []
    for path in sorted((folder / "entities").glob("*.toml")):
        entities.append(_entity(path, _read_toml(path), sources, schema, folder / "dictionaries"))
    seen = [e.entity for e in entities]
    duplicates = sorted({n for n in seen if seen.count(n) > 1})
    if duplicates:
        raise MappingError(f"{folder / 'entities'}: entities {duplicates} are mapped in more than one file")
    entities.sort(key=lambda e: ENTITY_ORDER.index(e.entity))
    for entity in entities:
        for ref in entity.refs:
            _check_ref_target(folder, entity, ref, {e.entity: e for e in entities})
    entities = [_with_alternate_keys(e, entities) for e in entities]
    rules_file = folder / SOURCE_RULES_FILE
    source_rules = parse_source_rules(rules_file, _read_toml(rules_file), sources,
                                      {s for e in entities for s in e.sources}) if rules_file.is_file() else {}
    system = document["system"]
    return SystemMapping(
        name=system.get("name", folder.name), folder=folder, description=system.get("description", ""),
        sources=sources, entities=tuple(entities), source_rules=source_rules,
    )
