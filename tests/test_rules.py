"""One named fixture per data rule: switching any rule off fails the test named after it.

Every file under ``tests/data/rules/`` is ``<slug>.csv`` or ``<slug>--<variant>.csv``: the good
three-row file of the bad-input catalogue (``tests/data/bad/good.csv``) broken in one way, the
way the slug names. Rows (the header is line 1):

    2024,CHN,KAZ,export,28000,USD,official,GACC,https://example.org/gacc,   line 2
    2024,CHN,KAZ,import,15900,USD,official,GACC,https://example.org/gacc,   line 3 (broken)
    2024,CHN,KAZ,total,43900,USD,official,GACC,https://example.org/gacc,    line 4

For each file, ``ca-trade validate --format json`` must list exactly the problems written below
by hand (rule, line, column, value), and a calculating command must stop with one stderr line
naming the file and that line (exit 65). The row rules are run again on the same file with a
few thousand good rows after it, so that the fast reader (files of 256 KiB and more) reads it.

The meta-tests: every slug listed in docs/data-file.md has a fixture here, every fixture's slug
is in the docs, and every slug the code can report is in the docs.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ca_trade import load
from ca_trade.errors import EXIT_DATA, EXIT_FINDINGS
from conftest import DATA, TESTS, invoke

RULES = DATA / "rules"
DOCS = TESTS.parent / "docs" / "data-file.md"
SRC = TESTS.parent / "src" / "ca_trade"

# fixture -> the problems validate lists: (rule, line, column, value), worked out from the file.
EXPECTED: dict[str, list[tuple[str, int, str | None, str | None]]] = {
    # Parse errors: the file cannot be split into rows, one problem, no value.
    "empty-file": [("empty-file", 1, None, None)],  # 0 bytes
    "empty-file--blank-lines": [("empty-file", 1, None, None)],  # "\n  \n\n"
    "unbalanced-quote": [("unbalanced-quote", 3, "source", None)],  # ,"GACC,... never closed
    "unbalanced-quote--text-after-quote": [("unbalanced-quote", 3, "source", None)],  # "GA"CC
    "wrong-delimiter": [("wrong-delimiter", 1, None, None)],  # every ',' is a ';'
    # The header.
    "no-rows": [("no-rows", 1, None, None)],  # the header alone
    "blank-column-name": [("blank-column-name", 1, "#11", "")],  # header ends in ','
    "duplicate-column": [("duplicate-column", 1, "source", "source")],  # 11th column: source
    "missing-column": [("missing-column", 1, "currency", None)],  # no currency column
    # A row's shape.
    "ragged-row": [("ragged-row", 3, "#11", "extra")],  # 11 fields
    "ragged-row--too-few": [("ragged-row", 3, "source_url", None)],  # 8 fields: 9th missing
    # One cell of line 3.
    "empty-value": [("empty-value", 3, "value_millions", "")],
    "empty-value--source": [("empty-value", 3, "source", "")],  # a column no screen tests
    "empty-value--partner": [("empty-value", 3, "partner", "")],
    "bad-year": [("bad-year", 3, "year", "20x4")],
    "bad-year--out-of-range": [("bad-year", 3, "year", "1850")],  # allowed: 1900-2100
    "bad-number": [("bad-number", 3, "value_millions", "n/a")],
    "bad-number--separator": [("bad-number", 3, "value_millions", "15,900")],
    "bad-number--unicode-minus": [("bad-number", 3, "value_millions", "\u221215900")],
    "non-finite-number": [("non-finite-number", 3, "value_millions", "NaN")],
    "non-finite-number--overflow": [("non-finite-number", 3, "value_millions", "1e400")],
    "negative-value": [("negative-value", 3, "value_millions", "-15900")],
    "unknown-code": [("unknown-code", 3, "partner", "UZK")],
    "unknown-code--reporter": [("unknown-code", 3, "reporter", "kaz")],  # codes are capitals
    "same-reporter-partner": [("same-reporter-partner", 3, "partner", "KAZ")],  # KAZ,KAZ
    "bad-flow": [("bad-flow", 3, "flow", "Import")],  # lower case only
    "bad-currency": [("bad-currency", 3, "currency", "usd")],
    "bad-basis": [("bad-basis", 3, "basis", "estimated")],
    # The optional bound column: line 3 says "over" (lower), line 4 approx is allowed.
    "bad-bound": [("bad-bound", 3, "bound", "over")],
    "bad-bound--capital": [("bad-bound", 3, "bound", "Lower")],  # lower case only
    "bad-url": [("bad-url", 3, "source_url", "www.example.org/gacc")],  # no scheme
    "bad-url--space": [("bad-url", 3, "source_url", "https://example.org/ga cc")],
    # Line 5 repeats line 3's key (2024 CHN KAZ import) with another value.
    "duplicate-key": [("duplicate-key", 5, "flow", "import")],
    # A EUR row in 2012: the bundled rates file covers 2015-2025.
    "no-exchange-rate": [("no-exchange-rate", 3, "currency", "EUR")],
    # A Parquet file (the only kind with typed columns) whose source column holds lists.
    "bad-column-type": [("bad-column-type", None, "source", "List(String)")],
}

# Messages that say what is wrong, written by hand from the cell (one per kind of message).
MESSAGES = {
    "same-reporter-partner": "reporter and partner are both KAZ",
    "bad-flow": "Import is not one of export, import, total",
    "bad-currency": "usd is not one of USD, EUR",
    "bad-basis": "estimated is not one of official, compiled, unstated",
    "bad-bound": "over is not one of lower, upper, approx",
    "bad-year": "year 20x4 is not a four-digit year",
    "bad-url": "www.example.org/gacc is not an http(s) URL",
    "bad-number": "n/a is not a number",
    "bad-number--separator": (
        "15,900 is not a plain number (thousands separator or decimal comma)"
    ),
    "bad-number--unicode-minus": ("\u221215900 has a typographic minus or dash, not the ASCII '-'"),
    "duplicate-key": "2024 CHN KAZ import repeats the key of line 3",
    "no-exchange-rate": "no EUR/USD rate for year 2012",
}

PATHS = {p.stem: p for p in RULES.iterdir() if p.suffix in (".csv", ".parquet")}
FIXTURES = sorted(PATHS)
PARSE_RULES = {"empty-file", "unbalanced-quote", "wrong-delimiter"}


def slug(fixture: str) -> str:
    return fixture.partition("--")[0]


def problems(runner: CliRunner, path: Path) -> list[dict[str, object]]:
    result = invoke(runner, "validate", str(path), "--format", "json")
    assert result.stderr == ""
    found: list[dict[str, object]] = json.loads(result.stdout)
    assert result.exit_code == (EXIT_FINDINGS if found else 0)
    return found


def listed(found: list[dict[str, object]]) -> list[tuple[object, ...]]:
    return [(p["rule"], p["line"], p["column"], p["value"]) for p in found]


@pytest.mark.parametrize("fixture", FIXTURES)
def test_rule(runner: CliRunner, fixture: str) -> None:
    """validate lists the one problem the fixture was made with, and nothing else."""
    found = problems(runner, PATHS[fixture])
    assert listed(found) == EXPECTED[fixture]
    if fixture in MESSAGES:
        assert found[0]["message"] == MESSAGES[fixture]
    assert all(p["hint"] for p in found)  # every problem says what to try


@pytest.mark.parametrize("fixture", sorted(set(FIXTURES) - {"no-exchange-rate"}))
def test_rule_stops_a_calculating_command(runner: CliRunner, fixture: str) -> None:
    """compare stops at the problem: one stderr line naming file, line (and column), exit 65."""
    path = PATHS[fixture]
    [(_, line, column, _)] = EXPECTED[fixture]
    result = invoke(runner, "compare", "--data", str(path))
    assert result.exit_code == EXIT_DATA, result.stderr
    assert result.stdout == ""
    where = f"ca-trade: error: {path}" + (f", line {line}" if line else "")
    where += f", column {column}: " if column else ": "
    assert result.stderr.startswith(where)
    assert result.stderr.count("\n") == 1 and result.stderr.endswith("\n")


def test_no_exchange_rate_stops_a_calculating_command(runner: CliRunner) -> None:
    # 2012 has no rate (the bundled rates cover 2015-2025): no USD figure from the EUR row.
    result = invoke(runner, "compare", "--data", str(RULES / "no-exchange-rate.csv"))
    assert result.exit_code != 0
    assert result.stdout == ""
    assert "2012" in result.stderr and result.stderr.count("\n") == 1


def _with_good_rows_after(path: Path, tmp_path: Path, rows: int = 4000) -> Path:
    """The fixture followed by ``rows`` good rows (KAZ's, keys unlike the fixture's CHN rows):
    over 256 KiB, so that the fast reader reads it, its own lines unchanged."""
    partners = ("CHN", "RUS", "EU27", "TUR", "IRN", "IND", "USA", "JPN", "KOR", "DEU")
    good = [
        f"{year},KAZ,{partner},{flow},1.5,USD,official,Padding source,https://example.org/pad,"
        for year in range(1901, 2101)
        for partner in partners
        for flow in ("export", "import")
    ][:rows]
    out = tmp_path / path.name
    text = path.read_text(encoding="utf-8")
    extra = "," * (text.partition("\n")[0].count(",") - 9)  # the header's columns past note
    out.write_text(text + "\n".join(row + extra for row in good) + "\n", encoding="utf-8")
    return out


ROW_FIXTURES = [
    f for f in FIXTURES if slug(f) not in PARSE_RULES | {"no-rows"} and (EXPECTED[f][0][1] or 0) > 1
]


@pytest.mark.parametrize("fixture", ROW_FIXTURES)
def test_rule_in_a_large_file(runner: CliRunner, fixture: str, tmp_path: Path) -> None:
    """The same problem, and only it, when the fast reader reads the file."""
    path = _with_good_rows_after(RULES / f"{fixture}.csv", tmp_path)
    assert path.stat().st_size >= 256 << 10
    # The fast reader takes it (a ragged row it leaves to the exact reader, which places it).
    assert (load.parse_file(path).exact is not None) == (slug(fixture) != "ragged-row")
    assert listed(problems(runner, path)) == EXPECTED[fixture]


PARQUET_FIXTURES = [f for f in ROW_FIXTURES if slug(f) != "ragged-row"]


def as_parquet(path: Path, tmp_path: Path) -> Path:
    """The CSV fixture as a Parquet file of text columns (every cell as the CSV holds it)."""
    import polars as pl

    with path.open(encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    out = tmp_path / f"{path.stem}.parquet"
    frame = pl.DataFrame(rows, schema=dict.fromkeys(header, pl.String), orient="row")
    frame.write_parquet(out)
    return out


@pytest.mark.parametrize("fixture", PARQUET_FIXTURES)
def test_rule_in_parquet(runner: CliRunner, fixture: str, tmp_path: Path) -> None:
    """The same problem in the same file stored as Parquet, placed by row (line - 1: Parquet
    has no header line)."""
    path = as_parquet(PATHS[fixture], tmp_path)
    assert listed(problems(runner, path)) == [
        (rule, line - 1, column, value) for rule, line, column, value in EXPECTED[fixture]
    ]


# Fixtures whose broken cell keeps its meaning with typed columns (year Int64, value Float64).
TYPED = [
    "negative-value",
    "non-finite-number",
    "bad-year--out-of-range",
    "same-reporter-partner",
    "unknown-code",
    "bad-bound",
    "bad-url",
    "no-exchange-rate",
]


@pytest.mark.parametrize("fixture", TYPED)
def test_rule_in_typed_parquet(runner: CliRunner, fixture: str, tmp_path: Path) -> None:
    """The same problem with the year and value stored as numbers (as most writers store them):
    the rule, row and column (a number's text is Parquet's, not the CSV's)."""
    import polars as pl

    text = pl.read_parquet(as_parquet(PATHS[fixture], tmp_path))
    path = tmp_path / "typed.parquet"
    typed = text.with_columns(
        pl.col("year").cast(pl.Int64), pl.col("value_millions").cast(pl.Float64)
    )
    assert typed.schema["value_millions"] == pl.Float64
    typed.write_parquet(path)
    assert [p[:3] for p in listed(problems(runner, path))] == [
        (rule, line - 1, column) for rule, line, column, _ in EXPECTED[fixture]
    ]


def test_good_file_has_no_problems(runner: CliRunner, tmp_path: Path) -> None:
    # The base of every fixture is clean, also with the padding: each fixture's problem is its
    # own change.
    good = DATA / "bad" / "good.csv"
    assert problems(runner, good) == []
    assert problems(runner, _with_good_rows_after(good, tmp_path)) == []


def test_zero_is_a_value_not_a_negative_one(runner: CliRunner, tmp_path: Path) -> None:
    # The boundary of negative-value: a published 0 is a figure (only values below 0 break it).
    path = tmp_path / "zero.csv"
    good = (DATA / "bad" / "good.csv").read_text(encoding="utf-8")
    path.write_text(good.replace(",15900,", ",0,"), encoding="utf-8")
    assert problems(runner, path) == []
    # Also in a row looked at for another reason (usd for USD): only that problem.
    path.write_text(good.replace(",15900,USD,", ",0,usd,"), encoding="utf-8")
    assert listed(problems(runner, path)) == [("bad-currency", 3, "currency", "usd")]


# ---------------------------------------------------------------- the catalogue is complete


def documented_slugs() -> set[str]:
    """The slugs listed after 'Rule slugs:' in docs/data-file.md."""
    text = DOCS.read_text(encoding="utf-8")
    listing = text.split("Rule slugs:", 1)[1].split("\n\n", 1)[0]
    return set(re.findall(r"`([a-z][a-z-]*)`", listing))


def reported_slugs() -> set[str]:
    """Every slug the code can report: the first argument of each problem the source builds."""
    source = "\n".join(p.read_text(encoding="utf-8") for p in SRC.rglob("*.py"))
    found = set(
        re.findall(r'(?:ParseError|_problem|Rule)\(\s*"([a-z][a-z-]*)"', source, flags=re.S)
    )
    found |= set(re.findall(r'"rule": "([a-z][a-z-]*)"', source))
    # bad-flow, bad-currency, bad-basis: one rule per column with a list of allowed values.
    if 'f"bad-{column}"' in source:
        found |= {"bad-flow", "bad-currency", "bad-basis"}
    return found


def test_every_documented_rule_has_a_failing_fixture() -> None:
    documented = documented_slugs()
    assert len(documented) >= 23
    assert documented <= {slug(f) for f in FIXTURES}


def test_every_fixture_is_a_documented_rule() -> None:
    assert {slug(f) for f in FIXTURES} <= documented_slugs()
    assert set(FIXTURES) == set(EXPECTED)
    # Each fixture reports its own rule (checked against validate in test_rule).
    assert all(EXPECTED[f][0][0] == slug(f) for f in FIXTURES)


def test_every_rule_in_the_code_is_documented() -> None:
    reported = reported_slugs()
    assert {"same-reporter-partner", "ragged-row", "empty-file", "no-rows"} <= reported
    assert reported == documented_slugs()
