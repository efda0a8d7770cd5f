"""Two bundled years (2023 and 2024), several --data files, and the hand arithmetic of
figures_2023.md. Every expected value is worked out here from the data rows, not taken from
the program's output. All values in USD millions.

2023 rows (data/trade_2023.csv), flows from the reporter's side:
  China's customs: KAZ total 41000, export 24700, import 16300; KGZ total 19800, export 19700,
    import 80; TJK total 3926, import 250; TKM total 10600, export 1000, import 9600;
    UZB total 14000 (no split); CA5 total 89400, export 61400, import 28000.
  EU (Eurostat, EUR m): exports to KAZ 12110.101395, KGZ 2733.762752, TJK 325.601931,
    TKM 667.128727, UZB 4354.770465; imports from UZB 780; TKM total 1870.
    EUR -> USD at 1.0813 (ECB 2023 average).
  Republics on the EU: KAZ total 41302.8262113, export 30988.81720587, import 10314.00900543;
    KGZ export 44.690391, import 964.572921; TJK total 401.5; UZB total 5800.
  Republics on Russia: KAZ export 10207.41570534, import 16847.0339314; KGZ export 823.728781,
    import 2182.927174; TJK export 134.7, import 1580; UZB export 3300, import 6600.
    Russia: CA5 total 44000. Nobody reports RUS-TKM.
2024 world totals added: KAZ export 81674.0530439, import 60397.96938396 (sums of the bureau's
  monthly figures, compiled); KGZ export 3800, import 12500 (unstated); TKM export 12000.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from ca_trade import inputs
from conftest import BUNDLED, invoke

ROOT = Path(__file__).resolve().parents[1]
BUNDLED_2023 = ROOT / "data" / "trade_2023.csv"
RATE_2023 = 1.0813
HEADER = "year,reporter,partner,flow,value_millions,currency,basis,source,source_url,note\n"


def run_json(runner: CliRunner, *args: str) -> list[dict]:
    result = invoke(runner, *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return json.loads(result.stdout)


# ----------------------------------------------------------------------- compare --year 2023


def test_compare_2023_china_on_its_customs(runner: CliRunner) -> None:
    rows = {r["partner"]: r for r in run_json(runner, "compare", "--year", "2023")}
    china = rows["CHN"]
    assert china["year"] == 2023
    # China's customs publish the region total (89400); their five country totals sum to
    # 41000 + 19800 + 3926 + 10600 + 14000 = 89326 (figures_2023.md: "sum to 89.326"). One
    # reporter, one answer: the published total, the sum kept as the alternative.
    assert china["turnover_usd_m"] == pytest.approx(89400)
    assert china["turnover_coverage"] == "published region total"
    assert china["turnover_alternative_value"] == pytest.approx(
        41000 + 19800 + 3926 + 10600 + 14000
    )
    # China's exports to UZB are not published by China, so the five do not all come from
    # China's side: the published region totals are used for the flows.
    assert china["exports_usd_m"] == pytest.approx(61400)
    assert china["imports_usd_m"] == pytest.approx(28000)
    assert china["exports_coverage"] == "published region total"
    assert china["balance_usd_m"] == pytest.approx(61400 - 28000)  # 33400
    assert china["rank"] == 1


def test_compare_2023_eu_in_euros_converted_at_the_2023_rate(runner: CliRunner) -> None:
    eu = {r["partner"]: r for r in run_json(runner, "compare", "--year", "2023")}["EU27"]
    # Exports: the EU's own figure for all five, EUR -> USD at 1.0813.
    eu_exports_eur = 12110.101395 + 2733.762752 + 325.601931 + 667.128727 + 4354.770465
    assert eu_exports_eur == pytest.approx(20191.36527)
    assert eu["exports_usd_m"] == pytest.approx(20191.36527 * RATE_2023)  # 21832.92
    assert eu["exports_coverage"] == "5/5 republics"
    # Turnover, partner's side first, each republic:
    #   KAZ: EU gives exports only -> KAZ's total 41302.8262113
    #   KGZ: EU exports only; KGZ's own total is derived: 44.690391 + 964.572921 = 1009.263312
    #   TJK: the EU's derived total (325.601931 exports + 174 imports, R4002) EUR * 1.0813
    #        = 540.2195880 (TJK's own 401.5 is the republic's side)
    #   TKM: the EU's total EUR 1870 -> 1870 * 1.0813 = 2022.031
    #   UZB: the EU's derived total (4354.770465 + 780) EUR * 1.0813 = 5552.2273038045
    turnover = 41302.8262113 + (44.690391 + 964.572921) + (325.601931 + 174) * RATE_2023
    turnover += 1870 * RATE_2023
    turnover += (4354.770465 + 780) * RATE_2023
    assert turnover == pytest.approx(50426.5673951)
    assert eu["turnover_usd_m"] == pytest.approx(turnover)
    assert eu["turnover_coverage"] == "5/5 republics, mixed reporters"
    assert eu["turnover_derived"] is True
    # Imports (the republics' exports to the EU): KAZ 30988.81720587, KGZ 44.690391,
    # TKM derived from the EU's figures (1870 - 667.128727) EUR, UZB EUR 780, TJK EUR 174 (R4002).
    imports = 30988.81720587 + 44.690391 + (1870 - 667.128727) * RATE_2023 + 780 * RATE_2023
    assert imports == pytest.approx(33177.5863043649)
    imports += 174 * RATE_2023  # 188.1462
    assert imports == pytest.approx(33365.7325043649)
    assert eu["imports_usd_m"] == pytest.approx(imports)
    assert eu["imports_coverage"] == "5/5 republics, mixed reporters"
    assert eu["balance_usd_m"] == pytest.approx(20191.36527 * RATE_2023 - imports)  # -11344.66
    assert eu["turnover_fx_rate"] == pytest.approx(RATE_2023)


def test_compare_2023_russia(runner: CliRunner) -> None:
    rows = {r["partner"]: r for r in run_json(runner, "compare", "--year", "2023")}
    russia = rows["RUS"]
    assert russia["turnover_usd_m"] == pytest.approx(44000)  # Russia's "exceeded $44bn"
    assert russia["turnover_reporter"] == "RUS"
    # Russia's exports = the republics' imports from Russia (no RUS-TKM figure at all).
    assert russia["exports_usd_m"] == pytest.approx(
        16847.0339314 + 2182.927174 + 1580 + 6600
    )  # 27209.96
    assert russia["imports_usd_m"] == pytest.approx(
        10207.41570534 + 823.728781 + 134.7 + 3300
    )  # 14465.84
    assert russia["exports_coverage"] == "4/5: partial (has KAZ, KGZ, TJK, UZB)"
    assert russia["balance_usd_m"] == pytest.approx(27209.9611054 - 14465.84448634)  # 12744.12
    # Ranks: China 89400 > EU 50426.57 > Russia 44000.
    assert [rows[p]["rank"] for p in ("CHN", "EU27", "RUS")] == [1, 2, 3]
    assert rows["CHN"]["turnover_ratio_to_eu27"] == pytest.approx(89400 / 50426.5673951)  # 1.77
    assert rows["CHN"]["turnover_ratio_to_rus"] == pytest.approx(89400 / 44000)  # 2.03


def test_compare_2023_kazakhstan_on_its_own_statistics(runner: CliRunner) -> None:
    rows = run_json(runner, "compare", "--year", "2023", "--republic", "KAZ", "--basis", "republic")
    by = {r["partner"]: r for r in rows}
    assert by["CHN"]["turnover_usd_m"] == pytest.approx(31500)  # compiled digest
    assert by["CHN"]["turnover_basis"] == "compiled"
    assert by["RUS"]["turnover_usd_m"] == pytest.approx(27054.44963674)
    assert by["EU27"]["turnover_usd_m"] == pytest.approx(41302.8262113)
    # Russia's balance with KAZ, Russia's side of the flows: 16847.03 - 10207.42
    assert by["RUS"]["balance_usd_m"] == pytest.approx(16847.0339314 - 10207.41570534)


def test_default_year_is_the_latest(runner: CliRunner) -> None:
    rows = run_json(runner, "compare")
    assert {r["year"] for r in rows} == {2024}
    assert {r["partner"]: r["turnover_usd_m"] for r in rows}["CHN"] == pytest.approx(94820)


def test_a_year_not_in_the_data_is_a_usage_error(runner: CliRunner) -> None:
    result = invoke(runner, "compare", "--year", "2014")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "--year 2014 is not in the data" in result.stderr
    assert "2015, 2016, 2017, 2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025" in result.stderr


# ----------------------------------------------------------------------- shares --year 2024


def test_shares_2024_kazakhstan_on_its_own_figures(runner: CliRunner) -> None:
    rows = run_json(runner, "shares", "--year", "2024")
    kaz = {r["partner"]: r for r in rows if r["area"] == "KAZ"}
    world = 81674.0530439 + 60397.96938396  # derived turnover: 142072.02
    assert world == pytest.approx(142072.02, abs=0.005)
    assert kaz["CHN"]["world_trade_usd_m"] == pytest.approx(world)
    assert kaz["CHN"]["trade_share_pct"] == pytest.approx(30100 / world * 100)
    assert round(30100 / 142072.02 * 100, 2) == 21.19
    assert round(kaz["CHN"]["trade_share_pct"], 2) == 21.19
    assert round(kaz["RUS"]["trade_share_pct"], 2) == round(28000 / 142072.02 * 100, 2) == 19.71
    # The EU: Kazakhstan's foreign ministry's 49700 (R4003; Tokayev's 'neared 50000' is in note).
    assert round(kaz["EU27"]["trade_share_pct"], 2) == round(49700 / 142072.02 * 100, 2) == 34.98
    # Kazakhstan's exports and imports shares have their own world figures now:
    # China's exports to KAZ on KAZ's statistics 15300 / 60397.97 KAZ imports.
    assert kaz["CHN"]["imports_share_pct"] == pytest.approx(15300 / 60397.96938396 * 100)
    assert kaz["CHN"]["trade_mixed"] is False


def test_shares_2024_kyrgyzstan_and_turkmenistan(runner: CliRunner) -> None:
    rows = run_json(runner, "shares", "--year", "2024")
    kgz = {r["partner"]: r for r in rows if r["area"] == "KGZ"}
    # KGZ's world turnover is derived from the unstated 3800 + 12500.
    assert kgz["CHN"]["world_trade_usd_m"] == pytest.approx(3800 + 12500)
    assert kgz["CHN"]["trade_share_pct"] == pytest.approx(5500 / 16300 * 100)  # 33.74
    tkm = {r["partner"]: r for r in rows if r["area"] == "TKM"}
    # Turkmenistan's exports are known (12000), its imports are not: no turnover, no shares
    # of imports, each with its reason.
    assert tkm["CHN"]["world_exports_usd_m"] == pytest.approx(12000)
    assert tkm["CHN"]["trade_share_pct"] is None
    assert tkm["CHN"]["trade_missing_reason"] == "no world total (total) for TKM"
    assert tkm["CHN"]["imports_missing_reason"] == "no world total (import) for TKM"


# --------------------------------------------------------------- still missing for 2024


def test_still_missing_in_2024_show_as_missing_with_reasons(runner: CliRunner) -> None:
    for republic in ("KAZ", "KGZ", "TJK", "TKM", "UZB"):
        rows = run_json(runner, "compare", "--republic", republic, "--basis", "partner")
        by = {r["partner"]: r for r in rows}
        eu, russia = by["EU27"], by["RUS"]
        # The EU's own (Eurostat) figures by republic: no EU27-reported figure for any flow.
        # The one exception: EU imports from UZB, 845 EUR m, restated by the EU's GSP Hub (R4001).
        for measure in ("turnover", "exports", "imports"):
            if (republic, measure) != ("UZB", "imports"):
                assert eu[f"{measure}_reporter"] != "EU27", (republic, measure)
        # Russia's exports/imports split by republic: missing on both sides, with a reason.
        for measure in ("exports", "imports"):
            assert russia[f"{measure}_usd_m"] is None, (republic, measure)
            assert "published by neither side" in russia[f"{measure}_missing_reason"]
            # Only UZB (Uzbek data) and KAZ (its foreign ministry, R4004/R4005) have the split.
            assert eu[f"{measure}_usd_m"] is None or republic in ("UZB", "KAZ"), (republic, measure)
    tkm = {r["partner"]: r for r in run_json(runner, "compare", "--republic", "TKM")}
    # Russia-Turkmenistan in any form.
    assert tkm["RUS"]["turnover_usd_m"] is None
    assert tkm["RUS"]["turnover_missing_reason"] == (
        "RUS turnover with TKM: published by neither side and not derivable from one side's figures"
    )


def test_turkmenistans_world_imports_are_missing(runner: CliRunner) -> None:
    rows = run_json(runner, "sources", "--year", "2024", "--reporter", "TKM")
    assert {(r["partner"], r["flow"]) for r in rows} == {("CHN", "total"), ("WLD", "export")}


# ------------------------------------------------------------------- several data files


def test_by_default_every_bundled_file_is_read_and_named(runner: CliRunner) -> None:
    rows = run_json(runner, "sources")
    years = range(2015, 2026)
    assert {r["file"] for r in rows} == {f"trade_{y}.csv (bundled)" for y in years}
    counted = sum(
        len((ROOT / "data" / f"trade_{y}.csv").read_text(encoding="utf-8").splitlines()) - 1
        for y in years
    )
    assert len(rows) == counted
    first_2024 = next(r for r in rows if r["year"] == 2024)
    assert (first_2024["file"], first_2024["line"]) == ("trade_2024.csv (bundled)", 2)
    assert list(rows[0])[:3] == ["file", "line", "year"]


def test_explain_names_the_file_of_each_line(runner: CliRunner) -> None:
    rows = run_json(runner, "compare", "--year", "2023", "--explain")
    china = [r for r in rows if r["partner"] == "CHN" and r["measure"] == "turnover"]
    # Line 2 of trade_2023.csv: China's published region total.
    assert [r["line"] for r in china] == [2]
    assert {r["file"] for r in china} == {"trade_2023.csv (bundled)"}
    assert [r["value_millions"] for r in china] == [89400]
    later = run_json(runner, "compare", "--explain")
    assert {r["file"] for r in later if r["line"] is not None} == {"trade_2024.csv (bundled)"}


def write(path: Path, *rows: str) -> Path:
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


ROW = (
    "{year},{reporter},{partner},{flow},{value},USD,official,Test,https://example.org/{n},ref T{n}"
)


def test_data_given_twice_combines_the_files(runner: CliRunner, tmp_path: Path) -> None:
    a = write(tmp_path / "a.csv", ROW.format(year=2024, reporter="CHN", partner="KAZ",
                                             flow="total", value=100, n=1))  # fmt: skip
    b = write(tmp_path / "b.csv", ROW.format(year=2024, reporter="KAZ", partner="CHN",
                                             flow="total", value=80, n=2))  # fmt: skip
    rows = run_json(runner, "compare", "--republic", "KAZ", "--data", str(a), "--data", str(b))
    china = {r["partner"]: r for r in rows}["CHN"]
    assert china["turnover_usd_m"] == pytest.approx(100)  # China's side first
    mirror = run_json(runner, "mirror", "--data", str(a), "--data", str(b))
    assert [(r["partner_reported_usd_m"], r["republic_reported_usd_m"]) for r in mirror] == [
        (100, 80)
    ]
    cited = run_json(runner, "sources", "--data", str(a), "--data", str(b))
    assert [(Path(r["file"]).name, r["line"]) for r in cited] == [("a.csv", 2), ("b.csv", 2)]


def test_data_given_once_replaces_the_bundled_files(runner: CliRunner, tmp_path: Path) -> None:
    a = write(tmp_path / "a.csv", ROW.format(year=2022, reporter="CHN", partner="KAZ",
                                             flow="total", value=100, n=1))  # fmt: skip
    rows = run_json(runner, "sources", "--data", str(a))
    assert [r["year"] for r in rows] == [2022]


def test_a_key_in_two_files_names_both(runner: CliRunner, tmp_path: Path) -> None:
    a = write(
        tmp_path / "a.csv",
        ROW.format(year=2024, reporter="KAZ", partner="CHN", flow="import", value=1, n=1),
        ROW.format(year=2024, reporter="CHN", partner="KAZ", flow="total", value=100, n=2),
    )
    b = write(
        tmp_path / "b.csv",
        ROW.format(year=2024, reporter="UZB", partner="CHN", flow="total", value=5, n=3),
        ROW.format(year=2024, reporter="KAZ", partner="CHN", flow="export", value=5, n=4),
        ROW.format(year=2024, reporter="CHN", partner="KAZ", flow="total", value=99, n=5),
    )
    result = invoke(runner, "compare", "--data", str(a), "--data", str(b))
    assert result.exit_code == 65
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"ca-trade: error: {b}, line 4, column flow: ")
    assert f"2024 CHN KAZ total repeats the key of {a}, line 3" in line
    assert "Traceback" not in result.stderr


def test_bundled_file_given_with_a_users_file(runner: CliRunner, tmp_path: Path) -> None:
    # A user's 2024 EU figure next to the bundled 2024 file: combined, and its own key.
    mine = write(tmp_path / "mine.csv", ROW.format(year=2024, reporter="EU27", partner="KAZ",
                                                   flow="export", value=1234, n=1))  # fmt: skip
    rows = run_json(runner, "compare", "--republic", "KAZ", "--data", str(BUNDLED),
                    "--data", str(mine))  # fmt: skip
    eu = {r["partner"]: r for r in rows}["EU27"]
    assert eu["exports_usd_m"] == pytest.approx(1234)
    assert eu["exports_reporter"] == "EU27"
    # The same key as a bundled row is refused, naming the bundled file and its line.
    clash = write(tmp_path / "clash.csv", ROW.format(year=2024, reporter="CHN", partner="KAZ",
                                                     flow="total", value=1, n=2))  # fmt: skip
    result = invoke(runner, "compare", "--data", str(BUNDLED), "--data", str(clash))
    assert result.exit_code == 65
    assert f"repeats the key of {BUNDLED}, line 3" in result.stderr  # CHN KAZ total


def test_explain_refuses_to_guess_between_two_files_of_one_year(
    runner: CliRunner, tmp_path: Path
) -> None:
    # Line 2 of both files holds a 2024 row behind the KAZ figures: a line alone cannot say
    # which file it is in, so --explain stops with a usage error instead of citing both.
    a = write(tmp_path / "a.csv", ROW.format(year=2024, reporter="CHN", partner="KAZ",
                                             flow="total", value=100, n=1))  # fmt: skip
    b = write(tmp_path / "b.csv", ROW.format(year=2024, reporter="KAZ", partner="CHN",
                                             flow="total", value=80, n=2))  # fmt: skip
    args = ["compare", "--republic", "KAZ", "--data", str(a), "--data", str(b), "--explain"]
    result = invoke(runner, *args, "--basis", "partner")
    # Only one of the two rows is behind China's figure, but its line 2 exists in both files.
    assert result.exit_code == 2, result.stdout
    assert "--explain cannot tell which file line 2" in result.stderr
    # Without --explain the figures are fine.
    assert invoke(runner, *args[:-1]).exit_code == 0


def test_explain_with_two_files_of_different_years(runner: CliRunner, tmp_path: Path) -> None:
    a = write(tmp_path / "a.csv", ROW.format(year=2023, reporter="CHN", partner="KAZ",
                                             flow="total", value=100, n=1))  # fmt: skip
    b = write(tmp_path / "b.csv", ROW.format(year=2024, reporter="CHN", partner="KAZ",
                                             flow="total", value=80, n=2))  # fmt: skip
    rows = run_json(runner, "compare", "--republic", "KAZ", "--data", str(a), "--data", str(b),
                    "--explain", "--year", "2023")  # fmt: skip
    (china,) = [r for r in rows if r["partner"] == "CHN" and r["measure"] == "turnover"]
    assert (Path(china["file"]).name, china["line"], china["value_millions"]) == ("a.csv", 2, 100)


# ------------------------------------------------------------------------------ read less


def test_rows_outside_ca_trades_codes_are_not_computed_but_are_cited(
    runner: CliRunner, tmp_path: Path
) -> None:
    world = write(
        tmp_path / "world.csv",
        ROW.format(year=2024, reporter="CHN", partner="KAZ", flow="total", value=100, n=1),
        ROW.format(year=2024, reporter="DEU", partner="FRA", flow="total", value=5, n=2),
        ROW.format(year=2024, reporter="USA", partner="KAZ", flow="export", value=7, n=3),
    )
    loaded = inputs.Inputs([world], None)
    assert loaded.trade.get_column("reporter").to_list() == ["CHN"]
    assert loaded.trade.columns[-2:] == ["file", "line"]
    every = inputs.Inputs([world], None, keep_all=True)
    assert every.trade.height == 3
    assert [r["line"] for r in run_json(runner, "sources", "--data", str(world))] == [2, 3, 4]
    compared = run_json(runner, "compare", "--republic", "KAZ", "--data", str(world))
    assert {r["partner"]: r["turnover_usd_m"] for r in compared}["CHN"] == pytest.approx(100)


def test_a_file_with_no_computable_rows_is_a_data_error(runner: CliRunner, tmp_path: Path) -> None:
    other = write(tmp_path / "other.csv", ROW.format(year=2024, reporter="DEU", partner="FRA",
                                                     flow="total", value=5, n=1))  # fmt: skip
    result = invoke(runner, "compare", "--data", str(other))
    assert result.exit_code == 65
    assert "has no rows between ca-trade's countries and areas" in result.stderr
    assert invoke(runner, "sources", "--data", str(other)).exit_code == 0


def test_bundled_files_are_the_checkouts_data() -> None:
    assert inputs.bundled_paths() == [ROOT / "data" / f"trade_{y}.csv" for y in range(2015, 2026)]
    assert BUNDLED_2023 in inputs.bundled_paths() and BUNDLED in inputs.bundled_paths()


def test_the_same_file_given_twice_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    a = write(tmp_path / "a.csv", ROW.format(year=2024, reporter="CHN", partner="KAZ",
                                             flow="total", value=100, n=1))  # fmt: skip
    result = invoke(runner, "compare", "--data", str(a), "--data", str(a))
    assert result.exit_code == 2
    assert (
        result.stderr == f"ca-trade: error: --data {a} is given twice. Try: give each file once\n"
    )


def test_shares_explain_cites_the_kazakh_monthly_sums(runner: CliRunner) -> None:
    rows = run_json(runner, "shares", "--explain")
    cited = {
        (r["file"], r["line"], r["reporter"], r["counterpart"], r["flow"], r["basis"])
        for r in rows
        if r["area"] == "KAZ" and r["partner"] == "CHN" and r["measure"] == "trade"
    }
    # Line 16: KAZ->CHN total 30100; lines 48 and 49: KAZ->WLD export and import (compiled).
    bundled = "trade_2024.csv (bundled)"
    assert cited == {
        (bundled, 16, "KAZ", "CHN", "total", "compiled"),
        (bundled, 48, "KAZ", "WLD", "export", "compiled"),
        (bundled, 49, "KAZ", "WLD", "import", "compiled"),
    }


# ------------------------------------------------------------------------------- property


@settings(max_examples=15, deadline=None)
@given(st.lists(st.booleans(), min_size=57, max_size=57))
def test_splitting_a_file_in_two_changes_no_figure(
    tmp_path_factory: pytest.TempPathFactory, in_first: list[bool]
) -> None:
    """However the 2024 rows are split between two files, the figures are those of one file."""
    import polars as pl
    from polars.testing import assert_frame_equal

    from ca_trade import compute, load

    lines = BUNDLED.read_text(encoding="utf-8").splitlines(keepends=True)
    header, body = lines[0], lines[1:]
    assert len(body) == len(in_first)
    folder = tmp_path_factory.mktemp("split")
    first = [row for row, keep in zip(body, in_first, strict=True) if keep]
    second = [row for row, keep in zip(body, in_first, strict=True) if not keep]
    paths = []
    for name, part in (("first.csv", first), ("second.csv", second)):
        if part:  # a file needs at least one row
            (folder / name).write_text(header + "".join(part), encoding="utf-8")
            paths.append(folder / name)
    split = inputs.Inputs(paths, None)
    whole = inputs.Inputs([BUNDLED], None)
    rates = load.read_rates()
    for basis in ("partner", "republic"):
        a, b = (
            compute.compare(i.trade, basis=basis, currency="USD", rates=rates, year=2024).drop(
                pl.selectors.ends_with("_source_lines")
            )
            for i in (split, whole)
        )
        assert_frame_equal(a, b)
    assert split.trade.height == whole.trade.height
    assert sorted(split.trade.get_column("file").unique().to_list()) == sorted(
        inputs.display_name(p, bundled=False) for p in paths
    )
