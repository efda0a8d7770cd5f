"""The fast loader and the exact one (Python's ``csv`` module) give the same results.

``load.parse_file`` reads a UTF-8 file with Polars in blocks and proves each block split as the
``csv`` module would split it; ``load.parse_text`` is the exact reader. For every file here both
are run and compared: the problems ``validate`` lists (rule, line, column, value, message, hint),
the number of rows, the typed frame ``read_trade`` returns, or the one error line.

- the whole bad-input catalogue (tests/data/bad), each file both as it is and inside a larger
  file, so that the fast reader really reads it (checked: it does not fall back);
- a hypothesis property over generated valid files written oddly and the same files broken;
- a bad value on line 900,001 of a 988,033-line file, named by its line (fast path only).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from ca_trade import codes, load, rules, schema
from ca_trade.errors import EXIT_DATA, CaTradeError
from ca_trade.records import WHITESPACE, Parsed, StructureMismatch
from conftest import DATA, invoke

BAD = DATA / "bad"
HEADER = ",".join(schema.COLUMNS)
RATES = {2023: 1.0813, 2024: 1.0824}


@pytest.fixture(autouse=True)
def fast_for_small_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast reader for every file here, however small (not only from FAST_MIN_BYTES)."""
    monkeypatch.setattr(load.fast, "FAST_MIN_BYTES", 0)


def _outcome(parsed: Parsed) -> tuple[object, ...]:
    """What a reading gives: problems (as rows), row count and the typed frame (as rows)."""
    found = rules._scan(parsed, RATES, None, True)
    kept = found.kept.rows() if found.kept is not None else None
    return found.problems.rows(), found.rows, kept


def _both(path: Path, **options: str | None) -> tuple[tuple[object, ...], tuple[object, ...], bool]:
    """The exact and the fast outcome of a file, and whether the fast reader read it all.

    An error raised while reading (a file that cannot be decoded or split) is its one line.
    """
    separator = load.delimiter_value(options.get("delimiter"))
    encoding = options.get("encoding")
    try:
        text = load.decode(load.read_bytes(path), str(path), encoding, separator)
        exact: tuple[object, ...] = _outcome(load.parse_text(text, str(path), separator))
    except CaTradeError as err:
        exact = ("error", err.one_line())
    try:
        parsed = load.parse_file(path, encoding=encoding, delimiter=options.get("delimiter"))
    except CaTradeError as err:
        return exact, ("error", err.one_line()), False
    if parsed.exact is None:  # the fast reader declined at the first block
        return exact, _outcome(parsed), False
    try:
        return exact, _outcome(parsed), True
    except StructureMismatch:  # declined later: the scan starts again with the exact reader
        try:
            return exact, _outcome(parsed.exact()), False
        except CaTradeError as err:
            return exact, ("error", err.one_line()), False


CATALOGUE = sorted(p.name for p in BAD.iterdir() if p.suffix == ".csv")
# Files the fast reader must read itself (the others are read by the exact reader, whose
# errors are the ones to give: ragged rows, quotes, bad bytes, blank lines, a note over several
# lines...).
FAST = {
    "crlf.csv",
    "decimal_comma.csv",
    "duplicate_column.csv",
    "duplicate_key.csv",
    "empty_value.csv",
    "extra_column.csv",
    "good.csv",
    "header_only.csv",
    "huge_number.csv",
    "inf.csv",
    "missing_column.csv",
    "nan.csv",
    "negative.csv",
    "non_numeric.csv",
    "quoted_numbers.csv",
    "thousands_separator.csv",
    "typo_code.csv",
    "unicode_minus.csv",
    "unknown_country.csv",
    "utf8_bom.csv",
    "whitespace.csv",
    "blank_column_name.csv",
}


@pytest.mark.parametrize("name", CATALOGUE)
def test_catalogue_fast_equals_exact(name: str) -> None:
    exact, fast, read_fast = _both(BAD / name)
    assert fast == exact
    assert read_fast == (name in FAST)


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("semicolon.csv", {"delimiter": ";"}),
        ("tab.csv", {"delimiter": "tab"}),
        ("latin1.csv", {"encoding": "latin-1"}),
        ("good.csv", {"encoding": "utf-8"}),
        ("utf8_bom.csv", {"encoding": "utf-8-sig"}),
    ],
)
def test_catalogue_with_options(name: str, options: dict[str, str]) -> None:
    exact, fast, _ = _both(BAD / name, **options)
    assert fast == exact
    assert exact[0] == []  # loads


def _padded(path: Path, tmp_path: Path, rows: int = 3000) -> Path:
    """The file with ``rows`` good rows before its own data rows, spread over several blocks."""
    data = path.read_bytes()
    newline = b"\r\n" if b"\r\n" in data else b"\n"
    head, sep, body = data.partition(newline)
    names = next(csv.reader([head.decode("utf-8-sig")]))
    fixed = {
        "year": "2023",
        "reporter": "KAZ",
        "value_millions": "1.5",
        "currency": "USD",
        "basis": "official",
        "source": "S",
        "source_url": "https://e.org/s",
        "note": "",
    }
    filler = newline.join(
        ",".join(
            {"partner": code, "flow": flow}.get(name, fixed.get(name, "x")) for name in names
        ).encode()
        for code in sorted(codes.iso_codes() - {"KAZ"})[: rows // 2]
        for flow in ("export", "import")
    )
    out = tmp_path / path.name
    out.write_bytes(head + sep + filler + newline + body if sep else data)
    return out


@pytest.mark.parametrize("name", sorted(FAST))
def test_catalogue_inside_a_larger_file(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small blocks, so that the file's own rows sit in a later block than the header.
    monkeypatch.setattr(load.fast, "BLOCK_BYTES", 4096)
    exact, fast, read_fast = _both(_padded(BAD / name, tmp_path))
    assert fast == exact
    assert read_fast == (name != "multiline_note.csv")  # a cell over lines: the exact reader


# ---------------------------------------------------------------- generated files

cell_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=8
)


@st.composite
def files(draw: st.DrawFn) -> bytes:
    """A data file: valid and written oddly, or broken in one of many ways."""
    partners = draw(st.lists(st.sampled_from(sorted(schema.COUNTERPARTS)), min_size=0, max_size=4))
    rows = []
    for partner in partners:
        for flow in draw(st.lists(st.sampled_from(schema.FLOWS), min_size=1, unique=True)):
            rows.append(
                [
                    draw(st.sampled_from(["2024"] * 6 + ["2023", "2019", "1850", "20x4"])),
                    "KAZ",
                    partner,
                    flow,
                    draw(
                        st.sampled_from(["1.5"] * 6 + ["0", "1e3", "-2", "NaN", "1,5", " 7 ", "x"])
                    ),
                    draw(st.sampled_from(["USD"] * 4 + ["EUR", "usd"])),
                    draw(st.sampled_from(schema.BASES)),
                    draw(st.one_of(st.just("GACC"), st.just("GACC"), cell_text)),
                    draw(
                        st.sampled_from(["https://e.org/a"] * 4 + ["ftp://x", "https://e.org/a b"])
                    ),
                    draw(st.one_of(st.just(""), cell_text, st.just("two\nlines"))),
                ]
            )
    if rows and draw(st.booleans()):
        rows.append(list(draw(st.sampled_from(rows))))  # a repeated key
    out = io.StringIO()
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
    writer = csv.writer(out, lineterminator=newline, quoting=quoting)
    writer.writerow(schema.COLUMNS)
    writer.writerows(rows)
    text = out.getvalue()
    # Break it, or not: bytes inserted, deleted or replaced at a drawn place.
    for _ in range(draw(st.sampled_from([0, 0, 1, 2]))):
        at = draw(st.integers(0, len(text)))
        edit = draw(
            st.sampled_from(
                ["", ",", '"', "\n", "\r", "\r\n", " ", "\t", "\n\n", "\ufeff", "\u3000", "x"]
            )
        )
        cut = draw(st.integers(0, 2))
        text = text[:at] + edit + text[at + cut :]
    prefix = draw(st.sampled_from(["", "\ufeff"]))
    return (prefix + text).encode("utf-8")


SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(data=files())
@example(data=f"{HEADER}\n2024,KAZ,CHN,export,1,USD,official,S,https://e.org/a\n".encode())
@example(data=f"{HEADER}\n2024,KAZ,CHN,export,1,USD,official,S,https://e.org/a,\n\n".encode())
@example(
    data=f'{HEADER}\n2024,KAZ,CHN,export,1,USD,official,"S,T",https://e.org/a,"a\nb"\n'.encode()
)
@example(data=f"{HEADER}\n2024,KAZ,CHN,export,1,USD,official,S\u3000,https://e.org/a,\n".encode())
@example(data=f"{HEADER}\r\n2024,KAZ,CHN,export,1,USD,official,S,https://e.org/a,\r".encode())
def test_generated_files_fast_equals_exact(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "generated.csv"
    path.write_bytes(data)
    exact, fast, _ = _both(path)
    assert fast == exact


@SETTINGS
@given(data=files(), block=st.integers(1, 400))
def test_any_block_size_gives_the_same_result(tmp_path: Path, data: bytes, block: int) -> None:
    # Blocks are cut at line ends outside quotes: a block size that cuts inside a quoted note
    # (or a broken quote) must still give the exact result.
    # The exact reader's batches too (a record count that varies with the block size).
    path = tmp_path / "generated.csv"
    path.write_bytes(data)
    saved = (load.fast.BLOCK_BYTES, load.exact.EXACT_CHUNK, load.exact._PIECE_CHARS)
    load.fast.BLOCK_BYTES, load.exact.EXACT_CHUNK, load.exact._PIECE_CHARS = (
        block,
        1 + block % 4,
        block % 50,
    )
    try:
        exact, fast, _ = _both(path)
    finally:
        load.fast.BLOCK_BYTES, load.exact.EXACT_CHUNK, load.exact._PIECE_CHARS = saved
    assert fast == exact


@SETTINGS
@given(data=st.binary(max_size=300) | files(), block=st.integers(1, 64))
def test_blocks_are_the_file_cut_at_line_ends_outside_quotes(data: bytes, block: int) -> None:
    # Joined again they are the file; each but the last ends at a line end with an even number
    # of quotes before it (a line longer than the block size makes a longer block).
    blocks = list(load.fast._blocks(io.BytesIO(data), block))
    assert b"".join(blocks) == data
    assert all(blocks)
    for part in blocks[:-1]:
        assert part.endswith(b"\n")
        assert part.count(b'"') % 2 == 0
        if len(part) > block:  # only when its first ``block`` bytes hold no such line end
            ends = [i for i, byte in enumerate(part[:block]) if byte == ord("\n")]
            assert all(part[:i].count(b'"') % 2 for i in ends)


def test_multiline_notes_keep_their_physical_lines(tmp_path: Path) -> None:
    # A note over 3 lines on line 2 (lines 2-4), one over 2 lines on line 5 (5-6), then line 7.
    rows = [
        '2024,KAZ,CHN,export,1,USD,official,S,https://e.org/a,"one\ntwo\nthree"',
        '2024,KAZ,CHN,import,1,USD,official,S,https://e.org/a,"four\nfive"',
        "2024,KAZ,CHN,total,2,USD,official,S,https://e.org/a,",
    ]
    path = tmp_path / "notes.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    parsed = load.parse_file(path)
    found = rules.scan(parsed, None, collect=True)  # the fast reader declines: the exact one
    assert found.kept is not None
    assert found.kept.get_column("line").to_list() == [2, 5, 7]
    assert found.kept.get_column("note").to_list() == ["one\ntwo\nthree", "four\nfive", None]


@pytest.mark.parametrize("extra", ["*", "line", "^year$", "note.*"])
def test_an_extra_column_named_like_an_expression_is_ignored(
    runner: CliRunner, tmp_path: Path, extra: str
) -> None:
    # Column names are names, not Polars expressions; "line" is the batches' own column.
    path = tmp_path / "extra.csv"
    row = "2024,KAZ,CHN,export,1,USD,official,S,https://e.org/a,"
    path.write_text(f"{HEADER},{extra}\n{row},x\n{row.replace('export', 'import')},y\n")
    exact, fast, read_fast = _both(path)
    assert read_fast
    assert fast == exact
    assert exact[0] == []  # no problems
    result = invoke(runner, "validate", str(path))
    assert result.exit_code == 0, result.stderr


def test_a_code_or_url_refused_once_is_refused_in_every_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The screen remembers the codes and URLs it has looked at; a value seen in an earlier
    # batch (good or bad) is judged the same in a later one.
    monkeypatch.setattr(load.fast, "BLOCK_BYTES", 512)
    path = tmp_path / "repeated.csv"
    rows = []
    for year in range(2000, 2040):
        partner, url = ("XYZ", "ftp://e.org") if year % 7 == 0 else ("CHN", "https://e.org/a")
        rows.append(f"{year},KAZ,{partner},export,1,USD,official,S,{url},")
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n")
    exact, fast, read_fast = _both(path)
    assert read_fast
    assert fast == exact
    flagged = sorted((rule, line) for rule, line, *_ in exact[0])
    bad_lines = [year - 2000 + 2 for year in range(2000, 2040) if year % 7 == 0]  # header = 1
    assert flagged == sorted(
        [("bad-url", n) for n in bad_lines] + [("unknown-code", n) for n in bad_lines]
    )


def test_whitespace_is_the_csv_modules(tmp_path: Path) -> None:
    # Both readers strip exactly what str.strip() strips.
    assert set(WHITESPACE) == {chr(c) for c in range(0x110000) if chr(c).isspace()}


# ---------------------------------------------------------------- a million rows


@pytest.fixture(scope="module")
def million(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """988,032 good rows (249 x 248 ISO codes x 2 flows x 8 years), line 900,001 bad."""
    names = sorted(codes.iso_codes())
    assert len(names) == 249
    area = pl.DataFrame({"reporter": names})
    frame = (
        area.join(area.rename({"reporter": "partner"}), how="cross")
        .filter(pl.col("reporter") != pl.col("partner"))
        .join(pl.DataFrame({"flow": ["export", "import"]}), how="cross")
        .join(pl.DataFrame({"year": [str(y) for y in range(2016, 2024)]}), how="cross")
        .select(
            "year",
            "reporter",
            "partner",
            "flow",
            pl.lit("1.5").alias("value_millions"),
            pl.lit("USD").alias("currency"),
            pl.lit("official").alias("basis"),
            pl.lit("UN Comtrade").alias("source"),
            pl.lit("https://comtradeplus.un.org/").alias("source_url"),
            pl.lit("sha256=0123; product TOTAL").alias("note"),
        )
    )
    assert frame.height == 249 * 248 * 2 * 8 == 988_032
    # Line 900,001 is data row 900,000 (the header is line 1): row index 899,999.
    frame = frame.with_columns(
        pl.when(pl.int_range(pl.len()) == 899_999)
        .then(pl.lit("12x4"))
        .otherwise(pl.col("value_millions"))
        .alias("value_millions")
    )
    path = tmp_path_factory.mktemp("million") / "million.csv"
    frame.write_csv(path)
    return path


def test_bad_value_on_line_900001_is_named(
    runner: CliRunner, million: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_exact(*args: object, **kwargs: object) -> None:
        raise AssertionError("the exact reader was used")

    monkeypatch.setattr(load, "parse_text", no_exact)
    result = invoke(runner, "validate", str(million), "-f", "json")
    assert result.exit_code == 1, result.stderr
    assert json.loads(result.stdout) == [
        {
            "rule": "bad-number",
            "line": 900_001,
            "column": "value_millions",
            "value": "12x4",
            "message": "12x4 is not a number",
            "hint": "write plain numbers with a dot for decimals, e.g. 1234.5 (ASCII minus, "
            "no units)",
        }
    ]
    result = invoke(runner, "compare", "--data", str(million), "--year", "2023")
    assert result.exit_code == EXIT_DATA
    assert result.stdout == ""
    assert result.stderr == (
        f"ca-trade: error: {million}, line 900001, column value_millions: 12x4 is not a number. "
        "Try: write plain numbers with a dot for decimals, e.g. 1234.5 (ASCII minus, no units)\n"
    )


def test_duplicate_keys_across_blocks_of_string_views(tmp_path: Path) -> None:
    # Found by hypothesis: repeated keys read back from several blocks made Polars panic while
    # formatting the duplicate-key message; both readers must give the same problems instead.
    data = b'\xef\xbb\xbf"year","reporter","partner","flow","value_millions","currency","basis","source","source_url","note"\r\n"2024","KAZ","TKM","import","1.5","USD","official","\xf0\xb5\x97\xa1\xf0\xad\xa4\xa5&\xf2\xa8\xae\xac`%V","https://e.org/a",""\r\n"20x4","KAZ","TKM","total","NaN","EUR","compiled","\xc2\xa5\xc2\x94","https://e.org/a","\x1c84"\r\n"2024","KAZ","TKM","export","1.5","EUR","compiled","GACC","https://e.org/a",""\r\n"2024","KAZ","TKM","import","1e3","USD","compiled","\xf2\xad\xb8\xab\x1b\xf1\xad\xaf\xad","https://e.org/a","two\nlines"\r\n"2024","KAZ","TKM","export","1.5","usd","compiled","GACC","https://e.or\xef\xbb\xbf/a","two\nlines"\r\n"2019","KAZ","KGZ","total","1.5","EUR","official","GACC","\nhttps://e.org/a","w\xc3\xb7\xc3\x9b\xc3\x93\xc2\x80\xc2\xa8\xe4\x90\xa5j"\r\n"2023","KAZ","KGZ","import","1,5","usd","official","\xf2\xb0\xab\x84\xf0\xa8\xba\x8c\x02\xf2\x93\xbe\x98\xc3\xa4\xc2\x83\xc2\x95\xf2\xa6\x81\x96","https://e.org/a","two\nlines"\r\n"2024","KAZ","KGZ","export","1.5","USD","unstated","GACC","https://e.org/a","n\xc3\xb3\xc3\xa3"\r\n"2024","KAZ","RUS","import","1.5","USD","official","\xf1\xa9\x83\xa2","https://e.org/a","\xc3\xb3u"\r\n'  # noqa: E501
    path = tmp_path / "generated.csv"
    path.write_bytes(data)
    saved = (load.fast.BLOCK_BYTES, load.exact.EXACT_CHUNK, load.exact._PIECE_CHARS)
    load.fast.BLOCK_BYTES, load.exact.EXACT_CHUNK, load.exact._PIECE_CHARS = (
        152,
        1 + 152 % 4,
        152 % 50,
    )
    try:
        exact, fast, _ = _both(path)
    finally:
        load.fast.BLOCK_BYTES, load.exact.EXACT_CHUNK, load.exact._PIECE_CHARS = saved
    assert fast == exact
