"""A fixed file for each thing the fast reader's proof guards (beside the property test).

The fast reader (Polars, for UTF-8 files of 256 KiB and more) proves every block it reads split
as Python's ``csv`` module would split it: NUL bytes, quotes that do not enclose a cell
(``"a"b"c"``, ``"GA"CC``, ``","GA""``), a cell holding a quote, a lone CR, a cell over the csv
field limit, and the byte count (a short row, a blank line); it counts the line breaks inside
quoted cells. Each check here has a small seed under ``tests/data/fast/`` (3 data rows; the
broken one is line 3), made large enough for the fast reader by ``PAD`` good rows after the
header, so the seed's line N is line N + PAD.
The expected problems and lines are worked out from the seed by hand.

A file that breaks the proof is read again by the exact reader: the result must be the exact
reading's. A file that keeps the proof must be read by the fast reader alone (no fallback), with
the right lines.
"""

from __future__ import annotations

import csv
import dataclasses
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ca_trade import load, rules
from ca_trade.errors import EXIT_DATA, EXIT_FINDINGS
from ca_trade.records import StructureMismatch
from conftest import DATA, invoke

SEEDS = DATA / "fast"
PAD = 4000
FAST_MIN = 256 << 10  # the fast reader's threshold (load.fast.FAST_MIN_BYTES)


def padded(seed: Path, tmp_path: Path, pad: int = PAD, tail: str = "") -> Path:
    """The seed with ``pad`` good rows after its header (and ``tail`` rows at the end)."""
    data = seed.read_bytes()
    newline = b"\r\n" if b"\r\n" in data.split(b"\n", 1)[0] + b"\n" else b"\n"
    header, _, body = data.partition(newline)
    partners = ("RUS", "EU27", "TUR", "IRN", "IND", "USA", "JPN", "KOR", "DEU", "FRA")
    rows = [
        f"{year},KAZ,{partner},{flow},1.5,USD,official,Padding source,https://example.org/pad,"
        for year in range(1901, 2101)
        for partner in partners
        for flow in ("export", "import")
    ][:pad]
    out = tmp_path / seed.name
    out.write_bytes(
        header + newline + newline.join(r.encode() for r in rows) + newline + body + tail.encode()
    )
    assert out.stat().st_size >= FAST_MIN
    return out


def problems(runner: CliRunner, path: Path) -> list[tuple[object, ...]]:
    result = invoke(runner, "validate", str(path), "--format", "json")
    assert result.stderr == "", result.stderr
    found = json.loads(result.stdout)
    assert result.exit_code == (EXIT_FINDINGS if found else 0)
    return [(p["rule"], p["line"], p["column"], p["value"], p["message"]) for p in found]


def read_fast_only(path: Path) -> list[tuple[object, ...]]:
    """The typed rows of a file read by the fast reader alone: a block it cannot prove raises
    ``StructureMismatch`` (there is no exact reading to start again with)."""
    parsed = load.parse_file(path)
    assert parsed.exact is not None  # the fast reader took the file
    found = rules.scan(dataclasses.replace(parsed, exact=None), collect=True)
    assert found.problems.height == 0
    assert found.kept is not None
    return found.kept.select("line", "flow", "value_millions", "source", "note").rows()


TEXT_AFTER_QUOTE = "a quoted field has text after its closing quote"


@pytest.mark.parametrize(
    ("seed", "expected"),
    [
        # "a"b"c": the csv module stops at the b after the quoted "a" (Polars read it as abc).
        (
            "quotes_inside_quotes",
            [("unbalanced-quote", 3 + PAD, "source", None, TEXT_AFTER_QUOTE)],
        ),
        # "GA"CC: text after a closing quote (Polars read it as GACC).
        (
            "text_after_closing_quote",
            [("unbalanced-quote", 3 + PAD, "source", None, TEXT_AFTER_QUOTE)],
        ),
        # "GA,"CC"": a quote after a delimiter inside a quoted cell looks like an opening, and
        # the quote count adds up (Polars read it as GA,CC).
        (
            "quote_after_delimiter_inside_quotes",
            [("unbalanced-quote", 3 + PAD, "source", None, TEXT_AFTER_QUOTE)],
        ),
        # ","GA"": two openings, two closings, four quotes, and Polars read it as ,GA.
        (
            "quoted_delimiter_then_text",
            [("unbalanced-quote", 3 + PAD, "source", None, TEXT_AFTER_QUOTE)],
        ),
        # 8 fields where the header has 10: source_url is the first with no field.
        (
            "short_row",
            [
                (
                    "ragged-row",
                    3 + PAD,
                    "source_url",
                    None,
                    "too few fields: 8 where the header has 10",
                ),
            ],
        ),
        # GACC<CR>,: a lone CR ends a line for the csv module (a line as an editor counts them):
        # line 3 is "...,official,GACC" (8 fields), line 4 ",https://example.org/gacc," (3).
        # (Polars dropped the CR and read one good row.)
        (
            "lone_cr",
            [
                (
                    "ragged-row",
                    3 + PAD,
                    "source_url",
                    None,
                    "too few fields: 8 where the header has 10",
                ),
                ("ragged-row", 4 + PAD, "flow", None, "too few fields: 3 where the header has 10"),
            ],
        ),
        # Notes over lines 2-4 and 5-6: the bad value "43,9" is on line 7.
        (
            "multiline_note",
            [
                (
                    "bad-number",
                    7 + PAD,
                    "value_millions",
                    "43,9",
                    "43,9 is not a plain number (thousands separator or decimal comma)",
                ),
            ],
        ),
    ],
)
def test_a_file_the_proof_refuses_gives_the_exact_result(
    runner: CliRunner, tmp_path: Path, seed: str, expected: list[tuple[object, ...]]
) -> None:
    assert problems(runner, padded(SEEDS / f"{seed}.csv", tmp_path)) == expected


def test_quotes_inside_quotes_stop_a_command(runner: CliRunner, tmp_path: Path) -> None:
    path = padded(SEEDS / "quotes_inside_quotes.csv", tmp_path)
    result = invoke(runner, "compare", "--data", str(path))
    assert result.exit_code == EXIT_DATA
    assert result.stdout == ""
    assert result.stderr.startswith(
        f"ca-trade: error: {path}, line {3 + PAD}, column source: {TEXT_AFTER_QUOTE}. Try: "
    )


def test_nul_byte(runner: CliRunner, tmp_path: Path) -> None:
    # GA<NUL>CC in line 3's source.
    path = padded(SEEDS / "nul_byte.csv", tmp_path)
    result = invoke(runner, "validate", str(path), "--format", "json")
    assert result.exit_code == EXIT_DATA
    assert result.stdout == ""
    assert result.stderr.startswith(
        f"ca-trade: error: {path}, line {3 + PAD}, column source: contains a NUL byte"
    )


def test_quote_inside_an_unquoted_cell(runner: CliRunner, tmp_path: Path) -> None:
    # ...,official,GA",https://example.org/gacc,"x": the csv module keeps GA" as it is (a quote
    # opens a field only at its start) and "x" is the note x. The quotes add up (one opens a cell,
    # one closes one, two in all), but a cell holds a quote: the exact reader reads it.
    path = padded(SEEDS / "quote_inside_cell.csv", tmp_path)
    assert problems(runner, path) == []
    frame = load.read_trade(path)
    assert frame.filter(frame["line"] == 3 + PAD).select("source", "note").row(0) == ('GA"', "x")


def test_a_cell_over_the_csv_field_limit(runner: CliRunner, tmp_path: Path) -> None:
    # A note one character over the csv module's limit (131,072 characters), on the last line.
    limit = csv.field_size_limit()
    long_row = "2024,CHN,KAZ,total,43900,USD,official,GACC,https://example.org/gacc," + "x" * (
        limit + 1
    )
    seed = tmp_path / "seed.csv"
    seed.write_text((SEEDS.parent / "bad" / "good.csv").read_text(encoding="utf-8"))
    (tmp_path / "big").mkdir()
    path = padded(seed, tmp_path / "big", tail=long_row + "\n")
    # good.csv's lines 2-4 are lines 2 + PAD to 4 + PAD; the long row is line 5 + PAD.
    [found] = problems(runner, path)
    assert found[:4] == ("unbalanced-quote", 5 + PAD, None, None)
    assert f"more than {limit:,} characters" in str(found[4])


@pytest.mark.parametrize(
    ("seed", "lines"),
    [
        ("crlf", [2, 3, 4]),  # CRLF line ends
        ("blank_lines", [2, 5, 7]),  # header, row, blank, blank, row, blank, row, blank
        ("no_final_newline", [2, 3, 4]),
        ("bom", [2, 3, 4]),  # a UTF-8 BOM before the header
    ],
)
def test_a_file_the_proof_accepts_is_read_fast_with_its_lines(
    tmp_path: Path, seed: str, lines: list[int]
) -> None:
    path = padded(SEEDS / f"{seed}.csv", tmp_path)
    if seed == "blank_lines":  # blank lines break the proof: the exact reader places the rows
        rows = load.read_trade(path).select("line", "flow", "value_millions", "source").rows()
    else:
        rows = [r[:4] for r in read_fast_only(path)]
    assert rows[:PAD] == [
        (n, flow, 1.5, "Padding source")
        for n, flow in zip(range(2, PAD + 2), ["export", "import"] * (PAD // 2), strict=True)
    ]
    assert rows[PAD:] == [
        (n + PAD, flow, value, "GACC")
        for n, flow, value in zip(
            lines, ["export", "import", "total"], [28000.0, 15900.0, 43900.0], strict=True
        )
    ]


def test_notes_over_several_lines_are_left_to_the_exact_reader(tmp_path: Path) -> None:
    # The seed's notes over lines 2-4 ("one\ntwo\nthree") and 5-6 ("four\nfive"), without its
    # bad last row. A line break inside a quoted cell makes the quote counts unsound ("two\n"x"
    # pairs a quote after the break with the cell's closing one), so the fast reader declines
    # the block and the exact reader gives each record its first physical line.
    seed = tmp_path / "seed.csv"
    seed.write_bytes(b"".join((SEEDS / "multiline_note.csv").read_bytes().splitlines(True)[:6]))
    (tmp_path / "big").mkdir()
    tail = "2024,CHN,KAZ,total,43900,USD,official,GACC,https://example.org/gacc,\n"
    path = padded(seed, tmp_path / "big", tail=tail)
    with pytest.raises(StructureMismatch, match="line break inside a quoted cell"):
        read_fast_only(path)
    found = rules.scan(load.parse_file(path), collect=True)
    assert found.kept is not None
    rows = found.kept.select("line", "flow", "value_millions", "source", "note").rows()
    assert rows[PAD:] == [
        (2 + PAD, "export", 28000.0, "GACC", "one\ntwo\nthree"),
        (5 + PAD, "import", 15900.0, "GACC", "four\nfive"),
        (7 + PAD, "total", 43900.0, "GACC", None),
    ]


@pytest.mark.parametrize(
    "seed",
    [
        "quotes_inside_quotes",
        "text_after_closing_quote",
        "quote_after_delimiter_inside_quotes",
        "quoted_delimiter_then_text",
        "short_row",
        "lone_cr",
        "nul_byte",
        "quote_inside_cell",
        "blank_lines",
    ],
)
def test_the_proof_refuses(tmp_path: Path, seed: str) -> None:
    # The fast reader takes the file (its first 64 KiB are good rows) and then refuses the
    # block holding the seed's rows.
    path = padded(SEEDS / f"{seed}.csv", tmp_path)
    with pytest.raises(StructureMismatch):
        read_fast_only(path)
