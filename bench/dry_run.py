"""Time and memory of a dry run of the sample legacy system at a given size, per stage, and
the plain loaders it is compared with on the same rows.

    python bench/dry_run.py [--accounts 10000] [--postgres URL]

Generates the sample legacy system at ``--accounts`` accounts (sample_data/generate.py), runs
the dry run into a fresh SQLite file and, with ``--postgres`` (or CUTOVER_BENCH_POSTGRES_URL),
into a fresh PostgreSQL schema, and prints seconds, rows and peak memory per stage. For the
load it also prints, on the balance rows of the same run, plain ``COPY`` through psql (when
psql is installed) and pandas ``to_sql``. Nothing asserts a time; numbers go in
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
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
    from cutover.pipeline.run import dry_run
    from cutover.progress import StageClock

    clock = StageClock()
    result = dry_run(load_project(project, url), clock)
    print(f"  run {result.run_id}: {result.status}")
    return clock.stages


def print_stages(stages: list[dict]) -> None:
    total = sum(s["seconds"] for s in stages)
    print(f"  {'stage':<28} {'seconds':>8} {'rows':>10} {'rows/s':>10} {'peak MB':>8}")
    for s in stages:
        rate = f"{s['rows'] / s['seconds']:,.0f}" if s["rows"] and s["seconds"] else ""
        print(f"  {s['stage']:<28} {s['seconds']:>8.1f} {s['rows']:>10,} {rate:>10} {s['peak_mb']:>8.0f}")
    print(f"  {'total':<28} {total:>8.1f}")


def compare_loaders(saldo: Path, postgres_url: str | None) -> None:
    """Plain loaders on the balance file's rows: psql COPY and pandas to_sql."""
    import pandas as pd
    import sqlalchemy as sa

    frame = pd.read_csv(saldo, sep=";", encoding="cp1251", dtype="str", keep_default_na=False)
    rows = len(frame)
    with tempfile.TemporaryDirectory() as scratch:
        engine = sa.create_engine(f"sqlite:///{scratch}/plain.db")
        started = time.perf_counter()
        frame.to_sql("saldo", engine, index=False)
        print(f"  pandas to_sql into SQLite: {rows / (time.perf_counter() - started):,.0f} rows/s")
        engine.dispose()
    if not postgres_url:
        return
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
        print(f"  psql \\copy into PostgreSQL: {rows / (time.perf_counter() - started):,.0f} rows/s")
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE bench_saldo")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--postgres", default=os.environ.get("CUTOVER_BENCH_POSTGRES_URL"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        extract, project = Path(scratch) / "extract", Path(scratch) / "project"
        started = time.perf_counter()
        subprocess.run([sys.executable, str(REPO / "sample_data" / "generate.py"), "--accounts", str(args.accounts),
                        "--out", str(extract)], check=True, capture_output=True)
        print(f"generated {args.accounts:,} accounts in {time.perf_counter() - started:.0f} s")
        project.mkdir()
        (project / "cutover.toml").write_text(
            f'[project]\nmapping = "sample_legacy"\nsource_dir = "{extract.as_posix()}"\nperiod = "2026-10"\n'
            f'[gates]\nmax_reject_share = 1\n', encoding="utf-8")
        print("dry run into SQLite")
        print_stages(dry_run_stages(project, f"sqlite:///{project / 'target.db'}"))
        if args.postgres:
            print("dry run into PostgreSQL")
            print_stages(dry_run_stages(project, args.postgres))
        print("plain loaders on the balance rows")
        compare_loaders(extract / "saldo.csv", args.postgres)


if __name__ == "__main__":
    main()
