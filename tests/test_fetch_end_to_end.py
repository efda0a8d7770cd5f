"""Fetch from the local server, then ``compare``, ``mirror`` and ``growth`` on the file: the
figures are worked out by hand from the fixture values (tests/data/fetch/README.md)."""

from __future__ import annotations

import csv
import io

import pytest
from typer.testing import CliRunner

from ca_trade.cli import app
from fetch_support import Env, serve_comtrade

KAZ_CHN = {"398": "comtrade_kaz_2023_2024.json", "156": "comtrade_chn_kaz_2023_2024.json"}


@pytest.fixture
def fetched(fetch_env: Env) -> str:
    serve_comtrade(fetch_env, KAZ_CHN)
    result = fetch_env.fetch(
        "--year", "2023-2024", "--republic", "KAZ", "--partner", "CHN", "--partner", "RUS"
    )
    assert result.exit_code == 0, result.stderr
    # Russia's own query is the empty answer: listed, not written.
    assert "no data for RUS 2023-2024 from comtrade" in result.stderr
    return str(fetch_env.tmp / "out.csv")


def run(*args: str) -> list[dict[str, str]]:
    result = CliRunner().invoke(app, [*args, "-f", "csv"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_compare_on_the_fetched_file(fetched: str) -> None:
    rows = {r["partner"]: r for r in run("compare", "--data", fetched, "--republic", "KAZ")}
    china = rows["CHN"]
    # China's customs, 2024: exports to KAZ 28,000,000,000 and imports 15,900,000,000 USD.
    assert float(china["exports_usd_m"]) == 28000
    assert float(china["imports_usd_m"]) == 15900
    assert float(china["turnover_usd_m"]) == 28000 + 15900
    assert float(china["balance_usd_m"]) == 28000 - 15900
    assert china["turnover_derived"] == "true"  # the sum is the command's, not the file's
    # Russia published nothing: Kazakhstan's side, turned round (KAZ imports = RUS exports).
    russia = rows["RUS"]
    assert russia["exports_reporter"] == "KAZ"
    assert float(russia["exports_usd_m"]) == 18000
    assert float(russia["imports_usd_m"]) == 9500
    assert float(russia["balance_usd_m"]) == 18000 - 9500
    assert float(china["turnover_ratio_to_rus"]) == pytest.approx(43900 / 27500)
    assert rows["EU27"]["turnover_usd_m"] == ""  # not fetched: missing, never zero


def test_mirror_on_the_fetched_file(fetched: str) -> None:
    rows = {(r["partner"], r["flow"]): r for r in run("mirror", "--data", fetched)}
    export = rows[("CHN", "export")]
    # China's exports to KAZ (28,000) against KAZ's imports from China (15,500).
    assert float(export["partner_reported_usd_m"]) == 28000
    assert float(export["republic_reported_usd_m"]) == 15500
    assert float(export["gap_usd_m"]) == 28000 - 15500
    assert float(export["gap_index"]) == pytest.approx(12500 / (28000 + 15500))
    imports = rows[("CHN", "import")]
    assert float(imports["gap_usd_m"]) == 15900 - 15000
    assert float(imports["ratio"]) == pytest.approx(15900 / 15000)
    assert not any(partner == "RUS" for partner, _ in rows)  # one side only: no mirror


def test_growth_on_the_fetched_file(fetched: str) -> None:
    rows = {
        (r["partner"], r["area"], r["measure"]): r
        for r in run("growth", "--data", fetched, "--from", "2023")
    }
    exports = rows[("CHN", "KAZ", "exports")]
    assert float(exports["value_from_usd_m"]) == 24700
    assert float(exports["value_to_usd_m"]) == 28000
    assert float(exports["change_usd_m"]) == 28000 - 24700
    assert float(exports["change_pct"]) == pytest.approx((28000 - 24700) / 24700 * 100)
    imports = rows[("CHN", "KAZ", "imports")]
    assert float(imports["change_pct"]) == pytest.approx((15900 - 16300) / 16300 * 100)
    # KAZ with the World, on its own statistics: exports 78,000 -> 80,000.
    world = rows[("WLD", "KAZ", "exports")]
    assert float(world["change_pct"]) == pytest.approx((80000 - 78000) / 78000 * 100)


def test_validate_finds_no_problem_in_the_fetched_file(fetched: str) -> None:
    result = CliRunner().invoke(app, ["validate", fetched, "-f", "csv"], catch_exceptions=False)
    assert result.exit_code == 0, result.stdout + result.stderr
