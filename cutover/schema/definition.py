"""Read ``schemas/target.toml``, the one definition of the target schema.

Everything else (SQLAlchemy tables, pandera frame schemas, Alembic migrations) is built
from the frozen dataclasses returned here.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from cutover.errors import SchemaError
from cutover.resources import resource_dir

COLUMN_TYPES = frozenset(
    {"id", "serial", "ref", "text", "integer", "bigint", "money", "decimal", "date", "datetime", "boolean"}
)
_COLUMN_OPTIONS = frozenset(
    {"type", "nullable", "primary_key", "unique", "min", "max", "isin", "length", "on",
     "precision", "scale", "comment"}
)
_TABLE_OPTIONS = frozenset({"gloss", "columns", "unique", "key_mapped", "saved", "entity", "data"})


@dataclass(frozen=True)
class ColumnDef:
    """One column of a target table."""

    name: str
    type: str
    nullable: bool = False
    primary_key: bool = False
    unique: bool = False
    length: int | None = None
    precision: int | None = None
    scale: int | None = None
    minimum: float | int | None = None
    maximum: float | int | None = None
    isin: tuple[str, ...] | None = None
    references: str | None = None
    comment: str | None = None


@dataclass(frozen=True)
class TableDef:
    """One target table: its columns in order and its table-level options."""

    name: str
    gloss: str
    columns: tuple[ColumnDef, ...]
    unique: tuple[tuple[str, ...], ...] = ()
    key_mapped: bool = False
    saved: bool = False  # month-end copies it to saved_<name> before its load, to roll back to
    entity: bool = False  # a mapping fills it (entities/<name>.toml)
    data: bool = False  # a dry run's load empties and fills it again (every entity is data)

    def column(self, name: str) -> ColumnDef:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    @property
    def primary_key(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.primary_key or c.type in ("id", "serial"))


@dataclass(frozen=True)
class SchemaDef:
    """The whole target schema, tables in dependency order (parents first)."""

    tables: tuple[TableDef, ...] = field(default_factory=tuple)

    @property
    def entities(self) -> tuple[str, ...]:
        """The tables a mapping fills, parents first: the order entities are mapped and loaded in."""
        return tuple(table.name for table in self.tables if table.entity)

    @property
    def data_tables(self) -> tuple[str, ...]:
        """The tables a dry run's load empties and fills again, parents first."""
        return tuple(table.name for table in self.tables if table.data)

    def table(self, name: str) -> TableDef:
        for table in self.tables:
            if table.name == name:
                return table
        raise KeyError(name)


def _column(path: Path, table: str, name: str, spec: dict) -> ColumnDef:
    where = f"{path}: tables.{table}.columns.{name}"
    if not isinstance(spec, dict):
        raise SchemaError(f"{where}: expected a table like {{ type = \"text\" }}, got {spec!r}")
    unknown = set(spec) - _COLUMN_OPTIONS
    if unknown:
        raise SchemaError(f"{where}: unknown option(s) {sorted(unknown)}; expected some of {sorted(_COLUMN_OPTIONS)}")
    kind = spec.get("type")
    if kind not in COLUMN_TYPES:
        raise SchemaError(f"{where}: type {kind!r} is not one of {sorted(COLUMN_TYPES)}")
    if kind == "ref" and not spec.get("on"):
        raise SchemaError(f"{where}: a ref column needs on = \"<table>\"")
    if kind == "decimal" and not ("precision" in spec and "scale" in spec):
        raise SchemaError(f"{where}: a decimal column needs precision and scale")
    if kind == "decimal" and spec.get("min") not in (None, 0) or kind == "decimal" and "max" in spec:
        raise SchemaError(f"{where}: a decimal column supports only min = 0 (non-negative)")
    isin = spec.get("isin")
    return ColumnDef(
        name=name,
        type=kind,
        nullable=bool(spec.get("nullable", False)),
        primary_key=bool(spec.get("primary_key", False)),
        unique=bool(spec.get("unique", False)),
        length=spec.get("length"),
        precision=spec.get("precision"),
        scale=spec.get("scale"),
        minimum=spec.get("min"),
        maximum=spec.get("max"),
        isin=tuple(isin) if isin is not None else None,
        references=spec.get("on"),
        comment=spec.get("comment"),
    )


def load_schema(path: Path) -> SchemaDef:
    """Load and check a schema definition file.

    Parameters
    ----------
    path
        The TOML file (normally ``schemas/target.toml``).

    Raises
    ------
    SchemaError
        Naming the file, the key and what was expected.
    """
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SchemaError(f"reading {path}: {exc}") from exc
    tables = []
    for name, spec in document.get("tables", {}).items():
        unknown = set(spec) - _TABLE_OPTIONS
        if unknown:
            raise SchemaError(f"{path}: tables.{name}: unknown option(s) {sorted(unknown)}")
        columns = tuple(_column(path, name, col, col_spec) for col, col_spec in spec.get("columns", {}).items())
        if not columns:
            raise SchemaError(f"{path}: tables.{name}: no columns")
        tables.append(
            TableDef(
                name=name,
                gloss=spec.get("gloss", ""),
                columns=columns,
                unique=tuple(tuple(cols) for cols in spec.get("unique", ())),
                key_mapped=bool(spec.get("key_mapped", False)),
                saved=bool(spec.get("saved", False)),
                entity=bool(spec.get("entity", False)),
                data=bool(spec.get("entity", False) or spec.get("data", False)),
            )
        )
    known = {t.name for t in tables}
    for table in tables:
        for column in table.columns:
            if column.references and column.references not in known:
                raise SchemaError(
                    f"{path}: tables.{table.name}.columns.{column.name}: on = {column.references!r} is not a table"
                )
    return SchemaDef(tables=_parents_first(path, tables))


def _parents_first(path: Path, tables: list[TableDef]) -> tuple[TableDef, ...]:
    """The tables in the order their references give (a table after every table it refers to), the
    file's order where they give none.

    Raises
    ------
    SchemaError
        The references make a cycle (a table referring to itself is allowed).
    """
    parents = {table.name: {c.references for c in table.columns if c.references and c.references != table.name}
               for table in tables}
    ordered: list[TableDef] = []
    placed: set[str] = set()
    while len(ordered) < len(tables):
        ready = next((t for t in tables if t.name not in placed and parents[t.name] <= placed), None)
        if ready is None:
            cycle = sorted(name for name in parents if name not in placed)
            raise SchemaError(f"{path}: the references of tables {cycle} make a cycle; a table may refer only to "
                              f"tables that do not refer back to it")
        ordered.append(ready)
        placed.add(ready.name)
    return tuple(ordered)


@lru_cache(maxsize=1)
def target_schema() -> SchemaDef:
    """The target schema shipped with cutover."""
    return load_schema(resource_dir("schemas") / "target.toml")
