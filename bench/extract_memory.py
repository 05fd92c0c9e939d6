"""Peak memory of extracting a delimited text file, as the file grows.

For each size, a child process streams a generated ';'-separated cp1251 file of balance
rows (decimal commas, like saldo.csv) through the delimited extractor and its Parquet
snapshot, chunk by chunk, and reports its peak resident memory. The numbers go in
docs/benchmarks.md; nothing here asserts anything.

    python bench/extract_memory.py [--rows 250000 500000 1000000 2000000] [--chunk-rows 50000]
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADER = "Период;ЛС;КодУсл;СальдоВх;Начислено;Перерасчет;Оплачено;СальдоИсх\r\n"


def write_file(path: Path, rows: int) -> None:
    rng = random.Random(20261031)
    with path.open("w", encoding="cp1251", newline="") as out:
        out.write(HEADER)
        for number in range(rows):
            opening, charged = rng.randint(-50000, 500000), rng.randint(0, 300000)
            paid = rng.randint(0, charged)
            closing = opening + charged - paid
            out.write(f"202610;{number // 8:02d}-{number:07d};0{number % 8 + 1};{opening / 100:.2f};{charged / 100:.2f};"
                      f"0,00;{-paid / 100:.2f};{closing / 100:.2f}\r\n".replace(".", ","))


def extract_once(path: Path, chunk_rows: int) -> None:
    """Child process: stream the file through the extractor and a snapshot; print rows, seconds, peak MB."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from cutover.extract import REGISTRY

    options = {"file": path.name, "encoding": "cp1251", "separator": ";"}
    started = time.perf_counter()
    rows = 0
    writer = None
    for chunk in REGISTRY["delimited"].read(options, path.parent, set(), chunk_rows):
        table = pa.Table.from_pandas(chunk, preserve_index=False)
        writer = writer or pq.ParquetWriter(path.with_suffix(".parquet"), table.schema)
        writer.write_table(table)
        rows += len(chunk)
    writer.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{rows} {time.perf_counter() - started:.1f} {peak_mb:.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[250_000, 500_000, 1_000_000, 2_000_000])
    parser.add_argument("--chunk-rows", type=int, default=50_000)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        extract_once(args.child, args.chunk_rows)
        return
    print(f"{'rows':>10} {'file MB':>8} {'seconds':>8} {'rows/s':>9} {'peak MB':>8}")
    with tempfile.TemporaryDirectory() as scratch:
        for rows in args.rows:
            path = Path(scratch) / f"saldo_{rows}.csv"
            write_file(path, rows)
            result = subprocess.run([sys.executable, __file__, "--child", str(path), "--chunk-rows", str(args.chunk_rows)],
                                    capture_output=True, text=True, check=True)
            count, seconds, peak = result.stdout.split()
            size = path.stat().st_size / 1e6
            print(f"{int(count):>10} {size:>8.0f} {float(seconds):>8.1f} {int(count) / float(seconds):>9,.0f} {peak:>8}")
            path.unlink()


if __name__ == "__main__":
    main()
