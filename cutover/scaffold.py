"""``cutover init``: a project's first files, written from what the legacy sources hold.

``scaffold(system, source_dir, project_dir)`` looks at every file of the extract (delimited text:
its encoding guessed with ``cutover.extract.encoding``, its separator and header row from its
first lines; each sheet of an ``.xlsx`` workbook, its header row(s) from its first rows; a
``.dbf`` table; each table of a SQLite file) and writes ``mappings/<system>/system.toml`` with
one source each, one ``entities/<entity>.toml`` per target entity with every target column
present and ``"TODO"`` where the engineer decides, and ``cutover.toml``. A ``"TODO"`` never
loads: ``cutover check`` stops naming the file and key to fill.

``example(project_dir)`` copies the bundled sample (its mapping and data) and a ``cutover.toml``
for it, so ``cutover dry-run`` works right after, wherever the wheel is installed.

Neither overwrites a file: anything already there is refused (exit code 2) before a file is written.
"""

from __future__ import annotations

import itertools
import json
import re
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from cutover.errors import ConfigError, CutoverError
from cutover.extract import REGISTRY, calamine_book
from cutover.extract.encoding import detect_encoding
from cutover.mapping.model import ENGINE_COLUMNS
from cutover.resources import resource_dir
from cutover.schema.definition import target_schema

TODO = "TODO"
SEPARATORS = (";", "|", "\t", ",")
TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")  # openpyxl reads the first two, python-calamine the rest
SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3")
MEMO_SUFFIXES = (".fpt", ".dbt")
SAMPLE_LINES = 20  # lines of a text file the separator and header row are judged on
SAMPLE_ROWS = 10  # rows of a sheet the header row is looked for in
EXAMPLE = "sample_legacy"

_LATIN = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                  ("a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s",
                   "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya")))


@dataclass
class Source:
    """One source found in the extract: its name, its options for system.toml, its columns."""

    name: str
    options: dict
    columns: list[str]
    note: str = ""


@dataclass
class Scaffold:
    """What ``cutover init`` wrote, and the files of the extract it did not take."""

    written: list[Path]
    sources: list[Source]
    skipped: list[str] = field(default_factory=list)


def _quoted(value) -> str:
    """A TOML value: JSON's string escapes are TOML's basic-string escapes."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_quoted(item) for item in value) + "]"
    return str(value)


def source_name(text: str) -> str:
    """A source name from a file, sheet or table name: lower case, Latin letters, digits and ``_``.

    Examples
    --------
    >>> source_name("Сведения о ПУ"), source_name("LIC.DBF"), source_name("saldo 2026")
    ('svedeniya_o_pu', 'lic_dbf', 'saldo_2026')
    """
    latin = "".join(_LATIN.get(ch, ch) for ch in text.lower())
    name = re.sub(r"[^a-z0-9]+", "_", latin).strip("_")
    return name or "source"


def _separator(lines: list[str]) -> str:
    """The separator among ``;`` ``|`` tab ``,`` that splits the lines most alike (most fields on a tie)."""
    def score(separator: str) -> tuple[int, int]:
        counts = Counter(line.count(separator) for line in lines if line.strip())
        fields, lines_alike = max(counts.items(), key=lambda item: (item[1], item[0]), default=(0, 0))
        return (lines_alike, fields) if fields else (0, 0)

    return max(SEPARATORS, key=score)


def _delimited(path: Path, source_dir: Path) -> list[Source]:
    encoding = detect_encoding(path)
    if encoding == "utf-8-sig":
        encoding = "utf-8"  # the reader ignores a UTF-8 BOM
    with path.open("r", encoding=encoding, errors="replace", newline="") as text:
        lines = [line.rstrip("\r\n") for line, _ in zip(text, range(SAMPLE_LINES))]
    separator = _separator(lines)
    counts = [line.count(separator) for line in lines]
    usual = Counter(count for count in counts if count).most_common(1)
    skip_rows = next((i for i, count in enumerate(counts) if usual and count == usual[0][0]), 0)
    options = {"file": _relative(path, source_dir), "encoding": encoding, "separator": separator}
    if skip_rows:
        options["skip_rows"] = skip_rows
    columns = REGISTRY["delimited"].header(options, source_dir)
    return [Source(source_name(path.stem), options, columns)]


def _is_text(value) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _header_rows(rows: list[tuple]) -> tuple[int, int]:
    """(header_row, header_rows) of a sheet from its first rows.

    The header is the first row with two or more cells (a title above it has one); the row below
    continues it (a header merged over two rows, "Показания" above "T1") when it holds only text,
    some of it under a blank of the header, and is blank under some name of the header.
    """
    filled = [sum(value is not None and str(value).strip() != "" for value in row) for row in rows]
    first = next((i for i, count in enumerate(filled) if count >= 2), next((i for i, c in enumerate(filled) if c), 0))
    count = 1
    while first + count < len(rows) and count < 3:
        above = [any(_is_text(rows[r][c]) if c < len(rows[r]) else False for r in range(first, first + count))
                 for c in range(max(len(row) for row in rows))]
        below = rows[first + count]
        cells = [value for value in below if value is not None and str(value).strip()]
        if not cells or not all(isinstance(value, str) for value in cells):
            break
        under_blank = any(_is_text(value) and not above[c] for c, value in enumerate(below))
        blank_under_name = any(above[c] and (c >= len(below) or not _is_text(below[c])) for c in range(len(above)))
        if not (under_blank and blank_under_name):
            break
        count += 1
    return first + 1, count


def _sample_sheets(path: Path) -> dict[str, list[tuple]]:
    """The first ``SAMPLE_ROWS`` rows of every sheet of a workbook, by sheet name."""
    sheets = {}
    if calamine_book.handles(path):  # .xls, .xlsb, .ods
        book = calamine_book.CalamineBook(path, "")
        titles = book.sheet_names
        book.close()
        for title in titles:
            book = calamine_book.CalamineBook(path, title)  # each sheet parsed first where a crash cannot hurt
            try:
                book.select(title, f"{path}:{title}")
                sheets[title] = [tuple(values) for _, values in itertools.islice(book.rows(1, None), SAMPLE_ROWS)]
            finally:
                book.close()
        return sheets
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    try:
        for sheet in workbook.worksheets:
            sheet.reset_dimensions()
            sheets[sheet.title] = list(sheet.iter_rows(min_row=1, max_row=SAMPLE_ROWS, values_only=True))
    finally:
        workbook.close()
    return sheets


def _excel(path: Path, source_dir: Path) -> list[Source]:
    sheets = _sample_sheets(path)
    found = []
    for title, rows in sheets.items():
        if not any(any(value is not None for value in row) for row in rows):
            continue
        header_row, header_rows = _header_rows(rows)
        options = {"format": "excel", "file": _relative(path, source_dir), "sheet": title, "header_row": header_row}
        if header_rows > 1:
            options["header_rows"] = header_rows
        columns = REGISTRY["excel"].header(_without_format(options), source_dir)
        found.append(Source(source_name(title), options, columns))
    return found


def _dbf(path: Path, source_dir: Path) -> list[Source]:
    options = {"format": "dbf", "file": _relative(path, source_dir)}
    try:
        columns = REGISTRY["dbf"].header(_without_format(options), source_dir)
    except CutoverError as exc:  # most often a table whose header names no code page
        guessed = detect_encoding(path)
        options["encoding"] = guessed if guessed in ("cp866", "cp1251", "koi8-r") else "cp866"
        try:
            columns = REGISTRY["dbf"].header(_without_format(options), source_dir)
        except CutoverError:
            return [Source(source_name(path.stem), options, [], f"could not be read: {exc}")]
    return [Source(source_name(path.stem), options, columns)]


def _sqlite(path: Path, source_dir: Path) -> list[Source]:
    import sqlalchemy as sa

    engine = sa.create_engine(f"sqlite:///file:{path.resolve()}?mode=ro&uri=true")
    try:
        tables = sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()
    url = f"sqlite:///{_relative(path, source_dir)}"
    found = []
    for table in tables:
        options = {"format": "sql", "url": url, "table": table}
        found.append(Source(source_name(table), options, REGISTRY["sql"].header(_without_format(options), source_dir)))
    return found


READERS = {**{s: _delimited for s in TEXT_SUFFIXES}, **{s: _excel for s in EXCEL_SUFFIXES}, ".dbf": _dbf,
           **{s: _sqlite for s in SQLITE_SUFFIXES}}


def _without_format(options: dict) -> dict:
    return {key: value for key, value in options.items() if key != "format"}


def _relative(path: Path, folder: Path) -> str:
    return path.relative_to(folder).as_posix()


def find_sources(source_dir: Path) -> tuple[list[Source], list[str]]:
    """Every source the files of ``source_dir`` hold (sub-folders too), and the files not taken.

    Raises
    ------
    ConfigError
        ``source_dir`` is not a folder, or holds no file cutover reads.
    """
    if not source_dir.is_dir():
        raise ConfigError(f"{source_dir}: no such folder (--source-dir: the folder of the legacy extract)")
    sources, skipped, names = [], [], set()
    for path in sorted(p for p in source_dir.rglob("*") if p.is_file()):
        reader = READERS.get(path.suffix.lower())
        if reader is None and path.suffix.lower() in MEMO_SUFFIXES and any(
                path.with_suffix(suffix).exists() for suffix in (".DBF", ".dbf")):
            continue  # a DBF table's memo file, read with its table
        if reader is None:
            skipped.append(_relative(path, source_dir))
            continue
        for source in reader(path, source_dir):
            name, number = source.name, 2
            while source.name in names:
                source.name, number = f"{name}_{number}", number + 1
            names.add(source.name)
            sources.append(source)
    if not sources:
        raise ConfigError(f"{source_dir}: no source found (expected {', '.join(sorted(READERS))} files)")
    return sources, skipped


def _system_toml(system: str, sources: list[Source], skipped: list[str]) -> str:
    lines = [f"# The legacy system {system}, as `cutover init` found it: one source per file, sheet or table.",
             "# Check each guess (encoding, separator, header_row) and rename the sources as you like;",
             "# the entity files refer to these names. A source no entity uses is never read.",
             "# Mapping format: docs/mapping.md.", ""]
    if skipped:
        lines += [f"# Files not taken (not a format cutover reads): {', '.join(skipped)}", ""]
    lines += ["[system]", f"name = {_quoted(system)}", ""]
    for source in sources:
        lines.append(f"[sources.{_quoted(source.name)}]")
        lines += [f"{key} = {_quoted(value)}" for key, value in source.options.items()]
        if source.note:
            lines.append(f"# {source.note}")
        lines.append(f"# columns: {', '.join(source.columns)}" if source.columns else "# columns: none read")
        lines.append("")
    return "\n".join(lines)


def _entity_toml(entity: str, sources: list[Source]) -> str:
    table = target_schema().table(entity)
    lines = [f"# {entity} ({table.gloss}): fill every TODO, delete the blocks of nullable columns the source lacks.",
             "# The sources and their columns:"]
    lines += [f"#   {source.name}: {', '.join(source.columns)}" for source in sources]
    lines += ["", "[entity]", f"name = {_quoted(entity)}",
              f"source = {_quoted(TODO)}                # one of: {', '.join(s.name for s in sources)}"]
    if table.key_mapped:
        lines.append(f"key = [{_quoted(TODO)}]               # the source column(s) naming one {entity} in the legacy system")
    refs = []
    for column in table.columns:
        if column.type == "id" or column.name in ENGINE_COLUMNS.get(entity, ()):
            continue
        if column.type == "ref":
            refs.append(column)
            continue
        described = column.type + (f"({column.length})" if column.length else "")
        described += ", nullable" if column.nullable else ", required"
        described += f", one of {list(column.isin)}" if column.isin else ""
        described += f": {column.comment}" if column.comment else ""
        lines += ["", f"# {column.name}: {described}", "[[columns]]", f"to = {_quoted(column.name)}",
                  f"from = {_quoted(TODO)}", "transforms = []"]
    for column in refs:
        optional = ", nullable" if column.nullable else ""
        lines += ["", f"# {column.name}: the {column.references} this row belongs to{optional}", "[[refs]]",
                  f"to = {_quoted(column.name)}", f"entity = {_quoted(column.references)}",
                  f"key = [{_quoted(TODO)}]               # this source's column(s) holding the {column.references}'s key"]
    return "\n".join(lines) + "\n"


def _project_toml(system: str, source_dir: str, period: str, extra: str = "") -> str:
    return (f"# Written by `cutover init`. Fill every TODO, then run `cutover check`.\n"
            f"[project]\n"
            f"mapping = {_quoted(system)}{' ' * max(1, 24 - len(system))}# mappings/{system}/ in this folder\n"
            f"source_dir = {_quoted(source_dir)}   # the legacy extract (a relative one: from this folder)\n"
            f"period = {_quoted(period)}{' ' * 18}# the month the switch will close, YYYY-MM\n\n"
            f"[target]\n"
            f"# Overridden by --target or CUTOVER_TARGET_URL. A password comes from the environment:\n"
            f"# url = \"postgresql+psycopg://billing:${{PGPASSWORD}}@db.example/billing\"\n"
            f"url = \"sqlite:///cutover.db\"\n{extra}")


def _refuse_existing(paths: list[Path]) -> None:
    there = [path for path in paths if path.exists()]
    if there:
        more = f" (and {len(there) - 1} more of the files it writes)" if len(there) > 1 else ""
        raise ConfigError(f"{there[0]}: already there{more}; cutover init never overwrites a file: move it away, "
                          f"or give another --project folder")


def _write(files: dict[Path, str]) -> list[Path]:
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8", newline="\n") as out:  # "x": never over a file
            out.write(text)
    return list(files)


def scaffold(system: str, source_dir: Path, project_dir: Path) -> Scaffold:
    """``cutover init SYSTEM --source-dir DIR``: write cutover.toml and mappings/SYSTEM/ for the extract.

    Raises
    ------
    ConfigError
        A bad system name, no such folder or no source in it, or a file to write already there.
    """
    if not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*", system):
        raise ConfigError(f"{system!r}: a system name is a folder name of letters, digits, '_', '-' and '.'")
    mapping_dir = project_dir / "mappings" / system
    entities = target_schema().entities
    targets = [project_dir / "cutover.toml", mapping_dir / "system.toml",
               *(mapping_dir / "entities" / f"{entity}.toml" for entity in entities)]
    _refuse_existing(targets)
    sources, skipped = find_sources(source_dir)
    resolved = source_dir.resolve()
    if resolved.is_relative_to(project_dir.resolve()):
        shown = resolved.relative_to(project_dir.resolve()).as_posix() or "."
    else:
        shown = resolved.as_posix()
    files = {targets[0]: _project_toml(system, shown, TODO), targets[1]: _system_toml(system, sources, skipped)}
    files.update({path: _entity_toml(entity, sources) for path, entity in zip(targets[2:], entities)})
    return Scaffold(_write(files), sources, skipped)


EXAMPLE_GATES = ("\n[gates]\n"
                 "# The sample holds two balance rows whose money nobody can read, on purpose (\"н/д\" in\n"
                 "# Начислено, saldo.csv rows 2113 and 10010); the reports and the protocol list them.\n"
                 "accept_unreadable_rows = 2\n")


def example(project_dir: Path) -> list[Path]:
    """``cutover init --example``: the bundled sample's mapping and data, and a cutover.toml for them.

    Returns the files and folders written. Raises ConfigError when any of them is there already.
    """
    mapping = project_dir / "mappings" / EXAMPLE
    data = project_dir / "sample_data" / EXAMPLE
    config = project_dir / "cutover.toml"
    _refuse_existing([config, mapping, data])
    shutil.copytree(resource_dir("mappings") / EXAMPLE, mapping)
    shutil.copytree(resource_dir("sample_data") / EXAMPLE, data, ignore=shutil.ignore_patterns("__pycache__"))
    _write({config: _project_toml(EXAMPLE, f"sample_data/{EXAMPLE}", "2026-10", EXAMPLE_GATES)})
    return [config, mapping, data]
