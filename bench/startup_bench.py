"""Start-up: ``compare --format csv`` on the bundled data against ``import polars, typer``.

Interleaved rounds (bytecode caches written first), as docs/benchmarks.md describes; prints each
case's median and fastest wall time and its ratio to the bare imports. ``--before SRC`` adds the
same command run from another checkout's ``src`` (e.g. ``git archive`` of an older commit), with
this environment's packages.

    uv run python bench/startup_bench.py --rounds 40 [--before /tmp/base/src]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time


def main() -> None:
    """Run the rounds and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--before", help="another checkout's src folder, run the same way")
    args = parser.parse_args()
    compare = [sys.executable, "-m", "ca_trade", "compare", "--format", "csv"]
    cases: dict[str, tuple[list[str], dict[str, str]]] = {
        "import polars, typer": ([sys.executable, "-c", "import polars, typer"], {}),
        "compare --format csv": (compare, {}),
        "compare --year 2025": ([*compare, "--year", "2025"], {}),
    }
    if args.before:
        cases["compare (before)"] = (compare, {"PYTHONPATH": args.before})
    times: dict[str, list[float]] = {name: [] for name in cases}

    def run(name: str) -> float:
        command, extra = cases[name]
        start = time.perf_counter()
        subprocess.run(
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, **extra},
            check=True,
        )
        return (time.perf_counter() - start) * 1000

    for name in cases:  # write the bytecode caches
        run(name)
    for _ in range(args.rounds):
        for name in cases:
            times[name].append(run(name))
    bare = statistics.median(times["import polars, typer"])
    for name, values in times.items():
        median = statistics.median(values)
        print(
            f"{name:22s} median {median:7.1f} ms  fastest {min(values):7.1f} ms  "
            f"{median / bare:.2f}x"
        )
    print("load average", " ".join(f"{v:.1f}" for v in os.getloadavg()))


if __name__ == "__main__":
    main()
