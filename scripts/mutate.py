"""A rerunnable mutation check: hand-written mutants, each run against the tests meant to catch it.

Usage (from the repository root)::

    uv run python scripts/mutate.py            # every mutant: caught or SURVIVED, and the score
    uv run python scripts/mutate.py --list     # the mutants' names
    uv run python scripts/mutate.py -k bound   # the mutants whose name holds "bound"

Each mutant is one exact text replacement in the source (``old`` -> ``new``), found in whichever
file under ``src/ca_trade`` holds ``old`` exactly once, so a module that moves keeps its mutants.
The source is copied to a temporary directory and mutated there (the checkout is never touched),
and the mutant's tests run with that copy first on ``PYTHONPATH``, one pytest at a time, stopping
at the first failure. A mutant whose text is not found is reported as such (the code changed:
update the mutant) and counts against the score. Before any mutant, the tests run once on the
unmutated copy: they must pass there.

Exit status: 0 when every mutant was caught, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "ca_trade"

RULES = ("tests/test_rules.py",)
PROOF = ("tests/test_fast_loader_proof.py",)
PARQUET = (
    "tests/test_rules.py::test_rule_in_parquet",
    "tests/test_rules.py::test_rule_in_typed_parquet",
)
SHARES = (
    "tests/test_region_shares.py",
    "tests/test_properties.py::test_shares_and_rest_of_world_from_the_rows",
)
CELLS = ("tests/test_cells.py",)
# The tests that draw tables with figure markers (the marker tests, issue 20, go here too).
MARKERS = (
    "tests/test_markers.py",
    "tests/test_provenance.py",
    "tests/test_tables_layout.py",
    "tests/test_compare.py",
    "tests/test_growth.py",
    "tests/test_calculator.py",
)


# Why two of the proof's checks have no test of their own: with the others in place no file was
# found that they change (kept as defence in depth). Searched by trying every file made of up
# to 7 characters from  a , " CR LF  after the header "h,k": the fast reader with the check
# removed gives what the csv module gives, or refuses the file.
EXHAUSTIVE = 'no file found that it changes: every file of up to 7 characters of a , " CR LF tried'


@dataclass(frozen=True)
class Mutant:
    """One change to the source and the tests that must fail with it."""

    name: str
    old: str
    new: str
    tests: tuple[str, ...]
    # Why no test can catch it (the program behaves the same), when that is so.
    equivalent: str = ""


MUTANTS = [
    # ------------------------------------------------------------------ the data rules, one off
    Mutant(
        "rule same-reporter-partner off",
        '~blank["partner"] & (pl.col("reporter") == pl.col("partner")),',
        "pl.lit(False),",
        RULES,
    ),
    Mutant(
        "screen: same reporter and partner not screened",
        'tests.append(pl.col("reporter") == pl.col("partner"))',
        "pass",
        RULES,
    ),
    Mutant(
        "rule empty-value off",
        "                is_blank,\n",
        "                pl.lit(False),\n",
        RULES,
    ),
    Mutant(
        "screen: empty unscreened cells (source) not screened",
        "pl.col(c).str.len_bytes() == 0\n",
        "pl.col(c).str.len_bytes() < 0\n",
        RULES,
    ),
    Mutant(
        "rule bad-year off",
        '~blank["year"] & (year.is_null() | ~year.is_between(1900, 2100)),',
        "pl.lit(False),",
        RULES,
    ),
    Mutant(
        "rule bad-year: no range",
        '~blank["year"] & (year.is_null() | ~year.is_between(1900, 2100)),',
        '~blank["year"] & year.is_null(),',
        RULES,
    ),
    Mutant(
        "rule bad-number (separator) off",
        "                not_number & separator,\n",
        "                pl.lit(False),\n",
        RULES,
    ),
    Mutant(
        "rule bad-number (typographic minus) off",
        "                not_number & ~separator & minus,\n",
        "                pl.lit(False),\n",
        RULES,
    ),
    Mutant(
        "rule bad-number (not a number) off",
        "                not_number & ~separator & ~minus,\n",
        "                pl.lit(False),\n",
        RULES,
    ),
    Mutant(
        "rule non-finite-number off",
        "number.is_not_null() & ~number.is_finite(),",
        "pl.lit(False),",
        RULES,
    ),
    Mutant(
        "rule negative-value off",
        "number.is_finite() & (number < 0),",
        "pl.lit(False),",
        RULES,
    ),
    Mutant(
        "rule negative-value: <= 0",
        "number.is_finite() & (number < 0),",
        "number.is_finite() & (number <= 0),",
        RULES,
    ),
    Mutant(
        "rule unknown-code off",
        "~blank[column] & code.is_in(unknown_codes),",
        "pl.lit(False),",
        RULES,
    ),
    Mutant(
        "rule unknown-code: partner only",
        'for column in ("reporter", "partner"):\n        if column in present:\n            code',
        'for column in ("partner",):\n        if column in present:\n            code',
        RULES,
    ),
    Mutant(
        "rule bad-flow off",
        "    for column, values in allowed:",
        "    for column, values in allowed[1:]:",
        RULES,
    ),
    Mutant(
        "rule bad-currency off",
        "    for column, values in allowed:",
        "    for column, values in (allowed[0], allowed[2]):",
        RULES,
    ),
    Mutant(
        "rule bad-basis off",
        "    for column, values in allowed:",
        "    for column, values in allowed[:2]:",
        RULES,
    ),
    Mutant(
        "rule bad-bound off",
        '(bound != "") & ~bound.is_in(schema.BOUNDS),',
        "pl.lit(False),",
        RULES,
    ),
    Mutant(
        "rule bad-bound: any case",
        '(bound != "") & ~bound.is_in(schema.BOUNDS),',
        '(bound != "") & ~bound.str.to_lowercase().is_in(schema.BOUNDS),',
        RULES,
    ),
    Mutant(
        "screen: bound not screened",
        'tests.append(~pl.col(schema.BOUND).is_in(["", *schema.BOUNDS]))',
        "pass",
        RULES,
    ),
    Mutant(
        "rule bad-url off",
        '~blank["source_url"] & ~pl.col("source_url").str.contains(r"^https?://\\S+$"),',
        "pl.lit(False),",
        RULES,
    ),
    Mutant(
        "rule bad-url: spaces allowed",
        '~blank["source_url"] & ~pl.col("source_url").str.contains(r"^https?://\\S+$"),',
        '~blank["source_url"] & ~pl.col("source_url").str.contains(r"^https?://.+$"),',
        RULES,
    ),
    Mutant(
        "rule no-exchange-rate off",
        '(pl.col("currency") == "EUR") & year.is_not_null() & ~year.is_in(list(rates)),',
        "pl.lit(False),",
        RULES,
    ),
    Mutant(
        "rule duplicate-key off",
        'pl.col("line") != pl.col("_first_line"),',
        "pl.lit(False),",
        RULES,
    ),
    Mutant(
        "rule ragged-row off",
        "    for record in parsed.ragged:\n",
        "    for record in parsed.ragged[:0]:\n",
        RULES,
    ),
    Mutant(
        "rule no-rows off",
        "    if not rows:\n        found.append(",
        "    if False:\n        found.append(",
        RULES,
    ),
    Mutant(
        "rule blank-column-name off",
        "        if not name:\n            found.append(",
        "        if False:\n            found.append(",
        RULES,
    ),
    Mutant(
        "rule duplicate-column off",
        "        elif name in seen:\n",
        "        elif False:\n",
        RULES,
    ),
    Mutant(
        "rule missing-column off",
        "    for name in schema.REQUIRED:\n        if name not in seen:\n",
        "    for name in schema.REQUIRED:\n        if False:\n",
        RULES,
    ),
    Mutant(
        "rule wrong-delimiter off",
        "    if shown and len(header) == 1:\n",
        "    if False:\n",
        RULES,
    ),
    Mutant(
        "rule empty-file off (a blank file)",
        "    if not text.strip():\n        raise ParseError(",
        "    if not text:\n        raise ParseError(",
        RULES,
    ),
    # ------------------------------------------------------------------ Parquet's cheap tests
    Mutant(
        "parquet: a reporter that is its own partner not screened",
        'same((_text("reporter") == _text("partner")).fill_null(False))',
        "pass",
        PARQUET,
    ),
    Mutant(
        "parquet: bound not screened",
        'same(bound.is_not_null() & ~bound.is_in(["", *schema.BOUNDS]))',
        "pass",
        PARQUET,
    ),
    Mutant(
        "parquet: a URL that is not http(s) not screened",
        "            test |= ~cell.str.contains(_URL)\n",
        "            pass\n",
        PARQUET,
    ),
    Mutant(
        "parquet: codes not screened",
        "same(_text(column).is_null() | ~_text(column).is_in(_known_codes()))",
        "pass",
        PARQUET,
    ),
    Mutant(
        "parquet: a year as a number not range-checked",
        "same(year.is_null() | ~year.is_between(1900, 2100))",
        "same(year.is_null())",
        PARQUET,
    ),
    Mutant(
        "parquet: a negative number not screened",
        "same(~number.is_between(0, sys.float_info.max).fill_null(False))",
        "same(~number.is_between(-sys.float_info.max, sys.float_info.max).fill_null(False))",
        PARQUET,
    ),
    Mutant(
        "parquet: a number as text not screened",
        'same(~parsed.is_between(0, float("inf"), closed="left").fill_null(False))',
        "pass",
        PARQUET,
    ),
    Mutant(
        "parquet: a year as text not screened",
        'same(~_text("year").is_in(years).fill_null(False))',
        "pass",
        PARQUET,
    ),
    Mutant(
        "parquet: a EUR row without a rate not screened",
        'same((_text("currency") == "EUR") & ~_text("year").is_in(known))',
        "pass",
        PARQUET,
    ),
    # ------------------------------------------------------------------ shares
    Mutant(
        "shares: region denominator sums republics with no numerator (the audit's bug)",
        'republic_rows.filter(pl.col("pct").is_not_null())',
        'republic_rows.filter(pl.col("den").is_not_null())',
        SHARES,
    ),
    Mutant(
        "shares: region denominator is the largest republic's",
        'pl.col("den").sum(),',
        'pl.col("den").max(),',
        SHARES,
    ),
    Mutant(
        "shares: region coverage counts one too many",
        '"{}/{} republics with both figures ({})",\n                pl.len(),',
        '"{}/{} republics with both figures ({})",\n                pl.len() + 1,',
        SHARES,
    ),
    Mutant(
        "shares: imports and exports numerators swapped",
        'SHARE_MEASURES = {"trade": "total", "imports": "export", "exports": "import"}',
        'SHARE_MEASURES = {"trade": "total", "imports": "import", "exports": "export"}',
        SHARES,
    ),
    Mutant(
        "shares: world imports and exports swapped",
        'WORLD_FLOW = {"trade": "total", "imports": "import", "exports": "export"}',
        'WORLD_FLOW = {"trade": "total", "imports": "export", "exports": "import"}',
        SHARES,
    ),
    Mutant(
        "shares: a share over world + partner",
        'ratio = pl.col("num") / pl.col("den") * 100',
        'ratio = pl.col("num") / (pl.col("den") + pl.col("num")) * 100',
        SHARES,
    ),
    Mutant(
        "shares: a figure over the world total shown as a share",
        "impossible = both & ~zero & (ratio > 100)",
        "impossible = both & ~zero & (ratio > 1000)",
        SHARES,
    ),
    Mutant(
        "shares: rest of world's value is the whole world total",
        'rest = pl.col("den") - pl.col("known_num")',
        'rest = pl.col("den")',
        SHARES,
    ),
    Mutant(
        "shares: rest of world's value leaves out all but the largest partner",
        '.sum().alias("known_num")',
        '.max().alias("known_num")',
        SHARES,
    ),
    Mutant(
        "shares: rest of world given when a partner's figure exceeds the world total",
        '& ~pl.col("unusable")',
        "",
        SHARES,
    ),
    Mutant(
        "shares: mixed flag inverted",
        'pl.when(both).then(pl.col("num_reporter") != pl.col("area")).alias("mixed")',
        'pl.when(both).then(pl.col("num_reporter") == pl.col("area")).alias("mixed")',
        SHARES,
    ),
    Mutant(
        "shares: region mixed flag never set",
        'pl.col("mixed").any(),',
        'pl.lit(False).alias("mixed"),',
        SHARES,
    ),
    # ------------------------------------------------------------------ tables/cells.py
    Mutant(
        "cells: bn without the thousands separator",
        'return f"{value / 1000:,.{digits}f}"',
        'return f"{value / 1000:.{digits}f}"',
        CELLS,
    ),
    Mutant(
        "cells: bn shows NaN as nan",
        "    if value is None or (isinstance(value, float) and math.isnan(value)):\n"
        '        return MISSING\n    return f"{value / 1000',
        '    if value is None:\n        return MISSING\n    return f"{value / 1000',
        CELLS,
    ),
    Mutant(
        "cells: pct without its % sign",
        'return f"{value:.{digits}f}%"',
        'return f"{value:.{digits}f}"',
        CELLS,
    ),
    Mutant(
        "cells: num takes booleans as numbers",
        "    if isinstance(value, bool):\n        return None\n",
        "",
        CELLS,
    ),
    Mutant(
        "cells: bar longer than the largest",
        "min(value / largest, 1.0)",
        "value / largest",
        CELLS,
    ),
    Mutant(
        "cells: bar for zero",
        "if value is None or not largest or value <= 0:",
        "if value is None or not largest or value < 0:",
        CELLS,
        equivalent="a bar of 0 eighths is the empty text either way",
    ),
    Mutant(
        "cells: who names five republics one by one",
        "'+'.join(codes) if len(codes) < 5 else",
        "'+'.join(codes) if len(codes) <= 5 else",
        CELLS,
    ),
    Mutant(
        "cells: who forgets the kind of reporter",
        "KIND_OF_REPORTER.get(codes[0], 'statistics')",
        "'statistics'",
        CELLS,
    ),
    Mutant(
        "cells: by_measure joins exports and imports when turnover equals imports",
        "    if exports == imports:\n",
        "    if turnover == imports:\n",
        CELLS,
    ),
    Mutant(
        "cells: line_ref gives the whole path",
        "PurePath(file.removesuffix(' (bundled)')).name",
        "file.removesuffix(' (bundled)')",
        CELLS,
    ),
    Mutant(
        "cells: top_rows cuts a list of exactly top rows",
        "if top is None or len(rows) <= top:",
        "if top is None or len(rows) < top:",
        CELLS,
    ),
    Mutant(
        "cells: rates_used from any column",
        'if name.endswith("_fx_rate") and isinstance(value, float)',
        "if isinstance(value, float)",
        CELLS,
    ),
    Mutant(
        "cells: marker * (derived) never drawn",
        '    if row.get(f"{prefix}_derived"):\n        text.append("*"',
        '    if False:\n        text.append("*"',
        MARKERS,
    ),
    Mutant(
        "cells: marker \u2020 drawn on compiled figures too",
        'if row.get(f"{prefix}_basis") == "unstated":',
        'if row.get(f"{prefix}_basis") != "official":',
        MARKERS,
    ),
    Mutant(
        "cells: marker ~ drawn on every figure with a coverage",
        'if row.get(f"{prefix}_partial"):',
        'if row.get(f"{prefix}_partial") is not None:',
        MARKERS,
    ),
    Mutant(
        "cells: marker \u20ac never drawn",
        'if row.get(f"{prefix}_fx_rate") is not None:',
        "if False:",
        MARKERS,
    ),
    Mutant(
        "cells: marker \u25d0 (mixed) never drawn",
        'if row.get(f"{prefix}_mixed"):',
        "if False:",
        MARKERS,
    ),
    Mutant(
        "cells: bound marker never drawn",
        'MARKS.get(str(row.get(f"{prefix}_bound")), "")',
        '""',
        MARKERS,
    ),
    # ------------------------------------------------------------------ the fast reader's proof
    Mutant(
        "proof: NUL check removed",
        '    if b"\\x00" in block:\n        raise StructureMismatch("NUL byte")',
        "    pass",
        PROOF,
    ),
    Mutant(
        "proof: quote check removed",
        "        if not opening * 2 == closing * 2 == quotes or _INNER_QUOTE.search(body):\n"
        '            raise StructureMismatch("a quote that does not enclose a cell")',
        "        pass",
        PROOF,
    ),
    Mutant(
        "proof: quotes counted as openings only",
        "        if not opening * 2 == closing * 2 == quotes or",
        "        if not opening * 2 == quotes or",
        PROOF,
        equivalent=EXHAUSTIVE,
    ),
    Mutant(
        "proof: a quote inside a cell's text accepted",
        "        if not opening * 2 == closing * 2 == quotes or _INNER_QUOTE.search(body):",
        "        if not opening * 2 == closing * 2 == quotes:",
        PROOF,
    ),
    Mutant(
        "proof: lone CR check removed",
        '        if returns != block.count(b"\\r\\n"):\n            raise StructureMismatch("a CR that is not part of CRLF")',  # noqa: E501
        "        pass",
        PROOF,
    ),
    Mutant(
        "proof: field limit check removed",
        '    if longest is not None and longest > csv.field_size_limit():\n        raise StructureMismatch("a cell over the csv field limit")',  # noqa: E501
        "    pass",
        PROOF,
    ),
    Mutant(
        "proof: a cell holding a quote accepted",
        '        if quote:\n            raise StructureMismatch("a cell holds a quote")',
        "        pass",
        PROOF,
        equivalent=EXHAUSTIVE,
    ),
    Mutant(
        "proof: byte count not checked",
        "    if expected != len(block):\n",
        "    if False:\n",
        PROOF,
    ),
    Mutant(
        "proof: a cell over several lines accepted",
        '            raise StructureMismatch("a line break inside a quoted cell")',
        "            pass",
        PROOF,
    ),
    Mutant(
        "proof: CRs not counted as bytes",
        "cell_bytes + frame.height * (width - 1) + quotes + ends + returns",
        "cell_bytes + frame.height * (width - 1) + quotes + ends",
        PROOF,
    ),
    Mutant(
        "proof: a last line without a line end not allowed for",
        '    ends = frame.height - (0 if block.endswith(b"\\n") else 1)',
        "    ends = frame.height",
        PROOF,
    ),
    Mutant(
        "proof: the BOM not counted",
        "    bom = len(_BOM) if first and block.startswith(_BOM) else 0",
        "    bom = 0",
        PROOF,
    ),
]


def _source_file(tree: Path, old: str) -> Path | None:
    """The one file under ``tree`` holding ``old`` exactly once, else None."""
    hits = [p for p in tree.rglob("*.py") if p.read_text(encoding="utf-8").count(old) == 1]
    more = [p for p in tree.rglob("*.py") if p.read_text(encoding="utf-8").count(old) > 1]
    return hits[0] if len(hits) == 1 and not more else None


def _run_tests(copy: Path, tests: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(copy / "src")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def _fresh_copy(base: Path) -> Path:
    copy = Path(tempfile.mkdtemp(dir=base))
    shutil.copytree(PACKAGE, copy / "src" / "ca_trade")
    (copy / "data").symlink_to(ROOT / "data")  # the bundled data, as in the checkout
    return copy


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-k", default="", help="only mutants whose name holds this text")
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    args = parser.parse_args()
    chosen = [m for m in MUTANTS if args.k in m.name]
    if args.list:
        for mutant in chosen:
            print(mutant.name)
        return 0
    with tempfile.TemporaryDirectory(prefix="ca-trade-mutants-") as tmp:
        base = Path(tmp)
        copy = _fresh_copy(base)
        where = subprocess.run(
            [sys.executable, "-c", "import ca_trade; print(ca_trade.__file__)"],
            env={**os.environ, "PYTHONPATH": str(copy / "src")},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        if not where.startswith(str(copy)):
            print(f"the tests would not import the mutated copy (they import {where})")
            return 2
        needed = tuple(sorted({t for m in chosen for t in m.tests}))
        baseline = _run_tests(copy, needed)
        if baseline.returncode != 0:
            print("the tests fail without any mutant:\n" + baseline.stdout[-3000:])
            return 2
        caught = equivalent = 0
        for mutant in chosen:
            copy = _fresh_copy(base)
            target = _source_file(copy / "src", mutant.old)
            if target is None:
                print(f"NOT FOUND  {mutant.name} (its text is not in the source once: update it)")
                continue
            text = target.read_text(encoding="utf-8")
            target.write_text(text.replace(mutant.old, mutant.new), encoding="utf-8")
            start = time.monotonic()
            result = _run_tests(copy, mutant.tests)
            took = time.monotonic() - start
            if result.returncode != 0:
                caught += 1
                failed = [
                    line.split(" ")[1]
                    for line in result.stdout.splitlines()
                    if line.startswith(("FAILED", "ERROR"))
                ]
                print(f"caught     {mutant.name} ({took:.0f} s; by {', '.join(failed) or '?'})")
            elif mutant.equivalent:
                equivalent += 1
                print(f"equivalent {mutant.name} ({mutant.equivalent})")
            else:
                print(f"SURVIVED   {mutant.name} ({target.relative_to(copy / 'src')})")
            shutil.rmtree(copy)
        print(
            f"\n{caught}/{len(chosen) - equivalent} mutants caught "
            f"({equivalent} equivalent, {len(chosen)} in all)"
        )
        return 0 if caught + equivalent == len(chosen) else 1


if __name__ == "__main__":
    sys.exit(main())
