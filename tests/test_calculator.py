"""shares, balance, mirror and sources on the bundled data, against hand calculations.

Values in USD millions, from data/trade_2024.csv (see test_compare.py for the row list).
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


def keyed(frame, *keys: str) -> dict:  # type: ignore[no-untyped-def]
    return {tuple(row[k] for k in keys): row for row in frame.to_dicts()}


# ------------------------------------------------------------------------------------- shares


def test_shares_uzbekistan_by_hand() -> None:
    got = keyed(
        compute.shares(load.read_trade(), basis="republic", currency="USD", rates=RATES),
        "area",
        "partner",
    )
    china = got[("UZB", "CHN")]
    # Uzbek statistics: trade with China 12400 of 65900 world; exports to China 2050 of 26900;
    # imports from China derived 12400 - 2050 = 10350, of 38900.
    assert china["trade_share_pct"] == pytest.approx(12400 / 65900 * 100)  # 18.8%
    assert china["exports_share_pct"] == pytest.approx(2050 / 26900 * 100)  # 7.6%
    assert china["imports_share_pct"] == pytest.approx((12400 - 2050) / 38900 * 100)  # 26.6%
    assert china["imports_derived"] is True
    assert china["trade_mixed"] is False
    eu = got[("UZB", "EU27")]
    assert eu["trade_share_pct"] == pytest.approx(6400 / 65900 * 100)
    assert eu["imports_share_pct"] == pytest.approx(4700 / 38900 * 100)
    rest = got[("UZB", "ROW")]
    assert rest["trade_share_pct"] == pytest.approx((65900 - 12400 - 6400 - 11600) / 65900 * 100)
    assert rest["trade_usd_m"] == pytest.approx(65900 - 12400 - 6400 - 11600)  # 35500


def test_shares_missing_world_total_is_missing_with_reason() -> None:
    got = keyed(
        compute.shares(load.read_trade(), basis="republic", currency="USD", rates=RATES),
        "area",
        "partner",
    )
    # Turkmenistan publishes its exports (12000) but no imports, so no world turnover.
    turkmenistan = got[("TKM", "CHN")]
    assert turkmenistan["trade_share_pct"] is None
    assert turkmenistan["trade_missing_reason"] == "no world total (total) for TKM"
    assert got[("TKM", "ROW")]["trade_share_pct"] is None


def test_shares_region_uses_only_republics_with_both_figures() -> None:
    got = keyed(
        compute.shares(load.read_trade(), basis="republic", currency="USD", rates=RATES),
        "area",
        "partner",
    )
    # World turnovers: UZB 65900, TJK 8900, KAZ 81674.0530439 + 60397.96938396 (monthly sums),
    # KGZ 3800 + 12500 (unstated); TKM has none. China on the republics' figures:
    # KAZ 30100, KGZ 5500, TJK 1960, UZB 12400.
    world = 65900 + 8900 + (81674.0530439 + 60397.96938396) + (3800 + 12500)
    region = got[("CA5", "CHN")]
    assert region["trade_share_pct"] == pytest.approx((30100 + 5500 + 1960 + 12400) / world * 100)
    assert region["trade_coverage"] == "4/5 republics with both figures (KAZ, KGZ, TJK, UZB)"


def test_shares_partner_basis_is_flagged_mixed() -> None:
    got = keyed(
        compute.shares(load.read_trade(), basis="partner", currency="USD", rates=RATES),
        "area",
        "partner",
    )
    # China's customs numerator over the republics' own denominators. Kyrgyzstan's is not a
    # share: China's 22710 exceeds Kyrgyzstan's own world total 3800 + 12500 = 16300, so it is
    # missing with the reason, and the region sums only the republics with a meaningful share.
    kyrgyzstan = got[("KGZ", "CHN")]
    assert 22710 > 3800 + 12500 and kyrgyzstan["trade_share_pct"] is None
    assert "exceeds Kyrgyzstan's own world total" in kyrgyzstan["trade_missing_reason"]
    region = got[("CA5", "CHN")]
    world = 65900 + 8900 + (81674.0530439 + 60397.96938396)  # UZB TJK KAZ
    assert region["trade_share_pct"] == pytest.approx((13780 + 3860 + 43820) / world * 100)
    assert region["trade_mixed"] is True
    assert got[("UZB", "CHN")]["imports_share_pct"] == pytest.approx(11800 / 38900 * 100)


# ------------------------------------------------------------------------------------ balance


def test_balance_china_by_hand_and_only_turkmenistan_has_a_surplus() -> None:
    frame = compute.balance(load.read_trade(), basis="partner", currency="USD", rates=RATES)
    got = keyed(frame, "partner", "area")
    # China's customs: exports - imports.
    assert got[("CHN", "KAZ")]["balance_usd_m"] == pytest.approx(28000 - 15900)
    assert got[("CHN", "KGZ")]["balance_usd_m"] == pytest.approx(19900 - 2800)  # R4033
    assert got[("CHN", "TKM")]["balance_usd_m"] == pytest.approx(1000 - 9600)
    assert got[("CHN", "TKM")]["surplus_holder"] == "TKM"
    # Percentages of the same flows' sum (the same reporters), not of another turnover.
    assert got[("CHN", "CA5")]["balance_pct_of_turnover"] == pytest.approx(
        (64200 - 30650) / (64200 + 30650) * 100
    )  # 35.4%
    assert got[("CHN", "CA5")]["exports_pct_of_turnover"] == pytest.approx(
        64200 / (64200 + 30650) * 100
    )
    assert got[("CHN", "KAZ")]["valuation"] == "exports FOB (CHN), imports CIF (CHN)"
    assert got[("RUS", "KAZ")]["balance_usd_m"] is None  # no split published
    summary = {r["partner"]: r for r in compute.surplus_summary(frame).to_dicts()}
    assert summary["CHN"]["republics_with_surplus"] == ["TKM"]
    assert summary["CHN"]["republics_with_balance"] == 5


def test_balance_partial_coverage_gives_no_percentage() -> None:
    got = keyed(
        compute.balance(load.read_trade(), basis="partner", currency="USD", rates=RATES),
        "partner",
        "area",
    )
    # The EU's region exports: UZB's 4700 and KAZ's 11100 imports; its imports: the EU's own
    # 845 EUR m from UZB (R4001) at 1.0824 and KAZ's 38600 exports; turnover is the region's.
    assert got[("EU27", "CA5")]["balance_usd_m"] == pytest.approx(
        (4700 + 11100) - (845 * 1.0824 + 38600)
    )
    assert got[("EU27", "CA5")]["balance_pct_of_turnover"] is None


def test_balance_cli_filters_and_sort(runner: CliRunner) -> None:
    result = invoke(runner, "balance", "--partner", "CHN", "--sort", "balance_usd_m", "-f", "json")
    rows = json.loads(result.stdout)
    assert [r["area"] for r in rows] == ["CA5", "KGZ", "KAZ", "UZB", "TJK", "TKM"]
    alias = invoke(runner, "surplus", "--partner", "CHN", "--republic", "TKM", "-f", "csv")
    (row,) = csv.DictReader(io.StringIO(alias.stdout))
    assert float(row["balance_usd_m"]) == 1000 - 9600


def test_balance_table_summary_line(runner: CliRunner) -> None:
    result = invoke(runner, "balance", "-f", "table")
    text = " ".join(result.stdout.split())
    assert (
        "In trade with China, surplus held by Turkmenistan; surplus held by China with 4 "
        "republics (of 5 with a balance)"
    ) in text


# ------------------------------------------------------------------------------------- mirror


def test_mirror_kyrgyzstan_china_by_hand() -> None:
    got = keyed(
        compute.mirror(load.read_trade(), currency="USD", rates=RATES), "partner", "area", "flow"
    )
    total = got[("CHN", "KGZ", "total")]
    assert total["partner_reported_usd_m"] == 22710 and total["republic_reported_usd_m"] == 5500
    assert total["gap_usd_m"] == pytest.approx(22710 - 5500)
    assert total["ratio"] == pytest.approx(22710 / 5500)  # 4.1-fold
    assert total["gap_index"] == pytest.approx((22710 - 5500) / (22710 + 5500))
    exports = got[("CHN", "KGZ", "export")]
    # China's 'over 19.9bn' (R4033); Kyrgyzstan's imports derived: 5500 - 2040.
    assert exports["ratio"] == pytest.approx(19900 / (5500 - 2040))  # 5.8-fold
    assert not exports["partner_derived"] and exports["republic_derived"]
    assert ("EU27", "CA5", "total") not in got  # only one side publishes it


def test_mirror_sorted_by_gap_and_no_derived_option() -> None:
    frame = compute.mirror(load.read_trade(), currency="USD", rates=RATES)
    gaps = frame.get_column("gap_usd_m").to_list()
    assert gaps == sorted(gaps, reverse=True)
    assert gaps[0] == pytest.approx(94820 - 60700)  # CHN vs the CERR compilation
    published = compute.mirror(load.read_trade(), currency="USD", rates=RATES,
                               include_derived=False)  # fmt: skip
    assert not published.get_column("partner_derived").any()
    assert not published.get_column("republic_derived").any()


# ------------------------------------------------------------------------------------ sources


def test_sources_filters(runner: CliRunner) -> None:
    result = invoke(
        runner, "sources", "--partner", "CHN", "--republic", "KGZ", "--year", "2024", "-f", "csv"
    )
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    # CHN->KGZ total and import, KGZ->CHN total and export, CHN->KGZ export (R4033, added last).
    assert [r["line"] for r in rows] == ["6", "7", "18", "19", "54"]
    assert all(r["source_url"].startswith("http") for r in rows)
    by_reporter = invoke(runner, "sources", "--reporter", "EU27", "--year", "2024", "-f", "json")
    # The summit's region total, and EU imports from UZB restated by the GSP Hub (R4001).
    row, added = json.loads(by_reporter.stdout)
    assert row["value_millions"] == 54000 and row["currency"] == "EUR"
    assert (added["partner"], added["flow"], added["value_millions"]) == ("UZB", "import", 845)


@pytest.mark.parametrize("command", ["compare", "shares", "balance", "mirror", "sources"])
@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json"])
def test_every_command_every_format(runner: CliRunner, command: str, fmt: str) -> None:
    result = invoke(runner, command, "--format", fmt)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip()
    assert result.stderr == ""
