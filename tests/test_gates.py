"""Gates as data: each gate's name, what the run measured, its limit and whether it held, in
summary.json (``gates``), in `cutover runs show` and in report.html's verdict banner.

The sample's counts come from its expected.json: 687 of 24 442 rows rejected (2.81%), within the
5% of its cutover.toml. A copy of the project with a limit of 2% (and of 1% for meters: 19 of 805
rejected, 2.36%) breaks those gates, and with a limit of 100,00 roubles of rejected money breaks
that one; the sentences of the broken gates stay as they were (gate_failures).
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from click.testing import CliRunner
from support import SAMPLE, write_project

from cutover.cli import cli
from cutover.money import kopecks_to_roubles_text
from cutover.report.gate_words import gate_margin, share_text
from cutover.results.gates import MONEY, ROWS, SHARE, Gate

NBSP = "\u00a0"


@pytest.fixture(scope="module")
def expected() -> dict:
    return json.loads((SAMPLE / "expected.json").read_text(encoding="utf-8"))


def _rows(expected: dict) -> tuple[int, int]:
    entities = expected["entities"].values()
    return sum(e["rejected"] for e in entities), sum(e["source_rows"] for e in entities)


def _by_name(summary: dict) -> dict[str, dict]:
    return {gate["name"] + (f":{gate['entity']}" if "entity" in gate else ""): gate for gate in summary["gates"]}


def test_a_margin_reads_as_the_banner_shows_it():
    rejects = Gate("max_reject_share", 0.0277, 0.05, True, SHARE)
    assert gate_margin(rejects) == "rejects 2.77% of 5%"
    assert gate_margin(rejects, "ru") == f"отклонено 2,77{NBSP}% из 5{NBSP}%"
    money = Gate("max_rejected_money", 15000, 10000, False, MONEY)
    assert gate_margin(money) == "rejected money 150,00 of 100,00 roubles"
    assert gate_margin(Gate("accept_unreadable_rows", 2, 2, True, ROWS)) == "unreadable money rows 2 of 2 accepted"
    assert share_text(0.5) == "50%" and share_text(0.12345, "ru") == f"12,35{NBSP}%"


def test_money_is_roubles_text_in_json_and_kopecks_in_the_gate():
    gate = Gate("max_rejected_money", 35334944, 10000, False, MONEY, failure="more than allowed")
    found = gate.to_dict()
    assert found["measured"] == "353349.44" and found["limit"] == "100.00"
    assert Gate.from_dict(json.loads(json.dumps(found))) == gate
    assert gate.margin == 10000 - 35334944


def test_every_gate_of_the_sample_is_in_its_summary_with_its_margin(shipped_run, expected):
    result, _ = shipped_run("sample_legacy")
    summary = json.loads((result.report_dir / "summary.json").read_text(encoding="utf-8"))
    gates = _by_name(summary)
    assert list(gates) == ["max_reject_share", "accept_unreadable_rows", "entities_not_empty",
                           "max_rejected_money_share", "max_fall"]
    rejected, source = _rows(expected)
    assert (rejected, source) == (687, 24442)
    assert gates["max_reject_share"] == {"name": "max_reject_share", "passed": True, "unit": "share",
                                         "measured": rejected / source, "limit": 0.05}
    assert gates["accept_unreadable_rows"] == {"name": "accept_unreadable_rows", "passed": True, "unit": "rows",
                                               "measured": 2, "limit": 2}
    assert 0 < gates["max_rejected_money_share"]["measured"] < 0.05
    assert all(gate["passed"] for gate in summary["gates"]) and summary["gate_failures"] == []
    html = (result.report_dir / "report.html").read_text(encoding="utf-8")
    assert '<p class="margins">rejects 2.81% of 5% · unreadable money rows 2 of 2 accepted · rejected money ' in html


@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    """The sample with limits it breaks: 2% of rows, 1% of meters, 100,00 roubles of rejected money."""
    folder = tmp_path_factory.mktemp("strict")
    write_project(folder, "sample_legacy", SAMPLE, target_url=f"sqlite:///{folder / 'target.db'}",
                  extra='[gates]\nmax_reject_share = 0.02\nmax_rejected_money = "100.00"\n'
                        "[gates.entities.meters]\nmax_reject_share = 0.01\n")
    ran = CliRunner().invoke(cli, ["--project", str(folder), "dry-run", "--quiet"], catch_exceptions=False)
    run_id = ran.output.split()[0]
    summary = json.loads((folder / "reports" / run_id / "summary.json").read_text(encoding="utf-8"))
    return folder, ran, run_id, summary


def test_broken_gates_keep_their_sentences_and_carry_their_numbers(strict, expected):
    _, ran, _, summary = strict
    assert ran.exit_code == 1, ran.output
    rejected, source = _rows(expected)
    gates = _by_name(summary)
    share = gates["max_reject_share"]
    assert (share["passed"], share["measured"], share["limit"]) == (False, rejected / source, 0.02)
    assert share["failure"] == (f"{rejected} of {source} rows rejected (2.81%), more than the 2.00% allowed by "
                                f"[gates] max_reject_share")
    meters = gates["entities.max_reject_share:meters"]
    assert (meters["passed"], meters["measured"], meters["limit"]) == (False, 19 / 805, 0.01)
    assert meters["failure"] == "meters: 19 of 805 rows rejected (2.36%), more than the 1.00% allowed"
    money = gates["max_rejected_money"]
    assert (money["passed"], money["limit"], money["unit"]) == (False, "100.00", "money")
    held = kopecks_to_roubles_text(int(Decimal(money["measured"]) * 100))
    assert money["failure"] == (f"rejected balances of 2026-10 hold {held} roubles (debts and prepayments alike, as "
                                f"the control reads them), more than the 100,00 allowed by [gates] max_rejected_money")
    broken = [gate["failure"] for gate in summary["gates"] if not gate["passed"]]
    assert broken == summary["gate_failures"]  # the same sentences, in the same order


def test_runs_show_and_the_banner_name_the_broken_gates(strict, expected):
    folder, _, run_id, summary = strict
    shown = CliRunner().invoke(cli, ["--project", str(folder), "runs", "show", run_id], catch_exceptions=False)
    assert shown.exit_code == 0
    line = next(line for line in shown.output.splitlines() if line.startswith("max_reject_share "))
    assert line.split() == ["max_reject_share", "2.81%", "2%", "BROKEN"]
    assert "accept_unreadable_rows" in shown.output and " held" in shown.output
    html = (folder / "reports" / run_id / "report.html").read_text(encoding="utf-8")
    assert '<p class="verdict">NO-GO: reject gate, rejected money gate</p>' in html
    assert "<b>rejects 2.81% of 2%</b>" in html and "<b>meters: rejects 2.36% of 1%</b>" in html
