"""reports/index.html: the runs over time, written from the journal after every dry run and every
`cutover reconcile`.

The sample's numbers are its expected.json's: 24 442 source rows, 23 755 loaded, 687 rejected
(2,81 %; the page shows the source rows and the rejected), closing balances of 2026-10 of 10 016 732,03 in the source, 9 663 382,59 in the target,
353 349,44 rejected. A second project runs twice, prunes the first run's folder and reconciles
the second: the page then lists only the second, with its link.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from click.testing import CliRunner
from support import SAMPLE, write_project

from cutover.cli import cli
from cutover.report.html_parts import roubles
from cutover.report.index_data import IndexedRun
from cutover.report.index_html import render_index
from cutover.results.gates import SHARE, Gate

NBSP = "\u00a0"


@pytest.fixture(scope="module")
def expected() -> dict:
    return json.loads((SAMPLE / "expected.json").read_text(encoding="utf-8"))


def _cells(page: str, run_id: str) -> list[str]:
    """The text of the cells of the run's row."""
    row = next(row for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page, re.DOTALL) if f">{run_id}</a>" in row)
    return [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)]


def test_the_index_lists_the_sample_run_in_russian_with_its_numbers(shipped_run, expected):
    result, _ = shipped_run("sample_legacy")
    page = (result.report_dir.parent / "index.html").read_text(encoding="utf-8")
    assert '<html lang="ru">' in page and "<title>Прогоны проекта</title>" in page
    assert "<script" not in page and page.count("<svg") == 2  # the two trends, inline
    assert f'<a href="{result.run_id}/report.html">{result.run_id}</a>' in page
    counts = {name: sum(entity[name] for entity in expected["entities"].values())
              for name in ("source_rows", "loaded", "rejected")}
    money = expected["money"]["total"]
    cells = _cells(page, result.run_id)
    assert cells[4] == "GO: сверка сошлась"
    assert [counts["source_rows"], counts["loaded"], counts["rejected"]] == [24442, 23755, 687]
    assert cells[5:8] == ["24 442".replace(" ", NBSP), "687", f"2,81{NBSP}%"]
    assert cells[8:11] == [roubles(money["source"]), roubles(money["target"]), roubles(money["rejected"])]
    assert cells[8] == "10 016 732,03".replace(" ", NBSP)
    assert cells[11] == "не нарушены"
    assert f"порог 5{NBSP}%" in page  # the limit of max_reject_share on the trend


def _run(folder, *args: str):
    return CliRunner().invoke(cli, ["--project", str(folder), *args], catch_exceptions=False)


def test_newest_first_and_a_pruned_run_drops_out(tmp_path):
    folder = write_project(tmp_path, "sample_legacy", SAMPLE, target_url=f"sqlite:///{tmp_path / 'target.db'}")
    first = _run(folder, "dry-run", "--quiet").output.split()[0]
    second = _run(folder, "dry-run", "--quiet").output.split()[0]
    index = folder / "reports" / "index.html"
    page = index.read_text(encoding="utf-8")
    assert page.index(f">{second}</a>") < page.index(f">{first}</a>")  # newest first
    assert _run(folder, "runs", "prune", "--keep", "1").exit_code == 0
    assert not (folder / "reports" / first).exists()
    assert first not in index.read_text(encoding="utf-8")  # the prune wrote the page again
    reconciled = _run(folder, "reconcile", "--quiet")
    assert reconciled.exit_code == 0, reconciled.output
    page = index.read_text(encoding="utf-8")
    assert first not in page and f'<a href="{second}/report.html">{second}</a>' in page
    assert len(re.findall(r"<tr class=", page)) == 1


def test_the_english_page_names_the_broken_gate_and_its_margin():
    started = dt.datetime(2026, 11, 1, 22, 0)
    broken = IndexedRun("20261101-220000-dry-run-0001", "dry-run", "differences", started,
                        started + dt.timedelta(minutes=25), "2026-10", 1000, 970, 30, "2026-10", 100_000, 99_000,
                        1_000, (Gate("max_reject_share", 0.03, 0.02, False, SHARE, failure="30 of 1000 rows"),), 1,
                        "20261101-220000-dry-run-0001/report.html")
    page = render_index([broken], "en")
    assert '<html lang="en">' in page
    assert _cells(page, broken.run_id)[3:5] == ["25.0 min", "NO-GO: differences"]
    assert _cells(page, broken.run_id)[-1] == "rejects 3% of 2%"
    assert '<tr class="nogo">' in page
    assert "limit 2%" in page


def test_a_project_without_runs_says_so():
    page = render_index([], "ru")
    assert "пока нет прогонов с папкой отчётов" in page and "<svg" not in page
