"""The run's result is one object (RunSummary); summary.json and the journal's summary are its
serialisation, in the format documented in cutover.report.data, and reading either back gives the
same object."""

from __future__ import annotations

import json

import pytest

from cutover.reconcile.result import Amounts, RunSummary, kopecks_of
from cutover.report.console import render_run

SHIPPED = ["sample_legacy", "dbf_legacy", "gis_excel", "sql_legacy", "housing_ods"]


@pytest.mark.parametrize("system", SHIPPED)
def test_the_result_of_a_shipped_run_survives_its_serialisation(shipped_run, system):
    result, _ = shipped_run(system)
    summary = result.run_summary
    assert RunSummary.from_dict(summary.to_dict()) == summary
    assert result.summary == summary.to_dict()
    on_disk = json.loads((result.report_dir / "summary.json").read_text(encoding="utf-8"))
    assert RunSummary.from_dict(on_disk) == summary
    assert RunSummary.from_dict(on_disk).to_dict() == on_disk  # the format, key for key


@pytest.mark.parametrize("system", SHIPPED)
def test_money_is_kopecks_in_the_object_and_rouble_text_in_json(shipped_run, system):
    result, _ = shipped_run(system)
    summary, written = result.run_summary, result.summary
    closing = summary.money.total["closing"]
    assert all(isinstance(kopecks, int) for kopecks in (closing.source, closing.target, closing.rejected))
    assert kopecks_of(written["money"]["total"]["target"]) == closing.target
    assert summary.money_lines[-1].service == "total"
    assert summary.status == "reconciled" and not summary.differing_money and not summary.unbalanced_entities


def test_a_failed_run_keeps_only_what_it_got_to():
    failed = {"run_id": "20261122-180000-dry-run-abcd", "kind": "dry-run", "status": "failed", "cutover_version": "1",
              "mapping": "sample_legacy", "target": "sqlite:///x.db", "period": "2026-10",
              "started_at": "2026-11-22T18:00:00", "finished_at": "2026-11-22T18:00:03",
              "error": "abonent.csv, row 7: bad", "sources": {"abonent": {"location": "abonent.csv", "rows": 3}}}
    summary = RunSummary.from_dict(failed)
    assert summary.to_dict() == failed
    assert summary.entities is None and summary.money is None and summary.reasons == ["abonent.csv, row 7: bad"]


def test_a_summary_written_before_money_by_measure_and_the_control_reads_as_its_closing_balances(tmp_path):
    old = {"run_id": "r", "kind": "dry-run", "status": "differences", "mapping": "m", "target": "t",
           "period": "2026-10", "started_at": None, "finished_at": None,
           "entities": {"accounts": {"source_rows": 3, "loaded": 2, "rejected": 0, "warnings": 0}},
           "money": {"period": "2026-10", "measure": "closing",
                     "services": {"cold_water": {"source": "10.00", "target": "9.99", "rejected": "0.00"}},
                     "total": {"source": "10.00", "target": "9.99", "rejected": "0.00"}},
           "differences": ["accounts: 3 source rows but 2 loaded + 0 rejected"], "gate_failures": []}
    summary = RunSummary.from_dict(old)
    assert summary.money.total == {"closing": Amounts(source=1000, target=999, rejected=0)}
    assert [line.difference for line in summary.money_lines] == [1, 1]
    assert summary.unbalanced_entities == ["accounts"]
    assert RunSummary.from_dict(summary.to_dict()) == summary
    assert render_run(summary, tmp_path) == render_run(old, tmp_path)


@pytest.mark.parametrize("text, kopecks", [("1234.56", 123456), ("-0.05", -5), ("0", 0), ("12.5", 1250)])
def test_rouble_text_is_read_into_exact_kopecks(text, kopecks):
    assert kopecks_of(text) == kopecks


def test_rouble_text_finer_than_a_kopeck_is_refused():
    with pytest.raises(ValueError, match="roubles and kopecks"):
        kopecks_of("1.005")
