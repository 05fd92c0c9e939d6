"""Helpers shared by the test files: project folders, queries on a target, and the check of a
dry run's summary against a shipped system's expected.json.

Tests import them as ``from support import ...``: pytest puts this folder (it has no
``__init__.py``) on ``sys.path``.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from cutover.config import load_project
from cutover.run.dry_run import RunResult, dry_run
from cutover.target import db

MEASURES = ("opening", "charged", "recalculated", "paid", "closing")
ROOT = Path(__file__).resolve().parent.parent


def load_generator():
    """sample_data/generate.py as a module (its layout constants: HEADERS, FILES, ...)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("sample_generate", ROOT / "sample_data" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SAMPLE = ROOT / "sample_data" / "sample_legacy"
# The committed sample holds two values nobody can read on purpose (dirt D9: "н/д" in Начислено);
# its cutover.toml accepts them, and so does every project written here that reads it.
SAMPLE_ACCEPTED = "accept_unreadable_rows = 2\n"


def accepting_sample_dirt(extra: str) -> str:
    """``extra`` (cutover.toml lines) with the sample's two unreadable values accepted."""
    if "accept_unreadable_rows" in extra:
        return extra
    if "[gates]\n" in extra:
        return extra.replace("[gates]\n", "[gates]\n" + SAMPLE_ACCEPTED, 1)
    return extra + "[gates]\n" + SAMPLE_ACCEPTED


def _accept_sample_dirt(source_dir: Path | str, folder: Path, extra: str) -> str:
    if (folder / Path(source_dir)).resolve() != SAMPLE.resolve():
        return extra
    return accepting_sample_dirt(extra)


def write_project(folder: Path, mapping: str, source_dir: Path | str, *, target_url: str | None = None,
                  extra: str = "") -> Path:
    """Write ``folder/cutover.toml``: ``mapping`` reading ``source_dir`` for period 2026-10, the target
    ``target_url`` if given (else the default ``cutover.db``), then ``extra`` as is (with the
    sample's two unreadable values accepted when ``source_dir`` is the committed sample, as its
    cutover.toml does); returns ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    extra = _accept_sample_dirt(source_dir, folder, extra)
    target = f'[target]\nurl = "{target_url}"\n' if target_url is not None else ""
    (folder / "cutover.toml").write_text(
        f'[project]\nmapping = "{mapping}"\nsource_dir = "{Path(source_dir).as_posix()}"\nperiod = "2026-10"\n'
        f"{target}{extra}",
        encoding="utf-8",
    )
    return folder


def dry_run_project(folder: Path, mapping: str, source_dir: Path | str, *, target_url: str | None = None,
                    extra: str = "") -> RunResult:
    """Write the project as :func:`write_project` does and dry-run it."""
    return dry_run(load_project(write_project(folder, mapping, source_dir, target_url=target_url, extra=extra)))


def dry_run_into_sqlite(folder: Path, mapping: str, source_dir: Path | str) -> tuple[RunResult, str]:
    """Dry-run the project into the SQLite database ``folder/target.db``; the result and that URL."""
    url = f"sqlite:///{folder / 'target.db'}"
    return dry_run_project(folder, mapping, source_dir, target_url=url), url


def query(url: str, sql: str, **params) -> list[tuple]:
    """The rows of ``sql`` (with ``:name`` parameters) on the database at ``url``, as tuples."""
    engine = db.create_target_engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(sa.text(sql), params)]
    finally:
        engine.dispose()


def target_totals(url: str) -> dict:
    """Sum of every money measure per period and service, computed by the database."""
    sums = ", ".join(f"SUM(b.{m}_kopecks)" for m in MEASURES)
    totals: dict = {}
    for period, code, *values in query(url, f"SELECT b.period, s.code, {sums} FROM balance b "
                                            "JOIN service s ON s.id = b.service_id GROUP BY b.period, s.code"):
        totals.setdefault(period, {})[code] = dict(zip(MEASURES, (int(v) for v in values)))
    return totals


def kopecks(text: str) -> int:
    """Kopecks of an amount as the summary writes it ("-1234.50" -> -123450)."""
    return int(text.replace(".", ""))


def assert_counts_match(summary: dict, expected: dict) -> None:
    """The run reconciled, and its rows per entity (source, loaded, rejected; adding up) and its
    rejects and warnings per rule are those of ``expected`` (a system's expected.json)."""
    assert summary["status"] == "reconciled", (summary["differences"], summary["gate_failures"])
    assert summary["differences"] == []
    for name, want in expected["entities"].items():
        got = summary["entities"][name]
        assert (got["source_rows"], got["loaded"], got["rejected"]) == (
            want["source_rows"], want["loaded"], want["rejected"]), name
        assert got["source_rows"] == got["loaded"] + got["rejected"], name
    got = {name: {k: v for k, v in counts.items() if k != "warnings"} for name, counts in summary["entities"].items()}
    assert got == expected["entities"]
    assert summary["rejects_by_rule"] == expected["rejects_by_rule"]
    assert summary["warnings_by_rule"] == expected["warnings_by_rule"]


def assert_money_matches(summary: dict, expected: dict, target_url: str) -> None:
    """The summary's money per service and in total, and the sums the database at ``target_url``
    computes per period and service, are those of ``expected`` to the kopeck."""
    money = summary["money"]
    assert money["period"] == expected["money"]["period"]
    for code, want in expected["money"]["services"].items():
        assert _money_line(money["services"][code]) == want, code
    assert {code: _money_line(line) for code, line in money["services"].items()} == expected["money"]["services"]
    assert _money_line(money["total"]) == expected["money"]["total"]
    # The generator's source money is what the legacy data holds: the control read all of it from
    # the raw source, and no closing balance was left unreadable.
    for line in [*money["services"].values(), money["total"]]:
        assert (kopecks(line["control"]), line["unreadable"], kopecks(line["difference"])) == (
            kopecks(line["source"]), 0, 0)
    assert target_totals(target_url) == expected["target_totals"]


def _money_line(line: dict) -> dict:
    """The generator's three figures of a summary's money line, in kopecks."""
    return {key: kopecks(line[key]) for key in ("source", "target", "rejected")}


# The layout of the sample legacy system, for tiny extracts written by tests.
SAMPLE_HEADERS = {
    "abonent.csv": "ЛС;ФИО;Адрес;ДатаРожд;Площадь;Прожив;ДатаОткр",
    "usluga.csv": "Код;Наименование;ЕдИзм",
    "schetchik.csv": "КодПУ;ЛС;КодУсл;ЗавНомер;Разрядность;Зон;ДатаУст;ДатаПов;МПИ;Коэф;Статус;Замена",
    "pokazanie.csv": "КодПУ;Зона;Дата;Показание;Источник",
    "saldo.csv": "Период;ЛС;КодУсл;СальдоВх;Начислено;Перерасчет;Оплачено;СальдоИсх",
}


def write_sample_extract(folder: Path, files: dict[str, list[str]], headers: dict[str, str] | None = None) -> Path:
    """Write ``folder/extract``: each of the sample system's five files (cp1251, CRLF) with its
    header and the given data lines (none where a file is not given); returns the folder."""
    extract = folder / "extract"
    extract.mkdir()
    for name, header in {**SAMPLE_HEADERS, **(headers or {})}.items():
        lines = files.get(name, [])
        (extract / name).write_bytes("\r\n".join([header, *lines, ""]).encode("cp1251"))
    return extract
