"""Benchmark ``ca-trade import`` against DuckDB on the same Comtrade-shaped files.

Not a test. Run:  uv run --group bench python bench/import_bench.py [--years 2] [--runs 5]

1. Generates bench/out/comtrade_<N>r_<Y>y.csv with ../shared/bench/gen_comtrade.py --iso (200
   reporters x 230 partners x 2 flows x 50 HS-2 codes = 4.58 M rows by default, real ISO codes;
   --years 2 doubles it), and its bulk variant comtrade_<N>r_<Y>y.tsv.gz (gzipped TSV with
   numeric codes, partner2Code 0, motCode 0, customsCode C00, as a Comtrade bulk file).
2. Times, interleaved, N runs each, as whole processes: ``ca-trade import FILE -o OUT`` and a
   DuckDB process running the same aggregation (flows X/M, ca-trade's countries plus World,
   breakdown rows out, sum by year, reporter, partner, flow and product level, the most
   aggregated level kept) and writing CSV. ca-trade also hashes the file (sha256) and checks
   its output; DuckDB does not.
3. Wall time and peak RSS per child come from ``os.wait4`` (ru_maxrss, KiB on Linux).
   Children run as on a default Python, which caches bytecode: PYTHONDONTWRITEBYTECODE is
   removed from their environment and each program runs once, untimed, before the timed runs.
   (Where it is set, as in some sandboxes, every run compiles the Python layers anew: then
   ``import polars`` takes 0.45 s instead of 0.17 s, ``import duckdb`` 0.18 s instead of 0.10.)
4. Prints median wall, peak memory and the ratios ca-trade / DuckDB, and checks that both
   programs produced the same figures.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
GENERATOR = HERE.parents[1] / "shared" / "bench" / "gen_comtrade.py"

OWN_ISO = ["KAZ", "KGZ", "TJK", "TKM", "UZB", "CHN", "RUS"]
# Comtrade numeric codes of the generator's real codes (DEU 276, FRA 251, ITA 381 are Comtrade's).
NUMERIC = {
    "KAZ": 398,
    "KGZ": 417,
    "TJK": 762,
    "TKM": 795,
    "UZB": 860,
    "CHN": 156,
    "RUS": 643,
    "DEU": 276,
    "FRA": 251,
    "ITA": 381,
}

# DuckDB reading a Comtrade Plus CSV: the columns both benchmarks aggregate, typed (a line of a
# query template: ``{src}`` is filled in, ``{{ }}`` are braces).
COMTRADE_PLUS_READ = """  from read_csv('{src}', header = true, auto_detect = false,
                columns = {{'refYear': 'VARCHAR', 'reporterISO': 'VARCHAR',
                           'partnerISO': 'VARCHAR', 'flowCode': 'VARCHAR',
                           'cmdCode': 'VARCHAR', 'primaryValue': 'DOUBLE'}})
"""

DUCKDB_CSV = (
    """
import duckdb
duckdb.sql('''
with agg as (
  select refYear as year, reporterISO as reporter, partnerISO as partner, flowCode as flow,
         case when cmdCode = 'TOTAL' then 0 else length(cmdCode) end as level,
         sum(primaryValue) as value
"""
    + COMTRADE_PLUS_READ
    + """  where flowCode in ('X', 'M') and reporterISO in {own}
    and partnerISO in {own_world} and not isnan(primaryValue)
  group by all
)
select year, reporter, partner, flow, value / 1e6 as value_millions from agg
qualify level = min(level) over (partition by year, reporter, partner, flow)
order by all
''').write_csv('{dst}')
"""
)

DUCKDB_TSV = """
import duckdb
duckdb.sql('''
with agg as (
  select period as year, reporterCode as reporter, partnerCode as partner, flowCode as flow,
         case when cmdCode = 'TOTAL' then 0 else length(cmdCode) end as level,
         sum(primaryValue) as value
  from read_csv('{src}', header = true, delim = '\\t', compression = 'gzip',
                auto_detect = false,
                columns = {{'period': 'VARCHAR', 'reporterCode': 'VARCHAR',
                           'partnerCode': 'VARCHAR', 'partner2Code': 'VARCHAR',
                           'flowCode': 'VARCHAR', 'cmdCode': 'VARCHAR', 'motCode': 'VARCHAR',
                           'customsCode': 'VARCHAR', 'primaryValue': 'DOUBLE'}})
  where flowCode in ('X', 'M') and reporterCode in {own}
    and partnerCode in {own_world} and partner2Code = '0' and motCode = '0'
    and customsCode = 'C00' and not isnan(primaryValue)
  group by all
)
select year, reporter, partner, flow, value / 1e6 as value_millions from agg
qualify level = min(level) over (partition by year, reporter, partner, flow)
order by all
''').write_csv('{dst}')
"""


BULK_SCRIPT = """
import gzip, sys
from pathlib import Path
import polars as pl
NUMERIC = %r
plain, bulk = Path(sys.argv[1]), Path(sys.argv[2])
frame = pl.read_csv(plain, infer_schema=False)
codes = sorted(set(frame["reporterISO"].unique()) | set(frame["partnerISO"].unique()))
others = [c for c in codes if c not in NUMERIC]
mapping = {k: str(v) for k, v in NUMERIC.items()}
mapping.update({c: str(1000 + i) for i, c in enumerate(others)})
bulk_frame = frame.select(
    pl.col("refYear").alias("period"),
    pl.col("reporterISO").replace_strict(mapping).alias("reporterCode"),
    pl.col("partnerISO").replace_strict(mapping).alias("partnerCode"),
    pl.lit("0").alias("partner2Code"),
    "flowCode",
    "cmdCode",
    pl.lit("0").alias("motCode"),
    pl.lit("C00").alias("customsCode"),
    "primaryValue",
)
temp = bulk.with_suffix(".tmp")
with gzip.open(temp, "wb", compresslevel=6) as handle:
    bulk_frame.write_csv(handle, separator="\\t")
temp.replace(bulk)
""".replace("%r", repr(NUMERIC))


def sql_list(values: list[str]) -> str:
    return "(" + ", ".join(f"''{v}''".replace("''", "'") for v in values) + ")"


def generate(reporters: int, generator: Path, years: int = 1) -> tuple[Path, Path]:
    """The plain CSV (gen_comtrade.py, real ISO codes) and its gzipped bulk-TSV twin, made once
    per size. Real codes: ``import`` refuses a partner code that is no country's."""
    OUT.mkdir(parents=True, exist_ok=True)
    plain = OUT / f"comtrade_{reporters}r_{years}y.csv"
    bulk = OUT / f"comtrade_{reporters}r_{years}y.tsv.gz"
    if not plain.exists():
        subprocess.run(
            [sys.executable, str(generator), str(plain), "--iso", "--reporters", str(reporters)]
            + ["--years", str(years)],
            check=True,
        )
    if not bulk.exists():
        # In a child: this process stays small, and a child's ru_maxrss counts the image it
        # was forked from.
        subprocess.run([sys.executable, "-c", BULK_SCRIPT, str(plain), str(bulk)], check=True)
    return plain, bulk


CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run(argv: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one child process."""
    start = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=CHILD_ENV)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    err = child.stderr.read().decode() if child.stderr else ""
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(argv[:4])}… failed ({child.returncode}): {err.strip()}")
    return wall, usage.ru_maxrss


def read_figures(path: Path, value_column: str) -> dict[tuple[str, ...], float]:
    with path.open(newline="") as handle:
        return {
            (r["year"], r["reporter"], r["partner"], r["flow"]): float(r[value_column])
            for r in csv.DictReader(handle)
        }


def same_figures(ours: Path, theirs: Path, numeric: bool) -> bool:
    """ca-trade's output and DuckDB's agree (codes and flows mapped as ca-trade does)."""
    back = {str(v): k for k, v in NUMERIC.items()} if numeric else {}
    world = "0" if numeric else "W00"
    mine = read_figures(ours, "value_millions")
    other = {}
    for (year, rep, par, flow), value in read_figures(theirs, "value_millions").items():
        rep = back.get(rep, rep)
        par = "WLD" if par == world else back.get(par, par)
        other[(year, rep, par, {"X": "export", "M": "import"}[flow])] = value
    return mine.keys() == other.keys() and all(
        abs(mine[k] - other[k]) <= 1e-6 * max(1.0, abs(other[k])) for k in mine
    )


def load() -> str:
    """The 1, 5 and 15 minute load averages, for a table's caption."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


Timings = dict[str, tuple[list[tuple[float, int]], list[tuple[float, int]]]]


def interleaved(cases: list[tuple[str, list[str], list[str]]], runs: int) -> Timings:
    """Each case's (seconds, peak KB) for ours and theirs, ``runs`` rounds after a warm-up,
    the programs interleaved, each distinct program run once a round."""
    timings: Timings = {}
    for attempt in range(runs + 1):  # the first round is a warm-up (bytecode caches)
        done: dict[tuple[str, ...], tuple[float, int]] = {}  # each program once a round
        for name, ours_argv, theirs_argv in cases:
            ours_run = done.get(tuple(ours_argv)) or run(ours_argv)
            theirs_run = done.get(tuple(theirs_argv)) or run(theirs_argv)
            done[tuple(ours_argv)], done[tuple(theirs_argv)] = ours_run, theirs_run
            if attempt > 0:
                mine, other = timings.setdefault(name, ([], []))
                mine.append(ours_run)
                other.append(theirs_run)
    return timings


def print_ratios(timings: Timings, ours: str = "ca-trade", theirs: str = "DuckDB") -> None:
    """The median time and peak memory of each case, ours against theirs, as ratios."""
    print(
        f"{'work':<46} {ours + ' s':>10} {theirs + ' s':>9} {'time ratio':>10} "
        f"{ours + ' MB':>11} {theirs + ' MB':>9} {'mem ratio':>9}"
    )
    for name, (mine, other) in timings.items():
        ours_t = statistics.median(w for w, _ in mine)
        duck_t = statistics.median(w for w, _ in other)
        ours_m = max(m for _, m in mine) / 1024
        duck_m = max(m for _, m in other) / 1024
        print(
            f"{name:<46} {ours_t:>10.2f} {duck_t:>9.2f} {ours_t / duck_t:>10.2f} "
            f"{ours_m:>11.0f} {duck_m:>9.0f} {ours_m / duck_m:>9.2f}"
        )


def check_tools(generator: Path, script: str) -> None:
    """Stop with a clear message when DuckDB or the generator is missing."""
    # find_spec, not import: this process stays small (children's ru_maxrss counts the image
    # they were forked from).
    if importlib.util.find_spec("duckdb") is None:
        raise SystemExit(
            f"DuckDB is not installed: it is in the bench group, so run\n"
            f"  uv run --group bench python {script}"
        )
    if not generator.is_file():
        raise SystemExit(f"{generator} not found: pass --generator PATH/gen_comtrade.py")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reporters", type=int, default=200, help="at most 249 (default 200)")
    parser.add_argument("--years", type=int, default=1, help="grows the file (default 1)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--generator",
        type=Path,
        default=GENERATOR,
        help=f"gen_comtrade.py (default: {GENERATOR})",
    )
    args = parser.parse_args()
    check_tools(args.generator, "bench/import_bench.py")

    plain, bulk = generate(args.reporters, args.generator, args.years)
    ca_trade = [sys.executable, "-m", "ca_trade"]
    own_numeric = [str(NUMERIC[c]) for c in OWN_ISO]
    cases = [
        ("plain CSV", plain, DUCKDB_CSV, sql_list(OWN_ISO), sql_list([*OWN_ISO, "W00"]), False),
        (
            "gzipped TSV",
            bulk,
            DUCKDB_TSV,
            sql_list(own_numeric),
            sql_list([*own_numeric, "0"]),
            True,
        ),
    ]
    rows = sum(1 for _ in plain.open("rb")) - 1
    print(
        f"{rows:,} rows; {plain.name} {plain.stat().st_size / 1e6:.0f} MB, "
        f"{bulk.name} {bulk.stat().st_size / 1e6:.0f} MB; {args.runs} runs each after a warm-up, "
        "interleaved; "
        f"{os.cpu_count()} CPUs"
    )
    results: dict[str, dict[str, list[tuple[float, int]]]] = {}
    for attempt in range(args.runs + 1):  # the first round is a warm-up (bytecode caches)
        for name, source, template, own, own_world, _numeric in cases:
            ours = OUT / f"ca_trade_{source.stem}.csv"
            theirs = OUT / f"duckdb_{source.stem}.csv"
            script = template.format(src=source, dst=theirs, own=own, own_world=own_world)
            timing = results.setdefault(name, {"ca-trade": [], "DuckDB": []})
            ours_run = run([*ca_trade, "import", str(source), "-o", str(ours)])
            theirs_run = run([sys.executable, "-c", script])
            if attempt > 0:
                timing["ca-trade"].append(ours_run)
                timing["DuckDB"].append(theirs_run)
    print()
    print(
        f"{'file':<12} {'ca-trade s':>10} {'DuckDB s':>9} {'time ratio':>10} "
        f"{'ca-trade MB':>11} {'DuckDB MB':>9} {'mem ratio':>9}  same figures"
    )
    for name, source, *_rest, numeric in cases:
        ours_t = statistics.median(w for w, _ in results[name]["ca-trade"])
        duck_t = statistics.median(w for w, _ in results[name]["DuckDB"])
        ours_m = max(m for _, m in results[name]["ca-trade"]) / 1024
        duck_m = max(m for _, m in results[name]["DuckDB"]) / 1024
        same = same_figures(
            OUT / f"ca_trade_{source.stem}.csv", OUT / f"duckdb_{source.stem}.csv", numeric
        )
        print(
            f"{name:<12} {ours_t:>10.2f} {duck_t:>9.2f} {ours_t / duck_t:>10.2f} "
            f"{ours_m:>11.0f} {duck_m:>9.0f} {ours_m / duck_m:>9.2f}  {'yes' if same else 'NO'}"
        )


if __name__ == "__main__":
    main()
