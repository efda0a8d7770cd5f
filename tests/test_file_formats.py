"""Files that spreadsheets and other tools open (issue 21): -o picks the format from the
extension, in a real pseudo-terminal; the workbook read back by openpyxl; Parquet both ways;
usage errors on one line; URLs whole at 80 columns."""

from __future__ import annotations

import csv
import fcntl
import io
import json
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from conftest import DATA, invoke

ROOT = Path(__file__).resolve().parents[1]
IMPORT = DATA / "import" / "comtrade_plus_2024.csv"
ANSI = re.compile(r"\x1b\[[0-9;?]*[a-zA-Z]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)")


def in_terminal(*args: str, cwd: Path, cols: int = 80) -> tuple[int, str, str]:
    """Run ``python -m ca_trade ARGS`` with stdout a pseudo-terminal of ``cols`` columns.

    Returns the exit code, what the terminal showed (escape codes removed) and stderr.
    """
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, cols, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
    env["TERM"] = "xterm-256color"
    process = subprocess.Popen(
        [sys.executable, "-m", "ca_trade", *args],
        stdin=slave,
        stdout=slave,
        stderr=subprocess.PIPE,
        cwd=cwd,
        env=env,
    )
    os.close(slave)
    shown = bytearray()
    while True:
        try:
            data = os.read(master, 1 << 16)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        shown += data
    os.close(master)
    assert process.stderr is not None
    err = process.stderr.read().decode()
    code = process.wait()
    text = ANSI.sub("", shown.decode("utf-8", errors="replace")).replace("\r\n", "\n")
    return code, text, err


# ---------------------------------------------------------------- -o by extension


def test_every_extension_gives_its_format_even_from_a_terminal(tmp_path: Path) -> None:
    outputs = ["c.csv", "c.tsv", "c.json", "c.md", "c.xlsx", "c.parquet"]
    for name in outputs:
        code, shown, err = in_terminal("compare", "-o", name, cwd=tmp_path)
        assert (code, shown.strip(), err) == (0, "", ""), name
    rows = list(csv.DictReader(io.StringIO((tmp_path / "c.csv").read_text(encoding="utf-8"))))
    partners = [row["partner"] for row in rows]
    assert partners == ["CHN", "EU27", "RUS"]  # compare: one row per partner, ranked
    tsv = (tmp_path / "c.tsv").read_text(encoding="utf-8").splitlines()
    assert tsv[0].split("\t")[:3] == ["year", "area", "partner"]
    assert [r["partner"] for r in json.loads((tmp_path / "c.json").read_text())] == partners
    assert (tmp_path / "c.md").read_text(encoding="utf-8").startswith("**")
    assert (tmp_path / "c.xlsx").read_bytes()[:4] == b"PK\x03\x04"  # a zip: a workbook
    parquet = pl.read_parquet(tmp_path / "c.parquet")
    assert parquet.get_column("partner").to_list() == partners
    # Numbers in Parquet are numbers, equal to the CSV's text read as numbers.
    assert parquet.get_column("turnover_usd_m").to_list() == [
        float(row["turnover_usd_m"]) for row in rows
    ]
    # No file holds a box-drawn table or escape codes.
    for name in ("c.csv", "c.tsv", "c.json", "c.md"):
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert "\x1b" not in text and "┏" not in text and "│" not in text, name


def test_excel_csv_from_a_terminal_has_a_bom_and_crlf(tmp_path: Path) -> None:
    code, shown, err = in_terminal("shares", "--excel", "-o", "shares.csv", cwd=tmp_path)
    assert (code, shown.strip(), err) == (0, "", "")
    data = (tmp_path / "shares.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbfyear,area,partner,")
    assert data.count(b"\r\n") == data.count(b"\n") > 1


def test_an_unknown_extension_writes_csv_and_says_so(tmp_path: Path) -> None:
    code, shown, err = in_terminal("compare", "-o", "out.dat", cwd=tmp_path)
    assert code == 0
    assert err == "ca-trade: out.dat: unknown extension '.dat', writing CSV\n"
    assert (tmp_path / "out.dat").read_text(encoding="utf-8").startswith("year,area,partner,")


def test_format_table_to_a_file_is_plain_text(tmp_path: Path) -> None:
    code, _, err = in_terminal("compare", "--format", "table", "-o", "t.txt", cwd=tmp_path)
    assert (code, err) == (0, "")
    text = (tmp_path / "t.txt").read_text(encoding="utf-8")
    assert "\x1b" not in text
    assert text.startswith("China, the EU and Russia in trade with Central Asia (5)")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--format", "json", "-o", "x.csv"],
            "--format json contradicts --output x.csv (a csv file). "
            "Try: drop --format, or name the file *.json",
        ),
        (
            ["--excel", "--format", "json"],
            "--excel is for CSV, TSV or xlsx, not json. Try: drop --excel, or use --format csv",
        ),
        (
            ["--excel", "-o", "x.md"],
            "--excel is for CSV, TSV or xlsx, not md. Try: drop --excel, or use --format csv",
        ),
        (
            ["--excel", "-o", "x.parquet"],
            "--excel is for CSV, TSV or xlsx, not parquet. Try: drop --excel, or use --format csv",
        ),
        (
            ["--format", "xlsx"],
            "xlsx is a binary file format and is not written to standard output. Try: -o FILE.xlsx",
        ),
        (
            ["--format", "parquet"],
            "parquet is a binary file format and is not written to standard output. "
            "Try: -o FILE.parquet",
        ),
    ],
)
def test_contradictions_are_one_line_usage_errors(
    runner: CliRunner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke(runner, "compare", *args)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"ca-trade: error: {message}\n"
    assert list(tmp_path.iterdir()) == []


def test_xlsx_is_never_written_to_a_terminal(tmp_path: Path) -> None:
    code, shown, err = in_terminal("compare", "--format", "xlsx", cwd=tmp_path)
    assert (code, shown) == (2, "")
    assert err.startswith("ca-trade: error: xlsx is a binary file format")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["compare", "--format", "xml"],
            "Invalid value for '--format' / '-f': 'xml' is not one of 'table', 'csv', 'tsv', "
            "'json', 'md', 'xlsx', 'parquet'. Try: ca-trade compare --help",
        ),
        (
            ["compare", "--currency", "GBP"],
            "Invalid value for '--currency': 'GBP' is not one of 'USD', 'EUR'. "
            "Try: ca-trade compare --help",
        ),
        (
            ["balance", "--zzz"],
            "No such option: --zzz. Try: ca-trade balance --help",
        ),
    ],
)
def test_a_bad_option_value_is_one_error_line_with_the_choices(
    args: list[str], message: str
) -> None:
    command = Path(sys.executable).parent / "ca-trade"  # the console script, named ca-trade
    result = subprocess.run([str(command), *args], capture_output=True, text=True)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"ca-trade: error: {message}\n"


# ---------------------------------------------------------------- the workbook


def test_the_workbook_read_back_by_openpyxl(runner: CliRunner, tmp_path: Path) -> None:
    import openpyxl

    target = tmp_path / "compare.xlsx"
    assert invoke(runner, "compare", "-o", str(target)).exit_code == 0
    text = invoke(runner, "compare", "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["Data", "Notes", "Sources"]
    data = book["Data"]
    header = [c.value for c in data[1]]
    assert header == list(rows[0])
    assert data.freeze_panes == "A2"
    assert data.auto_filter.ref is not None
    for line, row in zip(data.iter_rows(min_row=2, values_only=True), rows, strict=True):
        for name, value in zip(header, line, strict=True):
            wanted = row[name]
            if wanted == "":
                assert value is None, name  # missing is an empty cell, never zero
            elif name.endswith("_usd_m") or re.fullmatch(r"turnover_ratio_to_[a-z0-9]+", name):
                assert isinstance(value, float | int) and value == float(wanted), name
    money = header.index("turnover_usd_m") + 1
    assert data.cell(row=2, column=money).number_format == "#,##0.00"
    notes = [r[0] for r in book["Notes"].iter_rows(values_only=True)]
    assert notes[0] == "China, the EU and Russia in trade with Central Asia (5), 2024 ($ bn)"
    # One row per data line used: the lines named in the CSV's *_source_lines cells.
    used = {
        int(n)
        for row in rows
        for name, cell in row.items()
        if name.endswith("_source_lines")
        for n in cell.split()
    }
    sources = book["Sources"]
    source_header = [c.value for c in sources[1]]
    assert source_header[:3] == ["file", "line", "year"]
    lines = [r[1] for r in sources.iter_rows(min_row=2, values_only=True)]
    assert sorted(lines) == sorted(used)
    url = source_header.index("source_url") + 1
    for number in range(2, sources.max_row + 1):
        cell = sources.cell(row=number, column=url)
        assert cell.hyperlink is not None and cell.hyperlink.target == cell.value
        assert str(cell.value).startswith("https://")


def test_the_workbook_keeps_text_formula_safe(runner: CliRunner, tmp_path: Path) -> None:
    import openpyxl

    data = tmp_path / "evil.csv"
    header = "year,reporter,partner,flow,value_millions,currency,basis,source,source_url,note"
    data.write_text(
        f"{header}\n2024,CHN,KAZ,total,10,USD,official,=HYPERLINK(1),https://e.org/a,@note\n",
        encoding="utf-8",
    )
    target = tmp_path / "s.xlsx"
    result = invoke(runner, "sources", "--data", str(data), "-o", str(target))
    assert result.exit_code == 0
    sheet = openpyxl.load_workbook(target)["Data"]
    values = [c.value for c in sheet[2]]
    assert "'=HYPERLINK(1)" in values and "'@note" in values
    assert 10 in values  # the value stays a number


# ---------------------------------------------------------------- Parquet


FIGURES = ["year", "area", "partner", "rank", "turnover_usd_m", "exports_usd_m", "imports_usd_m"]


def test_parquet_round_trip_gives_the_csv_figures(runner: CliRunner, tmp_path: Path) -> None:
    as_csv, as_parquet = tmp_path / "d.csv", tmp_path / "d.parquet"
    assert invoke(runner, "import", str(IMPORT), "-o", str(as_csv)).exit_code == 0
    assert invoke(runner, "import", str(IMPORT), "-o", str(as_parquet)).exit_code == 0
    assert as_parquet.read_bytes()[:4] == b"PAR1"
    stored = pl.read_parquet(as_parquet)
    assert stored.schema["year"] == pl.Int64 and stored.schema["value_millions"] == pl.Float64
    via_csv = invoke(runner, "compare", "--data", str(as_csv), "--republic", "KAZ", "-f", "csv")
    via_pq = invoke(runner, "compare", "--data", str(as_parquet), "--republic", "KAZ", "-f", "csv")
    assert via_csv.exit_code == via_pq.exit_code == 0
    a = pl.read_csv(io.StringIO(via_csv.stdout)).select(FIGURES)
    b = pl.read_csv(io.StringIO(via_pq.stdout)).select(FIGURES)
    assert a.height > 0 and a.equals(b)


def test_parquet_from_another_writer_with_other_types(runner: CliRunner, tmp_path: Path) -> None:
    """Categorical text and a 32-bit year (as DuckDB or pandas may write) read the same."""
    good = DATA / "bad" / "good.csv"
    frame = pl.read_csv(good, infer_schema=False)
    other = frame.with_columns(
        pl.col("year").cast(pl.Int32),
        pl.col("value_millions").cast(pl.Float32).cast(pl.Float64),
        pl.col("reporter", "partner", "flow").cast(pl.Categorical),
        pl.lit(1).alias("extra_column"),
    )
    target = tmp_path / "other.parquet"
    other.write_parquet(target)
    result = invoke(runner, "sources", "--data", str(target), "-f", "csv")
    assert result.exit_code == 0, result.stderr
    read = pl.read_csv(io.StringIO(result.stdout))
    assert read.height == frame.height
    assert read.get_column("line").to_list() == list(range(1, frame.height + 1))  # row numbers


def _broken(tmp_path: Path, name: str, change: pl.Expr | None, drop: str | None) -> Path:
    frame = pl.read_csv(DATA / "bad" / "good.csv", infer_schema=False)
    if change is not None:
        frame = frame.with_columns(change)
    if drop is not None:
        frame = frame.drop(drop)
    frame.write_csv(tmp_path / f"{name}.csv")
    typed = frame.with_columns(
        pl.col("year").cast(pl.Int64),
        *([pl.col("value_millions").cast(pl.Float64)] if name != "type" else []),
    )
    typed.write_parquet(tmp_path / f"{name}.parquet")
    return tmp_path / name


SECOND = pl.int_range(pl.len()) == 1  # the second data row: CSV line 3, Parquet row 2


@pytest.mark.parametrize(
    ("name", "change", "drop"),
    [
        ("code", pl.when(SECOND).then(pl.lit("XYZ")).otherwise("partner").alias("partner"), None),
        (
            "type",
            pl.when(SECOND)
            .then(pl.lit("12,100"))
            .otherwise("value_millions")
            .alias("value_millions"),
            None,
        ),  # fmt: skip
        ("flow", pl.when(SECOND).then(pl.lit("Export")).otherwise("flow").alias("flow"), None),
        ("missing", None, "currency"),
        ("bound", pl.when(SECOND).then(pl.lit("more")).otherwise(None).alias("bound"), None),
    ],
)
def test_a_broken_parquet_file_gets_the_csv_error(
    runner: CliRunner, tmp_path: Path, name: str, change: pl.Expr | None, drop: str | None
) -> None:
    base = _broken(tmp_path, name, change, drop)
    from_csv = invoke(runner, "compare", "--data", f"{base}.csv", "-f", "csv")
    from_parquet = invoke(runner, "compare", "--data", f"{base}.parquet", "-f", "csv")
    assert from_csv.exit_code == from_parquet.exit_code == 65
    # The same message; the place is CSV line 3 (header = line 1) or Parquet row 2.
    where_csv, _, what_csv = from_csv.stderr.removeprefix("ca-trade: error: ").partition("column ")
    where_pq, _, what_pq = from_parquet.stderr.removeprefix("ca-trade: error: ").partition(
        "column "
    )
    assert what_csv == what_pq
    if drop is None:
        assert where_csv == f"{base}.csv, line 3, " and where_pq == f"{base}.parquet, row 2, "
    else:
        assert where_csv == f"{base}.csv, line 1, " and where_pq == f"{base}.parquet, "
    # validate lists the same problem (rule, column, value, message) in both.
    problems = []
    for ext in ("csv", "parquet"):
        listed = invoke(runner, "validate", f"{base}.{ext}", "-f", "csv")
        assert listed.exit_code == 1
        problems.append(pl.read_csv(io.StringIO(listed.stdout)).drop("line"))
    assert problems[0].equals(problems[1])


def test_a_repeated_key_anywhere_in_a_parquet_file_is_found_by_validate(
    runner: CliRunner, tmp_path: Path
) -> None:
    frame = pl.read_csv(DATA / "bad" / "good.csv")
    target = tmp_path / "dup.parquet"
    pl.concat([frame, frame.head(1)]).write_parquet(target)
    listed = invoke(runner, "validate", str(target), "-f", "csv")
    assert listed.exit_code == 1
    found = pl.read_csv(io.StringIO(listed.stdout))
    assert found.get_column("rule").to_list() == ["duplicate-key"]
    assert found.get_column("line").to_list() == [frame.height + 1]  # the last row


# ---------------------------------------------------------------- --add and --data


def _one_figure(tmp_path: Path, line: str, header: str | None = None) -> Path:
    header = (
        header or "year,reporter,partner,flow,value_millions,currency,basis,source,source_url,note"
    )
    path = tmp_path / "mine.csv"
    path.write_text(f"{header}\n{line}\n", encoding="utf-8")
    return path


def test_add_reads_the_bundled_data_and_the_file(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _one_figure(tmp_path, "2024,KGZ,EU27,total,1000,USD,official,Mine,https://e.org/,")
    monkeypatch.chdir(tmp_path)
    bundled = invoke(runner, "sources", "-f", "csv")
    added = invoke(runner, "sources", "--add", "mine.csv", "-f", "csv")
    assert added.exit_code == 0
    assert added.stdout.splitlines()[:-1] == bundled.stdout.splitlines()
    assert added.stdout.splitlines()[-1].startswith("mine.csv,2,2024,KGZ,EU27,total,1000.0,")


def test_add_refuses_a_key_the_bundled_data_have(runner: CliRunner, tmp_path: Path) -> None:
    bundled = (ROOT / "data" / "trade_2024.csv").read_text(encoding="utf-8").splitlines()
    number, line = next((i, t) for i, t in enumerate(bundled, 1) if t.startswith("2024,CHN,KAZ,"))
    mine = _one_figure(tmp_path, line, header=bundled[0])  # the bundled header has bound
    result = invoke(runner, "compare", "--add", str(mine))
    assert (result.exit_code, result.stdout) == (65, "")
    key = " ".join(line.split(",")[:4])
    assert result.stderr.startswith(f"ca-trade: error: {mine}, line 2, column flow: {key} ")
    assert f"trade_2024.csv, line {number}" in result.stderr


def test_data_says_on_a_terminal_that_the_bundled_data_were_not_read(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ca_trade import inputs

    _one_figure(tmp_path, "2024,CHN,KAZ,total,10,USD,official,Mine,https://e.org/,")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(inputs, "_stderr_is_terminal", lambda: True)
    result = invoke(runner, "sources", "--data", "mine.csv", "-f", "csv")
    assert result.stderr == ("ca-trade: data: mine.csv only; the bundled data were not loaded\n")
    result = invoke(runner, "sources", "--add", "mine.csv", "-f", "csv")
    assert result.exit_code == 65  # the bundled data have 2024 CHN KAZ total: they were read


# ---------------------------------------------------------------- filters and words


@pytest.mark.parametrize("command", ["shares", "growth", "mirror", "balance", "compare"])
def test_partner_and_republic_filter_the_rows(runner: CliRunner, command: str) -> None:
    everything = pl.read_csv(io.StringIO(invoke(runner, command, "-f", "csv").stdout))
    for option, column, code in (("--republic", "area", "KAZ"), ("--partner", "partner", "CHN")):
        if command == "compare" and option == "--partner":
            continue
        result = invoke(runner, command, option, code.lower(), "-f", "csv")
        assert result.exit_code == 0, result.stderr
        only = pl.read_csv(io.StringIO(result.stdout))
        wanted = everything.filter(pl.col(column) == code)
        if command != "compare":
            assert only.height == wanted.height > 0
        assert set(only.get_column(column).to_list()) == {code}


@pytest.mark.parametrize(
    ("shown", "column"),
    [
        ("balance", "balance_usd_m"),
        ("Turnover", "turnover_usd_m"),
        ("exports", "exports_usd_m"),
        ("Bal. % turn.", "balance_pct_of_turnover"),
        ("surplus held by", "surplus_holder"),
        ("imports_usd_m", "imports_usd_m"),
    ],
)
def test_sort_takes_the_tables_names(runner: CliRunner, shown: str, column: str) -> None:
    by_name = invoke(runner, "balance", "--sort", shown, "-f", "csv")
    by_column = invoke(runner, "balance", "--sort", column, "-f", "csv")
    assert by_name.exit_code == 0 and by_name.stdout == by_column.stdout
    values = pl.read_csv(io.StringIO(by_name.stdout)).get_column(column).drop_nulls().to_list()
    assert values == sorted(values, reverse=values and not isinstance(values[0], str))


def test_an_unknown_sort_name_lists_the_names(runner: CliRunner) -> None:
    result = invoke(runner, "balance", "--sort", "profit")
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "ca-trade: error: --sort 'profit' is not a column of this table. "
        "Try: balance, exports, imports, turnover, "
    )


def test_the_surplus_label_says_who_holds_it(runner: CliRunner) -> None:
    result = invoke(runner, "balance", "--perspective", "republic", "--partner", "CHN", "-f", "md")
    text = result.stdout
    assert "Surplus held by" in text and "surplus with" not in text.lower()
    # KAZ's balance with China is negative from KAZ's side: China holds the surplus.
    kaz = next(line for line in text.splitlines() if line.startswith("| China | Kazakhstan"))
    assert "-12.10" in kaz and kaz.rstrip(" |").split("|")[-2].strip() == "China"
    # 4 of 5 republics have a deficit with China (all but Turkmenistan).
    assert "surplus held by Turkmenistan; surplus held by China with 4 republics" in text


def test_root_help_shows_each_whole_summary() -> None:
    from ca_trade.cli import app

    result = subprocess.run(
        [sys.executable, "-m", "ca_trade", "--help"],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "80"},
    )
    listing = " ".join(result.stdout.split("Commands:")[1].split())
    assert "..." not in listing
    for info in app.registered_commands:
        assert info.callback is not None
        summary = info.help or (info.callback.__doc__ or "").strip().splitlines()[0]
        assert " ".join(summary.split()) in listing


# ---------------------------------------------------------------- URLs at 80 columns


def _urls(path: Path) -> set[str]:
    with open(path, encoding="utf-8") as handle:
        return {row["source_url"] for row in csv.DictReader(handle)}


@pytest.mark.parametrize(
    "args",
    [["sources"], ["sources", "--partner", "EU27"], ["compare", "--explain"],
     ["balance", "--explain"], ["check", "--explain"]],
)  # fmt: skip
def test_every_url_is_whole_on_one_line_at_80_columns(tmp_path: Path, args: list[str]) -> None:
    code, shown, _ = in_terminal(*args, "--year", "2024", cwd=tmp_path)
    assert code in (0, 1)
    lines = shown.splitlines()
    printed = {u for line in lines for u in re.findall(r"https?://\S+", line)}
    assert printed, "the URLs are listed"
    known = _urls(ROOT / "data" / "trade_2024.csv") | _urls(ROOT / "data" / "trade_2023.csv")
    assert printed <= known  # each one whole, none cut


def test_a_code_with_spaces_around_it_is_read_as_in_csv(runner: CliRunner, tmp_path: Path) -> None:
    """Cells are stripped as in a CSV file: ' KAZ' is KAZ, and repeats KAZ's key."""
    frame = pl.read_csv(DATA / "bad" / "good.csv")
    padded = frame.head(1).with_columns(pl.lit(" KAZ").alias("partner"))
    target = tmp_path / "padded.parquet"
    pl.concat([frame, padded]).write_parquet(target)
    listed = invoke(runner, "validate", str(target), "-f", "csv")
    found = pl.read_csv(io.StringIO(listed.stdout))
    assert found.select("rule", "line").rows() == [("duplicate-key", frame.height + 1)]
    alone = tmp_path / "alone.parquet"
    frame.with_columns(pl.col("partner").str.pad_start(4)).write_parquet(alone)
    read = invoke(runner, "sources", "--data", str(alone), "-f", "csv")
    assert read.exit_code == 0
    partners = pl.read_csv(io.StringIO(read.stdout)).get_column("partner")
    assert partners.to_list() == frame.get_column("partner").to_list()


@pytest.mark.parametrize(
    ("shown", "column"),
    [("share", "trade_share_pct"), ("Trade", "trade_share_pct"), ("imports", "imports_share_pct")],
)
def test_shares_sort_by_the_shares_the_table_shows(
    runner: CliRunner, shown: str, column: str
) -> None:
    result = invoke(runner, "shares", "--sort", shown, "-f", "csv")
    assert result.exit_code == 0, result.stderr
    values = pl.read_csv(io.StringIO(result.stdout)).get_column(column).drop_nulls().to_list()
    assert len(values) > 4 and values == sorted(values, reverse=True)


@pytest.mark.parametrize(
    ("column", "value", "rule"),
    [
        ("value_millions", float("nan"), "non-finite-number"),
        ("value_millions", float("inf"), "non-finite-number"),
        ("value_millions", -5.0, "negative-value"),
        ("value_millions", None, "empty-value"),
        ("year", 1850, "bad-year"),
        ("year", None, "empty-value"),
        ("partner", None, "empty-value"),
        ("partner", "CHN", "same-reporter-partner"),
        ("source_url", "ftp://x", "bad-url"),
        ("source", "", "empty-value"),
        ("currency", "usd", "bad-currency"),
    ],
)
def test_typed_parquet_cells_meet_every_row_rule(
    runner: CliRunner, tmp_path: Path, column: str, value: object, rule: str
) -> None:
    """A typed cell that breaks a rule, in the second of the file's rows, is found by the
    commands (every row is screened) and placed at row 2."""
    frame = pl.read_csv(DATA / "bad" / "good.csv").with_columns(
        pl.col("value_millions").cast(pl.Float64)
    )
    dtype = frame.schema[column]
    changed = frame.with_columns(
        pl.when(pl.int_range(pl.len()) == 1)
        .then(pl.lit(value, dtype=dtype))
        .otherwise(pl.col(column))
        .alias(column)
    )
    target = tmp_path / "cell.parquet"
    changed.write_parquet(target)
    read = invoke(runner, "sources", "--data", str(target), "-f", "csv")
    assert read.exit_code == 65
    column_of = "partner" if rule == "same-reporter-partner" else column
    assert read.stderr.startswith(f"ca-trade: error: {target}, row 2, column {column_of}: ")
    listed = invoke(runner, "validate", str(target), "-f", "csv")
    found = pl.read_csv(io.StringIO(listed.stdout), schema_overrides={"value": pl.String})
    assert found.select("rule", "line", "column").rows() == [(rule, 2, column_of)]


@pytest.mark.parametrize("command", ["compare", "shares", "balance", "mirror", "growth"])
def test_the_bundled_data_as_parquet_give_the_same_figures(
    runner: CliRunner, tmp_path: Path, command: str
) -> None:
    """Each bundled file written as Parquet (as Polars types it) gives every figure the CSV
    files give; only the places differ: CSV line N is Parquet row N - 1 (no header row)."""
    paths = []
    for year in (2023, 2024):
        source = ROOT / "data" / f"trade_{year}.csv"
        target = tmp_path / f"trade_{year}.parquet"
        pl.read_csv(source, infer_schema_length=0).with_columns(
            pl.col("year").cast(pl.Int64), pl.col("value_millions").cast(pl.Float64)
        ).write_parquet(target)
        paths += ["--data", str(target)]
    via_csv = invoke(runner, command, "-f", "json")
    via_parquet = invoke(runner, command, *paths, "-f", "json")
    assert via_csv.exit_code == via_parquet.exit_code == 0, via_parquet.stderr
    rows_csv, rows_pq = json.loads(via_csv.stdout), json.loads(via_parquet.stdout)
    assert len(rows_csv) == len(rows_pq) > 0
    for a, b in zip(rows_csv, rows_pq, strict=True):
        for name in a:
            if name.endswith("_source_lines") and a[name] is not None:
                assert [n - 1 for n in a[name]] == b[name], name
            else:
                assert a[name] == b[name], name


def test_import_writes_a_data_file_only(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "data.xlsx"
    result = invoke(runner, "import", str(IMPORT), "-o", str(target))
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"ca-trade: error: --output {target}: import writes a data file, CSV or Parquet, not "
        "xlsx. Try: -o data.csv or -o data.parquet\n"
    )
    assert not target.exists()
