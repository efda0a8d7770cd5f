"""Benchmark ca-trade against DuckDB on a world-wide download of totals and on its data file.

Not a test. Run:  uv run --group bench python bench/world_bench.py [--years 8] [--runs 3]

1. Generates bench/out/world_<Y>y.csv with ../shared/bench/gen_comtrade.py --iso --reporters 249
   --partners 249 --years Y --total (988,032 rows for 8 years; --years 80 gives 9.9 M): every
   country's totals with every other, as a world-wide Comtrade download of totals has.
2. Case "import": ``ca-trade import --all-countries FILE -o OUT`` against a DuckDB process doing
   the same aggregation (flows X/M, sum by year, reporter, partner, flow and product level, the
   most aggregated level kept, ordered) and writing CSV, twice: with the ten columns ca-trade
   writes (constant source, basis and note cells included: the same bytes of output), and with
   the five columns of the aggregation alone. ca-trade also hashes the file (sha256) and checks
   its rows; DuckDB does not. The figures of both are compared.
3. Case "data file": ``compare``, ``shares`` and ``validate`` on the data file written by the
   import (one row per figure, every country), each against a DuckDB process that reads the
   same file and aggregates the rows of the five republics by year, reporter, partner and flow.
   Also against the same DuckDB run: the floor, a Polars process doing DuckDB's work alone
   (``POLARS_DATA``: streaming scan, filter, group-by, CSV; no checks), to show how much of the
   gap is Polars' reader and import, and how much is ca-trade's checking.
4. Whole processes, interleaved, medians of --runs after one untimed warm-up round; wall time
   and peak RSS per child from ``os.wait4`` (``import_bench.run``). Each program runs once a
   round: the import is compared with both DuckDB runs, and the one DuckDB run of the data
   file with compare, shares and validate. The machine's load average is printed with the
   table: the machine may be shared.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from import_bench import (
    COMTRADE_PLUS_READ,
    GENERATOR,
    OUT,
    check_tools,
    interleaved,
    load,
    print_ratios,
    read_figures,
    run,
    sql_list,
)

REPUBLICS = ["KAZ", "KGZ", "TJK", "TKM", "UZB"]

DUCKDB_IMPORT = (
    """
import duckdb
duckdb.sql('''
with agg as (
  select refYear as year, reporterISO as reporter, partnerISO as partner,
         case flowCode when 'X' then 'export' else 'import' end as flow,
         case when cmdCode = 'TOTAL' then 0 else length(cmdCode) end as level,
         sum(primaryValue) as value
"""
    + COMTRADE_PLUS_READ
    + """  where flowCode in ('X', 'M') and not isnan(primaryValue) and reporterISO <> partnerISO
  group by all
)
select {columns} from agg
where value <> 0
qualify level = min(level) over (partition by year, reporter, partner, flow)
order by year, reporter, partner, flow
''').write_csv('{dst}')
"""
)
NARROW = "year, reporter, partner, flow, round(value / 1e6, 6) as value_millions"
WIDE = (
    NARROW + ", 'USD' as currency, 'official' as basis, "
    "'UN Comtrade Plus download {name}' as source, "
    "'https://comtradeplus.un.org/' as source_url, "
    "'sha256=" + "0" * 64 + "; product TOTAL' as note"
)

DUCKDB_DATA = """
import duckdb
duckdb.sql('''
select year, reporter, partner, flow, sum(value_millions) as value_millions, count(*) as rows
from read_csv('{src}', header = true, auto_detect = false,
              columns = {{'year': 'BIGINT', 'reporter': 'VARCHAR', 'partner': 'VARCHAR',
                         'flow': 'VARCHAR', 'value_millions': 'DOUBLE', 'currency': 'VARCHAR',
                         'basis': 'VARCHAR', 'source': 'VARCHAR', 'source_url': 'VARCHAR',
                         'note': 'VARCHAR'}})
where reporter in {republics}
group by all
order by all
''').write_csv('{dst}')
"""

# The floor under ca-trade's data commands: Polars alone doing DuckDB's work (the same columns,
# filter, grouping and output) on its streaming engine, with none of ca-trade's checks.
POLARS_DATA = """
import polars as pl
strings = ['reporter', 'partner', 'flow', 'currency', 'basis', 'source', 'source_url', 'note']
(
    pl.scan_csv('{src}', schema={{'year': pl.Int64, **dict.fromkeys(strings, pl.String),
                                 'value_millions': pl.Float64}})
    .filter(pl.col('reporter').is_in({republics}))
    .group_by('year', 'reporter', 'partner', 'flow')
    .agg(pl.col('value_millions').sum(), pl.len().alias('rows'))
    .sort('year', 'reporter', 'partner', 'flow')
    .sink_csv('{dst}', engine='streaming')
)
"""


def generate(years: int, generator: Path) -> Path:
    """The world-wide file of totals for ``years`` years (made once)."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"world_{years}y.csv"
    if not path.exists():
        subprocess.run(
            [sys.executable, str(generator), str(path), "--iso", "--reporters", "249"]
            + ["--partners", "249", "--years", str(years), "--total"],
            check=True,
        )
    return path


def same_figures(ours: Path, theirs: Path) -> str:
    """'yes' when every key has the same value in both files (to the 6 decimals written)."""
    mine = read_figures(ours, "value_millions")
    other = read_figures(theirs, "value_millions")
    if mine.keys() != other.keys():
        return f"NO ({len(mine)} against {len(other)} keys)"
    worst = max((abs(mine[k] - other[k]) for k in mine), default=0.0)
    return "yes" if worst <= 1.5e-6 else f"NO (differ by up to {worst:g})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=8, help="8: 988,032 rows; 80: 9.9 M")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--generator", type=Path, default=GENERATOR)
    parser.add_argument("--only", choices=["import", "data"], help="run one case (default: both)")
    args = parser.parse_args()
    check_tools(args.generator, "bench/world_bench.py")
    source = generate(args.years, args.generator)
    data = OUT / f"world_{args.years}y_data.csv"
    ca_trade = [sys.executable, "-m", "ca_trade"]
    if not data.exists():
        run([*ca_trade, "import", "--all-countries", str(source), "-o", str(data)])
    year = str(2023)
    cases: list[tuple[str, list[str], list[str]]] = []
    if args.only in (None, "import"):
        ours = OUT / f"ca_trade_world_{args.years}y.csv"
        for label, columns in (("10 columns", WIDE), ("5 columns", NARROW)):
            theirs = OUT / f"duckdb_world_{args.years}y_{label.split()[0]}.csv"
            script = DUCKDB_IMPORT.format(
                src=source, dst=theirs, columns=columns.format(name=source.name)
            )
            cases.append(
                (
                    f"import --all-countries (DuckDB: {label})",
                    [*ca_trade, "import", "--all-countries", str(source), "-o", str(ours)],
                    [sys.executable, "-c", script],
                )
            )
    if args.only in (None, "data"):
        theirs = OUT / f"duckdb_data_{args.years}y.csv"
        script = DUCKDB_DATA.format(src=data, dst=theirs, republics=sql_list(REPUBLICS))
        duck = [sys.executable, "-c", script]
        for command in (
            ["compare", "--data", str(data), "--year", year, "-f", "csv"],
            ["shares", "--data", str(data), "--year", year, "-f", "csv"],
            ["validate", str(data), "-f", "csv"],
        ):
            cases.append((command[0], [*ca_trade, *command], duck))
        floor = POLARS_DATA.format(
            src=data, dst=OUT / f"polars_data_{args.years}y.csv", republics=REPUBLICS
        )
        cases.append(("floor: Polars alone, no checks", [sys.executable, "-c", floor], duck))
    rows = sum(1 for _ in source.open("rb")) - 1
    versions = ", ".join(
        f"{name} {metadata.version(name)}" for name in ("polars", "duckdb", "ca-trade")
    )
    print(f"Python {sys.version.split()[0]}, {versions}")
    print(
        f"{rows:,} rows: {source.name} {source.stat().st_size / 1e6:.0f} MB, data file "
        f"{data.name} {data.stat().st_size / 1e6:.0f} MB; {args.runs} runs each after a "
        f"warm-up, interleaved; {os.cpu_count()} CPUs; load before: {load()}"
    )
    timings = interleaved(cases, args.runs)
    print(f"load after: {load()}\n")
    print_ratios(timings)
    if args.only in (None, "import"):
        ours = OUT / f"ca_trade_world_{args.years}y.csv"
        for label in ("10", "5"):
            theirs = OUT / f"duckdb_world_{args.years}y_{label}.csv"
            print(f"same figures as DuckDB ({label} columns): {same_figures(ours, theirs)}")


if __name__ == "__main__":
    main()
