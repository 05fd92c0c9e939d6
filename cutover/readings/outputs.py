"""The files a translation writes: the accepted readings, the rejected lines, a summary.

``<file>.accepted.csv``: one line per reading taken, by the new meter's id (meter_id, the new and
legacy account numbers, the serial, zone, read_on as ``YYYY-MM-DD``, value with a decimal point,
source, the line it came from, and a warning the migration's rules gave it, such as READ_ROLLOVER).
``<file>.rejected.csv``: one line per rejected line: line, rule, message, column, value, then the
line's own fields under the file's header. Both ``;``-separated, UTF-8 with a BOM (as Russian
Excel opens them), every cell a spreadsheet would take for a formula written as text.
``summary.json``: the counts, per rule, and the files.
"""

from __future__ import annotations

import json
from pathlib import Path

from cutover.extract import file_sha256
from cutover.readings.translate import Translation
from cutover.report.cells import csv_lines

BOM = "\ufeff"
DELIMITER = ";"
ACCEPTED_HEADER = ["meter_id", "account_number", "legacy_account_number", "meter_serial", "zone", "read_on", "value",
                   "source", "line", "warning"]
REJECTED_HEADER = ["line", "rule", "message", "column", "value"]


def _write(path: Path, header: list[str], rows: list[list]) -> None:
    partial = path.with_name(path.name + ".part")
    with partial.open("w", encoding="utf-8", newline="") as out:
        out.write(BOM + csv_lines([header], DELIMITER))
        out.write(csv_lines(rows, DELIMITER))
    partial.replace(path)


def summary(result: Translation, paths: dict[str, Path]) -> dict:
    return {
        "file": str(result.file), "sha256": file_sha256(result.file), "layout": result.layout.name,
        "lines": result.lines, "accepted": len(result.accepted), "rejected": result.rejected_lines,
        "warnings": result.warnings, "by_rule": result.by_rule(),
        "read_after": result.period_end.isoformat(), "loaded_run": result.loaded_run,
        "rehearsal": not result.switched, "files": {name: str(path) for name, path in paths.items()},
    }


def write_outputs(folder: Path, result: Translation) -> dict[str, Path]:
    """Write the accepted and rejected files and summary.json into ``folder``; their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = result.file.stem
    paths = {"accepted": folder / f"{stem}.accepted.csv", "rejected": folder / f"{stem}.rejected.csv",
             "summary": folder / "summary.json"}
    accepted = [[None if value is None or value != value else str(value) for value in row]
                for row in result.accepted[ACCEPTED_HEADER].itertuples(index=False)]
    _write(paths["accepted"], ACCEPTED_HEADER, accepted)
    errors = sorted((r for r in result.rejects if r["severity"] == "error"), key=lambda r: r["line"])
    _write(paths["rejected"], REJECTED_HEADER + result.header,
           [[str(r["line"]), r["rule"], r["message"], r["column"], r["value"], *r["fields"]] for r in errors])
    paths["summary"].write_text(json.dumps(summary(result, paths), ensure_ascii=False, indent=2) + "\n",
                                encoding="utf-8")
    return paths
