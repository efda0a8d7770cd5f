"""Benchmark ca-trade on a Parquet data file against DuckDB doing the aggregate on the same file.

Not a test. Run:  uv run --group bench python bench/parquet_bench.py [--years 80] [--runs 3]
                  [--out DIR]

1. Makes (once, in --out, default bench/out) the world-wide download of totals with
   ../shared/bench/gen_comtrade.py --iso --reporters 249 --partners 249 --years Y --total
   (--years 80: 9.9 M rows), imports it with ``ca-trade import --all-countries`` as CSV
   (``world_<Y>y_data.csv``) and as Parquet (``-o world_<Y>y_data.parquet``).
2. ``compare`` and ``shares`` with ``--data`` the Parquet file, each against a DuckDB process
   that reads the same Parquet file and sums the five republics' rows by year, reporter,
   partner and flow (``DUCKDB_PARQUET``), and the floor: a Polars process doing DuckDB's work
   alone (``POLARS_PARQUET``: scan, filter, group-by, CSV; no checks).
3. ``validate`` on the Parquet file against ``validate`` on the same data as CSV.
4. Whole processes, interleaved, medians of --runs after one untimed warm-up round; wall time
   and peak RSS per child from ``os.wait4`` (``import_bench.run``). The load average is printed:
   the machine may be shared.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from import_bench import GENERATOR, OUT, check_tools, interleaved, load, print_ratios, sql_list

REPUBLICS = ["KAZ", "KGZ", "TJK", "TKM", "UZB"]

DUCKDB_PARQUET = """
import duckdb
duckdb.sql('''
select year, reporter, partner, flow, sum(value_millions) as value_millions, count(*) as rows
from read_parquet('{src}')
where reporter in {republics}
group by all
order by all
''').write_csv('{dst}')
"""

POLARS_PARQUET = """
import polars as pl
(
    pl.scan_parquet('{src}')
    .filter(pl.col('reporter').is_in({republics}))
    .group_by('year', 'reporter', 'partner', 'flow')
    .agg(pl.col('value_millions').sum(), pl.len().alias('rows'))
    .sort('year', 'reporter', 'partner', 'flow')
    .sink_csv('{dst}', engine='streaming')
)
"""


def files(years: int, out: Path, generator: Path) -> tuple[Path, Path, Path]:
    """The download, its data file as CSV and as Parquet (each made once)."""
    out.mkdir(parents=True, exist_ok=True)
    source = out / f"world_{years}y.csv"
    if not source.exists():
        subprocess.run(
            [sys.executable, str(generator), str(source), "--iso", "--reporters", "249"]
            + ["--partners", "249", "--years", str(years), "--total"],
            check=True,
        )
    ca_trade = [sys.executable, "-m", "ca_trade", "import", "--all-countries", str(source)]
    made = []
    for suffix in ("csv", "parquet"):
        data = out / f"world_{years}y_data.{suffix}"
        if not data.exists():
            subprocess.run([*ca_trade, "-o", str(data)], check=True)
        made.append(data)
    return source, made[0], made[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=80, help="80: 9.9 M rows; 8: 988,032")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--generator", type=Path, default=GENERATOR)
    args = parser.parse_args()
    check_tools(args.generator, "bench/parquet_bench.py")
    source, as_csv, as_parquet = files(args.years, args.out, args.generator)
    ca_trade = [sys.executable, "-m", "ca_trade"]
    duck = [
        sys.executable,
        "-c",
        DUCKDB_PARQUET.format(
            src=as_parquet, dst=args.out / "duckdb_parquet.csv", republics=sql_list(REPUBLICS)
        ),
    ]
    floor = [
        sys.executable,
        "-c",
        POLARS_PARQUET.format(
            src=as_parquet, dst=args.out / "polars_parquet.csv", republics=REPUBLICS
        ),
    ]
    year = "2023"
    cases = [
        ("compare (Parquet) / DuckDB", [*ca_trade, "compare", "--data", str(as_parquet),
                                        "--year", year, "-f", "csv"], duck),
        ("shares (Parquet) / DuckDB", [*ca_trade, "shares", "--data", str(as_parquet),
                                       "--year", year, "-f", "csv"], duck),
        ("floor: Polars alone, no checks / DuckDB", floor, duck),
        ("validate: Parquet / CSV", [*ca_trade, "validate", str(as_parquet), "-f", "csv"],
         [*ca_trade, "validate", str(as_csv), "-f", "csv"]),
    ]  # fmt: skip
    rows = sum(1 for _ in source.open("rb")) - 1
    versions = ", ".join(
        f"{name} {metadata.version(name)}" for name in ("polars", "duckdb", "ca-trade")
    )
    print(f"Python {sys.version.split()[0]}, {versions}")
    print(
        f"{rows:,} rows; data file {as_parquet.name} {as_parquet.stat().st_size / 1e6:.0f} MB, "
        f"{as_csv.name} {as_csv.stat().st_size / 1e6:.0f} MB; {args.runs} runs each after a "
        f"warm-up, interleaved; {os.cpu_count()} CPUs; load before: {load()}"
    )
    timings = interleaved(cases, args.runs)
    print(f"load after: {load()}\n")
    print_ratios(timings, ours="ours", theirs="theirs")  # the last case is CSV, not DuckDB


if __name__ == "__main__":
    main()
