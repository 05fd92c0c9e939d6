"""One payment agent's registry layout, read from ``agents/<name>.toml``: the format is defined here only.

A layout is data the migration engineer writes once per agent (bank, post office, terminal
network), never code. It names the text encoding, how a line splits into fields (a delimiter,
or fixed character positions), how many header lines come first, the footer line (its marker
and which of its fields hold the control count and sum), where each column of a payment is,
how money and dates are written, and what the return registry and the key map for the agent
look like. docs/payments.md is the reference; ``agents/generic.toml`` and
``agents/fixed_width.toml`` are the shipped examples.

The project's ``agents/`` folder is looked in first, then the layouts cutover ships.
"""

from __future__ import annotations

import codecs
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from cutover.errors import ConfigError
from cutover.resources import resource_dir

AGENTS_FOLDER = "agents"
FORMATS = ("delimited", "fixed")
COLUMNS = ("legacy_account", "payer", "address", "period", "service", "amount", "paid_on", "payment_id")
REQUIRED = ("legacy_account", "amount", "payment_id")
KEYMAP_COLUMNS = ("legacy_account", "account_number", "address")
UNITS = ("roubles", "kopecks")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


@dataclass(frozen=True)
class Field:
    """Where one value is on a line: a field number (delimited, 1 = the first) or a character
    span (fixed width: ``start`` 1-based, ``width`` characters), and how it is written back."""

    name: str
    number: int | None = None
    start: int | None = None
    width: int | None = None
    align: str = "left"
    fill: str = " "

    def where(self) -> str:
        """How a message names the place: ``field 6`` or ``characters 80-91``."""
        if self.number is not None:
            return f"field {self.number}"
        return f"characters {self.start}-{self.start + self.width - 1}"

    def fitted(self, text: str) -> str:
        """``text`` padded to the field's width (fixed width), as the layout aligns it."""
        if self.width is None:
            return text
        return text.rjust(self.width, self.fill) if self.align == "right" else text.ljust(self.width, self.fill)


@dataclass(frozen=True)
class Money:
    """How amounts are written: roubles with a decimal point (and groups of three in the
    footer), or whole kopecks."""

    unit: str = "roubles"
    decimal_point: str = ","
    thousands: str = ""

    def text(self, kopecks: int) -> str:
        """``kopecks`` written as the layout writes its footer sum (``18422350`` -> ``184 223,50``)."""
        sign, kopecks = ("-" if kopecks < 0 else ""), abs(kopecks)
        if self.unit == "kopecks":
            return f"{sign}{kopecks}"
        roubles = f"{kopecks // 100:,}".replace(",", self.thousands)
        return f"{sign}{roubles}{self.decimal_point}{kopecks % 100:02d}"


@dataclass(frozen=True)
class Layout:
    """A payment agent's registry layout (``agents/<name>.toml``)."""

    name: str
    path: Path
    description: str
    encoding: str
    format: str
    delimiter: str | None
    header_lines: int
    columns: dict[str, Field]
    footer_marker: str
    footer_count: Field
    footer_sum: Field
    money: Money
    date_format: str
    reason_title: str
    language: str
    keymap_columns: tuple[Field, ...]
    keymap_header: str | None

    @property
    def record_width(self) -> int:
        """Fixed width: the characters a payment line spans (its last column's end)."""
        return max(f.start + f.width - 1 for f in self.columns.values()) if self.format == "fixed" else 0


def agent_path(project_dir: Path, name: str) -> Path:
    """The layout file of agent ``name``: the project's ``agents/<name>.toml``, else the shipped one.

    Raises
    ------
    ConfigError
        A name that is not a plain file name, or no such layout (naming the layouts there are).
    """
    if not _NAME.fullmatch(name):
        raise ConfigError(f"--agent {name!r}: an agent is named by its layout file agents/<name>.toml "
                          f"(letters, digits, '_', '-', '.')")
    folders = [Path(project_dir) / AGENTS_FOLDER, resource_dir(AGENTS_FOLDER)]
    for folder in folders:
        if (folder / f"{name}.toml").is_file():
            return folder / f"{name}.toml"
    known = sorted({p.stem for folder in folders if folder.is_dir() for p in folder.glob("*.toml")})
    raise ConfigError(f"--agent {name!r}: there is no {AGENTS_FOLDER}/{name}.toml in {Path(project_dir)} "
                      f"(layouts known: {', '.join(known) or 'none'}); see docs/payments.md")


def load_layout(project_dir: Path, name: str) -> Layout:
    """Read agent ``name``'s layout.

    Raises
    ------
    ConfigError
        The file is not valid TOML, or a key is missing, unknown or of the wrong shape: the
        message names the file and the key.
    """
    path = agent_path(project_dir, name)
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    return _Reader(path, document).layout(name)


class _Reader:
    """Reads one layout document, naming the file and key of every mistake."""

    def __init__(self, path: Path, document: dict) -> None:
        self.path, self.document = path, document
        unknown = sorted(set(document) - {"registry", "columns", "footer", "money", "dates", "returns", "keymap"})
        if unknown:
            self.fail(unknown[0], "is not a section of a layout (registry, columns, footer, money, dates, "
                                  "returns, keymap)")

    def fail(self, key: str, problem: str):
        raise ConfigError(f"{self.path}: {key} {problem}; see docs/payments.md")

    def section(self, name: str, allowed: tuple[str, ...]) -> dict:
        section = self.document.get(name, {})
        if not isinstance(section, dict):
            self.fail(f"[{name}]", "must be a table")
        for key in section:
            if key not in allowed:
                self.fail(f"[{name}] {key}", f"is not a key of [{name}] (expected one of {', '.join(allowed)})")
        return section

    def text(self, section: dict, where: str, key: str, default: str | None = None) -> str:
        value = section.get(key, default)
        if not isinstance(value, str):
            self.fail(f"[{where}] {key}", "must be text" if key in section else "is required")
        return value

    def field(self, where: str, name: str, value, fixed: bool) -> Field:
        key = f"[{where}] {name}"
        if not fixed:
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                self.fail(key, f"must be a field number (1 = the first field), not {value!r}")
            return Field(name, number=value)
        if not isinstance(value, dict) or set(value) - {"start", "width", "align", "fill"}:
            self.fail(key, "must be { start = N, width = N } (optionally align = \"left\"|\"right\", fill = \" \")")
        start, width = value.get("start"), value.get("width")
        for part, number in (("start", start), ("width", width)):
            if isinstance(number, bool) or not isinstance(number, int) or number < 1:
                self.fail(f"{key}.{part}", f"must be a whole number from 1, not {number!r}")
        align, fill = value.get("align", "left"), value.get("fill", " ")
        if align not in ("left", "right"):
            self.fail(f"{key}.align", f"must be \"left\" or \"right\", not {align!r}")
        if not isinstance(fill, str) or len(fill) != 1:
            self.fail(f"{key}.fill", f"must be one character, not {fill!r}")
        return Field(name, start=start, width=width, align=align, fill=fill)

    def layout(self, name: str) -> Layout:
        registry = self.section("registry", ("description", "encoding", "format", "delimiter", "header_lines"))
        file_format = self.text(registry, "registry", "format", "delimited")
        if file_format not in FORMATS:
            self.fail("[registry] format", f"must be one of {', '.join(FORMATS)}, not {file_format!r}")
        fixed = file_format == "fixed"
        encoding = self.text(registry, "registry", "encoding", "cp1251")
        try:
            codecs.lookup(encoding)
        except LookupError:
            self.fail("[registry] encoding", f"{encoding!r} is not an encoding Python knows (cp1251, cp866, utf-8...)")
        delimiter = None if fixed else self.text(registry, "registry", "delimiter", ";")
        if delimiter is not None and len(delimiter) != 1:
            self.fail("[registry] delimiter", f"must be one character, not {delimiter!r}")
        header_lines = registry.get("header_lines", 0)
        if isinstance(header_lines, bool) or not isinstance(header_lines, int) or header_lines < 0:
            self.fail("[registry] header_lines", f"must be a whole number from 0, not {header_lines!r}")

        columns_section = self.section("columns", COLUMNS)
        missing = [column for column in REQUIRED if column not in columns_section]
        if missing:
            self.fail("[columns]", f"needs {', '.join(missing)} (where the legacy account number, the amount and the "
                                   f"agent's payment id are)")
        columns = {column: self.field("columns", column, value, fixed) for column, value in columns_section.items()}

        footer = self.section("footer", ("marker", "count", "sum"))
        marker = self.text(footer, "footer", "marker", "=")
        if not marker:
            self.fail("[footer] marker", "must not be blank: it tells the footer line from a payment")
        for key in ("count", "sum"):
            if key not in footer:
                self.fail(f"[footer] {key}", "is required: the footer field holding the control " +
                          ("count" if key == "count" else "sum"))

        money = self.section("money", ("unit", "decimal_point", "thousands"))
        unit = self.text(money, "money", "unit", "roubles")
        if unit not in UNITS:
            self.fail("[money] unit", f"must be one of {', '.join(UNITS)}, not {unit!r}")
        point = self.text(money, "money", "decimal_point", ",")
        if point not in (",", "."):
            self.fail("[money] decimal_point", f"must be \",\" or \".\", not {point!r}")
        thousands = self.text(money, "money", "thousands", "")
        dates = self.section("dates", ("format",))
        date_format = self.text(dates, "dates", "format", "%d.%m.%Y")
        returns = self.section("returns", ("reason_title", "language"))
        language = self.text(returns, "returns", "language", "ru")
        if language not in ("ru", "en"):
            self.fail("[returns] language", f"must be \"ru\" or \"en\", not {language!r}")
        keymap = self.section("keymap", ("columns", "header"))
        if "header" in keymap:
            self.text(keymap, "keymap", "header")
        return Layout(
            name=name, path=self.path, description=self.text(registry, "registry", "description", ""),
            encoding=encoding, format=file_format, delimiter=delimiter, header_lines=header_lines, columns=columns,
            footer_marker=marker, footer_count=self.field("footer", "count", footer["count"], fixed),
            footer_sum=self.field("footer", "sum", footer["sum"], fixed),
            money=Money(unit, point, thousands), date_format=date_format,
            reason_title=self.text(returns, "returns", "reason_title", ""), language=language,
            keymap_columns=self._keymap_columns(keymap, fixed),
            keymap_header=keymap.get("header"),
        )

    def _keymap_columns(self, keymap: dict, fixed: bool) -> tuple[Field, ...]:
        listed = keymap.get("columns", list(KEYMAP_COLUMNS))
        if not isinstance(listed, list) or not listed:
            self.fail("[keymap] columns", "must be a list of columns")
        made = []
        for number, column in enumerate(listed, 1):
            spec = column if isinstance(column, dict) else {"name": column}
            name = spec.get("name")
            if name not in KEYMAP_COLUMNS:
                self.fail("[keymap] columns", f"names {name!r}: expected {', '.join(KEYMAP_COLUMNS)}")
            if fixed:
                width = spec.get("width")
                if isinstance(width, bool) or not isinstance(width, int) or width < 1:
                    self.fail(f"[keymap] columns ({name})", "needs width = N in a fixed-width layout")
                made.append(Field(name, width=width, start=1, align=spec.get("align", "left")))
            else:
                made.append(Field(name, number=number))
        return tuple(made)
