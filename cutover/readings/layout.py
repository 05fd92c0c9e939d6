"""The layout of a late-readings file: ``readings/<name>.toml`` in the project folder.

A layout is data the engineer writes once per sender (the consumers' portal, a payment agent,
a remote-reading vendor), never code::

    [layout]
    encoding = "cp1251"             # utf-8 (a BOM is skipped), cp1251, cp866, koi8-r ...
    delimiter = ";"
    header = true                   # the first line names the columns (false: columns by number, from 1)
    date_formats = ["%d.%m.%Y"]     # strptime formats, tried in order; never guessed
    decimal = ","                   # the decimal separator of the readings' values
    default_zone = "T1"             # the zone of a line that gives none
    source = "consumer"             # the reading's source in the target

    [columns]                       # field -> the file's column (its header, or its number)
    account = "ЛС"                  # the legacy account number ...
    meter_serial = "ЗавНомер"       # ... and the meter's serial on it,
    meter_key = "КодПУ"             # or the legacy meter key (either way, or both: the key first)
    zone = "Зона"                   # optional
    read_on = "Дата"
    value = "Показание"

    [zones]                         # the file's zone codes -> T1, T2, T3 (optional)
    "1" = "T1"
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from cutover.errors import ConfigError
from cutover.resources import resource_dir

FOLDER = "readings"
FIELDS = ("account", "meter_serial", "meter_key", "zone", "read_on", "value")
REQUIRED = ("read_on", "value")
ZONES = ("T1", "T2", "T3")
SOURCES = ("operator", "consumer", "agent", "remote", "inspection")
LAYOUT_KEYS = {"encoding", "delimiter", "header", "date_formats", "decimal", "default_zone", "source", "description"}


@dataclass(frozen=True)
class ReadingsLayout:
    """One sender's file of readings, as its ``readings/<name>.toml`` describes it."""

    name: str
    file: Path
    columns: dict[str, str | int]  # field -> header name, or 1-based column number without a header
    encoding: str = "utf-8"
    delimiter: str = ";"
    header: bool = True
    date_formats: tuple[str, ...] = ("%d.%m.%Y",)
    decimal: str = ","
    default_zone: str = "T1"
    source: str = "consumer"
    zones: dict[str, str] = field(default_factory=dict)

    @property
    def by_key(self) -> bool:
        return "meter_key" in self.columns

    @property
    def by_account(self) -> bool:
        return "account" in self.columns and "meter_serial" in self.columns


def _folders(project_folder: Path) -> list[Path]:
    """Where layouts are looked for: the project's ``readings/`` first, then the shipped ones."""
    return [project_folder / FOLDER, resource_dir(FOLDER)]


def layout_names(project_folder: Path) -> list[str]:
    return sorted({path.stem for folder in _folders(project_folder) for path in folder.glob("*.toml")})


def _wrong(path: Path, key: str, problem: str) -> ConfigError:
    return ConfigError(f"{path}: {key}: {problem}")


def load_layout(project_folder: Path, name: str) -> ReadingsLayout:
    """``readings/<name>.toml`` of the project (or, without one, the shipped layout of that name), checked.

    Raises
    ------
    ConfigError
        No such layout (the message lists the ones there are), or a key that is missing, unknown
        or of the wrong kind, naming the file and the key (exit code 2).
    """
    path = next((folder / f"{name}.toml" for folder in _folders(project_folder) if (folder / f"{name}.toml").is_file()),
                project_folder / FOLDER / f"{name}.toml")
    if "/" in name or "\\" in name or not path.is_file():
        known = ", ".join(layout_names(project_folder)) or "none"
        raise ConfigError(f"--layout {name}: there is no {path}; the layouts of this project: {known}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not a TOML file: {exc}") from None
    unknown = set(data) - {"layout", "columns", "zones"}
    if unknown:
        raise _wrong(path, ", ".join(sorted(unknown)), "unknown table; expected [layout], [columns], [zones]")
    settings = data.get("layout", {})
    if set(settings) - LAYOUT_KEYS:
        raise _wrong(path, "[layout] " + ", ".join(sorted(set(settings) - LAYOUT_KEYS)),
                     f"unknown key; expected one of {', '.join(sorted(LAYOUT_KEYS))}")
    columns = data.get("columns", {})
    header = settings.get("header", True)
    if not isinstance(header, bool):
        raise _wrong(path, "[layout] header", f"{header!r}: expected true or false")
    for key, column in columns.items():
        if key not in FIELDS:
            raise _wrong(path, f"[columns] {key}", f"unknown field; expected one of {', '.join(FIELDS)}")
        if header and not (isinstance(column, str) and column.strip()):
            raise _wrong(path, f"[columns] {key}", f"{column!r}: expected the column's name in the header")
        if not header and not (isinstance(column, int) and not isinstance(column, bool) and column >= 1):
            raise _wrong(path, f"[columns] {key}", f"{column!r}: expected the column's number (from 1): the file "
                                                   f"has no header (header = false)")
    for key in REQUIRED:
        if key not in columns:
            raise _wrong(path, "[columns]", f"{key} is missing: a reading needs {' and '.join(REQUIRED)}")
    if "meter_key" not in columns and not ("account" in columns and "meter_serial" in columns):
        raise _wrong(path, "[columns]", "name the meter: meter_key (the legacy meter key), or account and "
                                        "meter_serial (the legacy account number and the meter's serial)")
    zones = data.get("zones", {})
    for code, zone in zones.items():
        if zone not in ZONES:
            raise _wrong(path, f"[zones] {code}", f"{zone!r}: expected one of {', '.join(ZONES)}")
    formats = settings.get("date_formats", ["%d.%m.%Y"])
    if not (isinstance(formats, list) and formats and all(isinstance(f, str) and "%" in f for f in formats)):
        raise _wrong(path, "[layout] date_formats", f"{formats!r}: expected a list of strptime formats, "
                                                    f"e.g. [\"%d.%m.%Y\"]")
    for key, allowed in (("default_zone", ZONES), ("source", SOURCES)):
        if key in settings and settings[key] not in allowed:
            raise _wrong(path, f"[layout] {key}", f"{settings[key]!r}: expected one of {', '.join(allowed)}")
    delimiter = settings.get("delimiter", ";")
    if not (isinstance(delimiter, str) and len(delimiter) == 1):
        raise _wrong(path, "[layout] delimiter", f"{delimiter!r}: expected one character (\";\", \"|\", \"\\t\")")
    encoding = settings.get("encoding", "utf-8")
    try:
        "".encode(encoding)
    except (LookupError, TypeError):
        raise _wrong(path, "[layout] encoding", f"{encoding!r}: not an encoding Python knows") from None
    decimal = settings.get("decimal", ",")
    if decimal not in (",", "."):
        raise _wrong(path, "[layout] decimal", f"{decimal!r}: expected \",\" or \".\"")
    return ReadingsLayout(name=name, file=path, columns=dict(columns), encoding=encoding, delimiter=delimiter,
                          header=header, date_formats=tuple(formats), decimal=decimal,
                          default_zone=settings.get("default_zone", "T1"), source=settings.get("source", "consumer"),
                          zones=dict(zones))
