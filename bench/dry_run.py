"""Time and memory of a dry run of the sample legacy system at a given size, per stage, and
the plain loaders it is compared with on the same rows.

    python bench/dry_run.py [--accounts 10000] [--postgres URL] [--source DIR] [--no-sqlite] [--reconcile]

Generates the sample legacy system at ``--accounts`` accounts (sample_data/generate.py), runs
the dry run into a fresh SQLite file and, with ``--postgres`` (or CUTOVER_BENCH_POSTGRES_URL),
into a fresh PostgreSQL schema, and prints seconds, rows and peak memory per stage. For the
load it also prints, on the balance rows of the same run, plain ``COPY`` through psql (when
psql is installed) and pandas ``to_sql`` (on the first ``--compare-rows`` rows). Nothing asserts
a time; numbers go in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def dry_run_stages(project: Path, url: str) -> list[dict]:
    """Run the dry run in this process with a stage clock; the stages it recorded."""
    from cutover.config import load_project
    from cutover.progress import StageClock
    from cutover.run.dry_run import dry_run

    clock = StageClock()
    result = dry_run(load_project(project, url), clock)
    print(f"  run {result.run_id}: {result.status}")
    return clock.stages


def reconcile_stages(project: Path, url: str) -> list[dict]:
    """`cutover reconcile` of the run the target holds (the snapshot mapped again), with a stage clock."""
    from cutover.config import load_project
    from cutover.progress import StageClock
    from cutover.run.dry_run import reconcile

    clock = StageClock()
    result = reconcile(load_project(project, url), progress=clock)
    print(f"  reconcile {result.run_id}: {result.status}")
    return clock.stages


def merged_stages(stages: list[dict]) -> list[dict]:
    """Stages of the same name (the check and the load of each part of an entity) added up."""
    merged: dict[str, dict] = {}
    for s in stages:
        into = merged.setdefault(s["stage"], {"stage": s["stage"], "seconds": 0.0, "rows": 0, "peak_mb": 0.0})
        into["seconds"] += s["seconds"]
        into["rows"] += s["rows"]
        into["peak_mb"] = max(into["peak_mb"], s["peak_mb"])
    return list(merged.values())


def print_stages(stages: list[dict]) -> dict:
    stages = merged_stages(stages)
    total = sum(s["seconds"] for s in stages)
    print(f"  {'stage':<28} {'seconds':>8} {'rows':>12} {'rows/s':>10} {'peak MB':>8}")
    for s in stages:
        rate = f"{s['rows'] / s['seconds']:,.0f}" if s["rows"] and s["seconds"] else ""
        print(f"  {s['stage']:<28} {s['seconds']:>8.1f} {s['rows']:>12,} {rate:>10} {s['peak_mb']:>8.0f}")
    loads = [s for s in stages if s["stage"].startswith("load ")]
    load_rows, load_seconds = sum(s["rows"] for s in loads), sum(s["seconds"] for s in loads)
    if load_seconds:
        print(f"  {'load, all tables':<28} {load_seconds:>8.1f} {load_rows:>12,} {load_rows / load_seconds:>10,.0f}")
    print(f"  {'total':<28} {total:>8.1f} {'':>12} {'':>10} {max(s['peak_mb'] for s in stages):>8.0f}")
    kinds = stage_kinds(stages)
    print("  by kind: " + ", ".join(f"{kind} {seconds:.1f} s" for kind, seconds in kinds.items()))
    return {"total": total, "load_rows": load_rows, "load_seconds": load_seconds}


KINDS = (("extract", "extract "), ("map", "map "), ("check", "check "), ("reconcile", "reconcile"),
         ("write report", "write report"))


def stage_kinds(stages: list[dict]) -> dict[str, float]:
    """Seconds per kind of stage, as docs/benchmarks.md tabulates them (load: emptying the previous
    load, every part's insert, rejects and the end of the load)."""
    kinds = {kind: 0.0 for kind in ("extract", "map", "check", "load", "reconcile", "write report")}
    for s in stages:
        kind = next((k for k, prefix in KINDS if s["stage"].startswith(prefix)), None)
        if kind is None and (s["stage"].startswith(("load ", "empty ")) or s["stage"] == "finish load"):
            kind = "load"
        if kind is not None:
            kinds[kind] += s["seconds"]
    return kinds


def against_copy(run: dict, copy_rate: float | None) -> None:
    """How the run compares with psql \\copy of the rows it loaded, at the rate \\copy just reached."""
    if not copy_rate or not run["load_seconds"]:
        return
    alone = run["load_rows"] / copy_rate
    print(f"  against psql \\copy ({copy_rate:,.0f} rows/s): the whole run took {run['total'] / alone:.1f} times "
          f"as long as \\copy of its {run['load_rows']:,} rows ({alone:.1f} s); its load moved "
          f"{run['load_rows'] / run['load_seconds'] / copy_rate:.0%} of \\copy's rows per second")


def compare_loaders(saldo: Path, postgres_url: str | None, limit: int) -> float | None:
    """Plain loaders on the balance file's first ``limit`` rows: psql COPY and pandas to_sql."""
    import pandas as pd

    frame = pd.read_csv(saldo, sep=";", encoding="cp1251", dtype="str", keep_default_na=False, nrows=limit)
    rows = len(frame)
    print(f"  on the first {rows:,} rows of {saldo.name}")
    scratch = Path(tempfile.mkdtemp())
    head = scratch / "head.csv"
    with open(saldo, "rb") as whole, open(head, "wb") as part:
        for _ in range(rows + 1):  # the header and the rows read above (no quoted line breaks here)
            part.write(whole.readline())
    saldo = head
    try:
        return _plain_loaders(frame, saldo, scratch, postgres_url)
    finally:
        shutil.rmtree(scratch)


def _plain_loaders(frame, saldo: Path, scratch: Path, postgres_url: str | None) -> float | None:
    """Print each plain loader's rows per second; psql \\copy's (None without PostgreSQL or psql)."""
    import sqlalchemy as sa

    rows = len(frame)
    engine = sa.create_engine(f"sqlite:///{scratch}/plain.db")
    started = time.perf_counter()
    frame.to_sql("saldo", engine, index=False)
    print(f"  pandas to_sql into SQLite: {rows / (time.perf_counter() - started):,.0f} rows/s")
    engine.dispose()
    if not postgres_url:
        return None
    copy_rate = None
    engine = sa.create_engine(postgres_url)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS bench_saldo")
        connection.exec_driver_sql("CREATE TABLE bench_saldo (" + ", ".join(f'"{c}" text' for c in frame.columns) + ")")
    started = time.perf_counter()
    frame.to_sql("bench_saldo", engine, index=False, if_exists="append")
    print(f"  pandas to_sql into PostgreSQL: {rows / (time.perf_counter() - started):,.0f} rows/s")
    if shutil.which("psql"):
        plain = sa.engine.make_url(postgres_url)
        with engine.begin() as connection:
            connection.exec_driver_sql("TRUNCATE bench_saldo")
        started = time.perf_counter()
        options = plain.query.get("options", "")  # e.g. the search_path of a scratch schema
        subprocess.run(["psql", "-h", plain.host or "127.0.0.1", "-U", plain.username or "postgres", "-d",
                        plain.database or "test", "-c",
                        f"\\copy bench_saldo FROM '{saldo}' WITH (FORMAT csv, DELIMITER ';', HEADER, ENCODING 'WIN1251')"],
                       check=True, capture_output=True, env={**os.environ, "PGOPTIONS": options})
        copy_rate = rows / (time.perf_counter() - started)
        print(f"  psql \\copy into PostgreSQL: {copy_rate:,.0f} rows/s")
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE bench_saldo")
    engine.dispose()
    return copy_rate


def unreadable_rows(extract: Path) -> int:
    """The generator's rows of money nobody can read (its dirt D9, "н/д" in Начислено), which a
    project of the sample accepts as the committed sample's cutover.toml does."""
    dirt = json.loads((extract / "expected.json").read_text(encoding="utf-8"))["dirt"]
    return next(d["rows"] for d in dirt if d["code"] == "D9")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--postgres", default=os.environ.get("CUTOVER_BENCH_POSTGRES_URL"))
    parser.add_argument("--source", type=Path, help="an extract generate.py already wrote (skips generating)")
    parser.add_argument("--no-sqlite", action="store_true", help="only the PostgreSQL run")
    parser.add_argument("--no-postgres-run", action="store_true", help="only the plain loaders on PostgreSQL")
    parser.add_argument("--compare-rows", type=int, default=1_000_000, help="balance rows the plain loaders load")
    parser.add_argument("--reconcile", action="store_true", help="then time `cutover reconcile` of the SQLite run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.source.parent if args.source else None) as scratch:
        extract, project = args.source or Path(scratch) / "extract", Path(scratch) / "project"
        if args.source is None:
            started = time.perf_counter()
            subprocess.run([sys.executable, str(REPO / "sample_data" / "generate.py"), "--accounts",
                            str(args.accounts), "--out", str(extract)], check=True, capture_output=True)
            print(f"generated {args.accounts:,} accounts in {time.perf_counter() - started:.0f} s")
        project.mkdir()
        runs: dict[str, dict] = {}
        (project / "cutover.toml").write_text(
            f'[project]\nmapping = "sample_legacy"\nsource_dir = "{extract.as_posix()}"\nperiod = "2026-10"\n'
            f'[gates]\nmax_reject_share = 1\naccept_unreadable_rows = {unreadable_rows(extract)}\n', encoding="utf-8")
        if args.postgres and not args.no_postgres_run:
            print("dry run into PostgreSQL", flush=True)
            runs["PostgreSQL"] = print_stages(dry_run_stages(project, args.postgres))
        if not args.no_sqlite:
            print("dry run into SQLite", flush=True)
            runs["SQLite"] = print_stages(dry_run_stages(project, f"sqlite:///{project / 'target.db'}"))
            if args.reconcile:
                print("cutover reconcile of it", flush=True)
                print_stages(reconcile_stages(project, f"sqlite:///{project / 'target.db'}"))
        print("plain loaders on the balance rows", flush=True)
        copy_rate = compare_loaders(extract / "saldo.csv", args.postgres, args.compare_rows)
        for name, run in runs.items():
            print(f"dry run into {name}", flush=True)
            against_copy(run, copy_rate)


if __name__ == "__main__":
    main()
