"""The DOS-era DBF system dbf_legacy: its generator, and its dry run against expected.json.

sample_data/dbf_legacy/expected.json is written by make_dbf_legacy.py from what it put in the
tables (the dirt is listed in sample_data/dbf_legacy/README.md), independently of the engine.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "sample_data" / "dbf_legacy"
SCRIPT = DATA / "make_dbf_legacy.py"
EXPECTED = json.loads((DATA / "expected.json").read_text(encoding="utf-8"))
TABLES = ["LIC.DBF", "LIC.FPT", "ULICY.DBF", "USLUGI.DBF", "SCHET.DBF", "POKAZ.DBF", "SALDO.DBF", "expected.json"]


def test_the_committed_tables_are_what_the_generator_writes(tmp_path):
    proc = subprocess.run([sys.executable, str(SCRIPT), "--out", str(tmp_path)], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(TABLES)
    for name in TABLES:
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), (
            f"{name} drifted: run python sample_data/dbf_legacy/make_dbf_legacy.py and commit sample_data/dbf_legacy")


def test_expected_counts_add_up():
    for name, counts in EXPECTED["entities"].items():
        assert counts["source_rows"] == counts["loaded"] + counts["rejected"], name
        assert sum(EXPECTED["rejects_by_rule"].get(name, {}).values()) == counts["rejected"], name
    for code, line in EXPECTED["money"]["services"].items():
        assert line["source"] == line["target"] + line["rejected"], code
        assert line["target"] == EXPECTED["target_totals"]["2026-10"][code]["closing"], code
    for measures in (m for codes in EXPECTED["target_totals"].values() for m in codes.values()):
        assert measures["closing"] == (measures["opening"] + measures["charged"] + measures["recalculated"]
                                       - measures["paid"])
