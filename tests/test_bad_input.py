"""The catalogue of bad input files, each run through the real CLI (``compare --data FILE``).

Every file under ``tests/data/bad/`` holds one problem (its name says which) in an otherwise
good three-row file (``good.csv``):

    year,reporter,partner,flow,value_millions,currency,basis,source,source_url,note   line 1
    2024,CHN,KAZ,export,28000,USD,official,GACC,https://example.org/gacc,             line 2
    2024,CHN,KAZ,import,15900,USD,official,GACC,https://example.org/gacc,             line 3
    2024,CHN,KAZ,total,43900,USD,official,GACC,https://example.org/gacc,              line 4

A file either loads (and ``compare --republic KAZ`` gives China's turnover 43900, exports 28000,
imports 15900, balance 28000 - 15900 = 12100), or the run stops with exactly one stderr line
naming file, line, column, what is wrong and what to try, nothing on stdout, and exit 65
(bad data) or 66 (missing or unreadable). The expected lines below are written by hand.
"""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ca_trade import codes, load
from ca_trade.errors import EXIT_DATA, EXIT_FINDINGS, EXIT_NO_INPUT, EXIT_USAGE
from conftest import DATA, invoke

BAD = DATA / "bad"
NUMBER_HINT = "write plain numbers with a dot for decimals, e.g. 1234.5 (ASCII minus, no units)"
SEPARATOR_HINT = "write plain numbers with a dot for decimals and no separators, e.g. 1234.5"
FINITE_HINT = "leave an unpublished figure out rather than writing NaN or inf"
HEADER = "year,reporter,partner,flow,value_millions,currency,basis,source,source_url,note"
RAGGED_HINT = "quote fields that contain the delimiter, or check the --delimiter"


def run(runner: CliRunner, path: Path | str, *extra: str):  # type: ignore[no-untyped-def]
    return invoke(runner, "compare", "--data", str(path), "--republic", "KAZ", *extra)


def assert_loads(runner: CliRunner, path: Path | str, *extra: str) -> None:
    result = run(runner, path, "--format", "json", *extra)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    china = next(row for row in json.loads(result.stdout) if row["partner"] == "CHN")
    assert china["turnover_usd_m"] == 43900
    assert china["exports_usd_m"] == 28000
    assert china["imports_usd_m"] == 15900
    assert china["balance_usd_m"] == 12100


def assert_fails(
    runner: CliRunner, path: Path | str, code: int, expected: str, *extra: str
) -> None:
    result = run(runner, path, *extra)
    assert result.exit_code == code, result.stderr
    assert result.stdout == ""
    assert result.stderr == f"ca-trade: error: {path}{expected}\n"


# ---------------------------------------------------------------- files that load

LOADS = [
    "good.csv",
    "utf8_bom.csv",
    "utf16_bom.csv",  # decision: a BOM says the encoding, so UTF-16 with a BOM is read
    "crlf.csv",
    "blank_lines.csv",
    "whitespace.csv",  # spaces around every value and delimiter
    "quoted_numbers.csv",  # "28000" is the number 28000
    "extra_column.csv",  # decision: unknown columns are allowed and ignored
]


@pytest.mark.parametrize("name", LOADS)
def test_loads(runner: CliRunner, name: str) -> None:
    assert_loads(runner, BAD / name)


def test_blank_lines_keep_physical_line_numbers() -> None:
    # header, blank, row, blank, blank, row, row, blank
    frame = load.read_trade(BAD / "blank_lines.csv")
    assert frame.get_column("line").to_list() == [3, 6, 7]


def test_utf16_values_and_lines() -> None:
    frame = load.read_trade(BAD / "utf16_bom.csv")
    assert frame.get_column("line").to_list() == [2, 3, 4]
    assert frame.get_column("source").to_list() == ["GACC"] * 3


def test_whitespace_is_stripped() -> None:
    frame = load.read_trade(BAD / "whitespace.csv")
    assert frame.get_column("reporter").to_list() == ["CHN"] * 3
    assert frame.get_column("source_url").to_list() == ["https://example.org/gacc"] * 3


def test_extra_column_is_dropped() -> None:
    frame = load.read_trade(BAD / "extra_column.csv")
    assert "my_comment" not in frame.columns


def test_latin1_loads_with_encoding(runner: CliRunner) -> None:
    assert_loads(runner, BAD / "latin1.csv", "--encoding", "latin-1")
    frame = load.read_trade(BAD / "latin1.csv", encoding="latin-1")
    assert frame.get_column("source").to_list()[2] == "Comité GACC"


@pytest.mark.parametrize(
    ("name", "delimiter"),
    [("semicolon.csv", ";"), ("tab.csv", "tab"), ("tab.csv", "\\t"), ("tab.csv", "\t")],
)
def test_delimiter_option_loads(runner: CliRunner, name: str, delimiter: str) -> None:
    assert_loads(runner, BAD / name, "--delimiter", delimiter)


# ---------------------------------------------------------------- files that stop

FAILS = {
    "empty.csv": (
        EXIT_DATA,
        f", line 1: is empty: no header and no rows. Try: the header must be: {HEADER}",
    ),
    "only_newline.csv": (
        EXIT_DATA,
        f", line 1: is empty: no header and no rows. Try: the header must be: {HEADER}",
    ),
    "header_only.csv": (
        EXIT_DATA,
        ", line 1: has a header but no data rows. Try: add rows, one per published figure",
    ),
    "latin1.csv": (
        EXIT_DATA,
        ", line 4, column source: byte 0xe9 (character 44 of the line) is not valid utf-8: "
        "the file is in another encoding. Try: --encoding latin-1 (or cp1252, or the file's "
        "real encoding), or re-save it as UTF-8",
    ),
    "nul_byte.csv": (
        EXIT_DATA,
        ", line 3, column source: contains a NUL byte: this is a binary file, not a CSV. "
        "Try: check that this is the file you meant; re-save it as CSV UTF-8",
    ),
    "gzip_renamed.csv": (
        EXIT_DATA,
        ", line 1: is gzip-compressed, not a CSV. Try: decompress it first (gunzip)",
    ),
    "xlsx_renamed.csv": (
        EXIT_DATA,
        ", line 1: is a zip archive (an Excel .xlsx file?), not a CSV. "
        "Try: open it in a spreadsheet and save it as CSV UTF-8",
    ),
    "semicolon.csv": (
        EXIT_DATA,
        ", line 1: has only one column: the header has no ',' but has ';'. Try: --delimiter ';'",
    ),
    "tab.csv": (
        EXIT_DATA,
        ", line 1: has only one column: the header has no ',' but has tab. Try: --delimiter tab",
    ),
    "too_many_fields.csv": (
        EXIT_DATA,
        f", line 3, column #11: too many fields: 11 where the header has 10. Try: {RAGGED_HINT}",
    ),
    "too_few_fields.csv": (
        EXIT_DATA,
        ", line 3, column source_url: too few fields: 8 where the header has 10. "
        f"Try: {RAGGED_HINT}",
    ),
    "unbalanced_quote.csv": (
        EXIT_DATA,
        ", line 3, column source: a quoted field is never closed (unbalanced quote). "
        "Try: check the quotes on that line: a quoted field needs a closing quote",
    ),
    "duplicate_column.csv": (
        EXIT_DATA,
        ", line 1, column source: column 'source' appears twice. Try: remove or rename one of them",
    ),
    "blank_column_name.csv": (
        EXIT_DATA,
        ", line 1, column #11: column 11 has no name. Try: name every column in the header",
    ),
    "missing_column.csv": (
        EXIT_DATA,
        ", line 1, column currency: required column 'currency' is missing. "
        f"Try: the header must be: {HEADER}",
    ),
    "empty_value.csv": (
        EXIT_DATA,
        ", line 3, column value_millions: value_millions is empty. "
        "Try: every column but note needs a value; leave an unpublished figure out",
    ),
    "non_numeric.csv": (
        EXIT_DATA,
        f", line 3, column value_millions: n/a is not a number. Try: {NUMBER_HINT}",
    ),
    "thousands_separator.csv": (
        EXIT_DATA,
        ", line 3, column value_millions: 1,234.5 is not a plain number (thousands separator "
        f"or decimal comma). Try: {SEPARATOR_HINT}",
    ),
    "decimal_comma.csv": (
        EXIT_DATA,
        ", line 3, column value_millions: 1234,5 is not a plain number (thousands separator "
        f"or decimal comma). Try: {SEPARATOR_HINT}",
    ),
    "nan.csv": (
        EXIT_DATA,
        f", line 3, column value_millions: NaN is not a finite number. Try: {FINITE_HINT}",
    ),
    "inf.csv": (
        EXIT_DATA,
        f", line 3, column value_millions: inf is not a finite number. Try: {FINITE_HINT}",
    ),
    "huge_number.csv": (
        EXIT_DATA,
        f", line 3, column value_millions: 1e400 is not a finite number. Try: {FINITE_HINT}",
    ),
    "unicode_minus.csv": (
        EXIT_DATA,
        ", line 3, column value_millions: \u221215900 has a typographic minus or dash, not the "
        "ASCII '-'. Try: type the number with an ASCII hyphen-minus (and note that values "
        "cannot be negative)",
    ),
    "negative.csv": (
        EXIT_DATA,
        ", line 3, column value_millions: -15900 is negative, but exports, imports and "
        "turnover cannot be. Try: write the flow's size; balances are computed, not stored",
    ),
    "unknown_country.csv": (  # a country's name: its code is suggested
        EXIT_DATA,
        ", line 3, column partner: Kazakhstan is not a known country or area code (did you mean "
        "KAZ?). Try: use ISO 3166 alpha-3 codes in capitals (KAZ, CHN, RUS), or EU27, CA5, WLD",
    ),
    "typo_code.csv": (  # UZK for UZB: one letter off Uzbekistan's code, which is not dropped
        EXIT_DATA,
        ", line 3, column partner: UZK is not a known country or area code (did you mean UZB?). "
        "Try: use ISO 3166 alpha-3 codes in capitals (KAZ, CHN, RUS), or EU27, CA5, WLD",
    ),
    "duplicate_key.csv": (
        EXIT_DATA,
        ", line 5, column flow: 2024 CHN KAZ import repeats the key of line 3. "
        "Try: keep one figure per (year, reporter, partner, flow); put the others in note",
    ),
    "multiline_note.csv": (  # a quoted note over lines 3-4; the bad value is on line 5
        EXIT_DATA,
        f", line 5, column value_millions: 15,9 is not a plain number (thousands separator "
        f"or decimal comma). Try: {SEPARATOR_HINT}",
    ),
}


@pytest.mark.parametrize("name", sorted(FAILS))
def test_fails_with_one_line(runner: CliRunner, name: str) -> None:
    code, expected = FAILS[name]
    assert_fails(runner, BAD / name, code, expected)


def test_header_without_any_named_column_fails_with_one_line(
    runner: CliRunner, tmp_path: Path
) -> None:
    # Found by hypothesis: a first line of one tab is a header of two unnamed columns, and a
    # frame with no named column once crashed the checks instead of reporting them.
    path = tmp_path / "tab_first.csv"
    path.write_bytes(b"\t\n" + HEADER.encode())
    expected = (
        ", line 1, column #1: column 1 has no name (11 more problems: run ca-trade validate). "
        "Try: name every column in the header"
    )
    assert_fails(runner, path, EXIT_DATA, expected, "--delimiter", "tab")


def test_catalogue_is_complete() -> None:
    # Every file in the catalogue is tested, and every tested file exists.
    on_disk = {p.name for p in BAD.iterdir() if p.suffix == ".csv"}
    assert on_disk == set(LOADS) | set(FAILS) | {"latin1.csv", "semicolon.csv", "tab.csv"}


def test_gzip_file_really_is_gzip() -> None:
    # The renamed gzip holds the good file, so only its compression is wrong.
    assert (
        gzip.decompress((BAD / "gzip_renamed.csv").read_bytes()) == (BAD / "good.csv").read_bytes()
    )


def test_utf16_without_bom_suggests_encoding(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "utf16le.csv"
    path.write_bytes((BAD / "good.csv").read_text(encoding="utf-8").encode("utf-16-le"))
    assert_fails(
        runner,
        path,
        EXIT_DATA,
        ", line 1: looks like UTF-16-LE text without a byte-order mark, not UTF-8. "
        "Try: --encoding utf-16-le, or re-save it as UTF-8",
    )
    assert_loads(runner, path, "--encoding", "utf-16-le")


def test_unknown_encoding_is_a_usage_error(runner: CliRunner) -> None:
    result = run(runner, BAD / "good.csv", "--encoding", "no-such-codec")
    assert result.exit_code == EXIT_USAGE
    assert result.stdout == ""
    assert result.stderr == (
        "ca-trade: error: --encoding 'no-such-codec' is not an encoding Python knows. "
        "Try: --encoding latin-1, cp1252, utf-16 or utf-8\n"
    )


def test_stray_quote_after_closing_quote(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "stray.csv"
    good = (BAD / "good.csv").read_text(encoding="utf-8")
    path.write_text(good.replace("official,GACC", 'official,"GA"CC', 1), encoding="utf-8")
    assert_fails(
        runner,
        path,
        EXIT_DATA,
        ", line 2, column source: a quoted field has text after its closing quote. Try: double "
        'a quote inside a quoted field ("") or remove the stray quote',
    )


# ---------------------------------------------------------------- missing and unreadable


def test_missing_file(runner: CliRunner, tmp_path: Path) -> None:
    assert_fails(
        runner, tmp_path / "nope.csv", EXIT_NO_INPUT, ": file not found. Try: check the path"
    )


def test_directory_instead_of_file(runner: CliRunner, tmp_path: Path) -> None:
    assert_fails(runner, tmp_path, EXIT_NO_INPUT, ": is a directory, not a file")


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0,
    reason="running as root: chmod 000 does not stop root reading the file "
    "(test_permission_denied_is_reported covers the same path by raising PermissionError)",
)
def test_unreadable_file(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "secret.csv"
    path.write_bytes((BAD / "good.csv").read_bytes())
    path.chmod(0)
    try:
        assert_fails(
            runner,
            path,
            EXIT_NO_INPUT,
            ": cannot be read (permission denied). Try: check its permissions",
        )
    finally:
        path.chmod(0o600)


def test_permission_denied_is_reported(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Works as root too: the OS error the read would raise for an unreadable file.
    path = tmp_path / "secret.csv"
    path.write_bytes((BAD / "good.csv").read_bytes())

    def denied(self: Path, *args: object, **kwargs: object) -> bytes:
        if self != path:
            return real_read(self) if not args else real_open(self, *args, **kwargs)  # type: ignore[no-any-return]
        raise PermissionError(13, "Permission denied", str(self))

    real_read, real_open = Path.read_bytes, Path.open
    monkeypatch.setattr(Path, "read_bytes", denied)  # how the exact reader reads
    monkeypatch.setattr(Path, "open", denied)  # how the fast reader reads
    assert_fails(
        runner,
        path,
        EXIT_NO_INPUT,
        ": cannot be read (permission denied). Try: check its permissions",
    )


# ---------------------------------------------------------------- a large file


@pytest.fixture(scope="module")
def large_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """100,000 lines: header and 99,999 good rows, except line 100000 has value 12x4."""
    path = tmp_path_factory.mktemp("large") / "large.csv"
    partners = sorted(codes.iso_codes() - {"CHN"})  # 248 codes x 3 flows x 150 years
    lines = [HEADER]
    for year in range(1901, 2051):
        for code in partners:
            for flow in ("export", "import", "total"):
                if len(lines) < 100_000:
                    lines.append(f"{year},CHN,{code},{flow},1.5,USD,official,S,https://e.org/s,")
    assert len(lines) == 100_000
    lines[99_999] = lines[99_999].replace(",1.5,", ",12x4,")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_bad_value_on_line_100000(runner: CliRunner, large_file: Path) -> None:
    result = invoke(runner, "compare", "--data", str(large_file))
    assert result.exit_code == EXIT_DATA
    assert result.stdout == ""
    assert result.stderr == (
        f"ca-trade: error: {large_file}, line 100000, column value_millions: 12x4 is not a "
        f"number. Try: {NUMBER_HINT}\n"
    )


def test_unbalanced_quote_in_a_large_file(runner: CliRunner, tmp_path: Path) -> None:
    # The open quote swallows the rest of the file (3,000 rows, ~190,000 characters) and passes
    # the csv module's field size limit: still reported as the quote on line 2.
    rows = [
        f"2024,CHN,A{i:02d},export,1.5,USD,official,GACC,https://example.org/gacc,"
        for i in range(100)
    ] * 30
    rows[0] = rows[0].replace("GACC,", '"GACC,', 1)
    path = tmp_path / "quote.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    assert_fails(
        runner,
        path,
        EXIT_DATA,
        ", line 2, column source: a field runs on for more than 131,072 characters: a quoted "
        "field is probably never closed (unbalanced quote). Try: check the quotes on that line: "
        "a quoted field needs a closing quote",
    )


# ---------------------------------------------------------------- every command reads the same way


def _reads_data(name: str) -> bool:
    from typer.main import get_command

    from ca_trade.cli import app

    command = get_command(app).commands[name]  # type: ignore[attr-defined]
    return any(p.name == "data" for p in command.params)


def _data_commands() -> list[str]:
    from typer.main import get_command

    from ca_trade.cli import app

    names = sorted(get_command(app).commands)  # type: ignore[attr-defined]
    return [n for n in names if _reads_data(n)]


@pytest.mark.parametrize("name", _data_commands())
def test_every_data_command_has_encoding_and_delimiter(runner: CliRunner, name: str) -> None:
    result = invoke(runner, name, "--data", str(BAD / "semicolon.csv"))
    assert result.exit_code == EXIT_DATA
    assert result.stderr == (
        f"ca-trade: error: {BAD / 'semicolon.csv'}, line 1: has only one column: the header "
        "has no ',' but has ';'. Try: --delimiter ';'\n"
    )
    # Loaded: exit 0, or 1 for a command that reports findings (check, validate).
    result = invoke(
        runner, name, "--data", str(BAD / "latin1.csv"), "--encoding", "latin-1", "-f", "csv"
    )
    assert result.exit_code in (0, EXIT_FINDINGS) and result.stderr == "", result.stderr
    result = invoke(
        runner, name, "--data", str(BAD / "semicolon.csv"), "--delimiter", ";", "-f", "csv"
    )
    assert result.exit_code in (0, EXIT_FINDINGS) and result.stderr == "", result.stderr


# ---------------------------------------------------------------- validate

MANY_PROBLEMS = "\n".join(
    [
        HEADER,
        '2024,CHN,KAZ,export,"1,5",USD,official,GACC,https://example.org/gacc,',
        "2024,CHN,KAZ,import,15900,usd,official,GACC,https://example.org/gacc,",
        "2024,CHN,KAZ,total,43900,USD,official,GACC,https://example.org/gacc,,x",
        "2024,CHN,KAZ,import,-5,USD,official,GACC,ftp://example.org,",
        "2012,CHN,KAZ,total,1,EUR,official,GACC,https://example.org/gacc,",
    ]
)


def test_validate_lists_every_problem(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    path.write_text(MANY_PROBLEMS + "\n", encoding="utf-8")
    result = invoke(runner, "validate", str(path), "--format", "json")
    assert result.exit_code == 1
    assert result.stderr == ""
    problems = json.loads(result.stdout)
    assert [(p["rule"], p["line"], p["column"], p["value"]) for p in problems] == [
        ("bad-number", 2, "value_millions", "1,5"),
        ("bad-currency", 3, "currency", "usd"),
        ("ragged-row", 4, "#11", "x"),
        ("duplicate-key", 5, "flow", "import"),
        ("bad-url", 5, "source_url", "ftp://example.org"),
        ("negative-value", 5, "value_millions", "-5"),
        ("no-exchange-rate", 6, "currency", "EUR"),
    ]
    assert problems[3]["message"] == "2024 CHN KAZ import repeats the key of line 3"
    assert problems[6]["message"] == "no EUR/USD rate for year 2012"
    assert set(problems[0]) == {"rule", "line", "column", "value", "message", "hint"}


def test_validate_csv_and_table(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "one.csv"
    path.write_text((BAD / "negative.csv").read_text(encoding="utf-8"), encoding="utf-8")
    result = invoke(runner, "validate", str(path), "-f", "csv")
    assert result.exit_code == 1
    assert result.stdout == (
        "rule,line,column,value,message,hint\n"
        "negative-value,3,value_millions,'-15900,\"'-15900 is negative, but exports, imports and "
        'turnover cannot be","write the flow\'s size; balances are computed, not stored"\n'
    )
    result = invoke(runner, "validate", str(path), "-f", "table")
    assert result.exit_code == 1
    assert "negative-value" in result.stdout and "│    3 │" in result.stdout
    assert "1 problem " in result.stdout


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [("csv", "file,rule,line,column,value,message,hint\n"), ("json", "[]\n")],
)
def test_validate_bundled_data_is_clean(runner: CliRunner, fmt: str, expected: str) -> None:
    result = invoke(runner, "validate", "--format", fmt)
    assert result.exit_code == 0, result.stdout
    assert result.stdout == expected
    assert result.stderr == ""


def test_validate_bundled_table_says_no_problems(runner: CliRunner) -> None:
    result = invoke(runner, "validate", "-f", "table")
    assert result.exit_code == 0
    # Every bundled year, 2015-2025: each file's lines less its header.
    names = [f"trade_{year}.csv" for year in range(2015, 2026)]
    rows = sum(
        len((DATA.parents[1] / "data" / name).read_text(encoding="utf-8").splitlines()) - 1
        for name in names
    )
    shown = ", ".join(f"{name} (bundled)" for name in names)
    assert f"{shown}: no problems ({rows} data rows checked)" in " ".join(result.stdout.split())


def test_validate_lists_each_files_problems_with_its_name(runner: CliRunner) -> None:
    typo, negative = BAD / "typo_code.csv", BAD / "negative.csv"
    alone = invoke(runner, "validate", str(typo), "-f", "csv")
    both = invoke(runner, "validate", str(typo), str(negative), "-f", "csv")
    assert both.exit_code == alone.exit_code == 1
    [header, *rows] = alone.stdout.splitlines()
    assert header == "rule,line,column,value,message,hint"  # one file: as it always was
    listed = both.stdout.splitlines()
    assert listed[0] == "file," + header
    named = os.path.relpath(typo), os.path.relpath(negative)  # as the file is named in output
    assert listed[1 : 1 + len(rows)] == [f"{named[0]}," + row for row in rows]
    assert len(listed) > 1 + len(rows)
    assert all(line.startswith(f"{named[1]},") for line in listed[1 + len(rows) :])


def test_validate_reports_a_parse_failure_as_a_problem(runner: CliRunner) -> None:
    result = invoke(runner, "validate", str(BAD / "unbalanced_quote.csv"), "-f", "json")
    assert result.exit_code == 1
    [problem] = json.loads(result.stdout)
    assert (problem["rule"], problem["line"], problem["column"]) == (
        "unbalanced-quote",
        3,
        "source",
    )


@pytest.mark.parametrize(
    ("name", "code", "expected"),
    [
        ("nope.csv", EXIT_NO_INPUT, ": file not found. Try: check the path"),
        (
            "gzip_renamed.csv",
            EXIT_DATA,
            ", line 1: is gzip-compressed, not a CSV. Try: decompress it first (gunzip)",
        ),
        (
            "latin1.csv",
            EXIT_DATA,
            ", line 4, column source: byte 0xe9 (character 44 of the line) is not valid utf-8: "
            "the file is in another encoding. Try: --encoding latin-1 (or cp1252, or the "
            "file's real encoding), or re-save it as UTF-8",
        ),
    ],
)
def test_validate_unreadable_file_is_one_line(
    runner: CliRunner, name: str, code: int, expected: str
) -> None:
    result = invoke(runner, "validate", str(BAD / name), "-f", "csv")
    assert result.exit_code == code
    assert result.stdout == ""
    assert result.stderr == f"ca-trade: error: {BAD / name}{expected}\n"


def test_validate_with_encoding_and_delimiter(runner: CliRunner) -> None:
    for args in (("latin1.csv", "--encoding", "latin-1"), ("tab.csv", "--delimiter", "tab")):
        result = invoke(runner, "validate", str(BAD / args[0]), *args[1:], "-f", "json")
        assert (result.exit_code, result.stdout) == (0, "[]\n")


def test_validate_output_file(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "problems.csv"
    result = invoke(runner, "validate", str(BAD / "nan.csv"), "-f", "csv", "-o", str(target))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert (
        target.read_text(encoding="utf-8")
        .splitlines()[1]
        .startswith("non-finite-number,3,value_millions,NaN,")
    )
