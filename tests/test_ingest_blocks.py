"""``ca-trade import`` reads big files in blocks and drops lines early: neither may change a figure.

- The line filter (a regex on the raw line, before the CSV is split) must keep every line the
  parsed filter keeps, however the fields before the reporter are quoted.
- Block and batch sizes are performance settings: any sizes give the same output.
- A bad line in a later block is still placed by its own line number.
"""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from ca_trade import ingest
from ca_trade.ingest import countries, reading
from conftest import DATA, invoke

IMPORT = DATA / "import"
OWN_REPORTERS = ["KAZ", "kaz", "KGZ", "TJK", "TKM", "UZB", "CHN", "RUS", "EU27", "EU27_2020"]
OTHER_REPORTERS = ["DEU", "Kaz", "KAZA", "XKAZ", "KA", "", " KAZ", "EU2", "USA"]
# Field text with the characters that matter to CSV: separators, quotes, spaces, our codes.
FIELD = st.text(alphabet=st.sampled_from(list('ab ,;\t"KAZCHN0x')), max_size=8)


def filter_lines(lines: list[str], separator: str, header: list[str], fmt: str) -> list[str]:
    """The lines ``ingest``'s line filter keeps, as text."""
    spec = ingest.FORMATS[fmt]
    codes = countries.codes_for(spec, ingest.Options(), Path("x.csv"))
    pattern = reading.line_pattern(spec, header, separator, codes)
    kept = reading.prefilter(("\n".join(lines) + "\n").encode(), pattern)
    # A CR before the LF may or may not be kept with the line: the CSV parser ignores it.
    return [line.rstrip("\r") for line in kept.decode().split("\n")[:-1]]


@settings(max_examples=300, deadline=None)
@given(
    before=st.lists(FIELD, max_size=4),
    after=st.lists(FIELD, max_size=3),
    reporter=st.sampled_from(OWN_REPORTERS + OTHER_REPORTERS),
    separator=st.sampled_from([",", "\t", ";"]),
    quote_all=st.booleans(),
    crlf=st.booleans(),
)
def test_line_filter_keeps_every_line_the_parsed_filter_keeps(
    before: list[str],
    after: list[str],
    reporter: str,
    separator: str,
    quote_all: bool,
    crlf: bool,
) -> None:
    header = [f"c{i}" for i in range(len(before))] + ["reporterISO"]
    header += [f"d{i}" for i in range(len(after))]
    buffer = io.StringIO()
    quoting = csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
    csv.writer(buffer, delimiter=separator, quoting=quoting, lineterminator="\n").writerow(
        [*before, reporter, *after]
    )
    line = buffer.getvalue().rstrip("\n") + ("\r" if crlf else "")
    parsed = next(csv.reader([line.rstrip("\r")], delimiter=separator))
    assert parsed[len(before)] == reporter  # the line is what we meant
    kept = filter_lines([line], separator, header, "comtrade")
    if reporter in OWN_REPORTERS:
        assert kept == [line.rstrip("\r")]


def test_line_filter_drops_our_code_outside_the_reporter_column() -> None:
    header = ["refYear", "reporterISO", "partnerISO", "flowCode", "cmdCode", "primaryValue"]
    lines = [
        "2024,DEU,KAZ,X,TOTAL,1",  # KAZ as partner only: not ours to import
        '2024,"KAZ",DEU,X,TOTAL,2',
        "2024,USA,CHN,M,KAZ,3",
        "2024,kaz,WLD,M,TOTAL,4",
    ]
    assert filter_lines(lines, ",", header, "comtrade") == [lines[1], lines[3]]


def test_line_filter_on_baci_keeps_either_side() -> None:
    header = ["t", "i", "j", "k", "v", "q"]
    lines = ["2022,156,276,2711,1.5,NA", "2022,276,398,2711,2.5,NA", "2022,276,251,2711,3,NA"]
    assert filter_lines(lines, ",", header, "baci") == lines[:2]


def import_text(runner: CliRunner, tmp_path: Path, source: Path, *extra: str) -> str:
    out = tmp_path / f"{source.stem}.out.csv"
    result = invoke(runner, "import", str(source), "-o", str(out), *extra)
    assert result.exit_code == 0, result.stderr
    return out.read_text()


@pytest.mark.parametrize(
    "source",
    ["comtrade_plus_2024.csv", "comtrade_bulk_2024.tsv.gz", "BACI_HS92_Y2022_V202401.csv"],
)
@pytest.mark.parametrize(("block", "gzip_read", "batch"), [(1, 1, 1), (97, 13, 50), (200, 64, 1)])
def test_block_sizes_do_not_change_the_output(
    runner: CliRunner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    source: str,
    block: int,
    gzip_read: int,
    batch: int,
) -> None:
    expected = import_text(runner, tmp_path, IMPORT / source)
    monkeypatch.setattr(reading, "BLOCK_BYTES", block)
    monkeypatch.setattr(reading, "GZIP_READ_BYTES", gzip_read)
    monkeypatch.setattr(reading, "PARSE_BYTES", batch)
    assert import_text(runner, tmp_path, IMPORT / source) == expected


def bad_file(tmp_path: Path, bad_line: int, *, gz: bool) -> Path:
    """A Comtrade file with 300 good KAZ lines and a bad value on ``bad_line``."""
    lines = ["refYear,reporterISO,partnerISO,flowCode,cmdCode,primaryValue"]
    for number in range(2, 302):
        value = "12x" if number == bad_line else str(number)
        lines.append(f"2024,KAZ,CHN,X,{number:02d},{value}")
    text = ("\n".join(lines) + "\n").encode()
    path = tmp_path / ("bad.csv.gz" if gz else "bad.csv")
    path.write_bytes(gzip.compress(text) if gz else text)
    return path


@pytest.mark.parametrize("gz", [False, True])
def test_bad_value_in_a_later_block_is_placed_by_its_line(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gz: bool
) -> None:
    # Blocks of about 3 lines, batches of several blocks: line 250 is deep in a later batch.
    monkeypatch.setattr(reading, "BLOCK_BYTES", 80)
    monkeypatch.setattr(reading, "GZIP_READ_BYTES", 16)
    monkeypatch.setattr(reading, "PARSE_BYTES", 400)
    source = bad_file(tmp_path, 250, gz=gz)
    result = invoke(runner, "import", str(source), "-o", str(tmp_path / "x.csv"))
    assert result.exit_code == 65
    assert "line 250" in result.stderr and "'12x' is not a number" in result.stderr
    assert not (tmp_path / "x.csv").exists()


def test_a_line_longer_than_a_block_is_read_whole(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    header = "refYear,reporterISO,partnerISO,flowCode,cmdDesc,cmdCode,primaryValue\n"
    long_line = f"2024,KAZ,CHN,X,{'y' * 5000},TOTAL,7000000\n"
    source = tmp_path / "long.csv"
    source.write_text(header + "2024,KAZ,CHN,M,short,TOTAL,3000000\n" + long_line)
    monkeypatch.setattr(reading, "BLOCK_BYTES", 64)
    text = import_text(runner, tmp_path, source)
    rows = list(csv.DictReader(io.StringIO(text)))
    # 7,000,000 USD = 7 million; 3,000,000 USD = 3 million
    assert {(r["flow"], r["value_millions"]) for r in rows} == {("export", "7"), ("import", "3")}


def test_rows_but_none_of_ours_says_so(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "others.csv"
    source.write_text(
        "refYear,reporterISO,partnerISO,flowCode,cmdCode,primaryValue\n2024,DEU,FRA,X,TOTAL,1\n"
    )
    result = invoke(runner, "import", str(source), "-o", str(tmp_path / "x.csv"))
    assert result.exit_code == 65
    assert "no rows for ca-trade's countries" in result.stderr
