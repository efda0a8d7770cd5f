"""ca-trade check: the article's claims against hand calculations from the data rows.

All values in USD millions unless marked. The data rows used (reporter -> partner, flow, value):

China's customs (GACC):
  CHN-KAZ total 43820, export 28000, import 15900
  CHN-KGZ total 22710, import 2800        -> export derived 22710 - 2800 = 19910
  CHN-UZB total 13780, export 11800, import 2000
  CHN-TKM total 10650, export 1000, import 9600
  CHN-TJK total 3860, import 350          -> export derived 3860 - 350 = 3510
  sum of the five: 43820 + 22710 + 13780 + 10650 + 3860 = 94820 (= GACC's CA5 total)
  China's exports to the five: 28000 + 19910 + 11800 + 1000 + 3510 = 64220
  China's imports from the five: 15900 + 2800 + 2000 + 9600 + 350 = 30650
The republics' statistics (flows as seen from China):
  KAZ-CHN total 30100; KAZ imports from CHN 15300 -> KAZ exports to CHN 30100 - 15300 = 14800
  KGZ-CHN total 5500; KGZ exports to CHN 2040   -> KGZ imports from CHN 5500 - 2040 = 3460
  UZB-CHN total 12400; UZB exports to CHN 2050  -> UZB imports from CHN 12400 - 2050 = 10350
  TKM-CHN total 10600 (no split); TJK-CHN total 1960 (no split)
  sum of the five: 30100 + 5500 + 12400 + 10600 + 1960 = 60560
  CA5-CHN compilation (CERR): total 60700, CA5 exports 27100, CA5 imports 33600
  UZB-WLD total 65900, export 26900, import 38900; TJK-WLD total 8900; no other world totals.
Russia: RUS-CA5 total 45000 (Russia's figure); CA5-RUS total 47000 (CERR compilation).
EU: EU27-CA5 total EUR 54000, basis unstated -> 54000 x 1.0824 = 58449.6 (only EU region figure).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ca_trade import claims, load
from ca_trade.errors import DataError, InputError
from ca_trade.inputs import Inputs
from conftest import BUNDLED, DATA, invoke

RATES = {2023: 1.0813, 2024: 1.0824}
CLAIMS = DATA / "claims"


@pytest.fixture(scope="module")
def article() -> dict[str, list[dict]]:
    """The built-in claims evaluated on the bundled data (both years): claim id -> its rows."""
    frame = claims.evaluate(
        claims.read_claims(None),
        Inputs(None, None, all_years=True).trade,
        currency="USD",
        rates=RATES,
        year=2024,
    )
    out: dict[str, list[dict]] = {}
    for row in frame.to_dicts():
        out.setdefault(row["claim_id"], []).append(row)
    return out


def keys(rows: list[dict]) -> list[str]:
    """Each row's statistics; for mixed rows also the rule when both rules mix."""
    mixed = sum(1 for row in rows if row["statistics"] == "mixed")
    return [
        f"mixed ({row['basis_rule']})" if row["statistics"] == "mixed" and mixed > 1 else
        row["statistics"]
        for row in rows
    ]  # fmt: skip


def by_basis(rows: list[dict]) -> dict[str, float | None]:
    return {k: row["computed_value"] for k, row in zip(keys(rows), rows, strict=True)}


def results(rows: list[dict]) -> dict[str, str]:
    return {k: row["result"] for k, row in zip(keys(rows), rows, strict=True)}


def verdict(rows: list[dict]) -> str:
    (value,) = {row["verdict"] for row in rows}
    return value


# ------------------------------------------------------------------ the article, by hand


def test_every_claim_of_the_article_is_there(article: dict[str, list[dict]]) -> None:
    expected = "1 2a 2b 2c 3a 3b 3c 3d 4 4b 5 6a 6b 7a 7b 7c 7d 8a 8b 8c 9 10a 10b 10c".split()
    expected += "11a 11b 11c 11d 11e 12".split()
    assert list(article) == expected


def test_claim_1_china_ca5_about_95bn(article: dict[str, list[dict]]) -> None:
    rows = article["1"]
    assert by_basis(rows) == {
        "partner": pytest.approx(94820),  # China's published total (= its five country totals)
        "republic": pytest.approx(30100 + 5500 + 12400 + 10600 + 1960),  # 60560
    }
    # ≈ 95000 ± 5% = ± 4750: |94820 - 95000| = 180 holds; |60560 - 95000| = 34440 fails
    assert rows[0]["tolerance_value"] == pytest.approx(95000 * 0.05)
    assert results(rows) == {"partner": "holds", "republic": "fails"}
    assert verdict(rows) == "depends on basis"
    assert rows[0]["verdict_detail"] == "holds on partner; fails on republic"


def test_claim_2_china_a_third_above_the_eu_which_is_second(
    article: dict[str, list[dict]],
) -> None:
    eu = 54000 * 1.0824  # 58449.6
    # 2a: partners' statistics 94820 / 58449.6 = 1.622 > 1.3333 holds; on the republic rule the
    # China figure is the republics' 60560 but the EU's is still its own statement: mixed,
    # 60560 / 58449.6 = 1.036 fails.
    rows = article["2a"]
    # China's figure against the EU's is one reporter's against another's on either rule:
    # 94820 / 58449.6 = 1.622 > 1.3333 holds (China's customs ÷ the EU's statement); the
    # republics' 60560 / 58449.6 = 1.036 fails. Only mixed statistics decide it.
    assert by_basis(rows) == {
        "mixed (partner)": pytest.approx(94820 / eu),
        "mixed (republic)": pytest.approx(60560 / eu),
    }
    assert results(rows) == {"mixed (partner)": "holds", "mixed (republic)": "fails"}
    assert verdict(rows) == "mixed reporters"
    # 2b: the EU's trade ≈ 60000 ± 3000: |58449.6 - 60000| = 1550.4 holds, the same EU figure
    # under both rules (shown once).
    rows = article["2b"]
    assert len(rows) == 1 and rows[0]["basis_rule"] == "partner,republic"
    assert rows[0]["computed_value"] == pytest.approx(eu)
    assert verdict(rows) == "holds"
    # 2c: EU second: 94820 > 58449.6 > 45000 (three reporters); 60560 > 58449.6 > 47000: a rank
    # across reporters is mixed on both rules.
    assert by_basis(article["2c"]) == {"mixed (partner)": 2, "mixed (republic)": 2}
    assert verdict(article["2c"]) == "mixed reporters"


def test_claim_3_china_double_russia_which_is_44bn_and_third(
    article: dict[str, list[dict]],
) -> None:
    # 3a: 94820 / 45000 = 2.107, but Russia's figure is 'more than $45bn' (bound lower, F067):
    # the ratio is at most 2.107, so > 2 is not decidable; 60560 / 47000 = 1.289 fails: each
    # one reporter's figure against another's
    rows = article["3a"]
    assert by_basis(rows) == {
        "mixed (partner)": pytest.approx(94820 / 45000),
        "mixed (republic)": pytest.approx(60560 / 47000),
    }
    assert results(rows) == {"mixed (partner)": "not decidable", "mixed (republic)": "fails"}
    assert verdict(rows) == "mixed reporters"
    # 3b: ≈ 44000 ± 2200: Russia's 'more than 45000' may be anywhere above 45000, so it is
    # not decidable; |47000 - 44000| = 3000 fails
    rows = article["3b"]
    assert by_basis(rows) == {"partner": 45000, "republic": 47000}
    assert results(rows) == {"partner": "not decidable", "republic": "fails"}
    assert verdict(rows) == "fails"
    # 3c: Russia third: 47000 < 58449.6 < 60560 holds on the republic rule (mixed); on the
    # partner rule 'more than 45000' might pass the EU or China: not decidable
    assert by_basis(article["3c"])["mixed (republic)"] == 3
    assert results(article["3c"]) == {
        "mixed (partner)": "not decidable",
        "mixed (republic)": "holds",
    }
    assert verdict(article["3c"]) == "mixed reporters"


def test_claim_4_kazakhstan_china_over_44bn_fails(article: dict[str, list[dict]]) -> None:
    rows = article["4"]
    # 43820 > 44000 is false (China's customs); 30100 > 44000 is false (Kazakhstan's)
    assert by_basis(rows) == {"partner": 43820, "republic": 30100}
    assert verdict(rows) == "fails"


def test_claim_5_kazakhstan_china_above_russia_with_all_five_fails(
    article: dict[str, list[dict]],
) -> None:
    rows = article["5"]
    values = {
        k: (r["computed_value"], r["than_value"]) for k, r in zip(keys(rows), rows, strict=True)
    }
    # 43820 > 45000 false (China's customs against Russia's officials); 30100 > 47000 false
    # (Kazakhstan's against the CA5 compilation): only mixed figures.
    assert values == {"mixed (partner)": (43820, 45000), "mixed (republic)": (30100, 47000)}
    assert verdict(rows) == "mixed reporters"


def test_claim_6_kazakhstan_leads_and_china_leads(article: dict[str, list[dict]]) -> None:
    # 6a: KAZ first: 43820 > 22710, 13780, 10650, 3860; 30100 > 12400, 10600, 5500, 1960
    assert by_basis(article["6a"]) == {"partner": 1, "republic": 1}
    assert verdict(article["6a"]) == "holds"
    # 6b: China first among partners: 94820 > 58449.6 > 45000; 60560 > 58449.6 > 47000,
    # each across reporters
    assert by_basis(article["6b"]) == {"mixed (partner)": 1, "mixed (republic)": 1}
    assert verdict(article["6b"]) == "mixed reporters"


def test_claim_7_uzbekistan_second_at_13_7bn(article: dict[str, list[dict]]) -> None:
    # 7a: China's customs rank Kyrgyzstan (22710) above Uzbekistan (13780): UZB third, fails;
    # the republics' own figures rank Uzbekistan (12400) above Turkmenistan (10600) and
    # Kyrgyzstan (5500), below only Kazakhstan (30100): second, holds.
    rows = article["7a"]
    assert by_basis(rows) == {"partner": 3, "republic": 2}
    assert results(rows) == {"partner": "fails", "republic": "holds"}
    assert verdict(rows) == "depends on basis"
    # 7b: ≈ 13700 ± 685: |13780 - 13700| = 80 holds; |12400 - 13700| = 1300 fails.
    # So the rank holds only on the republics' figures and the value only on China's.
    rows = article["7b"]
    assert by_basis(rows) == {"partner": 13780, "republic": 12400}
    assert results(rows) == {"partner": "holds", "republic": "fails"}
    # 7c: "tens of billions" less: 43820 - 13780 = 30040 >= 20000; 30100 - 12400 = 17700 < 20000
    rows = article["7c"]
    assert by_basis(rows) == {"partner": 43820 - 13780, "republic": 30100 - 12400}
    assert verdict(rows) == "depends on basis"


def test_claim_8_china_shares_of_uzbekistan(article: dict[str, list[dict]]) -> None:
    # Uzbek statistics over Uzbek world totals (republic) vs China's customs over Uzbek world
    # totals (mixed); tolerance ± 0.5 percentage points.
    # The verdict rests on the like-for-like (republic) share; the mixed one is a note.
    rows = article["8a"]  # 18.9% of trade
    assert by_basis(rows) == {
        "republic": pytest.approx(12400 / 65900 * 100),  # 18.816: holds
        "mixed": pytest.approx(13780 / 65900 * 100),  # 20.910: fails
    }
    assert results(rows) == {"republic": "holds", "mixed": "fails"}
    assert verdict(rows) == "holds"
    rows = article["8b"]  # 26.8% of imports
    assert by_basis(rows) == {
        "republic": pytest.approx((12400 - 2050) / 38900 * 100),  # 26.607: holds
        "mixed": pytest.approx(11800 / 38900 * 100),  # 30.334: fails
    }
    assert verdict(rows) == "holds"
    assert "fails on mixed statistics" in rows[0]["verdict_detail"]
    rows = article["8c"]  # 7.6% of exports
    assert by_basis(rows) == {
        "republic": pytest.approx(2050 / 26900 * 100),  # 7.621: holds
        "mixed": pytest.approx(2000 / 26900 * 100),  # 7.435: holds (0.165 off)
    }
    assert verdict(rows) == "holds"


KAZ_WORLD_2024 = 81674.0530439 + 60397.96938396  # the bureau's monthly sums, derived total
FOUR_WORLD_2024 = KAZ_WORLD_2024 + (3800 + 12500) + 8900 + 65900  # KAZ, KGZ, TJK, UZB
THREE_WORLD_2024 = KAZ_WORLD_2024 + 8900 + 65900  # KAZ, TJK, UZB


def test_claim_9_china_share_of_the_region_gets_the_four_republics(
    article: dict[str, list[dict]],
) -> None:
    rows = article["9"]
    # World totals for 2024: KAZ 81674.05 + 60397.97 = 142072.02 (compiled), KGZ 3800 + 12500
    # = 16300 (unstated), TJK 8900, UZB 65900; Turkmenistan has exports only (12000), so its
    # total trade, and the region's, is unknown: the claim is still not checkable on all five.
    assert verdict(rows) == "not checkable"
    assert {r["result"] for r in rows} == {"not checkable"}
    # ... but the partial figure is there, with its coverage: the republics' own figures
    # (30100 + 5500 + 1960 + 12400) = 49960 / 233172.02 = 21.43%; China's customs
    # for Kyrgyzstan (22710) exceed Kyrgyzstan's own world total (16300), which is no share,
    # so China's is over three republics: (43820 + 3860 + 13780) = 61460 / 216872.02 = 28.34%
    assert 22710 > 3800 + 12500
    assert by_basis(rows) == {
        "republic": pytest.approx((30100 + 5500 + 1960 + 12400) / FOUR_WORLD_2024 * 100),
        "mixed": pytest.approx((43820 + 3860 + 13780) / THREE_WORLD_2024 * 100),
    }
    coverage = dict(zip(keys(rows), (row["coverage"] for row in rows), strict=True))
    assert "4/5 republics with both figures (KAZ, KGZ, TJK, UZB)" in coverage["republic"]
    assert "3/5 republics with both figures (KAZ, TJK, UZB)" in coverage["mixed"]
    detail = rows[0]["verdict_detail"]
    assert "no world total (total) for TKM" in detail
    assert "exceeds Kyrgyzstan's own world total" in detail
    assert "on the part covered: 28.34% on mixed, 21.43% on republic" in detail


def test_claim_3d_russia_stagnation(article: dict[str, list[dict]]) -> None:
    rows = article["3d"]
    # Russia's statements: 'exceeded $44bn' -> 'more than $45bn' (F072, F067: both lower
    # bounds): the change between two lower bounds can be anything, so not decidable.
    # With the republics first, 2024 is the republics' compilation (47000) but 2023 has no
    # region figure from the republics (4/5): Russia's 44000 against CA5's 47000 is not a change.
    assert by_basis(rows) == {"partner": None, "mixed": None}
    assert results(rows) == {"partner": "not decidable", "mixed": "not checkable"}
    assert verdict(rows) == "not decidable"
    assert (
        "computed from bounds that leave it open either way (RUS officials 2023: lower; "
        in (rows[0]["verdict_detail"])
    )
    mixed = next(r for r in rows if r["statistics"] == "mixed")
    assert (
        "2023 from RUS officials, 2024 from the republics' compilation (CA5)"
        in mixed["computed_missing_reason"]
    )
    assert rows[0]["test"] == "|growth of RUS–CA5 turnover 2023→2024| < 3%"


def test_claim_4b_steady_growth_depends_on_basis(article: dict[str, list[dict]]) -> None:
    rows = article["4b"]
    # China's customs 41000 -> 43820: +2820 / 41000 = +6.88% > 0 holds;
    # Kazakhstan's figures 31500 -> 30100: -1400 / 31500 = -4.44% fails.
    assert by_basis(rows) == {
        "partner": pytest.approx((43820 - 41000) / 41000 * 100),
        "republic": pytest.approx((30100 - 31500) / 31500 * 100),
    }
    assert verdict(rows) == "depends on basis"
    assert {r["unit"] for r in rows} == {"pct"}


def test_claim_7d_minor_dip_depends_on_basis(article: dict[str, list[dict]]) -> None:
    rows = article["7d"]
    # China's customs 14000 -> 13780: -220 / 14000 = -1.57%, inside (-5%, 0): holds;
    # Uzbekistan's figures 13700 -> 12400: -1300 / 13700 = -9.49%, more than a minor dip: fails.
    assert by_basis(rows) == {
        "partner": pytest.approx((13780 - 14000) / 14000 * 100),
        "republic": pytest.approx((12400 - 13700) / 13700 * 100),
    }
    assert results(rows) == {"partner": "holds", "republic": "fails"}
    assert verdict(rows) == "depends on basis"
    assert {(r["op"], r["claimed_value"], r["claimed_upper_value"]) for r in rows} == {
        ("between", -5, 0)
    }


def test_claim_10_surplus_readings(article: dict[str, list[dict]]) -> None:
    # 10a: China's surplus: 64200 - 30650 = 33550 > 0 (China's exports to KGZ and TJK published
    # since: R4033, R4034); republics' (CERR): 33600 - 27100 = 6500 > 0
    assert by_basis(article["10a"]) == {"partner": 33550, "republic": 6500}
    assert verdict(article["10a"]) == "holds"
    # 10b: surplus / turnover ≈ 70% ± 3.5: 33550 / 94820 = 35.4% fails (China's customs);
    # on the republic rule the CA5 compilation's 6500 over the republics' 60560 mixes reporters
    rows = article["10b"]
    assert by_basis(rows) == {
        "partner": pytest.approx(33550 / 94820 * 100),
        "mixed": pytest.approx(6500 / 60560 * 100),
    }
    assert verdict(rows) == "fails"
    # 10c: China's exports / turnover: 64200 / 94820 = 67.7% holds; 33600 / 60560 = 55.5%
    # fails but mixes the CA5 compilation with the republics' own: a note, not a verdict
    rows = article["10c"]
    assert by_basis(rows) == {
        "partner": pytest.approx(64200 / 94820 * 100),
        "mixed": pytest.approx(33600 / 60560 * 100),
    }
    assert results(rows) == {"partner": "holds", "mixed": "fails"}
    assert verdict(rows) == "holds"


def test_claim_11_turkmenistan_only_surplus_with_china(article: dict[str, list[dict]]) -> None:
    # Republic's balance = its exports to China - its imports from China.
    # TKM: 9600 - 1000 = 8600 > 0; Turkmenistan publishes only a total, so the republic rule
    # falls back to China's customs: one row. China's exports are 'just over $1bn' (F012, a
    # lower bound), so the balance is at most 8600: > 0 is not decidable from the data.
    assert by_basis(article["11a"]) == {"partner": 8600}
    assert verdict(article["11a"]) == "not decidable"
    assert by_basis(article["11b"]) == {"partner": 15900 - 28000, "republic": 14800 - 15300}
    assert by_basis(article["11c"]) == {"partner": 2800 - 19900, "republic": 2040 - 3460}
    assert by_basis(article["11d"]) == {"partner": 350 - 3500}  # Tajikistan: total only
    assert by_basis(article["11e"]) == {"partner": 2000 - 11800, "republic": 2050 - 10350}
    for claim_id in ("11b", "11c", "11d", "11e"):
        assert verdict(article[claim_id]) == "holds", claim_id


def test_claim_12_gas_is_not_checkable(article: dict[str, list[dict]]) -> None:
    rows = article["12"]
    assert verdict(rows) == "not checkable"
    assert "no product data" in rows[0]["verdict_detail"]
    assert "natural gas" in rows[0]["verdict_detail"]
    # Turkmenistan's 2024 exports are now known (12000): China's imports 9600 / 12000 = 80% of
    # all its exports, shown but not tested, since the claim is about gas alone.
    assert by_basis(rows) == {"mixed": pytest.approx(9600 / 12000 * 100)}
    assert "on the part covered" not in rows[0]["verdict_detail"]


# ------------------------------------------------------------------ the command


def test_check_builtin_exits_1_and_prints_every_claim(runner: CliRunner) -> None:
    result = invoke(runner, "check", "-f", "csv")
    assert result.exit_code == 1
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {r["claim_id"] for r in rows} >= {"1", "7a", "12"}
    assert result.stderr == ""


def test_csv_and_json_carry_the_same_numbers(runner: CliRunner) -> None:
    as_csv = list(csv.DictReader(io.StringIO(invoke(runner, "check", "-f", "csv").stdout)))
    as_json = json.loads(invoke(runner, "check", "-f", "json").stdout)
    assert len(as_csv) == len(as_json)
    for c, j in zip(as_csv, as_json, strict=True):
        assert list(c) == list(j)
        for name in ("claimed_value", "computed_value", "than_value", "tolerance_value"):
            assert (float(c[name]) if c[name] else None) == j[name]
        assert c["computed_source_lines"] == " ".join(map(str, j["computed_source_lines"]))


def test_table_shows_verdicts(runner: CliRunner) -> None:
    result = invoke(runner, "check", "-f", "table")
    assert result.exit_code == 1
    # Claim 1 holds on China's customs (94.82 within 95 ± 5%) and fails on the five's own
    # figures (60.56): the verdict names both.
    assert "depends: ✓ partner ✗ republic" in result.stdout
    # 3d: Russia's figures are both lower bounds (44,000 -> 45,000): not decidable.
    assert "not decidable" in result.stdout
    assert "not checkable" in result.stdout
    # 2a: China against the EU, only across reporters: each rule's reading shown
    assert "mixed: ✓ partner ✗ republic" in result.stdout
    # claim 9: the share on the four republics that have a world total, and which they are
    assert "4/5 republics with both figures (KAZ, KGZ, TJK, UZB)" in result.stdout
    assert "on the part covered: 28.34% on mixed, 21.43% on republic" in result.stdout
    details = invoke(runner, "check", "-f", "table", "--details").stdout
    assert "$94.82bn" in details and "$60.56bn" in details
    assert "6.88%" in details and "-4.44%" in details  # claim 4b, each basis


def test_explain_lists_data_rows(runner: CliRunner) -> None:
    result = invoke(runner, "check", "--explain", "-f", "json")
    rows = json.loads(result.stdout)
    claim_4 = {(r["statistics"], r["line"]) for r in rows if r["claim_id"] == "4"}
    # line 3 = CHN->KAZ total 43820 (header is line 1); line 16 = KAZ->CHN total 30100
    assert claim_4 == {("partner", 3), ("republic", 16)}
    table = invoke(runner, "check", "--explain", "-f", "table").stdout
    assert "Where each computed value comes from" in table


def data_line(path: Path, reporter: str, partner: str, flow: str) -> tuple[int, float]:
    """The (first line, value_millions) of a data file's one row, read here with the csv module
    (the header is line 1; a record starts on the line after the previous one ended)."""
    found = []
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        start = reader.line_num + 1
        for record in reader:
            row = dict(zip(header, record, strict=True))
            if (row["reporter"], row["partner"], row["flow"]) == (reporter, partner, flow):
                found.append((start, float(row["value_millions"])))
            start = reader.line_num + 1
    (one,) = found
    return one


def test_growth_claims_cite_each_year_in_its_own_file(runner: CliRunner) -> None:
    # Claim 4b (CHN-KAZ turnover 2023 -> 2024) on China's customs: the 2024 total 43820 and the
    # 2023 total 41000 -- one line in each year's file, not two lines of the 2024 file.
    bundled = BUNDLED.parent
    line_2024, value_2024 = data_line(bundled / "trade_2024.csv", "CHN", "KAZ", "total")
    line_2023, value_2023 = data_line(bundled / "trade_2023.csv", "CHN", "KAZ", "total")
    assert (value_2024, value_2023) == (43820, 41000)

    rows = json.loads(invoke(runner, "check", "--explain", "-f", "json").stdout)
    cited = [r for r in rows if r["claim_id"] == "4b" and r["statistics"] == "partner"]
    assert sorted(
        (r["file"].split(" ")[0], r["line"], r["reporter"], r["counterpart"], r["flow"])
        + (r["value_millions"],)
        for r in cited
    ) == [
        ("trade_2023.csv", line_2023, "CHN", "KAZ", "total", value_2023),
        ("trade_2024.csv", line_2024, "CHN", "KAZ", "total", value_2024),
    ]

    # Without --explain, each line is paired with its year (the year names the file).
    plain = json.loads(invoke(runner, "check", "-f", "json").stdout)
    (row,) = [r for r in plain if r["claim_id"] == "4b" and r["statistics"] == "partner"]
    assert sorted(zip(row["computed_source_years"], row["computed_source_lines"], strict=True)) == [
        (2023, line_2023),
        (2024, line_2024),
    ]
    as_csv = list(csv.DictReader(io.StringIO(invoke(runner, "check", "-f", "csv").stdout)))
    (row,) = [r for r in as_csv if r["claim_id"] == "4b" and r["statistics"] == "partner"]
    pairs = zip(
        row["computed_source_years"].split(), row["computed_source_lines"].split(), strict=True
    )
    assert sorted((int(y), int(n)) for y, n in pairs) == [(2023, line_2023), (2024, line_2024)]
    # A claim on one year keeps its lines as before, each in that year.
    (one,) = [r for r in plain if r["claim_id"] == "2b"]
    assert one["computed_source_years"] == [2024] * len(one["computed_source_lines"])


def test_explain_keeps_a_claim_with_no_data_as_one_row(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(
        '[source]\ntitle = "t"\n\n'
        + claim_text(
            'id = "x"',
            'quote = "q"',
            "year = 2012",
            'measure = { kind = "turnover", partner = "CHN", area = "KAZ" }',
            'op = ">"',
            "value = 1",
            'unit = "USD bn"',
        ),
        encoding="utf-8",
    )
    rows = json.loads(invoke(runner, "check", str(path), "--explain", "-f", "json").stdout)
    assert [(r["claim_id"], r["line"], r["missing_reason"]) for r in rows] == [
        (
            "x",
            None,
            "no data for 2012 (the data hold " + ", ".join(str(y) for y in range(2015, 2026)) + ")",
        )
    ]


def test_currency_does_not_change_verdicts(runner: CliRunner) -> None:
    usd = json.loads(invoke(runner, "check", "-f", "json").stdout)
    eur = json.loads(invoke(runner, "check", "-f", "json", "--currency", "EUR").stdout)
    assert [r["verdict"] for r in usd] == [r["verdict"] for r in eur]
    assert {r["unit"] for r in eur if r["claim_id"] == "1"} == {"eur_m"}
    assert eur[0]["computed_value"] == pytest.approx(94820 / 1.0824)


def test_user_file_with_every_kind_of_test(runner: CliRunner) -> None:
    result = invoke(runner, "check", str(CLAIMS / "all_kinds.toml"), "-f", "json")
    assert result.exit_code == 1  # some claims depend on basis
    rows: dict[str, list[dict]] = {}
    for row in json.loads(result.stdout):
        rows.setdefault(row["claim_id"], []).append(row)
    # CHN-KGZ turnover > 20000: 22710 holds, 5500 fails
    assert by_basis(rows["turnover-usd-m"]) == {"partner": 22710, "republic": 5500}
    # EUR 26bn ± 0.5 in USD: 26000 x 1.0824 = 28142.4 ± 541.2; China's 28000 holds,
    # Kazakhstan's imports 15300 fail
    first = rows["exports-eur"][0]
    assert first["claimed_value"] == pytest.approx(26000 * 1.0824)
    assert first["tolerance_value"] == pytest.approx(500 * 1.0824)
    assert results(rows["exports-eur"]) == {"partner": "holds", "republic": "fails"}
    # CHN imports from TKM 9600 <= 10000 (China's figure under both rules)
    assert by_basis(rows["imports"]) == {"partner": 9600}
    # Uzbekistan's balance: 2000 - 11800 < 0 and 2050 - 10350 < 0
    assert verdict(rows["balance-republic"]) == "holds"
    # 7.6 ± 0.1: 2050 / 26900 = 7.621 holds, 2000 / 26900 = 7.435 fails
    assert results(rows["share"]) == {"republic": "holds", "mixed": "fails"}
    # EU exports to UZB / EU imports from UZB = 4700 / 1700 = 276.47% >= 276 on Uzbekistan's
    # figures; the partner rule takes the EU's own imports, 845 EUR m (R4001) at 1.0824: mixed
    assert by_basis(rows["ratio-pct"]) == {
        "republic": pytest.approx(4700 / 1700 * 100),
        "mixed": pytest.approx(4700 / (845 * 1.0824) * 100),  # 513.87%
    }
    assert verdict(rows["ratio-pct"]) == "holds"
    # RUS-KAZ minus RUS-UZB: 28700 - 11700 = 17000 (≈ 17000 ± 170); 28000 - 11600 = 16400 fails
    assert by_basis(rows["difference"]) == {"partner": 17000, "republic": 16400}
    # the EU's exports to the five are known only for Uzbekistan: rank not checkable
    assert verdict(rows["rank-partners-exports"]) == "not checkable"
    assert "partial" in rows["rank-partners-exports"][0]["verdict_detail"]
    # Tajikistan last: 3860 and 1960 are the smallest on each side
    assert by_basis(rows["rank-republics"]) == {"partner": 5, "republic": 5}
    # 43820 > 3 x 13780 = 41340 holds; 30100 > 3 x 12400 = 37200 fails
    values = {r["statistics"]: (r["computed_value"], r["than_value"]) for r in rows["than-factor"]}
    assert values == {"partner": (43820, 41340), "republic": (30100, 37200)}
    # integer id; EU-KGZ: nobody publishes it
    assert verdict(rows["7"]) == "not checkable"
    assert "published by neither side" in rows["7"][0]["verdict_detail"]
    # a claim's own year (2023) and its own source: China's customs 41000 is within
    # 41000 ± 820; Kazakhstan's 31500 is 9500 off
    old = rows["old-year"]
    assert by_basis(old) == {"partner": 41000, "republic": 31500}
    assert results(old) == {"partner": "holds", "republic": "fails"}
    assert {r["year"] for r in old} == {2023}
    assert old[0]["source_title"] == "Another paper"
    assert old[0]["source_url"] == "https://example.org/x"
    # a year not in the data
    (missing,) = rows["missing-year"]
    assert missing["result"] == "not checkable"
    assert (
        "no data for 2012 (the data hold " + ", ".join(str(y) for y in range(2015, 2026)) + ")"
        in (missing["verdict_detail"])
    )
    assert rows["share"][0]["source_date"] == "2025-01-31"  # a TOML date, as written
    assert [r["op"] for r in json.loads(result.stdout)][:3] == ["gt", "gt", "approx"]


def test_user_file_with_claims_about_change(runner: CliRunner) -> None:
    result = invoke(runner, "check", str(CLAIMS / "growth.toml"), "-f", "json")
    assert result.exit_code == 1, result.stderr  # one claim fails
    rows: dict[str, list[dict]] = {}
    for row in json.loads(result.stdout):
        rows.setdefault(row["claim_id"], []).append(row)
    # Kazakhstan with the world (its own figures under both rules, shown once):
    # 2023 79138.75467736 + 60412.45259594 = 139551.20727330
    # 2024 81674.05304390 + 60397.96938396 = 142072.02242786: +1.806%, ≈ 1.8 ± 0.1 holds
    (world,) = rows["world"]
    kaz_2023 = 79138.75467736 + 60412.45259594
    assert world["computed_value"] == pytest.approx((KAZ_WORLD_2024 / kaz_2023 - 1) * 100)
    assert world["statistics"] == "republic" and world["verdict"] == "holds"
    assert world["test"] == "growth of KAZ–world turnover 2023→2024 ≈ 1.8% (±0.1)"
    # imports: 60412.45259594 -> 60397.96938396 = -0.024%, |-0.024| < 0.5 holds
    (flat,) = rows["flat-exports"]
    assert flat["computed_value"] == pytest.approx(abs(60397.96938396 / 60412.45259594 - 1) * 100)
    assert flat["verdict"] == "holds"
    # China-region on China's customs: the published totals 89400 -> 94820 = 6.06%, in (5, 7).
    # The republic rule takes the five republics' own 2024 figures (60560) but has only China's
    # 89400 for 2023 (no 2023 total from Kyrgyzstan): not the same reporter, no change.
    region = {r["statistics"]: r for r in rows["region-range"]}
    assert region["partner"]["computed_value"] == pytest.approx((94820 / 89400 - 1) * 100)
    assert region["mixed"]["computed_value"] is None
    assert (
        "2023 from CHN customs, 2024 from the sum of KAZ, KGZ, TJK, TKM, UZB figures"
        in (region["mixed"]["computed_missing_reason"])
    )
    assert region["partner"]["verdict"] == "holds"
    # growth vs growth: 6.06% > Russia's 45000 / 44000 - 1 = 2.27% holds, but China's
    # customs' growth against Russia's officials' is one reporter's figure against another's;
    # with the republics first Russia's region figure changes reporter (RUS 2023, CA5 2024)
    # Russia's two figures are lower bounds ('exceeded'), so its growth is not decidable.
    faster = {r["basis_rule"]: (r["computed_value"], r["than_value"]) for r in rows["faster"]}
    assert faster["partner"] == (pytest.approx((94820 / 89400 - 1) * 100), None)
    assert {r["statistics"] for r in rows["faster"]} == {"mixed"}
    assert rows["faster"][0]["verdict"] == "not decidable"
    # Uzbekistan's exports to China (= China's imports from Uzbekistan): Uzbekistan's own
    # figures 2400 -> 2050 = -14.58%: fails; the partner rule mixes UZB 2023 with CHN 2024
    by_stats = {r["statistics"]: r for r in rows["republic-view"]}
    assert by_stats["republic"]["computed_value"] == pytest.approx((2050 / 2400 - 1) * 100)
    assert by_stats["mixed"]["result"] == "not checkable"
    assert (
        "2023 from UZB statistics, 2024 from CHN customs"
        in (by_stats["mixed"]["computed_missing_reason"])
    )
    assert by_stats["republic"]["verdict"] == "fails"
    (old,) = rows["no-2014"]
    assert old["result"] == "not checkable" and "no data for 2014" in old["verdict_detail"]


def test_year_option_for_claims_that_name_none(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "no_year.toml"
    path.write_text(
        HEADER
        + claim_text(
            'id = "level"',
            'quote = "China-Kazakhstan trade was about $41bn"',
            'measure = { kind = "turnover", partner = "CHN", area = "KAZ" }',
            'op = "≈"',
            "value = 41",
            'unit = "USD bn"',
            'tolerance = "1%"',
        )
        + claim_text(
            'id = "change"',
            'quote = "China-Kazakhstan trade grew"',
            'measure = { kind = "growth", of = { kind = "turnover", partner = "CHN", '
            'area = "KAZ" } }',
            'op = ">"',
            "value = 0",
            'unit = "%"',
        ),
        encoding="utf-8",
    )

    def run(*args: str) -> dict[str, list[dict]]:
        out: dict[str, list[dict]] = {}
        result = invoke(runner, "check", str(path), "-f", "json", *args)
        for row in json.loads(result.stdout):
            out.setdefault(row["claim_id"], []).append(row)
        return out

    # --year 2023: the 2023 figures (China's customs 41000, Kazakhstan's 31500); the growth
    # from 2022: China's customs 31200 (R5010) -> 41000
    in_2023 = run("--year", "2023")
    assert by_basis(in_2023["level"]) == {"partner": 41000, "republic": 31500}
    assert {r["year"] for r in in_2023["level"]} == {2023}
    assert by_basis(in_2023["change"])["partner"] == pytest.approx((41000 / 31200 - 1) * 100)
    # --year 2015: the growth would need 2014, which the data do not hold
    in_2015 = run("--year", "2015")
    assert "no data for 2014" in in_2015["change"][0]["verdict_detail"]
    # the default year (2024, the latest with China, the EU and Russia; 2025 is partial):
    # 2024 figures, growth 2023 -> 2024 (41000 -> 43820)
    latest = run()
    assert by_basis(latest["level"]) == {"partner": 43820, "republic": 30100}
    assert latest["change"][0]["test"] == "growth of CHN–KAZ turnover 2023→2024 > 0%"
    assert by_basis(latest["change"])["partner"] == pytest.approx((43820 / 41000 - 1) * 100)


def test_exit_0_when_every_checkable_claim_holds(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "ok.toml"
    path.write_text(
        HEADER
        + claim_text(
            'id = "a"',
            'quote = "China leads"',
            'measure = { kind = "rank", partner = "CHN", area = "CA5", among = "partners" }',
            'op = "="',
            "value = 1",
        )
        + claim_text(
            'id = "b"',
            'quote = "EU-Tajikistan over $1bn"',
            'measure = { kind = "turnover", partner = "EU27", area = "TJK" }',
            'op = ">"',
            "value = 1",
            'unit = "USD bn"',
        ),
        encoding="utf-8",
    )
    result = invoke(runner, "check", str(path), "-f", "csv")
    assert result.exit_code == 0, result.stdout
    assert "not checkable" in result.stdout


def test_builtin_claims_are_packaged() -> None:
    name, text = claims.builtin_text()
    assert "built-in" in name and "[[claim]]" in text


# ------------------------------------------------------------------ malformed files

HEADER = '[source]\ntitle = "T"\n\n'
GOOD = [
    'id = "x"',
    'quote = "q"',
    'measure = { kind = "turnover", partner = "CHN", area = "KAZ" }',
    'op = ">"',
    "value = 1",
    'unit = "USD bn"',
]


def claim_text(*lines: str) -> str:
    return "[[claim]]\n" + "\n".join(lines) + "\n\n"


def with_field(key: str, line: str | None) -> str:
    """GOOD with the line for ``key`` replaced (or removed when ``line`` is None)."""
    lines = [g for g in GOOD if not g.startswith(key + " ")]
    if line is not None:
        lines.append(line)
    if "quote = " not in "".join(lines) and key != "quote":
        lines.append('quote = "q"')
    return HEADER + claim_text(*lines)


MALFORMED = {
    "missing id": (with_field("id", None), "claim #1, id: missing"),
    "unknown kind": (
        with_field("measure", 'measure = { kind = "volume", partner = "CHN", area = "KAZ" }'),
        "claim 'x' (#1), measure.kind: 'volume' is not a measure kind",
    ),
    "unknown partner": (
        with_field("measure", 'measure = { kind = "turnover", partner = "USA", area = "KAZ" }'),
        "claim 'x' (#1), measure.partner: 'USA' is not one of the codes",
    ),
    "unknown area": (
        with_field("measure", 'measure = { kind = "turnover", partner = "CHN", area = "AFG" }'),
        "measure.area: 'AFG' is not one of the codes",
    ),
    "bad op": (with_field("op", 'op = "=>"'), "claim 'x' (#1), op: '=>' is not a comparison"),
    "missing value": (
        with_field("value", None).replace('unit = "USD bn"\n', ""),
        "claim 'x' (#1), value: missing (and no than)",
    ),
    "value not a number": (with_field("value", 'value = "44bn"'), "value: '44bn' is not a number"),
    "value and than": (
        with_field(
            "value", 'value = 1\nthan = { kind = "turnover", partner = "RUS", area = "CA5" }'
        ),
        "value: give value or than, not both",
    ),
    "missing unit": (with_field("unit", None), "unit: missing for an amount"),
    "bad unit": (with_field("unit", 'unit = "bn"'), "unit: 'bn' does not fit an amount"),
    "bad tolerance": (
        with_field("op", 'op = "≈"\ntolerance = "five"'),
        "tolerance: 'five' is not a tolerance",
    ),
    "negative tolerance": (
        with_field("op", 'op = "≈"\ntolerance = -1'),
        "tolerance: -1 is negative",
    ),
    "≈ without tolerance": (with_field("op", 'op = "≈"'), "tolerance: missing: ≈ needs one"),
    "tolerance with >": (
        with_field("op", 'op = ">"\ntolerance = "5%"'),
        "tolerance: only used with ≈, not >",
    ),
    "duplicate ids": (
        HEADER + claim_text(*GOOD) + claim_text(*GOOD),
        "claim 'x' (#2), id: duplicate of claim #1",
    ),
    "unknown field": (with_field("op", 'op = ">"\ntolerence = "5%"'), "tolerence: unknown field"),
    "missing source": (claim_text(*GOOD), "claim 'x' (#1), source: missing"),
    "no claims": (HEADER, "claim: no [[claim]] tables"),
    "rank value": (
        with_field(
            "measure",
            'measure = { kind = "rank", partner = "CHN", area = "KAZ", among = "republics" }',
        )
        .replace('unit = "USD bn"\n', "")
        .replace("value = 1", "value = 0"),
        "value: 0 is not a rank",
    ),
    "rank without among": (
        with_field("measure", 'measure = { kind = "rank", partner = "CHN", area = "KAZ" }'),
        "measure.among: missing",
    ),
    "than of another kind": (
        with_field("value", 'than = { kind = "share", partner = "CHN", area = "UZB" }').replace(
            'unit = "USD bn"\n', ""
        ),
        "than: compares an amount with a share",
    ),
    "ratio of a rank": (
        with_field(
            "measure",
            'measure = { kind = "ratio", of = { kind = "rank", partner = "CHN", area = "CA5", '
            'among = "partners" }, to = { kind = "turnover", partner = "CHN", area = "CA5" } }',
        ).replace('unit = "USD bn"', 'unit = "x"'),
        "measure.of.kind: 'rank' cannot be an operand of a ratio or difference",
    ),
    "growth of a balance": (
        with_field(
            "measure",
            'measure = { kind = "growth", of = { kind = "balance", partner = "CHN", '
            'area = "KAZ" } }',
        ).replace('unit = "USD bn"', 'unit = "%"'),
        "measure.of.kind: the growth of 'balance' is not measured",
    ),
    "growth years backwards": (
        with_field(
            "measure",
            'measure = { kind = "growth", of = { kind = "turnover", partner = "CHN", '
            'area = "KAZ" }, from_year = 2024, to_year = 2023 }',
        ).replace('unit = "USD bn"', 'unit = "%"'),
        "measure.from_year: 2024 is not before to_year 2023",
    ),
    "growth without of": (
        with_field(
            "measure", 'measure = { kind = "growth", from_year = 2023, to_year = 2024 }'
        ).replace('unit = "USD bn"', 'unit = "%"'),
        "measure.of: missing",
    ),
    "growth in USD": (
        with_field(
            "measure",
            'measure = { kind = "growth", of = { kind = "turnover", partner = "CHN", '
            'area = "KAZ" } }',
        ),
        "unit: 'USD bn' does not fit a growth",
    ),
    "year on a turnover": (
        with_field(
            "measure",
            'measure = { kind = "turnover", partner = "CHN", area = "KAZ", from_year = 2023 }',
        ),
        "measure.from_year: not used by kind 'turnover'",
    ),
    "world outside growth": (
        with_field("measure", 'measure = { kind = "turnover", partner = "WLD", area = "KAZ" }'),
        "measure.partner: 'WLD' is not one of the codes",
    ),
    "world with the region": (
        with_field(
            "measure",
            'measure = { kind = "growth", of = { kind = "turnover", partner = "WLD", '
            'area = "CA5" } }',
        ).replace('unit = "USD bn"', 'unit = "%"'),
        "measure.of.area: 'CA5' is not one of the codes",
    ),
    "between one number": (
        with_field("op", 'op = "between"'),
        "value: 1 is not a range [low, high] with low < high",
    ),
    "between reversed": (
        with_field("op", 'op = "between"').replace("value = 1", "value = [0, -5]"),
        "value: [0, -5] is not a range [low, high] with low < high",
    ),
    "range without between": (
        with_field("value", "value = [1, 2]"),
        "value: [1, 2] is not a number",
    ),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_claims_file(case: str, tmp_path: Path, runner: CliRunner) -> None:
    text, expected = MALFORMED[case]
    with pytest.raises(DataError) as caught:
        claims.parse_claims(text, "c.toml")
    assert expected in caught.value.one_line()
    assert caught.value.one_line().startswith("c.toml: ")
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    result = invoke(runner, "check", str(path))
    assert result.exit_code == 65
    assert result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"ca-trade: error: {path}: ") and expected in line


def test_toml_syntax_error_names_the_line(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(HEADER + '[[claim]]\nid = "x"\nquote = \n', encoding="utf-8")
    result = invoke(runner, "check", str(path))
    assert result.exit_code == 65
    assert f"{path}, line 6: TOML syntax error" in result.stderr


def test_missing_and_unreadable_files(runner: CliRunner, tmp_path: Path) -> None:
    result = invoke(runner, "check", str(tmp_path / "nope.toml"))
    assert result.exit_code == 66 and "file not found" in result.stderr
    result = invoke(runner, "check", str(tmp_path))
    assert result.exit_code == 66 and "is a directory" in result.stderr
    with pytest.raises(InputError):
        claims.read_claims(tmp_path / "nope.toml")


def test_not_utf8(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes((HEADER + claim_text(*GOOD)).replace("q", "é").encode("latin-1"))
    result = invoke(runner, "check", str(path))
    assert result.exit_code == 65 and "is not UTF-8 text" in result.stderr


# ------------------------------------------------------------------ pure functions


@pytest.mark.parametrize(
    ("op", "computed", "target", "tolerance", "expected"),
    [
        (">", 2.0, 1.0, None, True),
        (">", 1.0, 1.0, None, False),
        (">=", 1.0, 1.0, None, True),
        ("<", 1.0, 1.0, None, False),
        ("<=", 1.0, 1.0, None, True),
        ("≈", 94820.0, 95000.0, 4750.0, True),
        ("≈", 60560.0, 95000.0, 4750.0, False),
        ("≈", 105.0, 100.0, 5.0, True),  # the edge is inside
        ("=", 2.0, 2.0, None, True),
        ("=", 3.0, 2.0, None, False),
    ],
)
def test_compare_values(
    op: str, computed: float, target: float, tolerance: float | None, expected: bool
) -> None:
    assert claims.compare_values(op, computed, target, tolerance) is expected


def test_parse_normalises_codes_ops_and_units() -> None:
    text = HEADER + claim_text(
        "id = 3",
        'quote = "q"',
        'measure = { kind = "Turnover", partner = "chn", area = "ca5" }',
        'op = "~"',
        "value = 95",
        'unit = "usd  BN"',
        'tolerance = "5 %"',
    )
    (claim,) = claims.parse_claims(text, "t.toml").claims
    assert claim.id == "3" and claim.op == "≈" and claim.unit == "USD bn"
    assert claim.measure.partner == "CHN" and claim.measure.area == "CA5"
    assert claim.tolerance == claims.Tolerance(5.0, relative=True, text="±5%")
    assert claims.describe_test(claim) == "CHN–CA5 turnover ≈ 95 USD bn (±5%)"


def test_all_hold_and_verdicts() -> None:
    frame = claims.evaluate(
        claims.read_claims(CLAIMS / "all_kinds.toml"),
        load.read_trade(),
        currency="USD",
        rates=RATES,
        year=2024,
    )
    assert claims.all_hold(frame) is False
    assert claims.all_hold(frame.filter(frame["claim_id"] == "imports")) is True
    summary = claims.verdicts(frame)
    assert summary.columns == ["claim_index", "claim_id", "test", "verdict", "verdict_detail"]
    assert summary.height == 13
