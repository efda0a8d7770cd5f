"""ca-trade growth: the change from one year to the next, like with like, by hand.

tests/data/growth/two_years.csv holds a few of the sourced 2023 and 2024 figures (values in
USD millions unless marked; reporter -> partner):

  2023: CHN->CA5 total 89400; CHN->KAZ 41000, KGZ 19800, TJK 3926, TKM 10600, UZB 14000
        KAZ->CHN total 31500 (compiled); UZB->CHN total 13700; RUS->CA5 total 44000
        KAZ->WLD export 79138.75, import 60412.45 (compiled)
        EU27->UZB export EUR 4354.77, import EUR 780; UZB->EU27 total 5800
  2024: CHN->CA5 total 94820; CHN->KAZ 43820, KGZ 22710, TJK 3860, TKM 10650, UZB 13780
        KAZ->CHN total 30100 (compiled); UZB->CHN total 12400; RUS->CA5 total 45000
        KAZ->WLD export 81674.05, import 60397.97 (compiled)
        UZB->EU27 total 6400; EU27->CA5 total EUR 54000 (unstated)

tests/data/growth/coverage.csv has invented numbers for the coverage and currency rules:
  CHN imports from KAZ 100 -> 110, from UZB 50 -> 40, from KGZ none -> 20 (China's customs)
  RUS exports to KAZ 300 -> 330, to UZB 200 -> 190; EU27 exports to KGZ EUR 1000 -> EUR 1000
ECB rates: 2023 1.0813, 2024 1.0824 USD per EUR.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from ca_trade import compute, load, schema
from ca_trade.inputs import Inputs
from conftest import DATA, invoke

RATES = {2023: 1.0813, 2024: 1.0824}
GROWTH = DATA / "growth"
TWO_YEARS = GROWTH / "two_years.csv"
COVERAGE = GROWTH / "coverage.csv"


def rows(path: Path, **options: object) -> dict[tuple[str, str, str], dict]:
    """growth on a fixture, keyed by (partner, area, measure)."""
    settings = {"basis": "partner", "currency": "USD", "rates": RATES} | options
    frame = compute.growth(load.read_trade(path), **settings)  # type: ignore[arg-type]
    return {(r["partner"], r["area"], r["measure"]): r for r in frame.to_dicts()}


# ------------------------------------------------------------------ hand calculations


def test_china_region_published_total_is_canonical() -> None:
    got = rows(TWO_YEARS)[("CHN", "CA5", "turnover")]
    # China's customs publish a region total both years (89400, 94820); the five country
    # figures, also China's customs, sum to 41000 + 19800 + 3926 + 10600 + 14000 = 89326 in
    # 2023: one reporter, one answer, the published total (the sum is a note).
    assert got["value_from_usd_m"] == pytest.approx(89400)
    assert got["value_to_usd_m"] == pytest.approx(94820)
    assert got["change_usd_m"] == pytest.approx(94820 - 89400)  # 5420
    assert got["change_pct"] == pytest.approx((94820 - 89400) / 89400 * 100)  # +6.06%
    assert round(got["change_pct"], 2) == 6.06
    assert got["comparable"] is True and got["no_change_reason"] is None
    assert got["from_year"] == 2023 and got["to_year"] == 2024
    assert got["from_coverage"] == got["to_coverage"] == "published region total"


def test_china_region_published_totals_on_the_republic_rule() -> None:
    # With the republics first, neither year has all five on the republics' side; China's
    # published region totals come next: 89400 -> 94820 = +6.06%.
    got = rows(TWO_YEARS, basis="republic")[("CHN", "CA5", "turnover")]
    assert got["change_pct"] == pytest.approx((94820 - 89400) / 89400 * 100)
    assert round(got["change_pct"], 2) == 6.06


@pytest.mark.parametrize(
    ("basis", "area", "before", "after", "rounded"),
    [
        ("partner", "KAZ", 41000, 43820, 6.88),  # China's customs
        ("republic", "KAZ", 31500, 30100, -4.44),  # Kazakhstan's statistics
        ("partner", "UZB", 14000, 13780, -1.57),  # China's customs: a minor dip
        ("republic", "UZB", 13700, 12400, -9.49),  # Uzbekistan's statistics
    ],
)
def test_china_with_kazakhstan_and_uzbekistan_on_each_basis(
    basis: str, area: str, before: float, after: float, rounded: float
) -> None:
    got = rows(TWO_YEARS, basis=basis)[("CHN", area, "turnover")]
    assert got["value_from_usd_m"] == before and got["value_to_usd_m"] == after
    assert got["change_usd_m"] == pytest.approx(after - before)
    assert got["change_pct"] == pytest.approx((after - before) / before * 100)
    assert round(got["change_pct"], 2) == rounded
    expected_reporter = "CHN" if basis == "partner" else area
    assert got["from_reporter"] == got["to_reporter"] == expected_reporter


def test_russia_region() -> None:
    got = rows(TWO_YEARS)[("RUS", "CA5", "turnover")]
    # Russia's own statements: 44000 -> 45000 = +1000 = +2.27%
    assert got["change_usd_m"] == pytest.approx(45000 - 44000)
    assert got["change_pct"] == pytest.approx(1000 / 44000 * 100)
    assert round(got["change_pct"], 2) == 2.27


def test_kazakhstan_with_the_world() -> None:
    got = rows(TWO_YEARS)
    turnover = got[("WLD", "KAZ", "turnover")]
    # derived: 79138.75 + 60412.45 = 139551.20 -> 81674.05 + 60397.97 = 142072.02
    assert turnover["value_from_usd_m"] == pytest.approx(79138.75 + 60412.45)
    assert turnover["value_to_usd_m"] == pytest.approx(81674.05 + 60397.97)
    assert turnover["change_pct"] == pytest.approx((142072.02 - 139551.20) / 139551.20 * 100)
    assert round(turnover["change_pct"], 2) == 1.81
    # derived in both years, and marked so in both
    assert turnover["from_derived"] is True and turnover["to_derived"] is True
    assert turnover["seen_from"] == "KAZ"  # the republic's exports and imports
    exports = got[("WLD", "KAZ", "exports")]
    assert exports["change_usd_m"] == pytest.approx(81674.05 - 79138.75)
    assert exports["from_derived"] is False and exports["to_derived"] is False
    assert got[("WLD", "KAZ", "imports")]["change_usd_m"] == pytest.approx(60397.97 - 60412.45)


# ------------------------------------------------------------------ only like with like


def test_different_reporters_give_no_change_and_say_why() -> None:
    got = rows(TWO_YEARS)[("EU27", "UZB", "turnover")]
    # 2023: the EU's own split (EUR 4354.77 + 780, derived); 2024: only Uzbekistan's 6400.
    assert got["value_from_usd_m"] == pytest.approx((4354.77 + 780) * 1.0813)
    assert got["value_to_usd_m"] == 6400
    assert got["comparable"] is False
    assert got["change_usd_m"] is None and got["change_pct"] is None
    assert got["no_change_reason"] == "2023 from EU27 figures, 2024 from UZB statistics"
    # With the republics first both years are Uzbekistan's: 5800 -> 6400 = +10.34%
    republic = rows(TWO_YEARS, basis="republic")[("EU27", "UZB", "turnover")]
    assert republic["change_pct"] == pytest.approx((6400 - 5800) / 5800 * 100)


def test_kazakh_and_chinese_statistics_are_never_mixed() -> None:
    text = TWO_YEARS.read_text(encoding="utf-8").replace(
        "2024,CHN,KAZ,total,43820", "2024,CHN,KGZ,export,43820"
    )
    got = rows(_write(text))[("CHN", "KAZ", "turnover")]
    # China's 2024 figure for Kazakhstan is gone: the partner rule falls back to Kazakhstan's
    # 30100 in 2024 while 2023 is China's 41000.
    assert got["value_from_usd_m"] == 41000 and got["value_to_usd_m"] == 30100
    assert got["no_change_reason"] == "2023 from CHN customs, 2024 from KAZ statistics"


def _write(text: str) -> Path:
    import tempfile

    handle = tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8")
    with handle:
        handle.write(text)
    return Path(handle.name)


def test_region_coverage_must_match() -> None:
    got = rows(COVERAGE)
    region = got[("CHN", "CA5", "imports")]
    # 2023: KAZ + UZB = 100 + 50 = 150; 2024: KAZ + KGZ + UZB = 110 + 20 + 40 = 170
    assert region["value_from_usd_m"] == 150 and region["value_to_usd_m"] == 170
    assert region["comparable"] is False and region["change_pct"] is None
    assert region["no_change_reason"] == (
        "2023 covers 2/5 republics (KAZ, UZB), 2024 covers 3/5 republics (KAZ, KGZ, UZB)"
    )
    # The same two republics both years: comparable, and the note says it is partial.
    # 300 + 200 = 500 -> 330 + 190 = 520: +4%
    russia = got[("RUS", "CA5", "exports")]
    assert russia["change_pct"] == pytest.approx((520 - 500) / 500 * 100)
    assert "both years cover only 2/5 republics (KAZ, UZB)" in russia["note"]
    missing = got[("CHN", "KGZ", "imports")]
    assert missing["value_from_usd_m"] is None and missing["value_to_usd_m"] == 20
    assert missing["no_change_reason"].startswith("no 2023 figure: ")


def test_no_figure_in_either_year_says_so() -> None:
    got = rows(COVERAGE)[("WLD", "TKM", "imports")]
    assert got["no_change_reason"] == (
        "no figure in 2023 or 2024: TKM publishes no imports with the world"
    )


def test_eur_figures_use_each_years_rate_and_name_the_currency_effect() -> None:
    got = rows(COVERAGE)[("EU27", "KGZ", "exports")]
    # EUR 1000 both years: 1000 x 1.0813 = 1081.3 -> 1000 x 1.0824 = 1082.4 USD m.
    assert got["value_from_usd_m"] == pytest.approx(1081.3)
    assert got["value_to_usd_m"] == pytest.approx(1082.4)
    # All of the +0.10% is the rate: 1.0824 / 1.0813 - 1
    assert got["change_pct"] == pytest.approx((1.0824 / 1.0813 - 1) * 100)
    assert got["currency_effect_pct"] == pytest.approx((1.0824 / 1.0813 - 1) * 100)
    assert got["from_fx_rate"] == 1.0813 and got["to_fx_rate"] == 1.0824
    assert "each year's rate" in got["note"]
    # In EUR the EU's own figure is untouched (no effect) and a USD figure takes the rate:
    eur = rows(COVERAGE, currency="EUR")
    assert eur[("EU27", "KGZ", "exports")]["change_pct"] == 0
    assert eur[("EU27", "KGZ", "exports")]["currency_effect_pct"] is None
    kaz = eur[("CHN", "KAZ", "imports")]
    # USD 100 -> 110 = +10% in USD; in EUR 110 / 1.0824 / (100 / 1.0813) - 1 = +9.889%
    assert kaz["value_from_eur_m"] == pytest.approx(100 / 1.0813)
    assert kaz["change_pct"] == pytest.approx((110 / 1.0824) / (100 / 1.0813) * 100 - 100)
    assert kaz["currency_effect_pct"] == pytest.approx((1.0813 / 1.0824 - 1) * 100)  # −0.10%


def test_years_default_to_the_latest_and_the_one_before() -> None:
    trade = load.read_trade(TWO_YEARS)
    assert compute.growth_years(trade, None, None) == (2023, 2024)
    assert compute.growth_years(trade, None, 2023) == (2022, 2023)
    assert compute.growth_years(trade, 2023, 2024) == (2023, 2024)


def test_machine_columns_are_stable() -> None:
    frame = compute.growth(load.read_trade(TWO_YEARS), basis="partner", currency="USD",
                           rates=RATES)  # fmt: skip
    assert frame.columns[:18] == [
        "from_year", "to_year", "partner", "area", "measure", "seen_from",
        "value_from_usd_m", "value_to_usd_m", "change_usd_m", "change_pct", "annual_rate_pct",
        "change_bound", "change_mixed", "comparable", "no_change_reason", "currency_effect_pct",
        "note", "basis_rule",
    ]  # fmt: skip
    for prefix in ("from", "to"):
        for field in ("reporter", "basis", "derived", "coverage", "fx_rate", "missing_reason",
                      "source_lines"):  # fmt: skip
            assert f"{prefix}_{field}" in frame.columns
    # one row per partner (and WLD) x area x measure
    assert frame.height == (len(schema.PARTNERS) * 6 + len(schema.REPUBLICS)) * 3


# ------------------------------------------------------------------ the bundled data, by hand
# data/trade_2023.csv and data/trade_2024.csv (figures_2023.md, "What the two years show").


def bundled(basis: str = "partner", currency: str = "USD") -> dict[tuple[str, str, str], dict]:
    # The default years of the command: the default year (2024) and the year before.
    inputs = Inputs(None, None, all_years=True)
    frame = compute.growth(inputs.trade, basis=basis, currency=currency, rates=inputs.rates,  # type: ignore[arg-type]
                           to_year=inputs.year)  # fmt: skip
    return {(r["partner"], r["area"], r["measure"]): r for r in frame.to_dicts()}


def test_bundled_hand_calculations() -> None:
    partner, republic = bundled("partner"), bundled("republic")
    # China-region, China's customs, the published region totals: 2023 89400 -> 2024 94820:
    # +6.06% (the five country figures sum to 89326 in 2023: a note, not a second answer)
    got = partner[("CHN", "CA5", "turnover")]
    assert (got["value_from_usd_m"], got["value_to_usd_m"]) == (89400, 94820)
    assert round(got["change_pct"], 2) == round((94820 - 89400) / 89400 * 100, 2) == 6.06
    # China-Kazakhstan: 41000 -> 43820 = +6.88% (China's customs);
    # 31500 -> 30100 = -4.44% (Kazakhstan's)
    assert round(partner[("CHN", "KAZ", "turnover")]["change_pct"], 2) == 6.88
    assert round(republic[("CHN", "KAZ", "turnover")]["change_pct"], 2) == -4.44
    assert republic[("CHN", "KAZ", "turnover")]["change_usd_m"] == pytest.approx(30100 - 31500)
    # China-Uzbekistan: 14000 -> 13780 = -1.57%; 13700 -> 12400 = -9.49%
    assert round(partner[("CHN", "UZB", "turnover")]["change_pct"], 2) == -1.57
    assert round(republic[("CHN", "UZB", "turnover")]["change_pct"], 2) == -9.49
    # Russia-region, Russia's statements: 'exceeded $44bn' -> 'more than $45bn', two lower
    # bounds (F072, F067): the change could be anything, so none is given.
    russia = partner[("RUS", "CA5", "turnover")]
    assert russia["change_pct"] is None and russia["change_bound"] == "undecidable"
    assert russia["no_change_reason"].startswith("not decidable: it is computed from bounds")
    # Kazakhstan with the world (the bureau's monthly sums, total derived in both years):
    # 79138.75467736 + 60412.45259594 = 139551.21 -> 81674.0530439 + 60397.96938396 = 142072.02
    world = partner[("WLD", "KAZ", "turnover")]
    before, after = 79138.75467736 + 60412.45259594, 81674.0530439 + 60397.96938396
    assert world["value_from_usd_m"] == pytest.approx(before)
    assert world["change_pct"] == pytest.approx((after - before) / before * 100)
    assert round(world["change_pct"], 2) == 1.81
    assert world["from_derived"] and world["to_derived"]
    # Uzbekistan with the world: 62500 -> 65900 = +5.44%
    assert round(partner[("WLD", "UZB", "turnover")]["change_pct"], 2) == 5.44
    assert partner[("WLD", "UZB", "turnover")]["change_pct"] == pytest.approx(3400 / 62500 * 100)


def test_bundled_reasons_for_no_change() -> None:
    partner = bundled("partner")
    # China's 2023 customs figures for Uzbekistan have no split; Uzbekistan's do
    assert partner[("CHN", "UZB", "exports")]["no_change_reason"] == (
        "2023 from UZB statistics, 2024 from CHN customs"
    )
    # Russia's 2024 figure for the five is its own statement; for 2023 the republic rule has
    # no region figure from the republics' side
    republic = bundled("republic")
    assert republic[("RUS", "CA5", "turnover")]["no_change_reason"] == (
        "2023 from RUS officials, 2024 from the republics' compilation (CA5)"
    )


def test_cli_formats_carry_the_same_numbers(runner: CliRunner) -> None:
    as_json = json.loads(invoke(runner, "growth", "-f", "json").stdout)
    as_csv = list(csv.DictReader(io.StringIO(invoke(runner, "growth", "-f", "csv").stdout)))
    as_tsv = list(
        csv.DictReader(io.StringIO(invoke(runner, "growth", "-f", "tsv").stdout), delimiter="\t")
    )
    assert len(as_json) == len(as_csv) == len(as_tsv) == (3 * 6 + 5) * 3
    for j, c, t in zip(as_json, as_csv, as_tsv, strict=True):
        assert list(j) == list(c) == list(t)
        for name in ("value_from_usd_m", "value_to_usd_m", "change_usd_m", "change_pct"):
            assert (float(c[name]) if c[name] else None) == j[name]
            assert c[name] == t[name]
    first = as_json[0]
    assert (first["partner"], first["area"], first["measure"]) == ("CHN", "CA5", "turnover")
    assert first["change_usd_m"] == 94820 - 89400


def test_cli_years_and_basis(runner: CliRunner) -> None:
    result = invoke(runner, "growth", "--from", "2023", "--to", "2024", "--basis", "republic",
                    "-f", "json")  # fmt: skip
    assert result.exit_code == 0 and result.stderr == ""
    rows = {(r["partner"], r["area"], r["measure"]): r for r in json.loads(result.stdout)}
    assert rows[("CHN", "KAZ", "turnover")]["change_usd_m"] == 30100 - 31500
    assert {r["basis_rule"] for r in rows.values()} == {"republic"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2014"], "--from 2014 is not in the data"),
        (["--from", "2024", "--to", "2023"], "--from 2024 must come before --to 2023"),
        (["--to", "2026"], "--to 2026 is not in the data"),
    ],
)
def test_cli_bad_years_are_usage_errors(runner: CliRunner, args: list[str], message: str) -> None:
    result = invoke(runner, "growth", *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert message in line


def test_one_year_of_data_has_nothing_to_compare_and_says_so(runner: CliRunner) -> None:
    one_year = str(Path(__file__).parents[1] / "data" / "trade_2024.csv")
    result = invoke(runner, "growth", "--data", one_year, "-f", "json")
    assert result.exit_code == 0 and result.stderr == ""
    rows = json.loads(result.stdout)
    assert {(r["from_year"], r["to_year"]) for r in rows} == {(2023, 2024)}
    assert not any(r["comparable"] for r in rows)
    assert {r["from_missing_reason"] for r in rows} == {"the data hold no 2023 figures"}
    china = next(r for r in rows if (r["partner"], r["area"]) == ("CHN", "CA5"))
    assert china["value_to_usd_m"] == 94820
    assert china["no_change_reason"] == "no 2023 figure: the data hold no 2023 figures"
    table = invoke(runner, "growth", "--data", one_year, "-f", "table").stdout
    assert table == (
        "No change 2023→2024 to show: the data hold no 2023 figures; --data can add a 2023 file\n"
    )
    # the bundled data start in 2015: --to 2015 compares with 2014, which they do not hold
    result = invoke(runner, "growth", "--to", "2015", "-f", "csv")
    assert result.exit_code == 0 and "the data hold no 2014 figures" in result.stdout


def test_cli_eur_names_the_currency_effect(runner: CliRunner) -> None:
    rows = json.loads(invoke(runner, "growth", "--currency", "EUR", "-f", "json").stdout)
    got = {(r["partner"], r["area"], r["measure"]): r for r in rows}
    china = got[("CHN", "KAZ", "turnover")]
    # USD 41000 / 1.0813 -> USD 43820 / 1.0824 EUR; the rate alone: 1.0813 / 1.0824 - 1
    assert china["value_from_eur_m"] == pytest.approx(41000 / 1.0813)
    assert china["value_to_eur_m"] == pytest.approx(43820 / 1.0824)
    assert china["currency_effect_pct"] == pytest.approx((1.0813 / 1.0824 - 1) * 100)
    assert "each year's rate" in china["note"]
    table = invoke(runner, "growth", "--currency", "EUR", "-f", "table").stdout
    assert "the rate alone moves a converted figure by −0.10%" in table


def test_table_reads_at_80_columns() -> None:
    from ca_trade.tables.draw import blocks_text
    from ca_trade.tables.growth import growth_tables

    inputs = Inputs(None, None, all_years=True)
    for basis in ("partner", "republic"):
        for currency in ("USD", "EUR"):
            frame = compute.growth(inputs.trade, basis=basis, currency=currency,  # type: ignore[arg-type]
                                   rates=inputs.rates, to_year=inputs.year)  # fmt: skip
            text = blocks_text(growth_tables(frame, currency=currency, basis_rule=basis), 80)
            assert max(len(line) for line in text.splitlines()) <= 80
            assert "…" not in text
            assert "│" in text  # the bar's axis: the bar fits too
            assert "No change computed" in text


def test_table_lists_every_change_and_groups_the_rest(runner: CliRunner) -> None:
    table = invoke(runner, "growth", "-f", "table").stdout
    assert "CHN–CA5" in table and "+6.06%" in table and "−1.57%" in table
    assert "KAZ–WLD" in table and "+1.81%" in table
    assert "• 2023 from UZB statistics, 2024 from CHN customs: CHN–UZB exports, imports" in table


def test_change_bar_grows_right_and_falls_left() -> None:
    from ca_trade.tables.growth import change_bar, change_pct_text

    # half = 4 cells, 8 half-cell steps per side; full = 20%: 2.5% per step
    assert change_bar(10.0, 20.0).plain == "    │██  "  # 10 / 2.5 = 4 steps = 2 cells
    assert change_bar(-10.0, 20.0).plain == "  ██│    "
    assert change_bar(-2.5, 20.0).plain == "   ▐│    "  # one step: half a cell
    assert change_bar(50.0, 20.0).plain == "    │███▶"  # beyond the scale
    assert change_bar(-50.0, 20.0).plain == "◀███│    "
    assert change_bar(None, 20.0).plain == ""
    assert change_pct_text(6.150504) == "+6.15%"
    assert change_pct_text(-1.5714) == "−1.57%"
    assert change_pct_text(3400.0) == "+3,400%"


# ------------------------------------------------------------------ properties

POOL = [
    (reporter, partner, flow)
    for partner in schema.PARTNERS
    for republic in schema.REPUBLICS
    for reporter, partner in ((partner, republic), (republic, partner))
    for flow in ("export", "import", "total")
] + [(r, schema.WORLD, f) for r in schema.REPUBLICS for f in ("export", "import", "total")]
POOL += [(p, schema.REGION, "total") for p in schema.PARTNERS]


@st.composite
def two_years(draw: st.DrawFn) -> pl.DataFrame:
    records: list[dict[str, object]] = []
    first = draw(st.sets(st.sampled_from(POOL), min_size=1, max_size=25))
    # The second year mostly repeats the first year's keys, so that like-for-like pairs (the
    # comparable rows the properties are about) are common, plus some keys of its own.
    kept = draw(st.sets(st.sampled_from(sorted(first)), min_size=1))
    second = kept | draw(st.sets(st.sampled_from(POOL), max_size=8))
    for year, keys in ((2023, first), (2024, second)):
        for reporter, partner, flow in sorted(keys):
            records.append(
                {
                    "year": year, "reporter": reporter, "partner": partner, "flow": flow,
                    "value_millions": float(draw(st.integers(1, 60_000))),
                    "currency": draw(st.sampled_from(("USD", "EUR"))),
                    "basis": draw(st.sampled_from(("official", "compiled", "unstated"))),
                    "source": "generated", "source_url": "https://example.org/", "note": None,
                }
            )  # fmt: skip
    frame = pl.DataFrame(records, schema_overrides={"note": pl.String, "year": pl.Int64})
    return frame.with_columns(pl.int_range(2, frame.height + 2, dtype=pl.Int64).alias("line"))


common = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@common
@given(two_years(), st.sampled_from(("partner", "republic")), st.sampled_from(("USD", "EUR")))
def test_change_is_to_minus_from(trade: pl.DataFrame, basis: str, currency: str) -> None:
    u = compute.unit_suffix(currency)
    frame = compute.growth(trade, basis=basis, currency=currency, rates=RATES)  # type: ignore[arg-type]
    for row in frame.to_dicts():
        a, b = row[f"value_from{u}"], row[f"value_to{u}"]
        if row["comparable"]:
            assert row[f"change{u}"] == pytest.approx(b - a)
            if a == 0:  # a rise from nothing has no percentage
                assert row["change_pct"] is None
            else:
                assert row["change_pct"] == pytest.approx((b - a) / a * 100)
            assert row["from_reporter"] == row["to_reporter"]
            assert row["no_change_reason"] is None
        else:
            assert row[f"change{u}"] is None and row["change_pct"] is None
            assert row["no_change_reason"]  # always says why


@common
@given(two_years(), st.sampled_from(("partner", "republic")))
def test_backwards_is_the_inverse(trade: pl.DataFrame, basis: str) -> None:
    forward = compute.growth(trade, basis=basis, currency="USD", rates=RATES)  # type: ignore[arg-type]
    backward = compute.growth(trade, basis=basis, currency="USD", rates=RATES,  # type: ignore[arg-type]
                              from_year=2024, to_year=2023)  # fmt: skip
    back = {(r["partner"], r["area"], r["measure"]): r for r in backward.to_dicts()}
    for row in forward.to_dicts():
        other = back[(row["partner"], row["area"], row["measure"])]
        assert row["value_from_usd_m"] == other["value_to_usd_m"]
        assert row["comparable"] == other["comparable"]
        if row["comparable"] and row["value_from_usd_m"] and row["value_to_usd_m"]:
            assert row["change_usd_m"] == pytest.approx(-other["change_usd_m"])
            # (1 + g) x (1 + g') = 1
            assert (1 + row["change_pct"] / 100) * (1 + other["change_pct"] / 100) == (
                pytest.approx(1.0)
            )


@common
@given(two_years(), st.sampled_from(("partner", "republic")))
def test_the_same_figures_twice_are_comparable_and_flat(trade: pl.DataFrame, basis: str) -> None:
    first = trade.filter(pl.col("year") == 2023)
    twice = pl.concat([first, first.with_columns(pl.lit(2024, dtype=pl.Int64).alias("year"))])
    frame = compute.growth(twice, basis=basis, currency="EUR", rates=RATES)  # type: ignore[arg-type]
    for row in frame.filter(pl.col("value_from_eur_m") > 0).to_dicts():
        assert row["comparable"], row["no_change_reason"]
        # in EUR only the USD rows move, and only by the rate: 1.0813 / 1.0824 - 1
        effect = row["currency_effect_pct"] or 0.0
        assert row["change_pct"] == pytest.approx(effect, abs=1e-9)


def test_explain_names_each_years_rows(runner: CliRunner) -> None:
    rows = json.loads(invoke(runner, "growth", "--explain", "-f", "json").stdout)
    kaz = {
        (r["measure"], r["file"], r["line"])
        for r in rows
        if (r["partner"], r["area"]) == ("CHN", "KAZ") and r["measure"].startswith("turnover")
    }
    # trade_2023.csv line 5: CHN->KAZ total 41000; trade_2024.csv line 3: CHN->KAZ total 43820
    assert kaz == {
        ("turnover 2023", "trade_2023.csv (bundled)", 5),
        ("turnover 2024", "trade_2024.csv (bundled)", 3),
    }
    values = {r["measure"]: r["value_millions"] for r in rows if (r["partner"], r["area"]) ==
              ("CHN", "KAZ")}  # fmt: skip
    assert values["turnover 2023"] == 41000 and values["turnover 2024"] == 43820


@common
@given(two_years(), st.sampled_from(("partner", "republic")), st.sampled_from(("USD", "EUR")))
def test_any_table_reads_at_80_columns(trade: pl.DataFrame, basis: str, currency: str) -> None:
    from ca_trade.tables.draw import blocks_text
    from ca_trade.tables.growth import growth_tables

    frame = compute.growth(trade, basis=basis, currency=currency, rates=RATES)  # type: ignore[arg-type]
    text = blocks_text(growth_tables(frame, currency=currency, basis_rule=basis), 80)
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "…" not in text
