"""The shipped gis_excel system: a GIS ЖКХ-style workbook through its mapping, end to end.

sample_data/gis_excel/expected.json is written by make_gis_excel.py from what it put in the
workbook, independently of the engine: 60 accounts; a communal flat's premise on the rows of
several accounts (merged, area and residents summed through a join); three kinds of dirt:
D1 two premise rows of unknown accounts (JOIN_MISSING), D2 two rows of an unknown two-zone
meter (four ORPHAN_READING after the unpivot), D3 two amounts typed as text with a decimal
comma (BAD_MONEY); the 07.2026 balances are filtered out.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from support import assert_counts_match, assert_money_matches, dry_run_project, query

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_data" / "gis_excel"
EXPECTED = json.loads((SAMPLE / "expected.json").read_text(encoding="utf-8"))


def run_gis(folder: Path, target_url: str):
    return dry_run_project(folder, "gis_excel", SAMPLE, target_url=target_url)


@pytest.fixture(scope="module")
def gis_run(shipped_run):
    """One dry run into SQLite, shared by the read-only tests below."""
    return shipped_run("gis_excel")


def test_the_generator_rewrites_the_committed_workbook_byte_for_byte(tmp_path):
    spec = importlib.util.spec_from_file_location("make_gis_excel", SAMPLE / "make_gis_excel.py")
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    generator.generate(tmp_path)
    assert (tmp_path / "gis.xlsx").read_bytes() == (SAMPLE / "gis.xlsx").read_bytes()
    assert (tmp_path / "expected.json").read_text(encoding="utf-8") == (SAMPLE / "expected.json").read_text(
        encoding="utf-8")


def test_every_entity_adds_up_and_matches_the_generator(target_url, tmp_path):
    assert_counts_match(run_gis(tmp_path, target_url).summary, EXPECTED)


def test_money_matches_the_generator_to_the_kopeck(target_url, tmp_path):
    summary = run_gis(tmp_path, target_url).summary
    assert summary["money"]["period"] == "2026-10"
    assert_money_matches(summary, EXPECTED, target_url)


@pytest.mark.parametrize("dirt", EXPECTED["dirt"], ids=lambda d: f"{d['code']}-{d['rule']}")
def test_each_kind_of_dirt_ends_as_a_reject_with_its_rule(gis_run, dirt):
    result, url = gis_run
    found = query(url, "SELECT legacy_key, source FROM reject WHERE run_id = :run AND rule = :rule",
                  run=result.run_id, rule=dirt["rule"])
    assert sorted(key for key, _ in found) == sorted(dirt["keys"])
    assert {source for _, source in found} == {dirt["file"]}


def test_a_reject_names_the_sheet_row_column_and_value_as_the_cell_shows_it(gis_run):
    result, url = gis_run
    rows = query(url, "SELECT source, row_number, column_name, raw_value, message FROM reject "
                      "WHERE run_id = :run AND rule = 'BAD_MONEY' ORDER BY row_number", run=result.run_id)
    assert len(rows) == 2
    for source, row_number, column, raw, message in rows:
        assert (source, column) == ("gis.xlsx:Сальдо", "Начислено")
        assert row_number >= 4 and "," in raw and "." not in raw
        assert message == f"not an amount of money: '{raw}' (expected digits with '.' and at most two decimals)"


def test_cells_become_target_values(gis_run):
    """Spot checks against the workbook: a serial verification date, an interval in words,
    a date cell, zones from columns T1-T3, a communal flat merged from two accounts."""
    _, url = gis_run
    meter = query(url, "SELECT installed_on, verified_on, verification_interval_years, digit_capacity, zones "
                       "FROM meter WHERE serial = '21000242'")
    assert [tuple(str(v) for v in row) for row in meter] == [("2023-11-02", "2023-11-17", "6", "5", "1")]
    zones = query(url, "SELECT r.zone, COUNT(*) FROM reading r JOIN meter m ON m.id = r.meter_id "
                       "WHERE m.serial = '21000577' GROUP BY r.zone ORDER BY r.zone")
    assert zones == [("T1", 4), ("T2", 4), ("T3", 4)]
    shared = query(url, "SELECT p.residents, COUNT(a.id) FROM premise p JOIN account a ON a.premise_id = p.id "
                        "GROUP BY p.id, p.residents HAVING COUNT(a.id) > 1")
    assert len(shared) == 3
