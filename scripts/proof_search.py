"""Search small files for one that a mutant of the fast reader's proof reads wrongly.

Usage (from the repository root)::

    uv run python scripts/proof_search.py "proof: a cell holding a quote accepted" --length 7

Takes a mutant of ``scripts/mutate.py`` by name, applies it to the module holding the proof (in
memory), and tries every file made of the header ``h,k``, then up to ``--length`` characters
from ``--alphabet`` (default: ``a , " CR LF``), then a line end. A file the mutated proof accepts
must split as Python's ``csv`` module splits it; each one that does not is printed. No file
printed: the mutant is equivalent on files this small (``mutate.py`` names it so).
"""

from __future__ import annotations

import argparse
import csv
import io
import itertools
import sys
import types
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from mutate import MUTANTS, PACKAGE  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mutant", help="a mutant's name (scripts/mutate.py --list)")
    parser.add_argument("--length", type=int, default=6)
    parser.add_argument("--alphabet", default='a,"\r\n')
    args = parser.parse_args()
    [mutant] = [m for m in MUTANTS if m.name == args.mutant]
    [source] = [
        p.read_text(encoding="utf-8")
        for p in PACKAGE.rglob("*.py")
        if p.read_text(encoding="utf-8").count(mutant.old) == 1
    ]
    module = types.ModuleType("mutated")
    exec(compile(source.replace(mutant.old, mutant.new), "mutated", "exec"), module.__dict__)
    from ca_trade.records import StructureMismatch

    accepted = wrong = 0
    for size in range(1, args.length + 1):
        for chars in itertools.product(args.alphabet, repeat=size):
            text = "h,k\n" + "".join(chars) + "\n"
            block = text.encode()
            try:
                frame = module._read_block(block, 2, ",")
                module._prove(block, frame, 2, ",", first=True)
            except StructureMismatch:
                continue
            accepted += 1
            try:
                rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
                exact: object = [r for r in rows if r and not (len(r) == 1 and not r[0].strip())]
            except csv.Error:
                exact = "csv error"
            fast = [list(row) for row in frame.rows()]
            if fast != exact:
                wrong += 1
                print(f"{text!r}: fast {fast}, csv {exact}")
    print(f"{accepted} files accepted by the mutated proof, {wrong} read wrongly")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
