"""The years 2015-2025: the bundled history files, the default year, ``series`` and its chart,
and growth over several years. Expected values are worked by hand from the research files (the
arithmetic is beside each), or read independently with the standard library's csv module."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from ca_trade import years
from ca_trade.inputs import Inputs
from conftest import DATA, invoke
from test_tables_layout import _in_a_terminal

ROOT = Path(__file__).resolve().parents[1]
NOTE_2025 = "2025 is partial (China's customs; KGZ, UZB statistics): --year 2025"


def run_json(runner: CliRunner, *args: str) -> list[dict]:
    result = invoke(runner, *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


# ----------------------------------------------------------- independent read of the files


def bundled_rows() -> list[dict[str, str]]:
    """Every bundled row, read with the csv module (not ca-trade's loader)."""
    out = []
    for year in range(2015, 2026):
        with (ROOT / "data" / f"trade_{year}.csv").open(encoding="utf-8", newline="") as handle:
            out.extend(csv.DictReader(handle))
    return out


def research(ref: str) -> dict[str, str]:
    for name in ("figures_history.csv", "figures_2025_and_additions.csv"):
        with (DATA / "reference" / name).open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if row["ref"] == ref:
                    return row
    raise KeyError(ref)


@pytest.mark.parametrize(
    ("ref", "key", "millions"),
    [
        # China's customs (MOFCOM), China-CA5 2022: 70.2 bn = 70,200 mn
        ("R5006", ("2022", "CHN", "CA5", "total"), "70200"),
        # China's customs 2025 (MOFCOM, 18 Jan 2026): 106.3 bn = 106,300 mn
        ("R4009", ("2025", "CHN", "CA5", "total"), "106300"),
        # Kazakhstan's bureau, KAZ-CHN turnover: 18,000,962.48622 thousand USD = 18,000.96 mn
        ("R5110", ("2021", "KAZ", "CHN", "total"), "18000.96248622"),
        ("R5114", ("2022", "KAZ", "CHN", "total"), "24203.9452083"),
        # Kazakhstan's bureau, world turnover: 101,736,459.87035 and 135,527,430.8051 thousand
        ("R5162", ("2021", "KAZ", "WLD", "total"), "101736.45987035"),
        ("R5163", ("2022", "KAZ", "WLD", "total"), "135527.4308051"),
        # Eurostat Comext, EU27 exports to Kyrgyzstan 2015: 262,549,400 EUR
        ("R5060", ("2015", "EU27", "KGZ", "export"), "262.5494"),
        # 'just over $49.5 billion' (2021): a lower bound
        ("R5003", ("2021", "CHN", "CA5", "total"), "49500"),
    ],
)
def test_rows_match_the_research_file_by_ref(
    ref: str, key: tuple[str, str, str, str], millions: str
) -> None:
    source = research(ref)
    (row,) = [
        r for r in bundled_rows() if (r["year"], r["reporter"], r["partner"], r["flow"]) == key
    ]
    scale = Decimal(1000) if source["unit"] == "billions" else Decimal(1)
    assert Decimal(row["value_millions"]) == Decimal(source["value"]) * scale == Decimal(millions)
    assert row["note"].startswith(f"ref {ref};")
    assert row["source_url"] == source["source_url"]
    assert row["bound"] == ("lower" if ref == "R5003" else "")


def test_every_bundled_row_is_sourced_and_its_key_unique() -> None:
    rows = bundled_rows()
    assert len(rows) > 350
    assert all(r["source"].strip() and r["source_url"].startswith("http") for r in rows)
    keys = [(r["year"], r["reporter"], r["partner"], r["flow"]) for r in rows]
    assert len(keys) == len(set(keys))


# --------------------------------------------------------------------------- default year


def test_default_year_is_2024_and_2025_is_noted() -> None:
    inputs = Inputs(None, None)
    assert inputs.year == 2024
    assert inputs.notes == [NOTE_2025]
    # Only what the year needs was read: 2025 (to find it partial), then 2024 (complete).
    assert inputs.files == ["trade_2024.csv (bundled)"]
    assert set(inputs.trade.get_column("year").unique().to_list()) == {2024}
    assert inputs.years == list(range(2015, 2026))


def test_a_year_asked_for_reads_that_file_only_and_notes_nothing() -> None:
    inputs = Inputs(None, 2025)
    assert (inputs.year, inputs.files, inputs.notes) == (2025, ["trade_2025.csv (bundled)"], [])


def test_every_command_defaults_to_2024(runner: CliRunner) -> None:
    assert {r["year"] for r in run_json(runner, "compare")} == {2024}
    assert {r["year"] for r in run_json(runner, "shares")} == {2024}
    assert {r["year"] for r in run_json(runner, "balance")} == {2024}
    assert {(r["from_year"], r["to_year"]) for r in run_json(runner, "growth")} == {(2023, 2024)}
    checked = invoke(runner, "check", "-f", "json")  # exit 1: some claims fail
    assert {r["year"] for r in json.loads(checked.stdout)} == {2024}


def frame(rows: list[tuple[int, str, str]]) -> pl.DataFrame:
    return pl.DataFrame(
        [{"year": y, "reporter": r, "partner": p} for y, r, p in rows],
        schema={"year": pl.Int64, "reporter": pl.String, "partner": pl.String},
    )


def test_default_year_rule_on_small_frames() -> None:
    # 2020: all three partners (Russia through a republic's own figure); 2021: no EU figure.
    trade = frame(
        [(2020, "CHN", "KAZ"), (2020, "EU27", "CA5"), (2020, "UZB", "RUS"), (2021, "CHN", "CA5")]
    )
    assert years.default_year(trade, [2020, 2021]) == 2020
    assert years.partners_missing(trade, 2021) == ["EU27", "RUS"]
    assert years.partial_note(trade, 2021) == "2021 is partial (China's customs): --year 2021"
    # No year complete: the latest, as before.
    assert years.default_year(
        frame([(2020, "CHN", "KAZ"), (2021, "CHN", "KAZ")]), [2020, 2021]
    ) == (2021)
    # A world total is not a figure with the region.
    assert not years.is_complete(frame([(2020, "KAZ", "WLD")]), 2020)


def test_compare_2025_on_a_terminal_and_in_a_pipe(runner: CliRunner) -> None:
    rows = {r["partner"]: r for r in run_json(runner, "compare", "--year", "2025")}
    # China's customs' published total, 106.3 bn (R4009, MOFCOM); the rounded per-country
    # figures sum to 48700 + 27200 + 16200 + 10000 + 4300 = 106400.
    assert rows["CHN"]["turnover_usd_m"] == 106300
    assert rows["CHN"]["turnover_coverage"] == "published region total"
    # China's exports 71200 and imports 35100: the published totals (the five have no splits).
    assert (rows["CHN"]["exports_usd_m"], rows["CHN"]["imports_usd_m"]) == (71200, 35100)
    # No EU figure at all in 2025: a gap, never zero.
    assert rows["EU27"]["turnover_usd_m"] is None and rows["EU27"]["rank"] is None
    # Russia: only the republics' side (KGZ 'over 3.1bn', UZB 12,986): 2 of 5.
    assert rows["RUS"]["turnover_usd_m"] == 3100 + 12986
    assert rows["RUS"]["turnover_coverage"] == "2/5: partial (has KGZ, UZB)"


def test_compare_2022_china_on_its_customs(runner: CliRunner) -> None:
    rows = {r["partner"]: r for r in run_json(runner, "compare", "--year", "2022")}
    china = rows["CHN"]
    assert china["turnover_usd_m"] == 70200  # R5006, MOFCOM
    assert china["turnover_reporter"] == "CHN"
    assert china["turnover_coverage"] == "published region total"


# -------------------------------------------------------------------------------- series


def test_series_kazakhstan_china_on_kazakh_statistics(runner: CliRunner) -> None:
    rows = run_json(runner, "series", "--partner", "CHN", "--republic", "KAZ", "--basis",
                    "republic")  # fmt: skip
    by_year = {r["year"]: r for r in rows}
    assert sorted(by_year) == list(range(2015, 2026))
    # 2015-2017: no figure on either side: a gap, not zero.
    assert [by_year[y]["value_usd_m"] for y in (2015, 2016, 2017)] == [None, None, None]
    # KAZ-CHN turnover 2021 -> 2022: 18,000.96 -> 24,203.95 = +34.46% (Kazakhstan's bureau)
    change = (24203.9452083 - 18000.96248622) / 18000.96248622 * 100
    assert round(change, 2) == 34.46
    assert by_year[2022]["change_pct"] == pytest.approx(change)
    assert by_year[2022]["comparable"] and not by_year[2022]["break_before"]
    # 2025 has China's customs only: a break, no change.
    assert by_year[2025]["reporter"] == "CHN" and by_year[2025]["break_before"]
    assert by_year[2025]["change_pct"] is None
    assert by_year[2025]["no_change_reason"] == (
        "reporter changes: 2024 from Kazakhstan's statistics, 2025 from China's customs"
    )


def test_series_region_on_chinas_side_marks_every_break(runner: CliRunner) -> None:
    rows = {r["year"]: r for r in run_json(runner, "series", "--partner", "CHN")}
    # 2021 -> 2022, China's customs both years: 49500 ('just over') -> 70200 = +41.82%
    assert rows[2022]["change_pct"] == pytest.approx((70200 - 49500) / 49500 * 100)
    # 2016 (China's 30bn) between partial sums of the republics: breaks on both sides.
    assert rows[2016]["break_before"] and rows[2017]["break_before"]
    assert all(r["change_pct"] is None for r in rows.values() if r["break_before"])
    # machine formats carry the same numbers
    as_csv = list(
        csv.DictReader(io.StringIO(invoke(runner, "series", "-p", "CHN", "-f", "csv").stdout))
    )
    assert [float(r["value_usd_m"]) for r in as_csv] == [
        rows[y]["value_usd_m"] for y in range(2015, 2026)
    ]


def test_series_at_80_columns_in_a_real_terminal() -> None:
    text = _in_a_terminal(["series", "--partner", "CHN", "--republic", "KAZ"], 80)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "…" not in text
    year_rows = [line[1:5] for line in lines if re.match(r"│\d{4} ", line)]
    assert year_rows == [str(y) for y in range(2015, 2026)]
    assert "┄ break" in text  # 2020 Kazakhstan's statistics -> 2021 China's customs
    assert "2021: reporter changes: 2020 from Kazakhstan's statistics, 2021 from China's" in (
        " ".join(text.split())
    )
    assert "█" in text  # the bars are drawn
    assert "No figure (a gap, not zero): 2015, 2016, 2017" in text


def test_series_unknown_partner_is_a_usage_error(runner: CliRunner) -> None:
    result = invoke(runner, "series", "--partner", "USA")
    assert result.exit_code == 2 and result.stdout == ""


# --------------------------------------------------------------------------------- chart


def test_svg_chart_has_one_line_per_reporter(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "kaz.svg"
    result = invoke(runner, "series", "-p", "CHN", "-r", "KAZ", "-o", str(path))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    root = ET.parse(path).getroot()
    ids = [g.get("id") for g in root.iter("{http://www.w3.org/2000/svg}g")]
    lines = [i for i in ids if i and i.startswith("series-")]
    # Partner basis: Kazakhstan's statistics 2018-2020, China's customs 2021-2025.
    assert lines == ["series-0-KAZ", "series-1-CHN"]
    text = "".join(root.itertext())
    assert "Kazakhstan's statistics" in text and "China's customs" in text
    assert "USD billions" in text and "China: turnover with Kazakhstan" in text


def test_png_chart_decodes(runner: CliRunner, tmp_path: Path) -> None:
    from PIL import Image

    path = tmp_path / "region.png"
    assert invoke(runner, "series", "-p", "CHN", "-o", str(path)).exit_code == 0
    with Image.open(path) as image:
        image.verify()
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size == (800, 450)


def test_chart_to_a_folder_that_does_not_exist_exits_73(runner: CliRunner, tmp_path: Path) -> None:
    result = invoke(runner, "series", "-o", str(tmp_path / "no" / "chart.svg"))
    assert result.exit_code == 73
    assert result.stderr.count("\n") == 1


# -------------------------------------------------------------------- growth over years


def test_growth_kazakhstan_with_the_world_2021_to_2022(runner: CliRunner) -> None:
    rows = run_json(runner, "growth", "--from", "2021", "--to", "2022")
    keyed = {(r["partner"], r["area"], r["measure"]): r for r in rows}
    world = keyed[("WLD", "KAZ", "turnover")]
    # 101,736.46 -> 135,527.43: +33.21%
    change = (135527.4308051 - 101736.45987035) / 101736.45987035 * 100
    assert round(change, 2) == 33.21
    assert world["change_pct"] == pytest.approx(change)
    assert world["annual_rate_pct"] == pytest.approx(change)  # one year: the same


def test_growth_over_four_years_gives_the_annual_rate_or_the_reason(runner: CliRunner) -> None:
    rows = {
        (r["partner"], r["area"], r["measure"]): r
        for r in run_json(runner, "growth", "--from", "2018", "--to", "2022")
    }
    world = rows[("WLD", "KAZ", "turnover")]
    # 94,769.7408 -> 135,527.4308051: +43.01% in 4 years, (1.4301)^(1/4) - 1 = +9.36% a year
    ratio = 135527.4308051 / 94769.7408
    assert world["change_pct"] == pytest.approx((ratio - 1) * 100)
    assert world["annual_rate_pct"] == pytest.approx((ratio**0.25 - 1) * 100)
    assert round(world["annual_rate_pct"], 2) == 9.36
    # China-Kazakhstan turnover: Kazakhstan's figure in 2018, China's customs in 2022: no rate.
    kaz = rows[("CHN", "KAZ", "turnover")]
    assert kaz["annual_rate_pct"] is None and kaz["change_pct"] is None
    assert kaz["no_change_reason"] == "2018 from KAZ statistics, 2022 from CHN customs"


def test_growth_2015_to_2024(runner: CliRunner) -> None:
    rows = {
        (r["partner"], r["area"], r["measure"]): r
        for r in run_json(runner, "growth", "--from", "2015", "--to", "2024")
    }
    assert {(r["from_year"], r["to_year"]) for r in rows.values()} == {(2015, 2024)}
    # Uzbekistan's exports to Russia (its own statistics) 2015 1821.0652 -> 2024: no 2024 split:
    assert rows[("RUS", "UZB", "imports")]["no_change_reason"].startswith("no 2024 figure")
    # The EU's exports to KAZ: Eurostat in 2015, Kazakhstan's imports from the EU in 2024.
    eu = rows[("EU27", "KAZ", "exports")]
    assert eu["annual_rate_pct"] is None
    assert eu["no_change_reason"] == "2015 from EU27 figures, 2024 from KAZ statistics"


# ------------------------------------------------------------------------ imports and start-up


def test_matplotlib_only_for_a_chart_file(tmp_path: Path) -> None:
    from test_package import run_traced

    def plotted(*args: str) -> bool:
        imported, _ = run_traced(*args)
        assert "polars" in imported  # the check itself works
        return any(name == "matplotlib" or name.startswith("matplotlib.") for name in imported)

    assert not plotted("series", "-f", "csv")
    assert not plotted("compare", "-f", "csv")
    assert plotted("series", "-o", str(tmp_path / "chart.svg"))


def test_series_changes_from_bounds(runner: CliRunner) -> None:
    rows = {r["year"]: r for r in run_json(runner, "series", "--partner", "RUS")}
    # 2021 37bn (Valdai, R5027) -> 2022 'over $42bn' (R5028): at least (42000 - 37000) / 37000
    assert rows[2022]["bound"] == "lower"
    assert rows[2022]["change_pct"] == pytest.approx((42000 - 37000) / 37000 * 100)  # 13.51%
    assert rows[2022]["change_bound"] == "lower"
    # 2022 'over 42' -> 2023 'exceeded 44': both lower bounds, the change is open either way
    assert rows[2023]["change_pct"] is None and rows[2023]["change_bound"] == "undecidable"
    assert rows[2023]["no_change_reason"].startswith("not decidable")
    assert not rows[2023]["break_before"]  # the same reporter: not a break, just undecidable
