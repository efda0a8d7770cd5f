"""compare on the bundled data, against hand calculations from the data rows.

All values in USD millions. Data rows (reporter -> partner, flow, value):

China's customs (CHN rows):
  KAZ: total 43820, export 28000, import 15900
  KGZ: total 22710, import 2800           -> export derived 22710 - 2800 = 19910
  UZB: total 13780, export 11800, import 2000
  TKM: total 10650, export 1000, import 9600
  TJK: total 3860, import 350             -> export derived 3860 - 350 = 3510
  CA5: total 94820 (published region total)
Republics' statistics (rows reported by the republic, flows seen from the partner's side):
  KAZ-CHN total 30100 (compiled), KAZ imports from CHN 15300 -> CHN export 15300
  KGZ-CHN total 5500, KGZ exports to CHN 2040 -> CHN import 2040
  UZB-CHN total 12400, UZB exports 2050 (compiled) -> CHN import 2050
  TKM-CHN total 10600 (compiled), TJK-CHN total 1960
  CA5-CHN (CERR compilation): total 60700, CA5 exports 27100, CA5 imports 33600
Russia: RUS reports KAZ 28700, KGZ 4100, UZB 11700, TJK 1600, CA5 45000 (totals only);
  republics report KAZ 28000, KGZ 3200, UZB 11600, TJK 1900; CA5 compilation: total 47000,
  CA5 exports 14800, CA5 imports 32300; nobody reports RUS-TKM.
EU: EU27 -> CA5 total EUR 54000 (basis unstated); KAZ-EU27 total 50000; UZB-EU27 total 6400,
  UZB exports 1700, UZB imports 4700. EUR -> USD at 1.0824 (ECB 2024 annual average).
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from ca_trade import compute, load
from conftest import invoke

RATES = {2024: 1.0824}


def rows_by_partner(basis: str, area: str = "CA5", currency: str = "USD") -> dict[str, dict]:
    frame = compute.compare(
        load.read_trade(), basis=basis, currency=currency, rates=RATES, area=area
    )  # type: ignore[arg-type]
    return {row["partner"]: row for row in frame.to_dicts()}


def test_partner_basis_region() -> None:
    got = rows_by_partner("partner")
    china = got["CHN"]
    # China's customs publish the region total: canonical; the five country totals from the
    # same customs sum to the same figure, so no alternative is noted.
    assert china["turnover_usd_m"] == pytest.approx(94820)
    assert 43820 + 22710 + 13780 + 10650 + 3860 == 94820
    # China's exports to the five: published too since (R4032, 64200), and the five's
    # (KGZ 'over 19.9bn' R4033, TJK 3.5bn R4034) sum to it: 28000 + 19900 + 11800 + 1000 + 3500
    assert china["exports_usd_m"] == pytest.approx(64200)
    assert 28000 + 19900 + 11800 + 1000 + 3500 == 64200
    assert china["imports_usd_m"] == pytest.approx(15900 + 2800 + 2000 + 9600 + 350)  # 30650
    assert china["balance_usd_m"] == pytest.approx(64200 - 30650)  # 33550
    assert china["turnover_coverage"] == "published region total"
    assert china["exports_coverage"] == "published region total"
    assert china["exports_derived"] is False and china["turnover_derived"] is False
    assert china["turnover_reporter"] == "CHN" and china["turnover_basis"] == "official"

    eu = got["EU27"]
    # No EU figure by republic on either side for 3 of 5: the region total is the summit
    # statement, the last resort, converted from EUR.
    assert eu["turnover_usd_m"] == pytest.approx(54000 * 1.0824)  # 58449.6
    assert eu["turnover_basis"] == "unstated"
    assert eu["turnover_fx_rate"] == 1.0824
    assert eu["turnover_coverage"] == "published region total"
    # Exports: Uzbekistan's imports 4700 and Kazakhstan's 11100 (R4005) are the EU's exports.
    assert eu["exports_usd_m"] == pytest.approx(4700 + 11100)
    assert eu["exports_coverage"] == "2/5: partial (has KAZ, UZB)"
    # Imports: the EU's own 845 EUR m from UZB (R4001) at 1.0824, and Kazakhstan's exports 38600.
    assert eu["imports_usd_m"] == pytest.approx(845 * 1.0824 + 38600)  # 39514.628

    russia = got["RUS"]
    # Russia's own figures miss Turkmenistan: use its published region total (>45bn).
    assert russia["turnover_usd_m"] == pytest.approx(45000)
    assert russia["turnover_reporter"] == "RUS"
    # No Russian split: fall back to the republics' compilation, mirrored
    # (CA5 imports 32300 = Russia's exports; CA5 exports 14800 = Russia's imports).
    assert russia["exports_usd_m"] == pytest.approx(32300)
    assert russia["imports_usd_m"] == pytest.approx(14800)
    assert russia["exports_reporter"] == "CA5" and russia["exports_basis"] == "compiled"
    assert russia["balance_usd_m"] == pytest.approx(32300 - 14800)

    # Rank and ratios: 94820 > 58449.6 > 45000.
    assert [got[p]["rank"] for p in ("CHN", "EU27", "RUS")] == [1, 2, 3]
    assert china["turnover_ratio_to_eu27"] == pytest.approx(94820 / (54000 * 1.0824))  # 1.62
    assert china["turnover_ratio_to_rus"] == pytest.approx(94820 / 45000)  # 2.11
    assert china["turnover_ratio_to_chn"] is None


def test_republic_basis_region() -> None:
    got = rows_by_partner("republic")
    china = got["CHN"]
    # All five republics publish a total with China: sum them.
    assert china["turnover_usd_m"] == pytest.approx(30100 + 5500 + 12400 + 10600 + 1960)  # 60560
    assert china["turnover_coverage"] == "5/5 republics"
    assert china["turnover_basis"] == "compiled"  # weakest of its inputs (KAZ, TKM compiled)
    # Flows: not every republic splits its trade with China, so the CERR compilation
    # (CA5 imports 33600 = China's exports; CA5 exports 27100 = China's imports).
    assert china["exports_usd_m"] == pytest.approx(33600)
    assert china["imports_usd_m"] == pytest.approx(27100)
    assert china["balance_usd_m"] == pytest.approx(33600 - 27100)

    russia = got["RUS"]
    # KAZ+KGZ+UZB+TJK report Russia but TKM does not: the CERR region total.
    assert russia["turnover_usd_m"] == pytest.approx(47000)
    assert russia["turnover_reporter"] == "CA5"

    eu = got["EU27"]
    assert eu["turnover_usd_m"] == pytest.approx(54000 * 1.0824)  # still the last resort

    assert [got[p]["rank"] for p in ("CHN", "EU27", "RUS")] == [1, 2, 3]
    assert china["turnover_ratio_to_eu27"] == pytest.approx(60560 / 58449.6)
    assert china["turnover_ratio_to_rus"] == pytest.approx(60560 / 47000)


def test_one_republic_kyrgyzstan() -> None:
    got = rows_by_partner("partner", area="KGZ")
    china = got["CHN"]
    assert china["turnover_usd_m"] == pytest.approx(22710)
    # 'over 19.9bn' (R4033), published: it replaces the derivation 22710 - 2800 = 19910.
    assert china["exports_usd_m"] == pytest.approx(19900)
    assert china["exports_derived"] is False
    assert china["balance_usd_m"] == pytest.approx(19900 - 2800)
    eu = got["EU27"]
    assert eu["turnover_usd_m"] is None and eu["rank"] is None
    assert "neither side" in eu["turnover_missing_reason"]
    assert got["RUS"]["turnover_usd_m"] == pytest.approx(4100)
    assert got["RUS"]["balance_usd_m"] is None  # no split: missing, never zero
    assert china["turnover_ratio_to_rus"] == pytest.approx(22710 / 4100)

    republic = rows_by_partner("republic", area="KGZ")
    assert republic["CHN"]["turnover_usd_m"] == pytest.approx(5500)
    assert republic["CHN"]["exports_usd_m"] == pytest.approx(5500 - 2040)  # derived, KGZ's
    assert republic["RUS"]["turnover_usd_m"] == pytest.approx(3200)


def test_currency_eur_converts_the_other_way() -> None:
    got = rows_by_partner("partner", currency="EUR")
    assert got["CHN"]["turnover_eur_m"] == pytest.approx(94820 / 1.0824)
    assert got["CHN"]["turnover_fx_rate"] == 1.0824
    assert got["EU27"]["turnover_eur_m"] == pytest.approx(54000)  # untouched
    assert got["EU27"]["turnover_fx_rate"] is None


def test_cli_csv_and_json_agree(runner: CliRunner) -> None:
    as_csv = invoke(runner, "compare", "--format", "csv")
    as_json = invoke(runner, "compare", "--format", "json")
    assert as_csv.exit_code == 0 and as_json.exit_code == 0
    assert as_csv.stderr == ""
    table = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    records = json.loads(as_json.stdout)
    assert [r["partner"] for r in table] == [r["partner"] for r in records] == [
        "CHN", "EU27", "RUS",
    ]  # fmt: skip
    for row, record in zip(table, records, strict=True):
        for column in ("turnover_usd_m", "exports_usd_m", "imports_usd_m", "balance_usd_m"):
            assert float(row[column]) == record[column]
    assert float(table[0]["turnover_usd_m"]) == 94820.0


def test_cli_missing_is_blank_in_csv_and_null_in_json(runner: CliRunner) -> None:
    as_csv = invoke(runner, "compare", "--republic", "KGZ", "-f", "csv")
    as_json = invoke(runner, "compare", "--republic", "kgz", "-f", "json")
    eu_row = next(r for r in csv.DictReader(io.StringIO(as_csv.stdout)) if r["partner"] == "EU27")
    eu_record = next(r for r in json.loads(as_json.stdout) if r["partner"] == "EU27")
    assert eu_row["turnover_usd_m"] == ""
    assert eu_record["turnover_usd_m"] is None
    assert eu_record["turnover_missing_reason"]


def test_cli_table_names_basis_coverage_and_rate(runner: CliRunner) -> None:
    result = invoke(runner, "compare", "--format", "table")
    assert result.exit_code == 0
    out = result.stdout
    assert "94.82" in out and "58.45" in out and "45.00" in out
    # China's customs against the EU's statement and Russia's officials: marked ◐ (mixed)
    assert "1.62×◐ EU" in out and "2.11×◐ Russia" in out
    assert "5/5 republics" in out and "published region total" in out
    assert "1.0824 USD per EUR" in out
    assert "\x1b[" not in out  # not a terminal: no ANSI codes


def test_cli_bad_republic_is_a_usage_error(runner: CliRunner) -> None:
    result = invoke(runner, "compare", "--republic", "XXX")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "KAZ, KGZ, TJK, TKM, UZB" in result.stderr


def test_cli_unknown_year_is_a_usage_error(runner: CliRunner) -> None:
    result = invoke(runner, "compare", "--year", "1999")
    assert result.exit_code == 2
    assert "years available: 2015, 2016, 2017, 2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025" in (
        result.stderr
    )


def test_explain_lists_the_rows_behind_each_figure(runner: CliRunner) -> None:
    result = invoke(runner, "compare", "--explain", "-f", "json")
    rows = json.loads(result.stdout)
    china_turnover = sorted(
        r["line"] for r in rows if r["partner"] == "CHN" and r["measure"] == "turnover"
    )
    # China's published region total, line 2 of data/trade_2024.csv (header = line 1): the
    # canonical figure of China's customs (the five country totals, lines 3, 6, 8, 11 and 14,
    # sum to the same 94820).
    assert china_turnover == [2]
    assert all(r["source_url"].startswith("http") for r in rows)
