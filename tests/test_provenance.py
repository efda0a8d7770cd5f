"""Never say more than the sources say: each case of issue 16, worked out by hand.

The bundled rows used are quoted beside each test (data/trade_2023.csv, data/trade_2024.csv);
the bound cases use the small named fixture tests/data/provenance/bounds.csv.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from ca_trade import compute, figures, load, schema
from ca_trade.cli import app

DATA = Path(__file__).parent / "data" / "provenance"
BOUNDS = DATA / "bounds.csv"
RATES = {2023: 1.0813, 2024: 1.0824}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def run(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code in (0, 1), result.stderr
    return result.stdout


def as_json(runner: CliRunner, *args: str) -> list[dict]:
    return json.loads(run(runner, *args, "--format", "json"))


# ------------------------------------------------------------------ shares never leave 0-100


def test_kyrgyzstan_china_2023_is_not_a_share(runner: CliRunner) -> None:
    rows = {(r["area"], r["partner"]): r for r in as_json(runner, "shares", "--year", "2023")}
    china = rows[("KGZ", "CHN")]
    # China's customs: 19,800 with Kyrgyzstan; Kyrgyzstan's own world total: 15,660.
    # 19800 / 15660 = 126.4%: not a share, so no value, and the reason.
    assert 19800 / 15660 > 1
    assert china["trade_share_pct"] is None
    assert china["trade_usd_m"] == 19800 and china["world_trade_usd_m"] == 15660
    assert china["trade_missing_reason"] == (
        "not meaningful: China's figure (19800.0 m) exceeds Kyrgyzstan's own world total "
        "(15660.0 m)"
    )
    # and no rest of world computed from it (15660 - 19800 - ... would be negative)
    assert rows[("KGZ", "ROW")]["trade_share_pct"] is None
    assert "not meaningful" in rows[("KGZ", "ROW")]["trade_missing_reason"]


@pytest.mark.parametrize("year", ["2023", "2024"])
@pytest.mark.parametrize("rule", ["partner", "republic"])
def test_no_share_outside_0_to_100_in_any_format(runner: CliRunner, year: str, rule: str) -> None:
    args = ("shares", "--year", year, "--basis", rule)
    from_json = as_json(runner, *args)
    from_csv = list(csv.DictReader(io.StringIO(run(runner, *args, "--format", "csv"))))
    for measure in ("trade", "imports", "exports"):
        column = f"{measure}_share_pct"
        for j, c in zip(from_json, from_csv, strict=True):
            if j[column] is not None:
                assert 0 <= j[column] <= 100
                assert float(c[column]) == j[column]
            else:
                assert c[column] == ""
                assert j[f"{measure}_missing_reason"] or j[f"world_{measure}_usd_m"] is None


def test_kyrgyzstan_exports_share_carries_the_denominators_unstated_basis(
    runner: CliRunner,
) -> None:
    # Kyrgyzstan's world exports 2024 (3,800) are an unstated statement (data/trade_2024.csv),
    # so every export share of Kyrgyzstan is only as good as that: basis unstated, marked †.
    with load.bundled_data_path().open(encoding="utf-8") as handle:
        world = next(
            r
            for r in csv.DictReader(handle)
            if (r["reporter"], r["partner"], r["flow"]) == ("KGZ", "WLD", "export")
        )
    assert world["basis"] == "unstated"
    rows = {(r["area"], r["partner"]): r for r in as_json(runner, "shares")}
    china = rows[("KGZ", "CHN")]
    assert china["exports_basis"] == "unstated"
    assert china["exports_share_pct"] == pytest.approx(2040 / 3800 * 100)  # KGZ's own figure
    table = run(runner, "shares", "--format", "md")
    kyrgyz_china = next(
        line for line in table.splitlines() if "| Kyrgyzstan | China |" in line.replace("  ", " ")
    )
    assert "53.7%" in kyrgyz_china and "†" in kyrgyz_china.split("53.7%")[1][:3]


# ------------------------------------------------------------------ one reporter, one answer


def test_china_region_2023_is_one_answer(runner: CliRunner) -> None:
    result = runner.invoke(app, ["check", str(DATA / "china_region_2023.toml"), "--format", "json"])
    rows = [r for r in json.loads(result.stdout) if r["claim_id"] == "region"]
    # China's customs publish 89,400 for the region; their five country totals sum to
    # 41000 + 19800 + 3926 + 10600 + 14000 = 89326. The published total is canonical on both
    # rules (the republics publish no full set for 2023): one row, one verdict.
    assert len(rows) == 1
    (row,) = rows
    assert row["basis_rule"] == "partner,republic"
    assert row["computed_value"] == 89400
    assert row["verdict"] == "holds"  # |89400 - 89400| <= 50
    frame = compute.compare(
        load.read_trade(Path("data/trade_2023.csv")),
        basis="partner",
        currency="USD",
        rates=RATES,
        year=2023,
    )
    china = frame.filter(pl.col("partner") == "CHN").row(0, named=True)
    assert china["turnover_alternative_value"] == 41000 + 19800 + 3926 + 10600 + 14000


def test_depends_on_basis_only_when_the_reporters_differ(runner: CliRunner) -> None:
    rows = as_json(runner, "check")
    by_claim: dict[str, list[dict]] = {}
    for row in rows:
        by_claim.setdefault(row["claim_id"], []).append(row)
    for claim_rows in by_claim.values():
        if claim_rows[0]["verdict"] == "depends on basis":
            reporters = {r["reporters"] for r in claim_rows if r["result"] in ("holds", "fails")}
            assert len(reporters) > 1, claim_rows[0]["claim_id"]


# ------------------------------------------------------------------ bounds


def test_a_claim_restating_the_datas_bound_is_never_refuted(runner: CliRunner) -> None:
    result = runner.invoke(
        app,
        ["check", str(DATA / "bound_claims.toml"), "--data", str(BOUNDS), "--format", "json"],
    )
    verdicts = {
        r["claim_id"]: (r["verdict"], r["verdict_detail"]) for r in json.loads(result.stdout)
    }
    # "exceeded $44bn" in the data: "> 44bn" holds (the source says so), "≈ 44bn ± 5%" may or
    # may not hold (anything above 44bn is allowed, 46.2bn and more too), "< 40bn" fails
    # (nothing allowed is below 44bn).
    assert verdicts["restates"][0] == "holds"
    assert verdicts["about"][0] == "not decidable"
    assert "more than 44,000.00" in verdicts["about"][1]
    assert verdicts["below"][0] == "fails"
    # a growth between two lower bounds (44000 -> 45000) could be anything
    assert verdicts["growth"][0] == "not decidable"


def test_growth_of_two_bounds_is_not_a_figure() -> None:
    trade = load.read_trade(BOUNDS)
    frame = compute.growth(trade, basis="partner", currency="USD", rates=RATES)
    russia = frame.filter(
        (pl.col("partner") == "RUS") & (pl.col("area") == "CA5") & (pl.col("measure") == "turnover")
    ).row(0, named=True)
    # 44000 -> 45000 would be +2.27%, but both ends are 'more than': not a change.
    assert russia["change_pct"] is None and russia["change_usd_m"] is None
    assert russia["change_bound"] == "undecidable"
    assert russia["no_change_reason"].startswith("not decidable")


def test_bounds_travel_into_sums_and_derivations() -> None:
    trade = load.read_trade(BOUNDS)
    got = figures.resolve(trade.filter(pl.col("year") == 2024), "partner", "USD", RATES)
    russia = {
        r["flow"]: r
        for r in got.filter((pl.col("partner") == "RUS") & (pl.col("area") == "CA5")).to_dicts()
    }
    # total 'more than 45000', exports 'about 32300': imports = 45000 - 32300 = 12700, and
    # since the total is only a lower bound, so are the imports (more than 12700).
    assert russia["total"]["bound"] == "lower"
    assert russia["export"]["bound"] == "approx"
    assert russia["import"]["value"] == 45000 - 32300
    assert russia["import"]["derived"] is True and russia["import"]["bound"] == "lower"


def test_bound_marker_in_the_table_and_the_machine_formats(runner: CliRunner) -> None:
    rows = as_json(runner, "compare", "--data", str(BOUNDS))
    russia = next(r for r in rows if r["partner"] == "RUS")
    assert russia["turnover_bound"] == "lower"
    # China 94820 over Russia's 'more than 45000': less than 94820 / 45000 = 2.107
    china = next(r for r in rows if r["partner"] == "CHN")
    assert china["turnover_ratio_to_rus"] == pytest.approx(94820 / 45000)
    assert china["turnover_ratio_to_rus_bound"] == "upper"
    table = run(runner, "compare", "--data", str(BOUNDS), "--format", "md", "--wide")
    assert "≥45.00" in table
    assert "≤2.11×" in table


# ------------------------------------------------------------------ mixed comparisons


def test_compare_kazakhstan_ranks_across_reporters_is_mixed(runner: CliRunner) -> None:
    rows = {r["partner"]: r for r in as_json(runner, "compare", "--republic", "KAZ")}
    # Kazakhstan's own figure for the EU (49700, its foreign ministry, R4003) against China's
    # customs for Kazakhstan (43820): 49700 / 43820 = 1.13, one reporter's figure against
    # another's.
    assert rows["EU27"]["turnover_ratio_to_chn"] == pytest.approx(49700 / 43820)
    assert rows["EU27"]["turnover_ratio_to_chn_mixed"] is True
    assert rows["EU27"]["rank_mixed"] is True
    table = run(runner, "compare", "--republic", "KAZ", "--format", "md", "--wide")
    assert "1.13×◐ China" in table


def test_compare_on_one_republics_own_figures_is_not_mixed(runner: CliRunner) -> None:
    rows = as_json(runner, "compare", "--republic", "KAZ", "--basis", "republic")
    own = {r["partner"] for r in rows if r["turnover_reporter"] == "KAZ"}
    # Kazakhstan's own statistics give its turnover with all three partners (the bundled
    # 2024 rows KAZ-CHN, KAZ-EU27, KAZ-RUS): every ratio between them is one reporter's.
    assert own == set(schema.PARTNERS)
    for row in rows:
        for other in own - {row["partner"]}:
            assert row[f"turnover_ratio_to_{other.lower()}_mixed"] is False
    assert all(row["rank_mixed"] is False for row in rows)


def test_balance_percent_uses_the_same_reporters(runner: CliRunner) -> None:
    rows = {
        r["area"]: r
        for r in csv.DictReader(
            io.StringIO(run(runner, "balance", "--partner", "RUS", "--format", "csv"))
        )
    }
    region = rows["CA5"]
    # The CA5 compilation: Russia's exports 32300, imports 14800 (data/trade_2024.csv), balance
    # 17500, as a share of the same two flows (47100), not of Russia's own turnover (45000).
    assert float(region["balance_usd_m"]) == 32300 - 14800
    assert float(region["balance_pct_of_turnover"]) == pytest.approx(
        (32300 - 14800) / (32300 + 14800) * 100
    )
    assert region["mixed_reporters"] == "false"


def test_tajikistan_first_partner_is_not_a_plain_fail(runner: CliRunner) -> None:
    result = runner.invoke(app, ["check", str(DATA / "china_region_2023.toml"), "--format", "json"])
    rows = [r for r in json.loads(result.stdout) if r["claim_id"] == "tajik-first"]
    # China's customs 3926 against Tajikistan's own figure for Russia 1714.9: mixed; on the
    # republic rule Tajikistan lacks a figure of its own for China.
    assert {r["verdict"] for r in rows} <= {"mixed reporters", "not checkable", "depends on basis"}
    assert rows[0]["verdict"] != "fails"


# ------------------------------------------------------------------ rows that cannot be misread


def test_eu_row_labels_its_partial_cells(runner: CliRunner) -> None:
    rows = {r["partner"]: r for r in as_json(runner, "compare")}
    eu = rows["EU27"]
    # turnover: the EU statement for the region; exports/imports: Kazakhstan's (R4004, R4005)
    # and Uzbekistan's figures only
    assert eu["turnover_partial"] is False
    assert eu["exports_partial"] is True and eu["exports_covers"] == ["KAZ", "UZB"]
    table = run(runner, "compare", "--format", "md")
    eu_line = next(line for line in table.splitlines() if line.startswith("| 2 "))
    assert eu_line.count("KAZ+UZB only") == 3  # exports, imports, balance


# ------------------------------------------------------------------ typed values


def test_an_unknown_currency_or_perspective_raises() -> None:
    trade = load.read_trade()
    # Before, a currency other than "USD" was divided by the EUR rate, and any perspective
    # other than "republic" silently gave the partner's view.
    with pytest.raises(ValueError, match="Currency"):
        compute.balance(trade, basis="partner", currency="usd", rates=RATES)
    with pytest.raises(ValueError, match="Perspective"):
        compute.balance(trade, basis="partner", currency="USD", rates=RATES, perspective="rep")


def test_a_partial_turnover_is_neither_ranked_nor_compared(runner: CliRunner) -> None:
    rows = {r["partner"]: r for r in as_json(runner, "compare", "--year", "2025")}
    # 2025: China's customs give the whole region (106,300); Russia's figure covers only the
    # republics that reported it, so it is shown, marked partial, but not ranked against
    # China's nor divided into it.
    russia, china = rows["RUS"], rows["CHN"]
    assert russia["turnover_partial"] is True and russia["turnover_usd_m"] is not None
    assert russia["rank"] is None and russia["turnover_ratio_to_chn"] is None
    assert china["rank"] == 1 and china["turnover_ratio_to_rus"] is None
    assert (
        china["turnover_ratio_to_rus_bound"] is None
        and china["turnover_ratio_to_rus_mixed"] is None
    )
