"""``ca-trade import --all-countries`` streams: its figures, its memory and its codes.

- The rows are summed, guarded and checked as frames: the Python loop count does not grow with
  the file (counted here on a 20,000-line file).
- Spilling partial aggregates to disk by year, and rendering the output in pieces, are memory
  settings: neither may change a byte of the output, and no temporary file is left behind.
- Unknown codes are never dropped without a word: a code shaped like a country code but known
  to no list is an error placed by line and column with the closest code; an area that is no
  country (Comtrade's ``_X``) is left out and reported.

Every expected number is worked out by hand in the comment beside it.
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from ca_trade import ingest
from ca_trade.errors import DataError
from ca_trade.ingest import blocks, command, reading
from conftest import invoke

HEADER = "refYear,reporterISO,partnerISO,flowCode,cmdCode,primaryValue\n"
CODES = ["KAZ", "UZB", "CHN", "DEU", "FRA", "USA", "BRA", "IND", "JPN", "TUR"]


def world_file(tmp_path: Path, years: int = 3, products: bool = False) -> Path:
    """Every code with every other code, both flows, ``years`` years ending in 2023.

    The value of a line is its year's last two digits times 1000 plus its position in the
    code list (reporter x 10 + partner), in USD; with ``products`` each key has two HS-2 lines
    of 1 and 2 USD more instead of one TOTAL line.
    """
    lines = [HEADER]
    for year in range(2024 - years, 2024):
        for r, reporter in enumerate(CODES):
            for p, partner in enumerate(CODES):
                if reporter == partner:
                    continue
                for flow in ("M", "X"):
                    base = (year % 100) * 1000 + r * 10 + p
                    if products:
                        lines.append(f"{year},{reporter},{partner},{flow},01,{base + 1}\n")
                        lines.append(f"{year},{reporter},{partner},{flow},02,{base + 2}\n")
                    else:
                        lines.append(f"{year},{reporter},{partner},{flow},TOTAL,{base}\n")
    path = tmp_path / ("world_products.csv" if products else "world.csv")
    path.write_text("".join(lines))
    return path


def import_rows(runner: CliRunner, source: Path, out: Path, *extra: str) -> list[dict[str, str]]:
    result = invoke(runner, "import", "--all-countries", str(source), "-o", str(out), *extra)
    assert result.exit_code == 0, result.stderr
    return list(csv.DictReader(io.StringIO(out.read_text())))


def test_all_countries_figures(runner: CliRunner, tmp_path: Path) -> None:
    rows = import_rows(runner, world_file(tmp_path), tmp_path / "out.csv")
    assert len(rows) == 3 * 10 * 9 * 2  # years x reporters x partners (not itself) x flows
    by_key = {(r["year"], r["reporter"], r["partner"], r["flow"]): r for r in rows}
    # 2022, UZB (position 1) exports to DEU (position 3): 22 x 1000 + 1 x 10 + 3 = 22013 USD.
    assert by_key[("2022", "UZB", "DEU", "export")]["value_millions"] == "0.022013"
    # 2021, TUR (9) imports from KAZ (0): 21000 + 90 + 0 = 21090 USD.
    assert by_key[("2021", "TUR", "KAZ", "import")]["value_millions"] == "0.02109"
    assert by_key[("2023", "KAZ", "CHN", "export")]["note"].endswith("; product TOTAL")
    keys = [(int(r["year"]), r["reporter"], r["partner"], r["flow"]) for r in rows]
    assert keys == sorted(keys)  # sorted by year, reporter, partner and flow


def test_all_countries_sums_products(runner: CliRunner, tmp_path: Path) -> None:
    rows = import_rows(runner, world_file(tmp_path, products=True), tmp_path / "out.csv")
    by_key = {(r["year"], r["reporter"], r["partner"], r["flow"]): r for r in rows}
    # 2023, FRA (4) exports to USA (5): base 23045; products 23046 + 23047 = 46093 USD.
    row = by_key[("2023", "FRA", "USA", "export")]
    assert row["value_millions"] == "0.046093"
    assert row["note"].endswith("; sum of 2 2-digit cmdCode rows")


def test_value_is_divided_exactly(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "tie.csv"
    source.write_text(HEADER + "2024,KAZ,CHN,X,TOTAL,4057.5\n")
    rows = import_rows(runner, source, tmp_path / "out.csv")
    # 4057.5 USD = 0.0040575 million. The double nearest to 0.0040575 lies just above it, so
    # six decimals give 0.004058; a product with the reciprocal of 1e6 (what Polars does for
    # an array divided by a number) gives 0.0040574999999999995, which rounds to 0.004057.
    assert rows[0]["value_millions"] == "0.004058"


# 100 real ISO 3166-1 alpha-3 codes (the first 100 in alphabetical order).
HUNDRED = """
    ABW AFG AGO AIA ALA ALB AND ARE ARG ARM ASM ATA ATF ATG AUS AUT AZE BDI BEL BEN
    BES BFA BGD BGR BHR BHS BIH BLM BLR BLZ BMU BOL BRA BRB BRN BTN BVT BWA CAF CAN
    CCK CHE CHL CHN CIV CMR COD COG COK COL COM CPV CRI CUB CUW CXR CYM CYP CZE DEU
    DJI DMA DNK DOM DZA ECU EGY ERI ESH ESP EST ETH FIN FJI FLK FRA FRO FSM GAB GBR
    GEO GGY GHA GIB GIN GLP GMB GNB GNQ GRC GRD GRL GTM GUF GUM GUY HKG HMD HND HRV
""".split()


def test_no_per_row_python(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "big.csv"
    lines = [HEADER]  # 100 x 99 pairs x 2 flows = 19,800 lines of totals, one year
    for r, reporter in enumerate(HUNDRED):
        for partner in HUNDRED:
            for flow in ("M", "X"):
                if reporter != partner:
                    lines.append(f"2023,{reporter},{partner},{flow},TOTAL,{r + 1}\n")
    source.write_text("".join(lines))
    iterated = 0
    original = pl.DataFrame.iter_rows

    def counting(self: pl.DataFrame, *args: object, **kwargs: object) -> object:
        nonlocal iterated
        iterated += self.height
        return original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pl.DataFrame, "iter_rows", counting)
    rows = import_rows(runner, source, tmp_path / "out.csv")
    assert len(rows) == 19800
    # Only distinct codes go through Python (100 per side, a few times), never the rows.
    assert iterated <= 1000


@pytest.mark.parametrize("products", [False, True])
def test_spilling_and_pieces_do_not_change_the_output(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, products: bool
) -> None:
    source = world_file(tmp_path, years=4, products=products)
    expected = (tmp_path / "whole.csv", tmp_path / "spilled.csv")
    import_rows(runner, source, expected[0])
    spills: list[Path] = []
    spill = blocks.Partials.spill

    def recording(self: blocks.Partials) -> None:
        spill(self)
        spills.append(Path(str(self.spill_dir)))

    monkeypatch.setattr(blocks.Partials, "spill", recording)
    monkeypatch.setattr(reading, "SPILL_BYTES", 1)  # spill after every batch
    monkeypatch.setattr(reading, "BLOCK_BYTES", 2000)
    monkeypatch.setattr(reading, "PARSE_BYTES", 2000)
    monkeypatch.setattr(command, "RENDER_ROWS", 7)
    import_rows(runner, source, expected[1])
    assert spills, "the partials were never spilled"
    assert expected[1].read_bytes() == expected[0].read_bytes()
    assert not any(path.exists() for path in spills)  # the spill directory is removed
    assert not list(Path(tempfile.gettempdir()).glob("ca-trade-import-*"))


def test_unknown_partner_is_placed(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "typo.csv"
    source.write_text(HEADER + "2024,KAZ,CHN,X,TOTAL,5\n2024,KAZ,UZK,X,TOTAL,7\n")
    out = tmp_path / "out.csv"
    result = invoke(runner, "import", str(source), "-o", str(out))
    assert result.exit_code == 65
    assert "line 3, column partnerISO: 'UZK' is not a known country" in result.stderr
    assert "did you mean UZB?" in result.stderr
    assert not out.exists()


def test_unknown_reporter_with_all_countries(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "typo.csv"
    source.write_text(
        HEADER + "2024,DEU,FRA,X,TOTAL,5\n2024,DEU,FRA,M,TOTAL,5\n2024,FRQ,DEU,X,1,1\n"
    )
    result = invoke(runner, "import", "--all-countries", str(source), "-o", str(tmp_path / "x"))
    assert result.exit_code == 65
    assert "line 4, column reporterISO: 'FRQ' is not a known country" in result.stderr
    assert "did you mean FRA?" in result.stderr


def test_area_that_is_no_country_is_reported(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "areas.csv"
    source.write_text(HEADER + "2024,DEU,FRA,X,TOTAL,5\n2024,DEU,_X,X,TOTAL,9\n")
    out = tmp_path / "out.csv"
    result = invoke(runner, "import", "--all-countries", str(source), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert "skipped rows with 1 codes that are not countries (_X)" in result.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [(r["reporter"], r["partner"]) for r in rows] == [("DEU", "FRA")]


def test_a_late_problem_leaves_the_old_file(runner: CliRunner, tmp_path: Path) -> None:
    # Three years of good rows, then a code known to no list in the last year: the rows of
    # the first years are rendered and written before the problem is found.
    source = world_file(tmp_path, years=3)
    source.write_text(source.read_text() + "2023,DEU,FRQ,X,TOTAL,1\n")
    out = tmp_path / "out.csv"
    out.write_text("old\n")
    result = invoke(runner, "import", "--all-countries", str(source), "-o", str(out))
    assert result.exit_code == 65
    assert "'FRQ' is not a known country" in result.stderr
    assert out.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "world.csv"]


def test_stdout_gets_nothing_when_a_problem_is_found(runner: CliRunner, tmp_path: Path) -> None:
    source = world_file(tmp_path, years=3)
    source.write_text(source.read_text() + "2023,DEU,FRQ,X,TOTAL,1\n")
    result = invoke(runner, "import", "--all-countries", str(source))
    assert result.exit_code == 65
    assert result.stdout == ""


def test_many_years_are_named_by_their_range(runner: CliRunner, tmp_path: Path) -> None:
    source = world_file(tmp_path, years=6)  # 2018 to 2023
    result = invoke(runner, "import", "--all-countries", str(source), "-o", str(tmp_path / "o"))
    assert result.exit_code == 0, result.stderr
    # 6 years x 10 reporters x 9 partners x 2 flows = 1,080 rows
    assert "1080 rows (UN Comtrade Plus, 2018-2023: 6 years)" in result.stderr


# ---------------------------------------------------------------- property: against a reference

RAW_CODES = ["KAZ", "kaz", " UZB", "CHN", "DEU", "fra ", "USA"]
LINE = st.tuples(
    st.sampled_from([2022, 2023]),
    st.sampled_from(RAW_CODES),
    st.sampled_from(RAW_CODES),
    st.sampled_from(["X", "M", "x", "RX"]),
    st.sampled_from(["TOTAL", "01", "02", "0101", "0102"]),
    st.integers(min_value=0, max_value=10**9),
)


def reference(lines: list[tuple[int, str, str, str, str, int]]) -> dict[tuple, str]:
    """The import worked out in plain Python: codes stripped and in capitals, X/M only, no
    self-trade, per key the TOTAL line if any else the lines at the shortest product code,
    summed; zeros left out; value in millions to 6 decimals."""
    sums: dict[tuple, dict[int, int]] = {}
    for year, reporter, partner, flow, product, value in lines:
        reporter, partner, flow = reporter.strip().upper(), partner.strip().upper(), flow.upper()
        if flow not in ("X", "M") or reporter == partner:
            continue
        level = 0 if product == "TOTAL" else len(product)
        key = (str(year), reporter, partner, {"X": "export", "M": "import"}[flow])
        by_level = sums.setdefault(key, {})
        by_level[level] = by_level.get(level, 0) + value
    out = {}
    for key, by_level in sums.items():
        total = by_level[min(by_level)]
        if total:
            out[key] = f"{round(total / 1e6, 6):f}".rstrip("0").rstrip(".")
    return out


@settings(max_examples=100, deadline=None)
@given(lines=st.lists(LINE, min_size=1, max_size=40), keyed=st.booleans())
def test_all_countries_matches_a_reference(
    lines: list[tuple[int, str, str, str, str, int]], keyed: bool
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "lines.csv"
        body = "".join(f'{y},"{r}","{p}",{f},{c},{v}\n' for y, r, p, f, c, v in lines)
        source.write_text(HEADER + body)
        expected = reference(lines)
        original = command._keyed
        if not keyed:  # the general path: sum, totals, map, sort
            command._keyed = lambda *args: None  # type: ignore[assignment]
        try:
            result = ingest.convert(source, ingest.Options(all_countries=True))
            text = result.text
        except DataError as err:
            assert not expected and "no rows" in err.message
            return
        finally:
            command._keyed = original
    rows = list(csv.DictReader(io.StringIO(text)))
    got = {(r["year"], r["reporter"], r["partner"], r["flow"]): r["value_millions"] for r in rows}
    assert {k: float(v) for k, v in got.items()} == {k: float(v) for k, v in expected.items()}
    keys = [(r["year"], r["reporter"], r["partner"], r["flow"]) for r in rows]
    assert keys == sorted(keys)


def test_two_world_codes_on_one_key_are_refused(runner: CliRunner, tmp_path: Path) -> None:
    # W00 and WLD both become partner WLD: KAZ's exports to the World would be two figures.
    source = tmp_path / "worlds.csv"
    source.write_text(HEADER + "2024,KAZ,W00,X,TOTAL,5\n2024,KAZ,WLD,X,TOTAL,7\n")
    result = invoke(runner, "import", str(source), "-o", str(tmp_path / "out.csv"))
    assert result.exit_code == 65
    assert "two source codes become the same key 2024 KAZ WLD export" in result.stderr
