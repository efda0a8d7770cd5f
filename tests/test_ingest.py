"""``ca-trade import``: one small real-shaped fixture per format, a round trip, and the traps.

Fixtures (tests/data/import/) carry the publishers' exact headers. Every expected number is
worked out by hand from the fixture rows in the comment beside it.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ca_trade import load, schema
from conftest import DATA, invoke

IMPORT = DATA / "import"
PLUS = IMPORT / "comtrade_plus_2024.csv"
BULK = IMPORT / "comtrade_bulk_2024.tsv.gz"
IMF = IMPORT / "imf_imts_2024.csv"
COMEXT = IMPORT / "comext_2024.csv"
BACI = IMPORT / "BACI_HS92_Y2022_V202401.csv"
COUNTRIES = IMPORT / "country_codes_V202401.csv"


def run_import(runner: CliRunner, tmp_path: Path, source: Path, *extra: str) -> dict[tuple, dict]:
    """Import, check the file loads with ``read_trade``, return rows by key."""
    out = tmp_path / "out.csv"
    result = invoke(runner, "import", str(source), "-o", str(out), *extra)
    assert result.exit_code == 0, result.stderr
    with out.open(newline="") as handle:
        assert next(csv.reader(handle)) == list(schema.COLUMNS)
    frame = load.read_trade(out)  # the output obeys every data rule, keys unique included
    rows = {}
    for row in frame.iter_rows(named=True):
        key = (row["year"], row["reporter"], row["partner"], row["flow"])
        assert key not in rows
        rows[key] = row
    return rows


def value(rows: dict[tuple, dict], year: int, reporter: str, partner: str, flow: str) -> float:
    return float(rows[(year, reporter, partner, flow)]["value_millions"])


# ---------------------------------------------------------------- one test per format


def test_comtrade_plus(runner: CliRunner, tmp_path: Path) -> None:
    rows = run_import(runner, tmp_path, PLUS)
    # KAZ X CHN TOTAL rows: 15,000,000,000 (totals) plus breakdowns of motCode 2100 (1e9),
    # partner2 RUS (2e9) and customsCode C01 (4e9), plus product 27 (9e9): only the first counts.
    assert value(rows, 2024, "KAZ", "CHN", "export") == 15000
    assert value(rows, 2024, "KAZ", "CHN", "import") == 13000  # 13,000,000,000 / 1e6
    assert value(rows, 2024, "CHN", "KAZ", "export") == 24000
    assert value(rows, 2024, "CHN", "KAZ", "import") == 16000
    row = rows[(2024, "KAZ", "CHN", "export")]
    assert (row["currency"], row["basis"]) == ("USD", "official")
    assert row["source_url"] == "https://comtradeplus.un.org/"
    assert "comtrade_plus_2024.csv" in row["source"]
    # DEU and NAM are not ca-trade's countries: left out without --all-countries.
    assert not any("DEU" in key or "NAM" in key for key in rows)


def test_comtrade_bulk_gzipped_tsv(runner: CliRunner, tmp_path: Path) -> None:
    rows = run_import(runner, tmp_path, BULK)
    # Numeric codes: 762 TJK, 156 CHN, 643 RUS, 0 World; 842 (USA) is not ours.
    assert value(rows, 2024, "TJK", "CHN", "export") == 1200  # 1,200,000,000 / 1e6
    assert value(rows, 2024, "TJK", "CHN", "import") == 3400
    assert value(rows, 2024, "TJK", "WLD", "import") == 5100
    # TJK X RUS: 700,000,000 total; the motCode 2100 row (300,000,000) is a breakdown of it.
    assert value(rows, 2024, "TJK", "RUS", "export") == 700
    assert len(rows) == 5


def test_imf_imts(runner: CliRunner, tmp_path: Path) -> None:
    result_rows = run_import(runner, tmp_path, IMF)
    # OBS_VALUE is whole USD (SCALE 6 is the display scale): 8,000,000,000 / 1e6 = 8000.
    assert value(result_rows, 2024, "KGZ", "CHN", "import") == 8000
    # The annual 100,000,000 row, not the monthly 2024-M01 one (9,000,000).
    assert value(result_rows, 2024, "KGZ", "CHN", "export") == 100
    assert value(result_rows, 2024, "KGZ", "WLD", "export") == 3500  # counterpart G001
    # KGZ exports to RUS are NaN: no row (never a zero); TBG_USD balances are not flows.
    assert (2024, "KGZ", "RUS", "export") not in result_rows
    assert value(result_rows, 2024, "KGZ", "RUS", "import") == 4200
    assert result_rows[(2024, "KGZ", "CHN", "import")]["source_url"] == "https://data.imf.org/"


def test_comext_keeps_eur(runner: CliRunner, tmp_path: Path) -> None:
    rows = run_import(runner, tmp_path, COMEXT)
    # VALUE_IN_EUROS only (the QUANTITY_IN_100KG rows are not values); flow 2 = export.
    assert value(rows, 2024, "EU27", "KAZ", "export") == 12000  # 12,000,000,000 EUR / 1e6
    assert value(rows, 2024, "EU27", "KAZ", "import") == 25000
    assert rows[(2024, "EU27", "KAZ", "export")]["currency"] == "EUR"
    # UZ has no TOTAL: HS-2 84 + 87 = 3,000,000,000 + 1,500,000,000 = 4,500 M; the HS-4 8703
    # row (800,000,000) is inside 87 and is not added.
    assert value(rows, 2024, "EU27", "UZB", "export") == 4500
    assert "sum of 2 2-digit" in rows[(2024, "EU27", "UZB", "export")]["note"]


def test_baci_exporter_rows_and_world(runner: CliRunner, tmp_path: Path) -> None:
    rows = run_import(runner, tmp_path, BACI)  # country_codes_V202401.csv found beside it
    # v is thousands of USD: CHN -> KAZ 1000.5 + 500 = 1500.5 thousand = 1.5005 M.
    assert value(rows, 2022, "CHN", "KAZ", "export") == pytest.approx(1.5005)
    assert value(rows, 2022, "KAZ", "CHN", "export") == pytest.approx(3.0)
    # Exporter rows only: KAZ's imports from CHN are the mirror of CHN's exports, not a row.
    assert (2022, "KAZ", "CHN", "import") not in rows
    # World = every partner: KAZ exports 3000 (CHN) + 2000 (DEU) = 5000 thousand = 5 M;
    # KAZ imports 1000.5 + 500 (CHN) + 700 (USA 842) = 2200.5 thousand = 2.2005 M.
    assert value(rows, 2022, "KAZ", "WLD", "export") == pytest.approx(5.0)
    assert value(rows, 2022, "KAZ", "WLD", "import") == pytest.approx(2.2005)
    row = rows[(2022, "CHN", "KAZ", "export")]
    assert row["basis"] == "compiled"
    assert row["source_url"].startswith("https://www.cepii.fr/")


# ---------------------------------------------------------------- round trip


def test_import_then_compare_round_trip(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "plus.csv"
    assert invoke(runner, "import", str(PLUS), "-o", str(out)).exit_code == 0
    result = invoke(runner, "compare", "--data", str(out), "--republic", "KAZ", "-f", "json")
    assert result.exit_code == 0, result.stderr
    china = next(r for r in json.loads(result.stdout) if r["partner"] == "CHN")
    # Partner basis, China's customs: exports 24,000 + imports 16,000 = turnover 40,000;
    # balance 24,000 - 16,000 = 8,000.
    assert china["exports_usd_m"] == 24000
    assert china["imports_usd_m"] == 16000
    assert china["turnover_usd_m"] == 40000
    assert china["balance_usd_m"] == 8000
    result = invoke(
        runner, "compare", "--data", str(out), "-r", "KAZ", "--basis", "republic", "-f", "json"
    )
    china = next(r for r in json.loads(result.stdout) if r["partner"] == "CHN")
    # Kazakhstan's own statistics, mirrored: China's exports = KAZ imports 13,000; China's
    # imports = KAZ exports 15,000 (TOTAL, breakdowns out); turnover 28,000; balance -2,000.
    assert china["exports_usd_m"] == 13000
    assert china["imports_usd_m"] == 15000
    assert china["turnover_usd_m"] == 28000
    assert china["balance_usd_m"] == -2000


# ---------------------------------------------------------------- traps


def test_world_is_kept_not_summed(runner: CliRunner, tmp_path: Path) -> None:
    rows = run_import(runner, tmp_path, PLUS)
    # The W00 row itself (80,000), not 80,000 + 15,000 + 3,000 (+ other partners).
    assert value(rows, 2024, "KAZ", "WLD", "export") == 80000
    assert value(rows, 2024, "KAZ", "WLD", "import") == 60000


def test_products_summed_without_total(runner: CliRunner, tmp_path: Path) -> None:
    rows = run_import(runner, tmp_path, PLUS)
    # KAZ X RUS has no TOTAL row: 2711 (2,000,000,000) + 7202 (1,000,000,000) = 3,000 M.
    assert value(rows, 2024, "KAZ", "RUS", "export") == 3000
    assert "sum of 2 4-digit cmdCode rows" in rows[(2024, "KAZ", "RUS", "export")]["note"]
    assert "product TOTAL" in rows[(2024, "KAZ", "CHN", "export")]["note"]


def test_note_has_sha256_of_input(runner: CliRunner, tmp_path: Path) -> None:
    rows = run_import(runner, tmp_path, BULK)
    digest = hashlib.sha256(BULK.read_bytes()).hexdigest()  # of the gzip file as downloaded
    assert all(f"sha256={digest}" in row["note"] for row in rows.values())


def test_reexports_are_not_exports(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "rx.csv"
    source.write_text(
        "refYear,reporterISO,partnerISO,flowCode,cmdCode,primaryValue\n"
        "2024,KAZ,CHN,RX,TOTAL,500000000\n"
        "2024,KAZ,CHN,RM,TOTAL,400000000\n"
        "2024,KAZ,CHN,X,TOTAL,100000000\n"
    )
    rows = run_import(runner, tmp_path, source)
    assert rows.keys() == {(2024, "KAZ", "CHN", "export")}
    assert value(rows, 2024, "KAZ", "CHN", "export") == 100  # the X row alone


def test_namibia_na_is_a_code_not_null(runner: CliRunner, tmp_path: Path) -> None:
    rows = run_import(runner, tmp_path, COMEXT, "--all-countries", "--countries", str(COUNTRIES))
    # Comext partner NA = Namibia, ISO3 NAM via the country file's country_iso2 "NA".
    assert value(rows, 2024, "EU27", "NAM", "export") == 450  # 450,000,000 EUR / 1e6


def test_all_countries_keeps_others(runner: CliRunner, tmp_path: Path) -> None:
    rows = run_import(runner, tmp_path, PLUS, "--all-countries")
    assert value(rows, 2024, "KAZ", "DEU", "export") == 5000
    assert value(rows, 2024, "KAZ", "NAM", "export") == 1  # 1,000,000 / 1e6


def test_hs_filter_keeps_leading_zeros(runner: CliRunner, tmp_path: Path) -> None:
    rows = run_import(runner, tmp_path, BACI, "--hs", "01")
    # Only k = 010121 starts with 01: CHN -> KAZ 500 thousand = 0.5 M.
    assert value(rows, 2022, "CHN", "KAZ", "export") == pytest.approx(0.5)
    assert (2022, "KAZ", "CHN", "export") not in rows
    assert "HS 01" in rows[(2022, "CHN", "KAZ", "export")]["note"]


def test_hs_filter_on_comtrade_uses_products_not_total(runner: CliRunner, tmp_path: Path) -> None:
    rows = run_import(runner, tmp_path, PLUS, "--hs", "2711")
    # Only the 2711 row (2,000,000,000); TOTAL rows never match a product filter.
    assert rows.keys() == {(2024, "KAZ", "RUS", "export")}
    assert value(rows, 2024, "KAZ", "RUS", "export") == 2000


def test_units_scale_and_quantities(runner: CliRunner, tmp_path: Path) -> None:
    # BACI: thousands; IMF: SCALE 6 with whole dollars; Comext: 100 kg rows excluded.
    baci = run_import(runner, tmp_path, BACI)
    assert value(baci, 2022, "KAZ", "CHN", "export") == pytest.approx(3.0)  # 3000 x 1000 / 1e6
    imf = run_import(runner, tmp_path, IMF)
    assert "SCALE=6" in imf[(2024, "KGZ", "CHN", "import")]["note"]
    scaled = tmp_path / "scaled.csv"
    scaled.write_text(
        IMF.read_text().splitlines()[0]
        + "\nIMF.STA:IMTS(1.0.0),KGZ,XG_FOB_USD,CHN,A,2024,100.5,6,,,XG,FOB,USD,M,OL,\n"
    )
    result = invoke(runner, "import", str(scaled), "-o", str(tmp_path / "x.csv"))
    assert result.exit_code == 65
    assert "already" in result.stderr


def test_monthly_only_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "monthly.csv"
    source.write_text(
        "refYear,freqCode,reporterISO,partnerISO,flowCode,cmdCode,primaryValue\n"
        "2024,M,KAZ,CHN,X,TOTAL,5\n"
    )
    result = invoke(runner, "import", str(source), "-o", str(tmp_path / "x.csv"))
    assert result.exit_code == 65
    assert "annual" in result.stderr


# ---------------------------------------------------------------- errors


def test_missing_file_is_66(runner: CliRunner, tmp_path: Path) -> None:
    result = invoke(runner, "import", str(tmp_path / "nope.csv"), "-o", str(tmp_path / "x.csv"))
    assert result.exit_code == 66
    assert "not found" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_header_is_65(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "what.csv"
    source.write_text("a,b,c\n1,2,3\n")
    result = invoke(runner, "import", str(source), "-o", str(tmp_path / "x.csv"))
    assert result.exit_code == 65
    assert "line 1" in result.stderr and "--format" in result.stderr


def test_bad_value_is_placed_by_line(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "bad.csv"
    source.write_text(
        "refYear,reporterISO,partnerISO,flowCode,cmdCode,primaryValue\n"
        "2024,KAZ,CHN,X,TOTAL,100\n"
        '2024,KAZ,CHN,M,TOTAL,"1,234"\n'
    )
    result = invoke(runner, "import", str(source), "-o", str(tmp_path / "x.csv"))
    assert result.exit_code == 65
    assert "line 3" in result.stderr and "primaryValue" in result.stderr


def test_bad_gzip_is_65(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "cut.tsv.gz"
    source.write_bytes(BULK.read_bytes()[:-12])  # a truncated download
    result = invoke(runner, "import", str(source), "-o", str(tmp_path / "x.csv"))
    assert result.exit_code == 65
    assert "decompress" in result.stderr


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--format", "xlsx"], "not a known format"),
        (["--hs", "27a"], "not an HS code"),
        (["--hs", "27", "--hs", "2711"], "covers"),
    ],
)
def test_bad_options_are_usage_errors(
    runner: CliRunner, tmp_path: Path, args: list[str], words: str
) -> None:
    result = invoke(runner, "import", str(PLUS), "-o", str(tmp_path / "x.csv"), *args)
    assert result.exit_code == 2
    assert words in result.stderr


def test_hs_without_products_is_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    result = invoke(runner, "import", str(IMF), "--hs", "2711", "-o", str(tmp_path / "x.csv"))
    assert result.exit_code == 2
    assert "products" in result.stderr


def test_numeric_codes_need_country_file_for_all_countries(
    runner: CliRunner, tmp_path: Path
) -> None:
    result = invoke(runner, "import", str(BULK), "--all-countries", "-o", str(tmp_path / "x.csv"))
    assert result.exit_code == 2
    assert "--countries" in result.stderr


def test_format_option_overrides_sniffing(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "x.csv"
    result = invoke(runner, "import", str(BULK), "--format", "comtrade", "-o", str(out))
    assert result.exit_code == 65  # the bulk file lacks reporterISO
    assert "reporterISO" in result.stderr
    with gzip.open(BULK, "rt") as handle:
        assert "reporterCode" in handle.readline()


def test_eur_year_without_rate_is_warned(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "comext_2031.csv"
    source.write_text(COMEXT.read_text().replace(",2024,", ",2031,"))
    result = invoke(runner, "import", str(source), "-o", str(tmp_path / "x.csv"))
    assert result.exit_code == 0
    assert "no ECB EUR/USD rate for 2031" in result.stderr
